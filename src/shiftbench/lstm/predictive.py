"""The predictive distribution of a network with a Gaussian head (``distribution = "normal"``):
its one-step intervals, and the sample paths of its multi-step ones. Pure functions.

**One step.** The head gives a mean μ and a scale σ in the scaled modelled space; the central
intervals μ ± z_{1−α/2}·σ are mapped to the series' scale through the same monotone
back-transformation as the mean (scaling, differencing, the article's preprocessing), which
keeps their coverage; the sd is σ times the scaler's scale where that map is affine.

**Several steps.** A recursive network forecasts step h from a window that holds its own
earlier forecasts. With a Gaussian head each step has a mean μ and a scale σ; drawing
z ~ N(μ, σ²) at every step and feeding the draw into the path's next window gives paths from
the joint predictive distribution of steps 1..h (ancestral sampling, as DeepAR forecasts:
Salinas et al., "DeepAR: probabilistic forecasting with autoregressive recurrent networks",
IJF 36, 2020, §3.2). The quantiles of the paths at each step are its central intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from shiftbench.types import Forecast

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: The network: windows (paths, window, features) -> (μ, σ) per window, scaled space.
Predict = Callable[[FloatArray], tuple[FloatArray, FloatArray | None]]
#: Scaled draws, the previous level of each path and the target position -> levels.
ToLevel = Callable[[FloatArray, FloatArray, IntArray], FloatArray]


def gaussian_forecast(
    z_hat: FloatArray,
    sigma: FloatArray,
    to_level: Callable[[FloatArray], FloatArray],
    coverages: Sequence[int],
    scale: float | None,
) -> Forecast:
    """One-step forecasts from the head's μ (``z_hat``) and σ: the mean and central intervals
    through ``to_level`` (monotone increasing), and the sd σ·``scale`` where the map is affine
    with that slope (``scale`` None: no sd).

    >>> f = gaussian_forecast(np.zeros(1), np.ones(1), lambda z: 10.0 + 2.0 * z, (95,), 2.0)
    >>> f.mean.tolist(), [round(float(b[0]), 3) for b in f.intervals[95]], f.sd.tolist()
    ([10.0], [6.08, 13.92], [2.0])
    """
    from scipy.stats import norm

    intervals = {}
    for level in coverages:
        q = float(norm.ppf(0.5 + level / 200.0))
        intervals[level] = (to_level(z_hat - q * sigma), to_level(z_hat + q * sigma))
    sd = None if scale is None else sigma * scale
    return Forecast(mean=to_level(z_hat), sd=sd, intervals=intervals)


def sample_levels(
    predict: Predict,
    to_level: ToLevel,
    window: FloatArray,
    design: FloatArray | None,
    last: float,
    first_position: int,
    horizon: int,
    paths: int,
    rng: np.random.Generator,
) -> FloatArray:
    """``paths`` sample paths of steps 1..``horizon`` on the series' scale, (paths, horizon).

    ``window`` is the last window of step features, (1, window, features); ``design`` the
    scaled covariate columns of the feature rows the paths append, one per step 1..h − 1 (None
    without covariates); ``last`` the last observed value; ``first_position`` the position of
    step 1's target.

    >>> def predict(w):  # a random walk's network: no change expected, σ = 1
    ...     return np.zeros(len(w)), np.ones(len(w))
    >>> def to_level(z, previous, positions):
    ...     return previous + z
    >>> levels = sample_levels(predict, to_level, np.zeros((1, 2, 1)), None, 10.0, 5, 4,
    ...                        20000, np.random.default_rng(0))
    >>> np.round(levels.std(axis=0) ** 2).tolist()  # the variance grows with h
    [1.0, 2.0, 3.0, 4.0]
    """
    windows = np.repeat(window, paths, axis=0)
    previous = np.full(paths, float(last))
    levels = np.empty((paths, horizon))
    for j in range(horizon):
        mu, sigma = predict(windows)
        if sigma is None:
            raise ValueError("sample paths need a network with a predictive scale")
        z = mu + sigma * rng.standard_normal(paths)
        previous = to_level(z, previous, np.full(paths, first_position + j, dtype=np.int64))
        levels[:, j] = previous
        if j + 1 < horizon:
            row = z[:, None]
            if design is not None:
                row = np.hstack([row, np.repeat(design[j][None, :], paths, axis=0)])
            windows = np.concatenate([windows[:, 1:, :], row[:, None, :]], axis=1)
    return levels


def central_intervals(
    levels: FloatArray, coverages: Sequence[int]
) -> dict[int, tuple[FloatArray, FloatArray]]:
    """The central intervals of each step's paths: per level in percent, the (50 − L/2) % and
    (50 + L/2) % quantiles over the paths (rows).

    >>> lo, hi = central_intervals(np.arange(101.0)[:, None], (80,))[80]
    >>> np.round(lo, 9).tolist(), np.round(hi, 9).tolist()
    ([10.0], [90.0])
    """
    return {
        level: (
            np.quantile(levels, 0.5 - level / 200.0, axis=0),
            np.quantile(levels, 0.5 + level / 200.0, axis=0),
        )
        for level in coverages
    }
