"""Checks every registered model must pass: estimator conventions and no look-ahead."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import backtest
from shiftbench.models import get_model, model_names
from shiftbench.types import Dataset, Protocol

from ..conftest import make_dataset

TINY_LSTM = {"units": (4,), "epochs": 2, "batch_size": 16, "window": 3}
FAST_PARAMS: dict[str, dict[str, object]] = {
    "arima": {"order": (1, 1, 1)},
    "arima_garch": {"order": (1, 0, 0)},
    "lstm_raw": TINY_LSTM,
    "lstm_diff": TINY_LSTM,
}


@pytest.mark.parametrize("name", model_names())
def test_constructor_takes_keyword_only_parameters_and_stores_them(name: str) -> None:
    cls = get_model(name).cls()
    params = inspect.signature(cls.__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")
    model = cls()
    assert model.get_params() == {n: p.default for n, p in params.items() if n != "self"}


@pytest.mark.parametrize("name", model_names())
def test_fit_returns_self_and_fitted_state_ends_in_underscore(
    name: str, exog_dataset: Dataset
) -> None:
    spec = get_model(name)
    model = spec.build(exog_dataset, FAST_PARAMS.get(name, {}))
    before = set(vars(model))
    X = exog_dataset.exog.to_numpy() if spec.capabilities.covariates else None  # type: ignore[union-attr]
    assert model.fit(exog_dataset.y.iloc[:60], None if X is None else X[:60]) is model
    added = set(vars(model)) - before
    assert added
    assert all(attr.endswith("_") for attr in added)
    clone = model.clone()
    assert clone.get_params() == model.get_params()
    assert not (set(vars(clone)) - before)


def perturb_after(ds: Dataset, position: int) -> Dataset:
    """The dataset with the target and the observed covariates changed after ``position``."""
    rng = np.random.default_rng(99)
    y = ds.y.to_numpy().copy()
    y[position + 1 :] += rng.normal(scale=50.0, size=len(y) - position - 1)
    exog = None
    if ds.exog is not None:
        exog = ds.exog.copy()
        for col in ds.observed:
            values = exog[col].to_numpy().copy()
            values[position + 1 :] *= 7.0
            exog[col] = values
    return make_dataset(
        y,
        exog=exog,
        observed=ds.observed,
        known_ahead=ds.known_ahead,
        test_size=ds.protocol.test_size,
        horizon=ds.protocol.horizon,
        refit_every=ds.protocol.refit_every,
        season_length=ds.season_length,
    )


@pytest.mark.parametrize("name", model_names())
@pytest.mark.parametrize(
    "protocol",
    [
        Protocol(test_size=20),
        Protocol(test_size=20, horizon=3),
        Protocol(test_size=20, refit_every=6),
    ],
    ids=["one-step", "three-step", "refit-every-6"],
)
def test_changing_data_after_a_cutoff_leaves_its_forecasts_unchanged(
    name: str, protocol: Protocol, exog_dataset: Dataset
) -> None:
    ds = exog_dataset.with_protocol(protocol)
    cutoff = 68  # inside the test span, which starts at cutoff 59
    changed = perturb_after(ds, cutoff)
    model = get_model(name).build(ds, FAST_PARAMS.get(name, {}))
    original = backtest(model, ds).frame
    altered = backtest(model.clone(), changed).frame
    seen = original["cutoff_pos"] <= cutoff
    later = original["cutoff_pos"] > cutoff + 2
    pd.testing.assert_frame_equal(
        original[seen].reset_index(drop=True), altered[seen].reset_index(drop=True)
    )
    # The perturbation reaches the later forecasts (so the check above could have failed).
    assert not np.allclose(original.loc[later, "y_hat"], altered.loc[later, "y_hat"])
