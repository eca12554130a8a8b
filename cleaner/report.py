"""The HTML run report: one self-contained page a rule author can open after a run.

`cleaner run … --report report.html` writes it: totals, a bar chart of edits per rule
(inline SVG), and for each rule a few sample edits with the removed and inserted text
highlighted and invisible characters named (the same marks as diffs: `visible.show`),
plus a filter by rule id (inline JS; `report.html#filter=promo.` opens it filtered; the
chart then shows only the rules that pass, rescaled to them). Below, the records the run
quarantined and the warnings it gave, each with its source, line and reason, so a rule
author sees what was rejected and why without opening the quarantine file.
Nothing is fetched: no external CSS, scripts, fonts or images, so the page can be
mailed, archived with a run, or opened offline.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from cleaner.io.files import write_atomic
from cleaner.kinds.base import Rule
from cleaner.model import Edit, origin_lines
from cleaner.stats import RunStats
from cleaner.visible import show

SAMPLES_PER_RULE = 5
CONTEXT = 80  # characters of the line shown on each side of a span edit
MARK = regex.compile(r"⟨[^⟩]*⟩|[␤·→␍]")  # what visible.show substitutes, styled so it reads as a mark


@dataclass(frozen=True)
class Sample:
    """One edit as the input document showed it: its line there, and what changed."""

    doc: str
    line: int  # 1-based line of the input document
    context: str  # that line of the input
    before: str
    after: str
    whole_lines: bool


@dataclass
class SampleCollector:
    """Keeps the first few edits of each rule during a run (bounded memory on any corpus)."""

    per_rule: int = SAMPLES_PER_RULE
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, doc: str, text: str, edits: Sequence[Edit]) -> None:
        wanted = [i for i, e in enumerate(edits) if len(self.samples.get(e.rule_id, ())) < self.per_rule]
        if not wanted:
            return
        lines = origin_lines(text, edits)
        source = text.split("\n")
        for i in wanted:
            e = edits[i]
            bucket = self.samples.setdefault(e.rule_id, [])
            if len(bucket) < self.per_rule:
                context = source[lines[i] - 1] if lines[i] <= len(source) else ""
                bucket.append(Sample(doc, lines[i], context, e.before, e.after, e.whole_lines))


MAX_LISTED = 200  # quarantined records and warnings listed in the page; the rest are counted


@dataclass(frozen=True)
class Problem:
    """A quarantined record or a warning: where it came from and why."""

    source: str
    line: int | None
    reason: str
    id: str | None = None


WARNING_FORM = regex.compile(r"^(?P<source>.+?)(?::(?P<line>\d+))?: (?P<reason>.+)$", regex.S)


def warning_problem(message: str) -> Problem:
    """A warning as the run printed it (`source[:line]: reason`) split into its parts."""
    m = WARNING_FORM.match(message)
    if m is None:
        return Problem("", None, message)
    return Problem(m["source"], int(m["line"]) if m["line"] else None, m["reason"])


def read_quarantine(path: Path, limit: int = MAX_LISTED) -> list[Problem]:
    """The first `limit` entries of a quarantine file (JSON lines with source, line, id, reason)."""
    found: list[Problem] = []
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for raw in fh:
                if len(found) >= limit:
                    break
                try:
                    entry = json.loads(raw)
                except ValueError:
                    continue
                line = entry.get("line")
                doc_id = entry.get("id")
                found.append(
                    Problem(
                        str(entry.get("source", "")),
                        line if isinstance(line, int) else None,
                        str(entry.get("reason", "")),
                        None if doc_id is None else str(doc_id),
                    )
                )
    except OSError:
        pass
    return found


def write_report(
    path: Path,
    stats: RunStats,
    samples: Mapping[str, Sequence[Sample]],
    rules: Sequence[Rule] = (),
    *,
    title: str = "cleaner run report",
    quarantined: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
    quarantine_file: str | None = None,
) -> None:
    page = render_report(
        stats, samples, rules, title=title, quarantined=quarantined, warnings=warnings, quarantine_file=quarantine_file
    )
    write_atomic(path, page.encode("utf-8"))


def render_report(
    stats: RunStats,
    samples: Mapping[str, Sequence[Sample]],
    rules: Sequence[Rule] = (),
    *,
    title: str,
    quarantined: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
    quarantine_file: str | None = None,
) -> str:
    described = {r.id: r for r in rules}
    order = [r.id for r in rules if r.id in stats.per_rule]
    order += sorted(set(stats.per_rule) - set(order))
    data = {
        "rules": [
            {"id": rid, "edits": stats.per_rule[rid].edits, "documents": stats.per_rule[rid].documents} for rid in order
        ]
    }
    sections = "\n".join(_section(rid, stats, samples.get(rid, ()), described.get(rid)) for rid in order)
    return PAGE.format(
        title=html.escape(title),
        css=CSS,
        totals=_totals(stats, len(rules)),
        chart=_chart(stats, order),
        sections=sections or '<p class="none">No rule changed anything.</p>',
        problems=_problems(stats, quarantined, warnings, quarantine_file),
        data=json.dumps(data).replace("</", "<\\/"),
        js=JS,
    )


def visible_html(s: str, *, edges: bool = False, trailing: bool = True) -> str:
    """Escaped text with invisible characters named and styled as marks.

    `edges` also marks spaces at the start (for a removed or inserted piece, whose
    leading space is part of the edit); `trailing=False` for a piece inside a line.
    """
    parts = []
    for n, line in enumerate(s.split("\n")):
        shown = show(line, trailing=trailing or n < s.count("\n"))
        if edges:
            stripped = shown.lstrip(" ")
            shown = "·" * (len(shown) - len(stripped)) + stripped
        parts.append(shown)
    text = html.escape("␤".join(parts))
    return MARK.sub(lambda m: f'<span class="inv">{m.group()}</span>', text)


def _totals(stats: RunStats, rule_count: int) -> str:
    counts = stats.per_rule.values()
    items = [
        ("documents read", stats.read),
        ("written", stats.written),
        ("changed", stats.changed),
        ("quarantined", stats.quarantined),
        ("dropped empty", stats.dropped_empty),
        ("edits", sum(c.edits for c in counts)),
        ("lines removed", sum(c.lines_removed for c in counts)),
        ("chars removed", sum(c.chars_removed for c in counts)),
        ("rules fired", f"{len(stats.per_rule)} of {rule_count}" if rule_count else len(stats.per_rule)),
    ]
    cells = "".join(f'<div class="total"><dt>{html.escape(k)}</dt><dd>{v}</dd></div>' for k, v in items)
    return f'<dl id="totals">{cells}</dl>'


def _chart(stats: RunStats, order: Sequence[str]) -> str:
    """Horizontal bars, one per rule that fired, length proportional to its edits."""
    if not order:
        return ""
    bar_h, gap, label_w, bar_w = 18, 6, 260, 420
    top = max(stats.per_rule[r].edits for r in order)
    height = len(order) * (bar_h + gap) + gap
    rows = []
    for i, rid in enumerate(order):
        c = stats.per_rule[rid]
        y = gap + i * (bar_h + gap)
        w = max(2, round(bar_w * c.edits / top))
        rid_html = html.escape(rid)
        rows.append(
            f'<g class="bar" data-rule="{rid_html}" data-edits="{c.edits}">'
            f"<title>{rid_html}: {c.edits} edit(s) in {c.documents} document(s)"
            f'</title><text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end">{rid_html}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3"></rect>'
            f'<text class="count" x="{label_w + w + 6}" y="{y + bar_h - 4}">{c.edits}</text></g>'
        )
    width = label_w + bar_w + 60
    return (
        f'<svg id="chart" role="img" aria-label="edits per rule" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" data-row="{bar_h + gap}" data-gap="{gap}" data-label="{label_w}" '
        f'data-bar="{bar_w}">{"".join(rows)}</svg>'
    )


def _problems(
    stats: RunStats, quarantined: Sequence[Problem], warnings: Sequence[Problem], quarantine_file: str | None
) -> str:
    """The quarantined records and the warnings, as tables: source, line, (id,) reason."""
    where = f" (all of them in <code>{html.escape(quarantine_file)}</code>)" if quarantine_file else ""
    parts = []
    if stats.quarantined or quarantined:
        more = stats.quarantined - len(quarantined)
        rest = f'<p class="none">… and {more} more{where}.</p>' if more > 0 else ""
        rows = "".join(
            f"<tr><td>{html.escape(q.source)}</td><td>{q.line or ''}</td><td>{html.escape(q.id or '')}</td>"
            f"<td>{html.escape(q.reason)}</td></tr>"
            for q in quarantined
        )
        parts.append(
            f'<section id="quarantined"><h2>Quarantined records: {stats.quarantined}</h2>'
            f'<p class="desc">Not cleaned and not written to the output, kept with the reason{where}.</p>'
            f"<table><thead><tr><th>source</th><th>line</th><th>id</th><th>reason</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{rest}</section>"
        )
    if warnings:
        rows = "".join(
            f"<tr><td>{html.escape(w.source)}</td><td>{w.line or ''}</td><td>{html.escape(w.reason)}</td></tr>"
            for w in warnings
        )
        parts.append(
            f'<section id="warnings"><h2>Warnings: {len(warnings)}</h2>'
            f"<table><thead><tr><th>source</th><th>line</th><th>reason</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    return "\n".join(parts)


def _section(rid: str, stats: RunStats, samples: Iterable[Sample], rule: Rule | None) -> str:
    c = stats.per_rule[rid]
    desc = f'<p class="desc">{html.escape(rule.description)} <span class="kind">{rule.kind}</span></p>' if rule else ""
    counts = (
        f'<p class="counts">{c.edits} edit(s) in {c.documents} document(s); '
        f"{c.lines_removed} line(s), {c.chars_removed} char(s) removed</p>"
    )
    shown = "\n".join(_sample(s) for s in samples)
    anchor = html.escape(rid)
    return (
        f'<section class="rule" id="rule-{anchor}" data-rule="{anchor}">'
        f"<h2>{anchor}</h2>{desc}{counts}{shown}</section>"
    )


def _sample(s: Sample) -> str:
    where = f'<div class="where">{html.escape(s.doc)}:{s.line}</div>'
    if s.whole_lines:
        before = f"<del>{visible_html(s.before.removesuffix(chr(10)))}</del>"
        after = '<span class="gone">line(s) removed</span>'
    else:
        at = s.context.find(s.before) if s.before else -1
        removed = f"<del>{visible_html(s.before, edges=True)}</del>" if s.before else NOTHING
        added = f"<ins>{visible_html(s.after, edges=True)}</ins>" if s.after else NOTHING
        if at >= 0:
            head, tail = s.context[:at], s.context[at + len(s.before) :]
            head = ("…" + head[-CONTEXT:]) if len(head) > CONTEXT else head
            tail = (tail[:CONTEXT] + "…") if len(tail) > CONTEXT else tail
            head, tail = visible_html(head, trailing=False), visible_html(tail)
            before, after = f"{head}{removed}{tail}", f"{head}{added}{tail}"
        else:  # the text this rule saw was already changed by an earlier rule: show the edit alone
            before, after = removed, added
    return (
        f'<div class="sample">{where}<div class="before"><b>−</b><code>{before}</code></div>'
        f'<div class="after"><b>+</b><code>{after}</code></div></div>'
    )


NOTHING = '<span class="gone">∅ nothing</span>'

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:20px}
main{display:grid;grid-template-columns:260px 1fr;gap:24px;padding:20px 28px}
#totals{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 16px}
.total{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:6px 12px}
.total dt{font-size:12px;color:#5b6575}.total dd{margin:0;font-size:18px;font-weight:600}
nav{position:sticky;top:12px;align-self:start}
#filter{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid #b9c0ca;border-radius:5px;font:inherit}
#rule-list{list-style:none;padding:0;margin:10px 0}#rule-list li{padding:2px 0}
#rule-list a{color:#1f4f99;text-decoration:none;font-family:ui-monospace,monospace;font-size:13px}
#rule-list .n{color:#5b6575;font-size:12px;margin-left:6px}
#shown{font-size:12px;color:#5b6575}
#chart{background:#fff;border:1px solid #dde1e7;border-radius:6px;max-width:100%;height:auto}
#chart text{font:12px ui-monospace,monospace;fill:#1d2430}#chart rect{fill:#3b7dd8}#chart .count{fill:#5b6575}
section.rule{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 16px;margin:16px 0}
section.rule h2{font:600 16px ui-monospace,monospace;margin:4px 0}
.desc,.counts{margin:2px 0;color:#3d4757}.kind{font-size:12px;background:#eef1f5;border-radius:4px;padding:1px 6px}
.sample{border-top:1px solid #eef1f5;padding:6px 0}.where{font-size:12px;color:#5b6575}
.before,.after{display:flex;gap:8px}.before b{color:#b3261e}.after b{color:#1e7b34}
code{font:13px/1.5 ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
del{background:#fbd3d0;text-decoration:line-through;text-decoration-color:#b3261e80}
ins{background:#cdeccf;text-decoration:none}
.inv{color:#8a4fd0;background:#f1e9fb;border-radius:3px;font-size:11px}
.gone{color:#5b6575;font-style:italic}.none{color:#5b6575}
#quarantined,#warnings{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 16px;margin:16px 0}
#quarantined h2,#warnings h2{font-size:16px;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13px}th{text-align:left;color:#5b6575;font-weight:600}
td,th{padding:3px 8px;border-top:1px solid #eef1f5;vertical-align:top}td:first-child{font-family:ui-monospace,monospace}
"""

