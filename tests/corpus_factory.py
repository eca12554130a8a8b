"""Small corpora built from the seeds, for corpus-run tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from .conftest import ROOT

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]


def records(n: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"doc-{start + i}", "url": f"https://example.org/{start + i}", "text": SEED_TEXTS[i % 5],
         "meta": {"n": start + i, "tags": ["a", "b"]}, "score": 0.5}
        for i in range(n)
    ]  # fmt: skip


def write_jsonl(path: Path, recs: list, extra_lines: list[str] = ()) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False) for r in recs] + list(extra_lines)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    elif path.name.endswith(".zst"):
        import zstandard

        path.write_bytes(zstandard.ZstdCompressor().compress(data))
    else:
        path.write_bytes(data)
    return data


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]
