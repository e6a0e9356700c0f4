"""The config's type check: the rules a TOML value meets (ints are floats too, bools are not
numbers, arrays fit tuples), a type the checker does not know fails closed, and a user's
constructor parameter it cannot check is left to the constructor."""

from __future__ import annotations

import sys
import textwrap
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from shiftbench.config import check_value, config_from_dict, constructor_schema
from shiftbench.errors import ConfigError
from shiftbench.models import get_model, model_names


@pytest.mark.parametrize(
    ("value", "annotation", "fits"),
    [
        (3, float, True),  # an int is a float too
        (3.0, int, False),  # a float is not an int, even a whole one
        (True, int, False),  # a bool is not a number
        (False, float, False),
        (True, int | float, False),
        (True, bool, True),
        (1, bool, False),
        (True, Literal[1], False),  # True == 1 in Python, not in a config
        ("c", Literal["n", "c"], True),
        ("x", Literal["n", "c"], False),
        ("3", int, False),  # nothing is parsed from a string
        (3, str, False),
        (None, int | None, True),
        (None, int, False),
    ],
)
def test_scalars_meet_the_configs_rules(value: object, annotation: Any, fits: bool) -> None:
    assert check_value(value, annotation) is fits


@pytest.mark.parametrize(
    ("value", "annotation", "fits"),
    [
        ([1, 2], tuple[int, ...], True),  # a TOML array fits a tuple
        ([], tuple[int, ...], True),
        ([1, 2, 3], tuple[int, int, int], True),
        ([1, 2], tuple[int, int, int], False),  # of its length
        ([1, 2.5], tuple[int, ...], False),
        ([1, 2.5], tuple[float, ...], True),
        ([True], tuple[float, ...], False),
        ([0, 1, 1], tuple[int, int, int] | None, True),
        ("ab", tuple[str, ...], False),  # a string is not an array of its letters
        ({"a": 1}, tuple[int, ...], False),
        ((1, 2), list[int], True),
        ({"a": 1}, dict[str, int], True),
        ({"a": "x"}, dict[str, int], False),  # checked, no longer let through
    ],
)
def test_arrays_and_tables_are_checked_item_by_item(
    value: object, annotation: Any, fits: bool
) -> None:
    assert check_value(value, annotation) is fits


class _Estimator:
    """A class a TOML file cannot hold."""


@pytest.mark.parametrize(
    "annotation",
    [
        _Estimator,  # an arbitrary class: only its instances
        Path,
        Callable[[int], int],
        Literal[1.5],  # a literal the checker cannot hold
        list[int] | tuple[str, str],  # two array types in one union
    ],
)
def test_a_type_the_checker_does_not_know_fails_closed(annotation: Any) -> None:
    for value in ("x", 1, 1.5, [1], {"a": 1}, True):
        assert not check_value(value, annotation)


def test_any_accepts_a_value_as_given() -> None:
    assert all(check_value(v, Any) for v in ("x", 1, [1, [2]], {"a": {}}, None))


def test_every_built_in_models_parameters_are_checked_by_their_annotations() -> None:
    for name in model_names():
        cls = get_model(name).cls()
        hints = typing.get_type_hints(cls.__init__)
        for key, annotation in constructor_schema(cls).items():
            if key != "*":
                assert annotation == hints[key], (name, key)  # none left unchecked by mistake


_USER_MODULE = """
    from __future__ import annotations

    from typing import TYPE_CHECKING

    from shiftbench.forecaster import BaseForecaster

    if TYPE_CHECKING:
        from somewhere_else import Thing  # never importable at run time


    class Estimator:
        def __init__(self, depth: int = 1) -> None:
            self.depth = depth


    class Mine(BaseForecaster):
        def __init__(
            self,
            *,
            alpha: float = 0.5,
            thing: Thing | None = None,
            estimator: Estimator | None = None,
            order: tuple[int, int] = (1, 1),
        ) -> None:
            if estimator is not None and not isinstance(estimator, (Estimator, str)):
                raise TypeError(f"estimator: expected an Estimator or its name, got {estimator!r}")
            self.alpha = alpha
            self.thing = thing
            self.estimator = estimator
            self.order = order

        def fit(self, y, exog=None):
            return self

        def update(self, y_new, exog_new=None):
            return self

        def forecast(self, horizon, exog_future=None):
            raise NotImplementedError
"""


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A user's module on the Python path: a forecaster whose constructor names a class only
    type checkers can import, and an arbitrary class."""
    (tmp_path / "users_models.py").write_text(textwrap.dedent(_USER_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "users_models"
    sys.modules.pop("users_models", None)


def test_a_users_annotations_that_cannot_be_checked_are_left_to_the_constructor(
    user_module: str,
) -> None:
    cls = __import__(user_module).Mine
    schema = constructor_schema(cls)
    assert schema == {"alpha": float, "thing": Any, "estimator": Any, "order": tuple[int, int]}


def _section(user_module: str, **params: object) -> dict[str, object]:
    return {
        "datasets": ["sales"],
        "models": ["mine"],
        "model": {"mine": {"class": f"{user_module}:Mine", **params}},
    }


def test_a_value_for_an_unchecked_parameter_is_accepted_as_given(user_module: str) -> None:
    config = config_from_dict(
        _section(user_module, thing=[1, "a"], estimator="deep"), "c.toml", Path.cwd()
    )
    assert config.model_params["mine"]["thing"] == [1, "a"]


def test_an_unchecked_value_the_constructor_refuses_is_a_config_error(user_module: str) -> None:
    with pytest.raises(ConfigError, match=r"^c\.toml: model\.mine: estimator: expected an Est"):
        config_from_dict(_section(user_module, estimator=3), "c.toml", Path.cwd())


def test_a_users_checked_parameters_are_still_checked_beside_unchecked_ones(
    user_module: str,
) -> None:
    with pytest.raises(ConfigError, match=r"model\.mine\.alpha: expected float, got 'high'"):
        config_from_dict(_section(user_module, alpha="high"), "c.toml", Path.cwd())
    with pytest.raises(ConfigError, match=r"model\.mine\.order: expected tuple\[int, int\]"):
        config_from_dict(_section(user_module, order=[1, 2, 3]), "c.toml", Path.cwd())
