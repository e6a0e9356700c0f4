"""Reading a user's CSV or Parquet file column by column, checked over the whole file at once.

Every check here works on whole columns (vectorised), so a file of millions of rows or of
hundreds of thousands of series costs what reading it costs. Every error is a one-line
:class:`~shiftbench.errors.DataError` naming the file and, where there is one, the column and
the line (the row number + 2, as if every row were one line after the header; a Parquet file's
rows are named alike).
"""

from __future__ import annotations

import csv
import difflib
import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.csvio import read_csv_exact
from shiftbench.errors import DataError

#: File endings read as Parquet (pyarrow needed: ``pip install 'shiftbench[parquet]'``); any
#: other file is read as CSV.
PARQUET_SUFFIXES = (".parquet", ".pq")
#: A header of at most this many columns is read whole, so that pandas' C parser itself refuses
#: a line with more fields than the header; a wider file is read only in the columns used, and
#: its lines' fields are counted by the csv module (pandas drops the extra fields silently when
#: it reads by column).
WHOLE_READ_COLUMNS = 64
#: Separators a one-column header hints at (the file is not comma-separated).
OTHER_SEPARATORS = (";", "\t", "|")
#: A value that looks like a number written with a decimal comma or thousands separators.
_COMMA_NUMBER = re.compile(r"\s*[-+]?[0-9][0-9.,]*,[0-9.,]*\s*")
_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _read_parquet(path: Path, columns: list[str] | None) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError(
            f"{path}: reading Parquet needs pyarrow: pip install 'shiftbench[parquet]'"
        ) from None
    try:
        frame: pd.DataFrame = pd.read_parquet(path, columns=columns)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({_reason(exc)})") from None
    return frame.reset_index(drop=True)


def header(path: Path) -> list[str]:
    """The column names of a file, as written (a CSV header is read as text, unchanged)."""
    if is_parquet(path):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise DataError(
                f"{path}: reading Parquet needs pyarrow: pip install 'shiftbench[parquet]'"
            ) from None
        try:
            return [str(name) for name in pq.read_schema(path).names]
        except (OSError, ValueError, TypeError) as exc:
            raise DataError(f"{path}: not a readable Parquet file ({_reason(exc)})") from None
    try:
        first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({_reason(exc)})") from None
    if first.empty:
        raise DataError(f"{path}: the file has no header line")
    return [str(v) for v in first.iloc[0]]


