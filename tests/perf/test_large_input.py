"""A large user file costs what its test span costs, not what its length costs.

A five-million-row CSV (minutely dates) and a thousand-row one, each run with ten test points
through ``naive`` as a whole ``shiftbench run`` process. Target: the large file costs at most
ten times the small one (before: about 70 s, most of it labelling every date three times and
hashing the series as CSV text). What remains is reading the file, which no run can skip.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

ROWS = 5_000_000


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("large")
    index = pd.date_range("2015-01-01", periods=ROWS, freq="min")
    y = np.cumsum(np.random.default_rng(0).normal(size=ROWS))
    frame = pd.DataFrame({"minute": index.strftime("%Y-%m-%d %H:%M:%S"), "y": y})
    frame.to_csv(folder / "large.csv", index=False)
    frame.iloc[:1000].to_csv(folder / "small.csv", index=False)
    return {"large": folder / "large.csv", "small": folder / "small.csv"}


def _run(path: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shiftbench", "run", "--dataset-file", str(path), "--target", "y",
         "--date", "minute", "--test-size", "10", "--models", "naive", "--no-cache",
         "--out", str(out)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def test_a_five_million_row_file_costs_what_its_test_span_costs(
    benchmark: Any, files: dict[str, Path], tmp_path: Path
) -> None:
    small = min(_run(files["small"], tmp_path) for _ in range(3))
    large = benchmark.pedantic(_run, args=(files["large"], tmp_path), rounds=3, iterations=1)
    ratio = benchmark.stats.stats.median / small
    benchmark.extra_info["small_file_s"] = small
    benchmark.extra_info["large_over_small"] = ratio
    print(f"\n5M rows: {benchmark.stats.stats.median:.1f} s; 1000 rows: {small:.1f} s; "
          f"ratio {ratio:.1f} (last large run {large:.1f} s)")  # fmt: skip
    assert ratio <= 10.0
