"""The default suite's speed with the default settings, where its time goes, and how LSTM
training compares with a bare Keras loop and the FLOP floor. Targets are ratios within one run.

- ``test_default_suite_cold_against_bare_cells``: three rounds, each a bare run of the default
  suite's cells (one after the other in one process, no engine: ``conftest.BARE_CELLS``) and
  then a cold ``shiftbench run`` (default jobs: one per core) as a whole process. Target: the
  cold suite's median at most :data:`COLD_OVER_BARE` times the bare cells' median on a machine
  with two or more cores (the speed-up of two workers, net of everything the engine adds:
  planning, worker processes, the cache, the files and the reports), at most
  :data:`COLD_OVER_BARE_ONE_CORE` on one core. The profile of the last cold run (from the cells'
  own timings in its manifest) is printed: docs/performance.md's table.
- ``test_default_suite_cached_against_cold``: the same run again from the cache of the last
  cold run, three times. Target: the median at most :data:`CACHED_OVER_COLD` of the cold median.
- ``test_lstm_training_against_bare_keras_and_the_flop_floor``: the default ``lstm_raw`` network
  on ``sine``'s training windows, a fixed number of epochs, trained by shiftbench and by a bare
  ``keras.Model.fit`` of the same network on the same arrays (target: at most 1.1 times); and
  the epoch's FLOP count against this machine's single-thread matmul throughput (reported).

The absolute figures of the 0.3 issues (90 s cold, 2 s cached, on the project's 2-core machine)
are printed beside the ratios, not asserted: they hold on one machine only.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from .conftest import SESSION, bare_cells, cores, load_average, run_suite

#: The cold default suite over its bare cells, on two or more cores: 90 s (the 0.3 target on
#: the 2-core machine) over the ~120 s its cells cost there one after the other.
COLD_OVER_BARE = 0.75
#: On one core there is nothing to gain from workers: the engine may add 15 %.
COLD_OVER_BARE_ONE_CORE = 1.15
#: A rerun from the cache over the cold run: 2 s of a 60-90 s suite (the 0.3 target).
CACHED_OVER_COLD = 0.04
#: The 0.3 targets on the project's 2-core machine, printed for reference.
TARGET_COLD_S = 90.0
TARGET_CACHED_S = 2.0


def profile_table(run_dir: Path) -> str:
    """Seconds per (dataset, model), summed over seeds, by phase, from a run's manifest."""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for cell in manifest["cells"]:
        info = cell.get("info") or {}
        seconds = info.get("seconds") or {}
        row = rows.setdefault((cell["dataset"], cell["model"]), {})
        search = info.get("seconds_search") or 0.0
        first = info.get("seconds_first_epoch") or 0.0
        epochs = (info.get("seconds_training") or 0.0) - first
        fit = seconds.get("fit", 0.0)
        for key, value in (
            ("cell", cell["wall_time_s"]),
            ("search", search),
            ("build+first epoch", first),
            ("other epochs", max(epochs, 0.0)),
            ("fit (rest)", max(fit - search - first - max(epochs, 0.0), 0.0)),
            ("forecast", seconds.get("forecast", 0.0)),
            ("score", seconds.get("score", 0.0)),
        ):
            row[key] = row.get(key, 0.0) + value
    columns = [
        "cell",
        "search",
        "build+first epoch",
        "other epochs",
        "fit (rest)",
        "forecast",
        "score",
    ]
    lines = [
        "| dataset | model | " + " | ".join(columns) + " |",
        "| --- " * (len(columns) + 2) + "|",
    ]
    for (dataset, model), row in sorted(rows.items(), key=lambda kv: -kv[1]["cell"]):
        lines.append(
            f"| {dataset} | {model} | " + " | ".join(f"{row[c]:.1f}" for c in columns) + " |"
        )
    total = {c: sum(r[c] for r in rows.values()) for c in columns}
    lines.append("| all | all | " + " | ".join(f"{total[c]:.1f}" for c in columns) + " |")
    return "\n".join(lines)


