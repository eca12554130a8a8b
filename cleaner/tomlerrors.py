"""TOML syntax errors a person can act on: line, column, the line itself with a caret, and a hint
chosen for the error at hand (rule files and pyproject.toml share it).

`tomllib` gives one message per error kind with the position in words ("Invalid value (at line
2, column 6)"); the hints below answer the mistakes people make in rule files: a regex in a
"basic" string (backslashes are escapes there), an unclosed string, an unquoted value, a key set
twice in one [[rule]].
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$|\s*\(at end of document\)\s*$")

# (what the message starts with, the hint). First match wins.
_HINTS: tuple[tuple[str, str], ...] = (
    (
        "Unescaped '\\'",
        "in a \"basic\" string a backslash starts an escape; write regexes as literal strings '''...''' "
        "(no escaping needed)",
    ),
    (
        "Unrecognized escape sequence",
        "in a \"basic\" string a backslash starts an escape; write regexes as literal strings '''...''' "
        "(no escaping needed)",
    ),
    (
        "Illegal character '\\n'",
        "a string is not closed on its line: add the closing quote (a string over several lines needs "
        "'''...''' or \"\"\"...\"\"\")",
    ),
    ("Unterminated string", "a string is not closed: add the closing quote"),
    (
        "Invalid value",
        "a value is a quoted string (\"...\" or '''...'''), a number, true/false, an [array] or an "
        "{ inline = table }: quote text",
    ),
    (
        "Cannot overwrite a value",
        "this key is already set in the same table: each [[rule]] sets a key once (a new rule starts "
        "with its own [[rule]] line)",
    ),
    ("Cannot declare", "this table is declared twice: use [[rule]] (two brackets) for each rule"),
    ("Expected ']]'", "close the table header with two brackets: [[rule]]"),
    ("Expected ']'", "close the table header: [lists] or [extract]"),
    ("Expected '=' after a key", "each setting is key = value on one line; quote a key that holds spaces"),
    ("Invalid initial character for a key", "each setting is key = value; keys are bare words such as pattern"),
    ("Unclosed array", "close the array with ] (a trailing comma before it is fine)"),
    ("Unclosed inline table", "close the inline table with } on the same line (inline tables cannot span lines)"),
    ("Expected newline or end of document", "put each key = value on its own line"),
    ("Invalid statement", "each line is a [table] header, a key = value setting, or a # comment"),
)
_FALLBACK = "check the line against the TOML syntax (toml.io); rule patterns are easiest as literal strings '''...'''"


@dataclass(frozen=True)
class TomlSyntaxError:
    line: int | None
    column: int | None
    message: str  # tomllib's message without the position, then the offending line with a caret
    hint: str

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}: " if self.line else ""
        return f"{where}TOML syntax error: {self.message}\n    fix: {self.hint}"


def describe(exc: tomllib.TOMLDecodeError, source: str) -> TomlSyntaxError:
    """Position, message, the line itself and a fitting hint for a `tomllib` error on `source`."""
    text = str(exc.msg if hasattr(exc, "msg") else exc)
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    m = _POSITION.search(text)
    if m:
        text = text[: m.start()]
        if m.group(1) and line is None:
            line, column = int(m.group(1)), int(m.group(2))
    hint = next((h for start, h in _HINTS if text.startswith(start)), _FALLBACK)
    message = f"TOML: {text}"[6:]
    lines = source.splitlines()
    if line is not None and 0 < line <= len(lines):
        shown = lines[line - 1].expandtabs(1)
        message += f"\n    | {shown}"
        if column is not None:
            message += f"\n    | {' ' * (column - 1)}^"
    return TomlSyntaxError(line, column, message, hint)
