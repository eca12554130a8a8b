"""The bad-input battery: what the web throws at a cleaning step, one test per case.

Every case must give: no traceback, a message naming the file (and the line, for
records), and counts that add up. To stay fast, each family of cases is one real CLI
run over a folder holding one file per case (module-scoped fixtures); each test then
checks its own file's output, quarantine entries and messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import run_cli

ADVERT = "Advertisement\nBody text stays.\n"

# name -> (bytes, expected output bytes or None when quarantined/skipped)
TEXT_CASES: dict[str, tuple[bytes, bytes | None]] = {
    "invalid_utf8.txt": (b"Caf\xe9 au lait\nAdvertisement\n", "Caf\ufffd au lait\n".encode()),
    "utf8_bom.txt": (b"\xef\xbb\xbf" + ADVERT.encode(), b"Body text stays.\n"),
    "utf16le_bom.txt": (b"\xff\xfe" + "Grüße\r\nAdvertisement\r\n".encode("utf-16-le"), "Grüße\n".encode()),
    "utf16be_bom.txt": (b"\xfe\xff" + "Grüße\nAdvertisement\n".encode("utf-16-be"), "Grüße\n".encode()),
    "utf16_broken.txt": (b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8", None),  # a lone surrogate
    "crlf.txt": (b"One.\r\nAdvertisement\r\nTwo.\r\n", b"One.\nTwo.\n"),
    "lone_cr.txt": (b"One.\rAdvertisement\rTwo.\r", b"One.\nTwo.\n"),
    "nul.txt": (b"text\x00with a NUL byte\n", None),
    "empty.txt": (b"", b""),
    "many_lines.txt": ("".join(f"Line {i} of a long page.\n" for i in range(100_000)).encode(), None),
}


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("text")
    src = root / "in"
    src.mkdir()
    for name, (data, _) in TEXT_CASES.items():
        (src / name).write_bytes(data)
    stats = root / "stats.json"
    r = run_cli("run", str(src), "-o", str(root / "out"), "--workers", "2", "--stats-json", str(stats))
    return Run(root, src, r, json.loads(stats.read_text("utf-8")))


class Run:
    def __init__(self, root: Path, src: Path, result, stats: dict):
        self.root, self.src, self.result, self.stats = root, src, result, stats
        self.err = result.stderr.decode()
        q = root / "out.quarantine.jsonl"
        self.quarantine = [json.loads(x) for x in q.read_text("utf-8").splitlines()] if q.exists() else []

    def out(self, name: str) -> Path:
        return self.root / "out" / name

    def entries(self, name: str) -> list[dict]:
        return [e for e in self.quarantine if e["source"] == str(self.src / name)]


def test_text_battery_runs_clean_and_balanced(text_run):
    assert text_run.result.returncode == 0, text_run.err
    assert "Traceback" not in text_run.err
    totals = text_run.stats["totals"]
    assert totals["read"] == len(TEXT_CASES)
    assert totals["quarantined"] == 2  # utf16_broken.txt, nul.txt
    assert totals["balanced"] and totals["read"] == totals["written"] + totals["quarantined"]


def test_invalid_utf8_text_is_repaired_with_a_warning_naming_file_and_byte(text_run):
    assert text_run.out("invalid_utf8.txt").read_bytes() == TEXT_CASES["invalid_utf8.txt"][1]
    assert f"{text_run.src / 'invalid_utf8.txt'}: invalid UTF-8 at byte 3; 1 undecodable" in text_run.err


def test_utf8_bom_is_dropped(text_run):
    assert text_run.out("utf8_bom.txt").read_bytes() == b"Body text stays.\n"


@pytest.mark.parametrize("name", ["utf16le_bom.txt", "utf16be_bom.txt"])
def test_utf16_with_bom_is_decoded_not_garbled(text_run, name):
    assert text_run.out(name).read_bytes() == TEXT_CASES[name][1]
    assert f"{text_run.src / name}: decoded as UTF-16" in text_run.err


def test_undecodable_utf16_is_refused_clearly(text_run):
    assert not text_run.out("utf16_broken.txt").exists()
    [entry] = text_run.entries("utf16_broken.txt")
    assert "UTF-16 (by its BOM) but undecodable at byte 6" in entry["reason"]
    assert f"{text_run.src / 'utf16_broken.txt'}: UTF-16" in text_run.err


@pytest.mark.parametrize("name", ["crlf.txt", "lone_cr.txt"])
def test_crlf_and_lone_cr_become_lf(text_run, name):
    assert text_run.out(name).read_bytes() == b"One.\nTwo.\n"


def test_nul_bytes_mean_binary_quarantined(text_run):
    assert not text_run.out("nul.txt").exists()
    [entry] = text_run.entries("nul.txt")
    assert entry["reason"] == "binary file (NUL byte at offset 4); skipped"
    assert f"{text_run.src / 'nul.txt'}: binary file (NUL byte at offset 4)" in text_run.err


def test_empty_text_file_gives_empty_output(text_run):
    assert text_run.out("empty.txt").read_bytes() == b""


def test_document_of_100k_short_lines(text_run):
    out = text_run.out("many_lines.txt").read_bytes()
    assert out == TEXT_CASES["many_lines.txt"][0]  # nothing to clean: same bytes, no time out


# --- JSON Lines -------------------------------------------------------------------------

GOOD = '{"id": "g1", "text": "Advertisement\\nKept.\\n"}'
JSONL_CASES: dict[str, bytes] = {
    "invalid_utf8.jsonl": GOOD.encode() + b'\n{"id": "bad", "text": "caf\xe9"}\n',
    "bom.jsonl": b"\xef\xbb\xbf" + GOOD.encode() + b"\n",
    "utf16.jsonl": b"\xff\xfe" + (GOOD + "\n").encode("utf-16-le"),
    "crlf.jsonl": (GOOD + "\r\n" + GOOD.replace("g1", "g2") + "\r\n").encode(),
    "crlf_text.jsonl": b'{"id": "c1", "text": "One.\\r\\nTwo.\\r\\n"}\n'
    b'{"id": "c2", "text": "One.\\rAdvertisement\\rTwo."}\n',
    "nul.jsonl": GOOD.encode() + b'\n{"id": "nul", "text": "a\x00b"}\n',
    "zero.jsonl": b"",
    "blank_line.jsonl": (GOOD + "\n\n   \n" + GOOD.replace("g1", "g4") + "\n").encode(),
    "truncated.jsonl": (GOOD + '\n{"id": "cut", "text": "Half a rec').encode(),
    "not_json.jsonl": (GOOD + "\n<html>oops</html>\n").encode(),
    "text_null.jsonl": b'{"id": "n", "text": null}\n',
    "text_number.jsonl": b'{"id": "num", "text": 5}\n',
    "text_list.jsonl": b'{"id": "l", "text": ["a"]}\n',
    "no_id.jsonl": (GOOD + '\n{"text": "Advertisement\\nNo id here.\\n"}\n').encode(),
}


@pytest.fixture(scope="module")
def jsonl_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("jsonl")
    src = root / "in"
    src.mkdir()
    for name, data in JSONL_CASES.items():
        (src / name).write_bytes(data)
    stats = root / "stats.json"
    r = run_cli("run", str(src), "-o", str(root / "out"), "--workers", "2", "--stats-json", str(stats),
                "--log-edits", str(root / "edits.jsonl"))  # fmt: skip
    return Run(root, src, r, json.loads(stats.read_text("utf-8")))


def out_records(run: Run, name: str) -> list[dict]:
    return [json.loads(x) for x in run.out(name).read_text("utf-8").splitlines()]


def test_jsonl_battery_accounts_for_every_record(jsonl_run):
    assert jsonl_run.result.returncode == 1  # utf16.jsonl cannot be read at all
    assert "Traceback" not in jsonl_run.err
    totals = jsonl_run.stats["totals"]
    assert totals["balanced"] and totals["read"] == totals["written"] + totals["quarantined"]
    # Per file: every non-blank line is either written or quarantined.
    for name, data in JSONL_CASES.items():
        if name == "utf16.jsonl":
            continue
        records = [line for line in data.split(b"\n") if line.strip()]
        written = len(out_records(jsonl_run, name))
        assert written + len(jsonl_run.entries(name)) == len(records), name


def test_invalid_utf8_in_a_record_is_repaired_naming_file_and_line(jsonl_run):
    assert [r["text"] for r in out_records(jsonl_run, "invalid_utf8.jsonl")] == ["Kept.\n", "caf\ufffd\n"]
    assert f"{jsonl_run.src / 'invalid_utf8.jsonl'}:2: invalid UTF-8 replaced with U+FFFD" in jsonl_run.err


def test_utf8_bom_before_first_record(jsonl_run):
    assert out_records(jsonl_run, "bom.jsonl") == [{"id": "g1", "text": "Kept.\n"}]


def test_utf16_jsonl_is_refused_clearly(jsonl_run):
    assert not jsonl_run.out("utf16.jsonl").exists()
    message = "UTF-16 (by its byte-order mark): JSON Lines must be UTF-8"
    assert f"{jsonl_run.src / 'utf16.jsonl'}: {message}" in jsonl_run.err
    [failed] = jsonl_run.stats["failed_inputs"]
    assert failed.startswith(f"{jsonl_run.src / 'utf16.jsonl'}: UTF-16")


def test_crlf_record_lines(jsonl_run):
    assert [r["id"] for r in out_records(jsonl_run, "crlf.jsonl")] == ["g1", "g2"]


def test_crlf_and_lone_cr_inside_record_texts_become_lf(jsonl_run):
    """As in text files: a record with nothing else to clean still gets `\\n` line ends,
    and lone CRs separate lines, so line rules see each line."""
    texts = {r["id"]: r["text"] for r in out_records(jsonl_run, "crlf_text.jsonl")}
    assert texts == {"c1": "One.\nTwo.\n", "c2": "One.\nTwo.\n"}


def test_raw_nul_inside_a_record_is_quarantined_with_line(jsonl_run):
    [entry] = jsonl_run.entries("nul.jsonl")
    assert entry["line"] == 2 and "not valid JSON" in entry["reason"] and "control character" in entry["reason"]
    assert f"{jsonl_run.src / 'nul.jsonl'}:2: not valid JSON" in jsonl_run.err


def test_zero_byte_jsonl_gives_zero_byte_output(jsonl_run):
    assert jsonl_run.out("zero.jsonl").read_bytes() == b""


def test_blank_lines_hold_no_record(jsonl_run):
    assert [r["id"] for r in out_records(jsonl_run, "blank_line.jsonl")] == ["g1", "g4"]
    assert jsonl_run.entries("blank_line.jsonl") == []


def test_truncated_last_line_is_quarantined_not_lost(jsonl_run):
    assert [r["id"] for r in out_records(jsonl_run, "truncated.jsonl")] == ["g1"]
    [entry] = jsonl_run.entries("truncated.jsonl")
    assert entry["line"] == 2 and entry["record"] == '{"id": "cut", "text": "Half a rec'
    assert "not valid JSON: Unterminated string" in entry["reason"]


def test_line_that_is_not_json(jsonl_run):
    [entry] = jsonl_run.entries("not_json.jsonl")
    assert entry["line"] == 2 and entry["record"] == "<html>oops</html>" and "not valid JSON" in entry["reason"]
    assert f"{jsonl_run.src / 'not_json.jsonl'}:2: not valid JSON" in jsonl_run.err


@pytest.mark.parametrize(("name", "kind"), [("text_null.jsonl", "null"), ("text_number.jsonl", "int"),
                                            ("text_list.jsonl", "list")])  # fmt: skip
def test_text_that_is_not_a_string(jsonl_run, name, kind):
    [entry] = jsonl_run.entries(name)
    assert entry["line"] == 1 and entry["reason"] == f"field 'text' is {kind}, not a string"
    assert entry["id"] == json.loads(JSONL_CASES[name])["id"]
    assert jsonl_run.out(name).read_bytes() == b""


def test_record_without_id_is_known_by_its_line(jsonl_run):
    assert [r.get("id") for r in out_records(jsonl_run, "no_id.jsonl")] == ["g1", None]
    edits = [json.loads(x) for x in (jsonl_run.root / "edits.jsonl").read_text("utf-8").splitlines()]
    mine = [e for e in edits if e["source"] == str(jsonl_run.src / "no_id.jsonl")]
    assert {(e["doc"], e["record"]) for e in mine if e["rule"] == "ads.marker"} == {("g1", 1), ("2", 2)}


# --- File system ------------------------------------------------------------------------


def test_unreadable_file_is_quarantined_by_name_in_process(tmp_path, monkeypatch):
    """Independent of who runs the tests (root reads anything): reading raises EACCES."""
    from typer.testing import CliRunner

    from cleaner.cli import app

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ADVERT, encoding="utf-8")
    (src / "locked.txt").write_text(ADVERT, encoding="utf-8")
    (src / "locked.jsonl").write_text(GOOD + "\n", encoding="utf-8")
    real_read_bytes, real_open = Path.read_bytes, open

    def read_bytes(self):
        if self.name.startswith("locked"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    def fake_open(file, *args, **kwargs):
        if Path(str(file)).name.startswith("locked"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr("cleaner.io.compress.open", fake_open, raising=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(src), "-o", str(out), "--workers", "1", "-q"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    err = r.stderr
    assert r.exit_code == 1  # the JSONL input could not be read at all
    assert f"{src / 'locked.txt'}: cannot read: Permission denied" in err
    assert f"error: {src / 'locked.jsonl'}: cannot read: Permission denied; its output was discarded" in err
    assert (out / "a.txt").exists() and not (out / "locked.txt").exists() and not (out / "locked.jsonl").exists()
    [entry] = [json.loads(x) for x in (tmp_path / "out.quarantine.jsonl").read_text("utf-8").splitlines()]
    assert entry["source"] == str(src / "locked.txt") and "Permission denied" in entry["reason"]


def test_unreadable_file_real_permissions(tmp_path):
    """The same with real permissions. Root reads anything, so as root the run drops to user
    `nobody`, if that user can run this interpreter (else: skipped; the test above stands)."""
    base = Path("/tmp") / f"cleaner-perm-{os.getpid()}-{tmp_path.name}"
    base.mkdir()
    try:
        base.chmod(0o777)
        src = base / "in"
        src.mkdir()
        src.chmod(0o755)
        (src / "a.txt").write_text(ADVERT, encoding="utf-8")
        (src / "a.txt").chmod(0o644)
        (src / "locked.txt").write_text(ADVERT, encoding="utf-8")
        (src / "locked.txt").chmod(0)
        popen: dict = {}
        if os.geteuid() == 0:
            import pwd
            import subprocess
            import sys

            nobody = pwd.getpwnam("nobody")

            def as_nobody():
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)

            try:
                subprocess.run([sys.executable, "-c", "import cleaner"], preexec_fn=as_nobody, check=True,
                               capture_output=True, cwd=base, timeout=60)  # fmt: skip
            except (OSError, subprocess.CalledProcessError):
                pytest.skip(
                    "running as root, and user nobody cannot run this interpreter: permissions cannot be felt "
                    "here (test_unreadable_file_is_quarantined_by_name_in_process covers the case)"
                )
            popen = {"preexec_fn": as_nobody}
        r = run_cli("run", str(src), "-o", str(base / "out"), "--workers", "1", cwd=base, **popen)
        err = r.stderr.decode()
        assert r.returncode == 0, err
        assert f"{src / 'locked.txt'}: cannot read: Permission denied" in err
        assert "2 read, 1 written, 1 quarantined" in err
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


def test_symlink_loops_fifos_and_broken_links_in_a_tree_are_skipped_by_name(cli, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(ADVERT, encoding="utf-8")
    (src / "loop1").symlink_to("loop2")
    (src / "loop2").symlink_to("loop1")
    (src / "sub" / "up").symlink_to("..")  # a folder loop: never followed
    (src / "dangling.txt").symlink_to("nowhere")
    os.mkfifo(src / "fifo.jsonl")  # reading it would block forever
    r = cli("run", str(src), "-o", str(tmp_path / "out"))
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "Traceback" not in err
    assert f"warning: {src / 'loop1'}: skipped: symlink loop" in err
    assert f"warning: {src / 'dangling.txt'}: skipped: broken symlink" in err
    assert f"warning: {src / 'fifo.jsonl'}: skipped: not a regular file (a FIFO)" in err
    assert "1 read, 1 written, 0 quarantined" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt"]  # a complete run leaves only outputs
    r = cli("run", str(src / "loop1"), "-o", str(tmp_path / "out2"))
    assert r.returncode == 2 and b"is a broken symlink or a symlink loop" in r.stderr


def test_output_path_that_is_an_existing_file(cli, tmp_path):
    (tmp_path / "a.txt").write_text(ADVERT, encoding="utf-8")
    (tmp_path / "taken").write_text("precious\n", encoding="utf-8")
    r = cli("run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "taken"))
    assert r.returncode == 2 and f"output {tmp_path / 'taken'} exists and is not a folder".encode() in r.stderr
    r = cli("run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "taken" / "sub"))
    assert r.returncode == 2 and b"cannot create output folder" in r.stderr and b"Not a directory" in r.stderr
    assert b"Traceback" not in r.stderr
    assert (tmp_path / "taken").read_text("utf-8") == "precious\n"


def test_output_folder_inside_the_input_tree_is_never_read_back(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text(GOOD + "\nnot json\n", encoding="utf-8")
    args = ["run", str(src), "-o", str(src / "out"), "--stats-json", str(src / "stats.json")]
    for _ in range(2):  # the second run sees the first run's outputs, quarantine and stats
        r = cli(*args)
        assert r.returncode == 0, r.stderr
        assert b"2 read, 1 written, 1 quarantined" in r.stderr
    assert sorted(p.name for p in (src / "out").iterdir()) == ["a.jsonl"]  # a complete run leaves only outputs
    assert (src / "out.quarantine.jsonl").exists()  # beside the output folder, hence in the input tree
    r = cli("run", str(src / "out.quarantine.jsonl"), "-o", str(src / "out"))
    assert r.returncode == 2 and b"is also a file this run writes" in r.stderr
    # A glob over the input tree skips them too.
    r = cli("run", str(src / "**" / "*.jsonl"), "-o", str(src / "out"))
    assert r.returncode == 0 and b"2 read, 1 written, 1 quarantined" in r.stderr
