"""From a config to the datasets of a run: registered and CSV datasets loaded, the config's
protocol, season length, subset, ``min_length`` and event question applied, and every model's
needs checked against every series (exit 2 before any cell runs, naming what does not fit)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from shiftbench.config import CsvDataset, RunConfig
from shiftbench.datasets import collection_subset, load_csv, load_dataset
from shiftbench.datasets.csvfile import check_covariates
from shiftbench.errors import DataError, InputError, ShiftbenchWarning
from shiftbench.eventspec import EXCESS_HEAT_KEYS, check_event_fits
from shiftbench.models import ModelSpec
from shiftbench.types import (
    MIN_TRAIN,
    Collection,
    Dataset,
    Protocol,
    check_origins,
    check_protocol_fits,
    collection_sha256,
    members_of,
)


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
        origins=options.get("origins", base.origins),
        horizon_bands=_bands(options.get("horizon_bands", base.horizon_bands)),
        intervals=options.get("intervals", base.intervals),
        calibration_size=options.get("calibration_size", base.calibration_size),
    )


def _bands(value: Any) -> tuple[tuple[int, int], ...] | None:
    """Horizon bands as the hashable pairs a protocol holds (TOML gives lists)."""
    return None if value is None else tuple((int(a), int(b)) for a, b in value)


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
        check_origins(col.name, n, protocol)
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
                if spec.refit_every and member.protocol.origins == "last":
                    raise DataError(
                        f"model.{name}.refit_every: {spec.refit_every} means nothing with "
                        f'origins = "last" on dataset {ds.name!r} (one origin, one fit)'
                    )
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
