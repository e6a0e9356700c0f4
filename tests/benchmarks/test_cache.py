"""The cache under hostile input: it cannot run code, cannot be lied to, and never stops a run."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

import shiftbench as sb
from shiftbench.benchmarks.cache import Cache, cell_identity, identity_key
from shiftbench.benchmarks.runner import plan_cells, resolve_datasets, run_config
from shiftbench.config import RunConfig
from shiftbench.datasets import load_dataset
from shiftbench.fingerprint import code_identity, fingerprint_id


def _config(tmp_path: Path, **kw: object) -> RunConfig:
    base = {
        "datasets": ("sales",),
        "models": ("naive", "drift"),
        "out": str(tmp_path / "runs"),
        "cache_dir": str(tmp_path / "cache"),
    }
    return RunConfig(**{**base, **kw})  # type: ignore[arg-type]


def _entry(tmp_path: Path, model: str = "naive") -> tuple[Path, dict[str, object]]:
    config = _config(tmp_path)
    cell = next(c for c in plan_cells(config, resolve_datasets(config)) if c.model == model)
    folder = tmp_path / "cache" / "cells" / fingerprint_id(cell.identity["code"])
    return folder / cell.key[:2] / f"{cell.key}.json", cell.identity


def _cached(run: sb.benchmarks.runner.RunResult) -> dict[str, bool]:  # type: ignore[name-defined]
    return {f"{c['dataset']}/{c['model']}": c["cached"] for c in run.manifest["cells"]}


class _Boom:
    """Unpickling this creates a file: what a planted pickle could do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.marker, "w"))


def test_a_planted_pickle_is_never_loaded(tmp_path: Path) -> None:
    path, _ = _entry(tmp_path)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Boom(str(marker)))
    path.parent.mkdir(parents=True)
    for name in (path.name, path.with_suffix(".pkl").name):  # today's and the old file name
        (path.parent / name).write_bytes(payload)
    run = run_config(_config(tmp_path))
    assert not marker.exists()
    assert _cached(run) == {"sales/naive": False, "sales/drift": False}
    assert json.loads(path.read_text())["format"] == 3  # overwritten with a real entry


def test_a_cached_figure_with_markup_is_never_inlined(tmp_path: Path) -> None:
    config = _config(tmp_path)
    first = sb.run(datasets=["sales"], models=["naive"], out=config.out, cache_dir=config.cache_dir)
    for entry in _figure_entries(tmp_path):
        data = json.loads(entry.read_text())
        data["payload"] = data["payload"].replace("<path", "<script>alert(1)</script><path", 1)
        entry.write_text(json.dumps(data))  # checksum now wrong: a miss
    again = sb.run(datasets=["sales"], models=["naive"], out=config.out, cache_dir=config.cache_dir)
    assert "<script" not in (again.path / "report.html").read_text()
    figures = sorted(p.name for p in (first.path / "figures").iterdir())
    assert figures
    for name in figures:  # drawn again, identical to the first drawing
        assert (again.path / "figures" / name).read_text() == (
            first.path / "figures" / name
        ).read_text()
    cache = Cache(tmp_path / "cache")
    for entry in _figure_entries(tmp_path):  # consistent forgeries (made with the key)
        data = json.loads(entry.read_text())
        forged = data["payload"].replace("<path", '<a href="https://x.test"><path', 1)
        cache._write("figures", entry.stem, data["identity"], forged)
    third = sb.run(datasets=["sales"], models=["naive"], out=config.out, cache_dir=config.cache_dir)
    assert "x.test" not in (third.path / "report.html").read_text()


def _figure_entries(tmp_path: Path) -> list[Path]:
    entries = [
        p for p in (tmp_path / "cache" / "figures").rglob("*.json") if p.name != "fingerprint.json"
    ]
    assert entries
    return entries


