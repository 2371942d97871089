"""Exact values of the core objects, computed by hand."""

import numpy as np
import pytest

import gamelib
from gamelib import examples


def test_market_shapes_and_readonly():
    m = examples.opposite_tastes()
    assert m.prior.shape == (2,) and m.masses.shape == (2,)
    assert m.user_utility.shape == (2, 2, 2) and m.provider_utility.shape == (2, 2, 2, 2)
    assert m.prior.dtype == float
    with pytest.raises(ValueError):
        m.prior[0] = 0.3  # read-only arrays: a market cannot be changed behind one's back


def test_benchmarks_opposite_tastes():
    m = examples.opposite_tastes()
    np.testing.assert_allclose(gamelib.aligned_value(m), [0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(gamelib.uninformed_value(m), [0.25, 0.25], atol=1e-15)
    np.testing.assert_array_equal(gamelib.best_actions(m), [[0, 1], [1, 0]])
    assert gamelib.has_unique_best_actions(m)


def test_benchmarks_asymmetric_prior():
    # u[a, θ]: a=0 pays 3 in θ0 and 0 in θ1; a=1 pays 1 in both. prior (0.2, 0.8)
    u = np.array([[[3.0, 0.0], [1.0, 1.0]]])
    m = gamelib.Market([0.2, 0.8], [1.0], u, u[None])
    # OPT = 0.2*3 + 0.8*1 = 1.4 ; NOINFO = max(0.6, 1.0) = 1.0
    np.testing.assert_allclose(gamelib.aligned_value(m), [1.4])
    np.testing.assert_allclose(gamelib.uninformed_value(m), [1.0])


def test_posteriors_and_signal_probabilities():
    prior = [0.25, 0.75]
    pi = [[0.8, 0.2], [0.4, 0.6]]
    # P(s0) = 0.25*0.8 + 0.75*0.4 = 0.5 ; P(s1) = 0.5
    np.testing.assert_allclose(gamelib.signal_probabilities(prior, pi), [0.5, 0.5])
    # μ_s0 = (0.2, 0.3)/0.5 = (0.4, 0.6) ; μ_s1 = (0.05, 0.45)/0.5 = (0.1, 0.9)
    np.testing.assert_allclose(gamelib.posteriors(prior, pi), [[0.4, 0.6], [0.1, 0.9]])


def test_posterior_of_never_sent_signal_is_prior():
    post = gamelib.posteriors([0.5, 0.5], gamelib.reveal_nothing(2, 3))
    np.testing.assert_allclose(post, [[0.5, 0.5]] * 3)


def test_user_value_hand_computed():
    # guess-the-state user, prior (0.25, 0.75), experiment above:
    # s0: scores (0.2, 0.3) -> 0.3 ; s1: (0.05, 0.45) -> 0.45 ; V = 0.75
    u = np.eye(2)
    pi = np.array([[0.8, 0.2], [0.4, 0.6]])
    assert gamelib.user_value([0.25, 0.75], pi, u) == pytest.approx(0.75, abs=1e-15)
    # with no information she guesses θ1: 0.75 as well ; full information: 1
    assert gamelib.user_value([0.25, 0.75], gamelib.reveal_nothing(2), u) == pytest.approx(0.75)
    assert gamelib.user_value([0.25, 0.75], gamelib.reveal_everything(2), u) == pytest.approx(1.0)
    # vectorised over experiments and users
    both = gamelib.user_value([0.25, 0.75], np.stack([pi, np.eye(2)]), np.stack([u, 1 - u]))
    # the contrarian (1 - u): s0 -> max(0.3, 0.2) ; s1 -> max(0.45, 0.05) ; V = 0.75
    np.testing.assert_allclose(both, [[0.75, 0.75], [1.0, 1.0]])


def test_best_response_lowest_index_tie():
    u = np.eye(2)
    # at the uniform prior both actions tie: lowest index
    np.testing.assert_array_equal(gamelib.best_response([0.5, 0.5], gamelib.reveal_nothing(2), u), [0])
    np.testing.assert_array_equal(gamelib.best_response([0.5, 0.5], np.eye(2), u), [0, 1])


def test_experiment_grid_contents():
    g = gamelib.experiment_grid(2, 4)
    assert g.shape == (25, 2, 2)
    np.testing.assert_allclose(g.sum(axis=-1), 1.0)
    assert np.any(np.all(g == gamelib.reveal_everything(2), axis=(1, 2)))
    np.testing.assert_array_equal(g[0], gamelib.reveal_nothing(2, 2))
    g3 = gamelib.experiment_grid(3, 2)  # binary signals cannot reveal 3 states: appended
    assert g3.shape == (3**3 + 1, 3, 3)
    np.testing.assert_array_equal(g3[-1], np.eye(3))
    g3s = gamelib.experiment_grid(3, 1, n_signals=3)
    assert g3s.shape == (27, 3, 3)
    assert len(np.unique(g.reshape(len(g), -1), axis=0)) == len(g)


def test_is_informative():
    assert not gamelib.is_informative([0.3, 0.7], [[0.4, 0.6], [0.4, 0.6]])
    assert gamelib.is_informative([0.3, 0.7], [[0.5, 0.5], [0.4, 0.6]])


@pytest.mark.parametrize("seed", range(8))
def test_outcome_tables_match_the_single_decision_functions(seed):
    """outcome_tables (one matrix product for everybody) agrees with a loop over experiments,
    users and signals built from best_response / user_value and the definition of V and Π."""
    n_states = 2 + seed % 2
    m = examples.random_market(seed, n_states=n_states, n_actions=3, n_providers=3, n_users=2)
    grid = gamelib.experiment_grid(n_states, 2)
    values, payoffs, actions = gamelib.outcome_tables(m, grid)
    for e, pi in enumerate(grid):
        joint = m.prior[:, None] * pi  # μ(θ) π[θ, s]
        for j in range(m.n_users):
            act = gamelib.best_response(m.prior, pi, m.user_utility[j])
            np.testing.assert_array_equal(actions[e, j], act)
            assert values[e, j] == pytest.approx(gamelib.user_value(m.prior, pi, m.user_utility[j]), abs=1e-12)
            for i in range(m.n_providers):
                expected = sum(joint[t, s] * m.provider_utility[i, j, act[s], t]
                               for t in range(n_states) for s in range(pi.shape[1]))
                assert payoffs[i, e, j] == pytest.approx(expected, abs=1e-12)


def test_outcome_tables_opposite_tastes():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 1)  # (1,0|1,0) silent, (1,0|0,1) full, (0,1|1,0) full, (0,1|0,1) silent
    values, payoffs, actions = gamelib.outcome_tables(m, grid)
    np.testing.assert_allclose(values, [[0.25, 0.25], [0.5, 0.5], [0.5, 0.5], [0.25, 0.25]])
    # full revelation: user 1 matches, user 2 mismatches; provider 1 gets 1/2 from user 1, 0 from user 2
    np.testing.assert_allclose(payoffs[0, 1], [0.5, 0.0])
    np.testing.assert_allclose(payoffs[1, 1], [0.0, 0.5])
    np.testing.assert_array_equal(actions[1], [[0, 1], [1, 0]])


def test_play_menus_and_action_probabilities():
    m = examples.opposite_tastes()
    silent, full = gamelib.reveal_nothing(2, 2), gamelib.reveal_everything(2)
    out = gamelib.play(m, np.stack([silent, full]), "anonymous")
    np.testing.assert_array_equal(out.choice, [1, 1])
    np.testing.assert_allclose(out.user_values, [0.5, 0.5])
    # provider 1 gets from user 1: 1/2*E[1/2*1[a=θ]] = 1/4 ; from user 2: 1/2*P(a=θ)=0
    np.testing.assert_allclose(out.provider_values, [0.25, 0.25])
    np.testing.assert_allclose(out.action_probabilities[0], np.eye(2))
    np.testing.assert_allclose(out.action_probabilities[1], 1 - np.eye(2))
    # a menu (silent, full) for provider 1 beats provider 2's silence; users take item 1
    menus = np.stack([np.stack([silent, full]), np.stack([silent, silent])])
    out = gamelib.play(m, menus, "anonymous")
    np.testing.assert_array_equal(out.choice, [0, 0])
    np.testing.assert_array_equal(out.item, [1, 1])


def test_play_personalized_separates_users():
    m = examples.opposite_tastes()
    silent, full = gamelib.reveal_nothing(2, 2), gamelib.reveal_everything(2)
    policy = np.stack([np.stack([full, silent]), np.stack([silent, silent])])  # provider 1 reveals to user 1 only
    out = gamelib.play(m, policy, "personalized")
    np.testing.assert_array_equal(out.choice, [0, 0])
    np.testing.assert_allclose(out.user_values, [0.5, 0.25])
    # provider 1: 1/2 * E[1/2 1[a=θ]] (=1/2) + 1/2 * P(a=θ | user 2 silent, plays 0) (=1/2) = 1/4 + 1/4
    # provider 2: 1/2 * P(a≠θ | user 1 informed) (=0) + 1/2 * E[1/2 1[a≠θ]] (=1/4) = 1/8
    np.testing.assert_allclose(out.provider_values, [0.5, 0.125])


def test_prosecutor_persuasion_exact():
    m = examples.prosecutor()
    res = gamelib.optimal_persuasion(m.prior, m.provider_utility[0, 0], m.user_utility[0])
    assert res.sender_value == pytest.approx(0.6, abs=1e-9)
    assert res.experiment[0, 0] == pytest.approx(3 / 7, abs=1e-9)  # P(convict | innocent)
    assert res.experiment[1, 0] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(res.action_probabilities, [0.6, 0.4], atol=1e-9)
    assert res.receiver_value == pytest.approx(0.7, abs=1e-9)


def test_prosecutor_grid_search_reaches_closure_with_lowest_index_rule():
    # convict is action 0, so the lowest-index tie favours the prosecutor:
    # P(convict|innocent) = 3/7 is not on a grid, but a rational grid point at the threshold is.
    m = examples.prosecutor()
    grid = gamelib.experiment_grid(2, 14)  # contains 6/14 = 3/7
    values, payoffs, _ = gamelib.outcome_tables(m, grid)
    assert payoffs[0, :, 0].max() == pytest.approx(0.6, abs=1e-9)
    # with the action order swapped (acquit = 0) the same grid falls short of 0.6
    swapped = gamelib.Market(m.prior, m.masses, m.user_utility[:, ::-1], m.provider_utility[:, :, ::-1])
    _, payoffs2, _ = gamelib.outcome_tables(swapped, grid)
    assert payoffs2[0, :, 0].max() < 0.6 - 1e-3


def test_concave_closure_matches_lp_on_prior_range():
    judge, pros = np.array([[0, 1], [1, 0]]), np.array([[1, 1], [0, 0]])
    for p in np.linspace(0.01, 0.99, 25):
        lp = gamelib.optimal_persuasion([1 - p, p], pros, judge).sender_value
        _, _, value = gamelib.optimal_split(p, pros, judge)
        assert value == pytest.approx(lp, abs=1e-8)
        assert value == pytest.approx(min(1.0, 2 * p), abs=1e-12)  # closure of the step at 1/2


def test_alignment_opposite_tastes_exact():
    m = examples.opposite_tastes()
    weak = gamelib.weak_alignment(m)
    assert [c.eps for c in weak] == [0.0, 0.0]
    np.testing.assert_allclose(weak[0].weights, [1.0, 0.0])
    strong = gamelib.strong_alignment(m)
    # hand: residual range for user 1 is 3(1 - w1)/4 wide... eps = 3/8 at w = (1/2, 1/2)
    assert strong.eps == pytest.approx(0.375, abs=1e-9)
    np.testing.assert_allclose(strong.weights, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(gamelib.alignment_residual(m, strong.weights, strong.offsets), strong.eps)


def test_alignment_fixed_action_cone_vs_simplex():
    m = examples.fixed_action()
    assert gamelib.weak_alignment(m)[0].eps == pytest.approx(1.0)
    cone = gamelib.weak_alignment(m, cone=True)[0]
    assert cone.eps == pytest.approx(0.5)
    np.testing.assert_allclose(cone.weights, 0.0, atol=1e-12)


def test_mix_markets_endpoints():
    a, b = examples.opposite_tastes(), examples.opposite_tastes(aligned=True)
    np.testing.assert_array_equal(gamelib.mix_markets(a, b, 0.0).provider_utility, a.provider_utility)
    np.testing.assert_array_equal(gamelib.mix_markets(a, b, 1.0).provider_utility, b.provider_utility)
    assert gamelib.strong_alignment(b).eps == pytest.approx(0.0, abs=1e-12)


def test_random_market_is_reproducible_and_generic():
    a = examples.random_market(7, n_states=3, n_actions=3, n_providers=3, n_users=4)
    b = examples.random_market(7, n_states=3, n_actions=3, n_providers=3, n_users=4)
    np.testing.assert_array_equal(a.user_utility, b.user_utility)
    assert gamelib.has_unique_best_actions(a)
    c = examples.random_market(8, n_states=3, n_actions=3, n_providers=3, n_users=4)
    assert not np.array_equal(a.user_utility, c.user_utility)
    w = examples.random_market(3, alignment="weak", n_users=3, n_providers=3)
    assert max(cert.eps for cert in gamelib.weak_alignment(w)) < 1e-9
    noisy = examples.random_market(3, alignment="strong", noise=0.05)
    assert gamelib.strong_alignment(noisy).eps <= 0.05 + 1e-12
