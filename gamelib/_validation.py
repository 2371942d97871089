"""Argument checking shared by every public function of :mod:`gamelib`.

Every check raises :class:`ValueError` whose message starts with the name of
the offending argument, so that a reader who passes a bad prior or a
non-stochastic experiment learns at once what to fix.  Nothing here returns a
silently repaired value except for the conversion to ``float`` arrays.
"""

from __future__ import annotations

import numpy as np

#: Absolute tolerance used to accept a vector as a probability distribution.
PROB_ATOL = 1e-9

#: Absolute tolerance used when comparing expected utilities (ties, deviations).
VALUE_ATOL = 1e-9


def choose(values, axis=-1):
    """gamelib's choice rule: the lowest index within :data:`VALUE_ATOL` of the maximum along ``axis``."""
    return np.argmax(values >= values.max(axis=axis, keepdims=True) - VALUE_ATOL, axis=axis)


def as_finite_array(x, name, ndim=None, shape=None, minimum=None, maximum=None, strict=False):
    """Return ``x`` as a float array after checking dimensions, finiteness and optional bounds on the entries.

    ``shape`` may contain ``None`` for a free axis; with ``strict`` the bounds themselves are excluded.
    """
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot be read as an array of numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-dimensional array, got shape {arr.shape}")
    if shape is not None and (arr.ndim != len(shape) or any(w not in (None, g) for g, w in zip(arr.shape, shape))):
        listed = ", ".join("*" if s is None else str(s) for s in shape)
        raise ValueError(f"{name}: expected shape [{listed}], got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or infinite entries")
    low, high = -np.inf if minimum is None else minimum, np.inf if maximum is None else maximum
    left, right = "()" if strict else "[]"
    if np.any((arr <= low) | (arr >= high) if strict else (arr < low) | (arr > high)):
        raise ValueError(f"{name}: entries must lie in {left}{low:g}, {high:g}{right}")
    return arr


def as_distribution(x, name, length=None, full_support=False):
    """Check that ``x`` is a probability vector (non-negative, sums to one)."""
    arr = as_finite_array(x, name, ndim=1, shape=None if length is None else (length,))
    if np.any(arr < 0):
        raise ValueError(f"{name}: has negative entries {arr[arr < 0].tolist()}")
    if abs(arr.sum() - 1.0) > PROB_ATOL:
        raise ValueError(f"{name}: entries must sum to one, they sum to {arr.sum():.12g}")
    if full_support and np.any(arr <= 0):
        raise ValueError(f"{name}: must give positive probability to every entry")
    return arr


def as_experiments(x, name, n_states=None, ndim=None):
    """Check row-stochastic experiment(s) ``[..., Θ, S]`` (any leading axes; ``ndim=3``: a set ``[E, Θ, S]``)."""
    arr = as_finite_array(x, name, ndim=ndim)
    if arr.ndim < 2:
        raise ValueError(f"{name}: experiments have shape [..., n_states, n_signals], got shape {arr.shape}")
    if n_states is not None and arr.shape[-2] != n_states:
        raise ValueError(
            f"{name}: experiments must have one row per state ({n_states}), got {arr.shape[-2]} rows"
        )
    if np.any(arr < 0):
        raise ValueError(f"{name}: has negative signal probabilities")
    sums = arr.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > PROB_ATOL):
        worst = sums.flat[np.argmax(np.abs(sums - 1.0))]
        raise ValueError(
            f"{name}: is not row-stochastic (every row must sum to one; a row sums to {worst:.12g})"
        )
    return arr


#: The users' rules for breaking ties between best actions (see :func:`gamelib.equilibria`).
TIE_RULES = ("lowest", "sender", "adverse")


def as_option(x, name, options):
    """Check that ``x`` is one of ``options`` (strings, or ``None``)."""
    if x not in options:
        listed = [repr(o) for o in options]
        raise ValueError(f"{name}: must be {', '.join(listed[:-1])} or {listed[-1]}, got {x!r}")
    return x


def as_tie_rule(ties, name="ties"):
    """Check a tie rule: one of :data:`TIE_RULES`."""
    return as_option(ties, name, TIE_RULES)


def as_mode(mode, name="mode"):
    """Check the game mode string."""
    return as_option(mode, name, ("personalized", "anonymous"))


def as_index(x, name, count, what):
    """Check that ``x`` is an index ``0 <= x < count`` of one of ``count`` ``what`` (e.g. "providers")."""
    x = as_int(x, name, 0)
    if x >= count:
        raise ValueError(f"{name}: must be below the number of {what} {count}, got {x}")
    return x


def as_int(x, name, minimum=None):
    """Check that ``x`` is an integer (not bool) no smaller than ``minimum``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise ValueError(f"{name}: expected an integer, got {x!r}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{name}: must be at least {minimum}, got {x}")
    return int(x)


def as_real(x, name, minimum=None, maximum=None, strict=False):
    """Check that ``x`` is a finite real number within optional bounds (excluded if ``strict``; give both)."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name}: expected a number, got {x!r}")
    try:
        val = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {x!r}") from None
    if not np.isfinite(val):
        raise ValueError(f"{name}: must be finite, got {val}")
    if strict and not minimum < val < maximum:
        raise ValueError(f"{name}: must lie strictly between {minimum:g} and {maximum:g}, got {val}")
    if minimum is not None and val < minimum:
        raise ValueError(f"{name}: must be at least {minimum}, got {val}")
    if maximum is not None and val > maximum:
        raise ValueError(f"{name}: must be at most {maximum}, got {val}")
    return val


def as_bool(x, name):
    """Check that ``x`` is True or False."""
    if not isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {x!r}")
    return bool(x)


def pad_signals(experiments, n_signals):
    """Append never-sent signals so that experiments have ``n_signals`` columns.

    Examples
    --------
    >>> pad_signals([[1.0, 0.0], [1.0, 0.0]], 3)
    array([[1., 0., 0.],
           [1., 0., 0.]])
    """
    experiments = as_experiments(experiments, "experiments")
    n_signals = as_int(n_signals, "n_signals", experiments.shape[-1])
    pad = np.zeros(experiments.shape[:-1] + (n_signals - experiments.shape[-1],))
    return np.concatenate([experiments, pad], axis=-1)
