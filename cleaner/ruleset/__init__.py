"""Rule files: finding, parsing, validating and compiling them into a Pipeline."""

from cleaner.ruleset.loader import default_rules_dir, load_pipeline, load_rules, rule_files

__all__ = ["default_rules_dir", "load_pipeline", "load_rules", "rule_files"]
