"""What the watchdog costs a healthy run, in CPU seconds (robust to a shared machine's load).

    python bench/watchdog_overhead.py [--records 500] [--batches 10] [--repeat 3]

First the fixed cost per record of the guard alone (timer armed and disarmed, beacon
written), which is precise; then two ratios, each against its baseline measured in the
same run, best of `--repeat` (on a loaded machine these wobble by more than the cost):
- the per-record budget (`--record-timeout`: a timer armed and disarmed per record,
  plus the beacon write) against the same batches with it off (`--record-timeout 0`),
  cleaned in this process;
- cleaning in a watched one-worker pool (what `--workers 1` does now) against cleaning
  inline in this process (what it did before), CPU of this process and its children.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner import load_rules
from cleaner.runner import work
from cleaner.runner.options import RunOptions
from cleaner.runner.pool import ordered_results
from cleaner.runner.tasks import Task
from tests.corpus_factory import records


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = cpu()
        fn()
        times.append(cpu() - start)
    return min(times)


def guard_cost(n: int = 200_000) -> float:
    """CPU seconds per record of the guard alone: the timer armed and disarmed, the beacon written."""
    from cleaner.runner import beacon
    from cleaner.runner.deadline import deadlines, record_deadline

    beacon.enter(beacon.take())
    with deadlines():
        start = cpu()
        for i in range(n):
            with record_deadline(60):
                beacon.mark(i)
        cost = cpu() - start
    beacon.enter(None)
    return cost / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pipeline = load_rules()
    lines = [(i + 1, json.dumps(r).encode() + b"\n") for i, r in enumerate(records(args.records))]
    tasks = [Task(0, k, "jsonl", "b.jsonl", lines, last=k == args.batches - 1) for k in range(args.batches)]
    mb = sum(len(raw) for _, raw in lines) * args.batches / 1e6

    def inline() -> None:
        for task in tasks:
            work.run_task(task)

    def with_budget(seconds: float):
        def run() -> None:
            work.set_pipeline(pipeline, RunOptions(workers=1, record_timeout=seconds))
            inline()

        return run

    work.set_pipeline(pipeline, RunOptions(workers=1))
    inline()  # warm up
    off = on = float("inf")
    for _ in range(args.repeat):  # interleaved, so a change in the machine's load hits both alike
        off = min(off, best(with_budget(0), 1))
        on = min(on, best(with_budget(60), 1))
    pooled = best(lambda: list(ordered_results(tasks, 1)), args.repeat)
    print(f"guard alone: {guard_cost() * 1e6:.2f} µs CPU per record")
    print(f"{mb:.1f} MB of JSONL, {args.records * args.batches} records, best of {args.repeat}, CPU seconds")
    print(f"record budget off (inline)        {off:7.2f} s")
    print(f"record budget on  (inline)        {on:7.2f} s   ratio {on / off:.3f}")
    print(f"record budget on, one-worker pool {pooled:7.2f} s   ratio to inline {pooled / on:.3f}")


if __name__ == "__main__":
    main()
