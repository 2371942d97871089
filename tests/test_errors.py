"""Every error path: bad input raises ValueError whose message names the argument."""

from __future__ import annotations

import numpy as np
import pytest

import gamelib
from gamelib import alignment, examples
from gamelib._validation import pad_signals
from gamelib.interactive.alignment import _alignment_picture, tilted_market

M = examples.opposite_tastes()
U1 = np.eye(2)[None]  # one user, two actions, two states
SILENT = gamelib.reveal_nothing(2, 2)
GRID = gamelib.experiment_grid(2, 2)
PAIR = np.stack([SILENT, SILENT])
NAN = float("nan")
INF = float("inf")

CASES = [
    # Market
    ("prior negative", lambda: gamelib.Market([1.2, -0.2], [1.0], U1, U1[None]), "prior"),
    ("prior not normalised", lambda: gamelib.Market([0.5, 0.6], [1.0], U1, U1[None]), "prior"),
    ("prior NaN", lambda: gamelib.Market([NAN, 0.5], [1.0], U1, U1[None]), "prior"),
    ("prior zero entry", lambda: gamelib.Market([1.0, 0.0], [1.0], U1, U1[None]), "prior"),
    ("prior 2-D", lambda: gamelib.Market([[0.5, 0.5]], [1.0], U1, U1[None]), "prior"),
    ("prior empty", lambda: gamelib.Market([], [1.0], U1, U1[None]), "prior"),
    ("prior text", lambda: gamelib.Market(["a", "b"], [1.0], U1, U1[None]), "prior"),
    ("masses not normalised", lambda: gamelib.Market([0.5, 0.5], [0.5], U1, U1[None]), "masses"),
    ("masses zero", lambda: gamelib.Market([0.5, 0.5], [1.0, 0.0], np.stack([U1[0]] * 2), np.stack([U1[0]] * 2)[None]), "masses"),
    ("user utility wrong users", lambda: gamelib.Market([0.5, 0.5], [1.0], np.stack([U1[0]] * 2), U1[None]), "user_utility"),
    ("user utility wrong states", lambda: gamelib.Market([0.5, 0.5], [1.0], np.ones((1, 2, 3)), U1[None]), "user_utility"),
    ("user utility inf", lambda: gamelib.Market([0.5, 0.5], [1.0], np.full((1, 2, 2), INF), U1[None]), "user_utility"),
    ("provider utility wrong actions", lambda: gamelib.Market([0.5, 0.5], [1.0], U1, np.ones((1, 1, 3, 2))), "provider_utility"),
    ("provider utility 3-D", lambda: gamelib.Market([0.5, 0.5], [1.0], U1, U1), "provider_utility"),
    ("provider utility NaN", lambda: gamelib.Market([0.5, 0.5], [1.0], U1, np.full((1, 1, 2, 2), NAN)), "provider_utility"),
    ("names wrong count", lambda: gamelib.Market([0.5, 0.5], [1.0], U1, U1[None], state_names=["x"]), "state_names"),
    ("replace unknown field", lambda: M.replace(colour="red"), "changes"),
    ("not a market", lambda: gamelib.aligned_value("market"), "market"),
    # experiments
    ("experiment negative", lambda: gamelib.posteriors([0.5, 0.5], [[1.5, -0.5], [0.5, 0.5]]), "experiment"),
    ("experiment not stochastic", lambda: gamelib.posteriors([0.5, 0.5], [[0.5, 0.4], [0.5, 0.5]]), "experiment"),
    ("experiment wrong rows", lambda: gamelib.posteriors([0.5, 0.5], [[1.0, 0.0]]), "experiment"),
    ("experiment 1-D", lambda: gamelib.user_value([0.5, 0.5], [1.0, 0.0], np.eye(2)), "experiment"),
    ("experiment NaN", lambda: gamelib.posteriors([0.5, 0.5], [[NAN, 1.0], [0.5, 0.5]]), "experiment"),
    ("utility wrong states", lambda: gamelib.user_value([0.5, 0.5], SILENT, np.ones((2, 3))), "utility"),
    ("utility 4-D", lambda: gamelib.user_value([0.5, 0.5], SILENT, np.ones((1, 1, 2, 2))), "utility"),
    ("best_response utility", lambda: gamelib.best_response([0.5, 0.5], SILENT, np.ones(2)), "utility"),
    ("grid resolution zero", lambda: gamelib.experiment_grid(2, 0), "resolution"),
    ("grid resolution float", lambda: gamelib.experiment_grid(2, 2.5), "resolution"),
    ("grid too large", lambda: gamelib.experiment_grid(6, 20), "resolution"),
    ("grid states bool", lambda: gamelib.experiment_grid(True, 2), "n_states"),
    ("reveal_everything too few signals", lambda: gamelib.reveal_everything(3, n_signals=2), "n_signals"),
    ("pad_signals shrink", lambda: pad_signals(np.eye(3), 2), "n_signals"),
    # persuasion
    ("persuasion shapes differ", lambda: gamelib.optimal_persuasion([0.5, 0.5], np.ones((3, 2)), np.eye(2)), "sender_utility"),
    ("persuasion receiver states", lambda: gamelib.optimal_persuasion([0.5, 0.5], np.ones((2, 3)), np.ones((2, 3))), "receiver_utility"),
    ("persuasion prior", lambda: gamelib.optimal_persuasion([0.5, 0.6], np.eye(2), np.eye(2)), "prior"),
    ("belief out of range", lambda: gamelib.sender_value_curve([1.5], np.eye(2), np.eye(2)), "beliefs"),
    ("ties unknown", lambda: gamelib.sender_value_curve([0.5], np.eye(2), np.eye(2), ties="random"), "ties"),
    ("split belief NaN", lambda: gamelib.optimal_split(NAN, np.eye(2), np.eye(2)), "belief"),
    ("closure three states", lambda: gamelib.concave_closure(np.ones((2, 3)), np.ones((2, 3))), "receiver_utility"),
    # alignment
    ("cone not bool", lambda: gamelib.weak_alignment(M, cone="yes"), "cone"),
    ("residual weights shape", lambda: gamelib.alignment_residual(M, [1.0, 0.0, 0.0], [0.0, 0.0]), "weights"),
    ("residual negative weights", lambda: gamelib.alignment_residual(M, [1.5, -0.5], [0.0, 0.0]), "weights"),
    ("residual offsets shape", lambda: gamelib.alignment_residual(M, [1.0, 0.0], [0.0]), "offsets"),
    # markets
    ("mix t out of range", lambda: gamelib.mix_markets(M, M, 1.5), "t"),
    ("mix different shapes", lambda: gamelib.mix_markets(M, examples.random_market(0, n_providers=3), 0.5), "second"),
    ("random market alignment", lambda: examples.random_market(0, alignment="perfect"), "alignment"),
    ("random market negative noise", lambda: examples.random_market(0, noise=-0.1), "noise"),
    ("random market seed", lambda: examples.random_market(-1), "seed"),
    ("opposite tastes masses", lambda: examples.opposite_tastes(masses=(0.5, 0.6)), "masses"),
    ("opposite tastes stakes", lambda: examples.opposite_tastes(stakes=(1.0, -1.0)), "stakes"),
    ("prosecutor prior", lambda: examples.prosecutor(1.0), "prior_guilty"),
    # equilibria
    ("mode unknown", lambda: gamelib.equilibria(M, GRID, "collusive"), "mode"),
    ("equilibria empty set", lambda: gamelib.equilibria(M, np.empty((0, 2, 2)), "anonymous"), "experiments"),
    ("equilibria 2-D experiments", lambda: gamelib.equilibria(M, SILENT, "anonymous"), "experiments"),
    ("equilibria non-stochastic", lambda: gamelib.equilibria(M, GRID * 0.5, "anonymous"), "experiments"),
    ("equilibria unknown tie rule", lambda: gamelib.equilibria(M, GRID, "anonymous", ties="random"), "ties"),
    ("equilibria sub-game tables too large",  # 4 · 169**3 > 2**24 entries (169**4 profiles are allowed)
     lambda: gamelib.equilibria(examples.random_market(0, n_providers=4, n_users=1), gamelib.experiment_grid(2, 12),
                                "anonymous"), "experiments"),
    ("equilibria wrong states", lambda: gamelib.equilibria(M, np.ones((2, 3, 1)), "anonymous"), "experiments"),
    ("equilibria too many profiles", lambda: gamelib.equilibria(examples.random_market(0, n_providers=4), gamelib.experiment_grid(2, 20), "anonymous"), "experiments"),
    ("play personalized shape", lambda: gamelib.play(M, PAIR, "personalized"), "policy"),
    ("play anonymous shape", lambda: gamelib.play(M, SILENT, "anonymous"), "policy"),
    ("play non-stochastic", lambda: gamelib.play(M, PAIR * 2, "anonymous"), "policy"),
    ("play mode", lambda: gamelib.play(M, PAIR, "mixed"), "mode"),
    ("deviation provider out of range", lambda: gamelib.deviation_gains(M, PAIR, "anonymous", 2, GRID), "provider"),
    ("deviation personalized needs user", lambda: gamelib.deviation_gains(M, np.stack([PAIR] * 2), "personalized", 0, GRID), "user"),
    ("deviation anonymous with user", lambda: gamelib.deviation_gains(M, PAIR, "anonymous", 0, GRID, user=0), "user"),
    ("deviation user out of range", lambda: gamelib.deviation_gains(M, np.stack([PAIR] * 2), "personalized", 0, GRID, user=5), "user"),
    ("deviation menu too large", lambda: gamelib.deviation_gains(M, PAIR, "anonymous", 0, GRID[:2], menu_size=3), "menu_size"),
    ("deviation menu personalized", lambda: gamelib.deviation_gains(M, np.stack([PAIR] * 2), "personalized", 0, GRID, user=0, menu_size=2), "menu_size"),
    ("profitable_deviation experiments", lambda: gamelib.profitable_deviation(M, PAIR, "anonymous", experiments=SILENT), "experiments"),
    ("outcome_tables experiments", lambda: gamelib.outcome_tables(M, np.ones((1, 2, 2))), "experiments"),
]


