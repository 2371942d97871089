"""Build the instructor edition: the whole book with every exercise solution removed.

Use it to hand out the book (or print it) while setting its exercises as homework::

    python scripts/build_instructor.py                  # -> _build/instructor/_build/html

It writes a copy of ``_config.yml`` with sphinx-exercise's ``hide_solutions: true`` to
``_build/_config_instructor.yml`` and builds with it (``-n -W --keep-going``, like the main
build). Executed notebooks come from the shared execution cache (``_build/.jupyter_cache``,
the one a plain ``jupyter-book build .`` fills), so after a normal build nothing is re-run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def write_config(cache: Path) -> Path:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config.get('title', 'Book')} (instructor edition, no solutions)"
    config.setdefault("execute", {})["cache"] = str(cache.resolve())
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["hide_solutions"] = True
    # paths in a --config file are resolved from that file's folder: make them absolute
    sphinx["local_extensions"] = {
        name: str((ROOT / path).resolve())
        for name, path in (sphinx.get("local_extensions") or {}).items()
    }
    out = ROOT / "_build" / "_config_instructor.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=ROOT / "_build" / "instructor",
                        help="folder that receives _build/html (default: _build/instructor)")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="jupyter-cache folder to reuse (default: _build/.jupyter_cache)")
    args = parser.parse_args(argv)
    config = write_config(args.cache)
    shutil.rmtree(args.path_output / "_build" / "html", ignore_errors=True)
    exe = shutil.which("jupyter-book") or "jupyter-book"
    cmd = [exe, "build", str(ROOT), "--config", str(config), "-n", "-W", "--keep-going",
           "--path-output", str(args.path_output)]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
