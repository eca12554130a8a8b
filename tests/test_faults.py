"""Faults during a run: kill -9 at many points, failed writes, crashing workers.

Each fault is real: runs are killed with SIGKILL, writes fail because the process may
not write more bytes (RLIMIT_FSIZE, the kernel's "File too large", as a full disk would
fail them), and workers die with os._exit (tests/faulty.py). After each, the outputs
are compared byte for byte with an uninterrupted run's.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cleaner.runner.pool import CRASHED_DOCUMENT, CRASHED_RECORD, stuck_record_reason

from .conftest import ROOT, run_cli
from .corpus_factory import read_jsonl, records, write_jsonl


def make_corpus(root: Path, files: int = 6, per_file: int = 60) -> None:
    """JSONL (plain, gzip, zstd) and text files, with a broken record in each JSONL file."""
    suffixes = [".jsonl", ".jsonl.gz", ".jsonl.zst"]
    for i in range(files):
        write_jsonl(root / f"part-{i:02d}{suffixes[i % 3]}", records(per_file, start=i * per_file), ["oops"])
    for i in range(4):
        (root / "pages" / f"page-{i}.txt").parent.mkdir(exist_ok=True)
        (root / "pages" / f"page-{i}.txt").write_text(f"Advertisement\nPage {i} body.\n" * 200, encoding="utf-8")


def tree(out: Path) -> dict[str, bytes]:
    """Every file under `out` (outside the state folder), by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".cleaner-run" not in p.parts}  # fmt: skip


def is_temporary(name: str) -> bool:
    """A sink's temporary name: hidden and ending in .part, never a final output name."""
    base = Path(name).name
    return base.startswith(".") and base.endswith(".part")


def ids(out: Path) -> Counter:
    found: Counter = Counter()
    for p in out.rglob("*.jsonl*"):
        if ".cleaner-run" not in p.parts:
            found.update(r["id"] for r in read_jsonl(p))
    return found


