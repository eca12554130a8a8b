"""`CleanBatch`: a Pipeline as a plain, picklable callable for other people's pipelines.

    ds.map_batches(CleanBatch(), batch_format="pyarrow")   # Ray Data (any batch format)
    ds.map(CleanBatch(), batched=True)                      # Hugging Face datasets
    pipeline=[reader, CleanBatch().documents, writer]       # a datatrove step

A batch goes in and the same kind of batch comes out — a pyarrow Table, a pandas
DataFrame, or a mapping of columns (a dict of lists, or of numpy arrays as Ray Data's
default "numpy" format gives) — with the text column cleaned and every other column
as it was. Texts get exactly what `cleaner run` gives the same record. A value that
is not a string (None, NaN) passes through; a text on which a rule times out keeps its
original text (and, with `error_field`, gets the reason in that column).

Pickling carries the rule files' text, never compiled regexes. A process compiles the
rules on its first batch and keeps them (cached by the rule texts), however many times
the callable is unpickled there: once per Ray worker, once per `datasets` process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cleaner.engine import Pipeline
from cleaner.io.decode import normalize_newlines
from cleaner.patterns import DEFAULT_TIMEOUT


class CleanBatch:
    def __init__(
        self,
        rules: Sequence[Path | str] = (),
        *,
        defaults: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        text_field: str = "text",
        error_field: str | None = None,
        pipeline: Pipeline | None = None,
    ):
        """Clean `text_field` with the default rules plus `rules` (or with `pipeline`).

        Rules are loaded and checked here, so broken rule files fail at once, not on every worker.
        """
        if pipeline is None:
            from cleaner.ruleset import load_rules

            pipeline = load_rules(rules, defaults=defaults, timeout=timeout)
        self.spec = pipeline.spec  # None for a hand-built Pipeline, which then pickles as itself
        self.text_field = text_field
        self.error_field = error_field
        self._pipeline: Pipeline | None = pipeline

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self.spec is not None:
            state["_pipeline"] = None  # compiled again, lazily, where it is unpickled
        return state

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            assert self.spec is not None
            self._pipeline = self.spec.build()
        return self._pipeline

    def clean_text(self, text: Any) -> tuple[Any, str | None]:
        """(cleaned text, None), or (the value as it was, why) when it cannot be cleaned."""
        if not isinstance(text, str):
            return text, None
        try:
            return self.pipeline.apply(normalize_newlines(str(text))).text, None
        except Exception as exc:  # a rule timeout (or a bug) costs one text its cleaning, not the job
            return text, str(exc)

    def __call__(self, batch: Any) -> Any:
        """Clean one batch; returns the same kind of batch."""
        kind = type(batch).__module__.split(".")[0]
        if kind == "pyarrow":
            return self._arrow(batch)
        if kind == "pandas":
            texts, errors = self._clean_all(batch[self.text_field].tolist())
            columns = {self.text_field: texts, **({self.error_field: errors} if self.error_field else {})}
            return batch.assign(**columns)
        if isinstance(batch, Mapping):
            column = batch[self.text_field]
            texts, errors = self._clean_all(list(column))
            out = dict(batch)
            out[self.text_field] = _like(column, texts)
            if self.error_field:
                out[self.error_field] = _like(column, errors)
            return out
        raise TypeError(f"CleanBatch takes a pyarrow Table, a pandas DataFrame or a mapping of columns, not {kind}")

    def documents(self, data: Iterable[Any] | None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        """Clean the `.text` of each document: a datatrove pipeline step (datatrove calls it with rank, world_size)."""
        for doc in data or ():
            doc.text, error = self.clean_text(doc.text)
            if error and self.error_field and isinstance(getattr(doc, "metadata", None), dict):
                doc.metadata[self.error_field] = error
            yield doc

    def _clean_all(self, values: list[Any]) -> tuple[list[Any], list[str | None]]:
        pairs = [self.clean_text(v) for v in values]
        return [t for t, _ in pairs], [e for _, e in pairs]

    def _arrow(self, table: Any) -> Any:
        import pyarrow as pa

        column = table[self.text_field]
        texts, errors = self._clean_all(column.to_pylist())
        out = table.set_column(table.schema.get_field_index(self.text_field), self.text_field,
                               pa.array(texts, type=column.type))  # fmt: skip
        if self.error_field:
            where = out.schema.get_field_index(self.error_field)
            errors_column = pa.array(errors, type=pa.string())
            if where == -1:
                return out.append_column(self.error_field, errors_column)
            return out.set_column(where, self.error_field, errors_column)
        return out


def _like(column: Any, values: list[Any]) -> Any:
    """`values` as the same kind of column: a numpy array for a numpy array, else a list."""
    if type(column).__module__ == "numpy":
        import numpy as np

        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return values
