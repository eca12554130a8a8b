"""Finding line numbers in rule files, since tomllib reports none for valid TOML.

Errors must point at a line. We find the `[[rule]]` header of the n-th rule and, for
a key, the first `key =` line after it.
"""

from __future__ import annotations

import regex

RULE_HEADER = regex.compile(r"^[ \t]*\[\[\s*rule\s*\]\]", regex.M)
LISTS_HEADER = regex.compile(r"^[ \t]*\[\s*lists\s*\]", regex.M)
TABLE_HEADER = regex.compile(r"^[ \t]*\[", regex.M)
EXTRACT_HEADER = regex.compile(r"^[ \t]*\[\s*extract\s*\]", regex.M)


class Locator:
    def __init__(self, source: str):
        self.source = source
        self.headers = [m.start() for m in RULE_HEADER.finditer(source)]

    def line_of(self, offset: int) -> int:
        return self.source.count("\n", 0, offset) + 1

    def rule_line(self, index: int) -> int | None:
        if index < len(self.headers):
            return self.line_of(self.headers[index])
        return None

    def key_line(self, index: int, key: str) -> int | None:
        if index >= len(self.headers):
            return None
        start = self.headers[index]
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.source)
        m = regex.compile(rf"^[ \t]*{regex.escape(key)}\s*=", regex.M).search(self.source, start, end)
        return self.line_of(m.start()) if m else self.rule_line(index)

    def list_line(self, name: str) -> int | None:
        return self._table_key_line(LISTS_HEADER, name)

    def extract_line(self, key: str | None) -> int | None:
        """The line of `key =` in the [extract] table, or of the table's header."""
        return self._table_key_line(EXTRACT_HEADER, key)

    def _table_key_line(self, header: regex.Pattern[str], key: str | None) -> int | None:
        m = header.search(self.source)
        if not m:
            return None
        if key is None:
            return self.line_of(m.start())
        nxt = TABLE_HEADER.search(self.source, m.end())
        end = nxt.start() if nxt else len(self.source)
        k = regex.compile(rf"^[ \t]*{regex.escape(key)}\s*=", regex.M).search(self.source, m.end(), end)
        return self.line_of(k.start()) if k else self.line_of(m.start())
