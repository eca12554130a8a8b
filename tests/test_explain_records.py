"""`cleaner explain` on record files (JSONL, compressed, Parquet, stdin): the same edits `run` makes,
record by record; `--id` / `--record` pick one."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest
import zstandard

from .conftest import ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
EDIT_LINE = re.compile(r"^(?P<src>.+?):(?P<rec>\d+) id=(?P<id>\S+) line (?P<line>\d+)  (?P<rule>\S+)  ")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds as JSONL records (CRLF in one, to go through the same newline handling), plus a blank
    line and a broken record, in plain, gzip and zstd forms."""
    tmp = tmp_path_factory.mktemp("records")
    records = [{"id": f"doc-{n}", "text": p.read_text(encoding="utf-8")} for n, p in enumerate(SEEDS)]
    records[1]["text"] = records[1]["text"].replace("\n", "\r\n")
    lines = (
        [json.dumps(r) for r in records[:2]] + ["", '{"id": "bad", "text": 5}'] + [json.dumps(r) for r in records[2:]]
    )
    data = ("\n".join(lines) + "\n").encode("utf-8")
    (tmp / "small.jsonl").write_bytes(data)
    (tmp / "small.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp / "small.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    return tmp


def run_edits(cli, path, tmp_path) -> Counter:
    log = tmp_path / "edits.jsonl"
    r = cli("run", str(path), "-o", str(tmp_path / "out"), "--log-edits", str(log), "-q")
    assert r.returncode == 0, r.stderr
    return Counter((e["doc"], e["rule"]) for e in map(json.loads, log.read_text(encoding="utf-8").splitlines()))


def explain_edits(out: str) -> Counter:
    return Counter((m["id"], m["rule"]) for m in map(EDIT_LINE.match, out.splitlines()) if m)


@pytest.mark.parametrize("name", ["small.jsonl", "small.jsonl.gz", "small.jsonl.zst"])
def test_explain_jsonl_gives_the_edits_run_makes(cli, corpus, tmp_path, name):
    made = run_edits(cli, corpus / name, tmp_path)
    assert sum(made.values()) > 20  # the seeds carry plenty of boilerplate
    r = cli("explain", str(corpus / name))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert explain_edits(out) == made
    assert f"{sum(made.values())} edit(s) by " in out and "in 5 record(s)" in out
    assert f"{corpus / name}:4 id=bad quarantined: field 'text' is int, not a string" in out


def test_explain_one_record_by_id_or_number(cli, corpus, tmp_path):
    made = run_edits(cli, corpus / "small.jsonl", tmp_path)
    one = Counter({k: v for k, v in made.items() if k[0] == "doc-1"})
    r = cli("explain", str(corpus / "small.jsonl"), "--id", "doc-1")
    assert r.returncode == 0, r.stderr
    assert explain_edits(r.stdout.decode()) == one
    assert all(m["rec"] == "2" for m in map(EDIT_LINE.match, r.stdout.decode().splitlines()) if m)
    r = cli("explain", str(corpus / "small.jsonl"), "--record", "2")
    assert explain_edits(r.stdout.decode()) == one
    r = cli("explain", str(corpus / "small.jsonl"), "--id", "nope")
    assert r.returncode == 1 and b"no record with id 'nope'" in r.stderr


def test_explain_reads_stdin(cli, corpus, tmp_path):
    made = run_edits(cli, corpus / "small.jsonl", tmp_path)
    data = (corpus / "small.jsonl").read_bytes()
    r = cli("explain", "-", "--format", "jsonl", input=data)
    assert r.returncode == 0, r.stderr
    assert explain_edits(r.stdout.decode()) == made
    text = SEEDS[1].read_bytes()
    by_file = cli("explain", str(SEEDS[1])).stdout.decode()
    by_pipe = cli("explain", "-", input=text).stdout.decode()
    assert by_pipe == by_file.replace(str(SEEDS[1]), "<stdin>")


def test_explain_parquet(cli, corpus, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    rows = [json.loads(line) for line in (corpus / "small.jsonl").read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if isinstance(r["text"], str)]
    path = tmp_path / "small.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    made = run_edits(cli, path, tmp_path)
    r = cli("explain", str(path), "--record", "3")
    assert r.returncode == 0, r.stderr
    assert explain_edits(r.stdout.decode()) == Counter({k: v for k, v in made.items() if k[0] == rows[2]["id"]})


def test_explain_rule_on_a_record(cli, corpus):
    r = cli("explain", str(corpus / "small.jsonl"), "--id", "doc-1", "--rule", "caption.credit-only")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith(f"caption.credit-only (drop_line) on {corpus / 'small.jsonl'}:2 id=doc-1")
    r = cli("explain", str(corpus / "small.jsonl"), "--rule", "caption.credit-only")
    assert r.returncode == 2 and b"--id ID or --record N" in r.stderr
