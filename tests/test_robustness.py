"""Tests of the robustness study of chapter 7 (how robust is the silent equilibrium?).

Hand-checked markets are points of the chapter's phase diagram: user 1's indifference belief is
0.5 + 0.05, user 2's 0.5 + 0.05 + x, and provider i's indifference belief about user i lies y
beyond its user's (section "How robust is the silent equilibrium?").
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from gamelib import (
    aligned_value,
    best_deviation,
    examples,
    is_equilibrium,
    mix_markets,
    reveal_nothing,
    strong_alignment,
    uninformed_value,
    weak_alignment,
)
from gamelib.interactive import explorations as ex
from gamelib.studies import _ROBUSTNESS_DIRECTIONS, RobustnessStudy, robustness_study, silence_margin

SILENT = [reveal_nothing(2)] * 2


def plane_market(x, y):
    return robustness_study(plane=([x], [y]), menus=False, revealing=False)


def plane_point(x, y):
    """The market itself (re-built by hand, independently of the study's construction)."""
    m = examples.opposite_tastes()
    u, big = m.user_utility.copy(), m.provider_utility.copy()
    # A bias b on action 1 moves the indifference belief by -b (user 1, provider 1 about user 1:
    # gain of action 1 over 0 is q - 1/2) or by +b (user 2, provider 2 about user 2: gain of
    # action 0 over action 1 is q - 1/2).
    u[0, 1] -= 0.05
    u[1, 1] += 0.05 + x
    big[0, 0, 1] -= 0.05 + y
    big[1, 1, 1] += 0.05 + x + y
    return m.replace(user_utility=u, provider_utility=big)


# ----------------------------------------------------------------------------
# Hand-checked verdicts
# ----------------------------------------------------------------------------


def test_survivor_by_hand():
    """x = 0.01, y = 0.03: beliefs 0.55 (user 1), 0.56 (user 2), providers 0.58 and 0.59.

    On [0.55, 0.56] user 1 moves alone: provider 1 gets ½(q − 0.58) ≤ −0.01 (at q = 0.56),
    provider 2 gets ½(1 − 2q) < 0; on [0.56, 1] both move: ½(0.42 − q) and ½(0.41 − q) < 0.
    Largest change gain: −0.01, so silence is an equilibrium.
    """
    m = plane_point(0.01, 0.03)
    margin, strict = silence_margin(m)
    assert strict
    np.testing.assert_allclose(margin, [-0.01, -0.05], atol=1e-12)
    assert is_equilibrium(m, SILENT, "anonymous")
    assert is_equilibrium(m, SILENT, "anonymous", menus=True)
    for i in range(2):
        assert abs(best_deviation(m, SILENT, "anonymous", i).gain) < 1e-9
    st_ = plane_market(0.01, 0.03)
    np.testing.assert_allclose(st_.markets[0].user_utility, m.user_utility, atol=1e-15)
    np.testing.assert_allclose(st_.markets[0].provider_utility, m.provider_utility, atol=1e-15)
    assert st_.silent.tolist() == [True]
    np.testing.assert_allclose(st_.margin, [-0.01], atol=1e-12)
    # users lose OPT − NOINFO: user 1 gets ½ in both states with OPT, and action 0 (worth
    # ½·½) at the prior; user 2 with bias 0.06 on action 1: OPT = ½(0.06) + ½(½) ... computed:
    u = m.user_utility
    opt = 0.5 * (u[:, :, 0].max(axis=1) + u[:, :, 1].max(axis=1))
    noinfo = (u @ m.prior).max(axis=1)
    np.testing.assert_allclose(st_.loss, [m.masses @ (opt - noinfo)])


def test_failure_by_hand():
    """x = 0.02, y = 0.01: user 1 moves alone on (0.55, 0.57), provider 1 switches at 0.56.

    Provider 1's change gain there is ½(q − 0.56) > 0; its best split of the prior ½ puts a
    posterior at 0 and one just below 0.57: gain (0.57 − 0.56)/(4 · 0.57) = 1/228.
    """
    m = plane_point(0.02, 0.01)
    margin, strict = silence_margin(m)
    assert strict
    assert margin[0] == pytest.approx(0.005, abs=1e-12)
    assert best_deviation(m, SILENT, "anonymous", 0).gain == pytest.approx(1 / 228, abs=1e-9)
    assert abs(best_deviation(m, SILENT, "anonymous", 1).gain) < 1e-9
    assert not is_equilibrium(m, SILENT, "anonymous")
    assert plane_market(0.02, 0.01).silent.tolist() == [False]


def test_shared_indifference_belief_by_hand():
    """Both users switch at 0.55, providers as in Proposition 5.1 (they switch at ½).

    At 0.55 exactly, provider 2 can move its own audience alone: change gain ½·½(2q − 1) = 0.025;
    the best split of ½ into 0 and 0.55 gains (½ / 0.55)·0.025 = 1/44. The margin (sufficient
    condition) is positive for both providers, but only provider 2 can use it.
    """
    m = examples.opposite_tastes()
    u = m.user_utility.copy()
    u[0, 1] -= 0.05
    u[1, 1] += 0.05
    m = m.replace(user_utility=u)
    margin, strict = silence_margin(m)
    assert strict
    np.testing.assert_allclose(margin, [0.025, 0.025], atol=1e-12)
    assert abs(best_deviation(m, SILENT, "anonymous", 0).gain) < 1e-9
    assert best_deviation(m, SILENT, "anonymous", 1).gain == pytest.approx(1 / 44, abs=1e-9)


def test_kink_market_and_the_path_to_strong_alignment():
    """Proposition 5.1: silence iff ½ m_1 ≤ m_2 s_1; mixing toward U = u gives s_1 = 1 − 3t/2."""
    m = examples.opposite_tastes()
    _, strict = silence_margin(m)
    assert not strict  # users are tied at the prior: the proposition's parts 2-4 do not apply
    path = robustness_study(directions=("aligned",), sizes=(0.2, 1 / 3, 0.34, 0.8), menus=True,
                            revealing=False)
    assert path.silent.tolist() == [True, True, False, False]
    assert path.silent_menus.tolist() == path.silent.tolist()
    a, b = examples.opposite_tastes(), examples.opposite_tastes(aligned=True)
    for t, eps in zip(path.x, path.eps_strong):
        assert eps == pytest.approx(strong_alignment(mix_markets(a, b, t)).eps, abs=1e-7)
        assert eps == pytest.approx(0.375 * (1 - t), abs=1e-7)
    np.testing.assert_allclose(path.loss, 0.25)


def test_directions_of_the_survival_study():
    """Prior and masses keep the common indifference belief; users alone always break silence."""
    st_ = robustness_study(directions=("prior", "masses", "users"), sizes=(0.01, 0.1), n_samples=4,
                           menus=False, revealing=True)
    rates = {k: v[1].tolist() for k, v in st_.survival().items()}
    assert rates == {"prior": [1.0, 1.0], "masses": [1.0, 1.0], "users": [0.0, 0.0]}
    assert st_.revealing.all()  # (U) holds: full revelation is an equilibrium (Proposition 2.1)
    rebuilt = _markets(st_)
    for mine, theirs in zip(rebuilt, st_.markets):
        np.testing.assert_allclose(mine.user_utility, theirs.user_utility)
        np.testing.assert_allclose(mine.masses, theirs.masses)
        np.testing.assert_allclose(mine.prior, theirs.prior)
    weak = np.array([max(c.eps for c in weak_alignment(m)) for m in rebuilt])
    np.testing.assert_allclose(st_.eps_weak, weak, atol=1e-7)


def _markets(study):
    """Rebuild the study's markets (same seed, same order) for independent checks."""
    out = []
    rng = np.random.default_rng(0)
    base = examples.opposite_tastes()
    shapes = {"users": base.user_utility.shape, "providers": base.provider_utility.shape,
              "masses": base.masses.shape, "prior": base.prior.shape}
    sizes = np.unique(study.x)
    for name in study.directions:
        for _ in range(len(study.x) // len(sizes) // len(study.directions)):
            z = {key: rng.uniform(-1.0, 1.0, shape) for key, shape in shapes.items()}
            for s in sizes:
                if name == "users":
                    out.append(base.replace(user_utility=base.user_utility + s * z["users"]))
                else:
                    new = getattr(base, name) + s * (z[name] - z[name].mean())
                    out.append(base.replace(**{name: new / new.sum()}))
    return out


# ----------------------------------------------------------------------------
# What the proofs say must hold
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["providers", "masses", "aligned"])
def test_survival_is_monotone_along_rays(direction):
    """Silence's set is convex in the providers' utilities and in the masses: along each ray
    from the (silent) base market, silence survives on an interval of sizes."""
    sizes = (0.01, 0.05, 0.2, 0.4)
    st_ = robustness_study(directions=(direction,), sizes=sizes, n_samples=8, seed=3, menus=False,
                           revealing=False)
    verdicts = st_.silent.reshape(-1, len(sizes))  # one row per ray, sizes in order
    assert np.all(np.diff(verdicts.astype(int), axis=1) <= 0)
    rate = st_.survival()[direction][1]
    assert np.all(np.diff(rate) <= 1e-12)


def _indifference_beliefs(market):
    u = market.user_utility
    out = []
    for j in range(u.shape[0]):
        for a in range(u.shape[1]):
            for b in range(a + 1, u.shape[1]):
                den = (u[j, a, 1] - u[j, a, 0]) - (u[j, b, 1] - u[j, b, 0])
                if abs(den) > 1e-12:
                    q = (u[j, b, 0] - u[j, a, 0]) / den
                    if 0 <= q <= 1:
                        out.append((j, q))
    return out


def _generic(market):
    """No two users share an indifference belief (to 1e-6)."""
    beliefs = _indifference_beliefs(market)
    return all(abs(q - r) > 1e-6 for (j, q) in beliefs for (k, r) in beliefs if j != k)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n_actions=st.integers(2, 3), n_users=st.integers(2, 3),
       n_providers=st.integers(2, 3))
