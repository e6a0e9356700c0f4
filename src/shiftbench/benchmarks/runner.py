"""A run: the grid of (dataset, model, seed) cells, executed, then written as a run directory.

Everything that can be wrong with the inputs (config, names, data files, sizes) is checked before
the first cell starts, so a bad input never costs computed results. A failing cell is recorded and
the run goes on. The engine ends when the run directory is written (:mod:`shiftbench.rundir`);
rendering the reports is the caller's step (:func:`shiftbench.run`, ``shiftbench run``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench._version import __version__
from shiftbench.benchmarks.backtest import CellResult, run_cell
from shiftbench.benchmarks.cache import Cache, cell_identity, default_cache_dir, identity_key
from shiftbench.benchmarks.events import event_tables, run_event_cell
from shiftbench.benchmarks.executors import EXECUTORS, Lost, Options
from shiftbench.benchmarks.fingerprint import code_identity, fingerprint_id
from shiftbench.config import CsvDataset, RunConfig
from shiftbench.datasets import collection_subset, load_csv, load_dataset
from shiftbench.datasets.csvfile import check_covariates
from shiftbench.errors import DataError, InputError, ShiftbenchWarning
from shiftbench.evaluation.assess import (
    collection_aggregates,
    comparisons_table,
    seed_aggregates,
    shift_summary,
    shift_table,
)
from shiftbench.eventspec import EXCESS_HEAT_KEYS, check_event_fits
from shiftbench.models import ModelSpec
from shiftbench.rundir import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    METRIC_COLUMNS,
    RunData,
    RunFrames,
    build_manifest,
    environment,
    load_run,
    new_run_dir,
    write_run,
)
from shiftbench.types import (
    MIN_TRAIN,
    Collection,
    Dataset,
    Protocol,
    check_protocol_fits,
    collection_sha256,
    members_of,
)

Progress = Callable[[int, int, CellResult], None]
Starting = Callable[[int, int, str], None]

#: BLAS/OpenMP threads every cell runs with, whatever the executor, so that ``--jobs 1``,
#: ``--jobs N`` and Dask give byte-identical results (TensorFlow likewise runs one thread,
#: see :mod:`shiftbench.lstm.model`).
CELL_THREADS = 1


@dataclass(frozen=True)
class Cell:
    """One unit of work: a model and seed over a dataset's series (all of them, or a chunk of
    a collection's)."""

    dataset: str
    members: tuple[Dataset, ...]
    spec: ModelSpec
    seed: int | None
    all_points: bool = False
    key: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    chunk: int = 0
    #: seconds it may run before it is stopped (None: no limit)
    timeout: float | None = None

    @property
    def model(self) -> str:
        return self.spec.name


@dataclass
class RunResult:
    """A finished run: its run directory read back, and the cells as they were computed.

    ``forecasts``, ``metrics``, ``shift`` and ``comparisons`` are the frames of the files, as
    :func:`shiftbench.rundir.load_run` reads them (seeds as text).
    """

    run: RunData
    cells: list[CellResult] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.run.path

    @property
    def manifest(self) -> dict[str, Any]:
        return self.run.manifest

    @property
    def forecasts(self) -> pd.DataFrame:
        return self.run.forecasts

    @property
    def metrics(self) -> pd.DataFrame:
        return self.run.metrics

    @property
    def shift(self) -> pd.DataFrame:
        return self.run.shift

    @property
    def comparisons(self) -> pd.DataFrame:
        return self.run.comparisons

    @property
    def failed(self) -> list[CellResult]:
        return [c for c in self.cells if not c.ok]

    @property
    def series_failed(self) -> int:
        """How many series of collections failed inside otherwise finished cells."""
        return sum(len(c.series_failed) for c in self.cells if c.ok)

    @property
    def exit_code(self) -> int:
        """0 when every cell (and series) succeeded, 3 when some failed (docs/contract.md)."""
        return 3 if self.failed or self.series_failed else 0


