"""Properties: no crash on arbitrary text, idempotence, determinism, honest edits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import replay
from cleaner.model import origin_lines

from .conftest import ROOT

LINES = st.sampled_from(
    [
        "",
        "  ",
        "Advertisement",
        "Read more: Something else entirely",
        "READ\u00a0 A headline for you today - Outlet Name",
        "Photo: AP",
        "Twitter: @someone",
        "[A bracketed headline that links to another story]",
        "The the talks were held in the capital, and they said that it was over.",
        "They kept their sepárate views on the issues that were raised in the talks.",
        "We donâ€™t know what the cafÃ© will do, said the owner of the place.",
        "Leave a Reply",
        "Please enter your comment!",
        "Ordinary body text with “curly quotes” and an em dash — like this.",
        "Grüße aus Köln: die die Regeln machen.",
    ]
)
DOCS = st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=25).map("\n".join)
# Example counts come from the hypothesis profile (tests/conftest.py): modest by default,
# more under HYPOTHESIS_PROFILE=thorough (make test-slow).
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(DOCS)
def test_idempotent_and_replayable(pipeline, text):
    first = pipeline.apply(text)
    assert pipeline(first.text) == first.text
    assert replay(text, first.edits) == first.text


@FAST
@given(st.text())
def test_never_raises_on_arbitrary_unicode(pipeline, text):
    pipeline(text)


def test_seeds_idempotent_and_deterministic(pipeline):
    for path in sorted((ROOT / "seeds").iterdir()):
        text = path.read_text(encoding="utf-8")
        once = pipeline(text)
        assert pipeline(once) == once
        assert pipeline(text) == once


# --- bad input and faults (issue 8) --------------------------------------------------------

import json  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from cleaner.errors import InputProblem  # noqa: E402
from cleaner.io.decode import decode_bytes  # noqa: E402
from cleaner.kinds.base import StepContext  # noqa: E402
from cleaner.kinds.drop_line import DropLine  # noqa: E402

# Lines as scrapers leave them: padded with trailing whitespace, fused to a date header,
# doubled words, mixed with arbitrary text.
PADDING = st.sampled_from(["", " ", " \t ", "\u00a0", " " * 70, "\u3000"])
PREFIX = st.sampled_from(["", "", "date 2019-02-15 ", "  ", "\u00a0"])
SCRAPED_LINE = st.builds(lambda p, line, pad: p + line + pad, PREFIX, st.one_of(LINES, st.text(max_size=30)), PADDING)
SCRAPED_DOCS = st.lists(SCRAPED_LINE, max_size=20).map("\n".join)


@FAST
@given(SCRAPED_DOCS)
def test_idempotent_on_scraped_lines(pipeline, text):
    once = pipeline(text)
    assert pipeline(once) == once


@FAST
@given(SCRAPED_DOCS)
def test_edits_map_back_to_the_input_lines_they_came_from(pipeline, text):
    """Each rule sees the text earlier rules left; origin_lines (explain, diffs, report)
    must name the input line a dropped line came from."""
    original = text.split("\n")
    result = pipeline.apply(text)
    located = list(zip(origin_lines(text, result.edits), result.edits, strict=True))
    for line, e in located:
        # an earlier rule may have edited inside the line (a repair, a stripped prefix);
        # stripped whitespace does not count, the comparison below ignores it
        retouched = any(not o.whole_lines and o.before.strip() and o.step < e.step and at == line for at, o in located)
        if e.whole_lines and e.before.strip() and not retouched:
            first = e.before.split("\n")[0].strip()
            assert first in original[line - 1], (line, e)


@FAST
@given(st.binary(max_size=400))
def test_never_raises_on_arbitrary_bytes(pipeline, data):
    try:
        decoded = decode_bytes(data)
    except InputProblem:
        return  # binary (NUL) or broken UTF-16: refused by design, with a reason
    pipeline(decoded.text)


@FAST
@given(st.one_of(SCRAPED_DOCS, st.text()))
def test_no_output_line_matches_a_drop_line_rule(pipeline, text):
    out = pipeline(text)
    for rule, step in zip(pipeline.rules, pipeline.steps, strict=True):
        if isinstance(step, DropLine):
            ctx = StepContext(budget=2.0)
            ctx.start()
            assert step.find(out, ctx) == [], f"{rule.id} still matches a line of the output"


@FAST
@given(st.one_of(st.text(), SCRAPED_DOCS, st.text(alphabet=" \t\n\u00a0\u3000\x0bab")))
def test_whitespace_rule_alone_keeps_every_other_character(pipeline, text):
    only = pipeline.only("whitespace.normalize")
    out = only(text)
    assert [c for c in out if not c.isspace()] == [c for c in text if not c.isspace()]
    assert only(out) == out


RECORD = st.fixed_dictionaries(
    {"id": st.one_of(st.none(), st.integers(), st.text(max_size=5)), "text": st.one_of(SCRAPED_DOCS, st.text())}
)
RAW_LINE = st.one_of(
    RECORD.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
    st.sampled_from([b"", b"  ", b"null", b"[1]", b'{"text": null}', b'{"text": 5}', b'{"id": 1}', b'{"text": "x']),
)


@FAST
@given(st.lists(RAW_LINE, max_size=12))
def test_jsonl_worker_never_raises_and_accounts_for_every_line(pipeline, lines):
    from cleaner.runner.options import RunOptions
    from cleaner.runner.tasks import Task
    from cleaner.runner.work import run_task, set_pipeline

    set_pipeline(pipeline, RunOptions(workers=1))
    batch = [(n, raw + b"\n") for n, raw in enumerate(lines, 1)]
    result = run_task(Task(0, 0, "jsonl", "prop.jsonl", batch, last=True))
    records = [raw for _, raw in batch if raw.strip()]
    assert result.stats.read == len(records) == result.stats.written + result.stats.quarantined
    assert len(result.output.splitlines()) == result.stats.written
    assert len(result.quarantine) == result.stats.quarantined
    for line in result.output.splitlines():
        assert isinstance(json.loads(line)["text"], str)


CORPUS_FILE = st.one_of(
    st.tuples(st.just("txt"), SCRAPED_DOCS.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(st.just("txt"), st.binary(max_size=200)),
    st.tuples(st.just("jsonl"), st.lists(RAW_LINE, max_size=8).map(lambda ls: b"\n".join(ls) + b"\n")),
)


@settings(max_examples=8, deadline=None)
@given(st.lists(CORPUS_FILE, min_size=1, max_size=6))
def test_one_and_two_workers_give_identical_bytes(files):
    from typer.testing import CliRunner

    from cleaner.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, (kind, data) in enumerate(files):
            (root / "in").mkdir(exist_ok=True)
            (root / "in" / f"f{i}.{kind}").write_bytes(data)
        results = {}
        for workers in ("1", "2"):
            out = root / f"out{workers}"
            r = CliRunner().invoke(app, ["run", str(root / "in"), "-o", str(out), "-q", "--workers", workers,
                                         "--log-edits", str(root / f"edits{workers}.jsonl")])  # fmt: skip
            assert r.exit_code in (0, 1), r.output
            q = root / f"out{workers}.quarantine.jsonl"
            results[workers] = (
                r.exit_code,
                {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()},
                q.read_bytes() if q.exists() else None,
                (root / f"edits{workers}.jsonl").read_bytes(),
            )
        assert results["1"] == results["2"]
