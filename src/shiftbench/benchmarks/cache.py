"""The cell cache: a finished cell is stored under a key of everything that determines it.

An entry is a JSON document, never a pickle: reading one back cannot run code. It holds the
cell's *identity* (dataset name, sha256, covariate roles and season length; model and resolved
hyper-parameters; seed; protocol; whether ``mse_all_points`` is asked for; shiftbench version),
the result, and a sha256 of both. The key is the sha256 of the identity. An entry is used only
when it parses, its checksum matches, its identity is exactly the one asked for and every field
has the expected type and shape; anything else (a damaged file, a file copied under another key,
an edited value) is a miss, computed again and overwritten, never an error.

The cache is best-effort: when its folder cannot be created or written (read-only, full, a file
in the way), the run warns once and goes on without it. Entries are written atomically (a
temporary file, then a rename) the moment a cell's result reaches the run's process, so a run
killed part-way keeps every cell it finished. Only successful cells are stored.

The default location is ``$XDG_CACHE_HOME/shiftbench`` (``~/.cache/shiftbench``);
``SHIFTBENCH_CACHE_DIR``, the config key ``cache_dir`` or ``--cache-dir`` move it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.benchmarks.backtest import CellResult
from shiftbench.errors import ShiftbenchWarning
from shiftbench.rundir import FORECAST_COLUMNS
from shiftbench.types import Dataset, collection_sha256

#: Bumped whenever the entry layout changes; older entries are then misses.
CACHE_FORMAT = 2
#: Entries larger than this are not read (a planted giant file is a miss, not a memory error).
MAX_ENTRY_BYTES = 256 * 1024 * 1024


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
) -> dict[str, Any]:
    """Everything that determines one cell's result (a single series, or the chunk of a
    collection's series it backtests), as plain JSON data."""
    members = (data,) if isinstance(data, Dataset) else tuple(data)
    ds = members[0]
    protocol = ds.protocol
    return {
        "format": CACHE_FORMAT,
        "shiftbench": version,
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
        },
        "model": model,
        "params": _jsonable(resolved_params),
        "seed": seed,
        "mse_all_points": all_points,
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)


def identity_key(identity: dict[str, Any]) -> str:
    """The cache key of an identity (a sha256 hex digest)."""
    return hashlib.sha256(_canonical(identity).encode("utf-8")).hexdigest()


def cell_key(
    ds: Dataset | Sequence[Dataset],
    model: str,
    resolved_params: dict[str, Any],
    seed: int | None,
    all_points: bool,
    version: str,
) -> str:
    """The cache key of one cell (see :func:`cell_identity`)."""
    return identity_key(cell_identity(ds, model, resolved_params, seed, all_points, version))


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


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


class Cache:
    """A folder of JSON entries, one file per key; every failure to read is a miss and every
    failure to write is a warning, once."""

    def __init__(self, root: str | Path, *, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.writable = True
        self._warn = warn or (lambda text: warnings.warn(text, ShiftbenchWarning, stacklevel=3))

    def _path(self, kind: str, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.root / kind / key[:2] / f"{key}.json"

    def _read(self, kind: str, key: str, identity: dict[str, Any]) -> Any | None:
        """The payload stored under ``key`` if the entry is whole and is for ``identity``."""
        try:
            path = self._path(kind, key)
            if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                return None
            body = {"identity": entry.get("identity"), "payload": entry.get("payload")}
            digest = hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
            if entry.get("sha256") != digest or _canonical(body["identity"]) != _canonical(
                identity
            ):
                return None
            return body["payload"]
        except Exception:
            return None

    def _write(self, kind: str, key: str, identity: dict[str, Any], payload: Any) -> None:
        if not self.writable:
            return
        body = {"identity": identity, "payload": payload}
        text = _canonical(json.loads(json.dumps(body, default=_json_default, allow_nan=True)))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entry = json.dumps(
            {"format": CACHE_FORMAT, "sha256": digest, **json.loads(text)},
            sort_keys=True,
            allow_nan=True,
        )
        path = self._path(kind, key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(entry, encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            self.writable = False
            self._warn(
                f"cache {self.root}: cannot write ({exc.strerror or exc}); going on without it"
            )
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

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
        """Store a successful cell (best-effort)."""
        if result.ok and (result.forecasts is not None or result.events is not None):
            self._write("cells", key, identity, encode_result(result))

    def get_text(self, kind: str, key: str, identity: dict[str, Any]) -> str | None:
        """A stored text (a figure) for this key and identity, or None."""
        payload = self._read(kind, key, identity)
        return payload if isinstance(payload, str) else None

    def put_text(self, kind: str, key: str, identity: dict[str, Any], text: str) -> None:
        self._write(kind, key, identity, text)
