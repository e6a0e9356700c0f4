"""Property tests of the config loader: whatever a TOML file holds, loading it gives a config
or a one-line ConfigError, never another exception."""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiftbench.config import (
    EVENT_SCHEMA,
    PROTOCOL_SCHEMA,
    RunConfig,
    config_from_dict,
    load_config,
    toml_keys,
)
from shiftbench.errors import ConfigError

EXAMPLES = int(os.environ.get("SHIFTBENCH_PROPERTY_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

#: Scalars as TOML gives them (integers of any size, floats with inf and nan, strings, bools).
SCALARS = (
    st.integers()
    | st.sampled_from([0, 1, -1, 2**31, 2**64, 10**30, 5001, 100_000])
    | st.floats()
    | st.booleans()
    | st.text(max_size=20)
    | st.sampled_from(["naive", "sales", "arima", "lstm_raw", "tcp://h:1", "0,1", "~nobody/x"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
MODEL_KEYS = (
    "window",
    "units",
    "epochs",
    "batch_size",
    "season_length",
    "max_p",
    "max_order",
    "stepwise",
    "order",
    "seasonal_order",
    "maxiter",
    "garch_p",
    "dropout",
    "seed",
)


def _table(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=4)


RAW = st.fixed_dictionaries(
    {},
    optional={
        "datasets": st.lists(st.sampled_from(["sales", "sine", "m3_monthly", "nope"]), max_size=3)
        | VALUES,
        "models": st.lists(st.sampled_from(["naive", "arima", "lstm_raw", "ses"]), max_size=3)
        | VALUES,
        "seeds": VALUES,
        "jobs": VALUES,
        "chunk_size": VALUES,
        "out": VALUES,
        "cache_dir": VALUES,
        "executor": st.sampled_from(["local", "dask"]) | VALUES,
        "scheduler": VALUES,
        "mse_all_points": VALUES,
        "protocol": _table(tuple(PROTOCOL_SCHEMA)) | VALUES,
        "dataset": st.dictionaries(
            st.sampled_from(["sales", "sine"]), _table(tuple(PROTOCOL_SCHEMA))
        ),
        "model": st.dictionaries(
            st.sampled_from(
                ["naive", "arima", "lstm_raw", "lstm_event", "arima_garch", "ets", "seasonal_naive"]
            ),
            _table(MODEL_KEYS),
        ),
        "event": st.dictionaries(st.sampled_from(["sales", "ehi"]), _table(tuple(EVENT_SCHEMA))),
        "csv": st.lists(
            _table(
                (
                    "path",
                    "target",
                    "date",
                    "exog",
                    "known_ahead",
                    "name",
                    "id",
                    "test_size",
                    "horizon",
                    "min_length",
                    "season_length",
                )
            ),
            max_size=2,
        ),
    },
)


def _message(load: Callable[[], object]) -> str:
    """The ConfigError's message, or "" when a config comes back."""
    try:
        config = load()
    except ConfigError as exc:
        return str(exc)
    assert isinstance(config, RunConfig)
    return ""


@PROPERTY
@given(raw=RAW)
def test_any_config_mapping_is_a_config_or_one_config_error(raw: dict[str, Any]) -> None:
    assert set(raw) <= set(toml_keys())
    message = _message(lambda: config_from_dict(raw, "test.toml", Path("/nonexistent-base")))
    assert "\n" not in message
    assert len(message) < 2000


@PROPERTY
@given(text=st.text(alphabet=string.printable + "[]{}=\"'.,#éœ\x00", max_size=300))
def test_any_toml_text_is_a_config_or_one_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    assert "\n" not in _message(lambda: load_config(path))


@PROPERTY
@given(data=st.binary(max_size=300))
def test_any_bytes_are_a_config_or_one_config_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(data)
    assert "\n" not in _message(lambda: load_config(path))


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_config_nested_deeper_than_python_recurses_is_exit_2(tmp_path: Path, depth: int) -> None:
    from shiftbench.cli import main

    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * depth + "]" * depth + "\n")
    assert main(["run", "--config", str(path)]) == 2
    nested = tmp_path / "nested.toml"
    nested.write_text("seeds = " + "[" * depth + "1" + "]" * depth + "\n")
    assert main(["run", "--config", str(nested)]) == 2
