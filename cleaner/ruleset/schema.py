"""The JSON Schema (draft 2020-12) of rule files, generated from the kinds' own declarations.

Editors (Even Better TOML / taplo) use it for completion, hover docs and squiggles while
a rule is being written. It is built from the same `Setting`s, common keys and id format
the loader checks, so it cannot drift from what the loader accepts. It covers structure
and types; what only running code can judge (a regex compiles and does not match the
empty string, a `{{list}}` exists, `end` xor `to_end`) stays with `cleaner rules check`.
"""

from __future__ import annotations

from typing import Any

from cleaner.extract import KEY_DOCS, TYPES, ExtractSettings
from cleaner.kinds import KINDS
from cleaner.kinds.base import Kind, Setting
from cleaner.ruleset.loader import COMMON_KEYS, ID_FORMAT

RULE_REQUIRED = ("id", "kind", "description", "examples")

_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "pattern": {"type": "string"},  # Python `regex` syntax, not ECMA 262: no "format": "regex"
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "words": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
}


def setting_schema(setting: Setting) -> dict[str, Any]:
    """One setting as a JSON Schema property: its type, doc, default and choices."""
    out = dict(_TYPES[setting.type])
    out["description"] = setting.doc
    if setting.choices:
        out["enum"] = list(setting.choices)
    if not setting.required:
        out["default"] = list(setting.default) if isinstance(setting.default, tuple) else setting.default
    return out


def kind_schema(kind: Kind, common: dict[str, Any]) -> dict[str, Any]:
    """A whole rule of one kind: the common keys plus the kind's settings, nothing else.

    Each kind's schema lists every key it allows with `additionalProperties: false`
    (rather than `unevaluatedProperties` on the rule), so editors whose validator
    predates draft 2020-12 (taplo) still flag a misspelt key.
    """
    named = {key: {"description": COMMON_KEYS[key]} for key in common}  # checked once, in the rule schema
    return {
        "description": kind.doc,
        "properties": {**named, **{name: setting_schema(s) for name, s in kind.settings.items()}},
        "required": [*RULE_REQUIRED, *(name for name, s in kind.settings.items() if s.required)],
        "additionalProperties": False,
    }


def _example_schema() -> dict[str, Any]:
    changed = {"required": ["output"]}
    unchanged = {"required": ["unchanged"], "properties": {"unchanged": {"const": True}}}
    return {
        "type": "array",
        "description": COMMON_KEYS["examples"],
        "minItems": 2,
        "items": {
            "type": "object",
            "properties": {
                "input": {"type": "string", "description": "Text given to the rule alone."},
                "output": {"type": "string", "description": "What the rule must turn the input into."},
                "unchanged": {"type": "boolean", "description": "true: the rule must leave the input alone."},
                "note": {"type": "string", "description": "Why this example matters."},
            },
            "required": ["input"],
            "additionalProperties": False,
            "oneOf": [changed, unchanged],
        },
        "allOf": [{"contains": changed}, {"contains": unchanged}],
    }


JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def rule_file_schema() -> dict[str, Any]:
    """The whole rule-file schema: `[lists]`, and `[[rule]]` with per-kind `if`/`then`."""
    common = {
        "id": {"type": "string", "pattern": ID_FORMAT.pattern, "description": COMMON_KEYS["id"]},
        "kind": {"enum": list(KINDS), "description": COMMON_KEYS["kind"]},
        "description": {"type": "string", "minLength": 1, "description": COMMON_KEYS["description"]},
        "examples": {"$ref": "#/$defs/examples"},
        "safe": {"type": "boolean", "default": True, "description": COMMON_KEYS["safe"]},
    }
    per_kind = [
        {
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {"$ref": f"#/$defs/kind-{name}"},
        }
        for name in KINDS
    ]
    rule = {"type": "object", "properties": common, "required": list(RULE_REQUIRED), "allOf": per_kind}
    lists = {
        "type": "object",
        "description": "Shared lists, used in patterns as {{name}}: an array of literal words or a regex fragment.",
        "additionalProperties": {
            "oneOf": [
                {"type": "string", "description": "A regex fragment."},
                {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Literal words."},
            ]
        },
    }
    extract = {
        "type": "object",
        "description": "How HTML pages become text before the rules run (trafilatura's switches).",
        "properties": {
            name: {"type": JSON_TYPES[TYPES[name]], "default": getattr(ExtractSettings(), name), "description": doc}
            for name, doc in KEY_DOCS.items()
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cleaner rule file",
        "description": "A cleaner rule file: [lists], [extract] and [[rule]] tables. Made by `cleaner rules schema`.",
        "type": "object",
        "properties": {
            "lists": lists,
            "extract": extract,
            "rule": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        },
        "additionalProperties": False,
        "$defs": {
            "rule": rule,
            "examples": _example_schema(),
            **{f"kind-{name}": kind_schema(kind, common) for name, kind in KINDS.items()},
        },
    }
