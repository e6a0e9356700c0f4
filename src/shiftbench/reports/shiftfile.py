"""``shiftbench shift FILE.csv``: right-shift verdicts for forecasts made anywhere."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.csvio import read_csv_or_fail
from shiftbench.errors import DataError
from shiftbench.evaluation.shift import ShiftVerdict, detect_shift

GROUP_COLUMNS = ("dataset", "model", "seed")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def read_forecast_file(path: str | Path) -> list[tuple[str, pd.DataFrame]]:
    """The one-step forecast series of a CSV with columns ``y`` and ``y_hat``.

    A file with ``dataset``/``model``/``seed`` columns (a run's ``forecasts.csv``) gives one
    series per cell; with an ``h`` column only the one-step rows are used; with ``ds`` the rows
    must be in time order within each series.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{file}: no such file")
    frame = read_csv_or_fail(file)
    for column in ("y", "y_hat"):
        if column not in frame.columns:
            cols = ", ".join(repr(str(c)) for c in frame.columns)
            raise DataError(f"{file}: no column {column!r} (columns: {cols})")
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=np.float64, na_value=np.nan))
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise DataError(
                f"{file}: column {column!r} line {line}: not a finite number: "
                f"{frame[column].iloc[line - 2]!r}"
            )
        frame[column] = values.astype(np.float64)
    if "h" in frame.columns:
        frame = frame[frame["h"] == 1]
    keys = [c for c in GROUP_COLUMNS if c in frame.columns]
    groups = (
        [
            (" / ".join(str(k) for k in key if not _missing(k)), g)
            for key, g in frame.groupby(keys, sort=False, dropna=False)
        ]
        if keys
        else [("", frame)]
    )
    for label, group in groups:
        if "ds" in group.columns:
            ds = group["ds"]
            parsed = pd.to_datetime(ds, errors="coerce", format="mixed")
            order = parsed if parsed.notna().all() else pd.to_numeric(ds, errors="coerce")
            if order.notna().all() and not order.is_monotonic_increasing:
                where = f" ({label})" if label else ""
                raise DataError(f"{file}: column 'ds' is not in time order{where}")
    if not groups or all(g.empty for _, g in groups):
        raise DataError(f"{file}: no one-step forecast rows")
    return groups


def _bar(value: float, top: float, width: int = 30) -> str:
    if not math.isfinite(value) or top <= 0:
        return ""
    return "#" * max(0, round(width * value / top))


def format_verdict(label: str, v: ShiftVerdict) -> str:
    """The verdict and its lag profile as plain text."""
    lines = [f"== {label}" if label else "== forecast"]
    lines.append(f"verdict:     {v.verdict}")
    lines.append(f"reason:      {v.reason}")
    if v.verdict != "undetermined":
        lines.append(f"best_lag:    {v.best_lag}")
        lines.append(f"shift_gain:  {v.shift_gain:.6g}")
        lines.append(f"theil_u2:    {v.theil_u2:.6g}")
        lines.append(
            f"DM vs persistence: {v.dm_stat_vs_naive:.4g} (one-sided p = {v.dm_p_vs_naive:.4g})"
        )
        lines.append(f"origins:     {v.n_origins}")
        lines.append("lag profile (mean squared difference between forecast and actual delayed k):")
        top = max(v.profile)
        for k, loss in enumerate(v.profile):
            mark = "  <- best" if k == v.best_lag else ""
            lines.append(f"  k={k}  {loss:14.6g}  {_bar(loss, top)}{mark}")
    return "\n".join(lines)


#: Printed before the verdicts: why they can differ from a run's ``shift.csv``.
HISTORY_NOTE = (
    "note: a forecast file holds no observations before its first row, so the first origins "
    "have no persistence forecast and no delayed actual: the lag profile and the test use the "
    "origins from lag K on. A run's shift.csv passes the series' earlier observations as "
    "history and uses every origin, so its numbers can differ slightly; for a run, shift.csv "
    "is the reference."
)


def shift_report(path: str | Path, *, max_lag: int = 5, alpha: float = 0.05) -> str:
    """Verdicts and profiles for every series of a forecast file, after a note on why they can
    differ from a run's ``shift.csv`` (no history before the first row)."""
    blocks = [HISTORY_NOTE]
    for label, group in read_forecast_file(path):
        verdict = detect_shift(
            group["y"].to_numpy(), group["y_hat"].to_numpy(), max_lag=max_lag, alpha=alpha
        )
        blocks.append(format_verdict(label, verdict))
    return "\n\n".join(blocks)
