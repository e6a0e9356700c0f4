"""The cell cache: a finished cell is stored under a key of everything that determines it.

A cell's *identity* is its dataset (name, sha256, series ids, covariate roles, season length),
its protocol, its model and every resolved hyper-parameter, its seed, whether
``mse_all_points`` is asked for, and the fingerprint of the code that computes it
(:mod:`shiftbench.fingerprint`); its key is the sha256 of the identity. The entries live in a
:class:`~shiftbench.store.Store` (JSON authenticated by the folder's secret; a damaged, forged,
planted or copied entry is a miss, never an error; the threat model is in docs/engine.md); on
top of the store's checks every field of a result is checked for type and shape here before it
is used.

Entries are written the moment a cell's result reaches the run's process, so a run killed
part-way keeps every cell it finished. Only successful cells are stored, and never one in which
a series failed for want of memory or time (:attr:`CellResult.transient`): the next run tries it
again.

The default location is ``$XDG_CACHE_HOME/shiftbench`` (``~/.cache/shiftbench``);
``SHIFTBENCH_CACHE_DIR``, the config key ``cache_dir`` or ``--cache-dir`` move it.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.benchmarks.backtest import CellResult
from shiftbench.rundir.schema import FORECAST_COLUMNS
from shiftbench.store import (
    CACHE_FORMAT,
    Store,
    canonical,
)
from shiftbench.types import Dataset, collection_sha256


def default_cache_dir() -> Path:
    """``$SHIFTBENCH_CACHE_DIR``, or ``$XDG_CACHE_HOME/shiftbench``, or ``~/.cache/shiftbench``."""
    explicit = os.environ.get("SHIFTBENCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shiftbench"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return repr(value)


def cell_identity(
    data: Dataset | Sequence[Dataset],
    model: str,
    resolved_params: dict[str, Any],
    seed: int | None,
    all_points: bool,
    version: str,
    code: dict[str, Any],
) -> dict[str, Any]:
    """Everything that determines one cell's result (a single series, or the chunk of a
    collection's series it backtests), as plain JSON data; ``code`` is the fingerprint of the
    code that computes it (:func:`shiftbench.fingerprint.code_identity`)."""
    members = (data,) if isinstance(data, Dataset) else tuple(data)
    ds = members[0]
    protocol = ds.protocol
    return {
        "format": CACHE_FORMAT,
        "shiftbench": version,
        "code": code,
        "dataset": {
            "name": ds.name,
            "sha256": ds.sha256 if len(members) == 1 else collection_sha256(members),
            "series": [m.series_id for m in members],
            "observed": list(ds.observed),
            "known_ahead": list(ds.known_ahead),
            "season_length": ds.season_length,
        },
        "protocol": {
            "test_size": protocol.test_size,
            "horizon": protocol.horizon,
            "refit_every": protocol.refit_every,
            "origins": protocol.origins,
            "horizon_bands": [list(band) for band in protocol.bands()],
            "intervals": protocol.intervals,
            "calibration_size": protocol.calibration_size,
        },
        "model": model,
        "params": _jsonable(resolved_params),
        "seed": seed,
        "mse_all_points": all_points,
    }


def identity_key(identity: dict[str, Any]) -> str:
    """The cache key of an identity (a sha256 hex digest)."""
    return hashlib.sha256(canonical(identity).encode("utf-8")).hexdigest()


def cell_key(
    ds: Dataset | Sequence[Dataset],
    model: str,
    resolved_params: dict[str, Any],
    seed: int | None,
    all_points: bool,
    version: str,
    code: dict[str, Any],
) -> str:
    """The cache key of one cell (see :func:`cell_identity`)."""
    return identity_key(cell_identity(ds, model, resolved_params, seed, all_points, version, code))


# -- a cell result as JSON data, and back with every field checked -------------------------------


class _InvalidEntryError(ValueError):
    """An entry that does not have the expected shape (always turned into a miss)."""


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InvalidEntryError(f"not a number: {value!r}")
    return float(value)


def _finite_or_none(values: Any) -> list[float | None]:
    return [None if not math.isfinite(float(v)) else float(v) for v in values]


def encode_result(result: CellResult) -> dict[str, Any]:
    """A successful cell's result as JSON data (the forecast frame, or an event classifier's
    events, column by column)."""
    if result.forecasts is None and result.events is None:
        raise ValueError("only cells with forecasts or events are cached")
    columns = None if result.forecasts is None else _encode_forecasts(result.forecasts)
    return {
        "wall_time_s": float(result.wall_time_s),
        "metrics": [  # in scoring order
            [series, k, float(v)]
            for series, values in result.metrics.items()
            for k, v in values.items()
        ],
        "info": result.info,
        "warnings": list(result.warnings),
        "histories": [[series, history] for series, history in result.histories],
        "series_failed": result.series_failed,
        "chunk": result.chunk,
        "forecasts": columns,
        **({"events": _encode_events(result.events)} if result.events is not None else {}),
    }


def _encode_forecasts(frame: pd.DataFrame) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {}
    for col in _STORED:
        values = frame[col].tolist()
        if col == "series":
            columns[col] = [str(v) for v in values]
        elif col in ("cutoff", "ds"):
            columns[col] = [v if isinstance(v, str) else int(v) for v in values]
        elif col == "h":
            columns[col] = [int(v) for v in values]
        else:
            columns[col] = _finite_or_none(values)
    return columns


#: The event columns an entry stores (dataset, model and seed come from its identity).
_EVENT_STORED: tuple[str, ...] = ("series", "ds", "actual", "predicted", "probability")


def _encode_events(frame: pd.DataFrame) -> dict[str, list[Any]]:
    return {
        "series": [str(v) for v in frame["series"]],
        "ds": [v if isinstance(v, str) else int(v) for v in frame["ds"]],
        "actual": [int(v) for v in frame["actual"]],
        "predicted": [int(v) for v in frame["predicted"]],
        "probability": _finite_or_none(frame["probability"]),
    }


def _decode_events(cols: Any, identity: dict[str, Any]) -> pd.DataFrame:
    """An event cell's rows from the cache, every field checked (``_InvalidEntryError``)."""
    if not isinstance(cols, dict) or set(cols) != set(_EVENT_STORED):
        raise _InvalidEntryError("event columns")
    lengths = {len(v) if isinstance(v, list) else -1 for v in cols.values()}
    if len(lengths) != 1 or lengths.pop() < 1:
        raise _InvalidEntryError("event columns of unequal or no length")
    for name in ("actual", "predicted"):
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in cols[name]):
            raise _InvalidEntryError(name)
    series = cols["series"]
    if not all(isinstance(v, str) for v in series) or not set(series) <= set(
        identity["dataset"]["series"]
    ):
        raise _InvalidEntryError("series")
    probability = [_number(v) for v in cols["probability"]]
    n = len(series)
    return pd.DataFrame(
        {
            "dataset": identity["dataset"]["name"],
            "series": series,
            "model": identity["model"],
            "seed": pd.array([identity["seed"]] * n, dtype="Int64"),
            "ds": _labels(cols["ds"]),
            "actual": np.asarray(cols["actual"], dtype=np.int64),
            "predicted": np.asarray(cols["predicted"], dtype=np.int64),
            "probability": np.asarray(probability, dtype=np.float64),
        }
    )


