"""examples/your_model/, as docs/your-model.md walks through it: the conformance test passes in
three lines, and the config runs the model beside the baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "your_model"


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(EXAMPLE), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def test_the_examples_conformance_test_runs_every_check_on_both_settings(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(EXAMPLE / "test_my_forecaster.py")],
        env=_env(), cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "18 passed" in done.stdout  # 2 settings x 9 checks (shiftbench.testing.CHECKS)


@pytest.mark.slow
def test_the_examples_config_runs_the_model_beside_the_baselines(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shiftbench", "run", "--config", str(EXAMPLE / "config.toml"),
         "--datasets", "sales", "--out", str(tmp_path / "runs"), "--no-cache", "--jobs", "1"],
        env=_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_dir = Path(done.stdout.strip().splitlines()[-1])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert [c["model"] for c in manifest["cells"]] == [
        "naive", "drift", "arima", "smoothing", "smoothing_fast", "ridge",
    ]  # fmt: skip
    assert all(c["status"] == "ok" for c in manifest["cells"])
    assert manifest["models"]["ridge"]["class"] == "shiftbench.adapters:Reduction"
    assert "config: my\\_forecaster:Smoothing" in (run_dir / "report.md").read_text()
