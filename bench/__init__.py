"""Benchmarks: speed and memory are measured here, never in timed tests (CONVENTIONS.md).

``python -m bench`` runs them all: reminder delivery (``reminders``), transitions over HTTP
beside pgbench (``transitions``) and reads at scale (``reads``); ``python -m bench NAME
--help`` for one. Figures, method and machine are in ``bench/RESULTS.md``.
"""
