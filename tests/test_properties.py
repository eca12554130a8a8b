"""Properties: no crash on arbitrary text, idempotence, determinism, honest edits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import replay

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
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