def test_the_same_data_under_a_second_name_is_its_own_cell(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("y\n" + "\n".join(str(v) for v in load_dataset("sales").y) + "\n")
    first = sb.run(
        datasets=[], csv=(_csv(data, "one"),), models=["naive"], out=str(tmp_path / "r"),
        cache_dir=str(tmp_path / "c"),
    )  # fmt: skip
    both = sb.run(
        datasets=[], csv=(_csv(data, "one"), _csv(data, "two")), models=["naive"],
        out=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"),
    )  # fmt: skip
    assert first.exit_code == both.exit_code == 0
    assert set(both.forecasts["dataset"]) == {"one", "two"}
    assert _cached(both) == {"one/naive": True, "two/naive": False}


def _csv(path: Path, name: str) -> object:
    from shiftbench.config import CsvDataset

    return CsvDataset(path=str(path), target="y", name=name, test_size=10)


def test_an_entry_copied_under_another_key_is_a_miss(tmp_path: Path) -> None:
    run_config(_config(tmp_path))
    naive, _ = _entry(tmp_path, "naive")
    drift, _ = _entry(tmp_path, "drift")
    drift.write_bytes(naive.read_bytes())
    run = run_config(_config(tmp_path))
    assert _cached(run) == {"sales/naive": True, "sales/drift": False}
    assert set(run.forecasts["model"]) == {"naive", "drift"}


def test_a_forged_entry_is_a_miss(tmp_path: Path) -> None:
    first = run_config(_config(tmp_path))
    path, _ = _entry(tmp_path)
    entry = json.loads(path.read_text())
    entry["payload"]["metrics"] = [[s, k, 0.0] for s, k, _ in entry["payload"]["metrics"]]
    path.write_text(json.dumps(entry))
    run = run_config(_config(tmp_path))
    assert _cached(run)["sales/naive"] is False
    mse = run.metrics.query("model == 'naive' and metric == 'mse'")["value"].iloc[0]
    assert mse == first.metrics.query("model == 'naive' and metric == 'mse'")["value"].iloc[0]
    assert mse == pytest.approx(1125.1)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"",
        b"1e999999",
        b"[" * 100_000,
        b'{"format": 3, "hmac": 12345678901234567890123456789012345678901234567890}',
        b'{"format": 3, "identity": null, "payload": null, "hmac": null}',
        b"null",
        b'"\\ud800"',
    ],
    ids=["bytes", "empty", "overflow", "deep", "big-int", "nulls", "null", "surrogate"],
)
def test_unreadable_entries_are_misses_never_errors(tmp_path: Path, content: bytes) -> None:
    path, identity = _entry(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    cache = Cache(tmp_path / "cache")
    assert cache.get(path.stem, identity) is None  # type: ignore[arg-type]
    run = run_config(_config(tmp_path))
    assert run.exit_code == 0
    assert _cached(run)["sales/naive"] is False


def test_a_valid_entry_with_a_wrong_shape_is_a_miss(tmp_path: Path) -> None:
    """A well-formed entry with a recomputed checksum but a forecast column of the wrong length."""
    run_config(_config(tmp_path))
    path, identity = _entry(tmp_path)
    entry = json.loads(path.read_text())
    entry["payload"]["forecasts"]["y_hat"].pop()
    cache = Cache(tmp_path / "cache")
    cache._write("cells", path.stem, identity, entry["payload"])  # a consistent forgery
    assert cache.get(path.stem, identity) is None  # type: ignore[arg-type]


def test_identity_names_the_dataset_and_every_setting() -> None:
    ds = load_dataset("sales")
    code = code_identity()
    base = cell_identity(ds, "naive", {}, None, False, "1", code)
    same = cell_identity(ds, "naive", {}, None, False, "1", code_identity())
    assert identity_key(base) == identity_key(same)
    assert base["dataset"]["name"] == "sales"  # type: ignore[index]
    renamed = cell_identity(replace(ds, name="other"), "naive", {}, None, False, "1", code)
    assert identity_key(renamed) != identity_key(base)
    other_code = {**code, "shiftbench": "0" * 64}
    assert identity_key(cell_identity(ds, "naive", {}, None, False, "1", other_code)) != (
        identity_key(base)
    )


def test_a_file_where_the_cache_folder_should_be_warns_once_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    warned: list[str] = []
    run = run_config(_config(tmp_path), warn=warned.append)
    assert run.exit_code == 0
    assert len(warned) == 1
    assert "cannot write" in warned[0]
    assert str(blocker) in warned[0]
    assert run.manifest["warnings"] == warned
    assert set(run.forecasts["model"]) == {"naive", "drift"}


def test_a_failed_cache_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c", warn=lambda _: None)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "cells").write_text("in the way")
    path, identity = _entry(tmp_path)
    cache._write("cells", path.stem, identity, {"x": 1})  # type: ignore[arg-type]
    assert not cache.writable
    assert sorted(p.name for p in (tmp_path / "c").rglob("*")) == ["cells", "key"]
