"""A run: the config resolved into datasets, the grid of cells planned, executed (cached cells
read back), assembled into the run's tables and written as a run directory.

One module per step: :mod:`~shiftbench.benchmarks.resolve` (datasets and the checks before any
cell runs), :mod:`~shiftbench.benchmarks.plan` (cells and their keys),
:mod:`~shiftbench.benchmarks.execute` (executors and the cache),
:mod:`~shiftbench.benchmarks.assemble` (tables and manifest entries) and
:mod:`shiftbench.rundir` (the files). Everything that can be wrong with the inputs is checked
before the first cell starts, so a bad input never costs computed results; a failing cell is
recorded and the run goes on. The engine ends when the run directory is written; the reports
are the caller's step, rendered from the run as it is in memory
(:func:`shiftbench.reports.render.render_reports`).
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.benchmarks.assemble import assemble, cell_entries, model_entries
from shiftbench.benchmarks.backtest import CellResult
from shiftbench.benchmarks.execute import (
    CELL_THREADS,
    Progress,
    Starting,
    cache_root,
    execute,
    run_with_cache,
)
from shiftbench.benchmarks.plan import Cell, code_entry, plan_cells
from shiftbench.benchmarks.resolve import check_out_dir, check_sizes, resolve_datasets
from shiftbench.config import RunConfig
from shiftbench.errors import DataError, ShiftbenchWarning
from shiftbench.rundir.io import new_run_dir, write_run
from shiftbench.rundir.provenance import environment
from shiftbench.rundir.schema import RunData, build_manifest


@dataclass
class RunResult:
    """A finished run: its data as the run directory holds them, and the cells as they were
    computed.

    ``forecasts``, ``metrics``, ``shift`` and ``comparisons`` are the frames of the files, as
    :func:`shiftbench.rundir.load_run` would read them back (seeds as text).
    """

    run: RunData
    cells: list[CellResult] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.run.path

    @property
    def manifest(self) -> dict[str, Any]:
        return self.run.manifest

    @property
    def forecasts(self) -> pd.DataFrame:
        return self.run.forecasts

    @property
    def metrics(self) -> pd.DataFrame:
        return self.run.metrics

    @property
    def shift(self) -> pd.DataFrame:
        return self.run.shift

    @property
    def comparisons(self) -> pd.DataFrame:
        return self.run.comparisons

    @property
    def failed(self) -> list[CellResult]:
        return [c for c in self.cells if not c.ok]

    @property
    def series_failed(self) -> int:
        """How many series of collections failed inside otherwise finished cells."""
        return sum(len(c.series_failed) for c in self.cells if c.ok)

    @property
    def exit_code(self) -> int:
        """0 when every cell (and series) succeeded, 3 when some failed (docs/contract.md)."""
        return 3 if self.failed or self.series_failed else 0


def _print_warning(text: str) -> None:
    print(f"shiftbench: warning: {text}", file=sys.stderr)


def run_config(
    config: RunConfig,
    *,
    progress: Progress | None = None,
    starting: Starting | None = None,
    command: list[str] | None = None,
    warn: Callable[[str], None] = _print_warning,
) -> RunResult:
    """Run a validated config and write its run directory (no reports: see
    :func:`shiftbench.reports.render.render_reports`).

    Everything that can be checked is checked before the first cell; the run directory is
    created only when its files are written, so a run that stops earlier leaves none. Warnings
    (a cache that cannot be written) go to ``warn`` and into the manifest.
    """
    run_warnings: list[str] = []

    def warned(text: str) -> None:
        run_warnings.append(text)
        warn(text)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ShiftbenchWarning)
        datasets = resolve_datasets(config)
    for message in caught:
        if issubclass(message.category, ShiftbenchWarning):
            warned(str(message.message))
    specs = config.model_specs()
    check_sizes(config, datasets, specs)
    cells = plan_cells(config, datasets, specs)
    out = check_out_dir(Path(config.out))

    started = dt.datetime.now(dt.UTC)
    config_hash = config.sha256()
    results = run_with_cache(config, cells, progress, starting, warned)
    finished = dt.datetime.now(dt.UTC)
    seeded = {name for name in config.models if specs[name].capabilities.seeded}
    frames = assemble(results, datasets, seeded)
    try:
        run_dir = new_run_dir(out, config_hash, started)
        manifest = build_manifest(
            run_id=run_dir.name,
            started=started,
            finished=finished,
            command=command,
            config=config.to_dict(),
            config_sha256=config_hash,
            datasets=datasets,
            models=model_entries(specs),
            seeds=config.seeds,
            environment={
                **environment(config.seeds, bool(seeded), CELL_THREADS),
                "code": code_entry(specs),
            },
            cells=cell_entries(results, datasets),
            warnings=run_warnings,
        )
        run = write_run(run_dir, manifest, frames)
    except OSError as exc:
        raise DataError(
            f"out {str(out)!r}: cannot write the run directory ({exc.strerror or exc}); "
            "the computed cells are in the cache: run the same command again"
        ) from None
    return RunResult(run, results)


__all__ = [
    "Cell",
    "RunResult",
    "cache_root",
    "execute",
    "plan_cells",
    "resolve_datasets",
    "run_config",
]
