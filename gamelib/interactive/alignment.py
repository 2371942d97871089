"""Chapter 3 figures: the hull picture of market alignment.

:func:`draw_users` draws, for each user, the vectors of what the
providers want from her and her own utility vector (constants removed, in the
plane of :func:`_alignment_picture`), the convex hull or cone
of the providers' vectors, and the points chosen by the WMA and SMA
certificates.  :func:`_alignment_widget` moves user 1 of the opposite-tastes
market between "match the state" and "mismatch it" (taste ``t``) and gives her
a bias for action 0 that no provider shares (``b``).
"""

from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np

from .._validation import as_bool, as_index, as_real
from ..alignment import hull_distance, remove_constants, strong_alignment, weak_alignment
from ..examples import opposite_tastes
from ._common import PALETTE, Choice, Slider, Widget, title_number

__all__ = ["tilted_market", "draw_users"]

_BASE = opposite_tastes()


def tilted_market(taste=0.0, bias=0.0):
    """The opposite-tastes market with user 1's taste tilted between "match the state" and "mismatch it".

    User 1's utility becomes ``u(a, θ) = ½·[(1 − t)·1[a = θ] + t·1[a ≠ θ]] + b·1[a = 0]``:
    at ``t = 0`` the matcher of the opposite-tastes market, at ``t = 1`` the contrarian; the
    bias ``b`` is a taste for action 0 whatever the state, a direction in which no provider of
    that market has any interest (chapter 3).

    Parameters
    ----------
    taste : float
        ``t ∈ [0, 1]``.
    bias : float, default 0
        ``b``, any real number.

    Examples
    --------
    >>> tilted_market(0.0, 0.0).user_utility[0]
    array([[0.5, 0. ],
           [0. , 0.5]])
    >>> tilted_market(1.0, bias=0.25).user_utility[0]
    array([[0.25, 0.75],
           [0.5 , 0.  ]])
    """
    t = as_real(taste, "taste", 0.0, 1.0)
    b = as_real(bias, "bias")
    match = np.eye(2)
    users = np.array(_BASE.user_utility)
    users[0] = 0.5 * ((1.0 - t) * match + t * (1.0 - match)) + b * np.array([[1.0, 1.0], [0.0, 0.0]])
    return _BASE.replace(user_utility=users)


@functools.lru_cache(maxsize=64)
def _tilted_picture(taste, bias, cone):
    return _alignment_picture(tilted_market(taste, bias), user=0, cone=cone)


