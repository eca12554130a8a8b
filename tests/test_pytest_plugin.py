"""The pytest plugin, tested with pytester in throwaway projects (and on this repository itself)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cleaner import load_rules

from .conftest import ROOT

RULE_FILE = """
[[rule]]
id = "promo.newsletter"
kind = "drop_line"
description = "A newsletter sign-up prompt on a line of its own."
pattern = '''^(?i:sign up for our newsletter)\\b.{0,80}$'''
examples = [
  { input = "Sign up for our newsletter!\\nBody.", output = "Body." },
  { input = "Readers who sign up for our newsletter like it, the survey found.", unchanged = true },
]
"""
PYPROJECT = """
[tool.cleaner]
rules = ["my_rules"]

[[tool.cleaner.golden]]
inputs = "docs"
expected = "golden"
"""
DOC_A = "Sign up for our newsletter today\nKeep\u00a0this.\nAdvertisement\n"
DOC_B = "Plain text stays.\n"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A fresh repository: one custom rule file and two golden cases, goldens correct."""
    pytester.makefile(".toml", pyproject=PYPROJECT)
    (pytester.path / "my_rules").mkdir()
    (pytester.path / "my_rules" / "promos.toml").write_text(RULE_FILE, encoding="utf-8")
    for folder, a, b in (("docs", DOC_A, DOC_B), ("golden", "Keep\u00a0this.\n", DOC_B)):
        (pytester.path / folder).mkdir()
        (pytester.path / folder / "a.txt").write_text(a, encoding="utf-8")
        (pytester.path / folder / "b.txt").write_text(b, encoding="utf-8")
    return pytester


EXPECTED_IDS = [
    "docs/a.txt::golden",
    "docs/b.txt::golden",
    "my_rules/promos.toml::promo.newsletter::example-1",
    "my_rules/promos.toml::promo.newsletter::example-2",
]


# Inner runs skip plugins of this environment that cost time and say nothing here.
QUIET = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*QUIET, *args)


def collected(result: pytest.RunResult) -> list[str]:
    return sorted(line for line in result.outlines if "::" in line and not line.startswith(" "))


def test_plain_pytest_collects_goldens_and_examples_with_readable_ids(project):
    result = run(project, "--collect-only", "-q")
    assert collected(result) == EXPECTED_IDS  # each exactly once
    result = run(project)
    result.assert_outcomes(passed=4)