def test_margin_decides_silence_on_random_markets(seed, n_actions, n_users, n_providers):
    """Part 1: margin ≤ 0 ⇒ equilibrium; part 2: with a strict prior and distinct indifference
    beliefs, the converse too."""
    m = examples.random_market(seed, 2, n_actions, n_providers, n_users)
    margin, strict = silence_margin(m)
    exact = is_equilibrium(m, [reveal_nothing(2)] * n_providers, "anonymous")
    if margin.max() <= 0:
        assert exact
    if strict and _generic(m):
        assert exact == bool(margin.max() <= 0)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n_actions=st.integers(2, 3), n_users=st.integers(2, 3))
def test_exact_weak_alignment_leaves_no_costly_silence(seed, n_actions, n_users):
    """Part 4: under WMA(0), with a strict prior and distinct indifference beliefs, silence is
    an equilibrium only if users lose nothing."""
    m = examples.random_market(seed, 2, n_actions, 2, n_users, alignment="weak")
    _, strict = silence_margin(m)
    if not (strict and _generic(m)):
        return
    if is_equilibrium(m, [reveal_nothing(2)] * 2, "anonymous"):
        assert m.masses @ (aligned_value(m) - uninformed_value(m)) < 1e-9


def test_plane_matches_margin_and_hand_formula():
    """On the phase diagram's grid the margin sign reproduces the exact verdict; the row y = 0
    (providers switch where their audiences do) is silent only at x = 0."""
    xs, ys = np.linspace(-0.04, 0.04, 9), np.array([0.0, 0.02])
    plane = robustness_study(plane=(xs, ys), menus=False, revealing=False)
    grid_x, grid_y, cells = plane.grid()
    np.testing.assert_allclose(grid_x, xs)
    np.testing.assert_allclose(grid_y, ys)
    assert cells[0].tolist() == [x == 0 for x in np.round(xs, 12)]
    # y = 0.02: silent iff |x| ≤ y (the lone mover's provider switches y beyond her)
    assert cells[1].tolist() == [abs(x) <= 0.02 + 1e-12 for x in xs]
    assert np.array_equal(plane.margin <= 1e-12, plane.silent)


