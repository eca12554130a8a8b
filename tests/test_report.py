"""The HTML run report: content, self-containment, and rendering in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from cleaner.report import SampleCollector, render_report, visible_html
from cleaner.stats import RunStats

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A real run over the seeds and extra golden inputs, with --report."""
    from .conftest import run_cli

    tmp = tmp_path_factory.mktemp("report")
    page = tmp / "report.html"
    r = run_cli("run", "-q", "seeds", "tests/cases/input", "-o", str(tmp / "out"), "--report", str(page))
    assert r.returncode == 0, r.stderr
    return page


def test_visible_html_names_invisible_characters():
    assert visible_html("a\u00a0b ") == 'a<span class="inv">⟨NBSP⟩</span>b<span class="inv">·</span>'
    assert visible_html(" x<y", edges=True) == '<span class="inv">·</span>x&lt;y'
    assert visible_html("end ", trailing=False) == "end "


def test_report_has_totals_chart_samples_and_no_external_resources(report):
    page = report.read_text(encoding="utf-8")
    from .conftest import ROOT

    inputs = len(list((ROOT / "seeds").iterdir())) + len(list((ROOT / "tests" / "cases" / "input").iterdir()))
    assert '<dl id="totals">' in page and f"<dt>documents read</dt><dd>{inputs}</dd>" in page
    assert page.count('<g class="bar"') >= 10 and '<svg id="chart"' in page
    section = re.search(r'<section class="rule" id="rule-promo.read-headline".*?</section>', page, re.S).group()
    assert "seeds/001_cd48500d55f01fe0.txt:15" in section
    assert '<del>READ<span class="inv">⟨NBSP⟩</span>' in section and "line(s) removed" in section
    typo = re.search(r'<section class="rule" id="rule-typo.stray-accent".*?</section>', page, re.S).group()
    assert "<del>sepárate</del>" in typo and "<ins>separate</ins>" in typo
    # self-contained: nothing to fetch
    assert not re.search(r"(?i)<link|\bsrc=|@import|url\(|https?://", page)


def test_samples_are_capped_per_rule():
    collector = SampleCollector(per_rule=2)
    from cleaner import load_rules

    pipeline = load_rules()
    for n in range(5):
        text = f"Advertisement\nBody {n}.\n"
        collector.add(f"doc{n}", text, pipeline.apply(text).edits)
    assert [s.doc for s in collector.samples["ads.marker"]] == ["doc0", "doc1"]
    stats = RunStats()
    assert "No rule changed anything" in render_report(stats, {}, pipeline.rules, title="t")


def chromium(*args: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def browser():
    if CHROMIUM is None:
        if os.environ.get("CLEANER_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (CLEANER_REQUIRE_CHROMIUM is set) but is not installed")
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run installs it)")
    return CHROMIUM


def test_report_renders_in_headless_chromium(report, browser, tmp_path):
    """Load the page with a filter in the URL; the script builds the rule list and applies the filter."""
    dom = chromium("--dump-dom", report.as_uri() + "#filter=promo.", tmp_path=tmp_path).stdout
    assert 'data-ready="true"' in dom, "the inline script did not run"
    items = re.findall(r'<li data-rule="([^"]+)"', dom)  # built by the script from the embedded data
    assert "promo.read-headline" in items and "whitespace.normalize" in items and len(items) >= 10
    assert re.search(r'<svg id="chart"[^>]*>.*<rect ', dom, re.S)
    hidden = set(re.findall(r'<li data-rule="([^"]+)" style="display: none;"', dom))
    promos = {r for r in items if r.startswith("promo.")}
    assert promos and set(items) - hidden == promos
    assert f"{len(promos)} of {len(items)} rules" in dom
    assert re.search(r'<section class="rule" id="rule-ads.marker" data-rule="ads.marker" style="display: none;"', dom)

    shot = tmp_path / "report.png"
    run = chromium("--window-size=1280,1800", f"--screenshot={shot}", report.as_uri(), tmp_path=tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr
    keep = os.environ.get("CLEANER_SCREENSHOT_DIR")  # to look at it: CLEANER_SCREENSHOT_DIR=/tmp make test
    if keep:
        shutil.copy(shot, keep)


def test_report_lists_quarantined_records_and_warnings(cli, tmp_path):
    """The page names what the run rejected and what it warned about: reason, source, line."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (src / "latin1.txt").write_bytes(b"Caf\xe9 au lait\n")
    (src / "c.jsonl").write_text('{"id": "a", "text": "Hi."}\n{"id": "b", "text": 5}\nnot json\n', encoding="utf-8")
    (src / "notes.md").write_text("x\n", encoding="utf-8")
    page = tmp_path / "report.html"
    r = cli("run", str(src), "-o", str(tmp_path / "out"), "--report", str(page))
    assert r.returncode == 0, r.stderr
    html_text = page.read_text(encoding="utf-8")
    quarantined = re.search(r'<section id="quarantined">.*?</section>', html_text, re.S).group()
    assert "Quarantined records: 3" in quarantined
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", quarantined)
    by_source = {(os.path.basename(s), line): reason for s, line, _, reason in rows}
    assert "NUL byte" in by_source[("binary.txt", "")]
    assert ("c.jsonl", "2") in by_source and ("c.jsonl", "3") in by_source
    assert "out.quarantine.jsonl" in quarantined
    warnings = re.search(r'<section id="warnings">.*?</section>', html_text, re.S).group()
    assert "invalid UTF-8 at byte 3" in warnings and "latin1.txt" in warnings
    assert "skipped 1 file(s)" in warnings  # the folder walk's note about notes.md
    assert "NUL byte" not in warnings  # a quarantined record is listed once, with the records


def test_report_without_problems_has_no_problem_sections():
    page = render_report(RunStats(), {}, (), title="t")
    assert 'id="quarantined"' not in page and 'id="warnings"' not in page


def test_filtered_chart_shows_only_the_rules_that_pass(report, browser, tmp_path):
    """With a filter the chart stacks the remaining bars from the top, scaled to the largest of them,
    and shrinks to fit: no empty rows where hidden rules were."""
    dom = chromium("--dump-dom", report.as_uri() + "#filter=promo.", tmp_path=tmp_path).stdout
    svg = re.search(r'<svg id="chart"([^>]*)>(.*?)</svg>', dom, re.S)
    row = int(re.search(r'data-row="(\d+)"', svg.group(1)).group(1))
    gap = int(re.search(r'data-gap="(\d+)"', svg.group(1)).group(1))
    full = int(re.search(r'data-bar="(\d+)"', svg.group(1)).group(1))
    bars = re.findall(r'<g class="bar" data-rule="([^"]+)" data-edits="(\d+)"( style="display: none;")?>(.*?)</g>',
                      svg.group(2), re.S)  # fmt: skip
    shown = [(rid, int(n), body) for rid, n, hidden, body in bars if not hidden]
    assert shown and all(rid.startswith("promo.") for rid, _, _ in shown)
    assert len(shown) < len(bars)
    assert f'height="{len(shown) * row + gap}"' in svg.group(1)
    ys = [int(re.search(r'<rect[^>]* y="(\d+)"', body).group(1)) for _, _, body in shown]
    assert ys == [gap + i * row for i in range(len(shown))]
    widths = [int(re.search(r'<rect[^>]* width="(\d+)"', body).group(1)) for _, _, body in shown]
    assert max(widths) == full  # the largest remaining rule spans the chart
