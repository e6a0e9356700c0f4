"""Conformal intervals for a cell whose model gives none (``intervals = "conformal"`` or
``"aci"`` in the protocol; :class:`shiftbench.types.Protocol`).

The calibration is a backtest of its own on the training span alone: the same model fitted on
the training span less its last K points (K: ``calibration_size``), forecasting those K points
from rolling origins with the protocol's horizon. Its residuals by step ahead, then the test's
own residuals as each becomes known, give every forecast of the test its interval and the
CRPS of the conformal predictive distribution of the same residuals
(:func:`shiftbench.evaluation.conformal.conformal_intervals`); no interval uses an actual
after its forecast's cutoff, and the calibration never sees the test span.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.evaluation.conformal import conformal_intervals
from shiftbench.types import INTERVAL_LEVELS, Dataset


def wants_conformal(model: Any, ds: Dataset) -> bool:
    """Whether ``model`` gets conformal intervals on ``ds``: the protocol asks for them and
    the model gives none of its own (``gives_intervals``)."""
    return ds.protocol.intervals != "model" and not model.gives_intervals()


def calibration_size(ds: Dataset) -> int:
    """K: the protocol's ``calibration_size``, or max(test points, horizon + 19), the fewest
    residuals of every step for a 95 % split-conformal interval (rank ⌈(K' + 1)·0.95⌉ ≤ K')."""
    protocol = ds.protocol
    if protocol.calibration_size:
        return int(protocol.calibration_size)
    return max(protocol.n_test(len(ds.y)), protocol.horizon + 19)


def calibration_set(ds: Dataset) -> Dataset:
    """The calibration backtest's dataset: the training span alone, its last K points as the
    test span, rolling origins, the protocol's horizon, one fit."""
    protocol = ds.protocol
    n_train = len(ds.y) - protocol.n_test(len(ds.y))
    k = calibration_size(ds)
    return replace(
        ds,
        y=ds.y.iloc[:n_train],
        exog=None if ds.exog is None else ds.exog.iloc[:n_train],
        protocol=replace(
            protocol, test_size=k, origins="rolling", refit_every=0, intervals="model",
            horizon_bands=None,
        ),
    )  # fmt: skip


def add_conformal(
    frame: pd.DataFrame,
    ds: Dataset,
    calibration_frame: Callable[[Dataset], pd.DataFrame],
    notes: list[str],
) -> None:
    """Put conformal intervals into a backtest's forecast rows ``frame`` (in place) when it
    has none; ``calibration_frame`` runs the calibration backtest on a dataset. Where the
    calibration cannot run (a training span too short for K points), or a step has too few
    residuals for a level, the rows keep no interval and ``notes`` says why."""
    if "lo_80" in frame.columns and frame["lo_80"].notna().all():
        return
    cal = calibration_set(ds)
    try:
        rows = calibration_frame(cal)
    except Exception as exc:  # the forecasts stand; only their intervals are missing
        notes.append(f"no conformal intervals: the calibration failed ({exc})")
        return
    y_cal = cal.y.to_numpy(dtype=np.float64)
    residuals = y_cal[rows["target_pos"].to_numpy()] - rows["y_hat"].to_numpy()
    steps = rows["h"].to_numpy()
    by_step = {int(h): residuals[steps == h] for h in np.unique(steps)}
    y = ds.y.to_numpy(dtype=np.float64)
    out = conformal_intervals(
        frame["y_hat"].to_numpy(),
        frame["cutoff_pos"].to_numpy(),
        frame["h"].to_numpy(),
        y[frame["target_pos"].to_numpy()],
        by_step,
        levels=INTERVAL_LEVELS,
        method="aci" if ds.protocol.intervals == "aci" else "split",
    )
    for level in INTERVAL_LEVELS:
        lo, hi = out.bounds[level]
        finite = np.isfinite(lo) & np.isfinite(hi)
        if not finite.all():
            notes.append(
                f"conformal {level} % intervals: {int((~finite).sum())} forecasts have too few "
                f"calibration residuals (K = {calibration_size(ds)}); left empty"
            )
        frame[f"lo_{level}"] = np.where(finite, lo, math.nan)
        frame[f"hi_{level}"] = np.where(finite, hi, math.nan)
    frame["crps"] = out.crps
