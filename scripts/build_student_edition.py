"""Build the student edition: the whole book with every exercise solution removed.

It is the edition handed to students (online or printed) when the book's exercises are set
as homework; the main book, with its gated worked solutions, stays the instructor's copy::

    python scripts/build_student_edition.py             # -> _build/student/_build/html

The chapters keep their exercises; every solution block (``{solution-start}`` …
``{solution-end}``, including the code cells inside it, and any plain ``{solution}``
directive) is cut from a copy of the sources in ``_build/student/src``, which is then
built with ``-n -W --keep-going`` like the main book.  (sphinx-exercise's own
``hide_solutions`` option cannot be used: it leaves the code cells of gated solutions in
the page and fails on the ``{solution-end}`` node.)
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What the book needs to build, copied into the student edition's source tree.
SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book", "_static", "_ext")

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution(?:-start|-end)?)\}")


def strip_solutions(text: str) -> str:
    """Remove every solution from a MyST Markdown chapter.

    >>> src = '''Intro
    ... ```{exercise}
    ... :label: ex
    ... Prove it.
    ... ```
    ... ```{solution-start} ex
    ... :class: dropdown
    ... ```
    ... It holds.
    ... ```{code-cell} ipython3
    ... print(1)
    ... ```
    ... ```{solution-end}
    ... ```
    ... ```{solution} ex
    ... Short.
    ... ```
    ... After'''
    >>> print(strip_solutions(src))
    Intro
    ```{exercise}
    :label: ex
    Prove it.
    ```
    After
    """
    out: list[str] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if match and match["name"] in ("solution", "solution-start"):
            if match["name"] == "solution":  # skip to this directive's closing fence
                i = _skip_to_fence(lines, i + 1, match["fence"])
                continue
            while i < len(lines):  # gated: skip to the end of the {solution-end} directive
                end = _OPEN.match(lines[i])
                if end and end["name"] == "solution-end":
                    i = _skip_to_fence(lines, i + 1, end["fence"])
                    break
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def _skip_to_fence(lines: list[str], start: int, fence: str) -> int:
    """Index just after the line that closes a directive opened with ``fence``."""
    for j in range(start, len(lines)):
        if lines[j].rstrip() == fence:
            return j + 1
    raise ValueError(f"lines: a directive opened with {fence!r} is never closed")


def write_sources(dest: Path) -> Path:
    """Copy the book's sources to ``dest`` with solutions removed; return ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    config = dest / "_config.yml"
    text = config.read_text()
    config.write_text(re.sub(r'^title: *"?([^"\n]*)"?', r'title: "\1 (student edition: exercises without solutions)"',
                             text, count=1, flags=re.M))
    for chapter in (dest / "book").glob("*.md"):
        chapter.write_text(strip_solutions(chapter.read_text()))
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=ROOT / "_build" / "student",
                        help="folder that receives src/ and _build/html (default: _build/student)")
    args = parser.parse_args(argv)
    out = args.path_output.resolve()
    src = write_sources(out / "src")
    exe = shutil.which("jupyter-book") or "jupyter-book"
    cmd = [exe, "build", str(src), "-n", "-W", "--keep-going", "--path-output", str(out)]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=src)


if __name__ == "__main__":
    sys.exit(main())
