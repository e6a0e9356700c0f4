"""Figures as SVG text (matplotlib, Agg). No string from a config or a data file is drawn into a
figure: names and verdicts go into the HTML or Markdown around it, where they are escaped."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd

ACTUAL, FORECAST, SHIFTED = "#222222", "#1f77b4", "#d62728"

#: What stands in for a figure that cannot be drawn.
UNAVAILABLE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="460" height="40" viewBox="0 0 460 40">'
    '<text x="8" y="24" font-size="13">This figure could not be drawn from these values.</text>'
    "</svg>"
)

#: The SVG elements and attributes matplotlib's SVG backend writes for these figures.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "path", "rect", "defs", "clipPath", "use", "style", "text", "title",
        "metadata", "RDF", "Work", "format", "type", "date", "creator", "Agent", "line",
        "polyline", "polygon", "circle", "ellipse", "tspan", "desc",
    }
)  # fmt: skip
SVG_ATTRIBUTES = frozenset(
    {
        "clip-path", "d", "height", "href", "id", "resource", "style", "transform", "type",
        "version", "viewBox", "width", "x", "y", "x1", "x2", "y1", "y2", "points", "cx", "cy",
        "r", "rx", "ry", "fill", "stroke", "stroke-width", "opacity", "font-size",
        "font-family", "text-anchor", "about",
    }
)  # fmt: skip
ZOOM = 60  # origins shown in the overlay


def is_safe_svg(text: str) -> bool:
    """Whether an SVG text is one these figures could be: only :data:`SVG_ELEMENTS` and
    :data:`SVG_ATTRIBUTES`, no event handler, no reference outside the document, no script in a
    style, no DOCTYPE or entity. Used before a figure read back from the cache is inlined.

    >>> is_safe_svg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M 0 0"/></svg>')
    True
    >>> is_safe_svg('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    False
    >>> is_safe_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    False
    >>> is_safe_svg('<svg xmlns="http://www.w3.org/2000/svg"><!-- $10^{-8}$ --></svg>')
    True
    >>> is_safe_svg('<svg xmlns="http://www.w3.org/2000/svg"><!-- a -- b --></svg>')
    False
    """
    # comments (matplotlib writes mathtext labels as comments) are inert; a DOCTYPE, an entity
    # or a CDATA section is not accepted
    if not text.startswith("<svg") or "<!" in text.replace("<!--", "") or "<?" in text:
        return False
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return False
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.split("}")[-1] not in SVG_ELEMENTS:
            return False
        for name, value in element.attrib.items():
            local = name.split("}")[-1]
            if local not in SVG_ATTRIBUTES:
                return False
            lowered = value.lower()
            if local == "href" and not value.startswith("#"):
                return False
            if "javascript:" in lowered or ("url(" in lowered and "url(#" not in lowered):
                return False
        body = (element.text or "").lower()
        if element.tag.endswith("style") and ("@import" in body or "url(" in body):
            return False
    return True


def _figure(width: float = 6.4, height: float = 2.6) -> tuple[Any, Any]:
    fig, ax = _pyplot().subplots(figsize=(width, height))
    return fig, ax


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, in the figures' style."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.hashsalt": "shiftbench",
            "svg.fonttype": "none",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _svg(fig: Any, rect: tuple[float, float, float, float] = (0, 0, 1, 1)) -> str:
    """The figure as SVG text, laid out tightly within ``rect`` (figure fractions)."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.tight_layout(rect=rect)
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _legend(ax: Any, ncol: int = 4) -> None:
    """The legend above the plotting area, never over the data."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=ncol, frameon=False,
              borderaxespad=0.0)  # fmt: skip


def _time_axis(rows: pd.DataFrame) -> tuple[Any, str]:
    """The x values of forecast rows: their dates where the data have dates (``ds`` written as
    ISO dates), else the time index; and the axis label."""
    ds = rows.get("ds")
    if ds is not None and len(ds):
        text = ds.astype(str)
        if text.str.match(r"^\d{4}-\d{2}-\d{2}").all():
            dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
            if dates.notna().all():
                return dates.to_numpy(), "date (target of the one-step forecast)"
        numbers = pd.to_numeric(ds, errors="coerce")
        if numbers.notna().all():
            return numbers.to_numpy(dtype=np.float64), "time index (target of the forecast)"
    return np.arange(len(rows)), "test origin"


def _dated(fig: Any, ax: Any, x: Any) -> None:
    if np.issubdtype(np.asarray(x).dtype, np.datetime64):
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def overlay_svg(cell: pd.DataFrame, best_lag: int | None) -> str:
    """Actual, forecast, and the actual delayed by ``best_lag``, over the last origins.

    When the forecast is a delayed copy, its line lies on the delayed actual's.
    """
    one = cell[cell["h"] == 1].tail(ZOOM + (best_lag or 0))
    y = one["y"].to_numpy(dtype=np.float64)
    f = one["y_hat"].to_numpy(dtype=np.float64)
    t, xlabel = _time_axis(one)
    start = best_lag or 0
    fig, ax = _figure()
    ax.plot(t[start:], y[start:], color=ACTUAL, lw=1.4, label="actual")
    ax.plot(t[start:], f[start:], color=FORECAST, lw=1.2, label="forecast")
    if best_lag:
        ax.plot(
            t[start:],
            y[: len(y) - best_lag],
            color=SHIFTED,
            lw=1.0,
            ls="--",
            label=f"actual delayed {best_lag} step{'s' if best_lag > 1 else ''}",
        )
    ax.set_xlabel(f"{xlabel}; last {len(y) - start} origins")
    ax.set_ylabel("value")
    _dated(fig, ax, t)
    _legend(ax)
    return _svg(fig)


def intervals_svg(cell: pd.DataFrame) -> str:
    """One-step forecasts with their 80 % and 95 % intervals over the test span."""
    one = cell[cell["h"] == 1]
    t, xlabel = _time_axis(one)
    fig, ax = _figure()
    ax.fill_between(t, one["lo_95"], one["hi_95"], color=FORECAST, alpha=0.15, lw=0, label="95 %")
    ax.fill_between(t, one["lo_80"], one["hi_80"], color=FORECAST, alpha=0.3, lw=0, label="80 %")
    ax.plot(t, one["y"], color=ACTUAL, lw=1.4, label="actual")
    ax.plot(t, one["y_hat"], color=FORECAST, lw=1.2, label="forecast")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("value")
    _dated(fig, ax, t)
    _legend(ax)
    return _svg(fig)


def intervals_panels_svg(cells: list[pd.DataFrame], numbers: list[int]) -> str:
    """Side by side, one panel per model (titled by its number in the report's legend) on a
    shared value axis: the one-step 80 % and 95 % intervals, forecast and actual over the last
    :data:`ZOOM` origins, so that the models' widths and misses compare at a glance."""
    fig, axes = _pyplot().subplots(
        1, len(cells), figsize=(3.2 * len(cells) + 0.4, 2.6), sharey=True, squeeze=False
    )
    for ax, cell, number in zip(axes[0], cells, numbers, strict=True):
        one = cell[cell["h"] == 1].tail(ZOOM)
        t, _ = _time_axis(one)
        ax.fill_between(t, one["lo_95"], one["hi_95"], color=FORECAST, alpha=0.15, lw=0,
                        label="95 %")  # fmt: skip
        ax.fill_between(t, one["lo_80"], one["hi_80"], color=FORECAST, alpha=0.3, lw=0,
                        label="80 %")  # fmt: skip
        ax.plot(t, one["y"], color=ACTUAL, lw=1.2, label="actual")
        ax.plot(t, one["y_hat"], color=FORECAST, lw=1.0, label="forecast")
        outside = (one["y"] < one["lo_95"]) | (one["y"] > one["hi_95"])
        ax.plot(np.asarray(t)[outside.to_numpy()], one["y"][outside], "o", color=SHIFTED,
                ms=3, label="outside 95 %")  # fmt: skip
        ax.set_title(f"model {number}", fontsize=8)
        ax.set_xlabel(f"last {len(one)} origins")
        _dated(fig, ax, t)
    axes[0][0].set_ylabel("value")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, frameon=False)
    return _svg(fig, rect=(0, 0.08, 1, 1))


def calibration_svg(points: pd.DataFrame) -> str:
    """Observed against nominal coverage, one line per model (``number``: its number in the
    report's legend, drawn beside its last point), and the diagonal of perfect calibration."""
    fig, ax = _figure(width=3.6, height=3.0)
    ax.plot([0.75, 1.0], [0.75, 1.0], color=ACTUAL, lw=0.8, ls="--", label="nominal")
    low = 0.75
    ends: dict[tuple[float, float], list[str]] = {}  # models ending on the same point share a label
    for number, group in points.groupby("number", sort=True):
        g = group.sort_values("nominal")
        ax.plot(g["nominal"], g["observed"], "o-", lw=0.9, ms=3.5)
        last = g.iloc[-1]
        end = (float(last["nominal"]), round(float(last["observed"]), 3))
        ends.setdefault(end, []).append(str(number))
        low = min(low, float(g["observed"].min()))
    for (x, y), numbers in ends.items():
        ax.annotate(", ".join(numbers), (x, y), textcoords="offset points", xytext=(5, 0),
                    fontsize=7, va="center")  # fmt: skip
    ax.set_xlim(0.75, 1.0)
    ax.set_ylim(max(0.0, low - 0.03), 1.01)
    ax.set_xticks([0.8, 0.95], ["80 %", "95 %"])
    ax.set_xlabel("nominal coverage")
    ax.set_ylabel("observed coverage")
    _legend(ax, ncol=1)
    return _svg(fig)


def training_svg(history: pd.DataFrame) -> str:
    """Training and validation loss per epoch, one pair of lines per seed (log scale)."""
    fig, ax = _figure(height=2.4)
    for i, (seed, h) in enumerate(history.groupby("seed", sort=True)):
        color = f"C{i % 10}"
        label = f"seed {seed}" if str(seed).isdigit() else "loss"
        ax.plot(h["epoch"], h["loss"], color=color, lw=1.2, label=f"{label} loss")
        if h["val_loss"].notna().any():
            ax.plot(
                h["epoch"], h["val_loss"], color=color, lw=1.0, ls="--", label=f"{label} val. loss"
            )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss on scaled data (log)")
    _legend(ax, ncol=3)
    return _svg(fig)


def _boxplot_sideways() -> dict[str, Any]:
    import matplotlib

    version = tuple(matplotlib.__version_info__[:2])
    return {"orientation": "horizontal"} if version >= (3, 10) else {"vert": False}


def boxplot_svg(table: pd.DataFrame, numbers: list[int], label: str) -> str:
    """Per-series values of one metric by model (a box per model, outliers not drawn), models
    drawn as their numbers in the report's legend."""
    fig, ax = _figure(height=max(2.2, 0.32 * len(table.columns) + 0.8))
    data = [table[c].dropna().to_numpy(dtype=np.float64) for c in table.columns]
    # matplotlib 3.10 replaced ``vert=False`` by ``orientation="horizontal"`` (3.11 warns)
    ax.boxplot(data, showfliers=False, widths=0.6, **_boxplot_sideways())
    ax.set_yticks(range(1, len(data) + 1), [str(n) for n in numbers])
    ax.invert_yaxis()
    ax.set_ylabel("model")
    ax.set_xlabel(f"{label} per series")
    return _svg(fig)


def cd_svg(
    mean_ranks: list[float], numbers: list[int], cd: float, cliques: list[tuple[int, int]]
) -> str:
    """A critical-difference diagram (Demšar 2006): methods at their mean rank on the axis,
    a bar joining each group whose ranks differ by less than the CD, and the CD itself.

    Methods are drawn as numbers (their order in the report's legend), so no name read from a
    file is drawn into the figure.
    """
    k = len(mean_ranks)
    gap = 0.3 * (len(cliques) + 1)  # room for the clique bars under the axis
    fig, ax = _figure(height=1.0 + 0.22 * k + 0.1 * len(cliques))
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-(k + gap + 0.5), 2.2)
    ax.axhline(0, color=ACTUAL, lw=1.0)
    for r in range(1, k + 1):
        ax.plot([r, r], [0, 0.15], color=ACTUAL, lw=0.8)
        ax.text(r, 0.3, str(r), ha="center", fontsize=7)
    ax.plot([1, 1 + cd], [1.5, 1.5], color=SHIFTED, lw=2.0)
    ax.text(1 + cd / 2, 1.75, f"CD = {cd:.2f}", ha="center", fontsize=7, color=SHIFTED)
    for j, (lo, hi) in enumerate(cliques, start=1):
        ax.plot([mean_ranks[lo] - 0.03, mean_ranks[hi] + 0.03], [-0.3 * j] * 2, color=ACTUAL, lw=3)
    for i, rank in enumerate(mean_ranks, start=1):
        y = -(gap + i)
        ax.plot([rank, rank], [0, y], color=FORECAST, lw=0.8)
        ax.plot([rank, k + 0.2], [y, y], color=FORECAST, lw=0.5, ls=":")
        ax.text(k + 0.25, y, f"{numbers[i - 1]}  ({rank:.2f})", va="center", fontsize=7)
    ax.axis("off")
    ax.set_title("mean rank per series (1 = best); a bar joins methods not significantly apart")
    return _svg(fig)


