"""`cleaner run` on HTML pages: alone, in trees with .html.gz, and a broken page among good ones."""

from __future__ import annotations

import gzip

PAGE = (
    "<html><head><meta charset='utf-8'><title>T</title></head><body><article>"
    "<p>Grüße from the first paragraph of the article, long enough for the extractor to keep it as main text.</p>"
    "<p>Advertisement</p>"
    "<p>The second paragraph of real text goes on about the same subject for a sentence or two more.</p>"
    "</article></body></html>"
)


def test_single_page_to_stdout(cli, tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes(PAGE.encode("utf-8"))
    r = cli("run", "-q", str(f))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("utf-8")
    assert out.startswith("Grüße from the first paragraph") and "second paragraph" in out
    assert "Advertisement" not in out and "<p>" not in out  # extracted, then cleaned by the default rules


def test_tree_with_pages_writes_txt_names(cli, tmp_path):
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "a" / "b.html.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    (src / "c.htm").write_bytes(PAGE.replace("utf-8", "windows-1252").encode("cp1252"))
    (src / "notes.txt").write_text("Advertisement\nPlain text.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("run", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a/b.txt", "c.txt", "notes.txt"]
    assert (out / "a" / "b.txt").read_text(encoding="utf-8").startswith("Grüße from the first")
    assert (out / "c.txt").read_text(encoding="utf-8").startswith("Grüße from the first")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "Plain text.\n"


def test_single_page_into_folder_is_named_txt(cli, tmp_path):
    f = tmp_path / "story.html.gz"
    f.write_bytes(gzip.compress(PAGE.encode("utf-8")))
    r = cli("run", str(f), "-o", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o" / "story.txt").exists()


def test_broken_page_is_set_aside_with_reason_and_run_goes_on(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.html").write_bytes(PAGE.encode("utf-8"))
    (src / "words.html").write_bytes(b"no markup here at all")
    (src / "bad.html.gz").write_bytes(b"not gzip")
    out = tmp_path / "out"
    r = cli("run", str(src), "-o", str(out))
    err = r.stderr.decode()
    assert r.returncode == 0  # every page is accounted for: written or quarantined with its reason
    assert f"{src / 'words.html'}: cannot be parsed as HTML" in err
    assert f"{src / 'bad.html.gz'}: not valid gzip data" in err
    assert "3 read, 1 written, 2 quarantined" in err
    assert (out / "good.txt").exists() and not (out / "words.txt").exists()
    quarantine = (tmp_path / "out.quarantine.jsonl").read_text("utf-8")
    assert "cannot be parsed as HTML" in quarantine and "not valid gzip data" in quarantine
    assert cli("run", "--strict", str(src), "-o", str(out)).returncode == 1


def test_page_and_text_with_the_same_output_name_are_refused(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_bytes(PAGE.encode("utf-8"))
    (src / "a.txt").write_text("x\n", encoding="utf-8")
    r = cli("run", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 2 and b"would both be written to" in r.stderr


def test_extract_settings_come_from_rule_files(cli, tmp_path):
    rules = tmp_path / "x.toml"
    rules.write_text("[extract]\ninclude_comments = true\nbogus = 1\n", encoding="utf-8")
    f = tmp_path / "p.html"
    f.write_bytes(PAGE.encode("utf-8"))
    r = cli("run", str(f), "--rules", str(rules))
    assert r.returncode == 2 and f"{rules}:3".encode() in r.stderr and b"unknown key 'bogus'" in r.stderr


def test_explain_works_on_a_page(cli, tmp_path):
    f = tmp_path / "p.html"
    f.write_bytes(PAGE.encode("utf-8"))
    r = cli("explain", str(f))
    assert r.returncode == 0 and b"ads.marker" in r.stdout


def test_jsonl_html_field_is_extracted_then_cleaned(cli, tmp_path):
    import json

    records = [{"id": "p1", "html": PAGE, "lang": "en"}, {"id": "p2", "html": "no markup here at all"}]
    (tmp_path / "pages.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    r = cli("run", str(tmp_path / "pages.jsonl"), "-o", str(tmp_path / "out"), "--html-field", "html")
    assert r.returncode == 0, r.stderr
    [out] = [json.loads(line) for line in (tmp_path / "out" / "pages.jsonl").read_text("utf-8").splitlines()]
    assert out["id"] == "p1" and out["html"] == PAGE and out["lang"] == "en"  # pass-through kept
    assert out["text"].strip() and "<" not in out["text"]
    [q] = [json.loads(line) for line in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert q["id"] == "p2" and "field 'html'" in q["reason"]
