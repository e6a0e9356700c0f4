"""The config's tables, each checked against its schema and its bounds: ``[protocol]`` and
``[dataset.NAME]``, ``[event.NAME]``, ``[[csv]]``, ``[model.NAME]``, seeds, the scheduler
address and time limits; every error a :class:`ConfigError` naming the file and the key."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from shiftbench.config.checks import (
    ANY_KEY,
    check_table,
    constructor_schema,
    dataclass_schema,
    shown,
)
from shiftbench.config.run import MAX_SEED, MAX_SEEDS, MAX_TEST_SIZE, CsvDataset
from shiftbench.errors import ConfigError, InputError
from shiftbench.models import HARNESS_KEYS, ModelSpec
from shiftbench.types import Protocol

#: ``[protocol]`` and ``[dataset.NAME]``: the protocol's fields and the season length, and for
#: a collection the documented ``subset`` and the ``min_length`` below which series are dropped.
PROTOCOL_SCHEMA: dict[str, Any] = {
    **dataclass_schema(Protocol),
    "season_length": int,
    "subset": str,
    "min_length": int,
}
#: A Dask scheduler address: scheme://host:port with a host name (dot-separated labels of
#: letters, digits and inner hyphens), an IPv4 address or a bracketed IPv6 one, and a port
#: 1..65535 (checked by :func:`check_scheduler`); or Dask's in-process ``inproc://HOST/PID/N``.
SCHEDULER_ADDRESS = re.compile(
    r"(?:tcp|tls|ucx|ws|wss)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*):(?P<port>[0-9]{1,5})"
    r"|inproc://[^/\s]+/[0-9]+/[0-9]+"
)
#: The highest TCP port.
MAX_PORT = 65535
#: The least value of each integer protocol key.
PROTOCOL_MINIMUM: dict[str, int] = {
    "min_length": 1,
    "horizon": 1,
    "refit_every": 0,
    "calibration_size": 0,
    "lstm_window": 1,
    "season_length": 1,
}


#: ``[event.NAME]``: the fields of :class:`shiftbench.evaluation.events.EventSpec`.
EVENT_SCHEMA: dict[str, Any] = {
    "kind": str,
    "short": int,
    "long": int,
    "threshold": float,
    "bins": tuple[float, ...],
}


def check_event(table: Any, where: str) -> dict[str, Any]:
    """An ``[event.NAME]`` table: known keys, right types, a definition that can work."""
    from shiftbench.eventspec import EXCESS_HEAT_KEYS, EventSpec

    checked = check_table(table, EVENT_SCHEMA, where)
    if "bins" in checked:
        checked["bins"] = tuple(float(b) for b in checked["bins"])
        checked.setdefault("kind", "bins")
    given = next((k for k in EXCESS_HEAT_KEYS if k in checked), None)
    if checked.get("kind") == "bins" and given is not None:
        raise ConfigError(f'{where}.{given}: a key of kind = "excess_heat", not of bins')
    try:
        EventSpec(**checked).check(where)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return checked


def check_protocol(table: Any, where: str) -> dict[str, Any]:
    """A ``[protocol]`` or ``[dataset.NAME]`` table: known keys, right types, values in range."""
    checked = check_table(table, PROTOCOL_SCHEMA, where)
    for key, value in checked.items():
        if key == "test_size":
            check_test_size(value, f"{where}.test_size")
        elif key in PROTOCOL_MINIMUM and value < PROTOCOL_MINIMUM[key]:
            raise ConfigError(
                f"{where}.{key}: must be at least {PROTOCOL_MINIMUM[key]}, got {value}"
            )
        elif key == "horizon_bands":
            checked[key] = check_bands(value, f"{where}.horizon_bands")

    return checked


def check_bands(value: Any, where: str) -> tuple[tuple[int, int], ...]:
    """Horizon bands: ``[first, last]`` pairs of steps, 1 <= first <= last, none twice (that
    each lies within the horizon is checked with the resolved protocol)."""
    bands = tuple((int(a), int(b)) for a, b in value)
    for first, last in bands:
        if not 1 <= first <= last:
            raise ConfigError(
                f"{where}: band [{first}, {last}] is not a range of steps (1 <= first <= last)"
            )
    if len(set(bands)) != len(bands):
        raise ConfigError(f"{where}: a band is given twice in {shown(value)}")
    return bands


def check_test_size(value: int | float, where: str) -> None:
    """A test size is a count of points (1..:data:`MAX_TEST_SIZE`) or a share in (0, 1);
    never NaN or inf."""
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{where}: must be a count >= 1 or a share in (0, 1), got {shown(value)}")
    if isinstance(value, float) and value >= 1 and not value.is_integer():
        raise ConfigError(f"{where}: a count of test points must be whole, got {shown(value)}")
    if value > MAX_TEST_SIZE:
        raise ConfigError(
            f"{where}: {value:g} test points is more than any series holds "
            f"(at most {MAX_TEST_SIZE:.0e})"
        )


def check_scheduler(address: str, where: str) -> None:
    """A Dask scheduler address that could be connected to (:data:`SCHEDULER_ADDRESS`)."""
    found = SCHEDULER_ADDRESS.fullmatch(address)
    if found is None:
        raise ConfigError(
            f"{where}: scheduler {shown(address)} is not an address like tcp://HOST:8786"
        )
    port = found.group("port")
    if port is not None and not 1 <= int(port) <= MAX_PORT:
        raise ConfigError(
            f"{where}: scheduler {shown(address)}: port {int(port)} is not in 1..{MAX_PORT}"
        )


#: The most seconds a cell may be given (a week): beyond it a limit is a typo.
MAX_TIMEOUT_S = 7 * 24 * 3600.0


def check_timeout(value: Any, where: str) -> float:
    """A time limit in seconds: a number in (0, :data:`MAX_TIMEOUT_S`]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number of seconds, got {shown(value)}")
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT_S:
        raise ConfigError(
            f"{where}: must lie in (0, {MAX_TIMEOUT_S:g}] seconds, got {shown(value)}"
        )
    return float(value)


