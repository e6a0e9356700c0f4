"""The cell cache: a finished cell is stored under a key of everything that determines it.

An entry is a JSON document, never a pickle: reading one back cannot run code. It holds the
cell's *identity* (dataset name, sha256, covariate roles and season length; model and resolved
hyper-parameters; seed; protocol; whether ``mse_all_points`` is asked for; and the fingerprint of
the code that computed it, :mod:`shiftbench.benchmarks.fingerprint`), the result, and an HMAC of
both under a secret key kept in the cache folder. The key of an entry is the sha256 of its
identity. An entry is used only when it parses, its HMAC verifies, its identity is exactly the
one asked for and every field has the expected type and shape; anything else (a damaged file, a
file copied under another key or from another cache, an edited value, an entry of other code) is
a miss, computed again and overwritten, never an error.

Layout: ``ROOT/key`` (the secret, owner-only), and ``ROOT/KIND/FINGERPRINT/xx/KEY.json`` where
FINGERPRINT names the code that made the entries (described by ``fingerprint.json`` in its
folder), so that ``shiftbench cache info`` can count entries by fingerprint and ``shiftbench cache
prune`` remove the folders of code that is no longer installed.

What the key defends against, and what not (docs/engine.md, "The cache's threat model"): an entry
planted, edited or copied from another cache by anyone who cannot read ``ROOT/key`` is
recomputed, not trusted; a key file that others can read or that another user owns is refused
(the run goes on without the cache). Anyone who can read the key (the same user, root) can forge
entries, and anyone who can write the folder can delete them: the cache is not a defence against
its own user.

The cache is best-effort: when its folder cannot be created or written (read-only, full, a file
in the way), the run warns once and goes on without it. Entries are written atomically (a
temporary file, then a rename) the moment a cell's result reaches the run's process, so a run
killed part-way keeps every cell it finished. Only successful cells are stored, and never one in
which a series failed for want of memory or time (:attr:`CellResult.transient`): the next run
tries it again.

The default location is ``$XDG_CACHE_HOME/shiftbench`` (``~/.cache/shiftbench``);
``SHIFTBENCH_CACHE_DIR``, the config key ``cache_dir`` or ``--cache-dir`` move it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import shutil
import stat
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.benchmarks.backtest import CellResult
from shiftbench.benchmarks.fingerprint import fingerprint_id, stale_reason
from shiftbench.errors import ShiftbenchWarning
from shiftbench.rundir import FORECAST_COLUMNS
from shiftbench.types import Dataset, collection_sha256

#: Bumped whenever the entry layout changes; older entries are then misses (and stale).
CACHE_FORMAT = 3
#: The secret that authenticates entries, in the cache folder.
KEY_FILE = "key"
#: The description of a fingerprint folder.
FINGERPRINT_FILE = "fingerprint.json"
#: What the cache stores: cells, and the reports' figures.
KINDS: tuple[str, ...] = ("cells", "figures")
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
    code: dict[str, Any],
) -> dict[str, Any]:
    """Everything that determines one cell's result (a single series, or the chunk of a
    collection's series it backtests), as plain JSON data; ``code`` is the fingerprint of the
    code that computes it (:func:`shiftbench.benchmarks.fingerprint.code_identity`)."""
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


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


@dataclass(frozen=True)
class FingerprintEntries:
    """What ``shiftbench cache info`` shows of one folder: the code behind its entries, how
    many there are and their size, and whether the installed code would still produce them."""

    kind: str
    fingerprint: str
    entries: int
    size_bytes: int
    #: None when current; else why the entries can no longer be used
    stale: str | None
    path: Path


_FINGERPRINT_NAME = re.compile(r"[0-9a-f]{16}")
_KEY_TEXT = re.compile(r"[0-9a-f]{64}")


class Cache:
    """A folder of JSON entries, one file per key, authenticated by the folder's secret; every
    failure to read is a miss and every failure to write is a warning, once."""

    def __init__(self, root: str | Path, *, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.writable = True
        self._warn = warn or (lambda text: warnings.warn(text, ShiftbenchWarning, stacklevel=3))
        self._secret: bytes | None = None
        self._secret_loaded = False
        self._described: set[Path] = set()

    # -- the secret ------------------------------------------------------------------------------
    def _key(self) -> bytes | None:
        """The secret that authenticates entries (created owner-only at first use), or None
        when it cannot be made or is not private: then the cache is not used at all."""
        if not self._secret_loaded:
            self._secret_loaded = True
            self._secret = self._load_key()
            if self._secret is None:
                self.writable = False
        return self._secret

    def _load_key(self) -> bytes | None:
        path = self.root / KEY_FILE
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                self._create_key(path)
                info = os.lstat(path)
        except OSError as exc:
            self._warn(
                f"cache {self.root}: cannot write ({exc.strerror or exc}); going on without it"
            )
            return None
        problem = _key_problem(info)
        if problem is None:
            try:
                text = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError):
                text = ""
            if _KEY_TEXT.fullmatch(text):
                return bytes.fromhex(text)
            problem = "is damaged"
        self._warn(
            f"cache {self.root}: the key file {path} {problem}; going on without the cache "
            "(delete the file to start a new cache: every cell is then computed again)"
        )
        return None

    @staticmethod
    def _create_key(path: Path) -> None:
        """Write a new secret owner-only; where another process made one first, keep theirs."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic, and never over an existing key
        finally:
            tmp.unlink(missing_ok=True)

    def _mac(self, body: Any) -> str | None:
        secret = self._key()
        if secret is None:
            return None
        return hmac.new(secret, _canonical(body).encode("utf-8"), hashlib.sha256).hexdigest()

    def _verified(self, entry: Any, body: dict[str, Any]) -> bool:
        expected = self._mac(body)
        given = entry.get("hmac") if isinstance(entry, dict) else None
        return (
            expected is not None and isinstance(given, str) and hmac.compare_digest(expected, given)
        )

    # -- entries ---------------------------------------------------------------------------------
    def _folder(self, kind: str, identity: dict[str, Any]) -> Path:
        if kind not in KINDS:
            raise ValueError(f"not a cache kind: {kind!r}")
        return self.root / kind / fingerprint_id(identity.get("code", {}))

    def _path(self, kind: str, key: str, identity: dict[str, Any]) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self._folder(kind, identity) / key[:2] / f"{key}.json"

    def _read(self, kind: str, key: str, identity: dict[str, Any]) -> Any | None:
        """The payload stored under ``key`` if the entry is whole, authentic and is for
        ``identity``."""
        try:
            path = self._path(kind, key, identity)
            if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                return None
            body = {"identity": entry.get("identity"), "payload": entry.get("payload")}
            if not self._verified(entry, body):
                return None
            if _canonical(body["identity"]) != _canonical(identity):
                return None
            return body["payload"]
        except Exception:
            return None

    def _write(self, kind: str, key: str, identity: dict[str, Any], payload: Any) -> None:
        if not self.writable:
            return
        body = json.loads(
            json.dumps({"identity": identity, "payload": payload}, default=_json_default)
        )
        mac = self._mac(body)
        if mac is None:
            return
        path = self._path(kind, key, identity)
        try:
            self._describe(path.parent.parent, kind, identity.get("code", {}))
            self._write_file(path, {"format": CACHE_FORMAT, "hmac": mac, **body})
        except OSError as exc:
            self.writable = False
            self._warn(
                f"cache {self.root}: cannot write ({exc.strerror or exc}); going on without it"
            )

    def _describe(self, folder: Path, kind: str, code: Any) -> None:
        """Write a fingerprint folder's ``fingerprint.json`` (once per process)."""
        if folder in self._described:
            return
        body = {"kind": kind, "code": code}
        self._write_file(
            folder / FINGERPRINT_FILE, {"format": CACHE_FORMAT, "hmac": self._mac(body), **body}
        )
        self._described.add(folder)

    @staticmethod
    def _write_file(path: Path, data: dict[str, Any]) -> None:
        text = json.dumps(data, sort_keys=True, allow_nan=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
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
        """Store a successful cell (best-effort); never one with a transient failure (a series
        that ran out of memory or time), nor one whose code has no fingerprint."""
        if not (result.ok and not result.transient):
            return
        if result.forecasts is None and result.events is None:
            return
        if not identity.get("code", {}).get("cacheable", True):
            return
        self._write("cells", key, identity, encode_result(result))

    def get_text(self, kind: str, key: str, identity: dict[str, Any]) -> str | None:
        """A stored text (a figure) for this key and identity, or None."""
        payload = self._read(kind, key, identity)
        return payload if isinstance(payload, str) else None

    def put_text(self, kind: str, key: str, identity: dict[str, Any], text: str) -> None:
        self._write(kind, key, identity, text)

    # -- housekeeping ----------------------------------------------------------------------------
    def info(self) -> list[FingerprintEntries]:
        """Every folder of entries with its count, size and whether it is stale; folders of
        older cache formats, and ones whose description does not verify, are stale."""
        out: list[FingerprintEntries] = []
        for kind in KINDS:
            base = self.root / kind
            if not base.is_dir() or base.is_symlink():
                continue
            for folder in sorted(base.iterdir()):
                if not folder.is_dir() or folder.is_symlink():
                    continue
                entries, size = _count(folder)
                out.append(
                    FingerprintEntries(
                        kind, folder.name, entries, size, self._staleness(folder, kind), folder
                    )
                )
        return out

    def _staleness(self, folder: Path, kind: str) -> str | None:
        if not _FINGERPRINT_NAME.fullmatch(folder.name):
            return "an older cache format"
        try:
            described = json.loads((folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
            body = {"kind": described.get("kind"), "code": described.get("code")}
        except (OSError, ValueError, AttributeError, RecursionError):
            return "no readable fingerprint.json"
        if described.get("format") != CACHE_FORMAT:
            return "an older cache format"
        if body["kind"] != kind or not self._verified(described, body):
            return "fingerprint.json does not verify"
        if fingerprint_id(body["code"]) != folder.name:
            return "fingerprint.json is for another folder"
        return stale_reason(body["code"])

    def prune(self, *, dry_run: bool = False) -> list[FingerprintEntries]:
        """Remove every stale folder (see :meth:`info`) and leftover temporary files; return
        what was (or, with ``dry_run``, would be) removed."""
        stale = [f for f in self.info() if f.stale is not None]
        if dry_run:
            return stale
        for folder in stale:
            shutil.rmtree(folder.path, ignore_errors=True)
        for kind in KINDS:
            base = self.root / kind
            if base.is_dir() and not base.is_symlink():
                for tmp in base.rglob(".*.tmp"):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
        return stale


def _count(folder: Path) -> tuple[int, int]:
    """Entries (JSON files other than the description) and bytes under a folder."""
    entries = size = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size += path.stat().st_size
        if path.suffix == ".json" and path.name != FINGERPRINT_FILE:
            entries += 1
    return entries, size


def _key_problem(info: os.stat_result) -> str | None:
    """Why a key file cannot be trusted: not a plain file, another owner, readable by others."""
    if not stat.S_ISREG(info.st_mode):
        return "is not a plain file"
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return f"belongs to another user (uid {info.st_uid})"
    if os.name == "posix" and info.st_mode & 0o077:
        return f"can be read or written by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None
