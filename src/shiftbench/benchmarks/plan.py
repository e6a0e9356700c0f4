"""The grid of a run: (dataset, model, seed) cells, each with its model's spec, its time
limit and its cache key, and the order they are dispatched in."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

from shiftbench._version import __version__
from shiftbench.benchmarks.cache import cell_identity, identity_key
from shiftbench.config import RunConfig
from shiftbench.errors import DataError
from shiftbench.fingerprint import code_identity, fingerprint_id
from shiftbench.models import ModelSpec
from shiftbench.types import Collection, Dataset, members_of


@dataclass(frozen=True)
class Cell:
    """One unit of work: a model and seed over a dataset's series (all of them, or a chunk of
    a collection's)."""

    dataset: str
    members: tuple[Dataset, ...]
    spec: ModelSpec
    seed: int | None
    all_points: bool = False
    key: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    chunk: int = 0
    #: seconds it may run before it is stopped (None: no limit)
    timeout: float | None = None

    @property
    def model(self) -> str:
        return self.spec.name


def _chunks(members: tuple[Dataset, ...], size: int) -> list[tuple[Dataset, ...]]:
    return [members[i : i + size] for i in range(0, len(members), size)]


def plan_cells(
    config: RunConfig,
    datasets: list[Dataset | Collection],
    specs: dict[str, ModelSpec] | None = None,
) -> list[Cell]:
    """The grid in report order: dataset, then model, then seed (seeded models only); a
    collection's cell is split into chunks of at most ``chunk_size`` series, so that workers
    share it.

    Each cell carries its model's spec (``specs``: by default the config's), its time limit
    (the model's ``timeout``, else the run's), and its cache key (see
    :mod:`shiftbench.benchmarks.cache`), which includes the fingerprint of the code that
    computes it (:func:`model_code`).
    """
    specs = specs if specs is not None else config.model_specs()
    cells = []
    codes = {name: model_code(specs[name]) for name in config.models}
    for ds in datasets:
        for name in config.models:
            spec = specs[name]
            members = members_of(ds)
            if spec.refit_every is not None:  # the model's own re-estimation schedule
                members = tuple(
                    m.with_protocol(replace(m.protocol, refit_every=spec.refit_every))
                    for m in members
                )
            seeded = spec.capabilities.seeded
            seeds: tuple[int | None, ...] = tuple(config.seeds) if seeded else (None,)
            timeout = spec.timeout if spec.timeout is not None else config.timeout
            for seed in seeds:
                full = spec.resolved_params(
                    members[0], {"seed": seed} if seeded and seed is not None else {}
                )
                if spec.capabilities.kind == "event":
                    if members[0].event is None:
                        raise DataError(
                            f"model {name!r}: dataset {ds.name!r} has no event question; "
                            f"define one in the config ([event.{ds.name}]) or leave the model out"
                        )
                    # the definition decides what an event classifier learns: part of its key
                    full = {**full, "event": dataclasses.asdict(members[0].event)}
                for chunk, part in enumerate(_chunks(members, config.chunk_size)):
                    identity = cell_identity(
                        part, name, full, seed, config.mse_all_points, __version__, codes[name]
                    )
                    cells.append(
                        Cell(
                            ds.name,
                            part,
                            spec,
                            seed,
                            config.mse_all_points,
                            identity_key(identity),
                            identity,
                            chunk,
                            timeout,
                        )
                    )
    return cells


def model_code(spec: ModelSpec) -> dict[str, Any]:
    """The fingerprint of the code behind a model's cells: shiftbench's source, the numerical
    libraries and the model's own ``dependencies``, and for a model defined outside shiftbench
    the source of its module (:mod:`shiftbench.fingerprint`)."""
    cls = spec.cls()
    module = cls.__module__
    outside = module != "shiftbench" and not module.startswith("shiftbench.")
    dependencies = getattr(cls, "dependencies", ())
    return code_identity(
        dependencies if isinstance(dependencies, tuple) else (), (module,) if outside else ()
    )


def code_entry(specs: dict[str, ModelSpec]) -> dict[str, Any]:
    """What the manifest records of the code behind a run: the sha256 of shiftbench's source
    and each model's fingerprint (the library versions are in ``versions``)."""
    return {
        "shiftbench_sha256": code_identity()["shiftbench"],
        "fingerprints": {name: fingerprint_id(model_code(spec)) for name, spec in specs.items()},
    }


def expected_cost(cell: Cell) -> float:
    """A rough cost estimate for scheduling: series length times the weight of the model's cost
    (training an LSTM and searching an ARIMA order cost about the same per point; baselines
    cost nothing)."""
    cost = cell.spec.capabilities.cost
    weight = 3.0 if cost in ("fit", "training") else 0.01
    return weight * sum(len(m) for m in cell.members)


def dispatch_order(cells: list[Cell]) -> list[int]:
    """Longest expected first (LPT scheduling), ties in the planned order."""
    return sorted(range(len(cells)), key=lambda i: (-expected_cost(cells[i]), i))
