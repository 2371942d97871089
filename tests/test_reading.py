"""The book as a reader gets it: executed notebook downloads, numbered figures, and pages that
fit a phone.

* Every notebook page's download menu offers an ``.ipynb`` that holds the build's execution:
  every code cell executed, the same figures as the HTML page, the numbers of the ``{eval}``
  roles pasted into the text (``_ext/offline_book.py``).
* The figures the text cites carry numbered captions (``mystnb: figure:`` cell metadata) and
  the text cites them with ``{numref}``.
* In headless Chromium (``tests/_cdp.py``), no page of the site scrolls sideways at 390 px,
  every figure has a caption or an alt text, and a desktop page shows one search box.
  Screenshots of the API page and the index at 390 px go to ``tests/artifacts/``.
* Live reading: JupyterLab started as the README says serves jupyterlab-myst and jupytext's
  extension, opens ``.md`` chapters as notebooks by default, and hands each chapter out as a
  notebook. It runs where ``requirements-live.txt`` is installed and skips elsewhere (CI installs
  only ``requirements.txt``).
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from binascii import a2b_base64
from pathlib import Path
from urllib.parse import urljoin

import jupytext
import nbformat
import pytest
from _cdp import Browser
from conftest import ARTIFACTS, ROOT, toc_files
from test_browser import chromium, site  # noqa: F401  (session fixtures, shared)

sys.path.insert(0, str(ROOT / "_ext"))
from eval_role import eval_expressions, has_values_for, plain_text  # noqa: E402
from offline_book import drop_fontawesome_script, drop_search_index, paste_values  # noqa: E402

PHONE = 390


def _notebook_pages() -> list[str]:
    return [f for f in toc_files()
            if (ROOT / f"{f}.md").is_file() and "kernelspec:" in (ROOT / f"{f}.md").read_text()[:600]]


def _download(built_book, docname: str) -> Path:
    """The file the page's 'Download notebook file' entry points at."""
    page = built_book.html / f"{docname}.html"
    match = re.search(r'<a href="([^"]+)"[^>]*\n?\s*class="[^"]*btn-download-notebook-button',
                      page.read_text())
    assert match, f"{docname}: no .ipynb entry in the download menu"
    url = urljoin(f"{docname}.html", htmllib.unescape(match[1]))
    return built_book.html / url


# -- {eval} roles: exact expected values -----------------------------------------------------------

def test_paste_values_writes_each_value_in_place_of_its_role():
    values = {'f"{p:.2f}"': "0.30", "n": "1234", "name": "OPT"}
    text = 'prior {eval}`f"{p:.2f}"`, {eval}`n` equilibria, {eval}`name`, {eval}`n`'
    assert paste_values(text, values) == "prior 0.30, 1234 equilibria, OPT, 1234"


def test_paste_values_keeps_a_role_it_cannot_fill():
    text = "unknown {eval}`missing` and {glue:text}`key`"
    assert paste_values(text, {"key": "1.0"}) == text


def test_eval_expressions_counts_the_code_cells_above_each_role():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("before any code: {eval}`a`"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_markdown_cell('{eval}`f"{a:.2f}"` and {eval}`a + 1`'),
        nbformat.v4.new_code_cell("a = 2"),
        nbformat.v4.new_code_cell("b = 3"),
        nbformat.v4.new_markdown_cell("{eval}`a`, not a role: `a`"),
    ])
    found = [('a', 0), ('f"{a:.2f}"', 1), ("a + 1", 1), ("a", 3)]
    assert eval_expressions(notebook) == found
    executed = nbformat.v4.new_notebook(metadata={"eval_results": [
        {"expression": e, "code_cells": k, "result": {}} for e, k in found]})
    assert has_values_for(executed, notebook)
    executed.metadata.eval_results.pop()  # ("a", 3): prose moved after other code
    assert not has_values_for(executed, notebook)


def test_plain_text_shows_a_reply_as_the_page_does():
    assert plain_text({"status": "ok", "data": {"text/plain": "0.6000000001"}}) == "0.6000000001"
    assert plain_text({"status": "ok", "data": {"text/plain": "'0.60'"}}) == "0.60"  # a str's quotes
    assert plain_text({"status": "ok", "data": {"text/plain": '"it\'s"'}}) == "it\'s"
    with pytest.raises(ValueError, match="^NameError: name 'x' is not defined$"):
        plain_text({"status": "error", "ename": "NameError", "evalue": "name 'x' is not defined"})
    with pytest.raises(ValueError, match=r"^no text/plain representation \(only \['image/png'\]\)$"):
        plain_text({"status": "ok", "data": {"image/png": "..."}})


