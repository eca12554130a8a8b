"""Load rule files into a Pipeline, or explain precisely why they cannot be loaded.

Order is deterministic: the default rule files sorted by name, then each `--rules`
path in the order given (a folder's files sorted by name); inside a file, rules run
in the order written. A user rule with the id of a default rule replaces it in place.
Every problem in every file is collected before failing, so one run shows them all.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import regex

from cleaner.engine import Pipeline, RuleSpec, register
from cleaner.errors import RuleFileError, RuleProblem
from cleaner.extract import ExtractSettings, check_extract_table
from cleaner.kinds import KINDS
from cleaner.kinds.base import BuildContext, Rule, Setting
from cleaner.match.plan import MatchPlan
from cleaner.patterns import DEFAULT_TIMEOUT, PatternError, compile_pattern, list_fragment
from cleaner.ruleset.locate import Locator
from cleaner.ruleset.select import select_rules
from cleaner.suggest import did_you_mean
from cleaner.tomlerrors import describe as describe_toml_error

COMMON_KEYS = {
    "id": "Stable id, dotted: family.name (e.g. promo.read-more).",
    "kind": "One of the rule kinds.",
    "description": "One line: what boilerplate this removes.",
    "examples": "At least one example the rule changes and one it must leave unchanged.",
    "safe": "false marks an aggressive rule that may remove content.",
}
EXAMPLE_KEYS = {"input", "output", "unchanged", "note"}
TOP_LEVEL_KEYS = {"lists", "rule", "extract"}
ID_FORMAT = regex.compile(r"^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+$")


def default_rules_dir() -> Path:
    """Rules shipped in the wheel, or the repository's `rules/` in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "default_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def rule_files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.rglob("*.toml")))
        else:
            files.append(p)
    return files


def fast_path_default() -> bool:
    """The fast paths are on unless the environment says `CLEANER_FAST_PATH=0`."""
    return os.environ.get("CLEANER_FAST_PATH", "1").strip().lower() not in ("0", "false", "no", "off")


def load_rules(
    paths: Sequence[Path | str] = (),
    *,
    defaults: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    unsafe: bool = False,
    fast: bool | None = None,
) -> Pipeline:
    """Compile the default rules (unless `defaults=False`) plus `paths` into a Pipeline.

    `select`/`ignore`/`unsafe` choose the rules that run (see `ruleset.select`); rules
    marked `safe = false` are left out unless `unsafe=True`. `fast=False` builds the
    plain reference path (no pre-checks); both give the same results, byte for byte.
    The default follows `CLEANER_FAST_PATH` (on unless `0`).
    """
    layers = []
    if defaults:
        layers.append(rule_files([default_rules_dir()]))
    if paths:
        layers.append(rule_files(paths))
    return select_rules(load_pipeline(layers, timeout=timeout, fast=fast), select, ignore, unsafe=unsafe)


def load_pipeline(
    layers: Sequence[Sequence[Path]], *, timeout: float = DEFAULT_TIMEOUT, fast: bool | None = None
) -> Pipeline:
    problems: list[RuleProblem] = []
    sources = tuple(tuple((str(path), _read(path, problems)) for path in layer) for layer in layers)
    return compile_sources(sources, timeout, fast, problems)


