"""The replay table of a run that replays Makridakis, Spiliotis & Assimakopoulos (2018) on the
1045 monthly M3 series: each model's measured sMAPE and MASE beside the article's figure and R's
``forecast`` package's, measured in the same protocol (:mod:`shiftbench.datasets.references`).

A run replays the article when its dataset is ``m3_monthly`` with exactly the article's 1045
series and 18 held-out points, in one of the article's protocols:

- ``one_step``: 18 rolling one-step forecasts, every model fitted once (Table 5; Table 6 with
  Box-Cox);
- ``one_step_refit``: the same, refitted at every origin (``refit_every = 1``). A seasonally
  adjusted method either keeps the in-sample seasonal indices at every refit (its
  ``seasonal_indices = "first_fit"``: the variant that reproduces the article's one-step rows
  with R's own fits, whose R figures the reference file stores as protocol
  ``one_step_refit_in_sample_indices``) or estimates them again at each fit (``"each_fit"``, the
  default, which R was not run in: no R figure is shown). The table says which each row is;
- ``multi_step_18``: one origin at the end of the in-sample part, steps 1..18 (``origins =
  "last"``; Tables 8 and 9), by horizon band.

A model is matched to the article's method by what it is: a built-in, or a variant of one (a
``[model.X]`` section with ``class = "ses"``: the manifest's ``origin`` is ``variant of ses``),
with its ``boxcox`` parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from shiftbench.datasets.references import paper_figures, r_figures, r_figures_over_all_series
from shiftbench.reports.data import ReportData

#: The article's methods, by shiftbench's model names.
METHODS = ("naive2", "ses", "holt", "damped", "comb", "theta", "arima", "ets")
#: The article's number of series and held-out points.
N_SERIES, TEST_SIZE = 1045, 18
#: Bands of the 18-step protocol: (band name in the reference files, metric suffix, label).
BANDS = (
    ("short", "_h1-6", "h 1–6"),
    ("medium", "_h7-12", "h 7–12"),
    ("long", "_h13-18", "h 13–18"),
)
#: The article's protocols, as the reference files name them, with a description.
PROTOCOLS = {
    "one_step": "18 rolling one-step forecasts, each model fitted once on the in-sample part",
    "one_step_refit": (
        "18 rolling one-step forecasts, each model refitted at every origin; the column "
        "'indices' says whether a seasonally adjusted method keeps the in-sample seasonal "
        "indices at every refit (the article's variant, which R's figures are of) or estimates "
        "them again at each fit (R's figure not shown: R was not run so)"
    ),
    "multi_step_18": "18-step forecasts from the last in-sample origin",
}


@dataclass(frozen=True)
class ReplayRow:
    """One model (and band): ours, the paper's and R's sMAPE and MASE (NaN where missing)."""

    model: str
    method: str
    boxcox: bool
    band: str
    smape: float
    smape_paper: float
    smape_r: float
    mase: float
    mase_paper: float
    mase_r: float
    #: in a refit run, the seasonal indices of an adjusted method: "in-sample" (kept at every
    #: refit) or "each fit" ("" where the method has none of its own, or the run does not refit)
    indices: str = ""


@dataclass(frozen=True)
class ReplayBoard:
    protocol: str
    description: str
    rows: list[ReplayRow]
    #: R and forecast versions, and when and where R was measured
    r_provenance: str


def _protocol(entry: dict[str, Any]) -> str | None:
    p = entry.get("protocol")
    if not isinstance(p, dict):
        return None
    if entry.get("n_series") != N_SERIES or p.get("test_size") != TEST_SIZE:
        return None
    if p.get("origins") == "last" and p.get("horizon") == TEST_SIZE:
        return "multi_step_18"
    if p.get("horizon") == 1 and p.get("refit_every") in (0, None):
        return "one_step"
    if p.get("horizon") == 1 and p.get("refit_every") == 1:
        return "one_step_refit"
    return None


def replay_protocol(data: ReportData, dataset: str) -> str | None:
    """The article's protocol this dataset's run follows, or None when it is not a replay.

    Checked: the dataset is ``m3_monthly`` with the article's 1045 series, 18 held-out points
    and one of the three protocols (see the module docstring).
    """
    if dataset != "m3_monthly":
        return None
    entry = data.manifest["datasets"].get(dataset)
    if not isinstance(entry, dict):
        return None
    protocol = _protocol(entry)
    if protocol is None:
        return None
    from shiftbench.datasets import m3

    wanted = m3.subset_ids(m3.read_m3_monthly()[1], "makridakis2018")
    series = entry.get("series")
    if not isinstance(series, list):
        return None
    return protocol if sorted(map(str, series)) == sorted(wanted) else None


def _method(name: str, entry: dict[str, Any]) -> tuple[str, bool] | None:
    """The article's method a model is (a built-in, or a variant of one: the manifest's
    ``origin`` says which), and whether it runs on Box-Cox transformed data."""
    origin = str(entry.get("origin", "built-in"))
    base = origin.removeprefix("variant of ") if origin.startswith("variant of ") else None
    if base is None and origin == "built-in":
        base = name
    if base not in METHODS:
        return None
    boxcox = _params(entry).get("boxcox", False)
    return base, boxcox not in (False, None, "false")


def _params(entry: dict[str, Any]) -> dict[str, Any]:
    params = entry.get("params")
    return params if isinstance(params, dict) else {}


def _indices(method: str, entry: dict[str, Any]) -> str:
    """What a refit does with a method's seasonal indices ("" for ETS and ARIMA, which adjust
    nothing themselves)."""
    if method in ("ets", "arima"):
        return ""
    kept = _params(entry).get("seasonal_indices") == "first_fit"
    return "in-sample" if kept else "each fit"


def _lookup(frame: pd.DataFrame, protocol: str, method: str, boxcox: bool, band: str) -> Any:
    hit = frame[
        (frame["protocol"] == protocol)
        & (frame["method"] == method)
        & (frame["boxcox"] == boxcox)
        & (frame["band"] == band)
    ]
    return hit.iloc[0] if len(hit) else None


def _own_schedule(data: ReportData, model: str, dataset: str) -> bool:
    """Whether ``model`` re-estimates on a schedule of its own (its section's ``refit_every``)
    other than the dataset's."""
    config = data.manifest.get("config")
    sections = config.get("model_params") if isinstance(config, dict) else None
    section = sections.get(model) if isinstance(sections, dict) else None
    own = section.get("refit_every") if isinstance(section, dict) else None
    if own is None:
        return False
    entry = data.manifest["datasets"].get(dataset)
    protocol = entry.get("protocol") if isinstance(entry, dict) else None
    shared = protocol.get("refit_every") if isinstance(protocol, dict) else None
    return bool(own != (shared or 0))


def _figure(row: Any, column: str) -> float:
    return math.nan if row is None else float(row[column])


def replay_board(data: ReportData, dataset: str) -> ReplayBoard | None:
    """The replay table, or None when the run does not replay the article."""
    protocol = replay_protocol(data, dataset)
    if protocol is None:
        return None
    paper, r = paper_figures(), r_figures()
    r_all = r_figures_over_all_series()  # R's mean over fewer series would not compare
    paper_protocol = "one_step" if protocol == "one_step_refit" else protocol
    metrics = data.summary_metrics(dataset)
    bands = (("all", "", "all"),) if protocol != "multi_step_18" else (*BANDS, ("all", "", "all"))
    rows: list[ReplayRow] = []
    for model in data.models:
        given = data.manifest["models"].get(model)
        entry = given if isinstance(given, dict) else {}
        found = _method(model, entry)
        if found is None:
            continue
        method, boxcox = found
        if _own_schedule(data, model, dataset):
            continue  # its own refit_every: not the protocol the table compares
        indices = _indices(method, entry) if protocol == "one_step_refit" else ""
        r_protocol = protocol
        if indices == "in-sample":
            r_protocol = "one_step_refit_in_sample_indices"
        mine = metrics[metrics["model"] == model]
        for band, suffix, _ in bands:

            def ours(base: str, suffix: str = suffix, mine: pd.DataFrame = mine) -> float:
                values = mine.loc[mine["metric"] == base + suffix, "value"]
                return float(values.mean()) if len(values) else math.nan

            p = _lookup(paper, paper_protocol, method, boxcox, band)
            q = _lookup(r_all, r_protocol, method, boxcox, band)
            rows.append(
                ReplayRow(
                    model=model,
                    method=method,
                    boxcox=boxcox,
                    band=band if protocol == "multi_step_18" else "",
                    smape=ours("smape"),
                    smape_paper=_figure(p, "smape"),
                    smape_r=_figure(q, "smape"),
                    mase=ours("mase_seasonal"),
                    mase_paper=_figure(p, "mase"),
                    mase_r=_figure(q, "mase"),
                    indices=indices,
                )
            )
    if not rows:
        return None
    first = r.iloc[0]
    provenance = (
        f"{first['r_version']}, forecast {first['forecast_version']}, measured "
        f"{first['measured']} on {first['machine']}"
    )
    return ReplayBoard(protocol, PROTOCOLS[protocol], rows, provenance)


__all__ = ["METHODS", "ReplayBoard", "ReplayRow", "replay_board", "replay_protocol"]
