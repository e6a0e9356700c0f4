"""The run configuration: a TOML file (documented key by key in ``examples/default.toml``) and the
command-line options that override it, validated into one frozen :class:`RunConfig`.

Every unknown key, wrong type, or unknown dataset or model name raises :class:`ConfigError` with a
message that names the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from shiftbench.baselines.base import validate_params
from shiftbench.datasets import DEFAULT_DATASETS, dataset_names
from shiftbench.errors import ConfigError
from shiftbench.models import DEFAULT_MODELS, get_model, model_names

DEFAULT_SEEDS: tuple[int, ...] = (0, 1, 2)

#: Protocol keys that ``[protocol]`` and ``[dataset.NAME]`` may set, with their types.
PROTOCOL_KEYS: dict[str, tuple[type, ...]] = {
    "test_size": (int, float),
    "horizon": (int,),
    "refit_every": (int,),
    "lstm_window": (int,),
    "season_length": (int,),
}


@dataclass(frozen=True)
class CsvDataset:
    """A user's CSV file as a dataset (``[[csv]]`` in the config, ``--dataset-file`` on the CLI)."""

    path: str
    target: str
    date: str | None = None
    exog: tuple[str, ...] = ()
    known_ahead: tuple[str, ...] = ()
    name: str | None = None
    test_size: int | float = 0.2
    horizon: int = 1
    season_length: int = 1
    lstm_window: int = 3

    @property
    def dataset_name(self) -> str:
        return self.name or Path(self.path).stem


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs, resolved. ``to_dict`` is what the manifest records and hashes."""

    datasets: tuple[str, ...] = DEFAULT_DATASETS
    models: tuple[str, ...] = DEFAULT_MODELS
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    out: str = "runs"
    jobs: int = 1
    protocol: dict[str, Any] = field(default_factory=dict)
    dataset_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    model_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    csv: tuple[CsvDataset, ...] = ()
    mse_all_points: bool = False
    cache_dir: str | None = None
    use_cache: bool = True
    rerun: tuple[str, ...] = ()
    executor: str = "local"
    scheduler: str | None = None

    def all_datasets(self) -> tuple[str, ...]:
        """Registered datasets, then the CSV ones."""
        return tuple(self.datasets) + tuple(c.dataset_name for c in self.csv)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["csv"] = [asdict(c) for c in self.csv]
        return data

    def sha256(self) -> str:
        """Hash of the resolved config (canonical JSON), excluding where the run is written."""
        data = self.to_dict()
        for where_and_how in (
            "out",
            "jobs",
            "cache_dir",
            "use_cache",
            "rerun",
            "executor",
            "scheduler",
        ):
            data.pop(where_and_how)
        text = json.dumps(data, sort_keys=True, default=list)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _type_name(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _check_type(value: Any, types: tuple[type, ...], where: str) -> None:
    if isinstance(value, bool) and bool not in types:
        raise ConfigError(f"{where}: expected {_type_name(types)}, got {value!r}")
    if not isinstance(value, types):
        raise ConfigError(f"{where}: expected {_type_name(types)}, got {value!r}")


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def parse_seeds(value: Any, where: str = "seeds") -> tuple[int, ...]:
    """Seeds from a list, a comma-separated string, or a count N (seeds 0..N−1).

    >>> parse_seeds("3"), parse_seeds("0,5"), parse_seeds([7])
    ((0, 1, 2), (0, 5), (7,))
    """
    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a count or a list of integers, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"{where}: a seed count must be at least 1, got {value}")
        return tuple(range(value))
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ConfigError(f"{where}: expected integers, got {value!r}") from None
        if not numbers:
            raise ConfigError(f"{where}: no seed in {value!r}")
        if "," not in value:
            return parse_seeds(numbers[0], where)
        return tuple(numbers)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return tuple(value)
    raise ConfigError(f"{where}: expected a count or a list of integers, got {value!r}")


def _check_table(table: Any, schema: dict[str, tuple[type, ...]], where: str) -> dict[str, Any]:
    """A TOML table whose keys are all in ``schema`` with values of the listed types."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, got {table!r}")
    for key, value in table.items():
        if key not in schema:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(schema)})")
        _check_type(value, schema[key], f"{where}.{key}")
    return dict(table)


def _check_protocol(table: Any, where: str) -> dict[str, Any]:
    return _check_table(table, PROTOCOL_KEYS, where)


_CSV_KEYS: dict[str, tuple[type, ...]] = {
    "path": (str,),
    "target": (str,),
    "date": (str,),
    "exog": (list, str),
    "known_ahead": (list, str),
    "name": (str,),
    "test_size": (int, float),
    "horizon": (int,),
    "season_length": (int,),
    "lstm_window": (int,),
}


