"""The library, the tests, the benchmarks and the build scripts pass the linter.

``ruff`` (pyflakes, pycodestyle, bugbear, import order, modern syntax; configured in
``pyproject.toml``) is installed by ``requirements.txt``. A lint error fails the suite, as in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["gamelib", "tests", "benchmarks", "scripts", "_ext"]


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    return [exe] if exe else [sys.executable, "-m", "ruff"]


def test_ruff_finds_nothing():
    proc = subprocess.run(_ruff() + ["check", "--no-cache", "--output-format", "concise", *PATHS],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
