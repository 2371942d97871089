"""Monte Carlo studies and searches that go beyond the paper (chapter 7).

Every function here is seeded: the same arguments give the same numbers.

* :func:`alignment_study` — how often random users are weakly / strongly
  aligned with ``k`` random providers, ``k = 1, 2, …`` (batched alignment LPs),
  with Wilson confidence bands (``scipy.stats.binomtest``).
* :func:`anonymity_study` — the price of anonymity on exact ground: which
  anonymous grid equilibria of :func:`~gamelib.examples.audience_market` s are
  equilibria of the real game (:func:`gamelib.is_equilibrium`), and what users
  lose in them.
* :func:`bound_ratio`, :func:`tightness_search` — how
  close equilibria come to the ``2ε`` bound of Theorem 4.1, and the refined
  bound ``OPT_j − V_j ≤ 2 ε_j · P(a_j ≠ a*_j(θ))``.
* :meth:`gamelib.Market.relabel_actions`, :func:`compare_tie_rules` (with
  :func:`gamelib.equilibria`, ``ties=``) — what changes when assumption (U) fails and
  users break ties differently (markets in :mod:`gamelib.examples`).
* :func:`menu_separation_search` — an anonymous equilibrium over single
  experiments that a two-item menu breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import numpy as np

from ._validation import VALUE_ATOL, as_bool, as_experiments, as_finite_array, as_int, as_real, choose, pad_signals
from .alignment import _market_alignment_eps, weak_alignment
from .deviations import best_deviation, is_equilibrium
from .equilibrium import equilibria, outcome_tables, profitable_deviation
from .examples import audience_market, opposite_tastes, random_market
from .experiments import experiment_grid, reveal_everything, reveal_nothing
from .market import Market, _check_market, aligned_value, best_actions, has_unique_best_actions, uninformed_value  # noqa: E501
from .persuasion import _indifference_beliefs

# ----------------------------------------------------------------------------
# Confidence intervals
# ----------------------------------------------------------------------------


def _wilson(successes, trials, confidence):
    """Wilson score intervals ``(low, high)`` of ``successes`` out of ``trials`` (elementwise)."""
    from scipy.stats import binomtest  # imported on first use: keeps `import gamelib` light

    confidence = as_real(confidence, "confidence", 0.0, 1.0, strict=True)
    successes, trials = np.broadcast_arrays(successes, trials)
    cis = [binomtest(int(s), int(t)).proportion_ci(confidence, "wilson") for s, t in zip(successes.flat, trials.flat)]
    return np.reshape([c.low for c in cis], successes.shape), np.reshape([c.high for c in cis], successes.shape)


# ----------------------------------------------------------------------------
# Diversity makes alignment easier
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AlignmentStudy:
    """Smallest alignment ε of random markets, for growing numbers of providers.

    Attributes
    ----------
    n_providers : ndarray of int, shape [K]
        ``1, 2, …, K``.
    eps_weak : ndarray, shape [K, N]
        ``max_j ε_j`` of WMA for sample ``s`` with the first ``k`` providers.
    eps_strong : ndarray, shape [K, N]
        ε of SMA, same markets.

    Examples
    --------
    >>> from gamelib.studies import alignment_study
    >>> st = alignment_study(max_providers=3, n_samples=5, seed=1)
    >>> st.n_providers, st.n_samples, st.eps_weak.shape
    (array([1, 2, 3]), 5, (3, 5))
    >>> bool(np.allclose(st.eps_weak[0], st.eps_strong[0]))     # one provider: WMA and SMA agree
    True
    >>> st.probability(0.5)["weak"]        # share of samples satisfying WMA(1/2), for k = 1, 2, 3
    array([0.4, 0.6, 0.6])
    """

    n_providers: np.ndarray
    eps_weak: np.ndarray
    eps_strong: np.ndarray

    @property
    def n_samples(self):
        """Number of sampled markets ``N``."""
        return self.eps_weak.shape[1]

    def probability(self, eps, confidence=0.95):
        """Share of samples in which WMA(eps) and SMA(eps) hold, with Wilson bands.

        Parameters
        ----------
        eps : float
            Tolerance, non-negative.
        confidence : float, default 0.95

        Returns
        -------
        dict of str to ndarray, shape [K]
            ``weak``, ``weak_low``, ``weak_high``, ``strong``, ``strong_low``,
            ``strong_high``.
        """
        eps = as_real(eps, "eps", minimum=0.0)
        out = {}
        for name, arr in (("weak", self.eps_weak), ("strong", self.eps_strong)):
            hits = (arr <= eps + VALUE_ATOL).sum(axis=1)
            low, high = _wilson(hits, self.n_samples, confidence)
            out[name], out[name + "_low"], out[name + "_high"] = hits / self.n_samples, low, high
        return out


def alignment_study(max_providers=6, n_samples=100, seed=0, n_states=2, n_actions=2, n_users=2):
    """How the smallest WMA and SMA tolerances fall as providers are added.

    Draws ``n_samples`` random markets (:func:`gamelib.examples.random_market`,
    no alignment built in: users and providers have independent uniform
    utilities) with ``max_providers`` providers, and for each
    ``k = 1..max_providers`` solves the alignment LPs of the market made of
    the first ``k`` providers.  The studies are *nested*: adding a provider
    can only lower ε (give it weight zero), so each sample's curve is
    non-increasing in ``k``.  All ``n_samples · max_providers · (n_users + 1)``
    LPs are solved as ``2 · max_providers`` batched sparse LPs.

    Parameters
    ----------
    max_providers : int, default 6
    n_samples : int, default 100
    seed : int, default 0
    n_states, n_actions, n_users : int

    Returns
    -------
    AlignmentStudy

    Examples
    --------
    >>> from gamelib.studies import alignment_study
    >>> st = alignment_study(max_providers=3, n_samples=5, seed=1)
    >>> st.eps_weak.shape
    (3, 5)
    >>> bool((st.eps_weak <= st.eps_strong + 1e-9).all())     # SMA(ε) implies WMA(ε)
    True
    >>> bool((np.diff(st.eps_weak, axis=0) <= 1e-9).all())    # nested: more providers, smaller ε
    True
    """
    max_providers = as_int(max_providers, "max_providers", 1)
    n_samples = as_int(n_samples, "n_samples", 1)
    seeds = np.random.default_rng(as_int(seed, "seed", 0)).integers(0, 2**31 - 1, size=n_samples)
    # random_market checks n_states, n_actions and n_users
    markets = [random_market(int(s), n_states, n_actions, max_providers, n_users) for s in seeds]
    ks = np.arange(1, max_providers + 1)  # the markets made of the first k providers:
    eps = np.array([_market_alignment_eps([Market(m.prior, m.masses, m.user_utility, m.provider_utility[:k])
                                           for m in markets]) for k in ks])  # [K, 2, N]
    # nestedness holds exactly for the optimum; remove LP round-off
    weak, strong = np.minimum.accumulate(eps, axis=0).transpose(1, 0, 2)
    return AlignmentStudy(ks, weak, strong)


# ----------------------------------------------------------------------------
# The price of anonymity
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnonymityStudy:
    """Grid equilibria of anonymous games, judged in the real game.

    For each market and each grid resolution ``r``, the pure anonymous
    equilibria over ``experiment_grid(Θ, r)`` are enumerated, and every one in
    which users lose welfare is checked against *all* deviations (every
    experiment and, by default, every menu) with the exact method of
    :func:`gamelib.is_equilibrium`.  Arrays indexed ``[R, N]`` hold one entry
    per resolution and market.

    Attributes
    ----------
    resolutions : ndarray of int, shape [R]
    seeds : ndarray of int, shape [N]
        Seeds of the :func:`~gamelib.examples.audience_market` s (``-1`` for markets passed in).
    opt, noinfo : ndarray, shape [N]
        ``Σ_j m_j OPT_j`` and ``Σ_j m_j NOINFO_j``.  Under WMA(0) and (U)
        every personalized equilibrium of the real game gives ``opt``
        (Theorem 4.1), so ``opt`` minus a welfare is what anonymity costs.
    equilibria, losing, exact_losing : ndarray of int, shape [R, N]
        Numbers of grid equilibria, of those whose welfare ``Σ_j m_j V_j``
        is below ``opt`` (users lose), and of the losing ones that are
        equilibria of the real game.
    grid_worst, exact_worst : ndarray, shape [R, N]
        Lowest welfare over all grid equilibria, and over the grid equilibria
        that are equilibria of the real game (NaN if there is none; with
        ``k ≥ 2`` providers and assumption (U), full revelation by everyone
        is always one).

    Examples
    --------
    Proposition 5.1's market: silence is a grid equilibrium at every
    resolution and an equilibrium of the real game, so users lose all the
    value of information, exactly.

    >>> from gamelib import examples
    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(resolutions=(2, 4), markets=[examples.opposite_tastes()])
    >>> st.opt, st.noinfo, st.exact_worst[:, 0]
    (array([0.5]), array([0.25]), array([0.25, 0.25]))
    >>> st.exact_loss[:, 0], bool((st.exact_losing > 0).all())
    (array([1., 1.]), True)
    """

    resolutions: np.ndarray
    seeds: np.ndarray
    opt: np.ndarray
    noinfo: np.ndarray
    equilibria: np.ndarray
    losing: np.ndarray
    exact_losing: np.ndarray
    grid_worst: np.ndarray
    exact_worst: np.ndarray

    def _relative(self, worst):
        voi = self.opt - self.noinfo
        lost = self.opt - worst  # NaN (kept) where there is no such equilibrium
        return np.where(lost <= VALUE_ATOL, 0.0, lost) / np.where(voi > VALUE_ATOL, voi, np.inf)

    @property
    def grid_loss(self):
        """What users lose in the worst grid equilibrium, as a share of the value of information, ``[R, N]``.

        ``(opt − grid_worst) / (opt − noinfo)``; 0 when the loss or the value of
        information is below gamelib's value tolerance (``1e-9``).
        """
        return self._relative(self.grid_worst)

    @property
    def exact_loss(self):
        """The same loss in the worst grid equilibrium that is an equilibrium of the real game, ``[R, N]``."""
        return self._relative(self.exact_worst)

    def summary(self, tol=1e-9):
        """The numbers chapter 7 reports, one entry per resolution.

        A market *loses* at resolution ``r`` when its relative loss exceeds
        ``tol``.

        Parameters
        ----------
        tol : float, default 1e-9
            Non-negative.

        Returns
        -------
        dict
            ``n`` (markets) and ``resolutions``; arrays of shape ``[R]``:
            ``equilibria``, ``losing``, ``exact_losing`` (totals over the
            markets), ``grid_markets`` and ``exact_markets`` (markets that
            lose in their worst grid equilibrium, and in their worst exact
            one), ``mean_grid_loss`` (over all markets), ``max_grid_loss``,
            ``max_exact_loss`` (over the markets with an exact survivor) and
            ``no_exact`` (markets none of whose grid equilibria is exact);
            ``slope``, the least-squares slope of ``log mean_grid_loss``
            against ``log r`` (``-1``: the loss halves when the grid is
            refined twice over; ``None`` with fewer than two resolutions or a
            zero mean).

        Examples
        --------
        >>> from gamelib.studies import AnonymityStudy
        >>> st = AnonymityStudy(resolutions=np.array([4, 8]), seeds=np.arange(2), opt=np.ones(2),
        ...                     noinfo=np.full(2, 0.5), equilibria=np.array([[10, 20], [30, 40]]),
        ...                     losing=np.array([[2, 0], [1, 0]]), exact_losing=np.zeros((2, 2), int),
        ...                     grid_worst=np.array([[0.5, 1.0], [0.75, 1.0]]), exact_worst=np.ones((2, 2)))
        >>> out = st.summary()
        >>> out["grid_markets"], out["exact_markets"], out["mean_grid_loss"], round(out["slope"], 9)
        (array([1, 1]), array([0, 0]), array([0.5 , 0.25]), -1.0)
        """
        tol = as_real(tol, "tol", minimum=0.0)
        grid = np.nan_to_num(self.grid_loss)  # no grid equilibrium at all: nothing measured
        exact = self.exact_loss  # NaN: no grid equilibrium is exact
        mean = grid.mean(axis=1)
        slope = None
        if len(self.resolutions) > 1 and (mean > 0).all():
            slope = float(np.polyfit(np.log(self.resolutions), np.log(mean), 1)[0])
        return {
            "n": int(self.opt.size),
            "resolutions": self.resolutions.copy(),
            **{key: getattr(self, key).sum(axis=1) for key in ("equilibria", "losing", "exact_losing")},
            "grid_markets": (grid > tol).sum(axis=1),
            "exact_markets": (np.nan_to_num(exact) > tol).sum(axis=1),
            "mean_grid_loss": mean,
            "max_grid_loss": grid.max(axis=1),
            "max_exact_loss": np.nan_to_num(exact).max(axis=1),
            "no_exact": np.isnan(exact).sum(axis=1),
            "slope": slope,
        }


def anonymity_study(n_markets=100, seed=0, resolutions=(4, 8, 16), *, markets=None, menus=True, tol=1e-9):
    """The price of anonymity, on exact ground.

    For each market (``n_markets`` random :func:`~gamelib.examples.audience_market` s drawn
    from ``seed``, or the given ``markets``) and each resolution ``r``, every
    pure anonymous equilibrium over ``experiment_grid(Θ, r)`` is enumerated
    (:func:`gamelib.equilibria`).  Those in which users lose welfare (below
    ``Σ_j m_j OPT_j`` by more than ``tol``) are all judged in the real game:
    no provider's exact best deviation (:func:`gamelib.best_deviation`, over
    all experiments and, with ``menus``, all menus) gains more than ``tol``.
    When none of them survives, the grid equilibria at full welfare are
    judged in increasing order of welfare until one survives, so that
    ``exact_worst`` is always the welfare of a grid equilibrium certified in
    the real game.

    A provider's supremum depends only on the others' experiments, and
    :func:`gamelib.is_equilibrium` caches it by what it depends on, so it is
    computed once per distinct profile of the opponents, and nested grids such
    as ``r = 4, 8, 16`` share suprema.

    Parameters
    ----------
    n_markets : int, default 100
    seed : int, default 0
    resolutions : sequence of int, default (4, 8, 16)
        Increasing grid resolutions, each at least 1.
    markets : sequence of Market, optional
        Markets to study instead of random audience markets.
    menus : bool, default True
        Judge against menus too (an anonymous policy is a menu).
    tol : float, default 1e-9
        Welfare and gain tolerance.

    Returns
    -------
    AnonymityStudy

    Examples
    --------
    The grid's losses vanish in the real game on these markets:

    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(n_markets=12, seed=0, resolutions=(4, 8))
    >>> (st.grid_loss > 1e-9).sum(axis=1), (st.exact_loss > 1e-9).sum(axis=1)
    (array([1, 1]), array([0, 0]))
    >>> bool((st.exact_worst >= st.grid_worst).all()), int(st.exact_losing.sum())
    (True, 0)
    """
    n_markets = as_int(n_markets, "n_markets", 1)
    seed = as_int(seed, "seed", 0)
    if isinstance(resolutions, (str, bytes)) or not hasattr(resolutions, "__len__") or len(resolutions) == 0:
        raise ValueError(f"resolutions: expected a non-empty sequence of integers, got {resolutions!r}")
    resolutions = np.array([as_int(r, "resolutions", 1) for r in resolutions])
    if np.any(np.diff(resolutions) <= 0):
        raise ValueError(f"resolutions: must be strictly increasing, got {resolutions.tolist()}")
    menus = as_bool(menus, "menus")
    tol = as_real(tol, "tol", minimum=0.0)
    if markets is None:
        seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_markets)
        markets = [audience_market(int(s)) for s in seeds]
    else:
        markets = [_check_market(m, "markets") for m in markets]
        if not markets:
            raise ValueError("markets: expected at least one market")
        seeds = np.full(len(markets), -1)
    opt = np.array([aligned_value(m) @ m.masses for m in markets])
    noinfo = np.array([uninformed_value(m) @ m.masses for m in markets])
    rows = np.array([[_judge_grid_equilibria(m, experiment_grid(m.n_states, int(r)), o, menus, tol)
                      for m, o in zip(markets, opt)] for r in resolutions])  # [R, N, 5]
    counts = rows[..., :3].astype(int)
    return AnonymityStudy(resolutions, seeds, opt, noinfo, *np.moveaxis(counts, -1, 0), rows[..., 3], rows[..., 4])


def _judge_grid_equilibria(market, grid, opt, menus, tol):
    """(equilibria, losing, exact losing, grid worst welfare, exact worst welfare) of one market on one grid."""
    eqs = equilibria(market, grid, "anonymous")
    if not eqs:  # possible without assumption (U)
        return 0, 0, 0, np.nan, np.nan

    def exact(e):
        return is_equilibrium(market, grid[eqs.profiles[e]], "anonymous", menus=menus, tol=tol)

    wel = eqs.user_values @ market.masses
    order = np.argsort(wel, kind="stable")
    n_losing = int(np.sum(wel < opt - tol))  # the losing equilibria come first in `order`
    verdicts = np.array([exact(e) for e in order[:n_losing]], dtype=bool)
    survivors = order[:n_losing][verdicts]
    if not survivors.size:  # nobody loses there: the first survivor is the worst
        survivors = list(islice(filter(exact, order[n_losing:]), 1))
    exact_worst = wel[survivors].min() if len(survivors) else np.nan
    return len(wel), n_losing, int(verdicts.sum()), wel.min(), exact_worst


# ----------------------------------------------------------------------------
# How tight is 2ε?
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundRatio:
    """How close the worst personalized equilibrium comes to Theorem 4.1's bound.

    All arrays have shape ``[n]`` (one entry per user).

    Attributes
    ----------
    ratio : ndarray
        ``(OPT_j − V_j) / (2 ε_j)`` with ``V_j`` the worst equilibrium value;
        0 when ``ε_j = 0`` (then Theorem 4.1 gives ``V_j = OPT_j``).
    gap : ndarray
        ``OPT_j − V_j``.
    eps : ndarray
        WMA tolerance ``ε_j``.
    mistake : ndarray
        In that worst equilibrium, ``P(a_j ≠ a*_j(θ))``.

    Examples
    --------
    In the tight market the refined bound ``gap ≤ 2ε · mistake`` holds with
    equality; in the opposite-tastes market (ε = 0) nothing is lost:

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.examples import tight_market
    >>> from gamelib.studies import bound_ratio
    >>> r = bound_ratio(tight_market(0.75), experiment_grid(2, 2))
    >>> r.gap.round(9), (2 * r.eps * r.mistake).round(9), r.ratio.round(9)
    (array([0.25]), array([0.25]), array([1.]))
    >>> bound_ratio(examples.opposite_tastes(), experiment_grid(2, 2)).ratio
    array([0., 0.])
    """

    ratio: np.ndarray
    gap: np.ndarray
    eps: np.ndarray
    mistake: np.ndarray


def bound_ratio(market, experiments):
    """Gap to OPT of the worst personalized equilibrium, relative to ``2 ε_j``.

    Refined bound (chapter 7): ``gap_j ≤ 2 ε_j · mistake_j``, so
    ``ratio_j ≤ mistake_j ≤ 1``.

    Parameters
    ----------
    market : Market
        Should satisfy (U) for the bound to apply.
    experiments : array_like, shape [E, Θ, S]
        The providers' strategy set (include reveal-everything).

    Returns
    -------
    BoundRatio

    Examples
    --------
    The tight market: the user loses exactly ``2ε`` and always errs.

    >>> from gamelib.examples import tight_market
    >>> from gamelib.studies import bound_ratio
    >>> from gamelib import experiment_grid
    >>> r = bound_ratio(tight_market(0.75), experiment_grid(2, 4))
    >>> r.ratio.round(9), r.gap.round(9), r.eps.round(9), r.mistake
    (array([1.]), array([0.25]), array([0.125]), array([1.]))
    """
    pers = equilibria(market, experiments, "personalized")  # checks market and experiments
    if len(pers) == 0:
        raise ValueError("experiments: no pure personalized equilibrium over these experiments")
    eps = np.array([c.eps for c in weak_alignment(market)])
    gap = np.maximum(aligned_value(market) - pers.worst_user_values(), 0.0)
    users = np.arange(market.n_users)
    worst = [g.consumed[np.argmin(g.user_values[:, 0]), 0] for g in pers.per_user]  # what each user reads there
    wrong = outcome_tables(market, pers.experiments)[2][worst, users, None, :] != best_actions(market)[:, :, None]
    mistake = (market.prior[:, None] * pers.experiments[worst] * wrong).sum(axis=(1, 2))  # [n]
    ratio = np.divide(gap, 2 * eps, out=np.zeros_like(gap), where=eps > VALUE_ATOL)
    return BoundRatio(ratio, gap, eps, mistake)


@dataclass(frozen=True)
class TightnessSearch:
    """Result of :func:`tightness_search`.

    Attributes
    ----------
    market : Market
        The best market found.
    ratio : float
        Its :attr:`BoundRatio.ratio` (one user).
    history : ndarray, shape [n_random + n_refine]
        Best ratio so far after each evaluation.
    n_random : int
        Evaluations spent on random search (the rest on local refinement).

    Examples
    --------
    >>> from gamelib import experiment_grid
    >>> from gamelib.studies import bound_ratio, tightness_search
    >>> res = tightness_search(seed=0, n_random=5, n_refine=5, resolution=2)
    >>> res.market, res.n_random, res.history.shape, bool((np.diff(res.history) >= 0).all())
    (Market(n_states=2, n_actions=3, n_users=1, n_providers=1), 5, (10,), True)
    >>> bool(res.ratio == res.history[-1] == bound_ratio(res.market, experiment_grid(2, 2)).ratio[0])
    True
    """

    market: Market
    ratio: float
    history: np.ndarray
    n_random: int


def tightness_search(
    seed=0, n_random=60, n_refine=120, n_actions=3, n_providers=1, resolution=4, step=0.1, margin=1e-3
):
    """Search one-user, two-state markets for a large :attr:`BoundRatio.ratio`.

    Random search (utilities uniform in [0, 1], random prior) followed by
    local refinement: Gaussian perturbations of the best market's
    utilities and prior (standard deviation ``step``, shrinking by half
    whenever 20 proposals in a row fail), kept when they raise the ratio.
    Markets whose best actions are not unique by ``margin`` are rejected, so
    (U) holds and Theorem 4.1 caps the ratio at 1.

    Parameters
    ----------
    seed : int, default 0
    n_random, n_refine : int
        Evaluation budgets (each evaluation enumerates the equilibria).
    n_actions, n_providers : int
    resolution : int, default 4
        Grid of experiments ``experiment_grid(2, resolution)``.
    step : float, default 0.1
    margin : float, default 1e-3

    Returns
    -------
    TightnessSearch

    Examples
    --------
    >>> from gamelib.studies import tightness_search
    >>> res = tightness_search(seed=0, n_random=5, n_refine=5, resolution=2)
    >>> 0 <= res.ratio <= 1, res.history.shape
    (True, (10,))
    """
    n_random = as_int(n_random, "n_random", 1)
    n_refine = as_int(n_refine, "n_refine", 0)
    n_actions = as_int(n_actions, "n_actions", 2)
    n_providers = as_int(n_providers, "n_providers", 1)
    step = as_real(step, "step", minimum=0.0)
    margin = as_real(margin, "margin", minimum=0.0)
    rng = np.random.default_rng(as_int(seed, "seed", 0))
    grid = experiment_grid(2, resolution)  # checks resolution
    best, history, fails, sigma = (-np.inf, None, None), [], 0, step
    for t in range(n_random + n_refine):
        refine = t >= n_random
        if refine:  # Gaussian steps around the best market so far
            user = best[1].user_utility[0] + rng.normal(0.0, sigma, size=(n_actions, 2))
            provider = best[1].provider_utility[:, 0] + rng.normal(0.0, sigma, size=(n_providers, n_actions, 2))
            p = float(np.clip(best[2] + rng.normal(0.0, sigma / 3), 0.05, 0.95))
        else:
            user = rng.uniform(size=(n_actions, 2))
            provider = rng.uniform(size=(n_providers, n_actions, 2))
            p = rng.uniform(0.05, 0.95)
        market = Market(np.array([p, 1.0 - p]), [1.0], user[None], provider[:, None])
        ok = np.all(np.diff(np.sort(user, axis=0)[-2:], axis=0) >= margin) and has_unique_best_actions(market)  # (U)
        r = float(bound_ratio(market, grid).ratio[0]) if ok else -1.0
        if r > best[0] + (VALUE_ATOL if refine else 0.0):
            best, fails = (r, market if ok else None, p), 0
        elif refine:
            fails += 1
        if fails >= 20:  # 20 proposals in a row failed: smaller steps
            sigma, fails = sigma / 2, 0
        history.append(best[0])
        if t == n_random - 1 and best[1] is None:  # pragma: no cover - no random draw satisfied (U)
            raise RuntimeError("tightness_search: no market satisfied (U); lower margin")
    return TightnessSearch(best[1], float(best[0]), np.array(history), n_random)


# ----------------------------------------------------------------------------
# Tie-breaking
# ----------------------------------------------------------------------------


def compare_tie_rules(market, orders, experiments):
    """Equilibrium facts under several fixed tie-breaking orders over actions.

    Parameters
    ----------
    market : Market
    orders : sequence of permutations
        Each a priority order over actions (see :meth:`gamelib.Market.relabel_actions`).
    experiments : array_like, shape [E, Θ, S]
        Grid for the personalized equilibria (include reveal-everything).

    Returns
    -------
    list of dict
        One per order: ``order``; ``full_revelation_equilibrium`` (bool:
        no provider gains by deviating, personalized mode, from everybody
        revealing everything, against the grid); ``deviation`` (the
        profitable deviation or None); ``worst`` and ``best`` user values
        over personalized equilibria ``[n]``; ``tied_actions`` (the action,
        in the original labels, the user takes in each state under full
        revelation ``[n, Θ]``).

    Examples
    --------
    >>> from gamelib.examples import tie_example
    >>> from gamelib.studies import compare_tie_rules
    >>> from gamelib import experiment_grid
    >>> rows = compare_tie_rules(tie_example(), [[0, 1], [1, 0]], experiment_grid(3, 1))
    >>> [r["full_revelation_equilibrium"] for r in rows]
    [False, True]
    >>> rows[0]["tied_actions"], rows[1]["tied_actions"]
    (array([[0, 0, 1]]), array([[1, 0, 1]]))
    """
    market = _check_market(market)
    experiments = as_experiments(experiments, "experiments", market.n_states, ndim=3)
    full = reveal_everything(market.n_states, max(experiments.shape[-1], market.n_states))  # deviations' width
    policy = np.broadcast_to(full, (market.n_providers, market.n_users) + full.shape)
    out = []
    for order in orders:
        relabelled = market.relabel_actions(order)
        dev = profitable_deviation(relabelled, policy, "personalized", experiments=experiments)
        pers = equilibria(relabelled, experiments, "personalized")
        out.append(
            {
                "order": np.asarray(order),
                "full_revelation_equilibrium": dev is None,
                "deviation": dev,
                "worst": pers.worst_user_values(),
                "best": pers.best_user_values(),
                "tied_actions": np.asarray(order)[best_actions(relabelled)],
            }
        )
    return out


# ----------------------------------------------------------------------------
# Menus versus single experiments
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuExample:
    """An anonymous equilibrium over all single experiments that a menu breaks.

    Attributes
    ----------
    market : Market
    seed : int
        Seed of :func:`gamelib.examples.random_market` that produced it.
    experiments : ndarray, shape [E, Θ, S]
        The grid on which the candidate profiles were enumerated.
    profile : ndarray of int, shape [k]
        The profile (indices into ``experiments``): an equilibrium of the real
        game with single experiments (:func:`gamelib.is_equilibrium`).
    provider : int
        The deviating provider.
    single_gain : float
        Its exact best gain over all single experiments (≤ 0 up to round-off).
    menu_gain : float
        Its exact best gain over all menus (> 0).
    menu : ndarray, shape [M, Θ, S]
        The items of an explicit menu that attains ``menu_gain`` within
        ``1e-4`` (padded to a common number of signals).
    item_values : ndarray, shape [M, n]
        ``V_j`` of each menu item for each user.

    Examples
    --------
    The exact gains, recomputed from the stored profile:

    >>> from gamelib import best_deviation, is_equilibrium
    >>> from gamelib.studies import menu_separation_search
    >>> ex = menu_separation_search(seeds=range(37, 38))
    >>> ex.seed, ex.profile, ex.provider, ex.menu.shape[0], ex.item_values.shape
    (37, array([8, 0]), 0, 2, (2, 2))
    >>> policy = ex.experiments[ex.profile]
    >>> single = is_equilibrium(ex.market, policy, "anonymous")
    >>> bool(single), bool(is_equilibrium(ex.market, policy, "anonymous", menus=True))
    (True, False)
    >>> bool(np.isclose(best_deviation(ex.market, policy, "anonymous", 0, menus=True).gain, ex.menu_gain))
    True
    """

    market: Market
    seed: int
    experiments: np.ndarray
    profile: np.ndarray
    provider: int
    single_gain: float
    menu_gain: float
    menu: np.ndarray
    item_values: np.ndarray


def menu_separation_search(seeds=range(40), n_states=3, n_actions=3, resolution=1, max_equilibria=15):
    """Find the market (among ``seeds``) where a menu breaks an exact single-experiment equilibrium.

    For each seeded random market (two providers, two users), the anonymous
    equilibria over ``experiment_grid(n_states, resolution)`` serve as
    candidates; up to ``max_equilibria`` of them, evenly spread, are judged in
    the real game: a candidate counts only if :func:`gamelib.is_equilibrium`
    accepts it against all single experiments, and then each provider's exact
    best menu (:func:`gamelib.best_deviation` with ``menus=True``) is computed.

    Parameters
    ----------
    seeds : iterable of int
    n_states, n_actions, resolution : int
    max_equilibria : int, default 15

    Returns
    -------
    MenuExample or None
        The largest strictly profitable menu deviation found, or None.

    Examples
    --------
    >>> from gamelib.studies import menu_separation_search
    >>> ex = menu_separation_search(seeds=range(37, 38))
    >>> ex.seed, ex.single_gain <= 1e-9 < ex.menu_gain
    (37, True)
    >>> bool((ex.item_values.argmax(axis=0) == [0, 1]).all())   # users pick different items
    True
    """
    seeds = [as_int(s, "seeds", 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds: expected at least one seed")
    n_states = as_int(n_states, "n_states", 2)
    n_actions = as_int(n_actions, "n_actions", 2)
    max_equilibria = as_int(max_equilibria, "max_equilibria", 1)
    grid = experiment_grid(n_states, resolution)  # checks resolution
    best = None
    for s in seeds:
        market = random_market(s, n_states, n_actions, 2, 2)
        anon = equilibria(market, grid, "anonymous")
        for e in np.unique(np.linspace(0, len(anon) - 1, min(len(anon), max_equilibria)).astype(int)):
            policy = grid[anon.profiles[e]]
            if not is_equilibrium(market, policy, "anonymous"):
                continue
            for i in range(market.n_providers):
                dev = best_deviation(market, policy, "anonymous", i, menus=True)
                if dev.gain > VALUE_ATOL and (best is None or dev.gain > best.menu_gain):
                    single = best_deviation(market, policy, "anonymous", i).gain
                    n_signals = max(item.shape[1] for item in dev.experiment)
                    menu = np.stack([pad_signals(item, n_signals) for item in dev.experiment])
                    best = MenuExample(market, s, grid, np.asarray(anon.profiles[e]), i, float(single),
                                       float(dev.gain), menu, outcome_tables(market, menu)[0])
    return best


# ----------------------------------------------------------------------------
# How robust is the silent equilibrium?
# ----------------------------------------------------------------------------

#: Perturbation directions of :func:`robustness_study`, in the book's words.
_ROBUSTNESS_DIRECTIONS = ("random", "users", "providers", "masses", "prior", "aligned")
#: The market fields that a random draw moves (drawn in this order).
_PERTURBED_FIELDS = ("user_utility", "provider_utility", "masses", "prior")


@dataclass(frozen=True)
class RobustnessStudy:
    """Exact verdicts on silence (and full revelation) in perturbed markets.

    One entry per perturbed market.  In the sampling mode of
    :func:`robustness_study` market ``r`` is the base market perturbed along
    ``directions[direction[r]]`` by ``x[r]`` (``y[r] = 0``); in the plane mode
    it is the point ``(x[r], y[r])`` of the phase diagram (``direction[r] = 0``,
    ``directions == ("plane",)``).

    Attributes
    ----------
    directions : tuple of str
    direction : ndarray of int, shape [N]
    x, y : ndarray, shape [N]
    silent : ndarray of bool, shape [N]
        "Every provider reveals nothing" is an anonymous equilibrium of the real
        game (exact best deviations over all experiments, :func:`gamelib.is_equilibrium`).
    silent_menus : ndarray of bool or None
        The same against menus (None if not computed).
    revealing, revealing_menus : ndarray of bool or None
        The same for "every provider reveals the state" (None if not computed).
    loss : ndarray, shape [N]
        What users lose under silence, ``Σ_j m_j (OPT_j − NOINFO_j)``.
    eps_weak, eps_strong : ndarray, shape [N]
        The market's WMA and SMA tolerances (``max_j ε_j`` and ``ε``).
    margin : ndarray, shape [N]
        The criterion of the chapter's proposition: the largest change gain
        ``Δ_i(q; a)`` of any provider over beliefs ``q`` and best-response
        profiles ``a`` that change at least one user's action (``-inf`` if no
        belief changes anybody).  ``margin ≤ 0`` is sufficient for silence to be
        an equilibrium over single experiments; it is also necessary when
        ``strict`` holds, no two users share an indifference belief and every
        tie is interior (between two actions whose utilities differ in each
        state), as for generic utilities.
    strict : ndarray of bool, shape [N]
        Every user has a unique best action at the prior.
    markets : tuple of Market
        The perturbed markets themselves.

    Examples
    --------
    >>> from gamelib.studies import robustness_study
    >>> st = robustness_study(directions=("prior",), sizes=(0.01,), n_samples=3, menus=False)
    >>> st.silent.tolist(), bool(abs(st.loss - 0.25).max() < 0.01)
    ([True, True, True], True)
    >>> st.survival()["prior"][1].tolist()
    [1.0]
    >>> st.markets[0].prior.round(4)      # the first perturbed market
    array([0.5002, 0.4998])
    """

    directions: tuple
    direction: np.ndarray
    x: np.ndarray
    y: np.ndarray
    silent: np.ndarray
    silent_menus: np.ndarray | None
    revealing: np.ndarray | None
    revealing_menus: np.ndarray | None
    loss: np.ndarray
    eps_weak: np.ndarray
    eps_strong: np.ndarray
    margin: np.ndarray
    strict: np.ndarray
    markets: tuple

    def survival(self, menus=False):
        """Survival rate of silence per direction and size.

        Returns a dict ``{direction: (sizes, rate, lo, hi)}`` with the 95%
        Wilson interval ``[lo, hi]`` of each rate.

        >>> from gamelib.studies import robustness_study
        >>> st = robustness_study(directions=("masses",), sizes=(0.01, 0.1), n_samples=2, menus=False)
        >>> sizes, rate, lo, hi = st.survival()["masses"]
        >>> sizes.tolist(), rate.tolist()
        ([0.01, 0.1], [1.0, 1.0])
        """
        verdict = self.silent_menus if menus else self.silent
        if verdict is None:
            raise ValueError("menus: the study was run with menus=False")
        out = {}
        for d, name in enumerate(self.directions):
            rows = self.direction == d
            sizes = np.unique(self.x[rows])
            cells = rows & (self.x == sizes[:, None])  # [sizes, N]
            wins, trials = (cells & verdict).sum(axis=1), cells.sum(axis=1)
            out[name] = (sizes, wins / trials, *_wilson(wins, trials, 0.95))
        return out

    def grid(self, field="silent"):
        """A field of a plane study as a ``[len(ys), len(xs)]`` array, with the axes.

        >>> from gamelib.studies import robustness_study
        >>> st = robustness_study(plane=([-0.02, 0.0, 0.02], [0.0, 0.03]), menus=False, revealing=False)
        >>> xs, ys, verdict = st.grid()
        >>> verdict.astype(int).tolist()
        [[0, 1, 0], [1, 1, 1]]
        """
        if self.directions != ("plane",):
            raise ValueError("field: grid() needs a study run with plane=(xs, ys)")
        values = getattr(self, field, None)  # fields only: nothing else of the class is an array
        if not isinstance(values, np.ndarray) or values.shape != self.silent.shape:
            raise ValueError(f"field: expected the name of a computed per-market array, got {field!r}")
        xs, ys = np.unique(self.x), np.unique(self.y)
        return xs, ys, np.asarray(values).reshape(len(ys), len(xs))

    def summary(self):
        """A few lines of text: survival rates and the alignment of survivors.

        >>> from gamelib.studies import robustness_study
        >>> print(robustness_study(directions=("prior",), sizes=(0.01,), n_samples=2).summary())
        2 perturbed markets; silence is an exact anonymous equilibrium in 2 (2 against menus); full revelation in 2 (2)
          prior: size 0.01: 2/2
        users' loss under surviving silence: 0.249 to 0.25; WMA eps of survivors: 0 to 0
        """
        def count(v):
            return "-" if v is None else str(int(v.sum()))

        lines = [
            f"{len(self.silent)} perturbed markets; silence is an exact anonymous equilibrium in "
            f"{int(self.silent.sum())} ({count(self.silent_menus)} against menus); full revelation in "
            f"{count(self.revealing)} ({count(self.revealing_menus)})"
        ]
        if self.directions != ("plane",):
            for name, (sizes, rate, _, _) in self.survival().items():
                n = (self.direction == self.directions.index(name)).sum() // len(sizes)
                cells = ", ".join(f"size {s:g}: {round(r * n)}/{n}" for s, r in zip(sizes, rate))
                lines.append(f"  {name}: {cells}")
        alive = self.silent
        if alive.any():
            lines.append(
                f"users' loss under surviving silence: {self.loss[alive].min():.3g} to {self.loss[alive].max():.3g}; "
                f"WMA eps of survivors: {self.eps_weak[alive].min():.2g} to {self.eps_weak[alive].max():.2g}"
            )
        return "\n".join(lines)


def _perturbed(market, name, size, z):
    """``market`` moved along one draw ``z`` (a dict of arrays in [-1, 1]) scaled by ``size``."""
    if name == "aligned":  # toward U_i^j = u_j, the strongly aligned market with the same users
        target = np.broadcast_to(market.user_utility, market.provider_utility.shape)
        return market.replace(provider_utility=(1 - size) * market.provider_utility + size * target)
    if name in ("random", "users", "providers"):
        users = market.user_utility + (size * z["user_utility"] if name != "providers" else 0.0)
        provs = market.provider_utility + (size * z["provider_utility"] if name != "users" else 0.0)
        return market.replace(user_utility=users, provider_utility=provs)
    new = np.clip(getattr(market, name) + size * (z[name] - z[name].mean()), 1e-3, None)  # "masses" or "prior"
    return market.replace(**{name: new / new.sum()})


def robustness_study(market=None, *, directions=_ROBUSTNESS_DIRECTIONS, sizes=(1e-3, 1e-2, 5e-2, 1e-1),
                     n_samples=20, seed=0, menus=True, revealing=True, plane=None, shift=0.05):
    """How robust is the silent equilibrium?  Exact verdicts on perturbed markets.

    **Sampling mode** (``plane=None``).  For each direction and each sample a
    random draw ``z`` (uniform in ``[-1, 1]`` entrywise) is taken once and
    scaled by every size (common random directions: the same rays at every
    size).  Directions:

    * ``"random"`` — every user and provider utility;
    * ``"users"`` — the users' utilities (moves their indifference beliefs);
    * ``"providers"`` — the providers' utilities (their stakes);
    * ``"masses"``, ``"prior"`` — shifted by ``size·(z − mean z)``, renormalised;
    * ``"aligned"`` — deterministic: the providers' utilities mixed with
      weight ``size ≤ 1`` toward ``U_i^j = u_j`` (SMA(0)); one market per size.

    **Plane mode** (``plane=(xs, ys)``, the phase diagram; two providers, two
    users, two actions, two states).  User 1's indifference belief is moved by
    ``shift`` and user 2's by ``shift + x``; provider ``i``'s indifference
    belief about user ``i`` (its own audience) is moved ``y`` further than
    user ``i``'s.  Moves are made by a state-independent bias on action 1, so
    they are exact for every market of that shape.

    Each perturbed market gets exact verdicts (:func:`gamelib.is_equilibrium`,
    anonymous mode): silence, and optionally full revelation, over single
    experiments and optionally menus; users' loss under silence; the WMA and
    SMA tolerances; and the proposition's criterion (:func:`silence_margin`).

    Parameters
    ----------
    market : Market, optional
        Two states.  Default: :func:`gamelib.examples.opposite_tastes`
        (Proposition 5.1's market).
    directions : sequence of str
        Subset of ``("random", "users", "providers", "masses", "prior", "aligned")`` (sampling mode).
    sizes : sequence of float
        Positive perturbation sizes (sampling mode).
    n_samples : int
        Draws per direction (sampling mode).
    seed : int
    menus, revealing : bool
        Also decide silence against menus / full revelation.
    plane : pair of sequences of float, optional
        The axes ``(xs, ys)`` of the phase diagram.
    shift : float, default 0.05
        Plane mode: the common move of the users' indifference beliefs.

    Returns
    -------
    RobustnessStudy

    Examples
    --------
    Moving the prior keeps silence alive; moving the users' utilities at
    random kills it; moving toward strong alignment kills it once a third of
    the way (Theorem 6.1 alone would only force it past two thirds):

    >>> from gamelib.studies import robustness_study
    >>> st = robustness_study(directions=("prior", "users"), sizes=(0.01,), n_samples=5, seed=1)
    >>> {k: v[1].tolist() for k, v in st.survival().items()}
    {'prior': [1.0], 'users': [0.0]}
    >>> bool(st.revealing.all())      # full revelation survives everything (assumption (U))
    True
    >>> path = robustness_study(directions=("aligned",), sizes=(0.3, 1 / 3, 0.34), menus=False)
    >>> path.silent.tolist(), (2 * path.eps_strong).round(3).tolist()
    ([True, True, False], [0.525, 0.5, 0.495])
    """
    market = _check_market(opposite_tastes() if market is None else market, n_states=2)
    seed = as_int(seed, "seed", 0)
    menus, revealing = as_bool(menus, "menus"), as_bool(revealing, "revealing")
    if plane is None:
        if isinstance(directions, str):
            raise ValueError(f"directions: expected a sequence of names, got the string {directions!r}")
        directions = tuple(directions)
        if not directions or any(d not in _ROBUSTNESS_DIRECTIONS for d in directions):
            raise ValueError(f"directions: expected names from {_ROBUSTNESS_DIRECTIONS}, got {directions}")
        sizes = as_finite_array(sizes, "sizes", ndim=1, minimum=0.0, strict=True)  # positive
        if "aligned" in directions and np.any(sizes > 1):
            raise ValueError("sizes: the 'aligned' direction mixes with weight size, which must be at most 1")
        n_samples = as_int(n_samples, "n_samples", 1)
        rng = np.random.default_rng(seed)
        rows = []
        for d, name in enumerate(directions):
            for sample in range(n_samples):
                z = {key: rng.uniform(-1.0, 1.0, getattr(market, key).shape) for key in _PERTURBED_FIELDS}
                if name != "aligned" or sample == 0:
                    rows.extend((d, s, 0.0, _perturbed(market, name, s, z)) for s in sizes)
    else:
        if not isinstance(plane, (tuple, list)) or len(plane) != 2:
            raise ValueError("plane: expected a pair (xs, ys) of sequences of numbers")
        xs, ys = (np.sort(as_finite_array(axis, "plane", ndim=1)) for axis in plane)
        if len(np.unique(xs)) != len(xs) or len(np.unique(ys)) != len(ys):
            raise ValueError("plane: the axes must not repeat values")
        shift = as_real(shift, "shift")
        if market.provider_utility.shape != (2, 2, 2, 2):
            raise ValueError("market: plane mode needs two providers, two users, two actions and two states")
        # indifference beliefs moved by a state-independent bias on action 1
        u, big = market.user_utility, market.provider_utility  # own audiences: provider i about user i
        slope_u, slope_p = ((w[:, 1, 1] - w[:, 0, 1]) - (w[:, 1, 0] - w[:, 0, 0]) for w in (u, big[[0, 1], [0, 1]]))
        directions, rows = ("plane",), []
        for y in ys:
            for x in xs:
                move = np.array([shift, shift + x])  # users' indifference beliefs move by this
                uu, pp = u.copy(), big.copy()
                uu[:, 1, :] -= (move * slope_u)[:, None]
                pp[[0, 1], [0, 1], 1, :] -= ((move + y) * slope_p)[:, None]
                rows.append((0, x, y, market.replace(user_utility=uu, provider_utility=pp)))
    markets = [r[3] for r in rows]

    def verdicts(experiment, with_menus):  # every provider posts `experiment`
        profile = np.array([experiment] * market.n_providers)
        return np.array([is_equilibrium(m, profile, "anonymous", menus=with_menus) for m in markets])

    margins = [silence_margin(m) for m in markets]
    eps_weak, eps_strong = _market_alignment_eps(markets)
    return RobustnessStudy(
        directions=directions,
        direction=np.array([r[0] for r in rows], dtype=int),
        x=np.array([r[1] for r in rows], dtype=float),
        y=np.array([r[2] for r in rows], dtype=float),
        silent=verdicts(reveal_nothing(2), False),
        silent_menus=verdicts(reveal_nothing(2), True) if menus else None,
        revealing=verdicts(reveal_everything(2), False) if revealing else None,
        revealing_menus=verdicts(reveal_everything(2), True) if (revealing and menus) else None,
        loss=np.array([aligned_value(m) @ m.masses - uninformed_value(m) @ m.masses for m in markets]),
        eps_weak=eps_weak,
        eps_strong=eps_strong,
        margin=np.array([mg.max() for mg, _ in margins]),
        strict=np.array([s for _, s in margins]),
        markets=tuple(markets),
    )


def silence_margin(market):
    """The change gains of the chapter's proposition, provider by provider (two states).

    For provider ``i``, the largest ``Δ_i(q; a) = Σ_j m_j E_q[U_i^j(a_j, θ) −
    U_i^j(a⁰_j, θ)]`` over beliefs ``q = P(θ = 1)`` and profiles ``a`` of best
    responses at ``q`` that change at least one user's no-information action
    ``a⁰_j`` (``-inf`` if no belief changes anybody).  ``Δ_i`` is linear in
    ``q`` between indifference beliefs, so the candidates are the beliefs
    0, 1 and every user's indifference beliefs, with every tied best response.

    Parameters
    ----------
    market : Market
        Two states.

    Returns
    -------
    margin : ndarray, shape [k]
    strict : bool
        Whether every user has a unique best action at the prior.  Silence is an
        anonymous equilibrium (single experiments) if ``margin ≤ 0``; only if,
        when ``strict`` holds, no two users share an indifference belief and
        every tie is interior (the chapter's proposition, part 2).

    Examples
    --------
    Opposite tastes with the users' indifference beliefs moved to 0.55 and
    0.56, and each provider's indifference belief about its own audience 0.03
    beyond its user's (a point of the chapter's phase diagram): every belief
    that moves a user loses for both providers.

    >>> from gamelib import examples
    >>> from gamelib.studies import silence_margin, robustness_study
    >>> st = robustness_study(plane=([0.01], [0.03]), menus=False, revealing=False)
    >>> st.margin.round(6).tolist(), st.strict.tolist(), st.silent.tolist()
    ([-0.01], [True], [True])

    ``margin ≤ 0`` is sufficient for silence in every two-state market; it is
    also necessary when ``strict`` holds and no two users share an
    indifference belief.  When two users share one, the margin counts the
    profiles in which, at that belief, one user moves and the other does not;
    deviators can approach them.  With the providers of Proposition 5.1 and
    both users' indifference beliefs at 0.55, provider 2 gains by moving its
    own audience alone at 0.55:

    >>> from gamelib import is_equilibrium, reveal_nothing
    >>> m = examples.opposite_tastes(); u = m.user_utility.copy()
    >>> u[0, 1] -= 0.05; u[1, 1] += 0.05
    >>> moved = m.replace(user_utility=u)
    >>> silence_margin(moved)[0].round(6).tolist(), is_equilibrium(moved, [reveal_nothing(2)] * 2, "anonymous")
    ([0.025, 0.025], False)
    """
    market = _check_market(market, n_states=2)
    u, big = market.user_utility, market.provider_utility  # [n, A, 2], [k, n, A, 2]
    qs = _indifference_beliefs(u)  # every user's indifference beliefs, with 0 and 1
    at_prior = u @ market.prior  # [n, A]
    a0 = choose(at_prior, axis=1)
    strict = bool(np.all((at_prior >= at_prior.max(axis=1, keepdims=True) - VALUE_ATOL).sum(axis=1) == 1))
    belief = np.stack([1 - qs, qs], axis=1)  # [Q, 2]: Δ_i is linear between candidates
    value = np.einsum("qt,jat->qja", belief, u)
    best = value >= value.max(axis=2, keepdims=True) - VALUE_ATOL  # [Q, n, A], every tied best action
    pay = np.einsum("qt,ijat->qija", belief, big) * market.masses[None, None, :, None]
    gain = pay - np.take_along_axis(pay, a0[None, None, :, None], axis=3)  # [Q, k, n, A]
    changed = best & (np.arange(u.shape[1])[None, None, :] != a0[None, :, None])
    any_best = np.where(best[:, None], gain, -np.inf).max(axis=3)  # [Q, k, n], finite
    any_change = np.where(changed[:, None], gain, -np.inf).max(axis=3)
    # at least one user changes: the best change of user j plus the best of everyone else
    total = any_best.sum(axis=2, keepdims=True) - any_best + any_change
    return total.max(axis=(0, 2)), strict
