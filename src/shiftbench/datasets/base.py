"""Access to the vendored raw files, their checksums, and the checksum of a derived series."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.errors import DataError

_DATA_PACKAGE = "shiftbench.datasets"


def _data_dir() -> Path:
    return Path(str(resources.files(_DATA_PACKAGE).joinpath("data")))


def expected_checksums() -> dict[str, str]:
    """The published sha256 of every vendored file, read from ``data/SHA256SUMS``."""
    sums: dict[str, str] = {}
    text = (_data_dir() / "SHA256SUMS").read_text(encoding="ascii")
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest
    return sums


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, as ``sha256sum`` prints it."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def vendored_file(name: str) -> Path:
    """Path of a vendored raw file, after checking it against ``SHA256SUMS``.

    Raises
    ------
    DataError
        When the file is missing or its bytes differ from the published checksum.
    """
    path = _data_dir() / name
    if not path.is_file():
        raise DataError(f"vendored data file {name!r} is missing from the installed package")
    expected = expected_checksums().get(name)
    if expected is None:
        raise DataError(f"vendored data file {name!r} has no entry in SHA256SUMS")
    actual = file_sha256(path)
    if actual != expected:
        raise DataError(
            f"vendored data file {name!r} is corrupt: sha256 {actual} != expected {expected}"
        )
    return path


def frame_sha256(y: pd.Series, exog: pd.DataFrame | None) -> str:
    """sha256 of a derived dataset: its time index, target and covariates, bit for bit.

    The hash runs over the raw bytes (time points as int64 nanoseconds since the epoch, with the
    time zone, or integer positions; values as little-endian float64; covariate names), so two
    datasets hash equal only when every value is bit-identical, and hashing five million rows
    takes a fraction of a second. This is the checksum a run's manifest records and ``compare``
    checks.
    """
    h = hashlib.sha256(b"shiftbench-dataset-v2\0")
    index = y.index
    if isinstance(index, pd.DatetimeIndex):
        h.update(f"datetime|{index.tz}\0".encode())
        h.update(np.ascontiguousarray(index.as_unit("ns").asi8, dtype="<i8").tobytes())
    else:
        h.update(b"position\0")
        h.update(np.ascontiguousarray(np.asarray(index, dtype=np.int64), dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(y.to_numpy(dtype=np.float64), dtype="<f8").tobytes())
    if exog is not None:
        for col in exog.columns:
            h.update(f"\0{col}\0".encode())
            h.update(
                np.ascontiguousarray(exog[col].to_numpy(dtype=np.float64), dtype="<f8").tobytes()
            )
    return h.hexdigest()