# -- executed downloads --------------------------------------------------------------------------

@pytest.mark.book
@pytest.mark.parametrize("docname", _notebook_pages())
def test_downloaded_notebook_holds_the_execution(built_book, docname):
    assert built_book.returncode == 0, "the book did not build; see test_book_build"
    path = _download(built_book, docname)
    assert path.is_file(), f"{docname}: the download link points at a missing file {path}"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]

    # the chapter's code, every cell executed (a source notebook has execution_count None)
    source = jupytext.read(ROOT / f"{docname}.md")
    assert [c.source for c in code] == [c.source for c in source.cells if c.cell_type == "code"]
    assert all(isinstance(c.execution_count, int) for c in code), docname
    # every cell whose output the page shows has it in the download (cells that only compute
    # the numbers of the text have none; remove-output/remove-cell outputs are not on the page)
    shown = [c for c in code if c.outputs and not {"remove-output", "remove-cell"} & set(c.metadata.get("tags", []))]
    page_outputs = (built_book.html / f"{docname}.html").read_text().count('<div class="cell_output')
    assert len(shown) == page_outputs > 0, f"{docname}: {len(shown)} cells with outputs, {page_outputs} on the page"

    # the same pictures as the page. myst-nb names each output image by the SHA-256 of its
    # bytes, so every such image of the page must be a PNG output of the download; and every
    # cell output that shows a picture (an output image, or a widget's frame player) has a PNG
    page = (built_book.html / f"{docname}.html").read_text()
    page_images = set(re.findall(r'<img [^>]*src="[^"]*_images/([0-9a-f]{64})\.png"', page))
    pngs = [hashlib.sha256(a2b_base64(o["data"]["image/png"])).hexdigest()
            for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert page_images <= set(pngs), f"{docname}: {len(page_images - set(pngs))} page images not in the download"
    pictures = sum("<img " in re.split(r'<div class="cell(?: |_input)', chunk, maxsplit=1)[0]
                   for chunk in page.split('<div class="cell_output')[1:])
    assert len(pngs) >= pictures > 0, f"{docname}: {len(pngs)} PNG outputs for {pictures} pictures"

    # the numbers of the text: no role left, every number the page pastes is in the notebook
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "{eval}" not in markdown and "{glue" not in markdown, docname
    pasted = [htmllib.unescape(t) for t in re.findall(r'<span class="output text_plain">([^<]*)</span>', page)]
    missing = [t for t in pasted if t not in markdown]
    assert missing == [], f"{docname}: values of the text missing from the notebook: {missing}"


@pytest.mark.book
def test_chapters_with_outputs_are_downloaded_with_outputs(built_book):
    """Counted over the book: the downloads carry (nearly) every code cell's outputs."""
    assert built_book.returncode == 0
    counts = {}
    for docname in _notebook_pages():
        notebook = nbformat.read(_download(built_book, docname), as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        counts[docname] = (sum(1 for c in code if c.outputs), len(code))
    chapters = {d: n for d, n in counts.items() if "/ch0" in d}
    assert len(chapters) == 7, counts
    assert all(with_outputs >= 10 for with_outputs, _ in chapters.values()), counts


# -- numbered figures ------------------------------------------------------------------------

def _figure_names() -> dict[str, list[str]]:
    names = {}
    for docname in _notebook_pages():
        text = (ROOT / f"{docname}.md").read_text()
        found = re.findall(r"^\s+name: (fig-[\w-]+)$", text, flags=re.M)
        if found:
            names[docname] = found
    return names


@pytest.mark.book
def test_cited_figures_have_numbered_captions(built_book):
    names = _figure_names()
    assert sum(map(len, names.values())) >= 6, names
    for docname, figs in names.items():
        chapter = int(re.search(r"/ch(\d\d)_", docname)[1])
        page = (built_book.html / f"{docname}.html").read_text()
        for name in figs:
            figure = re.search(rf'<figure[^>]*id="{name}".*?</figure>', page, flags=re.S)
            assert figure, f"{docname}: no figure {name}"
            number = re.search(rf'<span class="caption-number">Fig\. ({chapter}\.\d+) </span>', figure[0])
            assert number, f"{docname}: {name} has no number of chapter {chapter}"
            caption = re.search(r'<span class="caption-text">(.*?)</span><a class="headerlink"',
                                figure[0], flags=re.S)
            assert caption and len(re.sub(r"<[^>]+>", "", caption[1])) > 40, name
            cite = rf'href="#{name}"><span class="std std-numref">Fig\. {re.escape(number[1])}</span>'
            assert re.search(cite, page), f"{docname}: the text does not cite {name}"


# -- the pages in a browser --------------------------------------------------------------------

LAYOUT_REPORT = r"""
(() => {
  const d = document.documentElement;
  const article = document.querySelector('article.bd-article') || document.body;
  const visible = e => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
  const figures = [...article.querySelectorAll('img')].map(img => {
    const fig = img.closest('figure');
    const caption = fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').textContent.trim() : '';
    return {src: img.getAttribute('src').slice(-24), alt: (img.getAttribute('alt') || '').trim(), caption};
  });
  return {
    scrollWidth: d.scrollWidth, clientWidth: d.clientWidth,
    searchBoxes: [...document.querySelectorAll('.search-button-field, form.bd-search input')].filter(visible).length,
    searchButtons: [...document.querySelectorAll('.search-button__button')].filter(visible).length,
    figures,
  };
})()
"""


def _site_pages(html: Path) -> list[str]:
    skip = ("_static", "_sources", "_images", "_build", "jupyter_execute")
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if p.relative_to(html).parts[0] not in skip)


@pytest.fixture(scope="module")
def phone(chromium):  # noqa: F811
    b = Browser(chromium)
    b.call("Emulation.setDeviceMetricsOverride", width=PHONE, height=844,
           deviceScaleFactor=1, mobile=True)
    yield b
    b.close()


def _load(browser: Browser, url: str) -> dict:
    browser.evaluate("window.__previousPage = true")
    browser.open(url)
    # a new document (redirect pages, such as the root index.html, load their target first)
    assert browser.wait_for("!window.__previousPage && document.readyState === 'complete'"
                            " && !!document.querySelector('main, article')", 20), url
    browser.wait_for("[...document.querySelectorAll('article img')].every(i => i.complete)", 10)
    browser.wait_for("!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
                     " || !!MathJax.startup.document", 10)
    browser.pump(0.3)
    return browser.evaluate(LAYOUT_REPORT)


@pytest.mark.book
@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_phone(built_book, site, phone):  # noqa: F811
    pages = _site_pages(built_book.html)
    assert len(pages) >= len(toc_files()) + 3  # the TOC pages and genindex, search, ...
    wide, unlabelled = {}, {}
    for rel in pages:
        report = _load(phone, f"{site}/{rel}")
        if report["scrollWidth"] > report["clientWidth"]:
            wide[rel] = report["scrollWidth"]
        bad = [f["src"] for f in report["figures"] if not (f["alt"] or f["caption"])]
        if bad:
            unlabelled[rel] = bad
        if rel in ("book/api.html", "genindex.html"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = Path(rel).stem
            phone.screenshot(ARTIFACTS / f"reading-{name}-{PHONE}.png", full_page=False,
                             width=PHONE, height=844)
            if rel == "book/api.html":  # the longest signatures, where the page used to widen
                phone.evaluate("document.getElementById('gamelib.market.has_unique_best_actions')"
                               ".scrollIntoView()")
                phone.pump(0.3)
                phone.screenshot(ARTIFACTS / f"reading-{name}-signature-{PHONE}.png",
                                 full_page=False, width=PHONE, height=844)
    assert wide == {}, f"pages wider than {PHONE} px: {wide}"
    assert unlabelled == {}, f"figures with neither caption nor alt text: {unlabelled}"


@pytest.mark.book
@pytest.mark.browser
def test_a_desktop_page_has_one_search_box(built_book, site, chromium):  # noqa: F811
    b = Browser(chromium)
    try:
        b.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
               deviceScaleFactor=1, mobile=False)
        for rel in ("index.html", "book/ch01_persuasion.html", "book/api.html", "genindex.html"):
            report = _load(b, f"{site}/{rel}")
            assert report["searchBoxes"] == 1, (rel, report["searchBoxes"])
            assert report["scrollWidth"] <= report["clientWidth"], rel
    finally:
        b.close()


# -- icons from the font, not from the theme's 1.5 MB script ------------------------------------

def test_drop_fontawesome_script_removes_tag_and_file(tmp_path):
    scripts = tmp_path / "_static" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "fontawesome.js").write_text("x")
    (scripts / "bootstrap.js").write_text("y")
    tag = '<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
    keep = '<script defer src="../_static/scripts/bootstrap.js?digest=1"></script>\n'
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.html").write_text(f"<head>{tag}{keep}</head>")
    (tmp_path / "b.html").write_text(f"<head>{keep}</head>")
    assert drop_fontawesome_script(tmp_path) == 1
    assert (tmp_path / "book" / "a.html").read_text() == f"<head>{keep}</head>"
    assert not (scripts / "fontawesome.js").exists() and (scripts / "bootstrap.js").exists()
    assert drop_fontawesome_script(tmp_path) == 0  # idempotent: incremental builds run it again


