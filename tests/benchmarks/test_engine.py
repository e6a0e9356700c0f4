"""The run engine: cell cache, resume after a crash, parallel and distributed execution."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from shiftbench.benchmarks.cache import cell_key
from shiftbench.benchmarks.runner import plan_cells, resolve_datasets, run_config
from shiftbench.config import RunConfig
from shiftbench.datasets import load_dataset
from shiftbench.fingerprint import code_identity

RESULT_FILES = ("forecasts.csv", "metrics.csv", "shift.csv", "comparisons.csv")
TINY_LSTM = {"units": [4], "epochs": 2, "validation_size": 0.0}


def cached_flags(run_dir: Path) -> dict[str, bool]:
    cells = json.loads((run_dir / "manifest.json").read_text())["cells"]
    return {f"{c['dataset']}/{c['model']}/{c['seed']}": c["cached"] for c in cells}


def same_files(a: Path, b: Path) -> bool:
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in RESULT_FILES)


def test_cell_key_depends_on_everything_that_determines_the_cell() -> None:
    ds = load_dataset("sales")
    code = code_identity()
    base = cell_key(ds, "arima", {"max_p": 5}, None, False, "0.1.0", code)
    assert base == cell_key(ds, "arima", {"max_p": 5}, None, False, "0.1.0", code)
    assert base != cell_key(ds, "arima", {"max_p": 4}, None, False, "0.1.0", code)
    assert base != cell_key(ds, "arima", {"max_p": 5}, 1, False, "0.1.0", code)
    assert base != cell_key(ds, "arima", {"max_p": 5}, None, True, "0.1.0", code)
    assert base != cell_key(ds, "arima", {"max_p": 5}, None, False, "0.2.0", code)
    assert base != cell_key(load_dataset("sine"), "arima", {"max_p": 5}, None, False, "0.1.0", code)
    renamed = replace(ds, name="sales_copy")
    assert base != cell_key(renamed, "arima", {"max_p": 5}, None, False, "0.1.0", code)
    edited = {**code, "shiftbench": "0" * 64}
    assert base != cell_key(ds, "arima", {"max_p": 5}, None, False, "0.1.0", edited)
    upgraded = {**code, "libraries": {**code["libraries"], "statsmodels": "99"}}
    assert base != cell_key(ds, "arima", {"max_p": 5}, None, False, "0.1.0", upgraded)


def test_an_unchanged_rerun_reuses_every_cell(tmp_path: Path) -> None:
    config = RunConfig(
        datasets=("sales",),
        models=("naive", "arima", "lstm_diff"),
        seeds=(0,),
        out=str(tmp_path / "runs"),
        cache_dir=str(tmp_path / "cache"),
        model_params={"lstm_diff": TINY_LSTM},
    )
    first = run_config(config)
    second = run_config(config)
    assert not any(cached_flags(first.path).values())
    assert all(cached_flags(second.path).values())
    assert same_files(first.path, second.path)


def test_no_cache_and_rerun_recompute(tmp_path: Path) -> None:
    config = RunConfig(
        datasets=("sales",),
        models=("naive", "drift"),
        out=str(tmp_path / "r"),
        cache_dir=str(tmp_path / "cache"),
    )
    run_config(config)
    fresh = run_config(RunConfig(**{**config.__dict__, "use_cache": False}))
    assert not any(cached_flags(fresh.path).values())
    rerun = run_config(RunConfig(**{**config.__dict__, "rerun": ("drift",)}))
    assert cached_flags(rerun.path) == {"sales/naive/None": True, "sales/drift/None": False}


def test_a_cached_rerun_does_not_import_tensorflow_or_draw_a_figure(tmp_path: Path) -> None:
    """Every cell and every figure (training curves, whose log-scale labels matplotlib writes as
    XML comments, included) comes from the cache: neither TensorFlow nor matplotlib loads.
    (One job, so that the first run computes its cells in this process and loads both.)"""
    env = {**os.environ, "SHIFTBENCH_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import sys, shiftbench as sb\n"
        "sb.run(datasets=['sales'], models=['naive', 'lstm_raw'], seeds=[0], jobs=1,"
        f" out={str(tmp_path)!r}, model_params={{'lstm_raw': {TINY_LSTM!r}}})\n"
        "print('tensorflow' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    first = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    again = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert first.stdout.strip() == "True True"
    assert again.stdout.strip() == "False False"


#: Loaded by the run's process at start-up (``sitecustomize``): ARIMA on a long series (the last
#: cell, covid_trips) announces that it started, by creating a file, then waits to be killed.
_BLOCK_LONG_ARIMA = """
import os, time
import shiftbench.baselines.arima as arima

_fit = arima.ARIMA.fit

