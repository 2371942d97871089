"""Exact best deviations over all experiments (gamelib.deviations, MODEL.md section 7).

Checked against hand calculations (Proposition 5.1's market, Kamenica–Gentzkow's
prosecutor, a market where the lowest-index tie filter matters), against grids
of experiments (which never beat the supremum and approach it from below), by
replaying the explicit deviation with ``play``, and with hypothesis properties.
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import gamelib
from gamelib import deviations, examples
from gamelib._validation import pad_signals

SILENT = gamelib.reveal_nothing(2, 2)
FULL = gamelib.reveal_everything(2)


def grid_best(market, policy, mode, provider, grid, menu_size=1):
    """Best payoff of ``provider`` over a finite set of deviations (brute force, gamelib's own)."""
    width = max(grid.shape[-1], np.shape(policy)[-1])
    grid, policy = pad_signals(grid, width), pad_signals(policy, width)
    now = gamelib.play(market, policy, mode).provider_values[provider]
    if mode == "anonymous":
        return now + gamelib.deviation_gains(market, policy, mode, provider, grid, menu_size=menu_size)[0].max()
    users = range(market.n_users)
    return now + sum(gamelib.deviation_gains(market, policy, mode, provider, grid, user=j)[0].max() for j in users)


def random_policy(rng, market, mode, n_signals=2):
    shape = (market.n_providers, market.n_states) if mode == "anonymous" else (
        market.n_providers, market.n_users, market.n_states)
    return rng.dirichlet(np.ones(n_signals), size=shape)


def replayed(market, dev, mode):
    return gamelib.play(market, dev.policy, mode).provider_values[dev.provider]


# ----------------------------------------------------------------------------
# Closed forms
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("menus", [False, True])
@pytest.mark.parametrize("provider", [0, 1])
def test_opposite_tastes_silence_is_an_anonymous_equilibrium_of_the_real_game(provider, menus):
    m = examples.opposite_tastes()
    silent = np.stack([SILENT, SILENT])
    dev = gamelib.best_deviation(m, silent, "anonymous", provider, menus=menus)
    assert dev.payoff == pytest.approx(3 / 8, abs=1e-9)  # Proposition 5.1: every informative deviation loses
    assert dev.gain == pytest.approx(0.0, abs=1e-9)
    assert replayed(m, dev, "anonymous") == pytest.approx(3 / 8, abs=1e-9)
    assert gamelib.is_equilibrium(m, silent, "anonymous", menus=menus)


@pytest.mark.parametrize("provider, user", [(0, 0), (1, 1)])
def test_opposite_tastes_personalized_gain_is_one_eighth(provider, user):
    m = examples.opposite_tastes()
    silent = np.broadcast_to(SILENT, (2, 2, 2, 2))
    dev = gamelib.best_deviation(m, silent, "personalized", provider)
    assert dev.gain == pytest.approx(1 / 8, abs=1e-9)
    assert user in dev.users
    # the deviation reveals the state to its own audience (values OPT = 1/2 for that user)
    out = gamelib.play(m, dev.policy, "personalized")
    assert out.choice[user] == provider and out.user_values[user] == pytest.approx(0.5)
    assert replayed(m, dev, "personalized") == pytest.approx(3 / 8 + 1 / 8, abs=1e-9)
    assert not gamelib.is_equilibrium(m, silent, "personalized")


def test_full_revelation_is_an_equilibrium_in_both_modes():
    m = examples.opposite_tastes()
    full = np.stack([FULL, FULL])
    assert gamelib.is_equilibrium(m, full, "anonymous")
    assert gamelib.is_equilibrium(m, full, "anonymous", menus=True)
    assert gamelib.is_equilibrium(m, np.stack([full] * 2, axis=1), "personalized")


@pytest.mark.parametrize("order", [[0, 1], [1, 0]], ids=["convict=0", "convict=1"])
@pytest.mark.parametrize("menus", [False, True])
def test_prosecutor_sup_is_0_6_under_either_labelling(order, menus):
    m = examples.prosecutor().relabel_actions(order)
    dev = gamelib.best_deviation(m, gamelib.reveal_nothing(2)[None], "anonymous", 0, menus=menus)
    assert dev.payoff == pytest.approx(0.6, abs=1e-9)
    assert dev.gain == pytest.approx(0.6, abs=1e-9)  # silence: the judge acquits
    assert dev.users == (0,)
    got = replayed(m, dev, "anonymous")
    experiment = dev.experiment[0] if menus else dev.experiment
    if order == [0, 1]:  # ties favour the prosecutor: the supremum is attained by KG's experiment
        assert got == pytest.approx(0.6, abs=1e-9)
        assert experiment[0].max() == pytest.approx(4 / 7)  # P(convict | innocent) = 3/7 on the other signal
    else:  # the judge convicts only when strictly convinced: 0.6 is approached, not attained
        assert 0.6 - 1e-4 <= got < 0.6


def test_personalized_prosecutor_matches_optimal_persuasion():
    m = examples.prosecutor()
    dev = gamelib.best_deviation(m, gamelib.reveal_nothing(2)[None, None], "personalized", 0)
    kg = gamelib.optimal_persuasion(m.prior, m.provider_utility[0, 0], m.user_utility[0])
    assert dev.payoff == pytest.approx(kg.sender_value, abs=1e-9)
    assert dev.experiment.shape[0] == 1


def test_three_signals_needed_when_two_cannot_converge():
    # three states, three actions, a user who wants to match the state and a provider who
    # wants the same: the sup is 1 (full revelation); two signals leave her guessing between
    # two states, so every two-signal grid stays 1/3 below, whatever its resolution.
    u = np.eye(3)[None]
    m = gamelib.Market(np.ones(3) / 3, [1.0], u, u[None])
    silent = gamelib.reveal_nothing(3, 3)[None]
    dev = gamelib.best_deviation(m, silent, "anonymous", 0)
    assert dev.payoff == pytest.approx(1.0)
    for r in (1, 2, 4, 8):
        assert grid_best(m, silent, "anonymous", 0, gamelib.experiment_grid(3, r, 2)[:-1]) == pytest.approx(2 / 3)
    assert grid_best(m, silent, "anonymous", 0, gamelib.experiment_grid(3, 1, 3)) == pytest.approx(1.0)


def design_sup(market, policy, provider, groups):
    """Supremum when exactly the users in ``groups`` consult the deviator (None if impossible)."""
    policy = np.asarray(policy)[:, None]
    (problem,) = deviations._problems(market, policy, "anonymous", provider, False)
    signals = tuple(deviations._implementable(market.prior, market.user_utility, g) for g in groups)
    lp = deviations._build(problem, groups, signals)
    value, x = deviations._closed(lp)
    return None if value is None else deviations._design_sup(problem, groups, signals, x, value, lp)


def test_strictly_better_offer_needed_to_win_from_a_lower_index():
    # one user who wants to match a coin; the revealer gives her OPT, the other provider wants
    # action 0 whatever the state.  With the higher index it cannot win her (she is at OPT and
    # ties go to the lower index); with the lower index it wins her by matching OPT, which
    # (assumption U) makes her act exactly as before: the same payoff 1/2 either way.
    u = np.eye(2)[None]
    zero = np.array([[[1.0, 1.0], [0.0, 0.0]]])
    m = gamelib.Market([0.5, 0.5], [1.0], u, np.stack([u, zero]))
    policy = np.stack([FULL, SILENT])
    assert gamelib.best_deviation(m, policy, "anonymous", 1).payoff == pytest.approx(0.5)
    assert design_sup(m, policy, 1, ((0,),)) is None  # closed LP feasible (value OPT), open set empty
    assert design_sup(m, policy, 1, ((),)).value == pytest.approx(0.5)
    swapped = m.replace(provider_utility=m.provider_utility[::-1])
    assert gamelib.best_deviation(swapped, policy[::-1], "anonymous", 0).payoff == pytest.approx(0.5)
    assert design_sup(swapped, policy[::-1], 0, ((0,),)).value == pytest.approx(0.5)
    # and with index 0 it can also leave her to the revealer (silence is worth less than OPT)
    assert design_sup(swapped, policy[::-1], 0, ((),)).value == pytest.approx(0.5)


# ----------------------------------------------------------------------------
# The lowest-index tie filter
# ----------------------------------------------------------------------------


def tie_market():
    """Two users with the same utility (match a coin: indifferent at belief 1/2), one provider
    who wants user 1 to play action 1 and user 2 to play action 0, whatever the state.

    Users with the same beliefs and utility always act alike, so the provider gets exactly
    one half.  Recommending (1, 0) at belief 1/2 is obedient for both (both indifferent) but
    no belief implements it under the lowest-index rule.
    """
    u = np.stack([np.eye(2), np.eye(2)])
    want1 = np.array([[0.0, 0.0], [1.0, 1.0]])  # [a, θ]: 1 if action 1
    U = np.stack([want1, want1[::-1]])[None]
    return gamelib.Market([0.5, 0.5], [0.5, 0.5], u, U)


def test_tie_filter_keeps_only_implementable_recommendations():
    m = tie_market()
    kept = deviations._implementable(m.prior, m.user_utility, (0, 1))
    assert kept.tolist() == [[0, 0], [1, 1]]
    everything = deviations._implementable(m.prior, m.user_utility, (0, 1), tie_filter=False)
    assert len(everything) == 4


def filter_by_definition(utility):
    """The tie filter literally: one LP per recommendation vector over beliefs (max strict margin)."""
    g, n_act, n_states = utility.shape
    kept = []
    for s in itertools.product(range(n_act), repeat=g):
        s = np.array(s)
        diff = utility[np.arange(g), s][:, None, :] - utility  # [g, A, Θ]
        other = np.arange(n_act)[None, :] != s[:, None]
        lower = (np.arange(n_act)[None, :] < s[:, None])[other].astype(float)
        res = linprog(np.r_[np.zeros(n_states), -1.0], A_ub=np.column_stack([-diff[other], lower]),
                      b_ub=np.zeros(other.sum()), A_eq=np.r_[np.ones(n_states), 0.0][None], b_eq=[1.0],
                      bounds=[(0, None)] * n_states + [(0, 1)], method="highs")
        if res.status == 0 and (res.x[-1] > 1e-8 or not lower.any()):
            kept.append(s)
    return np.array(kept, dtype=int).reshape(-1, g)


@pytest.mark.parametrize("seed", range(12))
def test_tie_filter_shortcuts_agree_with_the_definition(seed):
    # candidate beliefs accept, smaller groups reject, Helly decides groups larger than |Θ|
    n_states, n_actions = 2 + seed % 2, 2 + (seed // 2) % 2
    m = examples.random_market(seed, n_states=n_states, n_actions=n_actions, n_users=3)
    for group in [(0,), (1, 2), (0, 1, 2)]:
        got = deviations._implementable(m.prior, m.user_utility, group)
        assert got.tolist() == filter_by_definition(m.user_utility[list(group)]).tolist()
    same = np.stack([m.user_utility[0]] * 3)  # identical users always act alike
    alone = filter_by_definition(same[:1])[:, 0].tolist()
    assert deviations._implementable(m.prior, same, (0, 1, 2)).tolist() == [[a] * 3 for a in alone]


def test_ignoring_the_tie_filter_overstates_the_sup():
    m = tie_market()
    policy = gamelib.reveal_nothing(2)[None]
    dev = gamelib.best_deviation(m, policy, "anonymous", 0)
    assert dev.payoff == pytest.approx(0.5)
    assert replayed(m, dev, "anonymous") == pytest.approx(0.5)
    (problem,) = deviations._problems(m, policy[:, None], "anonymous", 0, False)
    assert deviations._sup(problem, False, tie_filter=False, strict_ties=False).value == pytest.approx(1.0)


def test_strict_ties_are_recovered_without_the_filter():
    # the second safeguard: with every recommendation vector allowed, the closed LP says 1.0,
    # but no strictly implementable point uses (1, 0) or (0, 1); the signals that can carry
    # mass are found one by one and the supremum is 1/2 again.
    m = tie_market()
    (problem,) = deviations._problems(m, gamelib.reveal_nothing(2)[None, None], "anonymous", 0, False)
    signals = (deviations._implementable(m.prior, m.user_utility, (0, 1), tie_filter=False),)
    lp = deviations._build(problem, ((0, 1),), signals)
    value, x = deviations._closed(lp)
    assert value == pytest.approx(1.0)
    sol = deviations._design_sup(problem, ((0, 1),), signals, x, value, lp)
    assert sol.value == pytest.approx(0.5)
    assert sol.signals[0].tolist() == [[0, 0], [1, 1]]


def strict_tie_market():
    """Filtered recommendations and strict participation are not enough (a correction to MODEL.md §7).

    Two states, P(θ = 1) = 0.3, three providers.  User j (mass 1/2) takes action 1 below
    belief 1/11, action 0 up to 1/2 and action 2 above 1/2 (at 1/2 she is indifferent between
    0 and 2 and takes 0); user u (mass 1/2) takes action 1 above 1/2, else 0.  Provider 0 is
    silent; provider 2 splits the prior into beliefs 0 and 0.45, which j values (0.5333 >
    NOINFO 0.5) and u does not (her action never changes), so u's best offer is provider 0's
    and j's is provider 2's.  Deviator 1 wants j to take action 2 and u action 0.

    With W = {j}: j must get at least 0.5333 (weakly: 1 < 2) and u at most NOINFO (weakly:
    1 > 0), so every posterior must stay at or below 1/2; the closed LP "recommends" 2 at
    belief exactly 1/2 (obedient, but j then takes 0) and reports 0.6·½ + ½ = 0.8.  Every
    W's strict constraints are satisfiable, and (2) passes the tie filter (beliefs above 1/2
    implement it), but never together with u staying away: the true supremum is 1/2.
    """
    uj = np.array([[0.5, 0.5], [0.6, -0.5], [0.0, 1.0]])
    uu = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    to_j = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    to_u = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    m = gamelib.Market([0.7, 0.3], [0.5, 0.5], np.stack([uj, uu]), np.stack([np.stack([to_j, to_u])] * 3))
    w = (1 / 3) / 0.7  # P(signal 0 | θ = 0): beliefs 0 (prob 1/3) and 0.45 (prob 2/3)
    split = np.array([[w, 1 - w], [0.0, 1.0]])
    return m, np.stack([SILENT, SILENT, split])


def test_recommendations_used_at_the_optimum_must_be_strictly_implementable_together():
    m, policy = strict_tie_market()
    out = gamelib.play(m, policy, "anonymous")
    assert out.choice.tolist() == [2, 0] and out.user_values[0] == pytest.approx(8 / 15)
    dev = gamelib.best_deviation(m, policy, "anonymous", 1)
    assert dev.payoff == pytest.approx(0.5) and dev.gain == pytest.approx(0.0, abs=1e-9)
    (problem,) = deviations._problems(m, policy[:, None], "anonymous", 1, False)
    assert deviations._sup(problem, False, strict_ties=False).value == pytest.approx(0.8)  # the §7 method
    assert deviations._sup(problem, False).value == pytest.approx(0.5)
    for r in (10, 40, 80):  # grids agree with the exact value, not with 0.8
        assert grid_best(m, policy, "anonymous", 1, gamelib.experiment_grid(2, r)) == pytest.approx(0.5)


# ----------------------------------------------------------------------------
# Grids approach the supremum from below; replays
# ----------------------------------------------------------------------------

SHAPES = [(2, 2, 2), (2, 3, 2), (2, 2, 3), (3, 2, 2), (3, 3, 2)]


@pytest.mark.parametrize("mode", ["anonymous", "personalized"])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES, ids=[f"S{s}A{a}n{n}" for s, a, n in SHAPES])
def test_grids_never_exceed_and_approach_the_sup(shape, seed, mode):
    n_states, n_actions, n_users = shape
    m = examples.random_market(seed, n_states=n_states, n_actions=n_actions, n_users=n_users)
    policy = random_policy(np.random.default_rng(seed), m, mode)
    dev = gamelib.best_deviation(m, policy, mode, 1)
    resolutions = (5, 10, 20, 40, 80) if n_states == 2 else (2, 4, 8, 16)
    gaps = [dev.payoff - grid_best(m, policy, mode, 1, gamelib.experiment_grid(n_states, r)) for r in resolutions]
    assert min(gaps) >= -1e-9  # no grid beats the supremum
    assert all(b <= a + 1e-12 for a, b in zip(gaps, gaps[1:]))  # nested grids: the gap never grows
    if n_actions == 2:  # two signals suffice for two actions: the finest grid is close
        assert gaps[-1] < 0.02
    if n_actions == 3:  # three-signal grids never exceed it either
        grid3 = gamelib.experiment_grid(n_states, 8 if n_states == 2 else 3, 3)
        assert grid_best(m, policy, mode, 1, grid3) <= dev.payoff + 1e-9
    got = replayed(m, dev, mode)
    assert dev.payoff - deviations._REPLAY_TOL <= got <= dev.payoff + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_menus_beat_every_two_item_grid_menu_and_replay(seed):
    m = examples.random_market(seed, n_users=2)
    rng = np.random.default_rng(seed)
    policy = random_policy(rng, m, "anonymous")
    dev = gamelib.best_deviation(m, policy, "anonymous", 0, menus=True)
    single = gamelib.best_deviation(m, policy, "anonymous", 0)
    assert dev.payoff >= single.payoff - 1e-9  # a single experiment is a menu of one item
    assert grid_best(m, policy, "anonymous", 0, gamelib.experiment_grid(2, 6), menu_size=2) <= dev.payoff + 1e-9
    assert isinstance(dev.experiment, list) and all(e.shape[0] == 2 for e in dev.experiment)
    got = replayed(m, dev, "anonymous")
    assert dev.payoff - deviations._REPLAY_TOL <= got <= dev.payoff + 1e-9


def test_a_menu_can_beat_every_single_experiment():
    # one provider, two users, three actions: separating the users with a two-item menu pays.
    # The replayed menu (play: users pick items, then act, all ties to the lowest index)
    # earns more than the supremum over single experiments.
    m = examples.random_market(129, n_actions=3, n_users=2, n_providers=1)
    silent = gamelib.reveal_nothing(2, 2)[None]
    single = gamelib.best_deviation(m, silent, "anonymous", 0)
    menu = gamelib.best_deviation(m, silent, "anonymous", 0, menus=True)
    assert len(menu.experiment) == 2
    out = gamelib.play(m, menu.policy, "anonymous")
    assert sorted(out.item.tolist()) == [0, 1]  # the users pick different items
    assert out.provider_values[0] > single.payoff + 1e-3
    assert out.provider_values[0] >= menu.payoff - deviations._REPLAY_TOL


def test_opponents_menus_and_three_providers():
    m = examples.random_market(3, n_providers=3, n_users=2)
    rng = np.random.default_rng(0)
    menus = rng.dirichlet(np.ones(2), size=(3, 2, 2))  # [k, M, Θ, S]: every provider posts two items
    for i in range(3):
        dev = gamelib.best_deviation(m, menus, "anonymous", i, menus=True)
        assert dev.policy.shape[:2] == (3, max(2, len(dev.experiment)))
        assert grid_best(m, menus, "anonymous", i, gamelib.experiment_grid(2, 10)) <= dev.payoff + 1e-9
        assert dev.payoff - deviations._REPLAY_TOL <= replayed(m, dev, "anonymous") <= dev.payoff + 1e-9


def test_personalized_sup_is_the_sum_of_one_user_markets():
    # separability: the personalized game splits into one game per user, each weighted by m_j
    m = examples.random_market(5, n_users=3)
    policy = random_policy(np.random.default_rng(5), m, "personalized")
    dev = gamelib.best_deviation(m, policy, "personalized", 0)
    assert dev.experiment.shape[:2] == (3, 2)
    parts = []
    for j in range(3):
        alone = gamelib.Market(m.prior, [1.0], m.user_utility[[j]], m.provider_utility[:, [j]])
        parts.append(m.masses[j] * gamelib.best_deviation(alone, policy[:, [j]], "personalized", 0).payoff)
    assert dev.payoff == pytest.approx(sum(parts), abs=1e-9)
    assert dev.gain == pytest.approx(dev.payoff - gamelib.play(m, policy, "personalized").provider_values[0])


def test_cache_returns_the_same_supremum():
    m = examples.random_market(2, n_users=2)
    policy = random_policy(np.random.default_rng(2), m, "anonymous")
    first = gamelib.best_deviation(m, policy, "anonymous", 0)
    deviations._SUP_CACHE.clear()
    deviations._FILTER_CACHE.clear()
    second = gamelib.best_deviation(m, policy, "anonymous", 0)
    assert first.payoff == pytest.approx(second.payoff, abs=1e-12)


# ----------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    n_actions=st.integers(2, 3),
    n_users=st.integers(1, 3),
    mode=st.sampled_from(["anonymous", "personalized"]),
    provider=st.integers(0, 1),
    menus=st.booleans(),
)
def test_gain_is_nonnegative_and_beats_every_grid_deviation(seed, n_actions, n_users, mode, provider, menus):
    menus = menus and mode == "anonymous"
    m = examples.random_market(seed, n_actions=n_actions, n_users=n_users)
    rng = np.random.default_rng(seed)
    grid = gamelib.experiment_grid(2, 4)
    # half the time a grid profile (exact ties between offers), else a random one
    policy = grid[rng.integers(len(grid), size=(2,) if mode == "anonymous" else (2, n_users))] if seed % 2 \
        else random_policy(rng, m, mode)
    dev = gamelib.best_deviation(m, policy, mode, provider, menus=menus)
    assert dev.gain >= -1e-9
    assert grid_best(m, policy, mode, provider, gamelib.experiment_grid(2, 12)) <= dev.payoff + 1e-9
    if menus:
        assert grid_best(m, policy, mode, provider, gamelib.experiment_grid(2, 3), menu_size=2) <= dev.payoff + 1e-9
    assert dev.payoff - deviations._REPLAY_TOL <= replayed(m, dev, mode) <= dev.payoff + 1e-9
    verdict = all(
        gamelib.best_deviation(m, policy, mode, i, menus=menus).gain <= 1e-9 for i in range(m.n_providers)
    )
    assert gamelib.is_equilibrium(m, policy, mode, menus=menus) == verdict