def _apply_options(ds: Dataset, options: dict[str, Any], where: str = "") -> Dataset:
    """A dataset with the config's protocol options and season length applied and checked;
    ``where`` names the config table the options come from (for the error message)."""
    if not options:
        return ds
    protocol = _protocol(ds.protocol, options)
    check_protocol_fits(ds.label, len(ds), protocol)
    season = options.get("season_length", ds.season_length)
    if season < 1:
        raise DataError(f"dataset {ds.name!r}: season_length must be >= 1, got {season}")
    if "season_length" in options:
        _check_season(season, [ds], where or f"dataset.{ds.name}")
    return replace(ds, protocol=protocol, season_length=season)


def _protocol(base: Protocol, options: dict[str, Any]) -> Protocol:
    return Protocol(
        test_size=options.get("test_size", base.test_size),
        horizon=options.get("horizon", base.horizon),
        refit_every=options.get("refit_every", base.refit_every),
        lstm_window=options.get("lstm_window", base.lstm_window),
    )


def _check_season(season: int, members: list[Dataset], where: str) -> None:
    """A season length set in the config fits two seasons into every series."""
    shortest = min(members, key=len)
    if season > len(shortest) // 2:
        raise DataError(
            f"{where}.season_length: {season} is more than half the series ({shortest.label}: "
            f"{len(shortest)} points hold fewer than two seasons; at most {len(shortest) // 2})"
        )


def _fits(n: int, protocol: Protocol) -> bool:
    """Whether a protocol fits a series of ``n`` points (:func:`check_protocol_fits`)."""
    n_test = protocol.n_test(n)
    return max(1, protocol.horizon) <= n_test and n - n_test >= MIN_TRAIN


def _apply_collection(col: Collection, options: dict[str, Any], where: str = "") -> Collection:
    """A collection's protocol options, subset and ``min_length`` applied to its members.

    Decided per series from its length alone (one protocol per distinct member protocol), so a
    collection of hundreds of thousands of series costs milliseconds; what is dropped is said
    in one warning line.
    """
    members = list(col.members)
    subset = options.get("subset")
    if subset is not None:
        wanted = set(collection_subset(col.name, subset))
        members = [m for m in members if m.series_id in wanted]
    protocol_options = {k: v for k, v in options.items() if k not in ("subset", "min_length")}
    min_length = options.get("min_length")
    season = protocol_options.get("season_length")
    if season is not None and season < 1:
        raise DataError(f"dataset {col.name!r}: season_length must be >= 1, got {season}")
    protocols: dict[Protocol, Protocol] = {}
    kept: list[Dataset] = []
    gone: list[Dataset] = []
    for member in members:
        protocol = protocols.get(member.protocol)
        if protocol is None:
            protocol = protocols.setdefault(
                member.protocol, _protocol(member.protocol, protocol_options)
            )
        n = len(member)
        if (min_length is not None and n < min_length) or not _fits(n, protocol):
            if min_length is None:
                try:
                    check_protocol_fits(member.label, n, protocol)
                except DataError as exc:
                    hint = f" (or set min_length for [dataset.{col.name}])"
                    raise DataError(f"{exc}{hint}") from None
            gone.append(member)
            continue
        kept.append(member if not protocol_options else replace(
            member, protocol=protocol, season_length=member.season_length if season is None
            else season,
        ))  # fmt: skip
    if not kept:
        raise DataError(f"dataset {col.name!r}: no series left to benchmark")
    if season is not None:
        _check_season(season, kept, where or f"dataset.{col.name}")
    if gone:
        warnings.warn(
            f"dataset {col.name!r}: dropped {len(gone)} of {len(members)} series shorter than "
            f"min_length {min_length} or too short for the protocol (the shortest has "
            f"{min(len(m) for m in gone)} points); their ids are in the manifest "
            "(dropped_series)",
            ShiftbenchWarning,
            stacklevel=2,
        )
    first = kept[0]
    return replace(
        col,
        members=tuple(kept),
        protocol=first.protocol,
        season_length=first.season_length,
        sha256=collection_sha256(kept),
        dropped=(*col.dropped, *(m.series_id for m in gone)),
    )


