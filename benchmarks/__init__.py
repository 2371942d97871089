"""The project's benchmarks: equilibrium enumeration and widget callbacks.

Run them all with ``python -m benchmarks`` (or ``python benchmarks/run.py``);
see ``benchmarks/README.md``.
"""
