"""Smoke tests of the benchmark code paths on tiny sizes (correctness only, no timing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import enumeration, widgets  # noqa: E402
from gamelib import examples, experiment_grid  # noqa: E402

GAMES = [
    (lambda: examples.random_market(enumeration.SEED, n_providers=2, n_users=2), 2),
    (lambda: examples.random_market(enumeration.SEED, n_providers=3, n_users=2), 3),
    (examples.opposite_tastes, 2),  # many exact ties
    (lambda: examples.random_market(1, n_providers=1, n_users=3), 1),
]


@pytest.mark.parametrize("factory, k", GAMES)
def test_loop_agrees_with_gamelib(factory, k):
    market = factory()
    grid = experiment_grid(2, 3 if k < 3 else 2)
    found, _ = enumeration.gamelib_profiles(market, grid)
    values, payoffs = enumeration.weighted_tables(market, grid)
    assert enumeration.loop_equilibria(values, payoffs) == found
    assert found  # these games have pure equilibria


def test_loop_on_a_hand_made_game():
    # One user, two providers, two experiments worth 0 and 1 to her; provider 0
    # earns 1 when she consumes experiment 1, provider 1 earns 1 on experiment 0.
    values = np.array([[0.0], [1.0]])
    payoffs = np.array([[[0.0], [1.0]], [[1.0], [0.0]]])
    # Provider 0 offering experiment 1 wins her whatever provider 1 does (ties
    # go to provider 0), so (1, 0) and (1, 1) are the equilibria.
    assert enumeration.loop_equilibria(values, payoffs) == {(1, 0), (1, 1)}


def test_payoff_arrays_match_the_loop_rule():
    market = examples.opposite_tastes()
    grid = experiment_grid(2, 2)
    values, payoffs = enumeration.weighted_tables(market, grid)
    arrays = enumeration.payoff_arrays(values, payoffs)
    assert arrays.shape == (2, 9, 9)
    # both silent: users consult provider 0 and play action 0 (3/8 each, see gamelib.play)
    assert arrays[:, 0, 0] == pytest.approx([0.375, 0.375])


def test_pygambit_agrees_with_gamelib():
    pytest.importorskip("pygambit")  # benchmark-only requirement
    for factory, _k in GAMES[:3]:
        market = factory()
        grid = experiment_grid(2, 2)
        found, _ = enumeration.gamelib_profiles(market, grid)
        arrays = enumeration.payoff_arrays(*enumeration.weighted_tables(market, grid))
        profiles, build, solve = enumeration.pygambit_equilibria(arrays)
        assert profiles == found
        assert build >= 0 and solve >= 0


def test_run_setting_with_a_tiny_budget_extrapolates():
    market = examples.random_market(enumeration.SEED, n_providers=2, n_users=2)
    methods = ("loop", "pygambit") if enumeration.pygambit_available() else ("loop",)
    rec = enumeration.run_setting("tiny", market, 2, 4, budget=1e-4, methods=methods)
    assert rec["experiments"] == 25 and rec["profiles"] == 625
    for name in methods:
        assert rec[name]["agrees_with_gamelib"]
        assert rec[name]["extrapolated"] and rec[name]["run_experiments"] < 25
    assert "loop_over_gamelib" in rec
    text = enumeration.table([rec])
    assert "tiny" in text and "*" in text
    checks = enumeration.targets([rec])
    assert {c["target"] for c in checks} == {
        "loop_over_gamelib" if m == "loop" else "pygambit_solve_over_gamelib" for m in methods
    }
    assert all(c["extrapolated"] for c in checks)


def test_subset_keeps_silence_and_is_sorted():
    idx = enumeration.subset(441, 10)
    assert idx[0] == 0 and idx[-1] == 440 and len(idx) == 10
    assert np.all(np.diff(idx) > 0)


# ----------------------------------------------------------------------------
# Widget harness, on fake factories
# ----------------------------------------------------------------------------


def _fake_factories():
    from gamelib.interactive import PALETTE, Slider, Widget

    def setup(fig, q=0.5):
        return {"line": fig.add_subplot(ylim=(0, 1)).plot([0, 1], [0, q], color=PALETTE[0])[0]}

    def refresh(artists, q=0.5):
        artists["line"].set_ydata([0, q])
        return f"height {q:.2f}"

    def builder():
        return Widget("line", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.25, 0.5)},
                      alt=lambda q: "a line")

    def broken_builder():
        raise RuntimeError("boom")

    return {"line": builder, "broken": broken_builder}


def test_widget_harness_on_fake_factories():
    result = {"widgets": widgets.benchmark_widgets(_fake_factories(), n=3, seed=1)}
    by_name = {r["widget"]: r for r in result["widgets"]}
    line = by_name["line"]
    assert line["n"] == 3
    assert 0 < line["p50_s"] <= line["p95_s"] <= line["max_s"]
    assert line["frames"] == 5 and 1 <= line["files"] <= 5 and line["bytes"] > 0
    assert "RuntimeError: boom" in by_name["broken"]["error"] and by_name["broken"]["slow"]
    text = widgets.table(result)
    assert "line" in text and "ERROR" in text


def test_widget_factories_are_the_books():
    found = widgets.factories({"ties": "explorations:_ties_widget"})
    assert found["ties"]().name == "ties"
    assert len(widgets.factories()) == 10


def test_runner_writes_json(tmp_path, monkeypatch):
    from benchmarks import run

    tiny = [("tiny k=2 r=2", examples.opposite_tastes, 2, 2)]
    monkeypatch.setattr(enumeration, "settings", lambda quick=False: tiny)
    monkeypatch.setattr(widgets, "run", lambda n, seed: {
        "widgets": widgets.benchmark_widgets(_fake_factories(), n=2)})
    out = tmp_path / "r.json"
    assert run.main(["--quick", "--no-pygambit", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["enumeration"][0]["loop"]["agrees_with_gamelib"]
    assert {w["widget"] for w in data["widgets"]["widgets"]} == {"line", "broken"}
