"""Choosing which loaded rules run: `select` / `ignore` by id or id prefix, and `unsafe`.

One function, used by every command, the Python API and the pytest plugin, so a
selection means the same thing everywhere. A selector is a rule id (`ads.marker`) or a
dotted prefix (`promo.` or `promo`: the whole family); prefixes end on a dot boundary,
so `promo` never selects `promotion.x`. A selector that matches no loaded rule is an
error naming it: a typo must not silently turn a rule family off (or everything else).
Rules marked `safe = false` may remove content; they run only with `unsafe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from cleaner.engine import Pipeline, register
from cleaner.kinds.base import Rule
from cleaner.suggest import close_names


class SelectionError(ValueError):
    """A selector names no rule, or selects only unsafe rules without `unsafe`."""


def matches(selector: str, rule_id: str) -> bool:
    """Whether `selector` (an id or a dotted prefix) names `rule_id`."""
    if rule_id == selector:
        return True
    prefix = selector if selector.endswith(".") else selector + "."
    return rule_id.startswith(prefix)


def parse_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Split comma-separated values (`--select promo.,ads.`) and drop blanks."""
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


def select_rules(
    pipeline: Pipeline, select: Sequence[str] = (), ignore: Sequence[str] = (), *, unsafe: bool = False
) -> Pipeline:
    """The sub-pipeline to run, in the original order.

    `select` (empty: all rules) keeps the rules any selector names; `ignore` then
    removes the rules any of its selectors names; without `unsafe`, rules marked
    `safe = false` are left out.
    """
    ids = [r.id for r in pipeline.rules]
    for option, selectors in (("select", select), ("ignore", ignore)):
        for sel in selectors:
            if not any(matches(sel, i) for i in ids):
                raise SelectionError(f"{option}: {sel!r} matches no rule{_suggest(sel, ids)}")
    if not unsafe:
        for sel in select:
            named = [r for r in pipeline.rules if matches(sel, r.id)]
            if named and all(not r.safe for r in named):
                unsafe_ids = ", ".join(r.id for r in named)
                raise SelectionError(
                    f"select: {sel!r} names only rules marked safe = false ({unsafe_ids}); add --unsafe to run them"
                )

    def keep(rule: Rule) -> bool:
        if select and not any(matches(s, rule.id) for s in select):
            return False
        if any(matches(s, rule.id) for s in ignore):
            return False
        return unsafe or rule.safe

    chosen = [(r, s) for r, s in zip(pipeline.rules, pipeline.steps, strict=True) if keep(r)]
    spec = pipeline.spec
    if spec is not None:
        spec = replace(spec, select=tuple(select), ignore=tuple(ignore), unsafe=unsafe)
    chosen_pipeline = replace(pipeline, rules=[r for r, _ in chosen], steps=[s for _, s in chosen], spec=spec)
    return register(chosen_pipeline)


def _suggest(selector: str, ids: list[str]) -> str:
    families = sorted({i.split(".")[0] + "." for i in ids})
    close = close_names(selector, [*ids, *families])
    return f" (did you mean {', '.join(close)}?)" if close else f" (families: {', '.join(families)})"
