"""Static checks as tests, so `make test` enforces them: ruff (lint) and mypy (types).

Both tools are pinned in pyproject.toml's ``test`` extra and configured there
([tool.ruff], [tool.mypy]). They run from the repository root; mypy keeps its
incremental cache in ``.mypy_cache/`` there (git-ignored), so a warm run takes
a few seconds and a cold one some tens of seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def _report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"`{' '.join(proc.args[2:])}` exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"


def test_ruff() -> None:
    proc = _run("ruff", "check", "--no-cache", "geomap", "tests", "benchmarks", "gazetteer", "setup.py")
    assert proc.returncode == 0, _report(proc)


def test_mypy() -> None:
    proc = _run("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), "geomap")
    assert proc.returncode == 0, _report(proc)
