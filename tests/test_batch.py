"""CleanBatch: the Pipeline as a picklable batch callable (Ray Data, datasets, datatrove), and Pipeline pickling."""

from __future__ import annotations

import pickle
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cleaner import CleanBatch, RuleTimeout, load_rules

from .conftest import ROOT
from .corpus_factory import SEED_TEXTS

TEXTS = ["Advertisement\nThe talks ended.\n", SEED_TEXTS[1], "Plain body text.\n"]


@pytest.fixture(scope="module")
def clean_batch():
    return CleanBatch(error_field="error")


def test_dict_of_lists_like_datasets_map(clean_batch, pipeline):
    batch = {"id": [1, 2, 3], "text": TEXTS, "meta": [{"a": 1}, None, {}]}
    out = clean_batch(batch)
    assert out["text"] == [pipeline(t) for t in TEXTS]
    assert out["id"] == batch["id"] and out["meta"] == batch["meta"]
    assert out["error"] == [None, None, None]
    assert batch["text"] == TEXTS  # the input batch is not modified


def test_line_ends_become_lf_as_in_cleaner_run(clean_batch):
    out = clean_batch({"text": ["One.\rAdvertisement\rTwo.", "One.\r\nTwo.\r\n"]})
    assert out["text"] == ["One.\nTwo.\n", "One.\nTwo.\n"]


def test_numpy_pandas_and_arrow_batches_keep_their_kind(clean_batch, pipeline):
    expected = [pipeline(t) for t in TEXTS]
    out = clean_batch({"id": np.arange(3), "text": np.array(TEXTS, dtype=object)})
    assert isinstance(out["text"], np.ndarray) and list(out["text"]) == expected
    frame = clean_batch(pd.DataFrame({"id": [1, 2, 3], "text": TEXTS}))
    assert isinstance(frame, pd.DataFrame) and frame["text"].tolist() == expected
    table = pa.table({"id": [1, 2, 3], "text": pa.array(TEXTS, type=pa.large_string())})
    cleaned = clean_batch(table)
    assert cleaned.column_names == ["id", "text", "error"]
    assert cleaned.schema.field("text").type == pa.large_string()
    assert cleaned["text"].to_pylist() == expected


def test_non_strings_pass_and_timeouts_keep_the_text(pipeline, monkeypatch):
    cb = CleanBatch(error_field="error")
    out = cb({"text": [None, 5, "Advertisement\nX.\n"]})
    assert out["text"] == [None, 5, "X.\n"]

    def stall(text):
        raise RuleTimeout("ads.marker", 2.0)

    monkeypatch.setattr(cb.pipeline, "apply", stall)
    out = cb({"text": ["Advertisement\nX.\n"]})
    assert out["text"] == ["Advertisement\nX.\n"] and "ads.marker" in out["error"][0]


def test_documents_is_a_datatrove_style_step(clean_batch, pipeline):
    docs = [SimpleNamespace(text=t, id=str(i), metadata={}) for i, t in enumerate(TEXTS)]
    out = list(clean_batch.documents(iter(docs), rank=0, world_size=1))
    assert [d.text for d in out] == [pipeline(t) for t in TEXTS]
    assert list(clean_batch.documents(None)) == []


def test_pickles_as_rule_texts_not_compiled_regexes(clean_batch):
    data = pickle.dumps(clean_batch)
    assert b"_regex" not in data and b"ftfy" not in data  # no compiled patterns, no step objects
    assert b"promo.read-headline" in data  # the rule files' text travels instead
    copy = pickle.loads(data)
    assert copy.text_field == "text" and copy({"text": TEXTS})["text"] == clean_batch({"text": TEXTS})["text"]


def test_compiles_lazily_and_once_per_process(tmp_path):
    (tmp_path / "cb.pkl").write_bytes(pickle.dumps(CleanBatch()))
    script = f"""
import pickle
import cleaner.ruleset.loader as loader
calls = []
real = loader.compile_sources
loader.compile_sources = lambda *a, **k: calls.append(1) or real(*a, **k)
data = open({str(tmp_path / "cb.pkl")!r}, "rb").read()
first, second = pickle.loads(data), pickle.loads(data)
assert first._pipeline is None and not calls, "compiled on unpickling"
assert first({{"text": ["Advertisement\\nX.\\n"]}})["text"] == ["X.\\n"]
second({{"text": ["Advertisement\\nX.\\n"]}})
assert len(calls) == 1, calls
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120)
    assert r.stdout.strip() == b"ok", r.stderr.decode()


def test_pipeline_pickles_as_its_spec(pipeline):
    data = pickle.dumps(pipeline)
    assert b"_regex" not in data
    copy = pickle.loads(data)
    assert copy.spec == pipeline.spec and [r.id for r in copy.rules] == [r.id for r in pipeline.rules]
    assert pickle.loads(data) is copy  # compiled once in this process, then reused
    only = pipeline.only("ads.marker")  # a hand-made pipeline has no spec: plain pickling still works
    assert pickle.loads(pickle.dumps(only)).rules[0].id == "ads.marker"


def test_as_batch_fn_uses_that_pipeline(tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text(
        "[[rule]]\nid = \"t.x\"\nkind = \"drop_line\"\ndescription = \"d\"\npattern = '''^X$'''\n"
        'examples = [{ input = "X\\nY", output = "Y" }, { input = "Y", unchanged = true }]\n',
        encoding="utf-8",
    )
    fn = load_rules([rules], defaults=False).as_batch_fn(text_field="body")
    copy = pickle.loads(pickle.dumps(fn))
    assert copy({"body": ["X\nY\nAdvertisement"]})["body"] == ["Y\nAdvertisement"]


def test_pickled_pipeline_keeps_selection_and_extract_settings():
    import pickle

    selected = load_rules(select=["promo."], ignore=["promo.related"])
    again = pickle.loads(pickle.dumps(selected))
    assert [r.id for r in again.rules] == [r.id for r in selected.rules]
    assert again.extract == selected.extract and again.extract.include_comments is False
    assert again("Read more: Other story\nBody.\n") == "Body.\n"