class _AlignmentPicture(namedtuple("_AlignmentPicture", "user basis providers point weak_point strong_point "
                                                       "eps_weak eps_strong distance captured cone")):
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
        >>> pic = _alignment_picture(examples.opposite_tastes(), user=1)
    >>> pic.providers, pic.point, pic.weak_point, pic.strong_point, round(pic.eps_strong, 9)
    (array([[ 1. ,  0. ],
           [-0.5,  0. ]]), array([-0.5,  0. ]), array([-0.5,  0. ]), array([0.25, 0.  ]), 0.375)
    >>> pic.eps_weak, pic.distance, pic.captured, bool(np.allclose(pic.basis @ pic.basis.T, np.eye(2)))
    (0.0, 0.0, 1.0, True)
    """

    __slots__ = ()


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


def _alignment_picture(market, user=0, cone=False):
    """The hull picture of alignment for one user, with its numbers.

    User ``j``'s utility and the providers' utilities *from her*, ``U_i^j``,
    are read as vectors with constants removed (:func:`gamelib.alignment.remove_constants`).
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
    _AlignmentPicture

    Examples
    --------
    In the opposite-tastes market, the matcher's vector *is* provider 1's, and
    both lie on one line with provider 2's (everything here is about matching
    the state):

    >>> from gamelib import examples
        >>> pic = _alignment_picture(examples.opposite_tastes(), user=0)
    >>> pic.providers.round(3), pic.point.round(3)
    (array([[ 0.5,  0. ],
           [-1. ,  0. ]]), array([0.5, 0. ]))
    >>> pic.eps_weak, round(pic.eps_strong, 3), pic.distance, pic.captured
    (0.0, 0.375, 0.0, 1.0)
    """
    strong = strong_alignment(market, cone=cone)  # checks the market and cone first
    user = as_index(user, "user", market.n_users, "users")
    cone = as_bool(cone, "cone")
    prov = remove_constants(market.provider_utility[:, user])  # [k, d]
    x = remove_constants(market.user_utility[user])  # [d]
    basis = _plane(prov, x)
    weak = weak_alignment(market, cone=cone)[user]
    dist, _ = hull_distance(x, prov, cone=cone)
    total = float((prov**2).sum() + x @ x)
    shown = float(((prov @ basis.T) ** 2).sum() + ((basis @ x) ** 2).sum())
    captured = 1.0 if total <= 1e-15 else min(1.0, shown / total)
    points = [np.where(np.abs(p) < 1e-12, 0.0, p)  # round-off set to exactly zero
              for p in (prov @ basis.T, basis @ x, basis @ (weak.weights @ prov), basis @ (strong.weights @ prov))]
    return _AlignmentPicture(user, basis, *points, weak.eps, strong.eps, float(dist), float(round(captured, 12)), cone)


def _hull_outline(prov):
    """Outline of the convex hull of 2-D points: a closed polygon, or a segment if collinear."""
    if len(prov) < 3:
        return prov
    from scipy.spatial import ConvexHull, QhullError  # drawing only

    try:
        order = ConvexHull(prov).vertices
        return prov[np.append(order, order[0])]
    except QhullError:  # collinear points: the hull is a segment
        return prov[np.argsort(prov[:, 0] + 1e-9 * prov[:, 1])][[0, -1]]


def _draw_picture(ax, market, prov, user, reach, labels):
    """Draw the fixed parts of a hull picture on ``ax``; return the moving ones, with no data yet.

    ``labels`` names the shapes to draw, ``"cone"`` (rays of length ``reach``; for two
    providers, the shaded cone) and/or ``"hull"`` (the shaded hull and its outline), with
    their legend labels; then the providers' vectors and the origin (fixed) and the
    certificates and the user's star (moved by :func:`_place_certificates`).

    Returns
    -------
    parts : dict
        ``"hull"`` and ``"cone"`` (lists of artists), ``"weak_line"``, ``"strong_line"``,
        ``"weak_dot"``, ``"strong_dot"``, ``"star"``.
    vectors : list
        The providers' squares and the origin (legend handles).
    """
    parts = {"hull": [], "cone": []}
    if "cone" in labels:
        for i, p in enumerate(prov):
            norm = float(np.linalg.norm(p))
            if norm > 1e-12:
                parts["cone"] += ax.plot([0, reach * p[0] / norm], [0, reach * p[1] / norm],
                                         color=PALETTE[i], lw=1.5, alpha=0.6)
        if len(prov) == 2:
            tri = np.vstack([[0.0, 0.0], *(reach * p / max(np.linalg.norm(p), 1e-12) for p in prov)])
            parts["cone"] += ax.fill(tri[:, 0], tri[:, 1], color=PALETTE[5], alpha=0.15, lw=0,
                                     label=labels["cone"])
    if "hull" in labels:
        poly = _hull_outline(prov)
        if len(poly) > 2:
            parts["hull"] += ax.fill(poly[:, 0], poly[:, 1], color=PALETTE[5], alpha=0.25, lw=0)
        parts["hull"] += ax.plot(poly[:, 0], poly[:, 1], color=PALETTE[5], lw=4, alpha=0.6,
                                 label=labels["hull"])
    vectors = [ax.plot(*p, "s", color=PALETTE[i], ms=10, label=f"$U_{{{i + 1}}}^{{{user + 1}}}$: "
                       f"{market.provider_names[i]}")[0] for i, p in enumerate(prov)]
    vectors += ax.plot(0, 0, "+", color=PALETTE[6], ms=10, label="constant utilities")
    parts["weak_line"] = ax.plot([], [], color=PALETTE[2], ls="--", lw=1)[0]
    parts["strong_line"] = ax.plot([], [], color=PALETTE[3], ls=":", lw=1)[0]
    parts["weak_dot"] = ax.plot([], [], "o", color=PALETTE[2], ms=8, mfc="none", mew=2,
                                label="WMA certificate $\\sum_i w^j_i U_i^j$")[0]
    parts["strong_dot"] = ax.plot([], [], "D", color=PALETTE[3], ms=8, mfc="none", mew=2,
                                  label="SMA certificate $\\sum_i w_i U_i^j$")[0]
    parts["star"] = ax.plot([], [], "*", color=PALETTE[6], ms=14,
                            label=f"$u_{{{user + 1}}}$: {market.user_names[user]}")[0]
    ax.set_aspect("equal", adjustable="box")
    ax.set(xlabel="direction 1: spanned by the providers' vectors", ylabel="direction 2: taste no provider shares")
    return parts, vectors


def _place_certificates(parts, pic):
    """Move the certificates and the star of :func:`_draw_picture` to the numbers of ``pic``."""
    x, weak, strong = pic.point, pic.weak_point, pic.strong_point
    parts["weak_line"].set_data([x[0], weak[0]], [x[1], weak[1]])
    parts["strong_line"].set_data([x[0], strong[0]], [x[1], strong[1]])
    parts["weak_dot"].set_data([weak[0]], [weak[1]])
    parts["strong_dot"].set_data([strong[0]], [strong[1]])
    parts["star"].set_data([x[0]], [x[1]])


def draw_users(fig, market=None, cone=False):
    """The hull picture of every user of a market, side by side (default: opposite tastes).

    Returns nothing: each panel's title carries the user's two tolerances.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> draw_users(fig)
    >>> [ax.get_title() for ax in fig.axes]
    ['user 1 (matcher): ε_WMA = 0.000, ε_SMA = 0.375', 'user 2 (contrarian): ε_WMA = 0.000, ε_SMA = 0.375']
    >>> fig.axes[1].get_aspect(), len(fig.legends[0].get_texts())  # equal scales; one legend
    (1.0, 7)
    """
    market = _BASE if market is None else market
    axes = fig.subplots(market.n_users, 1, squeeze=False)[:, 0]
    labels = {"cone": "cone of the providers' vectors"} if cone else {"hull": "convex hull of the providers' vectors"}
    for j, ax in enumerate(axes):
        pic = _alignment_picture(market, user=j, cone=cone)
        pts = np.vstack([pic.providers, pic.point[None], pic.weak_point[None], pic.strong_point[None],
                         np.zeros((1, 2))])
        span = float(np.ptp(pts, axis=0).max()) or 1.0
        centre = 0.5 * (pts.min(axis=0) + pts.max(axis=0))
        # equal scales; each direction as wide as its points need (collinear points: a flat band)
        half = np.maximum(0.5 * np.ptp(pts, axis=0) + 0.15 * span, 0.2 * span)
        lo, hi = centre - half, centre + half
        _place_certificates(_draw_picture(ax, market, pic.providers, j, 3.0 * span, labels)[0], pic)
        ax.set_title(f"user {j + 1} ({market.user_names[j]}): ε_WMA = {pic.eps_weak:.3f}, "
                     f"ε_SMA = {pic.eps_strong:.3f}", fontsize="medium")
        ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
        ax.set(xlabel="direction 1 (providers)" if j == len(axes) - 1 else "", ylabel="direction 2")
    # one legend for all panels (the users' stars differ only in their label)
    handles, labels = axes[0].get_legend_handles_labels()
    labels = [lab.replace("$u_{1}$: " + market.user_names[0], "user's own vector $u_j$")
              .replace("^{1}$", "^{j}$") for lab in labels]
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")


#: The widget's fixed drawing window ``(xlim, ylim)``.  With user 1's utility
#: :func:`tilted_market`, the providers' vectors stay at ``(0.5, 0)`` and
#: ``(-1, 0)``, the user's vector is ``((1 - 2t)/2, |b|)`` and both certificate points lie on
#: the segment between the providers: this window holds every slider position
#: (``tests/test_interactive_ch1_3.py`` checks it on the slider grid's corners).
_WINDOW = ((-1.2, 0.7), (-0.35, 0.75))


def _alignment_numbers(taste, bias):
    return f"t = {taste:.2f}, b = {bias:.2f}"


def _setup_alignment(fig, taste=0.0, bias=0.0, weights="simplex"):
    """Draw the fixed parts of the hull picture; return the artists the controls move.

    The providers' vectors do not move with user 1's taste and bias, so their hull
    (simplex weights) and their cone (cone weights) are drawn here, and ``refresh``
    only shows the one of the chosen weights.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_alignment(Figure(), taste=0.3, bias=0.2)
    >>> sorted(a)
    ['cone', 'hull', 'numbers', 'star', 'strong_dot', 'strong_line', 'weak_dot', 'weak_line']
    >>> a["numbers"].get_text(), len(a["star"].get_xdata())  # the star waits for refresh
    ('t = 0.30, b = 0.20', 0)
    """
    market = tilted_market(taste, bias)
    prov = _tilted_picture(float(taste), float(bias), False).providers
    ax = fig.add_subplot(xlim=_WINDOW[0], ylim=_WINDOW[1], autoscale_on=False)
    labels = {"cone": "cone of the providers' vectors (cone)", "hull": "hull of the providers' vectors (simplex)"}
    parts, vectors = _draw_picture(ax, market, prov, 0, 10.0 * np.ptp(_WINDOW, axis=1).max(), labels)
    # The words of the title are drawn once, its numbers on every change (text is slow).
    numbers = title_number(ax, "User 1, constants removed:", _alignment_numbers(taste, bias))
    # One legend, drawn once, names both the hull (simplex weights) and the cone.
    handles = [parts["hull"][-1], *parts["cone"][-1:], *vectors, parts["weak_dot"], parts["strong_dot"],
               parts["star"]]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small")
    return {**parts, "numbers": numbers}


def _refresh_alignment(artists, taste=0.0, bias=0.0, weights="simplex"):
    """Move user 1's point and the certificates to ``taste``, ``bias``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_alignment(Figure())
    >>> print(_refresh_alignment(a, taste=0.3, bias=0.2))
    ε_WMA(user 1) = 0.100, ε_SMA = 0.350; Euclidean distance from u_1 to the hull: 0.200
    (exact picture).
    >>> [round(float(v[0]), 6) for v in a["star"].get_data()]  # ((1 - 2t)/2, |b|)
    [0.2, 0.2]
    >>> _ = _refresh_alignment(a, 0.3, 0.2, weights="cone")
    >>> a["hull"][0].get_visible(), a["cone"][0].get_visible()
    (False, True)
    """
    cone = weights == "cone"
    pic = _tilted_picture(float(taste), float(bias), cone)
    for shape in ("hull", "cone"):  # the chosen weights' shape only
        for a in artists[shape]:
            a.set_visible((shape == "cone") == cone)
    _place_certificates(artists, pic)
    artists["numbers"].set_text(_alignment_numbers(taste, bias))
    shape = "cone" if pic.cone else "hull"
    exact = "exact picture" if pic.captured > 1 - 1e-9 else f"picture shows {pic.captured:.0%}"
    return (f"ε_WMA(user 1) = {pic.eps_weak:.3f}, ε_SMA = {pic.eps_strong:.3f}; Euclidean "
            f"distance from u_1 to the {shape}: {pic.distance:.3f} ({exact}).")


def _alignment_alt(taste=0.0, bias=0.0, weights="simplex"):
    """Alt text of the hull picture.

    Examples
    --------
    >>> alt = _alignment_alt(taste=0.3, bias=0.2)
    >>> "taste t = 0.30 and bias b = 0.20" in alt, "lies at distance 0.20 from it" in alt
    (True, True)
    >>> "lies on it" in _alignment_alt(taste=0.3, bias=0.0)  # no bias: inside the hull
    True
    """
    pic = _tilted_picture(float(taste), float(bias), weights == "cone")
    where = "on" if pic.distance < 1e-9 else f"at distance {pic.distance:.2f} from"
    return (
        f"A plane picture of user 1's utility with taste t = {taste:.2f} and bias b = {bias:.2f}: "
        f"the two providers' vectors are squares on the horizontal axis, "
        f"{'the cone they span is shaded' if pic.cone else 'the segment between them is their convex hull'}, "
        f"and the user's vector, a star, lies {where} it. The WMA certificate point is at distance "
        f"{pic.eps_weak:.2f} in the sup norm and the SMA certificate point at {pic.eps_strong:.2f}."
    )


def _alignment_widget(taste=0.3, bias=0.2, weights="simplex"):
    """Taste and bias sliders and a simplex/cone menu over the hull picture.

    The static page precomputes taste in steps of 0.1 and bias in steps of 0.2 (live: 0.05).

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = _alignment_widget(taste=0.3, bias=0.2)
    >>> w.update().startswith("ε_WMA(user 1) = 0.100, ε_SMA = 0.350")
    True
    >>> w.update(weights="cone").startswith("ε_WMA(user 1) = 0.100, ε_SMA = 0.233")
    True
    """
    return Widget(
        "alignment",
        _setup_alignment,
        _refresh_alignment,
        {
            "taste": Slider("user 1's taste t (0 = match, 1 = mismatch)", 0.0, 1.0, 0.05, taste,
                            frames=np.linspace(0.0, 1.0, 11)),
            "bias": Slider("user 1's bias b for action 0", -0.5, 0.5, 0.05, bias,
                           frames=np.linspace(-0.4, 0.4, 5)),
            "weights": Choice("weights", ["simplex", "cone"], weights),
        },
        alt=_alignment_alt,
        figsize=(7.6, 4.0),
    )
