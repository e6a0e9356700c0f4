"""The command line: listings, runs, exit codes and one-line errors."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shiftbench.cli import ProgressDisplay, main


def test_datasets_lists_every_dataset_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("sales", "sine", "covid_trips", "consumption_intervals", "covid_trips_nyc"):
        assert f"\n{name} " in out
    assert "5001" in out
    assert "day_type (known ahead)" in out
    assert "CDNOW" in out
    sales = next(line for line in out.splitlines() if line.startswith("sales "))
    assert "MS (monthly)" in sales  # the article's months are monthly data, not "integer"
    sine = next(line for line in out.splitlines() if line.startswith("sine "))
    assert "integer time" in sine


def test_models_lists_capabilities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    arima = next(line for line in lines if line.startswith("arima "))
    assert arima.split()[1:3] == ["yes", "yes"]  # covariates, variance


def test_run_prints_the_run_directory_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--datasets", "sales", "--models", "naive,drift", "--out", str(tmp_path)])
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert Path(last).parent == tmp_path
    assert (Path(last) / "forecasts.csv").is_file()


def test_run_on_a_user_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "demand.csv"
    csv.write_text(
        "day,units,promo\n"
        + "".join(f"2024-02-{i + 1:02d},{20 + (i % 7)},{i % 2}\n" for i in range(28))
    )
    code = main(
        [
            "run",
            "--dataset-file",
            str(csv),
            "--target",
            "units",
            "--date",
            "day",
            "--exog",
            "promo",
            "--models",
            "naive,arima",
            "--out",
            str(tmp_path / "runs"),
        ]
    )
    assert code == 0
    run_dir = Path(capsys.readouterr().out.strip().splitlines()[-1])
    text = (run_dir / "forecasts.csv").read_text()
    assert "demand,arima" in text
    assert "2024-02-28" in text


def exit_code(argv: list[str]) -> int:
    """main's return value, or the code argparse exits with."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--models", "nave"], "unknown model 'nave'"),
        (["run", "--datasets", "sails"], "unknown dataset 'sails'"),
        (["run", "--seeds", "x"], "--seeds: expected integers"),
        (["run", "--config", "missing.toml"], r"missing\.toml: no such config file"),
        (["run", "--dataset-file", "nofile.csv", "--target", "y"], r"nofile\.csv: no such file"),
        (["run", "--dataset-file", "x.csv"], "needs --target"),
        (["run", "--jobs", "many"], "invalid int value"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("shiftbench")
    assert re.search(message, err)


def test_module_entry_point_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t,y\n1,2\n2,oops\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "shiftbench",
            "run",
            "--dataset-file",
            str(bad),
            "--target",
            "y",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"shiftbench: error: {bad}: column 'y' line 3: non-numeric value 'oops'"
    )
    assert not list(tmp_path.glob("2*"))  # nothing was run, no empty run directory


def test_failed_cells_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shiftbench.baselines.naive import SeasonalNaive
    from shiftbench.errors import FitError

    def fail(*args: object, **kwargs: object) -> None:
        raise FitError("boom")

    monkeypatch.setattr(SeasonalNaive, "fit", fail)  # a failure no check can foresee
    cfg = tmp_path / "c.toml"
    cfg.write_text('datasets = ["sales"]\nmodels = ["naive", "seasonal_naive"]\n')
    code = main(
        ["run", "--config", str(cfg), "--out", str(tmp_path / "runs"), "--jobs", "1", "--no-cache"]
    )
    assert code == 3
    captured = capsys.readouterr()
    assert "failed: sales / seasonal_naive" in captured.err
    assert Path(captured.out.strip().splitlines()[-1]).is_dir()


def _cell(model: str, ok: bool = True, cached: bool = False, seconds: float = 0.0) -> object:
    from shiftbench.benchmarks.backtest import CellResult

    return CellResult(
        dataset="sales",
        model=model,
        seed=None,
        status="ok" if ok else "failed",
        error=None if ok else "FitError: boom",
        cached=cached,
        wall_time_s=seconds,
    )


