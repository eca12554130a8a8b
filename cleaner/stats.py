"""Counting what a run did, per rule and in total, for summaries, stats files and reports.

Counts are plain data so workers can return partial counts and the parent can add them.
Accounting invariant: read == written + quarantined + dropped_empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from cleaner.model import Edit


@dataclass
class RuleCounts:
    documents: int = 0
    edits: int = 0
    lines_removed: int = 0
    chars_removed: int = 0

    def add(self, other: RuleCounts) -> None:
        self.documents += other.documents
        self.edits += other.edits
        self.lines_removed += other.lines_removed
        self.chars_removed += other.chars_removed


@dataclass
class RunStats:
    read: int = 0
    written: int = 0
    quarantined: int = 0
    dropped_empty: int = 0
    changed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    per_rule: dict[str, RuleCounts] = field(default_factory=dict)

    def add_edits(self, edits: Iterable[Edit]) -> None:
        touched: set[str] = set()
        for e in edits:
            c = self.per_rule.get(e.rule_id)
            if c is None:
                c = self.per_rule[e.rule_id] = RuleCounts()
            c.edits += 1
            c.lines_removed += max(e.lines_removed, 0)
            c.chars_removed += e.chars_removed
            touched.add(e.rule_id)
        for rule_id in touched:
            self.per_rule[rule_id].documents += 1
        if touched:
            self.changed += 1

    def merge(self, other: RunStats) -> None:
        for name in ("read", "written", "quarantined", "dropped_empty", "changed", "bytes_in", "bytes_out"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for rule_id, counts in other.per_rule.items():
            self.per_rule.setdefault(rule_id, RuleCounts()).add(counts)

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.quarantined + self.dropped_empty

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": {
                "read": self.read,
                "written": self.written,
                "quarantined": self.quarantined,
                "dropped_empty": self.dropped_empty,
                "changed": self.changed,
                "bytes_in": self.bytes_in,
                "bytes_out": self.bytes_out,
            },
            "rules": {r: asdict(c) for r, c in self.per_rule.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunStats:
        stats = cls(**data["totals"])
        stats.per_rule = {r: RuleCounts(**c) for r, c in data["rules"].items()}
        return stats

    def summary(self, rule_order: Iterable[str] = ()) -> str:
        known = list(rule_order)
        order = [r for r in known if r in self.per_rule] + sorted(set(self.per_rule) - set(known))
        width = max([len(r) for r in order] + [4])
        dropped = f", {self.dropped_empty} dropped empty" if self.dropped_empty else ""
        lines = [
            f"documents: {self.read} read, {self.written} written, {self.quarantined} quarantined{dropped}; "
            f"{self.changed} changed",
        ]
        if order:
            lines.append(f"{'rule':<{width}}  {'docs':>7}  {'edits':>8}  {'lines -':>8}  {'chars -':>10}")
            for r in order:
                c = self.per_rule[r]
                lines.append(
                    f"{r:<{width}}  {c.documents:>7}  {c.edits:>8}  {c.lines_removed:>8}  {c.chars_removed:>10}"
                )
        else:
            lines.append("no rule changed anything")
        return "\n".join(lines)
