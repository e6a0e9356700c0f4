"""The run configuration: a TOML file (documented key by key in ``examples/default.toml``) and the
command-line options that override it, validated into one frozen :class:`RunConfig`.

Every unknown key, wrong type, or unknown dataset or model name raises :class:`ConfigError` with a
message that names the file and the key.

One checker (:func:`check_table`) validates every table against a schema of type annotations,
and every schema is derived from a dataclass or a constructor: the ``[protocol]`` and
``[dataset.NAME]`` keys from :class:`~shiftbench.types.Protocol` (plus ``season_length``),
``[[csv]]`` from :class:`CsvDataset`, the top-level keys from :class:`RunConfig`, and
``[model.NAME]`` from the model's constructor (plus ``refit_every``).

The package: :mod:`~shiftbench.config.run` (the resolved :class:`RunConfig`),
:mod:`~shiftbench.config.checks` (values against type annotations),
:mod:`~shiftbench.config.sections` (each table and its bounds), and here the loading, the
command line's overrides and the checks across tables. The types are checked by msgspec's strict
conversion (:func:`check_value`). msgspec rather than
pydantic or cattrs: its strict rules are the config's as they stand (an int fits a float, a bool
is no number, a TOML array fits a ``tuple[...]`` of its length, ``Literal[1]`` does not take
``True``), where pydantic's strict mode refuses an array for a tuple and takes ``True`` for
``Literal[1]``, and cattrs converts rather than checks (``"3"`` becomes 3); and it is one small
compiled package with no dependencies of its own. A type it cannot check fails closed; a
constructor parameter that names an arbitrary class, or whose annotation does not resolve, is
accepted as given and checked by the constructor before the run (:func:`constructor_schema`).
"""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from shiftbench.config.checks import (
    ANY_KEY,
    SHOWN_CHARS,
    check_table,
    check_value,
    constructor_schema,
    dataclass_schema,
    describe,
    shown,
)
from shiftbench.config.run import (
    DEFAULT_SEEDS,
    JOBS_PER_CORE,
    MAX_SEED,
    MAX_SEEDS,
    MAX_TEST_SIZE,
    MIN_MAX_JOBS,
    CsvDataset,
    RunConfig,
    default_jobs,
    max_jobs,
)
from shiftbench.config.sections import (
    EVENT_SCHEMA,
    MAX_PORT,
    MAX_TIMEOUT_S,
    PROTOCOL_MINIMUM,
    PROTOCOL_SCHEMA,
    SCHEDULER_ADDRESS,
    _csv_entry,
    _str_list,
    check_csv,
    check_event,
    check_protocol,
    check_scheduler,
    check_test_size,
    check_timeout,
    parse_seeds,
    validate_params,
)
from shiftbench.datasets import dataset_names
from shiftbench.errors import ConfigError, InputError
from shiftbench.executor_names import EXECUTOR_NAMES, executor_names
from shiftbench.models import define_model, get_model, model_names


def toml_keys() -> dict[str, str]:
    """Top-level TOML key -> :class:`RunConfig` field (fields set only on the command line left
    out)."""
    out = {}
    for f in fields(RunConfig):
        name = f.metadata.get("toml", f.name)
        if name is not None:
            out[name] = f.name
    return out


def _tables(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected tables [{where.rsplit(' ', 1)[-1]}.NAME]")
    return value


def load_config(path: str | Path | None) -> RunConfig:
    """Read and validate a TOML config (None gives the default suite)."""
    if path is None:
        return RunConfig()
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{file}: no such config file")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{file}: not valid TOML ({reason})") from None
    except RecursionError:
        raise ConfigError(f"{file}: not valid TOML (nested too deep)") from None
    try:
        return config_from_dict(raw, str(file), file.parent)
    except RecursionError:
        raise ConfigError(f"{file}: a value is nested too deep") from None


