"""The `cleaner` command line. Exit codes: 0 ok; 1 some input or check failed;
2 usage error or broken rule files (nothing was written)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from cleaner.config import ConfigError, load_config
from cleaner.engine import Pipeline
from cleaner.errors import InputProblem, OutputError, RuleFileError
from cleaner.io.files import UsageError, write_atomic
from cleaner.model import origin_lines
from cleaner.patterns import DEFAULT_TIMEOUT
from cleaner.ruleset import SelectionError, load_rules
from cleaner.ruleset.select import parse_selectors
from cleaner.visible import show_text

# rich_markup_mode=None: help texts are plain text. Rich markup would read the literal brackets of
# 'scrape-cleaner[ray]' and [tool.cleaner] as tags and drop them (tests/test_help.py).
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Remove scraped-text boilerplate with declarative, tested rule files.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, check and explain rules.", add_completion=False, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")

RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", "-r", help="Rule file or folder to add to the defaults (repeatable)."),
]
TextFieldOpt = Annotated[str, typer.Option(help="JSONL/Parquet field holding the text.")]
IdFieldOpt = Annotated[str, typer.Option(help="Field holding the record id (else its line number).")]
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
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="In input folders, also read files whose name or relative path matches this glob, as text "
            "(repeatable). A folder walk reads only .txt/.text, HTML, JSONL and Parquet files by default.",
        ),
    ] = None,
    input_format: Annotated[str, typer.Option("--format", help="Format of stdin: text or jsonl.")] = "text",
    text_field: TextFieldOpt = "text",
    html_field: Annotated[
        str | None, typer.Option(help="JSONL field holding HTML: extract it, clean it, write it to --text-field.")
    ] = None,
    id_field: IdFieldOpt = "id",
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
        str,
        typer.Option(help="local: processes on this machine; ray: a Ray cluster (pip install 'scrape-cleaner[ray]')."),
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
            units = _plan_ray(list(paths or []), output, resume, include or (), skipped)
        else:
            units = plan_units(list(paths or []), out_path, input_format, own_files, skipped, include or ())
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
        _write_report(report, outcome, pipeline, skipped)
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


def _write_report(path: Path, outcome, pipeline: Pipeline, skipped: list[str]) -> None:
    """The HTML report, with the run's quarantined records (from its quarantine file) and its warnings."""
    from cleaner.report import read_quarantine, warning_problem, write_report

    qfile = outcome.quarantine_file
    quarantined = read_quarantine(qfile) if isinstance(qfile, Path) else []
    # A quarantined record is also a warning; list it once, in the quarantine table.
    said = {f"{q.source}{'' if q.line is None else f':{q.line}'}: {q.reason}" for q in quarantined}
    warnings = [warning_problem(m) for m in [*skipped, *outcome.warnings] if m not in said]
    write_report(path, outcome.stats, outcome.samples, pipeline.rules, quarantined=quarantined, warnings=warnings,
                 quarantine_file=str(qfile) if qfile else None)  # fmt: skip


