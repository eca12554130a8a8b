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
from cleaner.kinds.fix_encoding import trigger_class
from cleaner.kinds.normalize_whitespace import SPACE_CHARS, TRAILING
from cleaner.match.plan import MatchPlan
from cleaner.match.translate import ASCII_CASE_ODDITIES, Untranslatable, translations

from .conftest import ROOT
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


# --- the match plan: a line a rule matches is always among its candidates ---------------

MUTATIONS = [str.upper, str.lower, str.swapcase, lambda s: "  " + s, lambda s: "\u00a0" + s, lambda s: "► " + s]


def _line_pattern(step):
    pattern = getattr(step, "pattern", None) or getattr(step, "start", None)
    return pattern if isinstance(pattern, regex.Pattern) and getattr(step, "lines", None) else None


def test_every_default_line_rule_is_planned(both):
    fast, _ = both
    filters = [s.lines for s in fast.steps if _line_pattern(s) is not None]
    assert len(filters) > 40
    assert all(f.plan.planned(f.slot) for f in filters), [
        f.pattern.pattern for f in filters if not f.plan.planned(f.slot)
    ]


def test_plan_never_hides_a_matching_line(both):
    """Each rule's own example lines, in other cases and paddings: where the pattern
    matches a line, the scan lists that line for the rule."""
    fast, _ = both
    rng = random.Random(5)
    checked = 0
    for rule, step in zip(fast.rules, fast.steps, strict=True):
        pattern = _line_pattern(step)
        if pattern is None:
            continue
        lines = [line for ex in rule.examples for line in ex["input"].split("\n")]
        lines += [m(line) for line in lines for m in MUTATIONS] + [line[: rng.randint(0, 6)] for line in lines]
        text = "\n".join(lines)
        found = step.lines.plan.candidates(text, StepContext(2.0))
        assert found is not None
        listed = {i for i, _, _ in found[step.lines.slot]}
        for i, line in enumerate(text.split("\n")):
            if pattern.search(line):
                assert i in listed, (rule.id, line)
                checked += 1
    assert checked > 40


def test_translation_refuses_what_it_cannot_read():
    for source, flags in [(r"(?:foo){e<=1}", 0), (r"[[:alpha:]]+x", 0), (r"newsletter", regex.V1), (r"^\s*$", 0)]:
        with pytest.raises(Untranslatable):
            translations(regex.compile(source, flags))


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (r"(?i)^straße", "STRASSE"),  # no full case folding in V0: must not match, and must not crash
        (r"^(?i:k)elvin", "Kelvin"),
        (r"^\s*(?i:s)hare", "\u00a0SHARE"),
        (r"^(a|b)\1x", "aax"),
        (r"(?i)\b(in|on)(?:[ \t]+\1)+\b", "the talks IN in the capital"),  # a back-reference, case-insensitive
        (r"(?i)\b(in|on)(?:[ \t]+\1)+\b", "on on on"),
        (r"(a)?b\1", "bb"),  # a reference to a group that took no part
        (r"^[^\W\d]{2}", "\u00e9\u00e9"),
        (r"^\p{Lu}\p{Ll}", "\u00c9t\u00e9"),
        (r"(?i)\bgrüße\b", "GRÜSSE GRÜẞE"),
        (r"(?<=x)yz(?!q)", "xyz"),
        (r"^.{0,700}\((?i:ap)\)\s*$", "text (AP)"),
        (r"(?i)σ", "ς"),
        (r"(?:^|\W)the[ \t]+the(?:\W|$)", "the the"),  # line edges as alternatives
        (r"(?:^|\W)the[ \t]+the(?:\W|$)", "so, the the end"),
        (r"(?:^|\W)the[ \t]+the(?:\W|$)", "at the the"),
    ],
)
def test_plan_agrees_with_the_pattern(pattern, line):
    plan = MatchPlan()
    slot = plan.add(regex.compile(pattern))
    found = plan.candidates("body\n" + line, StepContext(2.0))
    assert found is not None and plan.planned(slot)
    assert bool(found[slot]) >= bool(regex.search(pattern, line)), translations(regex.compile(pattern))


def test_a_back_reference_is_its_groups_superset_not_any_text():
    """`\\1` as "any run of characters" made the scanner report a match at every position
    after it (two million callbacks on 600 bench documents for one rule): it is the group's
    own superset, and a reference to a group not yet seen stays "any text"."""
    assert translations(regex.compile(r"(?i)\b(in|on)(?:[ \t]+\1)+\b"))[0] == (
        "(?:(?:[Ii][Nn]|[Oo][Nn]))(?:(?:[\\x{9}\\x{20}]){1,}(?:(?:[Ii][Nn]|[Oo][Nn]))){1,}"
    )