# ----------------------------------------------------------------------------
# Determinism, the result class, figures, errors
# ----------------------------------------------------------------------------


def test_deterministic_under_a_seed():
    kw = dict(directions=("random", "providers"), sizes=(0.01, 0.1), n_samples=3, menus=False,
              revealing=False)
    a, b, c = robustness_study(seed=5, **kw), robustness_study(seed=5, **kw), robustness_study(seed=6, **kw)
    for field in ("silent", "loss", "eps_weak", "eps_strong", "margin", "x", "direction"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.margin, c.margin)


def test_result_fields_and_summary():
    st_ = robustness_study(directions=("prior",), sizes=(0.01, 0.02), n_samples=2)
    assert isinstance(st_, RobustnessStudy)
    assert st_.directions == ("prior",)
    assert len(st_.silent) == 4 and st_.x.tolist() == [0.01, 0.02, 0.01, 0.02]
    assert st_.y.tolist() == [0.0] * 4
    text = st_.summary()
    assert "4 perturbed markets" in text and "prior: size 0.01: 2/2, size 0.02: 2/2" in text
    sizes, rate, lo, hi = st_.survival(menus=True)["prior"]
    assert rate.tolist() == [1.0, 1.0] and np.all(lo < 1) and np.all(hi == 1)
    with pytest.raises(ValueError, match="field"):
        st_.grid()
    assert set(_ROBUSTNESS_DIRECTIONS) == {"random", "users", "providers", "masses", "prior", "aligned"}


def test_aligned_direction_is_one_ray():
    st_ = robustness_study(directions=("aligned", "prior"), sizes=(0.1, 0.2), n_samples=3, menus=False,
                           revealing=False)
    assert (st_.direction == 0).sum() == 2 and (st_.direction == 1).sum() == 6


