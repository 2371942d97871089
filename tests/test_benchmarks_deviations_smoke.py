"""Smoke tests of benchmarks/deviations.py on tiny sizes (correctness only, no timing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import deviations  # noqa: E402
from gamelib import examples, experiment_grid  # noqa: E402


def test_size_row_is_consistent():
    rec = deviations.run_size(2, 2, 2, "anonymous", profiles=2, resolution=4, repeats=1)
    assert rec["grid_experiments"] == 25 and rec["profiles"] == 2
    assert rec["grid_gap_min"] >= -1e-9  # no grid deviation beats the exact supremum
    assert 0.0 <= rec["replay_gap_max"] <= 1e-4 + 1e-12  # the explicit deviation replays close to it
    assert rec["exact_ms"] > 0 and rec["grid_ms"] > 0 and rec["grid_over_exact"] > 0
    assert 0 <= rec["grid_false_equilibria"] <= rec["profiles"] - rec["exact_equilibria"]


def test_personalized_size_row():
    rec = deviations.run_size(1, 2, 2, "personalized", profiles=1, resolution=3, repeats=1)
    assert rec["mode"] == "personalized" and rec["grid_gap_min"] >= -1e-9


def test_grid_best_gains_match_the_silent_equilibrium():
    m = examples.opposite_tastes()
    silent = np.stack([experiment_grid(2, 1)[0]] * 2)
    gains = deviations.grid_best_gains(m, silent, "anonymous", experiment_grid(2, 4))
    assert np.all(gains <= 1e-12)  # Proposition 5.1: silence is a grid equilibrium


def test_filtering_opposite_tastes_at_r2():
    rec = deviations.run_filtering("Proposition 5.1", examples.opposite_tastes, resolution=2, sample=3, repeats=1)
    assert rec["grid_equilibria"] == 29 and rec["exact_equilibria"] == 29
    assert rec["distinct_suprema"] >= 1 and rec["uncached_sample"] == 3
    assert rec["worst_user_values_exact"] == [0.25, 0.25]


def test_table_and_targets():
    result = {
        "sizes": [deviations.run_size(1, 2, 2, profiles=1, resolution=2, repeats=1)],
        "filtering": [deviations.run_filtering("tiny", examples.opposite_tastes, resolution=1, sample=2, repeats=1)],
    }
    text = deviations.table(result)
    assert "anonymous" in text and "tiny" in text
    checks = deviations.targets(result)
    assert {c["target"] for c in checks} == {"exact_over_grid_speedup", "filter_r16_seconds"}


def test_runner_writes_deviations(tmp_path, monkeypatch):
    from benchmarks import run

    tiny = {"sizes": [deviations.run_size(1, 2, 2, profiles=1, resolution=2, repeats=1)], "filtering": []}
    monkeypatch.setattr(deviations, "run", lambda quick=False: tiny)
    out = tmp_path / "d.json"
    assert run.main(["--only", "deviations", "--quick", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["deviations"]["sizes"][0]["users"] == 1 and data["deviation_targets"]