def test_no_default_rule_floods_the_scanner(both):
    """A superset that can end anywhere in a line (a loose tail inside a repeat, say) costs a
    scanner callback per character. On the seeds, no planned rule reports more matches
    than there are lines plus a few per line where the pattern really hits."""
    fast, _ = both
    plan = next(s.lines.plan for s in fast.steps if getattr(s, "lines", None) is not None)
    assert plan.ready()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        data = ("\n" + text + "\n").encode()
        hits: dict[int, int] = {}
        for compiled, slots in plan._scanners:
            for index, _end in compiled.scan(data):
                hits[slots[index]] = hits.get(slots[index], 0) + 1
        lines = text.count("\n") + 1
        worst = max(hits.items(), key=lambda kv: kv[1], default=(None, 0))
        assert worst[1] <= 3 * lines, (path.name, plan.patterns[worst[0]][0] if worst[0] is not None else None, worst)


def test_texts_with_case_oddities_take_the_exact_path():
    plan = MatchPlan()
    plan.add(regex.compile(r"(?i)kelvin"))
    assert plan.candidates("\u212aelvin", StepContext(2.0)) is None
    assert plan.candidates("kelvin \ud800", StepContext(2.0)) is None  # a lone surrogate is not UTF-8
    assert plan.candidates("KELVIN", StepContext(2.0)) == [[(0, 0, 6)]]


def test_candidates_are_shared_per_text(both):
    fast, _ = both
    ctx = StepContext(2.0)
    text = "Advertisement\nBody text here.\n"
    plan = next(s.lines.plan for s in fast.steps if getattr(s, "lines", None))
    first = plan.candidates(text, ctx)
    assert plan.candidates(text, ctx) is first


# --- planned == plain on texts drawn from every rule's own patterns -------------------

# Characters whose case or class the scanner's tables and `regex` may see differently.
ODD_CHARS = ["İ", "ı", "ſ", "K", "ß", "ẞ", "ς", "σ", "Σ", "µ", "Å", "ǅ", "\u00a0", "\u2028", "\u3000", "\u0345"]
CASES = [str, str.upper, str.lower, str.swapcase, str.title]


_PROPERTY_RANGES = {r"\p{Lu}": "A-ZÀ-ÖØ-Þ", r"\p{Ll}": "a-zß-öø-ÿ", r"\p{L}": "a-zA-Zà-ÿ"}


def _re_source(pattern: regex.Pattern[str]) -> str | None:
    """The pattern in stdlib `re` syntax, for hypothesis to draw matching strings from
    (\\p{..} classes become rough stdlib ranges); None when `re` cannot read it."""
    out, i, in_class, source = [], 0, False, pattern.pattern
    while i < len(source):
        prop = next((p for p in _PROPERTY_RANGES if source.startswith(p, i)), None)
        if prop:
            ranges = _PROPERTY_RANGES[prop]
            out.append(ranges if in_class else "[" + ranges + "]")
            i += len(prop)
            continue
        step = 2 if source[i] == "\\" else 1
        in_class = (in_class and source[i] != "]") or (source[i] == "[" and step == 1)
        out.append(source[i : i + step])
        i += step
    flags = re.IGNORECASE if pattern.flags & regex.IGNORECASE else 0
    try:
        re.compile("".join(out), flags)
    except re.error:
        return None
    return "".join(out) if not flags else "(?i)" + "".join(out)


def _rule_lines() -> st.SearchStrategy[str]:
    pipeline = load_rules(fast=False)
    strategies = []
    examples = []
    for rule, step in zip(pipeline.rules, pipeline.steps, strict=True):
        examples += [line for ex in rule.examples for line in ex["input"].split("\n")]
        pattern = _line_pattern_plain(step)
        source = _re_source(pattern) if pattern is not None else None
        if source is not None:
            strategies.append(st.from_regex(source, fullmatch=True).map(lambda s: s.replace("\n", " ")))
    drawn = st.one_of(st.sampled_from(examples), *strategies)
    cased = st.builds(lambda f, s: f(s), st.sampled_from(CASES), drawn)
    odd = st.builds(lambda s, i, c: s[:i] + c + s[i:], cased, st.integers(0, 40), st.sampled_from(ODD_CHARS))
    return st.one_of(cased, cased, odd, st.text(max_size=30))


def _line_pattern_plain(step):
    pattern = getattr(step, "pattern", None) or getattr(step, "start", None)
    return pattern if isinstance(pattern, regex.Pattern) else None


RULE_DOCS = st.lists(_rule_lines(), min_size=1, max_size=12).map("\n".join)


@settings(FAST, max_examples=50)  # each example runs the plain path too, on up to 12 drawn lines
@given(RULE_DOCS)
def test_planned_matches_plain_on_texts_from_the_rules_patterns(both, text):
    fast, plain = both
    assert fast.apply(text) == plain.apply(text)
