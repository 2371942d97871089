"""_ext/parallel_execution.py and _ext/eval_role.py: notebooks run concurrently, myst-nb then
only reads its cache, and the ``{eval}`` roles show what the page's kernel computed.

A three-page book in a temporary directory, built with the same jupyter-book and the same
extensions, checks what the extensions promise: every notebook is executed once (by the
extension, never again by myst-nb), a notebook that fails is left to myst-nb, which reports it
as usual (so ``-W`` still fails the build), a rebuild executes nothing; an ``{eval}`` role shows
its expression's value where it stands, an expression that fails or means two numbers on one
page fails the build, and new prose with a new expression (same code) runs the page again.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, jupyter_book, toc_files

pytestmark = pytest.mark.book

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _page(title: str, code: str) -> str:
    return f"{HEADER}\n# {title}\n\n```{{code-cell}} ipython3\n{code}\n```\n"


def _mini_book(root: Path, failing: bool, b_page: str | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(textwrap.dedent(f"""\
        title: mini
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
        sphinx:
          local_extensions:
            offline_book: {ROOT / "_ext"}
            eval_role: {ROOT / "_ext"}
            parallel_execution: {ROOT / "_ext"}
          config:
            parallel_execution_workers: 2
        """))
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: a\n- file: b\n")
    (root / "intro.md").write_text("# Intro\n\nNo code on this page.\n")
    (root / "a.md").write_text(_page("A", "print(sum(range(10)))"))
    code = "raise RuntimeError('deliberate failure')" if failing else "print(6 * 7)"
    (root / "b.md").write_text(b_page or _page("B", code))


def _build(root: Path) -> str:
    proc = subprocess.run(jupyter_book() + ["build", str(root), "-n", "-W", "--keep-going"],
                          cwd=root, capture_output=True, text=True, timeout=600)
    return f"rc={proc.returncode}\n" + proc.stdout + proc.stderr


def test_notebooks_are_executed_once_in_parallel_and_read_from_the_cache(tmp_path):
    book = tmp_path / "ok"
    _mini_book(book, failing=False)
    log = _build(book)
    assert log.startswith("rc=0"), log[-3000:]
    assert "[parallel_execution] executing 2 notebooks with 2 kernels" in log
    assert re.search(r"\[parallel_execution\] a\.md: [\d.]+ s", log)
    assert re.search(r"\[parallel_execution\] b\.md: [\d.]+ s", log)
    assert log.count("Using cached notebook") == 2
    assert "Executed notebook" not in log  # myst-nb never executed anything itself
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)  # Sphinx colours its progress lines
    reading = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\w+)", plain)
    assert reading == ["intro", "a", "b"] or reading == ["intro", "b", "a"], reading
    html = (book / "_build" / "html" / "b.html").read_text()
    assert "42" in html  # the output computed by the extension reached the page

    again = _build(book)  # nothing changed: nothing is executed, by anyone
    assert again.startswith("rc=0"), again[-3000:]
    assert "[parallel_execution]" not in again
    assert "Executed notebook" not in again


def test_a_failing_notebook_is_left_to_myst_nb_which_reports_it(tmp_path):
    book = tmp_path / "failing"
    _mini_book(book, failing=True)
    log = _build(book)
    assert log.startswith("rc=1"), log[-3000:]  # -W: the failure is a warning, so a failed build
    assert "[parallel_execution] b.md failed; myst-nb will re-run it" in log
    assert "Executing notebook failed: CellExecutionError" in log
    report = book / "_build" / "html" / "reports" / "b.err.log"
    assert "deliberate failure" in report.read_text()
    assert log.count("Using cached notebook") == 1  # a.md


def test_the_book_build_executes_each_notebook_page_once(built_book):
    notebooks = [f for f in toc_files()
                 if "kernelspec:" in (ROOT / f"{f}.md").read_text(encoding="utf-8")[:600]]
    assert len(notebooks) == 8
    assert f"[parallel_execution] executing {len(notebooks)} notebooks" in built_book.output
    assert built_book.output.count("Using cached notebook") == len(notebooks)
    assert "Executed notebook" not in built_book.output


def _extension():
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))  # as jupyter-book's local_extensions does

    spec = importlib.util.spec_from_file_location("parallel_execution",
                                                  ROOT / "_ext" / "parallel_execution.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_worker_count_from_config_and_environment(monkeypatch):
    workers = _extension()._workers
    monkeypatch.delenv("BOOK_EXECUTION_WORKERS", raising=False)
    assert workers(3) == 3
    assert workers(0) == (os.cpu_count() or 1)
    monkeypatch.setenv("BOOK_EXECUTION_WORKERS", "1")
    assert workers(3) == 1
    monkeypatch.setenv("BOOK_EXECUTION_WORKERS", "two")
    with pytest.raises(ValueError, match="^BOOK_EXECUTION_WORKERS: expected an integer"):
        workers(0)
    monkeypatch.setenv("BOOK_EXECUTION_WORKERS", "-1")
    with pytest.raises(ValueError, match="^parallel_execution_workers: must be >= 0"):
        workers(0)


def test_one_worker_executes_serially_through_the_extension(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_EXECUTION_WORKERS", "1")
    book = tmp_path / "serial"
    _mini_book(book, failing=False)
    log = _build(book)
    assert log.startswith("rc=0"), log[-3000:]
    assert "[parallel_execution] executing 2 notebooks with 1 kernels" in log
    assert "Executed notebook" not in log


# -- {eval} roles ---------------------------------------------------------------------------------

EVAL_PAGE = HEADER + """
# B

