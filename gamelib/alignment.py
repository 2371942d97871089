"""Weak and Strong Market Alignment as linear programs with certificates.

**Weak Market Alignment** WMA(ε): for every user ``j`` there are weights
``w^j`` in the simplex ``Δ_k`` and an offset ``c_j`` with

    max_{a,θ} | u_j(a,θ) − Σ_i w^j_i U_i^j(a,θ) − c_j | ≤ ε.

**Strong Market Alignment** SMA(ε): one common weight vector ``w`` (offsets
may still differ by user).  With ``cone=True`` the weights need only be
non-negative (a positive rescaling of the user's utility is allowed).

The smallest ε is a linear program in ``(w, c, ε)``.  The functions return a
*certificate* — the weights and offsets — whose ``eps`` is recomputed from the
certificate itself, so the inequality holds exactly with the reported ε.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._validation import as_bool, as_finite_array
from .market import _check_market

#: Largest number of vertices :func:`hull_distance` enumerates faces for (2**k − 1 faces).
_MAX_VERTICES = 12


@dataclass(frozen=True)
class Certificate:
    """Certificate of WMA(eps) for one user (``user`` set) or of SMA(eps) (``user`` is None).

    Attributes
    ----------
    eps : float
        ``max |u_j − Σ_i weights_i U_i^j − c_j|`` over actions, states (and, for
        SMA, users), minimal over certificates.
    weights : ndarray, shape [k]
        The user's weights (WMA) or the common weights (SMA).
    offsets : ndarray, shape [1] (WMA) or [n] (SMA)
        The offsets ``c_j``.
    cone : bool
        Whether the weights were only required to be non-negative.
    user : int or None
        The user of a WMA certificate; None for SMA.

    Examples
    --------
    One user who wants to match a coin, two providers who want action 0
    whatever the state: the best simplex certificate leaves ``ε = 1``, and the
    gap recomputed from the certificate is that ε.

    >>> from gamelib import examples, weak_alignment, strong_alignment, alignment_residual
    >>> m = examples.fixed_action_providers()
    >>> cert = weak_alignment(m)[0]
    >>> cert.user, cert.eps, cert.weights, cert.offset, cert.cone
    (0, 1.0, array([1., 0.]), 0.0, False)
    >>> alignment_residual(m, cert.weights, [cert.offset])
    array([1.])

    In the opposite-tastes market the common weights are (1/2, 1/2) and both
    users are off by ``ε = 3/8``, as the residual recomputed from the
    certificate confirms:

    >>> m = examples.opposite_tastes()
    >>> cert = strong_alignment(m)
    >>> round(cert.eps, 9), cert.weights, cert.offsets, cert.user
    (0.375, array([0.5, 0.5]), array([-0.125, -0.125]), None)
    >>> alignment_residual(m, cert.weights, cert.offsets).round(9)
    array([0.375, 0.375])
    """

    eps: float
    weights: np.ndarray
    offsets: np.ndarray
    cone: bool = False
    user: int | None = None

    @property
    def offset(self):
        """The offset ``c_j`` of a WMA certificate's user (``offsets[0]``)."""
        if self.user is None:
            raise AttributeError("offset: an SMA certificate has one offset per user (offsets)")
        return float(self.offsets[0])


