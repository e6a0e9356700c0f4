def test_arima_fits_pool_a_collections_chunks_and_count_fallbacks() -> None:
    from types import SimpleNamespace
    from typing import cast

    from shiftbench.reports.tables import arima_fits
    from shiftbench.rundir import RunData

    def fit(label: str, fallbacks: int = 0, converged: bool = True) -> dict[str, object]:
        return {
            "model": label,
            "search": "exact ML",
            "fallbacks": fallbacks,
            "converged": converged,
        }

    cells = [
        {
            "dataset": "m3",
            "model": "arima",
            "seed": None,
            "info": {"a": fit("A"), "b": fit("B", 1)},
        },
        {"dataset": "m3", "model": "arima", "seed": None, "info": {"c": fit("A", 0, False)}},
        {"dataset": "m3", "model": "naive", "seed": None, "info": {"a": {}}},
        {"dataset": "sales", "model": "arima", "seed": None, "info": {"sales": fit("C")}},
    ]
    rows = arima_fits(cast(RunData, SimpleNamespace(manifest={"cells": cells})))
    assert [(r.dataset, r.series, r.fallbacks, r.not_converged) for r in rows] == [
        ("m3", 3, 1, 1),
        ("sales", 1, 0, 0),
    ]
    assert rows[0].orders == "2 distinct; most often A (2)"
    assert rows[1].orders == "C"
