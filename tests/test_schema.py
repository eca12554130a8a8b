"""The rule-file JSON Schema: generated from the kinds, accepts the default rules, refuses broken files."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest

from cleaner.kinds import KINDS
from cleaner.ruleset import default_rules_dir
from cleaner.ruleset.schema import rule_file_schema

from .conftest import ROOT

SCHEMA = rule_file_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
GOOD = {
    "rule": [
        {
            "id": "t.ok",
            "kind": "drop_line",
            "description": "d",
            "pattern": "^AD$",
            "examples": [{"input": "AD\nx", "output": "x"}, {"input": "ADD", "unchanged": True}],
        }
    ]
}


def errors(doc) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(doc)]


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", sorted(default_rules_dir().glob("*.toml")), ids=lambda p: p.name)
def test_default_rule_files_validate(path):
    assert errors(tomllib.loads(path.read_text(encoding="utf-8"))) == []


def test_every_kind_setting_is_in_the_schema_with_its_default():
    for name, kind in KINDS.items():
        props = SCHEMA["$defs"][f"kind-{name}"]["properties"]
        for key, setting in kind.settings.items():
            assert props[key]["description"] == setting.doc
            if not setting.required:
                assert props[key]["default"] == setting.default
    assert SCHEMA["$defs"]["kind-fix_encoding"]["properties"]["normalization"]["enum"] == [
        "",
        "NFC",
        "NFKC",
        "NFD",
        "NFKD",
    ]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda r: r.update(patern="x"), "'patern' was unexpected"),
        (lambda r: r.update(kind="drop_lines"), "is not one of"),
        (lambda r: r.pop("pattern"), "'pattern' is a required property"),
        (lambda r: r.update(first_lines="3"), "is not of type 'integer'"),
        (lambda r: r.update(id="Promo"), "does not match"),
        (lambda r: r.update(examples=[{"input": "AD", "output": ""}]), "is too short"),
        (lambda r: r.update(examples=[{"input": "A", "output": ""}, {"input": "B", "output": ""}]), "does not contain"),
        (lambda r: r["examples"][1].update(output="x"), "is valid under each of"),
        (lambda r: r.update(max_lines=3), "'max_lines' was unexpected"),  # a drop_block key on a drop_line
    ],
)
def test_bad_rule_fails(change, fragment):
    doc = json.loads(json.dumps(GOOD))
    change(doc["rule"][0])
    found = errors(doc)
    assert found, "schema accepted a broken rule"
    assert any(fragment in m for m in found), found


def test_good_rule_passes_and_unknown_top_level_key_fails():
    assert errors(GOOD) == []
    assert errors({**GOOD, "rules": []})


def test_committed_schema_is_current():
    """schema/rule-file.schema.json (used by .taplo.toml) is what `cleaner rules schema` prints."""
    committed = json.loads((ROOT / "schema" / "rule-file.schema.json").read_text(encoding="utf-8"))
    assert committed == SCHEMA, "run `make schema` and commit schema/rule-file.schema.json"


def test_cli_prints_the_schema(cli):
    r = cli("rules", "schema")
    assert r.returncode == 0
    assert json.loads(r.stdout) == SCHEMA
