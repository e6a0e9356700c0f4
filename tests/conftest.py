"""Shared fixtures: small synthetic datasets built by hand, so tests stay fast."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd
import pytest

from shiftbench.datasets.base import frame_sha256
from shiftbench.types import Dataset, Protocol


def pytest_configure(config: pytest.Config) -> None:
    """Keep the tests' cell cache out of the user's: one fresh folder per test session."""
    os.environ["SHIFTBENCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="shiftbench-test-cache-")
    config.addinivalue_line(
        "markers",
        "figure_fallback: the test expects some figure to be unavailable (the report's "
        "placeholder instead of a drawing)",
    )


@pytest.fixture(autouse=True)
def _figures_must_be_drawn(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report keeps a placeholder where a figure cannot be drawn, so that one figure never
    costs the report; in the tests a figure that is not drawn is a failure, except where a
    test says it expects one (``@pytest.mark.figure_fallback``)."""
    if request.node.get_closest_marker("figure_fallback") is not None:
        return
    from shiftbench.reports import render

    def strict(draw):  # type: ignore[no-untyped-def]
        return draw()

    monkeypatch.setattr(render, "_drawn", strict)


def make_dataset(
    y: np.ndarray,
    *,
    exog: pd.DataFrame | None = None,
    observed: tuple[str, ...] = (),
    known_ahead: tuple[str, ...] = (),
    test_size: int | float = 10,
    horizon: int = 1,
    refit_every: int = 0,
    season_length: int = 1,
    name: str = "synthetic",
) -> Dataset:
    series = pd.Series(np.asarray(y, dtype=np.float64), name="y")
    if exog is not None:
        exog = exog.set_axis(series.index)
    return Dataset(
        name=name,
        y=series,
        exog=exog,
        season_length=season_length,
        frequency=None,
        protocol=Protocol(test_size=test_size, horizon=horizon, refit_every=refit_every),
        source="synthetic test data",
        sha256=frame_sha256(series, exog),
        observed=observed,
        known_ahead=known_ahead,
    )


@pytest.fixture
def ar1_series() -> np.ndarray:
    """120 points of a stationary AR(1), phi = 0.6, mean 10 (seed 7)."""
    rng = np.random.default_rng(7)
    y = np.empty(120)
    y[0] = 10.0
    for t in range(1, 120):
        y[t] = 10.0 + 0.6 * (y[t - 1] - 10.0) + rng.normal()
    return y


def build_exog_dataset() -> Dataset:
    """80 days of a series driven by an observed covariate and a weekday dummy (seed 11)."""
    rng = np.random.default_rng(11)
    n = 80
    cases = np.cumsum(rng.poisson(3.0, size=n)).astype(float)
    workday = (np.arange(n) % 7 < 5).astype(float)
    y = 100.0 + 20.0 * workday - 0.1 * cases + rng.normal(scale=2.0, size=n)
    exog = pd.DataFrame({"cases": cases, "workday": workday})
    return make_dataset(
        y,
        exog=exog,
        observed=("cases",),
        known_ahead=("workday",),
        test_size=20,
        season_length=7,
        name="exog_synthetic",
    )


@pytest.fixture
def exog_dataset() -> Dataset:
    """80 days of a series driven by an observed covariate and a weekday dummy (seed 11)."""
    return build_exog_dataset()
