"""The executed book builds without a single Sphinx warning and has a page per TOC entry."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, TEST_BUILD, problem_lines, toc_files

pytestmark = pytest.mark.book

CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com", "mathjax.org",
             "googleapis.com", "gstatic.com", "polyfill.io")


def test_build_succeeds_without_warnings(built_book):
    tail = built_book.output[-4000:]
    assert built_book.returncode == 0, f"jupyter-book build failed:\n{tail}"
    assert problem_lines(built_book.output) == [], "\n".join(problem_lines(built_book.output))


def test_every_toc_entry_has_a_page(built_book):
    assert (built_book.html / "index.html").is_file()
    missing = [f for f in toc_files() if not (built_book.html / f"{f}.html").is_file()]
    assert missing == [], f"TOC entries without an HTML page: {missing}"


def test_chapters_are_numbered_continuously(built_book):
    """Parts 'Foundations' .. 'Beyond the paper' number chapters 1..7 in order."""
    html = (built_book.html / "book" / "index.html").read_text()
    numbered = [f for f in toc_files() if re.search(r"/ch\d\d_", f)]
    for n, docname in enumerate(numbered, start=1):
        page = docname.split("/")[-1]
        assert re.search(rf'href="{page}.html">\s*{n}\.\s', html), (
            f"chapter {page} is not numbered {n} in the navigation")


def test_notebook_pages_offer_md_and_ipynb_downloads(built_book):
    for docname in toc_files():
        source = ROOT / f"{docname}.md"
        if not source.is_file() or "kernelspec:" not in source.read_text()[:600]:
            continue
        html = (built_book.html / f"{docname}.html").read_text()
        assert "download-source-button" in html, docname
        assert "download-notebook-button" in html, docname
        assert (built_book.html / "_sources" / f"{docname}.ipynb").is_file(), docname


def test_pages_load_nothing_from_a_cdn(built_book):
    pattern = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:)?//([^/"]+)')
    offenders = []
    for page in built_book.html.rglob("*.html"):
        for match in pattern.finditer(page.read_text(errors="replace")):
            offenders.append(f"{page.relative_to(built_book.html)}: {match.group(2)}")
    assert offenders == []
    css = "".join(p.read_text(errors="replace") for p in (built_book.html / "_static").rglob("*.css"))
    assert not any(host in css for host in CDN_HOSTS)


def test_vendored_assets_are_in_the_build(built_book):
    static = built_book.html / "_static"
    for rel in ("vendor/katex/katex.min.js", "vendor/katex/katex.min.css", "widgets.js", "widgets.css",
                "vendor/katex/fonts/KaTeX_Main-Regular.woff2", "vendor/katex/LICENSE"):
        assert (static / rel).is_file(), rel
    assert not (static / "vendor" / "mathjax").exists()
    # KaTeX (_ext/katex_math.py) is loaded by the pages that have math, and only by them
    chapter = (built_book.html / "book" / "ch01_persuasion.html").read_text()
    assert "_static/vendor/katex/katex.min.js" in chapter and "katex.render(" in chapter
    assert "vendor/mathjax" not in chapter and "tex-chtml" not in chapter
    assert "katex" not in (built_book.html / "book" / "api.html").read_text()


def test_student_edition_builds_without_solutions(built_book):
    """scripts/build_student_edition.py: same pages, exercises kept, every solution cut."""
    assert built_book.returncode == 0
    out = TEST_BUILD / "student"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_student_edition.py"), "--path-output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert problem_lines(output) == [], "\n".join(problem_lines(output))
    html = out / "_build" / "html"
    assert all((html / f"{f}.html").is_file() for f in toc_files())
    for page in html.rglob("*.html"):
        text = page.read_text(errors="replace")
        assert 'class="solution' not in text and "solution-title" not in text, page
    exercises = sum(p.read_text(errors="replace").count('class="exercise') for p in html.rglob("ch0*.html"))
    assert exercises >= 3 * 7  # the exercises themselves stay
    title = (html / "book" / "index.html").read_text(errors="replace")
    assert "student edition" in title and "instructor edition" not in title