@app.command()
def dedup(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs (as for run).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Output folder.")],
    threshold: Annotated[
        float, typer.Option(help="Jaccard similarity of word n-gram sets at which documents are near-duplicates.")
    ] = 0.8,
    ngram: Annotated[int, typer.Option(help="Words per shingle.")] = 5,
    num_perm: Annotated[
        int, typer.Option(help="Most MinHash permutations to use; bands x rows is chosen from the threshold.")
    ] = 128,
    bands: Annotated[int | None, typer.Option(help="LSH bands (with --rows: overrides the choice).")] = None,
    rows: Annotated[int | None, typer.Option(help="Rows per LSH band (with --bands).")] = None,
    passages: Annotated[
        bool, typer.Option(help="Also remove passages recurring in --min-docs documents from all but the first.")
    ] = False,
    unit: Annotated[str, typer.Option(help="Passages: paragraph (normalised lines) or line (exact lines).")] = (
        "paragraph"
    ),
    min_docs: Annotated[int, typer.Option(help="Passages: recurring in at least this many documents.")] = 2,
    by: Annotated[
        str | None, typer.Option("--by", help="Passages: count only among records with the same value of this field.")
    ] = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    workers: Annotated[int | None, typer.Option(help="Worker processes for the scan (default: all cores).")] = None,
    strict: Annotated[bool, typer.Option(help="Quarantine undecodable text instead of repairing it.")] = False,
    resume: Annotated[bool, typer.Option(help="Reuse what an interrupted run into OUT finished.")] = False,
    quarantine: Annotated[Path | None, typer.Option(help="Where rejected records go.")] = None,
    stats_json: Annotated[Path | None, typer.Option(help="Write counts and totals as JSON.")] = None,
    log_edits: Annotated[Path | None, typer.Option(help="Write every removed passage as a JSON line.")] = None,
    clusters: Annotated[
        Path | None, typer.Option(help="Write one JSON line per removed document: it, the kept one, similarity.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report: totals, clusters, sample pairs side by side.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    engine: Annotated[str, typer.Option(help="local, or ray (pip install 'scrape-cleaner[ray]').")] = "local",
    ray_address: Annotated[str | None, typer.Option(help="With --engine ray: the cluster to join.")] = None,
) -> None:
    """Remove exact and near-duplicate documents (MinHash LSH) and, with --passages, repeated passages."""
    from cleaner.dedup.cli_support import dedup_command

    dedup_command(**locals())


def _plan_ray(paths: list[str], output: str | None, resume: bool, include: Sequence[str], skipped: list[str]) -> list:
    """Check Ray is there and the run is one it can do, then plan it (UsageError otherwise)."""
    from cleaner.runner.ray_engine import require_ray
    from cleaner.runner.remote import plan_remote_units

    require_ray()
    if output is None:
        raise UsageError("--engine ray writes to an output folder: add -o OUT")
    if resume:
        raise UsageError("--resume is not supported with --engine ray: rerun the whole corpus")
    return plan_remote_units(paths, output, include, skipped)


@app.command()
def explain(
    file: Annotated[
        str,
        typer.Argument(
            help="A text file, HTML page, JSONL file (.jsonl, .gz, .zst) or Parquet file; '-' reads stdin.",
            metavar="FILE",
        ),
    ],
    rule: Annotated[
        str | None, typer.Option("--rule", help="Why didn't this rule fire? Show the lines closest to matching it.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="With --rule: how many near-miss lines to show.")] = 5,
    record_id: Annotated[str | None, typer.Option("--id", help="JSONL/Parquet: only the record with this id.")] = None,
    record_line: Annotated[
        int | None,
        typer.Option("--record", help="JSONL/Parquet: only the record on line N (row N), as warnings number them."),
    ] = None,
    input_format: Annotated[str, typer.Option("--format", help="Format of stdin: text or jsonl.")] = "text",
    text_field: TextFieldOpt = "text",
    html_field: Annotated[str | None, typer.Option(help="JSONL field holding HTML to extract, then clean.")] = None,
    id_field: IdFieldOpt = "id",
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
) -> None:
    """Show every edit the rules make to FILE (each record of a corpus), with rule id and line, exactly as
    `run` makes them; or, with --rule, that rule's near misses."""
    from cleaner.io.formats import format_of
    from cleaner.runner.explain import explain_input
    from cleaner.runner.options import RunOptions

    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=unsafe)
    path = None if file == "-" else Path(file)
    if path is not None and not path.is_file():
        err(f"error: {file}: {'is a folder: explain takes one file' if path.is_dir() else 'no such file'}")
        raise typer.Exit(2)
    if input_format not in ("text", "jsonl"):
        err(f"error: --format must be text or jsonl, not {input_format!r}")
        raise typer.Exit(2)
    fmt = format_of(path) if path is not None else input_format
    picked = record_id is not None or record_line is not None
    if picked and fmt == "text":
        err("error: --id and --record pick a record of a JSONL or Parquet file; FILE is one text document")
        raise typer.Exit(2)
    if rule is not None and fmt != "text" and not picked:
        err("error: --rule on a corpus needs one record: add --id ID or --record N")
        raise typer.Exit(2)

    def wanted(doc_id: str | None, line: int | None) -> bool:
        return (record_id is None or doc_id == record_id) and (record_line is None or line == record_line)

    options = RunOptions(text_field=text_field, html_field=html_field, id_field=id_field, workers=1)
    name = file if path is not None else "<stdin>"
    try:
        found = explain_input(path, fmt, pipeline, options, wanted)
    except InputProblem as exc:
        err(f"error: {name}: {exc}")
        raise typer.Exit(1) from None
    for warning in found.warnings:
        err(f"warning: {warning}")
    if fmt == "text":
        if found.rejected:
            err(f"error: {name}: {found.rejected[0]['reason']}")
            raise typer.Exit(1)
        [doc] = found.docs
        if rule is not None:
            _explain_near_misses(name, doc.text, doc.result, pipeline, rule, limit)
            return
        _print_edits(name, doc.text, doc.result)
        print(f"{len(doc.result.edits)} edit(s) by {len(doc.result.rule_ids())} rule(s)")
        return
    if picked and not found.docs and not found.rejected:
        which = f"id {record_id!r}" if record_id is not None else f"on line {record_line}"
        err(f"error: no record with {which} in {name}" + (" (and that line)" if record_id and record_line else ""))
        raise typer.Exit(1)
    if rule is not None:
        if not found.docs:
            err(f"error: {name}: the record was quarantined: {found.rejected[0]['reason']}")
            raise typer.Exit(1)
        doc = found.docs[0]
        _explain_near_misses(f"{name}:{doc.line} id={doc.id}", doc.text, doc.result, pipeline, rule, limit)
        return
    events = [(d.line or 0, 0, d) for d in found.docs] + [(q["line"] or 0, 1, q) for q in found.rejected]
    edits, fired = 0, set()
    for _, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
        if kind:
            print(f"{name}:{item['line']} id={item['id']} quarantined: {item['reason']}")
            continue
        _print_edits(f"{name}:{item.line} id={item.id} line ", item.text, item.result, sep="")
        edits += len(item.result.edits)
        fired.update(item.result.rule_ids())
    print(f"{edits} edit(s) by {len(fired)} rule(s) in {len(found.docs)} record(s)"
          + (f"; {len(found.rejected)} quarantined" if found.rejected else ""))  # fmt: skip


def _print_edits(where: str, text: str, result, sep: str = ":") -> None:
    """One line per edit, in the order of the input's lines: where, line, rule, before → after."""
    width = max([len(e.rule_id) for e in result.edits] + [4])
    located = sorted(zip(origin_lines(text, result.edits), range(len(result.edits)), result.edits, strict=True))
    for line, _, e in located:
        print(f"{where}{sep}{line}  {e.rule_id:<{width}}  {_snippet(e.before)}  →  {_snippet(e.after) or '∅'}")


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _explain_near_misses(name: str, text: str, result, pipeline: Pipeline, rule_id: str, limit: int) -> None:
    from cleaner.nearmiss import NotApplicable, format_not_applicable, format_report, near_misses

    if rule_id not in {r.id for r in pipeline.rules}:
        from cleaner.suggest import did_you_mean

        known = [r.id for r in pipeline.rules]
        err(f"error: --rule {rule_id!r}: no such rule among the selected rules; {did_you_mean(rule_id, known)}"
            "(see `cleaner rules`)")  # fmt: skip
        raise typer.Exit(2)
    edits = [(line, e) for line, e in zip(origin_lines(text, result.edits), result.edits, strict=True)]
    fired = sorted({line for line, e in edits if e.rule_id == rule_id})
    alone = pipeline.only(rule_id)
    try:
        report = near_misses(alone.rules[0], alone.steps[0], text, fired=fired, limit=limit)
    except NotApplicable as exc:
        print(format_not_applicable(alone.rules[0], name, fired, str(exc)))
        return
    print(format_report(report, alone.rules[0], name))


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


@app.command()
def mine(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs, as `run` takes them; '-' or nothing: stdin.")
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Write the draft rule file here ('-': stdout).")] = "-",
    min_docs: Annotated[int, typer.Option(help="A line recurs when this many documents hold it (at least 2).")] = 3,
    by: Annotated[
        str | None,
        typer.Option(help="Record field naming each record's source (e.g. domain): count recurrence per source."),
    ] = None,
    input_format: Annotated[str, typer.Option("--format", help="Format of stdin: text or jsonl.")] = "text",
    text_field: TextFieldOpt = "text",
    html_field: Annotated[str | None, typer.Option(help="JSONL field holding HTML: mine its extracted text.")] = None,
    max_docs: Annotated[
        int | None, typer.Option(help="Read at most this many documents (mine a sample of a big corpus).")
    ] = None,
    max_rules: Annotated[int, typer.Option(help="Draft at most this many rules, the most frequent first.")] = 50,
    top: Annotated[int, typer.Option(help="Families shown in the table on stderr.")] = 20,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    unsafe: UnsafeOpt = False,
) -> None:
    """Find lines that recur across documents (after the current rules ran) and draft a rule file for them."""
    from itertools import islice

    from cleaner.authoring.corpus import CorpusLog, CorpusSpec, describe, read_corpus
    from cleaner.authoring.draft import assign_ids, draft_toml, show_table
    from cleaner.authoring.mine import mine as mine_corpus

    if input_format not in ("text", "jsonl"):
        err(f"error: --format must be text or jsonl, not {input_format!r}")
        raise typer.Exit(2)
    if min_docs < 2:
        err("error: --min-docs must be at least 2 (a line in one document does not recur)")
        raise typer.Exit(2)
    pipeline = build_pipeline(rules, no_default_rules, select=select, ignore=ignore, unsafe=unsafe)
    spec = CorpusSpec(tuple(paths or ()), input_format, text_field, html_field, by, pipeline.extract)
    log = CorpusLog()
    entries: list[str] = []
    docs = read_corpus(spec, log, entries)
    try:
        report = mine_corpus(islice(docs, max_docs), pipeline, min_docs, max(0, max_rules))
    except UsageError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    for message in [*entries, *log.skipped[:MAX_SHOWN], *report.timed_out[:MAX_SHOWN]]:
        err(f"warning: {message}")
    if len(log.skipped) > MAX_SHOWN:
        err(f"warning: … and {len(log.skipped) - MAX_SHOWN} more skipped record(s)")
    if by and log.no_source:
        err(f"warning: {log.no_source} record(s) without a usable {by!r} field were counted as one source")
    assign_ids(report.families)
    text = draft_toml(report, min_docs, by)
    if output == "-":
        sys.stdout.write(text)
    else:
        try:
            write_atomic(Path(output), text.encode("utf-8"))
        except OSError as exc:
            err(f"error: cannot write {output}: {exc.strerror or exc}")
            raise typer.Exit(1) from None
    err(f"{describe(log)}; {report.lines} non-blank line(s) after the current rules "
        f"({report.removed_by_rules} removed by them); {len(report.families)} family(ies) proposed")  # fmt: skip
    if report.families:
        show_table(report, by, top)
    if output != "-":
        err(f"draft: {output} (check it with `cleaner rules check --rules {output}`)")


MAX_SHOWN = 20


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


@rules_app.command("docs")
def rules_docs(
    out: Annotated[Path, typer.Option("--out", help="Folder for the generated pages.")] = Path("docs/reference"),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if a page is out of date.")] = False,
) -> None:
    """Write the docs site's generated reference pages (command line, rule kinds, default rules)."""
    from cleaner.refdocs import generate, write_pages

    if check:
        stale = [n for n, text in generate().items() if not (out / n).exists() or (out / n).read_text("utf-8") != text]
        for name in stale:
            print(f"out of date: {out / name} (run `cleaner rules docs --out {out}`)")
        raise typer.Exit(1 if stale else 0)
    for path in write_pages(out):
        print(f"wrote {path}")


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema (draft 2020-12) of rule files, for editors (taplo / Even Better TOML)."""
    from cleaner.ruleset.schema import rule_file_schema

    print(json.dumps(rule_file_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    app()
