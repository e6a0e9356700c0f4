"""The TOML config: every documented key accepted, every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftbench.config import (
    RunConfig,
    config_from_dict,
    load_config,
    parse_seeds,
    with_overrides,
)
from shiftbench.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_documented_example_is_the_default_suite() -> None:
    config = load_config(EXAMPLES / "default.toml")
    default = RunConfig()
    assert config.datasets == default.datasets
    assert config.models == default.models
    assert config.seeds == (0, 1, 2)
    assert config.model_params["arima"]["max_p"] == 5


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_every_example_config_is_valid(name: str) -> None:
    config = load_config(EXAMPLES / name)
    assert config.models


def test_the_ehi_study_asks_the_papers_heat_question() -> None:
    config = load_config(EXAMPLES / "ehi_study.toml")
    assert config.events["ehi"] == {"kind": "excess_heat", "short": 3, "long": 30, "threshold": 0.0}
    assert {"lstm_event", "event_persistence", "event_climatology"} <= set(config.models)


def test_seeds_as_count_or_list() -> None:
    assert parse_seeds(3) == (0, 1, 2)
    assert parse_seeds("0,4,9") == (0, 4, 9)
    assert parse_seeds("2") == (0, 1)
    with pytest.raises(ConfigError, match="at least 1"):
        parse_seeds(0)
    with pytest.raises(ConfigError, match="integers"):
        parse_seeds("a,b")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"modles": ["naive"]}, "unknown key 'modles'"),
        ({"models": ["naïve"]}, "unknown model 'naïve'"),
        ({"datasets": ["sails"]}, "unknown dataset 'sails'"),
        ({"jobs": "two"}, "jobs: expected int"),
        ({"protocol": {"horizon": 1.5}}, r"protocol\.horizon: expected int"),
        ({"protocol": {"horizn": 2}}, "unknown key 'horizn'"),
        ({"dataset": {"sine": {"test_size": "20%"}}}, r"dataset\.sine\.test_size"),
        ({"model": {"arima": {"ordr": [1, 1, 0]}}}, r"model\.arima: unknown key 'ordr'"),
        ({"model": {"arima": {"max_p": "5"}}}, r"model\.arima\.max_p: expected int"),
        ({"model": {"arima": {"order": [1, 1]}}}, r"model\.arima\.order"),
        ({"model": {"arima_garch": {"dist": "cauchy"}}}, r"model\.arima_garch\.dist"),
        ({"model": {"lstm_rae": {}}}, "unknown model 'lstm_rae'"),
        ({"model": {"arima": {"refit_every": -1}}}, r"model\.arima\.refit_every: expected an int"),
        ({"datasets": ["sales"], "dataset": {"sine": {}}}, "'sine' is not a selected dataset"),
        ({"csv": [{"path": "x.csv"}]}, r"csv\[0\]: missing key 'target'"),
        # values that would fail (or run wild) only after cells had run
        ({"protocol": {"test_size": float("nan")}}, r"protocol\.test_size: must be a count"),
        ({"protocol": {"test_size": float("inf")}}, r"protocol\.test_size: must be a count"),
        ({"protocol": {"test_size": 10.5}}, r"test_size: a count of test points must be whole"),
        ({"protocol": {"season_length": 0}}, r"protocol\.season_length: must be at least 1"),
        ({"dataset": {"sales": {"horizon": 0}}}, r"dataset\.sales\.horizon: must be at least 1"),
        ({"seeds": [-1]}, "seed -1 is outside 0..4294967295"),
        ({"seeds": [2**32]}, "seed 4294967296 is outside"),
        ({"seeds": [1, 2, 1]}, "seed 1 is given twice"),
        ({"seeds": 100_000_000}, "100000000 seeds is more than the 1000 allowed"),
        ({"models": ["naive", "naive"]}, "model 'naive' is selected twice"),
        ({"datasets": ["sales", "sales"]}, "dataset 'sales' is selected twice"),
        ({"csv": [{"path": "x.csv", "target": "y", "season_length": 0}]}, r"season_length"),
        ({"csv": [{"path": "x.csv", "target": "y", "exog": ["a", "a"]}]}, "'a' is given twice"),
        ({"model": {"lstm_raw": {"units": [32, 0]}}}, r"lstm_raw\.units: needs one or more"),
        ({"model": {"lstm_raw": {"units": []}}}, r"lstm_raw\.units: needs one or more"),
        ({"model": {"lstm_raw": {"dropout": 1.0}}}, r"lstm_raw\.dropout: must lie in \[0, 1\)"),
        ({"model": {"lstm_raw": {"activation": "tanhh"}}}, r"lstm_raw\.activation: must be one"),
        ({"model": {"lstm_diff": {"window": 0}}}, r"lstm_diff\.window: must be at least 1"),
        ({"model": {"lstm_diff": {"epochs": 0}}}, r"lstm_diff\.epochs: must be at least 1"),
        ({"model": {"lstm_diff": {"batch_size": 0}}}, r"lstm_diff\.batch_size"),
        ({"model": {"lstm_raw": {"learning_rate": -0.1}}}, r"lstm_raw\.learning_rate"),
        ({"model": {"lstm_raw": {"validation_size": 1.0}}}, r"lstm_raw\.validation_size"),
        ({"model": {"lstm_raw": {"patience": -1}}}, r"lstm_raw\.patience: must be at least 0"),
        ({"model": {"arima": {"test_alpha": 1.5}}}, r"arima\.test_alpha: must lie in \(0, 1\)"),
        ({"model": {"seasonal_naive": {"season_length": 0}}}, r"seasonal_naive\.season_length"),
        ({"executor": "dask", "scheduler": "localhost"}, "'localhost' is not an address"),
        ({"executor": "spark"}, r"executor: unknown 'spark' \(known: local, dask\)"),
        (
            {"protocol": {"intervals": "bootstrap"}},
            r"protocol\.intervals: expected .*'aci'.*got 'bootstrap'",
        ),
        ({"dataset": {"sales": {"calibration_size": -1}}}, r"sales\.calibration_size: must be at"),
    ],
)
def test_config_errors_name_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw, "test.toml")


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("models = [\n")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_config(path)


def test_missing_config_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: no such config file"):
        load_config(tmp_path / "nope.toml")


def test_csv_tables_replace_the_default_datasets_and_resolve_paths(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[[csv]]\npath = "data/demand.csv"\ntarget = "y"\nexog = ["price"]\n')
    config = load_config(path)
    assert config.datasets == ()
    assert config.all_datasets() == ("demand",)
    assert config.csv[0].path == str(tmp_path / "data" / "demand.csv")


def test_command_line_overrides_are_validated() -> None:
    config = with_overrides(RunConfig(), models=("naive",), seeds=(5,))
    assert config.models == ("naive",)
    assert config.seeds == (5,)
    with pytest.raises(ConfigError, match="unknown model 'nave'"):
        with_overrides(RunConfig(), models=("nave",))


def test_config_hash_ignores_output_folder_but_not_models() -> None:
    a = RunConfig(out="a")
    assert a.sha256() == RunConfig(out="b").sha256()
    assert a.sha256() != RunConfig(models=("naive",)).sha256()


def test_out_and_cache_dir_are_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "c.toml"
    path.write_text('out = "results"\ncache_dir = "cache"\n')
    config = load_config(path)
    assert Path(config.out) == folder / "results"
    assert Path(config.cache_dir or "") == folder / "cache"
    absolute = tmp_path / "elsewhere"
    path.write_text(f'out = "{absolute}"\n')
    assert Path(load_config(path).out) == absolute


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exog", "price"], "--exog needs --dataset-file"),
        (["--known-ahead", "holiday"], "--known-ahead needs --dataset-file"),
        (
            ["--dataset-file", "d.csv", "--target", "y", "--exog", "a,a"],
            "column 'a' is given twice",
        ),
        (["--dataset-file", "d.csv", "--target", "y", "--season-length", "0"], "at least 1"),
        (["--dataset-file", "d.csv", "--target", "y", "--test-size", "nan"], "positive number"),
        (["--dataset-file", "d.csv", "--target", "y", "--test-size", "inf"], "positive number"),
        (["--scheduler", "not a url", "--executor", "dask"], "is not an address"),
        (["--seeds", "0,0"], "seed 0 is given twice"),
        (["--models", "naive,naive"], "model 'naive' is selected twice"),
    ],
)
def test_command_line_mistakes_are_one_line_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from shiftbench.cli import main

    assert main(["run", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []
