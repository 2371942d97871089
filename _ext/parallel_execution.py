"""Execute the book's notebooks in parallel, while Sphinx reads the other pages.

myst-nb executes notebooks one at a time, as Sphinx reads each page; on a 2-core machine
one core then sits idle for the whole execution phase (about two thirds of a clean build).
This extension fills myst-nb's own execution cache first: at ``env-before-read-docs`` it
starts every notebook that is not cached yet on a pool of kernels and moves those pages to
the end of the reading order, so Sphinx reads the pages without code (the API reference,
glossary, ...) meanwhile; at ``source-read`` of a notebook page it waits for that notebook
and stores it in the cache, so that myst-nb's parse, which follows, finds it cached.

How it stays faithful to myst-nb:

* It runs at ``env-before-read-docs``, on exactly the documents Sphinx is about to read,
  and only when ``execute_notebooks: cache`` (myst-nb's ``nb_execution_mode = "cache"``).
* Each page is read with myst-nb's own reader (``create_nb_reader``), the same kernel
  aliases and per-notebook overrides are applied, and the cache is asked with myst-nb's
  own call (``match_cache_notebook``), so a page counts as cached here exactly when
  myst-nb would count it as cached.
* Each notebook is executed as ``jupyter_cache``'s ``single_nb_execution`` (what myst-nb
  calls) executes it -- nbclient, in the page's directory, with the configured timeout and
  ``allow_errors`` (overridable in the notebook's ``execution`` metadata) -- except that the
  client is ``eval_role.EvalClient``, which also evaluates the page's ``{eval}`` roles where
  they stand; the notebook is stored with the same ``add_nb_to_project`` /
  ``cache_notebook_bundle`` calls. Kernels are separate processes, so threads suffice.
* A page counts as cached when myst-nb would find it cached *and* its cached execution has a
  value for every ``{eval}`` role of the page (new prose with a new expression runs it again).
  At ``source-read`` the page's values go to ``eval_role.load_values``.
* A notebook whose execution fails is *not* cached: myst-nb then executes it again in its
  own pass and reports the failure exactly as it always does (with ``-W`` the build fails).

``parallel_execution_workers`` (``sphinx.config`` in ``_config.yml``) sets the number of
concurrent kernels: ``0`` (default) means one per CPU, ``1`` executes the notebooks one after
the other (still here, since myst-nb cannot evaluate ``{eval}`` in cache mode). The environment
variable ``BOOK_EXECUTION_WORKERS`` overrides it for one build (``BOOK_EXECUTION_WORKERS=1`` is
the serial peer that ``scripts/time_build.py`` times side by side).
"""

from __future__ import annotations

import os
import re
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path, PurePosixPath

from eval_role import EvalClient, has_values_for, load_values
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _notebook_for(env, docname):
    """The notebook myst-nb would build from ``docname`` and its effective config, or None."""
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    path = Path(env.doc2path(docname))
    if not path.is_file():
        return None
    text = path.read_text(encoding=env.config.source_encoding)
    nb_config = env.mystnb_config
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None and nb_config.kernel_rgx_aliases:
        for rgx, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(rgx, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        with suppress(Exception):
            nb_config = nb_config.copy(**overrides)
    if nb_config.execution_mode != "cache":
        return None
    posix = PurePosixPath(path.as_posix())
    if any(posix.match(p) for p in nb_config.execution_excludepatterns):
        return None
    return path, notebook, nb_config, reader.read_fmt


def _execute(job):
    """Execute a notebook as jupyter-cache's ``single_nb_execution`` does, evaluating its ``{eval}`` roles."""
    from jupyter_cache.executors.utils import ExecutionResult
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path, notebook, nb_config, _ = job
    settings = {"timeout": nb_config.execution_timeout, "allow_errors": nb_config.execution_allow_errors}
    settings.update({k: v for k, v in notebook.metadata.get("execution", {}).items() if k in settings})
    cwd = str(path.parent.resolve())
    start, error, trace = time.perf_counter(), None, None
    try:
        EvalClient(notebook, resources={"metadata": {"path": cwd}}, record_timing=False, **settings).execute()
    except (CellExecutionError, CellTimeoutError) as err:
        error, trace = err, traceback.format_exc()
    return ExecutionResult(notebook, cwd, time.perf_counter() - start, error, trace)


def _store(cache, job, result):
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    path, notebook, _, read_fmt = job
    if result.err is not None:
        logger.info(f"[parallel_execution] {path.name} failed; myst-nb will re-run it")
        return
    if read_fmt is not None:
        record = cache.add_nb_to_project(str(path), read_data=read_fmt)
    else:
        record = cache.add_nb_to_project(str(path))
    NbProjectRecord.remove_tracebacks([record.pk], cache.db)
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, record.uri, data={"execution_seconds": result.time}),
        check_validity=False,
        overwrite=True,
    )
    logger.info(f"[parallel_execution] {path.name}: {result.time:.2f} s")


