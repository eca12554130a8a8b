"""Rule faults: every loader error class, catastrophic patterns (probes and run-time
budget), and rule files as pure data.

tests/test_ruleset.py has the core classes at the loader level (TOML syntax, unknown kind
or key, bad regex, empty match, unknown list, duplicate id, missing or one-sided
examples, malformed id, missing description, wrong int); here are the others, and the
command-line contract for all of them: exit 2, file:line, rule id, a fix, nothing written.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest
import regex
from typer.testing import CliRunner

from cleaner import load_rules
from cleaner.cli import app
from cleaner.errors import RuleFileError
from cleaner.match.cache import cache_dir
from cleaner.ruleset.redos import check_pipeline, probe_pattern

from .conftest import ROOT

GOOD = """
[[rule]]
id = "t.ok"
kind = "drop_line"
description = "d"
pattern = '''^AD$'''
examples = [{ input = "AD\\nx", output = "x" }, { input = "ADD", unchanged = true }]
"""


def problems_of(tmp_path: Path, body: str) -> list:
    path = tmp_path / "r.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([path], defaults=False)
    return info.value.problems


def rule(kind: str, settings: str, examples: str = "") -> str:
    examples = examples or 'examples = [{ input = "AD", output = "" }, { input = "x", unchanged = true }]'
    return f'[[rule]]\nid = "t.r"\nkind = "{kind}"\ndescription = "d"\n{settings}\n{examples}\n'


PATTERN_AD = "pattern = '''AD'''"
MORE_CLASSES = [
    # (case id, file body, message, line of the problem)
    ("rule not a table array", "rule = 1\n", "`rule` must be an array of tables", None),
    ("rule not a table", "rule = [1]\n", "a rule must be a table", None),
    ("lists not a table", "lists = 1\n" + GOOD, "`lists` must be a table", None),
    ("list of numbers", "[lists]\nx = [1, 2]\n" + GOOD, "list 'x' must be a regex string or an array of words", 2),
    ("empty list", "[lists]\nx = []\n" + GOOD, "list 'x' must be a regex string or an array of words", 2),
    ("safe not a bool", GOOD.replace('description = "d"', 'description = "d"\nsafe = "no"'), "`safe` must be", 6),
    ("missing required key", rule("drop_line", ""), "missing required key 'pattern' for kind drop_line", 1),
    ("pattern not a string", rule("drop_line", "pattern = 5"), "pattern: must be a string", 5),
    ("pattern is a table", rule("drop_line", 'pattern = { file = "/etc/passwd" }'), "pattern: must be a string", 5),
    ("str setting", rule("replace", PATTERN_AD + "\nreplacement = 1"), "replacement: must be a string", 6),
    ("float setting", rule("fix_accents", 'max_accented_zipf = "high"'), "max_accented_zipf: must be a number", 5),
    ("bool setting", rule("drop_block", "start = '''^AD$'''\nto_end = \"yes\""), "to_end: must be true or false", 6),
    ("words setting", rule("dedupe_words", "words = []"), "words: must be a non-empty array of strings", 5),
    ("negative int", rule("drop_line", PATTERN_AD + "\nfirst_lines = -1"), "must be a non-negative integer", 6),
    (
        "block end and to_end",
        rule("drop_block", "start = '''^AD$'''\nend = '''x'''\nto_end = true"),
        "give exactly one of `end`",
        1,
    ),
    (
        "block max_lines 0",
        rule("drop_block", "start = '''^AD$'''\nto_end = true\nmax_lines = 0"),
        "`max_lines` must be at least 1",
        1,
    ),
    ("huge repeat count", rule("drop_line", "pattern = '^x{99999999}$'"), "repeat counts unroll to about", 5),
    ("nested repeat counts", rule("drop_line", "pattern = '(?:(?:ab){400}c){400}'"), "limit 100,000", 5),
    (
        "huge repeat in a list",
        "[lists]\nbig = 'y{5000000}'\n" + rule("drop_line", "pattern = '^{{big}}$'"),
        "repeat counts unroll to about",
        7,
    ),
    ("bad normalization", rule("fix_encoding", 'normalization = "NFX"'), "normalization: must be one of", 5),
    (
        "example without input",
        rule("drop_line", PATTERN_AD, 'examples = [{ output = "" }]'),
        "example 1 needs an `input` string",
        6,
    ),
    (
        "example unknown key",
        rule("drop_line", PATTERN_AD, 'examples = [{ input = "AD", output = "", expect = 1 }]'),
        "example 1 has unknown keys ['expect']",
        6,
    ),
    (
        "example output and unchanged",
        rule("drop_line", PATTERN_AD, 'examples = [{ input = "AD", output = "", unchanged = true }]'),
        "needs exactly one of `output` or `unchanged = true`",
        6,
    ),
    (
        "example output equals input",
        rule("drop_line", PATTERN_AD, 'examples = [{ input = "x", output = "x" }]'),
        "output equals input; mark it `unchanged = true`",
        6,
    ),
]


@pytest.mark.parametrize(("body", "message", "line"), [c[1:] for c in MORE_CLASSES], ids=[c[0] for c in MORE_CLASSES])
def test_more_loader_error_classes(tmp_path, body, message, line):
    found = problems_of(tmp_path, body)
    matching = [p for p in found if message in p.message]
    assert matching, found
    p = matching[0]
    assert str(p.path).endswith("r.toml")
    assert p.line == line
    if "[[rule]]" in body and "t.r" in body:
        assert p.rule_id == "t.r"


def test_unreadable_or_missing_rule_file(tmp_path):
    with pytest.raises(RuleFileError, match="cannot read rule file"):
        load_rules([tmp_path / "missing.toml"], defaults=False)
    (tmp_path / "latin1.toml").write_bytes(b"# caf\xe9\n" + GOOD.encode())
    with pytest.raises(RuleFileError, match=r"cannot read rule file.*utf-8"):
        load_rules([tmp_path / "latin1.toml"], defaults=False)


def test_duplicate_id_across_files_of_one_folder(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"duplicate rule id \(first defined in .*a.toml:2\)"):
        load_rules([tmp_path], defaults=False)


CORE_CLASSES = [
    # (case id, change to GOOD, message, line): the core issue's list, through the command line
    ("TOML syntax", ("pattern = '''^AD$'''", 'pattern = "^AD$'), "TOML syntax error", 6),
    ("unknown kind", ('kind = "drop_line"', 'kind = "drop_lines"'), "unknown kind 'drop_lines'", 4),
    ("unknown key", ('description = "d"', 'description = "d"\npatern = "x"'), "unknown key 'patern'", 6),
    ("regex does not compile", ("^AD$", "^(AD$"), "regex does not compile", 6),
    ("regex matches empty", ("^AD$", "^\\s*$"), "matches the empty string", 6),
    ("duplicate id", ("", GOOD), "duplicate rule id", 9),
    ("missing examples", (GOOD[GOOD.index("examples") :].rstrip("\n"), ""), "missing examples", 2),
]


@pytest.mark.parametrize(("change", "message", "line"), [c[1:] for c in CORE_CLASSES], ids=[c[0] for c in CORE_CLASSES])
def test_broken_rules_stop_the_run_before_any_output(tmp_path, change, message, line):
    body = GOOD + change[1] if change[0] == "" else GOOD.replace(*change)
    rules = tmp_path / "r.toml"
    rules.write_text(body, encoding="utf-8")
    (tmp_path / "a.txt").write_text("AD\nx\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(tmp_path / "a.txt"), "-o", str(out), "--rules", str(rules)])
    assert r.exit_code == 2, r.output
    assert f"{rules}:{line}" in r.stderr and message in r.stderr and "fix:" in r.stderr, r.stderr
    if message != "TOML syntax error":
        assert "[t.ok]" in r.stderr
    assert "nothing was cleaned" in r.stderr
    assert not out.exists() and not (tmp_path / "out.quarantine.jsonl").exists()


def test_huge_repeat_count_is_refused_at_once_by_check_and_run(cli, tmp_path):
    """`x{99999999}` once made the `regex` module compile for minutes: both commands refuse it in seconds."""
    rules = tmp_path / "r.toml"
    rules.write_text(GOOD.replace("^AD$", "^AD x{99999999}$"), encoding="utf-8")
    (tmp_path / "a.txt").write_text("AD\nx\n", encoding="utf-8")
    for args in (["rules", "check"], ["run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out")]):
        r = cli(*args, "--no-default-rules", "--rules", str(rules), timeout=60)
        err = r.stderr.decode()
        assert r.returncode == 2, err
        assert f"{rules}:6 [t.ok]: pattern: its repeat counts unroll to about 100,000,0" in err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# --- catastrophic backtracking -----------------------------------------------------------

# Still exponential (or of a high power) in the `regex` module, unlike `(a+)+$`, which it
# defuses on short input.
EXPONENTIAL = [
    r"^(a|aa)+$",
    r"^(\w|[a-z])+$",
    r"^(a|ab|b)+$",
    r"(\d|\d\d)+$",
    r"^(.*?,){11}P",
    r"(?(DEFINE)(?<w>a|aa))^(?&w)+$",  # the standard parser cannot read it: literal probes
    r"^READ[\s\u00a0]+(?:\w|[a-z])+ - x$",  # reached only through its literal prefix
]
SANE = [
    r"^AD$",
    r"^[\s\u00a0]*(?:[-–—*•]+[\s\u00a0]*)?ad[\s\u00a0]*$",
    r"^(\w+\s?)+$",  # exponential in plain backtracking engines; `regex` copes
    r"\b(?:the|a)\b",
    r"^.{0,700}\($",
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_probes_find_patterns_still_exponential_in_regex(pattern):
    hit = probe_pattern(regex.compile(pattern), timeout=0.05, confirm=0.5)  # shorter than `rules check`'s
    assert hit is not None, pattern
    probe, seconds = hit
    assert seconds == 0.5 and "×" in probe


@pytest.mark.parametrize("pattern", SANE)
def test_probes_pass_sane_patterns(pattern):
    assert probe_pattern(regex.compile(pattern), timeout=0.05, confirm=0.5) is None


def test_default_rules_pass_the_probes(pipeline):
    start = time.monotonic()
    assert check_pipeline(pipeline) == []
    assert time.monotonic() - start < 30  # about a second normally: short enough for every `rules check`


# Backtracks exponentially on a line of a's at run time. The look-behind is invisible to
# the match plan's scanner (a prefilter), so such a line is a candidate the regex must judge.
SLOW_AT_RUN = r"^(a|aa)+(?<!a)$"


def slow_rule_file(path: Path, pattern: str = r"^(a|aa)+$") -> Path:
    path.write_text(
        f"""[[rule]]
