"""A user's own CSV file as a benchmark dataset, with one-line errors that name the problem.

The file is read and checked column by column over all its rows at once
(:mod:`shiftbench.datasets.csvread`); a long file of many series is then split by one stable sort
on the series ids, its dates and lengths are checked over the whole frame, and a
:class:`~shiftbench.types.Dataset` is built only for the series kept. A file of 200,000 series
most of which ``min_length`` drops loads in seconds, with one warning line for what was dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.datasets.base import file_sha256, frame_sha256
from shiftbench.datasets.csvread import (
    PARQUET_SUFFIXES,
    check_roles,
    header,
    numeric,
    parse_dates,
    read_rows,
    series_codes,
)
from shiftbench.errors import DataError, ShiftbenchWarning
from shiftbench.seasonality import season_for_frequency
from shiftbench.types import (
    MIN_TRAIN,
    Collection,
    Dataset,
    Protocol,
    check_protocol_fits,
    collection_sha256,
)

__all__ = ["PARQUET_SUFFIXES", "check_covariates", "load_csv"]


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


def _first_gap(index: pd.DatetimeIndex, lines: np.ndarray) -> str:
    """Where the first irregular step of a date index is: the line it follows, and the dates."""
    steps = np.diff(index.asi8)
    values, counts = np.unique(steps, return_counts=True)
    usual = values[np.argmax(counts)]
    pos = int(np.flatnonzero(steps != usual)[0])
    return f"follows line {lines[pos]} ({index[pos].isoformat()} -> {index[pos + 1].isoformat()})"


def _n_test(test_size: int | float, lengths: np.ndarray) -> np.ndarray:
    """:meth:`Protocol.n_test` of every length at once (a count beyond any series saturates;
    the shares' rounding is the same IEEE arithmetic as ``Protocol.n_test``'s)."""
    if isinstance(test_size, float) and test_size < 1:
        return np.floor(test_size * lengths.astype(np.float64) + 0.5).astype(np.int64)
    return np.full(len(lengths), min(int(test_size), 2**62), dtype=np.int64)


def _date_order(
    index: pd.DatetimeIndex, codes: np.ndarray, lines: np.ndarray, path: Path, column: str,
    ids: list[str] | None,
) -> None:  # fmt: skip
    """Within every series, dates strictly increase; the first offence in the file is named."""
    ticks = index.asi8
    same = codes[1:] == codes[:-1]
    steps = np.diff(ticks)
    bad = same & (steps <= 0)
    if not bad.any():
        return
    candidates = np.flatnonzero(bad)
    pos = int(candidates[np.argmin(lines[candidates + 1])]) + 1
    where = f" (series {ids[codes[pos]]!r})" if ids is not None else ""
    here, before = index[pos], index[pos - 1]
    if steps[pos - 1] == 0:
        shown = here.date() if here == here.normalize() else here.isoformat()
        raise DataError(
            f"{path}: column {column!r} line {lines[pos]}: duplicate date {shown}{where}"
        )
    raise DataError(
        f"{path}: column {column!r} line {lines[pos]}: dates not sorted "
        f"({here} comes after {before}){where}"
    )


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
        The CSV file (with a header row; comma-separated, '.' as the decimal point), or a
        Parquet file (``.parquet``, ``.pq``).
    target
        The column to forecast. It must be numeric, with no missing or infinite value.
    date
        Optional column of dates (any format pandas parses); they must be strictly increasing.
        Without it time is the row number.
    exog
        Covariate columns. They are treated as *observed*: a forecast made at cutoff t uses them
        up to t only. The target cannot be one, and a column equal to the target, or to the
        target 1..``horizon`` steps ahead, is refused (:func:`check_covariates`).
    known_ahead
        Covariate columns known ahead (calendar variables): they may be used for the target time.
    name
        Dataset name in the run (default: the file's stem).
    test_size, horizon, season_length, lstm_window
        The protocol and seasonal period. ``season_length=None`` takes it from the dates'
        frequency (:func:`shiftbench.seasonality.season_for_frequency`: 12 for monthly data,
        4 quarterly, 7 daily, 52 weekly, 24 hourly), and 1 when there are no dates; a
        ``season_length`` given must be at most half the (shortest) series.
    id_column
        For a long file of many series: the column naming each row's series. Rows of one series
        need not be contiguous; each series' dates must be increasing. Ids are read without
        their surrounding spaces; two ids that differ only by them are refused.
    min_length
        Series shorter than this, or too short for the protocol, are dropped (their ids are
        recorded, and one warning says how many); without it a series too short for the
        protocol is an error naming it. A single series (no ``id_column``) shorter than
        ``min_length`` is an error.

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
    if min_length is not None and min_length < 1:
        raise DataError(f"{path}: min_length must be at least 1, got {min_length}")
    if season_length is not None and season_length < 1:
        raise DataError(f"{path}: season_length must be at least 1, got {season_length}")
    columns = header(path)
    covariates = list(dict.fromkeys([*exog, *known_ahead]))
    check_roles(path, columns, target, date, id_column, covariates)
    used = list(dict.fromkeys([c for c in (target, date, id_column) if c] + covariates))
    frame = read_rows(path, columns, used, [c for c in (date, id_column) if c])
    if frame.empty:
        raise DataError(f"{path}: the file has no data rows")
    lines = np.arange(len(frame), dtype=np.int64) + 2
    # every value checked, in file order, before anything is split
    values = {c: numeric(frame[c], path, c, lines) for c in [target, *covariates]}
    if id_column is None:
        codes = np.zeros(len(frame), dtype=np.int64)
        ids: list[str] | None = None
    else:
        codes, ids = series_codes(frame[id_column], path, id_column, lines)
    index = parse_dates(frame[date], path, date, lines) if date else None
    order = np.argsort(codes, kind="stable") if ids is not None else np.arange(len(frame))
    codes, lines = codes[order], lines[order]
    values = {c: v[order] for c, v in values.items()}
    if index is not None:
        index = index.take(order)
        _date_order(index, codes, lines, path, date or "", ids)
    protocol = Protocol(test_size=test_size, horizon=horizon, lstm_window=lstm_window)
    ds_name = name or path.stem
    observed = tuple(c for c in exog if c not in known_ahead)
    parts = _Parts(path, target, date, observed, tuple(known_ahead), ds_name, codes, lines,
                   values, index, ids)  # fmt: skip
    source = f"user file {path.name} (sha256 {file_sha256(path)})"
    if ids is None:
        n = len(frame)
        if min_length is not None and n < min_length:
            raise DataError(f"{path}: {n} points, fewer than min_length {min_length}")
        try:
            check_protocol_fits(ds_name, n, protocol)
        except DataError as exc:
            raise DataError(f"{path}: {exc}") from None
        ds = parts.member(0, 0, n)
        parts.warn_irregular()
        season = season_length or season_for_frequency(ds.frequency)
        _check_season(path, season, season_length, [ds])
        ds = replace(
            ds,
            season_length=season,
            protocol=protocol,
            source=source,
            description=f"column {target!r} of {path.name}",
        )
        check_covariates([ds], horizon, str(path))
        return ds
    members, dropped = _split(parts, protocol, min_length, ds_name)
    season = season_length or season_for_frequency(members[0].frequency)
    _check_season(path, season, season_length, members)
    members = [replace(m, season_length=season, protocol=protocol, source=source) for m in members]
    check_covariates(members, horizon, str(path))
    return Collection(
        name=ds_name,
        members=tuple(members),
        season_length=season,
        frequency=members[0].frequency,
        protocol=protocol,
        source=source,
        sha256=collection_sha256(members),
        metadata=pd.DataFrame({"unique_id": [m.series for m in members]}),
        dropped=tuple(dropped),
        description=f"column {target!r} of {path.name}, one series per {id_column!r}",
    )


def _check_season(path: Path, season: int, given: int | None, members: Sequence[Dataset]) -> None:
    """A season length given by the user fits two seasons into every series."""
    if given is None:
        return
    shortest = min(members, key=len)
    if season > len(shortest) // 2:
        which = f" ({shortest.label})" if shortest.series else ""
        raise DataError(
            f"{path}: season_length {season} is more than half the series{which}: "
            f"{len(shortest)} points hold fewer than two seasons (at most {len(shortest) // 2})"
        )


class _Parts:
    """A file's rows sorted by series (stable, so each series keeps its file order)."""

    def __init__(
        self, path: Path, target: str, date: str | None, observed: tuple[str, ...],
        known_ahead: tuple[str, ...], name: str, codes: np.ndarray, lines: np.ndarray,
        values: dict[str, np.ndarray], index: pd.DatetimeIndex | None, ids: list[str] | None,
    ) -> None:  # fmt: skip
        self.path, self.target, self.date = path, target, date
        self.observed, self.known_ahead, self.name = observed, known_ahead, name
        self.codes, self.lines, self.values, self.index, self.ids = codes, lines, values, index, ids
        self.irregular: list[tuple[str, str]] = []
        #: a calendar of one frequency and, per series on it, where its dates start
        self.grid: pd.DatetimeIndex | None = None
        self.grid_freq = ""
        self.on_grid: dict[int, int] = {}

    def find_grid(self, starts: np.ndarray, lengths: np.ndarray, kept: np.ndarray) -> None:
        """The series whose dates are consecutive points of one calendar (the first kept
        series' frequency), found for all series at once by one search of every date in that
        calendar; their dates and frequency need no inference of their own."""
        if self.index is None or len(kept) < 2:
            return
        g0 = int(kept[0])
        freq = _infer_freq(self.index[starts[g0] : starts[g0] + lengths[g0]])
        if freq is None:
            return
        try:
            offset = pd.tseries.frequencies.to_offset(freq)
            low, high = self.index.min(), self.index.max()
            span = int(high.value - low.value)  # nanoseconds
            if isinstance(offset, pd.offsets.Tick) and span / int(offset.nanos) > 2e7:
                return  # a calendar longer than the file could hold: infer one by one
            grid = pd.date_range(low, high, freq=offset, name=self.date).as_unit(self.index.unit)
        except (ValueError, TypeError, OverflowError):
            return
        if not len(grid) or len(grid) > 2e7:
            return
        ticks, marks = self.index.asi8, grid.asi8
        pos = np.minimum(np.searchsorted(marks, ticks), len(marks) - 1)
        rank = np.arange(len(ticks)) - starts[self.codes]
        ok = (marks[pos] == ticks) & (pos - pos[starts[self.codes]] == rank)
        regular = np.logical_and.reduceat(ok, starts) & (lengths >= 3)
        self.grid, self.grid_freq = grid, freq
        self.on_grid = {int(g): int(pos[starts[g]]) for g in kept if regular[g]}

    def member(self, code: int, start: int, stop: int) -> Dataset:
        """The Dataset of one series: rows ``start:stop`` of the sorted frame."""
        series = "" if self.ids is None else self.ids[code]
        if self.index is not None and code in self.on_grid and self.grid is not None:
            first = self.on_grid[code]
            index = self.grid[first : first + stop - start]  # a slice keeps the frequency
            freq: str | None = self.grid_freq
        elif self.index is not None:
            index = self.index[start:stop]
            freq = _infer_freq(index)
            if freq is not None:
                index = pd.DatetimeIndex(index, freq=freq)
            elif stop - start >= 3:
                self.irregular.append((series, _first_gap(index, self.lines[start:stop])))
        else:
            index = pd.RangeIndex(stop - start, name="t")  # type: ignore[assignment]
            freq = None
        y = pd.Series(self.values[self.target][start:stop], index=index, name=self.target)
        covariates = [*self.observed, *self.known_ahead]
        exog = (
            pd.DataFrame({c: self.values[c][start:stop] for c in covariates}, index=index)
            if covariates
            else None
        )
        return Dataset(
            name=self.name,
            y=y,
            exog=exog,
            season_length=1,
            frequency=freq,
            protocol=Protocol(test_size=1),
            source="",
            sha256=frame_sha256(y, exog),
            observed=self.observed,
            known_ahead=self.known_ahead,
            series=series,
        )

    def warn_irregular(self, total: int = 1) -> None:
        """One warning for every series with irregular dates (time is the row order)."""
        if not self.irregular:
            return
        series, gap = self.irregular[0]
        where = f"{self.path}: column {self.date!r}: irregular dates"
        if self.ids is None:
            text = f"{where}; the first gap {gap}; time is taken as the row order"
        else:
            text = (
                f"{where} in {len(self.irregular)} of {total} series (the first: series "
                f"{series!r}, whose first gap {gap}); time is taken as the row order"
            )
        warnings.warn(text, ShiftbenchWarning, stacklevel=4)


