"""Frozen value types shared by every layer: datasets, protocols, forecasts and capabilities."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from shiftbench.errors import DataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Interval levels (in percent) that every interval-giving model reports.
INTERVAL_LEVELS: tuple[int, ...] = (80, 95)


#: The horizon of the 18-step protocol of Makridakis, Spiliotis & Assimakopoulos (2018, Tables 8
#: and 9, the M3 competition's monthly horizon), and its short, medium and long bands.
PAPER_HORIZON = 18
PAPER_BANDS: tuple[tuple[int, int], ...] = ((1, 6), (7, 12), (13, 18))


@dataclass(frozen=True)
class Protocol:
    """How a dataset is split into a training span and rolling forecast origins.

    Parameters
    ----------
    test_size
        Number of points forecast (an int), or a share of the series (a float in (0, 1)), rounded
        to the nearest whole point.
    horizon
        Steps ahead forecast from each origin (1 = one-step). Rows with ``h > 1`` are written
        only where the target lies inside the series.
    refit_every
        Re-estimate the model every ``refit_every`` origins; 0 fits once on the training span and
        only absorbs new observations afterwards.
    lstm_window
        The default input window of the LSTM models for this dataset.
    origins
        ``"rolling"``: an origin at every point of the test span (the end of the training span,
        then each test point but the last). ``"last"``: one origin, the end of the training
        span, forecasting the whole test span (``horizon`` = the test points): the
        fixed-origin evaluation of Tashman (2000, IJF 16(4)) and of Makridakis, Spiliotis &
        Assimakopoulos (2018, PLoS ONE 13(3), Tables 8 and 9).
    horizon_bands
        The bands of steps ahead scored on their own (``smape_h1-6``...): ``(first, last)``
        pairs within 1..``horizon``. None: :data:`PAPER_BANDS` when ``horizon`` is 18, else
        none (:meth:`bands`).
    intervals
        Where the intervals come from for a model that gives none of its own (ARIMA's,
        ARIMA-GARCH's and a Gaussian head's it keeps): ``"conformal"`` (the default), split
        conformal intervals, or ``"aci"``, adaptive conformal ones (Gibbs & Candès 2021), from
        the residuals of the same model fitted before the test span and the test's own earlier
        residuals, never an actual after the forecast's cutoff
        (:mod:`shiftbench.evaluation.conformal`); ``"model"``: none (no calibration fit).
    calibration_size
        The last points of the training span the conformal calibration forecasts, with the
        model fitted on the points before them; 0: max(test points, horizon + 19), enough
        residuals of every step for a 95 % interval.
    """

    test_size: int | float
    horizon: int = 1
    refit_every: int = 0
    lstm_window: int = 3
    origins: Literal["rolling", "last"] = "rolling"
    horizon_bands: tuple[tuple[int, int], ...] | None = None
    intervals: Literal["model", "conformal", "aci"] = "conformal"
    calibration_size: int = 0

    def n_test(self, n: int) -> int:
        """Resolve :attr:`test_size` into a number of test points for a series of length ``n``.

        A float below 1 is a share; a whole float (``12.0``, as TOML may give it) is a count.

        >>> Protocol(test_size=0.2).n_test(5001), Protocol(test_size=12.0).n_test(100)
        (1000, 12)
        """
        if isinstance(self.test_size, float) and self.test_size < 1:
            return math.floor(self.test_size * n + 0.5)
        return int(self.test_size)

    def cutoffs(self, n: int) -> npt.NDArray[np.int64]:
        """Positions of the forecast origins: the last point each forecast may see.

        Rolling origins: the first is the end of the training span, the last the point just
        before the last observation, so every test point is forecast one step ahead exactly
        once. ``origins = "last"``: the end of the training span only.

        >>> Protocol(test_size=3).cutoffs(10).tolist()
        [6, 7, 8]
        >>> Protocol(test_size=3, horizon=3, origins="last").cutoffs(10).tolist()
        [6]
        """
        n_test = self.n_test(n)
        if self.origins == "last":
            return np.array([n - n_test - 1], dtype=np.int64)
        return np.arange(n - n_test - 1, n - 1, dtype=np.int64)

    def bands(self) -> tuple[tuple[int, int], ...]:
        """The bands of steps ahead scored on their own: :attr:`horizon_bands`, or by default
        the paper's short, medium and long bands (:data:`PAPER_BANDS`) when the horizon is 18,
        none otherwise.

        >>> Protocol(test_size=18, horizon=18).bands()
        ((1, 6), (7, 12), (13, 18))
        >>> Protocol(18, horizon=6).bands(), Protocol(18, 6, horizon_bands=((1, 2),)).bands()
        ((), ((1, 2),))
        """
        if self.horizon_bands is not None:
            return self.horizon_bands
        return PAPER_BANDS if self.horizon == PAPER_HORIZON else ()

    def describe(self) -> str:
        """A short human-readable form, for listings."""
        size = f"{self.test_size:.0%}" if isinstance(self.test_size, float) else str(self.test_size)
        if self.origins == "last":
            return f"last {size} points from one origin, h=1..{self.horizon}"
        refit = "once" if self.refit_every == 0 else f"every {self.refit_every}"
        return f"last {size} points, h={self.horizon}, fit {refit}"


@dataclass(frozen=True)
class Dataset:
    """A univariate target with optional covariates, and how to benchmark it.

    Attributes
    ----------
    name
        Registry name.
    y
        The target, indexed by dates (``DatetimeIndex``) or by position (``RangeIndex``).
    exog
        Covariates aligned with ``y``, or None.
    observed
        Covariates observed with the target: a forecast made at cutoff t may use them up to t only.
    known_ahead
        Calendar covariates, known for the forecast target itself.
    season_length
        The seasonal period used by ``seasonal_naive`` (1 when there is none).
    frequency
        A pandas offset alias (``"D"``, ``"MS"``) or None for integer time.
    protocol
        The default protocol.
    source
        Provenance: where the raw data come from and how the series is derived.
    sha256
        Checksum of the derived series (see :func:`shiftbench.datasets.base.frame_sha256`).
    """

    name: str
    y: pd.Series
    exog: pd.DataFrame | None
    season_length: int
    frequency: str | None
    protocol: Protocol
    source: str
    sha256: str
    observed: tuple[str, ...] = ()
    known_ahead: tuple[str, ...] = ()
    description: str = ""
    series: str = ""
    #: the dataset's event question (an :class:`shiftbench.evaluation.events.EventSpec`), if any
    event: Any = None

    def __len__(self) -> int:
        return len(self.y)

    @property
    def series_id(self) -> str:
        """The series' id within its dataset: its own id in a collection, else the name."""
        return self.series or self.name

    @property
    def covariates(self) -> tuple[str, ...]:
        """All covariate names, observed first."""
        return tuple(self.observed) + tuple(self.known_ahead)

    def with_protocol(self, protocol: Protocol) -> Dataset:
        """A copy with another protocol, checked against the series length."""
        check_protocol_fits(self.label, len(self.y), protocol)
        return replace(self, protocol=protocol)

    @property
    def label(self) -> str:
        """How errors name this series: the dataset, and the series id in a collection."""
        return f"{self.name} series {self.series}" if self.series else self.name


