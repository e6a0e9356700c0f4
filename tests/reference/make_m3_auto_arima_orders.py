"""Record the orders that statsforecast's ``AutoARIMA`` (Nixtla's port of R's
``forecast::auto.arima``) picks on a fixed sample of M3 monthly series.

The output, ``m3_auto_arima_orders.csv`` beside this file, is the reference of
``tests/baselines/test_arima_reference.py``; the unit tests read it so that CI needs no
statsforecast (a perf-only dependency). Regenerate with ``tox -e perf -- --co`` installed, or::

    pip install statsforecast && python tests/reference/make_m3_auto_arima_orders.py

The sample: every 20th of the 1045 series of Makridakis et al. (2018), training span = all but
the last 18 observations, season length 12, auto.arima's defaults.
"""

from __future__ import annotations

import csv
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

SAMPLE_STEP = 20
OUT = Path(__file__).with_name("m3_auto_arima_orders.csv")


def main() -> None:
    import statsforecast.arima as sfa

    from shiftbench.datasets.m3 import load, read_m3_monthly, subset_ids

    _, meta = read_m3_monthly()
    ids = subset_ids(meta, "makridakis2018")[::SAMPLE_STEP]
    members = {m.series_id: m for m in load().members}
    rows = []
    for sid in ids:
        y = members[sid].y.to_numpy(dtype=np.float64)[:-18]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sfa.auto_arima_f(y, period=12)
        p, q, P, Q, _m, d, D = (int(v) for v in fit["arma"])
        constant = any(name in fit["coef"] for name in ("intercept", "drift"))
        rows.append([sid, p, d, q, P, D, Q, int(constant)])
    with OUT.open("w", newline="") as handle:
        handle.write(f"# statsforecast {version('statsforecast')} auto_arima_f(period=12)\n")
        writer = csv.writer(handle)
        writer.writerow(["series", "p", "d", "q", "P", "D", "Q", "constant"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
