"""A run: the grid of (dataset, model, seed) cells, executed, then written as a run directory.

Everything that can be wrong with the inputs (config, names, data files, sizes) is checked before
the first cell starts, so a bad input never costs computed results. A failing cell is recorded and
the run goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.benchmarks.assess import (
    comparisons_table,
    seed_aggregates,
    shift_summary,
    shift_table,
)
from shiftbench.benchmarks.backtest import FORECAST_COLUMNS, CellResult, run_cell
from shiftbench.benchmarks.cache import Cache, cell_key, default_cache_dir
from shiftbench.benchmarks.config import CsvDataset, RunConfig
from shiftbench.datasets import load_csv, load_dataset
from shiftbench.errors import DataError, InputError
from shiftbench.models import get_model
from shiftbench.types import Dataset, Protocol, check_protocol_fits

METRIC_COLUMNS: tuple[str, ...] = ("dataset", "model", "seed", "metric", "value")
Progress = Callable[[int, int, CellResult], None]
Starting = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Cell:
    """One unit of work."""

    dataset: Dataset
    model: str
    params: dict[str, Any]
    seed: int | None
    all_points: bool = False
    key: str = ""
    cache_root: str | None = None


@dataclass
class RunResult:
    """A finished run: where it was written and what it holds."""

    path: Path
    manifest: dict[str, Any]
    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    cells: list[CellResult] = field(default_factory=list)
    shift: pd.DataFrame | None = None
    comparisons: pd.DataFrame | None = None

    @property
    def failed(self) -> list[CellResult]:
        return [c for c in self.cells if not c.ok]

    @property
    def exit_code(self) -> int:
        """0 when every cell succeeded, 3 when some failed (CONTRACT.md)."""
        return 3 if self.failed else 0


def _apply_options(ds: Dataset, options: dict[str, Any]) -> Dataset:
    if not options:
        return ds
    proto = ds.protocol
    protocol = Protocol(
        test_size=options.get("test_size", proto.test_size),
        horizon=options.get("horizon", proto.horizon),
        refit_every=options.get("refit_every", proto.refit_every),
        lstm_window=options.get("lstm_window", proto.lstm_window),
    )
    check_protocol_fits(ds.name, len(ds), protocol)
    season = options.get("season_length", ds.season_length)
    if season < 1:
        raise DataError(f"dataset {ds.name!r}: season_length must be >= 1, got {season}")
    out = ds.with_protocol(protocol)
    if season != ds.season_length:
        out = Dataset(**{**out.__dict__, "season_length": season})
    return out


def _load_csv(spec: CsvDataset) -> Dataset:
    return load_csv(
        spec.path,
        spec.target,
        date=spec.date,
        exog=spec.exog,
        known_ahead=spec.known_ahead,
        name=spec.dataset_name,
        test_size=spec.test_size,
        horizon=spec.horizon,
        season_length=spec.season_length,
        lstm_window=spec.lstm_window,
    )


def resolve_datasets(config: RunConfig) -> list[Dataset]:
    """Load every selected dataset with the config's protocol overrides applied."""
    loaded = [load_dataset(name) for name in config.datasets]
    loaded += [_load_csv(spec) for spec in config.csv]
    return [
        _apply_options(ds, {**config.protocol, **config.dataset_options.get(ds.name, {})})
        for ds in loaded
    ]


def plan_cells(config: RunConfig, datasets: list[Dataset]) -> list[Cell]:
    """The grid in report order: dataset, then model, then seed (seeded models only).

    Each cell carries its cache key (see :mod:`shiftbench.benchmarks.cache`).
    """
    from shiftbench import __version__

    cache_root = None
    if config.use_cache:
        cache_root = str(Path(config.cache_dir) if config.cache_dir else default_cache_dir())
    cells = []
    for ds in datasets:
        for name in config.models:
            spec = get_model(name)
            params = dict(config.model_params.get(name, {}))
            model_ds = ds
            if "refit_every" in params:  # the model's own re-estimation schedule
                refit = params.pop("refit_every")
                model_ds = ds.with_protocol(replace(ds.protocol, refit_every=refit))
            seeds: tuple[int | None, ...] = (
                tuple(config.seeds) if spec.capabilities.seeded else (None,)
            )
            for seed in seeds:
                resolved = dict(params)
                if spec.capabilities.seeded and seed is not None:
                    resolved["seed"] = seed
                full = spec.build(model_ds, resolved).get_params()
                key = cell_key(model_ds, name, full, seed, config.mse_all_points, __version__)
                cells.append(
                    Cell(model_ds, name, params, seed, config.mse_all_points, key, cache_root)
                )
    return cells


