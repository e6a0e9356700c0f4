"""``m3_monthly``: the 1428 monthly series of the M3 forecasting competition.

Source: Makridakis & Hibon, "The M3-Competition: results, conclusions and implications",
*International Journal of Forecasting* 16(4), 2000. The monthly sheet of ``M3C.xls`` as
converted to ``M3_monthly.csv`` (columns Series, N, NF, Category, Starting Year, Starting Month,
then the values 1..N; sha256 1ae5f2d6…af09 of the CSV), vendored gzip-compressed as
``data/M3_monthly.csv.gz`` (the checksum in ``SHA256SUMS`` is of the compressed bytes; the
decompressed text is checked against the CSV's published sha256 too).

Each series is its own member of the collection: time is the observation number 1..N (M3 gives
a starting year and month for most series, recorded as metadata; 48 series have year 0, unknown),
season length 12, and the competition's holdout of the last NF = 18 observations. The subset
``makridakis2018`` is the 1045 series of Makridakis, Spiliotis & Assimakopoulos (2018), those
whose in-sample part N − 18 has between 81 and 126 observations; ``makridakis2018_tenth`` every
10th of them (105 series), a sample for the neural networks.
"""

from __future__ import annotations

import gzip
import hashlib
import io

import numpy as np
import pandas as pd

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.errors import DataError
from shiftbench.types import Collection, Dataset, Protocol, collection_sha256

FILE = "M3_monthly.csv.gz"
#: sha256 of the uncompressed CSV as published in ../shared/data/m3.
CSV_SHA256 = "1ae5f2d6918e7be966def06cdbf8c87ef07adc52d8b91b9b583597dc2438af09"
SOURCE = (
    "M3 competition, monthly series (Makridakis & Hibon 2000), M3C.xls converted to CSV "
    "(sha256 1ae5f2d6...af09), vendored gzip-compressed"
)
SEASON_LENGTH = 12
HORIZON = 18
#: Documented subsets: name -> (least, most) in-sample length N − 18, both inclusive, and the
#: step through those series (``makridakis2018_tenth``: every 10th of the paper's 1045, 105
#: series, for the networks, which cost minutes per hundred series).
SUBSETS: dict[str, tuple[int, int, int]] = {
    "makridakis2018": (81, 126, 1),
    "makridakis2018_tenth": (81, 126, 10),
}


def read_m3_monthly() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long frame ``unique_id, ds, y`` (ds = 1..N) and the metadata per series
    (``unique_id, n, horizon, category, start_year, start_month``), in the file's order.

    >>> long, meta = read_m3_monthly()
    >>> len(meta), len(long), meta.iloc[0].unique_id, int(meta.iloc[0].n)
    (1428, 167562, 'N1402', 68)
    """
    raw = gzip.decompress(vendored_file(FILE).read_bytes())
    if hashlib.sha256(raw).hexdigest() != CSV_SHA256:
        raise DataError(f"vendored data file {FILE!r}: its CSV differs from the published one")
    wide = pd.read_csv(io.BytesIO(raw))
    meta = pd.DataFrame(
        {
            "unique_id": wide["Series"].str.strip(),
            "n": wide["N"].astype(np.int64),
            "horizon": wide["NF"].astype(np.int64),
            "category": wide["Category"].str.strip(),
            "start_year": wide["Starting Year"].astype(np.int64),
            "start_month": wide["Starting Month"].astype(np.int64),
        }
    )
    values = wide.iloc[:, 6:].to_numpy(dtype=np.float64)
    parts = []
    for row, (uid, n) in enumerate(zip(meta["unique_id"], meta["n"], strict=True)):
        y = values[row, :n]
        if np.isnan(y).any() or not np.isnan(values[row, n:]).all():
            raise DataError(f"vendored data file {FILE!r}: series {uid} does not have N values")
        parts.append(pd.DataFrame({"unique_id": uid, "ds": np.arange(1, n + 1), "y": y}))
    return pd.concat(parts, ignore_index=True), meta


def subset_ids(meta: pd.DataFrame, subset: str | None) -> list[str]:
    """The series of a documented subset (all series for None).

    >>> _, meta = read_m3_monthly()
    >>> len(subset_ids(meta, "makridakis2018")), len(subset_ids(meta, None))
    (1045, 1428)
    >>> len(subset_ids(meta, "makridakis2018_tenth"))
    105
    """
    if subset is None:
        return list(meta["unique_id"])
    if subset not in SUBSETS:
        raise DataError(f"m3_monthly: unknown subset {subset!r} (known: {', '.join(SUBSETS)})")
    least, most, step = SUBSETS[subset]
    inside = meta["n"] - meta["horizon"]
    return list(meta.loc[(inside >= least) & (inside <= most), "unique_id"])[::step]


def load() -> Collection:
    """Load ``m3_monthly``: all 1428 series, holdout 18, season length 12.

    >>> col = load()
    >>> len(col.members), col.members[0].series, len(col.members[0]), col.protocol.test_size
    (1428, 'N1402', 68, 18)
    """
    long, meta = read_m3_monthly()
    protocol = Protocol(test_size=HORIZON, lstm_window=12)
    members = []
    for uid, group in long.groupby("unique_id", sort=False):
        y = pd.Series(group["y"].to_numpy(), index=pd.RangeIndex(1, len(group) + 1, name="t"))
        members.append(
            Dataset(
                name="m3_monthly",
                y=y,
                exog=None,
                season_length=SEASON_LENGTH,
                frequency=None,
                protocol=protocol,
                source=SOURCE,
                sha256=frame_sha256(y, None),
                series=str(uid),
            )
        )
    return Collection(
        name="m3_monthly",
        members=tuple(members),
        season_length=SEASON_LENGTH,
        frequency=None,
        protocol=protocol,
        source=SOURCE,
        sha256=collection_sha256(members),
        metadata=meta,
        description="the 1428 monthly series of the M3 competition",
    )
