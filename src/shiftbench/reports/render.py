"""Render ``report.html``, ``report.md`` and ``tables.tex`` from a run directory alone.

Every string that comes from a config or a data file is escaped for its target: HTML by Jinja's
autoescaping, Markdown by :func:`md_escape`, LaTeX by :func:`tex_escape`. Figures carry no such
strings (see :mod:`shiftbench.reports.plots`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from shiftbench.evaluation.assess import REFERENCES
from shiftbench.evaluation.events import EVENT_METRICS
from shiftbench.evaluation.shift import VERDICTS
from shiftbench.files import write_atomic
from shiftbench.fingerprint import code_identity
from shiftbench.reports import plots
from shiftbench.reports.calibration import calibration_rows, coverage_points
from shiftbench.reports.data import ReportData, report_data
from shiftbench.reports.escape import (
    md_code,
    md_escape,
    md_finalize,
    md_join,
    md_path,
    shell_command,
)
from shiftbench.reports.event_tables import event_board
from shiftbench.reports.fits import arima_fits
from shiftbench.reports.horizons import horizon_board
from shiftbench.reports.numbers import duration
from shiftbench.reports.replay import replay_board
from shiftbench.reports.sections import DatasetSection, Figure
from shiftbench.reports.tables import (
    LABELS,
    fmt,
    leaderboard,
    per_series,
    ranks,
    shift_rows,
    shift_shares,
    summary,
)
from shiftbench.reports.tex import render_tex
from shiftbench.rundir.schema import RunData

FIGURES = "figures"


def _reproduce(data: ReportData) -> str:
    """The command that reproduces the run, shell-quoted so that it means what it says."""
    command = data.manifest.get("command")
    if isinstance(command, list) and command:
        return shell_command(command)
    config = data.manifest.get("config", {})
    seeds = ",".join(str(s) for s in config.get("seeds", []))
    return shell_command(
        [
            "shiftbench", "run",
            "--datasets", ",".join(str(d) for d in config.get("datasets", [])),
            "--models", ",".join(str(m) for m in config.get("models", [])),
            "--seeds", seeds,
        ]
    )  # fmt: skip


class FigureCache:
    """SVGs keyed by the data they draw (a sha256 of it), so an unchanged cell's figures are
    not drawn again and matplotlib is not even imported when every figure is known.

    A figure read back from the cache is inlined only if :func:`plots.is_safe_svg` accepts it
    (the elements and attributes matplotlib writes, no script, no event handler, no external
    reference); anything else is drawn again."""

    def __init__(self, store: FigureStore | None) -> None:
        self.cache = store

    def get(self, kind: str, data: pd.DataFrame, extra: object, draw: Callable[[], str]) -> str:
        if self.cache is None:
            return _drawn(draw)
        digest = hashlib.sha256()
        digest.update(f"{kind}|{extra}|{FIGURE_FORMAT}|".encode())
        digest.update(data.to_csv(index=False).encode())
        identity = {
            "figure": kind,
            "format": FIGURE_FORMAT,
            "data_sha256": digest.hexdigest(),
            "code": code_identity(("matplotlib",)),  # the drawing code and its library
        }
        key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
        hit = self.cache.get_text("figures", key, identity)
        if hit is not None and plots.is_safe_svg(hit):
            return hit
        svg = _drawn(draw)
        if svg is not plots.UNAVAILABLE:
            self.cache.put_text("figures", key, identity, svg)
        return svg


def _drawn(draw: Callable[[], str]) -> str:
    """A figure, or a placeholder where the data cannot be drawn (values near the largest
    float, say): one figure never costs the report."""
    try:
        return draw()
    except Exception:
        return plots.UNAVAILABLE


FIGURE_FORMAT = 4  # bumped whenever a drawing changes: older cached figures are misses


def _sections(data: ReportData, figures: FigureCache) -> list[DatasetSection]:
    sections = []
    for index, name in enumerate(data.datasets, start=1):
        section = DatasetSection(
            index=index,
            name=name,
            info=data.datasets[name].info,
            board=leaderboard(data, name),
            shifts=shift_rows(data, name),
            horizons=horizon_board(data, name),
            replay=replay_board(data, name),
        )
        _calibration_section(data, section, figures)
        if data.collection(name):
            _collection_section(data, section, figures)
            sections.append(section)
            continue
        _event_section(data, section, figures)
        f = data.forecasts[data.forecasts["dataset"] == name]
        s = data.shift[data.shift["dataset"] == name]
        for m, model in enumerate(data.models, start=1):
            cells = f[f["model"] == model]
            if cells.empty:
                continue
            seed = sorted(set(cells["seed"]))[0]
            cell = cells[cells["seed"] == seed]
            row = s[(s["model"] == model) & (s["seed"] == seed)]
            lag = None  # the delayed actual is drawn only for a delayed forecast
            if (
                not row.empty
                and pd.notna(row["best_lag"].iloc[0])
                and row["verdict"].iloc[0] in ("right_shift", "lagging")
            ):
                lag = int(float(row["best_lag"].iloc[0]))
            which = f" (seed {seed})" if seed else ""
            section.overlays.append(
                Figure(
                    caption=f"{model}{which}",
                    svg=figures.get(
                        "overlay",
                        cell[["ds", "h", "y", "y_hat"]],
                        lag,
                        partial(plots.overlay_svg, cell, lag),
                    ),
                    file=f"{FIGURES}/d{index}_m{m}_overlay.svg",
                )
            )
            if cell["lo_80"].notna().all():
                section.intervals.append(
                    Figure(
                        caption=model,
                        svg=figures.get(
                            "intervals",
                            cell[["ds", "h", "y", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95"]],
                            None,
                            partial(plots.intervals_svg, cell),
                        ),
                        file=f"{FIGURES}/d{index}_m{m}_intervals.svg",
                    )
                )
        if data.history is not None:
            h = data.history[data.history["dataset"] == name]
            for m, model in enumerate(data.models, start=1):
                hm = h[(h["model"] == model) & (h["fit"] == 0)]
                if not hm.empty:
                    section.training.append(
                        Figure(
                            caption=model,
                            svg=figures.get(
                                "training",
                                hm[["seed", "epoch", "loss", "val_loss"]],
                                None,
                                partial(plots.training_svg, hm),
                            ),
                            file=f"{FIGURES}/d{index}_m{m}_training.svg",
                        )
                    )
        sections.append(section)
    return sections


#: The models whose intervals the report draws beside the networks' (the studies' question:
#: does the LSTM state its uncertainty as well as the model built to model the variance?)
VARIANCE_REFERENCE = "arima_garch"


def _calibration_section(data: ReportData, section: DatasetSection, figures: FigureCache) -> None:
    """Observed against nominal coverage per model, its figure, and (where the run has
    ARIMA-GARCH and networks with intervals) their one-step intervals side by side."""
    name, index = section.name, section.index
    section.calibration = calibration_rows(data, name)
    if not section.calibration:
        return
    numbers = {model: m for m, model in enumerate(data.models, start=1)}
    section.calibration_legend = [(numbers[r.model], r.model) for r in section.calibration]
    points = coverage_points(section.calibration)
    points.insert(0, "number", [numbers[m] for m in points["model"]])
    points = points.drop(columns="model")
    if not points.empty:
        section.calibration_figures.append(
            Figure(
                caption="observed against nominal coverage (models by number)",
                svg=figures.get(
                    "calibration", points, None, partial(plots.calibration_svg, points)
                ),
                file=f"{FIGURES}/d{index}_calibration.svg",
            )
        )
    f = data.forecasts[(data.forecasts["dataset"] == name) & (data.forecasts["h"] == 1)]
    with_intervals = {
        r.model for r in section.calibration if f.loc[f["model"] == r.model, "lo_95"].notna().any()
    }
    networks = [m for m in data.models if m in with_intervals and _is_network(data, m)]
    if data.collection(name) or VARIANCE_REFERENCE not in with_intervals or not networks:
        return
    chosen = [VARIANCE_REFERENCE, *networks]
    cells = []
    for model in chosen:
        rows = f[f["model"] == model]
        first_seed = sorted(set(rows["seed"]))[0]
        cells.append(rows[rows["seed"] == first_seed][list(_INTERVAL_COLUMNS)])
    shown = [numbers[m] for m in chosen]
    section.calibration_figures.append(
        Figure(
            caption="one-step intervals side by side: "
            + ", ".join(f"{numbers[m]} = {m}" for m in chosen)
            + " (first seed of seeded models)",
            svg=figures.get(
                "interval_panels",
                pd.concat(cells, keys=shown).reset_index(level=0),
                shown,
                partial(plots.intervals_panels_svg, cells, shown),
            ),
            file=f"{FIGURES}/d{index}_intervals_side_by_side.svg",
        )
    )


_INTERVAL_COLUMNS = ("ds", "h", "y", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95")


def _is_network(data: ReportData, model: str) -> bool:
    entry = data.manifest.get("models", {}).get(model, {})
    capabilities = entry.get("capabilities", {}) if isinstance(entry, dict) else {}
    return isinstance(capabilities, dict) and capabilities.get("family") == "neural"


def _event_section(data: ReportData, section: DatasetSection, figures: FigureCache) -> None:
    """A dataset's events: the classifier scores, confusion matrices, verdicts and a strip of
    actual against predicted events (models drawn as their numbers)."""
    board = event_board(data, section.name)
    if board is None or data.events is None:
        return
    section.events = board
    models = [r.model for r in board.rows]
    numbers = list(range(1, len(models) + 1))
    section.event_legend = list(zip(numbers, models, strict=True))
    events = data.events[data.events["dataset"] == section.name]
    section.event_figures.append(
        Figure(
            caption="actual and predicted events over the test span",
            svg=figures.get(
                "event_strip",
                events[["model", "seed", "ds", "actual", "predicted"]],
                tuple(models),
                partial(plots.event_strip_svg, events, numbers, models),
            ),
            file=f"{FIGURES}/d{section.index}_events.svg",
        )
    )


def _collection_section(data: ReportData, section: DatasetSection, figures: FigureCache) -> None:
    """A collection's section: shares of each verdict, ranks over series with their CD
    diagram, and per-series sMAPE by model (no per-series figures)."""
    name, index = section.name, section.index
    section.collection = True
    section.shares = shift_shares(data, name)
    number = {model: i for i, model in enumerate(data.models, start=1)}
    section.legend = [(i, model) for model, i in number.items()]
    table = per_series(data, name, "smape")
    if not table.empty:
        numbers = [number[c] for c in table.columns]
        section.summary_figures.append(
            Figure(
                caption="sMAPE per series by model",
                svg=figures.get(
                    "boxplot", table.reset_index(), numbers,
                    partial(plots.boxplot_svg, table, numbers, "sMAPE %"),
                ),
                file=f"{FIGURES}/d{index}_smape_boxplot.svg",
            )
        )  # fmt: skip
    section.rank = ranks(data, name, "smape")
    if section.rank is not None:
        rank = section.rank
        order = list(rank.mean_ranks)
        position = {model: i for i, model in enumerate(order)}
        cliques = [(position[g[0]], position[g[-1]]) for g in rank.cliques()]
        ranked = pd.DataFrame({"rank": list(rank.mean_ranks.values())})
        section.summary_figures.append(
            Figure(
                caption="critical-difference diagram (sMAPE ranks, Nemenyi, 5 %)",
                svg=figures.get(
                    "cd", ranked, (rank.cd, tuple(cliques), tuple(number[m] for m in order)),
                    partial(
                        plots.cd_svg, list(rank.mean_ranks.values()),
                        [number[m] for m in order], rank.cd, cliques,
                    ),
                ),
                file=f"{FIGURES}/d{index}_cd.svg",
            )
        )  # fmt: skip


def _environment(autoescape: bool) -> Environment:
    """The HTML environment autoescapes; the Markdown one escapes every expression through
    :func:`~shiftbench.reports.escape.md_finalize`."""
    env = Environment(
        loader=PackageLoader("shiftbench.reports", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=None if autoescape else md_finalize,
    )
    env.filters["md"] = md_escape
    env.filters["code"] = md_code
    env.filters["mdjoin"] = md_join
    env.filters["path"] = md_path
    env.filters["fmt"] = fmt
    env.globals["LABELS"] = LABELS
    env.globals["REFERENCES"] = REFERENCES
    env.globals["VERDICTS"] = VERDICTS
    env.globals["EVENT_LABELS"] = EVENT_METRICS
    return env


def _wall_time(manifest: dict[str, Any]) -> str:
    """The run's wall time from its manifest's start and finish, in a human form."""
    try:
        start = pd.Timestamp(str(manifest.get("started_at")))
        end = pd.Timestamp(str(manifest.get("finished_at")))
        seconds = (end - start).total_seconds()
    except (ValueError, TypeError):
        return "–"
    return duration(seconds) if seconds >= 0 else "–"


def _origins(data: ReportData) -> dict[str, str]:
    """Where each model comes from, as the summary shows it: "built-in", or the origin and
    class of a model that is not (a config section, an entry point, a Python instance)."""
    out = {}
    models = data.manifest.get("models", {})
    for model in data.models:
        entry = models.get(model, {}) if isinstance(models, dict) else {}
        origin = str(entry.get("origin", "built-in")) if isinstance(entry, dict) else "built-in"
        target = entry.get("class") if isinstance(entry, dict) else None
        out[model] = origin if origin == "built-in" or not target else f"{origin}: {target}"
    return out


def _context(data: ReportData, sections: list[DatasetSection]) -> dict[str, Any]:
    config = data.manifest.get("config", {})
    seeded = sorted(data.seeded_models)
    names, rows = summary(data, [s.board for s in sections])
    return {
        "summary_names": names,
        "summary_rows": rows,
        "origins": _origins(data),
        "wall_time": _wall_time(data.manifest),
        "run": data.run,
        "m": data.manifest,
        "sections": sections,
        "failed": data.run.failed_cells(),
        "fits": arima_fits(data),
        "reproduce": _reproduce(data),
        "config_json": json.dumps(config, indent=2, default=str),
        "seeded": seeded,
        "versions": data.manifest.get("versions", {}),
        "models": data.models,
        "seeds": config.get("seeds", []),
    }


def bar_width(value: float, profile: list[float]) -> float:
    top = max((v for v in profile if v == v), default=0.0)
    return 0.0 if top <= 0 or value != value else round(100.0 * value / top, 1)


class FigureStore(Protocol):
    """Where drawn figures are kept between reports (a :class:`shiftbench.store.Store`): the
    reports read and write texts through it and know nothing of its files."""

    def get_text(self, kind: str, key: str, identity: dict[str, Any]) -> str | None: ...

    def put_text(self, kind: str, key: str, identity: dict[str, Any], text: str) -> None: ...


def render_reports(run: RunData, figures: FigureStore | None = None) -> list[Path]:
    """(Re)write report.html, report.md, tables.tex and figures/ of a run (into its folder,
    ``run.path``), from the run's data as they are in memory.

    With ``figures``, figures already drawn for the same data are reused from it.
    """
    data = report_data(run)
    sections = _sections(data, FigureCache(figures))
    context = _context(data, sections)
    html_env = _environment(autoescape=True)
    html_env.globals["bar_width"] = bar_width
    md_env = _environment(autoescape=False)
    md_env.globals["bar_width"] = bar_width
    root = run.path
    (root / FIGURES).mkdir(exist_ok=True)
    for section in sections:
        for fig in (
            section.overlays
            + section.intervals
            + section.training
            + section.summary_figures
            + section.event_figures
            + section.calibration_figures
        ):
            write_atomic(root / fig.file, fig.svg)
    written = []
    for name, env, template in (
        ("report.html", html_env, "report.html.j2"),
        ("report.md", md_env, "report.md.j2"),
    ):
        write_atomic(root / name, env.get_template(template).render(**context))
        written.append(root / name)
    write_atomic(root / "tables.tex", render_tex(data, sections))
    written.append(root / "tables.tex")
    return written
