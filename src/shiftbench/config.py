"""The run configuration: a TOML file (documented key by key in ``examples/default.toml``) and the
command-line options that override it, validated into one frozen :class:`RunConfig`.

Every unknown key, wrong type, or unknown dataset or model name raises :class:`ConfigError` with a
message that names the file and the key.

One checker (:func:`check_table`) validates every table against a schema of type annotations,
and every schema is derived from a dataclass or a constructor: the ``[protocol]`` and
``[dataset.NAME]`` keys from :class:`~shiftbench.types.Protocol` (plus ``season_length``),
``[[csv]]`` from :class:`CsvDataset`, the top-level keys from :class:`RunConfig`, and
``[model.NAME]`` from the model's constructor (plus ``refit_every``).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_args, get_origin

from shiftbench.benchmarks.executors import EXECUTORS, executor_names
from shiftbench.datasets import DEFAULT_DATASETS, dataset_names
from shiftbench.errors import ConfigError, InputError
from shiftbench.forecaster import BaseForecaster
from shiftbench.models import (
    DEFAULT_MODELS,
    HARNESS_KEYS,
    ModelSpec,
    define_model,
    get_model,
    model_names,
)
from shiftbench.types import Protocol

DEFAULT_SEEDS: tuple[int, ...] = (0, 1, 2)
#: Seeds must fit NumPy's and Keras's 32-bit seeds.
MAX_SEED = 2**32 - 1
#: More seeds than this in one run is a typo, not a study (each seed is a trained network);
#: the bound holds however the seeds are given (a count, a list, a comma-separated string).
MAX_SEEDS = 1000
#: The most test points (forecast origins) a protocol may ask for: a count beyond any series
#: shiftbench can hold in memory is a typo (the series' own length bounds it again at load time).
MAX_TEST_SIZE = 10**9
#: How much of a value an error message shows.
SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """A value as an error message shows it: its repr, cut to :data:`SHOWN_CHARS` characters
    (a hostile config may hold a megabyte string or a list nested a thousand deep).

    >>> len(shown("x" * 100)), shown("x" * 100)[-4:], shown([1, 2])
    (60, 'x...', '[1, 2]')
    """
    try:
        text = repr(value)
    except RecursionError:
        text = f"<a {type(value).__name__} nested too deep>"
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


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
    #: None: from the dates' frequency (12 for monthly, 7 for daily, …), 1 without dates
    season_length: int | None = None
    lstm_window: int = 3
    id: str | None = None
    min_length: int | None = None

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
    #: cells run side by side; by default one per core this process may use (results do not
    #: depend on it: every cell runs single-threaded, see shiftbench.benchmarks.runner)
    jobs: int = field(default_factory=lambda: default_jobs())
    protocol: dict[str, Any] = field(default_factory=dict)
    dataset_options: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata={"toml": "dataset"}
    )
    model_params: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata={"toml": "model"}
    )
    #: ``[event.NAME]``: a dataset's event question (kind, short, long, threshold, bins)
    events: dict[str, dict[str, Any]] = field(default_factory=dict, metadata={"toml": "event"})
    csv: tuple[CsvDataset, ...] = ()
    mse_all_points: bool = False
    cache_dir: str | None = None
    use_cache: bool = field(default=True, metadata={"toml": None})  # --no-cache only
    rerun: tuple[str, ...] = field(default=(), metadata={"toml": None})  # --rerun only
    executor: str = "local"
    scheduler: str | None = None
    chunk_size: int = 100
    #: seconds any cell may run before it is stopped and recorded as timed out (a model's own
    #: ``timeout`` in its section wins); None: no limit
    timeout: float | None = None

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
            "chunk_size",
            "cache_dir",
            "use_cache",
            "rerun",
            "executor",
            "scheduler",
        ):
            data.pop(where_and_how)
        text = json.dumps(data, sort_keys=True, default=_json_text)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def model_specs(self) -> dict[str, ModelSpec]:
        """Every selected model's spec: registered, or defined by its ``[model.NAME]`` section
        (with the section's parameters, ``refit_every`` and ``timeout``)."""
        out = {}
        for name in self.models:
            section = self.model_params.get(name)
            out[name] = (
                get_model(name)
                if section is None
                else define_model(name, section, f"config: model.{name}")
            )
        return out


def _json_text(value: Any) -> Any:
    """A config value JSON cannot hold (a regressor instance from the Python API): a tuple or
    set as a list, anything else as its repr."""
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return repr(value)


#: Worker processes beyond the cores only oversubscribe them, and each holds its own copy of
#: the libraries (some 200 MB): at most this many per core, and never fewer than MIN_MAX_JOBS.
JOBS_PER_CORE = 4
MIN_MAX_JOBS = 32


def max_jobs() -> int:
    """The most worker processes ``jobs`` may ask for on this machine.

    >>> max_jobs() >= MIN_MAX_JOBS
    True
    """
    return max(MIN_MAX_JOBS, JOBS_PER_CORE * default_jobs())


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one).

    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def check_value(value: Any, annotation: Any) -> bool:
    """Whether a config value fits a type annotation (int, float, str, bool, tuples, lists,
    unions, literals); ints are floats too, bools are not numbers.

    >>> check_value(3, float), check_value(True, int), check_value([1, 2], tuple[int, ...])
    (True, False, True)
    """
    if annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(check_value(value, arg) for arg in get_args(annotation))
    if origin is typing.Literal:
        return value in get_args(annotation)
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if origin in (tuple, list):
        args = get_args(annotation)
        if not isinstance(value, list | tuple):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(
                check_value(v, a) for v, a in zip(value, args, strict=True)
            )
        return all(check_value(v, args[0]) for v in value) if args else True
    return isinstance(value, annotation) if isinstance(annotation, type) else True


