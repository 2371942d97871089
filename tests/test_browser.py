"""Look at the built book as a reader does, in headless Chromium, fully offline.

Chromium runs with every non-loopback host blackholed (``tests/_cdp.py``). Every page of the
TOC is opened from a local ``http.server`` on 127.0.0.1 and checked for what a reader would
notice: math rendered by KaTeX (every ``.math`` element rendered, no ``.katex-error``, no raw
``$...$``/``\\(`` left), alt text on every image, no JavaScript error,
no request leaving 127.0.0.1. At 1280 px and at 390 px (a phone) the test presses a key on
every control of every widget's frame player and checks that the picture and its caption
change (or that the control is marked disabled, with a tooltip), and that no page scrolls
sideways on the phone. Screenshots of every widget before and after a move, and of the
landing page and one chapter, go to ``tests/artifacts/``; the measured time from a key
press to the new frame's ``load`` goes to ``tests/artifacts/player_latency.json``.

Chromium is Debian's package (``apt-get install chromium``); the test installs it if it is
missing, skips if apt is unavailable outside CI, and fails under ``CI=true``.
"""

from __future__ import annotations

import functools
import json
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
  const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, .katex, .highlight, .jupyter-widgets';
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
    katex: document.querySelectorAll('.math .katex').length,
    unrenderedMath: [...article.querySelectorAll('.math')].filter(e => !e.querySelector('.katex')).length,
    mathErrors: [...document.querySelectorAll('.katex-error')].map(e => (e.title || e.textContent).slice(0, 120)),
    raw,
    widgetViews: views.length,
    players: document.querySelectorAll('.gamelib-player').length,
    readyPlayers: document.querySelectorAll('.gamelib-player.gamelib-ready').length,
    deadAtDefault: [...document.querySelectorAll('.gamelib-player [data-control]')].filter(c => c.disabled).length,
    images: [...article.querySelectorAll('img')].map(i => ({alt: (i.getAttribute('alt') || '').trim(), ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 60)})),
  };
})()
"""


def _settle(browser: Browser) -> None:
    # KaTeX (_ext/katex_math.py) renders every formula at DOMContentLoaded
    browser.wait_for("document.readyState !== 'loading'", 20)
    # frame players: set up by _static/widgets.js
    browser.wait_for("[...document.querySelectorAll('.gamelib-player')]"
                     ".every(p => p.classList.contains('gamelib-ready'))", 10)
    browser.wait_for("[...document.querySelectorAll('article img')].every(i => i.complete)", 10)
    browser.pump(0.5)


def _leaks_and_errors(browser: Browser, site: str) -> list[str]:
    """Requests that left the local server, and console errors, of the page in ``browser``."""
    problems = []
    offsite = [u for u in browser.requested_urls() if not u.startswith((site + "/", "data:", "blob:", "about:"))]
    if offsite:
        problems.append(f"requests leaving 127.0.0.1: {offsite[:5]}")
    if browser.js_errors():
        problems.append(f"console errors: {browser.js_errors()[:5]}")
    return problems


def _check_page(browser: Browser, site: str, docname: str) -> list[str]:
    browser.open(f"{site}/{docname}.html")
    _settle(browser)
    r = browser.evaluate(PAGE_REPORT)
    problems = []
    if r["mathNodes"] and (r["katex"] == 0 or r["unrenderedMath"]):
        problems.append(f"math not rendered: {r['unrenderedMath']} of {r['mathNodes']} left")
    if r["mathErrors"]:
        problems.append(f"{len(r['mathErrors'])} KaTeX error(s): {r['mathErrors'][:5]}")
    if r["raw"]:
        problems.append(f"raw TeX left in the text: {r['raw'][:5]}")
    if r["widgetViews"]:
        problems.append(f"{r['widgetViews']} ipywidget view(s) in the page (the book shows frame players)")
    if r["readyPlayers"] < r["players"]:
        problems.append(f"only {r['readyPlayers']} of {r['players']} frame players set up")
    if r["deadAtDefault"]:
        problems.append(f"{r['deadAtDefault']} control(s) disabled at the default position")
    for img in r["images"]:
        if not img["alt"]:
            problems.append(f"image without alt text: {img['src']}")
        if not img["ok"]:
            problems.append(f"image failed to load: {img['src']}")
    problems += _leaks_and_errors(browser, site)
    if browser.failed_requests():
        problems.append(f"failed requests: {browser.failed_requests()[:5]}")
    return problems


def test_every_page_renders_offline(browser, site):
    problems = {}
    for docname in toc_files():
        found = _check_page(browser, site, docname)
        if found:
            problems[docname] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


PLAYERS = r"""
(() => [...document.querySelectorAll('.gamelib-player')].map(p => ({
  widget: p.dataset.widget,
  src: p.querySelector('img.gamelib-frame').getAttribute('src'),
  loaded: p.querySelector('img.gamelib-frame').complete,
  alt: p.querySelector('img.gamelib-frame').alt,
  caption: p.querySelector('.gamelib-caption').textContent,
  controls: [...p.querySelectorAll('[data-control]')].map(c => ({
    name: c.dataset.control, tag: c.tagName, value: c.value, disabled: c.disabled,
    marked: c.parentNode.classList.contains('gamelib-disabled') && c.title.length > 20,
    last: c.tagName === 'SELECT' ? c.options.length - 1 : Number(c.max),
    width: c.getBoundingClientRect().width, column: p.getBoundingClientRect().width,
  })),
})))()
"""

TIMING = r"""
(() => {
  window.__latency = window.__latency || [];
  document.querySelectorAll('.gamelib-player [data-control]').forEach(c =>
    c.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true));
  document.querySelectorAll('.gamelib-player img.gamelib-frame').forEach(img =>
    img.addEventListener('load', () => {
      if (window.__t0) { window.__latency.push(performance.now() - window.__t0); window.__t0 = 0; }
    }));
  return true;
})()
"""

WIDTHS = {"desktop": (1280, False), "phone": (390, True)}


def _move(browser, p: int, c: int, control: dict) -> None:
    """Focus control ``c`` of player ``p`` and press the key that moves it one position."""
    browser.evaluate(f"document.querySelectorAll('.gamelib-player')[{p}]"
                     f".querySelectorAll('[data-control]')[{c}].focus()")
    at_end = int(control["value"]) >= control["last"]
    if control["tag"] == "SELECT":
        browser.press("ArrowUp" if at_end else "ArrowDown")
    else:
        browser.press("ArrowLeft" if at_end else "ArrowRight")


def _reset(browser, p: int) -> None:
    browser.evaluate(f"document.querySelectorAll('.gamelib-player')[{p}]"
                     ".querySelector('.gamelib-reset').click()")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_widget_control_moves_picture_and_caption(browser, site, width):
    """Offline, every control of every frame player changes the picture and the caption."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    px, mobile = WIDTHS[width]
    browser.viewport(px, 1400, mobile)  # tall enough to capture a whole player
    problems, moves, latency = [], 0, []
    try:
        for docname in toc_files():
            browser.open(f"{site}/{docname}.html")
            _settle(browser)
            players = browser.evaluate(PLAYERS)
            if not players:
                continue
            browser.evaluate(TIMING)
            for p, player in enumerate(players):
                tag = f"{docname}:{player['widget']}"
                browser.capture(ARTIFACTS / f"widget-{player['widget']}-{width}-before.png",
                                ".gamelib-player", p)
                for c, control in enumerate(player["controls"]):
                    if mobile and control["width"] < 0.6 * control["column"]:
                        problems.append(f"{tag}: {control['name']} is {control['width']:.0f} px "
                                        f"wide in a {control['column']:.0f} px player")
                    before = browser.evaluate(PLAYERS)[p]
                    if before["controls"][c]["disabled"]:
                        problems.append(f"{tag}: {control['name']} disabled at the default")
                        continue
                    _move(browser, p, c, before["controls"][c])
                    moved = browser.wait_for(
                        f"(() => {{ const s = ({PLAYERS.strip()})[{p}]; return s.loaded && "
                        f"s.src !== {before['src']!r} && s.caption !== {before['caption']!r}; }})()",
                        5)
                    after = browser.evaluate(PLAYERS)[p]
                    moves += 1
                    if not moved:
                        problems.append(f"{tag}: {control['name']} moved the picture "
                                        f"{after['src'] != before['src']}, the caption "
                                        f"{after['caption'] != before['caption']}")
                    if c == 0:
                        browser.capture(ARTIFACTS / f"widget-{player['widget']}-{width}-after.png",
                                        ".gamelib-player", p)
                    for other in after["controls"]:  # the slices' other controls: marked
                        if other["disabled"] and not other["marked"]:
                            problems.append(f"{tag}: {other['name']} disabled without a mark")
                    _reset(browser, p)
                    browser.wait_for(f"({PLAYERS.strip()})[{p}].src === {before['src']!r}", 5)
            latency += browser.evaluate("window.__latency || []")
            problems += [f"{docname}: {p}" for p in _leaks_and_errors(browser, site)]
    finally:
        browser.viewport(1400, 1000)
    (ARTIFACTS / f"player_latency-{width}.json").write_text(json.dumps(
        {"width": px, "moves": moves, "latency_ms": latency}, indent=1))
    assert problems == [], "\n".join(problems)
    assert moves >= 20, f"only {moves} control moves found"


