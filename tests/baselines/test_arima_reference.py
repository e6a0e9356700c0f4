"""The seasonal order search against the reference: statsforecast's port of auto.arima.

``tests/reference/m3_auto_arima_orders.csv`` holds the orders statsforecast's ``AutoARIMA``
picked on every 20th of the 1045 M3 monthly series of Makridakis et al. (2018) (see the script
beside it). Where shiftbench picks another order with the same differencing, both orders are
scored by statsmodels on the differenced series (an independent likelihood): auto.arima's
order fitted by statsmodels' own optimiser, shiftbench's evaluated at shiftbench's estimates
(which checks that the AICc the search reports is the likelihood statsmodels computes). An
order of auto.arima's whose maximum likelihood lies at a unit root is excluded, as auto.arima's
own admissibility rule would exclude it (its port's estimate stopped short of the maximum).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest

from shiftbench.baselines import ARIMA
from shiftbench.baselines.arima_search import MIN_ROOT, Spec, difference

REFERENCE = Path(__file__).parents[1] / "reference" / "m3_auto_arima_orders.csv"

#: An AICc more than this above the other order's is "clearly worse" (Burnham & Anderson
#: 2002, §2.6: models within 2 of the best have substantial support).
CLEARLY_WORSE = 2.0


def _reference() -> list[tuple[str, Spec]]:
    with REFERENCE.open() as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return [
        (
            row["series"],
            Spec(
                int(row["p"]),
                int(row["d"]),
                int(row["q"]),
                int(row["P"]),
                int(row["D"]),
                int(row["Q"]),
                12,
                row["constant"] == "1",
            ),
        )
        for row in rows
    ]


def referee_aicc(y: np.ndarray, spec: Spec, params: np.ndarray | None = None) -> tuple[float, bool]:
    """AICc of ``spec`` under statsmodels (SARIMAX on the differenced series, the constant as a
    regressor column): fitted by statsmodels' own optimiser from its own start values, or, with
    ``params``, its likelihood evaluated at those estimates; and whether that model is
    admissible by auto.arima's rule (no root of the expanded AR or MA polynomial within 1.01 of
    the unit circle)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    w = difference(y, spec.d, spec.D, spec.m)
    exog = None
    if spec.trend in ("c", "t"):  # a mean, or a drift: the differenced trend is constant
        exog = np.ones((len(w), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(
            w,
            exog=exog,
            order=(spec.p, 0, spec.q),
            seasonal_order=(spec.P, 0, spec.Q, spec.m) if spec.P + spec.Q else (0, 0, 0, 0),
        )
        if params is None:
            result = model.fit(disp=0)
        else:
            params = np.asarray(params, dtype=np.float64).copy()
            if spec.trend == "t" and spec.D == 1:
                params[0] *= spec.m  # (1 - B^m) of the trend column t is m
            result = model.filter(params)
    roots = [np.abs(result.arroots), np.abs(result.maroots)]
    admissible = all(r.size == 0 or float(np.min(r)) >= MIN_ROOT for r in roots)
    return float(result.aicc), admissible


@pytest.fixture(scope="module")
def comparison() -> list[tuple[str, Spec, Spec, np.ndarray, np.ndarray]]:
    from shiftbench.datasets import load_dataset

    members = {m.series: m for m in load_dataset("m3_monthly").members}  # type: ignore[union-attr]
    out = []
    for series, theirs in _reference():
        y = members[series].y.to_numpy(dtype=np.float64)[:-18]
        model = ARIMA(season_length=12).fit(y)
        out.append((series, model.results_.spec, theirs, y, model.results_.params))
    return out


def test_differencing_agrees_with_auto_arima_on_the_sample(comparison) -> None:  # type: ignore[no-untyped-def]
    same = [s for s, ours, theirs, _, _ in comparison if (ours.d, ours.D) == (theirs.d, theirs.D)]
    print(f"\n(d, D) agree on {len(same)} of {len(comparison)} series")
    assert len(comparison) == 53
    assert len(same) >= 0.95 * len(comparison)


def test_no_order_has_a_clearly_worse_aicc_than_auto_arimas(comparison) -> None:  # type: ignore[no-untyped-def]
    identical = 0
    worse = []
    inadmissible = []
    for series, ours, theirs, y, params in comparison:
        if ours == theirs:
            identical += 1
            continue
        if (ours.d, ours.D) != (theirs.d, theirs.D):
            continue
        (a_ours, ours_ok), (a_theirs, admissible) = (
            referee_aicc(y, ours, params),
            referee_aicc(y, theirs),
        )
        assert ours_ok, f"{series}: {ours.label} is inadmissible at shiftbench's estimates"
        if not admissible:  # its maximum likelihood lies at a unit root: auto.arima's rule
            inadmissible.append(series)  # excludes it; its own estimate stopped short
            continue
        if a_ours > a_theirs + CLEARLY_WORSE:
            worse.append(f"{series}: {ours.label} {a_ours:.2f} vs {theirs.label} {a_theirs:.2f}")
    print(f"\nthe same order as auto.arima on {identical} of {len(comparison)} series")
    print(f"auto.arima's order inadmissible at its ML estimate on {inadmissible}")
    print("\n".join(worse))
    assert identical >= 0.4 * len(comparison)
    assert not worse
