"""docs/config.md documents every key the config reads and every SHIFTBENCH_* variable the
code reads, so the reference and the code cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shiftbench.config import EVENT_SCHEMA, PROTOCOL_SCHEMA, CsvDataset, toml_keys
from shiftbench.models import get_model, model_names

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of the section whose heading starts with ``title``."""
    parts = re.split(r"^## ", DOC, flags=re.MULTILINE)
    return next(p for p in parts if p.startswith(title))


def test_every_top_level_key_is_documented() -> None:
    table = _section("Top-level keys")
    assert [k for k in toml_keys() if f"| `{k}` |" not in table] == []


@pytest.mark.parametrize(
    ("title", "keys"),
    [
        ("`[protocol]`", list(PROTOCOL_SCHEMA)),
        ("`[[csv]]`", [f.removeprefix("_") for f in CsvDataset.__dataclass_fields__]),
        ("`[event.NAME]`", list(EVENT_SCHEMA)),
    ],
)
def test_every_key_of_a_table_is_documented(title: str, keys: list[str]) -> None:
    section = _section(title)
    assert [k for k in keys if f"`{k}`" not in section] == []


@pytest.mark.parametrize("name", model_names())
def test_every_model_parameter_is_documented(name: str) -> None:
    section = _section("`[model.NAME]`")
    params = get_model(name).cls()._param_names()
    assert f"`{name}`" in section
    assert [p for p in params if f"`{p}`" not in section] == []


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    read = set()
    for path in (ROOT / "src" / "shiftbench").rglob("*.py"):
        read |= set(re.findall(r"SHIFTBENCH_[A-Z_]+", path.read_text(encoding="utf-8")))
    table = _section("Environment variables")
    assert read
    assert sorted(v for v in read if f"`{v}`" not in table) == []
