"""``tox -e perf``: the speed suite, then its gate against the baseline committed beside it.

Two gates, both from measurements that do not drift:

1. **Within one run.** Every speed target is asserted by its test as a ratio to a reference
   measured in the same run (docs/performance.md lists them); a test that misses its target
   fails the suite.
2. **Against the stored baseline.** ``tests/perf/baseline.json`` holds, for every benchmark,
   the median time and the ratios of one full run, with the machine it was measured on. On that
   kind of machine (same CPU model, cores, OS, architecture and Python), a median more than
   :data:`TOLERANCE` slower than the baseline's (and by more than :data:`MIN_SECONDS`), or a
   ratio more than :data:`TOLERANCE` worse, fails the gate. On another machine the times are
   not comparable: the comparison is printed and only the in-run targets gate.

The baseline moves only when someone refreshes it on purpose, never by itself from the last run
(the drift of a gate that compares with the previous run); see docs/performance.md::

    python tests/perf/run_perf.py                      # run the suite, compare with the baseline
    python tests/perf/run_perf.py -k lstm              # part of it (pytest arguments pass through)
    python tests/perf/run_perf.py --refresh-baseline   # run it all; if every test passed, store it
    python tests/perf/run_perf.py --results FILE.json [--refresh-baseline]   # no run: use FILE
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / ".benchmarks"
RESULTS = STORAGE / "perf-latest.json"
BASELINE = Path(__file__).resolve().parent / "baseline.json"

#: How much slower a median, or worse a ratio, may be than the baseline's on the same machine.
TOLERANCE = 0.25
#: A median slower by less than this many seconds never fails (timer and start-up noise).
MIN_SECONDS = 0.25
#: A ratio worse by less than this never fails (ratios of small numbers are noisy).
MIN_RATIO = 0.01

#: The ratios the tests record in ``extra_info``, and which way is better.
RATIOS: dict[str, str] = {
    "backtest_over_fit": "lower",
    "time_ratio": "lower",
    "cold_over_bare": "lower",
    "cached_over_cold": "lower",
    "ratio_to_bare_keras": "lower",
    "one_job_over_bare": "lower",
    "speedup_of_default_jobs": "higher",
    "fingerprint_over_cached": "lower",
    "large_over_small": "lower",
    "path_over_predict_call": "lower",
    "keras_over_stacked": "higher",
}


def this_machine() -> dict[str, Any]:
    """What makes times comparable: the CPU model, the cores this process may use, the OS, the
    architecture and the Python version (``node`` and ``memory_gb`` are recorded, not compared)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0.0
    return {
        "cpu": cpu,
        "cores": cores,
        "system": platform.system(),
        "arch": platform.machine(),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "node": platform.node(),
        "memory_gb": round(memory, 1),
    }


COMPARED = ("cpu", "cores", "system", "arch", "python")


def same_machine(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(key) == b.get(key) for key in COMPARED)


