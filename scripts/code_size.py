"""Measure the size of gamelib: code lines and public names, per module and in total.

Usage: ``python scripts/code_size.py [--package gamelib] [--exclude interactive] [--max-lines N] [--max-names N]``

Issue 13's two targets, each with a ``PASS``/``FAIL`` line: at most 3,300 code lines in the whole
package (``gamelib/interactive`` included) and at most 100 distinct public module-level names across
``gamelib`` and its submodules.  The exit status is 1 if a target fails.

Definitions
-----------
*Code line*: a physical line of a ``.py`` file that carries at least one token other than a
comment, a newline, an indentation change or a docstring.  Docstrings are the string literals
that open a module, a class or a function (found with :mod:`ast`); tokens come from
:mod:`tokenize`.  Blank lines, comments and docstrings therefore count zero; a line with code and
a trailing comment counts one.

*Public name*: an identifier, not starting with ``_``, that is

* a public module or subpackage (its last dotted component, e.g. ``studies``);
* bound at module level of a public module by ``def``, ``class``, an assignment or an annotated
  assignment (names that a module only imports are not counted: they are defined elsewhere);
* an attribute of a public class defined in its body: methods, properties, class-level
  assignments and dataclass fields.

A module is public when no component of its dotted path starts with ``_`` (``gamelib._validation``
and ``gamelib.interactive._common`` are private; their names are not counted).  *Distinct*
names are distinct identifiers across the whole package: ``eps`` defined as a field of two classes
counts once.  Two totals are printed: the distinct *module-level* names (modules, functions,
classes, constants: what a reader imports; the measure of issue 13's target of at most 100) and
the distinct names *including class attributes*; the qualified count (``module.name`` and
``module.Class.attr``) is printed per module.
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_lines(source: str) -> int:
    """Number of code lines of ``source`` (see the module docstring)."""
    doc = _docstring_lines(ast.parse(source))
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in _SKIP:
            continue
        for line in range(tok.start[0], tok.end[0] + 1):
            if line not in doc:
                lines.add(line)
    return len(lines)


def _targets(node) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for elt in node.elts for n in _targets(elt)]
    return []


def _assigned(node) -> list[str]:
    """Names bound by an assignment statement (plain or annotated); none for other statements."""
    if isinstance(node, ast.Assign):
        return [n for t in node.targets for n in _targets(t)]
    if isinstance(node, ast.AnnAssign):
        return _targets(node.target)
    return []


def public_names(source: str) -> list[str]:
    """Qualified public names (``name`` or ``Class.attr``) defined in ``source``."""
    out: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [node.name]
        elif isinstance(node, ast.ClassDef):
            names = [node.name]
            if not node.name.startswith("_"):
                for item in node.body:
                    is_def = isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    attrs = [item.name] if is_def else _assigned(item)
                    out += [f"{node.name}.{a}" for a in attrs if not a.startswith("_")]
        else:
            names = _assigned(node)
        out += [n for n in names if not n.startswith("_")]
    return out


def measure(package: Path, exclude: tuple[str, ...] = ()) -> list[tuple[str, int, list[str]]]:
    """``(module, code lines, qualified public names)`` for every module of ``package``."""
    rows = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if any(p in exclude for p in parts[1:]):
            continue
        module = ".".join(parts)
        source = path.read_text(encoding="utf-8")
        private = any(p.startswith("_") for p in parts)
        names = [] if private else public_names(source)
        if not private and len(parts) > 1:
            names = [parts[-1], *names]  # the module's own name
        rows.append((module, code_lines(source), names))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=str(ROOT / "gamelib"))
    parser.add_argument("--exclude", action="append", default=[],
                        help="skip a subpackage or module by name (repeatable), e.g. interactive")
    parser.add_argument("--max-lines", type=int, default=3300, help="target: at most this many code lines")
    parser.add_argument("--max-names", type=int, default=100,
                        help="target: at most this many distinct public module-level names")
    args = parser.parse_args(argv)
    rows = measure(Path(args.package), tuple(args.exclude))
    distinct: set[str] = set()
    top: set[str] = set()
    qualified = 0
    print(f"{'module':40s} {'code lines':>10s} {'public names':>13s}")
    for module, lines, names in rows:
        print(f"{module:40s} {lines:10d} {len(names):13d}")
        distinct.update(n.rsplit(".", 1)[-1] for n in names)
        top.update(n for n in names if "." not in n)
        qualified += len(names)
    print(f"{'total':40s} {sum(r[1] for r in rows):10d} {qualified:13d}  (qualified)")
    print(f"distinct public names, module level: {len(top)}")
    print(f"distinct public names, with class attributes: {len(distinct)}")
    lines = sum(r[1] for r in rows)
    ok = [lines <= args.max_lines, len(top) <= args.max_names]
    print(f"{'PASS' if ok[0] else 'FAIL'}: code lines {lines} (target <= {args.max_lines})")
    print(f"{'PASS' if ok[1] else 'FAIL'}: distinct public module-level names {len(top)} (target <= {args.max_names})")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