def _load_csv(spec: CsvDataset) -> Dataset | Collection:
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
        id_column=spec.id,
        min_length=spec.min_length,
    )


def resolve_datasets(config: RunConfig) -> list[Dataset | Collection]:
    """Load every selected dataset with the config's protocol overrides applied, then check
    what depends on the final protocol: a user file's covariates against the target's future
    (:func:`~shiftbench.datasets.csvfile.check_covariates`) and every event question."""
    loaded: list[Dataset | Collection] = [load_dataset(name) for name in config.datasets]
    user = {spec.dataset_name for spec in config.csv}
    loaded += [_load_csv(spec) for spec in config.csv]
    out: list[Dataset | Collection] = []
    loaded = [_with_event(ds, config.events.get(ds.name)) for ds in loaded]
    for ds in loaded:
        own = config.dataset_options.get(ds.name, {})
        options = {**config.protocol, **own}
        where = f"dataset.{ds.name}" if "season_length" in own else "protocol"
        if isinstance(ds, Collection):
            resolved: Dataset | Collection = _apply_collection(ds, options, where)
        else:
            for key in ("subset", "min_length"):
                if key in options:
                    raise DataError(f"dataset.{ds.name}.{key}: {ds.name!r} is a single series")
            resolved = _apply_options(ds, options, where)
        members = list(members_of(resolved))
        if ds.name in user:
            check_covariates(members, max(m.protocol.horizon for m in members), ds.name)
        if members[0].event is not None:
            check_event_fits(members, members[0].event, f"event.{ds.name}")
        out.append(resolved)
    return out


def _with_event(ds: Dataset | Collection, table: dict[str, Any] | None) -> Dataset | Collection:
    """A dataset with its event question: the config's ``[event.NAME]`` over the dataset's own
    (``ehi`` has one), on every series of a collection."""
    if table is None:
        return ds
    from dataclasses import asdict

    from shiftbench.eventspec import EventSpec

    base = asdict(ds.event) if isinstance(ds.event, EventSpec) else {}
    try:
        spec = EventSpec(**{**base, **table})
        spec.check(f"event.{ds.name}")
    except (TypeError, ValueError) as exc:
        raise DataError(str(exc)) from None
    given = next((k for k in EXCESS_HEAT_KEYS if k in table), None)
    if spec.kind == "bins" and given is not None:
        raise DataError(
            f"event.{ds.name}.{given}: a key of excess-heat questions; this question is bins"
        )
    if isinstance(ds, Collection):
        members = tuple(replace(m, event=spec) for m in ds.members)
        return replace(ds, members=members, event=spec)
    return replace(ds, event=spec)


def _chunks(members: tuple[Dataset, ...], size: int) -> list[tuple[Dataset, ...]]:
    return [members[i : i + size] for i in range(0, len(members), size)]


def plan_cells(
    config: RunConfig,
    datasets: list[Dataset | Collection],
    specs: dict[str, ModelSpec] | None = None,
) -> list[Cell]:
    """The grid in report order: dataset, then model, then seed (seeded models only); a
    collection's cell is split into chunks of at most ``chunk_size`` series, so that workers
    share it.

    Each cell carries its model's spec (``specs``: by default the config's), its time limit
    (the model's ``timeout``, else the run's), and its cache key (see
    :mod:`shiftbench.benchmarks.cache`), which includes the fingerprint of the code that
    computes it (:func:`model_code`).
    """
    specs = specs if specs is not None else config.model_specs()
    cells = []
    codes = {name: model_code(specs[name]) for name in config.models}
    for ds in datasets:
        for name in config.models:
            spec = specs[name]
            members = members_of(ds)
            if spec.refit_every is not None:  # the model's own re-estimation schedule
                members = tuple(
                    m.with_protocol(replace(m.protocol, refit_every=spec.refit_every))
                    for m in members
                )
            seeded = spec.capabilities.seeded
            seeds: tuple[int | None, ...] = tuple(config.seeds) if seeded else (None,)
            timeout = spec.timeout if spec.timeout is not None else config.timeout
            for seed in seeds:
                full = spec.resolved_params(
                    members[0], {"seed": seed} if seeded and seed is not None else {}
                )
                if spec.capabilities.family == "event":
                    if members[0].event is None:
                        raise DataError(
                            f"model {name!r}: dataset {ds.name!r} has no event question; "
                            f"define one in the config ([event.{ds.name}]) or leave the model out"
                        )
                    # the definition decides what an event classifier learns: part of its key
                    full = {**full, "event": dataclasses.asdict(members[0].event)}
                for chunk, part in enumerate(_chunks(members, config.chunk_size)):
                    identity = cell_identity(
                        part, name, full, seed, config.mse_all_points, __version__, codes[name]
                    )
                    cells.append(
                        Cell(
                            ds.name,
                            part,
                            spec,
                            seed,
                            config.mse_all_points,
                            identity_key(identity),
                            identity,
                            chunk,
                            timeout,
                        )
                    )
    return cells


