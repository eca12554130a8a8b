"""Bytes to text, loudly: every substitution or refusal names the file and the byte.

- UTF-8 is expected; a UTF-8 BOM is dropped; UTF-16 with a BOM is decoded.
- Undecodable bytes become U+FFFD with a warning naming the first bad offset
  (`strict=True` refuses the input instead).
- NUL bytes outside UTF-16 mean a binary file, which is refused.
- CRLF and lone CR line ends become LF: rules see one kind of line end.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from cleaner.errors import InputProblem


@dataclass
class Decoded:
    text: str
    warnings: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, *, strict: bool = False) -> Decoded:
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputProblem(f"UTF-16 (by its BOM) but undecodable at byte {exc.start}: {exc.reason}") from None
        return Decoded(normalize_newlines(text), ["decoded as UTF-16 (byte-order mark)"])
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputProblem(f"binary file (NUL byte at offset {nul}); skipped")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"invalid UTF-8 at byte {exc.start}"
        if strict:
            raise InputProblem(f"{message} (--strict)") from None
        text = data.decode("utf-8", errors="replace")
        bad = count_bad_sequences(data, text)
        warnings.append(f"{message}; {bad} undecodable sequence(s) replaced with U+FFFD")
    return Decoded(normalize_newlines(text), warnings)


def count_bad_sequences(data: bytes, decoded: str | None = None) -> int:
    """How many undecodable UTF-8 sequences `data` holds.

    Every U+FFFD of the replaced decoding is one, except those the bytes spelled out
    (EF BF BD); counted in C, so a 20 MB file of garbage costs no per-byte Python call.
    """
    if decoded is None:
        decoded = data.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") - data.count(b"\xef\xbf\xbd")


def normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
