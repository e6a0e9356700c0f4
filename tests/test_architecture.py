"""The package's import graph: no cycles, no upward imports, nothing imports the package root.

Every ``import shiftbench...`` in ``src/`` counts, those inside functions included (a lazy import
is still a dependency). Modules are ranked in the order data flows (README, Architecture); a
module may import its own package and anything ranked strictly below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Rank of each module or package, from the bottom of the flow to the top.
RANKS: dict[str, int] = {
    "shiftbench._version": 0,
    "shiftbench.errors": 0,
    "shiftbench.files": 0,
    "shiftbench.executor_names": 0,
    "shiftbench.fingerprint": 1,
    "shiftbench.store": 2,
    "shiftbench.types": 1,
    "shiftbench.csvio": 1,
    "shiftbench.forecaster": 2,
    "shiftbench.rundir": 2,
    "shiftbench.seasonality": 2,
    "shiftbench.boxcox": 2,
    "shiftbench.eventspec": 2,
    "shiftbench.datasets": 3,
    "shiftbench.baselines": 3,
    "shiftbench.lstm": 3,
    "shiftbench.evaluation": 3,
    "shiftbench.benchmarks.executors": 3,
    "shiftbench.benchmarks.workers": 2,
    "shiftbench.adapters": 3,
    "shiftbench.models": 4,
    "shiftbench.config": 5,
    "shiftbench.benchmarks": 6,
    "shiftbench.reports": 7,
    "shiftbench.testing": 7,
    "shiftbench.progress": 7,
    "shiftbench.cli": 8,
    "shiftbench.__main__": 9,
    "shiftbench": 9,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (SRC / "shiftbench").rglob("*.py")}


def _imports(path: Path, known: set[str]) -> set[str]:
    """The shiftbench modules a file imports (``from a import b`` counts a.b if it is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "shiftbench"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "shiftbench":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) - {name} for name, path in modules.items()}


def _group(module: str) -> str:
    """The most specific entry of :data:`RANKS` that a module belongs to."""
    candidates = [k for k in RANKS if module == k or module.startswith(k + ".")]
    return max(candidates, key=len)


def test_every_module_has_a_rank() -> None:
    unranked = [m for m in _modules() if not any(m == k or m.startswith(k + ".") for k in RANKS)]
    assert unranked == []


def test_no_module_imports_one_ranked_above_it_or_a_sibling_package() -> None:
    bad = []
    for module, targets in _graph().items():
        source = _group(module)
        for target in targets:
            dest = _group(target)
            if dest == source:
                continue
            if RANKS[dest] >= RANKS[source]:
                bad.append(f"{module} -> {target}")
    assert sorted(bad) == []


def test_nothing_imports_the_package_root() -> None:
    importers = [m for m, targets in _graph().items() if "shiftbench" in targets]
    assert importers == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("shiftbench.evaluation", ("open(", "write_text", "read_text", "to_csv", "read_csv")),
    ],
)
def test_evaluation_does_no_io(module: str, forbidden: tuple[str, ...]) -> None:
    folder = SRC / Path(*module.split("."))
    offenders = [
        f"{path.name}: {word}"
        for path in folder.rglob("*.py")
        for word in forbidden
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", ["shiftbench.evaluation", "shiftbench.reports"])
def test_evaluation_and_reports_depend_on_the_schema_not_on_io_or_the_cache(layer: str) -> None:
    """They read results and the run directory's schema; reading and writing run directories
    (rundir.io), the cell cache and the engine are their callers' business."""
    forbidden = ("shiftbench.rundir.io", "shiftbench.rundir.provenance", "shiftbench.benchmarks")
    graph = _graph()
    offenders = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if target == "shiftbench.rundir" or target.startswith(forbidden)
    ]
    assert offenders == []


def test_config_reads_the_executors_names_without_importing_the_engine() -> None:
    assert not [t for t in _graph()["shiftbench.config"] if t.startswith("shiftbench.benchmarks")]


#: The most lines a source file may have: past it, a module does more than one job.
MAX_LINES = 500


def test_no_source_file_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in (SRC / "shiftbench").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
