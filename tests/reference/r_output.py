"""Reading what ``m3_reference.R`` wrote, and scoring forecasts as Makridakis et al. (2018) do.

sMAPE (``shiftbench.evaluation.metrics.smape``): mean of 200·|y − ŷ|/(|y| + |ŷ|) over the
points of a band, then the mean over series. MASE (``metrics.mase`` with m = 12): the mean
absolute error over the band divided by the in-sample mean |y_t − y_{t−12}|, then the mean over
series. Bands of the 18-step forecasts (Table 8 of the article): short h 1–6, medium 7–12, long
13–18, all 1–18.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.evaluation.metrics import mase, smape
from shiftbench.types import FloatArray
from tests.reference.r_input import Split

SEASON = 12
HORIZON = 18
#: The 18-step bands of the article's Tables 8 and 9 (0-based slices of h = 1..18).
BANDS: dict[str, slice] = {
    "all": slice(0, 18),
    "short": slice(0, 6),
    "medium": slice(6, 12),
    "long": slice(12, 18),
}
#: R's protocol names -> the names of the stored summary.
PROTOCOLS = {
    "one_step": "one_step",
    "multi_step": "multi_step_18",
    "one_step_refit": "one_step_refit",
}

Key = tuple[str, str, int, str]  # series id, method, boxcox (0/1), protocol


@dataclass(frozen=True)
class ROutput:
    """One run of ``m3_reference.R``: forecasts by (id, method, boxcox, protocol), the fits
    (one row per id, method, boxcox), the series (seasonal flag, indices, λ), the session."""

    forecasts: dict[Key, FloatArray]
    fits: pd.DataFrame
    series: pd.DataFrame
    session: dict[str, str]

    def fit(self, sid: str, method: str, boxcox: int) -> pd.Series | None:
        """R's fit row of one series and method, None where R did not run it."""
        rows = self.fits[
            (self.fits["id"] == sid)
            & (self.fits["method"] == method)
            & (self.fits["boxcox"] == boxcox)
        ]
        return None if rows.empty else rows.iloc[0]


def read_r_output(*dirs: Path) -> ROutput:
    """Read (and merge) one or more output folders of ``m3_reference.R``; the session of the
    first."""
    frames: dict[str, list[pd.DataFrame]] = {"forecasts": [], "fits": [], "series": []}
    for d in dirs:
        for name, parts in frames.items():
            parts.append(pd.read_csv(d / f"{name}.csv", dtype={"id": str, "model": str}))
    long = pd.concat(frames["forecasts"], ignore_index=True)
    forecasts: dict[Key, FloatArray] = {}
    for (sid, method, bc, protocol), group in long.groupby(["id", "method", "boxcox", "protocol"]):
        values = group.sort_values("h")["forecast"].to_numpy(dtype=np.float64)
        forecasts[(str(sid), str(method), int(bc), str(protocol))] = values
    series = pd.concat(frames["series"], ignore_index=True).drop_duplicates("id", keep="first")
    session = pd.read_csv(dirs[0] / "session.csv", dtype=str).iloc[0].to_dict()
    return ROutput(
        forecasts=forecasts,
        fits=pd.concat(frames["fits"], ignore_index=True),
        series=series.set_index("id"),
        session={str(k): str(v) for k, v in session.items()},
    )


def parse_numbers(text: object) -> FloatArray:
    """The space-separated numbers R wrote into one CSV cell."""
    return np.array([float(v) for v in str(text).split()], dtype=np.float64)


def arima_order(row: pd.Series) -> tuple[int, int, int, int, int, int, bool]:
    """(p, d, q, P, D, Q, constant) of R's fit row; constant: an intercept or a drift."""
    p, d, q, cap_p, cap_d, cap_q = (int(row[k]) for k in ("p", "d", "q", "P", "D", "Q"))
    return p, d, q, cap_p, cap_d, cap_q, bool(row["constant"] or row["drift"])


def series_scores(
    split: Split, forecast: FloatArray, bands: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    """(sMAPE, MASE) of one series' 18 forecasts in each band."""
    out = {}
    for band in bands:
        part = BANDS[band]
        actual, predicted = split.holdout[part], forecast[part]
        out[band] = (smape(actual, predicted), mase(actual, predicted, split.insample, SEASON))
    return out


def score_table(splits: list[Split], forecasts: dict[Key, FloatArray]) -> pd.DataFrame:
    """Per-series scores of every forecast in ``forecasts`` on the series of ``splits``:
    columns id, method, boxcox, protocol (the summary's names), band, smape, mase."""
    by_id = {s.id: s for s in splits}
    rows = []
    for (sid, method, bc, protocol), values in forecasts.items():
        if sid not in by_id:
            continue
        bands = tuple(BANDS) if protocol == "multi_step" else ("all",)
        for band, (s, m) in series_scores(by_id[sid], values, bands).items():
            rows.append((sid, method, bc, PROTOCOLS[protocol], band, s, m))
    return pd.DataFrame(
        rows, columns=["id", "method", "boxcox", "protocol", "band", "smape", "mase"]
    )


def mean_scores(table: pd.DataFrame) -> pd.DataFrame:
    """Means over series of :func:`score_table`, with the number of series."""
    keys = ["protocol", "method", "boxcox", "band"]
    out = table.groupby(keys, sort=False).agg(
        smape=("smape", "mean"), mase=("mase", "mean"), n_series=("id", "nunique")
    )
    return out.reset_index()
