"""The draft rule file `cleaner mine` writes, and the table of families it shows.

The draft is a valid rule file as written (`cleaner rules check --rules draft.toml`
passes): ids are unique, every rule carries the lines it was mined from as examples
it changes and a corpus line it must leave alone, and patterns are literal TOML
strings (`'''…'''`, which no generated pattern can contain: apostrophes are `['’]`).
Counts and over-matches go into comments, where a reviewer reads them and the rule
loader does not.
"""

from __future__ import annotations

import unicodedata

import regex

from cleaner.authoring.mine import Family, MineReport

ID_WORD = regex.compile(r"[a-z0-9]+")
ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def toml_string(text: str) -> str:
    """A TOML basic string; control and invisible characters (NBSP, zero-width, soft hyphen) as `\\uXXXX`."""
    out = []
    for c in text:
        if c in ESCAPES:
            out.append(ESCAPES[c])
        elif not c.isprintable() or c in "\u00a0\u00ad\u200b\u200c\u200d\u2060\ufeff":
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def assign_ids(families: list[Family], prefix: str = "mined") -> None:
    """`mined.<first words of the form>`, ASCII, unique (`-2`, `-3` on a clash)."""
    taken: set[str] = set()
    for n, family in enumerate(families, 1):
        ascii_form = unicodedata.normalize("NFKD", family.shape).encode("ascii", "ignore").decode().lower()
        found = ["n" if word == "0" else word for word in ID_WORD.findall(ascii_form)]  # a digit run reads `0`
        slug = "-".join(found[:4])[:40].strip("-") or f"family-{n}"
        candidate, k = slug, 2
        while candidate in taken:
            candidate, k = f"{slug}-{k}", k + 1
        taken.add(candidate)
        family.rule_id = f"{prefix}.{candidate}"


def draft_toml(report: MineReport, min_docs: int, by: str | None) -> str:
    """The draft rule file text: a header saying how it was mined, then one rule per family."""
    per = f" within one {by!r} source" if by else ""
    lines = [
        "# Draft rules mined by `cleaner mine`: lines that recur across documents after the current rules ran.",
        f"# {report.documents} documents, {report.lines} non-blank lines; a family recurs in at least "
        f"{min_docs} documents{per}.",
        "# Review every rule before use: widen or narrow the pattern, rename the id, keep the examples honest,",
        "# then run `cleaner rules check --rules THIS_FILE` and read the golden diffs (`cleaner test`).",
    ]
    if not report.families:
        lines.append("# No recurring family was found: nothing to propose.")
    for family in report.families:
        lines.append("")
        lines.extend(_rule(family, by))
    return "\n".join(lines) + "\n"


def _rule(family: Family, by: str | None) -> list[str]:
    sources = f" of {family.sources} source(s) ({by})" if by else ""
    out = [f"# {family.docs} documents{sources}, {family.variants} distinct line(s): {family.shape}"]
    if family.overmatch_count:
        shown = "; ".join(_clip(line) for line in family.overmatches)
        out.append(f"# also matches {family.overmatch_count} other corpus line(s), e.g. {shown}")
    if not family.lookalike_shares:
        out.append("# the look-alike shares no word with the family: replace it with a closer one")
    seen_as = family.examples[0] if family.template.exact else family.shape
    description = f"Recurring line ({family.docs} documents{sources}): {_clip(seen_as, 80)}"
    out += [
        "[[rule]]",
        f"id = {toml_string(family.rule_id)}",
        'kind = "drop_line"',
        f"description = {toml_string(description)}",
        f"pattern = '''{family.pattern}'''",
        "examples = [",
    ]
    out += [f'  {{ input = {toml_string(line)}, output = "" }},' for line in family.examples]
    out += [f"  {{ input = {toml_string(family.lookalike or '')}, unchanged = true }},", "]"]
    return out


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_table(report: MineReport, by: str | None, top: int) -> None:
    """The top families on stderr, as a table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Top {min(top, len(report.families))} of {len(report.families)} families", title_justify="left"
    )
    table.add_column("#", justify="right")
    table.add_column("docs", justify="right")
    if by:
        table.add_column("sources", justify="right")
    table.add_column("lines", justify="right")
    table.add_column("also", justify="right")  # corpus lines outside the family the pattern matches too
    table.add_column("rule id", no_wrap=True)
    table.add_column("form (… varies)", no_wrap=True, overflow="ellipsis", max_width=60)
    for n, family in enumerate(report.families[:top], 1):
        row = [str(n), str(family.docs)] + ([str(family.sources)] if by else [])
        table.add_row(*row, str(family.variants), str(family.overmatch_count), family.rule_id, _clip(family.shape, 60))
    console = Console(stderr=True)
    if not console.is_terminal:
        console = Console(stderr=True, width=140)  # a log file or pipe: no terminal width to fit
    console.print(table)
