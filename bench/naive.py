"""The naive baseline: what a first script does, with the same drop-line patterns.

Standard-library json, `ftfy.fix_text` (default settings) on every document, then every
drop-line pattern of the default rules searched on every line. One process.

    python bench/naive.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import json
import sys

import ftfy


def main() -> None:
    from bench.ere import drop_line_patterns

    patterns = [p for _, p in drop_line_patterns()]
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as inp, open(dst, "w", encoding="utf-8") as out:
        for raw in inp:
            record = json.loads(raw)
            text = ftfy.fix_text(record["text"])
            lines = [line for line in text.split("\n") if not any(p.search(line) for p in patterns)]
            record["text"] = "\n".join(lines)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
