"""``shiftbench compare``: matching, noise tests, gates and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.cli import main
from shiftbench.errors import InputError
from shiftbench.reports.compare import compare_runs, parse_gates, worsening
from shiftbench.rundir import load_run


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    return sb.run(
        datasets=["sales"],
        models=["naive", "drift", "arima"],
        out=str(out),
        model_params={"arima": {"order": [1, 1, 0]}},
    ).path


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def edit_csv(
    path: Path,
    change: dict[tuple[str, str], float] | None = None,
    verdicts: dict[str, str] | None = None,
) -> None:
    frame = pd.read_csv(path, dtype={"seed": str})
    for (model, metric), factor in (change or {}).items():
        rows = (frame["model"] == model) & (frame["metric"] == metric)
        frame.loc[rows, "value"] = frame.loc[rows, "value"] * factor
    for model, verdict in (verdicts or {}).items():
        frame.loc[frame["model"] == model, "verdict"] = verdict
    frame.to_csv(path, index=False)


def test_gate_rules_parse() -> None:
    gates = parse_gates(" mse:5% , mase:0.02, verdict")
    assert [(g.metric, g.threshold, g.relative) for g in gates] == [
        ("mse", 5.0, True),
        ("mase", 0.02, False),
        (None, 0.0, False),
    ]
    for bad in ("mse", "mse:five", ":3", "mse:-1"):
        with pytest.raises(InputError, match="--fail-on"):
            parse_gates(bad)


def test_worsening_follows_each_metric() -> None:
    assert worsening("mse", 10.0, 12.0) == 2.0
    assert worsening("r2", 0.9, 0.8) == pytest.approx(0.1)
    assert worsening("coverage_95", 0.95, 0.90) == pytest.approx(0.05)
    assert worsening("coverage_95", 0.90, 0.95) == pytest.approx(-0.05)


def test_a_rerun_holds_every_gate(base: Path, tmp_path: Path) -> None:
    again = sb.run(
        datasets=["sales"],
        models=["naive", "drift", "arima"],
        out=str(tmp_path),
        model_params={"arima": {"order": [1, 1, 0]}},
    ).path
    c = compare_runs(load_run(base), load_run(again), fail_on="mse:0%,verdict")
    assert c.exit_code == 0
    assert (c.changes["change"] == 0).all()
    dm = c.noise[c.noise["test"] == "diebold_mariano_hln"]
    assert set(dm["model"]) == {"naive", "drift", "arima"}
    assert not dm["more_than_noise"].any()


def test_a_worse_metric_crosses_its_gate(base: Path, tmp_path: Path) -> None:
    new = copy_run(base, tmp_path / "new")
    edit_csv(new / "metrics.csv", {("arima", "mse"): 1.10, ("drift", "mase"): 1.01})
    c = compare_runs(load_run(base), load_run(new), fail_on="mse:5%,mase:0.02")
    held = {g.gate.text: g.held for g in c.gates}
    assert held == {"mse:5%": False, "mase:0.02": True}  # drift's MASE rose by 0.0017 only
    assert "sales / arima" in c.gates[0].crossings[0]


def test_verdict_turning_to_right_shift_crosses_the_verdict_gate(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = copy_run(base, tmp_path / "new")
    edit_csv(new / "shift.csv", verdicts={"arima": "right_shift"})
    assert main(["compare", str(base), str(new), "--fail-on", "verdict"]) == 1
    out = capsys.readouterr().out
    assert "gate verdict: CROSSED" in out
    report = Path(out.strip().splitlines()[-1])
    assert "crossed" in (report / "compare.md").read_text()
    assert (report / "compare.html").is_file()


def test_cells_in_one_run_only_are_listed(base: Path, tmp_path: Path) -> None:
    fewer = sb.run(datasets=["sales"], models=["naive", "drift"], out=str(tmp_path)).path
    c = compare_runs(load_run(base), load_run(fewer))
    assert c.only_base == ["sales / arima"]
    assert c.only_new == []


def test_changed_data_is_refused_unless_allowed(base: Path, tmp_path: Path) -> None:
    new = copy_run(base, tmp_path / "new")
    manifest = json.loads((new / "manifest.json").read_text())
    manifest["datasets"]["sales"]["sha256"] = "0" * 64
    (new / "manifest.json").write_text(json.dumps(manifest))
    assert main(["compare", str(base), str(new)]) == 2
    assert (
        main(
            ["compare", str(base), str(new), "--allow-data-change", "--out", str(tmp_path / "cmp")]
        )
        == 0
    )
