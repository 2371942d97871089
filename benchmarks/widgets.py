"""Widget benchmark: live callbacks and static frames of every widget of the book.

:data:`gamelib.interactive.WIDGETS` names the factory of every widget
(``"module:function"``; ``function()`` returns a :class:`gamelib.interactive.Widget`).
For each, this harness

* builds the widget and its live ipywidget once (``build_s``), then times ``n`` calls of
  ``update(**widget.sample(rng))`` with a seeded ``rng`` — exactly what a reader's
  control change runs in Jupyter: the chapter's ``refresh``, the blit and the PNG
  encoding — and reports the median, 95th percentile and maximum; widgets whose 95th
  percentile exceeds :data:`LIMIT_S` (50 ms) are flagged;
* renders its static frames into a fresh directory (``frames_s``, the build-time cost
  without the cache) and reports their number (``frames``: lattice positions;
  ``files``: distinct pictures) and bytes.

The time of one call is measured with :func:`time.perf_counter` around ``update`` (it
includes setting the controls' values). The sampler's own time is not counted.
"""

from __future__ import annotations

import importlib
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

#: p95 callback time above which a widget is flagged (seconds).
LIMIT_S = 0.050

__all__ = ["LIMIT_S", "factories", "benchmark_widget", "benchmark_widgets", "run", "table"]


def factories(registry=None):
    """The book's widget factories, ``{name: callable}`` (from ``gamelib.interactive.WIDGETS``)."""
    import matplotlib

    matplotlib.use("Agg")  # never need a display
    if registry is None:
        registry = importlib.import_module("gamelib.interactive").WIDGETS
    out = {}
    for name, spec in registry.items():
        module, function = spec.split(":")
        out[name] = getattr(importlib.import_module(f"gamelib.interactive.{module}"), function)
    return out


def benchmark_widget(factory, n=100, seed=0, frames=True):
    """Build one widget, time ``n`` random updates of its live widget, render its frames.

    Returns
    -------
    dict
        ``build_s``, ``p50_s``, ``p95_s``, ``max_s``, ``mean_s``, ``n`` and, with
        ``frames``, ``frames``, ``files``, ``bytes``, ``frames_s``.
    """
    start = time.perf_counter()
    widget = factory()
    _ = widget.live  # the ipywidget, its default picture drawn
    build = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    times = np.empty(n)
    for i in range(n):
        values = widget.sample(rng)
        start = time.perf_counter()
        widget.update(**values)
        times[i] = time.perf_counter() - start
    out = {
        "build_s": build,
        "n": n,
        "p50_s": float(np.percentile(times, 50)),
        "p95_s": float(np.percentile(times, 95)),
        "max_s": float(times.max()),
        "mean_s": float(times.mean()),
    }
    if frames:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            index = factory().write_frames(tmp)
            out["frames_s"] = time.perf_counter() - start
            files = {f for f, *_ in index["frames"].values()}
            out["frames"] = len(index["frames"])
            out["files"] = len(files)
            out["bytes"] = sum((Path(tmp) / widget.name / f).stat().st_size for f in files)
    return out


def benchmark_widgets(factories, n=100, seed=0, limit=LIMIT_S, frames=True):
    """Benchmark every widget of ``{name: factory}``.

    A widget whose factory or update raises is recorded with its ``error`` instead of
    timings (and flagged); the others still run.
    """
    records = []
    for name, factory in factories.items():
        rec = {"widget": name}
        try:
            rec.update(benchmark_widget(factory, n=n, seed=seed, frames=frames))
            rec["slow"] = rec["p95_s"] > limit
        except Exception as exc:
            rec["error"] = f"{type(exc).__name__}: {exc}"
            rec["traceback"] = traceback.format_exc(limit=3)
            rec["slow"] = True
        records.append(rec)
    return records


def run(n=100, seed=0, limit=LIMIT_S, frames=True):
    """Benchmark the book's widgets; returns ``{"widgets": [...], "limit_s": ...}``."""
    return {"widgets": benchmark_widgets(factories(), n=n, seed=seed, limit=limit, frames=frames),
            "limit_s": limit}


def table(result):
    """A plain-text table of :func:`run`'s result; ``SLOW`` marks p95 above the limit."""
    limit_ms = result.get("limit_s", LIMIT_S) * 1e3
    head = (f"{'widget':16s} {'build ms':>9s} {'p50 ms':>7s} {'p95 ms':>7s} {'max ms':>7s} "
            f"{'frames':>6s} {'files':>5s} {'MB':>6s} {'frames s':>8s}  flag")
    lines = [head, "-" * len(head)]
    for r in result["widgets"]:
        if "error" in r:
            lines.append(f"{r['widget']:16s} ERROR {r['error']}")
            continue
        flag = f"SLOW (p95 > {limit_ms:.0f} ms)" if r["slow"] else "ok"
        frames = (f"{r['frames']:6d} {r['files']:5d} {r['bytes'] / 1e6:6.2f} {r['frames_s']:8.1f}"
                  if "frames" in r else f"{'':6s} {'':5s} {'':6s} {'':8s}")
        lines.append(
            f"{r['widget']:16s} {r['build_s'] * 1e3:9.1f} {r['p50_s'] * 1e3:7.1f} "
            f"{r['p95_s'] * 1e3:7.1f} {r['max_s'] * 1e3:7.1f} {frames}  {flag}"
        )
    if not result["widgets"]:
        lines.append("(no widget)")
    return "\n".join(lines)


