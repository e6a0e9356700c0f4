"""shiftbench's SES, Holt, Damped, ETS and ARIMA against R's ``forecast`` package (R 4.2.x,
forecast 8.20 in CI's Debian), series by series, on every 20th of the 1045 M3 series of
Makridakis et al. (2018) (53 series; ``conftest.py`` runs both sides).

What must agree (issue 23's goals):

- the seasonal adjustment: the same seasonality verdict and the same indices as R's
  ``decompose(type = "multiplicative")`` on every series;
- Guerrero's λ as R's ``BoxCox.lambda(x, method = "guerrero")`` on every series;
- each method's mean sMAPE within :data:`MEAN_TOLERANCE` of R's, one-step and 18-step, with and
  without Box-Cox (and the refit variant for SES, Holt, Damped);
- the forecasts series by series: on at least :data:`MIN_SHARE_CLOSE` of the series every one of
  the 18 forecasts lies within :data:`RTOL` of R's;
- the ETS model (``ETS(M,Ad,N)``) and the ARIMA order (p,d,q)(P,D,Q) with its constant on at
  least :data:`MIN_SHARE_SAME_MODEL` of the series ("the same model on most series").

Every disagreement (series, method, ours against R's) is listed in the assertion message and in
``disagreements.txt`` of the run's folder. A difference that is on purpose is listed in
:data:`DOCUMENTED` with its reason; such a series still shows in the listing but does not count
against the shares.
"""

from __future__ import annotations

import numpy as np
import pytest

from shiftbench.seasonality import SeasonalIndices
from shiftbench.types import FloatArray
from tests.reference.conftest import METHODS, SMOOTHING, Reference
from tests.reference.ours import arima_key
from tests.reference.r_output import arima_order, parse_numbers, score_table

pytestmark = pytest.mark.r_reference

#: The largest difference of a method's mean sMAPE from R's (percentage points).
MEAN_TOLERANCE = 0.05
#: The largest relative difference of one forecast from R's that counts as the same.
RTOL = 0.01
#: The least share of series on which all 18 forecasts are within RTOL of R's: one model with
#: one optimum for SES, Holt, Damped; a model chosen among many for ETS and ARIMA, where a
#: different choice on a series gives different forecasts.
MIN_SHARE_CLOSE = {"ses": 0.9, "holt": 0.9, "damped": 0.9, "ets": 0.75, "arima": 0.75}
#: The least share of series on which ETS picks R's model and ARIMA R's order ("most series").
MIN_SHARE_SAME_MODEL = 0.8
#: Differences on purpose: (method, series id) -> the reason; ("ets", "*") for every series.
DOCUMENTED: dict[tuple[str, str], str] = {}

#: Gaps not yet closed (issue 23 is open), measured on the sample: (test, method, protocol,
#: boxcox) -> what differs. Each such case is a strict xfail: it must fail as described, and
#: the day it passes the suite says so, so that the entry is removed, never forgotten.
KNOWN_GAPS: dict[tuple[str, str, str, int], str] = {
    # measured 2026-12-01 (R 4.2.2, forecast 8.20): the same order as auto.arima on 48 of the
    # 53 series, and the forecasts within 1 % on 48; the 5 other orders move the sample's mean
    ("mean", "arima", "one_step", 0): "ARIMA mean sMAPE 6.538 against R's 6.599 (-0.061): "
    "5 of 53 series get another order than auto.arima",
    ("mean", "arima", "multi_step", 0): "ARIMA 18-step mean sMAPE 10.936 against R's 11.139 "
    "(-0.203): 5 of 53 series get another order than auto.arima",
}


def _cases(test: str, cases: list[tuple[str, str, int]]) -> list[object]:
    out: list[object] = []
    for case in cases:
        gap = KNOWN_GAPS.get((test, *case))
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(*case, marks=marks))
    return out


CASES = [
    (method, protocol, boxcox)
    for method in METHODS
    for protocol in ("one_step", "multi_step")
    for boxcox in (0, 1)
] + [(method, "one_step_refit", 0) for method in SMOOTHING]


def _why(method: str, sid: str) -> str | None:
    return DOCUMENTED.get((method, sid)) or DOCUMENTED.get((method, "*"))


