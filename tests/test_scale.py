"""Big and oddly shaped documents finish in linear time, with the same edits as small ones.

Each shape here once took minutes (quadratic code paths found by the bad-input battery):
many repaired words plus many dropped lines (span bookkeeping), a doubled word on every
line (line numbering), long runs of blank lines (whole-text prefilters, merged edits),
a long line with a few repairs (character diff). The timed checks are marked slow.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.engine import shift_spans
from cleaner.kinds.fix_encoding import word_edits
from cleaner.model import Edit

N = 100_000
SHAPES = {
    "doubled word on every line": lambda n: "They said that the the talks were over for the day.\n" * n,
    "repairs between dropped lines": lambda n: "".join(
        "Advertisement\n" if i % 2 else f"cafÃ© {i}\n" for i in range(n)
    ),
    "accents next to repairs": lambda n: "They kept their sepárate views, said the cafÃ© owner of the place.\n" * n,
    "blank lines": lambda n: "\n" * n + "Advertisement\nx\n",
    "whitespace-only lines": lambda n: "   \n" * n + "x\n",
    "short lines": lambda n: "".join(f"Line {i} of text.\n" for i in range(n)),
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_100k_line_shapes_are_linear(pipeline, shape):
    text = SHAPES[shape](N)
    start = time.monotonic()
    result = pipeline.apply(text)  # would raise RuleTimeout if a rule blew its budget
    seconds = time.monotonic() - start
    assert seconds < 60, f"{shape}: {seconds:.1f}s for {N} lines (was minutes when quadratic)"
    small = pipeline.apply(SHAPES[shape](100))
    assert len(result.edits) >= len(small.edits)


def prose_line(size: int) -> str:
    words = "the committee said on Tuesday that it would publish its findings after the review"
    words = words.split(" ")
    out, n = [], 0
    i = 0
    while n < size:
        w = words[i % len(words)]
        out.append(w)
        n += len(w) + 1
        i += 1
    return "donâ€™t " + " ".join(out) + " the the end cafÃ©"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_20mb_single_line_document(cli, tmp_path, fmt):
    text = prose_line(20_000_000)
    src = tmp_path / f"big.{fmt}"
    if fmt == "txt":
        src.write_text(text, encoding="utf-8")
    else:
        src.write_text(json.dumps({"id": "big", "text": text}) + "\n", encoding="utf-8")
    start = time.monotonic()
    r = cli("run", str(src), "-o", str(tmp_path / "out"), "--stats-json", str(tmp_path / "s.json"), timeout=300)
    seconds = time.monotonic() - start
    assert r.returncode == 0, r.stderr[-2000:]
    totals = json.loads((tmp_path / "s.json").read_text("utf-8"))["totals"]
    assert totals["written"] == 1 and totals["quarantined"] == 0  # no rule ran out of time
    out = (tmp_path / "out" / src.name).read_text("utf-8")
    cleaned = out if fmt == "txt" else json.loads(out)["text"]
    assert cleaned.startswith("don’t the committee") and cleaned.endswith(" the end café\n")
    assert seconds < 150, f"{seconds:.1f}s for a 20 MB line"


# --- the linear replacements give the same answers as the simple versions ------------------


def naive_shift(spans, edits):
    out = []
    for s, e in spans:
        delta, keep = 0, True
        for ed in edits:
            if ed.end <= s and not (ed.start == ed.end == s):
                delta += len(ed.after) - (ed.end - ed.start)
            elif ed.start < e:
                keep = False
                break
            else:
                break
        if keep:
            out.append((s + delta, e + delta))
    return out


@st.composite
def spans_and_edits(draw):
    edits, pos = [], 0
    for _ in range(draw(st.integers(0, 6))):
        start = pos + draw(st.integers(0, 3))
        end = start + draw(st.integers(0, 3))
        edits.append(Edit("r", start, end, "?" * (end - start), "x" * draw(st.integers(0, 2)), 1))
        pos = end
    spans = sorted((a, a + w) for a, w in draw(st.lists(st.tuples(st.integers(0, 25), st.integers(0, 4)), max_size=6)))
    return spans, edits


@settings(max_examples=300, deadline=None)
@given(spans_and_edits())
def test_shift_spans_matches_the_simple_version(case):
    spans, edits = case
    assert shift_spans(spans, edits) == naive_shift(spans, edits)


def test_word_edits_on_a_long_line_stay_per_word():
    line = "donâ€™t " + "word " * 100_000 + "cafÃ©"
    fixed = line.replace("donâ€™t", "don’t").replace("cafÃ©", "café")
    start = time.monotonic()
    edits = word_edits("r", line, fixed, 10, 1)
    assert time.monotonic() - start < 5  # difflib on the whole line took over a minute
    found = [(e.start, e.before, e.after) for e in edits]
    assert found == [(10, "donâ€™t", "don’t"), (10 + len(line) - 5, "cafÃ©", "café")]


def test_prefilter_giving_up_changes_nothing(pipeline, monkeypatch):
    # Blank-line runs make `^[\s]*…` prefilters quadratic over the whole text; past their
    # small allowance the rules look line by line, with the same edits.
    import cleaner.kinds.base as base

    text = "\n" * 3000 + "Advertisement\nRead more: Another story here\nBody.\n"
    expected = pipeline.apply(text)
    assert expected.text == "Body.\n"
    monkeypatch.setattr(base, "PREFILTER_BASE", 0.0)
    monkeypatch.setattr(base, "PREFILTER_PER_CHAR", 0.0)  # every prefilter gives up at once
    assert pipeline.apply(text) == expected