def model_code(spec: ModelSpec) -> dict[str, Any]:
    """The fingerprint of the code behind a model's cells: shiftbench's source, the numerical
    libraries and the model's own ``dependencies``, and for a model defined outside shiftbench
    the source of its module (:mod:`shiftbench.benchmarks.fingerprint`)."""
    cls = spec.cls()
    module = cls.__module__
    outside = module != "shiftbench" and not module.startswith("shiftbench.")
    dependencies = getattr(cls, "dependencies", ())
    return code_identity(
        dependencies if isinstance(dependencies, tuple) else (), (module,) if outside else ()
    )


def code_entry(specs: dict[str, ModelSpec]) -> dict[str, Any]:
    """What the manifest records of the code behind a run: the sha256 of shiftbench's source
    and each model's fingerprint (the library versions are in ``versions``)."""
    return {
        "shiftbench_sha256": code_identity()["shiftbench"],
        "fingerprints": {name: fingerprint_id(model_code(spec)) for name, spec in specs.items()},
    }


def compute_cell(cell: Cell) -> CellResult:
    """Run one cell under :data:`CELL_THREADS` BLAS/OpenMP threads, in whatever process."""
    from threadpoolctl import threadpool_limits

    event = cell.spec.capabilities.family == "event"
    with threadpool_limits(limits=CELL_THREADS):
        if event:
            result = run_event_cell(cell.members, cell.spec, {}, cell.seed, chunk=cell.chunk)
            result.key = cell.key
            return result
        result = run_cell(
            cell.members,
            cell.spec,
            {},
            cell.seed,
            all_points=cell.all_points,
            chunk=cell.chunk,
        )
    result.key = cell.key
    return result


def _describe(cell: Cell) -> str:
    seed = "" if cell.seed is None else f" seed {cell.seed}"
    part = (
        f" (chunk {cell.chunk + 1}, {len(cell.members)} series)" if cell.members[0].series else ""
    )
    return f"{cell.dataset} / {cell.model}{seed}{part}"


def expected_cost(cell: Cell) -> float:
    """A rough cost estimate for scheduling: series length times the model family's weight
    (training an LSTM and searching an ARIMA order cost about the same per point; baselines
    cost nothing)."""
    family = cell.spec.capabilities.family
    weight = 3.0 if family in ("neural", "statistical") else 0.01
    return weight * sum(len(m) for m in cell.members)


def dispatch_order(cells: list[Cell]) -> list[int]:
    """Longest expected first (LPT scheduling), ties in the planned order."""
    return sorted(range(len(cells)), key=lambda i: (-expected_cost(cells[i]), i))


