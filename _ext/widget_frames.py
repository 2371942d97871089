"""Static frames of the book's widgets: rendered by the kernels, copied into the site.

1. At ``config-inited`` the environment variable ``GAMELIB_FRAMES_DIR`` is set to
   ``<build>/.gamelib_frames`` (beside myst-nb's ``.jupyter_cache``). Kernels started by
   the build inherit it, and a :class:`gamelib.interactive.Widget` displayed there renders
   its frames into that folder (cached: an unchanged widget is read back, not rendered)
   and shows its frame player (``text/html``) instead of the live widget.
2. At ``html-page-context`` every player of the page is found by its inline index; its
   frames are copied to ``<html>/_static/frames/<widget>/`` and the placeholder
   ``@@GAMELIB_FRAMES@@`` becomes the page's relative URL of that folder. A frame missing
   from the cache (the execution cache kept, the frame folder deleted) is a warning: delete
   ``.jupyter_cache`` too, so the notebook runs again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

PLACEHOLDER = "@@GAMELIB_FRAMES@@"
ENV = "GAMELIB_FRAMES_DIR"
_INDEX = re.compile(r'<script type="application/json" class="gamelib-index">(.*?)</script>', re.S)


def frames_dir(app) -> Path:
    return Path(app.outdir).parent / ".gamelib_frames"


def _set_env(app, config):
    os.environ[ENV] = str(frames_dir(app))


def _copy_frames(app, pagename, templatename, context, doctree):
    body = context.get("body") or ""
    if PLACEHOLDER not in body:
        return
    source = frames_dir(app)
    target = Path(app.outdir) / "_static" / "frames"
    for match in _INDEX.finditer(body):
        index = json.loads(match.group(1).replace("<\\/", "</"))
        widget = index["base"].removeprefix(PLACEHOLDER + "/").strip("/")
        (target / widget).mkdir(parents=True, exist_ok=True)
        for file, *_ in index["frames"].values():
            src, dest = source / widget / file, target / widget / file
            if dest.is_file():
                continue
            if not src.is_file():
                logger.warning(f"{pagename}: frame {widget}/{file} is not in {source}; delete "
                               f"the execution cache (.jupyter_cache) and build again",
                               type="gamelib", subtype="frames")
                continue
            shutil.copy2(src, dest)
    url = context["pathto"]("_static/frames", 1)
    context["body"] = body.replace(PLACEHOLDER, url)


def setup(app):
    app.connect("config-inited", _set_env)
    app.connect("html-page-context", _copy_frames)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
