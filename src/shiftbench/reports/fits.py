"""The report's table of ARIMA-family fits: the orders each search chose, how, and what went
wrong (fallbacks, fits that did not converge), and the GARCH parameters; a pure function of the
run's :class:`~shiftbench.reports.data.ReportData`."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from shiftbench.reports.data import ReportData


@dataclass(frozen=True)
class FitRow:
    """How the ARIMA-family fits of one cell went: the orders chosen, how they were searched,
    and how many series fell back to a next-best order or stopped before converging."""

    dataset: str
    model: str
    series: int
    orders: str
    search: str
    fallbacks: int
    not_converged: int
    #: GARCH(1,1) parameters (one series) or how many fits were degenerate (a collection)
    garch: str = ""
    #: the fits' own notes and the cells' warnings (convergence), distinct, with counts
    warnings: list[str] = field(default_factory=list)


#: Below this α + (GARCH's ARCH terms), the conditional variance is constant in effect.
DEGENERATE_ALPHA = 1e-3


def _garch_text(fits: list[dict[str, object]]) -> str:
    garch = [f["garch"] for f in fits if isinstance(f.get("garch"), dict)]
    if not garch:
        return ""

    def alpha(g: object) -> float | None:
        values = g.get("alpha") if isinstance(g, dict) else None
        if isinstance(values, list) and values and all(_finite(v) for v in values):
            return float(sum(values))
        return None

    if len(garch) == 1:
        g = garch[0]
        assert isinstance(g, dict)
        parts = []
        for name, symbol in (("omega", "ω"), ("alpha", "α"), ("beta", "β"), ("nu", "ν")):
            value = g.get(name)
            if isinstance(value, list) and value and all(_finite(v) for v in value):
                value = float(sum(value))
            if _finite(value):
                parts.append(f"{symbol} = {float(value):.3g}")  # type: ignore[arg-type]
        text = ", ".join(parts)
        a = alpha(g)
        if a is not None and a < DEGENERATE_ALPHA:
            text += " (α ≈ 0: degenerate, the variance is constant and the intervals equal ARIMA's)"
        return text
    degenerate = sum(1 for g in garch if (a := alpha(g)) is not None and a < DEGENERATE_ALPHA)
    return f"{degenerate} of {len(garch)} fits degenerate (α ≈ 0: intervals equal ARIMA's)"


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive_number(value: object) -> bool:
    """A count read back from a manifest: only a real number above zero counts (a hand-edited
    or hostile string is not a fallback)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def arima_fits(data: ReportData) -> list[FitRow]:
    """One row per (dataset, model) of the cells whose fits report an order search (``arima``,
    ``arima_garch``), pooled over a collection's chunks; the first seed of a seeded model."""
    pooled: dict[tuple[str, str], list[dict[str, object]]] = {}
    warned: dict[tuple[str, str], Counter[str]] = {}
    seen_seed: dict[tuple[str, str], object] = {}
    for cell in data.manifest.get("cells", []):
        info = cell.get("info")
        if not isinstance(info, dict):
            continue
        key = (str(cell.get("dataset")), str(cell.get("model")))
        # a collection's chunk maps each series to what its fit chose; a single series' cell
        # holds that directly (the manifest's cell entry)
        entries = list(info.values()) if data.collection(key[0]) else [info]
        fits = [v for v in entries if isinstance(v, dict) and "fallbacks" in v]
        if not fits:
            continue
        if seen_seed.setdefault(key, cell.get("seed")) != cell.get("seed"):
            continue
        pooled.setdefault(key, []).extend(fits)
        counter = warned.setdefault(key, Counter())
        for text in cell.get("warnings") or []:
            counter[str(text)] += 1
        for f in fits:
            notes = f.get("notes")
            for text in notes if isinstance(notes, list) else []:
                counter[str(text)] += 1
    rows = []
    for (dataset, model), fits in pooled.items():
        labels = Counter(str(f.get("model", f.get("order"))) for f in fits)
        if len(labels) == 1:
            orders = next(iter(labels))
        else:
            label, count = labels.most_common(1)[0]
            orders = f"{len(labels)} distinct; most often {label} ({count})"
        rows.append(
            FitRow(
                dataset=dataset,
                model=model,
                series=len(fits),
                orders=orders,
                search=", ".join(sorted({str(f.get("search", "")) for f in fits} - {""})),
                fallbacks=sum(1 for f in fits if _positive_number(f.get("fallbacks"))),
                not_converged=sum(1 for f in fits if f.get("converged") is False),
                garch=_garch_text(fits),
                warnings=[
                    text if n == 1 else f"{text} (×{n})"
                    for text, n in warned.get((dataset, model), Counter()).most_common(5)
                ],
            )
        )
    return rows
