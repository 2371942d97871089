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

from dataclasses import dataclass

import numpy as np

from ._validation import as_finite_array
from .market import _check_market

__all__ = [
    "WeakCertificate",
    "StrongCertificate",
    "weak_alignment",
    "strong_alignment",
    "alignment_residual",
]


@dataclass(frozen=True)
class WeakCertificate:
    """Certificate of WMA(eps) for one user.

    Attributes
    ----------
    user : int
    eps : float
        ``max_{a,θ} |u_j − Σ_i weights_i U_i^j − offset|``, minimal over certificates.
    weights : ndarray, shape [k]
    offset : float
    cone : bool
        Whether the weights were only required to be non-negative.

    Examples
    --------
    One user who wants to match a coin, two providers who want action 0
    whatever the state: the best simplex certificate leaves ``ε = 1``, and the
    gap recomputed from the certificate is that ε.

    >>> from gamelib import examples, weak_alignment, alignment_residual
    >>> m = examples.fixed_action()
    >>> cert = weak_alignment(m)[0]
    >>> cert.user, cert.eps, cert.weights, cert.offset, cert.cone
    (0, 1.0, array([1., 0.]), 0.0, False)
    >>> alignment_residual(m, cert.weights, [cert.offset])
    array([1.])
    """

    user: int
    eps: float
    weights: np.ndarray
    offset: float
    cone: bool = False


@dataclass(frozen=True)
class StrongCertificate:
    """Certificate of SMA(eps): common weights and one offset per user.

    Attributes
    ----------
    eps : float
    weights : ndarray, shape [k]
    offsets : ndarray, shape [n]
    cone : bool

    Examples
    --------
    In the opposite-tastes market the common weights are (1/2, 1/2) and both
    users are off by ``ε = 3/8``, as the residual recomputed from the
    certificate confirms:

    >>> from gamelib import examples, strong_alignment, alignment_residual
    >>> m = examples.opposite_tastes()
    >>> cert = strong_alignment(m)
    >>> round(cert.eps, 9), cert.weights, cert.offsets
    (0.375, array([0.5, 0.5]), array([-0.125, -0.125]))
    >>> alignment_residual(m, cert.weights, cert.offsets).round(9)
    array([0.375, 0.375])
    """

    eps: float
    weights: np.ndarray
    offsets: np.ndarray
    cone: bool = False


def _solve(blocks, n_weights, cone):
    """Minimise ε s.t. |target_b − G_b w − c_b| ≤ ε for blocks b.

    ``blocks`` is a list of (target [m], G [m, n_weights]).  Variables:
    w (n_weights), c (one per block), ε.
    """
    n_blocks = len(blocks)
    n_var = n_weights + n_blocks + 1
    rows, rhs = [], []
    for b, (target, g) in enumerate(blocks):
        m = target.shape[0]
        c_col = np.zeros((m, n_blocks))
        c_col[:, b] = 1.0
        eps_col = np.ones((m, 1))
        # target − G w − c ≤ ε   →   −G w − c − ε ≤ −target
        rows.append(np.hstack([-g, -c_col, -eps_col]))
        rhs.append(-target)
        # −(target − G w − c) ≤ ε   →   G w + c − ε ≤ target
        rows.append(np.hstack([g, c_col, -eps_col]))
        rhs.append(target)
    a_ub = np.vstack(rows)
    b_ub = np.concatenate(rhs)
    cost = np.zeros(n_var)
    cost[-1] = 1.0
    bounds = [(0, None)] * n_weights + [(None, None)] * n_blocks + [(0, None)]
    if cone:
        a_eq = b_eq = None
    else:
        a_eq = np.zeros((1, n_var))
        a_eq[0, :n_weights] = 1.0
        b_eq = [1.0]
    from scipy.optimize import linprog  # imported on first use: keeps `import gamelib` light

    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - always feasible and bounded
        raise RuntimeError(f"alignment LP failed: {res.message}")
    w = np.clip(res.x[:n_weights], 0.0, None)
    if not cone:
        w = w / w.sum()
    return w


def _best_offset(residual):
    """Offset minimising the max-abs residual, and that maximum."""
    hi, lo = residual.max(), residual.min()
    return 0.5 * (hi + lo), 0.5 * (hi - lo)


def weak_alignment(market, cone=False):
    """Smallest ε for which WMA(ε) holds, user by user, with certificates.

    Parameters
    ----------
    market : Market
    cone : bool, default False
        Allow any non-negative weights instead of the simplex.

    Returns
    -------
    list of WeakCertificate, one per user

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
    market = _check_market(market)
    cone = _check_cone(cone)
    out = []
    for j in range(market.n_users):
        target = market.user_utility[j].ravel()
        g = market.provider_utility[:, j].reshape(market.n_providers, -1).T
        w = _solve([(target, g)], market.n_providers, cone)
        offset, eps = _best_offset(target - g @ w)
        out.append(WeakCertificate(user=j, eps=float(eps), weights=w, offset=float(offset), cone=cone))
    return out


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
    market = _check_market(market)
    cone = _check_cone(cone)
    blocks = [
        (market.user_utility[j].ravel(), market.provider_utility[:, j].reshape(market.n_providers, -1).T)
        for j in range(market.n_users)
    ]
    w = _solve(blocks, market.n_providers, cone)
    offsets, eps = np.empty(market.n_users), 0.0
    for j, (target, g) in enumerate(blocks):
        offsets[j], e = _best_offset(target - g @ w)
        eps = max(eps, e)
    return StrongCertificate(eps=float(eps), weights=w, offsets=offsets, cone=cone)


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
    weights = as_finite_array(weights, "weights")
    if weights.shape == (k,):
        weights = np.broadcast_to(weights, (n, k))
    elif weights.shape != (n, k):
        raise ValueError(f"weights: expected shape [{k}] or [{n}, {k}], got {weights.shape}")
    if np.any(weights < 0):
        raise ValueError("weights: must be non-negative")
    offsets = as_finite_array(offsets, "offsets", shape=(n,))
    combo = np.einsum("ji,ijat->jat", weights, market.provider_utility)
    gap = market.user_utility - combo - offsets[:, None, None]
    return np.abs(gap).reshape(n, -1).max(axis=1)


def _check_cone(cone):
    if not isinstance(cone, (bool, np.bool_)):
        raise ValueError(f"cone: expected True or False, got {cone!r}")
    return bool(cone)
