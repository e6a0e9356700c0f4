"""Reports: written by every run, rebuilt from the files alone, self-contained, escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.cli import main
from shiftbench.config import CsvDataset
from shiftbench.reports.escape import md_escape, tex_escape

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    result = sb.run(
        datasets=["sales"],
        models=["naive", "drift", "arima", "arima_garch"],
        out=str(out),
        model_params={"arima": {"order": [1, 1, 0]}, "arima_garch": {"order": [1, 1, 0]}},
    )
    return result.path


def test_every_run_writes_the_three_reports(run_dir: Path) -> None:
    for name in ("report.html", "report.md", "tables.tex"):
        assert (run_dir / name).stat().st_size > 500
    assert list((run_dir / "figures").glob("*.svg"))


def test_html_is_self_contained(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html
    assert "<link" not in html
    assert html.count("<svg") >= 4 + 2  # overlays for 4 models, intervals for 2


def test_html_has_every_section(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    for heading in ("What was run", "Leaderboard", "Right shift", "Forecast intervals"):
        assert heading in html
    assert "right_shift" in html  # naive on sales is the artifact by definition
    assert "shiftbench run" in html  # the command that reproduces the run


def test_markdown_carries_the_tables_and_links_its_figures(run_dir: Path) -> None:
    md = (run_dir / "report.md").read_text()
    assert "| model |" in md
    assert "**right\\_shift**" in md  # escaped: the verdict is read from a file
    for link in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (run_dir / link).is_file()


def test_best_value_is_marked(run_dir: Path) -> None:
    md = (run_dir / "report.md").read_text()
    errors = md[md.index("Errors in the data's units") :]
    drift_row = next(line for line in errors.splitlines() if line.startswith("| drift |"))
    # drift has the lowest MSE on sales (136.57); the column's largest value (seasonal naive's,
    # if run, else naive's 1125) sets whole numbers for every row of the column
    assert "**137**" in drift_row


def test_report_command_rebuilds_from_files_alone_without_tensorflow(
    run_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "moved"
    shutil.copytree(run_dir, copy)
    for name in ("report.html", "report.md", "tables.tex"):
        (copy / name).unlink()
    code = (
        "import sys\nfrom shiftbench.cli import main\n"
        f"assert main(['report', {str(copy)!r}]) == 0\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert (copy / "report.html").read_text() == (run_dir / "report.html").read_text()


def test_report_of_a_missing_directory_is_exit_2(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 2


def test_names_from_data_files_are_escaped(tmp_path: Path) -> None:
    csv = tmp_path / "evil.csv"
    csv.write_text("t,y\n" + "".join(f"{i},{(i * 7) % 11 + i}\n" for i in range(40)))
    result = sb.run(
        datasets=[],
        models=["naive", "drift"],
        out=str(tmp_path / "runs"),
        csv=(CsvDataset(path=str(csv), target="y", name=EVIL, test_size=12),),
    )
    html = (result.path / "report.html").read_text()
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (result.path / "report.md").read_text()
    assert EVIL not in md
    tex = (result.path / "tables.tex").read_text()
    assert EVIL not in tex
    assert r"\textless{}script\textgreater{}" in tex


def test_escapers() -> None:
    assert md_escape("a|b_c <i>") == r"a\|b\_c &lt;i&gt;"
    assert tex_escape("100% & $x_1$ #2") == r"100\% \& \$x\_1\$ \#2"


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every column the LaTeX tables can have: intervals, CRPS, a seeded model's sds and the
    longest verdict names."""
    result = sb.run(
        datasets=["sales", "consumption_intervals"],
        models=["naive", "seasonal_naive", "drift", "arima", "arima_garch", "lstm_diff"],
        seeds=[0, 1],
        out=str(tmp_path_factory.mktemp("wide")),
        model_params={
            "arima": {"order": [1, 1, 0]},
            "arima_garch": {"order": [1, 1, 0]},
            "lstm_diff": {"epochs": 2, "units": [4]},
        },
    )
    return result.path


