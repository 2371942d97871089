"""Named markets of the book and a seeded random-market generator.

* :func:`prosecutor` — Kamenica & Gentzkow's (2011) judge and prosecutor;
* :func:`opposite_tastes` — the market of Proposition 5.1 (two audiences with
  opposite tastes; weakly but not strongly aligned);
* :func:`fixed_action_providers` — a market's users (default: one coin matcher)
  facing providers who want one action whatever the state (no alignment;
  personalized silence can be an equilibrium);
* :func:`random_market` — generic random markets, optionally built to satisfy
  WMA or SMA exactly (or up to a chosen perturbation);
* :func:`audience_market` — random two-audience markets (chapter 7's price of
  anonymity);
* :func:`tight_market` — a market attaining the ``OPT − 2ε`` bound of
  Theorem 4.1 exactly;
* :func:`tie_example`, :func:`aligned_tie_market`, :func:`anonymous_tie_market`
  — markets without assumption (U), where the users' tie rule matters
  (chapter 7).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_distribution, as_finite_array, as_index, as_int, as_option, as_real
from .market import Market, _check_market, has_unique_best_actions

_TWO_PROVIDERS = ("provider 1", "provider 2")


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
    p = as_real(prior_guilty, "prior_guilty", 0.0, 1.0, strict=True)
    judge = np.array([[0.0, 1.0], [1.0, 0.0]])  # [a, θ]: convict is right iff guilty
    prosecutor = np.array([[1.0, 1.0], [0.0, 0.0]])
    return Market([1 - p, p], [1.0], judge[None], prosecutor[None, None], state_names=("innocent", "guilty"),
                  action_names=("convict", "acquit"), user_names=("judge",), provider_names=("prosecutor",))


def opposite_tastes(masses=(0.5, 0.5), stakes=(1.0, 1.0), aligned=False):
    """The market of Proposition 5.1: two audiences with opposite tastes.

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
    stakes = as_finite_array(stakes, "stakes", shape=(2,), minimum=0.0)
    match = np.eye(2)  # [a, θ] = 1[a = θ]
    miss = 1.0 - match
    u = np.stack([0.5 * match, 0.5 * miss])  # [n, A, Θ]
    provider = np.stack([u, u]) if aligned else np.stack([
        np.stack([0.5 * match, stakes[0] * match]),  # provider 1: from user 1, from user 2
        np.stack([stakes[1] * miss, 0.5 * miss]),  # provider 2
    ])
    return Market([0.5, 0.5], masses, u, provider, state_names=("θ=0", "θ=1"), action_names=("a=0", "a=1"),
                  user_names=("matcher", "contrarian"), provider_names=_TWO_PROVIDERS)


