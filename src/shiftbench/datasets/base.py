"""Access to the vendored raw files, their checksums, and the checksum of a derived series."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

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
    """sha256 of a derived dataset: its time index, target and covariates written as CSV.

    Floats are written with ``repr`` precision, so two series hash equal only when every value is
    bit-identical. This is the checksum a run's manifest records and ``compare`` checks.
    """
    frame = pd.DataFrame({"y": y.to_numpy()}, index=y.index)
    if exog is not None:
        for col in exog.columns:
            frame[f"x_{col}"] = exog[col].to_numpy()
    text = frame.to_csv(float_format=None, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