def test_figures():
    plane = robustness_study(plane=([-0.02, 0.0, 0.02], [0.0, 0.03]), menus=False, revealing=False)
    assert ex.draw_robust_plane(Figure(), plane, x=-0.02, y=0.0) == \
        "at x = -0.02, y = 0.00: silence is not an equilibrium"
    st_ = robustness_study(directions=("users",), sizes=(0.01,), n_samples=2, menus=False, revealing=False)
    assert ex.draw_robust_survival(Figure(), st_) == "silence survives in 0 of 2 perturbed markets"
    path = robustness_study(directions=("aligned",), sizes=(0.1,), menus=False, revealing=False)
    assert ex.draw_robust_bound(Figure(), st_, path) == "silence survives on the whole path"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(directions=("sideways",)), "directions"),
        (dict(directions="users"), "directions"),
        (dict(directions=()), "directions"),
        (dict(sizes=(0.1, -0.1)), "sizes"),
        (dict(sizes=(np.nan,)), "sizes"),
        (dict(directions=("aligned",), sizes=(1.5,)), "sizes"),
        (dict(n_samples=0), "n_samples"),
        (dict(seed=-1), "seed"),
        (dict(menus="yes"), "menus"),
        (dict(revealing=1), "revealing"),
        (dict(plane=([0.0],)), "plane"),
        (dict(plane=([0.0, 0.0], [0.0])), "plane"),
        (dict(plane=([0.0], [np.inf])), "plane"),
        (dict(plane=([0.0], [0.0]), shift="a"), "shift"),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        robustness_study(**kwargs)


def test_market_errors():
    three = examples.random_market(0, n_states=3)
    with pytest.raises(ValueError, match="market"):
        robustness_study(three)
    with pytest.raises(ValueError, match="market"):
        silence_margin(three)
    with pytest.raises(ValueError, match="market"):
        silence_margin("not a market")
    with pytest.raises(ValueError, match="market"):
        robustness_study(examples.random_market(0, n_users=3), plane=([0.0], [0.0]))
    st_ = robustness_study(directions=("prior",), sizes=(0.01,), n_samples=1, menus=False, revealing=False)
    with pytest.raises(ValueError, match="menus"):
        st_.survival(menus=True)
    plane = robustness_study(plane=([0.0], [0.0]), menus=False, revealing=False)
    with pytest.raises(ValueError, match="field"):
        plane.grid("revealing")
    with pytest.raises(ValueError, match="field"):
        plane.grid("directions")


# ----------------------------------------------------------------------------
# The widget over the phase diagram
# ----------------------------------------------------------------------------


def test_robust_widget_matches_the_exact_verdicts():
    plane = robustness_study(plane=(np.linspace(-0.02, 0.02, 5), np.array([0.0, 0.01, 0.02])),
                             menus=False, revealing=False)
    w = ex._robust_widget(plane, x=0.0, y=0.01)
    xs, ys, cells = plane.grid()
    rng = np.random.default_rng(0)
    for _ in range(6):
        vals = w.sample(rng)
        row, col = int(np.argmin(np.abs(ys - vals["y"]))), int(np.argmin(np.abs(xs - vals["x"])))
        caption = w.update(**vals)
        state = "silence is an equilibrium" if cells[row, col] else "a provider gains by informing"
        assert state in caption
        assert f"{plane.margin[row * len(xs) + col]:+.4f}" in caption
        assert (("not an equilibrium" in w.alt(plane=plane, **vals)) != bool(cells[row, col]))
    assert len(w.lattice()) == 15


def test_change_gains_by_hand():
    """Survivor market: on (0.55, 0.56) provider 1 gets ½(q − 0.58); beyond 0.56, ½(0.42 − q)."""
    m = plane_point(0.01, 0.03)
    g = ex._change_gains(m, [0.5, 0.555, 0.6])
    np.testing.assert_allclose(g[0], [0.0, 0.5 * (0.555 - 0.58), 0.5 * (0.42 - 0.6)], atol=1e-12)
    with pytest.raises(ValueError, match="beliefs"):
        ex._change_gains(m, [1.5])
    with pytest.raises(ValueError, match="market"):
        ex._change_gains(examples.random_market(0, n_states=3), [0.5])


def test_robust_widget_errors():
    with pytest.raises(ValueError, match="plane"):
        ex._robust_widget(robustness_study(plane=([0.0], [0.0, 0.01]), menus=False, revealing=False))
    with pytest.raises(ValueError, match="plane"):
        ex._robust_widget(robustness_study(plane=([0.0, 0.01, 0.03], [0.0, 0.01]), menus=False,
                                          revealing=False))
