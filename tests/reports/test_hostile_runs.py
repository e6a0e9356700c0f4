"""Run directories edited by a hostile hand: compare fails closed, malformed files are exit-2
errors naming the file, paths come only from the tool, and every output format escapes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.cli import main
from shiftbench.reports.escape import md_code, md_escape, slug, tex_escape


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    run = sb.run(datasets=["sales"], models=["naive", "drift"], out=str(out), use_cache=False)
    return run.path


def _copy(run: Path, tmp_path: Path, name: str = "new") -> Path:
    target = tmp_path / name
    shutil.copytree(run, target)
    return target


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("shiftbench: error: ")
    return err


# -- compare fails closed ---------------------------------------------------------------------


def test_a_new_run_missing_a_cell_crosses_the_gates(
    base_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _copy(base_run, tmp_path)
    metrics = pd.read_csv(new / "metrics.csv", dtype={"seed": str})
    metrics[metrics.model != "drift"].to_csv(new / "metrics.csv", index=False)
    code = main(["compare", str(base_run), str(new), "--fail-on", "mse:5%", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "sales / drift: missing in the new run" in out
    allowed = main(
        ["compare", str(base_run), str(new), "--fail-on", "mse:5%", "--allow-missing",
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert allowed == 0


def test_a_new_run_missing_a_gated_metric_crosses_the_gate(
    base_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _copy(base_run, tmp_path)
    metrics = pd.read_csv(new / "metrics.csv", dtype={"seed": str})
    metrics[~((metrics.model == "naive") & (metrics.metric == "mase"))].to_csv(
        new / "metrics.csv", index=False
    )
    code = main(
        ["compare", str(base_run), str(new), "--fail-on", "mase:0.1", "--out", str(tmp_path)]
    )
    assert code == 1
    assert "mase missing in the new run" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["compare", "report"])
@pytest.mark.parametrize(
    ("file", "damage", "expected"),
    [
        ("metrics.csv", lambda f: f.drop(columns=["value"]), "missing column 'value'"),
        ("forecasts.csv", lambda f: f.assign(y_hat="oops"), "column 'y_hat' line 2: not a number"),
        ("shift.csv", lambda f: f.drop(columns=["verdict"]), "missing column 'verdict'"),
    ],
    ids=["dropped-column", "non-numeric", "no-verdict"],
)
def test_a_malformed_file_is_exit_2_naming_it(
    base_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    file: str,
    damage: object,
    expected: str,
) -> None:
    new = _copy(base_run, tmp_path)
    frame = pd.read_csv(new / file, dtype=str, keep_default_na=False)
    damage(frame).to_csv(new / file, index=False)  # type: ignore[operator]
    args = ["compare", str(base_run), str(new)] if command == "compare" else ["report", str(new)]
    assert main(args) == 2
    err = _one_error_line(capsys)
    assert str(new / file) in err
    assert expected in err


@pytest.mark.parametrize(
    "manifest", ["[1, 2, 3]", '{"datasets": [1]}', '{"cells": {}}', '{"datasets": {"x": 1}}']
)
@pytest.mark.parametrize("command", ["compare", "report"])
def test_a_manifest_that_is_not_the_expected_object_is_exit_2(
    base_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    manifest: str,
) -> None:
    new = _copy(base_run, tmp_path)
    (new / "manifest.json").write_text(manifest)
    args = ["compare", str(base_run), str(new)] if command == "compare" else ["report", str(new)]
    assert main(args) == 2
    assert str(new / "manifest.json") in _one_error_line(capsys)


# -- paths come from the tool only ------------------------------------------------------------


def test_a_run_id_with_dot_dots_cannot_move_the_comparison(base_run: Path, tmp_path: Path) -> None:
    base = _copy(base_run, tmp_path, "base")
    new = _copy(base_run, tmp_path, "new")
    manifest = json.loads((base / "manifest.json").read_text())
    manifest["run_id"] = "../../escaped"
    (base / "manifest.json").write_text(json.dumps(manifest))
    assert main(["compare", str(base), str(new)]) == 0
    assert not (tmp_path / "escaped").exists()
    assert [p.name for p in new.iterdir() if p.name.startswith("compare-")] == ["compare-escaped"]


def test_model_names_never_become_file_names(base_run: Path, tmp_path: Path) -> None:
    new = _copy(base_run, tmp_path)
    for file in ("forecasts.csv", "metrics.csv", "shift.csv"):
        frame = pd.read_csv(new / file, dtype=str, keep_default_na=False)
        frame["model"] = frame["model"].replace({"drift": "../../../outside"})
        frame.to_csv(new / file, index=False)
    shutil.rmtree(new / "figures")
    assert main(["report", str(new)]) == 0
    assert not (tmp_path.parent / "outside_overlay.svg").exists()
    names = sorted(p.name for p in (new / "figures").iterdir())
    assert names == [
        "d1_calibration.svg",
        "d1_m1_intervals.svg",
        "d1_m1_overlay.svg",
        "d1_m2_intervals.svg",
        "d1_m2_overlay.svg",
    ]


# -- every format escapes ---------------------------------------------------------------------


def _outside_code_spans(markdown: str) -> str:
    return re.sub(r"(`+)(.+?)\1", "", markdown)


HOSTILE = "<img src=x onerror=alert(1)>`x`|y\nz https://evil.test"


def test_hostile_names_are_inert_in_markdown_html_and_latex(base_run: Path, tmp_path: Path) -> None:
    new = _copy(base_run, tmp_path)
    for file in ("forecasts.csv", "metrics.csv", "shift.csv", "comparisons.csv"):
        frame = pd.read_csv(new / file, dtype=str, keep_default_na=False)
        frame["model"] = frame["model"].replace({"drift": HOSTILE})
        if "verdict" in frame.columns:
            frame["verdict"] = frame["verdict"].replace({"clean": "<b>clean</b>"})
        frame.to_csv(new / file, index=False)
    manifest = json.loads((new / "manifest.json").read_text())
    manifest["run_id"] = "<script>alert(2)</script>"
    manifest["command"] = ["shiftbench", "run", "--exog", "d; touch x #", "`whoami`"]
    (new / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(new)]) == 0
    md = (new / "report.md").read_text()
    html = (new / "report.html").read_text()
    assert "- reproduce: ``shiftbench run --exog 'd; touch x #' '`whoami`'``" in md
    md = _outside_code_spans(md)  # inside a code span, markup is shown, never interpreted
    tex = (new / "tables.tex").read_text()
    for text in (md, html):
        assert "<img" not in text
        assert "<script" not in text
        assert "<b>clean" not in text
    assert "https://evil" not in md
    assert all(line.count("|") >= 2 for line in md.splitlines() if line.startswith("| "))
    assert "\\textless{}img" in tex
    assert not any(line.strip() == "z https://evil.test" for line in tex.splitlines())
    report = main(["compare", str(base_run), str(new), "--out", str(tmp_path / "cmp")])
    assert report == 0
    compare_md = _outside_code_spans((tmp_path / "cmp" / "compare.md").read_text())
    assert "<script" not in compare_md
    assert "<img" not in compare_md


def test_escapers_by_hand() -> None:
    assert md_escape("a\nb") == "a b"
    assert md_escape("x@y.test") == "x\\@y.test"
    assert md_code("``") == "``` `` ```"
    assert md_code("a|b", in_table=True) == "`a\\|b`"
    assert tex_escape("a\nb_c") == "a b\\_c"
    assert slug("../x/../y") == "x_._y"  # no separator, no "..", not hidden


# -- files that hold only a header, wrong columns or wrong types ------------------------------


def _header_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[:0]


@pytest.mark.parametrize("command", ["compare", "compare-gated", "report"])
@pytest.mark.parametrize(
    ("file", "damage", "expected"),
    [
        ("metrics.csv", _header_only, "no rows, but the manifest lists 2 finished cell(s)"),
        ("forecasts.csv", _header_only, "no rows, but the manifest lists 2 finished cell(s)"),
        ("shift.csv", _header_only, "no rows, but the manifest lists 2 finished cell(s)"),
        (
            "metrics.csv",
            lambda f: f.rename(columns={"metric": "measure"}),
            "missing column 'metric'",
        ),
        ("metrics.csv", lambda f: f.assign(seed="abc"), "column 'seed' line 2: not a seed: 'abc'"),
        ("metrics.csv", lambda f: pd.concat([f, f.iloc[:1]]), "a second row for the same"),
        (
            "forecasts.csv",
            lambda f: f.assign(h="1.5"),
            "column 'h' line 2: not a whole number >= 1",
        ),
        ("shift.csv", lambda f: f.assign(best_lag="-2"), "column 'best_lag' line 2: not a whole"),
        ("shift.csv", lambda f: f.rename(columns={"loss_lag1": "loss_lagX"}), "is not loss_lagK"),
        ("comparisons.csv", lambda f: f.assign(n="many"), "column 'n' line 2: not a number"),
    ],
    ids=[
        "metrics-header",
        "forecasts-header",
        "shift-header",
        "renamed",
        "seed",
        "twice",
        "h",
        "lag",
        "lag-column",
        "n",
    ],
)
def test_a_file_emptied_renamed_or_mistyped_is_exit_2_naming_it(
    base_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    file: str,
    damage: object,
    expected: str,
) -> None:
    new = _copy(base_run, tmp_path)
    frame = pd.read_csv(new / file, dtype=str, keep_default_na=False)
    damage(frame).to_csv(new / file, index=False)  # type: ignore[operator]
    args = {
        "compare": ["compare", str(base_run), str(new), "--out", str(tmp_path / "c")],
        "compare-gated": [
            "compare",
            str(base_run),
            str(new),
            "--fail-on",
            "mse:5%,verdict",
            "--out",
            str(tmp_path / "c"),
        ],
        "report": ["report", str(new)],
    }[command]
    assert main(args) == 2
    err = _one_error_line(capsys)
    assert str(new / file) in err
    assert expected in err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.pop("status"), "manifest.status: missing"),
        (lambda m: m.update(platform=[]), "manifest.platform: expected object, got list"),
        (lambda m: m["datasets"]["sales"].update(length="36"), "datasets.sales.length: expected"),
        (lambda m: m["datasets"]["sales"]["protocol"].pop("n_test"), "protocol.n_test: missing"),
        (lambda m: m["cells"][0].update(seed="zero"), "manifest.cells[0].seed: expected"),
        (lambda m: m["config"].update(seeds=["a"]), "manifest.config.seeds[0]: expected integer"),
    ],
    ids=["status", "platform", "length", "n_test", "cell-seed", "seeds"],
)
@pytest.mark.parametrize("command", ["compare", "report"])
def test_a_manifest_field_readers_rely_on_is_checked(
    base_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    change: object,
    expected: str,
) -> None:
    new = _copy(base_run, tmp_path)
    manifest = json.loads((new / "manifest.json").read_text())
    change(manifest)  # type: ignore[operator]
    (new / "manifest.json").write_text(json.dumps(manifest))
    args = ["compare", str(base_run), str(new)] if command == "compare" else ["report", str(new)]
    assert main(args) == 2
    err = _one_error_line(capsys)
    assert str(new / "manifest.json") in err
    assert expected in err
