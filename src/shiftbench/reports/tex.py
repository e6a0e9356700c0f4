"""``tables.tex``: the report's result tables for a paper, as LaTeX booktabs tables rendered
from a Jinja2 template (``templates/tables.tex.j2``, with ``<< >>`` and ``<% %>`` as delimiters so
that LaTeX's braces need no escaping); every text reaching the template is LaTeX already
(:func:`shiftbench.reports.escape.tex_escape`)."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from shiftbench.evaluation.assess import REFERENCES
from shiftbench.evaluation.metrics import METRICS
from shiftbench.reports.data import ReportData
from shiftbench.reports.escape import slug, tex_escape
from shiftbench.reports.sections import DatasetSection
from shiftbench.reports.tables import LABELS, Row

#: The arrows of a DM outcome in LaTeX.
TEX_MARKS = {"▲": "$\\uparrow$", "▼": "$\\downarrow$", "·": ""}


@functools.cache
def _template() -> Any:
    env = Environment(
        loader=PackageLoader("shiftbench.reports", "templates"),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
    )
    env.filters["tex_sd"] = lambda sd: f"{{\\footnotesize ({sd})}}" if sd else ""
    return env.get_template("tables.tex.j2")


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
) -> dict[str, Any]:
    """One booktabs table for the template: its caption, label, column spec, header and rows
    (each row's cells, and the sds that go on a line under it), every text already LaTeX."""
    return {
        "caption": caption,
        "label": label,
        "spec": "l" + "r" * (len(header) - 1),
        "header": header,
        "rows": rows,
    }


def _horizon_table(section: DatasetSection, name: str, label: str) -> dict[str, Any]:
    """The accuracy-by-horizon table (:mod:`shiftbench.reports.horizons`) as booktabs."""
    board = section.horizons
    assert board is not None
    header = ["Model"] + [
        tex_escape(f"{c.group} {c.steps}").replace("–", "--") for c in board.columns
    ]
    rows = []
    for row in board.rows:
        values, sds = [], []
        for c in board.columns:
            entry = row.entries.get(c.metric)
            text = "--" if entry is None else _tex_number(entry.text)
            values.append(f"{{\\bfseries\\boldmath {text}}}" if entry and entry.best else text)
            sds.append(_tex_number(entry.sd_text) if entry and entry.sd_text else "")
        rows.append(([tex_escape(row.model), *values], ["", *sds]))
    return _tex_table(f"Accuracy by forecast horizon on {name}.", label + "-horizons", header, rows)


def render_tex(data: ReportData, sections: list[DatasetSection]) -> str:
    """Two booktabs tables per dataset that fit a standard article's text width: accuracy (the
    metrics marked ``latex`` in :data:`METRICS`, mean and, under it, the sd over seeds), and
    CRPS, the Diebold–Mariano tests and the right-shift verdict; a third where the run scored
    bands of steps ahead (sMAPE and MASE per band). Numbers are rounded as in the
    HTML report; best values in bold; each table has a caption and a ``\\label``."""
    latex = [name for name, metric in METRICS.items() if metric.latex]
    first = [c for c in latex if METRICS[c].needs != "distribution"]
    second = [c for c in latex if METRICS[c].needs == "distribution"]
    tables: list[dict[str, Any]] = []

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
        protocol = section.info.get("protocol", {})
        n_test = protocol.get("n_test", "")
        origins = (
            f"steps 1--{protocol.get('horizon', '')} from one origin"
            if protocol.get("origins") == "last"
            else f"{n_test} origins"
        )
        rows = []
        for row in board.rows:
            values, sds = cells(row, shown)
            rows.append(([tex_escape(row.model), *values], ["", *sds]))
        tables.append(
            _tex_table(
                f"Accuracy on {name} ({origins}).",
                label + "-accuracy",
                ["Model", *(tex_escape(LABELS[c]) for c in shown)],
                rows,
            )
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
        tables.append(
            _tex_table(
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
        )
        if section.horizons is not None:
            tables.append(_horizon_table(section, name, label))
    text: str = _template().render(run_id=tex_escape(data.run.run_id), tables=tables)
    return text.rstrip("\n") + "\n"
