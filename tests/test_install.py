"""A user's install: the distribution name is ours, `make run` installs only what running needs,
and a plain `pip install .` into a fresh venv gives a working `cleaner` command without the Makefile."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_distribution_name_is_not_the_taken_one_and_keeps_the_command():
    project = _project()
    assert project["name"] != "cleaner"  # "cleaner" on PyPI is another project
    assert project["scripts"]["cleaner"] == "cleaner.cli:main"
    assert {"parquet", "ray", "docs", "test"} <= set(project["optional-dependencies"])


def test_install_hints_name_the_distribution():
    """Every `pip install` hint the user sees installs this project, not the other `cleaner`."""
    name = _project()["name"]
    sources = [*ROOT.joinpath("cleaner").rglob("*.py"), ROOT / "README.md", *ROOT.joinpath("docs").rglob("*.md")]
    targets = [
        (path.name, target.strip("'\"`"))
        for path in sources
        for target in re.findall(r"pip install ((?:-\S+ )*\S+)", path.read_text(encoding="utf-8"))
    ]
    ours = [(where, t) for where, t in targets if "cleaner" in t]
    assert ours
    for where, target in ours:
        assert target.split()[-1].strip("'\"`").startswith(name), (where, target)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_no_extras(tmp_path):
    """On a fresh clone `make run` installs the package alone: no Ray, no pytest (`make test` adds them)."""
    plan = subprocess.run(
        ["make", "-n", "run", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs, plan
    for line in installs:
        what = line.split("pip install", 1)[1]
        assert "[" not in what and "ray" not in what and "pytest" not in what, line
    test_plan = subprocess.run(
        ["make", "-n", "test", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert any("test" in line and "ray" in line for line in test_plan.splitlines() if "pip install" in line)


@pytest.mark.slow
def test_fresh_pip_install_runs_the_seeds(tmp_path):
    """`pip install .` into an empty venv (building a wheel, so the default rules must ship inside it),
    then `cleaner run seeds -o out` from another folder: the Makefile plays no part."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "--quiet", str(ROOT)], check=True, timeout=900)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "seeds", work / "seeds")
    done = subprocess.run(
        [env_dir / "bin" / "cleaner", "run", "seeds", "-o", "out"], cwd=work, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    outputs = sorted(p.name for p in (work / "out").iterdir())
    assert outputs == sorted(p.name for p in (ROOT / "seeds").iterdir())
    for name in outputs:
        expected = ROOT / "tests" / "golden" / "seeds" / name
        if expected.exists():
            assert (work / "out" / name).read_bytes() == expected.read_bytes(), name
    # Running needs neither Ray nor pytest.
    probe = subprocess.run([py, "-c", "import ray"], capture_output=True)
    assert probe.returncode != 0