def fixed_action_providers(market=None, action=0):
    """The same users, facing providers who want ``action`` from everyone, in every state.

    Every ``U_i^j(a, θ) = 1[a = action]``: no alignment at all.  The default
    market has one user who wants to match a fair coin (``u = 1[a = θ]``) and
    two providers.  With ``action=0`` it is the action the uninformed user
    already takes (lowest-index tie), so personalized silence is an
    equilibrium: revealing can only make her deviate from it.

    Examples
    --------
    >>> from gamelib import examples, weak_alignment
    >>> m = examples.fixed_action_providers()
    >>> round(weak_alignment(m)[0].eps, 9), round(weak_alignment(m, cone=True)[0].eps, 9)
    (1.0, 0.5)

    >>> from gamelib import examples, weak_alignment
    >>> from gamelib.examples import fixed_action_providers
    >>> m = fixed_action_providers(examples.opposite_tastes())
    >>> m.provider_utility[1, 0]
    array([[1., 1.],
           [0., 0.]])
    >>> [c.eps for c in weak_alignment(m)]
    [0.75, 0.75]
    """
    if market is None:
        market = Market([0.5, 0.5], [1.0], np.eye(2)[None], np.zeros((2, 1, 2, 2)))
    market = _check_market(market)
    action = as_index(action, "action", market.n_actions, "actions")
    want = np.arange(market.n_actions)[:, None] == action  # [A, 1]: 1[a = action], for every provider, user, state
    return market.replace(provider_utility=np.broadcast_to(want, market.provider_utility.shape))


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
    n_states, n_actions, n_providers, n_users = (as_int(v, name, 1) for v, name in (
        (n_states, "n_states"), (n_actions, "n_actions"), (n_providers, "n_providers"), (n_users, "n_users")))
    as_option(alignment, "alignment", (None, "weak", "strong"))
    noise = as_real(noise, "noise", minimum=0.0)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        prior = 0.05 / n_states + 0.95 * rng.dirichlet(np.ones(n_states))
        masses = 0.05 / n_users + 0.95 * rng.dirichlet(np.ones(n_users))
        provider = rng.uniform(size=(n_providers, n_users, n_actions, n_states))
        if alignment is None:
            users = rng.uniform(size=(n_users, n_actions, n_states))
        else:  # one weight vector for all users (strong) or one per user (weak)
            w = rng.dirichlet(np.ones(n_providers), size=None if alignment == "strong" else n_users)
            w = np.broadcast_to(w, (n_users, n_providers))
            offsets = rng.uniform(-0.5, 0.5, size=n_users)
            users = np.einsum("ji,ijat->jat", w, provider) + offsets[:, None, None]
        if noise > 0:
            users = users + rng.uniform(-noise, noise, size=users.shape)
        # best actions unique by a margin, which keeps tie-breaking irrelevant (none to beat if A = 1)
        if np.all(np.diff(np.sort(users, axis=1)[:, -2:], axis=1) > 1e-6):
            return Market(prior / prior.sum(), masses / masses.sum(), users, provider)
    raise RuntimeError("random_market: could not draw a market satisfying (U)")  # pragma: no cover


def audience_market(seed, taste_noise=None, max_stake=3.0):
    """A random two-audience market in the spirit of Proposition 5.1.

    Two states and two actions; user 1 has uniform random tastes ``u_1``;
    user 2 is a noisy *contrarian*, ``u_2 = 1 − u_1 + noise`` with noise
    uniform in ``[−taste_noise, taste_noise]``.  Provider ``i`` shares the
    tastes of its own audience (``U_i^i = u_i``, so WMA(0) holds) and wants
    the other audience to act like its own, with a random stake:
    ``U_i^j = s_i · u_i`` for ``j ≠ i``, ``s_i`` uniform in ``[0, max_stake]``.

    Parameters
    ----------
    seed : int
    taste_noise : float, optional
        Drawn uniformly in ``[0, 0.6]`` when not given.
    max_stake : float, default 3

    Returns
    -------
    Market
        Satisfies assumption (U).

    Examples
    --------
    >>> from gamelib.examples import audience_market
    >>> from gamelib import weak_alignment
    >>> m = audience_market(0, taste_noise=0.0)
    >>> [round(c.eps, 9) for c in weak_alignment(m)]
    [0.0, 0.0]
    >>> bool(np.allclose(m.user_utility[0] + m.user_utility[1], 1))
    True
    """
    seed = as_int(seed, "seed", 0)
    max_stake = as_real(max_stake, "max_stake", minimum=0.0)
    if taste_noise is not None:
        taste_noise = as_real(taste_noise, "taste_noise", minimum=0.0)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        prior = 0.05 + 0.9 * rng.dirichlet(np.ones(2))
        masses = 0.1 + 0.8 * rng.dirichlet(np.ones(2))
        noise = rng.uniform(0.0, 0.6) if taste_noise is None else taste_noise
        u1 = rng.uniform(size=(2, 2))
        users = np.stack([u1, 1.0 - u1 + rng.uniform(-noise, noise, size=(2, 2))])  # the contrarian: 1 − u1 + noise
        stakes = rng.uniform(0.0, max_stake, size=2)
        scale = np.where(np.eye(2, dtype=bool), 1.0, stakes[:, None])  # [i, j]: 1 for its own audience
        provider = scale[:, :, None, None] * users[:, None]
        market = Market(prior, masses, users, provider)
        if has_unique_best_actions(market):
            return market
    raise RuntimeError("audience_market: could not draw a market satisfying (U)")  # pragma: no cover


