"""The evaluation scorer (eval/score_trafilatura.py) on synthetic data; the real run is `make eval`."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys

import pytest

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("score_trafilatura", ROOT / "eval" / "score_trafilatura.py")
scorer = importlib.util.module_from_spec(spec)
sys.modules["score_trafilatura"] = scorer  # dataclasses and the worker processes look it up by name
spec.loader.exec_module(scorer)


def test_whitespace_is_collapsed_on_both_sides():
    text = "First  line\nof\u00a0the text.\n\nSecond\tparagraph."
    s = scorer.score_page(text, ["line of the\ntext.", "the text. Second paragraph"], ["First line", "missing"])
    assert (s.counts.tp, s.counts.fn, s.counts.fp, s.counts.tn) == (2, 0, 1, 1)
    assert s.leaked == ["First line"] and s.lost == []


def test_missing_with_is_fn_and_absent_without_is_tn():
    s = scorer.score_page("", ["anything"], ["junk"])
    assert (s.counts.tp, s.counts.fn, s.counts.fp, s.counts.tn) == (0, 1, 0, 1)
    assert s.lost == ["anything"]


def test_counts_add_up_to_precision_recall_f1():
    c = scorer.Counts(tp=8, fn=2, fp=2) + scorer.Counts(tp=0, fn=0, fp=0, tn=3)
    assert (c.tp, c.fn, c.fp, c.tn) == (8, 2, 2, 3)
    assert c.precision == pytest.approx(0.8) and c.recall == pytest.approx(0.8) and c.f1 == pytest.approx(0.8)
    assert scorer.Counts().f1 == 0.0


@pytest.mark.parametrize(
    ("with_", "url", "lang"),
    [
        (
            ["Die Regierung hat sich nicht auf einen neuen Plan für die Zukunft der Stadt geeinigt"],
            "https://x.com/a",
            "de",
        ),
        (["The government could not agree on a new plan for the future of the city"], "https://x.de/a", "en"),
        (["El gobierno no pudo ponerse de acuerdo sobre un nuevo plan para la ciudad"], "https://x.com/a", "es"),
        (["Le gouvernement ne s'est pas mis d'accord sur un nouveau plan pour la ville"], "https://x.com/a", "fr"),
        (["Rząd nie zgodził się na nowy plan dla miasta, który jest także bardzo drogi"], "https://x.com/a", "pl"),
        (["Xyz 2019"], "https://www.example.pl/a", "pl"),  # too short to tell: the country domain decides
        (["Xyz 2019"], "https://example.com/a", "other"),
    ],
)
def test_page_language(with_, url, lang):
    words = scorer.function_words()
    assert scorer.page_language({"with": with_, "url": url, "file": "f.html"}, "", words) == lang


PAGE = (
    "<html><head><meta charset='utf-8'><title>T</title></head><body><article>"
    "<p>The first paragraph of the article is long enough for the extractor to keep it as the main text.</p>"
    "<p>Advertisement</p>"
    "<p>The second paragraph of real text goes on about the same subject for a sentence or two more.</p>"
    "</article></body></html>"
)


def test_end_to_end_on_a_tiny_set(tmp_path, capsys):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p1.html.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    (tmp_path / "pages" / "p2.html.gz").write_bytes(gzip.compress(b"no markup"))
    items = [
        {
            "file": "p1.html",
            "url": "https://a.com/1",
            "with": ["first paragraph", "absent"],
            "without": ["Advertisement"],
        },
        {"file": "p2.html", "url": "https://a.com/2", "with": ["whatever"], "without": ["junk"]},
    ]
    (tmp_path / "expectations.json").write_text(json.dumps(items), encoding="utf-8")
    out = tmp_path / "out"
    assert scorer.main(["--data", str(tmp_path), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    rows = [line.split() for line in printed.splitlines() if line.strip().startswith("all")]
    # trafilatura alone keeps the ad marker (fp 1); the default rules remove it (fp 0).
    assert rows[0][:5] == ["all", "2", "1", "2", "1"] and rows[1][:5] == ["all", "2", "1", "2", "0"]
    assert "'Advertisement'" in (out / "trafilatura-leaked.txt").read_text(encoding="utf-8")
    assert (out / "trafilatura+cleaner-leaked.txt").read_text(encoding="utf-8") == ""
    lost = (out / "trafilatura+cleaner-lost.txt").read_text(encoding="utf-8")
    assert "'absent'" in lost and "'whatever'" in lost


def test_missing_data_is_reported(tmp_path, capsys):
    assert scorer.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err