@pytest.mark.parametrize("label, call, argument", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_value_error_naming_argument(label, call, argument):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(argument + ":"), str(info.value)


def test_at_least_25_distinct_error_paths():
    assert len({c[0] for c in CASES}) >= 25


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: examples.threshold_receiver(1.5), "threshold"),
        (lambda: examples.threshold_receiver("x"), "threshold"),
        (lambda: tilted_market(-0.1), "taste"),
        (lambda: tilted_market(0.5, float("nan")), "bias"),
        (lambda: gamelib.symmetric_experiment(1.2), "q"),
        (lambda: alignment.remove_constants([1.0, 2.0]), "utility"),
        (lambda: alignment.hull_distance([0.0, 0.0], [[1.0, 0.0, 0.0]]), "vertices"),
        (lambda: alignment.hull_distance([0.0], [[1.0]], cone="yes"), "cone"),
        (lambda: alignment.hull_distance([0.0], np.zeros((13, 1))), "vertices"),
        (lambda: gamelib.split_experiment([0.5, 0.5], [[1.0, 0.0]], [1.0]), "posteriors"),
        (lambda: gamelib.split_experiment([1.0, 0.0], [[1.0, 0.0]], [1.0]), "prior"),
        (lambda: gamelib.split_experiment([0.5, 0.5], [[0.5, 0.5]], [0.5, 0.5]), "weights"),
        (lambda: _alignment_picture("market"), "market"),
        (lambda: _alignment_picture(examples.opposite_tastes(), user=2), "user"),
        (lambda: _alignment_picture(examples.opposite_tastes(), cone=1), "cone"),
    ],
)
def test_errors_name_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gamelib.equilibria(M, GRID, "collusive"), "mode: must be 'personalized' or 'anonymous', got 'collusive'"),
        (lambda: gamelib.sender_value_curve([0.5], np.eye(2), np.eye(2), ties="random"),
         "ties: must be 'lowest', 'sender' or 'adverse', got 'random'"),
        (lambda: examples.random_market(0, alignment="perfect"), "alignment: must be None, 'weak' or 'strong', got 'perfect'"),
        (lambda: gamelib.deviation_gains(M, PAIR, "anonymous", 2, GRID), "provider: must be below the number of providers 2, got 2"),
        (lambda: examples.fixed_action_providers(action=2), "action: must be below the number of actions 2, got 2"),
        (lambda: gamelib.symmetric_experiment([0.5, 1.2]), "q: entries must lie in [0, 1]"),
        (lambda: gamelib.alignment_residual(M, [1.5, -0.5], [0.0, 0.0]), "weights: entries must lie in [0, inf]"),
    ],
)
def test_shared_checks_state_the_allowed_values(call, message):
    """The shared option, index and range checks say what was allowed and what was given."""
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message
