"""Render ``report.html``, ``report.md`` and ``tables.tex`` from a run directory alone.

Every string that comes from a config or a data file is escaped for its target: HTML by Jinja's
autoescaping, Markdown by :func:`md_escape`, LaTeX by :func:`tex_escape`. Figures carry no such
strings (see :mod:`shiftbench.reports.plots`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from shiftbench.benchmarks.cache import Cache
from shiftbench.benchmarks.fingerprint import code_identity
from shiftbench.evaluation.assess import REFERENCES
from shiftbench.evaluation.events import EVENT_METRICS
from shiftbench.evaluation.metrics import METRICS
from shiftbench.evaluation.ranks import RankTest
from shiftbench.evaluation.shift import VERDICTS
from shiftbench.reports import plots
from shiftbench.reports.escape import (
    md_code,
    md_escape,
    md_finalize,
    md_join,
    md_path,
    shell_command,
    slug,
    tex_escape,
)
from shiftbench.reports.numbers import duration
from shiftbench.reports.tables import (
    LABELS,
    EventBoard,
    Leaderboard,
    Row,
    ShareRow,
    ShiftRow,
    arima_fits,
    event_board,
    fmt,
    leaderboard,
    per_series,
    ranks,
    shift_rows,
    shift_shares,
    summary,
)
from shiftbench.rundir import RunData, load_run, write_atomic

FIGURES = "figures"


@dataclass
class Figure:
    caption: str
    svg: str
    file: str


@dataclass
class DatasetSection:
    index: int
    name: str
    info: dict[str, Any]
    board: Leaderboard
    shifts: list[ShiftRow]
    overlays: list[Figure] = field(default_factory=list)
    intervals: list[Figure] = field(default_factory=list)
    training: list[Figure] = field(default_factory=list)
    collection: bool = False
    shares: list[ShareRow] = field(default_factory=list)
    rank: RankTest | None = None
    legend: list[tuple[int, str]] = field(default_factory=list)
    summary_figures: list[Figure] = field(default_factory=list)
    events: EventBoard | None = None
    event_figures: list[Figure] = field(default_factory=list)
    event_legend: list[tuple[int, str]] = field(default_factory=list)


def _reproduce(run: RunData) -> str:
    """The command that reproduces the run, shell-quoted so that it means what it says."""
    command = run.manifest.get("command")
    if isinstance(command, list) and command:
        return shell_command(command)
    config = run.manifest.get("config", {})
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

    def __init__(self, root: Path | None) -> None:
        self.cache = Cache(root, warn=lambda _: None) if root is not None else None

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


def _sections(run: RunData, figures: FigureCache) -> list[DatasetSection]:
    sections = []
    for index, name in enumerate(run.datasets, start=1):
        section = DatasetSection(
            index=index,
            name=name,
            info=run.manifest["datasets"][name],
            board=leaderboard(run, name),
            shifts=shift_rows(run, name),
        )
        if run.is_collection(name):
            _collection_section(run, section, figures)
            sections.append(section)
            continue
        _event_section(run, section, figures)
        f = run.forecasts[run.forecasts["dataset"] == name]
        s = run.shift[run.shift["dataset"] == name]
        for m, model in enumerate(run.models, start=1):
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
            if run.capability(model, "variance") and cell["lo_80"].notna().all():
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
        if run.history is not None:
            h = run.history[run.history["dataset"] == name]
            for m, model in enumerate(run.models, start=1):
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


def _event_section(run: RunData, section: DatasetSection, figures: FigureCache) -> None:
    """A dataset's events: the classifier scores, confusion matrices, verdicts and a strip of
    actual against predicted events (models drawn as their numbers)."""
    board = event_board(run, section.name)
    if board is None or run.events is None:
        return
    section.events = board
    models = [r.model for r in board.rows]
    numbers = list(range(1, len(models) + 1))
    section.event_legend = list(zip(numbers, models, strict=True))
    events = run.events[run.events["dataset"] == section.name]
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


def _collection_section(run: RunData, section: DatasetSection, figures: FigureCache) -> None:
    """A collection's section: shares of each verdict, ranks over series with their CD
    diagram, and per-series sMAPE by model (no per-series figures)."""
    name, index = section.name, section.index
    section.collection = True
    section.shares = shift_shares(run, name)
    number = {model: i for i, model in enumerate(run.models, start=1)}
    section.legend = [(i, model) for model, i in number.items()]
    table = per_series(run, name, "smape")
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
    section.rank = ranks(run, name, "smape")
    if section.rank is not None:
        rank = section.rank
        order = list(rank.mean_ranks)
        position = {model: i for i, model in enumerate(order)}
        cliques = [(position[g[0]], position[g[-1]]) for g in rank.cliques()]
        data = pd.DataFrame({"rank": list(rank.mean_ranks.values())})
        section.summary_figures.append(
            Figure(
                caption="critical-difference diagram (sMAPE ranks, Nemenyi, 5 %)",
                svg=figures.get(
                    "cd", data, (rank.cd, tuple(cliques), tuple(number[m] for m in order)),
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


def _origins(run: RunData) -> dict[str, str]:
    """Where each model comes from, as the summary shows it: "built-in", or the origin and
    class of a model that is not (a config section, an entry point, a Python instance)."""
    out = {}
    models = run.manifest.get("models", {})
    for model in run.models:
        entry = models.get(model, {}) if isinstance(models, dict) else {}
        origin = str(entry.get("origin", "built-in")) if isinstance(entry, dict) else "built-in"
        target = entry.get("class") if isinstance(entry, dict) else None
        out[model] = origin if origin == "built-in" or not target else f"{origin}: {target}"
    return out


def _context(run: RunData, sections: list[DatasetSection]) -> dict[str, Any]:
    config = run.manifest.get("config", {})
    seeded = sorted(run.seeded_models)
    names, rows = summary(run, [s.board for s in sections])
    return {
        "summary_names": names,
        "summary_rows": rows,
        "origins": _origins(run),
        "wall_time": _wall_time(run.manifest),
        "run": run,
        "m": run.manifest,
        "sections": sections,
        "failed": run.failed_cells(),
        "fits": arima_fits(run),
        "reproduce": _reproduce(run),
        "config_json": json.dumps(config, indent=2, default=str),
        "seeded": seeded,
        "versions": run.manifest.get("versions", {}),
        "models": run.models,
        "seeds": config.get("seeds", []),
    }


def bar_width(value: float, profile: list[float]) -> float:
    top = max((v for v in profile if v == v), default=0.0)
    return 0.0 if top <= 0 or value != value else round(100.0 * value / top, 1)


TEX_MARKS = {"▲": "$\\uparrow$", "▼": "$\\downarrow$", "·": ""}


def _tex_number(text: str) -> str:
    r"""A number as formatted for the HTML, in LaTeX: scientific notation as ×10^k, a true
    minus sign, dashes for missing values.

    >>> _tex_number("3.200e-10"), _tex_number("-0.25"), _tex_number("–"), _tex_number("∞")
    ('$3.200{\\times}10^{-10}$', '$-$0.25', '--', '$\\infty$')
    """
    if text in ("–", ""):
        return "--"
    if text in ("∞", "−∞"):
        return "$\\infty$" if text == "∞" else "$-\\infty$"
    mantissa, _, exponent = text.partition("e")
    sign = "$-$" if mantissa.startswith("-") else ""
    mantissa = tex_escape(mantissa.lstrip("-"))
    if exponent:
        return f"{sign}${mantissa}{{\\times}}10^{{{int(exponent)}}}$"
    return sign + mantissa


def _tex_versus(row: Row, reference: str) -> str:
    """A DM outcome in LaTeX: its p-value (or counts over seeds/series) and an arrow."""
    versus = row.vs.get(reference)
    if versus is None or versus.short in ("", "–"):
        return "--"
    if versus.text == "reference":
        return "ref."
    symbols = {"▲": "$\\uparrow$", "▼": "$\\downarrow$", "<": "$<$"}
    short = versus.short.replace("p = ", "").replace("p < ", "<")
    text = "".join(symbols.get(ch, tex_escape(ch)) for ch in short)
    # one test: its p-value and an arrow; over seeds or series the counts carry the arrows
    return text if " of " in short else text + TEX_MARKS.get(versus.symbol, "")


def _tex_table(
    caption: str, label: str, header: list[str], rows: list[tuple[list[str], list[str]]]
) -> list[str]:
    """A booktabs table in ``\\small`` that fits an article's text width: each row's cells,
    and under them (when any) a line of sds in ``\\footnotesize``."""
    spec = "l" + "r" * (len(header) - 1)
    out = [
        "\\begin{table}[htbp]",
        "\\centering",
        "\\small",
        "\\setlength{\\tabcolsep}{4pt}",
        f"\\caption{{{caption}}}",
        f"\\label{{{label}}}",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(header) + " \\\\",
        "\\midrule",
    ]
    for cells, sds in rows:
        out.append(" & ".join(cells) + " \\\\")
        if any(sds):
            out.append(
                " & ".join(f"{{\\footnotesize ({sd})}}" if sd else "" for sd in sds) + " \\\\"
            )
    out += ["\\bottomrule", "\\end{tabular}", "\\end{table}", ""]
    return out


def render_tex(run: RunData, sections: list[DatasetSection]) -> str:
    """Two booktabs tables per dataset that fit a standard article's text width: accuracy (the
    metrics marked ``latex`` in :data:`METRICS`, mean and, under it, the sd over seeds), and
    CRPS, the Diebold–Mariano tests and the right-shift verdict. Numbers are rounded as in the
    HTML report; best values in bold; each table has a caption and a ``\\label``."""
    latex = [name for name, metric in METRICS.items() if metric.latex]
    first = [c for c in latex if METRICS[c].needs != "sd"]
    second = [c for c in latex if METRICS[c].needs == "sd"]
    out = [
        "% shiftbench result tables (run " + tex_escape(run.run_id) + ").",
        "% Needs \\usepackage{booktabs}. Best value per column in bold; mean over seeds,",
        "% (sd) below.",
        "% DM: Diebold-Mariano with the Harvey-Leybourne-Newbold correction, 5% level, on the same",
        "% one-step origins; p-value, $\\uparrow$ significantly better, $\\downarrow$ worse.",
        "",
    ]

    def cells(row: Row, metrics: list[str]) -> tuple[list[str], list[str]]:
        values, sds = [], []
        for c in metrics:
            entry = row.entries.get(c)
            if entry is None:
                values.append("--")
                sds.append("")
                continue
            text = _tex_number(entry.text)
            values.append(f"{{\\bfseries\\boldmath {text}}}" if entry.best else text)
            sds.append(_tex_number(entry.sd_text) if entry.sd_text else "")
        return values, sds

    for section in sections:
        board = section.board
        name = tex_escape(section.name)
        label = "tab:" + slug(section.name, "dataset")
        shown = [c for c in first if c in board.metrics]
        rows = []
        for row in board.rows:
            values, sds = cells(row, shown)
            rows.append(([tex_escape(row.model), *values], ["", *sds]))
        out += _tex_table(
            f"Accuracy on {name} ({section.info.get('protocol', {}).get('n_test', '')} origins).",
            label + "-accuracy",
            ["Model", *(tex_escape(LABELS[c]) for c in shown)],
            rows,
        )
        extra = [c for c in second if c in board.metrics]
        rows = []
        for row in board.rows:
            values, sds = cells(row, extra)
            tests = [_tex_versus(row, reference) for reference in REFERENCES]
            verdict = tex_escape(row.verdict or "--")
            rows.append(
                (
                    [tex_escape(row.model), *values, *tests, verdict],
                    ["", *sds, *("" for _ in tests), ""],
                )
            )
        out += _tex_table(
            f"Tests and right-shift verdicts on {name}.",
            label + "-tests",
            [
                "Model",
                *(tex_escape(LABELS[c]) for c in extra),
                *(f"DM vs {tex_escape(r)}" for r in REFERENCES),
                "Verdict",
            ],
            rows,
        )
    return "\n".join(out)


def render_reports(path: str | Path, cache_dir: str | Path | None = None) -> list[Path]:
    """(Re)write report.html, report.md, tables.tex and figures/ of a run directory.

    With ``cache_dir``, figures already drawn for the same data are reused from it.
    """
    run = load_run(path)
    sections = _sections(run, FigureCache(Path(cache_dir) if cache_dir else None))
    context = _context(run, sections)
    html_env = _environment(autoescape=True)
    html_env.globals["bar_width"] = bar_width
    md_env = _environment(autoescape=False)
    md_env.globals["bar_width"] = bar_width
    root = run.path
    figures = root / FIGURES
    figures.mkdir(exist_ok=True)
    for section in sections:
        for fig in (
            section.overlays
            + section.intervals
            + section.training
            + section.summary_figures
            + section.event_figures
        ):
            write_atomic(root / fig.file, fig.svg)
    written = []
    for name, env, template in (
        ("report.html", html_env, "report.html.j2"),
        ("report.md", md_env, "report.md.j2"),
    ):
        write_atomic(root / name, env.get_template(template).render(**context))
        written.append(root / name)
    write_atomic(root / "tables.tex", render_tex(run, sections))
    written.append(root / "tables.tex")
    return written