id = "t.fine"
kind = "drop_line"
description = "d"
pattern = '''^AD$'''
examples = [{{ input = "AD", output = "" }}, {{ input = "x", unchanged = true }}]

[[rule]]
id = "t.catastrophic"
kind = "drop_line"
description = "d"
pattern = '''{pattern}'''
examples = [{{ input = "aa", output = "" }}, {{ input = "b", unchanged = true }}]
""",
        encoding="utf-8",
    )
    return path


def test_rules_check_names_the_catastrophic_rule(cli, tmp_path):
    rules = slow_rule_file(tmp_path / "slow.toml")
    r = cli("rules", "check", "--no-default-rules", "--rules", str(rules))
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert f"BACKTRACKING {rules}:8 [t.catastrophic] pattern: catastrophic backtracking" in out
    assert "t.fine" not in out.split("BACKTRACKING", 1)[1].split("\n")[0]
    assert "examples: 4 passed, 0 failed; backtracking probes: 1 pattern(s) flagged" in out


def test_explain_reports_a_rule_timeout_without_traceback(tmp_path):
    rules = slow_rule_file(tmp_path / "slow.toml", SLOW_AT_RUN)
    (tmp_path / "a.txt").write_text("a" * 60 + "\n", encoding="utf-8")
    args = ["explain", str(tmp_path / "a.txt"), "--no-default-rules", "--rules", str(rules)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1 and "rule t.catastrophic timed out" in r.stderr, r.output


def test_catastrophic_rule_at_run_time_quarantines_records_in_bounded_time(cli, tmp_path):
    rules = slow_rule_file(tmp_path / "slow.toml", SLOW_AT_RUN)
    recs = [{"id": f"r{i}", "text": "AD\nfine text\n"} for i in range(40)]
    for i in (3, 17, 30):
        recs[i]["text"] = "a" * 60 + "\n"
    # One document whose 200 lines each stay under the budget alone, together far over it.
    recs[35]["text"] = ("a" * 22 + "\n") * 200
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    start = time.monotonic()
    r = cli("run", str(src), "-o", str(tmp_path / "out"), "--rules", str(rules), "--regex-timeout", "0.3",
            "--workers", "2", "--stats-json", str(tmp_path / "s.json"))  # fmt: skip
    seconds = time.monotonic() - start
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert seconds < 30, f"{seconds:.1f}s: four time-outs of 0.3 s each should not take long"
    q = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert [(e["id"], e["line"]) for e in q] == [("r3", 4), ("r17", 18), ("r30", 31), ("r35", 36)]
    assert all(e["reason"].startswith("rule t.catastrophic timed out after 0.3s") for e in q)
    assert f"{src}:4: rule t.catastrophic timed out" in err
    t = json.loads((tmp_path / "s.json").read_text("utf-8"))["totals"]
    assert (t["read"], t["written"], t["quarantined"], t["balanced"]) == (40, 36, 4, True)


# --- rule files are data -------------------------------------------------------------------

EVIL = """
[lists]
payload = ["__import__('os').system('touch {marker}')", "/etc/passwd", "http://127.0.0.1:9/x", "{{{{payload}}}}"]
define = '''(?(DEFINE)(?<x>__import__))'''