def swap_providers(market):
    return market.replace(provider_utility=market.provider_utility[::-1],
                          provider_names=market.provider_names[::-1])


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    seed=st.integers(0, 10_000),
    n_actions=st.integers(2, 3),
    n_users=st.integers(1, 3),
    mode=st.sampled_from(["anonymous", "personalized"]),
)
def test_verdict_invariant_to_relabelling_providers_whose_offers_never_tie(seed, n_actions, n_users, mode):
    # random (non-grid) experiments: no two offers tie, no offer is worth exactly NOINFO or
    # OPT, so whether a deviator must beat an offer strictly or only match it cannot matter
    m = examples.random_market(seed, n_actions=n_actions, n_users=n_users)
    noisy = random_policy(np.random.default_rng(seed), m, mode)
    policy = 0.6 * FULL + 0.4 * noisy  # informative enough to be worth more than NOINFO to everybody
    flat = gamelib.outcome_tables(m, policy.reshape(-1, 2, 2))[0]
    if mode == "anonymous":
        offered = flat  # [k, n]
    else:
        offered = flat.reshape(2, n_users, n_users)[:, np.arange(n_users), np.arange(n_users)]
    low, high = gamelib.uninformed_value(m), gamelib.aligned_value(m)
    assume(np.all(np.abs(offered[0] - offered[1]) > 1e-6))
    assume(np.all((offered > low + 1e-6) & (offered < high - 1e-6)))
    swapped = swap_providers(m)
    for i in (0, 1):
        here = gamelib.best_deviation(m, policy, mode, i)
        there = gamelib.best_deviation(swapped, policy[::-1], mode, 1 - i)
        assert here.payoff == pytest.approx(there.payoff, abs=1e-7)
        assert here.gain == pytest.approx(there.gain, abs=1e-7)
    assert gamelib.is_equilibrium(m, policy, mode) == gamelib.is_equilibrium(swapped, policy[::-1], mode)


