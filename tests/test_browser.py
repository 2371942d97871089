"""Look at the built book as a reader does, in headless Chromium, fully offline.

Every page of the TOC is opened from a local ``http.server`` on 127.0.0.1 and checked for
what a reader would notice: typeset math (no raw ``$...$`` left), widgets rendered from the
saved widget state, alt text on every image, no JavaScript error, and no request leaving
127.0.0.1. Screenshots of the landing page and one chapter go to ``tests/artifacts/``.

Chromium is Debian's package (``apt-get install chromium``); the test installs it if it is
missing, skips if apt is unavailable outside CI, and fails under ``CI=true``.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from _cdp import Browser, find_chromium
from conftest import ARTIFACTS, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _install_chromium() -> str | None:
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        return None
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(prefix + [apt, "update", "-qq"], env=env, check=False,
                   capture_output=True, timeout=600)
    subprocess.run(prefix + [apt, "install", "-y", "-qq", "chromium"], env=env,
                   check=False, capture_output=True, timeout=1200)
    return find_chromium()


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium() or _install_chromium()
    if path is None:
        message = "headless Chromium is not installed and apt-get could not install it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + " (install Debian's 'chromium' package to run this test)")
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def site(built_book):
    assert built_book.returncode == 0, "the book did not build; see test_book_build"
    handler = functools.partial(_QuietHandler, directory=str(built_book.html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium):
    b = Browser(chromium)
    b.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000,
           deviceScaleFactor=1, mobile=False)
    yield b
    b.close()


PAGE_REPORT = r"""
(() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, .highlight, .MathJax, .jupyter-widgets';
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const m = node.nodeValue.match(/\$[^$\n]{1,200}\$|\\\(|\\\[/);
    if (m) raw.push(m[0].slice(0, 60));
  }
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  return {
    title: document.title,
    mathNodes: article.querySelectorAll('.math, span.math, div.math').length,
    mjx: document.querySelectorAll('mjx-container').length,
    unrenderedMath: [...article.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length,
    raw,
    widgetViews: views.length,
    renderedViews: views.filter(s => s.parentElement && s.parentElement.querySelector('.jupyter-widgets')).length,
    controls: document.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, .widget-radio-box, .widget-text, .widget-button').length,
    widgetErrors: [...document.querySelectorAll('.jupyter-widgets')].filter(e => /Error displaying widget/.test(e.textContent)).length,
    images: [...article.querySelectorAll('img')].map(i => ({alt: (i.getAttribute('alt') || '').trim(), ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 60)})),
  };
})()
"""


def _settle(browser: Browser) -> None:
    # MathJax 3: wait for its startup promise (present only on pages with math)
    browser.wait_for("!(window.MathJax && MathJax.startup) || !!MathJax.startup.document", 20)
    browser.evaluate("(window.MathJax && MathJax.startup && MathJax.startup.promise) "
                     "? MathJax.startup.promise.then(() => true) : true", await_promise=True)
    # widgets: every saved view rendered (html-manager renders after the load event)
    browser.wait_for(
        "[...document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]')]"
        ".every(s => s.parentElement && s.parentElement.querySelector('.jupyter-widgets'))", 30)
    browser.wait_for("[...document.querySelectorAll('article img')].every(i => i.complete)", 10)
    browser.pump(0.5)


def _check_page(browser: Browser, site: str, docname: str) -> list[str]:
    browser.open(f"{site}/{docname}.html")
    _settle(browser)
    r = browser.evaluate(PAGE_REPORT)
    problems = []
    if r["mathNodes"] and (r["mjx"] == 0 or r["unrenderedMath"]):
        problems.append(f"math not typeset: {r['unrenderedMath']} of {r['mathNodes']} left")
    if r["raw"]:
        problems.append(f"raw TeX left in the text: {r['raw'][:5]}")
    if r["widgetViews"]:
        if r["renderedViews"] < r["widgetViews"]:
            problems.append(f"only {r['renderedViews']} of {r['widgetViews']} widgets rendered")
        if r["controls"] == 0:
            problems.append("widgets rendered without any control")
    if r["widgetErrors"]:
        problems.append(f"{r['widgetErrors']} widget(s) show 'Error displaying widget'")
    for img in r["images"]:
        if not img["alt"]:
            problems.append(f"image without alt text: {img['src']}")
        if not img["ok"]:
            problems.append(f"image failed to load: {img['src']}")
    offsite = [u for u in browser.requested_urls()
               if not u.startswith((site + "/", "data:", "blob:", "about:"))]
    if offsite:
        problems.append(f"requests leaving 127.0.0.1: {offsite[:5]}")
    if browser.failed_requests():
        problems.append(f"failed requests: {browser.failed_requests()[:5]}")
    if browser.js_errors():
        problems.append(f"console errors: {browser.js_errors()[:5]}")
    return problems


def test_every_page_renders_offline(browser, site):
    problems = {}
    for docname in toc_files():
        found = _check_page(browser, site, docname)
        if found:
            problems[docname] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_widget_default_state_is_visible_without_a_kernel(browser, site):
    """The landing page's widget shows its slider, its default figure and its numbers."""
    browser.open(f"{site}/book/index.html")
    _settle(browser)
    state = browser.evaluate("""(() => ({
      sliders: document.querySelectorAll('.widget-slider').length,
      readout: (document.querySelector('.widget-readout') || {}).textContent || '',
      figure: [...document.querySelectorAll('.jupyter-widgets img')].filter(i => i.naturalWidth > 100 && i.alt).length,
      caption: [...document.querySelectorAll('.gamelib-caption')].map(e => e.textContent),
    }))()""")
    assert state["sliders"] >= 1
    assert state["readout"].strip() == "0.75"
    assert state["figure"] >= 1
    assert state["caption"] and "0.75" in state["caption"][0]


def test_screenshots(browser, site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chapters = [f for f in toc_files() if "/ch" in f]
    pages = {"index": "book/index"}
    if chapters:
        pages["chapter"] = chapters[0]
    for name, docname in pages.items():
        browser.open(f"{site}/{docname}.html")
        _settle(browser)
        path = ARTIFACTS / f"{name}.png"
        browser.screenshot(path)
        assert path.stat().st_size > 10_000