def event_strip_svg(events: pd.DataFrame, numbers: list[int], models: list[str]) -> str:
    """Actual and predicted events over the test span: one strip per row (the actual events
    first, then each model by its number in the report's legend), a dark cell where the event
    happens (binary) or a shade per class."""
    import matplotlib.colors as mcolors

    first = events[events["model"] == models[0]]
    x, xlabel = _time_axis(first)
    rows = [first["actual"].to_numpy(dtype=np.float64)]
    for model in models:
        cell = events[events["model"] == model]
        cell = cell[cell["seed"] == sorted(set(cell["seed"]))[0]]
        rows.append(cell["predicted"].to_numpy(dtype=np.float64))
    length = min(len(r) for r in rows)
    grid = np.vstack([r[:length] for r in rows])
    top = max(1.0, float(np.nanmax(grid)))
    fig, ax = _figure(width=11.0, height=0.9 + 0.28 * len(rows))
    cmap = mcolors.LinearSegmentedColormap.from_list("events", ["#f2f2f2", SHIFTED])
    xs = np.asarray(x)[:length]
    if np.issubdtype(xs.dtype, np.datetime64):
        import matplotlib.dates as mdates

        start, end = mdates.date2num(xs[0]), mdates.date2num(xs[-1])
    else:
        start, end = float(xs[0]), float(xs[-1])
    ax.imshow(
        grid, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0.0, vmax=top,
        extent=(start - 0.5, end + 0.5, len(rows) - 0.5, -0.5),
    )  # fmt: skip
    if np.issubdtype(xs.dtype, np.datetime64):
        ax.xaxis_date()
        _dated(fig, ax, xs)
    ax.set_yticks(range(len(rows)), ["actual", *(str(n) for n in numbers)])
    ax.set_ylabel("model")
    ax.set_xlabel(xlabel)
    return _svg(fig)
