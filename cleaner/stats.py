"""Counting what the rules did, per rule and in total, for summaries and reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cleaner.model import Edit


@dataclass
class RuleCounts:
    documents: int = 0
    edits: int = 0
    lines_removed: int = 0
    chars_removed: int = 0


@dataclass
class RunStats:
    read: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    changed: int = 0
    per_rule: dict[str, RuleCounts] = field(default_factory=dict)

    def add_edits(self, edits: Iterable[Edit]) -> None:
        touched: set[str] = set()
        for e in edits:
            c = self.per_rule.setdefault(e.rule_id, RuleCounts())
            c.edits += 1
            c.lines_removed += max(e.lines_removed, 0)
            c.chars_removed += e.chars_removed
            touched.add(e.rule_id)
        for rule_id in touched:
            self.per_rule[rule_id].documents += 1
        if touched:
            self.changed += 1

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.skipped + self.failed

    def summary(self, rule_order: Iterable[str] = ()) -> str:
        known = list(rule_order)
        order = [r for r in known if r in self.per_rule] + sorted(set(self.per_rule) - set(known))
        width = max([len(r) for r in order] + [4])
        lines = [
            f"documents: {self.read} read, {self.written} written, {self.changed} changed, "
            f"{self.skipped} skipped, {self.failed} failed",
        ]
        if order:
            lines.append(f"{'rule':<{width}}  {'docs':>5}  {'edits':>6}  {'lines -':>7}  {'chars -':>8}")
            for r in order:
                c = self.per_rule[r]
                lines.append(
                    f"{r:<{width}}  {c.documents:>5}  {c.edits:>6}  {c.lines_removed:>7}  {c.chars_removed:>8}"
                )
        else:
            lines.append("no rule changed anything")
        return "\n".join(lines)
