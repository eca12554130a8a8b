"""The Ray engine and CleanBatch on Ray Data, on one local 2-CPU Ray cluster for the session (conftest)."""

from __future__ import annotations

import gzip
import json
import sys

from typer.testing import CliRunner

from cleaner import CleanBatch
from cleaner.cli import app

from .corpus_factory import read_jsonl, records, write_jsonl


def make_mixed_corpus(root):
    """Every input kind, with the awkward records the local engine quarantines or keeps byte for byte."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = records(400)  # > 1 MB: several tasks per file
    del recs[3]["id"]  # no id: the line number stands in
    recs[7]["text"] = "Plain body text.\n"  # untouched: its bytes pass through
    write_jsonl(root / "a.jsonl", recs, ["not json", '{"id": "n", "text": null}', "", '{"id": "f", "x": 1.50, '
                '"text": "Advertisement\\nBody.\\n"}'])  # fmt: skip
    with open(root / "a.jsonl", "ab") as fh:
        fh.write(b'{"id": "bytes", "text": "caf\xe9"}\n')
    write_jsonl(root / "sub" / "b.jsonl.gz", records(40, 2000))
    write_jsonl(root / "sub" / "c.jsonl.zst", records(40, 3000))
    rows = records(2100, 4000)  # > 2000 rows: several tasks; most of them short, to keep the test quick
    for i, row in enumerate(rows):
        row["text"] = None if i == 5 else row["text"] if i % 100 == 0 else f"Advertisement\nRow {i}.\n"
    pq.write_table(pa.Table.from_pylist(rows), root / "d.parquet")
    (root / "e.txt").write_text("Advertisement\nHello there.\n", encoding="utf-8")
    (root / "f.jsonl.gz").write_bytes(gzip.compress(b'{"id": 1, "text": "x"}\n' * 50)[:-30])  # truncated


def read_records(path):
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    return read_jsonl(path)


def test_ray_engine_equals_local_engine(cli, tmp_path, ray_address):
    make_mixed_corpus(tmp_path / "in")
    runs = {}
    for engine in ("local", "ray"):
        extra = ["--engine", "ray", "--ray-address", ray_address] if engine == "ray" else ["--workers", "2"]
        r = cli("run", str(tmp_path / "in"), "-o", str(tmp_path / engine), *extra,
                "--stats-json", str(tmp_path / f"{engine}.stats.json"),
                "--log-edits", str(tmp_path / f"{engine}.edits.jsonl"))  # fmt: skip
        assert r.returncode == 1, r.stderr  # the truncated input fails, alone
        assert b"f.jsonl.gz" in r.stderr and b"output was discarded" in r.stderr
        runs[engine] = r
    local, ray_out = tmp_path / "local", tmp_path / "ray"
    names = sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file() and ".cleaner-run" not in p.parts)
    assert names == sorted(p.relative_to(ray_out) for p in ray_out.rglob("*") if p.is_file())
    assert len(names) == 5  # a, b, c, d, e: not f
    for name in names:
        if name.suffix == ".txt":
            assert (ray_out / name).read_bytes() == (local / name).read_bytes()
            continue
        want, got = read_records(local / name), read_records(ray_out / name)
        by_id = lambda recs: sorted(recs, key=lambda r: str(r.get("id")))  # noqa: E731
        assert by_id(got) == by_id(want)  # same ids, texts and pass-through fields
        assert got == want  # and even in the same order
        assert (ray_out / name).read_bytes() == (local / name).read_bytes()  # and in fact the same bytes
    for side in ("quarantine.jsonl", "edits.jsonl"):
        local_side = (tmp_path / f"local.{side}").read_bytes()
        assert local_side and (tmp_path / f"ray.{side}").read_bytes() == local_side
    stats = {e: json.loads((tmp_path / f"{e}.stats.json").read_text("utf-8")) for e in ("local", "ray")}
    for key in ("wall_seconds", "peak_rss_mb"):
        stats["local"]["totals"].pop(key), stats["ray"]["totals"].pop(key)
    stats["local"].pop("quarantine_file"), stats["ray"].pop("quarantine_file")
    assert stats["ray"] == stats["local"]
    assert stats["ray"]["totals"]["quarantined"] == 3 and stats["ray"]["totals"]["balanced"]
    # The report on stderr says the same: warnings, errors, counts (all but the timing line).
    assert _report(runs["ray"].stderr) == _report(runs["local"].stderr)


def _report(stderr: bytes) -> list[bytes]:
    lines = stderr.decode("utf-8").splitlines()
    mine = [line for line in lines if line.startswith(("warning:", "error:"))]
    start = next(i for i, line in enumerate(lines) if line.startswith("documents:"))
    return sorted(mine) + [line for line in lines[start:] if "MB/s)" not in line and not line.startswith("quarantined")]


def test_clean_batch_in_ray_data(ray_address, pipeline):
    import ray

    # The README's example, as written there.
    ds = ray.data.from_items([{"id": 1, "text": "Advertisement\nThe talks ended.\n"}])
    cleaned = ds.map_batches(CleanBatch(), batch_format="pyarrow")
    assert cleaned.take_all() == [{"id": 1, "text": "The talks ended.\n"}]
    # Ray's default (numpy) batches and a pool of actors work as well.
    rows = [{"id": i, "text": t, "n": i * 1.5} for i, t in enumerate(records(6)[j]["text"] for j in range(6))]
    out = ray.data.from_items(rows).map_batches(
        CleanBatch,
        fn_constructor_kwargs={"pipeline": pipeline, "error_field": "error"},
        compute=ray.data.ActorPoolStrategy(size=2),
    )
    got = sorted(out.take_all(), key=lambda r: r["id"])
    assert [r["text"] for r in got] == [pipeline(r["text"]) for r in rows]
    assert [r["n"] for r in got] == [r["n"] for r in rows] and all(r["error"] is None for r in got)


def test_without_ray_the_engine_says_what_to_install(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "a.jsonl", records(2))
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails, as when it is not installed
    result = CliRunner().invoke(app, ["run", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "out"), "--engine", "ray"])
    assert result.exit_code == 2
    assert "pip install 'scrape-cleaner[ray]'" in result.output
    assert not (tmp_path / "out").exists()


def test_ray_engine_reads_and_writes_uris(tmp_path, ray_address, pipeline):
    write_jsonl(tmp_path / "in" / "a.jsonl.gz", records(5), ["oops"])
    args = ["run", f"file://{tmp_path}/in/*.jsonl.gz", "-o", f"file://{tmp_path}/out", "--engine", "ray", "-q"]
    result = CliRunner().invoke(app, args)  # in this process: it joins the session's cluster
    assert result.exit_code == 0, result.output
    got = read_records(tmp_path / "out" / "a.jsonl.gz")
    assert [r["text"] for r in got] == [pipeline(r["text"]) for r in records(5)]
    assert json.loads((tmp_path / "out.quarantine.jsonl").read_text("utf-8"))["record"] == "oops"
    assert not (tmp_path / "out" / ".cleaner-run").exists()
