"""Events and classes scored like classifiers (the event definitions are
:mod:`shiftbench.eventspec`'s).

Every model is scored on the same footing: a forecaster's forecasts are turned into events by the
same rule as the actual data (:class:`~shiftbench.eventspec.EventSpec`).

**Scores** (:func:`classification_scores`) are scikit-learn's; **McNemar's test**
(:func:`mcnemar`) compares two classifiers on the same cases; and the **event right shift**
(:func:`detect_event_shift`) is the right-shift detector of :mod:`shiftbench.evaluation.shift`
with disagreement in place of squared error: a classifier whose events are the actual events
delayed (shift gain ≥ 2) with no significant skill over yesterday's event is a ``right_shift``.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from shiftbench.evaluation.shift import (
    MIN_ORIGINS,
    SHIFT_GAIN_THRESHOLD,
    ShiftVerdict,
    best_lag_and_gain,
    lags_for,
)
from shiftbench.evaluation.stats import TestResult
from shiftbench.eventspec import (  # re-exported: the event API in one place
    EVENT_KINDS,
    LONG_WINDOW,
    SHORT_WINDOW,
    EventSpec,
    actual_ehi,
    bin_classes,
    excess_heat_index,
)

#: The event scores as named in ``metrics.csv``, with their report labels; lower is better for
#: the last two, higher for the others.
EVENT_METRICS: dict[str, str] = {
    "event_accuracy": "accuracy",
    "event_balanced_accuracy": "bal. acc.",
    "event_precision": "precision",
    "event_recall": "recall",
    "event_f1": "F1",
    "event_brier": "Brier",
    "event_log_loss": "log loss",
}
LOWER_IS_BETTER = ("event_brier", "event_log_loss")


def classification_scores(
    actual: npt.ArrayLike,
    predicted: npt.ArrayLike,
    probability: npt.ArrayLike | None = None,
) -> dict[str, float]:
    """scikit-learn's classification metrics of one classifier.

    Binary events (classes 0/1): precision, recall and F1 of the event class (1). More classes:
    their macro averages. With ``probability`` (the event's probability, binary only): the Brier
    score and the log loss as well. A score undefined on these cases (precision with no predicted
    event) is 0, as scikit-learn's ``zero_division=0`` gives it.

    >>> s = classification_scores([0, 1, 1, 0], [0, 1, 0, 0], [0.1, 0.8, 0.4, 0.2])
    >>> s["accuracy"], s["precision"], s["recall"], round(s["brier"], 4)
    (0.75, 1.0, 0.5, 0.1125)
    """

    a = np.asarray(actual, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    binary = set(np.unique(np.concatenate([a, p]))) <= {0, 1}
    average = "binary" if binary else "macro"
    with warnings.catch_warnings():  # "a single label was found": the scores stay defined
        warnings.simplefilter("ignore", UserWarning)
        return _scores(a, p, probability, average, binary)


def _scores(
    a: npt.NDArray[np.int64],
    p: npt.NDArray[np.int64],
    probability: npt.ArrayLike | None,
    average: str,
    binary: bool,
) -> dict[str, float]:
    from sklearn import metrics as skm

    out = {
        "accuracy": float(skm.accuracy_score(a, p)),
        "balanced_accuracy": float(skm.balanced_accuracy_score(a, p)),
        "precision": float(skm.precision_score(a, p, average=average, zero_division=0)),
        "recall": float(skm.recall_score(a, p, average=average, zero_division=0)),
        "f1": float(skm.f1_score(a, p, average=average, zero_division=0)),
    }
    if probability is not None and binary:
        q = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
        out["brier"] = float(skm.brier_score_loss(a, q))
        out["log_loss"] = float(skm.log_loss(a, q, labels=[0, 1]))
    return out


def confusion_rows(
    actual: npt.ArrayLike, predicted: npt.ArrayLike, labels: list[int]
) -> list[tuple[int, int, int]]:
    """The confusion matrix in long format: (actual class, predicted class, count), every pair
    of ``labels`` present, zeros included.

    >>> confusion_rows([0, 1, 1, 0], [0, 1, 0, 0], [0, 1])
    [(0, 0, 2), (0, 1, 0), (1, 0, 1), (1, 1, 1)]
    """
    a = np.asarray(actual, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    return [(i, j, int(np.sum((a == i) & (p == j)))) for i in labels for j in labels]


#: The alternatives of :func:`mcnemar`: A and B differ, A is right more often, A less often.
Alternative = Literal["two-sided", "greater", "less"]


def mcnemar(
    correct_a: npt.ArrayLike, correct_b: npt.ArrayLike, alternative: Alternative = "two-sided"
) -> TestResult:
    """McNemar's exact test of two classifiers on the same cases (McNemar, *Psychometrika* 12,
    1947; the exact conditional form recommended by Fagerland, Lydersen & Laake, *BMC Med. Res.
    Methodol.* 13, 2013), by SciPy's exact binomial test (:func:`scipy.stats.binomtest`).

    With b the cases only A gets right and c those only B gets right, under equal accuracy b is
    Binomial(b + c, ½). Two-sided, the p-value is min(1, 2·P(X ≤ min(b, c))), so 1 when b = c;
    ``"greater"`` (A is right more often) is P(X ≥ b) and ``"less"`` is P(X ≤ b), each exact
    (not half the two-sided value, which is wrong by the probability of b itself). With no
    discordant case (b + c = 0) there is nothing to test: the p-value is 1 in every direction.
    The statistic returned is b − c (positive: A is right more often).

    >>> r = mcnemar([1] * 10 + [0] * 2, [0] * 10 + [1] * 2)   # b = 10, c = 2
    >>> r.statistic, round(r.p_value, 5)                       # 2 · (1 + 12 + 66) / 4096
    (8.0, 0.03857)
    >>> mcnemar([1] * 10 + [0] * 2, [0] * 10 + [1] * 2, "greater").p_value == 79 / 4096
    True
    """
    a = np.asarray(correct_a, dtype=bool)
    b_ = np.asarray(correct_b, dtype=bool)
    if a.shape != b_.shape:
        raise ValueError("the two classifiers must be scored on the same cases")
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    if b + c == 0:
        return TestResult(0.0, 1.0, len(a))
    p = float(stats.binomtest(b, b + c, 0.5, alternative=alternative).pvalue)
    return TestResult(float(b - c), min(1.0, p), len(a))


def detect_event_shift(
    actual: npt.ArrayLike,
    predicted: npt.ArrayLike,
    *,
    max_lag: int = 5,
    alpha: float = 0.05,
    history: npt.ArrayLike | None = None,
    persistence_lag: int = 1,
) -> ShiftVerdict:
    """The right-shift verdict for predicted events or classes against the actual ones.

    The lag profile is D(k) = share of origins where the prediction differs from the actual
    event k steps earlier; ``best_lag`` minimises it and ``shift_gain`` = D(0)/D(best_lag). Skill
    is judged against event persistence (the latest actual event known at the cutoff,
    ``persistence_lag`` steps back: 1 for a one-day event, ``short`` for a heat event whose days
    reach ``short − 1`` days ahead) by McNemar's exact test, one-sided at ``alpha``. Verdicts
    and their names are those of :func:`shiftbench.evaluation.shift.detect_shift`;
    ``theil_u2`` holds the error-rate ratio to persistence and the DM fields hold McNemar's
    b − c and one-sided p-value.

    >>> events = np.array([0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1] * 3)
    >>> v = detect_event_shift(events[1:], events[:-1])        # yesterday's event, exactly
    >>> v.verdict, v.best_lag, v.shift_gain
    ('right_shift', 1, inf)
    >>> detect_event_shift(events, events).verdict
    'clean'
    """
    a = np.asarray(actual, dtype=np.int64).ravel()
    f = np.asarray(predicted, dtype=np.int64).ravel()
    if a.shape != f.shape:
        raise ValueError(f"actual and predicted differ in length: {len(a)} != {len(f)}")
    past = np.zeros(0, np.int64) if history is None else np.asarray(history, np.int64).ravel()
    n = len(a)
    nan = math.nan

    def undetermined(reason: str) -> ShiftVerdict:
        return ShiftVerdict("undetermined", None, nan, (), 0, n, nan, nan, nan, reason, alpha)

    if n < MIN_ORIGINS:
        return undetermined(f"only {n} origins; at least {MIN_ORIGINS} are needed")
    if len(np.unique(a)) == 1:
        return undetermined("the actual events never change: a delay cannot be seen")
    K = lags_for(n, max_lag)
    m = len(past)
    series = np.concatenate([past, a])
    origins = np.arange(max(0, K - m), n)
    profile = tuple(float(np.mean(f[origins] != series[m + origins - k])) for k in range(K + 1))
    p_origins = np.arange(max(0, persistence_lag - m), n)
    persistence = series[m + p_origins - persistence_lag]
    right_model = f[p_origins] == a[p_origins]
    right_naive = persistence == a[p_origins]
    test = mcnemar(right_model, right_naive)
    p_better = mcnemar(right_model, right_naive, "greater").p_value
    p_worse = mcnemar(right_model, right_naive, "less").p_value
    naive_rate = float(np.mean(~right_naive))
    ratio = float(np.mean(~right_model)) / naive_rate if naive_rate > 0 else nan
    best, gain = best_lag_and_gain(profile)
    delayed = best >= 1 and gain >= SHIFT_GAIN_THRESHOLD
    versus = f"McNemar vs event persistence b−c = {test.statistic:g} (p = {p_better:.3g})"
    common = f"best match at lag {best}, shift_gain {gain:.3g}; {versus}"
    if delayed and p_better >= alpha:
        verdict = "right_shift"
        reason = f"the actual events delayed, with no significant skill over persistence: {common}"
    elif delayed:
        verdict = "lagging"
        reason = f"delayed, but significantly better than event persistence: {common}"
    elif p_worse < alpha:
        verdict = "worse_than_naive"
        reason = (
            f"not delayed, but significantly worse than event persistence "
            f"(one-sided McNemar p = {p_worse:.3g}); best lag {best}"
        )
    else:
        verdict = "clean"
        reason = f"matches the actual events best at lag {best} (shift_gain {gain:.3g}); {versus}"
    return ShiftVerdict(
        verdict, best, gain, profile, K, n, ratio, test.statistic, p_better, reason, alpha
    )


__all__ = [
    "EVENT_KINDS",
    "EVENT_METRICS",
    "LONG_WINDOW",
    "LOWER_IS_BETTER",
    "SHORT_WINDOW",
    "EventSpec",
    "actual_ehi",
    "bin_classes",
    "classification_scores",
    "confusion_rows",
    "detect_event_shift",
    "excess_heat_index",
    "mcnemar",
]
