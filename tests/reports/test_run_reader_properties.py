"""Property tests of every run-directory reader that ``report`` and ``compare`` use: whatever
bytes stand in one file of an otherwise valid run directory, the command exits 0, 1 or 2, never
4 (an internal error), and never prints a traceback; an exit-2 error is one line naming the
file."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiftbench.cli import main

#: Examples per property (SHIFTBENCH_PROPERTY_EXAMPLES raises it for a longer hunt).
EXAMPLES = int(os.environ.get("SHIFTBENCH_PROPERTY_EXAMPLES", "40"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Every file a reader of a run directory opens (the optional ones too: a damaged optional file
#: is read like the others).
FILES = (
    "manifest.json",
    "forecasts.csv",
    "metrics.csv",
    "shift.csv",
    "comparisons.csv",
    "shift_summary.csv",
    "training_history.csv",
    "events.csv",
    "confusion.csv",
    "event_shift.csv",
)
#: Values a hostile hand writes into a field.
TOKENS = (
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-1e999",
    "1e308",
    "0",
    "-1",
    "1.5",
    "-0.0",
    "99999999999999999999",
    "all",
    "mean",
    "abc",
    "naive",
    "sales",
    "clean",
    "right_shift",
    "2020-01-01",
    "x,y",
    '"',
    "\n",
    "\x00",
    "é",
    "True",
    "[]",
    "{}",
    "null",
)


def _run(out: Path, *args: str) -> Path:
    code = main(["run", *args, "--no-cache", "--jobs", "1", "--out", str(out)])
    assert code == 0
    return next(p for p in out.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three small, valid runs: a single series (sales), a dataset with an event question
    (ehi: events.csv, confusion.csv, event_shift.csv) and a collection (aggregate rows,
    shift_summary.csv)."""
    root = tmp_path_factory.mktemp("valid-runs")
    panel = root / "panel.csv"
    lines = ["shop,y"] + [
        f"{s},{10 + (i * 7 + k) % 5}" for k, s in enumerate("ab") for i in range(30)
    ]
    panel.write_text("\n".join(lines) + "\n")
    return {
        "sales": _run(root / "sales", "--datasets", "sales", "--models", "naive,drift"),
        "ehi": _run(root / "ehi", "--datasets", "ehi", "--models", "naive,event_persistence"),
        "panel": _run(
            root / "panel",
            "--dataset-file",
            str(panel),
            "--target",
            "y",
            "--id",
            "shop",
            "--test-size",
            "10",
            "--models",
            "naive,drift",
        ),
    }


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def damaged_csv(draw: st.DrawFn, original: str) -> bytes:
    """A CSV file of the run damaged by hand: fields replaced, rows dropped or repeated, the
    header cut down to itself, a column dropped or renamed, or bytes of any kind."""
    rows = _rows(original) or [["x"]]
    kind = draw(st.sampled_from(["fields", "rows", "header", "columns", "bytes", "text"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "text":
        return draw(st.text(max_size=400)).encode("utf-8", "surrogatepass")
    if kind == "header":
        return _csv_text(rows[:1]).encode()
    if kind == "columns":
        column = draw(st.integers(0, len(rows[0]) - 1))
        if draw(st.booleans()):
            rows = [r[:column] + r[column + 1 :] for r in rows]
        else:
            rows[0][column] = draw(st.sampled_from((*TOKENS, rows[0][0])))
        return _csv_text(rows).encode()
    if kind == "rows" and len(rows) > 1:
        body = rows[1:]
        picks = draw(st.lists(st.integers(0, len(body) - 1), max_size=len(body) + 3))
        return _csv_text([rows[0], *(body[i] for i in picks)]).encode()
    for _ in range(draw(st.integers(1, 6))):
        if len(rows) < 2:
            break
        r = draw(st.integers(1, len(rows) - 1))
        if not rows[r]:
            continue
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)))
    return _csv_text(rows).encode("utf-8", "surrogatepass")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def damaged_manifest(draw: st.DrawFn, original: str) -> bytes:
    """The manifest with one value (at any depth) replaced or removed, or bytes of any kind."""
    kind = draw(st.sampled_from(["replace", "replace", "delete", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    manifest = json.loads(original)
    path = draw(st.sampled_from(_paths(manifest)[1:]))
    parent = manifest
    for key in path[:-1]:
        parent = parent[key]
    if kind == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON_VALUES)
    return json.dumps(manifest).encode()


def _check(code: int, err: str, damaged: Path) -> None:
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1, err
        assert err.startswith("shiftbench: error: ")


@pytest.mark.parametrize("run", ["sales", "ehi", "panel"])
@PROPERTY
@given(data=st.data())
def test_report_and_compare_never_fail_inside_whatever_a_file_holds(
    runs: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    run: str,
    data: st.DataObject,
) -> None:
    base = runs[run]
    file = data.draw(st.sampled_from(FILES))
    work = tmp_path_factory.mktemp("damaged")
    new = work / "run"
    shutil.copytree(base, new, ignore=shutil.ignore_patterns("figures", "report.*", "*.tex"))
    target = new / file
    original = target.read_text(encoding="utf-8") if target.exists() else ""
    if file == "manifest.json":
        content = data.draw(damaged_manifest(original))
    else:
        template = original or (base / "shift.csv").read_text(encoding="utf-8")
        content = data.draw(damaged_csv(template))
    target.write_bytes(content)
    capsys.readouterr()
    command = data.draw(st.sampled_from(["report", "compare-new", "compare-base"]))
    if command == "report":
        argv = ["report", str(new)]
    elif command == "compare-new":
        argv = [
            "compare",
            str(base),
            str(new),
            "--out",
            str(work / "cmp"),
            "--fail-on",
            "mse:5%,verdict",
        ]
    else:
        argv = ["compare", str(new), str(base), "--out", str(work / "cmp"), "--allow-data-change"]
    code = main(argv)
    _check(code, capsys.readouterr().err, target)
    shutil.rmtree(work, ignore_errors=True)
