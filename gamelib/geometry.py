"""Former module of chapters 1–3's geometry, now split by concept; kept only for old imports.

``split_experiment``, ``symmetric_experiment`` and ``garble`` live in :mod:`gamelib.experiments`;
``remove_constants``, ``hull_distance`` and ``alignment_picture`` in :mod:`gamelib.alignment`;
``threshold_receiver`` and ``tilted_taste`` in :mod:`gamelib.examples`.  Delete this module once
nothing imports from it.
"""

from .alignment import AlignmentPicture, alignment_picture, hull_distance, remove_constants  # noqa: F401
from .examples import threshold_receiver, tilted_taste  # noqa: F401
from .experiments import garble, split_experiment, symmetric_experiment  # noqa: F401