def _execute(cell: Cell) -> CellResult:
    """Run one cell and, if it succeeded, store it in the cache at once (crash safety)."""
    result = run_cell(cell.dataset, cell.model, cell.params, cell.seed, all_points=cell.all_points)
    result.key = cell.key
    if cell.cache_root and result.ok:
        Cache(cell.cache_root).put(cell.key, result)
    return result


def _describe(cell: Cell) -> str:
    seed = "" if cell.seed is None else f" seed {cell.seed}"
    return f"{cell.dataset.name} / {cell.model}{seed}"


def _worker_threads(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // jobs)


def expected_cost(cell: Cell) -> float:
    """A rough cost estimate for scheduling: series length times a per-model weight.

    Training an LSTM and searching an ARIMA order cost about the same per point; baselines
    cost nothing; ``arima_garch`` reuses the order search of ``arima`` on the same span, so it
    is scheduled after it.
    """
    if cell.model == "arima_garch":
        weight = 0.2
    else:
        family = get_model(cell.model).capabilities.family
        weight = 3.0 if family in ("neural", "statistical") else 0.01
    return weight * len(cell.dataset)


def dispatch_order(cells: list[Cell]) -> list[int]:
    """Longest expected first (LPT scheduling), ties in the planned order."""
    return sorted(range(len(cells)), key=lambda i: (-expected_cost(cells[i]), i))


def _indexed(i: int, cell: Cell) -> tuple[int, CellResult]:
    return i, _execute(cell)


def _run_parallel(cells: list[Cell], jobs: int) -> Iterator[tuple[int, CellResult]]:
    """Cells in ``jobs`` loky worker processes, longest first; (index, result) as they finish.

    Each worker's BLAS/OpenMP pools are limited to cpu_count // jobs threads (TensorFlow always
    runs single-threaded, see :mod:`shiftbench.lstm.model`), so workers do not oversubscribe.
    """
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="loky", inner_max_num_threads=_worker_threads(jobs)):
        parallel = Parallel(n_jobs=jobs, batch_size=1, return_as="generator_unordered")
        yield from parallel(delayed(_indexed)(i, cells[i]) for i in dispatch_order(cells))


def _run_dask(cells: list[Cell], scheduler: str) -> Iterator[tuple[int, CellResult]]:
    """Cells on an existing Dask distributed cluster, longest first; (index, result) pairs.

    Workers need shiftbench installed. The cache is written here, by the client, since workers
    may not share its file system.
    """
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--executor dask needs the optional extra: pip install 'shiftbench[dask]'"
        ) from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    try:
        order = dispatch_order(cells)
        remote = [replace(cells[i], cache_root=None) for i in order]
        futures = client.map(_execute, remote, pure=False)
        for i, future in zip(order, futures, strict=True):
            result: CellResult = future.result()
            if cells[i].cache_root and result.ok:
                Cache(str(cells[i].cache_root)).put(cells[i].key, result)
            yield i, result
    finally:
        client.close()


