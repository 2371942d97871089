"""Resolve ``gamelib.name`` cross-references to where ``name`` is documented.

``gamelib`` re-exports its public functions at the top level (``gamelib.play``), while the
API page documents each one in its module (``gamelib.equilibrium.play``). Docstrings may
use either spelling; with ``-n`` an unresolved one is a warning. When a Python reference
``gamelib.X`` (or ``gamelib.sub.X``) finds no target, this looks for exactly one documented
``gamelib.<module>.X`` and links there.
"""

from __future__ import annotations

from sphinx.util.nodes import make_refnode


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("gamelib."):
        return None
    name = target.rsplit(".", 1)[-1]
    domain = env.get_domain("py")
    candidates = [full for full in domain.objects
                  if full.startswith("gamelib.") and full != target
                  and full.rsplit(".", 1)[-1] == name
                  and not domain.objects[full].aliased]
    if len(candidates) > 1:  # prefer a top-level module over gamelib.interactive.*
        core = [c for c in candidates if c.count(".") == 2 and ".interactive." not in c]
        candidates = core if len(core) == 1 else candidates
    if len(candidates) != 1:
        return None
    obj = domain.objects[candidates[0]]
    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode,
                        candidates[0])


def setup(app):
    app.connect("missing-reference", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
