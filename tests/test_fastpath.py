"""The fast paths give exactly the results of the plain reference path.

`load_rules(fast=False)` (or CLEANER_FAST_PATH=0) builds the plain path: every kind
without its pre-checks. Both must agree on every text, edit for edit, and each
pre-check's claim ("this text / line cannot change") is checked against the code it
stands in for.
"""

from __future__ import annotations

import random
import re

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import documents
from cleaner import load_rules
from cleaner.kinds.base import StepContext
from cleaner.kinds.dedupe_words import ASCII_CASE_ODDITIES
from cleaner.kinds.fix_encoding import trigger_class
from cleaner.kinds.normalize_whitespace import SPACE_CHARS, TRAILING
from cleaner.linematch import LineMatcher, line_ends, line_starts

from .test_properties import DOCS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def both():
    return load_rules(fast=True), load_rules(fast=False)


def test_fast_path_matches_plain_path_on_benchmark_corpus(both):
    fast, plain = both
    docs = list(documents(400_000, seed=11))
    assert len(docs) > 50
    for text in docs:
        assert fast.apply(text) == plain.apply(text)


@FAST
@given(DOCS)
def test_fast_path_matches_plain_path_on_rule_lines(both, text):
    fast, plain = both
    assert fast.apply(text) == plain.apply(text)


@FAST
@given(st.text())
def test_fast_path_matches_plain_path_on_arbitrary_text(both, text):
    fast, plain = both
    assert fast.apply(text) == plain.apply(text)


def _encoding_step(pipeline):
    return pipeline.steps[[r.id for r in pipeline.rules].index("encoding.mojibake")]


def test_env_switch_builds_plain_path(monkeypatch):
    monkeypatch.setenv("CLEANER_FAST_PATH", "0")
    assert _encoding_step(load_rules()).trigger is None
    monkeypatch.setenv("CLEANER_FAST_PATH", "1")
    assert _encoding_step(load_rules()).trigger is not None


# --- fix_encoding: lines without a trigger character come back from ftfy unchanged ----


def test_ftfy_leaves_lines_without_trigger_characters_alone(both):
    import ftfy

    config = _encoding_step(both[0]).config
    trigger = re.compile(trigger_class(config))
    assert not trigger.search("“Curly” quotes — dashes… © ® ™ NBSP\u00a0• « » ‘ok’")
    assert trigger.search("donâ€™t") and trigger.search("caf\u00e9") and trigger.search("\x1b[31m")
    pool = [chr(c) for c in range(0x20, 0x7F)] + list("’‘“”—–…©®™\u00a0•«»¡¿·\u00ad\t")
    pool += [chr(c) for c in range(0x80, 0x3000) if not trigger.match(chr(c))][::7]
    rng = random.Random(3)
    for _ in range(3000):
        line = "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))
        assert not trigger.search(line)
        assert ftfy.fix_text(line, config) == line, repr(line)


def test_ftfy_leaves_lines_without_a_window_alone(both):
    import ftfy

    step = _encoding_step(both[0])
    windows = step.window
    assert windows is not None and not windows.any_in("In Zürich — José said so.", 0, 25)
    assert windows.any_in("donâ€™t", 0, 6) and windows.any_in("cafÃ©", 0, 5)
    pool = [chr(c) for c in range(0x20, 0x7F)] + list("’‘“”—–…©®™\u00a0•«»éèüöäßñçàâÃÂ€£°½×ØÙ\x85\x9d\t")
    rng = random.Random(4)
    for _ in range(5000):
        line = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        if not windows.any_in(line, 0, len(line)):
            assert ftfy.fix_text(line, step.config) == line, repr(line)


def test_trigger_class_follows_the_configuration():
    import ftfy

    base = ftfy.TextFixerConfig(normalization=None, fix_line_breaks=False, explain=False, unescape_html=False,
                                fix_latin_ligatures=False, fix_character_width=False, uncurl_quotes=False)  # fmt: skip
    assert trigger_class(base._replace(normalization="NFC")) is None
    plain = re.compile(trigger_class(base))
    assert not plain.search("&amp;") and not plain.search("ﬀ")
    assert re.compile(trigger_class(base._replace(unescape_html=True))).search("&amp;")
    assert re.compile(trigger_class(base._replace(fix_latin_ligatures=True))).search("ﬀ")
    assert re.compile(trigger_class(base._replace(uncurl_quotes=True))).search("’")


