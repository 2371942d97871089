"""Small fixes that keep the HTML book offline and complete.

1. Vendored JavaScript stays opt-in. Jupyter Book adds *every* ``.js``/``.css`` file found
   under ``_static/`` to every page; the vendored KaTeX in ``_static/vendor/katex/`` must
   instead load only on the pages that have math, in the order ``_ext/katex_math.py`` adds
   it (its fonts are fetched by its stylesheet, as a formula needs them). At
   ``config-inited`` this extension drops ``vendor/...`` from ``html_js_files`` and
   ``html_css_files``. (The widgets' frame player, ``_static/widgets.js`` and
   ``widgets.css``, and ``_static/math.css`` are small and load on every page.)

2. Each script once. sphinx-thebe and sphinx-togglebutton register their inline
   configuration scripts twice under Sphinx 7.4 (``const THEBE_JS_URL`` declared twice is a
   JavaScript ``SyntaxError`` in the console); duplicates are removed from every page.

3. An *executed* ``.ipynb`` download for every MyST Markdown notebook. sphinx-book-theme
   adds the ``.ipynb`` entry to its download menu only when ``context["ipynb_source"]`` is
   set, and it sets that only when a launch button (Binder, Colab, ...) is configured --
   which needs the network. This extension does the offline part of that work, at the
   default priority (500), before the theme's header buttons (501): it writes the executed
   notebook to ``<html>/_sources/<page>.ipynb`` and sets ``ipynb_source``.

   The notebook myst-nb leaves in ``<build>/jupyter_execute/<page>.ipynb`` has no outputs
   when the page came from the execution cache (``execute_notebooks: cache``: myst-nb
   merges the cached outputs into a *copy* and writes the source notebook). So the outputs
   are merged in here from the same jupyter-cache, with jupyter-cache's own
   ``merge_match_into_notebook`` (the notebook is matched by its code, as myst-nb matches
   it). The ``{eval}`` roles of its Markdown cells are replaced by their values, as the HTML
   page shows them (``_ext/eval_role.py``), so that the numbers read the same in any notebook
   viewer; a first cell says what the file is.

4. Icons from the font, not from 1.5 MB of JavaScript. pydata-sphinx-theme loads
   ``_static/scripts/fontawesome.js`` on every page, which swaps each ``<i class="fa-...">``
   for an inline SVG; its own stylesheet already draws the same icons from the Font Awesome
   web fonts it ships (``_static/vendor/fontawesome/webfonts``). The script is two thirds of a
   chapter's first load, so at ``build-finished`` its ``<script>`` tag is removed from every
   page and the file (with its source map) from the site; the icons keep rendering from the font.

5. The search index on the search page only. pydata-sphinx-theme loads ``searchindex.js``
   (about 110 kB) on every page for its search-as-you-type mode, which this book leaves off
   (``search_as_you_type`` is false, so the theme's script returns before using it); the search
   box submits to ``search.html``, which loads the index itself. The tag is removed from every
   other page at ``build-finished``.
"""

from __future__ import annotations

import re
from contextlib import suppress
from pathlib import Path

import nbformat
from eval_role import EVAL_ROLE


def _add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is None or pagename not in app.env.metadata:
        return
    if "kernelspec" not in app.env.metadata[pagename]:
        return  # not a notebook page
    executed = Path(app.outdir).parent / "jupyter_execute"
    src = executed / f"{pagename}.ipynb"
    if not src.is_file():
        return
    notebook = executed_notebook(src, app.env.mystnb_config.execution_cache_path or ".jupyter_cache",
                                 getattr(app.env, "eval_values", {}).get(pagename, {}),
                                 app.config.project, f"{pagename}.md")
    dest = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, dest)
    context["ipynb_source"] = f"{pagename}.ipynb"


def paste_values(text: str, values: dict[str, str]) -> str:
    """Replace each ``{eval}`` role of ``text`` by its value as the HTML page shows it.

    A role whose expression is not in ``values`` is kept.
    """
    return EVAL_ROLE.sub(lambda match: values.get(match[1], match[0]), text)


def executed_notebook(path: Path, cache_path: str, values: dict[str, str], book: str, source: str):
    """The notebook myst-nb wrote to ``path``, with the outputs of its cached execution."""
    notebook = nbformat.read(path, as_version=4)
    if not _has_outputs(notebook):
        from jupyter_cache import get_cache

        with suppress(KeyError):  # not in the cache: executed in place, or not executed
            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
    notebook.metadata.pop("source_map", None)  # myst-nb's parse bookkeeping
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = paste_values(cell.source, values)
    note = nbformat.v4.new_markdown_cell(
        f"*This notebook is a page of* {book}, *as executed when the book was built: its "
        "outputs are the build's and the numbers in the text are pasted in. The live source "
        f"is `{source}` in the book's repository (its README says how to run it).*")
    note.metadata["tags"] = ["executed-download-note"]
    notebook.cells.insert(0, note)
    return notebook


def _has_outputs(notebook) -> bool:
    return any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


#: Folders of ``_static`` whose files load only where an extension asks for them (KaTeX: katex_math).
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


_FONTAWESOME_TAG = re.compile(r'<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def drop_fontawesome_script(outdir: Path) -> int:
    """Remove the theme's Font Awesome script from every page of ``outdir``; return pages changed."""
    changed = 0
    for page in Path(outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _FONTAWESOME_TAG.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    for name in ("fontawesome.js", "fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
        with suppress(FileNotFoundError):
            (Path(outdir) / "_static" / "scripts" / name).unlink()
    return changed


_SEARCHINDEX_TAG = re.compile(r'<script src="(?:\.\./)*searchindex\.js"></script>\n?')


def drop_search_index(outdir: Path) -> int:
    """Remove the ``searchindex.js`` tag from every page of ``outdir`` but ``search.html``."""
    changed = 0
    for page in Path(outdir).rglob("*.html"):
        if page.name == "search.html" and page.parent == Path(outdir):
            continue
        text = page.read_text(encoding="utf-8")
        new = _SEARCHINDEX_TAG.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _drop_fontawesome(app, exception):
    if exception is None and app.builder.format == "html":
        drop_fontawesome_script(Path(app.outdir))
        if not app.config.html_theme_options.get("search_as_you_type", False):
            drop_search_index(Path(app.outdir))


def setup(app):
    app.connect("build-finished", _drop_fontawesome)
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("config-inited", _drop_vendored_assets)
    app.connect("html-page-context", _add_ipynb_source, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