def test_grid_equilibria_accepted_exactly_have_no_profitable_grid_deviation():
    accepted = rejected = 0
    fine = gamelib.experiment_grid(2, 8)  # contains the r = 4 grid
    for seed, mode in itertools.product([0, 6, 11], ["anonymous", "personalized"]):
        m = examples.random_market(seed, n_users=2)
        grid = gamelib.experiment_grid(2, 4)
        for eq in itertools.islice(gamelib.equilibria(m, grid, mode), 40):
            policy = grid[eq.profile]
            best = [grid_best(m, policy, mode, i, fine) - eq.provider_values[i] for i in range(2)]
            if gamelib.is_equilibrium(m, policy, mode):
                accepted += 1
                assert max(best) <= 1e-9
            else:
                rejected += 1
                gains = [gamelib.best_deviation(m, policy, mode, i).gain for i in range(2)]
                assert max(gains) > 1e-9 and max(gains) >= max(best) - 1e-9
    assert accepted > 0 and rejected > 0  # both verdicts occur: the check is not vacuous


def test_opposite_tastes_grid_equilibria_all_survive_over_all_experiments():
    # both users value an experiment by the same number (half the accuracy of their best
    # guess), so no deviation can separate them; all 29 grid equilibria at r = 2 are
    # equilibria of the real game, and the r = 16 grid agrees
    m = examples.opposite_tastes()
    grid, fine = gamelib.experiment_grid(2, 2), gamelib.experiment_grid(2, 16)
    eqs = gamelib.equilibria(m, grid, "anonymous")
    assert len(eqs) == 29
    for eq in eqs:
        policy = grid[eq.profile]
        assert gamelib.is_equilibrium(m, policy, "anonymous", menus=True)
        assert all(grid_best(m, policy, "anonymous", i, fine) <= eq.provider_values[i] + 1e-9 for i in range(2))


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------

