"""Score a full run of ``m3_reference.R`` and store the means as the package's "R column"
(``src/shiftbench/datasets/data/makridakis2018_r_reference.csv``, its line in ``SHA256SUMS``
updated).

The full run (about 1.5–3 hours on a shared 2-core machine; auto.arima, about 5 CPU-seconds a
series, dominates; the run of 2026-12-01 left the Box-Cox auto.arima out)::

    python -m tests.reference.r_input input_all.csv
    nice -n 10 Rscript tests/reference/m3_reference.R input_all.csv full --boxcox=no
    nice -n 10 Rscript tests/reference/m3_reference.R input_all.csv full_bc --boxcox=only \\
        --methods=ses,holt,damped,ets
    python -m tests.reference.make_r_reference_summary full full_bc --machine-note "..."

(several output folders of one kind, from a run split over series, may be given together).
Every row is a mean over the series R produced forecasts for (``n_series``); ``subset`` names
them: ``makridakis2018`` (all 1045) or ``makridakis2018[::5]`` (every 5th, a Box-Cox ARIMA run
with ``--arima-boxcox-step=5``).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from tests.reference.r_input import m3_splits
from tests.reference.r_output import read_r_output, score_table

DATA = Path(__file__).parents[2] / "src" / "shiftbench" / "datasets" / "data"
OUT = DATA / "makridakis2018_r_reference.csv"
METHOD_ORDER = ["ses", "holt", "damped", "ets", "arima"]
BAND_ORDER = ["all", "short", "medium", "long"]
#: R's refit variant keeps the in-sample seasonal indices (nearest the article's one-step
#: rows): shiftbench's ``seasonal_indices = "first_fit"`` with ``refit_every = 1``; the default
#: ``"each_fit"`` estimates them again at every fit, so the stored name says which variant R's
#: figures are, and a refit run's report puts them beside the first_fit models only.
REFIT_KEPT = "one_step_refit_in_sample_indices"
PROTOCOL_ORDER = ["one_step", "multi_step_18", REFIT_KEPT]


def summarise(dirs: list[Path], machine_note: str) -> pd.DataFrame:
    splits = m3_splits()
    r = read_r_output(*dirs)
    table = score_table(splits, r.forecasts)
    n_all = len(splits)
    rows = []
    for (protocol, method, boxcox, band), group in table.groupby(
        ["protocol", "method", "boxcox", "band"]
    ):
        ids = set(group["id"])
        fits = r.fits[(r.fits["method"] == method) & (r.fits["boxcox"] == boxcox)]
        fits = fits[fits["id"].isin(ids)]
        timed = protocol != "one_step_refit"  # R's seconds are of the one fit, not of 18 refits
        if len(ids) == n_all:
            subset = "makridakis2018"
        elif ids == {s.id for s in splits[::5]}:
            subset = "makridakis2018[::5]"
        else:
            raise SystemExit(f"{method} boxcox={boxcox} {protocol}: {len(ids)} series of {n_all}")
        rows.append(
            {
                "protocol": REFIT_KEPT if protocol == "one_step_refit" else protocol,
                "method": method,
                "boxcox": int(boxcox),
                "band": band,
                "smape": round(float(group["smape"].mean()), 4),
                "mase": round(float(group["mase"].mean()), 4),
                "n_series": len(ids),
                "subset": subset,
                "seconds_per_series": round(float(fits["seconds"].mean()), 4) if timed else np.nan,
                "cpu_seconds_per_series": round(float(fits["cpu_seconds"].mean()), 4)
                if timed
                else np.nan,
                "r_version": r.session["r_version"],
                "forecast_version": r.session["forecast_version"],
                "measured": r.session["measured"],
                "machine": f"{r.session['machine']}; {machine_note}"
                if machine_note
                else r.session["machine"],
            }
        )
    out = pd.DataFrame(rows)
    out["_p"] = out["protocol"].map(PROTOCOL_ORDER.index)
    out["_m"] = out["method"].map(METHOD_ORDER.index)
    out["_b"] = out["band"].map(BAND_ORDER.index)
    return out.sort_values(["_p", "boxcox", "_m", "_b"]).drop(columns=["_p", "_m", "_b"])


def store(frame: pd.DataFrame) -> str:
    frame.to_csv(OUT, index=False, lineterminator="\n")
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    sums = DATA / "SHA256SUMS"
    lines = [line for line in sums.read_text().splitlines() if not line.endswith(f"  {OUT.name}")]
    sums.write_text("\n".join([*lines, f"{digest}  {OUT.name}"]) + "\n")
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="output folders of m3_reference.R")
    parser.add_argument("--machine-note", default="", help="appended to R's machine string")
    args = parser.parse_args()
    frame = summarise(args.dirs, args.machine_note)
    print(frame.to_string(index=False))
    print(f"{OUT}: sha256 {store(frame)}")


if __name__ == "__main__":
    main()
