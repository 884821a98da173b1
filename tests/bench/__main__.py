"""`python -m tests.bench [--only NAME]`: run the benchmarks against a throwaway PostgreSQL.

Prints a table of name / figure / value, writes var/bench/<name>.json per benchmark, and exits
non-zero if a benchmark raised or one of its correctness figures was violated.
"""

import argparse
import importlib
import signal
import sys
import time
import traceback

BENCHMARKS = {
    "flash_sale": "tests.bench.flash_sale",
    "checkout": "tests.bench.checkout",
    "settlement": "tests.bench.settlement",
    "search": "tests.bench.search",
    "fanout": "tests.bench.fanout",
}


def _terminate(signum, frame):
    # SIGTERM (CI timeouts, kill) unwinds like Ctrl-C, so the throwaway cluster is stopped.
    raise SystemExit(128 + signum)


def _table(rows: list[tuple[str, str, str]]) -> str:
    header = ("name", "figure", "value")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(3)]
    line = "  ".join("-" * w for w in widths)
    fmt = lambda row: "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), line, *map(fmt, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAME", choices=sorted(BENCHMARKS), help="run only this benchmark")
    args = parser.parse_args(argv)
    selected = [args.only] if args.only else list(BENCHMARKS)
    signal.signal(signal.SIGTERM, _terminate)

    from tests.bench.common import RESULTS_DIR, setup_django
    from tests.bench.pg import throwaway_cluster

    for name in selected:  # no stale figures from an earlier run if this one fails
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)

    rows: list[tuple[str, str, str]] = []
    failed: list[str] = []
    began = time.perf_counter()
    with throwaway_cluster() as database_url:
        print(f"throwaway PostgreSQL at {database_url}; migrating…", file=sys.stderr, flush=True)
        setup_django(database_url)
        for name in selected:
            print(f"running {name}…", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                result = importlib.import_module(BENCHMARKS[name]).run()
            except Exception:  # noqa: BLE001 - report and go on with the next benchmark
                traceback.print_exc()
                failed.append(f"{name}: raised (traceback above)")
                rows.append((name, "FAILED", "raised"))
                continue
            path = result.write()
            print(f"  {name} took {time.perf_counter() - t0:.1f} s; wrote {path}", file=sys.stderr, flush=True)
            rows.extend((name, key, value) for key, value in result.figures.items())
            failed.extend(f"{name}: {violation}" for violation in result.violations)
    print(_table(rows))
    print(f"\n({time.perf_counter() - began:.0f} s in all, cluster stopped and removed)")
    if failed:
        print("\nFAILED:", file=sys.stderr)
        for message in failed:
            print(f"- {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
