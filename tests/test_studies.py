"""Tests of gamelib.studies (chapter 7) and its figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import (
    Market,
    aligned_value,
    deviation_gains,
    equilibria,
    examples,
    experiment_grid,
    has_unique_best_actions,
    play,
    profitable_deviation,
    reveal_everything,
    reveal_nothing,
    strong_alignment,
    weak_alignment,
)
from gamelib.examples import (
    aligned_tie_market,
    anonymous_tie_market,
    tie_example,
    tight_market,
)
from gamelib.studies import (
    AlignmentStudy,
    alignment_study,
    bound_ratio,
    compare_tie_rules,
    menu_separation_search,
    tightness_search,
)

GRID2 = experiment_grid(2, 4)


# --- Wilson interval -------------------------------------------------------------------


def _bands(hits, trials, confidence=0.95):
    """Wilson bands of ``hits`` (one per k) out of ``trials``, through AlignmentStudy.probability."""
    weak = np.array([[0.0] * h + [1.0] * (trials - h) for h in hits])
    out = AlignmentStudy(np.arange(1, len(hits) + 1), weak, weak).probability(0.5, confidence)
    return out["weak_low"], out["weak_high"]


def test_wilson_known_values():
    (low, low0), (high, high0) = _bands([5, 0], 10)
    # centre (p + z²/2n)/(1 + z²/n) = 0.5 by symmetry; half-width by hand with z = 1.959964
    z = 1.959963984540054
    half = z * np.sqrt(0.25 / 10 + z**2 / 400) / (1 + z**2 / 10)
    assert low == pytest.approx(0.5 - half) and high == pytest.approx(0.5 + half)
    low, high = low0, high0
    assert low == 0.0 and high == pytest.approx(z**2 / 10 / (1 + z**2 / 10))


@settings(derandomize=True, max_examples=60)
@given(st.integers(1, 200), st.data())
def test_wilson_contains_estimate(n, data):
    s = data.draw(st.integers(0, n))
    (low,), (high,) = _bands([s], n)
    assert 0 <= low <= s / n + 1e-12 and s / n - 1e-12 <= high <= 1


@pytest.mark.parametrize("confidence", [1.0, 0.0, "x"])
def test_wilson_errors(confidence):
    with pytest.raises(ValueError, match="^confidence"):
        _bands([1], 5, confidence)


# --- alignment study ------------------------------------------------------------------


def test_alignment_study_properties():
    stdy = alignment_study(max_providers=4, n_samples=12, seed=3)
    assert stdy.eps_weak.shape == (4, 12) and stdy.n_samples == 12
    assert np.all(np.diff(stdy.eps_weak, axis=0) <= 1e-12)
    assert np.all(np.diff(stdy.eps_strong, axis=0) <= 1e-12)
    assert np.all(stdy.eps_weak <= stdy.eps_strong + 1e-9)
    # k = 1: WMA and SMA coincide (one weight, forced to 1)
    np.testing.assert_allclose(stdy.eps_weak[0], stdy.eps_strong[0], atol=1e-9)
    p = stdy.probability(0.3)
    assert np.all(p["weak"] >= p["strong"])
    assert np.all((p["weak_low"] <= p["weak"]) & (p["weak"] <= p["weak_high"]))
    # seeded: same numbers again
    np.testing.assert_array_equal(alignment_study(max_providers=4, n_samples=12, seed=3).eps_weak, stdy.eps_weak)


def test_alignment_study_first_provider_closed_form():
    stdy = alignment_study(max_providers=1, n_samples=3, seed=0, n_users=1)
    seeds = np.random.default_rng(0).integers(0, 2**31 - 1, size=3)
    for s, eps in zip(seeds, stdy.eps_weak[0]):
        m = examples.random_market(int(s), 2, 2, 1, 1)
        d = (m.user_utility[0] - m.provider_utility[0, 0]).ravel()
        assert eps == pytest.approx((d.max() - d.min()) / 2, abs=1e-9)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"max_providers": 0}, "max_providers"), ({"n_samples": 0}, "n_samples"), ({"seed": -1}, "seed"),
     ({"n_states": 0}, "n_states"), ({"n_actions": 1.5}, "n_actions"), ({"n_users": 0}, "n_users")],
)
def test_alignment_study_errors(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        alignment_study(**kwargs)


def test_probability_error():
    with pytest.raises(ValueError, match="^eps"):
        alignment_study(max_providers=1, n_samples=2).probability(-0.1)


# --- price of anonymity ---------------------------------------------------------------


def test_welfare_is_values_at_masses():
    """Welfare Σ_j m_j V_j is ``values @ market.masses`` (the study's opt and noinfo use it)."""
    m = examples.opposite_tastes(masses=(0.25, 0.75))
    assert np.array([1.0, 0.0]) @ m.masses == pytest.approx(0.25)
    np.testing.assert_allclose(np.array([[1.0, 0.0], [0.0, 1.0]]) @ m.masses, [0.25, 0.75])


# --- tightness ------------------------------------------------------------------------


def test_refined_bound_on_random_markets():
    # OPT − V ≤ 2 ε P(error) in every personalized equilibrium (worst one checked)
    for s in range(12):
        m = examples.random_market(s, n_actions=3, n_providers=2, n_users=2, alignment="weak", noise=0.2)
        r = bound_ratio(m, GRID2)
        assert np.all(r.gap <= 2 * r.eps * r.mistake + 1e-9)
        assert np.all(r.ratio <= 1 + 1e-9)


def test_bound_ratio_zero_eps():
    m = examples.opposite_tastes()
    r = bound_ratio(m, experiment_grid(2, 2))
    np.testing.assert_array_equal(r.ratio, [0.0, 0.0])
    np.testing.assert_allclose(r.gap, [0.0, 0.0], atol=1e-12)


def test_bound_ratio_errors():
    with pytest.raises(ValueError, match="^experiments"):
        bound_ratio(tight_market(), np.ones((2, 2)))
    with pytest.raises(ValueError, match="^experiments"):
        bound_ratio(tight_market(), experiment_grid(3, 1))
    with pytest.raises(ValueError, match="^market"):
        bound_ratio("x", GRID2)


def test_tightness_search_seeded_and_bounded():
    a = tightness_search(seed=1, n_random=8, n_refine=12, resolution=2)
    b = tightness_search(seed=1, n_random=8, n_refine=12, resolution=2)
    assert a.ratio == b.ratio
    assert np.all(np.diff(a.history) >= 0) and a.history[-1] == a.ratio
    assert 0 <= a.ratio <= 1 + 1e-9 and a.n_random == 8
    assert bound_ratio(a.market, experiment_grid(2, 2)).ratio[0] == pytest.approx(a.ratio)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"n_random": 0}, "n_random"), ({"n_refine": -1}, "n_refine"), ({"n_actions": 1}, "n_actions"),
     ({"step": -0.1}, "step"), ({"margin": -1}, "margin"), ({"resolution": 0}, "resolution"),
     ({"n_providers": 0}, "n_providers")],
)
def test_tightness_search_errors(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        tightness_search(**kwargs)


# --- tie-breaking ---------------------------------------------------------------------


def test_relabel_actions_roundtrip():
    m = examples.random_market(0, n_actions=3)
    back = m.relabel_actions([2, 0, 1]).relabel_actions([1, 2, 0])
    np.testing.assert_array_equal(back.user_utility, m.user_utility)
    np.testing.assert_array_equal(back.provider_utility, m.provider_utility)


@pytest.mark.parametrize("order", [[0, 0], [0, 1, 2], [0.0, 1.0], [[0, 1]]])
def test_relabel_actions_errors(order):
    with pytest.raises(ValueError, match="^order"):
        examples.prosecutor().relabel_actions(order)


def test_tie_example_rules():
    rows = compare_tie_rules(tie_example(), [[0, 1], [1, 0]], experiment_grid(3, 1))
    assert [r["full_revelation_equilibrium"] for r in rows] == [False, True]
    assert rows[0]["deviation"].provider == 0
    assert rows[0]["deviation"].gain == pytest.approx(1 / 3)
    # Theorem 4.1 survives any fixed order: the user gets OPT = 1 in every equilibrium
    for r in rows:
        np.testing.assert_allclose(r["worst"], [1.0])


def test_compare_tie_rules_errors():
    with pytest.raises(ValueError, match="^experiments"):
        compare_tie_rules(tie_example(), [[0, 1]], experiment_grid(2, 1))
    with pytest.raises(ValueError, match="^order"):
        compare_tie_rules(tie_example(), [[0, 0]], experiment_grid(3, 1))


# --- provider-dependent tie rules ----------------------------------------------------


def test_adverse_ties_break_theorem_4_1_hand_values():
    """ch7-adverse-ties: the split {posterior 0, q} gives V = 3/2 - 1/(2q), provider 1 gets 1/2."""
    m, grid = aligned_tie_market(), experiment_grid(2, 10)
    adverse = equilibria(m, grid, "anonymous", "adverse")
    bad = adverse.user_values[:, 0] < 1 - 1e-9
    assert bad.any()
    assert adverse.user_values.min() == pytest.approx(0.55)  # q = 0.5/0.95 on this grid
    # in every one of them the user reads provider 1, who earns its best possible 1/2
    assert np.all(adverse.choice[bad] == 0)
    np.testing.assert_allclose(adverse.provider_values[bad, 0], 0.5)
    # the equilibrium of the proof: provider 1 splits into posteriors 0 and q = 0.5/0.95
    p1 = np.flatnonzero(np.all(np.isclose(grid, [[0.9, 0.1], [1.0, 0.0]]), axis=(1, 2)))[0]
    rows = adverse.profiles[:, 0] == p1
    assert rows.any()
    q = 0.5 / 0.95
    np.testing.assert_allclose(adverse.user_values[rows], 1.5 - 1 / (2 * q))
    np.testing.assert_allclose(adverse.provider_values[rows, 1], 0.6)  # provider 2: 0.5 + 0.05·2
    # finer grids: the worst value is 1/2 + 1/(2r), down towards NOINFO = 1/2
    for r in (4, 20):
        worst = equilibria(m, experiment_grid(2, r), "anonymous", "adverse").user_values.min()
        assert worst == pytest.approx(0.5 + 1 / (2 * r))
    # with the other two rules every equilibrium gives OPT (Theorem 4.1 with ε = 0)
    for ties in ("lowest", "sender"):
        np.testing.assert_allclose(equilibria(m, grid, "anonymous", ties).user_values, 1.0)


@pytest.mark.parametrize("seed", range(12))
def test_lowest_tie_rule_matches_the_main_enumeration(seed):
    k = 2 + seed % 2
    m = examples.random_market(seed, n_states=2, n_actions=3, n_providers=k, n_users=1)
    if seed % 3 == 0:  # add ties: round the user's utilities to {0, 1}
        m = Market(m.prior, m.masses, np.round(m.user_utility), m.provider_utility)
    grid = experiment_grid(2, 4 if k == 2 else 2)
    mine = equilibria(m, grid, "anonymous", "lowest")
    main = equilibria(m, grid, "personalized").per_user[0]
    order = np.lexsort(mine.profiles.T[::-1]), np.lexsort(main.profiles.T[::-1])
    np.testing.assert_array_equal(mine.profiles[order[0]], main.profiles[order[1]])
    np.testing.assert_allclose(mine.user_values[order[0]], main.user_values[order[1]])
    np.testing.assert_allclose(mine.provider_values[order[0]], main.provider_values[order[1]])
    np.testing.assert_array_equal(mine.choice[order[0]], main.choice[order[1]])


@st.composite
def tied_markets(draw):
    """One user, 2 states, 3 actions, 0/1 user utilities (ties are common), 2 providers."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 2, size=(1, 3, 2)).astype(float)
    noise = draw(st.sampled_from([0.0, 0.1, 0.5]))
    w = rng.dirichlet([1.0, 1.0])
    base = u[None] + rng.uniform(-noise, noise, size=(2, 1, 3, 2))
    # U_1, U_2 with w_1 U_1 + w_2 U_2 = base: split base by a random direction
    d = rng.uniform(-1, 1, size=(1, 3, 2))
    provs = np.stack([base[0] + w[1] * d, base[1] - w[0] * d])
    prior = rng.dirichlet([2.0, 2.0])
    return Market(prior, [1.0], u, provs)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tied_markets())
def test_sender_preferred_ties_keep_theorem_4_1(market):
    """ch7-sender-ties on random markets with ties: every equilibrium is within 2ε of OPT."""
    eps = weak_alignment(market)[0].eps
    eq = equilibria(market, experiment_grid(2, 6), "anonymous", "sender")
    assert eq.user_values.size  # full revelation by both is always one (V = OPT, k = 2)
    assert eq.user_values.min() >= aligned_value(market)[0] - 2 * eps - 1e-7


@pytest.mark.parametrize("call, name", [
    (lambda: equilibria("market", experiment_grid(2, 2), "anonymous", "lowest"), "market"),
    (lambda: equilibria(aligned_tie_market(), experiment_grid(3, 1), "anonymous", "lowest"), "experiments"),
    (lambda: equilibria(aligned_tie_market(), experiment_grid(2, 2)[0], "anonymous", "lowest"), "experiments"),
    (lambda: equilibria(aligned_tie_market(), experiment_grid(2, 2), "anonymous", "random"), "ties"),
])
def test_tie_rule_errors(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()


def test_anonymous_ties_break_theorem_6_1_on_a_grid_by_one_over_4r():
    """ch7-anonymous-ties: SMA(0), no (U), lowest-index ties; the worst anonymous equilibrium
    over experiment_grid(2, r) loses exactly 1/(4r) of welfare, the personalized game none."""
    m = anonymous_tie_market()
    assert not has_unique_best_actions(m) and strong_alignment(m).eps == pytest.approx(0, abs=1e-9)
    opt = aligned_value(m) @ m.masses
    silent, full = reveal_nothing(2, 2), reveal_everything(2)
    for r in (2, 3, 4, 8, 16):
        grid = experiment_grid(2, r)
        anon = equilibria(m, grid, "anonymous")
        loss = opt - (anon.user_values @ m.masses).min()
        assert loss == pytest.approx(1 / (4 * r) if r >= 4 else 0.0, abs=1e-12)
        np.testing.assert_allclose(equilibria(m, grid, "personalized").worst_user_values(), [1.0, 1.0])
        # (silent, full revelation) is an equilibrium on every grid, provider 1 at its ceiling 5/4
        good = np.stack([silent, full])
        assert profitable_deviation(m, good, "anonymous", experiments=grid) is None
        np.testing.assert_allclose(play(m, good, "anonymous").provider_values, [1.25, 0.75])
        if r < 3:
            continue  # with x = 1/2 the sliver is worth no more than silence to user 2
        # the sliver profile: the menu {silent, full} separates the users and gains 1/(2r)
        x = (r - 1) / r
        sliver = np.stack([silent, np.array([[x, 1 - x], [0.0, 1.0]])])
        menu_gain, _ = deviation_gains(m, sliver, "anonymous", 0, np.stack([silent, full]), menu_size=2)
        assert menu_gain[0] == pytest.approx(1 / (2 * r))
        # revealing state 1 with probability b = 2x - 1 keeps user 2 (tie) and gains 3/4 - x
        b = 2 * x - 1
        if b >= 0:
            gain, _ = deviation_gains(m, sliver, "anonymous", 0, np.array([[[1.0, 0.0], [1 - b, b]]]))
            assert gain[0] == pytest.approx(0.75 - x)


def test_anonymous_ties_mechanism_hand_values():
    m = anonymous_tie_market()
    silent, full = reveal_nothing(2, 2), reveal_everything(2)
    almost = np.array([[0.75, 0.25], [0.0, 1.0]])
    policy = np.stack([silent, almost])
    out = play(m, policy, "anonymous")
    np.testing.assert_allclose(out.user_values, [1.0, 0.875])
    np.testing.assert_allclose(out.provider_values, [1.125, 0.75])
    assert profitable_deviation(m, policy, "anonymous", experiments=experiment_grid(2, 4)) is None
    # revealing to everybody wins user 2 (+1/8) but makes user 1 play a=0 in θ=1 (-1/4)
    gain, _ = deviation_gains(m, policy, "anonymous", 0, full[None])
    assert gain[0] == pytest.approx(-0.125)
    # personalized, provider 1 reveals to user 2 only: +1/8
    personalized = np.stack([np.stack([silent, silent]), np.stack([almost, almost])])
    gain, _ = deviation_gains(m, personalized, "personalized", 0, full[None], user=1)
    assert gain[0] == pytest.approx(0.125)
    # off the grid, "all but a sliver" (x = 0.9) wins user 2 without ever making user 1 certain
    sliver = np.array([[0.9, 0.1], [0.0, 1.0]])
    gain, _ = deviation_gains(m, policy, "anonymous", 0, sliver[None])
    assert gain[0] == pytest.approx(0.5 * (0.9 - 0.75))


# --- menus ----------------------------------------------------------------------------


def test_menu_example():
    ex = menu_separation_search(seeds=[37])
    assert ex.seed == 37 and ex.menu.shape[0] == 2
    assert ex.single_gain <= 1e-9 < ex.menu_gain
    policy = ex.experiments[ex.profile]
    # exact: an equilibrium against every single experiment, not against every menu
    assert gamelib.is_equilibrium(ex.market, policy, "anonymous")
    assert not gamelib.is_equilibrium(ex.market, policy, "anonymous", menus=True)
    # under the lowest-index rule the two users take different items: user 1 the first (she is
    # indifferent, the sup is approached), user 2 strictly prefers the second
    assert ex.item_values[0, 0] >= ex.item_values[1, 0] - 1e-12 and ex.item_values[1, 1] > ex.item_values[0, 1]
    # the stored menu, played, realises the gain within the replay tolerance
    played = gamelib.best_deviation(ex.market, policy, "anonymous", ex.provider, menus=True)
    assert played.gain == pytest.approx(ex.menu_gain, abs=1e-9)


def test_menu_search_ignores_grid_only_equilibria():
    """Seed 19 has a grid equilibrium that a two-item grid menu breaks, but a single experiment
    off the grid breaks it too (exact gain about 0.046): it is not an example, exactly."""
    grid = gamelib.experiment_grid(3, 1)
    market = gamelib.examples.random_market(19, 3, 3, 2, 2)
    policy = grid[[2, 0]]
    gains, _ = gamelib.deviation_gains(market, policy, "anonymous", 0, grid)
    assert gains.max() <= 1e-12  # an equilibrium of the grid ...
    assert gamelib.best_deviation(market, policy, "anonymous", 0).gain > 0.04  # ... not of the game
    ex = menu_separation_search(seeds=[19])
    assert ex is None or not np.array_equal(ex.profile, [2, 0])


def test_menu_search_errors():
    with pytest.raises(ValueError, match="^seeds"):
        menu_separation_search(seeds=[])
    with pytest.raises(ValueError, match="^seeds"):
        menu_separation_search(seeds=[-1])
    with pytest.raises(ValueError, match="^max_equilibria"):
        menu_separation_search(seeds=[0], max_equilibria=0)


def test_menus_useless_when_rankings_agree():
    # opposite tastes: users rank all experiments alike, so no menu beats silence (Prop. 2)
    m = examples.opposite_tastes()
    grid = experiment_grid(2, 2)
    silent = np.stack([grid[0]] * 2)
    import gamelib

    gains, _ = gamelib.deviation_gains(m, silent, "anonymous", 0, grid, menu_size=2)
    assert gains.max() <= 1e-9


# --- figures and widget: tests/test_interactive_ch7.py ------------------------------------


@pytest.mark.parametrize("kwargs, name", [({"ties": "random"}, "ties"), ({"q": 0.5}, "q"),
                                          ({"q": 1.2}, "q")])
def test_tie_split_errors(kwargs, name):
    from gamelib.interactive import explorations as ex

    with pytest.raises(ValueError, match=f"^{name}"):
        ex._tie_split(**kwargs)
