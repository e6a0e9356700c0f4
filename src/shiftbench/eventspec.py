"""Event questions as data: how a series' values, actual or forecast, become events or classes.

**Excess heat** (:func:`excess_heat_index`). EHI_t = mean(x over days t..t+S−1) − mean(x over the
L days before t), with S = 3 and L = 30 (or 90), in the spirit of Nairn & Fawcett's excess-heat
factor (EHI_accl: "The excess heat factor: a metric for heatwave intensity", *Int. J. Environ.
Res. Public Health* 12, 2015). A heat event is EHI_t > 0. For a forecast made at cutoff t − 1,
the S coming days are the forecasts h = 1..S and the L days before t are observed history, so no
future actual enters a forecast event.

**Classes** (:func:`bin_classes`): a value's bin among fixed edges, as the consumption-interval
study bins the days between purchases.

A dataset carries its question as an :class:`EventSpec` (``Dataset.event``); scoring is in
:mod:`shiftbench.evaluation.events`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shiftbench.errors import DataError
from shiftbench.types import Dataset, FloatArray, IntArray

#: Days averaged for the short ("coming days") and long ("recent climate") means.
SHORT_WINDOW = 3
LONG_WINDOW = 30


def excess_heat_index(
    history: npt.ArrayLike, coming: npt.ArrayLike, *, long: int = LONG_WINDOW
) -> float:
    """EHI at one time t: mean of ``coming`` (the S days t..t+S−1, forecast or actual) minus the
    mean of the last ``long`` values of ``history`` (the days before t).

    >>> excess_heat_index([10.0] * 30, [12.0, 11.0, 13.0])
    2.0
    >>> excess_heat_index([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0], long=2)   # 2 − mean(3, 4)
    -1.5
    """
    past = np.asarray(history, dtype=np.float64)
    future = np.asarray(coming, dtype=np.float64)
    if len(past) < long:
        raise ValueError(f"the index needs {long} days of history, got {len(past)}")
    if not len(future):
        raise ValueError("the index needs at least one coming day")
    return float(future.mean() - past[-long:].mean())


def actual_ehi(
    y: npt.ArrayLike, *, short: int = SHORT_WINDOW, long: int = LONG_WINDOW
) -> FloatArray:
    """The actual EHI_t for every t with ``long`` days before it and ``short`` days from it on;
    NaN elsewhere (vectorised with cumulative sums).

    >>> x = np.array([0.0, 0.0, 3.0, 6.0, 0.0])
    >>> actual_ehi(x, short=2, long=2).tolist()     # t=2: mean(3,6) − mean(0,0); t=3: 3 − 1.5
    [nan, nan, 4.5, 1.5, nan]
    """
    x = np.asarray(y, dtype=np.float64)
    n = len(x)
    out = np.full(n, np.nan)
    c = np.concatenate([[0.0], np.cumsum(x)])
    t = np.arange(long, n - short + 1)
    if len(t):
        out[t] = (c[t + short] - c[t]) / short - (c[t] - c[t - long]) / long
    return out


def bin_classes(values: npt.ArrayLike, edges: npt.ArrayLike) -> IntArray:
    """The class of each value among bins [e_0, e_1), [e_1, e_2), …, [e_{k−1}, e_k]: 0..k−1.
    Values below e_0 fall in the first class and values above e_k in the last (a forecast may
    stray outside the edges; it still names a class).

    >>> bin_classes([0, 19.9, 20, 55, 100, 140, -3], [0, 20, 40, 60, 80, 100]).tolist()
    [0, 0, 1, 2, 4, 4, 0]
    """
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or len(e) < 2 or np.any(np.diff(e) <= 0):
        raise ValueError(f"bins must be at least two increasing edges, got {e.tolist()}")
    v = np.asarray(values, dtype=np.float64)
    return np.clip(np.searchsorted(e, v, side="right") - 1, 0, len(e) - 2).astype(np.int64)


#: The kinds of event definition.
EVENT_KINDS = ("excess_heat", "bins")
#: The keys that only an excess-heat question has.
EXCESS_HEAT_KEYS = ("short", "long", "threshold")
#: The most classes a ``bins`` question may have: ``confusion.csv`` holds K² rows per cell and
#: the report draws a K × K matrix, so beyond a hundred classes neither is readable (and the
#: test span must hold at least one point per class as well, :func:`check_event_fits`).
MAX_EVENT_CLASSES = 100


@dataclass(frozen=True)
class EventSpec:
    """How a dataset's values (actual or forecast) become events or classes.

    ``kind = "excess_heat"``: the event at t is EHI_t > ``threshold``, EHI_t the mean of the
    ``short`` days from t on minus the mean of the ``long`` days before t (forecasts h = 1..short
    stand in for the coming days). ``kind = "bins"``: the class of the value at t among the
    ``bins`` edges (:func:`bin_classes`).
    """

    kind: str = "excess_heat"
    short: int = SHORT_WINDOW
    long: int = LONG_WINDOW
    threshold: float = 0.0
    bins: tuple[float, ...] = ()

    def check(self, where: str) -> None:
        """Raise ``ValueError`` naming ``where`` and the key for a definition that cannot work."""
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"{where}.kind: one of {', '.join(EVENT_KINDS)}, got {self.kind!r}")
        if self.kind == "bins":
            if len(self.bins) - 1 > MAX_EVENT_CLASSES:
                raise ValueError(
                    f"{where}.bins: {len(self.bins) - 1} classes; at most {MAX_EVENT_CLASSES} "
                    f"({MAX_EVENT_CLASSES + 1} edges)"
                )
            edges = np.asarray(self.bins, dtype=np.float64)
            if len(edges) < 3 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
                shown = list(self.bins)[:8] + (["…"] if len(self.bins) > 8 else [])
                raise ValueError(
                    f"{where}.bins: at least three increasing finite edges (two classes), "
                    f"got {shown}"
                )
        else:
            if self.bins:
                raise ValueError(
                    f'{where}.bins: an excess-heat question has no bins (kind = "bins" for classes)'
                )
            for key, value in (("short", self.short), ("long", self.long)):
                if value < 1:
                    raise ValueError(f"{where}.{key}: must be at least 1, got {value}")
            if not math.isfinite(self.threshold):
                raise ValueError(f"{where}.threshold: must be finite, got {self.threshold}")

    @property
    def classes(self) -> list[int]:
        return [0, 1] if self.kind == "excess_heat" else list(range(len(self.bins) - 1))

    @property
    def binary(self) -> bool:
        return self.kind == "excess_heat"

    @property
    def steps(self) -> int:
        """Forecast steps an event at t needs (h = 1..steps from the cutoff t − 1)."""
        return self.short if self.kind == "excess_heat" else 1

    @property
    def known_lag(self) -> int:
        """How many steps back the latest event known at a cutoff lies: the event at t needs
        the days up to t + short − 1, so at cutoff t − 1 the latest complete one is t − short."""
        return self.short if self.kind == "excess_heat" else 1

    @property
    def history_needed(self) -> int:
        return self.long if self.kind == "excess_heat" else 0

    def describe(self) -> str:
        """The definition in words.

        >>> EventSpec().describe()
        'heat event: mean of the 3 days from t minus the mean of the 30 days before t > 0'
        >>> EventSpec(kind="bins", bins=(0, 20, 40)).describe()
        'classes: bins [0, 20), [20, 40]'
        """
        if self.kind == "bins":
            edges = [f"{e:g}" for e in self.bins]
            parts = [f"[{a}, {b})" for a, b in itertools.pairwise(edges)]
            parts[-1] = parts[-1][:-1] + "]"
            return "classes: bins " + ", ".join(parts)
        return (
            f"heat event: mean of the {self.short} days from t minus the mean of the "
            f"{self.long} days before t > {self.threshold:g}"
        )

    def actual(self, y: npt.ArrayLike) -> FloatArray:
        """The actual event (1.0/0.0) or class at every position of ``y``; NaN where it is not
        defined (too little history, or days missing at the end).

        >>> EventSpec(short=1, long=2).actual([1.0, 1.0, 2.0, 0.0]).tolist()
        [nan, nan, 1.0, 0.0]
        """
        x = np.asarray(y, dtype=np.float64)
        if self.kind == "bins":
            return bin_classes(x, self.bins).astype(np.float64)
        index = actual_ehi(x, short=self.short, long=self.long)
        out = np.where(np.isnan(index), np.nan, (index > self.threshold).astype(np.float64))
        return out

    def known_labels(self, labels: FloatArray, n_train: int) -> FloatArray:
        """The labels of the first ``n_train`` positions whose days all lie in that span (the
        event at t needs the days up to t + known_lag − 1); the others are NaN.

        >>> EventSpec(short=2, long=1).known_labels(np.array([np.nan, 1.0, 0.0, 1.0]), 4).tolist()
        [nan, 1.0, 0.0, nan]
        """
        out = np.array(labels[:n_train], dtype=np.float64)
        out[max(n_train - self.known_lag + 1, 0) :] = np.nan
        return out


def check_event_fits(members: Sequence[Dataset], spec: EventSpec, where: str) -> None:
    """Raise ``DataError`` naming ``where`` and the key when a question cannot be asked of
    these series under their protocols: an excess-heat question needs ``long + short`` points
    in every training span (so that a classifier has events to learn from) and ``short`` test
    points; a question of classes needs at least one test point per class."""
    lengths = np.array([len(m) for m in members], dtype=np.int64)
    n_test = np.array([m.protocol.n_test(len(m)) for m in members], dtype=np.int64)
    n_train = lengths - n_test
    tight = members[int(np.argmin(n_test))]
    if spec.kind == "bins":
        k = len(spec.classes)
        if k > int(n_test.min()):
            raise DataError(
                f"{where}.bins: {k} classes are more than the test span's {int(n_test.min())} "
                f"points ({tight.label})"
            )
        return
    short_series = members[int(np.argmin(lengths))]
    if spec.long >= len(short_series):
        raise DataError(
            f"{where}.long: {spec.long} days of history are not shorter than the series "
            f"({short_series.label}: {len(short_series)} points)"
        )
    if spec.short > int(n_test.min()):
        raise DataError(
            f"{where}.short: {spec.short} coming days are more than the test span's "
            f"{int(n_test.min())} points ({tight.label})"
        )
    least = members[int(np.argmin(n_train))]
    if spec.long + spec.short > int(n_train.min()):
        raise DataError(
            f"{where}.long: {spec.long} days before t and {spec.short} from t need "
            f"{spec.long + spec.short} points of the training span, which has "
            f"{int(n_train.min())} ({least.label})"
        )
