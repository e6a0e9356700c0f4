"""Order searches shared across processes through the cache folder."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from shiftbench.baselines.arima import shared_result


def _slow_square(path: str) -> int:
    import time

    marker = Path(path) / "computed"
    with marker.open("a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(0.5)
    return 49


def _get(folder: str) -> int:
    from functools import partial

    return shared_result(Path(folder), "k", partial(_slow_square, folder))


def test_concurrent_processes_compute_once_and_share(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(_get, [str(tmp_path)] * 3))
    assert results == [49, 49, 49]
    assert len((tmp_path / "computed").read_text().splitlines()) == 1
    assert not list(tmp_path.glob("*.lock"))


def test_a_dead_owners_lock_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "k.lock").write_text("999999999")  # no such process
    assert shared_result(tmp_path, "k", lambda: 7) == 7
    assert shared_result(tmp_path, "k", lambda: 8) == 7  # now read back from the file
