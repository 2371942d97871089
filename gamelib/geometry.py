"""Geometry of beliefs, information and alignment (chapters 1–3).

Small computations that the first three chapters draw and prove things about:

* :func:`threshold_receiver` — a two-action receiver who takes action 0 exactly
  when ``P(θ = 1)`` reaches a threshold (the judge of chapter 1, with an
  adjustable standard of proof);
* :func:`symmetric_experiment` and :func:`garble` — the binary experiments that
  report the state correctly with probability ``q``, and Blackwell garblings
  ``π ↦ π G`` (chapter 2: garbling never helps a decision maker);
* :func:`remove_constants`, :func:`hull_distance` and :func:`alignment_picture`
  — the picture behind market alignment (chapter 3): a user's utility vector
  and the vectors of what the providers want from her, constants removed,
  the (Euclidean) distance from the first to the convex hull or cone of the
  others, and a two-dimensional projection that makes the hull visible.

Utility arrays ``u[a, θ]`` are read as vectors in ``R^{A·Θ}`` (row-major
flattening).  Because alignment allows an arbitrary offset ``c_j``, only a
vector's class modulo the constant vector ``1`` matters; :func:`remove_constants`
picks the representative orthogonal to ``1`` (subtract the mean entry).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._validation import as_distribution, as_experiments, as_finite_array, as_int, as_real
from .alignment import strong_alignment, weak_alignment
from .market import _check_market

__all__ = [
    "threshold_receiver",
    "tilted_taste",
    "split_experiment",
    "symmetric_experiment",
    "garble",
    "remove_constants",
    "hull_distance",
    "AlignmentPicture",
    "alignment_picture",
]

#: Largest number of vertices :func:`hull_distance` enumerates faces for (2**k − 1 faces).
_MAX_VERTICES = 12


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
    >>> from gamelib.geometry import threshold_receiver
    >>> threshold_receiver(0.5)
    array([[-0.5,  0.5],
           [ 0. ,  0. ]])
    """
    t = as_real(threshold, "threshold", 0.0, 1.0)
    return np.array([[-t, 1.0 - t], [0.0, 0.0]])


def tilted_taste(taste, bias=0.0):
    """A two-state, two-action utility between "match the state" and "mismatch it".

    ``u(a, θ) = ½·[(1 − t)·1[a = θ] + t·1[a ≠ θ]] + b·1[a = 0]``: at ``t = 0``
    the matcher of the opposite-tastes market, at ``t = 1`` the contrarian; the
    bias ``b`` is a taste for action 0 whatever the state, a direction in which
    no provider of that market has any interest (chapter 3).

    Parameters
    ----------
    taste : float
        ``t ∈ [0, 1]``.
    bias : float, default 0
        ``b``, any real number.

    Returns
    -------
    ndarray, shape [2, 2]
        ``u[a, θ]``.

    Examples
    --------
    >>> from gamelib.geometry import tilted_taste
    >>> tilted_taste(0.0)
    array([[0.5, 0. ],
           [0. , 0.5]])
    >>> tilted_taste(1.0, bias=0.25)
    array([[0.25, 0.75],
           [0.5 , 0.  ]])
    """
    t = as_real(taste, "taste", 0.0, 1.0)
    b = as_real(bias, "bias")
    match = np.eye(2)
    return 0.5 * ((1.0 - t) * match + t * (1.0 - match)) + b * np.array([[1.0, 1.0], [0.0, 0.0]])


def split_experiment(prior, posteriors, weights):
    """The experiment that splits the prior into the given posteriors (the splitting lemma).

    For a Bayes-plausible distribution of posteriors — weights ``τ_s ≥ 0``
    summing to one with ``Σ_s τ_s q_s = μ`` — the experiment
    ``π[θ, s] = τ_s q_s(θ) / μ(θ)`` sends signal ``s`` with probability ``τ_s``
    and leaves the posterior ``q_s`` after it (chapter 1).

    Parameters
    ----------
    prior : array_like, shape [Θ]
        Full support.
    posteriors : array_like, shape [S, Θ]
        One probability vector per signal.
    weights : array_like, shape [S]
        The probability of each signal.

    Returns
    -------
    ndarray, shape [Θ, S]

    Raises
    ------
    ValueError
        If the weighted posteriors do not average to the prior.

    Examples
    --------
    The prosecutor's optimal split of the prior 0.3: posterior 0 with
    probability 0.4, posterior ½ with probability 0.6.

    >>> from gamelib.geometry import split_experiment
    >>> split_experiment([0.7, 0.3], [[1.0, 0.0], [0.5, 0.5]], [0.4, 0.6]).round(4)
    array([[0.5714, 0.4286],
           [0.    , 1.    ]])
    """
    prior = as_distribution(prior, "prior", full_support=True)
    posteriors = as_finite_array(posteriors, "posteriors", shape=(None, prior.shape[0]))
    for row in posteriors:
        as_distribution(row, "posteriors")
    weights = as_distribution(weights, "weights", length=posteriors.shape[0])
    mean = weights @ posteriors
    if np.any(np.abs(mean - prior) > 1e-9):
        raise ValueError(
            f"posteriors: not Bayes-plausible, they average to {np.round(mean, 12).tolist()} "
            f"instead of the prior {prior.tolist()}"
        )
    return (weights[:, None] * posteriors / prior[None, :]).T


def symmetric_experiment(q):
    """The binary experiment that reports a binary state correctly with probability ``q``.

    Vectorised: an array of accuracies gives a stack of experiments.

    Parameters
    ----------
    q : float or array_like
        Accuracies in ``[0, 1]``.

    Returns
    -------
    ndarray, shape [..., 2, 2]
        Rows ``(q, 1 − q)`` and ``(1 − q, q)``.

    Examples
    --------
    >>> from gamelib.geometry import symmetric_experiment
    >>> symmetric_experiment(0.75)
    array([[0.75, 0.25],
           [0.25, 0.75]])
    >>> symmetric_experiment([0.5, 1.0]).shape
    (2, 2, 2)
    """
    q = as_finite_array(q, "q")
    if np.any((q < 0) | (q > 1)):
        raise ValueError("q: accuracies must lie in [0, 1]")
    out = np.empty(q.shape + (2, 2))
    out[..., 0, 0] = out[..., 1, 1] = q
    out[..., 0, 1] = out[..., 1, 0] = 1.0 - q
    return out