def validate_params(spec: ModelSpec, section: dict[str, Any], where: str) -> None:
    """Check a ``[model.NAME]`` section against the model's constructor, and its harness keys
    (``class``, ``refit_every``, ``timeout``).

    Raises
    ------
    ConfigError
        For an unknown key, a value of the wrong type or out of its range.
    """
    refit = section.get("refit_every")
    if refit is not None and (isinstance(refit, bool) or not isinstance(refit, int) or refit < 0):
        raise ConfigError(f"{where}.refit_every: expected an int >= 0, got {shown(refit)}")
    if section.get("timeout") is not None:
        check_timeout(section["timeout"], f"{where}.timeout")
    params = {k: v for k, v in section.items() if k not in HARNESS_KEYS}
    cls = spec.cls()
    schema = constructor_schema(cls)
    if ANY_KEY in schema:
        known = {k: v for k, v in params.items() if k in schema}
        check_table(known, schema, where)
    else:
        check_table(params, schema, where)
    try:
        model = cls(**{**spec.params, **params})
        check = getattr(model, "check_params", None)
        if callable(check):
            check()
    except InputError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}.{exc}") from None
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {shown(value)}")
    return tuple(value)


def parse_seeds(value: Any, where: str = "seeds") -> tuple[int, ...]:
    """Seeds from a list, a comma-separated string, or a count N (seeds 0..N−1).

    >>> parse_seeds("3"), parse_seeds("0,5"), parse_seeds([7])
    ((0, 1, 2), (0, 5), (7,))
    """
    seeds = _seed_values(value, where)
    if len(seeds) > MAX_SEEDS:
        raise ConfigError(f"{where}: {len(seeds)} seeds is more than the {MAX_SEEDS} allowed")
    bad = next((s for s in seeds if not 0 <= s <= MAX_SEED), None)
    if bad is not None:
        raise ConfigError(f"{where}: seed {shown(bad)} is outside 0..{MAX_SEED}")
    seen: set[int] = set()
    for seed in seeds:
        if seed in seen:
            raise ConfigError(f"{where}: seed {seed} is given twice")
        seen.add(seed)
    return seeds


