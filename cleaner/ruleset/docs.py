"""`cleaner rules show ID`: one rule's documentation, from the rule and its kind's declarations.

Like `ruff rule X`, it answers "what is this rule and what does it do?" without opening
the rule file: description, kind, every setting with its value, default and meaning,
the examples (invisible characters shown), and — given the stats JSON of a run — how
often it fired there.

Stats JSON (written by `cleaner run --stats-json`; only `rules` is read here):

    {"rules": {"<rule id>": {"documents": 3, "edits": 5, "lines_removed": 5, "chars_removed": 210}, ...}, ...}

A rule absent from `rules` did not fire in that run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cleaner.kinds import KINDS
from cleaner.kinds.base import Rule
from cleaner.visible import show_text

COUNT_KEYS = ("documents", "edits", "lines_removed", "chars_removed")


class StatsFileError(ValueError):
    """The stats file is missing, not JSON, or not in the documented shape."""


def read_rule_stats(path: Path) -> dict[str, dict[str, int]]:
    """Per-rule counts from a run's stats JSON (see the module docstring for the format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StatsFileError(f"{path}: cannot read stats: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise StatsFileError(f"{path}: not JSON: {exc}") from None
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise StatsFileError(f'{path}: expected {{"rules": {{"<rule id>": {{"documents": n, "edits": n, ...}}}}}}')
    return {rid: {k: int(v.get(k, 0)) for k in COUNT_KEYS} for rid, v in rules.items()}


def toml_value(value: Any) -> str:
    """A setting value as it would be written in a rule file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if value and "'''" not in value and "\n" not in value:
            return f"'''{value}'''"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) if not isinstance(v, str) else json.dumps(v) for v in value) + "]"
    return str(value)


def describe_rule(
    rule: Rule, *, stats: Mapping[str, Mapping[str, int]] | None = None, stats_name: str = "stats", root: Path = Path()
) -> str:
    kind = KINDS[rule.kind]
    source = Path(rule.source)
    if source.is_absolute() and source.is_relative_to(root.resolve()):
        source = source.relative_to(root.resolve())
    where = f"{source.as_posix()}:{rule.line}" if rule.line else source.as_posix()
    safety = "safe" if rule.safe else "unsafe: safe = false, runs only with --unsafe"
    out = [
        f"{rule.id}",
        f"  {rule.description}",
        "",
        f"kind:    {kind.name} — {kind.doc}",
        f"safety:  {safety}",
        f"defined: {where}",
    ]
    if kind.settings:
        out += ["", "settings:"]
        width = max(len(name) for name in kind.settings)
        for name, spec in kind.settings.items():
            value = rule.settings.get(name, spec.default)
            if spec.required:
                note = "(required)"
            elif value == spec.default:
                note = "(default)"
            else:
                note = f"(default: {toml_value(spec.default)})"
            out.append(f"  {name:<{width}} = {toml_value(value)}  {note}")
            choices = f" One of: {', '.join(repr(c) for c in spec.choices)}." if spec.choices else ""
            out.append(f"  {'':<{width}}   {spec.doc}{choices}")
    out += ["", "examples:"]
    for i, ex in enumerate(rule.examples, 1):
        if ex.get("unchanged"):
            out.append(f"  {i}. unchanged  {show_text(ex['input'])}")
        else:
            out.append(f"  {i}. changes    {show_text(ex['input'])}")
            out.append(f"     into       {show_text(ex['output']) or '∅ (empty)'}")
        if ex.get("note"):
            out.append(f"     note: {ex['note']}")
    if stats is not None:
        counts = stats.get(rule.id)
        out.append("")
        if not counts or not counts.get("edits"):
            out.append(f"in {stats_name}: did not fire")
        else:
            out.append(
                f"in {stats_name}: {counts['documents']} document(s), {counts['edits']} edit(s), "
                f"{counts['lines_removed']} line(s) and {counts['chars_removed']} char(s) removed"
            )
    return "\n".join(out)
