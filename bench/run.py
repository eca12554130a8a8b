"""`make bench`: cleaner against a naive script and grep, on the same corpus, in one run.

    python bench/run.py [--size small|full] [--repeat N]

Measures, each as a separate process timed from the outside (start-up included):
- cleaner with 1 and 2 workers (the real CLI, full default rules, JSONL in and out);
- the naive baseline (bench/naive.py: stdlib json, ftfy.fix_text on every document,
  every drop-line pattern on every line);
- `LC_ALL=C grep -v -E -f patterns.ere` on the plain-text form (bench/ere.py).

MB/s are megabytes (10^6) of document text (the UTF-8 `text` fields, the same bytes
for every tool) per second of wall time, the median of `--repeat` runs; peak RSS is
that of the largest process of the run (for cleaner also per role, from --stats-json).
Prints a table and writes bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.generate import DATA, SIZES, write  # noqa: E402

# Runs one command, then reports its wall time and the peak RSS of its largest process
# (RUSAGE_CHILDREN covers every descendant that was waited for, e.g. pool workers).
_MEASURE = """
import resource, subprocess, sys, time
out = open(sys.argv[1], "wb")
t = time.perf_counter()
rc = subprocess.call(sys.argv[2:], stdout=out, env=None)
dt = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(rc, dt, r.ru_maxrss / 1024, r.ru_utime + r.ru_stime)
"""


@dataclass
class Measure:
    name: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds of all its processes
    detail: str = ""

    def add(self, seconds: float, rss: float, cpu: float) -> None:
        self.seconds.append(seconds)
        self.rss_mb.append(rss)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(cmd: list[str], stdout: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(stdout), *cmd], capture_output=True, text=True, env=env, check=False
    )
    fields = proc.stdout.split()
    if proc.returncode != 0 or len(fields) != 4 or fields[0] not in ("0", "1"):
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return float(fields[1]), float(fields[2]), float(fields[3])


def corpus(size: str) -> Path:
    folder = DATA / size
    if not (folder / "corpus.jsonl").exists() or not (folder / "docs").exists():
        print(f"generating the {size} corpus (~{SIZES[size] // 1_000_000} MB) in {folder} ...", file=sys.stderr)
        write(size)
    return folder


def text_bytes(folder: Path) -> int:
    cached = folder / "text_bytes"
    if cached.exists():
        return int(cached.read_text())
    total = 0
    with open(folder / "corpus.jsonl", "rb") as fh:
        for line in fh:
            total += len(json.loads(line)["text"].encode("utf-8"))
    cached.write_text(f"{total}\n")
    return total


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    grep = subprocess.run(["grep", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return (
        f"{model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {grep}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="cleaner vs a naive script vs grep")
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("BENCH_SIZE", "full"))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--naive-repeat", type=int, default=int(os.environ.get("BENCH_NAIVE_REPEAT", "1")))
    parser.add_argument("--out", type=Path, default=BENCH / "results.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    folder = corpus(args.size)
    jsonl, txt = folder / "corpus.jsonl", folder / "corpus.txt"
    docs = int((folder / "docs").read_text())
    size = text_bytes(folder)
    work = folder / "out"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    patterns = work / "patterns.ere"
    subprocess.run([sys.executable, str(BENCH / "ere.py")], stdout=open(patterns, "w"), check=True, cwd=ROOT)  # noqa: SIM115
    cleaner = str(Path(sys.executable).with_name("cleaner"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    runs: list[Measure] = []
    for workers in (1, 2):
        m = Measure(f"cleaner, {workers} worker{'s' if workers > 1 else ''}")
        stats = work / f"stats-{workers}.json"
        for _ in range(args.repeat):
            out = work / f"clean-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            cmd = [cleaner, "run", str(jsonl), "-o", str(out), "--workers", str(workers), "-q"]
            m.add(*measure([*cmd, "--stats-json", str(stats)], work / "stdout", env))
        peak = json.loads(stats.read_text())["totals"]["peak_rss_mb"]
        m.detail = f"main {peak['main']:.0f} MB" + (f", worker {peak['largest_worker']:.0f} MB" if workers > 1 else "")
        runs.append(m)
    naive = Measure("naive Python (json + ftfy + per-line regex)")
    for _ in range(args.naive_repeat):
        naive.add(*measure([sys.executable, str(BENCH / "naive.py"), str(jsonl), str(work / "naive.jsonl")],
                           work / "stdout", env))  # fmt: skip
    grep = Measure("LC_ALL=C grep -v -E -f (drop-line patterns)")
    for _ in range(args.repeat):
        grep.add(*measure(["env", "LC_ALL=C", "grep", "-v", "-E", "-f", str(patterns), str(txt)],
                          work / "grep.txt", env))  # fmt: skip

    peers = [m for m in [datatrove_peer(jsonl, work, env, args.repeat)] if m is not None]
    components = component_tables(args.size, env)

    load = (load_before, os.getloadavg()[0])
    report = render(runs, naive, grep, size, docs, jsonl.stat().st_size, args, load, peers, components)
    print(report)
    args.out.write_text(report)
    print(f"wrote {args.out}", file=sys.stderr)


def datatrove_peer(jsonl: Path, work: Path, env: dict[str, str], repeat: int) -> Measure | None:
    """datatrove's stock steps that correspond to cleaner's (bench/datatrove_peer.py), run with
    the interpreter in $DATATROVE_PYTHON (its own environment), or this one if it has datatrove."""
    python = os.environ.get("DATATROVE_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import datatrove"], capture_output=True, check=False)
    if probe.returncode != 0:
        print("datatrove is not installed (set DATATROVE_PYTHON to a Python that has it): no peer row", file=sys.stderr)
        return None
    m = Measure("datatrove (JsonlReader, FTFYFormatter, C4QualityFilter lines, JsonlWriter)")
    for _ in range(repeat):
        out = work / "datatrove"
        shutil.rmtree(out, ignore_errors=True)
        m.add(*measure([python, str(BENCH / "datatrove_peer.py"), str(jsonl), str(out)], work / "stdout", env))
    return m


def component_tables(size: str, env: dict[str, str]) -> dict[str, Any]:
    """CPU µs per document by component (bench/components.py), with the default rules and
    with 30 more generated line rules of the usual shape."""
    out = {}
    for extra in (0, 30):
        cmd = [sys.executable, str(BENCH / "components.py"), "--size", size, "--extra-rules", str(extra), "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        out[extra] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def render(
    runs: list[Measure],
    naive: Measure,
    grep: Measure,
    size: int,
    docs: int,
    jsonl_bytes: int,
    args,
    load,
    peers: list[Measure] = (),  # type: ignore[assignment]
    components: dict[int, Any] | None = None,
) -> str:
    def mbs(m: Measure) -> float:
        return size / m.median / 1e6

    def per_cpu(m: Measure) -> float:
        return size / statistics.median(m.cpu) / 1e6

    rows = [
        "| tool | MB/s | docs/s | peak RSS (MB) | × naive | grep ÷ this | CPU s | MB per CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in [*runs, *peers, naive, grep]:
        rss = f"{max(m.rss_mb):.0f}" + (f" ({m.detail})" if m.detail else "")
        rows.append(
            f"| {m.name} | {mbs(m):.1f} | {docs / m.median:,.0f} | {rss} | {mbs(m) / mbs(naive):.1f}× "
            f"| {mbs(grep) / mbs(m):.1f} | {statistics.median(m.cpu):.1f} | {per_cpu(m):.1f} |"
        )
    runs_note = f"median of {args.repeat} runs ({args.naive_repeat} for the naive baseline)"
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Machine: {machine()}.",
            "",
            f"Corpus: `{args.size}`, {docs:,} documents, {size / 1e6:.1f} MB of text "
            f"({jsonl_bytes / 1e6:.1f} MB as JSONL), from `bench/generate.py`. MB/s are MB of document text "
            f"per second of wall time, start-up included, {runs_note}; peak RSS is the largest process of a run. "
            "CPU s: user + system seconds of all the run's processes; MB per CPU s is what one fully "
            "available core would do.",
            "",
            f"Load average (1 min) before and after the runs: {load[0]:.1f}, {load[1]:.1f} "
            f"(the machine has {os.cpu_count()} cores; other work on it slows the wall-clock numbers).",
            "",
            *rows,
            "",
            *component_rows(components),
            "Reproduce: `make bench` (full corpus) or `make bench BENCH_SIZE=small`.",
            "",
        ]
    )


def component_rows(components: dict[int, Any] | None) -> list[str]:
    if not components:
        return []
    base, more = components[0], components[30]
    rows = [
        "Where a document's time goes (`bench/components.py`, in one process after a warm-up, CPU µs per "
        "document, first 3,000 documents of the corpus), with the default rules and with 30 more generated "
        "line rules of the usual shape:",
        "",
        "| component | default rules | +30 line rules |",
        "|---|---:|---:|",
    ]
    for name, us in base["table"].items():
        rows.append(f"| {name} | {us:.1f} | {more['table'].get(name, 0.0):.1f} |")
    cost = 1 - more["mb_per_cpu_s"] / base["mb_per_cpu_s"]
    rows += [
        f"| MB per CPU s | {base['mb_per_cpu_s']:.1f} | {more['mb_per_cpu_s']:.1f} |",
        "",
        f"30 more line rules cost {cost:.1%} of the throughput (target: under 10%).",
        "",
    ]
    return rows


if __name__ == "__main__":
    main()