def summarise(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per benchmark (pytest's full name): the median in seconds and the ratios it recorded."""
    out: dict[str, dict[str, Any]] = {}
    for bench in results.get("benchmarks", []):
        extra = bench.get("extra_info") or {}
        ratios = {k: float(extra[k]) for k in RATIOS if isinstance(extra.get(k), int | float)}
        out[bench["fullname"]] = {"median_s": float(bench["stats"]["median"]), "ratios": ratios}
    return out


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def make_baseline(results: dict[str, Any], machine: dict[str, Any]) -> dict[str, Any]:
    return {
        "about": (
            "The perf gate's baseline (tests/perf/run_perf.py, docs/performance.md): medians "
            "and ratios of one full run of the speed suite, on the machine below. Refresh it "
            "on purpose with `tox -e perf -- --refresh-baseline` and commit it with the change "
            "that moved it."
        ),
        "measured": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": _commit(),
            "machine": machine,
            "load_average_1min": round(os.getloadavg()[0], 2)
            if hasattr(os, "getloadavg")
            else None,
        },
        "tolerance": {"median": TOLERANCE, "min_seconds": MIN_SECONDS, "ratio": TOLERANCE},
        "benchmarks": summarise(results),
    }


def _worse(name: str, base: float, now: float) -> bool:
    if RATIOS.get(name) == "higher":
        return now < base / (1 + TOLERANCE) and base - now > MIN_RATIO
    return now > base * (1 + TOLERANCE) and now - base > MIN_RATIO


def compare(
    baseline: dict[str, Any], results: dict[str, Any], machine: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """The gate: (failures, report lines). Failures only on the baseline's kind of machine."""
    gating = same_machine(baseline["measured"]["machine"], machine)
    base, now = baseline["benchmarks"], summarise(results)
    lines = [
        f"baseline: {baseline['measured']['date']}, commit {baseline['measured']['commit']}, "
        f"{baseline['measured']['machine']['cpu']} ({baseline['measured']['machine']['cores']} "
        "cores)",
        "this machine: "
        + ("the same kind: medians and ratios gate" if gating else "another kind: not compared")
        + f" ({machine['cpu']}, {machine['cores']} cores)",
    ]
    failures: list[str] = []
    for name in sorted(now):
        if name not in base:
            lines.append(f"  new (no baseline): {name}")
            continue
        b, n = base[name], now[name]
        change = n["median_s"] / b["median_s"] - 1 if b["median_s"] else 0.0
        lines.append(f"  {name}: {b['median_s']:.3f} s -> {n['median_s']:.3f} s ({change:+.0%})")
        slower = n["median_s"] > b["median_s"] * (1 + TOLERANCE)
        if gating and slower and n["median_s"] - b["median_s"] > MIN_SECONDS:
            failures.append(f"{name}: median {change:+.0%} (tolerance {TOLERANCE:.0%})")
        for ratio, value in sorted(n["ratios"].items()):
            if ratio not in b["ratios"]:
                continue
            lines.append(f"    {ratio}: {b['ratios'][ratio]:.4g} -> {value:.4g}")
            if gating and _worse(ratio, b["ratios"][ratio], value):
                failures.append(f"{name}: {ratio} {b['ratios'][ratio]:.4g} -> {value:.4g}")
    missing = sorted(set(base) - set(now))
    if missing:
        lines.append(f"  not run this time: {len(missing)} benchmark(s)")
    return failures, lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh-baseline", action="store_true")
    parser.add_argument("--results", type=Path, help="compare (or store) this results file")
    options, pytest_args = parser.parse_known_args(argv)
    machine = this_machine()
    status = 0
    if options.results is None:
        import pytest

        STORAGE.mkdir(exist_ok=True)
        status = int(
            pytest.main(
                [
                    str(ROOT / "tests" / "perf"),
                    "--benchmark-autosave",
                    f"--benchmark-storage={STORAGE}",
                    f"--benchmark-json={RESULTS}",
                    "-p",
                    "no:cacheprovider",
                    "-s",
                    *pytest_args,
                ]
            )
        )
        if not RESULTS.exists():
            return status or 1
    results = json.loads((options.results or RESULTS).read_text())
    if options.refresh_baseline:
        if status != 0:
            print("perf gate: a test failed; the baseline is left as it was", file=sys.stderr)
            return status
        BASELINE.write_text(json.dumps(make_baseline(results, machine), indent=1) + "\n")
        print(f"perf gate: baseline written to {BASELINE.relative_to(ROOT)}")
        return 0
    if not BASELINE.exists():
        print("perf gate: no baseline yet (run with --refresh-baseline)", file=sys.stderr)
        return status
    failures, lines = compare(json.loads(BASELINE.read_text()), results, machine)
    print("\n".join(["", "perf gate against tests/perf/baseline.json", *lines]))
    for failure in failures:
        print(f"perf gate: slower than the baseline: {failure}", file=sys.stderr)
    return status or (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
