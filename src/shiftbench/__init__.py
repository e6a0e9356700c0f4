"""shiftbench: classical and neural forecasters side by side, and the LSTM right shift caught.

The public API (docs/contract.md)::

    import shiftbench as sb
    ds = sb.load_dataset("sales")
    run = sb.run(datasets=["sales"], models=["naive", "arima"], seeds=[0])
    v = sb.detect_shift(actual, forecast)   # v.verdict, v.best_lag, v.shift_gain

Importing shiftbench loads no model library: statsmodels, arch and TensorFlow load when a cell
needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shiftbench.datasets import dataset_names, load_csv, load_dataset
from shiftbench.errors import ConfigError, DataError, FitError, InputError, ShiftbenchError
from shiftbench.evaluation.shift import ShiftVerdict, detect_shift
from shiftbench.models import model_names
from shiftbench.types import Capabilities, Dataset, Forecast, Protocol

if TYPE_CHECKING:
    from shiftbench.benchmarks.runner import RunResult

from shiftbench._version import __version__


def run(
    datasets: Sequence[str] | None = None,
    models: Sequence[Any] | None = None,
    seeds: Sequence[int] | int | None = None,
    *,
    config: str | None = None,
    out: str | None = None,
    jobs: int | None = None,
    **config_overrides: Any,
) -> RunResult:
    """Run a benchmark grid, exactly as ``shiftbench run`` does, and return its results.

    Parameters
    ----------
    datasets
        Names (default: the default suite).
    models
        Model names, forecaster instances, and ``(name, instance)`` pairs (default: the
        default suite's models). An instance runs as its class with its parameters, under its
        class's name in lower case unless a pair names it; every cell builds a fresh copy, so
        no fit is shared between cells. A class that keeps the ``Forecaster`` protocol without
        subclassing ``BaseForecaster`` is accepted too.
    seeds
        Seeds for seeded models, or a count N for seeds 0..N−1 (default: 0, 1, 2).
    config
        A TOML config file; the other arguments override it.
    out
        Parent directory of the run directory (default ``runs``).
    jobs
        Worker processes.
    **config_overrides
        Any other :class:`~shiftbench.config.RunConfig` field (``protocol``,
        ``dataset_options``, ``model_params``).

    Returns
    -------
    RunResult
        ``path``, ``manifest``, the ``forecasts``, ``metrics``, ``shift`` and ``comparisons``
        frames as the run directory's files hold them, the cells and the exit code. The
        reports are rendered into the run directory too.
    """
    from shiftbench.benchmarks.runner import cache_root, run_config
    from shiftbench.config import load_config, parse_seeds, with_overrides
    from shiftbench.reports.render import render_reports
    from shiftbench.store import figure_store

    base = load_config(config)
    names, sections = (None, {}) if models is None else _model_entries(models)
    if sections:
        given = dict(config_overrides.pop("model_params", base.model_params))
        config_overrides["model_params"] = {**given, **sections}
    resolved = with_overrides(
        base,
        datasets=tuple(datasets) if datasets is not None else None,
        models=names,
        seeds=parse_seeds(seeds if isinstance(seeds, int) else list(seeds))
        if seeds is not None
        else None,
        out=out,
        jobs=jobs,
        keep_datasets=True,
        **config_overrides,
    )
    result = run_config(resolved, command=None)
    render_reports(result.run, figure_store(cache_root(resolved)))
    return result


def _model_entries(models: Sequence[Any]) -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """Names, and the ``[model.NAME]`` sections that define the instances among ``models``."""
    from shiftbench.models import instance_name, instance_section

    names: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    for entry in models:
        if isinstance(entry, str):
            names.append(entry)
            continue
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            name, instance = entry
        else:
            name, instance = instance_name(entry), entry
        if name in sections:
            raise InputError(
                f"models: two instances are named {name!r}; pass (name, instance) pairs"
            )
        try:
            sections[name] = instance_section(instance)
        except TypeError as exc:
            raise InputError(f"models: {name}: {exc}") from None
        names.append(name)
    return tuple(names), sections


__all__ = [
    "Capabilities",
    "ConfigError",
    "DataError",
    "Dataset",
    "FitError",
    "Forecast",
    "InputError",
    "Protocol",
    "ShiftVerdict",
    "ShiftbenchError",
    "__version__",
    "dataset_names",
    "detect_shift",
    "load_csv",
    "load_dataset",
    "model_names",
    "run",
]
