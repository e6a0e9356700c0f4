"""Provenance: where and how a run ran (library versions, platform, git commit, determinism
settings), for the manifest."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

#: The distributions whose versions the manifest records; a tuple lists alternatives that
#: install the same import package (TensorFlow is ``tensorflow-cpu`` on Linux x86-64).
VERSIONED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("numpy", ("numpy",)),
    ("pandas", ("pandas",)),
    ("scipy", ("scipy",)),
    ("statsmodels", ("statsmodels",)),
    ("arch", ("arch",)),
    ("tensorflow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")),
    ("keras", ("keras",)),
    ("scikit-learn", ("scikit-learn",)),
    ("shiftbench", ("shiftbench",)),
)


def versions() -> dict[str, str | None]:
    """Python's and every recorded distribution's installed version (None when absent)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name, distributions in VERSIONED:
        out[name] = None
        for dist in distributions:
            try:
                out[name] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def git_commit() -> str | None:
    """The commit of the source tree shiftbench runs from, when it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def environment(seeds: Iterable[int], seeded: bool, cell_threads: int) -> dict[str, Any]:
    """The manifest's account of where and how the run ran."""
    seeds = list(seeds)
    return {
        "versions": versions(),
        "platform": {
            "system": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
        },
        "git_commit": git_commit(),
        "determinism": {
            "seeds": seeds,
            "note": "classical models are deterministic; seeded models run once per seed",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
            "keras_set_random_seed": seeded,
            "tf_op_determinism": seeded,
            "threads_per_cell": cell_threads,
        },
    }
