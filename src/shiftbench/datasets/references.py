"""Reference figures of the M3 replay of Makridakis, Spiliotis & Assimakopoulos (2018): the
article's own, and R's ``forecast`` package measured in the same protocols; the "paper" and "R"
columns beside shiftbench's figures.

Both are vendored CSV files checked against ``data/SHA256SUMS`` on every load:

- ``makridakis2018_paper.csv``: the figures printed in "Statistical and Machine Learning
  forecasting methods: Concerns and ways forward", *PLoS ONE* 13(3): e0194889 (2018),
  doi:10.1371/journal.pone.0194889 (CC BY 4.0), copied as printed: Table 5 (one-step, original
  data), Table 6 (one-step, Box-Cox transformed data), Tables 8 and 9 (sMAPE and MASE of the
  18-step forecasts from the last in-sample origin, by horizon band).
- ``makridakis2018_r_reference.csv``: R's ``forecast`` package run by
  ``tests/reference/m3_reference.R`` on the 1045 series (``subset_ids(meta, "makridakis2018")``,
  last 18 points held out) and scored by ``tests/reference/make_r_reference_summary.py``: ``ses``,
  ``holt``, ``holt(damped = TRUE)`` on the series seasonally adjusted as Naive2 adjusts it
  (classical multiplicative decomposition when the 90 % autocorrelation test at lag 12 says
  seasonal), then re-seasonalised; ``ets`` and ``auto.arima`` on the original series with their
  defaults. Protocols: ``one_step`` (fitted once on the in-sample part, 18 one-step forecasts at
  fixed parameters: ``ets(full, model = fit, use.initial.values = TRUE)`` and ``Arima(full, model =
  fit)``), ``multi_step_18`` (``forecast(fit, h = 18)``), ``one_step_refit_in_sample_indices``
  (SES, Holt, Damped refitted at every origin, the in-sample seasonal indices kept: the variant
  nearest the article's one-step rows, which a shiftbench run makes with ``refit_every = 1`` and
  the models' ``seasonal_indices = "first_fit"``; a refit run's report shows these beside those
  models only, not beside the default ``"each_fit"``, which estimates the indices again at every
  fit). Box-Cox: λ of ``BoxCox.lambda(x, method = "guerrero")`` on the in-sample part, the method
  run on the transformed series, forecasts back-transformed without bias adjustment.
  ``seconds_per_series``: the mean elapsed seconds of a fit and its 18-step forecast
  (``cpu_seconds_per_series`` the R process's CPU time), on the machine named in ``machine``.
  Stored: all five methods without Box-Cox (``one_step``, ``multi_step_18``), the refit variant of
  the three smoothing methods, and the smoothing methods and ETS with Box-Cox (``one_step``,
  ``multi_step_18``), every row on all 1045 series (``subset`` and ``n_series`` say which series a
  row covers; a row over fewer series is never put beside a mean over all of them). R's Box-Cox
  ``auto.arima`` is not stored: it costs four times the rest of the run, and the reference test
  checks it on its sample.

Columns common to both: ``method`` (shiftbench's model name: naive2, ses, holt, damped, comb,
theta, arima, ets; ``mlp_iterative`` in the paper's Tables 8 and 9), ``protocol`` (one_step,
multi_step_18, one_step_refit_in_sample_indices), ``boxcox`` (bool), ``band`` (all; short h 1–6,
medium 7–12, long 13–18 for multi_step_18), ``smape`` (%, the mean over series of the M3 sMAPE),
``mase`` (mean absolute error over the band scaled by the in-sample mean |y_t − y_{t−12}|, mean
over series).
"""

from __future__ import annotations

import pandas as pd

from shiftbench.datasets.base import vendored_file

PAPER_FILE = "makridakis2018_paper.csv"
R_FILE = "makridakis2018_r_reference.csv"
#: The ``subset`` of R's rows that cover every one of the 1045 series: the only ones that sit
#: beside a mean over all of them (a Box-Cox ARIMA run on every 5th series would cover fewer).
ALL_SERIES = "makridakis2018"
_KEYS = ["method", "protocol", "boxcox", "band"]


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(
        vendored_file(name), dtype={"table": str, "forecast_version": str, "r_version": str}
    )
    frame["boxcox"] = frame["boxcox"].astype(bool)
    return frame


def paper_figures() -> pd.DataFrame:
    """The article's figures: ``method, paper_name, table, protocol, boxcox, band, smape, mase``
    (one row per method, protocol, Box-Cox setting and band).

    >>> paper = paper_figures()
    >>> row = paper[(paper.method == "ets") & (paper.table == "5")].iloc[0]
    >>> float(row.smape), float(row.mase), row.protocol, bool(row.boxcox)
    (7.19, 0.47, 'one_step', False)
    """
    return _read(PAPER_FILE)


def r_figures() -> pd.DataFrame:
    """R's figures measured in the replay's protocols: ``protocol, method, boxcox, band, smape,
    mase, n_series, subset, seconds_per_series, cpu_seconds_per_series, r_version,
    forecast_version, measured, machine``.

    >>> r = r_figures()
    >>> sorted(set(r.protocol))
    ['multi_step_18', 'one_step', 'one_step_refit_in_sample_indices']
    """
    return _read(R_FILE)


def r_figures_over_all_series() -> pd.DataFrame:
    """The rows of :func:`r_figures` that cover all 1045 series (:data:`ALL_SERIES`)."""
    r = r_figures()
    return r[r["subset"] == ALL_SERIES]


def reference_columns(ours: pd.DataFrame) -> pd.DataFrame:
    """``ours`` (columns method, protocol, boxcox, band, smape, mase) with the paper's and R's
    figures beside it (``smape_paper``, ``mase_paper``, ``smape_r``, ``mase_r``; missing where
    the paper or R has none, or R's covers fewer than all 1045 series).

    >>> ours = pd.DataFrame({"method": ["ses"], "protocol": ["one_step"], "boxcox": [False],
    ...                      "band": ["all"], "smape": [7.4], "mase": [0.5]})
    >>> float(reference_columns(ours).smape_paper.iloc[0])
    7.36
    """
    paper = paper_figures()[[*_KEYS, "smape", "mase"]]
    r = r_figures_over_all_series()[[*_KEYS, "smape", "mase"]]
    out = ours.merge(paper, on=_KEYS, how="left", suffixes=("", "_paper"))
    return out.merge(r, on=_KEYS, how="left", suffixes=("", "_r"))
