"""pytest plugin: every golden case and every rule example of a project is a test item.

Registered through the `pytest11` entry point, so in a repository whose pyproject.toml
has a `[tool.cleaner]` table plain `pytest` collects, next to the project's own tests:

- each rule example of the project's rule files: `rules/promos.toml::promo.read-headline::example-2`;
- each golden case, from its input file: `docs/a.txt::golden`.

A failure shows the same visible-whitespace diff as `cleaner rules check` / `cleaner test`
(one implementation: `ExampleOutcome.diff`, `CaseOutcome.diff`). `pytest --update-goldens`
rewrites the goldens that differ (refused when `CI` is set). Golden files whose input is
gone (stale) are reported, and fail the session, only when the whole suite ran: not with
`-k`, `-m`, node ids, or anything else that deselects or stops early.

Collection goes through pytest's own file walk (`pytest_collect_file`), so node ids,
`-k`, `--lf`, xdist and explicit paths (`pytest rules/promos.toml`) all work as for
any test file. When a plain `pytest` run is narrowed by `testpaths`, the rule files
and golden input folders outside those paths are added to the paths to collect, each
once. Without `[tool.cleaner]` the plugin does nothing.

Which rules: the project's own rule files (`rules = [...]`), selected by the config's
`select`/`ignore` (unsafe rules' examples included: they document the rule whether or
not it runs). The packaged default rules are tested by cleaner's own suite, not in
every project; in cleaner's source checkout they are project files like any other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cleaner.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from cleaner.engine import Pipeline
    from cleaner.golden import CaseOutcome, GoldenCase
    from cleaner.kinds.base import Rule
    from cleaner.ruleset.examples import ExampleOutcome

PROJECT = pytest.StashKey["Project"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cleaner", "cleaner golden files and rule examples")
    group.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Write golden files from the current output, and remove stale ones after a full run (refused in CI).",
    )


def pytest_configure(config: pytest.Config) -> None:
    update = config.getoption("update_goldens")
    if update and os.environ.get("CI"):
        raise pytest.UsageError("refusing --update-goldens with CI set: goldens are written by people, not CI")
    try:
        cfg = load_config(config.rootpath)
    except ConfigError as exc:
        raise pytest.UsageError(f"cleaner: {exc}") from None
    if not cfg.declared:
        return
    project = Project(cfg, update)
    config.stash[PROJECT] = project
    config.pluginmanager.register(project, "cleaner-project")
    if config.args_source != pytest.Config.ArgsSource.ARGS and config.invocation_params.dir == config.rootpath:
        config.args.extend(project.paths_outside(config.args, config.rootpath))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    project = parent.config.stash.get(PROJECT, None)
    if project is None:
        return None
    key = file_path.resolve()
    if key in project.rule_files:
        return RuleFile.from_parent(parent, path=file_path)
    if key in project.cases:
        return GoldenFile.from_parent(parent, path=file_path)
    return None


@dataclass
class Project:
    """One repository's cleaner setup: its rule files, golden cases, and what ran."""

    cfg: Config
    update: bool
    rule_files: set[Path] = field(init=False)
    cases: dict[Path, GoldenCase] = field(init=False)
    ran: set[Path] = field(default_factory=set)
    updated: list[Path] = field(default_factory=list)
    deselected: int = 0
    stale: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    _pipelines: tuple[Pipeline, Pipeline] | Exception | None = None

    def __post_init__(self) -> None:
        from cleaner.golden import discover
        from cleaner.ruleset import default_rules_dir, rule_files

        paths = list(self.cfg.rules)
        defaults = default_rules_dir()
        if self.cfg.default_rules and not _packaged(defaults):
            paths.insert(0, defaults)  # cleaner's own checkout: the defaults are project files
        self.rule_files = {p.resolve() for p in rule_files(paths) if p.is_file()}
        found, _ = discover(self.cfg.golden)
        self.cases = {c.input.resolve(): c for c in found}

    def paths_outside(self, args: list[str], rootpath: Path) -> list[str]:
        """Rule files and golden input folders inside the repository that `args` do not cover."""
        covered = [(rootpath / a.split("::")[0]).resolve() for a in args]
        wanted = sorted(self.rule_files) + sorted({s.inputs.resolve() for s in self.cfg.golden})
        return [
            str(p)
            for p in wanted
            if p.exists() and p.is_relative_to(rootpath.resolve()) and not any(p.is_relative_to(c) for c in covered)
        ]

    def pipelines(self) -> tuple[Pipeline, Pipeline]:
        """(for examples, for goldens): loaded once; a broken rule file is remembered and re-raised."""
        if self._pipelines is None:
            from cleaner.errors import RuleFileError
            from cleaner.ruleset import SelectionError, load_rules, select_rules

            try:
                full = load_rules(self.cfg.rules, defaults=self.cfg.default_rules, unsafe=True)
                self._pipelines = (
                    select_rules(full, self.cfg.select, self.cfg.ignore, unsafe=True),
                    select_rules(full, self.cfg.select, self.cfg.ignore, unsafe=self.cfg.unsafe),
                )
            except (RuleFileError, SelectionError) as exc:  # reported by every item that needs them
                self._pipelines = exc
        if isinstance(self._pipelines, Exception):
            raise self._pipelines
        return self._pipelines

    # -- stale goldens, judged once the session is over ----------------------------------

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from cleaner.golden import discover

        if not self._whole_run(session.config):
            return
        for suite in self.cfg.golden:
            cases, stale = discover([suite])
            if not all(c.input.resolve() in self.ran for c in cases):
                continue
            if self.update:
                for path in stale:
                    path.unlink()
                self.removed.extend(stale)
            else:
                self.stale.extend(stale)
        if self.stale and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _whole_run(self, config: pytest.Config) -> bool:
        narrowed = config.option.keyword or config.option.markexpr or any("::" in a for a in config.args)
        return not narrowed and not self.deselected

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not (self.stale or self.updated or self.removed):
            return
        tr = terminalreporter
        tr.section("cleaner goldens")
        for path in self.updated:
            tr.write_line(f"updated {path}")
        for path in self.removed:
            tr.write_line(f"removed stale golden {path} (its input is gone)")
        for path in self.stale:
            tr.write_line(f"STALE {path}: golden file without an input (remove it, or run pytest --update-goldens)")


def _packaged(defaults: Path) -> bool:
    return defaults.name == "default_rules" and defaults.parent == Path(__file__).resolve().parent


def _project(node: pytest.Node) -> Project:
    return node.config.stash[PROJECT]


def _pipelines(node: pytest.Node, error: type[Exception]) -> tuple[Pipeline, Pipeline]:
    """The project's pipelines, or `error` saying what is wrong with its rules (no traceback)."""
    from cleaner.errors import RuleFileError
    from cleaner.ruleset import SelectionError

    try:
        return _project(node).pipelines()
    except RuleFileError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        raise error(f"rule files are broken ({len(exc.problems)} problem(s)):\n{problems}") from None
    except SelectionError as exc:
        raise error(f"[tool.cleaner]: {exc}") from None


class CleanerFailure(Exception):
    """A mismatch whose report is the visible-whitespace diff itself, not a traceback."""


class RuleFile(pytest.File):
    """A rule file: one collector per rule it defines, one item per example."""

    def collect(self):
        examples, _ = _pipelines(self, self.CollectError)
        for rule in examples.rules:
            if Path(rule.source).resolve() == self.path.resolve():
                yield RuleNode.from_parent(self, name=rule.id, rule=rule)


class RuleNode(pytest.Collector):
    def __init__(self, *, rule: Rule, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    def collect(self):
        for number in range(1, len(self.rule.examples) + 1):
            yield ExampleItem.from_parent(self, name=f"example-{number}", rule=self.rule, number=number)


class ExampleItem(pytest.Item):
    def __init__(self, *, rule: Rule, number: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.number = number

    def runtest(self) -> None:
        from cleaner.ruleset.examples import run_example

        examples, _ = _pipelines(self, CleanerFailure)
        outcome: ExampleOutcome = run_example(examples, self.rule, self.number)
        if not outcome.ok:
            unchanged = self.rule.examples[self.number - 1].get("unchanged")
            what = "leave its input unchanged" if unchanged else "rewrite its input as expected"
            raise CleanerFailure(f"{self.rule.id} example {self.number}: the rule did not {what}\n" + outcome.diff())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CleanerFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.rule.line or 1) - 1, f"{self.rule.id} example-{self.number}"


class GoldenFile(pytest.File):
    """A golden case's input file: one item that cleans it and compares with the golden."""

    def collect(self):
        yield GoldenItem.from_parent(self, name="golden", case=_project(self).cases[self.path.resolve()])


class GoldenItem(pytest.Item):
    def __init__(self, *, case: GoldenCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from cleaner.golden import run_case, update

        project = _project(self)
        project.ran.add(self.case.input.resolve())
        _, goldens = _pipelines(self, CleanerFailure)
        outcome: CaseOutcome = run_case(self.case, goldens)
        if outcome.ok:
            return
        if project.update:
            update(outcome)
            project.updated.append(self.case.expected)
            return
        hint = "run `pytest --update-goldens` (or `cleaner test --update`) and read the diff before committing"
        problem = "has no golden file yet" if outcome.expected is None else "differs"
        raise CleanerFailure(f"golden {self.case.name} {problem} ({hint}):\n" + outcome.diff())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CleanerFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"golden {self.case.name}"
