"""Collections of series: user long files, M3, per-series and aggregate files, chunks, reports."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.benchmarks.runner import resolve_datasets, run_config
from shiftbench.cli import main
from shiftbench.config import CsvDataset, RunConfig
from shiftbench.datasets import load_csv, load_dataset
from shiftbench.errors import DataError
from shiftbench.reports.render import render_reports
from shiftbench.types import Collection


def _panel(path: Path, lengths: dict[str, int], seed: int = 0) -> Path:
    """A long file: one trending, seasonal, positive series per id (rows interleaved)."""
    rng = np.random.default_rng(seed)
    rows = []
    for sid, n in lengths.items():
        t = np.arange(n)
        y = 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(size=n)
        rows += [(sid, f"2000-{1 + i // 28:02d}-{1 + i % 28:02d}", i, v) for i, v in enumerate(y)]
    frame = pd.DataFrame(rows, columns=["shop", "day", "t", "sales"]).sample(frac=1, random_state=1)
    frame.sort_values(["t", "shop"]).to_csv(path, index=False)
    return path


def _config(tmp_path: Path, csv: CsvDataset, **kw: object) -> RunConfig:
    base: dict[str, object] = {
        "datasets": (),
        "csv": (csv,),
        "models": ("naive", "naive2", "theta"),
        "out": str(tmp_path / "runs"),
        "use_cache": False,
    }
    return RunConfig(**{**base, **kw})  # type: ignore[arg-type]


def test_a_long_file_is_a_collection_and_a_short_series_is_named(tmp_path: Path) -> None:
    path = _panel(tmp_path / "shops.csv", {"north": 60, "south": 60, "tiny": 15})
    spec = CsvDataset(str(path), "sales", id="shop", test_size=18, season_length=12)
    with pytest.raises(DataError, match=r"shops\.csv: .*series tiny.* 15 points"):
        resolve_datasets(_config(tmp_path, spec))
    kept = resolve_datasets(_config(tmp_path, replace(spec, min_length=30)))[0]
    assert isinstance(kept, Collection)
    assert [m.series for m in kept.members] == ["north", "south"]
    assert kept.dropped == ("tiny",)


def test_a_collection_run_writes_series_rows_means_owa_and_shares(tmp_path: Path) -> None:
    path = _panel(tmp_path / "shops.csv", {"north": 60, "south": 72, "west": 66})
    spec = CsvDataset(str(path), "sales", id="shop", test_size=18, season_length=12)
    run = run_config(_config(tmp_path, spec))
    assert run.exit_code == 0
    m = run.metrics
    smape = m[(m.model == "theta") & (m.metric == "smape")].set_index("series")["value"]
    assert set(smape.index) == {"north", "south", "west", ""}  # "": the mean over the series
    assert smape[""] == pytest.approx(smape[["north", "south", "west"]].mean())
    owa = m[(m.metric == "owa")].set_index("model")["value"]
    assert owa["naive2"] == pytest.approx(1.0)
    naive2 = m[(m.model == "naive2") & (m.series == "")].set_index("metric")["value"]
    theta = m[(m.model == "theta") & (m.series == "")].set_index("metric")["value"]
    expected = 0.5 * (
        theta["smape"] / naive2["smape"] + theta["mase_seasonal"] / naive2["mase_seasonal"]
    )
    assert owa["theta"] == pytest.approx(expected)
    summary = pd.read_csv(run.path / "shift_summary.csv", dtype={"seed": str})
    naive = summary[summary.model == "naive"].iloc[0]
    assert (naive["n"], naive["right_shift"]) == (3, 3)  # persistence is the artifact
    manifest = json.loads((run.path / "manifest.json").read_text())
    assert manifest["datasets"]["shops"]["n_series"] == 3
    render_reports(run.run)
    html = (run.path / "report.html").read_text()
    assert "Right shift across the collection" in html
    assert "Ranks over the series" in html
    assert (run.path / "figures" / "d1_cd.svg").is_file()
    assert (run.path / "figures" / "d1_smape_boxplot.svg").is_file()


def test_chunks_in_parallel_give_the_files_of_one_serial_cell(tmp_path: Path) -> None:
    path = _panel(tmp_path / "shops.csv", {f"s{i}": 48 + i for i in range(5)})
    spec = CsvDataset(str(path), "sales", id="shop", test_size=12, season_length=12)
    serial = run_config(_config(tmp_path, spec, chunk_size=100))
    chunked = run_config(_config(tmp_path, spec, chunk_size=2, jobs=2))
    assert len(chunked.cells) == 3 * 3  # three models, three chunks each
    for file in ("forecasts.csv", "metrics.csv", "shift.csv", "comparisons.csv"):
        assert (serial.path / file).read_bytes() == (chunked.path / file).read_bytes()


def test_a_failing_series_is_recorded_and_the_others_go_on() -> None:
    sales = load_dataset("sales")
    assert not isinstance(sales, Collection)
    good = replace(sales, series="good")
    y = sales.y.copy()
    y.iloc[3] = np.nan
    bad = replace(sales, y=y, series="bad")
    result = run_cell((good, bad), "arima", {"order": [1, 1, 0]}, None)
    assert result.ok
    assert set(result.series_failed) == {"bad"}
    assert "NaN" in result.series_failed["bad"]
    assert result.forecasts is not None
    assert set(result.forecasts["series"]) == {"good"}


def test_m3_monthly_and_the_papers_subset() -> None:
    m3 = load_dataset("m3_monthly")
    assert isinstance(m3, Collection)
    assert len(m3.members) == 1428
    first = m3.members[0]
    assert (first.series, len(first), float(first.y.iloc[0])) == ("N1402", 68, 2640.0)
    config = RunConfig(
        datasets=("m3_monthly",),
        models=("naive2",),
        dataset_options={"m3_monthly": {"subset": "makridakis2018"}},
    )
    subset = resolve_datasets(config)[0]
    assert isinstance(subset, Collection)
    assert len(subset.members) == 1045
    assert all(81 <= len(m) - 18 <= 126 for m in subset.members)


def test_a_long_file_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _panel(tmp_path / "shops.csv", {"north": 50, "south": 50})
    code = main(
        ["run", "--dataset-file", str(path), "--id", "shop", "--target", "sales", "--date", "day",
         "--test-size", "12", "--season-length", "12", "--models", "naive,ses", "--no-cache",
         "--out", str(tmp_path / "runs")]
    )  # fmt: skip
    assert code == 0
    run_dir = Path(capsys.readouterr().out.strip().splitlines()[-1])
    forecasts = pd.read_csv(run_dir / "forecasts.csv")
    assert set(forecasts["series"]) == {"north", "south"}
    assert forecasts["ds"].iloc[0].startswith("2000-")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("shop,t,sales\na,0,1\n", r"no id column 'store'"),
        ("store,t,sales\na,0,1\n,1,2\n", r"column 'store' line 3: empty series id"),
        (
            "store,day,sales\n" + "".join(f"a,2000-01-{d:02d},{d}\n" for d in (1, 2, 2, 3)),
            r"column 'day' line 4: duplicate date 2000-01-02 \(series 'a'\)",
        ),
        ("store,t,sales\na,0,1\nb,0,x\na,1,2\n", r"column 'sales' line 3: non-numeric value 'x'"),
    ],
    ids=["no-id-column", "empty-id", "duplicate-date-in-a-series", "bad-number"],
)
def test_bad_long_files_are_one_line_errors_naming_file_line_and_series(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(content)
    date = "day" if "day" in content.splitlines()[0] else None
    with pytest.raises(DataError, match=message):
        load_csv(path, "sales", id_column="store", date=date, test_size=1)


def test_a_long_parquet_file_reads_like_the_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    csv = _panel(tmp_path / "shops.csv", {"north": 50, "south": 54})
    parquet = tmp_path / "shops.parquet"
    pd.read_csv(csv).to_parquet(parquet, index=False)
    a = load_csv(csv, "sales", id_column="shop", date="day", test_size=12)
    b = load_csv(parquet, "sales", id_column="shop", date="day", test_size=12)
    assert isinstance(a, Collection)
    assert isinstance(b, Collection)
    assert [m.sha256 for m in a.members] == [m.sha256 for m in b.members]
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(DataError, match=r"broken\.parquet: not a readable Parquet file"):
        load_csv(broken, "sales", id_column="shop")


def test_a_series_named_all_keeps_its_rows_apart_from_the_aggregate_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _panel(tmp_path / "shops.csv", {"all": 40, "south": 40})
    argv = [
        "run",
        "--dataset-file",
        str(path),
        "--target",
        "sales",
        "--id",
        "shop",
        "--test-size",
        "12",
        "--models",
        "naive,drift",
        "--no-cache",
        "--jobs",
        "1",
    ]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    base = Path(capsys.readouterr().out.strip().splitlines()[-1])
    m = pd.read_csv(base / "metrics.csv", dtype=str, keep_default_na=False)
    mse = m[(m.model == "naive") & (m.metric == "mse")].set_index("series")["value"].astype(float)
    assert sorted(mse.index) == ["", "all", "south"]  # the series "all", and the mean ("")
    assert mse[""] == pytest.approx((mse["all"] + mse["south"]) / 2)
    assert not m.duplicated(["dataset", "series", "model", "seed", "metric"]).any()
    assert main(["report", str(base)]) == 0
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    new = Path(capsys.readouterr().out.strip().splitlines()[-1])
    code = main(
        [
            "compare",
            str(base),
            str(new),
            "--fail-on",
            "mse:1%,verdict",
            "--out",
            str(tmp_path / "cmp"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "0 cell(s) only in base, 0 only in new" in out  # the series "all" is a cell
    assert "mean over series" in (tmp_path / "cmp" / "compare.md").read_text()
