"""Error types, each carrying what a user needs to find and fix the problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class RuleProblem:
    """One thing wrong in a rule file: where it is and what to do about it."""

    path: Path | str
    line: int | None
    rule_id: str | None
    message: str
    hint: str = ""
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        if self.line and self.column:
            where += f":{self.column}"
        rule = f" [{self.rule_id}]" if self.rule_id else ""
        hint = f"\n    fix: {self.hint}" if self.hint else ""
        return f"{where}{rule}: {self.message}{hint}"


class RuleFileError(Exception):
    """Rule files are broken; nothing may run until they are fixed (exit code 2)."""

    def __init__(self, problems: list[RuleProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RuleTimeout(Exception):
    """A rule exceeded its time budget on one text (see Pipeline.budget)."""

    def __init__(self, rule_id: str, timeout: float):
        self.rule_id = rule_id
        self.timeout = timeout
        super().__init__(f"rule {rule_id} timed out after {timeout:g}s on this text (pathological regex?)")


class InputProblem(Exception):
    """An input cannot be cleaned as it is (binary, undecodable under --strict, ...)."""


class OutputError(Exception):
    """An output could not be written (disk full, no permission, stdout closed): the run stops."""

    def __init__(self, message: str, broken_pipe: bool = False):
        self.broken_pipe = broken_pipe
        super().__init__(message)