def tight_market(safe=0.75):
    """A market in which Theorem 4.1's bound ``OPT − 2ε`` is attained exactly.

    Two equally likely states, one user, one provider, three actions:
    ``0`` (right in state 0), ``1`` (right in state 1) and a *safe* action
    ``2`` worth ``safe`` in both states.  The user gets 1 for the right
    risky action, 0 for the wrong one.  With ``ε = (1 − safe)/2`` the
    provider's utility is ``U = u − ε`` on the two risky actions and
    ``U = u + ε`` on the safe one, so ``u − U`` takes only the values
    ``±ε`` and WMA(ε) holds (and no smaller ε).  The provider is exactly
    indifferent between silence (the user plays safe, always "wrong") and
    full revelation, so silence is an equilibrium and the user loses
    ``1 − safe = 2ε``.

    Parameters
    ----------
    safe : float, default 0.75
        In ``(1/2, 1)``, so that the uninformed user plays safe.

    Returns
    -------
    Market

    Examples
    --------
    >>> from gamelib.examples import tight_market
    >>> from gamelib import weak_alignment, aligned_value, uninformed_value
    >>> m = tight_market(0.75)
    >>> round(weak_alignment(m)[0].eps, 9), aligned_value(m), uninformed_value(m)
    (0.125, array([1.]), array([0.75]))
    """
    safe = as_real(safe, "safe", 0.5, 1.0, strict=True)
    eps = (1.0 - safe) / 2
    u = np.array([[1.0, 0.0], [0.0, 1.0], [safe, safe]])  # [A, Θ]
    sign = np.array([[1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])  # u − U = +ε except on the safe action
    provider = u - eps * sign
    return Market([0.5, 0.5], [1.0], u[None], provider[None, None], action_names=("risky 0", "risky 1", "safe"),
                  user_names=("user",), provider_names=("provider",))


def tie_example():
    """A market without assumption (U) in which the tie rule matters.

    Three equally likely states, two actions, one user, two providers.  The
    user is indifferent between the actions in state 0; action 0 is right in
    state 1 and action 1 in state 2.  Provider 1 wants action 1 whatever the
    state, provider 2 wants action 0.

    Examples
    --------
    >>> from gamelib.examples import tie_example
    >>> from gamelib import has_unique_best_actions, aligned_value
    >>> m = tie_example()
    >>> has_unique_best_actions(m), aligned_value(m)
    (False, array([1.]))
    """
    u = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])  # [A, Θ]
    wants_1 = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    wants_0 = 1.0 - wants_1
    return Market(np.full(3, 1 / 3), [1.0], u[None], np.stack([wants_1, wants_0])[:, None],
                  state_names=("θ=0 (tie)", "θ=1", "θ=2"), action_names=("a=0", "a=1"), user_names=("user",),
                  provider_names=_TWO_PROVIDERS)


