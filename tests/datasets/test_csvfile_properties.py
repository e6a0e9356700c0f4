"""Property tests of the CSV reader: whatever bytes a user's file holds, ``load_csv`` returns a
dataset or raises one-line InputError, and ``shiftbench run`` on it exits 0 or 2 (never 4,
never a traceback)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiftbench.cli import main
from shiftbench.datasets import load_csv
from shiftbench.errors import InputError
from shiftbench.types import Collection, Dataset

EXAMPLES = int(os.environ.get("SHIFTBENCH_PROPERTY_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Fields a hostile file holds: numbers in every spelling, dates, ids with spaces, quotes.
FIELDS = (
    "1",
    "2.5",
    "-3",
    "1e3",
    "1,5",
    '"1,5"',
    "",
    " ",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "0x10",
    "True",
    "a",
    " a",
    "a ",
    "all",
    "2020-01-01",
    "2020-01-02",
    "2020-01-01T00:00+01:00",
    "2020-13-45",
    "2999-01-01",
    "0001-01-01",
    "1677-09-21",
    "2262-04-12T00:00",
    "2020-01-01T00:00+14:00",
    "NaT",
    "01/02/2020",
    '"',
    '""',
    "é",
    "\t",
    ";",
    "1;2",
    "9" * 30,
)
HEADERS = ("y", "t", "id", "x", "y ", "", "Y", "y")


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A small CSV of hostile fields under a header of likely column names."""
    columns = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5))
    rows = draw(
        st.lists(
            st.lists(
                st.sampled_from(FIELDS) | st.integers(-5, 50).map(str),
                min_size=0,
                max_size=len(columns) + 2,
            ),
            max_size=40,
        )
    )
    sep = draw(st.sampled_from([",", ",", ";"]))
    end = draw(st.sampled_from(["\n", "\r\n", ""]))
    text = sep.join(columns) + "\n" + "\n".join(sep.join(r) for r in rows) + end
    return text.encode("utf-8")


@st.composite
def regular_files(draw: st.DrawFn) -> bytes:
    """A well-formed long file (ids, integer times, values) with a few fields made hostile."""
    n_series = draw(st.integers(1, 4))
    lines = ["id,t,y,x"]
    for s in range(n_series):
        length = draw(st.integers(1, 30))
        for t in range(length):
            y = draw(st.integers(-100, 100))
            lines.append(f"s{s},{t},{y},{draw(st.sampled_from([y, t, 1, 0]))}")
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(1, len(lines) - 1))
        parts = lines[i].split(",")
        parts[draw(st.integers(0, 3))] = draw(st.sampled_from(FIELDS))
        lines[i] = ",".join(parts)
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def dated_files(draw: st.DrawFn) -> bytes:
    """A long file of dated series (any start from year 1 to 9999, any of a few frequencies,
    some series shifted off the first one's calendar), a few fields made hostile."""
    freq = draw(st.sampled_from(["D", "h", "MS", "W-SUN", "QS", "YS", "min", "B", "7D"]))
    lines = ["id,t,y,x"]
    for s in range(draw(st.integers(1, 4))):
        year = draw(st.sampled_from([1, 1677, 1678, 1970, 2000, 2261, 2262, 9999]))
        start = f"{year:04d}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
        try:
            days = pd.date_range(start, periods=draw(st.integers(1, 25)), freq=freq)
        except (ValueError, OverflowError):
            continue
        if draw(st.booleans()):
            days = days + pd.Timedelta(hours=draw(st.integers(0, 30)))
        for i, day in enumerate(days):
            lines.append(f"s{s},{day.isoformat()},{(i * 7) % 5},{i % 3}")
    for _ in range(draw(st.integers(0, 2))):
        if len(lines) < 2:
            break
        i = draw(st.integers(1, len(lines) - 1))
        parts = lines[i].split(",")
        parts[draw(st.integers(0, 3))] = draw(st.sampled_from(FIELDS))
        lines[i] = ",".join(parts)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _load(path: Path, data: st.DataObject) -> None:
    kwargs = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "date": st.sampled_from(["t", "x", "id"]),
                "id_column": st.sampled_from(["id", "t", "y"]),
                "exog": st.lists(st.sampled_from(["x", "t", "y", "id"]), max_size=2),
                "known_ahead": st.lists(st.sampled_from(["x", "t"]), max_size=1),
                "min_length": st.integers(1, 40),
                "test_size": st.sampled_from([1, 3, 0.2, 0.5, 10**9]),
                "horizon": st.integers(1, 4),
                "season_length": st.integers(1, 40),
            },
        )
    )
    message = ""
    try:
        result = load_csv(path, "y", **kwargs)
    except InputError as exc:
        message = str(exc)
    else:
        assert isinstance(result, Dataset | Collection)
    assert "\n" not in message
    assert not message or str(path) in message


@PROPERTY
@given(content=st.binary(max_size=600), data=st.data())
def test_any_bytes_load_or_raise_one_input_error(
    tmp_path: Path, content: bytes, data: st.DataObject
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    _load(path, data)


@PROPERTY
@given(content=csv_files() | regular_files() | dated_files(), data=st.data())
def test_any_csv_loads_or_raises_one_input_error(
    tmp_path: Path, content: bytes, data: st.DataObject
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    _load(path, data)


@settings(
    max_examples=max(EXAMPLES // 10, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=csv_files() | regular_files() | dated_files() | st.binary(max_size=300))
def test_a_run_on_any_file_exits_0_or_2_never_4(
    tmp_path: Path, capsys: object, content: bytes
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    code = main(
        [
            "run",
            "--dataset-file",
            str(path),
            "--target",
            "y",
            "--models",
            "naive",
            "--no-cache",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "runs"),
        ]
    )
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("shiftbench: error: ")
        assert err.count("\n") == 1, err
