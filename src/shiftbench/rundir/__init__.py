"""The run directory (docs/contract.md): one package owns its format.

- :mod:`~shiftbench.rundir.schema`: the files, their columns and types, the conventions of
  their values, the manifest's structure, and :class:`RunData` (a run's tables in memory);
- :mod:`~shiftbench.rundir.io`: writing a run directory atomically and reading it back checked;
- :mod:`~shiftbench.rundir.check`: the checks every value read back passes;
- :mod:`~shiftbench.rundir.provenance`: versions, platform and git commit for the manifest.

Evaluation and reports depend on the schema only; the engine writes with ``io``; the command
line and the Python API read with ``io``.
"""

from shiftbench.files import write_atomic
from shiftbench.rundir.io import load_run, new_run_dir, write_run
from shiftbench.rundir.provenance import environment, git_commit, versions
from shiftbench.rundir.schema import (
    AGGREGATE_SERIES,
    ALL_SEEDS,
    COMPARISON_COLUMNS,
    CONFUSION_COLUMNS,
    EVENT_COLUMNS,
    EVENT_SHIFT_COLUMNS,
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    METRIC_COLUMNS,
    NO_SEED,
    REQUIRED_FILES,
    SEED_AGGREGATES,
    SHIFT_COLUMNS,
    SHIFT_SUMMARY_KEYS,
    RunData,
    RunFrames,
    build_manifest,
    dataset_entry,
    is_seeded,
    seed_text,
    shift_lag_columns,
    time_labels,
)

__all__ = [
    "AGGREGATE_SERIES",
    "ALL_SEEDS",
    "COMPARISON_COLUMNS",
    "CONFUSION_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_SHIFT_COLUMNS",
    "FORECAST_COLUMNS",
    "HISTORY_COLUMNS",
    "METRIC_COLUMNS",
    "NO_SEED",
    "REQUIRED_FILES",
    "SEED_AGGREGATES",
    "SHIFT_COLUMNS",
    "SHIFT_SUMMARY_KEYS",
    "RunData",
    "RunFrames",
    "build_manifest",
    "dataset_entry",
    "environment",
    "git_commit",
    "is_seeded",
    "load_run",
    "new_run_dir",
    "seed_text",
    "shift_lag_columns",
    "time_labels",
    "versions",
    "write_atomic",
    "write_run",
]
