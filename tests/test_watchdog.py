"""One watchdog for every engine: a stuck or crashing record costs itself, with one worker,
with two, and on Ray, and every engine writes the same bytes about it.

Faults are injected into the worker processes by tests/faulty.py (Ray actors import it
through CLEANER_TEST_HOOK): an extraction that spins forever in Python, a cleaning stuck
where no timer reaches (the timer signal blocked, as in a C call), a worker that dies.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cleaner.runner.deadline import RecordTimeout, deadlines, record_deadline
from cleaner.runner.pool import CRASHED_RECORD, stuck_record_reason

from .conftest import run_cli
from .corpus_factory import read_jsonl, records, write_jsonl

ENGINES = ["workers-1", "workers-2", "ray"]


def engine_args(engine: str, request: pytest.FixtureRequest) -> list[str]:
    if engine == "ray":
        return ["--engine", "ray", "--ray-address", request.getfixturevalue("ray_address"), "--workers", "2"]
    return ["--workers", engine.split("-")[1]]


def fault_env(**faults: str) -> dict[str, str]:
    return {"CLEANER_TEST_HOOK": "tests.faulty", **{f"CLEANER_TEST_{k.upper()}_ON": v for k, v in faults.items()}}


def page(i: int, extra: str = "") -> str:
    body = " ".join(f"Sentence {j} of page {i} is long enough to be kept as the main text." for j in range(8))
    return f"<html><body><article><h1>Title {i}</h1><p>{body}</p>{extra}</article></body></html>"


def quarantine(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("engine", ["workers-1", pytest.param("ray", marks=pytest.mark.slow)])  # 2: test_faults
def test_stuck_in_c_costs_only_its_record(engine, request, tmp_path):
    """Cleaning stuck where the record timer cannot reach: the worker is killed after
    --task-timeout, that record is quarantined alone, the rest of its batch is written."""
    src = tmp_path / "in"
    recs = records(12)
    recs[7]["text"] += "STUCK-HERE\n"
    write_jsonl(src / "a.jsonl", recs)
    env = fault_env(stuck_in_c="STUCK-HERE")
    r = run_cli("run", str(src), "-o", str(tmp_path / "out"), "--task-timeout", "4", *engine_args(engine, request),
                module="tests.faulty", env=env)  # fmt: skip
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "12 read, 11 written, 1 quarantined" in err
    [entry] = quarantine(tmp_path / "out.quarantine.jsonl")
    assert (entry["line"], entry["reason"]) == (8, stuck_record_reason(4, "cleaning"))
    assert [w["id"] for w in read_jsonl(tmp_path / "out" / "a.jsonl")] == [x["id"] for x in recs if x is not recs[7]]


def seeded_corpus(root: Path) -> None:
    """HTML records: one crashes its worker, one makes extraction spin forever, one hangs its
    cleaning; a malformed line; a second file and a text file beside them."""
    faults = {3: "CRASH-HERE", 8: "SPIN-HERE", 12: "HANG-HERE"}
    pages = [{"id": f"p{i}", "html": page(i, f"<p>{faults[i]} in a paragraph of its own.</p>" if i in faults else "")}
             for i in range(20)]  # fmt: skip
    write_jsonl(root / "a.jsonl", pages, ['{"id": "broken", "html": '])
    write_jsonl(root / "b.jsonl", [{"id": f"q{i}", "html": page(100 + i)} for i in range(5)])
    (root / "c.txt").write_text("Advertisement\nA page of its own.\n", encoding="utf-8")


def test_every_engine_stops_the_same_records_and_writes_the_same_bytes(request, tmp_path):
    """A page whose extraction spins forever, a record that hangs, one that crashes its worker
    and a malformed line, with one worker, two and Ray: each run finishes in bounded time,
    quarantines exactly those records (the stuck ones naming their stage), writes every other
    record, and all three give identical outputs, quarantine files, stats and edit logs."""
    seeded_corpus(tmp_path / "in")
    for engine in ENGINES:
        start = time.monotonic()
        r = run_cli("run", str(tmp_path / "in"), "-o", str(tmp_path / engine), "--html-field", "html",
                    "--record-timeout", "2", "--stats-json", str(tmp_path / f"{engine}.stats.json"),
                    "--log-edits", str(tmp_path / f"{engine}.edits.jsonl"), *engine_args(engine, request),
                    module="tests.faulty", env=fault_env(crash="CRASH-HERE", spin="SPIN-HERE", hang="HANG-HERE"),
                    timeout=240)  # fmt: skip
        err = r.stderr.decode()
        assert r.returncode == 0, err
        assert time.monotonic() - start < 200, engine
        assert "27 read, 23 written, 4 quarantined" in err and "Traceback" not in err, err
        q = quarantine(Path(f"{tmp_path / engine}.quarantine.jsonl"))
        assert [(e["line"], e["reason"]) for e in q[:3]] == [
            (4, CRASHED_RECORD),
            (9, str(RecordTimeout(2, "extraction"))),
            (13, str(RecordTimeout(2, "cleaning"))),
        ], engine
        assert q[3]["line"] == 21 and q[3]["record"] == '{"id": "broken", "html": '
        written = read_jsonl(tmp_path / engine / "a.jsonl")
        assert [w["id"] for w in written] == [f"p{i}" for i in range(20) if i not in (3, 8, 12)]
        assert all(w["text"].startswith(f"Title {w['id'][1:]}") for w in written)
    first = tmp_path / ENGINES[0]
    for engine in ENGINES[1:]:
        for name in ("a.jsonl", "b.jsonl", "c.txt"):
            assert (tmp_path / engine / name).read_bytes() == (first / name).read_bytes(), (engine, name)
        for side in (".quarantine.jsonl", ".edits.jsonl"):
            assert Path(f"{tmp_path / engine}{side}").read_bytes() == Path(f"{first}{side}").read_bytes(), engine
        assert _stats(tmp_path / f"{engine}.stats.json") == _stats(tmp_path / f"{ENGINES[0]}.stats.json"), engine


def _stats(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    for key in ("wall_seconds", "peak_rss_mb"):
        data["totals"].pop(key)
    data.pop("quarantine_file")
    return data


def test_record_deadline_names_the_rule_it_stopped():
    """The stage is read off the interrupted stack: the rule whose step was running."""

    class Step:
        rule_id = "promo.slow"

    def _pass(step):  # the name and local of Pipeline._pass, where rules run
        while True:
            pass

    with deadlines(), pytest.raises(RecordTimeout) as info, record_deadline(0.2):
        _pass(Step())
    assert info.value.stage == "rule promo.slow"
    with deadlines(), record_deadline(5):
        pass  # a record in time: no exception, and the timer is off again
    time.sleep(0.01)


def test_split_at_keeps_every_record_once_with_its_number():
    """The watchdog's cut around a stuck record: before, the record, after; numbers kept (JSONL and Parquet)."""
    from cleaner.runner.tasks import Task, split_at

    lines = [(n, f"line {n}\n".encode()) for n in range(1, 6)]
    before, stuck, after = split_at(Task(0, 3, "jsonl", "a.jsonl", lines, last=True), 2)
    assert (before.payload, stuck.payload, after.payload) == (lines[:2], [lines[2]], lines[3:])
    assert {before.seq, stuck.seq, after.seq} == {3}
    rows = [{"id": i} for i in range(4)]
    before, stuck, after = split_at(Task(0, 0, "parquet", "a.parquet", (100, rows)), 0)
    assert before is None and stuck.payload == (100, rows[:1]) and after.payload == (101, rows[1:])
    before, stuck, after = split_at(Task(0, 0, "parquet", "a.parquet", (100, rows)), 3)
    assert before.payload == (100, rows[:3]) and stuck.payload == (103, rows[3:]) and after is None


def test_beacon_reports_the_record_and_stage_a_worker_is_on():
    from cleaner.runner import beacon

    slot = beacon.take()
    assert beacon.position(slot) is None
    beacon.enter(slot)
    try:
        beacon.mark(4, extracting=True)
        assert beacon.position(slot) == (4, "extraction")
        beacon.mark(5)
        assert beacon.position(slot) == (5, "cleaning")
    finally:
        beacon.enter(None)
    beacon.mark(9)  # nobody watches now: the slot keeps the last position
    assert beacon.position(slot) == (5, "cleaning")