def config_from_dict(
    raw: dict[str, Any], where: str = "config", base: Path | None = None
) -> RunConfig:
    """Validate a config mapping (the parsed TOML) into a :class:`RunConfig`.

    Keys whose values need more than a type check (names, seeds, nested tables) are parsed
    here; every other key is checked against its field's annotation in :class:`RunConfig`.
    """
    base = base or Path.cwd()
    keys = toml_keys()
    schema = dataclass_schema(RunConfig)
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in keys:
            raise ConfigError(f"{where}: unknown key {shown(key)} (known: {', '.join(keys)})")
        at = f"{where}: {key}"
        if key in ("datasets", "models"):
            kwargs[key] = _str_list(value, at)
        elif key == "seeds":
            kwargs[key] = parse_seeds(value, at)
        elif key == "protocol":
            kwargs[key] = check_protocol(value, at)
        elif key == "dataset":
            kwargs["dataset_options"] = {
                name: check_protocol(table, f"{where}: dataset.{name}")
                for name, table in _tables(value, at).items()
            }
        elif key == "event":
            kwargs["events"] = {
                name: check_event(table, f"{where}: event.{name}")
                for name, table in _tables(value, at).items()
            }
        elif key == "model":
            params: dict[str, dict[str, Any]] = {}
            for name, table in _tables(value, at).items():
                if not isinstance(table, dict):
                    raise ConfigError(
                        f"{where}: model.{name}: expected a table, got {shown(table)}"
                    )
                params[name] = dict(table)
            kwargs["model_params"] = params
        elif key == "csv":
            tables = value if isinstance(value, list) else [value]
            kwargs["csv"] = tuple(
                _csv_entry(t, f"{where}: csv[{i}]", base) for i, t in enumerate(tables)
            )
            if "datasets" not in raw:
                kwargs["datasets"] = ()
        else:
            annotation = schema[keys[key]]
            if not check_value(value, annotation):
                raise ConfigError(f"{at}: expected {describe(annotation)}, got {shown(value)}")
            if key in ("out", "cache_dir"):
                value = _folder(value, at, base)
            kwargs[keys[key]] = value
    config = RunConfig(**kwargs)
    validate(config, where)
    return config


def _folder(value: str, where: str, base: Path) -> str:
    """A folder of the config, relative to the config file's folder; ``~`` is the home folder."""
    if not value.strip() or "\x00" in value:
        raise ConfigError(f"{where}: {shown(value)} is not a folder name")
    try:
        absolute = Path(value).expanduser().is_absolute()
    except RuntimeError:  # ~user of no such user, or no home folder
        raise ConfigError(f"{where}: cannot expand {shown(value)}") from None
    return value if absolute else str(base / value)