# --- the facts about characters the pre-checks rely on -------------------------------

ALL_CHARS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_only_listed_non_ascii_characters_fold_to_ascii_letters():
    odd = set()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        odd.update(m for m in regex.findall("(?i)" + letter, ALL_CHARS) if not m.isascii())
    assert odd == set(ASCII_CASE_ODDITIES)


def test_space_characters_are_all_below_u3001():
    spaces = {c for c in ALL_CHARS if c.isspace()} | set(TRAILING.findall(ALL_CHARS))
    assert spaces - {"\n"} == SPACE_CHARS


# --- the line matcher: a line a rule matches is always among its candidates ----------

MUTATIONS = [str.upper, str.lower, str.swapcase, lambda s: "  " + s, lambda s: "\u00a0" + s, lambda s: "► " + s]


def test_line_matcher_never_hides_a_matching_line(both):
    fast, _ = both
    rng = random.Random(5)
    checked = 0
    for rule, step in zip(fast.rules, fast.steps, strict=True):
        pattern = getattr(step, "pattern", None) or getattr(step, "start", None)
        starts = line_starts(pattern) if isinstance(pattern, regex.Pattern) else None
        if starts is None:
            continue
        matcher = LineMatcher()
        slot = matcher.add(starts)
        lines = [line for ex in rule.examples for line in ex["input"].split("\n")]
        lines += [m(line) for line in lines for m in MUTATIONS] + [line[: rng.randint(0, 6)] for line in lines]
        for line in lines:
            if pattern.search(line):
                assert slot in matcher.slots_for(line[:3]), (rule.id, line)
                checked += 1
    assert checked > 40


def test_line_matcher_never_hides_a_matching_line_by_its_end(both):
    fast, _ = both
    checked = 0
    for rule, step in zip(fast.rules, fast.steps, strict=True):
        pattern = getattr(step, "pattern", None) or getattr(step, "start", None)
        ends = line_ends(pattern) if isinstance(pattern, regex.Pattern) else None
        if ends is None:
            continue
        matcher = LineMatcher()
        slot = matcher.add(ends, at_end=True)
        lines = [line for ex in rule.examples for line in ex["input"].split("\n")]
        lines += [m(line) for line in lines for m in MUTATIONS] + [line + " \u00a0" for line in lines]
        for line in lines:
            if pattern.search(line):
                assert slot in matcher.slots_for(line[-3:][::-1], matcher.ends), (rule.id, line)
                checked += 1
    assert checked > 40


def test_line_starts_refuses_what_it_cannot_read():
    assert line_starts(regex.compile(r"foo")) is None  # not anchored at the line start
    assert line_starts(regex.compile(r"^(?:foo){e<=1}")) is None  # fuzzy matching
    assert line_starts(regex.compile(r"^[[:alpha:]]+")) is None  # POSIX class
    assert line_starts(regex.compile(r"^a|b")) is None  # only one branch anchored
    assert line_starts(regex.compile(r"^\p{Lu}x")) is not None
    assert line_ends(regex.compile(r"^a")) is None  # not anchored at the line end
    ends = line_ends(regex.compile(r"\((?:AP|AFP)\)\s*$"))
    assert ends is not None and all(tests[0]("  "[0]) or tests[0](")") for tests in ends)


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (r"(?i)^straße", "STRASSE"),  # no full case folding in V0: must not match, and must not crash
        (r"^(?i:k)elvin", "\u212aelvin"),
        (r"^\s*(?i:s)hare", "\u017fhare"),
        (r"^(a|b)\1x", "aax"),
        (r"^[^\W\d]{2}", "\u00e9\u00e9"),
        (r"^\p{Lu}\p{Ll}", "\u0130i"),
    ],
)
def test_line_matcher_agrees_with_the_pattern(pattern, line):
    compiled = regex.compile(pattern)
    starts = line_starts(compiled)
    if starts is None or not compiled.search(line):
        return
    matcher = LineMatcher()
    slot = matcher.add(starts)
    assert slot in matcher.slots_for(line[:3])


def test_candidates_are_shared_per_text(both):
    fast, _ = both
    ctx = StepContext(2.0)
    text = "Advertisement\nBody text here.\n"
    matcher = next(s.lines.matcher for s in fast.steps if getattr(s, "lines", None) and s.lines.matcher)
    first = matcher.candidates(text, ctx)
    assert matcher.candidates(text, ctx) is first
