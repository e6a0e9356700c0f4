"""One benchmark cell: a model run over a dataset's rolling origins, then scored.

The model is fitted on the training span (and again every ``refit_every`` origins, on the data up
to that origin, through the fitted model's ``refit``, which decides what it keeps), absorbs each
new observation through ``update``, and forecasts from every origin. For one-step protocols a
model's ``one_step_path`` does all the origins of a fit in one pass. With ``origins = "last"``
the one origin is the end of the training span: one fit, one ``forecast`` of the whole test span
(steps 1..horizon), however the model forecasts them.
"""

from __future__ import annotations

import copy
import time
import traceback
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from shiftbench.benchmarks.calibration import add_conformal, calibration_set, wants_conformal
from shiftbench.benchmarks.protocol import Design, design, refit_blocks
from shiftbench.errors import FitError
from shiftbench.evaluation import metrics
from shiftbench.evaluation.horizons import band_scores
from shiftbench.forecaster import BaseForecaster, as_forecast, keeps_from_previous_fit
from shiftbench.models import ModelSpec, get_model
from shiftbench.rundir.schema import FORECAST_COLUMNS, time_labels
from shiftbench.types import INTERVAL_LEVELS, Dataset, Forecast


@dataclass
class CellResult:
    """What one (dataset, model, seed) cell — or one chunk of a collection's cell — produced.

    ``metrics`` and ``info`` are keyed by series id (the dataset's name for a single series);
    ``histories`` pairs each trained network's history with its series; ``series_failed``
    names the series of a collection whose backtest failed (the others are kept). The cell
    fails as a whole only when no series produced a forecast.
    """

    dataset: str
    model: str
    seed: int | None
    status: str = "ok"
    error: str | None = None
    wall_time_s: float = 0.0
    forecasts: pd.DataFrame | None = None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    histories: list[tuple[str, dict[str, list[float]]]] = field(default_factory=list)
    series_failed: dict[str, str] = field(default_factory=dict)
    chunk: int = 0
    cached: bool = False
    key: str = ""
    #: an event classifier's cell: its rows of ``events.csv`` (no forecasts)
    events: pd.DataFrame | None = None
    #: a series failed for want of memory or time, not for its inputs: the result is written
    #: but never cached, so the next run tries again
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _collect(
    rows: list[dict[str, Any]],
    sds: list[float],
    f: Forecast,
    cutoffs: list[int],
    steps: list[int],
    targets: list[int],
    which: list[int],
) -> None:
    for j, (c, h, t) in enumerate(zip(cutoffs, steps, targets, strict=True)):
        i = which[j]
        row: dict[str, Any] = {"cutoff_pos": c, "target_pos": t, "h": h, "y_hat": float(f.mean[i])}
        for level in INTERVAL_LEVELS:
            if level in f.intervals:
                row[f"lo_{level}"] = float(f.intervals[level][0][i])
                row[f"hi_{level}"] = float(f.intervals[level][1][i])
        rows.append(row)
        sds.append(float(f.sd[i]) if f.sd is not None else np.nan)


@dataclass
class Backtest:
    """What a backtest produced.

    ``frame`` holds the forecast rows (positions, step, forecast, intervals and ``sd``); ``info``
    the model's ``info()`` of the last fit; ``warnings`` what its fits raised; ``histories`` the
    training history of each fit that has one (LSTMs); ``in_sample`` the first fit's one-step
    predictions over its training span, where the model gives them (NaN where it cannot).
    """

    frame: pd.DataFrame
    info: dict[str, Any]
    warnings: list[str]
    histories: list[dict[str, list[float]]] = field(default_factory=list)
    in_sample: npt.NDArray[np.float64] | None = None
    #: wall seconds in the fits (order search, training) and in the forecasts of every origin
    seconds: dict[str, float] = field(default_factory=dict)


def _check_training_span(model: BaseForecaster, n_train: int) -> None:
    if n_train < model.minimum_train():
        raise FitError(
            f"the training span has {n_train} points; this model needs at least "
            f"{model.minimum_train()}"
        )


def _design(model: BaseForecaster, ds: Dataset, use_covariates: bool) -> Design | None:
    return design(ds) if (use_covariates and model.capabilities.covariates) else None


def training_spans(
    model: BaseForecaster, ds: Dataset, *, use_covariates: bool = True
) -> list[tuple[int, pd.Series, Any]]:
    """Every fit a backtest of ``model`` on ``ds`` makes: (first cutoff of the block, the
    target up to it, the covariates up to it), one per refit block."""
    y = ds.y.to_numpy(dtype=np.float64)
    des = _design(model, ds, use_covariates)
    X = None if des is None else des.X
    cutoffs = ds.protocol.cutoffs(len(y))
    _check_training_span(model, len(y) - len(cutoffs))
    spans = []
    for block in refit_blocks(cutoffs, ds.protocol.refit_every):
        c0 = int(block[0])
        span = pd.Series(y[: c0 + 1], index=ds.y.index[: c0 + 1])
        spans.append((c0, span, None if X is None else X[: c0 + 1]))
    return spans


