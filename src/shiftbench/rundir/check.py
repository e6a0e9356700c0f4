"""What a run directory's readers rely on, checked as it is read: the manifest's fields and the
CSV files' values. A file that breaks it is a :class:`~shiftbench.errors.DataError` naming the
file and the field (or the column and line), so ``report`` and ``compare`` exit 2 on a damaged or
hand-edited run directory instead of failing inside.

The manifest is checked against :data:`MANIFEST`: every field a report or a comparison reads,
with its JSON type; fields not listed are free. The CSV files' columns are checked by kind
(:func:`check_columns`): whole numbers where the format has counts, steps, lags and classes,
seeds that are seeds, and one row per key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.errors import DataError

#: JSON kinds: what a field may hold.
STR, INT, NUM, BOOL, NULL, LIST, DICT = (
    "string",
    "integer",
    "number",
    "boolean",
    "null",
    "list",
    "object",
)


def _kind(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return NUM
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return DICT
    return type(value).__name__


def _fits(value: Any, kinds: tuple[str, ...]) -> bool:
    kind = _kind(value)
    return kind in kinds or (kind == INT and NUM in kinds)


#: A field: its JSON kinds, whether it must be present, and (for lists) the kinds of the items
#: or (for objects) the fields of the object, or a rule for every value of a mapping.
Field = tuple[tuple[str, ...], bool, Any]

_PROTOCOL: dict[str, Field] = {
    "n_test": ((INT,), True, None),
    "horizon": ((INT,), True, None),
    "refit_every": ((INT,), True, None),
    "test_size": ((INT, NUM), False, None),
    "lstm_window": ((INT,), False, None),
    "origins": ((STR,), False, None),
    "horizon_bands": ((LIST,), False, (LIST,)),
    "intervals": ((STR,), False, None),
    "calibration_size": ((INT,), False, None),
}
_EVENT: dict[str, Field] = {
    "description": ((STR,), False, None),
    "kind": ((STR,), False, None),
    "classes": ((LIST,), False, (INT,)),
}
_DATASET: dict[str, Field] = {
    "sha256": ((STR,), True, None),
    "length": ((INT,), True, None),
    "protocol": ((DICT,), True, _PROTOCOL),
    "observed_covariates": ((LIST,), True, (STR,)),
    "known_ahead_covariates": ((LIST,), True, (STR,)),
    "source": ((STR,), True, None),
    "frequency": ((STR, NULL), False, None),
    "season_length": ((INT, NULL), False, None),
    "n_series": ((INT,), False, None),
    "series": ((LIST,), False, (STR,)),
    "dropped_series": ((LIST,), False, (STR,)),
    "event": ((DICT,), False, _EVENT),
}
_MODEL: dict[str, Field] = {
    "summary": ((STR,), False, None),
    "capabilities": ((DICT,), False, {"*": ((BOOL, STR, INT), False, None)}),
}
_CELL: dict[str, Field] = {
    "dataset": ((STR,), True, None),
    "model": ((STR,), True, None),
    "seed": ((INT, NULL), True, None),
    "status": ((STR,), True, None),
    "error": ((STR, NULL), True, None),
    "wall_time_s": ((NUM, NULL), False, None),
    "cached": ((BOOL,), False, None),
    "warnings": ((LIST, NULL), False, (STR,)),
    "info": ((DICT, NULL), False, None),
}
#: The manifest's fields that readers rely on (docs/contract.md, ``manifest.json``).
MANIFEST: dict[str, Field] = {
    "run_id": ((STR,), False, None),
    "started_at": ((STR,), True, None),
    "finished_at": ((STR,), True, None),
    "status": ((STR,), True, None),
    "command": ((LIST, NULL), False, (STR,)),
    "config": (
        (DICT,),
        True,
        {
            "models": ((LIST,), False, (STR,)),
            "datasets": ((LIST,), False, (STR,)),
            "seeds": ((LIST,), False, (INT,)),
        },
    ),
    "config_sha256": ((STR,), True, None),
    "datasets": ((DICT,), True, {"*": ((DICT,), True, _DATASET)}),
    "models": ((DICT,), False, {"*": ((DICT,), True, _MODEL)}),
    "versions": ((DICT,), False, {"*": ((STR, NULL), True, None)}),
    "platform": (
        (DICT,),
        True,
        {"system": ((STR,), True, None), "cpu_count": ((INT, NULL), True, None)},
    ),
    "git_commit": ((STR, NULL), True, None),
    "seeds": ((LIST,), False, (INT,)),
    "cells": ((LIST,), True, _CELL),
    "warnings": ((LIST,), False, (STR,)),
}


def _check(value: Any, rule: Field, where: str) -> None:
    kinds, _, inner = rule
    if not _fits(value, kinds):
        raise DataError(f"{where}: expected {' or '.join(kinds)}, got {_kind(value)}")
    if isinstance(value, list) and inner is not None:
        for i, item in enumerate(value):
            if isinstance(inner, dict):
                _check(item, (("object",), True, inner), f"{where}[{i}]")
            elif not _fits(item, inner):
                raise DataError(f"{where}[{i}]: expected {' or '.join(inner)}, got {_kind(item)}")
    if isinstance(value, dict) and isinstance(inner, dict):
        check_object(value, inner, where)


def check_object(value: Mapping[str, Any], schema: Mapping[str, Field], where: str) -> None:
    """Every field of ``schema`` that must be there is, and every field there has its kinds
    (``"*"``: a rule for every value)."""
    every = schema.get("*")
    for key, rule in schema.items():
        if key == "*":
            continue
        if key not in value:
            if rule[1]:
                raise DataError(f"{where}.{key}: missing")
            continue
        _check(value[key], rule, f"{where}.{key}")
    if every is not None:
        for key, item in value.items():
            _check(item, every, f"{where}.{key}")


def check_manifest(manifest: Any, path: str) -> dict[str, Any]:
    """The manifest's structure, as far as readers rely on it (:data:`MANIFEST`)."""
    if not isinstance(manifest, dict):
        raise DataError(f"{path}: not a JSON object")
    check_object(manifest, MANIFEST, f"{path}: manifest")
    for name, entry in manifest["datasets"].items():
        if entry["length"] < 0 or entry["protocol"]["n_test"] < 0:
            raise DataError(f"{path}: manifest.datasets.{name}: a negative length")
    return manifest


