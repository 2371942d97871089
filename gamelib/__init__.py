"""gamelib: competing AI providers, Bayesian persuasion and market alignment.

The computational companion of the book *Personalization and Pluralistic
Alignment Under Competition*.  Objects are the book's mathematical objects:
a :class:`Market`, experiments (row-stochastic matrices ``π[θ, s]``),
alignment certificates, equilibria and deviation certificates.

>>> import gamelib
>>> m = gamelib.examples.opposite_tastes()
>>> gamelib.aligned_value(m), gamelib.uninformed_value(m)
(array([0.5, 0.5]), array([0.25, 0.25]))
"""

from . import examples
from .alignment import (
    Certificate,
    alignment_residual,
    strong_alignment,
    weak_alignment,
)
from .deviations import best_deviation, is_equilibrium
from .equilibrium import (
    Deviation,
    Equilibrium,
    EquilibriumSet,
    Outcome,
    deviation_gains,
    equilibria,
    outcome_tables,
    play,
    profitable_deviation,
)
from .experiments import (
    best_response,
    experiment_grid,
    is_informative,
    posteriors,
    reveal_everything,
    reveal_nothing,
    split_experiment,
    symmetric_experiment,
    user_value,
)
from .market import (
    Market,
    aligned_value,
    best_actions,
    has_unique_best_actions,
    mix_markets,
    uninformed_value,
)
from .persuasion import (
    PersuasionResult,
    concave_closure,
    optimal_persuasion,
    optimal_split,
    sender_value_curve,
)

__version__ = "0.2.0"

#: Submodules loaded on first use (``gamelib.bounds``, ...), so that
#: ``import gamelib`` stays light: ``studies`` pulls in scipy.stats, and
#: ``interactive`` matplotlib and ipywidgets.
_LAZY_SUBMODULES = ("bounds", "studies", "interactive")


def __getattr__(name):
    """Import the chapter-level submodules lazily.

    >>> import gamelib
    >>> gamelib.bounds.__name__
    'gamelib.bounds'
    """
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Market", "aligned_value", "uninformed_value", "best_actions", "has_unique_best_actions", "mix_markets",
    "reveal_nothing", "reveal_everything", "posteriors", "best_response", "user_value",
    "experiment_grid", "is_informative", "split_experiment", "symmetric_experiment", "PersuasionResult",
    "optimal_persuasion", "sender_value_curve", "concave_closure", "optimal_split", "Certificate",
    "weak_alignment", "strong_alignment", "alignment_residual", "Outcome", "Equilibrium",
    "EquilibriumSet", "Deviation", "play", "equilibria", "deviation_gains", "profitable_deviation", "outcome_tables",
    "best_deviation", "is_equilibrium", "examples", "bounds", "studies"
]
