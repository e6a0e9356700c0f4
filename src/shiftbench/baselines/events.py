"""The event baselines: event persistence and climatology (see
:class:`shiftbench.forecaster.EventClassifier`)."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import numpy.typing as npt

from shiftbench.errors import FitError
from shiftbench.eventspec import EventSpec
from shiftbench.forecaster import EventClassifier
from shiftbench.types import FloatArray


class EventPersistence(EventClassifier):
    """The latest event known at the cutoff, as the prediction (probability 1): "today's event
    is the last one seen". For an excess-heat event that is the event ``short`` days back."""

    def __init__(self) -> None:
        pass

    def fit_events(
        self, features: FloatArray, labels: FloatArray, spec: EventSpec, n_train: int
    ) -> Self:
        self.spec_ = spec
        return self

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray:
        spec = self.spec_
        k = len(spec.classes)
        last = labels[cutoffs + 1 - spec.known_lag]
        if np.any(np.isnan(last)):
            raise FitError("event_persistence: no known event before the first test origin")
        out = np.zeros((len(cutoffs), k))
        out[np.arange(len(cutoffs)), last.astype(np.int64)] = 1.0
        return out


class EventClimatology(EventClassifier):
    """The training span's class frequencies as the probabilities at every origin (the
    climatological base rate); its prediction is the most frequent class."""

    def __init__(self) -> None:
        pass

    def fit_events(
        self, features: FloatArray, labels: FloatArray, spec: EventSpec, n_train: int
    ) -> Self:
        known = spec.known_labels(labels, n_train)
        known = known[~np.isnan(known)]
        if not len(known):
            raise FitError("event_climatology: no known event in the training span")
        k = len(spec.classes)
        self.rates_ = np.bincount(known.astype(np.int64), minlength=k)[:k] / len(known)
        return self

    def info(self) -> dict[str, Any]:
        return {"base_rates": [float(r) for r in self.rates_]}

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray:
        return np.tile(self.rates_, (len(cutoffs), 1))