def with_overrides(config: RunConfig, **overrides: Any) -> RunConfig:
    """The config with command-line values (those not None) put over it, validated again."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "csv" in given:
        given["csv"] = tuple(config.csv) + tuple(given["csv"])
        if "datasets" not in given and not overrides.get("keep_datasets"):
            given["datasets"] = ()
    given.pop("keep_datasets", None)
    updated = replace(config, **given)
    validate(updated, "command line")
    return updated


def validate(config: RunConfig, where: str) -> None:
    """Check names, model parameters and sizes; raise :class:`ConfigError` naming the culprit."""
    known_datasets = set(dataset_names())
    for name in config.datasets:
        if name not in known_datasets:
            raise ConfigError(
                f"{where}: unknown dataset {shown(name)} (known: {', '.join(dataset_names())})"
            )
    for i, spec in enumerate(config.csv):
        check_csv(spec, f"{where}: csv[{i}]")
    names = config.all_datasets()
    if not names:
        raise ConfigError(f"{where}: no dataset selected")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"{where}: dataset {shown(dup)} is selected twice")
    for name in config.dataset_options:
        if name not in names:
            raise ConfigError(f"{where}: dataset.{name}: {shown(name)} is not a selected dataset")
    for name in config.events:
        if name not in names:
            raise ConfigError(f"{where}: event.{name}: {shown(name)} is not a selected dataset")
    if not config.models:
        raise ConfigError(f"{where}: no model selected")
    twice = next((m for i, m in enumerate(config.models) if m in config.models[:i]), None)
    if twice is not None:
        raise ConfigError(f"{where}: model {shown(twice)} is selected twice")
    defined = {n for n, t in config.model_params.items() if isinstance(t, dict) and "class" in t}
    for name in config.models:
        if name in defined:
            continue
        try:
            get_model(name)
        except InputError as exc:
            hint = "" if "refused" in str(exc) else " (or define it: [model.NAME] class = ...)"
            text = str(exc) if len(str(exc)) <= 600 else str(exc)[:597] + "..."
            raise ConfigError(f"{where}: {text}{hint}") from None
    for name, section in config.model_params.items():
        at = f"{where}: model.{name}"
        if not isinstance(section, dict):
            raise ConfigError(f"{at}: expected a table, got {shown(section)}")
        if name not in model_names() and name not in defined:
            raise ConfigError(
                f"{at}: unknown model {shown(name)} (known: {', '.join(model_names())}; a "
                "model of your own needs class = 'package.module:Class')"
            )
        try:
            model_spec = define_model(name, section, at)
        except InputError as exc:
            raise ConfigError(str(exc)) from None
        validate_params(model_spec, section, at)
    if config.timeout is not None:
        check_timeout(config.timeout, f"{where}: timeout")
    if config.executor not in EXECUTOR_NAMES:
        known = ", ".join(executor_names())
        raise ConfigError(f"{where}: executor: unknown {shown(config.executor)} (known: {known})")
    if EXECUTOR_NAMES[config.executor].needs_scheduler and not config.scheduler:
        raise ConfigError(
            f"{where}: executor {shown(config.executor)} needs a scheduler address (--scheduler)"
        )
    if config.scheduler is not None:
        check_scheduler(config.scheduler, where)
    if config.protocol:
        check_protocol(config.protocol, f"{where}: protocol")
    for name, options in config.dataset_options.items():
        check_protocol(options, f"{where}: dataset.{name}")
    for name in config.rerun:
        if name not in config.models:
            raise ConfigError(f"{where}: --rerun {shown(name)} is not a selected model")
    if config.jobs < 1:
        raise ConfigError(f"{where}: jobs must be at least 1, got {config.jobs}")
    if config.jobs > max_jobs():
        raise ConfigError(
            f"{where}: jobs: at most {max_jobs()} worker processes ({JOBS_PER_CORE} per core, "
            f"at least {MIN_MAX_JOBS}), got {config.jobs}"
        )
    if config.chunk_size < 1:
        raise ConfigError(f"{where}: chunk_size must be at least 1, got {config.chunk_size}")
    if not config.seeds:
        raise ConfigError(f"{where}: seeds: at least one seed is needed")


__all__ = [
    "ANY_KEY",
    "DEFAULT_SEEDS",
    "EVENT_SCHEMA",
    "JOBS_PER_CORE",
    "MAX_PORT",
    "MAX_SEED",
    "MAX_SEEDS",
    "MAX_TEST_SIZE",
    "MAX_TIMEOUT_S",
    "MIN_MAX_JOBS",
    "PROTOCOL_MINIMUM",
    "PROTOCOL_SCHEMA",
    "SCHEDULER_ADDRESS",
    "SHOWN_CHARS",
    "CsvDataset",
    "RunConfig",
    "check_csv",
    "check_event",
    "check_protocol",
    "check_scheduler",
    "check_table",
    "check_test_size",
    "check_timeout",
    "check_value",
    "config_from_dict",
    "constructor_schema",
    "dataclass_schema",
    "default_jobs",
    "describe",
    "load_config",
    "max_jobs",
    "parse_seeds",
    "shown",
    "toml_keys",
    "validate",
    "validate_params",
    "with_overrides",
]