def garble(experiment, garbling):
    """Post-process an experiment's signal: ``(π G)[θ, s'] = Σ_s π[θ, s] G[s, s']``.

    A *garbling* ``G`` is a row-stochastic matrix: it maps each signal ``s`` to
    a new signal ``s'`` at random, independently of the state.  Blackwell's
    theorem (chapter 2) says ``π G`` is never worth more than ``π`` to anyone.

    Parameters
    ----------
    experiment : array_like, shape [..., Θ, S]
    garbling : array_like, shape [..., S, S']
        Broadcast against the experiment's leading axes.

    Returns
    -------
    ndarray, shape [..., Θ, S']

    Examples
    --------
    Merging the two signals of full revelation gives no information:

    >>> import numpy as np
    >>> from gamelib.geometry import garble
    >>> garble(np.eye(2), [[1.0], [1.0]])
    array([[1.],
           [1.]])
    """
    experiment = as_experiments(experiment, "experiment")
    garbling = as_experiments(garbling, "garbling")
    if garbling.shape[-2] != experiment.shape[-1]:
        raise ValueError(
            f"garbling: needs one row per signal of the experiment ({experiment.shape[-1]}), "
            f"got {garbling.shape[-2]}"
        )
    return experiment @ garbling


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
    >>> from gamelib.geometry import remove_constants
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

    >>> from gamelib.geometry import hull_distance
    >>> d, w = hull_distance([1.0, 1.0], [[0.0, 0.0], [2.0, 0.0]])
    >>> float(d), w
    (1.0, array([0.5, 0.5]))
    >>> float(hull_distance([1.0, 1.0], [[1.0, 0.0], [0.0, 1.0]], cone=True)[0])
    0.0
    """
    point = as_finite_array(point, "point", ndim=1)
    vertices = as_finite_array(vertices, "vertices", ndim=2)
    if vertices.shape[1] != point.shape[0]:
        raise ValueError(
            f"vertices: expected shape [k, {point.shape[0]}] to match the point, got {vertices.shape}"
        )
    if not isinstance(cone, (bool, np.bool_)):
        raise ValueError(f"cone: expected True or False, got {cone!r}")
    k = vertices.shape[0]
    if k > _MAX_VERTICES:
        raise ValueError(f"vertices: at most {_MAX_VERTICES} vertices, got {k}")
    if cone:
        from scipy.optimize import nnls  # imported on first use

        weights, dist = nnls(vertices.T, point)
        return float(dist), weights
    best_dist, best_w = np.inf, None
    for size in range(1, k + 1):
        for subset in itertools.combinations(range(k), size):
            sub = vertices[list(subset)]
            base = sub[0]
            if size == 1:
                lam = np.array([1.0])
            else:
                diffs = (sub[1:] - base).T  # [d, size-1]
                coef, *_ = np.linalg.lstsq(diffs, point - base, rcond=None)
                lam = np.concatenate([[1.0 - coef.sum()], coef])
            if np.any(lam < -1e-12):
                continue
            lam = np.clip(lam, 0.0, None)
            lam /= lam.sum()
            dist = float(np.linalg.norm(point - lam @ sub))
            if dist < best_dist - 1e-15:
                best_dist = dist
                best_w = np.zeros(k)
                best_w[list(subset)] = lam
    return best_dist, best_w


@dataclass(frozen=True)
class AlignmentPicture:
    """A two-dimensional view of one user's alignment (constants removed).

    Attributes
    ----------
    user : int
    basis : ndarray, shape [2, A·Θ]
        Orthonormal rows spanning the drawing plane (inside the hyperplane ⊥ 1).
    providers : ndarray, shape [k, 2]
        Coordinates of ``U_i^j`` (what provider ``i`` wants from this user).
    point : ndarray, shape [2]
        Coordinates of the user's own utility ``u_j``.
    weak_point, strong_point : ndarray, shape [2]
        Coordinates of ``Σ_i w_i U_i^j`` for the WMA certificate (this user's
        weights) and the SMA certificate (the common weights).
    eps_weak, eps_strong : float
        This user's WMA ε and the market's SMA ε (sup norm, from the LPs).
    distance : float
        Euclidean distance from ``u_j`` to the hull (or cone) of the ``U_i^j``,
        constants removed.
    captured : float
        Share of the squared length of the user's and providers' vectors
        (constants removed) that lies in the drawing plane; 1 means the
        picture is exact.
    cone : bool

    Examples
    --------
    The contrarian (user 1) of the opposite-tastes market *is* provider 2's
    wish for her (``eps_weak = 0``); the common SMA weights (1/2, 1/2) put her
    strong point at the providers' midpoint instead.  The hull is a segment,
    so the picture is exact:

    >>> from gamelib import examples
    >>> from gamelib.geometry import alignment_picture
    >>> pic = alignment_picture(examples.opposite_tastes(), user=1)
    >>> pic.providers, pic.point, pic.weak_point, pic.strong_point, round(pic.eps_strong, 9)
    (array([[ 1. ,  0. ],
           [-0.5,  0. ]]), array([-0.5,  0. ]), array([-0.5,  0. ]), array([0.25, 0.  ]), 0.375)
    >>> pic.eps_weak, pic.distance, pic.captured, bool(np.allclose(pic.basis @ pic.basis.T, np.eye(2)))
    (0.0, 0.0, 1.0, True)
    """

    user: int
    basis: np.ndarray
    providers: np.ndarray
    point: np.ndarray
    weak_point: np.ndarray
    strong_point: np.ndarray
    eps_weak: float
    eps_strong: float
    distance: float
    captured: float
    cone: bool


def _plane(providers, point, tol=1e-10):
    """Orthonormal basis [2, d]: providers' main directions first, then the user's."""
    d = point.shape[0]
    candidates = []
    if np.linalg.norm(providers) > tol:
        _, sing, vt = np.linalg.svd(providers, full_matrices=False)
        candidates.extend(vt[sing > tol * max(1.0, sing[0])])
    candidates.append(point)
    candidates.extend(np.eye(d) - 1.0 / d)  # completes a degenerate picture, staying ⊥ 1
    basis = []
    for c in candidates:
        v = c - sum((c @ b) * b for b in basis) if basis else c.copy()
        n = np.linalg.norm(v)
        if n > tol * max(1.0, np.linalg.norm(c)):
            basis.append(v / n)
        if len(basis) == 2:
            break
    basis = np.array(basis)
    # orientation: provider 1 to the right (else the user), the user upwards
    ref = providers[0] if np.linalg.norm(providers[0]) > tol else point
    if basis[0] @ ref < -tol or (abs(basis[0] @ ref) <= tol and basis[0] @ point < 0):
        basis[0] = -basis[0]
    if basis[1] @ point < -tol:
        basis[1] = -basis[1]
    return basis


def _clean(coords, tol=1e-12):
    """Coordinates with round-off below ``tol`` set to exactly zero."""
    return np.where(np.abs(coords) < tol, 0.0, coords)


def alignment_picture(market, user=0, cone=False):
    """The hull picture of alignment for one user, with its numbers.

    User ``j``'s utility and the providers' utilities *from her*, ``U_i^j``,
    are read as vectors with constants removed (:func:`remove_constants`).
    WMA(0) says the user's vector lies in the convex hull (``cone=True``: the
    cone) of the providers' vectors.  The drawing plane contains the
    providers' two main directions (so with two providers the hull — a
    segment — is drawn exactly) and as much of the user's vector as fits.

    Parameters
    ----------
    market : Market
    user : int, default 0
    cone : bool, default False

    Returns
    -------
    AlignmentPicture

    Examples
    --------
    In the opposite-tastes market, the matcher's vector *is* provider 1's, and
    both lie on one line with provider 2's (everything here is about matching
    the state):

    >>> from gamelib import examples
    >>> from gamelib.geometry import alignment_picture
    >>> pic = alignment_picture(examples.opposite_tastes(), user=0)
    >>> pic.providers.round(3), pic.point.round(3)
    (array([[ 0.5,  0. ],
           [-1. ,  0. ]]), array([0.5, 0. ]))
    >>> pic.eps_weak, round(pic.eps_strong, 3), pic.distance, pic.captured
    (0.0, 0.375, 0.0, 1.0)
    """
    market = _check_market(market)
    user = as_int(user, "user", 0)
    if user >= market.n_users:
        raise ValueError(f"user: must be below the number of users {market.n_users}, got {user}")
    if not isinstance(cone, (bool, np.bool_)):
        raise ValueError(f"cone: expected True or False, got {cone!r}")
    cone = bool(cone)
    prov = remove_constants(market.provider_utility[:, user])  # [k, d]
    x = remove_constants(market.user_utility[user])  # [d]
    basis = _plane(prov, x)
    weak = weak_alignment(market, cone=cone)[user]
    strong = strong_alignment(market, cone=cone)
    dist, _ = hull_distance(x, prov, cone=cone)
    total = float((prov**2).sum() + x @ x)
    shown = float(((prov @ basis.T) ** 2).sum() + ((basis @ x) ** 2).sum())
    captured = 1.0 if total <= 1e-15 else min(1.0, shown / total)
    return AlignmentPicture(
        user=user,
        basis=basis,
        providers=_clean(prov @ basis.T),
        point=_clean(basis @ x),
        weak_point=_clean(basis @ (weak.weights @ prov)),
        strong_point=_clean(basis @ (strong.weights @ prov)),
        eps_weak=weak.eps,
        eps_strong=strong.eps,
        distance=float(dist),
        captured=float(round(captured, 12)),
        cone=cone,
    )
