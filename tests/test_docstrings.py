"""Every public function and class of gamelib documents itself with a runnable example.

The examples themselves run as doctests (``--doctest-modules`` in pytest.ini); this test makes
sure none is missing: a public name (in a module's ``__all__``, or else every name the module defines
without a leading underscore) that is a function or a class
must have a docstring with an ``Examples`` section containing at least one ``>>>`` line.
Module-level data (palettes, registries of widgets) is exempt.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import gamelib
import gamelib.interactive


def _modules() -> list[str]:
    names = [f"gamelib.{m.name}" for m in pkgutil.iter_modules(gamelib.__path__)
             if not m.name.startswith("_") and m.name != "interactive"]
    names += [f"gamelib.interactive.{m.name}" for m in pkgutil.iter_modules(gamelib.interactive.__path__)]
    return sorted(names)


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:  # the core modules, gamelib.interactive._common: everything defined there without "_"
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and getattr(obj, "__module__", None) == module_name]
    return [(n, getattr(module, n)) for n in names
            if inspect.isfunction(getattr(module, n)) or inspect.isclass(getattr(module, n))]


def test_modules_are_found():
    modules = _modules()
    assert {"gamelib.market", "gamelib.equilibrium", "gamelib.studies",
            "gamelib.interactive._common", "gamelib.interactive.market"} <= set(modules)
    assert sum(len(_public(m)) for m in modules) > 60  # issue 13: at most 100 public names in all


@pytest.mark.parametrize("module_name", _modules())
def test_every_public_object_has_a_runnable_example(module_name):
    missing = []
    for name, obj in _public(module_name):
        doc = inspect.getdoc(obj) or ""
        if "Examples\n--------" not in doc or ">>>" not in doc.split("Examples\n--------", 1)[1]:
            missing.append(name)
    assert missing == [], f"{module_name}: no 'Examples' section with a doctest in {missing}"