def execute(
    cells: list[Cell],
    jobs: int,
    progress: Progress | None = None,
    starting: Starting | None = None,
    *,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[CellResult]:
    """Run the cells serially, in ``jobs`` processes, or on a Dask cluster; results keep the
    cells' order.

    ``starting(done, total, cell)`` is called when a cell (the next one, in parallel runs) begins;
    ``progress(done, total, result)`` when one finishes.
    """
    results: list[CellResult] = []
    total = len(cells)
    if executor == "dask" and scheduler:
        stream: Iterator[tuple[int, CellResult]] | None = _run_dask(cells, scheduler)
    elif jobs > 1 and total > 1:
        stream = _run_parallel(cells, jobs)
    else:
        stream = None
    if stream is None:
        for cell in cells:
            if starting:
                starting(len(results), total, _describe(cell))
            results.append(_execute(cell))
            if progress:
                progress(len(results), total, results[-1])
        return results
    if starting and cells:
        starting(0, total, f"{min(total, max(jobs, 1))} cells running")
    finished: dict[int, CellResult] = {}
    for i, result in stream:
        finished[i] = result
        if progress:
            progress(len(finished), total, result)
        if starting and len(finished) < total:
            starting(len(finished), total, f"{total - len(finished)} cells left")
    return [finished[i] for i in range(total)]


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in (
        "numpy",
        "pandas",
        "scipy",
        "statsmodels",
        "arch",
        "tensorflow",
        "keras",
        "scikit-learn",
        "shiftbench",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _new_run_dir(out: Path, config_hash: str, started: dt.datetime) -> Path:
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{config_hash[:8]}"
    out.mkdir(parents=True, exist_ok=True)
    for i in range(1000):
        candidate = out / (base if i == 0 else f"{base}-{i}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise DataError(f"{out}: cannot create a new run directory")


def _frames(results: list[CellResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    forecast_parts = [r.forecasts for r in results if r.forecasts is not None]
    forecasts = (
        pd.concat(forecast_parts, ignore_index=True)
        if forecast_parts
        else pd.DataFrame(columns=list(FORECAST_COLUMNS))
    )
    rows = [
        {"dataset": r.dataset, "model": r.model, "seed": r.seed, "metric": k, "value": v}
        for r in results
        for k, v in r.metrics.items()
    ]
    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    metrics["seed"] = metrics["seed"].astype("Int64")
    return forecasts, metrics


def _histories(results: list[CellResult]) -> pd.DataFrame:
    """Loss and validation loss per epoch of every trained network (one row per epoch)."""
    rows = []
    for r in results:
        for fit, history in enumerate(r.histories):
            losses = history.get("loss", [])
            val = history.get("val_loss", [])
            for epoch, loss in enumerate(losses, start=1):
                rows.append(
                    {
                        "dataset": r.dataset,
                        "model": r.model,
                        "seed": r.seed,
                        "fit": fit,
                        "epoch": epoch,
                        "loss": loss,
                        "val_loss": val[epoch - 1] if epoch <= len(val) else math.nan,
                    }
                )
    frame = pd.DataFrame(
        rows, columns=["dataset", "model", "seed", "fit", "epoch", "loss", "val_loss"]
    )
    frame["seed"] = frame["seed"].astype("Int64")
    return frame


def _cell_entry(r: CellResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "dataset": r.dataset,
        "model": r.model,
        "seed": r.seed,
        "status": r.status,
        "wall_time_s": r.wall_time_s,
        "cached": r.cached,
        "key": r.key,
        "error": r.error,
        "warnings": r.warnings,
    }
    entry["info"] = r.info
    return entry


def _run_with_cache(
    config: RunConfig, cells: list[Cell], progress: Progress | None, starting: Starting | None
) -> list[CellResult]:
    """Reuse cached cells, compute the others, and return all in the cells' order."""
    found: dict[int, CellResult] = {}
    for i, cell in enumerate(cells):
        if cell.cache_root is None or cell.model in config.rerun:
            continue
        hit = Cache(cell.cache_root).get(cell.key)
        if isinstance(hit, CellResult) and hit.ok:
            hit.cached = True
            found[i] = hit
    todo = [cell for i, cell in enumerate(cells) if i not in found]
    total = len(cells)
    done = 0

    def shifted(_: int, __: int, result: CellResult) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, result)

    def shifted_start(_: int, __: int, label: str) -> None:
        if starting:
            starting(done, total, label)

    for i in sorted(found):
        shifted(0, 0, found[i])
    roots = {cell.cache_root for cell in todo if cell.cache_root}
    if roots:  # worker processes share the ARIMA order searches through the cache folder
        os.environ["SHIFTBENCH_SEARCH_CACHE"] = str(Path(sorted(roots)[0]) / "searches")
    else:
        os.environ.pop("SHIFTBENCH_SEARCH_CACHE", None)
    computed = iter(
        execute(
            todo,
            config.jobs,
            shifted,
            shifted_start,
            executor=config.executor,
            scheduler=config.scheduler,
        )
    )
    return [found[i] if i in found else next(computed) for i in range(total)]


def run_config(
    config: RunConfig,
    *,
    progress: Progress | None = None,
    starting: Starting | None = None,
    command: list[str] | None = None,
) -> RunResult:
    """Run a validated config and write its run directory."""
    datasets = resolve_datasets(config)
    for ds in datasets:
        for name in config.models:
            params = {
                k: v for k, v in config.model_params.get(name, {}).items() if k != "refit_every"
            }
            get_model(name).check_fits(ds, params)
    cells = plan_cells(config, datasets)
    started = dt.datetime.now(dt.UTC)
    config_hash = config.sha256()
    run_dir = _new_run_dir(Path(config.out), config_hash, started)
    results = _run_with_cache(config, cells, progress, starting)
    finished = dt.datetime.now(dt.UTC)
    forecasts, metrics = _frames(results)
    by_name = {ds.name: ds for ds in datasets}
    seeded = {name for name in config.models if get_model(name).capabilities.seeded}
    shift = shift_table(forecasts, by_name)
    comparisons = comparisons_table(forecasts, by_name)
    if seeded:
        metrics = pd.concat(
            [metrics.astype({"seed": "object"}), seed_aggregates(metrics, seeded)],
            ignore_index=True,
        )
    manifest: dict[str, Any] = {
        "run_id": run_dir.name,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "command": command,
        "config": config.to_dict(),
        "config_sha256": config_hash,
        "datasets": {
            ds.name: {
                "sha256": ds.sha256,
                "length": len(ds),
                "frequency": ds.frequency,
                "season_length": ds.season_length,
                "source": ds.source,
                "protocol": {
                    "test_size": ds.protocol.test_size,
                    "n_test": ds.protocol.n_test(len(ds)),
                    "horizon": ds.protocol.horizon,
                    "refit_every": ds.protocol.refit_every,
                    "lstm_window": ds.protocol.lstm_window,
                },
                "observed_covariates": list(ds.observed),
                "known_ahead_covariates": list(ds.known_ahead),
            }
            for ds in datasets
        },
        "versions": _versions(),
        "platform": {
            "system": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
        },
        "git_commit": _git_commit(),
        "seeds": list(config.seeds),
        "determinism": {
            "seeds": list(config.seeds),
            "note": "classical models are deterministic; seeded models run once per seed",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
            "keras_set_random_seed": bool(seeded),
            "tf_op_determinism": bool(seeded),
        },
        "cells": [_cell_entry(r) for r in results],
        "status": "completed" if all(r.ok for r in results) else "completed_with_failures",
    }
    write_atomic(run_dir / "forecasts.csv", forecasts.to_csv(index=False, lineterminator="\n"))
    write_atomic(run_dir / "metrics.csv", metrics.to_csv(index=False, lineterminator="\n"))
    histories = _histories(results)
    if not histories.empty:
        write_atomic(
            run_dir / "training_history.csv", histories.to_csv(index=False, lineterminator="\n")
        )
    write_atomic(run_dir / "shift.csv", shift.to_csv(index=False, lineterminator="\n"))
    if seeded:
        summary = shift_summary(shift, seeded)
        write_atomic(
            run_dir / "shift_summary.csv", summary.to_csv(index=False, lineterminator="\n")
        )
    write_atomic(run_dir / "comparisons.csv", comparisons.to_csv(index=False, lineterminator="\n"))
    write_atomic(
        run_dir / "manifest.json",
        json.dumps(_finite(manifest), indent=2, default=_json_default, allow_nan=False) + "\n",
    )
    from shiftbench.reports.render import render_reports

    cache_root = cells[0].cache_root if cells else None
    render_reports(run_dir, cache_dir=cache_root)
    return RunResult(run_dir, manifest, forecasts, metrics, results, shift, comparisons)


def _finite(value: Any) -> Any:
    """JSON has no NaN or inf: they are written as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


__all__ = ["RunResult", "execute", "plan_cells", "resolve_datasets", "run_config"]
