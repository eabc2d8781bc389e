"""Benchmarks: speed and memory are measured here, never in timed tests (CONVENTIONS.md).

``python -m bench`` runs the reminder delivery benchmark; see ``bench/RESULTS.md``.
"""
