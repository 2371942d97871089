"""Small fixes that keep the HTML book offline and complete.

1. Vendored JavaScript stays opt-in. Jupyter Book adds *every* ``.js``/``.css`` file found
   under ``_static/`` to every page; the vendored MathJax components in ``_static/vendor/``
   must instead load only where, and in the order, MathJax (``mathjax_path``) asks for
   them. At ``config-inited`` this extension drops ``vendor/...`` from ``html_js_files`` and
   ``html_css_files``. (The widgets' frame player, ``_static/widgets.js`` and
   ``widgets.css``, is small and loads on every page.)

2. Each script once. sphinx-thebe and sphinx-togglebutton register their inline
   configuration scripts twice under Sphinx 7.4 (``const THEBE_JS_URL`` declared twice is a
   JavaScript ``SyntaxError`` in the console); duplicates are removed from every page.

3. An ``.ipynb`` download for every MyST Markdown notebook. sphinx-book-theme adds the
   ``.ipynb`` entry to its download menu only when ``context["ipynb_source"]`` is set, and
   it sets that only when a launch button (Binder, Colab, ...) is configured -- which needs
   the network. This extension does the offline part of that work: it copies the executed
   notebook that myst-nb wrote to ``<build>/jupyter_execute/<page>.ipynb`` into
   ``<html>/_sources/<page>.ipynb`` and sets ``ipynb_source``, at the default priority
   (500), before the theme's header buttons (501).
"""

from __future__ import annotations

import shutil
from pathlib import Path


def _add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is None or pagename not in app.env.metadata:
        return
    if "kernelspec" not in app.env.metadata[pagename]:
        return  # not a notebook page
    src = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not src.is_file():
        return
    dest = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    context["ipynb_source"] = f"{pagename}.ipynb"


#: Folders of ``_static`` whose files load only where myst-nb or MathJax ask for them.
PAGE_SPECIFIC = ("vendor/",)


def _drop_vendored_assets(app, config):
    for name in ("html_js_files", "html_css_files"):
        kept = []
        for entry in getattr(config, name):
            filename = entry[0] if isinstance(entry, (tuple, list)) else entry
            if not str(filename).startswith(PAGE_SPECIFIC):
                kept.append(entry)
        setattr(config, name, kept)


def _script_key(script):
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""),
            tuple(sorted((str(k), str(v)) for k, v in attributes.items())))


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: it is the builder's list, which later handlers extend


def setup(app):
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("config-inited", _drop_vendored_assets)
    app.connect("html-page-context", _add_ipynb_source, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
