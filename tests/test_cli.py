"""The command line end to end, in a subprocess, on real files."""

from __future__ import annotations

import shutil

from .conftest import ROOT

SEEDS = ROOT / "seeds"
BROKEN_RULE = """
[[rule]]
id = "t.broken"
kind = "drop_line"
description = "d"
pattern = '''^(AD$'''
examples = [{ input = "AD", output = "" }, { input = "x", unchanged = true }]
"""


def test_run_folder_mirrors_tree_and_prints_summary(cli, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(next(SEEDS.glob("001_*")), src / "sub" / "a.txt")
    (src / "b.txt").write_text("Advertisement\nHello.\n", encoding="utf-8")
    r = cli("run", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8") == "Hello.\n"
    assert "READ" not in (tmp_path / "out" / "sub" / "a.txt").read_text(encoding="utf-8")
    err = r.stderr.decode()
    assert "documents: 2 read, 2 written" in err and "promo.read-headline" in err and "ads.marker" in err


def test_run_folder_reads_only_known_formats_and_lists_the_rest(cli, tmp_path):
    """`cleaner run . -o out` in a project must not clean its *.py files as text: a folder walk reads
    the formats cleaner knows and says what it left; --include GLOB reads more, as text."""
    src = tmp_path / "in"
    (src / "pkg").mkdir(parents=True)
    (src / "a.txt").write_text("Advertisement\nHello.\n", encoding="utf-8")
    (src / "b.jsonl").write_text('{"id": "1", "text": "Advertisement\\nHi."}\n', encoding="utf-8")
    (src / "c.html").write_text("<html><body><p>Hello there, page.</p></body></html>", encoding="utf-8")
    (src / "pkg" / "mod.py").write_text("print('Advertisement')\n", encoding="utf-8")
    (src / "pkg" / "other.py").write_text("x = 1\n", encoding="utf-8")
    (src / "notes.md").write_text("Advertisement\nNotes.\n", encoding="utf-8")
    (src / "LICENSE").write_text("Advertisement\nLicence.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("run", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.txt", "b.jsonl", "c.txt"]
    err = r.stderr.decode()
    assert "skipped 4 file(s)" in err and "2 *.py" in err and "1 *.md" in err and "1 without a suffix" in err
    assert "--include" in err
    assert "documents: 3 read" in err  # the skipped files are not inputs: nothing to count as lost
    out2 = tmp_path / "out2"
    r = cli("run", str(src), "-o", str(out2), "--include", "*.md", "--include", "LICENSE")
    assert r.returncode == 0, r.stderr
    assert (out2 / "notes.md").read_text(encoding="utf-8") == "Notes.\n"
    assert (out2 / "LICENSE").read_text(encoding="utf-8") == "Licence.\n"
    assert not (out2 / "pkg").exists() and "skipped 2 file(s)" in r.stderr.decode()
    # A file named on the command line is read whatever its name: the user chose it.
    r = cli("run", str(src / "notes.md"), "-o", str(tmp_path / "out3"))
    assert r.returncode == 0 and (tmp_path / "out3" / "notes.md").exists()


def test_single_file_into_folder_uses_its_name(cli, tmp_path):
    f = next(SEEDS.glob("002_*"))
    r = cli("run", str(f), "-o", str(tmp_path / "o"))
    assert r.returncode == 0
    assert (tmp_path / "o" / f.name).exists()


def test_single_file_without_output_goes_to_stdout(cli):
    f = next(SEEDS.glob("002_*"))
    r = cli("run", "-q", str(f))
    assert r.returncode == 0
    assert r.stderr == b""
    assert not r.stdout.decode().rstrip().endswith("@RobynDixon_LAT")


def test_stdin_to_stdout(cli):
    r = cli("run", "-", input=b"Photo: AP\r\nBody text.\r\n")
    assert r.returncode == 0
    assert r.stdout == b"Body text.\n"
    r = cli("run", "-q", input=b"Advertisement\nx\n")
    assert r.stdout == b"x\n"


def test_several_inputs_need_output_folder(cli, tmp_path):
    a, b = sorted(SEEDS.iterdir())[:2]
    r = cli("run", str(a), str(b))
    assert r.returncode == 2
    assert b"-o OUT" in r.stderr
    r = cli("run", str(SEEDS / "missing.txt"), "-o", "x")
    assert r.returncode == 2 and b"does not exist" in r.stderr


def test_broken_rule_file_stops_before_any_output(cli, tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text(BROKEN_RULE, encoding="utf-8")
    r = cli("run", str(SEEDS), "-o", str(tmp_path / "out"), "--rules", str(rules))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert f"{rules}:6" in err and "t.broken" in err and "regex does not compile" in err
    assert not (tmp_path / "out").exists()


def test_no_default_rules_uses_only_given(cli, tmp_path):
    rules = tmp_path / "one.toml"
    rules.write_text(BROKEN_RULE.replace("^(AD$", "^AD$"), encoding="utf-8")
    r = cli("run", "-", "--no-default-rules", "--rules", str(rules), input=b"AD\nthe the text\n")
    assert r.stdout == b"the the text\n"


def test_bad_inputs_are_reported_by_name(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    # A picture under a text name (a folder walk would not read it as *.bin).
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (src / "latin1.txt").write_bytes(b"Caf\xe9 au lait\n")
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbfHello\r\nWorld\r\n")
    (src / "empty.txt").write_bytes(b"")
    (src / "utf16.txt").write_bytes("Grüße\n".encode("utf-16"))
    out = tmp_path / "out"
    r = cli("run", str(src), "-o", str(out))
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert f"{src / 'binary.txt'}: binary file (NUL byte at offset 8)" in err
    assert f"{src / 'latin1.txt'}: invalid UTF-8 at byte 3" in err
    assert not (out / "binary.txt").exists()
    assert (out / "latin1.txt").read_text(encoding="utf-8") == "Caf\ufffd au lait\n"
    assert (out / "bom.txt").read_bytes() == b"Hello\nWorld\n"
    assert (out / "empty.txt").read_bytes() == b""
    assert (out / "utf16.txt").read_text(encoding="utf-8") == "Grüße\n"
    assert "5 read, 4 written, 1 quarantined" in err
    quarantine = (tmp_path / "out.quarantine.jsonl").read_text("utf-8")
    assert "binary.txt" in quarantine and "NUL byte" in quarantine


def test_strict_refuses_undecodable(cli, tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes(b"Caf\xe9\n")
    r = cli("run", "--strict", str(f), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert b"invalid UTF-8 at byte 3 (--strict)" in r.stderr
    assert not (tmp_path / "out" / "latin1.txt").exists()


def test_rule_timeout_quarantines_that_file_only(cli, tmp_path):
    rules = tmp_path / "slow.toml"
    # Backtracks exponentially on a line of a's. The look-behind is invisible to the match
    # plan's scanner (a prefilter), so the line is a candidate and the regex must judge it.
    rules.write_text(
        BROKEN_RULE.replace("^(AD$", "^(a|aa)+(?<!a)$").replace('input = "AD"', 'input = "aa"'), encoding="utf-8"
    )
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad.txt").write_text("a" * 60 + "\n", encoding="utf-8")
    (src / "good.txt").write_text("fine\n", encoding="utf-8")
    args = ["run", str(src), "-o", str(tmp_path / "out"), "--rules", str(rules), "--regex-timeout", "0.2"]
    r = cli(*args)
    assert r.returncode == 0  # every record accounted for
    assert f"{src / 'bad.txt'}: rule t.broken timed out" in r.stderr.decode()
    assert (tmp_path / "out" / "good.txt").exists() and not (tmp_path / "out" / "bad.txt").exists()
    assert b"2 read, 1 written, 1 quarantined" in r.stderr
    assert "t.broken timed out" in (tmp_path / "out.quarantine.jsonl").read_text("utf-8")
    assert cli(*args, "--strict").returncode == 1  # --strict: anything quarantined fails the run


def test_explain_lists_edits_with_rule_and_line(cli):
    f = next(SEEDS.glob("001_*"))
    r = cli("explain", str(f))
    out = r.stdout.decode()
    assert r.returncode == 0
    assert f"{f}:15  promo.read-headline" in out and "READ⟨NBSP⟩" in out
    assert f"{f}:41  comment.form-line" in out


def test_explain_cites_input_lines_after_earlier_rules_dropped_lines(cli, tmp_path):
    """Each rule sees the text the rules before it left; explain maps its edits back to the file."""
    f = tmp_path / "page.txt"
    lines = ["Text.", "Lesen Sie auch: Die neue Regel", "Click here to subscribe to our updates.",
             "Anzeige: Jetzt kaufen", "More text."]  # fmt: skip
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli("explain", str(f)).stdout.decode()
    for number, rule in ((2, "promo.read-more"), (3, "promo.click-here"), (4, "ads.disclosure")):
        assert f"{f}:{number}  {rule}" in out, out


def test_rules_list_and_check(cli):
    r = cli("rules")
    assert r.returncode == 0 and b"promo.read-headline" in r.stdout and b"drop_line" in r.stdout
    r = cli("rules", "check")
    assert r.returncode == 0 and b"0 failed" in r.stdout


def test_rules_check_fails_on_wrong_example(cli, tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text(BROKEN_RULE.replace("^(AD$", "^AD$").replace('output = ""', 'output = "nope"'), "utf-8")
    r = cli("rules", "check", "--no-default-rules", "--rules", str(rules))
    assert r.returncode == 1
    assert b"FAIL" in r.stdout and b"t.broken::example-1" in r.stdout


def make_project(tmp_path, expected: str):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cleaner]\n[[tool.cleaner.golden]]\ninputs = "docs"\nexpected = "golden"\n', encoding="utf-8"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "golden").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Advertisement\nKeep\u00a0this.  \nRead more: Other story\n", "utf-8")
    (tmp_path / "golden" / "a.txt").write_text(expected, encoding="utf-8")


def test_golden_runner_shows_visible_diff_with_rule_ids(cli, tmp_path):
    make_project(tmp_path, "Advertisement\nKeep\u00a0this.\n")
    (tmp_path / "golden" / "orphan.txt").write_text("x", encoding="utf-8")
    (tmp_path / "docs" / "new.txt").write_text("x\n", encoding="utf-8")
    r = cli("test", cwd=tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 1
    assert "-Advertisement    ⟵ removed by ads.marker" in out
    assert "Keep⟨NBSP⟩this." in out
    assert "no golden file" in out and "STALE" in out and "orphan.txt" in out
    assert "0 passed, 3 failed" in out


def test_golden_update_writes_and_is_refused_in_ci(cli, tmp_path):
    make_project(tmp_path, "stale\n")
    r = cli("test", "--update", cwd=tmp_path, env={"CI": "true"})
    assert r.returncode == 2 and b"refusing" in r.stderr
    r = cli("test", "--update", cwd=tmp_path)
    assert r.returncode == 0
    assert (tmp_path / "golden" / "a.txt").read_text("utf-8") == "Keep\u00a0this.\n"
    assert cli("test", cwd=tmp_path).returncode == 0


def test_rules_show_describes_a_rule_with_stats(cli, tmp_path):
    stats = tmp_path / "stats.json"
    stats.write_text(
        '{"rules": {"promo.read-headline": {"documents": 1, "edits": 2, "lines_removed": 2, "chars_removed": 190}},'
        ' "documents": {"read": 5}}',
        encoding="utf-8",
    )
    r = cli("rules", "show", "promo.read-headline", "--stats", str(stats))
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "kind:    drop_line" in out and "defined: rules/20-promos.toml:" in out
    assert "pattern     = '''^READ" in out and "(required)" in out
    assert "first_lines = 0  (default)" in out
    assert "1. changes    READ⟨NBSP⟩ Ministers" in out and "3. unchanged  READ the label" in out
    assert f"in {stats}: 1 document(s), 2 edit(s), 2 line(s) and 190 char(s) removed" in out
    r = cli("rules", "show", "ads.marker", "--stats", str(stats))
    assert f"in {stats}: did not fire" in r.stdout.decode()


def test_rules_show_refuses_unknown_ids_and_bad_stats(cli, tmp_path):
    r = cli("rules", "show", "promo.read-headlin")
    assert r.returncode == 2 and b"did you mean promo.read-headline" in r.stderr
    bad = tmp_path / "s.json"
    bad.write_text('{"rule": {}}', encoding="utf-8")
    r = cli("rules", "show", "ads.marker", "--stats", str(bad))
    assert r.returncode == 2 and b'expected {"rules"' in r.stderr
