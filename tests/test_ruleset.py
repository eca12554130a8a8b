"""Rule files: every class of breakage is refused with file, line, rule id and a fix."""

from __future__ import annotations

import textwrap

import pytest

from cleaner import load_rules
from cleaner.errors import RuleFileError

GOOD = """
[[rule]]
id = "t.ok"
kind = "drop_line"
description = "d"
pattern = \'\'\'^AD$\'\'\'
examples = [{ input = "AD\\nx", output = "x" }, { input = "ADD", unchanged = true }]
"""


def load(tmp_path, body: str, *, name: str = "r.toml", defaults: bool = False):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_rules([path], defaults=defaults)


def problems(tmp_path, body: str) -> list:
    with pytest.raises(RuleFileError) as info:
        load(tmp_path, body)
    return info.value.problems


def test_good_file_loads(tmp_path):
    assert [r.id for r in load(tmp_path, GOOD).rules] == ["t.ok"]


def test_toml_syntax_error_names_line(tmp_path):
    [p] = problems(tmp_path, GOOD + '\n[[rule]]\nid = "t.two\n')
    assert "TOML syntax error" in p.message
    assert p.line == 10


TOML_MISTAKES = [
    # (case, text, line, column, words the hint must hold)
    ("regex in a basic string", '[[rule]]\nid = "a.b"\npattern = "^\\s+x$"\n', 3, 15, "literal strings"),
    ("unclosed string", '[[rule]]\nid = "a.b\nkind = "x"\n', 2, 10, "not closed"),
    ("unquoted value", "[[rule]]\nid = a.b\n", 2, 6, "quote text"),
    ("key set twice", '[[rule]]\nid = "a"\nid = "b"\n', 3, 9, "sets a key once"),
    ("one bracket short", '[[rule]\nid = "a"\n', 1, 7, "two brackets"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "hint"), [m[1:] for m in TOML_MISTAKES], ids=[m[0] for m in TOML_MISTAKES]
)
def test_toml_syntax_error_has_line_column_and_a_fitting_hint(tmp_path, text, line, column, hint):
    [p] = problems(tmp_path, text)
    assert (p.line, p.column) == (line, column)
    assert str(p).startswith(f"{tmp_path / 'r.toml'}:{line}:{column}: TOML syntax error: ")
    assert hint in p.hint, p.hint
    others = [m[4] for m in TOML_MISTAKES if m[4] != hint]
    assert not any(o in p.hint for o in others)  # a hint for this error, not one for all
    assert text.splitlines()[line - 1] in p.message  # the line itself, with a caret under the column
    assert "\n    | " + " " * (column - 1) + "^" in p.message


def test_pyproject_syntax_error_has_line_column_and_hint(tmp_path):
    from cleaner.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text("[tool.cleaner]\nrules = [rules]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'pyproject.toml'}:2:10: TOML syntax error: Invalid value")
    assert "quote text" in str(info.value)


MISSPELT = [
    # (case, change to GOOD, the suggestion the hint must make)
    ("kind", ('kind = "drop_line"', 'kind = "drop_lnie"'), "did you mean 'drop_line'"),
    ("rule key", ('description = "d"', 'description = "d"\npatern = "x"'), "did you mean 'pattern'"),
    ("setting", ('description = "d"', 'description = "d"\nfirst_line = 3'), "did you mean 'first_lines'"),
    ("extract key", ("", "\n[extract]\nfavour_precision = true\n"), "did you mean 'favor_precision'"),
    ("top-level table", ("", "\n[list]\nx = 'y'\n"), "did you mean 'lists'"),
]


@pytest.mark.parametrize(("change", "suggestion"), [m[1:] for m in MISSPELT], ids=[m[0] for m in MISSPELT])
def test_misspelt_names_get_did_you_mean(tmp_path, change, suggestion):
    body = GOOD + change[1] if change[0] == "" else GOOD.replace(*change)
    assert body != GOOD
    found = problems(tmp_path, body)
    assert any(suggestion in p.hint for p in found), [str(p) for p in found]


def test_a_name_close_to_nothing_gets_no_suggestion(tmp_path):
    [p] = problems(tmp_path, GOOD.replace('kind = "drop_line"', 'kind = "zzzzqqq"'))
    assert "did you mean" not in p.hint and "use one of: dedupe_words" in p.hint


def test_misspelt_pyproject_key_is_refused_with_did_you_mean(tmp_path):
    """An unknown [tool.cleaner] key was ignored in silence: `default_rules = false` left the defaults on."""
    from cleaner.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text("[tool.cleaner]\ndefault_rules = false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"(?s)unknown key 'default_rules'.*did you mean 'default-rules'"):
        load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.cleaner]\n[[tool.cleaner.golden]]\ninput = 'a'\nexpected = 'b'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"(?s)unknown key 'input'.*did you mean 'inputs'"):
        load_config(tmp_path)


