"""The required-literal gate: the words it reads off a pattern, the case fold it relies
on, and its one promise: a line it holds back is a line the pattern cannot match."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import load_rules
from cleaner.casefold import EXCEPTIONS, derive_exceptions, fold
from cleaner.kinds.base import StepContext
from cleaner.literals import LiteralIndex, required_literals
from cleaner.patterns import compile_pattern

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def literals(source: str, flags: int = 0) -> tuple[str, ...] | None:
    return required_literals(regex.compile(source, flags))


# --- the case fold -----------------------------------------------------------------------


def test_exception_table_matches_regex_case_insensitivity():
    """Recomputed from `regex` itself: an upgrade of regex or of Python's Unicode data
    that changes which characters are one letter under IGNORECASE fails here."""
    assert derive_exceptions() == EXCEPTIONS


@pytest.mark.parametrize(
    ("a", "b"),
    [("K", "\u212a"), ("s", "\u017f"), ("I", "\u0131"), ("i", "\u0130"), ("σ", "ς"), ("Σ", "ς"), ("µ", "Μ")],
)
def test_letters_regex_treats_as_one_fold_alike(a, b):
    assert regex.fullmatch("(?i)" + regex.escape(a), b)
    assert fold(a) == fold(b)


def test_fold_keeps_length_and_newlines():
    text = "İSTANBUL\nſtraße Ⅻ ΣΑΣ\n“Quoted”"
    assert len(fold(text)) == len(text)
    assert fold(text).split("\n")[0] == "istanbul"


# --- what the analysis reads off a pattern -----------------------------------------------


def test_alternatives_give_their_words():
    found = literals(r"^.{0,80}?(?i:hier klicken(?: und| um)|click here (?:to|and))\b.{0,120}$")
    assert found == ("click here and", "click here to", "hier klicken um", "hier klicken und")


def test_words_are_folded_and_minimal():
    assert literals(r"^(?:Read More|READ)\b") == ("read",)  # "read more" contains "read"


def test_the_most_selective_run_wins():
    assert literals(r"^\s*(?i:foto|photo)\s*:\s*\S+ \d+ (?i:by)\b.*$") == ("foto", "photo")


def test_small_classes_multiply_out():
    assert literals(r"[Nn]ewsletter") == ("newsletter",)
    assert set(literals(r"colou?r scheme") or ()) == {"color scheme", "colour scheme"}


@pytest.mark.parametrize(
    "source",
    [
        r"^\s*$",  # no words at all
        r"^(?:foo|\d+)$",  # one alternative needs no word
        r"^(?:newsletter)?\s*\w+$",  # the word is optional
        r"^(ab)\1",  # too short
        r"^\p{Lu}{2,}$",  # a property
        r"\bup\b",  # shorter than MIN_LENGTH
    ],
)
def test_no_gate_when_nothing_is_required(source):
    assert literals(source) is None


def test_regex_only_syntax_gets_no_gate():
    assert literals(r"(?:newsletter){e<=1}") is None  # fuzzy matching
    assert literals(r"newsletter", regex.V1) is None


# --- soundness: the gate never holds back a line the pattern matches -----------------------


def _default_line_patterns() -> list[tuple[str, regex.Pattern[str], tuple[str, ...]]]:
    out = []
    pipeline = load_rules(fast=False)
    for rule, step in zip(pipeline.rules, pipeline.steps, strict=True):
        for name in ("pattern", "start"):
            pattern = getattr(step, name, None)
            if isinstance(pattern, regex.Pattern) and (found := required_literals(pattern)):
                out.append((f"{rule.id}:{name}", pattern, found))
    return out


LINE_PATTERNS = _default_line_patterns()


def test_most_default_line_rules_get_a_gate():
    pipeline = load_rules(fast=False)
    line_rules = [
        s for s in pipeline.steps if isinstance(getattr(s, "pattern", getattr(s, "start", None)), regex.Pattern)
    ]
    assert len(LINE_PATTERNS) >= 0.6 * len(line_rules)


@pytest.mark.parametrize(("name", "pattern", "found"), LINE_PATTERNS, ids=[n for n, _, _ in LINE_PATTERNS])
def test_every_rule_example_it_matches_holds_a_word(name, pattern, found):
    pipeline = load_rules(fast=False)
    rule = pipeline.rule(name.split(":")[0])
    for example in rule.examples:
        for line in example["input"].split("\n"):
            if pattern.search(line):
                assert any(word in fold(line) for word in found), (line, found)


def _stdlib_compatible(pattern: regex.Pattern[str]) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern.pattern, pattern.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE))
    except re.error:
        return None


GENERATABLE = [(n, p, f) for n, p, f in LINE_PATTERNS if _stdlib_compatible(p) is not None]


GENERATED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(("name", "pattern", "found"), GENERATABLE, ids=[n for n, _, _ in GENERATABLE])
@GENERATED
@given(data=st.data())
def test_lines_the_pattern_matches_hold_a_word(name, pattern, found, data):
    """Lines generated from the rule's own pattern (hypothesis' from_regex), in any case."""
    line = data.draw(st.from_regex(_stdlib_compatible(pattern), fullmatch=True))
    swap = data.draw(st.sampled_from([str, str.upper, str.lower, str.swapcase, str.title]))
    line = swap(line)
    if "\n" in line or pattern.search(line) is None:
        return  # the stdlib and regex read a few constructs differently, and case swaps can break a match
    assert any(word in fold(line) for word in found), (line, found)


# --- the index ---------------------------------------------------------------------------


def test_index_names_the_lines_holding_a_word():
    index = LiteralIndex()
    click = index.add(("click here",))
    news = index.add(("newsletter", "sign up"))
    text = "Body.\nCLICK HERE to read.\nMore body.\nSign up for the Newsletter!\n"
    found = index.candidates(text, StepContext(budget=1))
    assert found[click] == [(1, 6, 25)]
    assert found[news] == [(3, 37, 64)]
    assert index.candidates("Nothing here.\n", StepContext(budget=1)) == [[], []]


def test_index_counts_lines_when_folding_changes_offsets():
    index = LiteralIndex()
    slot = index.add(("newsletter",))
    assert index.candidates("İİİ\nx\nNEWSLETTER\n", StepContext(budget=1))[slot] == [(2, 6, 16)]


def test_gate_lets_case_variants_through_to_the_rule(tmp_path):
    """The long s and the Kelvin sign are an s and a k to regex IGNORECASE: so to the gate."""
    (tmp_path / "r.toml").write_text(
        """[[rule]]
id = "t.marker"
kind = "drop_line"
description = "A sponsored-link marker line."
pattern = '''^(?i:sponsored links?)$'''
examples = [
  { input = "Text.\\nSponsored link\\n", output = "Text.\\n" },
  { input = "Sponsored by X.\\n", unchanged = true },
]
""",
        encoding="utf-8",
    )
    for fast in (True, False):
        pipeline = load_rules([tmp_path / "r.toml"], defaults=False, fast=fast)
        assert pipeline("Body.\nSPONſORED LIN\u212a\nBody.\n") == "Body.\nBody.\n"


def test_compiled_index_pickles():
    import pickle

    pipeline = load_rules()
    pipeline("Click here to subscribe.\n")
    again = pickle.loads(pickle.dumps(pipeline))
    assert again("Text.\nClick here to subscribe to our updates.\n") == "Text.\n"


def test_compile_pattern_lists_expand_before_the_analysis():
    pattern = compile_pattern(r"^(?i:{{words}})\b.*$", {"words": "alpha|beta"})
    assert required_literals(pattern) == ("alpha", "beta")
