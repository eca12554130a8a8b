"""Rule files: finding, parsing, validating and compiling them into a Pipeline."""

from cleaner.ruleset.loader import default_rules_dir, load_pipeline, load_rules, rule_files
from cleaner.ruleset.select import SelectionError, select_rules

__all__ = ["SelectionError", "default_rules_dir", "load_pipeline", "load_rules", "rule_files", "select_rules"]