[[rule]]
id = "evil.code-in-pattern"
kind = "drop_line"
description = "Python in a pattern is a pattern."
pattern = '''^__import__\\('os'\\)\\.system\\('touch [^']*'\\)$'''
examples = [{{ input = "__import__('os').system('touch x')\\nok", output = "ok" }},
            {{ input = "ok", unchanged = true }}]

[[rule]]
id = "evil.list"
kind = "drop_line"
description = "Code, paths and URLs in a list are words."
pattern = '''^(?:{{{{payload}}}})$'''
examples = [{{ input = "/etc/passwd\\nok", output = "ok" }}, {{ input = "ok", unchanged = true }}]

[[rule]]
id = "evil.replacement"
kind = "replace"
description = "A replacement template is text with group references, nothing else."
pattern = '''SECRET'''
replacement = '''{{__import__('os').getcwd()}} %(x)s \\g<0> $(cat /etc/passwd) `id`'''
examples = [{{ input = "SECRET", output = "{{__import__('os').getcwd()}} %(x)s SECRET $(cat /etc/passwd) `id`" }},
            {{ input = "ok", unchanged = true }}]

[[rule]]
id = "evil.define"
kind = "strip_span"
description = "(?(DEFINE)...) is regex syntax, not a way out."
pattern = '''{{{{define}}}}(?&x)'''
examples = [{{ input = "a __import__ b", output = "a  b" }}, {{ input = "ok", unchanged = true }}]
"""

WATCHED = {"open", "exec", "compile", "import", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.fork"}
WATCHED |= {"socket.connect", "socket.getaddrinfo", "urllib.Request", "ctypes.dlopen", "pickle.find_class"}
_events: list[tuple] = []
_recording = [False]


def _hook(event: str, args: tuple) -> None:
    if _recording[0] and event in WATCHED:
        _events.append((event, args[:1]))


sys.addaudithook(_hook)  # audit hooks cannot be removed: this one only listens while recording


def test_rule_files_cannot_run_code_read_files_or_reach_the_network(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.toml"
    evil.write_text(EVIL.format(marker=marker), encoding="utf-8")
    text = f"__import__('os').system('touch {marker}')\n/etc/passwd\nhttp://127.0.0.1:9/x\n"
    text += "SECRET\na __import__ b\nkeep\n"
    load_rules([evil], defaults=False).apply(text)  # warm up: imports and lazy data happen here
    _events.clear()
    _recording[0] = True
    try:
        pipeline = load_rules([evil], defaults=False)
        result = pipeline.apply(text)
        with pytest.raises(RuleFileError, match=r"unknown kind 'os\.system'"):
            bad = tmp_path / "bad.toml"
            bad.write_text(GOOD.replace('kind = "drop_line"', 'kind = "os.system"'), encoding="utf-8")
            load_rules([bad], defaults=False)
    finally:
        _recording[0] = False
    assert not marker.exists()
    # The literal lines were dropped as data, the template expanded as text (and evil.define,
    # which runs after it, strips the word __import__ from it like from any text).
    assert result.text == "{('os').getcwd()} %(x)s SECRET $(cat /etc/passwd) `id`\na  b\nkeep\n"
    # Besides the rule files, only the compiled match plan's cache entry (cleaner.match.cache).
    cached = str(cache_dir())
    opened = [args[0] for event, args in _events if event == "open" and not str(args[0]).startswith(cached)]
    assert set(map(str, opened)) <= {str(evil), str(tmp_path / "bad.toml")}, opened
    assert [e for e in _events if e[0] != "open"] == []  # no exec, import, process or socket


def test_rule_code_paths_use_no_eval_imports_processes_or_network():
    """A static guard: the modules that read and apply rules never evaluate or import by name."""
    forbidden = re.compile(
        r"\b(?:eval|exec|compile|__import__)\(|importlib|pickle|marshal|yaml|subprocess|os\.system|"
        r"urllib|socket|http\.client|requests|ctypes"
    )
    pkg = ROOT / "cleaner"
    files = [pkg / "patterns.py", pkg / "engine.py", *(pkg / "ruleset").glob("*.py"), *(pkg / "kinds").glob("*.py")]
    for path in files:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not forbidden.search(code.replace("regex.compile(", "").replace("re.compile(", "")), (
                f"{path}:{n}: {line}"
            )
    loader = (ROOT / "cleaner" / "ruleset" / "loader.py").read_text("utf-8")
    assert "tomllib.loads" in loader
