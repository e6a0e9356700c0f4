"""The ``boxcox`` parameter of the statistical baselines in a config: set on a built-in model or
on a variant, recorded in the manifest and in each cell's ``info``; a value of the wrong type
or out of range refused before any cell, in one line, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftbench import load_dataset
from shiftbench.benchmarks.runner import run_config
from shiftbench.cli import main
from shiftbench.config import config_from_dict
from shiftbench.errors import ConfigError


def _config(tmp_path: Path, sections: dict[str, dict[str, object]]) -> object:
    raw = {
        "datasets": ["sales"],
        "models": list(sections),
        "seeds": [0],
        "jobs": 1,
        "out": str(tmp_path / "runs"),
        "cache_dir": str(tmp_path / "cache"),
        "model": sections,
    }
    return config_from_dict(raw, "test.toml", tmp_path)


def test_a_built_in_and_a_variant_take_boxcox_and_the_manifest_records_it(
    tmp_path: Path,
) -> None:
    config = _config(
        tmp_path, {"ses": {"boxcox": 0.5}, "ses_bc": {"class": "ses", "boxcox": "guerrero"}}
    )
    specs = config.model_specs()  # type: ignore[attr-defined]
    assert specs["ses_bc"].params == {"boxcox": "guerrero"}
    run = run_config(config)  # type: ignore[arg-type]
    assert run.exit_code == 0
    assert run.manifest["config"]["model_params"]["ses"] == {"boxcox": 0.5}
    assert run.manifest["models"]["ses_bc"]["params"] == {"boxcox": "guerrero"}
    assert run.manifest["models"]["ses_bc"]["origin"] == "variant of ses"
    info = {c["model"]: c["info"] for c in run.manifest["cells"]}
    assert info["ses"]["boxcox_lambda"] == 0.5
    assert -1.0 <= info["ses_bc"]["boxcox_lambda"] <= 2.0


@pytest.mark.parametrize("model", ["naive2", "holt", "damped", "theta", "comb", "ets", "arima"])
@pytest.mark.parametrize("value", [False, "guerrero", 0, -1, 2.0])
def test_every_model_with_boxcox_takes_each_kind_of_setting(
    tmp_path: Path, model: str, value: object
) -> None:
    spec = _config(tmp_path, {model: {"boxcox": value}}).model_specs()[model]  # type: ignore[attr-defined]
    built = spec.build(load_dataset("sales"))
    assert built.boxcox == value
    assert type(built.boxcox) is type(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "true",
            "model.ses_bc.boxcox: expected Union[Literal[False, 'guerrero'], float], got True",
        ),
        ('"auto"', "model.ses_bc.boxcox: expected Union[Literal[False, 'guerrero'], float]"),
        ("[0.5]", "model.ses_bc.boxcox: expected"),
        ("3.0", 'model.ses_bc.boxcox: must be false, "guerrero" or a lambda in [-1, 2], got 3.0'),
        ("-1.5", "lambda in [-1, 2], got -1.5"),
        ("nan", "lambda in [-1, 2], got nan"),
    ],
)
def test_a_bad_boxcox_is_a_one_line_error_before_any_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        'datasets = ["sales"]\nmodels = ["ses_bc"]\n'
        f'[model.ses_bc]\nclass = "ses"\nboxcox = {value}\n'
    )
    runs = tmp_path / "runs"
    assert main(["run", "--config", str(path), "--out", str(runs), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shiftbench: error: ")
    assert err.count("\n") == 1
    assert message in err
    assert not runs.exists() or list(runs.iterdir()) == []


def test_arima_garch_offers_no_boxcox(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model\.arima_garch: unknown key 'boxcox'"):
        _config(tmp_path, {"arima_garch": {"boxcox": 0.5}})