def test_no_chapter_scrolls_sideways_on_a_phone(browser, site):
    browser.viewport(390, 800, mobile=True)
    wide = {}
    try:
        for docname in toc_files():
            if not ("/ch" in docname or docname.endswith("index")):
                continue
            browser.open(f"{site}/{docname}.html")
            _settle(browser)
            size = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if size[0] > size[1] + 1:
                wide[docname] = size
        browser.screenshot(ARTIFACTS / "chapter-phone.png", width=390, height=800)
    finally:
        browser.viewport(1400, 1000)
    assert wide == {}, f"pages wider than the 390 px screen: {wide}"


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


def test_player_works_from_a_file_url(browser, built_book):
    """Opened from disk (file://), a player swaps its picture: it never fetch()es."""
    page = built_book.html / "book" / "ch01_persuasion.html"
    browser.open(page.resolve().as_uri())
    assert browser.wait_for("document.querySelector('.gamelib-player.gamelib-ready') !== null", 10)
    state = ("(() => { const p = document.querySelector('.gamelib-player'); const i = p.querySelector("
             "'img.gamelib-frame'); return [i.src, i.complete && i.naturalWidth, "
             "p.querySelector('.gamelib-caption').textContent]; })()")
    before = browser.evaluate(state)
    browser.evaluate("document.querySelector('.gamelib-player [data-control]').focus()")
    browser.press("ArrowRight")
    assert browser.wait_for(f"(() => {{ const s = {state}; return s[1] > 0 && s[0] !== {before[0]!r}; }})()", 5)
    after = browser.evaluate(state)
    assert after[0].startswith("file://") and after[2] != before[2]
    assert browser.failed_requests() == [] and browser.js_errors() == []