def _csv_entry(table: Any, where: str, base: Path) -> CsvDataset:
    table = _check_table(table, _CSV_KEYS, where)
    for required in ("path", "target"):
        if required not in table:
            raise ConfigError(f"{where}: missing key {required!r}")
    entry = dict(table)
    path = Path(entry["path"])
    entry["path"] = str(path if path.is_absolute() else base / path)
    for key in ("exog", "known_ahead"):
        if key in entry:
            entry[key] = _str_list(entry[key], f"{where}.{key}")
    return CsvDataset(**entry)


_TOP_KEYS = (
    "datasets",
    "models",
    "seeds",
    "out",
    "jobs",
    "cache_dir",
    "executor",
    "scheduler",
    "mse_all_points",
    "protocol",
    "dataset",
    "model",
    "csv",
)


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
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    return config_from_dict(raw, str(file), file.parent)


def config_from_dict(
    raw: dict[str, Any], where: str = "config", base: Path | None = None
) -> RunConfig:
    """Validate a config mapping (the parsed TOML) into a :class:`RunConfig`."""
    base = base or Path.cwd()
    for key in raw:
        if key not in _TOP_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_TOP_KEYS)})")
    kwargs: dict[str, Any] = {}
    if "datasets" in raw:
        kwargs["datasets"] = _str_list(raw["datasets"], f"{where}: datasets")
    if "models" in raw:
        kwargs["models"] = _str_list(raw["models"], f"{where}: models")
    if "seeds" in raw:
        kwargs["seeds"] = parse_seeds(raw["seeds"], f"{where}: seeds")
    if "out" in raw:
        _check_type(raw["out"], (str,), f"{where}: out")
        kwargs["out"] = str(raw["out"])
    if "jobs" in raw:
        _check_type(raw["jobs"], (int,), f"{where}: jobs")
        kwargs["jobs"] = raw["jobs"]
    for key in ("cache_dir", "executor", "scheduler"):
        if key in raw:
            _check_type(raw[key], (str,), f"{where}: {key}")
            kwargs[key] = raw[key]
    if "mse_all_points" in raw:
        _check_type(raw["mse_all_points"], (bool,), f"{where}: mse_all_points")
        kwargs["mse_all_points"] = raw["mse_all_points"]
    if "protocol" in raw:
        kwargs["protocol"] = _check_protocol(raw["protocol"], f"{where}: protocol")
    if "dataset" in raw:
        if not isinstance(raw["dataset"], dict):
            raise ConfigError(f"{where}: dataset: expected tables [dataset.NAME]")
        kwargs["dataset_options"] = {
            name: _check_protocol(table, f"{where}: dataset.{name}")
            for name, table in raw["dataset"].items()
        }
    if "model" in raw:
        if not isinstance(raw["model"], dict):
            raise ConfigError(f"{where}: model: expected tables [model.NAME]")
        params: dict[str, dict[str, Any]] = {}
        for name, table in raw["model"].items():
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: model.{name}: expected a table, got {table!r}")
            params[name] = dict(table)
        kwargs["model_params"] = params
    if "csv" in raw:
        tables = raw["csv"] if isinstance(raw["csv"], list) else [raw["csv"]]
        kwargs["csv"] = tuple(
            _csv_entry(t, f"{where}: csv[{i}]", base) for i, t in enumerate(tables)
        )
        if "datasets" not in raw:
            kwargs["datasets"] = ()
    config = RunConfig(**kwargs)
    validate(config, where)
    return config


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
                f"{where}: unknown dataset {name!r} (known: {', '.join(dataset_names())})"
            )
    names = config.all_datasets()
    if not names:
        raise ConfigError(f"{where}: no dataset selected")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"{where}: dataset {dup!r} is selected twice")
    for name in config.dataset_options:
        if name not in names:
            raise ConfigError(f"{where}: dataset.{name}: {name!r} is not a selected dataset")
    if not config.models:
        raise ConfigError(f"{where}: no model selected")
    for name in config.models:
        if name not in model_names():
            raise ConfigError(
                f"{where}: unknown model {name!r} (known: {', '.join(model_names())})"
            )
    for name, params in config.model_params.items():
        if name not in model_names():
            raise ConfigError(
                f"{where}: model.{name}: unknown model {name!r} (known: {', '.join(model_names())})"
            )
        validate_params(get_model(name).cls(), params, f"{where}: model.{name}")
    if config.executor not in ("local", "dask"):
        raise ConfigError(f"{where}: executor must be 'local' or 'dask', got {config.executor!r}")
    if config.executor == "dask" and not config.scheduler:
        raise ConfigError(f"{where}: executor 'dask' needs a scheduler address (--scheduler)")
    for name in config.rerun:
        if name not in config.models:
            raise ConfigError(f"{where}: --rerun {name!r} is not a selected model")
    if config.jobs < 1:
        raise ConfigError(f"{where}: jobs must be at least 1, got {config.jobs}")
    if not config.seeds:
        raise ConfigError(f"{where}: seeds: at least one seed is needed")
