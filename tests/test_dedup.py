"""`cleaner dedup`: exact and near-duplicate documents, repeated passages, determinism, accounting."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from bench.dedup_planted import records, write_jsonl
from bench.dedup_score import read_jsonl, score
from cleaner.dedup.minhash import LshParams, MinHasher, choose_params
from cleaner.dedup.passages import normalise, passages_to_remove, remove_lines
from cleaner.dedup.shingles import jaccard, shingle_set

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the pieces ---------------------------------------------------------------------------


def test_shingles_ignore_case_punctuation_and_spacing():
    a = shingle_set("The talks, in Beijing, ended on Friday without a deal.", 5)
    b = shingle_set("the talks in  BEIJING ended on friday without a deal", 5)
    assert jaccard(a, b) == 1.0
    assert len(shingle_set("", 5)) == 0
    assert len(shingle_set("two words", 5)) == 1  # shorter than n: one shingle of all its words


def test_minhash_estimate_tracks_exact_jaccard():
    rng = np.random.default_rng(1)
    universe = rng.integers(0, 2**63, 4000, dtype=np.uint64)
    hasher = MinHasher(LshParams(32, 8))
    for shared in (0.3, 0.6, 0.9):
        k = int(2000 * shared)
        a, b = np.unique(universe[:2000]), np.unique(universe[2000 - k : 4000 - k])
        true = jaccard(a, b)
        sig = hasher.signatures(np.concatenate([a, b]), np.array([0, len(a), len(a) + len(b)]))
        assert abs(float(np.mean(sig[0] == sig[1])) - true) < 0.1


def test_signatures_do_not_depend_on_batching():
    sets = [shingle_set(p.read_text("utf-8"), 5) for p in sorted(SEEDS.iterdir())]
    hasher = MinHasher(choose_params(0.8))
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    together = hasher.signatures(np.concatenate(sets), offsets)
    for i, s in enumerate(sets):
        assert (hasher.signatures(s, np.array([0, len(s)]))[0] == together[i]).all()


def test_params_favour_recall_above_the_threshold():
    for t in (0.7, 0.8, 0.9):
        p = choose_params(t)
        assert p.num_perm <= 128
        assert p.candidate_probability(t + 0.05) > 0.97
        assert p.candidate_probability(t - 0.4) < 0.1


def test_passage_counting_keeps_the_first_and_ignores_removed_documents():
    hashes = np.array([7, 7, 7, 8, 9, 9], dtype=np.uint64)
    docs = np.array([0, 1, 2, 1, 1, 3], dtype=np.int64)
    alive = np.array([True, True, True, False])
    remove = passages_to_remove(hashes, docs, alive, min_docs=2)
    assert remove.tolist() == [False, True, True, False, False, False]  # 9: doc 3 is gone, so 9 is in one doc
    assert passages_to_remove(hashes, docs, alive, min_docs=4).tolist() == [False] * 6


def test_remove_lines_takes_the_paragraph_break_too():
    text = "Keep one.\n\nShared para.\n\nKeep two.\n"
    out, edits = remove_lines(text, {2})
    assert out == "Keep one.\n\nKeep two.\n"
    assert [(e.line, e.before) for e in edits] == [(3, "Shared para.\n\n")]
    assert normalise("“It’s 2019,” he said.", "paragraph") == normalise("It's 2020 he said", "paragraph")
    assert normalise(" Same line ", "line") == "Same line"


# --- end to end ---------------------------------------------------------------------------


def test_seeds_are_all_kept(cli, tmp_path):
    result = cli("dedup", str(SEEDS), "-o", str(tmp_path / "out"), "--clusters", str(tmp_path / "c.jsonl"))
    assert result.returncode == 0, result.stderr
    assert tree_bytes(tmp_path / "out") == tree_bytes(SEEDS)  # none is a near-duplicate at 0.8: bytes untouched
    assert (tmp_path / "c.jsonl").read_bytes() == b""
    assert b"16 bands x 8 rows" in result.stderr


def test_passages_removes_from_001_what_it_shares_with_000(cli, tmp_path):
    log = tmp_path / "edits.jsonl"
    result = cli("dedup", str(SEEDS), "-o", str(tmp_path / "out"), "--passages", "--log-edits", str(log))
    assert result.returncode == 0, result.stderr
    first = (SEEDS / "000_e256b6aa5d15699d.txt").read_text("utf-8")
    name = "001_cd48500d55f01fe0.txt"
    before = (SEEDS / name).read_text("utf-8").split("\n")
    after = (tmp_path / "out" / name).read_text("utf-8").split("\n")
    shared = [line for line in before if line.strip() and line in first.split("\n")]
    assert len(shared) >= 10
    assert not [line for line in after if line.strip() and line in shared]
    assert [line for line in before if line.strip() and line not in shared] == [line for line in after if line.strip()]
    assert (tmp_path / "out" / "000_e256b6aa5d15699d.txt").read_text("utf-8") == first  # the first keeps them
    edits = read_jsonl(str(log))
    assert {e["rule"] for e in edits} == {"dedup.passage"} and {e["doc"] for e in edits} == {str(SEEDS / name)}
    assert sorted(e["before"].strip() for e in edits) == sorted(shared)
    assert b"dedup.passage" in result.stderr


def test_planted_corpus_recall_and_precision(cli, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(str(corpus), groups=40, unrelated=150)
    clusters = tmp_path / "clusters.jsonl"
    stats = tmp_path / "stats.json"
    result = cli("dedup", str(corpus), "-o", str(tmp_path / "out"), "--clusters", str(clusters),
                 "--stats-json", str(stats), "--workers", "1", "--report", str(tmp_path / "r.html"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    recs = read_jsonl(str(corpus))
    found = read_jsonl(str(clusters))
    s = score(recs, found)
    assert s.true_pairs > 300
    assert s.recall >= 0.95 and s.precision >= 0.95, s
    # Exact copies (also with case and spacing changed) are found as exact, and the base is kept.
    by_id = {str(r["id"]): r for r in recs}
    for c in found:
        assert by_id[c["kept"]["id"]]["variant"] == "base"
        if by_id[c["id"]]["variant"] in ("exact", "respaced"):
            assert c["match"] == "exact" and c["similarity"] == 1.0
    # A copy at Jaccard 0.5 is kept.
    kept = {json.loads(line)["id"] for line in (tmp_path / "out" / "corpus.jsonl").read_text("utf-8").splitlines()}
    low = [r for r in recs if r["variant"] == "edit-0.5"]
    assert sum(str(r["id"]) in kept for r in low) >= len(low) * 0.8
    # Every record is written or removed, and unrelated documents are all kept.
    assert all(str(r["id"]) in kept for r in recs if r["group"] >= 40)
    data = json.loads(stats.read_text("utf-8"))
    dup = data["duplicates"]
    assert data["totals"]["read"] == len(recs) == data["totals"]["written"] + dup["removed_exact"] + dup["removed_near"]
    assert data["totals"]["balanced"] and dup["removed_exact"] + dup["removed_near"] == len(found)
    # The report shows sample pairs side by side, both texts read.
    page = (tmp_path / "r.html").read_text("utf-8")
    assert page.count('<div class="pair">') == 8 and "near duplicate, Jaccard" in page and "not read" not in page
    # Kept records keep their bytes.
    lines = set(corpus.read_bytes().splitlines(keepends=True))
    assert all(line in lines for line in (tmp_path / "out" / "corpus.jsonl").read_bytes().splitlines(keepends=True))


def _mixed_corpus(root: Path) -> Path:
    """JSONL (plain and gzip, in a tree) with duplicates across files and malformed records."""
    recs = list(records(groups=8, unrelated=20, seed=3))
    src = root / "in"
    (src / "a").mkdir(parents=True)
    half = len(recs) // 2
    lines = [json.dumps(r) for r in recs[:half]]
    lines[3:3] = ["{not json", '{"id": "n1", "text": null}', ""]
    (src / "a" / "one.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(src / "two.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in recs[half:]))
    (src / "a" / "copy.txt").write_text(str(recs[0]["text"]), encoding="utf-8")
    return src


def _dedup(cli, src: Path, out: Path, *extra: str):
    return cli("dedup", str(src), "-o", str(out / "out"), "--clusters", str(out / "clusters.jsonl"),
               "--quarantine", str(out / "q.jsonl"), "--passages", "--log-edits", str(out / "edits.jsonl"),
               "-q", *extra)  # fmt: skip


def test_same_bytes_for_reruns_and_any_number_of_workers(cli, tmp_path):
    src = _mixed_corpus(tmp_path)
    runs = {}
    for name, extra in (("one", ["--workers", "1"]), ("again", ["--workers", "1"]), ("two", ["--workers", "2"])):
        result = _dedup(cli, src, tmp_path / name, *extra)
        assert result.returncode == 0, result.stderr
        runs[name] = tree_bytes(tmp_path / name)
    assert runs["one"] == runs["again"] == runs["two"]
    quarantined = read_jsonl(str(tmp_path / "one" / "q.jsonl"))
    assert [(q["line"], q["reason"][:12]) for q in quarantined] == [(4, "not valid JS"), (5, "field 'text'")]
    assert (tmp_path / "one" / "out" / "two.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"  # compressed like its input
    assert not (tmp_path / "one" / "out" / "a" / "copy.txt").exists()  # an exact copy of a record, in a text file
    assert not (tmp_path / "one" / "out" / ".cleaner-run").exists()


def test_bad_arguments_exit_2(cli, tmp_path):
    for args in (["--threshold", "1.5"], ["--bands", "4"], ["--unit", "word"], ["--min-docs", "1"]):
        result = cli("dedup", str(SEEDS), "-o", str(tmp_path / "out"), *args)
        assert result.returncode == 2 and b"error:" in result.stderr, args


def test_bands_and_rows_can_be_given(cli, tmp_path):
    result = cli("dedup", str(SEEDS), "-o", str(tmp_path / "out"), "--bands", "20", "--rows", "5")
    assert result.returncode == 0 and b"100 permutations = 20 bands x 5 rows" in result.stderr


@pytest.mark.parametrize("fmt", ["parquet"])
def test_parquet_keeps_schema_and_drops_duplicates(cli, tmp_path, fmt):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    recs = list(records(groups=3, unrelated=5, seed=5))
    table = pa.table({"id": [str(r["id"]) for r in recs], "text": [r["text"] for r in recs],
                      "group": [int(r["group"]) for r in recs]})  # fmt: skip
    pq.write_table(table, tmp_path / "in.parquet")
    result = cli("dedup", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out"), "-q")
    assert result.returncode == 0, result.stderr
    out = pq.read_table(tmp_path / "out" / "in.parquet")
    assert out.schema == table.schema
    assert 8 <= out.num_rows < len(recs)


def _kill_when(cmd: list[str], ready, timeout: float = 60) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "cleaner", *cmd], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not ready() and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed; use a bigger corpus"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("moment", ["scanning", "writing"])
def test_kill_then_resume_gives_identical_output(cli, tmp_path, moment):
    src = tmp_path / "in"
    src.mkdir()
    recs = list(records(groups=60, unrelated=300, seed=11))
    for i in range(24):
        chunk = recs[i::24]
        (src / f"part-{i:02d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chunk), encoding="utf-8")
    ref = tmp_path / "ref"
    assert _dedup(cli, src, ref, "--workers", "1").returncode == 0
    run = tmp_path / "run"
    state = run / "out" / ".cleaner-run"
    args = ["dedup", str(src), "-o", str(run / "out"), "--clusters", str(run / "clusters.jsonl"),
            "--quarantine", str(run / "q.jsonl"), "--passages", "--log-edits", str(run / "edits.jsonl"),
            "-q", "--workers", "1"]  # fmt: skip
    if moment == "scanning":
        _kill_when(args, lambda: state.is_dir() and len(list(state.glob("*.scan.done"))) >= 3)
    else:
        _kill_when(args, lambda: (run / "out").is_dir() and len(list((run / "out").glob("part-*.jsonl"))) >= 3)
    finals = [p for p in (run / "out").glob("part-*.jsonl")]
    for p in finals:  # whatever has a final name is complete
        assert p.read_bytes() == (ref / "out" / p.name).read_bytes()
    result = _dedup(cli, src, run, "--workers", "2", "--resume")
    assert result.returncode == 0, result.stderr
    assert tree_bytes(run) == tree_bytes(ref)


@pytest.fixture(scope="module")
def ray_cluster():
    """A local 2-CPU Ray cluster for this module (reused if one is already up, as tests/test_ray.py starts one)."""
    import logging

    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        yield ray.get_runtime_context().gcs_address
        return
    context = ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    yield context.address_info["gcs_address"]
    ray.shutdown()


def test_ray_engine_gives_the_local_bytes(cli, tmp_path, ray_cluster):
    src = _mixed_corpus(tmp_path)
    local = _dedup(cli, src, tmp_path / "local", "--workers", "2")
    assert local.returncode == 0, local.stderr
    ray_run = _dedup(cli, src, tmp_path / "ray", "--engine", "ray", "--ray-address", ray_cluster)
    assert ray_run.returncode == 0, ray_run.stderr
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert read_jsonl(str(tmp_path / "ray" / "clusters.jsonl"))  # there were duplicates to find


def test_passages_by_field_counts_only_within_one_source(cli, tmp_path):
    shared = "Sign up for our newsletter to get the top stories of the day in your inbox."
    recs = [
        {"id": "a", "site": "one", "text": f"First story about the harbour.\n{shared}\n"},
        {"id": "b", "site": "two", "text": f"Second story about the mountains.\n{shared}\n"},
        {"id": "c", "site": "one", "text": f"Third story about the river.\n{shared.upper()}\n"},
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")

    def texts(*extra: str) -> dict[str, str]:
        out = tmp_path / ("out" + "".join(extra))
        result = cli("dedup", str(tmp_path / "in.jsonl"), "-o", str(out), "--passages", "-q", *extra)
        assert result.returncode == 0, result.stderr
        return {r["id"]: r["text"] for r in read_jsonl(str(out / "in.jsonl"))}

    everywhere = texts()
    assert shared in everywhere["a"] and shared not in everywhere["b"] and "INBOX" not in everywhere["c"]
    per_site = texts("--by", "site")
    assert shared in per_site["a"] and shared in per_site["b"] and "INBOX" not in per_site["c"]
    exact_lines = texts("--unit", "line")
    assert "INBOX" in exact_lines["c"] and shared not in exact_lines["b"]  # --unit line: case matters
