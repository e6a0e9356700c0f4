"""The dataset registry: every benchmark dataset by name, loaded from vendored files.

Each module documents its provenance; ``data/SHA256SUMS`` holds the checksum of every vendored
raw file, checked on every load.
"""

from __future__ import annotations

from collections.abc import Callable

from shiftbench.datasets import consumption, covid_trips, ehi, m3, sales, sine
from shiftbench.datasets.csvfile import load_csv
from shiftbench.errors import DataError, InputError
from shiftbench.types import Collection, Dataset

_LOADERS: dict[str, Callable[[], Dataset | Collection]] = {
    "sales": sales.load,
    "sine": sine.load,
    "covid_trips": covid_trips.load,
    "consumption_intervals": consumption.load,
    "covid_trips_nyc": covid_trips.load_nyc,
    "m3_monthly": m3.load,
    "ehi": ehi.load,
}
#: Documented subsets of collections: dataset -> subset name -> how to pick its series ids.
_SUBSETS: dict[str, Callable[[str], list[str]]] = {
    "m3_monthly": lambda subset: m3.subset_ids(m3.read_m3_monthly()[1], subset),
}

#: The datasets of the default suite, in report order.
DEFAULT_DATASETS: tuple[str, ...] = ("sales", "sine", "covid_trips", "consumption_intervals")


def dataset_names() -> list[str]:
    """Names of every registered dataset."""
    return list(_LOADERS)


def collection_subset(name: str, subset: str) -> list[str]:
    """The series ids of a documented subset of a collection (``[dataset.NAME] subset``)."""
    if name not in _SUBSETS:
        raise DataError(f"dataset {name!r} has no documented subsets (subset = {subset!r})")
    return _SUBSETS[name](subset)


def load_dataset(name: str) -> Dataset | Collection:
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


__all__ = [
    "DEFAULT_DATASETS",
    "Collection",
    "Dataset",
    "collection_subset",
    "dataset_names",
    "load_csv",
    "load_dataset",
]