@dataclass(frozen=True)
class Collection:
    """A dataset of many series (M3 monthly, a user's long CSV), benchmarked together.

    Every member is a :class:`Dataset` whose ``name`` is the collection's and whose ``series``
    is its id; each carries the collection's protocol and season length. ``metadata`` holds one
    row per member (``unique_id`` and whatever the source records: category, start date);
    ``dropped`` the ids left out for being too short (``min_length``).
    """

    name: str
    members: tuple[Dataset, ...]
    season_length: int
    frequency: str | None
    protocol: Protocol
    source: str
    sha256: str
    metadata: pd.DataFrame | None = None
    dropped: tuple[str, ...] = ()
    description: str = ""
    #: the event question its series share (see :attr:`Dataset.event`)
    event: Any = None

    def __len__(self) -> int:
        """The number of observations over all series."""
        return sum(len(m) for m in self.members)

    @property
    def observed(self) -> tuple[str, ...]:
        return self.members[0].observed if self.members else ()

    @property
    def known_ahead(self) -> tuple[str, ...]:
        return self.members[0].known_ahead if self.members else ()


def members_of(ds: Dataset | Collection) -> tuple[Dataset, ...]:
    """The series of a dataset: itself, or a collection's members."""
    return ds.members if isinstance(ds, Collection) else (ds,)


def collection_sha256(members: Sequence[Dataset]) -> str:
    """The checksum of a collection: a sha256 over its members' ids and checksums, in order."""
    digest = hashlib.sha256(b"shiftbench-collection-v1\0")
    for member in members:
        digest.update(f"{member.series_id}\0{member.sha256}\0".encode())
    return digest.hexdigest()


#: Fewest points a training span may have.
MIN_TRAIN = 4


def check_protocol_fits(name: str, n: int, protocol: Protocol) -> None:
    """Raise :class:`DataError` when the protocol does not fit a series of length ``n``."""
    n_test = protocol.n_test(n)
    if n_test < 1:
        raise DataError(f"dataset {name!r}: test_size {protocol.test_size!r} leaves no test point")
    if n_test >= n:
        raise DataError(
            f"dataset {name!r}: too short for the protocol: test_size {protocol.test_size!r} is "
            f"at least the series' {n} points (at most {max(n - MIN_TRAIN, 0)} can be tested)"
        )
    if n - n_test < MIN_TRAIN:
        raise DataError(
            f"dataset {name!r}: too short for the protocol: {n} points, {n_test} for testing "
            f"leaves {n - n_test} for training (at least {MIN_TRAIN} needed)"
        )
    if protocol.horizon < 1:
        raise DataError(f"dataset {name!r}: horizon must be at least 1, got {protocol.horizon}")
    if protocol.horizon > n_test:
        raise DataError(
            f"dataset {name!r}: horizon {protocol.horizon} is longer than the test span "
            f"({n_test} points): no step beyond it could be scored"
        )
    if protocol.refit_every < 0:
        raise DataError(f"dataset {name!r}: refit_every must be >= 0, got {protocol.refit_every}")
    check_origins(name, n, protocol)


