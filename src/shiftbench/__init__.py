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
    models: Sequence[str] | None = None,
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
    datasets, models
        Names (default: the default suite).
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

    base = load_config(config)
    resolved = with_overrides(
        base,
        datasets=tuple(datasets) if datasets is not None else None,
        models=tuple(models) if models is not None else None,
        seeds=parse_seeds(seeds if isinstance(seeds, int) else list(seeds))
        if seeds is not None
        else None,
        out=out,
        jobs=jobs,
        keep_datasets=True,
        **config_overrides,
    )
    result = run_config(resolved, command=None)
    render_reports(result.path, cache_dir=cache_root(resolved))
    return result


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
