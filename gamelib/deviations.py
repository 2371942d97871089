"""Exact best deviations over all experiments (no grid).

A grid of experiments is only a stand-in for the real strategy space, which
is every experiment with any number of signals.  Against fixed opponents, one
provider's best deviation over *all* its policies is a small family of linear
programs:

* for each set ``W`` of users who will consult the deviator, the signals can
  be taken to be **recommendation vectors** ``s ∈ A^W`` (one action per user
  of ``W``), with variables ``x[θ, s] = μ(θ) π[θ, s] ≥ 0``;
* constraints: obedience of every ``j ∈ W``; participation of ``j ∈ W`` (her
  value at least her best outside offer ``b_j``, *strictly* if the deviator's
  index is above ``c_j``, the lowest index attaining ``b_j``); non-participation
  of ``j ∉ W`` (``V_j(π) ≤ b_j``, strictly if the deviator's index is below
  ``c_j``), written with epigraph variables because ``V_j`` is convex;
* only recommendation vectors that some belief implements under the
  lowest-index tie rule are allowed (the *tie filter*);
* strict constraints: the supremum over the open set equals the closed LP's
  optimum when one point satisfies every strict constraint *and* resolves the
  lowest-index ties of every recommendation the optimum uses, strictly; a
  max-slack LP decides it.  Strict participation alone is not enough (a
  recommendation can pass the filter on its own yet need beliefs that the
  other constraints forbid); when the shortcut fails, the recommendations
  that can carry mass at all are found (one LP each) and the closed LP is
  solved again on them.

Anonymous **menus** are the same with one item per group of participating
users and self-selection constraints between items.  Personalized mode is
the one-user case, user by user (the game is separable across users).

The supremum is often not attained (a user exactly indifferent at the
optimum).  :func:`best_deviation` therefore also returns an explicit policy,
the optimum mixed with a little of a strictly feasible point, that
:func:`gamelib.play` (lowest-index ties, gamelib's tolerance) replays to
within ``1e-4`` of the supremum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._validation import as_bool, as_index, as_real, choose, pad_signals
from .equilibrium import Deviation, _check_policy, _offers, play
from .experiments import experiment_grid

#: A strict constraint is satisfiable when the max-slack LP finds more than this.
_SLACK = 1e-8
#: The explicit deviation must replay to within this of the supremum.
_REPLAY_TOL = 1e-4
#: HiGHS tolerances: well below gamelib's VALUE_ATOL, so replays see what the LP saw.
_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: Mixing weights tried on the strictly feasible point, after the optimum itself.
_MIXES = (0.0,) + tuple(10.0 ** (-e / 2) for e in range(2, 19))

_SUP_CACHE: dict = {}
_FILTER_CACHE: dict = {}
_CACHE_LIMIT = 20_000


def _remember(cache, key, value):
    """Store ``value`` under ``key`` (emptying the cache first when it is full) and return it."""
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


# ----------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------


def best_deviation(market, policy, mode, provider, *, menus=False):
    """The exact best deviation of one provider over all of its policies.

    Parameters
    ----------
    market : Market
    policy : array_like
        The current profile, shaped as for :func:`gamelib.play`:
        personalized ``[k, n, Θ, S]``; anonymous ``[k, Θ, S]`` or menus
        ``[k, M, Θ, S]``.
    mode : {"personalized", "anonymous"}
    provider : int
        The deviating provider (0-based).
    menus : bool, default False
        Anonymous mode only: let the deviator post a menu of experiments
        (the users pick items; ties to the lowest item).

    Returns
    -------
    gamelib.Deviation
        With ``payoff`` and ``users`` set.

    Examples
    --------
    Proposition 5.1's silent profile of the opposite-tastes market: over all
    experiments, and over all menus, provider 1's best payoff is exactly its
    payoff under silence, 3/8; in personalized mode it gains exactly 1/8.

    >>> import numpy as np
    >>> from gamelib import best_deviation, examples, reveal_nothing
    >>> m = examples.opposite_tastes()
    >>> silent = np.stack([reveal_nothing(2, 2)] * 2)
    >>> dev = best_deviation(m, silent, "anonymous", 0)
    >>> round(dev.payoff, 9), round(dev.gain, 9)
    (0.375, 0.0)
    >>> round(best_deviation(m, silent, "anonymous", 0, menus=True).payoff, 9)
    0.375
    >>> pers = best_deviation(m, np.stack([silent] * 2, axis=1), "personalized", 0)
    >>> round(pers.gain, 9), pers.users   # it already wins both users' ties
    (0.125, (0, 1))
    >>> pers.experiment[0].round(9)       # reveal the state to user 1
    array([[1., 0.],
           [0., 1.]])
    """
    market, policy, mode, current = _check(market, policy, mode, menus)
    provider = as_index(provider, "provider", market.n_providers, "providers")
    problems = _problems(market, policy, mode, provider, menus)
    solutions = [_sup(p, menus) for p in problems]
    value = float(sum(s.value for s in solutions))
    users = tuple(sorted(j for s in solutions for j in s.users))
    now = float(current.provider_values[provider])
    if mode == "personalized":
        experiment, new = _construct_personalized(market, policy, provider, problems, solutions)
    else:
        def replay(items):  # the deviator's payoff with its menu replaced by `items`
            return play(market, _anonymous_policy(policy, provider, items), "anonymous").provider_values[provider]

        items = _search(solutions[0], market.prior, value, replay)
        experiment, new = (items if menus else items[0]), _anonymous_policy(policy, provider, items)
    return Deviation(provider, value - now, experiment, new, payoff=value, users=users)


def is_equilibrium(market, policy, mode, *, menus=False, tol=1e-9):
    """Whether a profile is an equilibrium of the real game (all experiments).

    No provider's exact best deviation (:func:`best_deviation`) gains more
    than ``tol``.  The suprema are cached by what they depend on (each
    provider's view of the others' offers), so checking many profiles that
    share opponents, such as all the equilibria of a grid, is cheap.

    Parameters
    ----------
    market : Market
    policy : array_like
        As for :func:`gamelib.play`.
    mode : {"personalized", "anonymous"}
    menus : bool, default False
        Anonymous mode: allow deviations to menus.
    tol : float, default 1e-9
        Gains up to ``tol`` do not count (LP precision).

    Returns
    -------
    bool

    Examples
    --------
    Anonymous silence in the opposite-tastes market is an equilibrium of the
    real game, even against menus; personalized silence is not:

    >>> import numpy as np
    >>> from gamelib import examples, is_equilibrium, reveal_nothing
    >>> m = examples.opposite_tastes()
    >>> silent = np.stack([reveal_nothing(2, 2)] * 2)
    >>> is_equilibrium(m, silent, "anonymous"), is_equilibrium(m, silent, "anonymous", menus=True)
    (True, True)
    >>> is_equilibrium(m, np.stack([silent] * 2, axis=1), "personalized")
    False
    """
    market, policy, mode, current = _check(market, policy, mode, menus)
    tol = as_real(tol, "tol", minimum=0.0)
    values, _, payoffs, _, _, _ = _offers(market, policy, mode)  # each supremum is cached (see _problems)
    return all(sum(_sup(p, menus).value for p in _problems(market, None, mode, i, menus, (values, payoffs)))
               - current.provider_values[i] <= tol for i in range(market.n_providers))


# ----------------------------------------------------------------------------
# Validation and the deviator's view of the others' offers
# ----------------------------------------------------------------------------


def _check(market, policy, mode, menus):
    as_bool(menus, "menus")
    current = play(market, policy, mode)  # validates market, policy and mode
    if menus and mode == "personalized":
        raise ValueError("menus: menus are anonymous policies; use menus=False in personalized mode")
    return market, _check_policy(market, policy, mode)[1], mode, current  # single experiments: menus of one


@dataclass(frozen=True)
class _Problem:
    """One deviation problem: the deviator's payoffs and each user's outside option.

    ``users`` are the users the deviating policy reaches (all users in
    anonymous mode, one in personalized mode); for each of them ``outside`` is
    her best value among the other providers (``-inf`` if there are none),
    ``strict_in``/``strict_out`` say whether winning/not winning her must be
    strict, ``stay`` is the deviator's mass-weighted payoff if she stays out.
    """

    prior: np.ndarray
    utility: np.ndarray  # [n, A, Θ], the users'
    weight: np.ndarray  # [n, A, Θ], m_j U_i^j
    users: tuple
    outside: np.ndarray  # [n]
    strict_in: np.ndarray  # [n] bool
    strict_out: np.ndarray  # [n] bool
    stay: np.ndarray  # [n]
    key: tuple


def _digest(*arrays):
    """An exact cache key for arrays of numbers: their shapes and bytes."""
    return tuple((np.shape(a), np.asarray(a, dtype=float).tobytes()) for a in arrays)


def _problems(market, policy, mode, provider, menus, offers=None):
    """The deviation problems of ``provider``: one (anonymous) or one per user (personalized).

    ``offers`` (values ``[k, n]``, payoffs ``[k, k, n]``) may be passed when
    they are already known.
    """
    if offers is None:
        values, _, payoffs, _, _, _ = _offers(market, policy, mode)  # [k, n], [k_l, k_i, n]
    else:
        values, payoffs = offers
    k, n = values.shape
    others = np.array([l for l in range(k) if l != provider], dtype=int)
    outside, strict_in, strict_out, stay = np.full(n, -np.inf), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n)
    if others.size:
        vals = values[others]  # [k-1, n]
        outside = vals.max(axis=0)
        lowest = others[choose(vals, axis=0)]  # c_j, gamelib's choice rule
        strict_in, strict_out = provider > lowest, provider < lowest
        stay = market.masses * payoffs[provider, lowest, np.arange(n)]
    weight = market.masses[:, None, None] * market.provider_utility[provider]
    base = (_digest(market.prior, market.masses, market.user_utility, market.provider_utility), provider)
    groups = [tuple(range(n))] if mode == "anonymous" else [(j,) for j in range(n)]
    views = (outside, strict_in, strict_out, stay)  # with base: all a problem depends on, cached by its users' part
    return [_Problem(market.prior, market.user_utility, weight, users, *views,
                     (base, users, menus) + tuple(a[list(users)].tobytes() for a in views)) for users in groups]


# ----------------------------------------------------------------------------
# The lowest-index tie filter on recommendation vectors
# ----------------------------------------------------------------------------


def _linprog(c, a_ub, b_ub, a_eq, b_eq, bounds):
    """Minimise ``c·x`` (HiGHS); the solution x, or None if infeasible.

    The LPs here are tiny and many, so the fixed cost of a call matters: the
    HiGHS model is passed straight to the solver that SciPy ships (about
    2.5 times faster than :func:`scipy.optimize.linprog`'s checks and
    conversions; ``benchmarks/deviations.py``), with ``linprog`` itself as
    the fallback.
    """
    if _HIGHS is None:  # a SciPy without this interface
        from scipy.optimize import linprog  # imported on first use: keeps `import gamelib` light

        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs",
                      options=_LP_OPTIONS)
        return res.x if res.status == 0 else None
    a = np.vstack([a_ub, a_eq])
    nonzero = a.T != 0  # column-wise storage
    lower, upper = np.array(bounds, dtype=float).T  # NaN where the bound is None
    lp = _HIGHS.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = a.shape[1], a.shape[0]
    lp.a_matrix_.format_ = _HIGHS.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.r_[0, np.cumsum(nonzero.sum(axis=1))].astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nonzero)[1].astype(np.int32)
    lp.a_matrix_.value_ = a.T[nonzero]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.nan_to_num(lower, nan=-np.inf), np.nan_to_num(upper, nan=np.inf)
    lp.row_lower_ = np.r_[np.full(len(b_ub), -np.inf), b_eq].astype(float)
    lp.row_upper_ = np.r_[b_ub, b_eq].astype(float)
    solver = _HIGHS._Highs()
    solver.passOptions(_HIGHS_OPTIONS)
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != _HIGHS.HighsModelStatus.kOptimal:
        return None
    return np.array(solver.getSolution().col_value)


def _load_highs():
    """SciPy's HiGHS interface (SciPy >= 1.15) and gamelib's solver options, or (None, None)."""
    try:
        from scipy.optimize._highspy import _core

        _core.HighsLp, _core._Highs, _core.MatrixFormat.kColwise, _core.HighsModelStatus.kOptimal  # noqa: B018
        options = _core.HighsOptions()
    except (ImportError, AttributeError):  # pragma: no cover
        return None, None
    options.output_flag = False
    for key, value in _LP_OPTIONS.items():
        setattr(options, key, value)
    return _core, options


_HIGHS, _HIGHS_OPTIONS = _load_highs()


def _implementable(prior, utility, group, tie_filter=True):
    """Recommendation vectors ``s ∈ A^group`` that some belief implements.

    Under the lowest-index rule, user ``j`` takes ``s_j`` at a belief ``p``
    iff ``s_j`` is strictly better than every lower-index action and weakly
    better than every higher-index one.  Returns ``[N, |group|]`` int, in
    lexicographic order (all vectors if ``tie_filter`` is False); cached by
    the group's utilities.
    """
    if not tie_filter or not group:
        return _vectors(utility.shape[1], len(group))
    return _filter(np.ascontiguousarray(utility[list(group)]))


def _filter(util):
    """The tie filter for the users whose utilities are ``util [g, A, Θ]``.

    A vector is kept at once if one of a few candidate beliefs (a simplex
    grid) implements it; it is dropped if a sub-vector of one user fewer is
    not implementable; for more users than states, that is also sufficient
    (Helly's theorem: the beliefs implementing ``s_j`` for user ``j`` form a
    convex set in a space of dimension ``|Θ| - 1``).  Otherwise a tiny LP
    maximises the strict margin ``η`` over beliefs and keeps ``s`` if ``η > 0``.
    """
    key = _digest(util)
    if key in _FILTER_CACHE:
        return _FILTER_CACHE[key]
    g, n_act, n_states = util.shape
    vectors = _vectors(n_act, g)
    keep = np.zeros(len(vectors), dtype=bool)
    grid = experiment_grid(1, {1: 1, 2: 12, 3: 8}.get(n_states, 4), n_states)[:, 0, :n_states]  # simplex, vertices in
    scores = np.einsum("jat,bt->bja", util, grid)  # [B, g, A] at these candidate beliefs
    taken = np.argmax(scores >= scores.max(axis=-1, keepdims=True) - 1e-12, axis=-1)  # [B, g]
    chosen = np.take_along_axis(scores, taken[..., None], axis=-1)
    lower = np.where(np.arange(n_act) < taken[..., None], scores, -np.inf).max(axis=-1, keepdims=True)
    taken = np.where((chosen - lower > _SLACK)[..., 0], taken, -1)  # -1: a lower-index action is within the slack
    sure = taken[(taken >= 0).all(axis=1)]
    keep[np.ravel_multi_index(tuple(sure.T), (n_act,) * g)] = True
    possible = np.ones(len(vectors), dtype=bool)
    for drop in range(g if g > 1 else 0):
        sub = _filter(np.delete(util, drop, axis=0))
        ok = np.zeros((n_act,) * (g - 1), dtype=bool)
        ok[tuple(sub.T)] = True
        possible &= ok[tuple(np.delete(vectors, drop, axis=1).T)]
    if g > n_states:
        keep = possible  # Helly
    else:
        acts = np.arange(n_act)
        for r in np.flatnonzero(~keep & possible):
            s = vectors[r]
            # the max-slack LP over beliefs p: rows (j, a'): -(u_j(s_j) - u_j(a')) · p + η·[a' < s_j] ≤ 0
            diff = util[np.arange(g), s][:, None, :] - util  # [g, A, Θ]
            mask = acts[None, :] != s[:, None]
            lower = (acts[None, :] < s[:, None])[mask]
            beliefs = _LP(-diff[mask], np.zeros(mask.sum()), np.ones((1, n_states)), np.ones(1), [(0, None)] * n_states,
                          n_states)
            eta, p = _slack(beliefs, lower)
            keep[r] = p is not None and (eta > _SLACK or not lower.any())
    return _remember(_FILTER_CACHE, key, vectors[keep])


def _vectors(n_act, g):
    """All recommendation vectors ``A^g``, ``[A**g, g]`` int, in lexicographic order."""
    return np.array(list(itertools.product(range(n_act), repeat=g)), dtype=int).reshape(n_act**g, g)


# ----------------------------------------------------------------------------
# The linear programs for one design (set of participants grouped into items)
# ----------------------------------------------------------------------------

_WEAK, _STRICT, _LOWER, _HIGHER = 0, 1, 2, 3


@dataclass
class _LP:
    a_ub: np.ndarray
    b_ub: np.ndarray
    a_eq: np.ndarray
    b_eq: np.ndarray
    bounds: list
    n_x: int  # the first n_x variables are the x's; the others are epigraph variables
    c: np.ndarray = None  # objective (maximise) over all variables
    const: float = 0.0
    kind: np.ndarray = None  # row kinds
    sig: np.ndarray = None  # global signal index of obedience rows, else -1
    items: list = ()  # per item: (offset, number of signals)


def _build(prob, groups, signals):
    """Constraint matrices of the closed LP for items ``groups`` with ``signals``."""
    prior, u = prob.prior, prob.utility
    n_states, n_act = prior.shape[0], u.shape[1]
    members = {j for g in groups for j in g}
    sizes = [len(s) for s in signals]
    starts = n_states * np.cumsum([0] + sizes)
    items = list(zip(starts[:-1].tolist(), sizes))
    n_x = off = int(starts[-1])
    # epigraph blocks: user v's value of an item she does not belong to
    epi = {}
    for v in prob.users:
        for g, group in enumerate(groups):
            if v not in group and (v not in members or len(groups) > 1):
                epi[(v, g)] = off
                off += items[g][1]
    n_var = off
    theta = np.arange(n_states)
    parts = []  # (rows, right-hand sides, kinds, signal indices) of each block of constraints
    c = np.zeros(n_var)
    own = {}  # user -> (item, coefficient row of her value from it under obedience)
    sig_off = np.cumsum([0] + sizes)
    a_eq = np.zeros((len(groups) * n_states, n_var))  # each item's joint x_g[θ, ·] sums to μ(θ)

    def add(block, k, b=0.0, signal=-1):
        block = np.atleast_2d(block)
        parts.append((block, *(np.broadcast_to(x, len(block)) for x in (b, k, signal))))

    for g, (group, s) in enumerate(zip(groups, signals)):
        start, n_sig = items[g]
        col = start + theta[None, :] * n_sig + np.arange(n_sig)[:, None]  # [N, Θ] column of x_g[θ, s]
        at = (np.arange(n_sig)[:, None, None], np.arange(n_act)[None, :, None], col[:, None, :])  # [N, A, Θ] entries
        a_eq[g * n_states + theta, col] = 1.0
        for p, j in enumerate(group):
            chosen = u[j][s[:, p]]  # [N, Θ]: u_j(s_j, θ)
            block = np.zeros((n_sig, n_act, n_var))
            block[at] = u[j][None] - chosen[:, None, :]
            mask = np.arange(n_act)[None, :] != s[:, p][:, None]
            lower = (np.arange(n_act)[None, :] < s[:, p][:, None])[mask]
            add(block[mask], np.where(lower, _LOWER, _HIGHER), signal=np.nonzero(mask)[0] + sig_off[g])
            value = np.zeros(n_var)
            value[col] = chosen
            own[j] = (g, value)
            c[col] += prob.weight[j][s[:, p]]
        for v, e in [(v, e) for (v, h), e in epi.items() if h == g]:  # users outside item g: epigraph rows
            block = np.zeros((n_sig, n_act, n_var))
            block[at] = u[v][None]
            block[np.arange(n_sig), :, e + np.arange(n_sig)] = -1.0
            add(block.reshape(-1, n_var), _WEAK)

    def epigraph_sum(v, h):
        row = np.zeros(n_var)
        row[epi[(v, h)] : epi[(v, h)] + items[h][1]] = 1.0
        return row

    const = 0.0
    for v in prob.users:
        if v in members:
            g, value = own[v]
            if np.isfinite(prob.outside[v]):  # participation
                add(-value, _STRICT if prob.strict_in[v] else _WEAK, -prob.outside[v])
            for h in range(len(groups)):  # self-selection
                if h != g:
                    add(epigraph_sum(v, h) - value, _STRICT if h < g else _WEAK)
        else:
            const += prob.stay[v]
            for h in range(len(groups)):  # non-participation
                add(epigraph_sum(v, h), _STRICT if prob.strict_out[v] else _WEAK, prob.outside[v])
    bounds = [(0, None)] * n_x + [(None, None)] * (n_var - n_x)
    a_ub, b_ub, kind, sig = (np.concatenate(x) for x in zip(*parts))
    return _LP(a_ub, b_ub, a_eq, np.tile(prior, len(groups)), bounds, n_x, c, const, kind, sig, items)


def _closed(lp):
    """The closed LP (strict constraints relaxed to weak): value and optimum x."""
    x = _linprog(-lp.c, lp.a_ub, lp.b_ub, lp.a_eq, lp.b_eq, lp.bounds)
    return (None, None) if x is None else (float(lp.c @ x) + lp.const, x[: lp.n_x])


def _slack(lp, strict, shift=None, extra=None):
    """Max-slack LP: maximise δ ≤ 1 with ``row + δ ≤ b`` on the rows ``strict``.

    ``shift`` (rows, amount) tightens other rows by a constant; ``extra`` adds
    rows ``row + δ ≤ 0`` over x.  Returns (δ, x).
    """
    a_ub = np.column_stack([lp.a_ub, strict.astype(float)])
    b_ub = lp.b_ub if shift is None else lp.b_ub - shift
    if extra is not None:
        a_ub = np.vstack([a_ub, np.column_stack([extra, np.ones(len(extra))])])
        b_ub = np.r_[b_ub, np.zeros(len(extra))]
    c = np.r_[np.zeros(a_ub.shape[1] - 1), -1.0]  # maximise δ, the last variable
    a_eq = np.column_stack([lp.a_eq, np.zeros(len(lp.a_eq))])
    x = _linprog(c, a_ub, b_ub, a_eq, lp.b_eq, lp.bounds + [(0, 1)])
    return (0.0, None) if x is None else (float(x[-1]), x[: lp.n_x])


@dataclass(frozen=True)
class _Solution:
    """Supremum of one deviation problem and what it takes to approach it."""

    value: float
    users: tuple
    groups: tuple = ()
    signals: tuple = ()
    optimum: tuple = ()  # x*, one [Θ, N_g] joint per item
    interior: tuple = ()  # a strictly feasible point, same shapes


def _split(lp, x):
    n_states = len(lp.b_eq) // len(lp.items)
    return tuple(x[s : s + n_states * n].reshape(n_states, n) for s, n in lp.items)


def _design_sup(prob, groups, signals, x_closed, value, lp, exact=True):
    """Supremum over the open set for one item order; None if the design is impossible.

    First the shortcut: a point satisfying every strict constraint, and the
    lowest-index ties of every recommendation the optimum uses, strictly.
    Otherwise the signals that can carry mass at all are found (one LP each)
    and the closed LP is re-solved on them.
    """
    strict = lp.kind == _STRICT
    users = tuple(sorted(j for g in groups for j in g))
    if not exact:  # the method without its tie care: feasibility of the strict constraints only
        delta0, y = _slack(lp, strict)
        return _Solution(value, users) if delta0 > _SLACK else None
    support = np.flatnonzero(np.concatenate([x.sum(axis=0) > 1e-12 for x in _split(lp, x_closed)]))  # signals used
    used = np.isin(lp.sig, support) & (lp.kind == _LOWER)
    delta, y = _slack(lp, strict | used)
    if delta > _SLACK:
        return _Solution(value, users, groups, signals, _split(lp, x_closed), _split(lp, y))
    delta0, _ = _slack(lp, strict)
    if delta0 <= _SLACK:
        return None
    while True:  # the signals that some strictly feasible point uses, with their ties resolved
        offsets = np.cumsum([0] + [n for _, n in lp.items])
        theta = np.arange(len(prob.prior))[:, None]
        cols = np.hstack([start + theta * n + np.arange(n) for start, n in lp.items])  # [Θ, N]: x[θ, s] columns
        witnesses, keep = [], np.zeros(offsets[-1], dtype=bool)
        for s in range(offsets[-1]):
            mass = np.zeros((1, lp.a_ub.shape[1]))
            mass[0, cols[:, s]] = -1.0
            d, x = _slack(lp, (lp.kind == _LOWER) & (lp.sig == s), shift=(lp.kind == _STRICT) * delta0 / 2,
                          extra=mass)
            if d > _SLACK:
                keep[s] = True
                witnesses.append(x)
        signals_new = tuple(sig[keep[offsets[g] : offsets[g + 1]]] for g, sig in enumerate(signals))
        if any(len(s) == 0 for s in signals_new):  # pragma: no cover - contradicts delta0 > 0
            return None
        if keep.all():
            y = np.mean(witnesses, axis=0)
            return _Solution(value, users, groups, signals, _split(lp, x_closed), _split(lp, y))
        signals = signals_new
        lp = _build(prob, groups, signals)
        value, x_closed = _closed(lp)
        if value is None:  # pragma: no cover - the strictly feasible point is feasible
            return None


def _set_partitions(items):
    if not items:
        yield ()
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        yield ((first,),) + part
        for i in range(len(part)):
            yield part[:i] + ((first,) + part[i],) + part[i + 1 :]


def _nobody(prob):
    """The design in which nobody consults the deviator: silence keeps everyone away, if anything does."""
    users = list(prob.users)
    noinfo = (prob.utility[users] @ prob.prior).max(axis=1)
    outside = prob.outside[users]
    ok = np.where(prob.strict_out[users], noinfo < outside - _SLACK, noinfo <= outside + 1e-12)
    if not ok.all():
        return None
    x = prob.prior[:, None]
    return _Solution(float(prob.stay[users].sum()), (), ((),), (np.zeros((1, 0), dtype=int),), (x,), (x,))


def _designs(prob, menus):
    """Every (participants, grouping into items) with an upper bound on its value, best bound first.

    The bound gives every participant the deviator's favourite action in every
    state (no constraint at all); designs whose bound cannot beat the best
    value found so far are never solved.
    """
    first_best = (prob.weight.max(axis=1) @ prob.prior)  # [n]
    out = []
    for size in range(1, len(prob.users) + 1):
        for members in itertools.combinations(prob.users, size):
            outside = [v for v in prob.users if v not in members]
            if any(not np.isfinite(prob.outside[v]) for v in outside):
                continue  # no other provider: she consults the deviator whatever it does
            bound = first_best[list(members)].sum() + prob.stay[outside].sum()
            partitions = [tuple(sorted(p)) for p in _set_partitions(members)] if menus else [(members,)]
            out.extend((bound, groups) for groups in partitions)
    return sorted(out, key=lambda d: -d[0])


def _sup(prob, menus, tie_filter=True, strict_ties=True):
    """Supremum of the deviator's payoff in one problem (cached by ``prob.key``).

    Two switches, for tests only, drop parts of the lowest-index tie care and
    can overstate the supremum: ``tie_filter=False`` allows every
    recommendation vector; ``strict_ties=False`` checks only the strict
    participation constraints, not whether the ties of the recommendations
    the optimum uses can be resolved the intended way at the same time.
    """
    key = prob.key + (tie_filter, strict_ties)
    if key in _SUP_CACHE:
        return _SUP_CACHE[key]
    best = _nobody(prob)
    for bound, groups in _designs(prob, menus):
        if best is not None and bound <= best.value + 1e-12:
            break
        signals = tuple(_implementable(prob.prior, prob.utility, g, tie_filter) for g in groups)
        if any(len(s) == 0 for s in signals):
            continue
        lp = _build(prob, groups, signals)
        value, x = _closed(lp)
        if value is None or (best is not None and value <= best.value + 1e-12):
            continue
        parts = _split(lp, x)
        for order in itertools.permutations(range(len(groups))):
            g2, s2 = tuple(groups[o] for o in order), tuple(signals[o] for o in order)
            lp2 = lp if order == tuple(range(len(groups))) else _build(prob, g2, s2)
            x2 = np.concatenate([parts[o].ravel() for o in order])
            sol = _design_sup(prob, g2, s2, x2, value, lp2, exact=strict_ties)
            if sol is not None:
                if best is None or sol.value > best.value:
                    best = sol
                if sol.value >= value - 1e-12:
                    break
    if best is None:  # pragma: no cover - the current policy is always feasible
        raise RuntimeError("best_deviation: no feasible deviation found (numerical trouble)")
    return _remember(_SUP_CACHE, key, best)


# ----------------------------------------------------------------------------
# Explicit near-optimal policies, checked by replay
# ----------------------------------------------------------------------------


def _items(sol, prior, eps):
    """The menu items ``(1 - eps) x* + eps y`` as row-stochastic experiments."""
    out = []
    for x, y in zip(sol.optimum, sol.interior):
        joint = np.clip((1 - eps) * x + eps * y, 0.0, None)
        joint = joint[:, joint.sum(axis=0) > 1e-14]
        if joint.shape[1] == 0:  # pragma: no cover
            joint = prior[:, None]
        out.append(joint / joint.sum(axis=1, keepdims=True))
    return out


def _anonymous_policy(policy, provider, items):
    """The profile with ``provider``'s menu replaced by ``items`` (padded to common shapes)."""
    width = max(policy.shape[-1], max(it.shape[1] for it in items))
    size = max(policy.shape[1], len(items))
    new = pad_signals(policy, width)
    new = np.concatenate([new, np.repeat(new[:, -1:], size - new.shape[1], axis=1)], axis=1)
    menu = np.stack([pad_signals(it, width) for it in items])
    new[provider] = np.concatenate([menu, np.repeat(menu[-1:], size - len(menu), axis=0)])
    return new[:, 0] if size == 1 else new