def _read(path: Path, problems: list[RuleProblem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RuleProblem(path, None, None, f"cannot read rule file: {exc}"))
        return None


def compile_sources(
    sources: tuple[tuple[tuple[str, str | None], ...], ...],
    timeout: float = DEFAULT_TIMEOUT,
    fast: bool | None = None,
    problems: list[RuleProblem] | None = None,
) -> Pipeline:
    """Compile rule files given as text: layers of (path, source text) pairs.

    The Pipeline keeps these texts as its `spec`, so it can be rebuilt in another
    process (or on another machine) without the rule files (see `RuleSpec`).
    """
    fast = fast_path_default() if fast is None else fast
    problems = [] if problems is None else problems
    parsed: list[tuple[Path, Locator, dict[str, Any]]] = []
    layer_of: list[int] = []  # the layer of each parsed file (files that fail to parse are left out)
    for number, layer in enumerate(sources):
        for name, text in layer:
            doc = _parse(Path(name), text, problems) if text is not None else None
            if doc is not None:
                parsed.append(doc)
                layer_of.append(number)
    lists = _collect_lists(parsed, problems)
    extract = _collect_extract(parsed, layer_of, problems)
    ctx = BuildContext(
        lists=lists,
        timeout=timeout,
        fast=fast,
        plan=MatchPlan() if fast else None,
    )

    by_layer: list[list[tuple[Rule, Any]]] = []
    for number in range(len(sources)):
        if ctx.plan is not None:
            ctx.plan.group = number  # one scanner per layer: the default rules' stays cached when user rules change
        compiled: list[tuple[Rule, Any]] = []
        seen: dict[str, str] = {}
        for path, loc, data in (doc for doc, n in zip(parsed, layer_of, strict=True) if n == number):
            for n, table in enumerate(data.get("rule", [])):
                built = _build_rule(path, loc, n, table, ctx, problems)
                if built is None:
                    continue
                rule = built[0]
                if rule.id in seen:
                    problems.append(
                        RuleProblem(
                            path,
                            rule.line,
                            rule.id,
                            f"duplicate rule id (first defined in {seen[rule.id]})",
                            "give each rule a unique id",
                        )
                    )
                    continue
                seen[rule.id] = f"{path}:{rule.line}"
                compiled.append(built)
        by_layer.append(compiled)
    if problems:
        raise RuleFileError(problems)

    merged: list[tuple[Rule, Any]] = []
    for compiled in by_layer:
        positions = {r.id: i for i, (r, _) in enumerate(merged)}
        for pair in compiled:
            if pair[0].id in positions:
                merged[positions[pair[0].id]] = pair
            else:
                merged.append(pair)
    spec = RuleSpec(sources, timeout, fast)  # type: ignore[arg-type] # every text is present once nothing failed
    pipeline = Pipeline([r for r, _ in merged], [s for _, s in merged], timeout, extract, fast, spec=spec)
    return register(pipeline)


def _parse(path: Path, source: str, problems: list[RuleProblem]) -> tuple[Path, Locator, dict[str, Any]] | None:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        found = describe_toml_error(exc, source)
        problems.append(
            RuleProblem(path, found.line, None, f"TOML syntax error: {found.message}", found.hint, found.column)
        )
        return None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                RuleProblem(
                    path,
                    None,
                    None,
                    f"unknown top-level key {key!r}",
                    did_you_mean(key, TOP_LEVEL_KEYS) + "a rule file holds only [lists], [extract] and [[rule]] tables",
                )
            )
    if not isinstance(data.get("rule", []), list):
        problems.append(RuleProblem(path, None, None, "`rule` must be an array of tables", "write [[rule]]"))
        data["rule"] = []
    return path, Locator(source), data


def _collect_lists(parsed: list[tuple[Path, Locator, dict[str, Any]]], problems: list[RuleProblem]) -> dict[str, str]:
    lists: dict[str, str] = {}
    where: dict[str, str] = {}
    for path, loc, data in parsed:
        table = data.get("lists", {})
        if not isinstance(table, dict):
            problems.append(RuleProblem(path, None, None, "`lists` must be a table", "write [lists]"))
            continue
        for name, value in table.items():
            line = loc.list_line(name)
            ok = isinstance(value, str) or (
                isinstance(value, list) and value and all(isinstance(v, str) for v in value)
            )
            if not ok:
                problems.append(
                    RuleProblem(path, line, None, f"list {name!r} must be a regex string or an array of words")
                )
                continue
            if name in lists:
                problems.append(
                    RuleProblem(
                        path,
                        line,
                        None,
                        f"list {name!r} is already declared in {where[name]}",
                        "declare each shared list once and reuse it",
                    )
                )
                continue
            lists[name] = list_fragment(value)
            where[name] = f"{path}:{line}"
    return lists


def _collect_extract(
    parsed: list[tuple[Path, Locator, dict[str, Any]]], layer_of: list[int], problems: list[RuleProblem]
) -> ExtractSettings:
    """Merge the [extract] tables: later layers override; one key twice in a layer is a conflict."""
    merged: dict[str, Any] = {}
    where: dict[str, tuple[int, str]] = {}
    for (path, loc, data), layer in zip(parsed, layer_of, strict=True):
        if "extract" not in data:
            continue
        values, found = check_extract_table(data["extract"])
        for key, message, hint in found:
            problems.append(RuleProblem(path, loc.extract_line(key), None, message, hint))
        for key, value in values.items():
            line = loc.extract_line(key)
            if key in where and where[key][0] == layer:
                problems.append(
                    RuleProblem(
                        path,
                        line,
                        None,
                        f"[extract] {key} is already set in {where[key][1]}",
                        "set each extraction key once per rule set; a --rules file may override the defaults",
                    )
                )
                continue
            merged[key] = value
            where[key] = (layer, f"{path}:{line}")
    settings = ExtractSettings().updated(merged)
    if settings.favor_precision and settings.favor_recall:
        problems.append(
            RuleProblem(
                where["favor_recall"][1].rsplit(":", 1)[0],
                None,
                None,
                f"[extract] favor_precision ({where['favor_precision'][1]}) and favor_recall "
                f"({where['favor_recall'][1]}) exclude each other",
                "set the other one to false where you override it",
            )
        )
    return settings


