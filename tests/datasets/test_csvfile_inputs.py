"""User files that used to get through: each is refused before any cell runs, with one line
naming the file, the column or line, and the value (exit 2 from the command line)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shiftbench.cli import main
from shiftbench.config import config_from_dict
from shiftbench.datasets import load_csv
from shiftbench.errors import ConfigError, DataError, ShiftbenchWarning
from shiftbench.types import Collection


def _file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _series(n: int = 40) -> tuple[list[float], list[float]]:
    """A wiggly target y_t = (7t mod 11) + t/10 and an unrelated covariate (t mod 3)."""
    y = [(7 * t) % 11 + t / 10 for t in range(n)]
    x = [float(t % 3) for t in range(n)]
    return y, x


def _frame_file(tmp_path: Path, columns: dict[str, list[object]], name: str = "data.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def _run(argv: list[str], tmp_path: Path) -> int:
    return main(
        [
            "run",
            *argv,
            "--models",
            "naive",
            "--no-cache",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "runs"),
        ]
    )


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("shiftbench: error: ")
    assert err.count("\n") == 1, err
    return err


# -- 1. the target as its own covariate, and copies of the target ------------------------------


@pytest.mark.parametrize("flag", ["--exog", "--known-ahead"])
def test_the_target_as_its_own_covariate_is_refused_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    y, x = _series()
    path = _frame_file(tmp_path, {"y": y, "x": x})
    assert _run(["--dataset-file", str(path), "--target", "y", flag, "y"], tmp_path) == 2
    err = _error(capsys)
    assert "column 'y'" in err
    assert "target" in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("key", ["exog", "known_ahead"])
def test_the_target_as_its_own_covariate_is_refused_in_the_config(tmp_path: Path, key: str) -> None:
    raw = {"csv": [{"path": "d.csv", "target": "y", key: ["x", "y"]}]}
    with pytest.raises(ConfigError, match=rf"csv\[0\]\.{key}: column 'y' is the target"):
        config_from_dict(raw, "c.toml", tmp_path)


def test_the_target_as_its_own_covariate_is_refused_by_load_csv(tmp_path: Path) -> None:
    y, x = _series()
    path = _frame_file(tmp_path, {"y": y, "x": x})
    with pytest.raises(DataError, match=r"data\.csv: column 'y' cannot be both the target and a"):
        load_csv(path, "y", exog=["x", "y"])


def test_a_covariate_equal_to_the_target_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    y, _ = _series()
    path = _frame_file(tmp_path, {"y": y, "copy": y})
    assert _run(["--dataset-file", str(path), "--target", "y", "--exog", "copy"], tmp_path) == 2
    assert "covariate 'copy' equals the target ('y')" in _error(capsys)


def test_a_known_ahead_copy_of_the_targets_future_is_a_leak(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    y, _ = _series()
    tomorrow = [*y[1:], 0.0]  # x_t = y_{t+1}: at cutoff t it gives away the value forecast
    path = _frame_file(tmp_path, {"y": y, "tomorrow": tomorrow})
    code = _run(
        ["--dataset-file", str(path), "--target", "y", "--known-ahead", "tomorrow"], tmp_path
    )
    assert code == 2
    assert "covariate 'tomorrow' equals the target 1 step ahead" in _error(capsys)


def test_a_copy_two_steps_ahead_is_a_leak_only_from_horizon_two(tmp_path: Path) -> None:
    y, _ = _series()
    later = [*y[2:], 0.0, 0.0]
    path = _frame_file(tmp_path, {"y": y, "later": later})
    load_csv(path, "y", exog=["later"], test_size=5)  # h = 1: never seen before its time
    with pytest.raises(DataError, match="equals the target 2 steps ahead"):
        load_csv(path, "y", exog=["later"], test_size=5, horizon=2)


def test_a_horizon_set_in_the_config_rechecks_the_covariates(tmp_path: Path) -> None:
    from shiftbench.benchmarks.runner import resolve_datasets

    y, _ = _series()
    path = _frame_file(tmp_path, {"y": y, "later": [*y[2:], 0.0, 0.0]})
    raw = {
        "csv": [{"path": str(path), "target": "y", "exog": ["later"], "test_size": 5}],
        "models": ["naive"],
        "protocol": {"horizon": 2},
    }
    with pytest.raises(DataError, match="'later' equals the target 2 steps ahead"):
        resolve_datasets(config_from_dict(raw, "c.toml", tmp_path))


def test_a_lagged_target_is_a_fair_covariate(tmp_path: Path) -> None:
    y, _ = _series()
    path = _frame_file(tmp_path, {"y": y, "yesterday": [0.0, *y[:-1]]})
    ds = load_csv(path, "y", exog=["yesterday"], known_ahead=["yesterday"], horizon=3, test_size=5)
    assert ds.known_ahead == ("yesterday",)


def test_a_registered_dataset_with_covariates_is_unchanged() -> None:
    from shiftbench.datasets import load_dataset

    ds = load_dataset("covid_trips")
    assert ds.covariates  # loaded as before: the copy check is for user files
    assert not isinstance(ds, Collection)


# -- 3. ids that differ only by surrounding spaces ---------------------------------------------


def test_ids_that_differ_only_by_surrounding_spaces_are_refused_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"a,{t},{t % 4}" for t in range(12)] + [f" a,{t},{t % 5}" for t in range(12, 24)]
    path = _file(tmp_path, "id,t,y\n" + "\n".join(rows) + "\n")
    assert _run(["--dataset-file", str(path), "--target", "y", "--id", "id"], tmp_path) == 2
    err = _error(capsys)
    assert "line 14: series id ' a' differs from 'a' (line 2) only by surrounding spaces" in err


def test_an_id_with_surrounding_spaces_alone_is_read_without_them(tmp_path: Path) -> None:
    rows = [f" north ,{t % 4}" for t in range(20)] + [f"south,{t % 5}" for t in range(20)]
    path = _file(tmp_path, "id,y\n" + "\n".join(rows) + "\n")
    col = load_csv(path, "y", id_column="id", test_size=4)
    assert isinstance(col, Collection)
    assert [m.series for m in col.members] == ["north", "south"]


def test_an_id_of_spaces_only_is_an_empty_id(tmp_path: Path) -> None:
    path = _file(tmp_path, "id,y\n" + "".join(f"a,{t}\n" for t in range(10)) + "   ,1\n")
    with pytest.raises(DataError, match=r"column 'id' line 12: empty series id"):
        load_csv(path, "y", id_column="id", test_size=2)


# -- 4. decimal commas --------------------------------------------------------------------------


def test_a_quoted_decimal_comma_is_refused_naming_row_column_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "t,y\n" + "".join(f'{i},"{i},5"\n' for i in range(20)))
    assert _run(["--dataset-file", str(path), "--target", "y"], tmp_path) == 2
    err = _error(capsys)
    assert "column 'y' line 2: non-numeric value '0,5'; a decimal comma" in err


@pytest.mark.parametrize("every_line", [True, False])
def test_an_unquoted_decimal_comma_is_refused_not_read_as_another_number(
    tmp_path: Path, every_line: bool
) -> None:
    # "3,5" splits into two fields: pandas would silently read y = 3 (or take t as an index)
    lines = [f"{i},{i},5" if every_line or i == 3 else f"{i},{i}" for i in range(20)]
    path = _file(tmp_path, "t,y\n" + "\n".join(lines) + "\n")
    line = 2 if every_line else 5
    with pytest.raises(
        DataError, match=rf"line {line} has 3 fields but the header has 2: a decimal"
    ):
        load_csv(path, "y")


def test_an_unquoted_decimal_comma_in_a_wide_file_is_refused(tmp_path: Path) -> None:
    header = ",".join(["t", "y", *(f"c{i}" for i in range(80))])
    row = ",".join(["0", "1", *("0" for _ in range(80))])
    bad = ",".join(["1", "2", "5", *("0" for _ in range(80))])
    path = _file(tmp_path, f"{header}\n{row}\n{bad}\n{row}\n")
    with pytest.raises(DataError, match="line 3 has 83 fields but the header has 82"):
        load_csv(path, "y")


def test_a_semicolon_separated_file_is_named_as_such(tmp_path: Path) -> None:
    path = _file(tmp_path, "t;y\n" + "".join(f"{i};{i},5\n" for i in range(10)))
    with pytest.raises(DataError, match=r"no target column 'y' .*holding ';'"):
        load_csv(path, "y")


# -- 5. min_length without --id -------------------------------------------------------------------


def test_min_length_holds_for_a_single_series(tmp_path: Path) -> None:
    path = _file(tmp_path, "y\n" + "".join(f"{i % 7}\n" for i in range(20)))
    with pytest.raises(DataError, match=r"data\.csv: 20 points, fewer than min_length 30"):
        load_csv(path, "y", min_length=30, test_size=4)
    assert len(load_csv(path, "y", min_length=20, test_size=4)) == 20


def test_min_length_in_the_config_holds_for_a_single_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _file(tmp_path, "y\n" + "".join(f"{i % 7}\n" for i in range(20)))
    config = _file(
        tmp_path,
        f'models = ["naive"]\n[[csv]]\npath = "{data}"\ntarget = "y"\nmin_length = 50\n',
        "c.toml",
    )
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "runs")]) == 2
    assert "fewer than min_length 50" in _error(capsys)


# -- 6. a long file of 200,000 mostly short series ------------------------------------------------


def test_200000_mostly_short_series_load_in_seconds_with_one_warning(tmp_path: Path) -> None:
    n_series = 200_000
    lengths = np.full(n_series, 3)
    lengths[:10] = 60
    ids = np.repeat(np.array([f"s{i}" for i in range(n_series)]), lengths)
    t = np.concatenate([np.arange(n) for n in lengths])
    y = (t * 7 + np.repeat(np.arange(n_series), lengths)) % 13
    path = tmp_path / "long.csv"
    pd.DataFrame({"id": ids, "t": t, "y": y}).to_csv(path, index=False)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        col = load_csv(path, "y", id_column="id", min_length=30, test_size=5)
    seconds = time.perf_counter() - started
    assert isinstance(col, Collection)
    assert len(col.members) == 10
    assert len(col.dropped) == n_series - 10
    dropped = [w for w in caught if issubclass(w.category, ShiftbenchWarning)]
    assert len(dropped) == 1
    text = str(dropped[0].message)
    assert "dropped 199990 of 200000 series" in text
    assert "the shortest has 3 points" in text
    assert seconds < 30  # 1.3 s measured; the per-series loop before took some 18 minutes


def test_a_too_short_series_without_min_length_is_named(tmp_path: Path) -> None:
    rows = [f"long,{t % 5}" for t in range(30)] + [f"tiny,{t}" for t in range(3)]
    path = _file(tmp_path, "id,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"series tiny.*3 points.*min_length drops such series"):
        load_csv(path, "y", id_column="id", test_size=2)


def test_a_collection_of_many_series_is_cut_to_min_length_in_one_warning() -> None:
    from dataclasses import replace

    from shiftbench.benchmarks.resolve import _apply_collection
    from shiftbench.datasets.base import frame_sha256
    from shiftbench.types import Dataset, Protocol

    members = []
    for i in range(20_000):
        n = 40 if i < 5 else 6
        y = pd.Series(np.arange(n, dtype=float) % 7)
        members.append(
            Dataset("many", y, None, 1, None, Protocol(test_size=2), "", "", series=f"s{i}")
        )
    members[0] = replace(members[0], sha256=frame_sha256(members[0].y, None))
    col = Collection("many", tuple(members), 1, None, Protocol(test_size=2), "", "")
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = _apply_collection(col, {"min_length": 30, "test_size": 4})
    assert time.perf_counter() - started < 10
    assert [m.series for m in kept.members] == ["s0", "s1", "s2", "s3", "s4"]
    assert all(m.protocol.test_size == 4 for m in kept.members)
    assert len(kept.dropped) == 19_995
    assert len(caught) == 1
    assert "dropped 19995 of 20000 series" in str(caught[0].message)


# -- a column in two roles, a column named twice ---------------------------------------------


def test_a_column_used_twice_in_the_header_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "t,y,y\n" + "".join(f"{i},{i},{i + 1}\n" for i in range(10)))
    with pytest.raises(DataError, match=r"column 'y' \(the target\) appears 2 times"):
        load_csv(path, "y")


def test_the_date_column_cannot_be_the_target(tmp_path: Path) -> None:
    path = _file(tmp_path, "t,y\n" + "".join(f"{i},{i}\n" for i in range(10)))
    with pytest.raises(DataError, match="column 't' cannot be both the target and the date"):
        load_csv(path, "t", date="t")


def test_an_explicit_season_longer_than_half_the_series_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "y\n" + "".join(f"{i % 7}\n" for i in range(40)))
    with pytest.raises(DataError, match="season_length 1000000 is more than half the series"):
        load_csv(path, "y", season_length=1_000_000, test_size=4)
    assert load_csv(path, "y", season_length=20, test_size=4).season_length == 20
