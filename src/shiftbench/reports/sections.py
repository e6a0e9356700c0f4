"""What the report shows of each dataset, gathered once and handed to every renderer (the HTML
and Markdown templates, ``tables.tex``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shiftbench.evaluation.ranks import RankTest
from shiftbench.reports.calibration import CalibrationRow
from shiftbench.reports.event_tables import EventBoard
from shiftbench.reports.horizons import HorizonBoard
from shiftbench.reports.replay import ReplayBoard
from shiftbench.reports.tables import Leaderboard, ShareRow, ShiftRow


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
    #: accuracy by band of steps ahead, where the run scored bands
    horizons: HorizonBoard | None = None
    replay: ReplayBoard | None = None
    #: observed against nominal coverage and the coverage tests, per model with intervals
    calibration: list[CalibrationRow] = field(default_factory=list)
    #: the calibration figure, and the one-step intervals of the networks beside ARIMA-GARCH's
    calibration_figures: list[Figure] = field(default_factory=list)
    #: (number, model) of the models drawn by number in the calibration figures
    calibration_legend: list[tuple[int, str]] = field(default_factory=list)
