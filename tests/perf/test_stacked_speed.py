"""Networks at collection scale: the stacked trainer against the per-series Keras path.

On the 105 series of ``makridakis2018_tenth`` (every 10th of the article's 1045), the default
``lstm_raw`` (window 12, 32 units, Adam, early stopping) with the article's one-step protocol:

- the stacked path trains the whole tenth as one chunk, as a run with ``chunk_size = 105``
  does (TensorFlow imported and the training program traced beforehand, once per worker
  process in a run);
- the per-series path (``trainer = "keras"``, 0.3's only path) trains every 7th of those
  series (15) one after the other.

The figure is the ratio of the CPU seconds per series of the two, measured in the same run;
the target (issue 24) is 0.1 CPU-second per series, from about 1.05, so a ratio of 10. The test
asserts a ratio of at least 5, and that the stacked path keeps lstm_raw's accuracy on the
tenth (mean sMAPE at or below 11.70, its figure with the per-series path).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.types import Dataset


@pytest.fixture(scope="module")
def tenth(m3_subset: Callable[[str], tuple[Dataset, ...]]) -> tuple[Dataset, ...]:
    return m3_subset("makridakis2018_tenth")


def _cpu_per_series(members: tuple[Dataset, ...], trainer: str) -> tuple[float, Any]:
    start, wall = time.process_time(), time.perf_counter()
    result = run_cell(members, "lstm_raw", {"window": 12, "trainer": trainer}, seed=0)
    WALL[trainer] = (time.perf_counter() - wall) / len(members)
    return (time.process_time() - start) / len(members), result


#: wall seconds per series of the last measurement of each path
WALL: dict[str, float] = {}


def test_stacked_training_against_the_per_series_path(
    benchmark: Any, tenth: tuple[Dataset, ...]
) -> None:
    run_cell(tenth[:2], "lstm_raw", {"window": 12, "trainer": "stacked"}, seed=0)  # warm-up
    keras_cpu, _ = _cpu_per_series(tenth[::7], "keras")
    stacked: dict[str, Any] = {}

    def measure() -> None:
        stacked["cpu"], stacked["result"] = _cpu_per_series(tenth, "stacked")

    benchmark.pedantic(measure, rounds=1, iterations=1)
    result = stacked["result"]
    assert result.ok
    assert not result.series_failed
    smape = float(np.mean([m["smape"] for m in result.metrics.values()]))
    ratio = keras_cpu / stacked["cpu"]
    benchmark.extra_info.update(
        keras_cpu_per_series=keras_cpu,
        stacked_cpu_per_series=stacked["cpu"],
        keras_over_stacked=ratio,
        stacked_mean_smape=smape,
        keras_wall_per_series=WALL["keras"],
        stacked_wall_per_series=WALL["stacked"],
    )
    print(
        f"\nlstm_raw CPU s per series: keras {keras_cpu:.3f}, stacked {stacked['cpu']:.3f} "
        f"(wall: {WALL['keras']:.3f}, {WALL['stacked']:.3f}) "
        f"(ratio {ratio:.1f}); stacked mean sMAPE on the tenth {smape:.2f}"
    )
    assert ratio >= 5
    assert smape <= 11.70
