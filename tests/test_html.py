"""HTML pages: encoding detection, extraction with the rule set's settings, refusals with reasons."""

from __future__ import annotations

import gzip

import pytest

from cleaner.errors import InputProblem
from cleaner.extract import ExtractSettings
from cleaner.io.files import is_html, output_name
from cleaner.io.html import declared_encoding, decode_html, extract_html, extract_page
from cleaner.io.inputs import gunzip, read_input

BODY = (
    "<p>{word} is the first paragraph of the article, long enough for the extractor to treat it as main text "
    "rather than as a stray label on the side of the page.</p>"
    "<p>The second paragraph goes on with more ordinary sentences about the same subject, so that the page "
    "reads like a real article with a beginning, a middle and an end.</p>"
)


def page(head: str = "", word: str = "Café", comments: str = "") -> str:
    article = f"<article>{BODY.format(word=word)}</article>"
    return f"<html><head>{head}<title>T</title></head><body>{article}{comments}</body></html>"


def test_meta_charset_is_honoured():
    data = page('<meta charset="windows-1252">', word="Caf\xe9 \u201cnoir\u201d").encode("cp1252")
    decoded = decode_html(data)
    assert (decoded.encoding, decoded.source) == ("cp1252", "declared")
    assert "Café “noir”" in decoded.text


def test_http_equiv_content_type_is_honoured():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
    data = page(head, word="Łódź i źródło").encode("iso-8859-2")
    decoded = decode_html(data)
    assert decoded.encoding == "iso8859_2"
    assert "Łódź i źródło" in decoded.text


def test_latin1_label_means_windows_1252():
    # Browsers read iso-8859-1 as windows-1252: 0x93/0x94 are curly quotes, not controls.
    assert declared_encoding(b'<meta charset="ISO-8859-1">') == "cp1252"
    data = page('<meta charset="iso-8859-1">', word="\u201cquoted\u201d").encode("cp1252")
    assert "“quoted”" in decode_html(data).text


def test_bom_wins_over_a_wrong_declaration():
    data = "\ufeff".encode("utf-16-le") + page('<meta charset="windows-1252">', word="Grüße").encode("utf-16-le")
    decoded = decode_html(data)
    assert decoded.source == "bom" and "Grüße" in decoded.text
    data = b"\xef\xbb\xbf" + page('<meta charset="windows-1252">', word="Grüße").encode("utf-8")
    assert "Grüße" in decode_html(data).text


def test_stale_single_byte_declaration_on_a_utf8_page():
    data = page('<meta charset="iso-8859-1">', word="Grüße aus Köln").encode("utf-8")
    decoded = decode_html(data)
    assert decoded.encoding == "utf_8" and "Grüße aus Köln" in decoded.text
    assert any("valid UTF-8" in w for w in decoded.warnings)


def test_mixed_page_reads_stray_bytes_as_windows_1252():
    data = page('<meta charset="utf-8">', word="Grüße und Übermaß").encode("utf-8").replace(b"Gr\xc3\xbc", b"Gr\xfc")
    decoded = decode_html(data)
    assert "Grüße und Übermaß" in decoded.text and decoded.source == "mixed"
    assert not decoded.lossy


def test_undeclared_windows_1252_page():
    text = page(word="Das Café an der Straße hat schöne Stühle, große Tische und Grüße für alle Gäste")
    decoded = decode_html(text.encode("cp1252"))
    assert decoded.source == "detected"
    assert "Das Café an der Straße hat schöne Stühle" in decoded.text


def test_xml_declaration():
    data = ('<?xml version="1.0" encoding="windows-1250"?>' + page(word="Zażółć gęślą jaźń")).encode("cp1250")
    assert "Zażółć gęślą jaźń" in decode_html(data).text


def test_extract_main_text_from_bytes_and_str():
    data = page('<meta charset="utf-8">', word="Grüße").encode("utf-8")
    text = extract_html(data, ExtractSettings())
    assert text.startswith("Grüße is the first paragraph") and "second paragraph" in text
    assert extract_html(data.decode("utf-8")) == text
    assert "<p>" not in text and "\r" not in text


def test_include_comments_setting_is_passed_on():
    comments = (
        '<div id="comments" class="comments"><h3>2 Comments</h3>'
        "<p>First commenter says the article is interesting and well argued, and adds a long thought of their own.</p>"
        "</div>"
    )
    data = page(word="Opening", comments=comments)
    with_comments = extract_html(data, ExtractSettings(include_comments=True))
    without = extract_html(data, ExtractSettings(include_comments=False))
    assert "First commenter" in with_comments
    assert "First commenter" not in without and "Opening is the first paragraph" in without


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty HTML page"),
        (b"   \n ", "empty HTML page"),
        (b"just some words, no markup at all", "cannot be parsed as HTML"),
        (
            b"<html><head><title>x</title></head><body><div></div><script>var a = 1;</script></body></html>",
            "no main text",
        ),
    ],
)
def test_unusable_pages_raise_input_problem_with_reason(data, reason):
    with pytest.raises(InputProblem, match=reason):
        extract_html(data)


def test_strict_refuses_a_page_with_undecodable_bytes():
    data = b"\xef\xbb\xbf" + page(word="ok").encode("utf-8") + b"\xff\xfe\xff"
    assert extract_page(data).text
    with pytest.raises(InputProblem, match="--strict"):
        extract_page(data, strict=True)


def test_gunzip_refuses_corrupt_truncated_and_oversized_data():
    packed = gzip.compress(b"<html>" + b"x" * 5000)
    assert gunzip(packed).startswith(b"<html>")
    with pytest.raises(InputProblem, match="not valid gzip"):
        gunzip(b"not gzip at all")
    with pytest.raises(InputProblem, match="truncated"):
        gunzip(packed[:20])
    with pytest.raises(InputProblem, match="more than"):
        gunzip(packed, limit=1000)


def test_read_input_dispatches_by_name():
    html = page(word="Advertisement").encode("utf-8")
    assert read_input("a.txt", html).text == html.decode("utf-8")
    assert read_input("a.HTML", html).text.startswith("Advertisement is the first")
    assert read_input("a/b.html.gz", gzip.compress(html)).text.startswith("Advertisement is the first")


@pytest.mark.parametrize(
    ("name", "html", "out"),
    [
        ("b.html.gz", True, "b.txt"),
        ("b.HTM", True, "b.txt"),
        ("b.html", True, "b.txt"),
        ("b.htm.gz", True, "b.txt"),
        ("notes.txt", False, "notes.txt"),
        ("data.gz", False, "data.gz"),
        ("html", False, "html"),
    ],
)
def test_html_names_and_output_names(name, html, out):
    assert is_html(name) is html
    assert output_name(name) == out