def describe(annotation: Any) -> str:
    """An annotation as a reader would write it."""
    text = str(annotation).replace("typing.", "")
    return text.replace("<class '", "").replace("'>", "")


def check_table(table: Any, schema: dict[str, Any], where: str) -> dict[str, Any]:
    """A TOML table whose keys are all in ``schema`` with values of the annotated types."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, got {shown(table)}")
    for key, value in table.items():
        if key not in schema:
            raise ConfigError(f"{where}: unknown key {shown(key)} (known: {', '.join(schema)})")
        if not check_value(value, schema[key]):
            raise ConfigError(
                f"{where}.{key}: expected {describe(schema[key])}, got {shown(value)}"
            )
    return dict(table)


def dataclass_schema(cls: type) -> dict[str, Any]:
    """Field name -> type annotation of a dataclass."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


#: The schema's entry that lets a constructor with ``**kwargs`` take any further key (checked
#: when the model is built, before the run).
ANY_KEY = "*"


def constructor_schema(cls: type[Any]) -> dict[str, Any]:
    """Parameter -> type annotation of a model's constructor (keyword-only parameters for a
    :class:`BaseForecaster`; every named parameter of another class); :data:`ANY_KEY` when
    it takes ``**kwargs``."""
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # annotations that do not resolve: checked by the constructor itself
        hints = {}
    signature = inspect.signature(cls.__init__)
    out: dict[str, Any] = {}
    for name, p in signature.parameters.items():
        if name == "self" or p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            out[ANY_KEY] = Any
        elif not issubclass(cls, BaseForecaster) or p.kind is p.KEYWORD_ONLY:
            out[name] = hints.get(name, Any)
    return out


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
    return checked


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
    if config.executor not in EXECUTORS:
        known = ", ".join(executor_names())
        raise ConfigError(f"{where}: executor: unknown {shown(config.executor)} (known: {known})")
    if EXECUTORS[config.executor].needs_scheduler and not config.scheduler:
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
