"""The Python API: load rules once, clean many texts.

    >>> from cleaner import load_rules
    >>> pipeline = load_rules()
    >>> pipeline.apply("Advertisement\\nThe talks ended.\\n").text
    'The talks ended.\\n'

`clean()` is the one-liner; it compiles the default rules on first use and reuses them.
"""

from __future__ import annotations

from functools import lru_cache

from cleaner.engine import Pipeline
from cleaner.io.decode import normalize_newlines
from cleaner.model import Result
from cleaner.ruleset import load_rules


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    return load_rules()


def clean(text: str, pipeline: Pipeline | None = None) -> str:
    """Clean one text with the default rules (or `pipeline`). Line ends become `\\n`."""
    return explain(text, pipeline).text


def explain(text: str, pipeline: Pipeline | None = None) -> Result:
    """Clean one text and return every edit with the rule that made it."""
    return (pipeline or default_pipeline()).apply(normalize_newlines(text))
