"""HTML pages to main text: the page's own encoding, then trafilatura with the rule set's settings.

Encoding is decided here, not left to trafilatura, because trafilatura ignores a
page's declaration (it tries UTF-8, then guesses), which misreads short pages in
legacy encodings. The order, and why:

1. A byte-order mark: unambiguous.
2. The page's declaration (`<meta charset>`, `<meta http-equiv="Content-Type">`, an
   XML declaration) in the first 8 KiB, read with the WHATWG aliases browsers use
   (`iso-8859-1` and `ascii` mean windows-1252). One exception: a page declared in a
   single-byte charset whose bytes are valid UTF-8 *with* multi-byte sequences is
   UTF-8 (a stale template header; valid UTF-8 by accident is vanishingly rare).
   A page declared UTF-8 that is not valid UTF-8 falls through to step 3.
3. Undeclared (or declared UTF-8): strict UTF-8; then, if the bytes are mostly UTF-8
   with a few stray bytes (pasted text), UTF-8 with each stray byte read as
   windows-1252; then charset_normalizer's guess (preferring windows-1252 among
   encodings that give the same text); then windows-1252, which decodes any byte.
   Each step past strict UTF-8 adds a warning naming the choice.

The raised `InputProblem`s carry the reason a page cannot be used (not HTML, no main
text), so a run can set the page aside and go on.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import regex

from cleaner.errors import InputProblem
from cleaner.extract import ExtractSettings
from cleaner.io.decode import count_bad_sequences, normalize_newlines

SNIFF_BYTES = 8192
META_CHARSET = regex.compile(rb"""<meta\b[^>]{0,512}?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", regex.I)
XML_ENCODING = regex.compile(rb"""^\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""", regex.I)
# WHATWG encoding standard: labels browsers read as a wider encoding than their name says.
WHATWG_ALIASES = {
    "iso8859_1": "cp1252",
    "latin_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "gb2312": "gbk",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}
UTF8_MULTIBYTE = regex.compile(rb"[\xc2-\xf4][\x80-\xbf]")


@dataclass
class DecodedPage:
    text: str
    encoding: str  # Python codec name
    source: str  # how it was chosen: bom, declared, utf-8, mixed, detected, fallback
    warnings: list[str] = field(default_factory=list)
    lossy: bool = False  # some bytes could not be decoded and became U+FFFD


def decode_html(data: bytes) -> DecodedPage:
    """Bytes of an HTML page to text, choosing the encoding as the module docstring says."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            text, lossy = _decode(data[len(bom) :], codec)
            warnings = [f"{codec} (by its BOM) with undecodable bytes replaced by U+FFFD"] if lossy else []
            return DecodedPage(text, codec, "bom", warnings, lossy)
    warnings: list[str] = []
    declared = declared_encoding(data[:SNIFF_BYTES], warnings)
    if declared is not None and declared != "utf_8":
        if _is_utf8(data) and UTF8_MULTIBYTE.search(data):
            warnings.append(f"declares {declared} but is valid UTF-8; read as UTF-8")
            return DecodedPage(data.decode("utf-8"), "utf_8", "utf-8", warnings)
        try:
            return DecodedPage(data.decode(declared), declared, "declared", warnings)
        except UnicodeDecodeError as exc:
            warnings.append(f"declares {declared} but byte {exc.start} is not {declared}")
    if _is_utf8(data):
        return DecodedPage(data.decode("utf-8"), "utf_8", "declared" if declared else "utf-8", warnings)
    bad = count_bad_sequences(data)
    if bad < len(UTF8_MULTIBYTE.findall(data)):
        # Mostly UTF-8 with stray single-byte characters (text pasted from an older
        # source): read each stray byte as windows-1252 rather than misread the rest.
        warnings.append(f"mixed encoding: UTF-8 with {bad} stray byte sequence(s) read as windows-1252")
        return DecodedPage(data.decode("utf-8", errors=MIXED), "utf_8", "mixed", warnings)
    if declared == "utf_8":
        warnings.append("declares UTF-8 but is not UTF-8")
    guess = _detect(data)
    if guess is not None:
        warnings.append(f"encoding guessed as {guess}")
        text, lossy = _decode(data, guess)
        return DecodedPage(text, guess, "detected", warnings, lossy)
    warnings.append("encoding unknown; read as windows-1252")
    text, lossy = _decode(data, "cp1252")
    return DecodedPage(text, "cp1252", "fallback", warnings, lossy)


def declared_encoding(head: bytes, warnings: list[str] | None = None) -> str | None:
    """The codec a page declares in its first bytes (XML declaration or meta tag), if Python knows it."""
    m = XML_ENCODING.search(head) or META_CHARSET.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii").strip().lower()
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        if warnings is not None:
            warnings.append(f"unknown declared charset {label!r} ignored")
        return None
    if name.startswith("utf_16") or name.startswith("utf_32"):
        return None  # a declaration in ASCII bytes cannot be true for UTF-16/32 without a BOM
    return WHATWG_ALIASES.get(name, name)


def _cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


MIXED = "cleaner-utf8-else-cp1252"
codecs.register_error(MIXED, _cp1252_bytes)


def _decode(data: bytes, codec: str) -> tuple[str, bool]:
    """(text, lossy): undecodable bytes become U+FFFD, and lossy says whether any did."""
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        return data.decode(codec, errors="replace"), True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = data if len(data) <= 200_000 else data[:100_000] + data[-100_000:]
    best = from_bytes(sample).best()
    if best is None:
        return None
    # Encodings that decode these bytes identically are equally right; prefer the
    # one most pages in Western languages use.
    name = "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None


def extract_html(data: bytes | str, settings: ExtractSettings | None = None) -> str:
    """The main text of one HTML page (bytes in any encoding, or already-decoded text).

    This is the function every way in shares (files, JSONL `--html-field`, the
    evaluation). Raises InputProblem if the page is not HTML or has no main text.
    """
    return extract_page(data, settings).text


@dataclass
class ExtractedPage:
    text: str
    warnings: list[str] = field(default_factory=list)


def extract_page(data: bytes | str, settings: ExtractSettings | None = None, *, strict: bool = False) -> ExtractedPage:
    """Like `extract_html`, also returning what was noticed about the page's encoding.

    `strict` refuses a page whose bytes could not all be decoded (as `--strict` does for text).
    """
    import trafilatura
    from trafilatura.utils import load_html

    settings = settings or ExtractSettings()
    warnings: list[str] = []
    if isinstance(data, bytes):
        page = decode_html(data)
        if strict and page.lossy:
            raise InputProblem(f"undecodable bytes as {page.encoding} ({page.source}) (--strict)")
        html, warnings = page.text, page.warnings
    else:
        html = data
    if not html.strip():
        raise InputProblem("empty HTML page")
    tree = load_html(html)
    if tree is None:
        raise InputProblem("cannot be parsed as HTML (no element structure found)")
    text = trafilatura.extract(
        tree, output_format="txt", config=_config(settings.min_extracted_size), **_options(settings)
    )
    if not text or not text.strip():
        raise InputProblem("no main text found in the HTML page")
    return ExtractedPage(normalize_newlines(text), warnings)


def _options(settings: ExtractSettings) -> dict[str, bool]:
    return {
        "include_comments": settings.include_comments,
        "include_tables": settings.include_tables,
        "include_formatting": settings.include_formatting,
        "include_links": settings.include_links,
        "favor_precision": settings.favor_precision,
        "favor_recall": settings.favor_recall,
        "fast": settings.fast,
    }


_CONFIGS: dict[int, object] = {}


def _config(min_extracted_size: int):  # -> ConfigParser
    """trafilatura's settings with our minimum size; one copy per value, made once."""
    if min_extracted_size not in _CONFIGS:
        from copy import deepcopy

        from trafilatura.settings import DEFAULT_CONFIG

        config = deepcopy(DEFAULT_CONFIG)
        config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = str(min_extracted_size)
        _CONFIGS[min_extracted_size] = config
    return _CONFIGS[min_extracted_size]
