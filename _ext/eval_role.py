"""The ``{eval}`` role: numbers in the text computed by the page's own code, in HTML and in JupyterLab.

A chapter writes a number into its prose as ``{eval}`f"{opt:.1f}"```: a Python expression,
evaluated in the chapter's kernel where the Markdown cell stands (after the code cells above it).
It is jupyterlab-myst's inline-expression syntax, so the same source shows its numbers in
JupyterLab after *Run All*; this extension gives the HTML build the same numbers.

myst-nb evaluates ``{eval}`` only with ``execute_notebooks: inline``, which runs every notebook
serially and again on every edit. This book keeps myst-nb's cached, parallel execution
(``_ext/parallel_execution.py``), so the expressions are evaluated there instead:

* :class:`EvalClient` is nbclient's notebook client which, on reaching a Markdown cell, sends its
  expressions to the kernel as the ``user_expressions`` of an empty execute request (Jupyter's
  messaging protocol; what jupyterlab-myst sends) and records the replies in the notebook's
  metadata (``eval_results``: expression, number of code cells above it, and the reply).
  jupyter-cache stores that metadata with the executed notebook, so a page read from the cache
  keeps its values; a page whose expressions are not all in its cached notebook (new prose, same
  code) is executed again.
* :func:`load_values`, at ``source-read`` (after the notebook is cached), reads the values of the
  page into ``env.eval_values[docname]`` (``{expression: text}``), and warns (``-W``: fails) when
  an expression errs or takes different values at different places of one page: the role looks a
  value up by its expression, so one expression must mean one number per page.
* :class:`EvalRole` replaces myst-nb's role of the same name and renders the value as myst-nb
  renders a ``text/plain`` output inline (quotes of a string stripped, as jupyterlab-myst does).

``_ext/offline_book.py`` pastes the same values into the executed ``.ipynb`` download.
"""

from __future__ import annotations

import re

from docutils import nodes
from nbclient import NotebookClient
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)

#: ``{eval}`expression``` as MyST writes it (single backticks; the expression has none).
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
_QUOTED = re.compile(r"^(['\"]).*\1$", re.S)


def eval_expressions(notebook) -> list[tuple[str, int]]:
    """``(expression, code cells above it)`` of every ``{eval}`` role of the Markdown cells."""
    found, code_cells = [], 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            code_cells += 1
        elif cell.cell_type == "markdown":
            found += [(expression, code_cells) for expression in EVAL_ROLE.findall(cell.source)]
    return found


def plain_text(result: dict) -> str:
    """The text a reply to one user expression shows inline, or ValueError saying why not."""
    if result.get("status") != "ok":
        raise ValueError(f"{result.get('ename', 'error')}: {result.get('evalue', '')}")
    text = result.get("data", {}).get("text/plain")
    if text is None:
        raise ValueError(f"no text/plain representation (only {sorted(result.get('data', {}))})")
    return text[1:-1] if _QUOTED.match(text) else text


class EvalClient(NotebookClient):
    """Executes a notebook and evaluates its ``{eval}`` expressions where they stand."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type == "markdown" and (expressions := EVAL_ROLE.findall(cell.source)):
            code_cells = sum(c.cell_type == "code" for c in self.nb.cells[:cell_index])
            msg_id = self.kc.execute("", silent=True, store_history=False,
                                     user_expressions={str(i): e for i, e in enumerate(expressions)})
            reply = await self.async_wait_for_reply(msg_id, cell)
            replies = reply["content"].get("user_expressions", {}) if reply else {}
            self.nb.metadata.setdefault("eval_results", []).extend(
                {"expression": e, "code_cells": code_cells, "result": replies.get(str(i), {})}
                for i, e in enumerate(expressions))
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)


def has_values_for(cached, notebook) -> bool:
    """Whether the executed ``cached`` notebook evaluated every expression of ``notebook``."""
    done = {(r["expression"], r["code_cells"]) for r in cached.metadata.get("eval_results", [])}
    return set(eval_expressions(notebook)) <= done


def load_values(app, docname: str, notebook, cached) -> None:
    """Store ``{expression: text}`` of page ``docname`` in ``env.eval_values``; warn on conflicts."""
    values: dict[str, str] = {}
    wanted = {expression for expression, _ in eval_expressions(notebook)}
    for record in (cached.metadata.get("eval_results", []) if cached is not None else []):
        expression = record["expression"]
        if expression not in wanted:
            continue
        try:
            text = plain_text(record["result"])
        except ValueError as error:
            logger.warning(f"{{eval}}`{expression}`: {error}", location=docname)
            continue
        if values.setdefault(expression, text) != text:
            logger.warning(f"{{eval}}`{expression}` is {values[expression]} at one place of the page and "
                           f"{text} at another: give the two numbers different names", location=docname)
    app.env.eval_values[docname] = values


class EvalRole(SphinxRole):
    """``{eval}`expression```: the value the page's execution gave the expression, as plain text."""

    def run(self):
        values = getattr(self.env, "eval_values", {}).get(self.env.docname, {})
        if self.text not in values:
            message = self.inliner.reporter.warning(
                f"{{eval}}`{self.text}` has no value: the page was not executed by "
                "_ext/parallel_execution.py (execute_notebooks must be 'cache'), or the expression failed",
                line=self.lineno)
            return [], [message]
        text = values[self.text]
        return [nodes.inline(text, text, classes=["output", "text_plain"])], []


def _init(app):
    if not hasattr(app.env, "eval_values"):
        app.env.eval_values = {}


def _purge(app, env, docname):
    getattr(env, "eval_values", {}).pop(docname, None)


def setup(app):
    app.setup_extension("myst_nb")  # registers its own {eval} first, which this one overrides
    app.add_role("eval", EvalRole(), override=True)
    app.connect("builder-inited", _init)
    app.connect("env-purge-doc", _purge)
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": False, "parallel_write_safe": True}
