from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from cleaner import load_rules

pytest_plugins = ["pytester"]

settings.register_profile("default", max_examples=150)
settings.register_profile("thorough", max_examples=600)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pipeline():
    return load_rules()


def run_cli(
    *args: str,
    cwd: Path | None = None,
    input: bytes | None = None,
    env: dict | None = None,
    module: str = "cleaner",
    timeout: float = 120,
    **popen: object,
):
    """Run the real command line in a subprocess, as a user would.

    `module` runs another entry point (tests/faulty.py: the CLI with faults injected);
    `popen` passes on to subprocess.run (preexec_fn for resource limits or another user).
    """
    full_env = {k: v for k, v in os.environ.items() if k != "CI"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd or ROOT,
        input=input,
        capture_output=True,
        env=full_env,
        timeout=timeout,
        **popen,
    )


@pytest.fixture(scope="session")
def ray_address():
    """One local 2-CPU Ray cluster for the whole session (tests/test_ray.py, tests/test_watchdog.py)."""
    ray = pytest.importorskip("ray")
    context = ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    yield context.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture
def cli():
    return run_cli