def test_explain_misspelt_rule_gets_did_you_mean(cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Body.\n", encoding="utf-8")
    r = cli("explain", str(f), "--rule", "caption.credit-onyl", cwd=tmp_path)
    assert r.returncode == 2
    assert b"did you mean 'caption.credit-only'" in r.stderr


@pytest.mark.parametrize(
    ("change", "message", "key_line"),
    [
        (('kind = "drop_line"', 'kind = "drop_lines"'), "unknown kind 'drop_lines'", 4),
        (('description = "d"', 'description = "d"\npatern = "x"'), "unknown key 'patern'", 6),
        (("'''^AD$'''", "'''^(AD$'''"), "regex does not compile", 6),
        (("'''^AD$'''", "'''^\\s*$'''"), "matches the empty string", 6),
        (("'''^AD$'''", "'''^{{nope}}$'''"), "unknown list", 6),
        (('description = "d"\n', ""), "missing description", 2),
        (('id = "t.ok"', 'id = "Bad Id"'), "malformed id", 3),
        ((', { input = "ADD", unchanged = true }', ""), "no look-alike example", 7),
        (('{ input = "AD\\nx", output = "x" }, ', ""), "no example that the rule changes", 7),
        (('description = "d"', 'description = "d"\nfirst_lines = "3"'), "must be a non-negative integer", 6),
    ],
)
def test_each_kind_of_breakage(tmp_path, change, message, key_line):
    body = GOOD.replace(*change)
    assert body != GOOD
    found = problems(tmp_path, body)
    assert any(message in p.message for p in found), found
    p = next(p for p in found if message in p.message)
    assert p.line == key_line
    assert str(p.path).endswith("r.toml")


def test_missing_examples(tmp_path):
    body = GOOD.split("examples")[0]
    [p] = problems(tmp_path, body)
    assert "missing examples" in p.message and p.rule_id == "t.ok" and p.hint


def test_duplicate_id_in_one_layer(tmp_path):
    found = problems(tmp_path, GOOD + GOOD)
    assert any("duplicate rule id" in p.message for p in found)


def test_all_problems_reported_at_once(tmp_path):
    body = GOOD.replace('kind = "drop_line"', 'kind = "nope"') + GOOD.replace("t.ok", "t.two").replace("^AD$", "(")
    assert len(problems(tmp_path, body)) == 2


def test_unknown_top_level_key(tmp_path):
    found = problems(tmp_path, "rulez = 1\n" + GOOD)
    assert any("unknown top-level key" in p.message for p in found)


def test_shared_list_declared_once(tmp_path):
    (tmp_path / "a.toml").write_text('[lists]\nwords = ["x"]\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[lists]\nwords = ["y"]\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match="already declared"):
        load_rules([tmp_path], defaults=False)


def test_lists_are_shared_across_files_and_escaped(tmp_path):
    (tmp_path / "00-lists.toml").write_text('[lists]\nmarks = ["a.b", "c+"]\n', encoding="utf-8")
    (tmp_path / "10-rule.toml").write_text(
        GOOD.replace("^AD$", "^{{marks}}$").replace("AD\\nx", "a.b\\nx").replace('"ADD"', '"axb"'), encoding="utf-8"
    )
    p = load_rules([tmp_path], defaults=False)
    assert p("a.b\nc+\naxb\n") == "axb\n"


def test_user_rule_replaces_default_with_same_id(tmp_path):
    default = load_rules()
    ids = [r.id for r in default.rules]
    override = GOOD.replace("t.ok", "promo.read-more")
    p = load(tmp_path, override, defaults=True)
    assert [r.id for r in p.rules] == ids  # same place in the order
    assert p.rule("promo.read-more").source.endswith("r.toml")


def test_order_is_files_by_name_then_rules_in_file_order(tmp_path):
    (tmp_path / "b.toml").write_text(GOOD.replace("t.ok", "t.b"), encoding="utf-8")
    (tmp_path / "a.toml").write_text(GOOD.replace("t.ok", "t.a1") + GOOD.replace("t.ok", "t.a2"), encoding="utf-8")
    assert [r.id for r in load_rules([tmp_path], defaults=False).rules] == ["t.a1", "t.a2", "t.b"]


def test_setting_choices_are_enforced(tmp_path):
    [p] = problems(
        tmp_path,
        """
        [[rule]]
        id = "t.enc"
        kind = "fix_encoding"
        description = "d"
        normalization = "NFX"
        examples = [{ input = "donâ€™t", output = "don’t" }, { input = "x", unchanged = true }]
        """,
    )
    assert "normalization: must be one of '', 'NFC', 'NFKC', 'NFD', 'NFKD', not 'NFX'" in p.message


def test_a_fragment_list_may_use_other_lists(tmp_path):
    (tmp_path / "00-lists.toml").write_text(
        "[lists]\nwords = [\"May\", \"June\"]\nwhen = '''\\d{1,2} {{words}}'''\nloop = '''{{loop}}'''\n",
        encoding="utf-8",
    )
    (tmp_path / "10-rule.toml").write_text(
        GOOD.replace("^AD$", "^{{when}}$").replace("AD\\nx", "3 May\\nx").replace('"ADD"', '"3 Mayday"'),
        encoding="utf-8",
    )
    p = load_rules([tmp_path / "00-lists.toml", tmp_path / "10-rule.toml"], defaults=False)
    assert p("3 May\n12 June\nMay 3\n") == "May 3\n"
    (tmp_path / "10-rule.toml").write_text(GOOD.replace("^AD$", "^{{loop}}$"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="nest deeper"):
        load_rules([tmp_path / "00-lists.toml", tmp_path / "10-rule.toml"], defaults=False)
