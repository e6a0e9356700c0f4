"""No process waits forever, and no process outlives its run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shiftbench.benchmarks.executors import Lost, Options, run_dask, run_local
from shiftbench.cli import main


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_parallel_run_killed_with_sigkill_leaves_no_worker_alive(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "shiftbench", "run", "--jobs", "2", "--no-cache",
        "--datasets", "sine", "--models", "arima,arima_garch", "--out", str(tmp_path),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = {
            p
            for p in _children(proc.pid)
            if b"multiprocessing" in Path(f"/proc/{p}/cmdline").read_bytes()
        }
        time.sleep(0.1)
    assert len(workers) >= 2, "the run never started its two workers"
    time.sleep(1.0)  # let them get to work
    workers = {p for p in _children(proc.pid)}  # the workers and multiprocessing's helpers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
    assert list(tmp_path.iterdir()) == []  # killed before writing: no run directory


def _square_or_die(x: int) -> int:
    if x == 1:
        os._exit(1)
    return x * x


def test_a_worker_that_dies_loses_only_what_it_held() -> None:
    results = dict(run_local(_square_or_die, [0, 1, 2, 3], [1, 0, 2, 3], Options(jobs=2)))
    assert isinstance(results[1], Lost)
    assert "worker process died" in results[1].reason
    assert results[2] == 4
    assert results[3] == 9


def _slow_square_or_die(x: int) -> int:
    if x == 1:
        time.sleep(0.5)  # item 0 has started by now
        os._exit(1)
    if x == 0:
        time.sleep(3.0)  # still running when item 1 kills the pool
    return x * x


def test_a_worker_that_dies_does_not_disturb_the_item_another_worker_runs() -> None:
    """Item 1 kills its worker while item 0 is busy in the other: item 0 finishes, item 1 is
    lost, a fresh worker takes the rest."""
    results = dict(run_local(_slow_square_or_die, [0, 1, 2, 3], [0, 1, 2, 3], Options(jobs=2)))
    assert results[0] == 0
    assert isinstance(results[1], Lost)
    assert results[2] == 4
    assert results[3] == 9


def _sleep_then_square(x: int) -> int:
    if x == 1:
        time.sleep(600)  # a hang, stopped by its time limit
    return x * x


def test_an_item_past_its_time_limit_is_stopped_and_the_others_finish() -> None:
    start = time.monotonic()
    results = dict(
        run_local(
            _sleep_then_square, [0, 1, 2, 3], [1, 0, 2, 3], Options(jobs=2, timeouts=(None, 3.0))
        )
    )
    elapsed = time.monotonic() - start
    assert isinstance(results[1], Lost)
    assert results[1].timed_out
    assert "timed out after 3 s" in results[1].reason
    assert [results[i] for i in (0, 2, 3)] == [0, 4, 9]
    assert elapsed < 60  # spawning two workers and the 3 s limit, not the 600 s hang


def test_a_time_limit_runs_even_a_single_job_in_a_worker_it_can_stop() -> None:
    results = dict(
        run_local(_sleep_then_square, [1, 2], [0, 1], Options(jobs=1, timeouts=(2.0, None)))
    )
    assert isinstance(results[0], Lost)
    assert results[0].timed_out
    assert results[1] == 4


def test_a_dask_cluster_without_workers_gives_up_in_bounded_time() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        start = time.monotonic()
        results = dict(
            run_dask(
                abs,
                [1, -2],
                [0, 1],
                Options(scheduler=cluster.scheduler_address, worker_grace_s=2.0),
            )
        )
        elapsed = time.monotonic() - start
    assert all(isinstance(r, Lost) for r in results.values())
    assert "no Dask worker alive for 2 s" in results[0].reason
    assert elapsed < 30


def test_a_dask_worker_that_dies_is_reported(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    import dask

    def die(x: int) -> int:  # pickled by value for the worker
        import os as _os

        if x == 1:
            _os._exit(1)
        return x

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
    ):
        start = time.monotonic()
        lost = dict(run_dask(die, [1], [0], Options(scheduler=cluster.scheduler_address)))
        elapsed = time.monotonic() - start
        # the nanny restarts the worker: the cluster goes on computing
        after = dict(run_dask(die, [0, 2], [0, 1], Options(scheduler=cluster.scheduler_address)))
    assert isinstance(lost[0], Lost)
    assert "KilledWorker" in lost[0].reason
    assert after == {0: 0, 1: 2}
    assert elapsed < 60


def test_an_out_path_that_is_a_file_is_exit_2_before_any_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = tmp_path / "cache"
    code = main(
        ["run", "--datasets", "sales", "--models", "naive", "--out", str(blocker / "runs"),
         "--cache-dir", str(cache)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("shiftbench: error: out ")
    assert str(blocker) in err
    assert not cache.exists()  # no cell ran


def test_an_unreachable_scheduler_leaves_no_run_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "runs"
    code = main(
        ["run", "--datasets", "sales", "--models", "naive", "--out", str(out), "--no-cache",
         "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    )  # fmt: skip
    assert code == 2
    assert "cannot connect" in capsys.readouterr().err
    assert not out.exists()
