"""A run directory read back from its files (reports never recompute, never import TensorFlow)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.csvio import read_csv_or_fail
from shiftbench.errors import DataError

SEED_AGGREGATES = ("mean", "sd", "ci_low", "ci_high")


@dataclass(frozen=True)
class RunData:
    """Everything a report needs, as written by ``shiftbench run``."""

    path: Path
    manifest: dict[str, Any]
    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    shift: pd.DataFrame
    comparisons: pd.DataFrame
    shift_summary: pd.DataFrame | None
    history: pd.DataFrame | None

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id", self.path.name))

    @property
    def datasets(self) -> list[str]:
        return list(self.manifest.get("datasets", {}))

    @property
    def models(self) -> list[str]:
        listed = list(self.manifest.get("config", {}).get("models", []))
        seen = list(dict.fromkeys(self.metrics["model"]))
        return [m for m in listed if m in seen] + [m for m in seen if m not in listed]

    @property
    def seeded_models(self) -> set[str]:
        return set(self.forecasts.loc[self.forecasts["seed"] != "", "model"])

    def cell_metrics(self) -> pd.DataFrame:
        """Per-cell metric rows (the across-seed aggregate rows left out), seed as text."""
        m = self.metrics
        return m[~m["seed"].isin(SEED_AGGREGATES)]

    def failed_cells(self) -> list[dict[str, Any]]:
        return [c for c in self.manifest.get("cells", []) if c.get("status") != "ok"]


def _seed_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Seeds as text ('' for unseeded rows), so cells match across files and runs."""
    out = frame.copy()
    out["seed"] = [
        ""
        if pd.isna(v)
        else (str(int(float(v))) if str(v).replace(".", "", 1).isdigit() else str(v))
        for v in out["seed"]
    ]
    return out


def _read(path: Path, required: bool) -> pd.DataFrame | None:
    if not path.is_file():
        if required:
            raise DataError(f"{path}: missing; is {path.parent} a shiftbench run directory?")
        return None
    frame = read_csv_or_fail(path, dtype={"seed": str, "cutoff": str, "ds": str})
    return _seed_text(frame) if "seed" in frame.columns else frame


def load_run(path: str | Path) -> RunData:
    """Read a run directory; a missing or damaged file is a :class:`DataError` naming it."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root}: no such run directory")
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise DataError(f"{manifest_path}: missing; is {root} a shiftbench run directory?")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{manifest_path}: not valid JSON ({exc})") from None
    frames = {
        name: _read(root / f"{name}.csv", required)
        for name, required in (
            ("forecasts", True),
            ("metrics", True),
            ("shift", True),
            ("comparisons", True),
            ("shift_summary", False),
            ("training_history", False),
        )
    }
    return RunData(
        path=root,
        manifest=manifest,
        forecasts=frames["forecasts"],  # type: ignore[arg-type]
        metrics=frames["metrics"],  # type: ignore[arg-type]
        shift=frames["shift"],  # type: ignore[arg-type]
        comparisons=frames["comparisons"],  # type: ignore[arg-type]
        shift_summary=frames["shift_summary"],
        history=frames["training_history"],
    )
