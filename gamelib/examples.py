"""Named markets of the book and a seeded random-market generator.

* :func:`prosecutor` — Kamenica & Gentzkow's (2011) judge and prosecutor;
* :func:`opposite_tastes` — the market of Proposition 2 (two audiences with
  opposite tastes; weakly but not strongly aligned);
* :func:`fixed_action` — providers who want one action whatever the state
  (no alignment; personalized silence can be an equilibrium);
* :func:`random_market` — generic random markets, optionally built to satisfy
  WMA or SMA exactly (or up to a chosen perturbation).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_distribution, as_int, as_real
from .market import Market, has_unique_best_actions

__all__ = ["prosecutor", "opposite_tastes", "fixed_action", "random_market"]


def prosecutor(prior_guilty=0.3):
    """Kamenica–Gentzkow's prosecutor persuading a judge.

    States: 0 = innocent, 1 = guilty.  Actions: 0 = convict, 1 = acquit
    (convict is action 0 so that the lowest-index tie rule favours the
    prosecutor, as KG's sender-preferred ties do).  The judge gets 1 for a
    correct verdict; the prosecutor gets 1 for a conviction.

    Examples
    --------
    >>> from gamelib import examples, optimal_persuasion
    >>> m = examples.prosecutor()
    >>> m.prior, m.action_names
    (array([0.7, 0.3]), ('convict', 'acquit'))
    >>> res = optimal_persuasion(m.prior, m.provider_utility[0, 0], m.user_utility[0])
    >>> round(res.sender_value, 9)
    0.6
    """
    p = as_real(prior_guilty, "prior_guilty", 0.0, 1.0)
    if not 0.0 < p < 1.0:
        raise ValueError(f"prior_guilty: must lie strictly between 0 and 1, got {p}")
    judge = np.array([[0.0, 1.0], [1.0, 0.0]])  # [a, θ]: convict is right iff guilty
    prosecutor = np.array([[1.0, 1.0], [0.0, 0.0]])
    return Market(
        [1 - p, p],
        [1.0],
        judge[None],
        prosecutor[None, None],
        state_names=("innocent", "guilty"),
        action_names=("convict", "acquit"),
        user_names=("judge",),
        provider_names=("prosecutor",),
    )


def opposite_tastes(masses=(0.5, 0.5), stakes=(1.0, 1.0), aligned=False):
    """The market of Proposition 2: two audiences with opposite tastes.

    Two equally likely states, actions {0, 1}.  User 1 wants to match the
    state, ``u_1 = ½·1[a = θ]``; user 2 wants to mismatch it,
    ``u_2 = ½·1[a ≠ θ]``.  Provider 1 is aligned with user 1
    (``U_1^1 = u_1``) but wants user 2 to match the state too,
    ``U_1^2 = stakes[0]·1[a = θ]``; provider 2 symmetrically has
    ``U_2^2 = u_2`` and ``U_2^1 = stakes[1]·1[a ≠ θ]``.

    Parameters
    ----------
    masses : pair of float, default (½, ½)
    stakes : pair of float, default (1, 1)
        How much each provider cares about the *other* provider's audience.
    aligned : bool, default False
        If True, every provider wants what every user wants (``U_i^j = u_j``):
        a strongly aligned market with the same users.

    Examples
    --------
    >>> from gamelib import examples
    >>> m = examples.opposite_tastes()
    >>> m.user_utility[0]
    array([[0.5, 0. ],
           [0. , 0.5]])
    >>> m.provider_utility[0, 1]
    array([[1., 0.],
           [0., 1.]])
    """
    masses = as_distribution(masses, "masses", length=2, full_support=True)
    stakes = np.asarray(stakes, dtype=float) if np.ndim(stakes) else None
    if stakes is None or stakes.shape != (2,):
        raise ValueError("stakes: expected a pair of numbers")
    for s in stakes:
        as_real(s, "stakes", minimum=0.0)
    match = np.eye(2)  # [a, θ] = 1[a = θ]
    miss = 1.0 - match
    u = np.stack([0.5 * match, 0.5 * miss])  # [n, A, Θ]
    if aligned:
        provider = np.stack([u, u])
    else:
        provider = np.stack(
            [
                np.stack([0.5 * match, stakes[0] * match]),  # provider 1: from user 1, from user 2
                np.stack([stakes[1] * miss, 0.5 * miss]),  # provider 2
            ]
        )
    return Market(
        [0.5, 0.5],
        masses,
        u,
        provider,
        state_names=("θ=0", "θ=1"),
        action_names=("a=0", "a=1"),
        user_names=("matcher", "contrarian"),
        provider_names=("provider 1", "provider 2"),
    )


def fixed_action(n_providers=2, action=0):
    """Providers who want one fixed action whatever the state.

    One user who wants to match a fair coin (``u = 1[a = θ]``); every provider
    gets 1 when the user plays ``action``.  With ``action=0`` it is the action
    the uninformed user already takes (lowest-index tie), so personalized
    silence is an equilibrium: revealing can only make her deviate from it.

    Examples
    --------
    >>> from gamelib import examples, weak_alignment
    >>> m = examples.fixed_action()
    >>> round(weak_alignment(m)[0].eps, 9), round(weak_alignment(m, cone=True)[0].eps, 9)
    (1.0, 0.5)
    """
    n_providers = as_int(n_providers, "n_providers", 1)
    action = as_int(action, "action", 0)
    if action > 1:
        raise ValueError(f"action: must be 0 or 1, got {action}")
    u = np.eye(2)[None]  # [1, A, Θ]
    want = np.zeros((2, 2))
    want[action] = 1.0
    return Market([0.5, 0.5], [1.0], u, np.broadcast_to(want, (n_providers, 1, 2, 2)))


def random_market(
    seed,
    n_states=2,
    n_actions=2,
    n_providers=2,
    n_users=2,
    alignment=None,
    noise=0.0,
):
    """A random market; generic, so assumption (U) holds.

    Prior and masses are drawn from a flat Dirichlet (bounded away from zero),
    utilities uniformly from [0, 1].  With ``alignment="weak"`` each user's
    utility is rebuilt as ``Σ_i w^j_i U_i^j + c_j`` for random simplex weights
    ``w^j`` (so WMA(0) holds); with ``alignment="strong"`` one common ``w`` is
    used (SMA(0)).  ``noise`` adds a uniform perturbation in ``[-noise, noise]``
    to the users' utilities afterwards, so the condition holds with
    ``ε ≤ noise``.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same market.
    n_states, n_actions, n_providers, n_users : int
    alignment : {None, "weak", "strong"}
    noise : float, default 0

    Examples
    --------
    >>> from gamelib import examples, strong_alignment, has_unique_best_actions
    >>> m = examples.random_market(0, n_users=3, alignment="strong")
    >>> m
    Market(n_states=2, n_actions=2, n_users=3, n_providers=2)
    >>> strong_alignment(m).eps < 1e-9, has_unique_best_actions(m)
    (True, True)
    """
    seed = as_int(seed, "seed", 0)
    n_states = as_int(n_states, "n_states", 1)
    n_actions = as_int(n_actions, "n_actions", 1)
    n_providers = as_int(n_providers, "n_providers", 1)
    n_users = as_int(n_users, "n_users", 1)
    if alignment not in (None, "weak", "strong"):
        raise ValueError(f"alignment: must be None, 'weak' or 'strong', got {alignment!r}")
    noise = as_real(noise, "noise", minimum=0.0)
    if n_actions < 2 and n_states > 1:
        pass  # one action: (U) holds trivially
    rng = np.random.default_rng(seed)
    for _ in range(100):
        prior = 0.05 / n_states + 0.95 * rng.dirichlet(np.ones(n_states))
        masses = 0.05 / n_users + 0.95 * rng.dirichlet(np.ones(n_users))
        provider = rng.uniform(size=(n_providers, n_users, n_actions, n_states))
        if alignment is None:
            users = rng.uniform(size=(n_users, n_actions, n_states))
        else:
            if alignment == "strong":
                w = np.broadcast_to(rng.dirichlet(np.ones(n_providers)), (n_users, n_providers))
            else:
                w = rng.dirichlet(np.ones(n_providers), size=n_users)
            offsets = rng.uniform(-0.5, 0.5, size=n_users)
            users = np.einsum("ji,ijat->jat", w, provider) + offsets[:, None, None]
        if noise > 0:
            users = users + rng.uniform(-noise, noise, size=users.shape)
        market = Market(prior / prior.sum(), masses / masses.sum(), users, provider)
        if has_unique_best_actions(market) and _gaps_ok(users):
            return market
    raise RuntimeError("random_market: could not draw a market satisfying (U)")  # pragma: no cover


def _gaps_ok(users, gap=1e-6):
    """Best actions are unique by a margin (keeps tie-breaking irrelevant)."""
    if users.shape[1] < 2:
        return True
    top2 = np.sort(users, axis=1)[:, -2:, :]
    return bool(np.all(top2[:, 1] - top2[:, 0] > gap))
