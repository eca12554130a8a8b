"""Unit tests per rule kind, through small rule files compiled like real ones."""

from __future__ import annotations

import textwrap

import pytest

from cleaner import load_rules, replay
from cleaner.errors import RuleTimeout


def pipeline_from(tmp_path, body: str, name: str = "r.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_rules([path], defaults=False)


EX = """examples = [{ input = "x", output = "" }, { input = "y", unchanged = true }]"""


def test_drop_line_matches_each_line_alone(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.drop"
        kind = "drop_line"
        description = "d"
        pattern = '''^AD\\s+\\S'''
        {EX}
    """,
    )
    # \\s must not reach across the newline into the next line.
    assert p("AD\nfoo\n") == "AD\nfoo\n"
    assert p("keep\nAD here\nkeep2") == "keep\nkeep2"


def test_drop_line_scope_and_unless(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.scoped"
        kind = "drop_line"
        description = "d"
        pattern = '''^X'''
        unless = '''keep'''
        last_lines = 2
        {EX}
    """,
    )
    assert p("X1\nbody\n\nX2\nX3 keep\n") == "X1\nbody\n\nX3 keep\n"
    assert p("X1\nbody\nmore\nX2\n\nX3\n") == "X1\nbody\nmore\n\n"
    # Scopes are re-judged after removals, so the result is a fixpoint: cleaning it again changes nothing.
    once = p("X1\nbody\nX2\n\nX3\n")
    assert once == "body\n\n" and p(once) == once


def test_drop_line_first_lines(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.first"
        kind = "drop_line"
        description = "d"
        pattern = '''^X'''
        first_lines = 1
        {EX}
    """,
    )
    assert p("\n\nX1\nbody\nX2\n") == "\n\nbody\nX2\n"
    assert p("X1\nX2\nbody\n") == "body\n"  # peeled until the first line no longer matches


def test_strip_span_and_replace(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.strip"
        kind = "strip_span"
        description = "d"
        pattern = ''' ?\\(Photo: [^)]*\\)'''
        {EX}

        [[rule]]
        id = "t.replace"
        kind = "replace"
        description = "d"
        pattern = '''(\\d+) pct'''
        replacement = '''\\1 percent'''
        {EX}
    """,
    )
    result = p.apply("Rates rose 3 pct (Photo: AP) today.\n")
    assert result.text == "Rates rose 3 percent today.\n"
    assert [e.rule_id for e in result.edits] == ["t.strip", "t.replace"]
    assert result.edits[0].before == " (Photo: AP)"


def test_drop_block_to_end_and_bounded(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.block"
        kind = "drop_block"
        description = "d"
        start = '''^Leave a Reply$'''
        to_end = true
        max_lines = 3
        {EX}

        [[rule]]
        id = "t.between"
        kind = "drop_block"
        description = "d"
        start = '''^BEGIN$'''
        end = '''^END$'''
        {EX}
    """,
    )
    assert p("Story.\nLeave a Reply\nName\n") == "Story.\n"
    # Longer than max_lines: the block is not safely bounded, nothing is dropped.
    long = "Story.\nLeave a Reply\na\nb\nc\nd\n"
    assert p(long) == long
    assert p("a\nBEGIN\nx\nEND\nb\n") == "a\nb\n"
    assert p("a\nBEGIN\nx\n") == "a\nBEGIN\nx\n"  # no end marker: keep


def test_drop_block_max_line_chars_keeps_blocks_with_a_paragraph(tmp_path):
    p = pipeline_from(
        tmp_path,
        f"""
        [[rule]]
        id = "t.list"
        kind = "drop_block"
        description = "d"
        start = '''^Related$'''
        to_end = true
        max_line_chars = 20
        {EX}

        [[rule]]
        id = "t.between"
        kind = "drop_block"
        description = "d"
        start = '''^BEGIN$'''
        end = '''^END'''
        include_end = false
        max_line_chars = 20
        {EX}
    """,
    )
    assert p("Story.\nRelated\nShort headline\nAnother one\n") == "Story.\n"
    with_paragraph = "Story.\nRelated\nShort headline\nThis line is much longer than twenty characters.\n"
    assert p(with_paragraph) == with_paragraph
    # The end marker itself may be long when it is not dropped.
    assert p("a\nBEGIN\nx\nEND of a long line that stays here\n") == "a\nEND of a long line that stays here\n"


def test_drop_block_needs_end_or_to_end(tmp_path):
    from cleaner.errors import RuleFileError

    with pytest.raises(RuleFileError, match="exactly one of"):
        pipeline_from(
            tmp_path,
            f"""
            [[rule]]
            id = "t.block"
            kind = "drop_block"
            description = "d"
            start = '''^X$'''
            {EX}
        """,
        )


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("We donâ€™t know.", "We don’t know."),
        ("cafÃ© and rÃ©sumÃ©", "café and résumé"),
        ("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.", "The Mona Lisa doesn’t have eyebrows."),
    ],
)
def test_fix_encoding_repairs_mojibake(pipeline, broken, fixed):
    only = pipeline.only("encoding.mojibake")
    assert only(broken + "\n") == fixed + "\n"


@pytest.mark.parametrize(
    "good",
    [
        "“Curly” quotes, ‘single’ too — and an em dash.",
        "Ligature ﬁne, full-width ＡＢＣ, decomposed e\u0301 and precomposed é.",
        "NBSP\u00a0inside, zero\u200bwidth, Grüße aus Köln, ½ kg, 東京, Ελλάδα.",
        "R&amp;D stays as written.",
    ],
)
def test_fix_encoding_leaves_correct_text_byte_identical(pipeline, good):
    only = pipeline.only("encoding.mojibake")
    assert only(good) == good


@pytest.mark.parametrize(
    ("setting", "text", "repaired"),
    [
        # (the inconsistent-UTF-8 fixer would repair this one on its own)
        ("restore_byte_a0 = {}\ndecode_inconsistent_utf8 = false", "Ã la mode.", "à la mode."),
        ("decode_inconsistent_utf8 = {}", "Zürich: cafÃ© und naÃ¯ve Leute.", "Zürich: café und naïve Leute."),
    ],
)
@pytest.mark.parametrize("fast", [True, False])
def test_fix_encoding_honours_its_ftfy_switches(tmp_path, setting, text, repaired, fast):
    """ftfy 6's fix_text ignores these switches (and replace_lossy_sequences) unless asked to explain itself."""
    body = """
        [[rule]]
        id = "t.mojibake"
        kind = "fix_encoding"
        description = "Repair mojibake."
        {switch}
        examples = [{{ input = "We donâ€™t.", output = "We don’t." }}, {{ input = "Fine.", unchanged = true }}]
        """
    for value, expected in (("true", repaired), ("false", text)):
        path = tmp_path / f"{value}.toml"
        path.write_text(textwrap.dedent(body.format(switch=setting.format(value))), encoding="utf-8")
        assert load_rules([path], defaults=False, fast=fast)(text + "\n") == expected + "\n"


def test_fix_encoding_edits_are_per_word(pipeline):
    result = pipeline.only("encoding.mojibake").apply("We donâ€™t and canâ€™t.")
    assert [(e.before, e.after) for e in result.edits] == [("donâ€™t", "don’t"), ("canâ€™t", "can’t")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The two sides kept their sepárate views on the issues that were raised.",
         "The two sides kept their separate views on the issues that were raised."),
        ("She said the résumé of the candidate was sent to the café in Zürich.", None),
        ("José and the others said that it was a naïve plan for the company.", None),
        ("Il a dit que la réunion était très importante pour les deux pays.", None),
        ("Short sepárate line.", None),  # too short to judge the language: left alone
    ],
)  # fmt: skip
def test_fix_accents(pipeline, text, expected):
    only = pipeline.only("typo.stray-accent")
    assert only(text) == (expected or text)


