"""What readers of a run directory rely on, checked field by field and column by column."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from shiftbench.errors import DataError
from shiftbench.rundir.check import check_columns, check_manifest

MANIFEST = {
    "run_id": "r",
    "started_at": "2026-01-01T00:00:00+00:00",
    "finished_at": "2026-01-01T00:00:01+00:00",
    "status": "completed",
    "command": None,
    "config": {"models": ["naive"], "datasets": ["sales"], "seeds": [0]},
    "config_sha256": "ab",
    "datasets": {
        "sales": {
            "sha256": "cd",
            "length": 45,
            "protocol": {"n_test": 10, "horizon": 1, "refit_every": 0},
            "observed_covariates": [],
            "known_ahead_covariates": [],
            "source": "x",
        }
    },
    "platform": {"system": "Linux", "cpu_count": 2},
    "git_commit": None,
    "cells": [{"dataset": "sales", "model": "naive", "seed": None, "status": "ok", "error": None}],
}


def test_a_manifest_with_every_field_readers_use_passes() -> None:
    assert check_manifest(copy.deepcopy(MANIFEST), "m.json")["status"] == "completed"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("status",), 3, "manifest.status: expected string, got integer"),
        (("datasets", "sales", "length"), True, "length: expected integer, got boolean"),
        (("datasets", "sales", "protocol", "n_test"), -1, "a negative length"),
        (("cells",), {}, "manifest.cells: expected list, got object"),
        (("config", "models"), ["naive", 1], r"config.models\[1\]: expected string"),
        (("platform", "cpu_count"), "2", "platform.cpu_count: expected integer or null"),
    ],
)
def test_a_field_of_the_wrong_kind_is_named(
    path: tuple[str, ...], value: object, message: str
) -> None:
    manifest = copy.deepcopy(MANIFEST)
    target = manifest
    for key in path[:-1]:
        target = target[key]  # type: ignore[assignment]
    target[path[-1]] = value
    with pytest.raises(DataError, match=message):
        check_manifest(manifest, "m.json")


def test_counts_steps_and_classes_are_whole_numbers() -> None:
    frame = pd.DataFrame({"actual": [0.0, 1.0], "predicted": [1.0, 2.5], "count": [3.0, 4.0]})
    with pytest.raises(DataError, match=r"column 'predicted' line 3: not a whole number >= 0"):
        check_columns(frame, "confusion", "c.csv")
    frame["predicted"] = [1.0, 100.0]  # beyond the most classes a question may have
    with pytest.raises(DataError, match="column 'predicted' line 3"):
        check_columns(frame, "confusion", "c.csv")


def test_seeds_are_digits_empty_or_the_files_own_words() -> None:
    frame = pd.DataFrame(
        {"dataset": ["d"] * 3, "series": ["d"] * 3, "model": ["m"] * 3,
         "seed": ["0", "", "mean"], "metric": ["a", "b", "c"], "value": np.ones(3)}
    )  # fmt: skip
    check_columns(frame, "metrics", "m.csv")
    with pytest.raises(DataError, match="column 'seed' line 4: not a seed: 'mean'"):
        check_columns(frame, "confusion_like", "s.csv")  # a file without across-seed rows


def test_a_second_row_for_a_key_is_refused() -> None:
    frame = pd.DataFrame(
        {"dataset": ["d", "d"], "series": ["", ""], "model": ["m", "m"], "seed": ["", ""],
         "metric": ["mse", "mse"], "value": [1.0, 2.0]}
    )  # fmt: skip
    with pytest.raises(DataError, match="line 3: a second row for the same"):
        check_columns(frame, "metrics", "m.csv")
