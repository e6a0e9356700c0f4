"""``tox -e perf``: the speed suite, compared with the last saved run when there is one.

pytest-benchmark's ``--benchmark-compare-fail`` needs a saved run to compare with; on a machine
with none (the first ``tox -e perf``) the suite runs and saves its results, and from the second
run on it fails when a benchmark's median is 10 % slower than the last saved run's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / ".benchmarks"
SLOWER = "median:10%"


def main(argv: list[str]) -> int:
    args = [
        str(ROOT / "tests" / "perf"),
        "--benchmark-only",
        "--benchmark-autosave",
        f"--benchmark-storage={STORAGE}",
        "-p",
        "no:cacheprovider",
        "-s",
    ]
    if any(STORAGE.rglob("*.json")):
        args += ["--benchmark-compare", f"--benchmark-compare-fail={SLOWER}"]
    return int(pytest.main(args + argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