def _build_rule(
    path: Path, loc: Locator, n: int, table: Any, ctx: BuildContext, problems: list[RuleProblem]
) -> tuple[Rule, Any] | None:
    line = loc.rule_line(n)
    if not isinstance(table, dict):
        problems.append(RuleProblem(path, line, None, "a rule must be a table"))
        return None
    rule_id = table.get("id")
    before = len(problems)

    def problem(key: str | None, message: str, hint: str = "") -> None:
        problems.append(RuleProblem(path, loc.key_line(n, key) if key else line, rule_id, message, hint))

    if not isinstance(rule_id, str) or not ID_FORMAT.match(rule_id):
        problem(
            "id" if "id" in table else None,
            f"missing or malformed id {rule_id!r}",
            "use a dotted lower-case id such as promo.read-more",
        )
    if not isinstance(table.get("description"), str) or not table.get("description", "").strip():
        problem("description" if "description" in table else None, "missing description", "add a one-line description")
    kind_name = table.get("kind")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        problem(
            "kind" if "kind" in table else None,
            f"unknown kind {kind_name!r}",
            f"{did_you_mean(kind_name, KINDS)}use one of: {', '.join(sorted(KINDS))}",
        )
        return None
    safe = table.get("safe", True)
    if not isinstance(safe, bool):
        problem("safe", "`safe` must be true or false")

    settings: dict[str, Any] = {}
    for key, value in table.items():
        if key in COMMON_KEYS:
            continue
        spec = kind.settings.get(key)
        if spec is None:
            allowed = ", ".join(sorted([*kind.settings, *COMMON_KEYS]))
            known = [*kind.settings, *COMMON_KEYS]
            problem(
                key, f"unknown key {key!r} for kind {kind.name}", f"{did_you_mean(key, known)}allowed keys: {allowed}"
            )
            continue
        err = _check_type(spec, value)
        if err:
            problem(key, f"{key}: {err}")
            continue
        if spec.type == "pattern" and value:
            try:
                compile_pattern(value, ctx.lists)
            except PatternError as exc:
                problem(key, f"{key}: {exc}", "fix the regex; test it with `cleaner rules check`")
                continue
        settings[key] = float(value) if spec.type == "float" else value
    for key, spec in kind.settings.items():
        if key not in settings and key not in table:
            if spec.required:
                problem(None, f"missing required key {key!r} for kind {kind.name}", spec.doc)
            else:
                settings[key] = spec.default

    examples = _check_examples(table.get("examples"), problem)
    if len(problems) > before:
        return None
    rule = Rule(rule_id, kind.name, table["description"].strip(), settings, examples, str(path), line, safe)
    try:
        step = kind.build(rule, ctx)
    except PatternError as exc:
        problem(None, str(exc))
        return None
    return rule, step


def _check_type(spec: Setting, value: Any) -> str | None:
    t = spec.type
    if t in ("str", "pattern") and not isinstance(value, str):
        return "must be a string"
    if spec.choices and value not in spec.choices:
        return f"must be one of {', '.join(repr(c) for c in spec.choices)}, not {value!r}"
    if t == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        return "must be a non-negative integer"
    if t == "float" and (not isinstance(value, int | float) or isinstance(value, bool)):
        return "must be a number"
    if t == "bool" and not isinstance(value, bool):
        return "must be true or false"
    if t == "words" and (not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value)):
        return "must be a non-empty array of strings"
    return None


def _check_examples(examples: Any, problem: Any) -> tuple[Mapping[str, Any], ...]:
    hint = 'examples = [{ input = "...", output = "..." }, { input = "...", unchanged = true }]'
    if not isinstance(examples, list) or not examples:
        problem("examples" if examples is not None else None, "missing examples", hint)
        return ()
    changed = unchanged = 0
    for i, ex in enumerate(examples, 1):
        if not isinstance(ex, dict) or not isinstance(ex.get("input"), str):
            problem("examples", f"example {i} needs an `input` string", hint)
            continue
        extra = set(ex) - EXAMPLE_KEYS
        if extra:
            problem("examples", f"example {i} has unknown keys {sorted(extra)}", hint)
        has_output = isinstance(ex.get("output"), str)
        if has_output == bool(ex.get("unchanged")):
            problem("examples", f"example {i} needs exactly one of `output` or `unchanged = true`", hint)
        elif has_output and ex["output"] == ex["input"]:
            problem("examples", f"example {i}: output equals input; mark it `unchanged = true`", hint)
        elif has_output:
            changed += 1
        else:
            unchanged += 1
    if not changed:
        problem("examples", "no example that the rule changes", hint)
    if not unchanged:
        problem("examples", "no look-alike example that the rule must leave unchanged", hint)
    return tuple(examples)
