"""The `cleaner` command line. Exit codes: 0 ok; 1 some input or check failed;
2 usage error or broken rule files (nothing was written)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cleaner.config import ConfigError, load_config
from cleaner.engine import Pipeline
from cleaner.errors import InputProblem, RuleFileError, RuleTimeout
from cleaner.io.files import UsageError, plan_jobs, write_atomic
from cleaner.io.inputs import read_input
from cleaner.model import origin_lines
from cleaner.patterns import DEFAULT_TIMEOUT
from cleaner.ruleset import load_rules
from cleaner.stats import RunStats
from cleaner.visible import show_text, visible_diff

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Remove scraped-text boilerplate with declarative, tested rule files.",
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="List, check and explain rules.", add_completion=False)
app.add_typer(rules_app, name="rules")

RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", "-r", help="Rule file or folder to add to the defaults (repeatable)."),
]
NoDefaultsOpt = Annotated[bool, typer.Option("--no-default-rules", help="Use only the rules given with --rules.")]
TimeoutOpt = Annotated[
    float, typer.Option("--regex-timeout", help="Seconds one regex call may take before the rule is stopped.")
]


def err(message: str) -> None:
    print(message, file=sys.stderr)


def build_pipeline(rules: list[Path] | None, no_default_rules: bool, timeout: float = DEFAULT_TIMEOUT) -> Pipeline:
    """Load project config plus command-line rules, or exit 2 naming every problem."""
    try:
        cfg = load_config()
    except ConfigError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    try:
        return load_rules(
            [*cfg.rules, *(rules or [])], defaults=cfg.default_rules and not no_default_rules, timeout=timeout
        )
    except RuleFileError as exc:
        err(f"error: rule files are broken ({len(exc.problems)} problem(s)); nothing was cleaned:")
        for p in exc.problems:
            err(f"  {p}")
        raise typer.Exit(2) from None


@app.command()
def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders; '-' or nothing reads stdin.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    strict: Annotated[bool, typer.Option(help="Treat undecodable bytes and skipped files as errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    regex_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Clean files and folders into OUTPUT, or stdin to stdout."""
    pipeline = build_pipeline(rules, no_default_rules, regex_timeout)
    stats = RunStats()
    if not paths or paths == [Path("-")]:
        ok = _clean_one("<stdin>", sys.stdin.buffer.read(), None, pipeline, stats, strict)
        if not quiet:
            err(stats.summary(r.id for r in pipeline.rules))
        raise typer.Exit(0 if ok else 1)
    try:
        jobs = plan_jobs(list(paths), output)
    except UsageError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    ok = True
    for job in jobs:
        try:
            data = job.source.read_bytes()
        except OSError as exc:
            stats.read += 1
            stats.failed += 1
            err(f"error: {job.source}: cannot read: {exc.strerror or exc}")
            ok = False
            continue
        ok &= _clean_one(str(job.source), data, job.target, pipeline, stats, strict)
    if not quiet:
        err(stats.summary(r.id for r in pipeline.rules))
    raise typer.Exit(0 if ok and stats.balanced else 1)


def _clean_one(name: str, data: bytes, target: Path | None, pipeline: Pipeline, stats: RunStats, strict: bool) -> bool:
    """Clean one input; report any problem naming it. Returns False if it failed."""
    stats.read += 1
    try:
        decoded = read_input(name, data, strict=strict, extract=pipeline.extract)
    except InputProblem as exc:
        binary = "binary" in str(exc)
        err(f"{'warning' if binary and not strict else 'error'}: {name}: {exc}")
        if binary:
            stats.skipped += 1
        else:
            stats.failed += 1
        return binary and not strict
    for w in decoded.warnings:
        err(f"warning: {name}: {w}")
    try:
        result = pipeline.apply(decoded.text)
    except RuleTimeout as exc:
        stats.failed += 1
        err(f"error: {name}: {exc}; not written")
        return False
    out = result.text.encode("utf-8")
    try:
        if target is None:
            sys.stdout.buffer.write(out)
            sys.stdout.buffer.flush()
        else:
            write_atomic(target, out)
    except OSError as exc:
        stats.failed += 1
        err(f"error: {name}: cannot write {target or 'stdout'}: {exc.strerror or exc}")
        return False
    stats.written += 1
    stats.add_edits(result.edits)
    return True


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="A text file or HTML page to explain.", exists=True, dir_okay=False)],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Show every edit the rules make to FILE, with rule id and line."""
    pipeline = build_pipeline(rules, no_default_rules)
    try:
        decoded = read_input(str(file), file.read_bytes(), extract=pipeline.extract)
    except InputProblem as exc:
        err(f"error: {file}: {exc}")
        raise typer.Exit(1) from None
    result = pipeline.apply(decoded.text)
    width = max([len(e.rule_id) for e in result.edits] + [4])
    located = sorted(zip(origin_lines(decoded.text, result.edits), range(len(result.edits)), result.edits, strict=True))
    for line, _, e in located:
        print(f"{file}:{line}  {e.rule_id:<{width}}  {_snippet(e.before)}  →  {_snippet(e.after) or '∅'}")
    print(f"{len(result.edits)} edit(s) by {len(result.rule_ids())} rule(s)")


def _snippet(s: str, limit: int = 90) -> str:
    shown = show_text(s)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@app.command("test")
def golden_test(
    update: Annotated[bool, typer.Option("--update", help="Write goldens from the current output.")] = False,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Golden runner: clean every golden case and diff it against its expected file."""
    from cleaner.golden import discover, run_case
    from cleaner.golden import update as write_golden

    if update and os.environ.get("CI"):
        err("error: refusing --update with CI set: goldens are written by people, not CI")
        raise typer.Exit(2)
    cfg = load_config()
    if not cfg.golden:
        err("error: no golden suites: add [[tool.cleaner.golden]] with inputs and expected to pyproject.toml")
        raise typer.Exit(2)
    pipeline = build_pipeline(rules, no_default_rules)
    cases, stale = discover(cfg.golden)
    passed = failed = 0
    for case in cases:
        outcome = run_case(case, pipeline)
        if outcome.ok:
            passed += 1
            continue
        if update:
            write_golden(outcome)
            print(f"updated {case.expected}")
            passed += 1
            continue
        failed += 1
        print(f"FAIL {case.name}")
        print(outcome.diff())
    for path in stale:
        if update:
            path.unlink()
            print(f"removed stale golden {path} (its input is gone)")
        else:
            failed += 1
            print(f"STALE {path}: golden file without an input (remove it, or run `cleaner test --update`)")
    print(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


@rules_app.callback(invoke_without_command=True)
def rules_list(
    ctx: typer.Context,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """List rules in the order they run."""
    if ctx.invoked_subcommand is not None:
        return
    pipeline = build_pipeline(rules, no_default_rules)
    width = max([len(r.id) for r in pipeline.rules] + [2])
    for r in pipeline.rules:
        print(f"{r.id:<{width}}  {r.kind:<20}  {r.description}")


@rules_app.command("check")
def rules_check(
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Validate every rule file and run every rule's examples."""
    from cleaner.ruleset.examples import run_examples

    pipeline = build_pipeline(rules, no_default_rules)
    passed = failed = 0
    for outcome in run_examples(pipeline):
        if outcome.ok:
            passed += 1
            continue
        failed += 1
        print(f"FAIL {outcome.name}")
        print(visible_diff(outcome.expected, outcome.actual, fromfile="expected", tofile="rule output"))
    print(f"{len(pipeline.rules)} rules valid; examples: {passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    app()