def test_fix_accents_spares_words_from_mojibake_repair(pipeline):
    text = "The two sides kept their sepÃ¡rate views on the issues that were raised."
    out = pipeline(text)
    assert "sepárate" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Briefed on the the talks, they said that it was over.", "Briefed on the talks, they said that it was over."),
        ("The the talks were held in the capital, they ended.", "The talks were held in the capital, they ended."),
        ("It was one of of the the the issues that they had raised.", "It was one of the issues that they had raised."),
        ("He had had enough, and he said that that was the end of it.", None),
        ("Ich glaube, die die Regeln machen, sollten sie auch befolgen und achten.", None),
        ("They theorised that the thesis was theirs to defend to the end.", None),
    ],
)  # fmt: skip
def test_dedupe_words(pipeline, text, expected):
    only = pipeline.only("typo.doubled-word")
    assert only(text) == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("\n\n  \n", ""),
        ("a", "a\n"),
        ("a\n", "a\n"),
        ("a  \t\nb\u00a0\n", "a\nb\n"),
        ("\n\na\n\n\n\nb\n\n\n", "a\n\nb\n"),
        ("  indented\u00a0nbsp\n", "  indented\u00a0nbsp\n"),
        ("a\n \nb", "a\n\nb\n"),
    ],
)
def test_normalize_whitespace(pipeline, text, expected):
    only = pipeline.only("whitespace.normalize")
    assert only(text) == expected


def test_normalize_whitespace_never_inserts_blank_lines(pipeline):
    only = pipeline.only("whitespace.normalize")
    text = "one\ntwo\nthree"
    assert only(text).count("\n\n") == 0


def test_edits_replay_to_the_same_text(pipeline):
    src = (
        ROOT_SEED
        := "READ\u00a0 Headline here for you - Outlet\n\nBody the the text of this story, as the people said.\n"
    )
    result = pipeline.apply(ROOT_SEED)
    assert replay(src, result.edits) == result.text


def test_regex_timeout_names_the_rule(tmp_path):
    p = pipeline_from(
        tmp_path,
        """
        [[rule]]
        id = "t.slow"
        kind = "drop_line"
        description = "d"
        pattern = '''^(a|aa)+(?<!a)$'''
        examples = [{ input = "aa", output = "" }, { input = "b", unchanged = true }]
    """,
    )
    p.timeout = 0.2
    with pytest.raises(RuleTimeout, match=r"t\.slow"):
        p("a" * 60)  # the look-behind is invisible to the scanner: the line is a candidate