#: The forecast columns an entry stores (dataset, model and seed come from its identity).
_STORED: tuple[str, ...] = tuple(
    c for c in FORECAST_COLUMNS if c not in ("dataset", "model", "seed")
)
_NUMERIC: tuple[str, ...] = FORECAST_COLUMNS[FORECAST_COLUMNS.index("y") :]


def _nested_metrics(rows: list[list[Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for series, name, value in rows:
        out.setdefault(series, {})[name] = _number(value)
    return out


def _labels(values: Any) -> list[str | int]:
    if not isinstance(values, list):
        raise _InvalidEntryError("time labels are not a list")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise _InvalidEntryError(f"not a time label: {v!r}")
    return values


def decode_result(data: Any, identity: dict[str, Any], key: str) -> CellResult:
    """Rebuild a :class:`CellResult` from :func:`encode_result`'s data.

    Raises ``_InvalidEntryError`` on any field of the wrong type or shape."""
    if not isinstance(data, dict):
        raise _InvalidEntryError("the result is not an object")
    metrics = data.get("metrics")
    if not isinstance(metrics, list) or not all(
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and isinstance(row[1], str)
        for row in metrics
    ):
        raise _InvalidEntryError("metrics")
    failed = data.get("series_failed")
    if not isinstance(failed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in failed.items()
    ):
        raise _InvalidEntryError("series_failed")
    chunk = data.get("chunk")
    if isinstance(chunk, bool) or not isinstance(chunk, int):
        raise _InvalidEntryError("chunk")
    warns = data.get("warnings")
    if not isinstance(warns, list) or not all(isinstance(w, str) for w in warns):
        raise _InvalidEntryError("warnings")
    info = data.get("info")
    if not isinstance(info, dict):
        raise _InvalidEntryError("info")
    histories = data.get("histories")
    if not isinstance(histories, list):
        raise _InvalidEntryError("histories")
    for pair in histories:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], dict)
            and all(isinstance(k, str) and isinstance(v, list) for k, v in pair[1].items())
        ):
            raise _InvalidEntryError("histories")
    cols = data.get("forecasts")
    if cols is None and "events" in data:
        return CellResult(
            dataset=identity["dataset"]["name"],
            model=identity["model"],
            seed=identity["seed"],
            wall_time_s=_number(data.get("wall_time_s")),
            metrics=_nested_metrics(metrics),
            info=info,
            warnings=list(warns),
            histories=_histories(histories),
            series_failed=dict(failed),
            chunk=chunk,
            cached=True,
            key=key,
            events=_decode_events(data["events"], identity),
        )
    if not isinstance(cols, dict) or set(cols) != set(_STORED):
        raise _InvalidEntryError("forecast columns")
    lengths = {len(v) if isinstance(v, list) else -1 for v in cols.values()}
    if len(lengths) != 1 or lengths.pop() < 1:
        raise _InvalidEntryError("forecast columns of unequal or no length")
    h = cols["h"]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in h):
        raise _InvalidEntryError("h")
    numeric = {c: [_number(v) for v in cols[c]] for c in _NUMERIC}
    series = cols["series"]
    if not all(isinstance(v, str) for v in series) or not set(series) <= set(
        identity["dataset"]["series"]
    ):
        raise _InvalidEntryError("series")
    if not all(math.isfinite(v) for v in numeric["y_hat"] + numeric["y"]):
        raise _InvalidEntryError("non-finite forecast")
    n = len(h)
    seed = identity["seed"]
    frame = pd.DataFrame(
        {
            "dataset": identity["dataset"]["name"],
            "series": series,
            "model": identity["model"],
            "seed": pd.array([seed] * n, dtype="Int64"),
            "cutoff": _labels(cols["cutoff"]),
            "ds": _labels(cols["ds"]),
            "h": np.asarray(h, dtype=np.int64),
            **{c: np.asarray(numeric[c], dtype=np.float64) for c in _NUMERIC},
        }
    )
    return CellResult(
        dataset=identity["dataset"]["name"],
        model=identity["model"],
        seed=seed,
        wall_time_s=_number(data.get("wall_time_s")),
        forecasts=frame[list(FORECAST_COLUMNS)],
        metrics=_nested_metrics(metrics),
        info=info,
        warnings=list(warns),
        histories=_histories(histories),
        series_failed=dict(failed),
        chunk=chunk,
        cached=True,
        key=key,
    )


def _histories(histories: list[Any]) -> list[tuple[str, dict[str, list[float]]]]:
    return [(sid, {k: [_number(x) for x in v] for k, v in hist.items()}) for sid, hist in histories]


class Cache(Store):
    """The cell cache: a :class:`~shiftbench.store.Store` of finished cells."""

    def get(self, key: str, identity: dict[str, Any]) -> CellResult | None:
        """The cached result of the cell with this key and identity, or None."""
        payload = self._read("cells", key, identity)
        if payload is None:
            return None
        try:
            return decode_result(payload, identity, key)
        except Exception:
            return None

    def put(self, key: str, identity: dict[str, Any], result: CellResult) -> None:
        """Store a successful cell (best-effort); never one with a transient failure (a series
        that ran out of memory or time), nor one whose code has no fingerprint."""
        if not (result.ok and not result.transient):
            return
        if result.forecasts is None and result.events is None:
            return
        if not identity.get("code", {}).get("cacheable", True):
            return
        self._write("cells", key, identity, encode_result(result))