Pair = tuple[str, FloatArray | str, FloatArray]


def _pairs(ref: Reference, method: str, protocol: str, boxcox: int) -> list[Pair]:
    """(series id, ours, R's) where both sides have the forecasts; ours is the error text
    where shiftbench failed."""
    out: list[Pair] = []
    for split in ref.splits:
        theirs = ref.r.forecasts.get((split.id, method, boxcox, protocol))
        mine = ref.ours.get((split.id, method, boxcox))
        if (
            theirs is None
            or mine is None
            or (mine.error is None and protocol not in mine.forecasts)
        ):
            continue
        out.append((split.id, mine.error or mine.forecasts[protocol], theirs))
    return out


def _fit_text(ref: Reference, sid: str, method: str, boxcox: int) -> str:
    """Both sides' models and parameters, for a disagreement's line."""
    row = ref.r.fit(sid, method, boxcox)
    mine = ref.ours[(sid, method, boxcox)].info
    params = {
        k: row[k]
        for k in ("alpha", "beta", "phi", "lambda")
        if row is not None and row[k] == row[k]
    }
    r_params = ", ".join(f"{k}={float(v):.4g}" for k, v in params.items())
    our_params = ", ".join(
        f"{k}={float(mine[k]):.4g}" for k in ("alpha", "beta", "phi", "lambda") if k in mine
    )
    model = mine.get("model", method)
    return (
        f"ours {model} [{our_params}] vs R {row['model'] if row is not None else '-'} [{r_params}]"
    )


@pytest.mark.parametrize(("method", "protocol", "boxcox"), _cases("mean", CASES))
def test_mean_smape_is_within_005_of_r(
    reference: Reference, method: str, protocol: str, boxcox: int
) -> None:
    pairs = _pairs(reference, method, protocol, boxcox)
    failed = [f"{sid}: {mine}" for sid, mine, _ in pairs if isinstance(mine, str)]
    assert not failed, reference.report(
        f"{method} boxcox={boxcox} {protocol}: shiftbench failed", failed
    )
    assert pairs, f"no series with both sides' {method} {protocol} forecasts"
    key = (method, boxcox, protocol)
    ours = score_table(reference.splits, {(s, *key): np.asarray(m) for s, m, _ in pairs})
    theirs = score_table(reference.splits, {(s, *key): r for s, _, r in pairs})
    mine, r = (float(t.loc[t["band"] == "all", "smape"].mean()) for t in (ours, theirs))
    assert abs(mine - r) <= MEAN_TOLERANCE, reference.report(
        f"{method} boxcox={boxcox} {protocol}: mean sMAPE over {len(pairs)} series",
        [f"ours {mine:.4f} vs R {r:.4f} (difference {mine - r:+.4f})"],
    )


@pytest.mark.parametrize(("method", "protocol", "boxcox"), _cases("close", CASES))
def test_forecasts_match_r_series_by_series(
    reference: Reference, method: str, protocol: str, boxcox: int
) -> None:
    pairs = _pairs(reference, method, protocol, boxcox)
    assert pairs, f"no series with both sides' {method} {protocol} forecasts"
    lines, counted, close = [], 0, 0
    for sid, mine, theirs in pairs:
        why = _why(method, sid)
        counted += why is None
        if isinstance(mine, str):
            lines.append(f"{sid} {method} boxcox={boxcox} {protocol}: shiftbench failed: {mine}")
            continue
        rel = np.abs(mine - theirs) / np.maximum(np.abs(theirs), 1e-12)
        if np.all(rel <= RTOL):
            close += why is None
            continue
        h = int(np.argmax(rel))
        lines.append(
            f"{sid} {method} boxcox={boxcox} {protocol}: h={h + 1} ours {mine[h]:.6g} vs R "
            f"{theirs[h]:.6g} ({rel[h]:.2%}); {_fit_text(reference, sid, method, boxcox)}"
            + (f" -- documented: {why}" if why else "")
        )
    share = close / counted if counted else 1.0
    title = (
        f"{method} boxcox={boxcox} {protocol}: {close} of {counted} series within {RTOL:.0%} "
        f"of R at every h ({share:.0%}; at least {MIN_SHARE_CLOSE[method]:.0%} required)"
    )
    message = reference.report(title, lines)
    assert share >= MIN_SHARE_CLOSE[method], message


