"""Near-miss explain: the closest lines, where the match broke off, and why a matching line was kept."""

from __future__ import annotations

import textwrap
import time

import pytest

from cleaner import load_rules
from cleaner.nearmiss import NotApplicable, format_report, near_misses

RULES = """
[[rule]]
id = "t.read"
kind = "drop_line"
description = "d"
pattern = '''^READ\\s+\\S.{5,80}?\\s-\\s\\w[\\w ]{0,40}$'''
unless = '''KEEP'''
first_lines = 3
examples = [{ input = "READ Some headline here - Outlet\\nx", output = "x" }, { input = "READ", unchanged = true }]

[[rule]]
id = "t.slow"
kind = "drop_line"
description = "d"
pattern = '''^(a|aa)+$'''
examples = [{ input = "aa\\nx", output = "x" }, { input = "b", unchanged = true }]

[[rule]]
id = "t.enc"
kind = "fix_encoding"
description = "d"
examples = [{ input = "donâ€™t", output = "don’t" }, { input = "x", unchanged = true }]
"""
TEXT = textwrap.dedent("""\
    READ: Some headline here - Outlet
    READ Another headline here - Outlet KEEP
    Body text that has nothing to do with it.
    READ Third headline is here - Outlet
    READ Some headline here - Outlet
""")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    path = tmp_path_factory.mktemp("r") / "r.toml"
    path.write_text(RULES, encoding="utf-8")
    return load_rules([path], defaults=False)


def report_for(pipeline, rule_id, text, **kw):
    alone = pipeline.only(rule_id)
    return alone.rules[0], near_misses(alone.rules[0], alone.steps[0], text, **kw)


def test_ranks_lines_and_marks_where_the_match_broke_off(pipeline):
    rule, report = report_for(pipeline, "t.read", TEXT, fired=[5])
    by_line = {m.line: m for m in report.misses}
    assert 5 not in by_line  # it fired there
    colon = by_line[1]
    assert (colon.start, colon.reached) == (0, 4)  # 'READ' accepted, ':' is where it broke off
    assert colon.errors == (1, 0, 0) and colon.changes[0] == (4,)
    assert "unless" in by_line[2].reason and "'KEEP'" in by_line[2].reason
    assert "outside the rule's scope (first_lines=3" in by_line[4].reason
    assert 3 not in by_line or by_line[3].matched == 0 or by_line[3].distance is None
    text = format_report(report, rule, "doc.txt")
    assert "fired on line(s) 5" in text
    assert "doc.txt:1  matched col 1–4, broke off at col 5; 1 edit(s) from a match (1 substituted" in text
    assert "          ^ match broke off here" in text  # under the ':' (6 spaces of indent + 4 chars)
    assert "fuzzy: col 5 ':' substituted" in text


def test_fuzzy_ranks_before_partial_progress(pipeline):
    text = (
        "READ Some headline here - Outlet.\nREAD Some headline, with a long tail, no dash, at all, none, ever, never.\n"
    )
    _, report = report_for(pipeline, "t.read", text)
    first, second = report.misses
    assert (first.line, first.distance) == (1, 1) and (second.distance is None or second.distance > 1)
    assert second.matched > first.matched  # it got further, yet is ranked after the 1-edit miss


def test_bounded_in_time_on_a_pathological_pattern(pipeline):
    text = "\n".join(["a" * 40 + "b"] * 50)
    t = time.monotonic()
    _, report = report_for(pipeline, "t.slow", text, timeout=0.01, budget=1.0)
    assert time.monotonic() - t < 5
    assert report.total == 50


def test_kinds_without_a_line_pattern_are_not_applicable(pipeline):
    with pytest.raises(NotApplicable, match="fix_encoding"):
        report_for(pipeline, "t.enc", TEXT)


def test_cli_explain_rule(cli, tmp_path):
    f = tmp_path / "doc.txt"
    f.write_text("Title\nPhoto - AP\nPhoto: AP\nBody.\n", encoding="utf-8")
    r = cli("explain", str(f), "--rule", "caption.credit-only")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "fired on line(s) 3" in out
    assert f"{f}:2  matched col 1–6, broke off at col 7" in out and "fuzzy: col 7 '-' substituted" in out
    r = cli("explain", str(f), "--rule", "caption.nope")
    assert r.returncode == 2 and b"no such rule" in r.stderr
    r = cli("explain", str(f), "--rule", "encoding.mojibake")
    assert r.returncode == 0 and b"no line pattern" in r.stdout


SWAP = """
[[rule]]
id = "t.swap"
kind = "replace"
description = "d"
pattern = '''\\bmat\\b'''
replacement = "rug"
examples = [{ input = "mat", output = "rug" }, { input = "x", unchanged = true }]
"""


def test_every_kind_can_be_explained_with_rule(cli, tmp_path):
    """`explain --rule` never ends in a traceback: a kind without a line pattern of its own
    (dedupe_words builds its pattern from a word list) gets a sentence saying so."""
    from cleaner.kinds import KINDS

    f = tmp_path / "doc.txt"
    f.write_text("Title\nThe the cat sat on the mat.\nPhoto: AP\nBody.\n", encoding="utf-8")
    extra = tmp_path / "extra.toml"
    extra.write_text(SWAP, encoding="utf-8")
    covered = set()
    for rule in load_rules([extra]).rules:
        if rule.kind in covered:
            continue
        covered.add(rule.kind)
        r = cli("explain", str(f), "--rule", rule.id, "--unsafe", "--rules", str(extra))
        assert r.returncode == 0, (rule.id, r.stderr.decode())
        assert b"Traceback" not in r.stderr
        out = r.stdout.decode()
        assert out.startswith(f"{rule.id} ({rule.kind}) on {f}"), out
    assert covered == set(KINDS)  # the default rules and t.swap use every kind
    r = cli("explain", str(f), "--rule", "typo.doubled-word")
    out = r.stdout.decode()
    assert "fired on line(s) 2" in out
    assert "has no line pattern of its own" in out and "words" in out


def test_a_whole_match_past_the_anchor_ranks_first(cli, tmp_path):
    """The obvious near miss of an anchored caption-credit pattern is a line that ends with the credit,
    not a short line whose first letters resemble one of the keywords."""
    f = tmp_path / "doc.txt"
    f.write_text(
        "Follow us on Twitter\nThe minister spoke on Monday. Photo: Reuters\nBody text here.\n", encoding="utf-8"
    )
    r = cli("explain", str(f), "--rule", "caption.credit-only", "--limit", "2")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.decode().splitlines() if line.startswith(f"  {f}:")]
    assert lines[0].startswith(f"  {f}:2  "), lines
    assert "col 31–44" in lines[0] and "line start" in lines[0]