def execute(
    cells: list[Cell],
    jobs: int,
    progress: Progress | None = None,
    starting: Starting | None = None,
    *,
    executor: str = "local",
    scheduler: str | None = None,
    cache: Cache | None = None,
) -> list[CellResult]:
    """Run the cells on an executor of :data:`~shiftbench.benchmarks.executors.EXECUTORS`;
    results keep the cells' order.

    Each successful cell is stored in ``cache`` the moment its result arrives, so a run killed
    part-way keeps it. ``starting(done, total, label)`` is called when a cell begins (where the
    executor can tell) and ``progress(done, total, result)`` when one finishes.
    """
    total = len(cells)
    finished: dict[int, CellResult] = {}
    parallel = executor != "local" or (jobs > 1 and total > 1)

    def started(i: int) -> None:
        if starting:
            starting(len(finished), total, _describe(cells[i]))

    if starting and parallel and cells:
        starting(0, total, f"{min(total, max(jobs, 1))} cells running")
    order = dispatch_order(cells) if parallel else list(range(total))
    stream: Iterator[tuple[int, Any]] = EXECUTORS[executor].run(
        compute_cell,
        cells,
        order,
        Options(jobs, scheduler, timeouts=tuple(c.timeout for c in cells)),
        started,
    )
    for i, outcome in stream:
        result = outcome
        if isinstance(outcome, Lost):
            cell = cells[i]
            result = CellResult(
                cell.dataset,
                cell.model,
                cell.seed,
                status="timed_out" if outcome.timed_out else "failed",
                error=outcome.reason,
                chunk=cell.chunk,
                transient=True,
            )
        finished[i] = result
        if cache is not None and result.ok:
            cache.put(cells[i].key, cells[i].identity, result)
        if progress:
            progress(len(finished), total, result)
        if starting and parallel and len(finished) < total:
            starting(len(finished), total, f"{total - len(finished)} cells left")
    return [finished[i] for i in range(total)]


