"""A cheap "is this line English?" gate for the English-only fixes.

`sepárate` is a typo in English and a real word in Spanish; `die die` is a typo in
nothing but grammatical German. Rules that only make sense in English ask this gate
first. It counts English function words that are rare as words in the other common
Latin-script languages, so it needs no model and no download, and says "no" when
unsure (short lines, mixed text).
"""

from __future__ import annotations

import regex

# Frequent English function words that are not common words in German, French,
# Spanish, Portuguese, Italian, Dutch or Polish (so no "die", "was", "an", "on", "a").
ENGLISH_MARKERS = frozenset(
    """the and of to with that this which have has had is are were been their they would said from
    for it its but not be will could should there than what when who these those about into after
    over our your we you he she him her his them""".split()  # noqa: SIM905
)
WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)?")


def looks_english(line: str, *, min_markers: int = 3, min_share: float = 0.15) -> bool:
    words = WORD.findall(line.lower())
    if len(words) < 6:
        return False
    markers = sum(1 for w in words if w in ENGLISH_MARKERS)
    return markers >= min_markers and markers / len(words) >= min_share
