"""Markets: who the users and providers are, and the two benchmarks.

A :class:`Market` bundles the primitives of the model (chapter 2):

* ``prior[θ]`` — the common prior over the states, full support;
* ``masses[j]`` — the population mass of user ``j`` (positive, summing to one);
* ``user_utility[j, a, θ]`` — what user ``j`` gets from action ``a`` in state ``θ``;
* ``provider_utility[i, j, a, θ]`` — what provider ``i`` gets when **user j**
  takes action ``a`` in state ``θ``.

The benchmarks of the theorems are :func:`aligned_value` (``OPT_j``, what a
perfectly aligned model gives user ``j``) and :func:`uninformed_value`
(``NOINFO_j``, her payoff with no information).  Result objects name these
benchmarks by the book's symbols: fields ``opt`` and ``noinfo`` (e.g.
:class:`gamelib.bounds.Path`, :class:`gamelib.bounds.Chain`).
"""

from __future__ import annotations

import numpy as np

from ._validation import VALUE_ATOL, as_distribution, as_finite_array, as_real, choose


class Market:
    """A finite market of users and AI providers.

    Parameters
    ----------
    prior : array_like, shape [Θ]
        Prior over states; non-negative, sums to one, full support.
    masses : array_like, shape [n]
        Population mass of each user; positive, sums to one.
    user_utility : array_like, shape [n, A, Θ]
        ``user_utility[j, a, θ]`` is user ``j``'s utility of action ``a`` in state ``θ``.
    provider_utility : array_like, shape [k, n, A, Θ]
        ``provider_utility[i, j, a, θ]`` is provider ``i``'s utility when user
        ``j`` takes action ``a`` in state ``θ``.
    state_names, action_names, user_names, provider_names : sequence of str, optional
        Labels used by plots and tables.

    Examples
    --------
    One user, one provider who wants what the user wants:

    >>> import numpy as np
    >>> from gamelib import Market
    >>> u = np.array([[[1.0, 0.0], [0.0, 1.0]]])          # [n=1, A=2, Θ=2]: match the state
    >>> m = Market([0.5, 0.5], [1.0], u, u[None])
    >>> m.n_states, m.n_actions, m.n_users, m.n_providers
    (2, 2, 1, 1)
    >>> m.prior
    array([0.5, 0.5])
    """

    def __init__(self, prior, masses, user_utility, provider_utility, *, state_names=None, action_names=None,
                 user_names=None, provider_names=None):
        prior = as_distribution(prior, "prior", full_support=True)
        masses = as_distribution(masses, "masses", full_support=True)
        n_states, n_users = prior.shape[0], masses.shape[0]
        user_utility = as_finite_array(user_utility, "user_utility", shape=(n_users, None, n_states))
        n_actions = user_utility.shape[1]  # at least one: as_finite_array refuses empty arrays
        provider_utility = as_finite_array(
            provider_utility, "provider_utility", shape=(None, n_users, n_actions, n_states)
        )
        self.prior = _frozen(prior)
        self.masses = _frozen(masses)
        self.user_utility = _frozen(user_utility)
        self.provider_utility = _frozen(provider_utility)
        self.state_names = _names(state_names, n_states, "state_names", "θ")
        self.action_names = _names(action_names, n_actions, "action_names", "a")
        self.user_names = _names(user_names, n_users, "user_names", "user ", start=1)
        self.provider_names = _names(provider_names, self.n_providers, "provider_names", "provider ", start=1)

    @property
    def n_states(self):
        """Number of states ``|Θ|``."""
        return self.prior.shape[0]

    @property
    def n_actions(self):
        """Number of actions ``|A|``."""
        return self.user_utility.shape[1]

    @property
    def n_users(self):
        """Number of user types ``n``."""
        return self.masses.shape[0]

    @property
    def n_providers(self):
        """Number of providers ``k``."""
        return self.provider_utility.shape[0]

    def __repr__(self):
        return (
            f"Market(n_states={self.n_states}, n_actions={self.n_actions}, "
            f"n_users={self.n_users}, n_providers={self.n_providers})"
        )

    def replace(self, **changes):
        """Return a copy of the market with some primitives replaced.

        >>> from gamelib import examples
        >>> m = examples.opposite_tastes().replace(masses=[0.25, 0.75])
        >>> m.masses
        array([0.25, 0.75])
        """
        fields = {f: getattr(self, f) for f in ("prior", "masses", "user_utility", "provider_utility", "state_names",
                                                "action_names", "user_names", "provider_names")}
        unknown = set(changes) - set(fields)
        if unknown:
            raise ValueError(f"changes: unknown market fields {sorted(unknown)}")
        fields.update(changes)
        return Market(**fields)

    def relabel_actions(self, order):
        """The same market with actions listed in ``order``.

        Under the lowest-index tie rule, relabelling is how one studies any other
        fixed priority order over actions: in the new market, action ``b`` is the
        old action ``order[b]``, so users break ties in favour of ``order[0]``,
        then ``order[1]``, and so on.

        Parameters
        ----------
        order : sequence of int
            A permutation of ``range(n_actions)``.

        Examples
        --------
        >>> from gamelib import examples
        >>> examples.prosecutor().relabel_actions([1, 0]).action_names
        ('acquit', 'convict')
        """
        order = np.asarray(order)
        valid = order.ndim == 1 and np.issubdtype(order.dtype, np.integer)
        if not valid or sorted(order.tolist()) != list(range(self.n_actions)):
            raise ValueError(f"order: expected a permutation of range({self.n_actions}), got {order.tolist()}")
        return self.replace(user_utility=self.user_utility[:, order],
                            provider_utility=self.provider_utility[:, :, order],
                            action_names=tuple(self.action_names[a] for a in order))


