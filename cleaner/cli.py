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
from cleaner.errors import InputProblem, OutputError, RuleFileError
from cleaner.io.decode import decode_bytes
from cleaner.io.files import UsageError
from cleaner.model import origin_lines
from cleaner.patterns import DEFAULT_TIMEOUT
from cleaner.ruleset import load_rules
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
    float,
    typer.Option(
        "--regex-timeout", help="Seconds one rule may spend on one document (per million characters for longer ones)."
    ),
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
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs; '-' or nothing reads stdin.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    input_format: Annotated[str, typer.Option("--format", help="Format of stdin: text or jsonl.")] = "text",
    text_field: Annotated[str, typer.Option(help="JSONL/Parquet field holding the text.")] = "text",
    id_field: Annotated[str, typer.Option(help="Field holding the record id (else its line number).")] = "id",
    workers: Annotated[int, typer.Option(help="Worker processes (default: all cores).")] = os.cpu_count() or 1,
    strict: Annotated[
        bool, typer.Option(help="Quarantine undecodable text instead of repairing it; exit 1 if any record is.")
    ] = False,
    drop_empty: Annotated[bool, typer.Option(help="Drop (and count) documents left empty by cleaning.")] = False,
    resume: Annotated[bool, typer.Option(help="Skip inputs whose outputs a previous run completed.")] = False,
    quarantine: Annotated[
        Path | None, typer.Option(help="Where rejected records go (default: beside the output folder).")
    ] = None,
    stats_json: Annotated[Path | None, typer.Option(help="Write counts per rule and totals as JSON.")] = None,
    log_edits: Annotated[Path | None, typer.Option(help="Write every edit as a JSON line.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary on stderr.")] = False,
    regex_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Clean text files, JSONL corpora (.jsonl, .gz, .zst) and Parquet into OUTPUT, or stdin to stdout."""
    from cleaner.runner.local import default_quarantine, run_local
    from cleaner.runner.options import RunOptions
    from cleaner.runner.state import ResumeError
    from cleaner.runner.units import plan_units

    pipeline = build_pipeline(rules, no_default_rules, regex_timeout)
    if input_format not in ("text", "jsonl"):
        err(f"error: --format must be text or jsonl, not {input_format!r}")
        raise typer.Exit(2)
    own_files = [p for p in (quarantine or default_quarantine(output), stats_json, log_edits) if p is not None]
    skipped: list[str] = []
    try:
        units = plan_units(list(paths or []), output, input_format, own_files, skipped)
        if output is not None:
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot create output folder {output}: {exc.strerror or exc}") from None
    except UsageError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    for message in skipped:
        err(f"warning: {message}")
    if resume and output is None:
        err("error: --resume needs an output folder (-o OUT)")
        raise typer.Exit(2)
    options = RunOptions(
        text_field=text_field,
        id_field=id_field,
        stdin_format=input_format,
        workers=max(1, workers),
        strict=strict,
        drop_empty=drop_empty,
        resume=resume,
        quiet=quiet,
        progress=not quiet and sys.stderr.isatty(),
        log_edits=log_edits,
        quarantine=quarantine,
        stats_json=stats_json,
    )
    try:
        report = run_local(units, pipeline, options, output)
    except ResumeError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    except OutputError as exc:
        if exc.broken_pipe:  # the reader went away (`| head`): stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        err(f"error: {exc}")
        if output is not None and not exc.broken_pipe:
            err(
                "  finished outputs are kept; no partial file is left under a final name."
                " Fix the cause, then rerun with --resume to finish."
            )
        raise typer.Exit(1) from None
    stats = report.stats
    for failure in report.failed_inputs:
        err(f"error: {failure}; its output was discarded")
    if not quiet:
        err(stats.summary(r.id for r in pipeline.rules))
        rate = stats.bytes_in / max(report.seconds, 1e-9) / 1e6
        resumed = f"; {report.resumed} input(s) already done" if report.resumed else ""
        err(f"{human_bytes(stats.bytes_in)} in, {human_bytes(stats.bytes_out)} out, {report.seconds:.1f} s "
            f"({rate:.1f} MB/s){resumed}")  # fmt: skip
        if report.quarantine_file:
            err(f"quarantined records: {report.quarantine_file}")
    if not stats.balanced:
        err(f"error: counts do not add up: {stats.read} read != {stats.written} written + "
            f"{stats.quarantined} quarantined + {stats.dropped_empty} dropped")  # fmt: skip
    failed = report.failed_inputs or not stats.balanced or (strict and stats.quarantined)
    raise typer.Exit(1 if failed else 0)


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="A text file to explain.", exists=True, dir_okay=False)],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Show every edit the rules make to FILE, with rule id and line."""
    pipeline = build_pipeline(rules, no_default_rules)
    try:
        decoded = decode_bytes(file.read_bytes())
    except InputProblem as exc:
        err(f"error: {file}: {exc}")
        raise typer.Exit(1) from None
    result = pipeline.apply(decoded.text)
    width = max([len(e.rule_id) for e in result.edits] + [4])
    located = sorted(zip(origin_lines(decoded.text, result.edits), range(len(result.edits)), result.edits, strict=True))
    for line, _, e in located:
        print(f"{file}:{line}  {e.rule_id:<{width}}  {_snippet(e.before)}  →  {_snippet(e.after) or '∅'}")
    print(f"{len(result.edits)} edit(s) by {len(result.rule_ids())} rule(s)")


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


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
    """Validate every rule file, run every rule's examples and probe every pattern for catastrophic backtracking."""
    from cleaner.ruleset.examples import run_examples
    from cleaner.ruleset.redos import check_pipeline

    pipeline = build_pipeline(rules, no_default_rules)
    passed = failed = 0
    for outcome in run_examples(pipeline):
        if outcome.ok:
            passed += 1
            continue
        failed += 1
        print(f"FAIL {outcome.name}")
        print(visible_diff(outcome.expected, outcome.actual, fromfile="expected", tofile="rule output"))
    findings = check_pipeline(pipeline)
    for finding in findings:
        print(f"BACKTRACKING {finding}")
    print(f"{len(pipeline.rules)} rules valid; examples: {passed} passed, {failed} failed; "
          f"backtracking probes: {len(findings)} pattern(s) flagged")  # fmt: skip
    raise typer.Exit(1 if failed or findings else 0)


def main() -> None:
    app()