```{code-cell} ipython3
opt = 0.6000000001
name = "silent"
```

The optimum is {eval}`f"{opt:.1f}"` (unrounded {eval}`opt`), the equilibrium is {eval}`name`.

```{code-cell} ipython3
opt = 2.5
```

%s
"""


def _spans(html: str) -> list[str]:
    return re.findall(r'<span class="output text_plain">([^<]*)</span>', html)


def test_eval_roles_show_the_values_where_they_stand(tmp_path):
    book = tmp_path / "eval"
    _mini_book(book, failing=False, b_page=EVAL_PAGE % "Now {eval}`opt * 2`.")
    log = _build(book)
    assert log.startswith("rc=0"), log[-3000:]
    html = (book / "_build" / "html" / "b.html").read_text()
    # opt * 2 is evaluated after the second cell (5.0), the others after the first
    assert _spans(html) == ["0.6", "0.6000000001", "silent", "5.0"]
    notebook = nbformat.read(book / "_build" / "html" / "_sources" / "b.ipynb", as_version=4)
    prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "The optimum is 0.6 (unrounded 0.6000000001), the equilibrium is silent." in prose
    assert "Now 5.0." in prose and "{eval}" not in prose

    # new prose with a new expression, same code: the page runs again
    (book / "b.md").write_text(EVAL_PAGE % "Now {eval}`opt * 4`.")
    again = _build(book)
    assert again.startswith("rc=0"), again[-3000:]
    assert "[parallel_execution] executing 1 notebooks with 1 kernels" in again
    assert _spans((book / "_build" / "html" / "b.html").read_text())[-1] == "10.0"
    # new prose with known expressions only: read from the cache
    (book / "b.md").write_text(EVAL_PAGE % "Still {eval}`opt * 4`, once more.")
    third = _build(book)
    assert third.startswith("rc=0") and "[parallel_execution]" not in third, third[-3000:]


@pytest.mark.parametrize("prose, messages", [
    # one expression, two numbers on one page: the role could not say which
    ("Now {eval}`opt`.", ["{eval}`opt` is 0.6000000001 at one place of the page and 2.5 at another"]),
    # an expression that raises in the kernel
    ("Now {eval}`missing + 1`.", ["{eval}`missing + 1`: NameError: name 'missing' is not defined",
                                  "{eval}`missing + 1` has no value"]),
], ids=["ambiguous", "nameerror"])
def test_a_bad_expression_fails_the_build(tmp_path, prose, messages):
    book = tmp_path / "bad"
    _mini_book(book, failing=False, b_page=EVAL_PAGE % prose)
    log = _build(book)
    assert log.startswith("rc=1"), log[-3000:]
    for message in messages:
        assert message in log