def _frozen(arr):
    arr = np.array(arr, dtype=float)
    arr.flags.writeable = False
    return arr


def _names(names, count, argname, prefix, start=0):
    if names is None:
        return tuple(f"{prefix}{i + start}" for i in range(count))
    names = tuple(str(x) for x in names)
    if len(names) != count:
        raise ValueError(f"{argname}: expected {count} names, got {len(names)}")
    return names


def _check_market(market, name="market", n_states=None):
    if not isinstance(market, Market):
        raise ValueError(f"{name}: expected a gamelib.Market, got {type(market).__name__}")
    if n_states is not None and market.n_states != n_states:
        raise ValueError(f"{name}: needs {n_states} states, got {market.n_states}")
    return market


def aligned_value(market):
    """``OPT_j``: user ``j``'s expected utility when told the state.

    ``OPT_j = Σ_θ μ(θ) max_a u_j(a, θ)``; no policy profile can give more.

    Returns
    -------
    ndarray, shape [n]

    Examples
    --------
    >>> from gamelib import examples, aligned_value
    >>> aligned_value(examples.opposite_tastes())
    array([0.5, 0.5])
    """
    return _check_market(market).user_utility.max(axis=1) @ market.prior


def uninformed_value(market):
    """``NOINFO_j``: user ``j``'s expected utility acting on the prior alone.

    ``NOINFO_j = max_a Σ_θ μ(θ) u_j(a, θ)``.

    Returns
    -------
    ndarray, shape [n]

    Examples
    --------
    >>> from gamelib import examples, uninformed_value
    >>> uninformed_value(examples.opposite_tastes())
    array([0.25, 0.25])
    """
    return (_check_market(market).user_utility @ market.prior).max(axis=1)


def best_actions(market):
    """Each user's best action in each state, ties to the lowest index.

    Returns
    -------
    ndarray of int, shape [n, Θ]
        ``best_actions(market)[j, θ]`` is ``a*_j(θ)``.

    Examples
    --------
    >>> from gamelib import examples, best_actions
    >>> best_actions(examples.opposite_tastes())
    array([[0, 1],
           [1, 0]])
    """
    return choose(_check_market(market).user_utility, axis=1)


def has_unique_best_actions(market):
    """Assumption (U): every user has a unique best action in every state.

    Examples
    --------
    >>> import numpy as np
    >>> from gamelib import Market, examples, has_unique_best_actions
    >>> has_unique_best_actions(examples.opposite_tastes())
    True
    >>> flat = np.zeros((1, 2, 2))                       # indifferent user
    >>> has_unique_best_actions(Market([0.5, 0.5], [1.0], flat, flat[None]))
    False
    """
    u = _check_market(market).user_utility
    n_best = (u >= u.max(axis=1, keepdims=True) - VALUE_ATOL).sum(axis=1)
    return bool(np.all(n_best == 1))


def mix_markets(first, second, t):
    """The market whose utilities are ``(1 - t)·first + t·second``.

    Both markets must have the same prior, masses and shapes.  Used to move
    continuously between, say, a misaligned and an aligned market.

    Examples
    --------
    >>> from gamelib import examples, mix_markets
    >>> a = examples.opposite_tastes()
    >>> b = examples.opposite_tastes(aligned=True)
    >>> mix_markets(a, b, 0.5).provider_utility[0, 1]
    array([[0.5 , 0.25],
           [0.25, 0.5 ]])
    """
    first = _check_market(first, "first")
    second = _check_market(second, "second")
    t = as_real(t, "t", 0.0, 1.0)
    if first.provider_utility.shape != second.provider_utility.shape:
        raise ValueError(
            f"second: provider_utility shape {second.provider_utility.shape} differs from "
            f"first's {first.provider_utility.shape}"
        )
    if not np.allclose(first.prior, second.prior) or not np.allclose(first.masses, second.masses):
        raise ValueError("second: must have the same prior and masses as first")
    return first.replace(
        user_utility=(1 - t) * first.user_utility + t * second.user_utility,
        provider_utility=(1 - t) * first.provider_utility + t * second.provider_utility,
    )
