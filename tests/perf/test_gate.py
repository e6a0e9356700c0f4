"""The perf gate (``run_perf.py``) compares with the stored baseline, and only where the
machine is of the baseline's kind. Plain tests, run with the suite by ``tox -e perf`` (they
take no time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .run_perf import BASELINE, COMPARED, RATIOS, TOLERANCE, compare, make_baseline, this_machine

NAME = "tests/perf/test_x.py::test_y"


def _results(median: float, **ratios: float) -> dict[str, Any]:
    return {"benchmarks": [{"fullname": NAME, "stats": {"median": median}, "extra_info": ratios}]}


def _baseline(median: float = 10.0, **ratios: float) -> dict[str, Any]:
    return make_baseline(_results(median, **ratios), this_machine())


def test_the_same_speed_passes() -> None:
    failures, _ = compare(
        _baseline(10.0, time_ratio=0.6), _results(10.5, time_ratio=0.62), this_machine()
    )
    assert failures == []


def test_a_median_slower_than_the_tolerance_fails_on_the_same_machine() -> None:
    slower = 10.0 * (1 + TOLERANCE) + 1.0
    failures, _ = compare(_baseline(10.0), _results(slower), this_machine())
    assert len(failures) == 1
    assert NAME in failures[0]


def test_a_worse_ratio_fails_and_a_better_one_passes() -> None:
    base = _baseline(10.0, time_ratio=0.6, speedup_of_default_jobs=1.8)
    failures, _ = compare(base, _results(10.0, time_ratio=0.9), this_machine())
    assert [f for f in failures if "time_ratio" in f]
    failures, _ = compare(base, _results(10.0, time_ratio=0.3), this_machine())
    assert failures == []
    failures, _ = compare(base, _results(10.0, speedup_of_default_jobs=1.2), this_machine())
    assert [f for f in failures if "speedup" in f]


def test_another_kind_of_machine_is_reported_not_gated() -> None:
    other = {**this_machine(), "cpu": "another CPU", "cores": 64}
    failures, lines = compare(_baseline(10.0), _results(100.0), other)
    assert failures == []
    assert any("not compared" in line for line in lines)


def test_a_partial_run_compares_what_it_ran() -> None:
    base = _baseline(10.0)
    base["benchmarks"]["tests/perf/test_x.py::test_other"] = {"median_s": 1.0, "ratios": {}}
    failures, lines = compare(base, _results(10.0), this_machine())
    assert failures == []
    assert any("not run this time: 1" in line for line in lines)


def test_the_committed_baseline_names_its_machine_and_every_benchmark_ratio_is_known() -> None:
    if not BASELINE.exists():  # the very first refresh writes it
        pytest.skip("no baseline yet: python tests/perf/run_perf.py --refresh-baseline")
    baseline = json.loads(BASELINE.read_text())
    assert all(key in baseline["measured"]["machine"] for key in COMPARED)
    assert baseline["measured"]["date"]
    assert baseline["measured"]["commit"]
    names = {name.split("::")[0] for name in baseline["benchmarks"]}
    here = {f"tests/perf/{p.name}" for p in Path(__file__).parent.glob("test_*.py")}
    assert names <= here
    for entry in baseline["benchmarks"].values():
        assert set(entry["ratios"]) <= set(RATIOS)
