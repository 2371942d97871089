"""The widgets run on the oldest matplotlib that ``requirements.txt`` admits.

The pinned environment (``constraints.txt``) has a newer matplotlib than the floor, so the floor
is otherwise never exercised. This test installs exactly the floor into a throwaway virtual
environment that sees the rest of the pinned environment (``--system-site-packages``) and runs
the widget tests and the widget modules' doctests there. It needs pip to reach the package index,
as the README's install command does; it is slow, so it carries the ``book`` marker and leaves the
fast run (``-m "not book"``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.book


def _declared_floor(package: str) -> str:
    text = (ROOT / "requirements.txt").read_text()
    match = re.search(rf"^{package}>=([0-9.]+)", text, re.M)
    assert match, f"requirements.txt declares no floor for {package}"
    return match.group(1)


def test_floor_is_declared_in_requirements_and_packaging():
    floor = _declared_floor("matplotlib")
    extras = (ROOT / "pyproject.toml").read_text()
    assert f'"matplotlib>={floor}"' in extras, "pyproject's interactive extra must declare the same floor"


def test_widgets_run_on_the_declared_matplotlib_floor(tmp_path):
    floor = _declared_floor("matplotlib")
    venv = tmp_path / "floor"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"matplotlib=={floor}"],
        capture_output=True, text=True,
    )
    if install.returncode != 0 and "No matching distribution" not in install.stderr:
        pytest.skip(f"pip could not reach the package index: {install.stderr.strip()[-300:]}")
    assert install.returncode == 0, install.stderr
    version = subprocess.run([str(python), "-c", "import matplotlib; print(matplotlib.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert tuple(int(p) for p in version.split('.')[:3]) == tuple(int(p) for p in (floor + '.0.0').split('.')[:3])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    tests = sorted(str(p) for p in (ROOT / "tests").glob("test_interactive*.py"))
    run = subprocess.run(
        [str(python), "-m", "pytest", *tests, str(ROOT / "gamelib" / "interactive"), "--doctest-modules",
         "--no-cov", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout)
