"""Time a clean executed build of the book and an incremental rebuild.

    python scripts/time_build.py [--touch book/index.md] [--json _build/build_times.json]

1. clean: removes ``_build/timing`` (HTML *and* execution cache) and builds with
   ``-n -W --keep-going``, executing every notebook;
2. incremental: appends a blank line to one chapter (``--touch``, restored afterwards; its
   code is unchanged, so the execution cache is hit) and builds again.

Targets on 2 cores: clean <= 60 s, incremental <= 15 s. Prints the numbers and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"clean_seconds": 60.0, "incremental_seconds": 15.0}


def build(out: Path) -> tuple[float, int]:
    exe = shutil.which("jupyter-book") or "jupyter-book"
    cmd = [exe, "build", str(ROOT), "-n", "-W", "--keep-going", "--path-output", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        sys.stderr.write((proc.stdout + proc.stderr)[-3000:])
    return seconds, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touch", default="book/index.md", help="chapter to modify")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "build_times.json")
    args = parser.parse_args(argv)

    out = ROOT / "_build" / "timing"
    shutil.rmtree(out, ignore_errors=True)
    clean, rc1 = build(out)

    chapter = ROOT / args.touch
    original = chapter.read_bytes()
    try:
        chapter.write_bytes(original + b"\n")
        incremental, rc2 = build(out)
    finally:
        chapter.write_bytes(original)

    result = {
        "clean_seconds": round(clean, 2),
        "incremental_seconds": round(incremental, 2),
        "touched": args.touch,
        "ok": rc1 == 0 and rc2 == 0,
        "targets": TARGETS,
        "within_targets": clean <= TARGETS["clean_seconds"]
        and incremental <= TARGETS["incremental_seconds"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"clean build (execution, no cache): {clean:6.1f} s  (target <= 60 s)")
    print(f"incremental (touched {args.touch}): {incremental:6.1f} s  (target <= 15 s)")
    print(f"wrote {args.json}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