def test_drop_search_index_keeps_it_on_the_search_page(tmp_path):
    tag = '<script src="../searchindex.js"></script>\n'
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.html").write_text(f"<head>{tag}</head>")
    (tmp_path / "index.html").write_text('<head><script src="searchindex.js"></script></head>')
    (tmp_path / "search.html").write_text('<head><script src="searchindex.js"></script></head>')
    assert drop_search_index(tmp_path) == 2
    assert (tmp_path / "book" / "a.html").read_text() == "<head></head>"
    assert "searchindex.js" in (tmp_path / "search.html").read_text()


@pytest.mark.book
@pytest.mark.browser
def test_search_works_with_the_index_on_the_search_page_only(built_book, site, chromium):  # noqa: F811
    assert "searchindex.js" not in (built_book.html / "book" / "ch01_persuasion.html").read_text()
    b = Browser(chromium)
    try:
        b.open(f"{site}/search.html?q=concavification")
        assert b.wait_for("document.querySelectorAll('#search-results li, ul.search li').length > 0", 20)
        hits = b.evaluate("[...document.querySelectorAll('#search-results li a, ul.search li a')]"
                          ".map(a => a.getAttribute('href'))")
        assert any("ch01_persuasion" in h for h in hits), hits
    finally:
        b.close()


