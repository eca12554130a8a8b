"""The `[extract]` table of rule files: how an HTML page becomes text before the rules run.

Extraction choices belong to the rule set, not to the command line, because they
decide what the rules get to see: a rule set written for pages without comment
sections should not silently be run on pages with them. The values are plain
switches of trafilatura; nothing in a rule file runs code. trafilatura's `deduplicate`
is deliberately absent: its memory spans every page a process has seen, so a page's
text would depend on the pages before it (cleaner promises the same bytes in any order).

A rule set without an `[extract]` table extracts as trafilatura does by default; the
shipped `rules/05-extract.toml` states (and the README justifies) cleaner's choices.
Tables in several files merge key by key: a later layer (`--rules`) overrides a key of
an earlier one, while the same key set twice in one layer is a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from cleaner.suggest import did_you_mean


@dataclass(frozen=True)
class ExtractSettings:
    """trafilatura's switches, with trafilatura's own defaults."""

    include_comments: bool = True
    include_tables: bool = True
    include_formatting: bool = False
    include_links: bool = False
    favor_precision: bool = False
    favor_recall: bool = False
    fast: bool = False
    min_extracted_size: int = 250

    def updated(self, values: Mapping[str, Any]) -> ExtractSettings:
        return replace(self, **values)


KEY_DOCS: Mapping[str, str] = {
    "include_comments": "keep a page's comment section (after the main text)",
    "include_tables": "keep tables inside the main text, one row per line",
    "include_formatting": "mark bold/italic/headings in markdown style",
    "include_links": "keep link targets in markdown style",
    "favor_precision": "trafilatura's stricter mode: less boilerplate, more lost text",
    "favor_recall": "trafilatura's looser mode: more text, more boilerplate",
    "fast": "skip the fallback extractors (readability, jusText): faster, worse on odd pages",
    "min_extracted_size": "below this many characters trafilatura tries its fallback extractors",
}
TYPES: Mapping[str, type] = {f.name: type(f.default) for f in fields(ExtractSettings)}


def check_extract_table(table: Any) -> tuple[dict[str, Any], list[tuple[str | None, str, str]]]:
    """Validate one `[extract]` table.

    Returns the accepted values and a list of (key, message, hint) problems; the caller
    turns them into RuleProblems with a file and line.
    """
    if not isinstance(table, dict):
        return {}, [(None, "`extract` must be a table", "write [extract] with key = value lines")]
    values: dict[str, Any] = {}
    problems: list[tuple[str | None, str, str]] = []
    for key, value in table.items():
        expected = TYPES.get(key)
        if expected is None:
            allowed = f"{did_you_mean(key, TYPES)}allowed keys: {', '.join(sorted(TYPES))}"
            problems.append((key, f"unknown key {key!r} in [extract]", allowed))
        elif expected is bool and not isinstance(value, bool):
            problems.append((key, f"[extract] {key}: must be true or false", KEY_DOCS[key]))
        elif expected is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append((key, f"[extract] {key}: must be a non-negative integer", KEY_DOCS[key]))
        else:
            values[key] = value
    if values.get("favor_precision") and values.get("favor_recall"):
        problems.append(("favor_recall", "[extract] favor_precision and favor_recall exclude each other", "keep one"))
    return values, problems
