"""Project settings from `[tool.cleaner]` in the nearest pyproject.toml.

[tool.cleaner]
rules = ["my_rules"]          # rule files or folders, added to the defaults
default-rules = true          # false: only the rules listed above
select = ["promo.", "ads.marker"]  # only these rules (ids or id prefixes); default: all
ignore = ["typo."]            # never these
unsafe = false                # true: also run rules marked `safe = false`
[[tool.cleaner.golden]]
inputs = "seeds"              # documents to clean
expected = "tests/golden/seeds"  # one expected output per input, same relative path
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.suggest import did_you_mean
from cleaner.tomlerrors import describe as describe_toml_error


@dataclass(frozen=True)
class GoldenSuite:
    inputs: Path
    expected: Path


@dataclass(frozen=True)
class Config:
    root: Path
    rules: tuple[Path, ...] = ()
    default_rules: bool = True
    golden: tuple[GoldenSuite, ...] = field(default=())
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe: bool = False
    declared: bool = False  # pyproject.toml has a [tool.cleaner] table (the pytest plugin acts only then)


class ConfigError(Exception):
    pass


def find_pyproject(start: Path) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None) -> Config:
    start = start or Path.cwd()
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config(root=start)
    source = pyproject.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}:{describe_toml_error(exc, source)}") from None
    tool = data.get("tool", {})
    table = tool.get("cleaner", {})
    root = pyproject.parent
    _check_keys(pyproject, table)
    try:
        suites = tuple(GoldenSuite(root / g["inputs"], root / g["expected"]) for g in table.get("golden", []))
        return Config(
            root=root,
            rules=tuple(root / p for p in table.get("rules", [])),
            default_rules=bool(table.get("default-rules", True)),
            golden=suites,
            select=_strings(table, "select"),
            ignore=_strings(table, "ignore"),
            unsafe=bool(table.get("unsafe", False)),
            declared="cleaner" in tool,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{pyproject}: malformed [tool.cleaner] table ({exc})") from None


KEYS = ("rules", "default-rules", "golden", "select", "ignore", "unsafe")
GOLDEN_KEYS = ("inputs", "expected")


def _check_keys(pyproject: Path, table: object) -> None:
    """An unknown key would be ignored in silence (`default_rules = false` leaving the defaults on): refuse it."""
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.cleaner] must be a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(
                f"{pyproject}: unknown key {key!r} in [tool.cleaner]\n"
                f"    fix: {did_you_mean(key, KEYS)}allowed keys: {', '.join(KEYS)}"
            )
    golden = table.get("golden", [])
    for suite in golden if isinstance(golden, list) else []:
        for key in suite if isinstance(suite, dict) else []:
            if key not in GOLDEN_KEYS:
                raise ConfigError(
                    f"{pyproject}: unknown key {key!r} in [[tool.cleaner.golden]]\n"
                    f"    fix: {did_you_mean(key, GOLDEN_KEYS)}allowed keys: {', '.join(GOLDEN_KEYS)}"
                )


def _strings(table: dict, key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} must be an array of strings")
    return tuple(value)