def backtest(
    model: BaseForecaster,
    ds: Dataset,
    *,
    use_covariates: bool = True,
    fitted: Mapping[int, tuple[BaseForecaster, float]] | None = None,
) -> Backtest:
    """Rolling-origin forecasts of one model on one dataset (see :class:`Backtest`).

    ``fitted`` maps the first cutoff of a refit block to a model already fitted on that
    block's span and the seconds its fit took (the engine fits a collection's chunk together,
    :meth:`~shiftbench.forecaster.BaseForecaster.fit_batch`); other blocks are fitted here.
    """
    y = ds.y.to_numpy(dtype=np.float64)
    n = len(y)
    protocol = ds.protocol
    H = protocol.horizon
    des: Design | None = _design(model, ds, use_covariates)
    X = None if des is None else des.X
    cutoffs = protocol.cutoffs(n)
    _check_training_span(model, n - len(cutoffs))
    rows: list[dict[str, Any]] = []
    sds: list[float] = []
    fit_warnings: list[str] = []
    info: dict[str, Any] = {}
    histories: list[dict[str, list[float]]] = []
    in_sample: npt.NDArray[np.float64] | None = None
    seconds = {"fit": 0.0, "forecast": 0.0}
    previous: BaseForecaster | None = None
    keeps = keeps_from_previous_fit(model)
    for block in refit_blocks(cutoffs, protocol.refit_every):
        c0, c_last = int(block[0]), int(block[-1])
        started = time.perf_counter()
        if fitted is not None and c0 in fitted:
            model_c0, fit_seconds = fitted[c0]
            seconds["fit"] += fit_seconds
        else:
            span = pd.Series(y[: c0 + 1], index=ds.y.index[: c0 + 1])
            if previous is None:
                model_c0 = model.clone()
                model_c0.fit(span, None if X is None else X[: c0 + 1])
            else:  # a later fit: the model decides what it keeps of the earlier one
                model_c0 = previous.refit(span, None if X is None else X[: c0 + 1])
            seconds["fit"] += time.perf_counter() - started
        # the next refit starts from this fit as it was fitted, before the updates below
        previous = copy.deepcopy(model_c0) if keeps and H > 1 else model_c0
        started = time.perf_counter()
        fit_warnings.extend(model_c0.fit_warnings())
        info = model_c0.info()
        history = model_c0.training_history()
        if history is not None:
            histories.append(history)
        if in_sample is None:
            in_sample = model_c0.in_sample_predictions()
        if H == 1:
            k = len(block)
            f = as_forecast(
                model_c0.one_step_path(
                    y[c0 + 1 : c_last + 1], None if X is None else X[c0 + 1 : c_last + 2]
                ),
                k,
                "one_step_path",
            )
            _collect(
                rows,
                sds,
                f,
                [int(c) for c in block],
                [1] * k,
                [int(c) + 1 for c in block],
                list(range(k)),
            )
            seconds["forecast"] += time.perf_counter() - started
            continue
        for i, c in enumerate(int(c) for c in block):
            if i > 0:
                model_c0.update(y[c : c + 1], None if X is None else X[c : c + 1])
            h_eff = min(H, n - 1 - c)
            f = as_forecast(
                model_c0.forecast(h_eff, None if des is None else des.future(c, h_eff)), h_eff
            )
            steps = list(range(1, h_eff + 1))
            _collect(rows, sds, f, [c] * h_eff, steps, [c + h for h in steps], list(range(h_eff)))
        seconds["forecast"] += time.perf_counter() - started
    frame = pd.DataFrame(rows)
    frame["sd"] = sds
    if not np.all(np.isfinite(frame["y_hat"].to_numpy())):
        raise FitError("the model produced non-finite forecasts")
    return Backtest(frame, info, sorted(set(fit_warnings)), histories, in_sample, seconds)