JS = """
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var list = document.getElementById("rule-list");
  data.rules.forEach(function (r) {
    var li = document.createElement("li");
    li.dataset.rule = r.id;
    var a = document.createElement("a");
    a.href = "#rule-" + r.id;
    a.textContent = r.id;
    var n = document.createElement("span");
    n.className = "n";
    n.textContent = r.edits;
    li.appendChild(a);
    li.appendChild(n);
    list.appendChild(li);
  });
  var input = document.getElementById("filter");
  function matches(q, id) {
    return q.split(/[\\s,]+/).some(function (t) { return t && id.indexOf(t) !== -1; });
  }
  function apply() {
    var q = input.value.trim();
    var shown = 0;
    document.querySelectorAll("[data-rule]").forEach(function (el) {
      var hide = q !== "" && !matches(q, el.dataset.rule);
      el.style.display = hide ? "none" : "";
      if (!hide && el.tagName === "LI") shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + data.rules.length + " rules";
    fitChart();
  }
  // The chart shows the rules that pass the filter, stacked without gaps and scaled to the largest of them.
  function fitChart() {
    var svg = document.getElementById("chart");
    if (!svg) return;
    var row = +svg.dataset.row, gap = +svg.dataset.gap, label = +svg.dataset.label, full = +svg.dataset.bar;
    var bars = Array.prototype.filter.call(svg.querySelectorAll("g.bar"), function (g) {
      return g.style.display !== "none";
    });
    var top = Math.max.apply(null, bars.map(function (g) { return +g.dataset.edits; }).concat([1]));
    bars.forEach(function (g, i) {
      var y = gap + i * row, w = Math.max(2, Math.round(full * g.dataset.edits / top));
      var rect = g.querySelector("rect"), texts = g.querySelectorAll("text");
      rect.setAttribute("y", y);
      rect.setAttribute("width", w);
      texts[0].setAttribute("y", y + row - gap - 4);
      texts[1].setAttribute("y", y + row - gap - 4);
      texts[1].setAttribute("x", label + w + 6);
    });
    var height = bars.length * row + gap, width = svg.viewBox.baseVal.width;
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  }
  input.addEventListener("input", apply);
  var m = /filter=([^&]*)/.exec(location.hash);
  if (m) input.value = decodeURIComponent(m[1]);
  apply();
  document.body.dataset.ready = "true";
})();
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header><h1>{title}</h1></header>
<main>
<nav>
<input id="filter" type="search" placeholder="filter rules: promo. caption." aria-label="filter by rule id">
<div id="shown"></div>
<ul id="rule-list"></ul>
</nav>
<div>
{totals}
{chart}
{sections}
{problems}
</div>
</main>
<script type="application/json" id="report-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""