def test_progress_is_plain_lines_when_not_a_terminal() -> None:
    import io

    from shiftbench.cli import ProgressDisplay

    stream = io.StringIO()
    display = ProgressDisplay(stream, tty=False)
    display.starting(0, 3, "sales / naive")
    display.finished(1, 3, _cell("naive", seconds=1.25))
    display.finished(2, 3, _cell("drift", cached=True, seconds=9.0))
    display.finished(3, 3, _cell("arima", ok=False))
    display.close()
    assert stream.getvalue().splitlines() == [
        "[1/3] sales / naive: ok (1.2 s)",
        "[2/3] sales / drift: cached",  # no stale compute time for a cached cell
        "[3/3] sales / arima: FAILED: FitError: boom",
    ]


#: The terminal's control sequences (colours, cursor moves, line erasing).
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _tty_display(tick_s: float = 0.05) -> tuple[ProgressDisplay, io.StringIO]:
    """A display that takes a string buffer for a terminal, redrawn every ``tick_s`` seconds."""
    stream = io.StringIO()
    display = ProgressDisplay(stream, tty=True)
    display.TICK_S = tick_s
    return display, stream


def test_progress_bar_ticks_with_the_running_cells_elapsed_time() -> None:
    display, stream = _tty_display()
    display.starting(0, 8, "sales / naive")
    display.finished(1, 8, _cell("naive", seconds=2.0))
    display.starting(1, 8, "sales / arima")
    time.sleep(0.8)  # the bar is redrawn while the cell runs, its time counting up
    text = ANSI.sub("", stream.getvalue())
    display.close()
    assert text.count("sales / arima (0s)") >= 3  # redrawn several times, not frozen
    assert "1/8 elapsed 0s  sales / arima (0s)" in text
    assert "sales / arima (1s)" in text  # 0.8 s rounds to 1 s
    assert "time left" not in text  # one computed cell: no estimate yet
    assert "\n" not in text  # redrawn in place; a finished ok cell prints no line


def test_progress_bar_prints_a_failed_cell_above_it_and_goes_away() -> None:
    display, stream = _tty_display()
    display.starting(0, 3, "sales / arima")
    failed = _cell("arima", ok=False)
    object.__setattr__(failed, "error", "FitError: [red]not markup[/red]")
    display.finished(1, 3, failed)
    display.finished(2, 3, _cell("naive", seconds=1.0))
    display.close()
    text = ANSI.sub("", stream.getvalue())
    lines = [line.split("\r")[-1] for line in text.split("\n")]
    assert "[1/3] sales / arima: FAILED: FitError: [red]not markup[/red]" in lines
    assert not any("sales / naive: ok" in line for line in lines)  # the bar shows it
    assert stream.getvalue().endswith("\x1b[2K")  # the bar's line erased


def test_the_bar_shows_the_time_left_after_three_computed_cells() -> None:
    display, stream = _tty_display()
    for done in range(1, 4):  # three computed cells of 20 s each, seven cells left
        display.finished(done, 10, _cell("arima", seconds=20.0))
    time.sleep(0.2)
    display.close()
    text = ANSI.sub("", stream.getvalue())
    assert "3/10 elapsed 0s  time left ~2m20s" in text


def test_time_left_is_estimated_from_computed_cells_only() -> None:
    import io

    from shiftbench.cli import ProgressDisplay

    display = ProgressDisplay(io.StringIO(), tty=True)
    for done in range(1, 6):  # five cached cells: free, and no basis for an estimate
        display.finished(done, 10, _cell("naive", cached=True, seconds=100.0))
    assert display.estimate() == ""
    for done in range(6, 9):  # three computed cells of 20 s each, two cells left
        display.finished(done, 10, _cell("arima", seconds=20.0))
    assert display.estimate() == "time left ~40s"
    display.close()


def test_an_internal_error_exits_4_never_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 means only "a compare gate was crossed"."""
    from shiftbench import cli

    def broken() -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "cmd_datasets", broken)
    assert cli.main(["datasets"]) == 4
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err
    assert err.rstrip().endswith(
        "shiftbench: internal error (please report it with the lines above)"
    )


def test_a_folder_that_cannot_be_read_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "d.csv"
    folder.mkdir()
    assert main(["shift", str(folder)]) == 2
    assert capsys.readouterr().err.startswith("shiftbench: error: ")