def check_roles(
    path: Path,
    columns: Sequence[str],
    target: str,
    date: str | None,
    id_column: str | None,
    covariates: Sequence[str],
) -> dict[str, str]:
    """Column -> its role; every column used once, present, and named once in the header.

    A column cannot play two roles: the target as its own covariate would hand a model the
    answer, and a date or id column is not a number.
    """
    roles: dict[str, str] = {}
    wanted: list[tuple[str | None, str]] = [
        (target, "the target"),
        (date, "the date column"),
        (id_column, "the id column"),
        *((c, "a covariate") for c in dict.fromkeys(covariates)),
    ]
    for name, role in wanted:
        if name is None:
            continue
        if name in roles:
            why = (
                ": a model given its own target as a covariate sees the answer"
                if {roles[name], role} == {"the target", "a covariate"}
                else ""
            )
            raise DataError(f"{path}: column {name!r} cannot be both {roles[name]} and {role}{why}")
        roles[name] = role
    for name, role in roles.items():
        if name not in columns:
            close = difflib.get_close_matches(name, [str(c) for c in columns], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            if len(columns) == 1:
                sep = next((s for s in OTHER_SEPARATORS if s in columns[0]), None)
                if sep is not None:
                    hint = (
                        f"; the header is one column holding {sep!r}: shiftbench reads "
                        "comma-separated files"
                    )
            shown = ", ".join(repr(str(c)) for c in columns[:20])
            more = f", … ({len(columns)} in all)" if len(columns) > 20 else ""
            kind = role.removeprefix("the ").removeprefix("a ").removesuffix(" column")
            raise DataError(f"{path}: no {kind} column {name!r} (columns: {shown}{more}){hint}")
        count = list(columns).count(name)
        if count > 1:
            raise DataError(
                f"{path}: column {name!r} ({role}) appears {count} times in the header; "
                "name every column once"
            )
    return roles


def _too_many_fields(path: Path, line: int, saw: int, expected: int) -> DataError:
    return DataError(
        f"{path}: line {line} has {saw} fields but the header has {expected}: a decimal comma "
        "(1,5)? shiftbench reads '.' as the decimal point, and a value holding a comma must be "
        "quoted"
    )


def _first_long_line(path: Path, expected: int) -> tuple[int, int] | None:
    """The first line with more fields than the header (its number and field count), by the
    csv module; None when there is none."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for row in reader:
                if len(row) > expected:
                    return reader.line_num, len(row)
    except (UnicodeDecodeError, csv.Error):
        return None
    return None


def read_rows(
    path: Path, columns: Sequence[str], used: Sequence[str], text: Sequence[str]
) -> pd.DataFrame:
    """The used columns of the file (``text`` ones as strings, the others as pandas parses
    them), indexed by row number; a line with more fields than the header is refused."""
    if is_parquet(path):
        frame = _read_parquet(path, list(used))
        for column in text:
            values = frame[column]
            frame[column] = values.astype(str).where(values.notna())
        return frame
    names = [f"column {i}" for i in range(len(columns))]
    position = {name: columns.index(name) for name in used}
    kwargs: dict[str, object] = {
        "header": 0,
        "names": names,
        "index_col": False,
        "dtype": {names[position[c]]: str for c in text},
        "keep_default_na": False,
        "na_values": [""],
    }
    if len(columns) > WHOLE_READ_COLUMNS:
        kwargs["usecols"] = [names[position[c]] for c in used]
        long_line = _first_long_line(path, len(columns))
        if long_line is not None:
            raise _too_many_fields(path, long_line[0], long_line[1], len(columns))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = read_csv_exact(path, **kwargs)
        except (pd.errors.ParserError, ValueError, OverflowError, UnicodeDecodeError) as exc:
            found = _EXPECTED_FIELDS.search(str(exc))
            if found:
                expected, line, saw = (int(g) for g in found.groups())
                raise _too_many_fields(path, line, saw, expected) from None
            raise DataError(f"{path}: not a readable CSV file ({_reason(exc)})") from None
        except pd.errors.EmptyDataError as exc:
            raise DataError(f"{path}: not a readable CSV file ({_reason(exc)})") from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        long_line = _first_long_line(path, len(columns))
        line, saw = long_line if long_line is not None else (2, len(columns) + 1)
        raise _too_many_fields(path, line, saw, len(columns))
    frame = frame[[names[position[c]] for c in used]]
    frame.columns = pd.Index(list(used))
    return frame


def numeric(values: pd.Series, path: Path, name: str, lines: np.ndarray) -> np.ndarray:
    """A column as finite float64; the first value that is not a finite number is refused,
    naming its line."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        converted = values.astype(np.float64)
    else:
        converted = pd.to_numeric(values.astype(object), errors="coerce")
    bad = converted.isna() & values.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        shown = values.iloc[pos]
        hint = ""
        if isinstance(shown, str) and _COMMA_NUMBER.fullmatch(shown):
            hint = (
                "; a decimal comma or a thousands separator? write 1.5 and 1500 "
                "(shiftbench reads '.' as the decimal point)"
            )
        text = repr(shown) if len(repr(shown)) <= 80 else repr(shown)[:77] + "..."
        raise DataError(
            f"{path}: column {name!r} line {lines[pos]}: non-numeric value {text}{hint}"
        )
    array = converted.to_numpy(dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        pos = int(np.flatnonzero(~finite)[0])
        what = "NaN (missing value)" if math.isnan(array[pos]) else "infinite value"
        raise DataError(f"{path}: column {name!r} line {lines[pos]}: {what}")
    return array


def _shown(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def parse_dates(raw: pd.Series, path: Path, column: str, lines: np.ndarray) -> pd.DatetimeIndex:
    """A column of dates, every one present and readable, in one time zone (or none)."""
    missing = raw.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise DataError(f"{path}: column {column!r} line {lines[pos]}: missing date")
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
                    f"{path}: column {column!r} line {lines[pos]}: not a date: {_shown(text)}"
                ) from None
            if offsets[-1] != offsets[0]:
                raise DataError(
                    f"{path}: column {column!r} line {lines[pos]}: dates with mixed time zones "
                    f"({_shown(raw.iloc[0])} and {_shown(text)}); give every date the same offset"
                )
        raise DataError(f"{path}: column {column!r}: dates pandas cannot read as one series")
    nat = parsed.isna().to_numpy()
    if nat.any():
        pos = int(np.flatnonzero(nat)[0])
        raise DataError(
            f"{path}: column {column!r} line {lines[pos]}: not a date: {_shown(raw.iloc[pos])}"
        )
    index = pd.DatetimeIndex(parsed, name=column)
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    if index.tz is not None:
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    outside = np.asarray((index < low) | (index > high))
    if outside.any():
        pos = int(np.flatnonzero(outside)[0])
        raise DataError(
            f"{path}: column {column!r} line {lines[pos]}: date {_shown(raw.iloc[pos])} is "
            f"outside {low.date()}..{high.date()} (the nanosecond dates shiftbench works in)"
        )
    return index.as_unit("ns")


def series_codes(
    raw: pd.Series, path: Path, column: str, lines: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Each row's series (codes 0..G−1 in order of first appearance) and the ids.

    An id is read with its surrounding spaces stripped; two spellings that differ only by
    them (``" a"`` and ``"a"``) are refused rather than merged, and an empty id is refused.
    """
    missing = raw.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise DataError(f"{path}: column {column!r} line {lines[pos]}: empty series id")
    codes, uniques = pd.factorize(raw.astype(str), sort=False)
    spelled = [str(u) for u in uniques]
    stripped = [s.strip() for s in spelled]
    if "" in stripped or len(set(stripped)) < len(stripped):
        first_row = np.full(len(spelled), len(raw), dtype=np.int64)
        np.minimum.at(first_row, codes, np.arange(len(raw)))
        if "" in stripped:
            pos = int(first_row[stripped.index("")])
            raise DataError(f"{path}: column {column!r} line {lines[pos]}: empty series id")
        seen: dict[str, int] = {}
        for code, text in enumerate(stripped):
            if text in seen:
                earlier = seen[text]
                raise DataError(
                    f"{path}: column {column!r} line {lines[first_row[code]]}: series id "
                    f"{_shown(spelled[code])} differs from {_shown(spelled[earlier])} (line "
                    f"{lines[first_row[earlier]]}) only by surrounding spaces; spell each "
                    "series' id one way"
                )
            seen[text] = code
    return codes.astype(np.int64), stripped
