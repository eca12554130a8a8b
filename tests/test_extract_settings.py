"""The [extract] table of rule files: validated like the rest, merged across layers."""

from __future__ import annotations

import pytest

from cleaner import load_rules
from cleaner.errors import RuleFileError
from cleaner.extract import ExtractSettings

from .test_ruleset import GOOD


def write(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def problems_of(*paths, defaults=False) -> list:
    with pytest.raises(RuleFileError) as info:
        load_rules(list(paths), defaults=defaults)
    return info.value.problems


def test_defaults_ship_cleaners_choices():
    settings = load_rules().extract
    assert settings.include_comments is False  # the shipped rules/05-extract.toml
    assert settings.include_tables is True


def test_without_a_table_trafilatura_defaults_apply(tmp_path):
    p = load_rules([write(tmp_path, "r.toml", GOOD)], defaults=False)
    assert p.extract == ExtractSettings()
    assert p.extract.include_comments is True


def test_values_are_read_and_exposed(tmp_path):
    body = "[extract]\ninclude_comments = false\nmin_extracted_size = 100\n" + GOOD
    p = load_rules([write(tmp_path, "r.toml", body)], defaults=False)
    assert p.extract.include_comments is False and p.extract.min_extracted_size == 100
    assert p.only("t.ok").extract == p.extract


@pytest.mark.parametrize(
    ("table", "message", "line"),
    [
        ("include_comments = false\ninclude_comment = true\n", "unknown key 'include_comment' in [extract]", 4),
        ("include_tables = 1\n", "include_tables: must be true or false", 3),
        ("min_extracted_size = -5\n", "must be a non-negative integer", 3),
        ("favor_precision = true\nfavor_recall = true\n", "exclude each other", 4),
    ],
)
def test_broken_table_is_refused_with_line(tmp_path, table, message, line):
    path = write(tmp_path, "r.toml", f"# rules\n[extract]\n{table}" + GOOD)
    found = problems_of(path)
    p = next(p for p in found if message in p.message)
    assert p.line == line and str(p.path) == str(path) and p.hint


def test_extract_must_be_a_table(tmp_path):
    found = problems_of(write(tmp_path, "r.toml", "extract = 3\n" + GOOD))
    assert any("`extract` must be a table" in p.message for p in found)


def test_later_layer_overrides_one_key(tmp_path):
    user = write(tmp_path, "user.toml", "[extract]\ninclude_comments = true\n")
    p = load_rules([user])  # defaults first, then the user's file
    assert p.extract.include_comments is True
    assert p.extract.include_tables is True  # untouched keys keep the defaults' values


def test_same_key_twice_in_one_layer_is_a_conflict(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder, "a.toml", "[extract]\ninclude_tables = false\n")
    write(folder, "b.toml", "[extract]\ninclude_tables = true\n")
    found = problems_of(folder)
    assert any("include_tables is already set in" in p.message and str(p.path).endswith("b.toml") for p in found)