M = examples.opposite_tastes()
PAIR = np.stack([SILENT, SILENT])
PERS = np.stack([PAIR, PAIR], axis=1)
NEGATIVE = np.stack([[[1.5, -0.5], [1.0, 0.0]]] * 2)

ERRORS = [
    ("market not a Market", lambda: gamelib.best_deviation("market", PAIR, "anonymous", 0), "market"),
    ("policy NaN", lambda: gamelib.best_deviation(M, np.full((2, 2, 2), np.nan), "anonymous", 0), "policy"),
    ("policy infinite", lambda: gamelib.is_equilibrium(M, np.full((2, 2, 2), np.inf), "anonymous"), "policy"),
    ("policy rows not stochastic", lambda: gamelib.best_deviation(M, PAIR * 0.5, "anonymous", 0), "policy"),
    ("policy negative", lambda: gamelib.best_deviation(M, NEGATIVE, "anonymous", 0), "policy"),
    ("policy wrong providers", lambda: gamelib.best_deviation(M, PAIR[:1], "anonymous", 0), "policy"),
    ("policy wrong states", lambda: gamelib.best_deviation(M, np.ones((2, 3, 1)), "anonymous", 0), "policy"),
    ("policy personalized shape", lambda: gamelib.best_deviation(M, PAIR, "personalized", 0), "policy"),
    ("policy text", lambda: gamelib.is_equilibrium(M, "silence", "anonymous"), "policy"),
    ("mode unknown", lambda: gamelib.best_deviation(M, PAIR, "public", 0), "mode"),
    ("mode unknown (is_equilibrium)", lambda: gamelib.is_equilibrium(M, PAIR, "public"), "mode"),
    ("provider out of range", lambda: gamelib.best_deviation(M, PAIR, "anonymous", 2), "provider"),
    ("provider negative", lambda: gamelib.best_deviation(M, PAIR, "anonymous", -1), "provider"),
    ("provider float", lambda: gamelib.best_deviation(M, PAIR, "anonymous", 0.0), "provider"),
    ("provider bool", lambda: gamelib.best_deviation(M, PAIR, "anonymous", True), "provider"),
    ("menus personalized", lambda: gamelib.best_deviation(M, PERS, "personalized", 0, menus=True), "menus"),
    ("menus personalized (is_eq.)", lambda: gamelib.is_equilibrium(M, PERS, "personalized", menus=True), "menus"),
    ("menus not a bool", lambda: gamelib.best_deviation(M, PAIR, "anonymous", 0, menus="yes"), "menus"),
    ("menus integer", lambda: gamelib.is_equilibrium(M, PAIR, "anonymous", menus=1), "menus"),
    ("tol negative", lambda: gamelib.is_equilibrium(M, PAIR, "anonymous", tol=-1e-9), "tol"),
    ("tol NaN", lambda: gamelib.is_equilibrium(M, PAIR, "anonymous", tol=float("nan")), "tol"),
    ("tol text", lambda: gamelib.is_equilibrium(M, PAIR, "anonymous", tol="small"), "tol"),
]


@pytest.mark.parametrize("label, call, argument", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_raises_value_error_naming_argument(label, call, argument):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(argument + ":"), str(info.value)


def test_linprog_fallback_gives_the_same_suprema(monkeypatch):
    # the LPs go straight to the HiGHS solver SciPy ships; scipy.optimize.linprog is the fallback
    cases = [(examples.opposite_tastes(), np.stack([SILENT, SILENT])),
             (examples.random_market(4, n_users=3, n_actions=3), None)]
    fast = []
    for m, policy in cases:
        policy = random_policy(np.random.default_rng(4), m, "anonymous") if policy is None else policy
        deviations._SUP_CACHE.clear()
        deviations._FILTER_CACHE.clear()
        fast.append(gamelib.best_deviation(m, policy, "anonymous", 1, menus=True).payoff)
    monkeypatch.setattr(deviations, "_HIGHS", None)
    for (m, policy), value in zip(cases, fast):
        policy = random_policy(np.random.default_rng(4), m, "anonymous") if policy is None else policy
        deviations._SUP_CACHE.clear()
        deviations._FILTER_CACHE.clear()
        assert gamelib.best_deviation(m, policy, "anonymous", 1, menus=True).payoff == pytest.approx(value, abs=1e-9)
