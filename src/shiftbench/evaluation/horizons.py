"""Accuracy by band of steps ahead: sMAPE and seasonal MASE over the forecasts of steps
``first..last``, as Makridakis, Spiliotis & Assimakopoulos (2018, PLoS ONE 13(3), Tables 8 and
9) report the 18-step forecasts of M3's monthly series: short (steps 1–6), medium (7–12) and
long (13–18) horizons, and the average over 1–18 (which is the cell's own ``smape`` and
``mase_seasonal``, over every step).

Each band's metric is the metric of :mod:`shiftbench.evaluation.metrics` on that band's
forecasts alone (MASE keeps the scale of the whole training span: the in-sample MAE of the
seasonal naive forecast), named ``<metric>_h<first>-<last>`` in ``metrics.csv``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from shiftbench.evaluation.metrics import mase, smape
from shiftbench.types import FloatArray, IntArray

#: The metrics reported per band (the paper's two).
BAND_METRICS: tuple[str, ...] = ("smape", "mase_seasonal")

_BAND_NAME = re.compile(r"(?P<metric>[a-z0-9_]+)_h(?P<first>[1-9][0-9]*)-(?P<last>[1-9][0-9]*)")


def band_name(metric: str, band: tuple[int, int]) -> str:
    """The ``metrics.csv`` name of a metric over a band of steps.

    >>> band_name("smape", (1, 6))
    'smape_h1-6'
    """
    return f"{metric}_h{band[0]}-{band[1]}"


def parse_band(name: str) -> tuple[str, tuple[int, int]] | None:
    """The metric and band of a band metric's name (None for any other name).

    >>> parse_band("mase_seasonal_h13-18"), parse_band("smape")
    (('mase_seasonal', (13, 18)), None)
    """
    found = _BAND_NAME.fullmatch(name)
    if found is None or found.group("metric") not in BAND_METRICS:
        return None
    return found.group("metric"), (int(found.group("first")), int(found.group("last")))


def band_scores(
    y: FloatArray,
    y_hat: FloatArray,
    steps: IntArray,
    y_train: FloatArray,
    season_length: int,
    bands: Sequence[tuple[int, int]],
    notes: list[str] | None = None,
) -> dict[str, float]:
    """sMAPE and seasonal MASE of the forecasts whose step ahead lies in each band.

    ``steps`` is each forecast's step ahead (``h``); a band without a forecast is NaN. An
    overflow gives NaN and a line in ``notes``, as :func:`shiftbench.evaluation.metrics.score`.

    >>> band_scores(np.array([10.0, 10.0, 10.0]), np.array([10.0, 10.0, 30.0]),
    ...             np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0]), 1, [(1, 2), (3, 3)])
    {'smape_h1-2': 0.0, 'mase_seasonal_h1-2': 0.0, 'smape_h3-3': 100.0, 'mase_seasonal_h3-3': 20.0}
    """
    out: dict[str, float] = {}
    for band in bands:
        keep = (steps >= band[0]) & (steps <= band[1])
        a, b = y[keep], y_hat[keep]
        for metric in BAND_METRICS:
            name = band_name(metric, band)
            try:
                with np.errstate(over="raise"):
                    out[name] = (
                        smape(a, b) if metric == "smape" else mase(a, b, y_train, season_length)
                    )
            except (FloatingPointError, OverflowError):
                out[name] = math.nan
                if notes is not None:
                    notes.append(f"{name}: overflow while computing it; reported as NaN")
    return out


__all__ = ["BAND_METRICS", "band_name", "band_scores", "parse_band"]
