"""The resolved run configuration: :class:`RunConfig` (what a run needs, frozen, recorded and
hashed in the manifest) and :class:`CsvDataset` (a user's file as a dataset)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shiftbench.datasets import DEFAULT_DATASETS
from shiftbench.models import DEFAULT_MODELS, ModelSpec, define_model, get_model

DEFAULT_SEEDS: tuple[int, ...] = (0, 1, 2)
#: Seeds must fit NumPy's and Keras's 32-bit seeds.
MAX_SEED = 2**32 - 1
#: More seeds than this in one run is a typo, not a study (each seed is a trained network);
#: the bound holds however the seeds are given (a count, a list, a comma-separated string).
MAX_SEEDS = 1000
#: The most test points (forecast origins) a protocol may ask for: a count beyond any series
#: shiftbench can hold in memory is a typo (the series' own length bounds it again at load time).
MAX_TEST_SIZE = 10**9


@dataclass(frozen=True)
class CsvDataset:
    """A user's CSV file as a dataset (``[[csv]]`` in the config, ``--dataset-file`` on the CLI)."""

    path: str
    target: str
    date: str | None = None
    exog: tuple[str, ...] = ()
    known_ahead: tuple[str, ...] = ()
    name: str | None = None
    test_size: int | float = 0.2
    horizon: int = 1
    #: None: from the dates' frequency (12 for monthly, 7 for daily, …), 1 without dates
    season_length: int | None = None
    lstm_window: int = 3
    id: str | None = None
    min_length: int | None = None

    @property
    def dataset_name(self) -> str:
        return self.name or Path(self.path).stem


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs, resolved. ``to_dict`` is what the manifest records and hashes."""

    datasets: tuple[str, ...] = DEFAULT_DATASETS
    models: tuple[str, ...] = DEFAULT_MODELS
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    out: str = "runs"
    #: cells run side by side; by default one per core this process may use (results do not
    #: depend on it: every cell runs single-threaded, see shiftbench.benchmarks.runner)
    jobs: int = field(default_factory=lambda: default_jobs())
    protocol: dict[str, Any] = field(default_factory=dict)
    dataset_options: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata={"toml": "dataset"}
    )
    model_params: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata={"toml": "model"}
    )
    #: ``[event.NAME]``: a dataset's event question (kind, short, long, threshold, bins)
    events: dict[str, dict[str, Any]] = field(default_factory=dict, metadata={"toml": "event"})
    csv: tuple[CsvDataset, ...] = ()
    mse_all_points: bool = False
    cache_dir: str | None = None
    use_cache: bool = field(default=True, metadata={"toml": None})  # --no-cache only
    rerun: tuple[str, ...] = field(default=(), metadata={"toml": None})  # --rerun only
    executor: str = "local"
    scheduler: str | None = None
    chunk_size: int = 100
    #: seconds any cell may run before it is stopped and recorded as timed out (a model's own
    #: ``timeout`` in its section wins); None: no limit
    timeout: float | None = None

    def all_datasets(self) -> tuple[str, ...]:
        """Registered datasets, then the CSV ones."""
        return tuple(self.datasets) + tuple(c.dataset_name for c in self.csv)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["csv"] = [asdict(c) for c in self.csv]
        return data

    def sha256(self) -> str:
        """Hash of the resolved config (canonical JSON), excluding where the run is written."""
        data = self.to_dict()
        for where_and_how in (
            "out",
            "jobs",
            "chunk_size",
            "cache_dir",
            "use_cache",
            "rerun",
            "executor",
            "scheduler",
        ):
            data.pop(where_and_how)
        text = json.dumps(data, sort_keys=True, default=_json_text)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def model_specs(self) -> dict[str, ModelSpec]:
        """Every selected model's spec: registered, or defined by its ``[model.NAME]`` section
        (with the section's parameters, ``refit_every`` and ``timeout``)."""
        out = {}
        for name in self.models:
            section = self.model_params.get(name)
            out[name] = (
                get_model(name)
                if section is None
                else define_model(name, section, f"config: model.{name}")
            )
        return out


def _json_text(value: Any) -> Any:
    """A config value JSON cannot hold (a regressor instance from the Python API): a tuple or
    set as a list, anything else as its repr."""
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return repr(value)


#: Worker processes beyond the cores only oversubscribe them, and each holds its own copy of
#: the libraries (some 200 MB): at most this many per core, and never fewer than MIN_MAX_JOBS.
JOBS_PER_CORE = 4
MIN_MAX_JOBS = 32


def max_jobs() -> int:
    """The most worker processes ``jobs`` may ask for on this machine.

    >>> max_jobs() >= MIN_MAX_JOBS
    True
    """
    return max(MIN_MAX_JOBS, JOBS_PER_CORE * default_jobs())


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one).

    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)
