"""Run every benchmark, print a table and write a JSON file.

Usage::

    python -m benchmarks                 # full run (several minutes)
    python -m benchmarks --quick         # a fast subset (about a minute)
    python benchmarks/run.py --out results.json --only enumeration

The JSON (default ``benchmarks/results/latest.json``) holds the machine, the
options, and every record of :mod:`benchmarks.enumeration`,
:mod:`benchmarks.widgets` and :mod:`benchmarks.deviations`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import deviations, enumeration, widgets  # noqa: E402

HERE = Path(__file__).resolve().parent


def machine():
    """What the numbers were measured on."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import numpy

    info["numpy"] = numpy.__version__
    info["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    try:
        import pygambit

        info["pygambit"] = pygambit.__version__
    except ImportError:
        info["pygambit"] = None
    return info


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="resolution 10 only, 20 widget updates, 10 s budget")
    p.add_argument("--out", default=str(HERE / "results" / "latest.json"), help="JSON output path")
    p.add_argument("--only", choices=("enumeration", "widgets", "deviations"), help="run one benchmark only")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds above which a reference method is extrapolated (default 60, quick 10)")
    p.add_argument("--updates", type=int, default=None, help="widget updates per widget (default 100, quick 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the widget samplers' rng")
    p.add_argument("--no-pygambit", action="store_true", help="skip pygambit even if installed")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    budget = args.budget if args.budget is not None else (10.0 if args.quick else enumeration.BUDGET)
    updates = args.updates if args.updates is not None else (20 if args.quick else 100)
    started = time.perf_counter()
    out = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {"quick": args.quick, "budget_s": budget, "widget_updates": updates, "seed": args.seed},
    }
    if args.only in (None, "enumeration"):
        print("Equilibrium enumeration (anonymous mode)")
        methods = ("loop",) if args.no_pygambit else ("loop", "pygambit")
        records = enumeration.run(quick=args.quick, budget=budget, methods=methods)
        out["enumeration"] = records
        out["targets"] = enumeration.targets(records)
        print(enumeration.table(records))
        print("\nTargets")
        for t in out["targets"]:
            mark = " (extrapolated)" if t["extrapolated"] else ""
            print(
                f"  {t['target']:30s} {t['setting']:30s} {t['value']:12.4g} ≥ {t['goal']:.4g}: "
                f"{'met' if t['met'] else 'MISSED'}{mark}"
            )
        if not enumeration.pygambit_available() and not args.no_pygambit:
            print("  pygambit not installed: pip install -r benchmarks/requirements.txt")
    if args.only in (None, "widgets"):
        print(f"\nWidget callbacks ({updates} random updates each)")
        res = widgets.run(n=updates, seed=args.seed)
        out["widgets"] = res
        print(widgets.table(res))
    if args.only in (None, "deviations"):
        print("\nExact best deviations against brute force over a grid")
        res = deviations.run(quick=args.quick)
        out["deviations"] = res
        out["deviation_targets"] = deviations.targets(res)
        print(deviations.table(res))
        print("\nTargets")
        for t in out["deviation_targets"]:
            print(f"  {t['target']:26s} {t['setting']:40s} {t['value']:10.4g} (goal {t['goal']:.4g}): "
                  f"{'met' if t['met'] else 'MISSED'}")
    out["total_s"] = time.perf_counter() - started
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, default=float) + "\n")
    print(f"\nwrote {path} (total {out['total_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
