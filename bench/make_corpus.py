"""Build a JSONL benchmark corpus from the seeds' paragraphs (the data is not committed).

    python bench/make_corpus.py /tmp/corpus --mb 250 --shards 8

Each record is ~3 KB: a random run of paragraphs from the five seed documents (their
boilerplate lines included, so the rules have work to do), with an id, a URL and a
small metadata object. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for the shards (part-00000.jsonl, …)")
    parser.add_argument("--mb", type=float, default=250, help="total size in MB (default 250)")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    docs = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SEEDS.iterdir())]
    rng = random.Random(args.seed)
    per_shard = int(args.mb * 1e6 / args.shards)
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for shard in range(args.shards):
        size = 0
        with open(args.out / f"part-{shard:05d}.jsonl", "wb") as fh:
            while size < per_shard:
                lines = rng.choice(docs)
                start = rng.randrange(len(lines))
                text, end = [], start
                while sum(len(x) + 1 for x in text) < 3000 and end < len(lines):
                    text.append(lines[end])
                    end += 1
                record = {"id": f"doc-{n}", "url": f"https://example.org/{n}", "text": "\n".join(text) + "\n",
                          "meta": {"shard": shard, "source": "seeds"}}  # fmt: skip
                line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
                fh.write(line)
                size += len(line)
                n += 1
    print(f"{n} records, {args.shards} shards in {args.out}")


if __name__ == "__main__":
    main()
