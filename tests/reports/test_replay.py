"""A run that replays Makridakis et al. (2018) shows the article's figure and R's beside each
measured one; any other run shows no such table.

The article's 1045 series take a minute through the engine, so the wiring is tested on the
105-series tenth with the replay's series check pointed at it; the figures shown are the
vendored ones (the article's Table 5 as printed, R's as measured), checked against the values
printed in the article and in ../shared/refs/makridakis2018.md, not against the code."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from shiftbench.datasets import m3
from shiftbench.reports import replay


def _write(
    tmp_path: Path, *, refit_every: int = 0, models: str = '"naive2", "ses", "ses_bc"'
) -> Path:
    config = tmp_path / "replay.toml"
    config.write_text(
        f"""
datasets = ["m3_monthly"]
models = [{models}]
seeds = [0]
jobs = 1
out = "{tmp_path / "runs"}"

[dataset.m3_monthly]
subset = "makridakis2018_tenth"
test_size = 18
horizon = 1
refit_every = {refit_every}
season_length = 12

[model.ses_bc]
class = "ses"
boxcox = "guerrero"

[model.ses_kept]
class = "ses"
seasonal_indices = "first_fit"
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def tenth() -> list[str]:
    return m3.subset_ids(m3.read_m3_monthly()[1], "makridakis2018_tenth")


def _replay_on_the_tenth(monkeypatch: pytest.MonkeyPatch, tenth: list[str]) -> None:
    real = m3.subset_ids
    monkeypatch.setattr(replay, "N_SERIES", len(tenth))
    monkeypatch.setattr(
        m3,
        "subset_ids",
        lambda meta, subset: tenth if subset == "makridakis2018" else real(meta, subset),
    )


def test_a_replay_shows_the_papers_and_rs_figures_beside_each_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tenth: list[str]
) -> None:
    import shiftbench as sb

    _replay_on_the_tenth(monkeypatch, tenth)
    result = sb.run(config=str(_write(tmp_path)))
    md = (result.path / "report.md").read_text(encoding="utf-8")
    assert "Beside the article and R" in md
    table = md.split("Beside the article and R", 1)[1].split("\n\n|", 1)[1]
    table = "|" + table.split("\n\n", 1)[0]
    rows = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| model") and "---" not in line
    }
    # model | method | Box-Cox | sMAPE | paper | R | MASE | paper | R
    assert rows["naive2"][:2] == ["naive2", "no"]
    assert rows["naive2"][3] == "8.59"  # Table 5, Naive 2
    assert rows["naive2"][6] == "0.56"
    assert rows["naive2"][4] == "–"  # R was not run for Naive2
    assert rows["ses"][3] == "7.36"  # Table 5, SES
    assert rows["ses"][4] == "7.37"  # R 4.2.2, forecast 8.20: 7.370 on the 1045 series
    assert rows[r"ses\_bc"][:2] == ["ses", "yes"]
    assert rows[r"ses\_bc"][3] == "7.25"  # Table 6 (Box-Cox), SES
    html = (result.path / "report.html").read_text(encoding="utf-8")
    assert "board-replay" in html


def test_a_refit_run_says_which_indices_each_row_keeps_and_shows_rs_figure_of_that_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tenth: list[str]
) -> None:
    # R's stored refit keeps the in-sample seasonal indices: only a model that keeps them too
    # (seasonal_indices = "first_fit") is shown beside it
    import shiftbench as sb
    from shiftbench.reports.data import report_data
    from shiftbench.rundir.io import load_run

    _replay_on_the_tenth(monkeypatch, tenth)
    config = _write(tmp_path, refit_every=1, models='"ses", "ses_kept"')
    result = sb.run(config=str(config))
    board = replay.replay_board(report_data(load_run(result.path)), "m3_monthly")
    assert board is not None
    assert board.protocol == "one_step_refit"
    assert "indices" in board.description
    rows = {row.model: row for row in board.rows}
    assert rows["ses"].indices == "each fit"
    assert rows["ses"].smape_paper == 7.36  # Table 5, SES
    assert math.isnan(rows["ses"].smape_r)  # R was not run with the indices re-estimated
    assert math.isnan(rows["ses"].mase_r)
    assert rows["ses_kept"].indices == "in-sample"
    assert rows["ses_kept"].smape_paper == 7.36
    # R 4.2.2, forecast 8.20, the kept-indices refit on the 1045 series: 7.377 (the refs file's
    # lead measured 7.381 with a script not recorded)
    assert rows["ses_kept"].smape_r == pytest.approx(7.377, abs=5e-4)
    assert replay._indices("ets", {}) == ""  # ETS and ARIMA adjust nothing themselves
    md = (result.path / "report.md").read_text(encoding="utf-8")
    assert "| ses\\_kept | ses | no | in-sample |" in md
    assert "| ses | ses | no | each fit |" in md


def test_a_run_on_other_series_is_not_a_replay(tmp_path: Path, tenth: list[str]) -> None:
    import shiftbench as sb

    result = sb.run(config=str(_write(tmp_path)), models=["naive2"])
    md = (result.path / "report.md").read_text(encoding="utf-8")
    assert "Beside the article and R" not in md


def test_a_model_is_matched_to_the_articles_method_by_what_it_is() -> None:
    assert replay._method("ses", {"origin": "built-in"}) == ("ses", False)
    variant = {"origin": "variant of damped", "params": {"boxcox": 0.5}}
    assert replay._method("mine", variant) == ("damped", True)
    assert replay._method("mine", {"origin": "config: my_pkg:Mine"}) is None
    assert replay._method("lstm_raw", {"origin": "built-in"}) is None


def test_the_protocol_is_read_from_the_manifest() -> None:
    entry = {"n_series": 1045, "protocol": {"test_size": 18, "horizon": 1, "refit_every": 0}}
    assert replay._protocol(entry) == "one_step"
    entry["protocol"]["refit_every"] = 1
    assert replay._protocol(entry) == "one_step_refit"
    entry["protocol"] = {"test_size": 18, "horizon": 18, "origins": "last", "refit_every": 0}
    assert replay._protocol(entry) == "multi_step_18"
    entry["protocol"]["test_size"] = 12
    assert replay._protocol(entry) is None


def test_a_hand_edited_manifest_is_not_a_replay_and_raises_nothing() -> None:
    # a run directory is read back from disk: odd types in its manifest must not crash a report
    assert replay._method("ses", {"origin": "variant of ses", "params": [1]}) == ("ses", False)
    assert replay._protocol({"n_series": 1045, "protocol": "18"}) is None


def test_a_model_with_its_own_refit_schedule_is_left_out_of_the_replay_table() -> None:
    from types import SimpleNamespace

    manifest = {
        "config": {"model_params": {"ses_once": {"class": "ses", "refit_every": 0}}},
        "datasets": {"m3_monthly": {"protocol": {"refit_every": 1}}},
    }
    data = SimpleNamespace(manifest=manifest)
    assert replay._own_schedule(data, "ses_once", "m3_monthly")  # type: ignore[arg-type]
    assert not replay._own_schedule(data, "ses", "m3_monthly")  # type: ignore[arg-type]
    manifest["datasets"]["m3_monthly"]["protocol"]["refit_every"] = 0  # type: ignore[index]
    assert not replay._own_schedule(data, "ses_once", "m3_monthly")  # type: ignore[arg-type]
