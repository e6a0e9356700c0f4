"""A user's own CSV file as a benchmark dataset, with one-line errors that name the problem."""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.csvio import read_csv_or_fail
from shiftbench.datasets.base import file_sha256, frame_sha256
from shiftbench.errors import DataError, ShiftbenchWarning
from shiftbench.seasonality import season_for_frequency
from shiftbench.types import (
    Collection,
    Dataset,
    Protocol,
    check_protocol_fits,
    collection_sha256,
)

#: File endings read as Parquet (pyarrow needed: ``pip install 'shiftbench[parquet]'``); any
#: other file is read as CSV. Errors in a Parquet file name the row as "line" = row + 2, as if
#: the file had a header line, so that both formats report alike.
PARQUET_SUFFIXES = (".parquet", ".pq")


def _read_parquet(path: Path, columns: list[str] | None) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError(
            f"{path}: reading Parquet needs pyarrow: pip install 'shiftbench[parquet]'"
        ) from None
    try:
        frame: pd.DataFrame = pd.read_parquet(path, columns=columns)
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable Parquet file ({reason})") from None
    return frame.reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str, path: Path, role: str) -> pd.Series:
    if name not in frame.columns:
        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        cols = ", ".join(repr(str(c)) for c in frame.columns)
        raise DataError(f"{path}: no {role} column {name!r} (columns: {cols}){hint}")
    return frame[name]


def _numeric(
    values: pd.Series, path: Path, name: str, lines: np.ndarray, *, finite: bool
) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        converted = values.astype(np.float64)
    else:
        converted = pd.to_numeric(values.astype(object), errors="coerce")
    bad = converted.isna() & values.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{path}: column {name!r} line {lines[pos]}: non-numeric value {values.iloc[pos]!r}"
        )
    array = converted.to_numpy(dtype=np.float64)
    if finite and not np.all(np.isfinite(array)):
        pos = int(np.flatnonzero(~np.isfinite(array))[0])
        what = "NaN (missing value)" if math.isnan(array[pos]) else "infinite value"
        raise DataError(f"{path}: column {name!r} line {lines[pos]}: {what}")
    return array


def _parse_dates(raw: pd.Series, path: Path, column: str, lines: np.ndarray) -> pd.Series:
    """Dates of one column; dates with differing UTC offsets are refused, naming the first."""
    parsed = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 2 warns of mixed offsets instead of raising
            try:  # one format for the whole column (guessed from the first date): fast
                parsed = pd.to_datetime(raw, errors="raise")
            except (ValueError, TypeError, OverflowError):
                parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is None or parsed.dtype == object:
        offsets = []
        for pos, text in enumerate(raw):
            try:
                offsets.append(pd.Timestamp(text).utcoffset())
            except (ValueError, TypeError, OverflowError):
                raise DataError(
                    f"{path}: column {column!r} line {lines[pos]}: not a date: {text!r}"
                ) from None
            if offsets[-1] != offsets[0]:
                raise DataError(
                    f"{path}: column {column!r} line {lines[pos]}: dates with mixed time zones "
                    f"({raw.iloc[0]!r} and {text!r}); give every date the same offset"
                )
        raise DataError(f"{path}: column {column!r}: dates pandas cannot read as one series")
    return parsed


def _warn_first_gap(
    steps: np.ndarray, index: pd.DatetimeIndex, path: Path, column: str, lines: np.ndarray
) -> None:
    """Warn (once) that the dates are irregular, naming the first gap."""
    values, counts = np.unique(steps, return_counts=True)
    usual = values[np.argmax(counts)]
    pos = int(np.flatnonzero(steps != usual)[0])
    warnings.warn(
        f"{path}: column {column!r}: irregular dates; the first gap follows line {lines[pos]} "
        f"({index[pos].isoformat()} -> {index[pos + 1].isoformat()}); time is taken as the "
        "row order",
        ShiftbenchWarning,
        stacklevel=3,
    )


def _infer_freq(index: pd.DatetimeIndex) -> str | None:
    """The pandas frequency alias of a regular date index, or None."""
    if len(index) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 announces an offset return type
        inferred = pd.infer_freq(index)
    if inferred is None:
        return None
    return inferred if isinstance(inferred, str) else str(inferred.freqstr)


