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