def fit(self, y, exog=None):
    if len(y) > 100:
        open(os.environ["SHIFTBENCH_TEST_STARTED"], "w").close()
        while True:
            time.sleep(1)
    return _fit(self, y, exog)

arima.ARIMA.fit = fit
"""


def test_a_killed_run_resumes_with_only_the_missing_cells(tmp_path: Path) -> None:
    """SIGKILL a run while its last cell computes; the rerun computes only that cell, and its
    files equal those of an uninterrupted run. The kill waits on the cell's start (a file it
    creates), not on time."""
    cache = tmp_path / "cache"
    command = [
        sys.executable, "-m", "shiftbench", "run",
        "--datasets", "sales,covid_trips", "--models", "naive,drift,arima", "--jobs", "1",
        "--out", str(tmp_path / "runs"), "--cache-dir", str(cache),
    ]  # fmt: skip
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(_BLOCK_LONG_ARIMA)
    started = tmp_path / "started"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(hooks), os.environ.get("PYTHONPATH", "")) if p
        ),
        "SHIFTBENCH_TEST_STARTED": str(started),
    }
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # a guard against a hang, not a timing assumption
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), proc.stderr.read().decode() if proc.poll() is not None else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    entries = [p for p in (cache / "cells").rglob("*.json") if p.name != "fingerprint.json"]
    assert len(entries) == 5  # every cell before covid_trips' ARIMA, in the planned order
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    resumed = Path(done.stdout.strip().splitlines()[-1])
    flags = cached_flags(resumed)
    assert [name for name, cached in flags.items() if not cached] == ["covid_trips/arima/None"]
    clean = subprocess.run(
        [*command[:-2], "--no-cache", "--out", str(tmp_path / "clean")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert same_files(resumed, Path(clean.stdout.strip().splitlines()[-1]))


def test_parallel_jobs_give_identical_results_in_the_same_order(tmp_path: Path) -> None:
    """Byte-identical files, arima_garch included (its GARCH optimiser and Kalman filter use BLAS:
    every cell runs under the same thread limit whatever the executor)."""
    base = RunConfig(
        datasets=("sales", "consumption_intervals"),
        models=("naive", "arima", "arima_garch", "lstm_raw"),
        seeds=(0,),
        out=str(tmp_path),
        use_cache=False,
        model_params={"lstm_raw": TINY_LSTM},
    )
    serial = run_config(base)
    parallel = run_config(RunConfig(**{**base.__dict__, "jobs": 2}))
    assert same_files(serial.path, parallel.path)


def test_dask_cluster_gives_the_serial_results(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    base = RunConfig(
        datasets=("sales",),
        models=("naive", "drift", "arima", "lstm_diff"),
        seeds=(0,),
        out=str(tmp_path),
        use_cache=False,
        model_params={"lstm_diff": TINY_LSTM},
    )
    serial = run_config(base)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        remote = run_config(
            RunConfig(
                **{**base.__dict__, "executor": "dask", "scheduler": cluster.scheduler_address}
            )
        )
    assert same_files(serial.path, remote.path)


def test_dask_without_a_scheduler_is_a_config_error() -> None:
    from shiftbench.config import validate
    from shiftbench.errors import ConfigError

    with pytest.raises(ConfigError, match="needs a scheduler"):
        validate(RunConfig(executor="dask"), "test")


def test_planned_cells_carry_their_keys(tmp_path: Path) -> None:
    config = RunConfig(
        datasets=("sales",), models=("naive", "lstm_raw"), seeds=(0, 1), cache_dir=str(tmp_path)
    )
    cells = plan_cells(config, resolve_datasets(config))
    keys = [c.key for c in cells]
    assert len(set(keys)) == 3  # naive once, lstm_raw per seed
    assert all(len(k) == 64 for k in keys)


def test_parallel_dispatch_puts_long_cells_first(
    tmp_path: Path,
) -> None:
    from shiftbench.benchmarks.plan import dispatch_order

    config = RunConfig(
        datasets=("sales", "sine"),
        models=("naive", "arima", "arima_garch", "lstm_raw"),
        seeds=(0,),
        cache_dir=str(tmp_path),
    )
    cells = plan_cells(config, resolve_datasets(config))
    order = [f"{cells[i].dataset}/{cells[i].model}" for i in dispatch_order(cells)]
    # cost = weight x length: statistical and neural models 3, baselines 0.01; ties keep the
    # planned order (sales before sine, models as listed)
    assert order == [
        "sine/arima",  # 3 x 5001
        "sine/arima_garch",  # 3 x 5001
        "sine/lstm_raw",  # 3 x 5001
        "sales/arima",  # 3 x 45
        "sales/arima_garch",  # 3 x 45
        "sales/lstm_raw",  # 3 x 45
        "sine/naive",  # 0.01 x 5001
        "sales/naive",  # 0.01 x 45
    ]
