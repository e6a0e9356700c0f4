"""Writing a run directory and reading it back: atomic files, the shortest round-trip floats,
and every file checked on reading (a missing or malformed file is a :class:`DataError` naming
it). The engine hands :func:`write_run` finished frames and a manifest; ``shiftbench report``,
``shiftbench compare`` and the Python API read runs back with :func:`load_run`. Nothing else
writes or parses these files.

- **Atomic files.** Every file is written to a temporary name and renamed, so a reader sees the
  old or the new content, never a part
  (:func:`shiftbench.files.write_atomic`); ``manifest.json`` last.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.csvio import read_csv_or_fail
from shiftbench.errors import DataError
from shiftbench.files import write_atomic
from shiftbench.rundir.check import check_columns, check_manifest
from shiftbench.rundir.schema import (
    COMPARISON_COLUMNS,
    CONFUSION_COLUMNS,
    EVENT_COLUMNS,
    EVENT_SHIFT_COLUMNS,
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    METRIC_COLUMNS,
    REQUIRED_COLUMNS,
    SHIFT_COLUMNS,
    SHIFT_SUMMARY_KEYS,
    TEXT_COLUMNS,
    RunData,
    RunFrames,
    normalise,
    seed_text,
)


def new_run_dir(out: Path, config_hash: str, started: dt.datetime) -> Path:
    """Create ``out/<UTC time>-<config hash>`` (with a counter when it exists already)."""
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


def _with_seed_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    if "seed" in out.columns:
        out["seed"] = [seed_text(v) for v in out["seed"]]
    return out


def _csv(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"frame lacks the columns {missing} of the run directory's format")
    return str(_with_seed_text(frame).to_csv(index=False, lineterminator="\n"))


def write_run(run_dir: Path, manifest: Mapping[str, Any], frames: RunFrames) -> RunData:
    """Write the run directory's data files and, last, its manifest; return the run as a reader
    of these files sees it (the same frames and manifest :func:`load_run` gives), built in
    memory.

    The manifest is written last, so a directory with a manifest holds every data file.
    """
    files: list[tuple[str, pd.DataFrame, Iterable[str] | None]] = [
        ("forecasts.csv", frames.forecasts, FORECAST_COLUMNS),
        ("metrics.csv", frames.metrics, METRIC_COLUMNS),
        ("shift.csv", frames.shift, SHIFT_COLUMNS),
        ("comparisons.csv", frames.comparisons, COMPARISON_COLUMNS),
    ]
    if frames.history is not None and not frames.history.empty:
        files.append(("training_history.csv", frames.history, HISTORY_COLUMNS))
    if frames.shift_summary is not None:
        files.append(("shift_summary.csv", frames.shift_summary, SHIFT_SUMMARY_KEYS))
    if frames.events is not None and not frames.events.empty:
        files.append(("events.csv", frames.events, EVENT_COLUMNS))
        if frames.confusion is not None:
            files.append(("confusion.csv", frames.confusion, CONFUSION_COLUMNS))
        if frames.event_shift is not None:
            files.append(("event_shift.csv", frames.event_shift, EVENT_SHIFT_COLUMNS))
    read: dict[str, pd.DataFrame] = {}
    for name, frame, columns in files:
        write_atomic(run_dir / name, _csv(frame, columns))
        stem = name.removesuffix(".csv")
        read[stem] = _as_read(_with_seed_text(frame), stem, str(run_dir / name))
    text = json.dumps(_finite(dict(manifest)), indent=2, default=_json_default, allow_nan=False)
    write_atomic(run_dir / "manifest.json", text + "\n")
    return RunData(
        path=run_dir,
        manifest=json.loads(text),
        forecasts=read["forecasts"],
        metrics=read["metrics"],
        shift=read["shift"],
        comparisons=read["comparisons"],
        shift_summary=read.get("shift_summary"),
        history=read.get("training_history"),
        events=read.get("events"),
        confusion=read.get("confusion"),
        event_shift=read.get("event_shift"),
    )


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


def _read(path: Path, name: str, required: bool) -> pd.DataFrame | None:
    """One CSV file of a run, checked: every required column present, numbers where numbers
    belong; anything else is a :class:`DataError` naming the file and the column."""
    if not path.is_file():
        if required:
            raise DataError(f"{path}: missing; is {path.parent} a shiftbench run directory?")
        return None
    dtypes = {c: str for c in TEXT_COLUMNS}
    frame = read_csv_or_fail(
        path, dtype=dtypes, keep_default_na=False, na_values=[""], low_memory=False
    )
    return _as_read(frame, name, str(path))


def _as_read(frame: pd.DataFrame, name: str, where: str) -> pd.DataFrame:
    """A file's frame as every reader sees it (:func:`shiftbench.rundir.schema.normalise`),
    its values checked (:func:`shiftbench.rundir.check.check_columns`)."""
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{where}: missing column {missing[0]!r}")
    frame, extra = normalise(frame, name, where)
    check_columns(frame, name, where, extra)
    return frame


def _check_not_emptied(
    root: Path, manifest: dict[str, Any], frames: dict[str, pd.DataFrame | None]
) -> None:
    """A file cut down to its header while the manifest lists finished cells that write rows
    into it is broken, not a run with fewer cells: every finished cell has metric rows, and
    every finished forecaster cell (not an event classifier) has forecasts and a verdict."""
    finished = [c for c in manifest["cells"] if c.get("status") == "ok"]
    models = manifest.get("models", {})

    def forecaster(cell: dict[str, Any]) -> bool:
        entry = models.get(cell["model"], {})
        caps = entry.get("capabilities", {})
        return bool(caps.get("kind", caps.get("family")) != "event")

    for name, cells in (
        ("metrics", finished),
        ("forecasts", [c for c in finished if forecaster(c)]),
        ("shift", [c for c in finished if forecaster(c)]),
    ):
        frame = frames[name]
        if cells and frame is not None and frame.empty:
            raise DataError(
                f"{root / (name + '.csv')}: no rows, but the manifest lists {len(cells)} "
                "finished cell(s) that write rows there"
            )


def load_run(path: str | Path) -> RunData:
    """Read a run directory; a missing or malformed file is a :class:`DataError` naming it."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root}: no such run directory")
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise DataError(f"{manifest_path}: missing; is {root} a shiftbench run directory?")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise DataError(f"{manifest_path}: not valid JSON ({reason})") from None
    manifest = check_manifest(manifest, str(manifest_path))
    frames = {
        name: _read(root / f"{name}.csv", name, required)
        for name, required in (
            ("forecasts", True),
            ("metrics", True),
            ("shift", True),
            ("comparisons", True),
            ("shift_summary", False),
            ("training_history", False),
            ("events", False),
            ("confusion", False),
            ("event_shift", False),
        )
    }
    _check_not_emptied(root, manifest, frames)
    return RunData(
        path=root,
        manifest=manifest,
        forecasts=frames["forecasts"],  # type: ignore[arg-type]
        metrics=frames["metrics"],  # type: ignore[arg-type]
        shift=frames["shift"],  # type: ignore[arg-type]
        comparisons=frames["comparisons"],  # type: ignore[arg-type]
        shift_summary=frames["shift_summary"],
        history=frames["training_history"],
        events=frames["events"],
        confusion=frames["confusion"],
        event_shift=frames["event_shift"],
    )