def score_cell(
    frame: pd.DataFrame,
    ds: Dataset,
    in_sample: npt.NDArray[np.float64] | None = None,
    notes: list[str] | None = None,
) -> dict[str, float]:
    """Metrics of one cell's forecast rows (all steps ahead together), then sMAPE and seasonal
    MASE per band of steps of the protocol (:meth:`~shiftbench.types.Protocol.bands`,
    :func:`~shiftbench.evaluation.horizons.band_scores`); with ``in_sample`` (the model's
    one-step predictions over the training span) also ``mse_all_points``."""
    y = ds.y.to_numpy(dtype=np.float64)
    n_train = len(y) - ds.protocol.n_test(len(y))
    actual = y[frame["target_pos"].to_numpy()]
    prev = y[frame["cutoff_pos"].to_numpy()]
    intervals = None
    if "lo_80" in frame.columns and frame["lo_80"].notna().all():
        intervals = {
            level: (frame[f"lo_{level}"].to_numpy(), frame[f"hi_{level}"].to_numpy())
            for level in INTERVAL_LEVELS
        }
    sd = frame["sd"].to_numpy()
    crps = frame["crps"].to_numpy(dtype=np.float64) if "crps" in frame.columns else None
    y_hat = frame["y_hat"].to_numpy(dtype=np.float64)
    values = metrics.score(
        metrics.Inputs(
            y=actual,
            y_hat=y_hat,
            y_prev=prev,
            y_train=y[:n_train],
            season_length=ds.season_length,
            sd=sd if np.all(np.isfinite(sd)) else None,
            intervals=intervals,
            crps_values=crps if crps is not None and np.all(np.isfinite(crps)) else None,
            in_sample=None if in_sample is None else (y[: len(in_sample)], in_sample),
        ),
        notes,
    )
    steps = frame["h"].to_numpy(dtype=np.int64)
    bands = ds.protocol.bands()
    return values | band_scores(actual, y_hat, steps, y[:n_train], ds.season_length, bands, notes)


def to_forecast_rows(
    frame: pd.DataFrame, ds: Dataset, model: str, seed: int | None
) -> pd.DataFrame:
    """The rows of ``forecasts.csv`` (:data:`shiftbench.rundir.FORECAST_COLUMNS`) for one cell."""
    y = ds.y.to_numpy(dtype=np.float64)
    cutoffs = frame["cutoff_pos"].to_numpy()
    targets = frame["target_pos"].to_numpy()
    out = pd.DataFrame(
        {
            "dataset": ds.name,
            "series": ds.series_id,
            "model": model,
            "seed": pd.array([seed] * len(frame), dtype="Int64"),
            "cutoff": time_labels(ds.y.index[cutoffs]),  # labels of the test span only
            "ds": time_labels(ds.y.index[targets]),
            "h": frame["h"].astype("int64").to_numpy(),
            "y": y[frame["target_pos"].to_numpy()],
            "y_hat": frame["y_hat"].to_numpy(),
        }
    )
    for col in FORECAST_COLUMNS[FORECAST_COLUMNS.index("y_hat") + 1 :]:
        out[col] = frame[col].to_numpy() if col in frame.columns else np.nan
    return out


#: Exceptions that say the machine ran out of something, not that the inputs cannot work
#: (TensorFlow's out-of-memory error is matched by name: TensorFlow is not imported here).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (MemoryError, TimeoutError)
TRANSIENT_ERROR_NAMES: frozenset[str] = frozenset({"ResourceExhaustedError"})


def is_transient(exc: BaseException) -> bool:
    """Whether a failure may not happen again on another try (memory, time)."""
    return isinstance(exc, TRANSIENT_ERRORS) or type(exc).__name__ in TRANSIENT_ERROR_NAMES