def _solve(targets, mats, cone=False):
    """Weights and smallest ε of many independent alignment LPs, solved as one LP.

    ``targets [B, n, m]`` are the utilities of the ``n`` users of block ``b``
    flattened over ``(a, θ)``; ``mats [B, n, m, k]`` what the ``k`` providers want
    from them.  Block ``b`` has one weight vector ``w_b`` (in the simplex, or any
    non-negative vector if ``cone``) shared by its users and one offset per user;
    the LP minimises the sum of the blocks' ε subject to
    ``|target − G w_b − c_j| ≤ ε_b``, which is minimal exactly when each ``ε_b``
    is.  WMA is ``n = 1`` (a block per user), SMA one block of all users.

    Returns the weights ``[B, k]`` and, recomputed from them with the best
    offsets, ``ε [B]`` and the offsets ``[B, n]``.
    """
    n_blocks, n, m, k = mats.shape
    n_var = k + n + 1  # w, c, ε
    offset = np.broadcast_to(np.eye(n)[:, None, :], (n_blocks, n, m, n))  # user j's offset c_j
    core = np.concatenate([mats, offset, np.zeros((n_blocks, n, m, 1))], axis=3)
    upper, lower = -core, core.copy()  # t − G w − c ≤ ε  and  G w + c − t ≤ ε
    upper[..., -1] = lower[..., -1] = -1.0
    a_ub = np.stack([upper, lower], axis=2).reshape(n_blocks, 2 * n * m, n_var)  # user by user
    b_ub = np.stack([-targets, targets], axis=2).ravel()
    from scipy import sparse  # imported on first use: keeps `import gamelib` light
    from scipy.optimize import linprog

    cost = np.tile(np.r_[np.zeros(n_var - 1), 1.0], n_blocks)
    lower_bounds = np.tile(np.r_[np.zeros(k), np.full(n, -np.inf), 0.0], n_blocks)
    bounds = np.stack([lower_bounds, np.full_like(lower_bounds, np.inf)], axis=1)
    # simplex weights: each block's w sums to one
    a_eq = None if cone else sparse.kron(sparse.eye(n_blocks), np.r_[np.ones(k), np.zeros(n + 1)][None])
    b_eq = None if cone else np.ones(n_blocks)
    res = linprog(cost, A_ub=sparse.block_diag(list(a_ub), format="csr"), b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                  bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - always feasible and bounded
        raise RuntimeError(f"alignment LP failed: {res.message}")
    w = np.clip(res.x.reshape(n_blocks, n_var)[:, :k], 0.0, None)
    if not cone:
        w = w / w.sum(axis=1, keepdims=True)
    resid = targets - np.einsum("bjmk,bk->bjm", mats, w)
    hi, lo = resid.max(axis=2), resid.min(axis=2)
    return w, (0.5 * (hi - lo)).max(axis=1), 0.5 * (hi + lo)


def _blocks(market, name="market"):
    """``targets [n, m]`` and ``mats [n, m, k]`` of a market (``m = A·Θ``), checked first."""
    market = _check_market(market, name)
    n, k = market.n_users, market.n_providers
    return market.user_utility.reshape(n, -1), market.provider_utility.reshape(k, n, -1).transpose(1, 2, 0)


def _certificate(targets, mats, cone, user=None):
    """The certificate of one alignment LP: common weights for the users of ``targets [n, m]``, ``mats [n, m, k]``.

    Checks ``cone`` (after the market, which :func:`_blocks` checks).
    """
    w, eps, offsets = _solve(targets[None], mats[None], as_bool(cone, "cone"))
    return Certificate(float(eps[0]), w[0], offsets[0], bool(cone), user)


def weak_alignment(market, cone=False):
    """Smallest ε for which WMA(ε) holds, user by user, with certificates.

    Parameters
    ----------
    market : Market
    cone : bool, default False
        Allow any non-negative weights instead of the simplex.

    Returns
    -------
    list of Certificate, one per user

    Examples
    --------
    In the opposite-tastes market each user is served exactly by "her" provider:

    >>> from gamelib import examples, weak_alignment
    >>> certs = weak_alignment(examples.opposite_tastes())
    >>> [c.eps for c in certs]
    [0.0, 0.0]
    >>> certs[1].weights
    array([0., 1.])
    """
    targets, mats = _blocks(market)
    return [_certificate(targets[[j]], mats[[j]], cone, user=j) for j in range(len(targets))]


def strong_alignment(market, cone=False):
    """Smallest ε for which SMA(ε) holds, with common weights as certificate.

    Examples
    --------
    The opposite-tastes market is weakly but not strongly aligned:

    >>> from gamelib import examples, strong_alignment
    >>> cert = strong_alignment(examples.opposite_tastes())
    >>> round(cert.eps, 9), cert.weights
    (0.375, array([0.5, 0.5]))
    """
    targets, mats = _blocks(market)
    return _certificate(targets, mats, cone)


def _market_alignment_eps(markets):
    """WMA and SMA tolerances of many markets of one shape, by batched LPs.

    Equal (up to LP round-off) to ``max(c.eps for c in weak_alignment(m))``
    and ``strong_alignment(m).eps`` for each market ``m``, but solved as two
    sparse linear programs instead of ``n + 1`` per market.

    Parameters
    ----------
    markets : sequence of Market
        All with the same numbers of states, actions, users and providers.

    Returns
    -------
    eps_weak, eps_strong : ndarray, shape [len(markets)]

    Examples
    --------
    >>> from gamelib import examples
    >>> from gamelib.alignment import _market_alignment_eps
    >>> w, s = _market_alignment_eps([examples.opposite_tastes()] * 2)
    >>> w.round(9), s.round(9)
    (array([0., 0.]), array([0.375, 0.375]))
    """
    markets = [_check_market(m, "markets") for m in markets]
    if not markets:
        raise ValueError("markets: expected at least one market")
    shape = markets[0].provider_utility.shape
    if any(m.provider_utility.shape != shape for m in markets):
        raise ValueError("markets: all markets must have the same numbers of states, actions, users, providers")
    targets, mats = (np.array(a) for a in zip(*(_blocks(m) for m in markets)))  # [B, n, m], [B, n, m, k]
    b, n, m, k = mats.shape
    weak = _solve(targets.reshape(b * n, 1, m), mats.reshape(b * n, 1, m, k))[1].reshape(b, n).max(axis=1)
    return weak, np.maximum(_solve(targets, mats)[1], weak)


def alignment_residual(market, weights, offsets):
    """Max-abs gap ``max_{a,θ} |u_j − Σ_i w_i U_i^j − c_j|`` for each user.

    Parameters
    ----------
    market : Market
    weights : array_like, shape [k] (common) or [n, k] (per user)
    offsets : array_like, shape [n]

    Returns
    -------
    ndarray, shape [n]

    Examples
    --------
    >>> from gamelib import examples, alignment_residual
    >>> alignment_residual(examples.opposite_tastes(), [[1, 0], [0, 1]], [0, 0])
    array([0., 0.])
    """
    market = _check_market(market)
    k, n = market.n_providers, market.n_users
    weights = as_finite_array(weights, "weights", minimum=0.0)
    if weights.shape == (k,):
        weights = np.broadcast_to(weights, (n, k))
    elif weights.shape != (n, k):
        raise ValueError(f"weights: expected shape [{k}] or [{n}, {k}], got {weights.shape}")
    offsets = as_finite_array(offsets, "offsets", shape=(n,))
    combo = np.einsum("ji,ijat->jat", weights, market.provider_utility)
    gap = market.user_utility - combo - offsets[:, None, None]
    return np.abs(gap).reshape(n, -1).max(axis=1)


def remove_constants(utility):
    """Flatten utilities ``[..., A, Θ]`` to vectors and remove their constant part.

    Returns the projection onto the hyperplane orthogonal to the all-ones
    vector, i.e. each vector minus its mean entry.  Two utilities that differ
    by a constant have the same image.

    Parameters
    ----------
    utility : array_like, shape [..., A, Θ]

    Returns
    -------
    ndarray, shape [..., A·Θ]

    Examples
    --------
    >>> from gamelib.alignment import remove_constants
    >>> remove_constants([[1.0, 0.0], [0.0, 1.0]])
    array([ 0.5, -0.5, -0.5,  0.5])
    >>> remove_constants([[3.0, 2.0], [2.0, 3.0]])
    array([ 0.5, -0.5, -0.5,  0.5])
    """
    utility = as_finite_array(utility, "utility")
    if utility.ndim < 2:
        raise ValueError(f"utility: expected shape [..., A, Θ], got {utility.shape}")
    flat = utility.reshape(utility.shape[:-2] + (-1,))
    return flat - flat.mean(axis=-1, keepdims=True)


def hull_distance(point, vertices, cone=False):
    """Euclidean distance from a point to the convex hull (or cone) of vertices.

    Exact: for the hull, the nearest point lies in the relative interior of a
    face spanned by affinely independent vertices, where it is the projection
    onto that face's affine hull; every subset of vertices is tried (at most
    12 vertices).  For the cone the problem is non-negative
    least squares.

    Parameters
    ----------
    point : array_like, shape [d]
    vertices : array_like, shape [k, d]
    cone : bool, default False
        Distance to ``{Σ_i w_i v_i : w ≥ 0}`` instead of ``{... : w ≥ 0, Σ w = 1}``.

    Returns
    -------
    distance : float
    weights : ndarray, shape [k]
        Weights of a nearest point ``weights @ vertices``.

    Examples
    --------
    The point (1, 1) is at distance 1 from the segment between (0, 0) and (2, 0),
    and at distance 0 from the cone spanned by (1, 0) and (0, 1):

    >>> from gamelib.alignment import hull_distance
    >>> d, w = hull_distance([1.0, 1.0], [[0.0, 0.0], [2.0, 0.0]])
    >>> float(d), w
    (1.0, array([0.5, 0.5]))
    >>> float(hull_distance([1.0, 1.0], [[1.0, 0.0], [0.0, 1.0]], cone=True)[0])
    0.0
    """
    point = as_finite_array(point, "point", ndim=1)
    vertices = as_finite_array(vertices, "vertices", shape=(None, point.shape[0]))  # [k, d], d of the point
    cone = as_bool(cone, "cone")
    k = vertices.shape[0]
    if k > _MAX_VERTICES:
        raise ValueError(f"vertices: at most {_MAX_VERTICES} vertices, got {k}")
    if cone:
        from scipy.optimize import nnls  # imported on first use

        weights, dist = nnls(vertices.T, point)
        return float(dist), weights
    best_dist, best_w = np.inf, None
    subsets = itertools.chain.from_iterable(itertools.combinations(range(k), size) for size in range(1, k + 1))
    for subset in map(list, subsets):
        sub = vertices[subset]
        coef = np.linalg.lstsq((sub[1:] - sub[0]).T, point - sub[0], rcond=None)[0]  # [size - 1]
        lam = np.concatenate([[1.0 - coef.sum()], coef])
        if np.any(lam < -1e-12):
            continue
        lam = np.clip(lam, 0.0, None)
        lam /= lam.sum()
        dist = float(np.linalg.norm(point - lam @ sub))
        if dist < best_dist - 1e-15:  # the nearest point so far; its weights on all k vertices
            best_dist, best_w = dist, np.bincount(subset, weights=lam, minlength=k)
    return best_dist, best_w
