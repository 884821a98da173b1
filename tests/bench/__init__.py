"""Benchmarks: `make bench` (all) or `make bench BENCH=name` (one), i.e. `python -m tests.bench`.

Each benchmark starts from a throwaway PostgreSQL cluster (tests/bench/pg.py), never the machine's
own server or var/db.sqlite3, and writes its figures to var/bench/<name>.json as
{"name": ..., "figures": {...}, "params": {...}}. Speed targets live here, not in timed test
assertions; the correctness figures a benchmark checks (for example no overselling) make the run
exit non-zero when violated.
"""
