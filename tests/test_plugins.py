"""A researcher's own model runs beside the built-ins without touching shiftbench: from a config
section, from an installed package's entry point, or as a Python instance; and when it fails in
every way it can, the run goes on."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.benchmarks.runner import run_config
from shiftbench.cli import main
from shiftbench.config import config_from_dict
from shiftbench.errors import ConfigError, InputError
from shiftbench.models import entry_point_models

from .plugin_models import (
    FirstMean,
    FirstMeanProtocol,
    Hanging,
    NaNs,
    Peeking,
    ProtocolOnly,
    Raising,
    RefitsItself,
    Short,
    Smoothing,
)

MODELS = "tests.plugin_models"


def _config(tmp_path: Path, models: list[str], sections: dict[str, dict[str, object]]) -> object:
    raw = {
        "datasets": ["sales"],
        "models": models,
        "seeds": [0],
        "jobs": 1,
        "out": str(tmp_path / "runs"),
        "cache_dir": str(tmp_path / "cache"),
        "model": sections,
    }
    return config_from_dict(raw, "test.toml", tmp_path)


def _cells(run: sb.RunResult) -> dict[str, dict[str, object]]:  # type: ignore[name-defined]
    return {c["model"]: c for c in run.manifest["cells"]}


# -- three ways in ---------------------------------------------------------------------------------


def test_a_config_section_runs_a_class_by_its_path_like_any_model(tmp_path: Path) -> None:
    config = _config(
        tmp_path, ["naive", "mine"], {"mine": {"class": f"{MODELS}:Smoothing", "alpha": 0.5}}
    )
    run = run_config(config)  # type: ignore[arg-type]
    assert run.exit_code == 0
    y = run.forecasts.query("model == 'naive'")["y"].to_numpy()
    mine = run.forecasts.query("model == 'mine'")["y_hat"].to_numpy()
    # by hand: the level after the training span, then smoothed with each new actual
    full = sb.load_dataset("sales").y.to_numpy()
    level = full[0]
    for value in full[1 : len(full) - len(y)]:
        level = 0.5 * value + 0.5 * level
    assert mine[0] == pytest.approx(level)
    assert mine[1] == pytest.approx(0.5 * y[0] + 0.5 * level)
    assert set(run.metrics["model"]) >= {"naive", "mine"}
    assert set(run.shift["model"]) == {"naive", "mine"}
    assert "mine" in set(run.comparisons["model"])
    entry = run.manifest["models"]["mine"]
    assert entry["origin"] == "config"
    assert entry["class"] == f"{MODELS}:Smoothing"
    assert entry["params"] == {"alpha": 0.5}
    source = entry["module_sources"][MODELS]
    assert source["sha256"] == _sha256(Path(source["path"]))


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_variant_runs_a_registered_model_with_other_parameters_beside_it(
    tmp_path: Path,
) -> None:
    config = _config(
        tmp_path,
        ["arima", "arima_011"],
        {"arima_011": {"class": "arima", "order": [0, 1, 1], "seasonal": False}},
    )
    run = run_config(config)  # type: ignore[arg-type]
    assert run.exit_code == 0
    cells = _cells(run)
    assert cells["arima_011"]["info"]["order"] == [0, 1, 1]
    assert cells["arima"]["info"]["search"] != "fixed order"
    assert run.manifest["models"]["arima_011"]["origin"] == "variant of arima"


def test_a_section_that_takes_a_built_in_name_is_refused_naming_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, ["arima"], {"arima": {"class": f"{MODELS}:Smoothing"}})
    assert "model.arima" in str(caught.value)
    assert "the built-in model 'arima'" in str(caught.value)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("tests.no_such_module:X", "cannot import 'tests.no_such_module'"),
        (f"{MODELS}:Missing", "has no 'Missing'"),
        ("os:path", "is not a class"),
        ("subprocess:Popen", "is not a forecaster"),
        ("no-colon", "unknown model 'no-colon'"),
    ],
)
def test_a_class_path_that_is_no_forecaster_is_refused_before_it_is_built(
    tmp_path: Path, target: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"model\.mine") as caught:
        _config(tmp_path, ["mine"], {"mine": {"class": target, "args": ["true"]}})
    assert message in str(caught.value)


def test_an_unknown_parameter_of_a_users_class_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model\.mine: unknown key 'alhpa'"):
        _config(tmp_path, ["mine"], {"mine": {"class": f"{MODELS}:Smoothing", "alhpa": 0.5}})


def test_python_api_takes_names_instances_and_named_pairs(tmp_path: Path) -> None:
    instance = Smoothing(alpha=0.2)
    run = sb.run(
        datasets=["sales"],
        models=["naive", instance, ("fast", Smoothing(alpha=0.9)), ProtocolOnly()],
        seeds=[0],
        out=str(tmp_path),
        cache_dir=str(tmp_path / "cache"),
    )
    assert run.exit_code == 0
    assert set(run.shift["model"]) == {"naive", "smoothing", "fast", "protocolonly"}
    assert run.manifest["models"]["fast"]["params"] == {"alpha": 0.9}
    assert run.manifest["models"]["smoothing"]["origin"] == "config"
    assert not [k for k in vars(instance) if k.endswith("_")]  # the caller's instance unfitted
    report = (run.path / "report.html").read_text()
    assert f"config: {MODELS}:Smoothing" in report


def test_a_users_model_without_intervals_gets_conformal_ones_by_default(tmp_path: Path) -> None:
    run = sb.run(datasets=["sales"], models=[Smoothing(), ProtocolOnly()], out=str(tmp_path),
                 use_cache=False)  # fmt: skip
    assert run.exit_code == 0
    for model in ("smoothing", "protocolonly"):
        rows = run.forecasts[run.forecasts["model"] == model]
        assert rows[["lo_80", "hi_80", "lo_95", "hi_95"]].notna().all().all()
        assert (rows["lo_95"] <= rows["lo_80"]).all()
        assert (rows["hi_80"] <= rows["hi_95"]).all()
        metrics = run.metrics[run.metrics["model"] == model]
        assert {"coverage_95", "msis", "crps"} <= set(metrics["metric"])
    tests = run.comparisons[run.comparisons["test"] == "kupiec_uc"]
    assert {"smoothing", "protocolonly"} <= set(tests["model"])


def test_two_unnamed_instances_of_one_class_need_names(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="two instances are named 'smoothing'"):
        sb.run(datasets=["sales"], models=[Smoothing(), Smoothing(alpha=0.9)], out=str(tmp_path))


# -- entry points ----------------------------------------------------------------------------------


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where the tests install fake distributions."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    entry_point_models.cache_clear()
    yield site
    entry_point_models.cache_clear()
    for name in [m for m in sys.modules if m.startswith("fake_")]:
        del sys.modules[name]


def _distribution(site: Path, name: str, entries: dict[str, str], module: str = "") -> None:
    info = site / f"{name}-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entries.items())
    (info / "entry_points.txt").write_text(f"[shiftbench.models]\n{lines}\n")
    if module:
        (site / f"{name.replace('-', '_')}.py").write_text(textwrap.dedent(module))


_MODULE = """
    import numpy as np
    from shiftbench.forecaster import BaseForecaster
    from shiftbench.types import Forecast

    class Mean(BaseForecaster):
        '''The mean of everything seen.'''
        def __init__(self, *, season_length: int = 1) -> None:
            self.season_length = season_length
        def fit(self, y, exog=None):
            self.y_ = np.asarray(y, dtype=float)
            return self
        def update(self, y_new, exog_new=None):
            self.y_ = np.concatenate([self.y_, np.asarray(y_new, dtype=float)])
            return self
        def forecast(self, horizon, exog_future=None):
            return Forecast(mean=np.full(horizon, self.y_.mean()))
