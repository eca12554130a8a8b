"""`cleaner dedup` from parsed arguments to exit code (kept out of cli.py, which stays an index)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from cleaner.dedup.minhash import LshParams, choose_params
from cleaner.dedup.options import DedupOptions
from cleaner.errors import OutputError
from cleaner.io.files import UsageError


def err(message: str) -> None:
    print(message, file=sys.stderr)


def _usage(message: str) -> typer.Exit:
    err(f"error: {message}")
    return typer.Exit(2)


def lsh_params(threshold: float, num_perm: int, bands: int | None, rows: int | None) -> LshParams:
    if not 0.0 < threshold <= 1.0:
        raise _usage(f"--threshold must be in (0, 1], not {threshold}")
    if (bands is None) != (rows is None):
        raise _usage("--bands and --rows go together")
    if bands is not None and rows is not None:
        if bands < 1 or rows < 1:
            raise _usage("--bands and --rows must be at least 1")
        return LshParams(bands, rows)
    if num_perm < 1:
        raise _usage("--num-perm must be at least 1")
    return choose_params(threshold, num_perm)


def dedup_command(**args: Any) -> None:
    from cleaner.dedup.run import Outputs, run_dedup
    from cleaner.runner.local import default_quarantine
    from cleaner.runner.state import ResumeError
    from cleaner.runner.units import plan_units

    if args["engine"] not in ("local", "ray"):
        raise _usage(f"--engine must be local or ray, not {args['engine']!r}")
    if args["unit"] not in ("paragraph", "line"):
        raise _usage(f"--unit must be paragraph or line, not {args['unit']!r}")
    if args["ngram"] < 1 or args["min_docs"] < 2:
        raise _usage("--ngram must be at least 1 and --min-docs at least 2")
    params = lsh_params(args["threshold"], args["num_perm"], args["bands"], args["rows"])
    options = DedupOptions(params, args["threshold"], args["ngram"], args["text_field"], args["id_field"],
                           args["strict"], args["passages"], args["unit"], args["min_docs"], args["by"])  # fmt: skip
    out = Path(args["output"])
    files = Outputs(args["quarantine"], args["stats_json"], args["log_edits"], args["clusters"], args["report"])
    own = [p for p in (files.quarantine or default_quarantine(out), files.stats_json, files.log_edits, files.clusters,
                       files.report) if p is not None]  # fmt: skip
    skipped: list[str] = []
    try:
        if "-" in args["paths"]:
            raise UsageError("dedup reads files, not stdin: it reads its inputs twice")
        units = plan_units(list(args["paths"]), out, "text", own, skipped)
        out.mkdir(parents=True, exist_ok=True)
    except UsageError as exc:
        raise _usage(str(exc)) from None
    except OSError as exc:
        raise _usage(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    for message in skipped:
        err(f"warning: {message}")
    quiet = args["quiet"]
    if not quiet:
        err(f"near duplicates: Jaccard >= {options.threshold:g} of word {options.ngram}-gram sets; MinHash "
            f"{params.num_perm} permutations = {params.bands} bands x {params.rows} rows "
            f"(chance a pair becomes a candidate: {params.candidate_probability(options.threshold):.2f} at "
            f"J={options.threshold:g}, {params.candidate_probability(max(options.threshold - 0.2, 0)):.2f} at "
            f"J={max(options.threshold - 0.2, 0):g})")  # fmt: skip
    workers = max(1, args["workers"] or os.cpu_count() or 1)
    try:
        if args["engine"] == "ray":
            from cleaner.dedup.ray_dedup import run_dedup_ray  # type: ignore[import-not-found]

            report = run_dedup_ray(units, options, out, files, workers=args["workers"],
                                   address=args["ray_address"], resume=args["resume"])  # fmt: skip
        else:
            report = run_dedup(units, options, out, files, workers=workers, resume=args["resume"])
    except (ResumeError, UsageError) as exc:
        raise _usage(str(exc)) from None
    except OutputError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from None
    for failure in report.failed_inputs:
        err(f"error: {failure}; its output was discarded")
    stats = report.stats
    if not quiet:
        err(f"documents: {stats.read} read, {stats.written} written, {stats.quarantined} quarantined; "
            f"duplicates removed: {report.removed_exact} exact, {report.removed_near} near "
            f"({report.clusters} clusters, largest {report.largest_cluster}; {report.candidates} candidate pairs, "
            f"{report.verified} verified)")  # fmt: skip
        if stats.per_rule:
            err(stats.summary().split("\n", 1)[1])
        err(
            f"{stats.bytes_in / 1e6:.1f} MB in, {stats.bytes_out / 1e6:.1f} MB out, {report.seconds:.1f} s"
            + (f"; {report.resumed} input(s) already done" if report.resumed else "")
        )
        if report.quarantine_file:
            err(f"quarantined records: {report.quarantine_file}")
        if files.report is not None:
            err(f"report: {files.report}")
    if not report.balanced:
        err(f"error: counts do not add up: {stats.read} read != {stats.written} written + {stats.quarantined} "
            f"quarantined + {report.removed_exact + report.removed_near} duplicates")  # fmt: skip
    raise typer.Exit(1 if report.failed_inputs or not report.balanced else 0)