def _error_text(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


Fitted = dict[int, tuple[BaseForecaster, float]]


def _fit_together(
    members: Sequence[Dataset], model_spec: ModelSpec, params: dict[str, Any]
) -> dict[tuple[str, str], Fitted | Exception]:
    """The fits of a collection's series made together, for a model that fits many at once
    (one that overrides :meth:`~shiftbench.forecaster.BaseForecaster.fit_batch`): per series
    and part ("test", or "calibration" for the conformal calibration's fits), its fitted
    models by refit block with each fit's share of the seconds, or the error that stopped one
    of its fits. Empty for a single series or a model that fits one at a time; a series whose
    model cannot be built is left to :func:`run_cell`, which records it."""
    if not members[0].series:
        return {}
    jobs: list[tuple[tuple[str, str], int, BaseForecaster, tuple[Any, Any]]] = []
    out: dict[tuple[str, str], Fitted | Exception] = {}
    for ds in members:
        try:
            forecaster = model_spec.build_forecaster(ds, params)
        except Exception as exc:
            out[ds.series_id, "test"] = exc
            continue
        if type(forecaster).fit_batch.__func__ is BaseForecaster.fit_batch.__func__:  # type: ignore[attr-defined]
            return {}
        parts = [("test", ds)]
        if wants_conformal(forecaster, ds):
            parts.append(("calibration", calibration_set(ds)))
        first_only = keeps_from_previous_fit(forecaster)  # its later fits read the first
        for part, data in parts:
            try:
                spans = training_spans(forecaster, data)
                for c0, y, x in spans[:1] if first_only else spans:
                    jobs.append(((ds.series_id, part), c0, forecaster.clone(), (y, x)))
            except Exception as exc:
                out[ds.series_id, part] = exc
    if not jobs:
        return out
    started = time.perf_counter()
    keys = [
        f"{members[0].name}/{sid}" + ("" if part == "test" else f"/{part}")
        for (sid, part), *_ in jobs
    ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            errors = type(jobs[0][2]).fit_batch([j[2] for j in jobs], [j[3] for j in jobs], keys)
        if len(errors) != len(jobs):
            raise FitError(f"fit_batch returned {len(errors)} results for {len(jobs)} fits")
    except Exception as exc:  # the batch as a whole failed: each of its series records it
        return {**{sid: exc for sid, *_ in jobs}, **out}
    share = (time.perf_counter() - started) / len(jobs)
    for (sid, c0, model, _), error in zip(jobs, errors, strict=True):
        done = out.setdefault(sid, {})
        if isinstance(done, Exception):
            continue
        if error is not None:
            out[sid] = error
        else:
            done[c0] = (model, share)
    return out


def _conformal(
    done: Backtest,
    model: BaseForecaster,
    ds: Dataset,
    fitted: Fitted | Exception | None,
    notes: list[str],
) -> None:
    """Conformal intervals into ``done.frame`` (:mod:`shiftbench.benchmarks.calibration`),
    from the calibration backtest of ``model`` (its fits made already, or here)."""

    def calibration_frame(cal: Dataset) -> pd.DataFrame:
        if isinstance(fitted, Exception):
            raise fitted
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return backtest(model, cal, fitted=fitted).frame

    started = time.perf_counter()
    add_conformal(done.frame, ds, calibration_frame, notes)
    done.seconds["calibration"] = time.perf_counter() - started


def run_cell(
    members: Dataset | Sequence[Dataset],
    model: str | ModelSpec,
    params: dict[str, Any],
    seed: int | None,
    *,
    all_points: bool = False,
    chunk: int = 0,
) -> CellResult:
    """Run and score one cell of ``model`` (a registered name, or a run's
    :class:`~shiftbench.models.ModelSpec`) over the series ``members`` (one, or a chunk of a
    collection); a failing series is recorded and the others go on.

    With ``all_points`` the cell also reports ``mse_all_points``
    (:func:`shiftbench.evaluation.metrics.mse_all_points`) where the model gives in-sample
    predictions.
    """
    if isinstance(members, Dataset):
        members = (members,)
    model_spec = model if isinstance(model, ModelSpec) else get_model(model)
    model_name = model_spec.name
    if not members:
        raise ValueError("a cell needs at least one series")
    result = CellResult(dataset=members[0].name, model=model_name, seed=seed, chunk=chunk)
    start = time.perf_counter()
    many = len(members) > 1
    frames: list[pd.DataFrame] = []
    tracebacks: dict[str, str] = {}
    cell_params = dict(params)
    if model_spec.capabilities.seeded and seed is not None:
        cell_params["seed"] = seed
    prefitted = _fit_together(members, model_spec, cell_params)
    for ds in members:
        sid = ds.series_id
        try:
            forecaster = model_spec.build_forecaster(ds, cell_params)
            ahead = prefitted.get((sid, "test"))
            if isinstance(ahead, Exception):
                raise ahead
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                done = backtest(forecaster, ds, fitted=ahead)
            notes: list[str] = []
            source = "model" if forecaster.gives_intervals() else None
            if wants_conformal(forecaster, ds):
                _conformal(done, forecaster, ds, prefitted.get((sid, "calibration")), notes)
                source = ds.protocol.intervals
            started = time.perf_counter()
            result.metrics[sid] = score_cell(
                done.frame, ds, done.in_sample if all_points else None, notes
            )
            frames.append(to_forecast_rows(done.frame, ds, model_name, seed))
            seconds = {**done.seconds, "score": time.perf_counter() - started}
            result.info[sid] = {**done.info, "intervals": source, "seconds": seconds}
            prefix = f"series {sid}: " if many else ""
            result.warnings += [prefix + w for w in done.warnings + notes]
            result.histories += [(sid, h) for h in done.histories]
        except Exception as exc:  # a failing series must not stop the run
            result.series_failed[sid] = _error_text(exc)
            result.transient = result.transient or is_transient(exc)
            tracebacks[sid] = traceback.format_exc(limit=-3)
    if frames:
        result.forecasts = pd.concat(frames, ignore_index=True)
    else:
        first = next(iter(result.series_failed))
        result.status = "failed"
        result.error = result.series_failed[first]
        result.info = {first: {"traceback": tracebacks[first]}}
    result.wall_time_s = time.perf_counter() - start
    return result
