"""`cleaner dedup --report FILE`: one self-contained HTML page of what the run removed.

Totals, cluster sizes, the first removed documents side by side with the document kept in
their place (near duplicates first: they are the ones worth a look), and the first
removed passages. Texts are escaped with the run report's `visible_html`, so invisible
characters show.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from cleaner.io.files import write_atomic
from cleaner.report import visible_html

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; margin-bottom: 1.5em; }
.doc { border: 1px solid #ccc; padding: .5em; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace;
       max-height: 22em; overflow: auto; }
h3 { margin-bottom: .2em; } .meta { color: #666; }
"""


NONE = '<tr><td colspan="2">none</td></tr>'


def write_dedup_report(path: Path, report: Any) -> None:
    write_atomic(path, render(report).encode("utf-8"))


def _where(w: dict[str, Any]) -> str:
    line = f":{w['line']}" if w.get("line") else ""
    return html.escape(f"{w['source']}{line} (id {w['id']})")


def _text(text: str | None) -> str:
    if text is None:
        return '<span class="meta">(not read in this run: its input was finished by an earlier run)</span>'
    return visible_html(text)


def render(report: Any) -> str:
    s = report.stats
    rows = [("documents read", s.read), ("written", s.written), ("quarantined", s.quarantined),
            ("removed as exact duplicates", report.removed_exact), ("removed as near duplicates", report.removed_near),
            ("clusters (documents kept with copies removed)", report.clusters),
            ("largest cluster", report.largest_cluster), ("candidate pairs", report.candidates),
            ("pairs verified", report.verified)]  # fmt: skip
    for rule, counts in s.per_rule.items():
        rows.append((f"{rule}: passages removed (documents)", f"{counts.edits} ({counts.documents})"))
    totals = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    sizes = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in sorted(report.sizes.items()))
    pairs = []
    for p in report.pairs:
        pairs.append(
            f"<h3>{html.escape(p['match'])} duplicate, Jaccard {p['similarity']:.3f}</h3>"
            f'<div class="pair"><div><div class="meta">removed: {_where(p["removed"])}</div>'
            f'<div class="doc">{_text(p["removed_text"])}</div></div>'
            f'<div><div class="meta">kept: {_where(p["kept"])}</div>'
            f'<div class="doc">{_text(p["kept_text"])}</div></div>'
            "</div>"
        )
    passages = "".join(
        f"<tr><td>{html.escape(doc)}</td><td>{visible_html(text)}</td></tr>" for doc, text in report.passages
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>cleaner dedup report</title><style>{CSS}</style></head><body>
<h1>cleaner dedup report</h1>
<h2>Totals</h2><table>{totals}</table>
<h2>Cluster sizes</h2>
<table><tr><th>documents in the cluster</th><th>clusters</th></tr>{sizes or NONE}</table>
<h2>Sample pairs</h2>{"".join(pairs) or "<p>No document was removed.</p>"}
<h2>Removed passages (the first {len(report.passages)})</h2>
<table><tr><th>document</th><th>passage</th></tr>{passages or NONE}</table>
</body></html>
"""
