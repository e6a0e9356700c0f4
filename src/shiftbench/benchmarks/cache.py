"""The cell cache: a finished cell is stored under a key of everything that determines it.

The key hashes the dataset's sha256 and covariate roles, the model's name and *resolved*
hyper-parameters (dataset defaults included), the seed, the protocol, whether ``mse_all_points``
is asked for, and the shiftbench version. Any later run that needs the same cell reuses it.
Entries are written atomically (a temporary file, then a rename) by the process that computed
the cell, the moment it finishes: a run killed part-way keeps every cell it finished. Only
successful cells are stored; a failed cell is computed again next time.

The default location is ``$XDG_CACHE_HOME/shiftbench`` (``~/.cache/shiftbench``);
``SHIFTBENCH_CACHE_DIR``, the config key ``cache_dir`` or ``--cache-dir`` move it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

from shiftbench.types import Dataset

CACHE_FORMAT = 1


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


def cell_key(
    ds: Dataset,
    model: str,
    resolved_params: dict[str, Any],
    seed: int | None,
    all_points: bool,
    version: str,
) -> str:
    """The cache key of one cell (a sha256 hex digest)."""
    protocol = ds.protocol
    payload = {
        "format": CACHE_FORMAT,
        "shiftbench": version,
        "dataset": {
            "sha256": ds.sha256,
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
    text = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Cache:
    """A folder of pickled cell results (and report figures), one file per key."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pkl"

    def get(self, key: str, kind: str = "cells") -> Any | None:
        path = self._path(kind, key)
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, OSError):
            return None  # a damaged or foreign entry is a miss; it will be overwritten

    def put(self, key: str, value: Any, kind: str = "cells") -> None:
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
