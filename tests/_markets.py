"""Random markets for the property tests (hypothesis, seeded), shared by several test modules.

At least 200 markets per run in each test that uses them: binary or ternary states, 2-3 actions,
2-4 providers, 1-4 users, unaligned, approximately aligned (noise) or exactly aligned.
"""

from hypothesis import strategies as st

import gamelib
from gamelib import examples

TOL = 1e-7

markets = st.builds(
    lambda seed, n_states, n_actions, k, n, alignment, noise: examples.random_market(
        seed, n_states=n_states, n_actions=n_actions, n_providers=k, n_users=n, alignment=alignment, noise=noise
    ),
    seed=st.integers(0, 2**31 - 1),
    n_states=st.sampled_from([2, 3]),
    n_actions=st.sampled_from([2, 3]),
    k=st.integers(2, 4),
    n=st.integers(1, 4),
    alignment=st.sampled_from([None, "weak", "strong"]),
    noise=st.sampled_from([0.0, 0.0, 0.02, 0.1]),
)


def grid_for(market):
    """A grid small enough for k providers, always with reveal-nothing/everything."""
    if market.n_states == 2:
        return gamelib.experiment_grid(2, 3 if market.n_providers < 4 else 2)
    return gamelib.experiment_grid(3, 2 if market.n_providers < 4 else 1)