def _same_model_lines(reference: Reference, method: str, boxcox: int) -> tuple[int, int, list[str]]:
    same, counted, lines = 0, 0, []
    for split in reference.splits:
        row = reference.r.fit(split.id, method, boxcox)
        mine = reference.ours.get((split.id, method, boxcox))
        if row is None or mine is None:
            continue
        why = _why(method, split.id)
        counted += why is None
        if mine.error is not None:
            lines.append(f"{split.id} {method} boxcox={boxcox}: shiftbench failed: {mine.error}")
            continue
        ours_key: object = mine.info["model"] if method == "ets" else arima_key(mine.info)
        r_key: object = str(row["model"]) if method == "ets" else arima_order(row)
        if ours_key == r_key:
            same += why is None
        else:
            label = mine.info.get("model", ours_key)
            lines.append(
                f"{split.id} {method} boxcox={boxcox}: ours {label} {ours_key} vs R {row['model']}"
                + (f" {r_key}" if method == "arima" else "")
                + (f" -- documented: {why}" if why else "")
            )
    return same, counted, lines


MODEL_CASES = [(method, "any", boxcox) for method in ("ets", "arima") for boxcox in (0, 1)]


@pytest.mark.parametrize(("method", "protocol", "boxcox"), _cases("model", MODEL_CASES))
def test_chooses_r_model_on_most_series(
    reference: Reference, method: str, protocol: str, boxcox: int
) -> None:
    same, counted, lines = _same_model_lines(reference, method, boxcox)
    assert counted, f"no series with both sides' {method} fits"
    share = same / counted
    title = (
        f"{method} boxcox={boxcox}: R's model on {same} of {counted} series ({share:.0%}; at "
        f"least {MIN_SHARE_SAME_MODEL:.0%} required)"
    )
    assert share >= MIN_SHARE_SAME_MODEL, reference.report(title, lines)
    reference.report(title, lines)


def test_seasonal_adjustment_matches_r_decompose(reference: Reference) -> None:
    lines = []
    for split in reference.splits:
        r_row = reference.r.series.loc[split.id]
        ours = SeasonalIndices.fit(split.insample, 12)
        theirs = parse_numbers(r_row["indices"])
        if ours.adjusted != bool(r_row["seasonal"]) or not np.allclose(
            ours.values, theirs, rtol=1e-9, atol=0.0
        ):
            lines.append(
                f"{split.id}: ours seasonal={ours.adjusted} {np.round(ours.values, 6).tolist()} "
                f"vs R seasonal={bool(r_row['seasonal'])} {np.round(theirs, 6).tolist()}"
            )
    assert not lines, reference.report("seasonal indices", lines)


def test_guerrero_lambda_matches_r(reference: Reference) -> None:
    from shiftbench.boxcox import guerrero_lambda

    lines = []
    for split in reference.splits:
        theirs = float(reference.r.series.loc[split.id, "lambda"])
        mine = guerrero_lambda(split.insample, 12)
        # R's optimize stops within .Machine$double.eps^0.25 (1.2e-4) of the optimum
        if abs(mine - theirs) > 1e-3:
            lines.append(f"{split.id}: ours lambda {mine:.6f} vs R {theirs:.6f}")
    assert not lines, reference.report("Guerrero's lambda", lines)


def test_timings_are_recorded(reference: Reference) -> None:
    """The run's cost, printed for the record (the R side's seconds per series per method)."""
    fits = reference.r.fits
    per_method = fits[fits["boxcox"] == 0].groupby("method")["seconds"].mean()
    ours = {
        m: np.nanmean(
            [f.seconds for (_, mm, bc), f in reference.ours.items() if mm == m and not bc]
        )
        for m in METHODS
    }
    lines = [
        f"{m}: R {per_method[m]:.3f} s, shiftbench {ours[m]:.3f} s per series" for m in METHODS
    ]
    lines.append(f"wall: R {reference.seconds_r:.0f} s, shiftbench {reference.seconds_ours:.0f} s")
    print(reference.note("seconds (fit and 18-step forecast, mean per series)", lines))
    assert set(per_method.index) == set(METHODS)
    assert all(np.isfinite(list(ours.values())))
