"""Forecast accuracy metrics: small pure functions over aligned arrays.

Every function takes the actuals ``y`` and forecasts ``y_hat`` (and, where the definition needs
them, the last observation before each target or the training span) and returns a float. The
definitions are those of Hyndman & Koehler, "Another look at measures of forecast accuracy",
*International Journal of Forecasting* 22(4), 2006, unless a docstring says otherwise.
Percentage metrics are in percent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from shiftbench.errors import ShiftbenchWarning
from shiftbench.evaluation import intervals
from shiftbench.types import FloatArray

ArrayLike = npt.ArrayLike


def _pair(y: ArrayLike, y_hat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y, dtype=np.float64)
    b = np.asarray(y_hat, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"y and y_hat must be 1-d of one length, got {a.shape} and {b.shape}")
    return a, b


def mse(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean squared error, mean((y − ŷ)²).

    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    a, b = _pair(y, y_hat)
    return float(np.mean((a - b) ** 2)) if len(a) else math.nan


def rmse(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Root mean squared error, √MSE.

    >>> rmse([0.0, 0.0], [3.0, 4.0])  # √((9 + 16) / 2)
    3.5355339059327378
    """
    return math.sqrt(mse(y, y_hat))


def mae(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean absolute error, mean|y − ŷ|.

    >>> mae([1.0, 2.0], [2.0, 0.0])
    1.5
    """
    a, b = _pair(y, y_hat)
    return float(np.mean(np.abs(a - b))) if len(a) else math.nan


def mape(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean absolute percentage error, mean(|100·(y − ŷ)/y|) (Hyndman & Koehler 2006, §3.2).

    Undefined when an actual is 0: returns NaN and warns, never inf.

    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    a, b = _pair(y, y_hat)
    if not len(a):
        return math.nan
    if np.any(a == 0.0):
        warnings.warn(
            "mape is undefined when an actual value is 0; reported as NaN",
            ShiftbenchWarning,
            stacklevel=2,
        )
        return math.nan
    return float(np.mean(np.abs(100.0 * (a - b) / a)))


def smape(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Symmetric MAPE, mean(200·|y − ŷ| / (|y| + |ŷ|)), as in the M3 and M4 competitions.

    Ranges over [0, 200]; a term with y = ŷ = 0 counts as 0.

    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    a, b = _pair(y, y_hat)
    if not len(a):
        return math.nan
    num = 200.0 * np.abs(a - b)
    den = np.abs(a) + np.abs(b)
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(np.mean(terms))


def mase(y: ArrayLike, y_hat: ArrayLike, y_train: ArrayLike, season_length: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006, eq. 3.3).

    The MAE of the forecasts divided by the in-sample MAE of the (seasonal) naive one-step
    forecast on the training span: mean|y_t − y_{t−m}| over t = m+1..T. NaN when that scale is 0.

    >>> mase([3.0, 5.0], [4.0, 4.0], [1.0, 2.0, 4.0])
    0.6666666666666666
    """
    a, b = _pair(y, y_hat)
    train = np.asarray(y_train, dtype=np.float64)
    m = int(season_length)
    if len(train) <= m or not len(a):
        return math.nan
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    if scale == 0.0:
        return math.nan
    return mae(a, b) / scale


def r2(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Coefficient of determination, 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over the forecast points.

    The definition of ``sklearn.metrics.r2_score``; NaN for a constant target.

    >>> r2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    0.5
    """
    a, b = _pair(y, y_hat)
    sst = float(np.sum((a - a.mean()) ** 2)) if len(a) else 0.0
    if sst == 0.0:
        return math.nan
    return 1.0 - float(np.sum((a - b) ** 2)) / sst


def theil_u2(y: ArrayLike, y_hat: ArrayLike, y_prev: ArrayLike) -> float:
    """Theil's U2: RMSE of the forecasts over the RMSE of persistence on the same origins.

    Theil, *Applied Economic Forecasting* (1966); in the RMSE-ratio form of Hyndman & Koehler
    (2006, §3.4, "relative RMSE" against the naive method). ``y_prev`` is the last value each
    forecast could see (the persistence forecast). Below 1: better than persistence.

    >>> theil_u2([2.0, 4.0], [2.0, 3.0], [1.0, 2.0])
    0.4472135954999579
    """
    a, b = _pair(y, y_hat)
    _, p = _pair(y, y_prev)
    base = rmse(a, p)
    if base == 0.0 or math.isnan(base):
        return math.nan
    return rmse(a, b) / base


def directional_accuracy(y: ArrayLike, y_hat: ArrayLike, y_prev: ArrayLike) -> float:
    """Share of origins where sign(ŷ_t − y_{t−1}) equals sign(y_t − y_{t−1}).

    The hit rate that the Pesaran–Timmermann (1992) test examines; ``y_prev`` is the last value
    before each target. A forecast that predicts no change (sign 0) scores only where the actual
    did not change either.

    >>> directional_accuracy([2.0, 1.0, 3.0], [1.5, 2.0, 2.5], [1.0, 2.0, 2.0])
    0.6666666666666666
    """
    a, b = _pair(y, y_hat)
    _, p = _pair(y, y_prev)
    if not len(a):
        return math.nan
    return float(np.mean(np.sign(b - p) == np.sign(a - p)))


def coverage(y: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside their interval [lower, upper] (empirical coverage).

    >>> coverage([1.0, 5.0], [0.0, 0.0], [2.0, 2.0])
    0.5
    """
    a = np.asarray(y, dtype=np.float64)
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    if not len(a):
        return math.nan
    return float(np.mean((a >= lo) & (a <= hi)))


def crps_gaussian(y: ArrayLike, mean: ArrayLike, sd: ArrayLike) -> float:
    """Mean continuous ranked probability score of Gaussian predictive distributions.

    Closed form of Gneiting & Raftery, "Strictly proper scoring rules, prediction, and
    estimation", *JASA* 102 (2007), eq. 21: with z = (y − μ)/σ,
    CRPS = σ·[z·(2Φ(z) − 1) + 2φ(z) − 1/√π]. Lower is better; for σ → 0 it tends to |y − μ|.

    >>> round(crps_gaussian([0.0], [0.0], [1.0]), 6)  # (√2 − 1)/√π
    0.233695
    """
    a, mu = _pair(y, mean)
    s = np.asarray(sd, dtype=np.float64)
    if not len(a):
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (a - mu) / s
        value = s * (
            z * (2.0 * stats.norm.cdf(z) - 1.0) + 2.0 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
        )
    value = np.where(s > 0, value, np.abs(a - mu))
    return float(np.mean(value))


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average: the mean of sMAPE and MASE, each relative to Naive2's.

    The M4 competition's summary measure (Makridakis, Spiliotis & Assimakopoulos, "The M4
    Competition: 100,000 time series and 61 forecasting methods", *IJF* 36(1), 2020, §2.2):
    OWA = ½·(sMAPE/sMAPE_Naive2 + MASE/MASE_Naive2), with the collection's mean sMAPE and
    mean (seasonal) MASE. Below 1: better than Naive2.

    >>> owa(10.0, 1.0, 12.5, 0.8)  # ½·(0.8 + 1.25)
    1.025
    """
    if smape_naive2 == 0.0 or mase_naive2 == 0.0:
        return math.nan
    return 0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2)


def mse_all_points(
    y: ArrayLike, y_hat: ArrayLike, y_in_sample: ArrayLike, y_hat_in_sample: ArrayLike
) -> float:
    """MSE over every point a model predicts: its in-sample one-step predictions on the training
    span (pairs with a NaN prediction left out) together with its out-of-sample forecasts.

    The figure the sales study reported (PaperWeekly, 2021); it rewards in-sample fit, so
    shiftbench reports it beside, never instead of, the out-of-sample metrics.

    >>> mse_all_points([1.0], [2.0], [0.0, 5.0], [float("nan"), 2.0])  # (1 + 9) / 2
    5.0
    """
    a, b = _pair(y, y_hat)
    ai, bi = _pair(y_in_sample, y_hat_in_sample)
    keep = np.isfinite(bi)
    return mse(np.concatenate([ai[keep], a]), np.concatenate([bi[keep], b]))


@dataclass(frozen=True)
class Inputs:
    """What a metric may need of one cell's forecasts.

    ``y``, ``y_hat``: actuals and forecasts; ``y_prev``: the last value each forecast could see;
    ``y_train``: the training span; ``season_length``: the m of seasonal scales; ``sd`` and
    ``intervals`` (level -> lower, upper) where the model gives them (``intervals`` also where
    they are conformal); ``crps_values``: each forecast's CRPS under a predictive distribution
    that is not Gaussian (the conformal one, :mod:`shiftbench.evaluation.conformal`);
    ``in_sample``: the actuals and one-step predictions over the training span, where the model
    gives them and the run asks for ``mse_all_points``.
    """

    y: FloatArray
    y_hat: FloatArray
    y_prev: FloatArray
    y_train: FloatArray
    season_length: int = 1
    sd: FloatArray | None = None
    intervals: Mapping[int, tuple[FloatArray, FloatArray]] | None = None
    in_sample: tuple[FloatArray, FloatArray] | None = None
    crps_values: FloatArray | None = None
    #: Never given to one cell: marks the metrics computed over a whole collection (OWA).
    collection: None = None

    @property
    def distribution(self) -> FloatArray | None:
        """Present where the forecasts have a predictive distribution to score: the Gaussian
        sds, else the per-forecast CRPS of another one."""
        return self.sd if self.sd is not None else self.crps_values


Direction = Literal["lower", "higher", "nominal"]


@dataclass(frozen=True)
class Metric:
    """One metric: how to compute it from :class:`Inputs`, and how to show and judge it.

    ``direction`` says which way is better (``"nominal"``: closer to ``nominal``); ``needs``
    names the :class:`Inputs` field that must be present (None: always computed); ``latex``
    whether ``tables.tex`` shows it.
    """

    name: str
    label: str
    compute: Callable[[Inputs], float]
    direction: Direction = "lower"
    nominal: float | None = None
    needs: Literal["distribution", "intervals", "in_sample", "collection"] | None = None
    latex: bool = False

    def worsening(self, base: float, new: float) -> float:
        """How much worse ``new`` is than ``base`` (negative: better).

        >>> METRICS["r2"].worsening(0.9, 0.8) > 0, METRICS["mse"].worsening(2.0, 1.0)
        (True, -1.0)
        """
        if self.direction == "nominal":
            target = float(self.nominal or 0.0)
            return abs(new - target) - abs(base - target)
        if self.direction == "higher":
            return base - new
        return new - base

    def badness(self, value: float) -> float:
        """A number that is smaller the better ``value`` is (for marking the best)."""
        if self.direction == "nominal":
            return abs(value - float(self.nominal or 0.0))
        return -value if self.direction == "higher" else value


def _coverage(level: int) -> Callable[[Inputs], float]:
    def compute(inputs: Inputs) -> float:
        assert inputs.intervals is not None
        return coverage(inputs.y, *inputs.intervals[level])

    return compute


def _width(level: int) -> Callable[[Inputs], float]:
    def compute(inputs: Inputs) -> float:
        assert inputs.intervals is not None
        return intervals.mean_width(*inputs.intervals[level])

    return compute


def _msis(inputs: Inputs) -> float:
    """M4's MSIS of the 95 % intervals (α = 0.05), scaled by the seasonal naive's in-sample
    error (:func:`shiftbench.evaluation.intervals.msis`)."""
    assert inputs.intervals is not None
    lo, hi = inputs.intervals[95]
    return intervals.msis(inputs.y, lo, hi, inputs.y_train, inputs.season_length, 0.05)


def _crps(inputs: Inputs) -> float:
    """The mean CRPS: of the Gaussian N(ŷ, sd²) where the forecasts have an sd, else the mean
    of the per-forecast values given (conformal)."""
    if inputs.sd is not None:
        return crps_gaussian(inputs.y, inputs.y_hat, inputs.sd)
    assert inputs.crps_values is not None
    return float(np.mean(inputs.crps_values)) if len(inputs.crps_values) else math.nan


def _over_collection(inputs: Inputs) -> float:
    raise ValueError("computed over a collection, by shiftbench.evaluation.assess")


def _all_points(inputs: Inputs) -> float:
    assert inputs.in_sample is not None
    return mse_all_points(inputs.y, inputs.y_hat, *inputs.in_sample)


#: Every metric, in the order of ``metrics.csv`` and the reports. Adding a metric is adding an
#: entry here: scoring, report labels, "best" marking, compare gates and LaTeX columns read it.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("mse", "MSE", lambda i: mse(i.y, i.y_hat), latex=True),
        Metric("rmse", "RMSE", lambda i: rmse(i.y, i.y_hat)),
        Metric("mae", "MAE", lambda i: mae(i.y, i.y_hat), latex=True),
        Metric("mape", "MAPE %", lambda i: mape(i.y, i.y_hat)),
        Metric("smape", "sMAPE %", lambda i: smape(i.y, i.y_hat), latex=True),
        Metric("mase", "MASE", lambda i: mase(i.y, i.y_hat, i.y_train, 1), latex=True),
        Metric(
            "mase_seasonal",
            "MASE (m)",
            lambda i: mase(i.y, i.y_hat, i.y_train, i.season_length),
        ),
        Metric("r2", "R²", lambda i: r2(i.y, i.y_hat), direction="higher"),
        Metric("theil_u2", "U2 (vs naive)", lambda i: theil_u2(i.y, i.y_hat, i.y_prev), latex=True),
        Metric(
            "directional_accuracy",
            "Dir. acc.",
            lambda i: directional_accuracy(i.y, i.y_hat, i.y_prev),
            direction="higher",
        ),
        Metric("coverage_80", "Cov. 80", _coverage(80), "nominal", nominal=0.80, needs="intervals"),
        Metric(
            "coverage_95",
            "Cov. 95",
            _coverage(95),
            "nominal",
            nominal=0.95,
            needs="intervals",
            latex=True,
        ),
        Metric("width_80", "Width 80", _width(80), needs="intervals"),
        Metric("width_95", "Width 95", _width(95), needs="intervals"),
        Metric("msis", "MSIS 95", _msis, needs="intervals"),
        Metric("crps", "CRPS", _crps, needs="distribution", latex=True),
        Metric("mse_all_points", "MSE all pts", _all_points, needs="in_sample"),
        Metric("owa", "OWA (vs naive2)", _over_collection, needs="collection"),
    )
}

#: The metrics every cell reports (those that need nothing but point forecasts).
POINT_METRICS: tuple[str, ...] = tuple(n for n, m in METRICS.items() if m.needs is None)


def score(inputs: Inputs, notes: list[str] | None = None) -> dict[str, float]:
    """Every metric of :data:`METRICS` whose inputs are present, named as in ``metrics.csv``.

    A metric whose computation overflows (values near the largest float) is NaN, never a
    silently wrong number, and ``notes`` (when given) gets a line saying so.

    >>> notes = []
    >>> big = Inputs(np.array([1e308, -1e308]), np.array([-1e308, 1e308]), np.zeros(2),
    ...              np.array([1e308, -1e308, 1e308]))
    >>> values = score(big, notes)
    >>> math.isnan(values["mse"]), math.isnan(values["mase"]), notes[0]
    (True, True, 'mse: overflow while computing it; reported as NaN')
    """
    values = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShiftbenchWarning)
        for name, metric in METRICS.items():
            if metric.needs is not None and getattr(inputs, metric.needs) is None:
                continue
            try:
                with np.errstate(over="raise"):
                    value = metric.compute(inputs)
            except (FloatingPointError, OverflowError):
                value = math.nan
                if notes is not None:
                    notes.append(f"{name}: overflow while computing it; reported as NaN")
            values[name] = value
    return values
