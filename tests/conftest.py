"""Shared fixtures: one executed build of the whole book per test session.

The build goes to ``_build/test`` (cleaned first), so a developer's own ``_build/html``
is left alone; ``tests/test_browser.py`` serves the same HTML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")  # doctests and tests never need a display

ROOT = Path(__file__).resolve().parent.parent
TEST_BUILD = ROOT / "_build" / "test"
ARTIFACTS = ROOT / "tests" / "artifacts"

#: Lines that a build may print although they are not Sphinx warnings: ipykernel >= 7
#: logs this at every kernel start (it concerns transport encryption on localhost).
ALLOWED_LINES = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption",)


def jupyter_book() -> list[str]:
    exe = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which(
        "jupyter-book")
    return [exe] if exe else [sys.executable, "-m", "jupyter_book.cli.main"]


def toc_files() -> list[str]:
    """Every file of ``_toc.yml`` (root first), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(s["file"] for s in chapter.get("sections", []) if "file" in s)
    return [f.removesuffix(".md").removesuffix(".ipynb") for f in files]


#: A kernel that is told to shut down may log this from its own stderr (which the build
#: inherits) when its I/O thread has already closed: ipykernel's control handler flushes
#: stderr onto a closed ZMQ socket.  It happens after the notebook has executed, is
#: intermittent, and changes nothing in the book; it is only allowed with exactly this trace.
KERNEL_SHUTDOWN_RACE = (
    "ERROR:tornado.general:Uncaught exception in ZMQStream callback",
    ("process_control", "zmq.error.ZMQError: Socket operation on non-socket"),
)


def problem_lines(output: str) -> list[str]:
    """Lines of build output that mention a warning or an error (tested in test_build_log.py)."""
    bad = []
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if not ("WARNING" in line or "ERROR" in line) or line.strip().startswith(ALLOWED_LINES):
            continue
        if line.strip() == KERNEL_SHUTDOWN_RACE[0]:
            trace = "\n".join(lines[i + 1 : i + 40])
            if all(marker in trace for marker in KERNEL_SHUTDOWN_RACE[1]):
                continue
        bad.append(line)
    return bad


@dataclass
class Build:
    returncode: int
    output: str
    seconds: float
    html: Path
    cache: Path


@pytest.fixture(scope="session")
def built_book() -> Build:
    """Build the whole book once, executing every notebook, with ``-n -W --keep-going``."""
    shutil.rmtree(TEST_BUILD, ignore_errors=True)
    TEST_BUILD.mkdir(parents=True)
    cmd = jupyter_book() + ["build", str(ROOT), "-n", "-W", "--keep-going",
                            "--path-output", str(TEST_BUILD)]
    env = dict(os.environ, MPLBACKEND="Agg", PYDEVD_DISABLE_FILE_VALIDATION="1")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=1500)
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    (TEST_BUILD / "build.log").write_text(output)
    return Build(proc.returncode, output, seconds, TEST_BUILD / "_build" / "html",
                 TEST_BUILD / "_build" / ".jupyter_cache")
