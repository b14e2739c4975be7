"""`python -m tests.benchmarks [GROUP ...] [--quick] [--repeat N] [--list]` (`make bench`).

Runs the registered groups (all by default) and prints one table per group: medians, ratios to a
baseline measured in the same run, and the goals, met or not. Exits 0 whatever the figures: goals
inform, they are not tests. Exits 2 on a bad argument, 1 if a group fails to run.
"""

import argparse
import sys
import time
import traceback

from tests.benchmarks import load_groups
from tests.benchmarks.harness import GROUPS, Bench, database_kind


def main(argv=None):
    load_groups()
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[1])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"groups to run: {', '.join(GROUPS)}")
    parser.add_argument("--quick", action="store_true", help="a smaller data set (a first look, not the figures)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per measurement")
    parser.add_argument("--list", action="store_true", help="list the groups and exit")
    args = parser.parse_args(argv)
    if args.list:
        for g in GROUPS.values():
            print(f"{g.name:12} {g.description}")
        return 0
    unknown = [name for name in args.groups if name not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)} (known: {', '.join(GROUPS)})")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")

    bench = Bench(quick=args.quick, repeat=args.repeat)
    bench.say(f"qms benchmarks on {database_kind()}{' (quick)' if args.quick else ''}")
    failed = []
    for name in args.groups or list(GROUPS):
        start = time.perf_counter()
        before = len(bench.tables)
        try:
            GROUPS[name].run(bench)
        except Exception:  # one broken group must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        for table in bench.tables[before:]:
            bench.say("\n" + table.render())
        bench.say(f"({name}: {time.perf_counter() - start:.0f} s)")
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
