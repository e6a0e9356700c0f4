"""Speed of the engine: one ARIMA-GARCH fit, the default suite cold with --jobs 1 and --jobs 2,
and the default suite rerun from the cache (each a whole ``shiftbench run`` process).

Targets, as ratios within one run: ``--jobs 2`` at least 1.6 times faster than ``--jobs 1`` (on
a machine with at least 2 cores); a cached rerun under 5 seconds. The cold suites take several
minutes each.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from shiftbench.baselines import ARIMAGARCH
from shiftbench.datasets import load_dataset

from .conftest import run_suite

TIMES: dict[str, float] = {}


def test_one_arima_garch_fit_on_sine(benchmark: Any) -> None:
    ds = load_dataset("sine")
    y = pd.Series(ds.y.to_numpy()[:4001])
    benchmark.pedantic(
        lambda: ARIMAGARCH(order=(2, 0, 2), trend="n").fit(y), rounds=3, iterations=1
    )


def test_default_suite_cold_with_one_job(benchmark: Any, tmp_path: Path) -> None:
    seconds = benchmark.pedantic(
        run_suite, args=(tmp_path, tmp_path / "cache", "--jobs", "1"), rounds=1, iterations=1
    )
    TIMES["jobs1"] = seconds
    print(f"\ndefault suite, cold, --jobs 1: {seconds:.1f} s")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_default_suite_cold_with_two_jobs(benchmark: Any, tmp_path: Path) -> None:
    seconds = benchmark.pedantic(
        run_suite, args=(tmp_path, tmp_path / "cache", "--jobs", "2"), rounds=1, iterations=1
    )
    print(f"\ndefault suite, cold, --jobs 2: {seconds:.1f} s")
    if "jobs1" not in TIMES:  # run on its own: measure the serial suite here
        start = time.perf_counter()
        run_suite(tmp_path, tmp_path / "cache1", "--jobs", "1")
        TIMES["jobs1"] = time.perf_counter() - start
    speedup = TIMES["jobs1"] / seconds
    benchmark.extra_info["speedup_over_jobs1"] = speedup
    print(f"speed-up of --jobs 2 over --jobs 1: {speedup:.2f}")
    assert speedup >= 1.6


def test_default_suite_rerun_from_the_cache(benchmark: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run_suite(tmp_path, cache, "--jobs", "2")  # fill the cache
    seconds = benchmark.pedantic(run_suite, args=(tmp_path, cache), rounds=3, iterations=1)
    print(f"\ndefault suite rerun from the cache: {benchmark.stats.stats.median:.2f} s")
    assert seconds < 5.0


def test_the_code_fingerprint_is_small_against_a_cached_rerun(benchmark: Any) -> None:
    """The fingerprint of the code (package source and library versions) is computed once per
    run; measured cold in a fresh process, it must stay under 5 % of the cached rerun's 2 s
    target (100 ms)."""
    import subprocess
    import sys

    script = (
        "import time, shiftbench; from shiftbench.benchmarks import fingerprint as f; "
        "t = time.perf_counter(); f.code_identity(('tensorflow', 'keras')); "
        "print(time.perf_counter() - t)"
    )

    def cold() -> float:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        return float(done.stdout.strip())

    seconds = [cold() for _ in range(3)]
    benchmark.pedantic(cold, rounds=1, iterations=1)
    median = sorted(seconds)[1]
    benchmark.extra_info["fingerprint_s"] = median
    print(f"\ncode fingerprint, cold: {1000 * median:.1f} ms (median of 3)")
    assert median < 0.05 * 2.0
