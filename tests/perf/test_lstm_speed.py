"""Speed of the default ``lstm_raw`` on ``sine``: training, and the batched rolling prediction.

Run with ``tox -e perf``. The target is a ratio measured within one run: predicting all 1000 test
origins (building every window from the true history and one forward pass) must cost less than
1.5 times a single batched predict call on windows of the same size, i.e. the windowing and
bookkeeping around the network add less than half a forward pass.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
import pytest

from shiftbench.datasets import load_dataset
from shiftbench.lstm import LSTMRaw
from shiftbench.lstm import model as net
from shiftbench.models import get_model


@pytest.fixture(scope="module")
def sine() -> Any:
    return load_dataset("sine")


@pytest.fixture(scope="module")
def trained(sine: Any) -> LSTMRaw:
    y = sine.y.to_numpy()
    model = get_model("lstm_raw").build(sine, {"seed": 0})
    assert isinstance(model, LSTMRaw)
    return model.fit(y[:4001])


def test_training_default_lstm_raw_on_sine(benchmark: Any, sine: Any) -> None:
    y = sine.y.to_numpy()

    def train() -> None:
        get_model("lstm_raw").build(sine, {"seed": 0}).fit(y[:4001])

    benchmark.pedantic(train, rounds=1, iterations=1)
    print(f"\nlstm_raw training on sine: {benchmark.stats.stats.median:.1f} s")


def test_rolling_prediction_costs_less_than_1_5_predict_calls(
    benchmark: Any, sine: Any, trained: LSTMRaw
) -> None:
    y = sine.y.to_numpy()
    windows = np.random.default_rng(0).normal(size=(1000, trained.window, 1))
    net.predict(trained.network_, windows)  # warm the graph once for both measurements
    path = benchmark.pedantic(trained.one_step_path, args=(y[4001:5000],), rounds=5, iterations=1)
    assert len(path.mean) == 1000
    calls = []
    for _ in range(5):
        start = time.perf_counter()
        net.predict(trained.network_, windows)
        calls.append(time.perf_counter() - start)
    ratio = benchmark.stats.stats.median / statistics.median(calls)
    benchmark.extra_info["predict_call_seconds_median"] = statistics.median(calls)
    benchmark.extra_info["path_over_predict_call"] = ratio
    print(f"\nall 1000 origins / one batched predict call = {ratio:.3f}")
    assert ratio < 1.5
