"""One input file's bytes to the text the rules see: HTML is extracted, text is decoded.

Which reading applies is decided by the file's name (`files.is_html`), so a run can
mix text files and pages in one tree. Callers that already know they hold a page
(JSONL `--html-field`) call `cleaner.io.html.extract_html` directly.
"""

from __future__ import annotations

import zlib

from cleaner.errors import InputProblem
from cleaner.extract import ExtractSettings
from cleaner.io.decode import Decoded, decode_bytes
from cleaner.io.files import is_html

# A page larger than this once unpacked is refused (a gzip bomb, or not a web page).
MAX_UNPACKED = 64 * 1024 * 1024


def read_input(name: str, data: bytes, *, strict: bool = False, extract: ExtractSettings | None = None) -> Decoded:
    """Text of one input named `name`; raises InputProblem with the reason it cannot be used."""
    if not is_html(name):
        return decode_bytes(data, strict=strict)
    from cleaner.io.html import extract_page

    if name.lower().endswith(".gz"):
        data = gunzip(data)
    page = extract_page(data, extract, strict=strict)
    return Decoded(page.text, page.warnings)


def gunzip(data: bytes, limit: int = MAX_UNPACKED) -> bytes:
    """Unpack gzip data, refusing corrupt or oversized input."""
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, limit + 1)
    except zlib.error as exc:
        raise InputProblem(f"not valid gzip data: {exc}") from None
    if len(out) > limit:
        raise InputProblem(f"unpacks to more than {limit // (1024 * 1024)} MiB; refused")
    if not unpacker.eof:
        raise InputProblem("truncated gzip data")
    return out