def totals(path: Path) -> dict:
    t = json.loads(path.read_text("utf-8"))["totals"]
    return {k: t[k] for k in ("read", "written", "quarantined", "changed", "bytes_in", "bytes_out")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus and its uninterrupted run (outputs, quarantine, counts, duration)."""
    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root / "in")
    start = time.monotonic()
    r = run_cli("run", str(root / "in"), "-o", str(root / "ref"), "-q", "--workers", "2",
                "--stats-json", str(root / "ref.json"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    return {"root": root, "src": root / "in", "ref": tree(root / "ref"), "ids": ids(root / "ref"),
            "quarantine": (root / "ref.quarantine.jsonl").read_bytes(), "totals": totals(root / "ref.json"),
            "seconds": time.monotonic() - start}  # fmt: skip


def assert_same_as_reference(corpus, out: Path, stats: Path) -> None:
    assert tree(out) == corpus["ref"]
    assert ids(out) == corpus["ids"]  # no duplicate, no missing record
    assert max(ids(out).values()) == 1
    assert Path(f"{out}.quarantine.jsonl").read_bytes() == corpus["quarantine"]
    assert totals(stats) == corpus["totals"]
    assert not [p for p in out.rglob("*.part")]


# --- kill -9 -----------------------------------------------------------------------------


def start_run(src: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cleaner", "run", str(src), "-o", str(out), "-q", "--workers", "2"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip


def kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the run (and its workers) after `delay` seconds; whether it was still running."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


@pytest.mark.slow
def test_kill_at_many_points_then_resume(corpus, tmp_path):
    """Kill a real run at 14 points from start-up to the end (and kill some resumes too);
    --resume always ends byte-identical to the uninterrupted run."""
    span = corpus["seconds"] * 1.1
    delays = [span * k / 13 for k in range(14)]
    killed = 0
    for k, delay in enumerate(delays):
        out = tmp_path / f"out{k}"
        killed += kill_after(start_run(corpus["src"], out), delay)
        if out.exists():  # whatever has a final name is complete; temporary names may be partial
            for name, data in tree(out).items():
                if not is_temporary(name):
                    assert data == corpus["ref"][name], f"partial file {name} after a kill at {delay:.2f}s"
        if k % 3 == 1:  # kill the resume as well, then resume again
            proc = subprocess.Popen([sys.executable, "-m", "cleaner", "run", str(corpus["src"]), "-o", str(out), "-q",
                                     "--resume", "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
            kill_after(proc, delay / 2)
        stats = tmp_path / f"s{k}.json"
        r = run_cli("run", str(corpus["src"]), "-o", str(out), "-q", "--resume", "--stats-json", str(stats))
        assert r.returncode == 0, r.stderr
        assert_same_as_reference(corpus, out, stats)
    assert killed >= 10, f"only {killed} of {len(delays)} runs were still running when killed"


# --- failed writes -------------------------------------------------------------------------


def limit_file_size(limit: int):
    def preexec() -> None:
        # Writing past the limit fails with EFBIG ("File too large"), as a full disk fails
        # with ENOSPC; Python ignores SIGXFSZ, so it is an OSError, not a signal.
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def short_records(n: int, start: int = 0, noise: int = 0) -> list[dict]:
    """Records that are quick to clean; `noise` random bytes each keep gzip from shrinking them."""
    return [{"id": f"r{start + i}", "text": f"Advertisement\nBody of record {start + i}.\n",
             "noise": base64.b64encode(os.urandom(noise)).decode()} for i in range(n)]  # fmt: skip


BIG = ["big.txt", *(pytest.param(name, marks=pytest.mark.slow) for name in ("big.jsonl", "big.jsonl.gz"))]


@pytest.mark.parametrize("big", BIG)
def test_failed_write_is_a_clear_error_with_no_partial_file(tmp_path, big):
    src = tmp_path / "in"
    write_jsonl(src / "a-small.jsonl", short_records(3))
    if big.endswith(".txt"):
        (src / big).write_text("Advertisement\nA long page.\n" * 10_000, encoding="utf-8")
    else:
        write_jsonl(src / big, short_records(1500, noise=100), ["oops"])
    (src / "c-small.txt").write_text("Advertisement\nSmall.\n", encoding="utf-8")
    ref = run_cli("run", str(src), "-o", str(tmp_path / "ref"), "-q", "--workers", "2")
    assert ref.returncode == 0
    out = tmp_path / "out"
    r = run_cli("run", str(src), "-o", str(out), "--workers", "2", preexec_fn=limit_file_size(100_000))
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert "Traceback" not in err
    assert f"error: cannot write {out / big}: File too large" in err
    assert "rerun with --resume" in err
    assert not (out / big).exists()  # nothing under the final name
    assert not list(out.rglob("*.part")) and not list(tmp_path.glob(".*.part"))
    assert (out / "a-small.jsonl").read_bytes() == (tmp_path / "ref" / "a-small.jsonl").read_bytes()
    # Once there is room again, --resume finishes the job.
    r = run_cli("run", str(src), "-o", str(out), "--resume", "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert tree(out) == tree(tmp_path / "ref")


def test_disk_full_in_process_names_the_file(tmp_path, monkeypatch):
    """ENOSPC itself, raised by the output stream (in-process, one worker)."""
    from typer.testing import CliRunner

    from cleaner.cli import app
    from cleaner.runner import sinks

    src = tmp_path / "in"
    write_jsonl(src / "a.jsonl", records(5))

    def full(self, output):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sinks.StreamFileSink, "write", full)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(src), "-o", str(out), "--workers", "1"])
    assert r.exit_code == 1, r.stderr
    assert f"error: cannot write {out / 'a.jsonl'}: No space left on device" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [".cleaner-run"]


def test_closed_stdout_stops_quietly(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", short_records(20_000))
    proc = subprocess.Popen([sys.executable, "-m", "cleaner", "run", "-q", str(tmp_path / "a.jsonl")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout.read(100)
    proc.stdout.close()  # like `| head -c 100`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "stdout was closed" in err


# --- crashing workers ----------------------------------------------------------------------


def crash_env(marker: str, once: Path | None = None) -> dict:
    env = {"CLEANER_TEST_CRASH_ON": marker}
    if once is not None:
        env["CLEANER_TEST_CRASH_ONCE"] = str(once)
    return env


def crash_corpus(root: Path) -> None:
    """b.jsonl is three batches (1000 lines each); its record 1501, in the second, kills workers."""
    recs = short_records(2500)
    recs[1500]["text"] += "CRASH-HERE\n"
    write_jsonl(root / "a.jsonl", records(20, start=1000))
    write_jsonl(root / "b.jsonl", recs)
    (root / "c.txt").write_text("Advertisement\nA page.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def crash_ref(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    crash_corpus(root / "in")
    r = run_cli("run", str(root / "in"), "-o", str(root / "ref"), "-q", "--workers", "2")
    assert r.returncode == 0
    return root


@pytest.mark.slow
def test_worker_crash_once_is_retried_and_output_is_identical(crash_ref, tmp_path):
    src = crash_ref / "in"
    once = tmp_path / "crashed-once"
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--workers", "2",
                module="tests.faulty", env=crash_env("CRASH-HERE", once))  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert once.exists()  # it did crash
    assert f"{src / 'b.jsonl'}: a worker crashed; retrying its batch alone" in err
    assert tree(tmp_path / "out") == tree(crash_ref / "ref")
    assert "2521 read, 2521 written, 0 quarantined" in err


def test_worker_crashing_twice_is_narrowed_to_its_record_and_the_run_completes(crash_ref, tmp_path):
    src = crash_ref / "in"
    stats = tmp_path / "s.json"
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--workers", "2", "--stats-json",
                str(stats), module="tests.faulty", env=crash_env("CRASH-HERE"))  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err  # every record written or quarantined with its reason
    assert "Traceback" not in err
    t = json.loads(stats.read_text("utf-8"))["totals"]
    assert t["balanced"] and t["read"] == 2521 and t["read"] == t["written"] + t["quarantined"]
    q = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    # the batch crashed twice, was cut in halves down to the one record that kills workers
    assert [(e["source"], e["line"], e["reason"]) for e in q] == [(str(src / "b.jsonl"), 1501, CRASHED_RECORD)]
    assert json.loads(q[0]["record"])["text"].endswith("CRASH-HERE\n")
    assert t["quarantined"] == 1
    # Every other record is cleaned as in the uninterrupted run, in order.
    out, ref_tree = tree(tmp_path / "out"), tree(crash_ref / "ref")
    assert out["a.jsonl"] == ref_tree["a.jsonl"] and out["c.txt"] == ref_tree["c.txt"]
    ref_lines = ref_tree["b.jsonl"].decode().splitlines(keepends=True)
    assert out["b.jsonl"].decode() == "".join(ref_lines[:1500] + ref_lines[1501:])


def test_crashing_text_file_is_quarantined_by_name(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad.txt").write_text("CRASH-HERE\n", encoding="utf-8")
    (src / "good.txt").write_text("Advertisement\nFine.\n", encoding="utf-8")
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--workers", "2", module="tests.faulty",
                env=crash_env("CRASH-HERE"))  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert f"{src / 'bad.txt'}: {CRASHED_DOCUMENT}" in err
    assert "2 read, 1 written, 1 quarantined" in err
    assert (tmp_path / "out" / "good.txt").read_text("utf-8") == "Fine.\n"


def test_crashing_parquet_row_is_narrowed_to_its_row(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    src = tmp_path / "in"
    src.mkdir()
    rows = short_records(40)
    rows[17]["text"] += "CRASH-HERE\n"
    pq.write_table(pa.Table.from_pylist(rows), src / "part.parquet")
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--workers", "2", module="tests.faulty",
                env=crash_env("CRASH-HERE"))  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "40 read, 39 written, 1 quarantined" in err
    [entry] = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert (entry["line"], entry["reason"], entry["record"]["id"]) == (18, CRASHED_RECORD, "r17")
    written = pq.read_table(tmp_path / "out" / "part.parquet").to_pylist()
    assert [row["id"] for row in written] == [row["id"] for row in rows if row["id"] != "r17"]
    assert all(row["text"] == f"Body of record {row['id'][1:]}.\n" for row in written)


def test_stuck_worker_is_stopped_and_only_its_record_quarantined(tmp_path):
    """A worker stuck outside the reach of the per-record timer (a C call): it is killed after
    --task-timeout, the record it was on is quarantined alone, the rest of its batch is cleaned
    again and written, the batches beside it are retried, and the counts add up."""
    src = tmp_path / "in"
    write_jsonl(src / "a.jsonl", records(30, start=0))
    stuck = short_records(5, start=100)
    stuck[2]["text"] += "HANG-HERE\n"
    write_jsonl(src / "b.jsonl", stuck)
    (src / "c.txt").write_text("Advertisement\nA page.\n", encoding="utf-8")
    start = time.monotonic()
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--workers", "2", "--task-timeout", "5",
                module="tests.faulty", env={"CLEANER_TEST_STUCK_IN_C_ON": "HANG-HERE"})  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert time.monotonic() - start < 60
    assert "36 read, 35 written, 1 quarantined" in err
    [entry] = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert (entry["source"], entry["line"]) == (str(src / "b.jsonl"), 3)
    assert entry["reason"] == stuck_record_reason(5, "cleaning")
    assert json.loads(entry["record"])["id"] == "r102"
    assert [r["id"] for r in read_jsonl(tmp_path / "out" / "b.jsonl")] == ["r100", "r101", "r103", "r104"]
    assert len(read_jsonl(tmp_path / "out" / "a.jsonl")) == 30
    assert (tmp_path / "out" / "c.txt").read_text("utf-8") == "A page.\n"
