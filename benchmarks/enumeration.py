"""Pure-equilibrium enumeration: gamelib's vectorised kernel against two references.

Three ways of finding every pure equilibrium of the same anonymous-mode game
(k providers, each posting one of the ``E`` experiments of a grid):

``gamelib``
    :func:`gamelib.equilibria` ``(market, experiments, "anonymous")``, timed from
    the market to the equilibrium list, i.e. including gamelib's own table
    computation and the outcome of every equilibrium.
``loop``
    :func:`loop_equilibria`, a plain pure-Python implementation written here: the
    same tables (:func:`gamelib.outcome_tables`, mass-weighted), the same choice
    rule (largest value, ties within ``VALUE_ATOL`` to the lowest provider index),
    every profile's payoffs computed once, then every unilateral deviation checked
    through each provider's best-deviation payoff against the others' strategies.
    It is a reasonable loop (O(E**k) work, each payoff computed once), not the
    naive O(E**(k+1)) one.
``pygambit``
    ``pygambit.nash.enumpure_solve`` on the same payoff table (built with
    ``Game.from_arrays``; its build time is reported separately from its solve
    time).  Gambit compares payoffs exactly (as rationals), gamelib within
    ``VALUE_ATOL``; the table handed to Gambit is rounded to 12 decimals so that
    floating-point noise (~1e-16) in payoffs that are equal in exact arithmetic
    does not make the two disagree.

Where a reference would take longer than the budget (60 s by default), it is run
on an evenly spaced subset of the grid and its time extrapolated linearly in the
number of profiles ``E**k`` (marked ``extrapolated``).  Gambit's enumpure checks
all ``E`` strategies of every player at every profile, so its cost grows like
``E**(k+1)``; the linear extrapolation is then a lower bound, and the
``E**(k+1)`` extrapolation is reported beside it.

Every method that runs on a game is checked to return exactly the same set of
equilibrium profiles as gamelib on that game (an ``AssertionError`` otherwise).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from gamelib import equilibria, examples, experiment_grid, outcome_tables
from gamelib._validation import VALUE_ATOL

#: Seed of the random markets (seed 6: both users value information, so the
#: game is not degenerate — with some seeds a user has a dominant action and
#: every profile is an equilibrium).
SEED = 6
#: Users in the random markets.
N_USERS = 2
#: Wall-time budget (s) above which a reference is extrapolated instead of run.
BUDGET = 60.0
#: Targets the report is read against.
TARGETS = {"pygambit_solve_over_gamelib": 100.0, "loop_over_gamelib": 50.0, "profiles_per_second_k3_r20": 1e7}

__all__ = [
    "SEED",
    "BUDGET",
    "TARGETS",
    "settings",
    "weighted_tables",
    "gamelib_profiles",
    "loop_equilibria",
    "payoff_arrays",
    "pygambit_available",
    "pygambit_equilibria",
    "subset",
    "run_setting",
    "run",
]


# ----------------------------------------------------------------------------
# The games
# ----------------------------------------------------------------------------


def settings(quick=False):
    """The benchmarked games: (label, market factory, k, resolution)."""
    out = []
    resolutions = (10,) if quick else (10, 20)
    for k in (2, 3):
        for r in resolutions:
            def factory(k=k):
                return examples.random_market(SEED, n_providers=k, n_users=N_USERS)

            out.append((f"random(seed={SEED}) k={k} r={r}", factory, k, r))
    for r in resolutions:
        out.append((f"Proposition 5.1 k=2 r={r}", examples.opposite_tastes, 2, r))
    return out


def weighted_tables(market, experiments):
    """Value table ``[E, n]`` and mass-weighted payoff table ``[k, E, n]`` (gamelib's)."""
    values, payoffs, _ = outcome_tables(market, experiments)
    return values, payoffs * market.masses


def subset(n_exp, size):
    """Evenly spaced indices into a grid of ``n_exp`` experiments (index 0, silence, included)."""
    size = max(1, min(int(size), n_exp))
    return np.unique(np.linspace(0, n_exp - 1, size).round().astype(int))


# ----------------------------------------------------------------------------
# The three methods
# ----------------------------------------------------------------------------


def gamelib_profiles(market, experiments):
    """gamelib's equilibria as a set of profile tuples, and the wall time (s)."""
    start = time.perf_counter()
    eq = equilibria(market, experiments, "anonymous")
    seconds = time.perf_counter() - start
    return {tuple(int(x) for x in p) for p in eq.profiles}, seconds


def loop_equilibria(values, payoffs, tol=VALUE_ATOL):
    """All pure equilibria by plain Python loops over profiles.

    Parameters
    ----------
    values : array_like, shape [E, n]
        ``values[e][j]``: value of experiment ``e`` to user ``j``.
    payoffs : array_like, shape [k, E, n]
        Mass-weighted payoff to provider ``l`` when user ``j`` consumes ``e``.
    tol : float
        Ties: users pick the lowest provider index among offers within ``tol``
        of the best; a profile is an equilibrium if no provider gains more
        than ``tol`` by a unilateral deviation.

    Returns
    -------
    set of tuple of int
        The equilibrium profiles ``(e_0, ..., e_{k-1})``.
    """
    values = np.asarray(values, dtype=float)
    payoffs = np.asarray(payoffs, dtype=float)
    k, n_exp, n_users = payoffs.shape
    by_user = [values[:, j].tolist() for j in range(n_users)]  # by_user[j][e]
    pay_by_user = [[payoffs[l, :, j].tolist() for l in range(k)] for j in range(n_users)]
    providers = range(k)
    # 1. Each provider's payoff at every profile (row-major order of the profiles).
    util = [[0.0] * n_exp**k for _ in providers]
    for idx, profile in enumerate(itertools.product(range(n_exp), repeat=k)):
        for vj, pj in zip(by_user, pay_by_user):
            offered = [vj[e] for e in profile]
            threshold = max(offered) - tol
            i = 0
            while offered[i] < threshold:  # lowest provider index within tol of the best
                i += 1
            e = profile[i]
            for u, pl in zip(util, pj):
                u[idx] += pl[e]
    # 2. Each provider's best payoff over its own strategies, the others' fixed.
    stable = [True] * n_exp**k
    for l in providers:
        stride = n_exp ** (k - 1 - l)
        u = util[l]
        best = {}
        for idx in range(n_exp**k):
            own = (idx // stride) % n_exp
            key = idx - own * stride  # the profile with provider l's strategy zeroed
            if u[idx] > best.get(key, -math.inf):
                best[key] = u[idx]
        # 3. A profile is stable for l if no unilateral deviation gains more than tol.
        for idx in range(n_exp**k):
            if stable[idx]:
                own = (idx // stride) % n_exp
                if u[idx] < best[idx - own * stride] - tol:
                    stable[idx] = False
    return {p for p, ok in zip(itertools.product(range(n_exp), repeat=k), stable) if ok}


def payoff_arrays(values, payoffs, tol=VALUE_ATOL):
    """Every provider's payoff at every profile, arrays of shape ``[E] * k`` (vectorised)."""
    values, payoffs = np.asarray(values), np.asarray(payoffs)
    k, n_exp, n_users = payoffs.shape
    grids = np.indices((n_exp,) * k).reshape(k, -1).T  # [P, k]
    out = np.zeros((k, grids.shape[0]))
    for j in range(n_users):
        offered = values[grids, j]  # [P, k]
        choice = np.argmax(offered >= offered.max(axis=1, keepdims=True) - tol, axis=1)
        consumed = grids[np.arange(grids.shape[0]), choice]
        out += payoffs[:, consumed, j]
    return out.reshape((k,) + (n_exp,) * k)


def pygambit_available():
    """Is pygambit importable (it is a benchmark-only requirement)?"""
    try:
        import pygambit  # noqa: F401
    except ImportError:
        return False
    return True


def pygambit_equilibria(arrays):
    """Enumerate pure equilibria with pygambit.

    Parameters
    ----------
    arrays : ndarray, shape [k, E, ..., E]
        Each provider's payoff at every profile.

    Returns
    -------
    profiles : set of tuple of int
    build_seconds : float
        ``Game.from_arrays`` on the table rounded to 12 decimals.
    solve_seconds : float
        ``pygambit.nash.enumpure_solve`` alone.
    """
    import pygambit as gbt

    rounded = np.round(np.asarray(arrays, dtype=float), 12)
    start = time.perf_counter()
    game = gbt.Game.from_arrays(*rounded)
    build = time.perf_counter() - start
    start = time.perf_counter()
    result = gbt.nash.enumpure_solve(game)
    solve = time.perf_counter() - start
    profiles = set()
    for eq in result.equilibria:
        profile = []
        for player in game.players:
            probs = [eq[s] for s in player.strategies]
            profile.append(next(i for i, p in enumerate(probs) if p == 1))
        profiles.add(tuple(profile))
    return profiles, build, solve


# ----------------------------------------------------------------------------
# Timing with a budget and extrapolation
# ----------------------------------------------------------------------------


def _loop_method(market, experiments):
    start = time.perf_counter()
    values, payoffs = weighted_tables(market, experiments)
    profiles = loop_equilibria(values, payoffs)
    return profiles, {"total": time.perf_counter() - start}


def _gambit_method(market, experiments):
    start = time.perf_counter()
    values, payoffs = weighted_tables(market, experiments)
    arrays = payoff_arrays(values, payoffs)
    table = time.perf_counter() - start
    profiles, build, solve = pygambit_equilibria(arrays)
    return profiles, {"table": table, "build": build, "solve": solve, "total": table + build + solve}


#: Runs shorter than this are repeated (at least ``MIN_RUNS`` times, until ``REPEAT_BUDGET``
#: seconds are spent or ``MAX_RUNS`` runs are done) and the fastest is reported, as ``timeit``
#: does (noise on a shared machine only ever adds time) -- the same rule for every method, so a
#: millisecond call is not judged by one noisy or cold run.
SHORT_RUN = 0.2
MIN_RUNS, MAX_RUNS, REPEAT_BUDGET = 5, 50, 1.0


def _best_times(run, first):
    """The fastest of ``first`` and further ``run()`` timings while runs are short."""
    samples = [first]
    while samples[0]["total"] < SHORT_RUN and len(samples) < MAX_RUNS and (
        len(samples) < MIN_RUNS or sum(s["total"] for s in samples) < REPEAT_BUDGET
    ):
        samples.append(run())
    out = dict(min(samples, key=lambda s: s["total"]))
    out["runs"] = len(samples)
    return out


def _estimate(times, scale, k, solve_exponent):
    """Projected time of a run ``scale`` times wider: parts linear in E**k, ``solve`` in E**solve_exponent."""
    parts = {key: val for key, val in times.items() if key != "total"} or {"total": times["total"]}
    return sum(val * scale ** (solve_exponent if key == "solve" else k) for key, val in parts.items())


def _budgeted(method, market, grid, k, budget, solve_exponent, probe_profiles=2000):
    """Run ``method`` on the whole grid if it fits the budget, else on a subset.

    The decision uses a probe on a small subset: every part of the method's
    time is projected linearly in ``E**k``, except a ``solve`` part projected
    along ``E**solve_exponent`` (pygambit's enumpure: ``E**(k+1)``).  Reported
    times of a subset run are extrapolated linearly in ``E**k``, and for
    ``solve_exponent > k`` also along ``E**solve_exponent``.  Returns the
    record, the indices of the experiments the method ran on, and its profiles
    (checked against gamelib by the caller).
    """
    n_exp = grid.shape[0]
    probe = subset(n_exp, min(max(2, round(probe_profiles ** (1 / k))), max(2, n_exp // 2)))
    _, times = method(market, grid[probe])
    if _estimate(times, n_exp / len(probe), k, solve_exponent) <= budget:
        chosen = np.arange(n_exp)
    else:  # the widest subset projected to take about a quarter of the budget
        size = len(probe)
        while size < n_exp - 1 and _estimate(times, (size + 1) / len(probe), k, solve_exponent) <= budget / 4:
            size += 1
        chosen = subset(n_exp, max(2, min(size, n_exp - 1)))
    profiles, times = method(market, grid[chosen])
    times = _best_times(lambda: method(market, grid[chosen])[1], times)
    runs = times.pop("runs")
    e_run = len(chosen)
    record = {"run_experiments": e_run, "run_profiles": e_run**k, "extrapolated": e_run < n_exp,
              "timed_runs": runs}
    scale = (n_exp / e_run) ** k
    for key, val in times.items():
        record[f"{key}_s"] = val * scale
        if e_run < n_exp:
            record[f"{key}_s_measured"] = val
    if solve_exponent > k and e_run < n_exp and "solve" in times:
        record["solve_s_extrapolated_E^(k+1)"] = times["solve"] * (n_exp / e_run) ** solve_exponent
    return record, chosen, profiles


def run_setting(label, market, k, resolution, budget=BUDGET, methods=("loop", "pygambit")):
    """Benchmark one game; returns a dict of timings, ratios and counts."""
    grid = experiment_grid(2, resolution)
    n_exp = grid.shape[0]
    # gamelib, the whole grid: a warm-up call (the others' first runs are their probes), then
    # the same repetition rule as the reference methods
    gamelib_profiles(market, grid)
    found, seconds = gamelib_profiles(market, grid)
    timed = _best_times(lambda: {"total": gamelib_profiles(market, grid)[1]}, {"total": seconds})
    seconds = timed["total"]
    rec = {
        "setting": label,
        "k": k,
        "resolution": resolution,
        "experiments": n_exp,
        "profiles": n_exp**k,
        "equilibria": len(found),
        "gamelib_s": seconds,
        "gamelib_timed_runs": timed["runs"],
        "gamelib_profiles_per_s": n_exp**k / seconds,
    }
    runners = {"loop": (_loop_method, k), "pygambit": (_gambit_method, k + 1)}
    for name in methods:
        if name == "pygambit" and not pygambit_available():
            rec["pygambit"] = {"skipped": "pygambit is not installed (pip install -r benchmarks/requirements.txt)"}
            continue
        method, exponent = runners[name]
        record, chosen, profiles = _budgeted(method, market, grid, k, budget, exponent)
        reference = found if len(chosen) == n_exp else gamelib_profiles(market, grid[chosen])[0]
        assert profiles == reference, (
            f"{label}: {name} found {len(profiles)} equilibria, gamelib {len(reference)} "
            f"(on {len(chosen)} experiments); symmetric difference {sorted(profiles ^ reference)[:5]}"
        )
        record["agrees_with_gamelib"] = True
        record["equilibria_on_run"] = len(profiles)
        rec[name] = record
    if "loop" in rec and "total_s" in rec["loop"]:
        rec["loop_over_gamelib"] = rec["loop"]["total_s"] / seconds
    if "pygambit" in rec and "solve_s" in rec["pygambit"]:
        rec["pygambit_solve_over_gamelib"] = rec["pygambit"]["solve_s"] / seconds
        rec["pygambit_total_over_gamelib"] = rec["pygambit"]["total_s"] / seconds
    return rec


def run(quick=False, budget=BUDGET, methods=("loop", "pygambit"), log=print):
    """Run every setting; returns the list of records."""
    records = []
    for label, factory, k, r in settings(quick):
        start = time.perf_counter()
        rec = run_setting(label, factory(), k, r, budget=budget, methods=methods)
        rec["benchmark_wall_s"] = time.perf_counter() - start
        records.append(rec)
        if log:
            log(f"  {label}: done in {rec['benchmark_wall_s']:.1f} s")
    return records


def _fmt_s(rec, key="total_s"):
    if not isinstance(rec, dict) or key not in rec:
        return "—"
    mark = "*" if rec.get("extrapolated") else ""
    return f"{rec[key]:.4g}{mark}"


def table(records):
    """A plain-text table of the enumeration records (``*`` = extrapolated)."""
    head = (
        f"{'setting':30s} {'E':>4s} {'E**k':>10s} {'#eq':>7s} {'gamelib s':>10s} {'Mprof/s':>8s} "
        f"{'loop s':>10s} {'loop/gl':>8s} {'gbt build s':>12s} {'gbt solve s':>12s} {'solve/gl':>9s}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        g = r.get("pygambit", {})
        lp = r.get("loop", {})
        ratio_l = "—"
        if "loop_over_gamelib" in r:
            ratio_l = f"{r['loop_over_gamelib']:.0f}" + ("*" if lp.get("extrapolated") else "")
        ratio_g = (
            f"{r['pygambit_solve_over_gamelib']:.0f}" + ("*" if g.get("extrapolated") else "")
            if "pygambit_solve_over_gamelib" in r
            else "—"
        )
        lines.append(
            f"{r['setting']:30s} {r['experiments']:4d} {r['profiles']:10d} {r['equilibria']:7d} "
            f"{r['gamelib_s']:10.4g} {r['gamelib_profiles_per_s'] / 1e6:8.2f} "
            f"{_fmt_s(lp):>10s} {ratio_l:>8s} {_fmt_s(g, 'build_s'):>12s} {_fmt_s(g, 'solve_s'):>12s} {ratio_g:>9s}"
        )
    lines.append("* extrapolated linearly in the number of profiles from a run on an evenly spaced subset of the grid")
    return "\n".join(lines)


def targets(records):
    """Check every record against :data:`TARGETS`.

    Returns
    -------
    list of dict
        ``{"target", "setting", "value", "goal", "met", "extrapolated"}``, one per
        (target, setting) where the number exists; the profiles-per-second
        target only for k = 3 at resolution 20.
    """
    out = []
    for r in records:
        for key, ref in (("pygambit_solve_over_gamelib", "pygambit"), ("loop_over_gamelib", "loop")):
            if key in r:
                out.append({
                    "target": key, "setting": r["setting"], "value": r[key], "goal": TARGETS[key],
                    "met": bool(r[key] >= TARGETS[key]), "extrapolated": bool(r[ref].get("extrapolated")),
                })
        if r["k"] == 3 and r["resolution"] == 20:
            key, val = "profiles_per_second_k3_r20", r["gamelib_profiles_per_s"]
            out.append({
                "target": key, "setting": r["setting"], "value": val, "goal": TARGETS[key],
                "met": bool(val >= TARGETS[key]), "extrapolated": False,
            })
    return out
