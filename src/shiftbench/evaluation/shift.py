"""The right-shift detector: is a one-step forecast a delayed copy of the actual series?

An LSTM (or any model) that has learned to repeat the last observation forecasts ŷ_t ≈ y_{t−1}:
its curve is the actual curve moved one step to the right. Low MSE and high R² do not reveal it,
because on a smooth series persistence itself scores well. Two measurements do:

**The lag profile.** For k = 0..K, L(k) = mean over one common span of (ŷ_t − y_{t−k})²: how far
the forecast is from the actual series delayed by k steps. ``best_lag`` is the k with the smallest
L(k); ``shift_gain`` = L(0)/L(best_lag) says how much better the forecast matches the delayed
series than the series itself (1 when best_lag = 0; inf when it is an exact delayed copy).

**Skill over persistence.** The Diebold–Mariano test with the Harvey–Leybourne–Newbold correction
(see :func:`shiftbench.evaluation.stats.diebold_mariano`), on squared errors, of the forecast
against the persistence forecast y_{t−1} over the same origins, one-sided: is the model better?

The verdict:

- ``undetermined`` — fewer than 10 origins, or a constant actual series (no delay can be seen);
- ``right_shift`` — best_lag ≥ 1, shift_gain ≥ 2, and no significant skill over persistence at
  level ``alpha``: the artifact;
- ``lagging`` — best_lag ≥ 1 and shift_gain ≥ 2, but significantly better than persistence: the
  forecast trails the series yet carries information persistence does not (the optimal forecast
  of a persistent series often looks like this);
- ``worse_than_naive`` — not a delayed copy, but significantly *worse* than persistence (the
  one-sided DM test the other way, at the same level): no artifact, and no use either;
- ``clean`` — otherwise: not a delayed copy, and not significantly worse than persistence.

When the best lag is the largest one examined (K ≥ 2), the reason says so: a longer delay may
fit better still, and ``max_lag`` should be raised to see it.

Why a gain of 2. For a delayed copy with noise, ŷ_t = y_{t−k} + e_t, L(0) ≈ E(y_t − y_{t−k})² +
σ_e² and L(k) ≈ σ_e², so gain ≥ 2 exactly when the forecast is closer to the delayed series
than the delayed series is to the present: more than half of the lag-0 squared error is
explained by the delay alone. A forecast unrelated to the actuals is about equally far from the
series at every lag (L(k) ≈ Var ŷ + Var y + bias² for all k), so its gain stays near 1 whichever
lag happens to fit best, and it is not called a copy; a forecast that tracks the series (a clean
one) has L(0) < L(k). The threshold needs no tuning per series because it compares the forecast
with itself.

With few origins, the lags examined shrink, K = min(max_lag, max(1, ⌊n/4⌋)), so that at least
three quarters of the origins enter every lag's mean. Observations before the first target
(``history``) let the common span start at the first origin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shiftbench.evaluation.stats import diebold_mariano

#: The fewest origins on which a verdict is given.
MIN_ORIGINS = 10
#: shift_gain at or above which a forecast counts as a delayed copy (see the module docstring).
SHIFT_GAIN_THRESHOLD = 2.0

VERDICTS: tuple[str, ...] = ("right_shift", "lagging", "worse_than_naive", "clean", "undetermined")


@dataclass(frozen=True)
class ShiftVerdict:
    """The detector's answer for one forecast series."""

    verdict: str
    best_lag: int | None
    shift_gain: float
    profile: tuple[float, ...]
    max_lag_used: int
    n_origins: int
    theil_u2: float
    dm_stat_vs_naive: float
    dm_p_vs_naive: float
    reason: str
    alpha: float = 0.05
    extra: dict[str, float] = field(default_factory=dict)

    def as_row(self, max_lag: int) -> dict[str, object]:
        """A row of ``shift.csv``: the contract columns, then the lag profile."""
        row: dict[str, object] = {
            "best_lag": self.best_lag,
            "shift_gain": self.shift_gain,
            "theil_u2": self.theil_u2,
            "dm_stat_vs_naive": self.dm_stat_vs_naive,
            "dm_p_vs_naive": self.dm_p_vs_naive,
            "verdict": self.verdict,
            "reason": self.reason,
            "n_origins": self.n_origins,
            "max_lag_used": self.max_lag_used,
        }
        for k in range(max_lag + 1):
            row[f"loss_lag{k}"] = self.profile[k] if k < len(self.profile) else math.nan
        return row