def load_csv(
    path: str | Path,
    target: str,
    *,
    date: str | None = None,
    exog: Sequence[str] = (),
    known_ahead: Sequence[str] = (),
    name: str | None = None,
    test_size: int | float = 0.2,
    horizon: int = 1,
    season_length: int | None = None,
    lstm_window: int = 3,
    id_column: str | None = None,
    min_length: int | None = None,
) -> Dataset | Collection:
    """Read a CSV file into a :class:`Dataset`, or a long file of many series (``id_column``)
    into a :class:`Collection`.

    Parameters
    ----------
    path
        The CSV file (with a header row).
    target
        The column to forecast. It must be numeric, with no missing or infinite value.
    date
        Optional column of dates (any format pandas parses); they must be strictly increasing.
        Without it time is the row number.
    exog
        Covariate columns. They are treated as *observed*: a forecast made at cutoff t uses them
        up to t only.
    known_ahead
        Covariate columns known ahead (calendar variables): they may be used for the target time.
    name
        Dataset name in the run (default: the file's stem).
    test_size, horizon, season_length, lstm_window
        The protocol and seasonal period. ``season_length=None`` takes it from the dates'
        frequency (:func:`shiftbench.seasonality.season_for_frequency`: 12 for monthly data,
        4 quarterly, 7 daily, 52 weekly, 24 hourly), and 1 when there are no dates.
    id_column
        For a long file of many series: the column naming each row's series. Rows of one series
        need not be contiguous; each series' dates must be increasing.
    min_length
        With ``id_column``: series shorter than this are dropped (their ids are recorded);
        without it a series too short for the protocol is an error naming it.

    Raises
    ------
    DataError
        With a one-line message naming the file, column and line at fault.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "demand.csv"
    >>> _ = p.write_text("t,y\\n" + "".join(f"{i},{i * 2}\\n" for i in range(20)))
    >>> ds = load_csv(p, "y", test_size=5)
    >>> len(ds), ds.protocol.n_test(len(ds))
    (20, 5)
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    parquet = path.suffix.lower() in PARQUET_SUFFIXES
    header = (
        _read_parquet(path, None).iloc[:0]
        if parquet
        else read_csv_or_fail(path, exact=False, nrows=0)
    )
    roles = {target: "target", **({date: "date"} if date else {})}
    roles.update({c: "covariate" for c in [*exog, *known_ahead]})
    if id_column is not None:
        roles[id_column] = "id"
    wanted = list(roles)
    for column, role in roles.items():
        _column(header, column, path, role)
    # Only the columns used are parsed; numbers are parsed as numbers by the C reader (what is
    # not a number is found, with its line, by _numeric), dates as text.
    if parquet:
        frame = _read_parquet(path, list(dict.fromkeys(wanted)))
        for text_column in (date, id_column):
            if text_column:
                values = frame[text_column]
                frame[text_column] = values.astype(str).where(values.notna())
    else:
        frame = read_csv_or_fail(
            path,
            exact=True,
            usecols=list(dict.fromkeys(wanted)),
            dtype={c: str for c in (date, id_column) if c},
            keep_default_na=False,
            na_values=[""],
        )
    if frame.empty:
        raise DataError(f"{path}: the file has no data rows")
    ds_name = name or path.stem
    protocol = Protocol(test_size=test_size, horizon=horizon, lstm_window=lstm_window)
    source = f"user file {path.name} (sha256 {file_sha256(path)})"
    observed = tuple(c for c in exog if c not in known_ahead)
    if id_column is None:
        ds = _one_series(frame, path, target, date, observed, tuple(known_ahead), ds_name, "")
        try:
            check_protocol_fits(ds_name, len(ds.y), protocol)
        except DataError as exc:
            raise DataError(f"{path}: {exc}") from None
        return replace(
            ds,
            season_length=season_length or season_for_frequency(ds.frequency),
            protocol=protocol,
            source=source,
            description=f"column {target!r} of {path.name}",
        )
    ids = frame[id_column].fillna("").astype(str).str.strip()
    if (ids == "").any():
        line = int(np.flatnonzero((ids == "").to_numpy())[0]) + 2
        raise DataError(f"{path}: column {id_column!r} line {line}: empty series id")
    lines = frame.index.to_numpy() + 2
    for column in (target, *observed, *known_ahead):  # every value checked, in file order
        _numeric(frame[column], path, column, lines, finite=True)
    members: list[Dataset] = []
    dropped: list[str] = []
    season = season_length
    for sid, part in frame.groupby(ids, sort=False):
        member = _one_series(
            part.drop(columns=[id_column]), path, target, date, observed, tuple(known_ahead),
            ds_name, str(sid),
        )  # fmt: skip
        if min_length is not None and len(member.y) < min_length:
            dropped.append(str(sid))
            continue
        try:
            check_protocol_fits(member.label, len(member.y), protocol)
        except DataError as exc:
            hint = "" if min_length is not None else "; min_length drops such series"
            raise DataError(f"{path}: {exc}{hint}") from None
        if season is None:
            season = season_for_frequency(member.frequency)
        members.append(replace(member, season_length=season, protocol=protocol, source=source))
    if not members:
        raise DataError(f"{path}: no series of at least min_length {min_length} points")
    return Collection(
        name=ds_name,
        members=tuple(members),
        season_length=members[0].season_length,
        frequency=members[0].frequency,
        protocol=protocol,
        source=source,
        sha256=collection_sha256(members),
        metadata=pd.DataFrame({"unique_id": [m.series for m in members]}),
        dropped=tuple(dropped),
        description=f"column {target!r} of {path.name}, one series per {id_column!r}",
    )


def _one_series(
    frame: pd.DataFrame,
    path: Path,
    target: str,
    date: str | None,
    observed: tuple[str, ...],
    known_ahead: tuple[str, ...],
    name: str,
    series: str,
) -> Dataset:
    """One series from its rows of the file (the frame's index is the row number, so errors
    name the file's line)."""
    lines = frame.index.to_numpy() + 2
    where = f" (series {series!r})" if series else ""
    y_values = _numeric(_column(frame, target, path, "target"), path, target, lines, finite=True)
    if date is not None:
        raw_dates = _column(frame, date, path, "date")
        parsed = _parse_dates(raw_dates, path, date, lines)
        if parsed.isna().any():
            pos = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise DataError(
                f"{path}: column {date!r} line {lines[pos]}: not a date: {raw_dates.iloc[pos]!r}"
            )
        index = pd.DatetimeIndex(parsed, name=date)
        steps = np.diff(index.asi8)
        if np.any(steps == 0):
            pos = int(np.flatnonzero(steps == 0)[0]) + 1
            raise DataError(
                f"{path}: column {date!r} line {lines[pos]}: duplicate date "
                f"{index[pos].date()}{where}"
            )
        if np.any(steps < 0):
            pos = int(np.flatnonzero(steps < 0)[0]) + 1
            raise DataError(
                f"{path}: column {date!r} line {lines[pos]}: dates not sorted "
                f"({index[pos]} comes after {index[pos - 1]}){where}"
            )
        freq = _infer_freq(index)
        if freq is not None:
            index = pd.DatetimeIndex(index, freq=freq)
        elif len(steps) >= 2:
            _warn_first_gap(steps, index, path, date, lines)
    else:
        index = pd.RangeIndex(len(frame), name="t")  # type: ignore[assignment]
        freq = None
    y = pd.Series(y_values, index=index, name=target)
    exog_frame: pd.DataFrame | None = None
    covariates = [*observed, *known_ahead]
    if covariates:
        data = {
            col: _numeric(_column(frame, col, path, "covariate"), path, col, lines, finite=True)
            for col in covariates
        }
        exog_frame = pd.DataFrame(data, index=index)
    return Dataset(
        name=name,
        y=y,
        exog=exog_frame,
        season_length=1,
        frequency=freq,
        protocol=Protocol(test_size=1),
        source="",
        sha256=frame_sha256(y, exog_frame),
        observed=observed,
        known_ahead=known_ahead,
        series=series,
    )
