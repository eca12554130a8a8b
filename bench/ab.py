"""A/B: the default pipeline of two source trees over the same documents, CPU time, alternated.

    git archive <commit> | tar -x -C /tmp/base      # the tree to compare against
    python bench/ab.py /tmp/base . [--docs 3000] [--rounds 2]

Each measurement runs in its own process (one `cleaner` package per process): load the
rules, warm up on 300 documents, then time `Pipeline.apply` over the next N documents of
the small bench corpus with process CPU time, which other load on the machine disturbs
far less than wall time. Trees alternate, so both see the same load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

_RUN = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from cleaner import load_rules
pipeline = load_rules()
docs = []
with open(sys.argv[2], encoding="utf-8") as fh:
    for line in fh:
        docs.append(json.loads(line)["text"])
        if len(docs) >= 300 + int(sys.argv[3]):
            break
for text in docs[:300]:
    pipeline.apply(text)
docs = docs[300:]
start = time.process_time()
for text in docs:
    pipeline.apply(text)
seconds = time.process_time() - start
print(sum(len(t.encode()) for t in docs) / seconds / 1e6, seconds / len(docs) * 1e6)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=BENCH / "data" / "small" / "corpus.jsonl")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for tree in args.trees:
            cmd = [sys.executable, "-c", _RUN, str(tree.resolve()), str(args.corpus), str(args.docs)]
            rate, us = map(float, subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split())
            print(f"{tree}: {rate:.1f} MB per CPU s ({us:.0f} µs/doc)")


if __name__ == "__main__":
    main()
