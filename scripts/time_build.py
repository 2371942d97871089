"""Time a clean executed build of the book, its serial baseline, and an incremental rebuild.

    python scripts/time_build.py [--touch book/index.md] [--json _build/build_times.json]
                                 [--repeat 1] [--no-serial]

1. clean: removes ``_build/timing`` (HTML *and* execution cache) and builds with
   ``-n -W --keep-going``, executing every notebook -- on one kernel per CPU, while Sphinx
   reads the pages without code (``_ext/parallel_execution.py``);
2. clean, serial (the peer): the same with ``BOOK_EXECUTION_WORKERS=1``, i.e. one notebook at a
   time on one kernel, as myst-nb executes them; reported side by side, with the ratio
   serial/parallel;
3. incremental: appends a blank line to one chapter (``--touch``, restored afterwards; its
   code is unchanged, so the execution cache is hit) and builds again.

``--repeat N`` runs the clean builds N times each (alternating) and reports every run.
Targets on 2 cores: clean <= 60 s, incremental <= 15 s. Prints the numbers and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"clean_seconds": 60.0, "incremental_seconds": 15.0}


def build(out: Path, workers: int | None = None, clean: bool = True) -> float:
    """Seconds for one ``jupyter-book build`` into ``out``; raises if the build fails."""
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    exe = shutil.which("jupyter-book") or "jupyter-book"
    cmd = [exe, "build", str(ROOT), "-n", "-W", "--keep-going", "--path-output", str(out)]
    env = dict(os.environ)
    env.pop("BOOK_EXECUTION_WORKERS", None)
    if workers is not None:
        env["BOOK_EXECUTION_WORKERS"] = str(workers)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode:
        sys.stderr.write((proc.stdout + proc.stderr)[-3000:])
        raise SystemExit(f"build failed (workers={workers}): exit {proc.returncode}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touch", default="book/index.md", help="chapter to modify")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "build_times.json")
    parser.add_argument("--repeat", type=int, default=1, help="clean builds of each kind")
    parser.add_argument("--no-serial", action="store_true", help="skip the serial baseline")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat: must be >= 1")

    out = ROOT / "_build" / "timing"
    parallel, serial = [], []
    for _ in range(args.repeat):
        if not args.no_serial:
            serial.append(build(out, workers=1))
        parallel.append(build(out))  # leaves the parallel build's cache for the rebuild

    chapter = ROOT / args.touch
    original = chapter.read_bytes()
    try:
        chapter.write_bytes(original + b"\n")
        incremental = build(out, clean=False)
    finally:
        chapter.write_bytes(original)

    clean = max(parallel)  # the target must hold for the worst run
    result = {
        "clean_seconds": round(clean, 2),
        "clean_runs": [round(s, 2) for s in parallel],
        "clean_serial_runs": [round(s, 2) for s in serial],
        "serial_over_parallel": (round(statistics.median(serial) / statistics.median(parallel), 2)
                                 if serial else None),
        "incremental_seconds": round(incremental, 2),
        "touched": args.touch,
        "ok": True,
        "targets": TARGETS,
        "within_targets": clean <= TARGETS["clean_seconds"]
        and incremental <= TARGETS["incremental_seconds"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    runs = ", ".join(f"{s:.1f}" for s in parallel)
    print(f"clean build, parallel execution:  {runs} s  (target <= 60 s)")
    if serial:
        print(f"clean build, serial (myst-nb):    {', '.join(f'{s:.1f}' for s in serial)} s"
              f"  -> serial/parallel {result['serial_over_parallel']:.2f}x")
    print(f"incremental (touched {args.touch}): {incremental:6.1f} s  (target <= 15 s)")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
