"""Corpus runs: JSONL/Parquet formats, pass-through, workers, accounting, side files, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT
from .corpus_factory import SEED_TEXTS, read_jsonl, records, write_jsonl


@pytest.mark.parametrize("name", ["c.jsonl", "c.jsonl.gz", "c.jsonl.zst"])
def test_jsonl_formats_round_trip_with_pass_through(cli, tmp_path, name, pipeline):
    recs = records(12)
    del recs[3]["id"]  # no id: the line number stands in
    write_jsonl(tmp_path / "in" / name, recs)
    r = cli("run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--log-edits", str(tmp_path / "e.jsonl"))
    assert r.returncode == 0, r.stderr
    out = read_jsonl(tmp_path / "out" / name)
    assert len(out) == 12
    for before, after in zip(recs, out, strict=True):
        assert list(after) == list(before)  # same fields, same order
        assert {k: v for k, v in after.items() if k != "text"} == {k: v for k, v in before.items() if k != "text"}
        assert after["text"] == pipeline(before["text"])
    edits = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text("utf-8").splitlines()]
    assert {e["doc"] for e in edits} >= {"doc-1", "4"}  # record 4 (line 4) has no id
    assert all({"doc", "source", "record", "rule", "line", "start", "end", "before", "after"} <= set(e) for e in edits)


def test_unchanged_records_keep_their_bytes(cli, tmp_path):
    line = '{"text": "Plain body text.\\n",   "id": 1, "x": 1.50}'
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")
    r = cli("run", "-q", str(tmp_path / "a.jsonl"))
    assert r.stdout.decode() == line + "\n"


def test_parquet_round_trip(cli, tmp_path, pipeline):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    recs = records(7)
    recs[2]["text"] = None
    pq.write_table(pa.Table.from_pylist(recs), tmp_path / "c.parquet")
    r = cli("run", str(tmp_path / "c.parquet"), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    out = pq.read_table(tmp_path / "out" / "c.parquet")
    assert out.schema == pq.read_table(tmp_path / "c.parquet").schema
    rows = out.to_pylist()
    assert [row["id"] for row in rows] == [rec["id"] for i, rec in enumerate(recs) if i != 2]
    assert rows[0]["text"] == pipeline(recs[0]["text"]) and rows[0]["meta"] == recs[0]["meta"]
    q = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert q[0]["id"] == "doc-2" and "null" in q[0]["reason"] and q[0]["line"] == 3


def test_malformed_records_are_quarantined_and_counted(cli, tmp_path):
    good = records(4)
    extra = ["not json", '{"id": "n", "text": null}', '{"id": "num", "text": 5}', '{"id": "l", "text": ["a"]}',
             "[1, 2]", '{"id": "missing"}', "", '{"id": "trunc", "text": "abc']  # fmt: skip
    write_jsonl(tmp_path / "in.jsonl", good, extra)
    bad_utf8 = b'{"id": "bytes", "text": "caf\xe9"}\n'
    with open(tmp_path / "in.jsonl", "ab") as fh:
        fh.write(bad_utf8)
    stats = tmp_path / "stats.json"
    r = cli("run", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out"), "--stats-json", str(stats))
    assert r.returncode == 0, r.stderr
    totals = json.loads(stats.read_text("utf-8"))["totals"]
    assert totals["read"] == 12 and totals["written"] == 5 and totals["quarantined"] == 7
    assert totals["balanced"] is True
    q = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    reasons = {entry["line"]: entry["reason"] for entry in q}
    assert "not valid JSON" in reasons[5] and "null" in reasons[6] and "int" in reasons[7] and "list" in reasons[8]
    assert "not a JSON object" in reasons[9] and "no 'text' field" in reasons[10] and "not valid JSON" in reasons[12]
    assert all(entry["source"] == str(tmp_path / "in.jsonl") for entry in q)
    assert b"in.jsonl:13: invalid UTF-8 replaced" in r.stderr  # repaired, not lost
    # --strict quarantines the undecodable record instead, and fails the run.
    r = cli("run", "--strict", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out2"))
    assert r.returncode == 1
    q = (tmp_path / "out2.quarantine.jsonl").read_text("utf-8")
    assert "record_base64" in q and "invalid UTF-8" in q


def test_workers_give_identical_bytes(cli, tmp_path):
    for i in range(3):
        write_jsonl(tmp_path / "in" / f"part-{i}.jsonl.gz", records(60, start=i * 60), ["broken"])
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        r = cli("run", str(tmp_path / "in"), "-o", str(out), "--workers", str(n), "-q",
                "--log-edits", str(tmp_path / f"e{n}.jsonl"))  # fmt: skip
        assert r.returncode == 0, r.stderr
        outs[n] = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
        outs[n]["edits"] = (tmp_path / f"e{n}.jsonl").read_bytes()
        outs[n]["quarantine"] = (tmp_path / f"out{n}.quarantine.jsonl").read_bytes()
    assert outs[1] == outs[2]


def test_stdin_jsonl_and_drop_empty(cli, tmp_path):
    data = b'{"id": 1, "text": "Advertisement\\n"}\n{"id": 2, "text": "Body.\\n"}\n'
    r = cli("run", "--format", "jsonl", "--drop-empty", input=data)
    assert r.returncode == 0
    assert [json.loads(x)["id"] for x in r.stdout.decode().splitlines()] == [2]
    assert b"1 dropped empty" in r.stderr
    r = cli("run", "--format", "jsonl", "-q", input=data)
    assert [json.loads(x)["text"] for x in r.stdout.decode().splitlines()] == ["", "Body.\n"]


def test_custom_fields(cli, tmp_path):
    (tmp_path / "a.jsonl").write_text('{"key": "k1", "body": "Photo: AP\\nText.\\n"}\n', encoding="utf-8")
    r = cli("run", "-q", "--text-field", "body", "--id-field", "key", str(tmp_path / "a.jsonl"),
            "--log-edits", str(tmp_path / "e.jsonl"))  # fmt: skip
    assert json.loads(r.stdout) == {"key": "k1", "body": "Text.\n"}
    assert json.loads((tmp_path / "e.jsonl").read_text("utf-8").splitlines()[0])["doc"] == "k1"


def test_globs_mirror_relative_layout(cli, tmp_path):
    write_jsonl(tmp_path / "data" / "x" / "a.jsonl", records(2))
    write_jsonl(tmp_path / "data" / "y" / "b.jsonl", records(2))
    r = cli("run", str(tmp_path / "data" / "*" / "*.jsonl"), "-o", str(tmp_path / "out"), "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "x" / "a.jsonl").exists() and (tmp_path / "out" / "y" / "b.jsonl").exists()


def test_corrupt_compressed_input_fails_that_input_only(cli, tmp_path):
    write_jsonl(tmp_path / "in" / "good.jsonl", records(2))
    data = write_jsonl(tmp_path / "in" / "bad.jsonl.gz", records(50))
    (tmp_path / "in" / "bad.jsonl.gz").write_bytes((tmp_path / "in" / "bad.jsonl.gz").read_bytes()[:-200])
    assert data
    r = cli("run", str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert b"bad.jsonl.gz" in r.stderr and b"output was discarded" in r.stderr
    assert (tmp_path / "out" / "good.jsonl").exists() and not (tmp_path / "out" / "bad.jsonl.gz").exists()
    assert not list((tmp_path / "out").glob(".*.part"))


def make_corpus(root, files=20, per_file=150):
    """Many files, so outputs appear early and the run still has most of its work ahead
    when the kill tests strike (a fast engine finishes a small corpus before any delay)."""
    for i in range(files):
        write_jsonl(root / f"part-{i:02d}.jsonl", records(per_file, start=i * per_file), ["oops"])


def outputs(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize("delay", [0.05, 0.4])
def test_kill_then_resume_gives_identical_output(cli, tmp_path, delay):
    make_corpus(tmp_path / "in")
    ref = tmp_path / "ref"
    r = cli("run", str(tmp_path / "in"), "-o", str(ref), "-q", "--stats-json", str(tmp_path / "ref.json"))
    assert r.returncode == 0
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "cleaner", "run", str(tmp_path / "in"), "-o", str(out), "-q", "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Wait until the run has started writing, then kill it mid-way.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (out.exists() and any(out.iterdir())):
        time.sleep(0.02)
    time.sleep(delay)
    assert proc.poll() is None, "the run finished before it could be killed; use a bigger corpus"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    files = [p for p in out.iterdir() if p.is_file()] if out.exists() else []
    final_names = {p.name for p in files if not (p.name.startswith(".") and p.name.endswith(".part"))}
    for name in final_names:  # whatever has a final name is complete; temporary names may be partial
        assert (out / name).read_bytes() == (ref / name).read_bytes()
    r = cli("run", str(tmp_path / "in"), "-o", str(out), "-q", "--resume", "--stats-json", str(tmp_path / "s.json"))
    assert r.returncode == 0, r.stderr
    assert outputs(out) == outputs(ref)
    assert not list(out.glob(".*.part"))
    assert (tmp_path / "out.quarantine.jsonl").read_bytes() == (tmp_path / "ref.quarantine.jsonl").read_bytes()
    totals = json.loads((tmp_path / "s.json").read_text("utf-8"))["totals"]
    ref_totals = json.loads((tmp_path / "ref.json").read_text("utf-8"))["totals"]
    for key in ("read", "written", "quarantined", "changed", "bytes_in", "bytes_out"):
        assert totals[key] == ref_totals[key]


def test_resume_refuses_other_rules(cli, tmp_path):
    make_corpus(tmp_path / "in", files=1, per_file=3)
    (tmp_path / "in" / "broken.jsonl.gz").write_bytes(b"not gzip")  # a failed input keeps the run unfinished
    assert cli("run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q").returncode == 1
    assert (tmp_path / "out" / ".cleaner-run").is_dir()
    rules = tmp_path / "r.toml"
    rules.write_text(
        "[[rule]]\nid = \"t.x\"\nkind = \"drop_line\"\ndescription = \"d\"\npattern = '''^X$'''\n"
        'examples = [{ input = "X", output = "" }, { input = "Y", unchanged = true }]\n',
        encoding="utf-8",
    )
    r = cli("run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--resume", "--rules", str(rules))
    assert r.returncode == 2 and b"other rules or options" in r.stderr


def test_seed_texts_available():
    assert len(SEED_TEXTS) == 5
