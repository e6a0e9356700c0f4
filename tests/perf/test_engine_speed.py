"""Speed of the engine: one ARIMA-GARCH fit, the default suite cold with ``--jobs 1`` against its
bare cells and against the default jobs, and the code fingerprint against a cached rerun (each
run a whole ``shiftbench run`` process).

Targets, as ratios within one run:

- ``--jobs 1`` at most :data:`ONE_JOB_OVER_BARE` times the bare cells (``conftest.BARE_CELLS``):
  everything the engine adds to a serial run (planning, the cache, the files, the reports) costs
  at most 15 %;
- the default jobs at least :data:`SPEEDUP_OVER_ONE_JOB` times faster than ``--jobs 1`` on a
  machine with two or more cores;
- the code fingerprint, computed once per run, under 5 % of a cached rerun.

The references come from ``test_default_suite.py`` when it ran first in the same session (the
bare cells, the cold and the cached default suite); run alone, this module measures them itself.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.baselines import ARIMAGARCH
from shiftbench.datasets import load_dataset

from .conftest import SESSION, bare_cells, cores, load_average, run_suite

#: ``--jobs 1`` over the bare cells: the engine's own cost in a serial run.
ONE_JOB_OVER_BARE = 1.15
#: The default jobs (one per core) over ``--jobs 1``, on two or more cores.
SPEEDUP_OVER_ONE_JOB = 1.6
#: The code fingerprint over a cached rerun of the default suite.
FINGERPRINT_OVER_CACHED = 0.05


def test_one_arima_garch_fit_on_sine(benchmark: Any) -> None:
    ds = load_dataset("sine")
    y = pd.Series(ds.y.to_numpy()[:4001])
    benchmark.pedantic(
        lambda: ARIMAGARCH(order=(2, 0, 2), trend="n").fit(y), rounds=3, iterations=1
    )


def test_default_suite_cold_with_one_job_against_bare_cells(benchmark: Any, tmp_path: Path) -> None:
    if "bare_s" not in SESSION:  # run on its own: measure the reference here
        SESSION["bare_s"] = bare_cells()
    seconds = benchmark.pedantic(
        run_suite, args=(tmp_path, tmp_path / "cache", "--jobs", "1"), rounds=1, iterations=1
    )
    ratio = seconds / SESSION["bare_s"]
    benchmark.extra_info.update({"bare_s": SESSION["bare_s"], "one_job_over_bare": ratio})
    bare = SESSION["bare_s"]
    print(f"\ndefault suite, cold, --jobs 1: {seconds:.1f} s; bare cells {bare:.1f} s; ratio "
          f"{ratio:.3f} (bound {ONE_JOB_OVER_BARE}); load {load_average():.1f}")  # fmt: skip
    assert ratio <= ONE_JOB_OVER_BARE
    if "cold_s" in SESSION and cores() >= 2:  # the default jobs, measured in the same session
        speedup = seconds / SESSION["cold_s"]
        benchmark.extra_info["speedup_of_default_jobs"] = speedup
        print(f"speed-up of the default jobs over --jobs 1: {speedup:.2f}")
        assert speedup >= SPEEDUP_OVER_ONE_JOB


#: The fingerprint, timed alone in a fresh process (its module moved from the engine to the
#: package's lowest layers in 0.4).
FINGERPRINT = """
import time
try:
    from shiftbench import fingerprint as f
except ImportError:
    from shiftbench.benchmarks import fingerprint as f
start = time.perf_counter()
f.code_identity(("tensorflow", "keras"))
print(time.perf_counter() - start)
"""


def test_the_code_fingerprint_is_small_against_a_cached_rerun(
    benchmark: Any, tmp_path: Path
) -> None:
    """The fingerprint of the code (package source and library versions) is computed once per
    run, so it is paid by every rerun from the cache: measured cold in a fresh process, at most
    5 % of a cached rerun of the default suite."""

    def cold() -> float:
        done = subprocess.run(
            [sys.executable, "-c", FINGERPRINT], capture_output=True, text=True, check=True
        )
        return float(done.stdout.strip())

    if "cached_s" not in SESSION:  # run on its own: measure the reference here
        run_suite(tmp_path / "fill", tmp_path / "cache")
        SESSION["cached_s"] = statistics.median(
            run_suite(tmp_path / "again", tmp_path / "cache") for _ in range(3)
        )
    benchmark.pedantic(cold, rounds=3, iterations=1)
    median = benchmark.stats.stats.median
    ratio = median / SESSION["cached_s"]
    benchmark.extra_info.update(
        {"fingerprint_s": median, "cached_s": SESSION["cached_s"], "fingerprint_over_cached": ratio}
    )
    cached = SESSION["cached_s"]
    print(f"\ncode fingerprint, cold: {1000 * median:.1f} ms (median of 3), {ratio:.3f} of a "
          f"cached rerun's {cached:.2f} s (bound {FINGERPRINT_OVER_CACHED})")  # fmt: skip
    assert ratio <= FINGERPRINT_OVER_CACHED
