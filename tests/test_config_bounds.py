"""Config values that cannot hold, refused before any cell runs with the key and its bound:
seeds, scheduler addresses, event questions, sizes beyond memory or time, and TOML nested
deeper than Python reads."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shiftbench.cli import main
from shiftbench.config import MAX_SEEDS, config_from_dict, parse_seeds
from shiftbench.errors import ConfigError


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("shiftbench: error: ")
    assert err.count("\n") == 1, err
    return err


def _config(tmp_path: Path, text: str, *extra: str) -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return ["run", "--config", str(path), "--out", str(tmp_path / "runs"), "--no-cache", *extra]


# -- 7. seeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seeds",
    [
        ",".join(str(i) for i in range(MAX_SEEDS + 1)),  # a string: 1001 trainings per model
        list(range(MAX_SEEDS + 1)),
        MAX_SEEDS + 1,
        str(MAX_SEEDS + 1),
    ],
    ids=["string", "list", "count", "count-as-text"],
)
def test_more_seeds_than_the_bound_are_refused_however_given(seeds: object) -> None:
    with pytest.raises(ConfigError, match=f"more than the {MAX_SEEDS} allowed"):
        parse_seeds(seeds, "--seeds")


def test_a_five_thousand_seed_string_is_refused_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeds = ",".join(str(i) for i in range(5001))
    assert main(["run", "--datasets", "sales", "--models", "lstm_raw", "--seeds", seeds]) == 2
    assert "--seeds: 5001 seeds is more than the 1000 allowed" in _error(capsys)


def test_a_seed_given_twice_is_found_in_a_long_list_at_once() -> None:
    seeds = [*range(MAX_SEEDS - 1), 7]
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="seed 7 is given twice"):
        parse_seeds(seeds)
    assert time.perf_counter() - started < 0.05  # a set, not a quadratic scan
    assert parse_seeds(list(range(MAX_SEEDS))) == tuple(range(MAX_SEEDS))


@pytest.mark.parametrize("text", ["1e3", "٣", "0x10", "9" * 40])
def test_a_seed_that_is_not_plain_digits_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="expected integers"):
        parse_seeds(f"0,{text}")


# -- 8. scheduler addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("tcp://host:70000", "port 70000 is not in 1..65535"),
        ("tcp://host:0", "port 0 is not in 1..65535"),
        ("tcp://a..b:8786", "is not an address"),
        ("tcp://-host:8786", "is not an address"),
        ("host:8786", "is not an address"),
        ("inproc://nothing", "is not an address"),
    ],
)
def test_a_malformed_scheduler_address_is_refused(address: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_dict({"executor": "dask", "scheduler": address})


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    started = time.perf_counter()
    code = main(
        [
            "run",
            "--datasets",
            "sales",
            "--models",
            "naive",
            "--out",
            str(tmp_path / "runs"),
            "--no-cache",
            "--executor",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    assert code == 2
    assert "--scheduler tcp://127.0.0.1:1: cannot connect" in _error(capsys)
    assert time.perf_counter() - started < 15


def test_a_name_that_resolves_nowhere_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    from shiftbench.benchmarks.executors import dask_client
    from shiftbench.errors import InputError

    started = time.perf_counter()
    with pytest.raises(InputError, match=r"--scheduler tcp://no-such-host\.invalid:8786: cannot"):
        dask_client("tcp://no-such-host.invalid:8786", timeout_s=3)
    assert time.perf_counter() - started < 10


# -- 10. event questions that cannot hold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "excess_heat", "bins": [0, 1, 2]}, r"event\.ehi\.bins: an excess-heat question"),
        ({"bins": [0, 1, 2], "short": 3}, r"event\.ehi\.short: a key of kind"),
        ({"bins": list(range(30_001))}, r"event\.ehi\.bins: 30000 classes; at most 100"),
        ({"short": 0}, r"event\.ehi\.short: must be at least 1"),
    ],
)
def test_an_event_question_that_cannot_hold_is_a_config_error(
    table: dict[str, object], message: str
) -> None:
    raw = {"datasets": ["ehi"], "models": ["naive"], "event": {"ehi": table}}
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw, "c.toml")
    assert time.perf_counter() - started < 1  # no identity matrix of the classes is built


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("long = 2000", r"event\.ehi\.long: 2000 days of history are not shorter than the series"),
        ("long = 1095", r"event\.ehi\.long: 1095 days before t and 3 from t need 1098 points"),
        ("short = 400", r"event\.ehi\.short: 400 coming days are more than the test span's 365"),
    ],
)
def test_an_event_window_longer_than_the_data_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    argv = _config(tmp_path, f'datasets = ["ehi"]\nmodels = ["naive"]\n[event.ehi]\n{table}\n')
    assert main(argv) == 2
    import re

    assert re.search(message, _error(capsys))
    assert not (tmp_path / "runs").exists()


def test_more_classes_than_test_points_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text("y\n" + "".join(f"{i % 9}\n" for i in range(40)))
    text = (
        f'models = ["naive"]\n[[csv]]\npath = "{data}"\ntarget = "y"\ntest_size = 5\n'
        "[event.d]\nbins = [0, 1, 2, 3, 4, 5, 6, 7, 8]\n"
    )
    assert main(_config(tmp_path, text)) == 2
    assert "event.d.bins: 8 classes are more than the test span's 5 points" in _error(capsys)


# -- 11. sizes beyond memory or time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[protocol]\ntest_size = 1e308", r"protocol\.test_size: 1e\+308 test points is more"),
        ("[model.lstm_raw]\nunits = [100000000]", r"model\.lstm_raw\.units: a network of 4e\+16"),
        (
            "[model.lstm_raw]\nunits = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
            r"model\.lstm_raw\.units: 17 layers; at most 16",
        ),
        ("[model.lstm_raw]\nepochs = 1000000000", r"model\.lstm_raw\.epochs: at most 10000"),
        (
            "[model.lstm_raw]\nbatch_size = 1000000000",
            r"model\.lstm_raw\.batch_size: 1000000000 win",
        ),
        ("[model.lstm_event]\nunits = [100000000]", r"model\.lstm_event\.units: a network"),
        (
            "[model.arima]\nstepwise = false\nmax_p = 20\nmax_q = 20\nmax_order = 100",
            r"model\.arima\.max_order: a full grid \(stepwise = false\) of 7938 candidates",
        ),
        ("[model.arima]\nmax_d = 10", r"model\.arima\.max_d: at most 3 differences"),
        ("[model.arima]\nmaxiter = 1000000000", r"model\.arima\.maxiter: must lie in 1\.\.100000"),
        (
            "[model.arima_garch]\ngarch_p = 1000",
            r"model\.arima_garch\.garch_p: must lie in 0\.\.20",
        ),
        ("[model.ets]\nmaxiter = 1000000000", r"model\.ets\.maxiter: must lie in 1\.\.100000"),
    ],
)
def test_a_size_beyond_its_bound_is_a_config_error_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    import re

    argv = _config(tmp_path, f'datasets = ["sales"]\nmodels = ["naive"]\n{text}\n')
    assert main(argv) == 2
    assert re.search(message, _error(capsys))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[dataset.sales]\nseason_length = 1000000",
            r"dataset\.sales\.season_length: 1000000 is more than half the series",
        ),
        (
            "[protocol]\nseason_length = 1000000",
            r"protocol\.season_length: 1000000 is more than half the series",
        ),
        ("[model.seasonal_naive]\nseason_length = 1000000", r"needs at least 1000000"),
        (
            "[model.arima]\nseason_length = 1000000",
            r"model\.arima\.season_length: 1000000 is more than half the series",
        ),
        ("[protocol]\nhorizon = 11", r"horizon 11 is longer than the test span \(10 points\)"),
    ],
)
def test_a_season_or_horizon_beyond_the_series_is_exit_2_before_any_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    import re

    models = (
        "seasonal_naive" if "seasonal_naive" in text else "arima" if "arima" in text else "naive"
    )
    argv = _config(tmp_path, f'datasets = ["sales"]\nmodels = ["{models}"]\n{text}\n')
    assert main(argv) == 2
    assert re.search(message, _error(capsys))
    assert not (tmp_path / "runs").exists()


def test_a_test_size_of_1e308_on_the_command_line_names_its_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text("y\n" + "".join(f"{i % 9}\n" for i in range(40)))
    code = main(
        [
            "run",
            "--dataset-file",
            str(data),
            "--target",
            "y",
            "--test-size",
            "1e308",
            "--models",
            "naive",
            "--out",
            str(tmp_path / "runs"),
        ]
    )
    assert code == 2
    assert "test_size: 1e+308 test points is more than any series holds" in _error(capsys)


def test_an_lstm_window_whose_training_windows_exceed_memory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "long.csv"
    pd.DataFrame({"y": np.sin(np.arange(100_000) / 50.0)}).to_csv(data, index=False)
    text = (
        f'models = ["lstm_raw"]\nseeds = [0]\n[[csv]]\npath = "{data}"\ntarget = "y"\n'
        "test_size = 10\n[model.lstm_raw]\nwindow = 30000\n"
    )
    assert main(_config(tmp_path, text)) == 2
    err = _error(capsys)
    assert "model.lstm_raw.window: 30000 steps over 99990 training points build" in err
    assert "GiB of training windows; at most 2 GiB" in err


def test_an_arima_search_whose_state_exceeds_memory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "long.csv"
    pd.DataFrame({"y": np.sin(np.arange(3000) / 5.0)}).to_csv(data, index=False)
    text = (
        f'models = ["arima"]\n[[csv]]\npath = "{data}"\ntarget = "y"\ntest_size = 10\n'
        "[model.arima]\nmax_p = 1000000\nmax_q = 1000000\n"
    )
    assert main(_config(tmp_path, text)) == 2
    err = _error(capsys)
    assert "model.arima.max_p: orders up to ARIMA(996,2,996)" in err
    assert "(16·k²·n bytes; at most 16)" in err


# -- 12. TOML nested deeper than Python recurses --------------------------------------------------


def test_a_toml_file_nested_100000_levels_deep_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("seeds = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert main(["run", "--config", str(path)]) == 2
    assert f"{path}: not valid TOML (nested too deep)" in _error(capsys)


def test_a_value_nested_deep_but_readable_is_shown_cut_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("models = " + "[" * 100 + "]" * 100 + "\n")
    assert main(["run", "--config", str(path)]) == 2
    err = _error(capsys)
    assert "models: expected a list of strings" in err
    assert len(err) < 300


def test_more_worker_processes_than_the_machine_can_hold_are_refused() -> None:
    from shiftbench.config import max_jobs

    with pytest.raises(ConfigError, match=rf"jobs: at most {max_jobs()} worker processes"):
        config_from_dict({"jobs": 10**6})
    assert config_from_dict({"jobs": max_jobs()}).jobs == max_jobs()