def _split(
    parts: _Parts, protocol: Protocol, min_length: int | None, name: str
) -> tuple[list[Dataset], list[str]]:
    """The series kept (built as Datasets) and the ids dropped, decided over all series at
    once from their lengths."""
    ids = parts.ids or []
    lengths = np.bincount(parts.codes, minlength=len(ids))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_test = _n_test(protocol.test_size, lengths)
    fits = (n_test >= max(1, protocol.horizon)) & (lengths - n_test >= MIN_TRAIN)
    if min_length is None:
        if not fits.all():
            first = int(np.flatnonzero(~fits)[0])
            try:
                check_protocol_fits(f"{name} series {ids[first]}", int(lengths[first]), protocol)
            except DataError as exc:
                raise DataError(f"{parts.path}: {exc}; min_length drops such series") from None
        keep = fits
    else:
        keep = fits & (lengths >= min_length)
    kept = np.flatnonzero(keep)
    if not len(kept):
        least = f"min_length {min_length}" if min_length is not None else "the protocol's"
        raise DataError(
            f"{parts.path}: no series is long enough ({least}; the longest has "
            f"{int(lengths.max())} points)"
        )
    parts.find_grid(starts, lengths, kept)
    members = [parts.member(int(g), int(starts[g]), int(starts[g] + lengths[g])) for g in kept]
    parts.warn_irregular(len(kept))
    gone = np.flatnonzero(~keep)
    if len(gone):
        warnings.warn(
            f"{parts.path}: dropped {len(gone)} of {len(ids)} series shorter than min_length "
            f"{min_length} or too short for the protocol (the shortest has "
            f"{int(lengths[gone].min())} points); their ids are in the manifest "
            "(dropped_series)",
            ShiftbenchWarning,
            stacklevel=3,
        )
    return members, [ids[g] for g in gone]


