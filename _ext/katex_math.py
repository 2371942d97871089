"""Math in the HTML book rendered in the browser by the vendored KaTeX (``_static/vendor/katex``).

MathJax 3 (1.16 MB of JavaScript plus its fonts) was most of a chapter's first load; KaTeX
is 0.27 MB plus the few woff2 fonts a page uses. The markup is Sphinx's own (its MathJax
visitors: ``\\(...\\)`` in ``span.math``, ``\\[...\\]`` in ``div.math`` after the equation
number), so a page read without JavaScript still shows the TeX. On pages that have math
(Sphinx's math domain knows), KaTeX's script and stylesheet are added, and a few lines of
inline JavaScript render each ``.math`` element once the deferred scripts have run.
Nothing is loaded from a CDN; it works from ``file://``. Errors are drawn in red by KaTeX
(``.katex-error``), which ``tests/test_browser.py`` checks never happens.
"""

from __future__ import annotations

from sphinx.ext.mathjax import html_visit_displaymath, html_visit_math

KATEX_JS = "vendor/katex/katex.min.js"
KATEX_CSS = "vendor/katex/katex.min.css"

#: Renders every Sphinx math element in place; the TeX of a numbered display is the text
#: after its ``span.eqno``. ``throwOnError: false`` makes a bad formula a visible
#: ``.katex-error`` instead of an exception that would stop the other formulas.
RENDER_JS = r"""
document.addEventListener("DOMContentLoaded", () => {
  if (!window.katex) return;
  const delimited = /^\\[(\[]([\s\S]*)\\[)\]]$/;
  for (const el of document.querySelectorAll("span.math.notranslate, div.math.notranslate")) {
    const display = el.tagName === "DIV";
    const texts = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE);
    const source = texts.map(n => n.data).join("").trim();
    const tex = (source.match(delimited) || [null, source])[1];
    const out = document.createElement(display ? "div" : "span");
    out.className = "math-rendered";
    katex.render(tex, out, {displayMode: display, throwOnError: false, strict: "ignore"});
    texts.forEach(n => n.remove());
    el.appendChild(out);
  }
});
"""


def _install_katex(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or app.builder.math_renderer_name != "katex":
        return
    if not app.env.get_domain("math").has_equations(pagename):
        return
    app.builder.add_css_file(KATEX_CSS)
    app.builder.add_js_file(KATEX_JS, defer="defer")
    app.builder.add_js_file("", body=RENDER_JS)


def setup(app):
    app.add_html_math_renderer("katex", (html_visit_math, None), (html_visit_displaymath, None))
    app.connect("html-page-context", _install_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