# --- the built site: sizes, first load, control change -> frame shown (headless Chromium) ----


def site_sizes(html_dir):
    """Bytes of the whole built site and of each widget's frames.

    Returns
    -------
    dict
        ``site_bytes``, ``files`` and ``frames``: ``{widget: {"files", "bytes"}}``.
    """
    html_dir = Path(html_dir)
    files = [p for p in html_dir.rglob("*") if p.is_file()]
    frames = {}
    for folder in sorted((html_dir / "_static" / "frames").glob("*")):
        pngs = list(folder.glob("*.png"))
        frames[folder.name] = {"files": len(pngs), "bytes": sum(p.stat().st_size for p in pngs)}
    return {"site_bytes": sum(p.stat().st_size for p in files), "files": len(files),
            "frames": frames}


_TIMING_JS = r"""
(() => {
  window.__latency = [];
  document.querySelectorAll('.gamelib-player [data-control]').forEach(c =>
    c.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true));
  document.querySelectorAll('.gamelib-player img.gamelib-frame').forEach(img =>
    img.addEventListener('load', () => {
      if (window.__t0) { window.__latency.push(performance.now() - window.__t0); window.__t0 = 0; }
    }));
  return document.querySelectorAll('.gamelib-player [data-control]').length;
})()
"""


def browser_timings(html_dir, pages, presses=4):
    """First-load bytes of each page and key press → new frame loaded, from a local server.

    Each page is opened in a fresh headless Chromium profile state (cache disabled); the
    bytes of every response received until 3 s after the ``load`` event are summed. Then
    every enabled control of every frame player is moved ``presses`` times with the
    arrow keys, and the time from the ``keydown`` to the new picture's ``load`` event is
    recorded (``performance.now()`` in the page).
    """
    import functools
    import sys
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    tests = Path(__file__).resolve().parent.parent / "tests"
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    from _cdp import Browser, find_chromium

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    browser = Browser(find_chromium())
    out = {"first_load_bytes": {}, "latency_ms": []}
    try:
        browser.call("Network.setCacheDisabled", cacheDisabled=True)
        browser.viewport(1280, 900)
        for page in pages:
            browser.open(f"{site}/{page}.html")
            browser.pump(3.0)
            out["first_load_bytes"][page] = browser.loaded_bytes()
            n = browser.evaluate(_TIMING_JS)
            for i in range(n):
                for k in range(presses):
                    state = browser.evaluate(
                        f"(() => {{ const c = document.querySelectorAll('.gamelib-player "
                        f"[data-control]')[{i}]; c.focus(); return [c.disabled, c.tagName, "
                        f"Number(c.value), c.tagName === 'SELECT' ? c.options.length - 1 : "
                        f"Number(c.max)]; }})()")
                    disabled, tag, value, last = state
                    if disabled:
                        break
                    forward = value < last if k % 2 == 0 or value == 0 else False
                    key = {("SELECT", True): "ArrowDown", ("SELECT", False): "ArrowUp",
                           ("INPUT", True): "ArrowRight", ("INPUT", False): "ArrowLeft"}
                    browser.press(key[(tag, forward)])
                    browser.wait_for("!window.__t0", 5)
                browser.evaluate("document.querySelectorAll('.gamelib-reset').forEach(b => b.click())")
                browser.pump(0.2)
            out["latency_ms"] += browser.evaluate("window.__latency")
    finally:
        browser.close()
        server.shutdown()
    lat = np.asarray(out["latency_ms"])
    if lat.size:
        out["latency_summary_ms"] = {"n": int(lat.size), "p50": float(np.percentile(lat, 50)),
                                     "p95": float(np.percentile(lat, 95)), "max": float(lat.max())}
    return out


def main(argv=None):
    """``python -m benchmarks.widgets --site _build/html``: the site budgets, as JSON."""
    import argparse
    import datetime
    import json
    import os

    p = argparse.ArgumentParser(prog="python -m benchmarks.widgets")
    p.add_argument("--site", default="_build/html", help="built HTML folder")
    p.add_argument("--out", default="benchmarks/results/widgets_site.json")
    p.add_argument("--presses", type=int, default=4)
    args = p.parse_args(argv)
    import yaml

    toc = yaml.safe_load(Path("_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    pages = [page.removesuffix(".md") for page in pages]
    result = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "load_average": os.getloadavg(), **site_sizes(args.site),
              **browser_timings(args.site, pages, args.presses)}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    mb = result["site_bytes"] / 1e6
    first = max(result["first_load_bytes"].values()) / 1e6
    print(f"site {mb:.1f} MB ({result['files']} files); largest first load {first:.2f} MB; "
          f"key -> frame {result.get('latency_summary_ms')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