def _search(sol, prior, target, replay):
    """The explicit policy: the optimum itself if it attains the supremum, else a mixture.

    ``(1 - ε) x* + ε y`` with ``y`` strictly feasible: strict constraints and
    the intended action ties hold strictly for every ``ε > 0``; the mixing
    weight on the optimum is increased (``ε`` decreased from ``0.1``) until
    the replay is within a tenth of :data:`_REPLAY_TOL` of the supremum, so
    that the margins stay as large as the tolerance allows.
    """
    best = None
    for eps in _MIXES:
        items = _items(sol, prior, eps)
        got = replay(items)
        if best is None or got > best[0]:
            best = (got, items)
        if got >= target - (1e-9 if eps == 0.0 else _REPLAY_TOL / 10):
            return items
    if best[0] < target - _REPLAY_TOL:  # pragma: no cover - would contradict the construction
        raise RuntimeError(f"best_deviation: replay {best[0]:.9g} is not within {_REPLAY_TOL} of {target:.9g}")
    return best[1]


def _construct_personalized(market, policy, provider, problems, solutions):
    """One experiment per user; the game is separable, so each is found against the current profile."""
    chosen = []
    for prob, sol in zip(problems, solutions):
        (j,) = prob.users

        def replay(items, j=j):  # the deviator's mass-weighted payoff from user j
            trial = pad_signals(policy, max(policy.shape[-1], items[0].shape[1]))
            trial[provider, j] = pad_signals(items[0], trial.shape[-1])
            values, _, payoffs, _, _, _ = _offers(market, trial, "personalized")
            return market.masses[j] * payoffs[provider, choose(values[:, j]), j]

        chosen.append(_search(sol, market.prior, sol.value, replay)[0])
    width = max(e.shape[1] for e in chosen)
    experiment = np.stack([pad_signals(e, width) for e in chosen])
    new = pad_signals(policy, max(width, policy.shape[-1]))
    new[provider] = pad_signals(experiment, new.shape[-1])
    return experiment, new
