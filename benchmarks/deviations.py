"""Exact equilibrium checks over all experiments against brute force over a grid.

Three measurements:

``sizes``
    For markets of growing size (users, actions, states; k = 2 providers,
    :func:`market_for`: the first ``examples.random_market`` in which every
    user values information), random profiles (each provider posts a random
    two-signal experiment, or one per user in personalized mode):

    * ``exact``: :func:`gamelib.is_equilibrium` on one profile, caches emptied
      first (a cold check: tie filter, every provider's LPs), in ms;
    * ``construct``: :func:`gamelib.best_deviation` for every provider
      (supremum plus the explicit deviation, verified by replay), cold, in ms;
    * ``grid``: brute force over a two-signal grid — every provider's every
      deviation in ``experiment_grid(Θ, r)`` through
      :func:`gamelib.deviation_gains` (r = 80 on two states, 6,561
      experiments; r = 20 on three states, 9,261, as r = 80 would be 531,441),
      in ms;
    * the gap each method leaves below the exact supremum: the grid's best
      deviation, and the replayed payoff of the explicit exact deviation
      (bounded by ``REPLAY_TOL = 1e-4`` by construction); and how many
      profiles the grid wrongly certifies as equilibria.

``filtering``
    Every grid equilibrium at r = 16 (289 experiments) of a two-user market,
    anonymous mode, judged with :func:`gamelib.is_equilibrium`: wall time with
    the suprema cached by what they depend on (each provider's view of the
    others' offers), the number of distinct suprema computed, and the cost of
    the same work without the cache (cold checks of a sample, extrapolated).

Each timing is the fastest of a few repeats of the same work (the machine is
shared).
"""

from __future__ import annotations

import time

import numpy as np

from gamelib import (
    aligned_value,
    best_deviation,
    deviation_gains,
    deviations,
    equilibria,
    examples,
    experiment_grid,
    is_equilibrium,
    play,
    uninformed_value,
)
from gamelib._validation import pad_signals

#: (users, actions, states) of the size table.
SIZES = [(1, 2, 2), (2, 2, 2), (2, 3, 2), (3, 2, 2), (3, 3, 2), (2, 2, 3), (2, 3, 3)]
#: Grid resolution of the brute force, by number of states.
GRID_R = {2: 80, 3: 20}
#: Profiles per size.
PROFILES = 6
#: Filtering benchmark: resolution and markets.
FILTER_R = 16
#: Targets the report is read against.
TARGETS = {"exact_over_grid_speedup": 1.0, "filter_r16_seconds": 10.0}

__all__ = [
    "SIZES",
    "GRID_R",
    "TARGETS",
    "clear_caches",
    "market_for",
    "random_profiles",
    "grid_best_gains",
    "run_size",
    "run_filtering",
    "run",
    "table",
    "targets",
]


def clear_caches():
    """Empty gamelib.deviations' caches (suprema and tie filters): the next check is cold."""
    deviations._SUP_CACHE.clear()
    deviations._FILTER_CACHE.clear()


def market_for(n_users, n_actions, n_states, min_value=0.02):
    """The first ``examples.random_market`` (seed 0, 1, ...) in which every user values information.

    Information worth at least ``min_value`` (OPT − NOINFO) to each user keeps
    the game non-degenerate: with a dominant action a user ignores every
    experiment and every profile is an equilibrium.
    """
    for seed in range(1000):
        market = examples.random_market(seed, n_states=n_states, n_actions=n_actions, n_users=n_users)
        if np.min(aligned_value(market) - uninformed_value(market)) >= min_value:
            return market, seed
    raise RuntimeError("market_for: no market found")  # pragma: no cover


def random_profiles(market, mode, count, seed=0):
    """``count`` random profiles of two-signal experiments (Dirichlet rows)."""
    rng = np.random.default_rng(seed)
    k, n, s = market.n_providers, market.n_users, market.n_states
    shape = (count, k, s) if mode == "anonymous" else (count, k, n, s)
    return rng.dirichlet(np.ones(2), size=shape)


