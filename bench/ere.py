"""The default drop-line patterns as POSIX extended regexes, for `LC_ALL=C grep -v -E -f`.

Translated from the parsed pattern (the stdlib parser, `\\p{..}` read as a letter
class), as closely as ERE under the C locale allows. What is approximated:

- look-arounds are dropped (ERE has none), so a pattern may match more lines;
- `(?i:...)` makes ASCII letters case-insensitive (`[rR]`); other letters keep their case;
- a character class holding non-ASCII characters becomes an alternation of the ASCII
  bracket expression and each non-ASCII character's UTF-8 bytes; `\\p{L}`, `\\w` and
  friends keep only their ASCII members (the C locale knows no others);
- `.` and negated classes match one byte, so `{m,n}` counts bytes, not characters;
- a bound above 9 on a repetition (`.{0,700}`, `{5,200}`) is dropped (`*`, `+`): GNU grep
  expands bounded repetitions into its automaton and slows to a crawl on them;
- `unless` patterns are ignored (grep cannot express "but not if").

    python bench/ere.py > patterns.ere
"""

from __future__ import annotations

import re
import re._parser as sre_parse
from typing import Any

import regex

_SPECIAL = set(".[]()*+?{}|^$\\")
_CATEGORY = {
    sre_parse.CATEGORY_DIGIT: "[:digit:]",
    sre_parse.CATEGORY_SPACE: "[:space:]",
    sre_parse.CATEGORY_WORD: "[:alnum:]_",
}
_NOT_CATEGORY = {
    sre_parse.CATEGORY_NOT_DIGIT: "[:digit:]",
    sre_parse.CATEGORY_NOT_SPACE: "[:space:]",
    sre_parse.CATEGORY_NOT_WORD: "[:alnum:]_",
}
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
_LETTER = "\U000f0000"  # stands for \p{..}: read as [:alpha:]
MAX_BOUND = 9


def drop_line_patterns() -> list[tuple[str, regex.Pattern[str]]]:
    """(rule id, compiled pattern) of every drop_line rule of the default rules, in order."""
    from cleaner import load_rules

    pipeline = load_rules(fast=False)
    return [(r.id, s.pattern) for r, s in zip(pipeline.rules, pipeline.steps, strict=True) if r.kind == "drop_line"]


def to_ere(source: str) -> str:
    tree = sre_parse.parse(_PROPERTY.sub(_LETTER, source))
    return _seq(list(tree), bool(tree.state.flags & re.IGNORECASE))


def _seq(items: list[Any], ic: bool) -> str:
    return "".join(_item(item, ic) for item in items)


def _lit(code: int, ic: bool) -> str:
    ch = chr(code)
    if ch == _LETTER:
        return "[[:alpha:]]"
    if ch.isascii():
        if ic and ch.isalpha():
            return f"[{ch.lower()}{ch.upper()}]"
        return "\\" + ch if ch in _SPECIAL else ch
    return ch


def _item(item: Any, ic: bool) -> str:
    op, arg = item
    if op is sre_parse.LITERAL:
        return _lit(arg, ic)
    if op is sre_parse.NOT_LITERAL:
        return f"[^{chr(arg)}]" if chr(arg).isascii() else "."
    if op is sre_parse.ANY:
        return "."
    if op is sre_parse.IN:
        return _class(arg, ic)
    if op is sre_parse.AT:
        return {sre_parse.AT_BEGINNING: "^", sre_parse.AT_END: "$", sre_parse.AT_BOUNDARY: "\\b"}.get(arg, "")
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return ""
    if op is sre_parse.BRANCH:
        return "(" + "|".join(_seq(list(alt), ic) for alt in arg[1]) + ")"
    if op is sre_parse.SUBPATTERN:
        _, add, remove, sub = arg
        inner = (ic or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return "(" + _seq(list(sub), inner) + ")"
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
        low, high, sub = arg
        body = _seq(list(sub), ic)
        if not (len(body) == 1 and body.isascii()):
            body = f"({body})"
        if high == sre_parse.MAXREPEAT or high > MAX_BOUND:
            return body + ("*" if low == 0 else "+" if low == 1 else f"{{{low},}}")
        if (low, high) == (0, 1):
            return body + "?"
        return body + (f"{{{low}}}" if low == high else f"{{{low},{high}}}")
    raise ValueError(f"no ERE for {op}")


def _class(items: list[Any], ic: bool) -> str:
    negate = bool(items) and items[0][0] is sre_parse.NEGATE
    chars: set[str] = set()
    parts: list[str] = []  # ranges and named classes
    others: list[str] = []  # non-ASCII characters: alternatives beside the bracket expression
    for op, arg in items[1:] if negate else items:
        if op is sre_parse.LITERAL:
            ch = chr(arg)
            if ch == _LETTER:
                parts.append("[:alpha:]")
            elif ch.isascii() and ch != "\n":  # grep reads lines: a newline is never inside one
                chars.update({ch, ch.swapcase()} if ic and ch.isalpha() else {ch})
            elif not ch.isascii() and not negate:
                others.append(ch)
        elif op is sre_parse.RANGE:
            if chr(arg[1]).isascii():
                parts.append(f"{chr(arg[0])}-{chr(arg[1])}")
        elif op is sre_parse.CATEGORY:
            if arg in _CATEGORY:
                parts.append(_CATEGORY[arg])
            elif arg in _NOT_CATEGORY:
                return "."  # e.g. [\S...]: any byte
    if not chars and not parts:
        return "." if negate else "(" + "|".join(others) + ")"
    bracket = _bracket(chars, parts, negate)
    return bracket if not others else "(" + "|".join([bracket, *others]) + ")"


def _bracket(chars: set[str], parts: list[str], negate: bool) -> str:
    """A POSIX bracket expression: `]` first, `[` `^` `-` last, no escapes inside."""
    body = "]" if "]" in chars else ""
    body += "".join(sorted(chars - set("]-^["))) + "".join(parts)
    body += "[" if "[" in chars else ""
    body += "^" if "^" in chars else ""
    body += "-" if "-" in chars else ""
    if body == "^" and not negate:
        return "\\^"
    return "[" + ("^" if negate else "") + body + "]"


def main() -> None:
    for _, pattern in drop_line_patterns():
        print(to_ere(pattern.pattern))


if __name__ == "__main__":
    main()