def _frames(results: list[CellResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    forecast_parts = [r.forecasts for r in results if r.forecasts is not None]
    forecasts = (
        pd.concat(forecast_parts, ignore_index=True)
        if forecast_parts
        else pd.DataFrame(columns=list(FORECAST_COLUMNS))
    )
    rows = [
        {
            "dataset": r.dataset,
            "series": series,
            "model": r.model,
            "seed": r.seed,
            "metric": k,
            "value": v,
        }
        for r in results
        for series, values in r.metrics.items()
        for k, v in values.items()
    ]
    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    metrics["seed"] = metrics["seed"].astype("Int64")
    return forecasts, metrics


def _with_rows(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with rows appended (the event tests beside the forecast tests)."""
    if not rows:
        return frame
    extra = pd.DataFrame(rows, columns=list(frame.columns))
    extra["seed"] = extra["seed"].astype("Int64")
    return extra if frame.empty else pd.concat([frame, extra], ignore_index=True)


def _histories(results: list[CellResult]) -> pd.DataFrame:
    """Loss and validation loss per epoch of every trained network (one row per epoch)."""
    rows = []
    for r in results:
        fits: dict[str, int] = {}
        for series, history in r.histories:
            fit = fits.get(series, 0)
            fits[series] = fit + 1
            losses = history.get("loss", [])
            val = history.get("val_loss", [])
            for epoch, loss in enumerate(losses, start=1):
                rows.append(
                    {
                        "dataset": r.dataset,
                        "series": series,
                        "model": r.model,
                        "seed": r.seed,
                        "fit": fit,
                        "epoch": epoch,
                        "loss": loss,
                        "val_loss": val[epoch - 1] if epoch <= len(val) else math.nan,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    frame["seed"] = frame["seed"].astype("Int64")
    return frame


def _cell_entry(r: CellResult, collection: bool) -> dict[str, Any]:
    """A cell's manifest entry; for a single series, ``info`` is what its fit chose, for a
    collection's chunk it maps each series to that."""
    info: dict[str, Any] = r.info if collection else next(iter(r.info.values()), {})
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
        "info": info,
    }
    if collection:
        entry["chunk"] = r.chunk
        entry["n_series"] = len(r.metrics) + len(r.series_failed)
        entry["series_failed"] = r.series_failed
    return entry


def _run_with_cache(
    config: RunConfig,
    cells: list[Cell],
    progress: Progress | None,
    starting: Starting | None,
    warn: Callable[[str], None],
) -> list[CellResult]:
    """Reuse cached cells, compute the others, and return all in the cells' order."""
    root = cache_root(config)
    cache = None if root is None else Cache(root, warn=warn)
    found: dict[int, CellResult] = {}
    for i, cell in enumerate(cells):
        if cache is None or cell.model in config.rerun:
            continue
        hit = cache.get(cell.key, cell.identity)
        if hit is not None:
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
    computed = iter(
        execute(
            todo,
            config.jobs,
            shifted,
            shifted_start,
            executor=config.executor,
            scheduler=config.scheduler,
            cache=cache,
        )
    )
    return [found[i] if i in found else next(computed) for i in range(total)]


def cache_root(config: RunConfig) -> Path | None:
    """The cache folder a config asks for (None with ``--no-cache``)."""
    if not config.use_cache:
        return None
    return Path(config.cache_dir) if config.cache_dir else default_cache_dir()


def check_sizes(
    config: RunConfig,
    datasets: list[Dataset | Collection],
    specs: dict[str, ModelSpec] | None = None,
) -> None:
    """Every model's needs against every dataset (exit 2 before any cell runs): the training
    span its hyper-parameters need, what they cost in memory on these sizes (the model's
    ``check_sizes``), and a season length set for it that fits two seasons into the series.

    A collection is checked on its shortest and longest training spans (per distinct protocol
    and season length), which decide every bound, so a collection of any size costs as much to
    check as one series.
    """
    specs = specs if specs is not None else config.model_specs()
    for ds in datasets:
        members = _extremes(members_of(ds))
        for name in config.models:
            spec = specs[name]
            params = dict(spec.params)
            for member in members:
                spec.check_fits(member)
                n = len(member)
                n_train = n - member.protocol.n_test(n)
                try:
                    spec.build(member).check_sizes(n_train, len(member.covariates))
                except ValueError as exc:
                    raise DataError(
                        f"model.{name}.{exc} (dataset {member.label}: {n_train} training points)"
                    ) from None
            season = params.get("season_length")
            if isinstance(season, int) and not isinstance(season, bool):
                _check_season(season, members, f"model.{name}")


def _extremes(members: tuple[Dataset, ...]) -> list[Dataset]:
    """The members with the fewest and the most training points, per distinct protocol and
    season length."""
    low: dict[tuple[Protocol, int], tuple[int, Dataset]] = {}
    high: dict[tuple[Protocol, int], tuple[int, Dataset]] = {}
    for member in members:
        key = (member.protocol, member.season_length)
        n = len(member)
        n_train = n - member.protocol.n_test(n)
        if key not in low or n_train < low[key][0]:
            low[key] = (n_train, member)
        if key not in high or n_train > high[key][0]:
            high[key] = (n_train, member)
    picked = [m for _, m in low.values()] + [m for _, m in high.values()]
    return list({id(m): m for m in picked}.values())


def model_entries(specs: dict[str, ModelSpec]) -> dict[str, dict[str, Any]]:
    """What the manifest records of each model: its summary, capabilities and origin, and for
    a model that is not built in, its class, its parameters and the source of its module."""
    out = {}
    for name, spec in specs.items():
        caps = spec.capabilities
        entry: dict[str, Any] = {
            "summary": spec.describe(),
            "capabilities": {
                "covariates": caps.covariates,
                "variance": caps.variance,
                "seeded": caps.seeded,
                "family": caps.family,
            },
            "origin": spec.origin,
        }
        if not spec.builtin:
            code = model_code(spec)
            entry["class"] = spec.target
            entry["params"] = dict(spec.params)
            entry["module_sources"] = code["modules"]
        out[name] = entry
    return out


def check_out_dir(out: Path) -> Path:
    """Make sure run directories can be created under ``out`` before any cell runs.

    Folders created only to check are removed again, so a run that stops before writing leaves
    nothing behind. Raises :class:`InputError` naming the folder when it cannot be written.
    """
    created: list[Path] = []
    probe = None
    try:
        missing = [p for p in (out, *out.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        if not out.is_dir():
            raise InputError(f"out {str(out)!r}: not a folder")
        fd, name = tempfile.mkstemp(prefix=".shiftbench-probe-", dir=out)
        os.close(fd)
        probe = Path(name)
    except OSError as exc:
        raise InputError(f"out {str(out)!r}: cannot write there ({exc.strerror or exc})") from None
    finally:
        if probe is not None:
            probe.unlink(missing_ok=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
    return out


def _print_warning(text: str) -> None:
    print(f"shiftbench: warning: {text}", file=sys.stderr)


def run_config(
    config: RunConfig,
    *,
    progress: Progress | None = None,
    starting: Starting | None = None,
    command: list[str] | None = None,
    warn: Callable[[str], None] = _print_warning,
) -> RunResult:
    """Run a validated config and write its run directory (no reports: see
    :func:`shiftbench.reports.render.render_reports`).

    Everything that can be checked is checked before the first cell; the run directory is
    created only when its files are written, so a run that stops earlier leaves none. Warnings
    (a cache that cannot be written) go to ``warn`` and into the manifest.
    """
    run_warnings: list[str] = []

    def warned(text: str) -> None:
        run_warnings.append(text)
        warn(text)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ShiftbenchWarning)
        datasets = resolve_datasets(config)
    for message in caught:
        if issubclass(message.category, ShiftbenchWarning):
            warned(str(message.message))
    specs = config.model_specs()
    check_sizes(config, datasets, specs)
    cells = plan_cells(config, datasets, specs)
    out = check_out_dir(Path(config.out))

    started = dt.datetime.now(dt.UTC)
    config_hash = config.sha256()
    results = _run_with_cache(config, cells, progress, starting, warned)
    finished = dt.datetime.now(dt.UTC)
    forecasts, metrics = _frames(results)
    by_series = {(m.name, m.series_id): m for ds in datasets for m in members_of(ds)}
    collections = {ds.name for ds in datasets if isinstance(ds, Collection)}
    seeded = {name for name in config.models if specs[name].capabilities.seeded}
    shift = shift_table(forecasts, by_series)
    event_frames = [r.events for r in results if r.events is not None]
    events = confusion = event_shift = None
    event_comparisons: list[dict[str, Any]] = []
    if any(m.event is not None for m in by_series.values()):
        events, point_metrics, confusion, event_comparisons, event_shift = event_tables(
            forecasts, event_frames, by_series
        )
        if point_metrics:
            extra = pd.DataFrame(point_metrics, columns=list(METRIC_COLUMNS))
            extra["seed"] = extra["seed"].astype("Int64")
            metrics = pd.concat([metrics, extra], ignore_index=True)
    if collections:
        metrics = pd.concat(
            [metrics, collection_aggregates(metrics, collections)], ignore_index=True
        )
    if seeded:
        metrics = pd.concat(
            [metrics.astype({"seed": "object"}), seed_aggregates(metrics, seeded)],
            ignore_index=True,
        )
    frames = RunFrames(
        forecasts=forecasts,
        metrics=metrics,
        shift=shift,
        comparisons=_with_rows(comparisons_table(forecasts, by_series), event_comparisons),
        shift_summary=shift_summary(shift, seeded, collections)
        if (seeded or collections)
        else None,
        history=_histories(results),
        events=events,
        confusion=confusion,
        event_shift=event_shift,
    )
    try:
        run_dir = new_run_dir(out, config_hash, started)
        manifest = build_manifest(
            run_id=run_dir.name,
            started=started,
            finished=finished,
            command=command,
            config=config.to_dict(),
            config_sha256=config_hash,
            datasets=datasets,
            models=model_entries(specs),
            seeds=config.seeds,
            environment={
                **environment(config.seeds, bool(seeded), CELL_THREADS),
                "code": code_entry(specs),
            },
            cells=[_cell_entry(r, r.dataset in collections) for r in results],
            warnings=run_warnings,
        )
        write_run(run_dir, manifest, frames)
    except OSError as exc:
        raise DataError(
            f"out {str(out)!r}: cannot write the run directory ({exc.strerror or exc}); "
            "the computed cells are in the cache: run the same command again"
        ) from None
    return RunResult(load_run(run_dir), results)


__all__ = [
    "RunResult",
    "cache_root",
    "execute",
    "plan_cells",
    "resolve_datasets",
    "run_config",
]