def check_origins(name: str, n: int, protocol: Protocol) -> None:
    """Raise :class:`DataError` when ``origins`` and ``horizon_bands`` do not fit the protocol.

    With ``origins = "last"`` the one origin forecasts the whole test span: the horizon must
    equal the test points, and ``refit_every`` (one origin, one fit) must be 0. Every band lies
    within 1..horizon, first <= last. A ``calibration_size`` given for conformal intervals
    leaves at least one training point before the calibration.
    """
    n_test = protocol.n_test(n)
    if protocol.intervals != "model" and protocol.calibration_size >= n - n_test:
        raise DataError(
            f"dataset {name!r}: calibration_size = {protocol.calibration_size} leaves no training "
            f"point before the calibration (the training span has {n - n_test})"
        )
    if protocol.origins == "last":
        if protocol.horizon != n_test:
            raise DataError(
                f'dataset {name!r}: origins = "last" forecasts the whole test span from one '
                f"origin: horizon must equal the {n_test} test points, got {protocol.horizon}"
            )
        if protocol.refit_every != 0:
            raise DataError(
                f"dataset {name!r}: refit_every = {protocol.refit_every} means nothing with "
                'origins = "last" (one origin, one fit); leave it out'
            )
    for first, last in protocol.bands():
        if not 1 <= first <= last <= protocol.horizon:
            raise DataError(
                f"dataset {name!r}: horizon band [{first}, {last}] is not within steps "
                f"1..{protocol.horizon} (first <= last)"
            )


@dataclass(frozen=True)
class Forecast:
    """Forecasts for steps 1..H from one origin.

    ``mean`` holds the point forecasts; ``sd`` the predictive standard deviation where the model
    gives one; ``intervals`` maps a level in percent (80, 95) to the (lower, upper) arrays.
    """

    mean: FloatArray
    sd: FloatArray | None = None
    intervals: dict[int, tuple[FloatArray, FloatArray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mean.ndim != 1:
            raise ValueError("Forecast.mean must be one-dimensional")

    @property
    def horizon(self) -> int:
        return int(self.mean.shape[0])


#: What a fit costs, for scheduling (longest expected cells first): a closed form, an optimiser
#: or search, a network's training.
Cost = Literal["cheap", "fit", "training"]
#: The deprecated ``family`` (0.3) as the kind and the cost it stood for.
_FAMILIES: dict[str, tuple[str, str]] = {
    "baseline": ("forecaster", "cheap"),
    "statistical": ("forecaster", "fit"),
    "neural": ("forecaster", "training"),
    "event": ("event", "cheap"),
}


@dataclass(frozen=True)
class Capabilities:
    """What a model can do, what it is and what it costs: the harness and the listings read
    this, never the model's code.

    ``kind`` is what the model is: a point ``"forecaster"`` (:mod:`shiftbench.forecaster`) or an
    ``"event"`` classifier (:class:`shiftbench.forecaster.EventClassifier`); ``cost`` what a fit
    costs, for scheduling. ``family`` (0.3) mixed the two; it is still accepted and mapped
    (``"statistical"`` → cost ``"fit"``, ``"neural"`` → ``"training"``, ``"event"`` → kind
    ``"event"``), and always reads back as the family the two fields stand for.

    >>> Capabilities(family="neural").cost, Capabilities(kind="event").family
    ('training', 'event')
    """

    covariates: bool = False
    variance: bool = False
    seeded: bool = False
    min_train: int = 2
    kind: Literal["forecaster", "event"] = "forecaster"
    cost: Cost = "cheap"
    family: Literal["baseline", "statistical", "neural", "event"] | None = None

    def __post_init__(self) -> None:
        if self.family is not None:
            if self.family not in _FAMILIES:
                raise ValueError(f"Capabilities: unknown family {self.family!r}")
            kind, cost = _FAMILIES[self.family]
            if self.kind == "forecaster":
                object.__setattr__(self, "kind", kind)
            if self.cost == "cheap":
                object.__setattr__(self, "cost", cost)
        family = (
            "event"
            if self.kind == "event"
            else {"cheap": "baseline", "fit": "statistical", "training": "neural"}[self.cost]
        )
        object.__setattr__(self, "family", family)