@pytest.mark.book
@pytest.mark.browser
def test_icons_render_from_the_font_without_the_script(built_book, site, chromium):  # noqa: F811
    assert not (built_book.html / "_static" / "scripts" / "fontawesome.js").exists()
    b = Browser(chromium)
    try:
        _load(b, f"{site}/book/ch01_persuasion.html")
        assert not [u for u in b.requested_urls() if "fontawesome.js" in u]
        family = b.evaluate("getComputedStyle(document.querySelector('.fa-solid.fa-bars'), '::before')"
                            ".fontFamily")
        glyph = b.evaluate("getComputedStyle(document.querySelector('.fa-solid.fa-bars'), '::before')"
                           ".content")
        assert "Font Awesome" in family and glyph not in ("", "none", "normal"), (family, glyph)
        # the solid icons are the 900 weight of the family: loaded, and the icon takes up room
        assert b.wait_for("document.fonts.check('900 16px \"Font Awesome 6 Free\"')", 10)
        widths = b.evaluate("[...document.querySelectorAll('.fa-solid, .fas')].filter(e => e.offsetParent)"
                            ".map(e => e.getBoundingClientRect().width)")
        assert widths and min(widths) > 4, widths
    finally:
        b.close()


# -- reading live in JupyterLab (README, "Run a chapter live") -----------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def jupyterlab():
    """JupyterLab as the README starts it (``JUPYTER_CONFIG_PATH=.jupyter``), headless."""
    for module in ("jupyterlab", "jupyterlab_myst", "jupytext"):
        pytest.importorskip(module, reason="pip install -r requirements-live.txt to test live reading")
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(ROOT / ".jupyter"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
           "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the test runs Lab's commands
           f"--ServerApp.root_dir={ROOT}", "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get_json(f"{base}/api/status")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()[-3000:]
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_jupyterlab_opens_every_chapter_as_a_notebook_with_myst(jupyterlab):
    # jupyterlab-myst and jupytext's lab extension are served to the page
    with urllib.request.urlopen(f"{jupyterlab}/lab", timeout=10) as response:
        page = response.read().decode()
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, flags=re.S)[1])
    served = {e["name"] for e in config["federated_extensions"]}
    assert {"jupyterlab-myst", "jupyterlab-jupytext"} <= served, served
    assert not {"jupyterlab-myst", "jupyterlab-jupytext"} & set(config.get("disabledExtensions", []))
    # a double click opens a .md chapter with jupytext's notebook view
    settings = _get_json(f"{jupyterlab}/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers.get("markdown") == "Jupytext Notebook", viewers
    # and the server hands out every chapter as a notebook, cells and kernel included
    for docname in _notebook_pages():
        model = _get_json(f"{jupyterlab}/api/contents/{docname}.md?type=notebook&content=1")
        assert model["type"] == "notebook", docname
        notebook = nbformat.from_dict(model["content"])
        source = jupytext.read(ROOT / f"{docname}.md")
        assert [c.source for c in notebook.cells] == [c.source for c in source.cells], docname
        assert notebook.metadata["kernelspec"]["name"] == "python3", docname


#: Chapters read live in Chromium: the first, and the one whose numbers are most often reused.
LIVE_CHAPTERS = ["book/ch01_persuasion", "book/ch05_anonymous"]


@pytest.mark.book
@pytest.mark.parametrize("docname", LIVE_CHAPTERS)
def test_a_chapter_run_in_jupyterlab_shows_the_numbers_of_the_html_page(jupyterlab, chromium,  # noqa: F811
                                                                          built_book, docname):
    """Open a chapter as the README says, *Run All*, and read it: the numbers are typeset, the
    same as the HTML page's, the theorems too; saving writes back the same cells, roles and cell
    metadata (no computed values)."""
    assert built_book.returncode == 0
    page = (built_book.html / f"{docname}.html").read_text()
    values = [htmllib.unescape(t) for t in re.findall(r'<span class="output text_plain">([^<]*)</span>', page)]
    assert values, docname
    path = ROOT / f"{docname}.md"
    original = path.read_bytes()
    browser = Browser(chromium, timeout=60)
    try:
        browser.viewport(1280, 900)
        browser.open(f"{jupyterlab}/lab?reset")
        assert browser.wait_for("!!window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')", 60)
        browser.evaluate(f"window.jupyterapp.commands.execute('docmanager:open', "
                         f"{{path: '{docname}.md', factory: 'Jupytext Notebook'}})")
        panel = (f"[...window.jupyterapp.shell.widgets('main')]"
                 f".find(w => w.context && w.context.path === '{docname}.md')")
        # JupyterLab may ask which kernel to start (when the notebook opens before the kernel list)
        ready = ("(() => { const ok = document.querySelector('.jp-Dialog .jp-mod-accept'); if (ok) ok.click();"
                 f" const w = {panel}; const s = w && w.sessionContext;"
                 " const k = s && s.session && s.session.kernel;"
                 " return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; })()")
        if not browser.wait_for(ready, 120):
            browser.screenshot(ARTIFACTS / f"live-{Path(docname).name}.png", full_page=False)
            pytest.fail("the chapter's kernel did not start")
        browser.evaluate(f"window.jupyterapp.shell.activateById(({panel}).id)")
        browser.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        done = (f"(() => {{ const w = {panel};"
                " const code = [...w.content.model.cells].filter(c => c.type === 'code');"
                " return code.length > 0 && code.every(c => c.executionCount !== null)"
                " && w.sessionContext.session.kernel.status === 'idle'; })()")
        finished = browser.wait_for(done, 300)
        browser.pump(3)
        text = browser.evaluate("[...document.querySelectorAll('.jp-MarkdownCell')]"
                                ".map(c => c.innerText).join('\\n')")
        # the screenshot shows the first paragraph with a computed number
        browser.evaluate("(() => { const c = [...document.querySelectorAll('.jp-MarkdownCell')]"
                         f".find(c => c.innerText.includes({json.dumps(values[0])})); if (c) c.scrollIntoView(); }})()")
        browser.pump(1)
        browser.screenshot(ARTIFACTS / f"live-{Path(docname).name}.png", full_page=False)
        assert finished, "Run All did not finish"
        assert "{eval}" not in text and "{prf:" not in text, docname
        assert browser.evaluate("document.querySelectorAll('.jp-MarkdownCell .proof, "
                                ".jp-MarkdownCell aside, .jp-MarkdownCell .admonition').length") > 0
        missing = [v for v in values if v not in text]
        assert missing == [], f"{docname}: numbers of the HTML page not shown live: {missing}"
        browser.evaluate(f"({panel}).context.save()", await_promise=True)
        browser.pump(3)
        # JupyterLab rewrites the kernelspec header (display name "Python 3 (ipykernel)"); the
        # cells, their roles and their metadata come back unchanged: no computed values written
        saved = path.read_text()
        (ARTIFACTS / f"live-{Path(docname).name}-saved.md").write_text(saved)
        assert saved.count("user_expressions") == 1, "saving wrote jupyterlab-myst's values into the chapter"
        assert saved.count("{eval}") == original.decode().count("{eval}")
        before, after = jupytext.reads(original.decode(), "md:myst"), jupytext.reads(saved, "md:myst")
        assert [(c.cell_type, c.source, c.metadata) for c in after.cells] == \
            [(c.cell_type, c.source, c.metadata) for c in before.cells]
    finally:
        browser.close()
        path.write_bytes(original)
