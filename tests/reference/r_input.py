"""The series that ``m3_reference.R`` reads: the 1045 M3 monthly series of Makridakis et al.
(2018) in ``subset_ids(meta, "makridakis2018")`` order (every ``step``-th of them), each split
into its in-sample part and the 18 held-out points.

Run as a script to write the input of a full run::

    python -m tests.reference.r_input OUT.csv [STEP]
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shiftbench.datasets.m3 import HORIZON, read_m3_monthly, subset_ids
from shiftbench.types import FloatArray

#: Every 20th of the 1045 series: 53 series, the sample of the R reference test.
SAMPLE_STEP = 20


@dataclass(frozen=True)
class Split:
    """One series: its id, in-sample part and held-out part."""

    id: str
    insample: FloatArray
    holdout: FloatArray


def m3_splits(step: int = 1) -> list[Split]:
    """Every ``step``-th series of the 1045, in ``subset_ids`` order."""
    long, meta = read_m3_monthly()
    ids = subset_ids(meta, "makridakis2018")[::step]
    groups = {str(uid): g["y"].to_numpy(dtype=np.float64) for uid, g in long.groupby("unique_id")}
    return [Split(i, groups[i][:-HORIZON], groups[i][-HORIZON:]) for i in ids]


def _text(values: FloatArray) -> str:
    return " ".join(repr(float(v)) for v in values)


def write_input(path: Path, splits: list[Split]) -> None:
    """The CSV ``m3_reference.R`` reads: id, insample, holdout (space-separated values)."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "insample", "holdout"])
        for s in splits:
            writer.writerow([s.id, _text(s.insample), _text(s.holdout)])


if __name__ == "__main__":
    write_input(Path(sys.argv[1]), m3_splits(int(sys.argv[2]) if len(sys.argv) > 2 else 1))