#: Columns of whole numbers, per file, and the least value each may take; ``None`` columns
#: may be empty.
_WHOLE: dict[str, dict[str, tuple[int, bool]]] = {
    "forecasts": {"h": (1, False)},
    "shift": {"best_lag": (0, True), "n_origins": (0, True), "max_lag_used": (0, True)},
    "event_shift": {"best_lag": (0, True), "n_origins": (0, True), "max_lag_used": (0, True)},
    "comparisons": {"h": (1, False), "n": (0, True)},
    "shift_summary": {"n": (0, False)},
    "training_history": {"fit": (0, False), "epoch": (1, False)},
    "events": {"actual": (0, False), "predicted": (0, False)},
    "confusion": {"actual": (0, False), "predicted": (0, False), "count": (0, False)},
}
#: The most classes an event question may have (``shiftbench.eventspec.MAX_EVENT_CLASSES``).
MAX_CLASSES = 100
#: The keys of one row, per file (a second row with the same key is refused).
_KEYS: dict[str, tuple[str, ...]] = {
    "metrics": ("dataset", "series", "model", "seed", "metric"),
    "shift": ("dataset", "series", "model", "seed"),
    "event_shift": ("dataset", "series", "model", "seed"),
    "forecasts": ("dataset", "series", "model", "seed", "cutoff", "h"),
    "shift_summary": ("dataset", "model", "seed"),
}
_LAG = re.compile(r"(loss|disagreement)_lag[0-9]{1,4}")
#: Seeds beyond a seed's digits, per file.
_SEED_WORDS: dict[str, tuple[str, ...]] = {
    "metrics": ("mean", "sd", "ci_low", "ci_high"),
    "shift_summary": ("all",),
}


def _line(mask: pd.Series | np.ndarray) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0]) + 2


def check_columns(frame: pd.DataFrame, name: str, path: str, extra: Sequence[str] = ()) -> None:
    """The values of one CSV file of a run (already read: numbers as floats, text as str).

    ``extra``: the columns of whole counts this file has beyond :data:`_WHOLE` (the verdict
    counts of ``shift_summary.csv``)."""
    whole = dict(_WHOLE.get(name, {}))
    whole.update({c: (0, False) for c in extra})
    for column, (least, may_be_empty) in whole.items():
        values = frame[column].to_numpy(dtype=np.float64)
        empty = np.isnan(values)
        if empty.any() and not may_be_empty:
            raise DataError(f"{path}: column {column!r} line {_line(empty)}: missing value")
        ok = empty | ((values == np.floor(values)) & (values >= least) & np.isfinite(values))
        if column in ("actual", "predicted"):
            ok &= empty | (values < MAX_CLASSES)
        if not ok.all():
            pos = int(np.flatnonzero(~ok)[0])
            raise DataError(
                f"{path}: column {column!r} line {pos + 2}: not a whole number >= {least}: "
                f"{values[pos]!r}"
            )
    if "seed" in frame.columns:
        words = _SEED_WORDS.get(name, ())
        seeds = frame["seed"].astype(str)
        ok = seeds.eq("") | seeds.str.fullmatch(r"[0-9]{1,10}") | seeds.isin(words)
        if not ok.all():
            pos = int(np.flatnonzero(~ok.to_numpy())[0])
            raise DataError(
                f"{path}: column 'seed' line {pos + 2}: not a seed: {str(seeds.iloc[pos])[:40]!r}"
            )
    for column in frame.columns:
        text = str(column)
        if text.startswith(("loss_lag", "disagreement_lag")) and not _LAG.fullmatch(text):
            raise DataError(f"{path}: column {text[:40]!r} is not loss_lagK or disagreement_lagK")
    keys = _KEYS.get(name)
    if keys and len(frame):
        twice = frame.duplicated(list(keys))
        if twice.any():
            raise DataError(
                f"{path}: line {_line(twice)}: a second row for the same ({', '.join(keys)})"
            )