def aligned_tie_market():
    """A perfectly aligned market (WMA(0)) that violates assumption (U).

    One user, two equally likely states, three actions.  Actions 0 and 1 both
    pay the user 1 in state 0 (a tie), action 2 pays 1 in state 1; so
    ``OPT = 1`` and ``NOINFO = 1/2``.  The providers split the tie: ``U_1 = u
    + d`` and ``U_2 = u − d`` with ``d(0, θ=0) = 1``, ``d(1, θ=0) = −1`` and
    ``d = 0`` elsewhere, so ``u = (U_1 + U_2)/2`` exactly: WMA(0) with weights
    ``(1/2, 1/2)``.  Provider 1 wants action 0 when the state is 0, provider 2
    action 1.

    Examples
    --------
    >>> from gamelib.examples import aligned_tie_market
    >>> from gamelib import has_unique_best_actions, weak_alignment
    >>> m = aligned_tie_market()
    >>> has_unique_best_actions(m), weak_alignment(m)[0].eps
    (False, 0.0)
    """
    u = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # [A, Θ]
    d = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])  # the tie the providers split, in state 0
    return Market([0.5, 0.5], [1.0], u[None], np.stack([u + d, u - d])[:, None],
                  state_names=("θ=0 (tie)", "θ=1"), action_names=("a=0", "a=1", "a=2"), user_names=("user",),
                  provider_names=_TWO_PROVIDERS)


def anonymous_tie_market():
    """A strongly aligned market (SMA(0)) without (U) where anonymity and ties interact.

    Two equally likely states, two actions, two users of mass 1/2, two
    providers; ``u_j = (U_1^j + U_2^j)/2`` for both users, so SMA(0) holds with
    weights ``(1/2, 1/2)``.  User 1 has ``u_1(0, ·) = (1/2, 1)`` and ``u_1(1, ·) =
    (1, 1)``: action 1 is optimal in both states, so she needs no information,
    but in state 1 the two actions tie, and once she is *certain* of state 1 the
    lowest-index rule makes her play action 0.  Provider 1 wants action 1 from
    her (``U_1^1(0, ·) = (1, 0)``, ``U_1^1(1, ·) = (2, 1)``).  User 2 wants to match
    the state (``u_2(0, ·) = (1, 1/2)``, ``u_2(1, ·) = (0, 1)``; (U) holds for
    her); provider 1 wants action 0 from her in state 0, provider 2 action 1 in
    state 1.

    Examples
    --------
    >>> from gamelib.examples import anonymous_tie_market
    >>> from gamelib import has_unique_best_actions, strong_alignment, aligned_value, uninformed_value
    >>> m = anonymous_tie_market()
    >>> has_unique_best_actions(m), strong_alignment(m).eps
    (False, 0.0)
    >>> aligned_value(m), uninformed_value(m)
    (array([1., 1.]), array([1.  , 0.75]))
    """
    provider_utility = np.array(
        [
            [[[1.0, 0.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 0.0]]],  # provider 1: from user 1, from user 2
            [[[0.0, 2.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 2.0]]],  # provider 2
        ]
    )  # [k, n, A, Θ]
    return Market([0.5, 0.5], [0.5, 0.5], provider_utility.mean(axis=0), provider_utility,
                  state_names=("θ=0", "θ=1"), action_names=("a=0", "a=1"),
                  user_names=("user 1 (tie in θ=1)", "user 2"), provider_names=_TWO_PROVIDERS)


def threshold_receiver(threshold):
    """A two-state, two-action receiver who plays action 0 iff ``P(θ = 1) ≥ threshold``.

    ``u(0, ·) = (−t, 1 − t)`` and ``u(1, ·) = (0, 0)``: action 0 ("convict")
    pays ``p − t`` at belief ``p = P(θ = 1)``, action 1 ("acquit") pays 0.  At
    ``t = ½`` this is half the judge of Kamenica and Gentzkow plus a function
    of the state alone; neither change alters any decision.

    Parameters
    ----------
    threshold : float
        The belief ``t ∈ [0, 1]`` at which the receiver switches to action 0.

    Returns
    -------
    ndarray, shape [2, 2]
        ``u[a, θ]``.

    Examples
    --------
    >>> from gamelib.examples import threshold_receiver
    >>> threshold_receiver(0.5)
    array([[-0.5,  0.5],
           [ 0. ,  0. ]])
    """
    t = as_real(threshold, "threshold", 0.0, 1.0)
    return np.array([[-t, 1.0 - t], [0.0, 0.0]])