def lags_for(n: int, max_lag: int) -> int:
    """The lags examined for n origins: min(max_lag, max(1, ⌊n/4⌋)).

    >>> lags_for(10, 5), lags_for(31, 5), lags_for(1000, 5)
    (2, 5, 5)
    """
    return min(max_lag, max(1, n // 4))


def best_lag_and_gain(profile: tuple[float, ...]) -> tuple[int, float]:
    """The lag that minimises a lag profile and shift_gain = L(0)/L(best) (1 at lag 0, inf
    when the best lag fits exactly).

    >>> best_lag_and_gain((4.0, 1.0, 2.0)), best_lag_and_gain((1.0, 0.0))
    ((1, 4.0), (1, inf))
    >>> best_lag_and_gain((0.5, 1.0))
    (0, 1.0)
    """
    best = int(np.argmin(profile))
    if best == 0:
        return 0, 1.0
    if profile[best] == 0.0:
        return best, math.inf
    return best, profile[0] / profile[best]


def _format(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.3g}"


def detect_shift(
    actual: npt.ArrayLike,
    forecast: npt.ArrayLike,
    *,
    max_lag: int = 5,
    alpha: float = 0.05,
    history: npt.ArrayLike | None = None,
) -> ShiftVerdict:
    """Right-shift verdict for one-step forecasts aligned with their actuals.

    Parameters
    ----------
    actual, forecast
        1-d arrays or Series of one length: ``forecast[t]`` is the one-step forecast of
        ``actual[t]``.
    max_lag
        Largest delay examined (shrunk for short inputs, see the module docstring).
    alpha
        Level of the one-sided Diebold–Mariano test against persistence.
    history
        Optional observations just before ``actual[0]`` (oldest first), so that the persistence
        forecast and the delayed series exist from the first origin on.

    Returns
    -------
    ShiftVerdict
        ``verdict``, ``best_lag``, ``shift_gain``, the lag ``profile`` L(0..K), Theil's U2
        and the DM statistic and p-value against persistence, and a one-line ``reason``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(np.arange(60) / 5.0)
    >>> v = detect_shift(y[1:], y[:-1])        # the forecast is the last observation
    >>> v.verdict, v.best_lag
    ('right_shift', 1)
    >>> detect_shift(y, y + 0.01 * np.cos(np.arange(60))).verdict
    'clean'
    """
    a = np.asarray(actual, dtype=np.float64).ravel()
    f = np.asarray(forecast, dtype=np.float64).ravel()
    if a.shape != f.shape:
        raise ValueError(f"actual and forecast differ in length: {len(a)} != {len(f)}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(f))):
        raise ValueError("actual and forecast must be finite")
    past = np.zeros(0) if history is None else np.asarray(history, dtype=np.float64).ravel()
    n = len(a)
    nan = math.nan

    def undetermined(reason: str) -> ShiftVerdict:
        return ShiftVerdict("undetermined", None, nan, (), 0, n, nan, nan, nan, reason, alpha)

    if n < MIN_ORIGINS:
        return undetermined(f"only {n} origins; at least {MIN_ORIGINS} are needed")
    if np.ptp(a) == 0.0:
        return undetermined("the actual series is constant: a delay cannot be seen")

    K = lags_for(n, max_lag)
    m = len(past)
    series = np.concatenate([past, a])  # series[m + t] is actual[t]
    start = max(0, K - m)  # first origin where every lag k <= K has y_{t-k}
    origins = np.arange(start, n)
    profile = tuple(
        float(np.mean((f[origins] - series[m + origins - k]) ** 2)) for k in range(K + 1)
    )

    # Persistence over every origin where y_{t-1} exists.
    p_origins = np.arange(max(0, 1 - m), n)
    persistence = series[m + p_origins - 1]
    loss_model = (a[p_origins] - f[p_origins]) ** 2
    loss_naive = (a[p_origins] - persistence) ** 2
    dm = diebold_mariano(loss_model, loss_naive, h=1, alternative="less")
    dm_worse = diebold_mariano(loss_model, loss_naive, h=1, alternative="greater")
    naive_mse = float(np.mean(loss_naive))
    u2 = math.sqrt(float(np.mean(loss_model)) / naive_mse) if naive_mse > 0 else nan

    best, gain = best_lag_and_gain(profile)
    delayed = best >= 1 and gain >= SHIFT_GAIN_THRESHOLD
    skilled = bool(dm.p_value < alpha)
    versus = f"DM vs persistence {_format(dm.statistic)} (p = {_format(dm.p_value)})"
    common = f"best match at lag {best}, shift_gain {_format(gain)}; {versus}"
    if delayed and not skilled:
        verdict = "right_shift"
        reason = f"a delayed copy with no significant skill over persistence: {common}"
    elif delayed:
        verdict = "lagging"
        reason = f"delayed, but significantly better than persistence: {common}"
    elif dm_worse.p_value < alpha:
        verdict = "worse_than_naive"
        reason = (
            f"not a delayed copy, but significantly worse than persistence "
            f"(U2 {_format(u2)}, one-sided DM p = {_format(dm_worse.p_value)}); best lag {best}"
        )
    else:
        verdict = "clean"
        if best == 0:
            reason = f"matches the actual series best at lag 0; {versus}"
        else:
            reason = (
                f"lag {best} fits only {_format(gain)} times better than lag 0 "
                f"(< {SHIFT_GAIN_THRESHOLD:g}); {common}"
            )
    if best == K and K >= 2:
        why = "raise max_lag to see it" if max_lag == K else f"the most {n} origins allow"
        reason += f"; lag {K} is the largest examined, so a longer delay may fit better ({why})"
    return ShiftVerdict(
        verdict, best, gain, profile, K, n, u2, dm.statistic, dm.p_value, reason, alpha
    )
