"""The config's type checks: a value against a type annotation (msgspec's strict conversion),
a table against a schema of annotations, and the schemas derived from dataclasses and model
constructors.

msgspec rather than pydantic or cattrs: its strict rules are the config's as they stand (an int
fits a float, a bool is no number, a TOML array fits a ``tuple[...]`` of its length,
``Literal[1]`` does not take ``True``), where pydantic's strict mode refuses an array for a tuple
and takes ``True`` for ``Literal[1]``, and cattrs converts rather than checks (``"3"`` becomes
3); and it is one small compiled package with no dependencies of its own. A type it cannot check
fails closed; a constructor parameter that names an arbitrary class, or whose annotation does not
resolve, is accepted as given and checked by the constructor before the run
(:func:`constructor_schema`).
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import fields
from typing import Any

import msgspec

from shiftbench.errors import ConfigError
from shiftbench.forecaster import BaseForecaster

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


def check_value(value: Any, annotation: Any) -> bool:
    """Whether a config value fits a type annotation, by msgspec's strict conversion
    (``msgspec.convert(value, annotation, strict=True)``): ints are floats too, bools are not
    numbers, a TOML array fits a ``tuple[...]`` (of its length, for a fixed one) as it fits a
    ``list[...]``, and nothing is parsed from a string.

    An annotation msgspec cannot check (``Literal[1.5]``, a union of two array types) fits no
    value, and one that names an arbitrary class fits only its instances, which TOML never
    gives: the check fails closed. A parameter whose values are to be accepted as given says
    so with :data:`~typing.Any` (:func:`constructor_schema`).

    >>> from pathlib import Path
    >>> check_value(3, float), check_value(True, int), check_value([1, 2], tuple[int, ...])
    (True, False, True)
    >>> check_value([1, 2], tuple[int, int, int]), check_value("x", Path), check_value("x", Any)
    (False, False, True)
    """
    try:
        msgspec.convert(value, annotation, strict=True)
    except (msgspec.ValidationError, TypeError):  # TypeError: a type msgspec cannot check
        return False
    return True


def checked_annotation(annotation: Any) -> Any:
    """The annotation of a constructor parameter as the config checks it: itself where msgspec
    knows every type in it (builtin scalars, tuples, lists, dicts, unions and literals of them,
    dates, enums), :data:`~typing.Any` where it names an arbitrary class (an estimator, a
    callable, a path) or a form msgspec cannot check. Such a value is accepted as given, and
    checked by the model's constructor before the run (:func:`validate_params`).

    >>> from pathlib import Path
    >>> checked_annotation(tuple[int, int] | None), checked_annotation(Path)
    (tuple[int, int] | None, typing.Any)
    """
    try:
        msgspec.json.schema(annotation)  # refuses a custom class or an unsupported form
    except TypeError:
        return Any
    return annotation


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
    it takes ``**kwargs``.

    The annotations are those the config can check (:func:`checked_annotation`). A parameter
    without one, with one that does not resolve (a name imported only for type checkers), or
    with one that names an arbitrary class is :data:`~typing.Any`: its value is accepted as
    given, and checked when the model is constructed before the run (:func:`validate_params`).
    """
    hints = _resolved_annotations(cls.__init__)
    signature = inspect.signature(cls.__init__)
    out: dict[str, Any] = {}
    for name, p in signature.parameters.items():
        if name == "self" or p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            out[ANY_KEY] = Any
        elif not issubclass(cls, BaseForecaster) or p.kind is p.KEYWORD_ONLY:
            out[name] = checked_annotation(hints.get(name, Any))
    return out


def _resolved_annotations(function: Any) -> dict[str, Any]:
    """A function's annotations resolved (``typing.get_type_hints``); where one does not
    resolve, the others one by one, and that one left out."""
    try:
        return typing.get_type_hints(function)
    except Exception:  # a user's annotation may fail in any way: resolve the others alone
        pass
    namespace = getattr(function, "__globals__", {})
    out: dict[str, Any] = {}
    for name, raw in inspect.get_annotations(function).items():
        alone = types.SimpleNamespace(__annotations__={name: raw})
        try:
            out.update(typing.get_type_hints(alone, globalns=namespace))
        except Exception:
            continue
    return out