def test_no_double_collection_with_testpaths_explicit_paths_or_conftest(project):
    (project.path / "tests").mkdir()
    (project.path / "tests" / "test_x.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    (project.path / "conftest.py").write_text('pytest_plugins = ["cleaner.pytest_plugin"]\n', encoding="utf-8")
    with open(project.path / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write('\n[tool.pytest.ini_options]\ntestpaths = ["tests", "docs"]\n')
    # testpaths leave out my_rules/: the plugin adds it; docs/ is already there, not added twice
    assert collected(run(project, "--collect-only", "-q")) == sorted([*EXPECTED_IDS, "tests/test_x.py::test_x"])
    # explicit paths: only what was asked for
    assert collected(run(project, "--collect-only", "-q", "my_rules")) == EXPECTED_IDS[2:]
    assert collected(run(project, "--collect-only", "-q", "docs", "docs/a.txt")) == EXPECTED_IDS[:2]
    result = run(project, "-q", "my_rules/promos.toml::promo.newsletter::example-2")
    result.assert_outcomes(passed=1)


def test_failures_show_the_visible_whitespace_diff(project):
    (project.path / "golden" / "a.txt").write_text("Keep this.\nAdvertisement\n", encoding="utf-8")
    rules = project.path / "my_rules" / "promos.toml"
    rules.write_text(RULE_FILE.replace('output = "Body."', 'output = "Body. "'), encoding="utf-8")
    result = run(project)
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    assert "golden docs/a.txt differs" in out and "pytest --update-goldens" in out
    assert "-Keep this." in out and "+Keep⟨NBSP⟩this." in out
    assert "-Advertisement    ⟵ removed by ads.marker" in out
    assert "promo.newsletter example 1: the rule did not rewrite its input as expected" in out
    assert "-Body.·" in out  # the trailing space the example expects, made visible
    assert "Traceback" not in out and "CleanerFailure" not in out


def test_update_goldens_rewrites_and_is_refused_in_ci(project, monkeypatch):
    golden = project.path / "golden" / "a.txt"
    golden.write_text("old\n", encoding="utf-8")
    (project.path / "docs" / "new.txt").write_text("New doc.\n", encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    result = run(project, "--update-goldens")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "refusing --update-goldens with CI set" in result.stderr.str()
    monkeypatch.delenv("CI")
    result = run(project, "--update-goldens")
    result.assert_outcomes(passed=5)
    assert golden.read_text(encoding="utf-8") == "Keep\u00a0this.\n"
    assert (project.path / "golden" / "new.txt").read_text(encoding="utf-8") == "New doc.\n"
    assert f"updated {golden}" in result.stdout.str()
    run(project).assert_outcomes(passed=5)


def test_stale_goldens_only_reported_when_the_whole_suite_ran(project, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    orphan = project.path / "golden" / "gone.txt"
    orphan.write_text("x\n", encoding="utf-8")
    result = run(project)
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*cleaner goldens*", f"STALE {orphan}: golden file without an input*"])
    for narrowed in (["-k", "golden"], ["docs/a.txt::golden", "docs/b.txt::golden"], ["-x", "my_rules"]):
        result = run(project, *narrowed)
        assert result.ret == pytest.ExitCode.OK, narrowed
        assert "STALE" not in result.stdout.str()
    result = run(project, "-k", "golden", "--update-goldens")
    assert orphan.exists()  # not a whole run: nothing removed
    result = run(project, "--update-goldens")
    assert result.ret == pytest.ExitCode.OK
    assert not orphan.exists() and "removed stale golden" in result.stdout.str()


def test_broken_rule_file_is_a_collection_error_naming_it(project):
    rules = project.path / "my_rules" / "promos.toml"
    rules.write_text(RULE_FILE.replace("(?i:sign", "(?i:sign("), encoding="utf-8")
    result = run(project)
    out = result.stdout.str()
    assert result.ret != pytest.ExitCode.OK
    assert "rule files are broken" in out and "promo.newsletter" in out and "regex does not compile" in out
    assert "Traceback" not in out


def test_config_selection_applies_and_unknown_selector_is_reported(project):
    text = (project.path / "pyproject.toml").read_text(encoding="utf-8")
    (project.path / "pyproject.toml").write_text(
        text.replace('rules = ["my_rules"]', 'rules = ["my_rules"]\nignore = ["ads.marker"]'), encoding="utf-8"
    )
    (project.path / "golden" / "a.txt").write_text("Keep\u00a0this.\nAdvertisement\n", encoding="utf-8")
    run(project).assert_outcomes(passed=4)
    bad = text.replace('rules = ["my_rules"]', 'rules = ["my_rules"]\nignore = ["adz."]')
    (project.path / "pyproject.toml").write_text(bad, encoding="utf-8")
    result = run(project)
    assert "ignore: 'adz.' matches no rule" in result.stdout.str()


def test_inert_without_tool_cleaner(pytester):
    pytester.makefile(".toml", pyproject='[project]\nname = "other"\n')
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "r.toml").write_text(RULE_FILE, encoding="utf-8")
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    result = run(pytester, "--collect-only", "-q")
    assert collected(result) == ["test_one.py::test_one"]


def test_this_repository_collects_its_own_goldens_and_examples(request):
    """`make test` runs every golden case and every default rule's examples through the plugin."""
    config = request.config
    if config.args_source == pytest.Config.ArgsSource.ARGS or config.option.keyword or config.option.markexpr:
        pytest.skip("only meaningful when the whole suite is collected")
    ids = {item.nodeid for item in request.session.items}
    for seed in (ROOT / "seeds").iterdir():
        assert f"seeds/{seed.name}::golden" in ids
    for case in (ROOT / "tests" / "cases" / "input").iterdir():
        assert f"tests/cases/input/{case.name}::golden" in ids
    pipeline = load_rules()
    assert len(pipeline.rules) > 10
    for rule in pipeline.rules:
        source = Path(rule.source).resolve().relative_to(ROOT).as_posix()
        for n in range(1, len(rule.examples) + 1):
            assert f"{source}::{rule.id}::example-{n}" in ids
    assert len(ids) == len(request.session.items), "an item was collected twice"


def test_fresh_repository_with_plain_pip_install(project, tmp_path_factory):
    """`pip install` of cleaner (a wheel, not editable) into a new venv; plain `pytest` works there."""
    work = tmp_path_factory.mktemp("install")
    pip = [sys.executable, "-m", "pip"]
    build = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(work), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    [wheel] = work.glob("scrape_cleaner-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    # Its dependencies (pytest, ftfy, regex, ...) are borrowed from this environment by a .pth
    # line; a path added that way does not run this environment's editable-install hook.
    site = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    Path(site.decode().strip(), "zz_borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")

    result = project.run(python, "-c", "import cleaner; print(cleaner.__file__)")
    assert result.outlines[0].startswith(site.decode().strip())  # the installed copy, not the checkout
    result = project.run(python, "-m", "pytest", *QUIET, "-v", timeout=300)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    for nodeid in EXPECTED_IDS:
        result.stdout.fnmatch_lines([f"{nodeid} PASSED*"])
    result.stdout.fnmatch_lines(["*4 passed*"])