"""


def test_an_entry_point_model_is_listed_with_its_origin_and_runs(
    installed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _distribution(installed, "fake_models", {"mean_model": "fake_models:Mean"}, _MODULE)
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("mean_model"))
    assert "entry point fake_models 1.2" in line
    assert "The mean of everything seen." in line
    run = sb.run(datasets=["sales"], models=["mean_model"], out=str(tmp_path), use_cache=False)
    assert run.exit_code == 0
    assert run.manifest["models"]["mean_model"]["origin"] == "entry point fake_models 1.2"
    # the dataset's season length fills a constructor parameter of that name
    assert run.manifest["models"]["mean_model"]["class"] == "fake_models:Mean"


def test_a_broken_entry_point_is_reported_by_name_and_the_listing_goes_on(
    installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _distribution(installed, "fake_broken", {"broken_model": "fake_broken:Nothing"}, "x = 1\n")
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "not usable: broken_model (entry point fake_broken 1.2)" in out
    assert "has no 'Nothing'" in out
    assert any(line.startswith("arima ") for line in out.splitlines())


def test_entry_points_that_collide_are_refused_with_both_origins(
    installed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _distribution(installed, "fake_one", {"naive": "fake_one:X", "twin": "fake_one:Y"})
    _distribution(installed, "fake_two", {"twin": "fake_two:Z"})
    problems = entry_point_models().problems
    assert any(
        "naive: entry point fake_one 1.2 (fake_one:X) collides with the built-in model" in p
        for p in problems
    )
    twin = next(p for p in problems if p.startswith("twin:"))
    assert "fake_one 1.2 (fake_one:Y)" in twin
    assert "fake_two 1.2 (fake_two:Z)" in twin
    code = main(["run", "--datasets", "sales", "--models", "twin", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "twin" in err
    assert "fake_two" in err


# -- a model that fails in every way ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Raising, "RuntimeError: my fit is broken"),
        (NaNs, "returned a non-finite forecast (nan)"),
        (Short, "returned 1 values where"),
    ],
    ids=["raises", "nan", "wrong-length"],
)
def test_a_failing_model_fails_its_cell_with_the_reason_and_the_run_goes_on(
    tmp_path: Path, model: type, message: str
) -> None:
    run = sb.run(
        datasets=["sales"], models=["naive", ("bad", model())], out=str(tmp_path), use_cache=False
    )
    cells = _cells(run)
    assert run.exit_code == 3
    assert cells["naive"]["status"] == "ok"
    assert cells["bad"]["status"] == "failed"
    assert message in str(cells["bad"]["error"])
    assert (run.path / "report.html").is_file()


def test_a_hanging_model_is_stopped_at_its_timeout_and_the_run_finishes(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        ["naive", "stuck", "drift"],
        {"stuck": {"class": f"{MODELS}:Hanging", "timeout": 2}},
    )
    start = time.monotonic()
    run = run_config(config)  # type: ignore[arg-type]
    elapsed = time.monotonic() - start
    cells = _cells(run)
    assert run.exit_code == 3
    assert cells["stuck"]["status"] == "timed_out"
    assert "timed out after 2 s" in str(cells["stuck"]["error"])
    assert cells["naive"]["status"] == cells["drift"]["status"] == "ok"
    assert elapsed < 60  # a worker's start and the 2 s limit, not the hour the model sleeps
    assert Hanging.SLEEP_S >= 3600
    again = run_config(config)  # type: ignore[arg-type]
    assert _cells(again)["stuck"]["cached"] is False  # a timeout is never cached


def test_the_run_wide_timeout_applies_to_every_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "--config", str(_toml(tmp_path)), "--timeout", "2", "--out", str(tmp_path / "r")]
    )
    assert code == 3
    run_dir = Path(capsys.readouterr().out.strip().splitlines()[-1])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {c["model"]: c["status"] for c in manifest["cells"]} == {
        "naive": "ok",
        "stuck": "timed_out",
    }


def _toml(tmp_path: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        'datasets = ["sales"]\nmodels = ["naive", "stuck"]\n'
        f'[model.stuck]\nclass = "{MODELS}:Hanging"\n'
    )
    return path


def test_a_model_that_exhausts_memory_fails_its_cell_and_is_not_cached(tmp_path: Path) -> None:
    from .plugin_models import Hungry

    config = _config(tmp_path, ["naive", "hungry"], {"hungry": {"class": f"{MODELS}:Hungry"}})
    run = run_config(config)  # type: ignore[arg-type]
    cells = _cells(run)
    assert cells["hungry"]["status"] == "failed"
    assert "MemoryError" in str(cells["hungry"]["error"])
    again = run_config(config)  # type: ignore[arg-type]
    assert _cells(again)["hungry"]["cached"] is False
    assert _cells(again)["naive"]["cached"] is True
    assert Hungry.capabilities.min_train == 1


# -- identity: editing the model recomputes its cells ----------------------------------------------


def test_editing_a_users_module_recomputes_its_cells_and_only_those(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    module = site / "fake_edited.py"
    module.write_text(textwrap.dedent(_MODULE))
    sections = {"mean": {"class": "fake_edited:Mean"}}
    first = run_config(_config(tmp_path, ["naive", "mean"], sections))  # type: ignore[arg-type]
    assert {m: c["cached"] for m, c in _cells(first).items()} == {"naive": False, "mean": False}
    again = run_config(_config(tmp_path, ["naive", "mean"], sections))  # type: ignore[arg-type]
    assert {m: c["cached"] for m, c in _cells(again).items()} == {"naive": True, "mean": True}
    module.write_text(textwrap.dedent(_MODULE).replace("self.y_.mean()", "self.y_[-3:].mean()"))
    import importlib

    importlib.reload(sys.modules["fake_edited"])
    edited = run_config(_config(tmp_path, ["naive", "mean"], sections))  # type: ignore[arg-type]
    assert {m: c["cached"] for m, c in _cells(edited).items()} == {"naive": True, "mean": False}
    y = edited.forecasts.query("model == 'naive'")
    mean = edited.forecasts.query("model == 'mean'")["y_hat"].to_numpy()
    full = sb.load_dataset("sales").y.to_numpy()
    cutoff = len(full) - len(y)
    assert mean[0] == pytest.approx(full[cutoff - 3 : cutoff].mean())
    del sys.modules["fake_edited"]


def test_the_public_checks_catch_a_model_that_looks_ahead() -> None:
    from shiftbench.testing import check_no_look_ahead

    with pytest.raises(AssertionError, match="check_no_look_ahead failed for Peeking"):
        check_no_look_ahead(Peeking())


def test_the_public_checks_pass_on_protocol_only_and_users_models() -> None:
    from shiftbench.adapters import Reduction
    from shiftbench.testing import check_forecaster

    for model in (Smoothing(), ProtocolOnly(), Reduction(window=6, alpha=0.1)):
        check_forecaster(model)


def test_forecasts_of_the_example_model_are_a_frame_of_finite_numbers(tmp_path: Path) -> None:
    run = sb.run(datasets=["sales"], models=[Smoothing()], out=str(tmp_path), use_cache=False)
    values = run.forecasts["y_hat"].to_numpy()
    assert isinstance(run.forecasts, pd.DataFrame)
    assert np.all(np.isfinite(values))


def test_the_public_checks_catch_a_refit_that_changes_the_model_it_was_called_on() -> None:
    from shiftbench.testing import check_refit

    with pytest.raises(AssertionError, match="check_refit failed for RefitsItself"):
        check_refit(RefitsItself())
    check_refit(FirstMean())  # keeps its first fit's mean, and says so by a parameter
    check_refit(FirstMeanProtocol())
