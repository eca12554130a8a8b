"""The `cleaner` command line. Exit codes: 0 ok; 1 some input or check failed;
2 usage error or broken rule files (nothing was written)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from cleaner.config import ConfigError, load_config
from cleaner.engine import Pipeline
from cleaner.errors import InputProblem, OutputError, RuleFileError, RuleTimeout
from cleaner.io.files import UsageError
from cleaner.io.inputs import read_input
from cleaner.model import origin_lines
from cleaner.patterns import DEFAULT_TIMEOUT
from cleaner.ruleset import SelectionError, load_rules
from cleaner.ruleset.select import parse_selectors
from cleaner.visible import show_text

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
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        help="Only these rules: ids or id prefixes (promo.), repeatable or comma-separated. "
        "Replaces [tool.cleaner] select.",
    ),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Leave out these rules (ids or id prefixes). Adds to [tool.cleaner] ignore."),
]
UnsafeOpt = Annotated[bool, typer.Option("--unsafe", help="Also run rules marked safe = false (may remove content).")]


def err(message: str) -> None:
    print(message, file=sys.stderr)


def build_pipeline(
    rules: list[Path] | None,
    no_default_rules: bool,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    unsafe: bool = False,
    config_selection: bool = True,
) -> Pipeline:
    """Load project config plus command-line rules and selection, or exit 2 naming every problem.

    `--select` replaces the config's `select`; `--ignore` adds to its `ignore`;
    unsafe rules run when `--unsafe` is given or the config says `unsafe = true`.
    """
    cfg = _config()
    if not config_selection:
        cfg = replace(cfg, select=(), ignore=())
    try:
        return load_rules(
            [*cfg.rules, *(rules or [])],
            defaults=cfg.default_rules and not no_default_rules,
            timeout=timeout,
            select=parse_selectors(select) if select else cfg.select,
            ignore=(*cfg.ignore, *parse_selectors(ignore or [])),
            unsafe=unsafe or cfg.unsafe,
        )
    except RuleFileError as exc:
        err(f"error: rule files are broken ({len(exc.problems)} problem(s)); nothing was cleaned:")
        for p in exc.problems:
            err(f"  {p}")
        raise typer.Exit(2) from None
    except SelectionError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None


def _config():
    try:
        return load_config()
    except ConfigError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None


@app.command()
def run(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs; '-' or nothing reads stdin.")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Output folder (with --engine ray, also a URI).")
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    input_format: Annotated[str, typer.Option("--format", help="Format of stdin: text or jsonl.")] = "text",
    text_field: Annotated[str, typer.Option(help="JSONL/Parquet field holding the text.")] = "text",
    html_field: Annotated[
        str | None, typer.Option(help="JSONL field holding HTML: extract it, clean it, write it to --text-field.")
    ] = None,
    id_field: Annotated[str, typer.Option(help="Field holding the record id (else its line number).")] = "id",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; Ray: all CPUs of the cluster).")
    ] = None,
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
    task_timeout: Annotated[
        float,
        typer.Option(
            help="Seconds a worker may spend on one batch (~1 MB) before its process is killed: the last resort "
            "for a record stuck in C code, which is then quarantined alone (0: no limit)."
        ),
    ] = 600.0,
    record_timeout: Annotated[
        float,
        typer.Option(
            help="Seconds one record may take, HTML extraction and all rules together (per million characters "
            "beyond the first); a record over it is quarantined with the stage it was stuck in (0: no limit)."
        ),
    ] = 60.0,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report of the run here.")] = None,
    engine: Annotated[
        str, typer.Option(help="local: processes on this machine; ray: a Ray cluster (pip install 'cleaner[ray]').")
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(help="With --engine ray: the cluster to join (auto, HOST:6379); default: start one here."),
    ] = None,
) -> None:
    """Clean text files, JSONL corpora (.jsonl, .gz, .zst) and Parquet into OUTPUT, or stdin to stdout."""
    from cleaner.runner.local import default_quarantine, run_local
    from cleaner.runner.options import RunOptions
    from cleaner.runner.state import ResumeError
    from cleaner.runner.units import plan_units

    if engine not in ("local", "ray"):
        err(f"error: --engine must be local or ray, not {engine!r}")
        raise typer.Exit(2)
    if ray_address is not None and engine != "ray":
        err("error: --ray-address needs --engine ray")
        raise typer.Exit(2)
    pipeline = build_pipeline(rules, no_default_rules, regex_timeout, select=select, ignore=ignore, unsafe=unsafe)
    if input_format not in ("text", "jsonl"):
        err(f"error: --format must be text or jsonl, not {input_format!r}")
        raise typer.Exit(2)
    out_path = Path(output) if output is not None and engine == "local" else None
    own_files = [p for p in (quarantine or default_quarantine(out_path), stats_json, log_edits) if p is not None]
    skipped: list[str] = []
    try:
        if engine == "ray":
            units = _plan_ray(list(paths or []), output, resume)
        else:
            units = plan_units(list(paths or []), out_path, input_format, own_files, skipped)
            if out_path is not None:
                try:
                    out_path.mkdir(parents=True, exist_ok=True)
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
        html_field=html_field,
        id_field=id_field,
        stdin_format=input_format,
        workers=max(1, workers or os.cpu_count() or 1) if engine == "local" else max(0, workers or 0),
        strict=strict,
        drop_empty=drop_empty,
        resume=resume,
        quiet=quiet,
        progress=not quiet and sys.stderr.isatty(),
        log_edits=log_edits,
        quarantine=quarantine,
        stats_json=stats_json,
        report=report,
        task_timeout=max(0.0, task_timeout),
        record_timeout=max(0.0, record_timeout),
    )
    try:
        if engine == "ray":
            from cleaner.runner.ray_engine import RayRunError, run_ray

            try:
                outcome = run_ray(units, pipeline, options, output, ray_address)  # type: ignore[arg-type]
            except RayRunError as exc:
                err(f"error: {exc}")
                raise typer.Exit(1) from None
        else:
            outcome = run_local(units, pipeline, options, Path(output) if output is not None else None)
    except (ResumeError, UsageError) as exc:
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
        if exc.broken_pipe:
            # Leave at once: interpreter teardown can race the stopped worker pool's threads
            # on the closed pipe and print a traceback; everything worth saying is said.
            sys.stderr.flush()
            os._exit(1)
        raise typer.Exit(1) from None
    stats = outcome.stats
    if report is not None:
        from cleaner.report import write_report

        write_report(report, stats, outcome.samples, pipeline.rules)
    for failure in outcome.failed_inputs:
        err(f"error: {failure}; its output was discarded")
    if not quiet:
        err(stats.summary(r.id for r in pipeline.rules))
        rate = stats.bytes_in / max(outcome.seconds, 1e-9) / 1e6
        resumed = f"; {outcome.resumed} input(s) already done" if outcome.resumed else ""
        err(f"{human_bytes(stats.bytes_in)} in, {human_bytes(stats.bytes_out)} out, {outcome.seconds:.1f} s "
            f"({rate:.1f} MB/s){resumed}")  # fmt: skip
        if outcome.quarantine_file:
            err(f"quarantined records: {outcome.quarantine_file}")
        if report is not None:
            err(f"report: {report}")
    if not stats.balanced:
        err(f"error: counts do not add up: {stats.read} read != {stats.written} written + "
            f"{stats.quarantined} quarantined + {stats.dropped_empty} dropped")  # fmt: skip
    failed = outcome.failed_inputs or not stats.balanced or (strict and stats.quarantined)
    raise typer.Exit(1 if failed else 0)


def _plan_ray(paths: list[str], output: str | None, resume: bool) -> list:
    """Check Ray is there and the run is one it can do, then plan it (UsageError otherwise)."""
    from cleaner.runner.ray_engine import require_ray
    from cleaner.runner.remote import plan_remote_units

    require_ray()
    if output is None:
        raise UsageError("--engine ray writes to an output folder: add -o OUT")
    if resume:
        raise UsageError("--resume is not supported with --engine ray: rerun the whole corpus")
    return plan_remote_units(paths, output)


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="A text file or HTML page to explain.", exists=True, dir_okay=False)],
    rule: Annotated[
        str | None, typer.Option("--rule", help="Why didn't this rule fire? Show the lines closest to matching it.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="With --rule: how many near-miss lines to show.")] = 5,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
) -> None:
    """Show every edit the rules make to FILE, with rule id and line; or, with --rule, its near misses."""
    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=unsafe)
    try:
        decoded = read_input(str(file), file.read_bytes(), extract=pipeline.extract)
        result = pipeline.apply(decoded.text)
    except OSError as exc:
        err(f"error: {file}: cannot read: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    except (InputProblem, RuleTimeout) as exc:
        err(f"error: {file}: {exc}")
        raise typer.Exit(1) from None
    if rule is not None:
        _explain_near_misses(file, decoded.text, result, pipeline, rule, limit)
        return
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


def _explain_near_misses(file: Path, text: str, result, pipeline: Pipeline, rule_id: str, limit: int) -> None:
    from cleaner.nearmiss import NotApplicable, format_report, near_misses

    if rule_id not in {r.id for r in pipeline.rules}:
        err(f"error: --rule {rule_id!r}: no such rule among the selected rules (see `cleaner rules`)")
        raise typer.Exit(2)
    edits = [(line, e) for line, e in zip(origin_lines(text, result.edits), result.edits, strict=True)]
    fired = sorted({line for line, e in edits if e.rule_id == rule_id})
    alone = pipeline.only(rule_id)
    try:
        report = near_misses(alone.rules[0], alone.steps[0], text, fired=fired, limit=limit)
    except NotApplicable as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    print(format_report(report, alone.rules[0], str(file)))


def _snippet(s: str, limit: int = 90) -> str:
    shown = show_text(s)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@app.command("test")
def golden_test(
    update: Annotated[bool, typer.Option("--update", help="Write goldens from the current output.")] = False,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
) -> None:
    """Golden runner: clean every golden case and diff it against its expected file."""
    from cleaner.golden import discover, run_case
    from cleaner.golden import update as write_golden

    if update and os.environ.get("CI"):
        err("error: refusing --update with CI set: goldens are written by people, not CI")
        raise typer.Exit(2)
    cfg = _config()
    if not cfg.golden:
        err("error: no golden suites: add [[tool.cleaner.golden]] with inputs and expected to pyproject.toml")
        raise typer.Exit(2)
    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=unsafe)
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
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
) -> None:
    """List the selected rules in the order they run; unsafe rules left off are marked."""
    if ctx.invoked_subcommand is not None:
        return
    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=True)
    runs_unsafe = unsafe or _config().unsafe
    width = max([len(r.id) for r in pipeline.rules] + [2])
    for r in pipeline.rules:
        off = "" if r.safe or runs_unsafe else "  [off: safe = false; --unsafe runs it]"
        print(f"{r.id:<{width}}  {r.kind:<20}  {r.description}{off}")


@rules_app.command("check")
def rules_check(
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """Validate every rule file, run the selected rules' examples (unsafe rules' too) and probe every pattern
    for catastrophic backtracking."""
    from cleaner.ruleset.examples import run_examples
    from cleaner.ruleset.redos import check_pipeline

    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=True)
    passed = failed = 0
    for outcome in run_examples(pipeline):
        if outcome.ok:
            passed += 1
            continue
        failed += 1
        print(f"FAIL {outcome.name}")
        print(outcome.diff())
    findings = check_pipeline(pipeline)
    for finding in findings:
        print(f"BACKTRACKING {finding}")
    print(f"{len(pipeline.rules)} rules valid; examples: {passed} passed, {failed} failed; "
          f"backtracking probes: {len(findings)} pattern(s) flagged")  # fmt: skip
    raise typer.Exit(1 if failed or findings else 0)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="The rule id, e.g. promo.read-headline.")],
    stats: Annotated[
        Path | None, typer.Option("--stats", help="Stats JSON of a run (cleaner run --stats-json): hit counts.")
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Show a rule: description, kind, settings with defaults, examples, and hits in a run."""
    from cleaner.ruleset.docs import StatsFileError, describe_rule, read_rule_stats

    pipeline = build_pipeline(rules, no_default_rules, select=[rule_id], unsafe=True, config_selection=False)
    counts = None
    if stats is not None:
        try:
            counts = read_rule_stats(stats)
        except StatsFileError as exc:
            err(f"error: {exc}")
            raise typer.Exit(2) from None
    rule = pipeline.rule(rule_id) if rule_id in {r.id for r in pipeline.rules} else None
    if rule is None:
        err(f"error: {rule_id!r} is a prefix; rules show takes one id: {', '.join(r.id for r in pipeline.rules)}")
        raise typer.Exit(2)
    print(describe_rule(rule, stats=counts, stats_name=str(stats), root=Path.cwd()))


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema (draft 2020-12) of rule files, for editors (taplo / Even Better TOML)."""
    from cleaner.ruleset.schema import rule_file_schema

    print(json.dumps(rule_file_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    app()
