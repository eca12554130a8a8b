"""Where a document's time goes: CPU µs per document by component, in-process.

    python bench/components.py [--size small] [--docs N] [--extra-rules N]

Runs the default pipeline over the bench corpus (after a warm-up) with every step's
`find` and the match plan's scan timed (process CPU time, robust to other load on the
machine), and prints a table: the scan, each kind's steps, and the engine's own work
(passes, splices, skip checks: the total less the parts). `--extra-rules N` adds N
generated line rules of the usual shape (see `extra_rules`) to measure what more rules
cost. Used by bench/run.py for its component table and its "+30 rules" row.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.generate import DATA  # noqa: E402
from cleaner import load_rules  # noqa: E402

WORDS = ["promo", "teaser", "banner", "widget", "sidebar", "footer", "notice", "alert", "offer", "deal", "reader",
         "digest", "bulletin", "update", "briefing", "podcast", "webinar", "event", "survey", "poll"]  # fmt: skip
LEADS = ["Get the", "Join our", "Try the", "See our", "Read our", "Download the", "Listen to", "Watch the"]


def extra_rules(n: int, seed: int = 7) -> str:
    """N generated line rules of the shapes the default rules use (a lead phrase in
    several case-insensitive wordings, loose context, line anchors), each with examples."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        word = rng.choice(WORDS) + rng.choice(["", "s", " box", " bar", " hub"])
        lead = rng.choice(LEADS)
        kind = rng.choice(["drop_line", "drop_line", "strip_span"])
        if kind == "drop_line":
            pattern = rf"^[\s\u00a0|]*(?:[►▶»>•*][\s\u00a0]*)?(?i:{lead} {word}|{word} (?:now|today|here))\b.{{0,120}}$"
            examples = f'{{ input = "{lead} {word} now\\nBody.", output = "Body." }}'
        else:
            pattern = rf"[\s\u00a0]*\((?i:{word}|{lead} {word})[\s\u00a0]*:[^()\n]{{2,60}}\)[\s\u00a0]*$"
            examples = f'{{ input = "Body ({word}: x y z)", output = "Body" }}'
        out.append(
            f'[[rule]]\nid = "bench.extra-{i}"\nkind = "{kind}"\ndescription = "generated rule {i}"\n'
            f"pattern = '''{pattern}'''\n"
            f'examples = [{examples}, {{ input = "A {word} in a sentence.", unchanged = true }}]\n'
        )
    return "\n".join(out)


class Timed:
    """A step whose `find` adds its CPU time to a component (every other attribute is the step's)."""

    def __init__(self, step: Any, name: str, totals: dict[str, float]):
        self._step, self._name, self._totals = step, name, totals

    def __getattr__(self, name: str) -> Any:
        return getattr(self._step, name)

    def find(self, text: str, ctx: Any) -> Any:
        t = time.process_time()
        try:
            return self._step.find(text, ctx)
        finally:
            self._totals[self._name] += time.process_time() - t


def measure(docs: list[str], extra: int = 0, warmup: int = 200) -> tuple[dict[str, float], float]:
    """(CPU µs per document by component, MB per CPU second) of the default rules (+ `extra`)."""
    paths = []
    if extra:
        folder = Path(tempfile.mkdtemp(prefix="cleaner-bench-"))
        (folder / "extra.toml").write_text(extra_rules(extra), encoding="utf-8")
        paths.append(folder / "extra.toml")
    pipeline = load_rules(paths)
    for text in docs[:warmup]:
        pipeline.apply(text)
    totals: dict[str, float] = defaultdict(float)
    kinds = {"drop_line": "line rules", "strip_span": "line rules", "replace": "line rules", "drop_block": "line rules"}
    pipeline.steps = [
        Timed(s, kinds.get(r.kind, r.kind), totals) for r, s in zip(pipeline.rules, pipeline.steps, strict=True)
    ]
    plan = next((s.lines.plan for s in pipeline.steps if getattr(s, "lines", None) is not None), None)
    if plan is not None:
        find = plan._find

        def timed_find(text: str, ctx: Any) -> Any:
            t = time.process_time()
            try:
                return find(text, ctx)
            finally:
                totals["match plan scan"] += time.process_time() - t

        plan._find = timed_find
    start = time.process_time()
    for text in docs:
        pipeline.apply(text)
    total = time.process_time() - start
    n = len(docs)
    table = {name: seconds / n * 1e6 for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])}
    table["engine (passes, splices, skips)"] = (total - sum(totals.values())) / n * 1e6
    table["total"] = total / n * 1e6
    return table, sum(len(t.encode()) for t in docs) / total / 1e6


def load_docs(size: str, limit: int) -> list[str]:
    docs = []
    with open(DATA / size / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            docs.append(json.loads(line)["text"])
            if len(docs) >= limit:
                break
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--extra-rules", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print {table, mb_per_cpu_s} as JSON")
    args = parser.parse_args()
    table, rate = measure(load_docs(args.size, args.docs), args.extra_rules)
    if args.json:
        print(json.dumps({"table": table, "mb_per_cpu_s": rate}))
        return
    for name, us in table.items():
        print(f"{name:40s} {us:8.1f} µs/doc")
    print(f"{'MB per CPU s':40s} {rate:8.1f}")


if __name__ == "__main__":
    main()
