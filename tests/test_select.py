"""Selection: ids and dotted prefixes, ignore, unsafe rules off by default, unknown selectors named."""

from __future__ import annotations

import pytest

from cleaner import load_rules
from cleaner.ruleset import SelectionError, select_rules
from cleaner.ruleset.select import matches, parse_selectors

RULES = """
[[rule]]
id = "{id}"
kind = "drop_line"
description = "d"
pattern = '''^{word}$'''
{extra}
examples = [{{ input = "{word}\\nx", output = "x" }}, {{ input = "x", unchanged = true }}]
"""


@pytest.fixture
def pipeline(tmp_path):
    body = "".join(
        RULES.format(id=i, word=w, extra=extra)
        for i, w, extra in [
            ("promo.read", "READ", ""),
            ("promo.more", "MORE", ""),
            ("promotion.x", "PROMO", ""),
            ("ads.marker", "AD", ""),
            ("aggressive.cut", "CUT", "safe = false"),
        ]
    )
    (tmp_path / "r.toml").write_text(body, encoding="utf-8")
    return load_rules([tmp_path / "r.toml"], defaults=False, unsafe=True)


def ids(p) -> list[str]:
    return [r.id for r in p.rules]


def test_prefixes_end_on_a_dot_boundary():
    assert matches("promo.", "promo.read") and matches("promo", "promo.read")
    assert not matches("promo", "promotion.x") and not matches("promo.re", "promo.read")
    assert matches("promo.read", "promo.read")


def test_select_ignore_unsafe(pipeline):
    assert ids(select_rules(pipeline)) == ["promo.read", "promo.more", "promotion.x", "ads.marker"]
    assert ids(select_rules(pipeline, unsafe=True))[-1] == "aggressive.cut"
    assert ids(select_rules(pipeline, ["promo."])) == ["promo.read", "promo.more"]
    assert ids(select_rules(pipeline, ["ads.marker", "promo"], ["promo.more"])) == ["promo.read", "ads.marker"]
    assert ids(select_rules(pipeline, ignore=["promo", "promotion."])) == ["ads.marker"]


def test_selected_pipeline_runs_only_those_rules(pipeline):
    text = "READ\nAD\nCUT\nbody\n"
    assert select_rules(pipeline, ["ads."]).apply(text).text == "READ\nCUT\nbody\n"
    assert select_rules(pipeline, unsafe=True).apply(text).text == "body\n"


@pytest.mark.parametrize(
    ("select", "ignore", "message"),
    [
        (["promo.red"], [], "select: 'promo.red' matches no rule (did you mean promo.read"),
        ([], ["typo."], "ignore: 'typo.' matches no rule"),
        (["aggressive."], [], "names only rules marked safe = false (aggressive.cut); add --unsafe"),
    ],
)
def test_bad_selectors_are_named(pipeline, select, ignore, message):
    with pytest.raises(SelectionError, match=None) as info:
        select_rules(pipeline, select, ignore)
    assert message in str(info.value)


def test_parse_selectors_splits_commas():
    assert parse_selectors(["promo.,ads.marker", " caption. "]) == ("promo.", "ads.marker", "caption.")


def test_cli_select_ignore_on_run_and_rules(cli, tmp_path):
    r = cli("run", "-q", "--select", "ads.", input=b"Advertisement\nPhoto: AP\nBody.\n")
    assert r.stdout == b"Photo: AP\nBody.\n"
    r = cli("run", "-q", "--ignore", "ads.marker,whitespace.", input=b"Advertisement\nPhoto: AP\nBody.  \n")
    assert r.stdout == b"Advertisement\nBody.  \n"
    r = cli("rules", "--select", "promo.", "--ignore", "promo.related")
    listed = [line.split()[0] for line in r.stdout.decode().splitlines()]
    assert listed and all(i.startswith("promo.") for i in listed) and "promo.related" not in listed
    r = cli("rules", "check", "--select", "caption.")
    captions = sum(1 for rule in load_rules().rules if rule.id.startswith("caption."))
    assert r.returncode == 0 and f"{captions} rules valid".encode() in r.stdout
    r = cli("test", "--select", "nope.")
    assert r.returncode == 2 and b"select: 'nope.' matches no rule" in r.stderr


def test_config_selection_and_unsafe(cli, tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.toml").write_text(
        RULES.format(id="mine.cut", word="CUT", extra="safe = false") + RULES.format(id="mine.x", word="X", extra=""),
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cleaner]\nrules = ["rules"]\nselect = ["mine.", "ads."]\nignore = ["ads.marker"]\n', encoding="utf-8"
    )
    r = cli("run", "-q", "-", cwd=tmp_path, input=b"CUT\nX\nAdvertisement\n")
    assert r.stdout == b"CUT\nAdvertisement\n"  # mine.cut is unsafe (off), ads.marker ignored
    r = cli("run", "-q", "--unsafe", "-", cwd=tmp_path, input=b"CUT\nX\nAdvertisement\n")
    assert r.stdout == b"Advertisement\n"
    r = cli("rules", cwd=tmp_path)
    assert b"mine.cut" in r.stdout and b"[off: safe = false" in r.stdout
    text = b"People briefed on the the talks said that they had made progress.\nAdvertisement\n"
    r = cli("run", "-q", "--select", "typo.", "-", cwd=tmp_path, input=text)
    assert r.stdout == text.replace(b"the the", b"the")  # --select replaces the config's select
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner]\nselect = ["promo.typo"]\n', encoding="utf-8")
    r = cli("run", "-q", "-", cwd=tmp_path, input=b"x\n")
    assert r.returncode == 2 and b"'promo.typo' matches no rule" in r.stderr
