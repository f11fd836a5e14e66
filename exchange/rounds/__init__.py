"""Exchange rounds: clear a whole network at once with 2-way swaps and 3-way cycles (PRODUCT §4).

Deliberately empty: the domain's models and services will live here too, and importing them must
not pull in scipy. Import the solver from ``exchange.rounds.solver`` and the file format from
``exchange.rounds.io``.
"""
