"""The dataset registry: every benchmark dataset by name, loaded from vendored files.

Each module documents its provenance; ``data/SHA256SUMS`` holds the checksum of every vendored
raw file, checked on every load.
"""

from __future__ import annotations

from collections.abc import Callable

from shiftbench.datasets import consumption, covid_trips, sales, sine
from shiftbench.datasets.csvfile import load_csv
from shiftbench.errors import InputError
from shiftbench.types import Dataset

_LOADERS: dict[str, Callable[[], Dataset]] = {
    "sales": sales.load,
    "sine": sine.load,
    "covid_trips": covid_trips.load,
    "consumption_intervals": consumption.load,
    "covid_trips_nyc": covid_trips.load_nyc,
}

#: The datasets of the default suite, in report order.
DEFAULT_DATASETS: tuple[str, ...] = ("sales", "sine", "covid_trips", "consumption_intervals")


def dataset_names() -> list[str]:
    """Names of every registered dataset."""
    return list(_LOADERS)


def load_dataset(name: str) -> Dataset:
    """Load a registered dataset by name.

    >>> load_dataset("sales").protocol.test_size
    10
    """
    try:
        loader = _LOADERS[name]
    except KeyError:
        known = ", ".join(_LOADERS)
        raise InputError(f"unknown dataset {name!r} (known: {known})") from None
    return loader()


__all__ = ["DEFAULT_DATASETS", "Dataset", "dataset_names", "load_csv", "load_dataset"]
