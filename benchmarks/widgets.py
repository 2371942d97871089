"""Widget callback benchmark.

Every module of :mod:`gamelib.interactive` may define a module-level dict
``WIDGETS = {"name": (builder, sampler)}``: ``builder()`` returns an
:class:`gamelib.interactive.InteractiveFigure` and ``sampler(rng)`` (``rng`` a
:class:`numpy.random.Generator`) returns a dict of random valid parameter values
for ``.update(**values)``.  This harness discovers those modules with
:mod:`pkgutil`, builds each widget once (timed), then times ``n`` calls of
``update(**sampler(rng))`` with a seeded ``rng`` — exactly what a reader's
control change runs: the chapter's ``draw`` plus the PNG rendering — and reports
the median, 95th percentile and maximum per widget.  Widgets whose 95th
percentile exceeds :data:`LIMIT_S` (50 ms) are flagged.

The time of one call is measured with :func:`time.perf_counter` around
``update`` (it includes setting the controls' values, which ``last_seconds``
does not).  The sampler's own time is not counted.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
import traceback

import numpy as np

#: p95 callback time above which a widget is flagged (seconds).
LIMIT_S = 0.050

__all__ = ["LIMIT_S", "discover", "benchmark_widget", "benchmark_modules", "run", "table"]


def discover(package="gamelib.interactive"):
    """Import every module of ``package`` and return those that define ``WIDGETS``.

    Returns
    -------
    modules : list of module
    errors : list of dict
        Modules that failed to import: ``{"module", "error"}``.
    """
    import matplotlib

    matplotlib.use("Agg")  # never need a display
    pkg = importlib.import_module(package)
    modules, errors = [], []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        name = f"{package}.{info.name}"
        try:
            mod = importlib.import_module(name)
        except Exception as exc:  # a chapter helper's module in progress: report, go on
            errors.append({"module": name, "error": f"{type(exc).__name__}: {exc}"})
            continue
        if isinstance(getattr(mod, "WIDGETS", None), dict):
            modules.append(mod)
    return modules, errors


def benchmark_widget(builder, sampler, n=100, seed=0):
    """Build one widget and time ``n`` random updates.

    Returns
    -------
    dict
        ``build_s``, ``p50_s``, ``p95_s``, ``max_s``, ``mean_s``, ``n``.
    """
    start = time.perf_counter()
    widget = builder()
    build = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    times = np.empty(n)
    for i in range(n):
        values = sampler(rng)
        start = time.perf_counter()
        widget.update(**values)
        times[i] = time.perf_counter() - start
    return {
        "build_s": build,
        "n": n,
        "p50_s": float(np.percentile(times, 50)),
        "p95_s": float(np.percentile(times, 95)),
        "max_s": float(times.max()),
        "mean_s": float(times.mean()),
    }


def benchmark_modules(modules, n=100, seed=0, limit=LIMIT_S):
    """Benchmark every widget of the given modules (objects with a ``WIDGETS`` dict).

    A widget whose builder, sampler or update raises is recorded with its
    ``error`` instead of timings (and flagged); the others still run.
    """
    records = []
    for mod in modules:
        for name, entry in sorted(mod.WIDGETS.items()):
            rec = {"module": mod.__name__, "widget": name}
            try:
                builder, sampler = entry
                rec.update(benchmark_widget(builder, sampler, n=n, seed=seed))
                rec["slow"] = rec["p95_s"] > limit
            except Exception as exc:
                rec["error"] = f"{type(exc).__name__}: {exc}"
                rec["traceback"] = traceback.format_exc(limit=3)
                rec["slow"] = True
            records.append(rec)
    return records


def run(n=100, seed=0, package="gamelib.interactive", limit=LIMIT_S):
    """Discover and benchmark; returns ``{"widgets": [...], "import_errors": [...]}``."""
    modules, errors = discover(package)
    return {"widgets": benchmark_modules(modules, n=n, seed=seed, limit=limit), "import_errors": errors,
            "limit_s": limit}


def table(result):
    """A plain-text table (ms) of :func:`run`'s result; ``SLOW`` marks p95 above the limit."""
    limit_ms = result.get("limit_s", LIMIT_S) * 1e3
    head = f"{'module':40s} {'widget':22s} {'build ms':>9s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}  flag"
    lines = [head, "-" * len(head)]
    for r in result["widgets"]:
        if "error" in r:
            lines.append(f"{r['module']:40s} {r['widget']:22s} ERROR {r['error']}")
            continue
        flag = f"SLOW (p95 > {limit_ms:.0f} ms)" if r["slow"] else "ok"
        lines.append(
            f"{r['module']:40s} {r['widget']:22s} {r['build_s'] * 1e3:9.1f} {r['p50_s'] * 1e3:8.1f} "
            f"{r['p95_s'] * 1e3:8.1f} {r['max_s'] * 1e3:8.1f}  {flag}"
        )
    if not result["widgets"]:
        lines.append("(no module of the package defines WIDGETS)")
    for e in result.get("import_errors", []):
        lines.append(f"import error: {e['module']}: {e['error']}")
    return "\n".join(lines)
