"""CI time, like for like: two `.ci/run` logs made with per-test durations, compared.

    PYTEST_ADDOPTS=--durations=0 CI=true bash .ci/run > new.log 2>&1   (and the same at
    the older commit, in a clean clone of it, > old.log)
    python benchmarks/ci_time.py old.log new.log [--new-feature PATTERN ...]

A whole `.ci/run` grows as features bring their own tests, so "no slower than before"
is asked of the tests both runs could have: each test's setup, call and teardown are
summed per file, and the tests matching a ``--new-feature`` pattern (files or test ids
of work that came after the older commit) are set apart. Prints both totals, the tests
found in both logs under one id, and the slowest files of each run. (pytest lists only
the phases of 5 ms or more: the test counts are of those.)
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*([\d.]+)s (?:setup|call|teardown)\s+(\S+)")


def durations(log: Path) -> dict[str, float]:
    """Seconds per test id (setup + call + teardown) from pytest's ``--durations=0``."""
    found: dict[str, float] = defaultdict(float)
    for line in log.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(2)] += float(match.group(1))
    return found


def per_file(tests: dict[str, float]) -> dict[str, float]:
    files: dict[str, float] = defaultdict(float)
    for test, seconds in tests.items():
        files[test.split("::")[0]] += seconds
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--new-feature", action="append", default=[], metavar="PATTERN")
    args = ap.parse_args()
    old, new = durations(args.old), durations(args.new)
    later = {t: s for t, s in new.items() if any(p in t for p in args.new_feature)}
    rest = {t: s for t, s in new.items() if t not in later}
    both = set(old) & set(new)
    print(f"old: {len(old)} tests, {sum(old.values()):.1f} s of test time")
    print(f"new: {len(new)} tests, {sum(new.values()):.1f} s of test time")
    print(f"  of which later features: {len(later)} tests, {sum(later.values()):.1f} s")
    print(
        f"  the rest: {len(rest)} tests, {sum(rest.values()):.1f} s"
        f" ({sum(rest.values()) / sum(old.values()):.2f}x the old run's)"
    )
    print(
        f"tests under the same id in both: {len(both)},"
        f" old {sum(old[t] for t in both):.1f} s, new {sum(new[t] for t in both):.1f} s"
    )
    files_old, files_new = per_file(old), per_file(new)
    names = sorted(
        set(files_old) | set(files_new),
        key=lambda f: -max(files_old.get(f, 0), files_new.get(f, 0)),
    )
    print(f"{'slowest files':<46}{'old s':>8}{'new s':>8}")
    for name in names[:15]:
        print(f"{name:<46}{files_old.get(name, 0):8.1f}{files_new.get(name, 0):8.1f}")


if __name__ == "__main__":
    main()