def check_covariates(members: Sequence[Dataset], horizon: int, where: str) -> None:
    """Refuse a covariate that is a copy of the target, or of the target 1..``horizon`` steps
    ahead: given as a covariate, it hands the model the values it is asked to forecast.

    A column is such a copy when, on every row of every series where the comparison exists
    (at least two rows), it equals the target (to a relative 1e-9) ``k`` rows later in the
    same series, for some k in 0..``horizon``. Checked over all series at once.
    """
    if not members or not members[0].covariates:
        return
    lengths = np.array([len(m) for m in members])
    y = np.concatenate([m.y.to_numpy(dtype=np.float64) for m in members])
    codes = np.repeat(np.arange(len(members)), lengths)
    target = str(members[0].y.name)
    for column in members[0].covariates:
        x = np.concatenate(
            [m.exog[column].to_numpy(dtype=np.float64) for m in members if m.exog is not None]
        )
        for k in range(min(int(horizon), int(lengths.max()) - 1) + 1):
            if _copies(x, y, codes, k):
                what = "the target" if k == 0 else f"the target {k} step{'s' * (k > 1)} ahead"
                raise DataError(
                    f"{where}: covariate {column!r} equals {what} ({target!r}): a look-ahead "
                    "leak; leave it out, or give its values as known at the time"
                )


def _copies(x: np.ndarray, y: np.ndarray, codes: np.ndarray, k: int) -> bool:
    """Whether x[t] equals y[t + k] on every row t whose row t + k is in the same series."""
    if k == 0:
        a, b = x, y
    else:
        same = codes[k:] == codes[:-k]
        a, b = x[:-k][same], y[k:][same]
    if len(a) < 2:
        return False
    head = min(len(a), 256)  # most columns differ at once: look at the first rows first
    if not np.isclose(a[:head], b[:head], rtol=1e-9, atol=0.0).all():
        return False
    return bool(np.isclose(a, b, rtol=1e-9, atol=0.0).all())
