"""The cache serves a result only to the code that made it, only when it is authentic, and never
a result that a retry could change."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import shiftbench
from shiftbench import fingerprint
from shiftbench.benchmarks import backtest as backtest_module
from shiftbench.benchmarks.cache import Cache
from shiftbench.benchmarks.runner import RunResult, plan_cells, resolve_datasets, run_config
from shiftbench.cli import main
from shiftbench.config import CsvDataset, RunConfig


def _config(tmp_path: Path, **kw: object) -> RunConfig:
    base = {
        "datasets": ("sales",),
        "models": ("naive", "drift"),
        "out": str(tmp_path / "runs"),
        "cache_dir": str(tmp_path / "cache"),
        "jobs": 1,
    }
    return RunConfig(**{**base, **kw})  # type: ignore[arg-type]


def _cached(run: RunResult) -> dict[str, bool]:
    return {f"{c['dataset']}/{c['model']}": c["cached"] for c in run.manifest["cells"]}


def _entries(root: Path) -> list[Path]:
    return [p for p in (root / "cells").rglob("*.json") if p.name != "fingerprint.json"]


# -- the code and the libraries are part of the identity -----------------------------------------


def test_a_change_in_shiftbench_code_recomputes_every_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _cached(run_config(_config(tmp_path))) == {"sales/naive": False, "sales/drift": False}
    assert _cached(run_config(_config(tmp_path))) == {"sales/naive": True, "sales/drift": True}
    monkeypatch.setattr(fingerprint, "source_sha256", lambda root=None: "e" * 64)
    assert _cached(run_config(_config(tmp_path))) == {"sales/naive": False, "sales/drift": False}


def test_a_new_numpy_version_recomputes_and_tensorflow_only_matters_to_networks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path)
    naive = next(c for c in plan_cells(config, resolve_datasets(config)) if c.model == "naive")
    real = fingerprint.distribution_version

    def bumped(name: str) -> str | None:
        return "999.0" if name == "numpy" else real(name)

    monkeypatch.setattr(fingerprint, "distribution_version", bumped)
    again = next(c for c in plan_cells(config, resolve_datasets(config)) if c.model == "naive")
    assert again.key != naive.key
    assert again.identity["code"]["libraries"]["numpy"] == "999.0"
    assert "tensorflow" not in naive.identity["code"]["libraries"]
    lstm = _config(tmp_path, models=("lstm_raw",), seeds=(0,))
    cell = plan_cells(lstm, resolve_datasets(lstm))[0]
    assert set(cell.identity["code"]["libraries"]) >= {"tensorflow", "keras", "numpy"}


def test_the_fingerprint_costs_little_against_a_cached_rerun() -> None:
    """Computed once per process; the second call is a lookup."""
    fingerprint.source_sha256.cache_clear()
    first = fingerprint.code_identity(("tensorflow", "keras"))
    assert fingerprint.code_identity(("tensorflow", "keras")) == first
    assert fingerprint.source_sha256.cache_info().hits >= 1


def test_the_source_digest_covers_every_file_and_ignores_bytecode(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.txt").write_text("template\n")
    before = fingerprint.source_sha256(package)
    fingerprint.source_sha256.cache_clear()
    (package / "sub" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"\0\1")
    assert fingerprint.source_sha256(package) == before
    fingerprint.source_sha256.cache_clear()
    (package / "sub" / "b.txt").write_text("template!\n")
    assert fingerprint.source_sha256(package) != before
    fingerprint.source_sha256.cache_clear()


def test_the_manifest_records_the_code_and_compare_names_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = run_config(_config(tmp_path))
    code = base.manifest["code"]
    assert code["shiftbench_sha256"] == fingerprint.source_sha256()
    assert set(code["fingerprints"]) == {"naive", "drift"}
    monkeypatch.setattr(fingerprint, "source_sha256", lambda root=None: "e" * 64)
    new = run_config(_config(tmp_path))
    assert new.manifest["code"]["shiftbench_sha256"] == "e" * 64
    from shiftbench.reports.compare import compare_runs

    comparison = compare_runs(base.run, new.run)
    assert any("shiftbench's code" in note for note in comparison.code_changed)


def _naive_forecasts(run_dir: Path) -> pd.Series:
    frame = pd.read_csv(run_dir / "forecasts.csv")
    return frame.loc[frame["model"] == "naive", "y_hat"].reset_index(drop=True)


@pytest.mark.slow
def test_editing_a_model_in_a_copy_of_the_package_recomputes_its_cell(tmp_path: Path) -> None:
    """The installed package copied, run, its Naive edited to forecast one more, run again:
    the cell is computed anew with the edited code (and is cached for the next run)."""
    copy = tmp_path / "site" / "shiftbench"
    shutil.copytree(
        Path(shiftbench.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(copy.parent), "SHIFTBENCH_CACHE_DIR": ""}
    command = [
        sys.executable, "-c",
        "import sys, shiftbench; from shiftbench.cli import main; "
        f"assert shiftbench.__file__.startswith({str(copy.parent)!r}), shiftbench.__file__; "
        "sys.exit(main(sys.argv[1:]))",
        "run", "--datasets", "sales", "--models", "naive", "--jobs", "1",
        "--out", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "cache"),
    ]  # fmt: skip

    def run() -> tuple[Path, bool]:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        run_dir = Path(done.stdout.strip().splitlines()[-1])
        manifest = json.loads((run_dir / "manifest.json").read_text())
        return run_dir, manifest["cells"][0]["cached"]

    first, cached = run()
    assert not cached
    source = copy / "baselines" / "naive.py"
    text = source.read_text()
    old = "return Forecast(mean=np.concatenate([[self.last_], as_float_array(y_seen)]))"
    assert old in text
    source.write_text(text.replace(old, old[:-1] + " + 1.0)"))
    edited, cached = run()
    assert not cached
    pd.testing.assert_series_equal(_naive_forecasts(edited), _naive_forecasts(first) + 1.0)
    _, cached = run()
    assert cached


# -- authentication --------------------------------------------------------------------------------


def test_an_edited_entry_with_a_recomputed_sha256_is_recomputed_not_trusted(
    tmp_path: Path,
) -> None:
    """What the old checksum allowed: edit a value, recompute the digest anyone can compute."""
    first = run_config(_config(tmp_path))
    for path in _entries(tmp_path / "cache"):
        entry = json.loads(path.read_text())
        entry["payload"]["metrics"] = [[s, k, 0.0] for s, k, _ in entry["payload"]["metrics"]]
        body = {"identity": entry["identity"], "payload": entry["payload"]}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        entry["sha256"] = entry["hmac"] = hashlib.sha256(text.encode()).hexdigest()
        path.write_text(json.dumps(entry))
    again = run_config(_config(tmp_path))
    assert _cached(again) == {"sales/naive": False, "sales/drift": False}
    pd.testing.assert_frame_equal(again.metrics, first.metrics)


def test_an_entry_copied_from_another_cache_is_recomputed(tmp_path: Path) -> None:
    """Two caches hold the same cells under different keys; files swapped between them are not
    trusted."""
    run_config(_config(tmp_path, cache_dir=str(tmp_path / "other")))
    shutil.copytree(tmp_path / "other" / "cells", tmp_path / "cache" / "cells")
    Cache(tmp_path / "cache")._key()  # a key of its own
    assert (tmp_path / "cache" / "key").read_text() != (tmp_path / "other" / "key").read_text()
    run = run_config(_config(tmp_path))
    assert _cached(run) == {"sales/naive": False, "sales/drift": False}


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_key_is_created_owner_only(tmp_path: Path) -> None:
    run_config(_config(tmp_path))
    key = tmp_path / "cache" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    assert len(bytes.fromhex(key.read_text().strip())) == 32


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_others_can_read_is_refused_and_the_run_goes_on_without_the_cache(
    tmp_path: Path,
) -> None:
    run_config(_config(tmp_path))
    key = tmp_path / "cache" / "key"
    key.chmod(0o644)
    warned: list[str] = []
    run = run_config(_config(tmp_path), warn=warned.append)
    assert run.exit_code == 0
    assert _cached(run) == {"sales/naive": False, "sales/drift": False}
    assert len(warned) == 1
    assert str(key) in warned[0]
    assert "mode 644" in warned[0]


def test_a_key_replaced_by_a_link_is_refused(tmp_path: Path) -> None:
    run_config(_config(tmp_path))
    key = tmp_path / "cache" / "key"
    planted = tmp_path / "planted"
    planted.write_text("0" * 64)
    planted.chmod(0o600)
    key.unlink()
    key.symlink_to(planted)
    warned: list[str] = []
    run = run_config(_config(tmp_path), warn=warned.append)
    assert _cached(run) == {"sales/naive": False, "sales/drift": False}
    assert "not a plain file" in warned[0]


# -- stale entries: info and prune -----------------------------------------------------------------


def test_cache_info_counts_entries_by_fingerprint_and_prune_removes_the_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_config(_config(tmp_path))
    legacy = tmp_path / "cache" / "cells" / "ab"  # the layout of cache format 2
    legacy.mkdir(parents=True)
    (legacy / ("ab" + "0" * 62 + ".json")).write_text("{}")
    monkeypatch.setattr(fingerprint, "source_sha256", lambda root=None: "e" * 64)
    run_config(_config(tmp_path, models=("naive",)))
    folders = Cache(tmp_path / "cache").info()
    cells = {f.fingerprint: f for f in folders if f.kind == "cells"}
    assert len(cells) == 3
    current = [f for f in cells.values() if f.stale is None]
    assert [f.entries for f in current] == [1]
    assert cells["ab"].stale == "an older cache format"
    old = next(f for f in cells.values() if f.stale == "shiftbench's code changed")
    assert old.entries == 2
    assert main(["cache", "info", "--cache-dir", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    assert "stale: shiftbench's code changed" in out
    assert main(["cache", "prune", "--dry-run", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert old.path.is_dir()
    assert main(["cache", "prune", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "removed 2 stale fingerprint(s)" in capsys.readouterr().out.splitlines()[-1]
    assert not old.path.exists()
    assert not legacy.exists()
    left = [f for f in Cache(tmp_path / "cache").info() if f.kind == "cells"]
    assert [(f.entries, f.stale) for f in left] == [(1, None)]
    again = run_config(_config(tmp_path, models=("naive",)))
    assert _cached(again) == {"sales/naive": True}


def test_a_forged_fingerprint_description_is_stale(tmp_path: Path) -> None:
    run_config(_config(tmp_path))
    (folder,) = [f for f in Cache(tmp_path / "cache").info() if f.kind == "cells"]
    described = json.loads((folder.path / "fingerprint.json").read_text())
    described["code"]["libraries"]["numpy"] = "0.1"
    (folder.path / "fingerprint.json").write_text(json.dumps(described))
    (again,) = [f for f in Cache(tmp_path / "cache").info() if f.kind == "cells"]
    assert again.stale == "fingerprint.json does not verify"


def test_cache_info_on_a_folder_that_does_not_exist_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cache", "info", "--cache-dir", str(tmp_path / "none")]) == 0
    assert "no cache yet" in capsys.readouterr().out


# -- what is stored: never a result a retry could change ----------------------------------------


def _long_file(tmp_path: Path) -> CsvDataset:
    rows = ["id,y"] + [
        f"{sid},{(i * 7 + k) % 11}" for k, sid in enumerate("abc") for i in range(30)
    ]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    return CsvDataset(path=str(path), target="y", id="id", test_size=5, name="long")


def _failing_series(monkeypatch: pytest.MonkeyPatch, series: str, error: Exception) -> None:
    real = backtest_module.backtest

    def failing(model: object, ds: object, **kw: object) -> object:
        if ds.series == series:  # type: ignore[attr-defined]
            raise error
        return real(model, ds, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(backtest_module, "backtest", failing)


@pytest.mark.parametrize(
    "error",
    [MemoryError(), TimeoutError("the cell ran past its time")],
    ids=["out-of-memory", "timeout"],
)
def test_a_collection_cell_with_a_series_out_of_memory_or_time_is_retried_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    config = _config(tmp_path, datasets=(), csv=(_long_file(tmp_path),), models=("naive",))
    _failing_series(monkeypatch, "b", error)
    first = run_config(config)
    assert first.exit_code == 3
    assert first.manifest["cells"][0]["series_failed"].keys() == {"b"}
    assert _entries(tmp_path / "cache") == []
    monkeypatch.undo()
    again = run_config(config)
    assert again.exit_code == 0
    assert _cached(again) == {"long/naive": False}
    assert set(again.forecasts["series"]) == {"a", "b", "c"}


def test_a_deterministic_series_failure_is_stored_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, datasets=(), csv=(_long_file(tmp_path),), models=("naive",))
    _failing_series(monkeypatch, "b", ValueError("the fit cannot work on this series"))
    run_config(config)
    again = run_config(config)
    assert _cached(again) == {"long/naive": True}
    failed = again.manifest["cells"][0]["series_failed"]
    assert failed == {"b": "ValueError: the fit cannot work on this series"}
    assert again.exit_code == 3


def test_an_interrupted_run_stores_the_cells_it_finished_and_not_the_one_it_was_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backtest_module.backtest

    def interrupted(model: object, ds: object, **kw: object) -> object:
        if type(model).__name__ == "Drift":
            raise KeyboardInterrupt
        return real(model, ds, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(backtest_module, "backtest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_config(_config(tmp_path))
    assert len(_entries(tmp_path / "cache")) == 1
    monkeypatch.undo()
    run = run_config(_config(tmp_path))
    assert _cached(run) == {"sales/naive": True, "sales/drift": False}
