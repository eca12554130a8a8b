"""cleaner: remove scraped-text boilerplate with declarative, tested rule files."""

from cleaner.api import clean, explain
from cleaner.batch import CleanBatch
from cleaner.engine import Pipeline
from cleaner.errors import RuleFileError, RuleTimeout
from cleaner.model import Document, Edit, Result, replay
from cleaner.ruleset import load_rules

__all__ = [
    "CleanBatch",
    "Document",
    "Edit",
    "Pipeline",
    "Result",
    "RuleFileError",
    "RuleTimeout",
    "clean",
    "explain",
    "load_rules",
    "replay",
]