def grid_best_gains(market, policy, mode, grid):
    """Each provider's best gain over the grid (brute force), shape [k]."""
    width = max(grid.shape[-1], policy.shape[-1])
    grid, policy = pad_signals(grid, width), pad_signals(policy, width)
    gains = []
    for i in range(market.n_providers):
        if mode == "anonymous":
            gains.append(deviation_gains(market, policy, mode, i, grid)[0].max())
        else:
            gains.append(sum(deviation_gains(market, policy, mode, i, grid, user=j)[0].max()
                             for j in range(market.n_users)))
    return np.array(gains)


def _fastest(fn, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run_size(n_users, n_actions, n_states, mode="anonymous", profiles=PROFILES, resolution=None,
             repeats=3, seed=0):
    """One row of the size table (times in ms per profile; gaps over all providers and profiles)."""
    market, market_seed = market_for(n_users, n_actions, n_states)
    resolution = GRID_R.get(n_states, 10) if resolution is None else resolution
    grid = experiment_grid(n_states, resolution)
    exact_t, build_t, grid_t = [], [], []
    grid_gap, replay_gap, false_eq, verdicts = [], [], 0, []
    for policy in random_profiles(market, mode, profiles, seed):
        def exact(policy=policy):
            clear_caches()
            return is_equilibrium(market, policy, mode)

        def construct(policy=policy):
            clear_caches()
            return [best_deviation(market, policy, mode, i) for i in range(market.n_providers)]

        t, verdict = _fastest(exact, repeats)
        exact_t.append(t)
        t, devs = _fastest(construct, repeats)
        build_t.append(t)
        t, gains = _fastest(lambda policy=policy: grid_best_gains(market, policy, mode, grid), repeats)
        grid_t.append(t)
        exact_gains = np.array([d.gain for d in devs])
        grid_gap.extend(exact_gains - gains)
        replay_gap.extend(d.payoff - play(market, d.policy, mode).provider_values[d.provider] for d in devs)
        verdicts.append(verdict)
        false_eq += bool(not verdict and gains.max() <= 1e-9)
    exact_ms, grid_ms = 1e3 * float(np.median(exact_t)), 1e3 * float(np.median(grid_t))
    return {
        "users": n_users, "actions": n_actions, "states": n_states, "mode": mode, "profiles": profiles,
        "market_seed": market_seed,
        "grid_resolution": resolution, "grid_experiments": int(len(grid)),
        "exact_ms": exact_ms, "construct_ms": 1e3 * float(np.median(build_t)), "grid_ms": grid_ms,
        "grid_over_exact": grid_ms / exact_ms,
        "grid_gap_max": float(np.max(grid_gap)), "grid_gap_mean": float(np.mean(grid_gap)),
        "grid_gap_min": float(np.min(grid_gap)),
        "replay_gap_max": float(np.max(replay_gap)),
        "exact_equilibria": int(sum(verdicts)), "grid_false_equilibria": int(false_eq),
    }


def run_filtering(label, factory, resolution=FILTER_R, sample=40, repeats=2):
    """Judge every anonymous grid equilibrium with is_equilibrium, cached and (sampled) uncached."""
    market = factory()
    grid = experiment_grid(2, resolution)
    start = time.perf_counter()
    eqs = equilibria(market, grid, "anonymous")
    enum_s = time.perf_counter() - start
    profiles = [grid[p] for p in eqs.profiles]

    def cached():
        clear_caches()
        return [is_equilibrium(market, p, "anonymous") for p in profiles]

    cached_s, verdicts = _fastest(cached, repeats)
    distinct = len(deviations._SUP_CACHE)
    idx = np.unique(np.linspace(0, len(profiles) - 1, min(sample, len(profiles))).round().astype(int))

    def cold():
        for r in idx:
            clear_caches()
            is_equilibrium(market, profiles[r], "anonymous")

    cold_s, _ = _fastest(cold, 1)
    survivors = [eqs.user_values[r] for r, ok in enumerate(verdicts) if ok]
    return {
        "label": label, "resolution": resolution, "experiments": int(len(grid)),
        "grid_equilibria": len(profiles), "exact_equilibria": int(sum(verdicts)),
        "enumeration_s": enum_s, "filter_s": cached_s, "distinct_suprema": distinct,
        "uncached_s_estimate": cold_s / len(idx) * len(profiles), "uncached_sample": int(len(idx)),
        "worst_user_values_grid": eqs.worst_user_values().tolist(),
        "worst_user_values_exact": np.min(survivors, axis=0).tolist() if survivors else None,
    }


def filter_settings():
    """The markets of the filtering benchmark: (label, factory)."""
    return [
        ("random(seed=6) n=2", lambda: examples.random_market(6, n_users=2)),
        ("Proposition 5.1 (opposite tastes)", examples.opposite_tastes),
    ]


def run(quick=False, log=print):
    """Every measurement; ``quick`` uses fewer sizes, profiles and repeats."""
    sizes = [SIZES[1], SIZES[5]] if quick else SIZES
    profiles, repeats = (2, 1) if quick else (PROFILES, 3)
    out = {"sizes": [], "filtering": []}
    for mode in ("anonymous", "personalized"):
        for n, a, s in sizes:
            rec = run_size(n, a, s, mode, profiles=profiles, repeats=repeats)
            log(f"  {mode:12s} n={n} A={a} Θ={s}: exact {rec['exact_ms']:.1f} ms, grid {rec['grid_ms']:.1f} ms")
            out["sizes"].append(rec)
    for label, factory in filter_settings()[:1] if quick else filter_settings():
        rec = run_filtering(label, factory, repeats=1 if quick else 2, sample=10 if quick else 40)
        log(f"  filtering {label}: {rec['filter_s']:.2f} s for {rec['grid_equilibria']} equilibria")
        out["filtering"].append(rec)
    return out


def table(result):
    """Markdown tables of a :func:`run` result."""
    lines = [
        "| mode | n | A | Θ | exact ms | best_deviation ms | grid r | grid ms | grid/exact | "
        "grid gap max | grid gap mean | replay gap max | exact eq. | grid-only eq. |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["sizes"]:
        lines.append(
            f"| {r['mode']} | {r['users']} | {r['actions']} | {r['states']} | {r['exact_ms']:.1f} | "
            f"{r['construct_ms']:.1f} | {r['grid_resolution']} | {r['grid_ms']:.1f} | {r['grid_over_exact']:.2f} | "
            f"{r['grid_gap_max']:.2e} | {r['grid_gap_mean']:.2e} | {r['replay_gap_max']:.1e} | "
            f"{r['exact_equilibria']}/{r['profiles']} | {r['grid_false_equilibria']} |"
        )
    lines += [
        "",
        "| market | r | grid equilibria | exact equilibria | enumerate s | filter s (cached) | distinct suprema | "
        "uncached s (est.) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["filtering"]:
        lines.append(
            f"| {r['label']} | {r['resolution']} | {r['grid_equilibria']} | {r['exact_equilibria']} | "
            f"{r['enumeration_s']:.2f} | {r['filter_s']:.2f} | {r['distinct_suprema']} | "
            f"{r['uncached_s_estimate']:.1f} |"
        )
    return "\n".join(lines)


def targets(result):
    """The goals: exact faster than the grid at every size; r = 16 filtering under 10 s."""
    out = []
    for r in result["sizes"]:
        out.append({
            "target": "exact_over_grid_speedup", "setting": f"{r['mode']} n={r['users']} A={r['actions']} "
            f"Θ={r['states']} r={r['grid_resolution']}", "value": r["grid_over_exact"],
            "goal": TARGETS["exact_over_grid_speedup"], "met": r["grid_over_exact"] > 1.0,
        })
    for r in result["filtering"]:
        out.append({
            "target": "filter_r16_seconds", "setting": r["label"], "value": r["filter_s"],
            "goal": TARGETS["filter_r16_seconds"], "met": r["filter_s"] < TARGETS["filter_r16_seconds"],
        })
    return out
