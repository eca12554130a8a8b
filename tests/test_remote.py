"""Planning runs whose inputs or output are URIs (the Ray engine); `file://` stands in for `s3://`."""

from __future__ import annotations

import pytest

from cleaner.io.files import UsageError
from cleaner.runner.remote import plan_remote_units

from .corpus_factory import records, write_jsonl


@pytest.fixture
def tree(tmp_path):
    for name in ("a.jsonl", "sub/b.jsonl.gz", "sub/.hidden.jsonl", "c.parquet", "out/old.jsonl"):
        write_jsonl(tmp_path / "in" / name, records(1))
    return tmp_path


def test_folder_uri_mirrors_layout_and_skips_hidden_files_and_the_output(tree):
    units = plan_remote_units([f"file://{tree}/in"], f"file://{tree}/in/out")
    assert [u.name for u in units] == [f"file://{tree}/in/{n}" for n in ("a.jsonl", "c.parquet", "sub/b.jsonl.gz")]
    assert [u.target for u in units] == [f"{tree}/in/out/{n}" for n in ("a.jsonl", "c.parquet", "sub/b.jsonl.gz")]
    assert [u.fmt for u in units] == ["jsonl", "parquet", "jsonl"]


def test_glob_uri_writes_paths_relative_to_its_fixed_prefix(tree):
    units = plan_remote_units([f"file://{tree}/in/*/*.jsonl*"], f"file://{tree}/o")
    assert [u.target for u in units] == [f"{tree}/o/out/old.jsonl", f"{tree}/o/sub/b.jsonl.gz"]


def test_local_paths_are_planned_as_the_local_engine_plans_them(tree):
    units = plan_remote_units([str(tree / "in" / "a.jsonl")], str(tree / "o"))
    assert [(u.name, u.target) for u in units] == [(str(tree / "in" / "a.jsonl"), str(tree / "o" / "a.jsonl"))]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (["file:///nonexistent/x.jsonl"], "does not exist"),
        (["file:///nonexistent/*.jsonl"], "no file matches"),
        ([], "give input paths"),
        (["{tree}/in", "{tree}/in/sub/b.jsonl.gz"], "among the inputs twice"),
        (["{tree}/in/a.jsonl", "s3://bucket/c.parquet"], "one filesystem"),
    ],
)
def test_refusals(tree, inputs, message):
    with pytest.raises(UsageError, match=message):
        plan_remote_units([i.format(tree=tree) for i in inputs], f"file://{tree}/o")
