"""`make bench-dedup`: cleaner dedup against datasketch (and rensa) on a planted corpus, in one run.

    python bench/dedup_bench.py --size small|medium|full [--no-baselines]

1. Generates bench/data/dedup-SIZE/corpus.jsonl (bench/dedup_planted.py) if missing.
2. MinHash alone: signatures of the same documents (word 5-grams, 128 permutations) with
   datasketch, rensa and cleaner's numpy code; documents per CPU second.
3. Whole dedup: `cleaner dedup` (1 and 2 workers) and datasketch's MinHashLSH (same
   permutations, bands and rows; candidates verified by estimated Jaccard, as datasketch
   users do), and rensa's RMinHashLSH, each in its own process: CPU seconds, wall seconds,
   peak RSS, and precision/recall of the removals against the exact Jaccard.
Writes the table to stdout and bench/dedup_results.md. CPU time is the figure to compare
on a shared machine (wall time depends on the load); ratios are within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_planted import write_jsonl  # noqa: E402
from bench.dedup_score import read_jsonl, score  # noqa: E402

SIZES = {"tiny": (60, 600), "small": (300, 3000), "medium": (1500, 15000), "full": (6000, 122000)}
THRESHOLD, NGRAM = 0.8, 5


def shingle_strings(text: str) -> list[str]:
    from cleaner.dedup.shingles import words

    w = words(text)
    if len(w) < NGRAM:
        return [" ".join(w)] if w else []
    return [" ".join(w[i : i + NGRAM]) for i in range(len(w) - NGRAM + 1)]


def params():
    from cleaner.dedup.minhash import choose_params

    return choose_params(THRESHOLD)


# --- contenders, each run in its own process --------------------------------------------


def contender_datasketch(corpus: Path, out: Path) -> None:
    from datasketch import MinHash, MinHashLSH

    p = params()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=p.num_perm, params=(p.bands, p.rows))
    kept: dict[str, MinHash] = {}
    with open(corpus, "rb") as fh, open(out, "w", encoding="utf-8") as clusters:
        for line in fh:
            rec = json.loads(line)
            m = MinHash(num_perm=p.num_perm, seed=1)
            m.update_batch([s.encode("utf-8") for s in shingle_strings(rec["text"])])
            best = None
            for cand in lsh.query(m):
                j = m.jaccard(kept[cand])
                if j >= THRESHOLD and (best is None or j > best[1]):
                    best = (cand, j)
            if best is None:
                kept[rec["id"]] = m
                lsh.insert(rec["id"], m)
            else:
                clusters.write(json.dumps({"id": rec["id"], "kept": {"id": best[0]}, "similarity": best[1]}) + "\n")


def contender_rensa(corpus: Path, out: Path) -> None:
    from rensa import RMinHash, RMinHashLSH

    p = params()
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=p.num_perm, num_bands=p.bands)
    kept: dict[int, tuple[str, RMinHash]] = {}
    with open(corpus, "rb") as fh, open(out, "w", encoding="utf-8") as clusters:
        for n, line in enumerate(fh):
            rec = json.loads(line)
            m = RMinHash(num_perm=p.num_perm, seed=1)
            m.update(shingle_strings(rec["text"]))
            best = None
            for cand in lsh.query(m):
                j = m.jaccard(kept[cand][1])
                if j >= THRESHOLD and (best is None or j > best[1]):
                    best = (kept[cand][0], j)
            if best is None:
                kept[n] = (rec["id"], m)
                lsh.insert(n, m)
            else:
                clusters.write(json.dumps({"id": rec["id"], "kept": {"id": best[0]}, "similarity": best[1]}) + "\n")


def minhash_only(corpus: Path, limit: int) -> dict[str, float]:
    """Documents per CPU second of signatures alone (shingling included), per library."""
    import numpy as np

    from cleaner.dedup.minhash import MinHasher
    from cleaner.dedup.shingles import shingle_set

    texts = []
    with open(corpus, "rb") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    p = params()
    rates = {}
    t = time.process_time()
    hasher = MinHasher(p)
    for i in range(0, len(texts), 1000):
        sets = [shingle_set(x, NGRAM) for x in texts[i : i + 1000]]
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
        hasher.signatures(np.concatenate(sets), offsets)
    rates["cleaner (numpy)"] = len(texts) / (time.process_time() - t)
    try:
        from rensa import RMinHash

        t = time.process_time()
        for x in texts:
            RMinHash(num_perm=p.num_perm, seed=1).update(shingle_strings(x))
        rates["rensa"] = len(texts) / (time.process_time() - t)
    except ImportError:
        pass
    from datasketch import MinHash

    t = time.process_time()
    for x in texts:
        MinHash(num_perm=p.num_perm, seed=1).update_batch([s.encode("utf-8") for s in shingle_strings(x)])
    rates["datasketch"] = len(texts) / (time.process_time() - t)
    return rates


# --- measuring ----------------------------------------------------------------------------


def measure(cmd: list[str], docs: int) -> dict[str, float]:
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"cpu_s": cpu, "wall_s": wall, "docs_per_cpu_s": docs / cpu, "docs_per_s": docs / wall,
            "rss_mb": usage.ru_maxrss / 1024}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument("--no-baselines", action="store_true", help="Only cleaner (for the memory check at full size).")
    ap.add_argument("--contender", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.contender:
        {"datasketch": contender_datasketch, "rensa": contender_rensa}[args.contender](Path(args.corpus),
                                                                                         Path(args.out))  # fmt: skip
        return

    data = ROOT / "bench" / "data" / f"dedup-{args.size}"
    data.mkdir(parents=True, exist_ok=True)
    corpus = data / "corpus.jsonl"
    if not corpus.exists():
        print(f"generating {corpus} ...", file=sys.stderr)
        write_jsonl(str(corpus), *SIZES[args.size])
    records = read_jsonl(str(corpus))
    docs = len(records)
    print(f"corpus: {docs} documents, {corpus.stat().st_size / 1e6:.1f} MB; {params()}", file=sys.stderr)

    rows = []
    cleaner = [sys.executable, "-m", "cleaner", "dedup", str(corpus), "-q"]
    for workers in (1, 2):
        out = data / f"out-w{workers}"
        clusters = data / f"clusters-w{workers}.jsonl"
        stats = data / f"stats-w{workers}.json"
        m = measure([*cleaner, "-o", str(out), "--clusters", str(clusters), "--workers", str(workers),
                     "--stats-json", str(stats)], docs)  # fmt: skip
        peak = json.loads(stats.read_text("utf-8"))["totals"]["peak_rss_mb"]
        m["rss_mb"] = max(peak["main"], peak["largest_worker"])
        rows.append((f"cleaner dedup --workers {workers}", m, score(records, read_jsonl(str(clusters)))))
    if not args.no_baselines:
        for name in ("datasketch", "rensa"):
            clusters = data / f"clusters-{name}.jsonl"
            cmd = [sys.executable, str(Path(__file__)), "--contender", name, "--corpus", str(corpus),
                   "--out", str(clusters)]  # fmt: skip
            try:
                m = measure(cmd, docs)
            except SystemExit as exc:
                print(f"{name}: skipped ({str(exc).splitlines()[-1]})", file=sys.stderr)
                continue
            rows.append((f"{name} MinHashLSH", m, score(records, read_jsonl(str(clusters)))))
    ours = rows[0][1]["docs_per_cpu_s"]
    lines = [
        f"Corpus: {docs:,} documents ({corpus.stat().st_size / 1e6:.1f} MB), planted near-duplicates; "
        f"threshold {THRESHOLD}, word {NGRAM}-grams, {params().num_perm} permutations = "
        f"{params().bands} bands x {params().rows} rows. Machine: {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| contender | docs / CPU s | docs / s (wall) | CPU s | peak RSS MB | recall (J >= 0.85) "
        "| precision (J >= 0.7) | cleaner --workers 1 is faster by (docs / CPU s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m, s in rows:
        lines.append(f"| {name} | {m['docs_per_cpu_s']:,.0f} | {m['docs_per_s']:,.0f} | {m['cpu_s']:.1f} | "
                     f"{m['rss_mb']:.0f} | {s.recall:.4f} ({s.found_pairs}/{s.true_pairs}) | "
                     f"{s.precision:.4f} ({s.precise_removals}/{s.removals}) | "
                     f"{ours / m['docs_per_cpu_s']:.1f}x |")  # fmt: skip
    if not args.no_baselines:
        rates = minhash_only(corpus, min(docs, 5000))
        lines += ["", "MinHash signatures alone (shingling included), same documents:", "",
                  "| library | docs / CPU s |", "|---|---|"]  # fmt: skip
        lines += [f"| {k} | {v:,.0f} |" for k, v in rates.items()]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / f"dedup_results-{args.size}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