def _workers(configured: int) -> int:
    override = os.environ.get("BOOK_EXECUTION_WORKERS", "").strip()
    if override:
        try:
            configured = int(override)
        except ValueError:
            raise ValueError(f"BOOK_EXECUTION_WORKERS: expected an integer, got {override!r}") from None
    if configured < 0:
        raise ValueError(f"parallel_execution_workers: must be >= 0, got {configured}")
    return configured or os.cpu_count() or 1


def _start(app, env, docnames):
    """Start executing every uncached notebook; read the pages without code meanwhile."""
    app._parallel_execution = {}
    workers = _workers(app.config.parallel_execution_workers)
    if getattr(env, "mystnb_config", None) is None:
        return
    if env.mystnb_config.execution_mode != "cache" or env.mystnb_config.execution_in_temp:
        return
    from jupyter_cache import get_cache

    cache = get_cache(env.mystnb_config.execution_cache_path or ".jupyter_cache")
    jobs = {}
    for docname in docnames:
        job = _notebook_for(env, docname)
        if job is None:
            continue
        if _cached(cache, job[1]) is not None:
            continue
        jobs[docname] = job
    if not jobs:
        return
    # Longest first keeps every kernel busy to the end; the size of the code is a fair proxy.
    order = sorted(jobs, key=lambda d: -sum(len(c.source) for c in jobs[d][1].cells
                                            if c.cell_type == "code"))
    logger.info(f"[parallel_execution] executing {len(jobs)} notebooks with "
                f"{min(workers, len(jobs))} kernels")
    pool = ThreadPoolExecutor(max_workers=min(workers, len(jobs)))
    app._parallel_execution = {
        "cache": cache, "pool": pool, "start": time.perf_counter(), "left": len(jobs),
        "jobs": {d: (jobs[d], pool.submit(_execute, jobs[d])) for d in order},
    }
    # Sphinx lets this event reorder the docnames in place: pages that need no kernel are
    # read while the kernels run, then the notebooks in the order they were started.
    rest = [d for d in docnames if d not in jobs]
    docnames[:] = rest + order


def _cached(cache, notebook):
    """The cached execution of ``notebook`` if it has every ``{eval}`` value the page needs, else None."""
    with suppress(KeyError):
        record = cache.match_cache_notebook(notebook)
        if record is not None:
            executed = cache.get_cache_bundle(record.pk).nb
            if has_values_for(executed, notebook):
                return executed
    return None


def _collect(app, docname, source):
    """Before myst-nb parses a notebook page, wait for its execution, cache it, load its values."""
    state = getattr(app, "_parallel_execution", None)
    if state and docname in state["jobs"]:
        _wait(state, docname)
    if "{eval}" in source[0] and (job := _notebook_for(app.env, docname)) is not None:
        from jupyter_cache import get_cache

        cache = get_cache(app.env.mystnb_config.execution_cache_path or ".jupyter_cache")
        load_values(app, docname, job[1], _cached(cache, job[1]))


def _wait(state, docname):
    job, future = state["jobs"].pop(docname)
    _store(state["cache"], job, future.result())
    state["left"] -= 1
    if state["left"] == 0:
        state["pool"].shutdown()
        elapsed = time.perf_counter() - state["start"]
        logger.info(f"[parallel_execution] all notebooks done after {elapsed:.2f} s")


def _shutdown(app, exception):
    state = getattr(app, "_parallel_execution", None)
    if state and "pool" in state:
        state["pool"].shutdown(cancel_futures=True)


def setup(app):
    app.setup_extension("eval_role")
    app.add_config_value("parallel_execution_workers", 0, "env", [int])
    app.connect("env-before-read-docs", _start)
    app.connect("source-read", _collect)
    app.connect("build-finished", _shutdown)
    # source-read must run in the process that owns the kernels: no parallel reading.
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