def _seed_values(value: Any, where: str) -> tuple[int, ...]:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a count or a list of integers, got {shown(value)}")
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"{where}: a seed count must be at least 1, got {value}")
        if value > MAX_SEEDS:
            raise ConfigError(f"{where}: {value} seeds is more than the {MAX_SEEDS} allowed")
        return tuple(range(value))
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if len(parts) > MAX_SEEDS:
            raise ConfigError(f"{where}: {len(parts)} seeds is more than the {MAX_SEEDS} allowed")
        if not all(p.isascii() and p.lstrip("+-").isdigit() and len(p) <= 20 for p in parts):
            raise ConfigError(f"{where}: expected integers, got {shown(value)}")
        numbers = [int(p) for p in parts]
        if not numbers:
            raise ConfigError(f"{where}: no seed in {shown(value)}")
        if "," not in value:
            return _seed_values(numbers[0], where)
        return tuple(numbers)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        if len(value) > MAX_SEEDS:
            raise ConfigError(f"{where}: {len(value)} seeds is more than the {MAX_SEEDS} allowed")
        return tuple(value)
    raise ConfigError(f"{where}: expected a count or a list of integers, got {shown(value)}")


def _csv_entry(table: Any, where: str, base: Path) -> CsvDataset:
    if isinstance(table, dict):
        table = {
            k: _str_list(v, f"{where}.{k}") if k in ("exog", "known_ahead") else v
            for k, v in table.items()
        }
    entry = check_table(table, dataclass_schema(CsvDataset), where)
    for required in ("path", "target"):
        if required not in entry:
            raise ConfigError(f"{where}: missing key {shown(required)}")
    path = Path(entry["path"])
    entry["path"] = str(path if path.is_absolute() else base / path)
    for key in ("exog", "known_ahead"):
        seen: set[str] = set()
        for column in entry.get(key, ()):
            if column in seen:
                raise ConfigError(f"{where}.{key}: column {shown(column)} is given twice")
            seen.add(column)
    spec = CsvDataset(**entry)
    check_csv(spec, where)
    return spec


def check_csv(spec: CsvDataset, where: str) -> None:
    """A user file's columns each play one role (the target is not its own covariate), and its
    dataset name is a name."""
    if spec.name is not None and (not spec.name.strip() or spec.name != spec.name.strip()):
        raise ConfigError(
            f"{where}.name: {shown(spec.name)} is not a name (empty, or surrounding spaces)"
        )
    if not spec.dataset_name.strip():
        raise ConfigError(f"{where}: the file {shown(spec.path)} gives no dataset name; set name")
    check_test_size(spec.test_size, f"{where}.test_size")
    for key in ("horizon", "season_length", "lstm_window", "min_length"):
        value = getattr(spec, key)
        if value is not None and value < 1:
            raise ConfigError(f"{where}.{key}: must be at least 1, got {value}")
    roles = {spec.target: "target"}
    for key, column in (("date", spec.date), ("id", spec.id)):
        if column is not None and column in roles:
            raise ConfigError(f"{where}.{key}: column {shown(column)} is also the {roles[column]}")
        if column is not None:
            roles[column] = key
    for key in ("known_ahead", "exog"):  # known_ahead first: the command line puts it in both
        for column in getattr(spec, key):
            if column in roles:
                why = (
                    ": a model given its own target as a covariate sees the answer"
                    if roles[column] == "target"
                    else ""
                )
                raise ConfigError(
                    f"{where}.{key}: column {shown(column)} is the {roles[column]}{why}"
                )