def _listed(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def test_default_suite_cold_against_bare_cells(benchmark: Any, tmp_path: Path) -> None:
    bare: list[float] = []
    cold_cpu: list[float] = []
    bare_cpu: list[float] = []
    load = [load_average()]

    def setup() -> tuple[tuple[Path, Path], dict[str, Any]]:
        bare.append(bare_cells())  # the reference, right before each cold run
        bare_cpu.append(SESSION["last_cpu_s"])
        run = len(bare) - 1
        return (tmp_path / f"runs{run}", tmp_path / f"cache{run}"), {}

    def cold(out: Path, cache: Path) -> float:
        seconds = run_suite(out, cache)
        cold_cpu.append(SESSION["last_cpu_s"])
        load.append(load_average())
        return seconds

    benchmark.pedantic(cold, setup=setup, rounds=3, iterations=1)
    times = list(benchmark.stats.stats.data)
    cold_s, bare_s = statistics.median(times), statistics.median(bare)
    ratio = cold_s / bare_s
    n = cores()
    bound = COLD_OVER_BARE if n >= 2 else COLD_OVER_BARE_ONE_CORE
    last = len(bare) - 1
    run_dir = next((tmp_path / f"runs{last}").iterdir())
    cells = len(json.loads((run_dir / "manifest.json").read_text())["cells"])
    SESSION.update({"cold_s": cold_s, "bare_s": bare_s, "cold_cache": tmp_path / f"cache{last}"})
    benchmark.extra_info.update(
        {"bare_s": bare, "cold_s": times, "cold_over_bare": ratio, "bound": bound,
         "cold_cpu_over_bare_cpu": statistics.median(cold_cpu) / statistics.median(bare_cpu),
         "cores": n, "cells": cells, "load_average_1min": load}
    )  # fmt: skip
    print(f"\ndefault suite ({cells} cells, {n} cores), cold: {_listed(times)} s; bare cells: "
          f"{_listed(bare)} s; load average (1 min): {_listed(load)}")  # fmt: skip
    print(f"cold / bare = {ratio:.3f} (bound {bound}); CPU seconds cold / bare = "
          f"{benchmark.extra_info['cold_cpu_over_bare_cpu']:.3f}; median cold {cold_s:.1f} s "
          f"(the 0.3 target on the 2-core machine: {TARGET_COLD_S:.0f} s)")  # fmt: skip
    print(profile_table(run_dir))
    assert cells == SESSION["bare_cells"]
    assert ratio <= bound


def test_default_suite_cached_against_cold(benchmark: Any, tmp_path: Path) -> None:
    if "cold_cache" not in SESSION:  # run on its own: one cold run is the reference
        SESSION["cold_s"] = run_suite(tmp_path / "fill", tmp_path / "cache")
        SESSION["cold_cache"] = tmp_path / "cache"
    cache = SESSION["cold_cache"]
    benchmark.pedantic(run_suite, args=(tmp_path / "again", cache), rounds=3, iterations=1)
    median = benchmark.stats.stats.median
    ratio = median / SESSION["cold_s"]
    SESSION["cached_s"] = median
    benchmark.extra_info.update({"cold_s": SESSION["cold_s"], "cached_over_cold": ratio})
    print(f"\ndefault suite rerun from the cache: {median:.2f} s, {ratio:.4f} of the cold "
          f"run's {SESSION['cold_s']:.1f} s (bound {CACHED_OVER_COLD}; the 0.3 target on the "
          f"2-core machine: {TARGET_CACHED_S} s)")  # fmt: skip
    assert ratio <= CACHED_OVER_COLD


def _sine_windows() -> tuple[Any, np.ndarray, np.ndarray]:
    import shiftbench as sb
    from shiftbench.lstm import LSTMRaw
    from shiftbench.lstm.windows import Scaler, training_windows

    ds = sb.load_dataset("sine")
    n = len(ds)
    y = ds.y.to_numpy()[: n - ds.protocol.n_test(n)]
    lstm = LSTMRaw(window=ds.protocol.lstm_window, seed=0)
    lstm.prep_ = None
    lstm.target_scaler_ = Scaler.fit(y, "minmax")
    lstm.exog_scaler_ = None
    features = lstm._features(y, None)
    targets = lstm.target_scaler_.transform(y[:, None])[:, 0]
    X, t = training_windows(features, targets, lstm.window)
    return lstm, X, t


def _matmul_gflops() -> float:
    """Single-thread float32 matmul throughput of this machine, in GFLOP/s (TensorFlow runs
    one thread per cell)."""
    import tensorflow as tf

    a = tf.random.uniform((512, 512), seed=1)
    b = tf.random.uniform((512, 512), seed=2)
    tf.linalg.matmul(a, b)  # warm up
    start = time.perf_counter()
    for _ in range(20):
        c = tf.linalg.matmul(a, b)
    float(tf.reduce_sum(c))
    return 20 * 2 * 512**3 / (time.perf_counter() - start) / 1e9


def test_lstm_training_against_bare_keras_and_the_flop_floor(benchmark: Any) -> None:
    from dataclasses import replace

    from shiftbench.lstm import model as net

    lstm, X, t = _sine_windows()
    epochs = 8
    spec = replace(lstm._spec(), epochs=epochs, patience=0)  # a fixed number of epochs
    keras = net.import_keras()

    def ours() -> float:
        start = time.perf_counter()
        net.train(spec, X, t, 0)
        return time.perf_counter() - start

    def bare() -> float:
        net.seed_everything(0)
        start = time.perf_counter()
        model = keras.Sequential(
            [keras.Input(shape=X.shape[1:]), keras.layers.LSTM(32), keras.layers.Dense(1)]
        )
        model.compile(optimizer=keras.optimizers.Adam(spec.learning_rate), loss="mse")
        n_val = round(spec.validation_size * len(X))
        model.fit(
            X[:-n_val], t[:-n_val], epochs=epochs, batch_size=spec.batch_size, shuffle=True,
            verbose=0, validation_data=(X[-n_val:], t[-n_val:]),
        )  # fmt: skip
        return time.perf_counter() - start

    bare()  # TensorFlow's first-use costs paid outside the comparison
    ours_s = benchmark.pedantic(ours, rounds=3, iterations=1)
    bare_s = statistics.median(bare() for _ in range(3))
    ours_s = benchmark.stats.stats.median
    # FLOPs of one epoch: an LSTM layer of u units on f inputs does 4 gates of
    # (f + u + 1) x u multiply-adds per sample and time step forward, the backward pass about
    # twice that; the dense head is negligible. Validation adds a forward pass over its windows.
    u, f, w = 32, X.shape[2], X.shape[1]
    n_val = round(spec.validation_size * len(X))
    forward = 2 * 4 * (f + u + 1) * u * w
    flops = (len(X) - n_val) * 3 * forward + n_val * forward
    gflops = _matmul_gflops()
    floor = epochs * flops / (gflops * 1e9)
    benchmark.extra_info.update(
        {"bare_keras_s": bare_s, "ratio_to_bare_keras": ours_s / bare_s,
         "flop_floor_s": floor, "ratio_to_flop_floor": ours_s / floor, "matmul_gflops": gflops}
    )  # fmt: skip
    print(
        f"\nlstm_raw on sine, {epochs} epochs: shiftbench {ours_s:.2f} s, bare Keras fit "
        f"{bare_s:.2f} s (ratio {ours_s / bare_s:.2f}); FLOP floor {floor:.2f} s at "
        f"{gflops:.1f} GFLOP/s single-thread matmul (ratio {ours_s / floor:.1f})"
    )
    assert ours_s <= 1.1 * bare_s