def test_tex_has_a_captioned_labelled_table_per_dataset_with_mse_and_verdict(
    wide_run: Path,
) -> None:
    tex = (wide_run / "tables.tex").read_text()
    for name in ("sales", "consumption\\_intervals"):
        assert f"\\caption{{Accuracy on {name} (" in tex
    assert "\\label{tab:sales-accuracy}" in tex
    assert "\\label{tab:sales-tests}" in tex
    assert "Model & MSE &" in tex
    assert "& Verdict \\\\" in tex
    assert "worse\\_than\\_naive" in tex  # seasonal naive of a monthly series on sales
    assert "{\\footnotesize (" in tex  # the seeded model's sd line


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no LaTeX engine installed")
def test_tables_compile_and_fit_the_text_width_of_an_article(
    wide_run: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{booktabs}\n"
        f"\\begin{{document}}\n\\input{{{wide_run / 'tables.tex'}}}\n\\end{{document}}\n"
    )
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log, log[log.find("Overfull") :][:400]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_figures_label_every_axis_and_put_dates_on_dated_data() -> None:
    import pandas as pd

    from shiftbench.reports import plots

    days = pd.date_range("2020-06-01", periods=40, freq="D").strftime("%Y-%m-%d")
    y = [float(i % 7) for i in range(40)]
    cell = pd.DataFrame({"ds": days, "h": 1, "y": y, "y_hat": [0.0, *y[:-1]]})
    svg = plots.overlay_svg(cell, 1)
    assert "date (target of the one-step forecast)" in svg
    assert ">Jul</text>" in svg  # month names of matplotlib's concise date labels
    assert ">2020-Jul</text>" in svg
    assert "value" in svg
    numbered = plots.overlay_svg(cell.assign(ds=range(40)), None)
    assert "time index" in numbered
    history = pd.DataFrame(
        {"seed": 0, "epoch": [1, 2, 3], "loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.6, 0.3]}
    )
    training = plots.training_svg(history)
    assert "epoch" in training
    assert "loss on scaled data (log)" in training


def test_the_report_renders_from_the_run_in_memory_exactly_as_from_its_files(
    tmp_path: Path,
) -> None:
    """The engine hands the reports the run as it is in memory (no write-then-reload); a
    report rendered later from the files alone (``shiftbench report``) is the same, byte for
    byte."""
    from shiftbench.benchmarks.runner import run_config
    from shiftbench.config import RunConfig
    from shiftbench.reports.render import render_reports
    from shiftbench.rundir import load_run

    panel = tmp_path / "panel.csv"  # a collection: its aggregate rows have an empty series
    panel.write_text(
        "id,y\n" + "".join(f"{s},{(i * 7 + k) % 11 + i}\n" for k, s in enumerate("abc")
                            for i in range(30))
    )  # fmt: skip
    config = RunConfig(
        datasets=("sales",),
        csv=(CsvDataset(path=str(panel), target="y", id="id", test_size=5, name="panel"),),
        models=("naive", "drift", "arima", "lstm_raw"),
        seeds=(0, 1),
        out=str(tmp_path / "runs"),
        use_cache=False,
        jobs=1,
        model_params={
            "arima": {"order": [1, 1, 0]},
            "lstm_raw": {"units": [4], "epochs": 2, "window": 3},
        },
    )
    result = run_config(config)
    copy = tmp_path / "copy" / result.path.name
    shutil.copytree(result.path, copy)
    read = load_run(copy)
    assert read.manifest == result.run.manifest
    for name in ("forecasts", "metrics", "shift", "comparisons", "shift_summary", "history"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(result.run, name))
    render_reports(result.run)
    render_reports(read)
    for name in ("report.html", "report.md", "tables.tex"):
        assert (copy / name).read_bytes() == (result.path / name).read_bytes(), name
