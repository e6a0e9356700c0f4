"""Reading shiftbench's CSV files back exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.errors import DataError


def read_csv_exact(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` that gives back every float bit for bit.

    shiftbench writes floats in their shortest round-trip form. pandas 3 parses them back
    exactly by default; pandas 2 needs ``float_precision="round_trip"`` (which pandas 3
    deprecates), so the option is passed only where it is needed.
    """
    if int(pd.__version__.split(".")[0]) < 3:
        kwargs.setdefault("float_precision", "round_trip")
    frame: pd.DataFrame = pd.read_csv(path, **kwargs)
    return frame


def read_csv_or_fail(path: Path, *, exact: bool = True, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV file; a file pandas cannot parse is a :class:`DataError` naming it and why."""
    try:
        return read_csv_exact(path, **kwargs) if exact else pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable CSV file ({reason})") from None
