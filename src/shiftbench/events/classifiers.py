"""The event classifiers: each predicts, at every cutoff c, the probability of each class of the
event at c + 1 from what is known at c.

What is known at c: the target and covariates up to c, and the actual events up to
c + 1 − ``known_lag`` (an excess-heat event at t needs the days up to t + short − 1). A
classifier is given the whole arrays and reads only those parts (tests change what follows a
cutoff and check that its prediction does not move).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from shiftbench.errors import FitError
from shiftbench.evaluation.events import EventSpec
from shiftbench.forecaster import BaseForecaster
from shiftbench.types import Capabilities, FloatArray


class EventClassifier(BaseForecaster):
    """The interface of an event classifier (the parameter handling is a forecaster's).

    ``fit_events(features, labels, spec, n_train)``: learn from positions 0..n_train − 1 only.
    ``predict_proba(features, labels, cutoffs)``: one row of class probabilities per cutoff.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(family="event")

    def fit_events(
        self, features: FloatArray, labels: FloatArray, spec: EventSpec, n_train: int
    ) -> Self:
        raise NotImplementedError

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray:
        raise NotImplementedError


def _known(labels: FloatArray, spec: EventSpec, n_train: int) -> FloatArray:
    """The labels whose days all lie in the training span (the others are NaN)."""
    out = np.array(labels[:n_train], dtype=np.float64)
    last = n_train - spec.known_lag  # the event at t needs the days up to t + known_lag − 1
    out[max(last + 1, 0) :] = np.nan
    return out


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
        known = _known(labels, spec, n_train)
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


class LSTMEvent(EventClassifier):
    """The study's direct classifier: LSTM(``units``) → Dense(1, sigmoid) on windows of
    ``window`` days of the target and the observed covariates (standardised on the training
    span), binary cross-entropy; for classes, Dense(K, softmax) with sparse categorical
    cross-entropy. Trained on the training span only, seeded and deterministic like the
    forecasting LSTMs (:mod:`shiftbench.lstm.model`); early stopping on the latest 10 % of the
    training windows."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        family="event", seeded=True, covariates=True, min_train=30
    )

    def __init__(
        self,
        *,
        window: int = 10,
        units: tuple[int, ...] = (10,),
        epochs: int = 40,
        batch_size: int = 32,
        learning_rate: float = 0.005,
        patience: int = 5,
        validation_size: float = 0.1,
        seed: int = 0,
    ) -> None:
        self.window = window
        self.units = units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.validation_size = validation_size
        self.seed = seed

    def check_params(self) -> None:
        if self.window < 1:
            raise ValueError(f"window: must be at least 1, got {self.window}")
        if not self.units or any(u < 1 for u in self.units):
            raise ValueError(f"units: at least one layer of at least 1 unit, got {self.units}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")
        if not (0.0 <= self.validation_size < 1.0):
            raise ValueError(f"validation_size: in [0, 1), got {self.validation_size}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning_rate: a positive number, got {self.learning_rate}")

    def minimum_train(self) -> int:
        return max(self.capabilities.min_train, 3 * self.window)

    def _windows(self, features: FloatArray, ends: npt.NDArray[np.int64]) -> FloatArray:
        scaled = (features - self.mean_) / self.scale_
        steps = np.arange(-self.window + 1, 1)
        windows: FloatArray = scaled[ends[:, None] + steps[None, :]].astype(np.float32)
        return windows

    def fit_events(
        self, features: FloatArray, labels: FloatArray, spec: EventSpec, n_train: int
    ) -> Self:
        from shiftbench.lstm.model import NetworkSpec, train

        self.check_params()
        self.spec_ = spec
        train_part = features[:n_train]
        self.mean_ = train_part.mean(axis=0)
        scale = train_part.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        known = _known(labels, spec, n_train)
        ends = np.arange(self.window - 1, n_train - 1)
        ends = ends[~np.isnan(known[ends + 1])]
        if len(ends) < 10:
            raise FitError(f"lstm_event: only {len(ends)} labelled training windows")
        X = self._windows(features, ends)
        y = known[ends + 1].astype(np.float32)
        k = len(spec.classes)
        network = NetworkSpec(
            units=tuple(self.units),
            dense=(),
            dropout=0.0,
            activation="tanh",
            dense_activation="relu",
            output_activation="sigmoid" if k == 2 else "softmax",
            optimizer="adam",
            learning_rate=self.learning_rate,
            lr_decay_every=0,
            lr_decay_factor=1.0,
            loss="binary_crossentropy" if k == 2 else "sparse_categorical_crossentropy",
            epochs=self.epochs,
            batch_size=self.batch_size,
            validation_size=self.validation_size,
            patience=self.patience,
            outputs=1 if k == 2 else k,
        )
        self.trained_ = train(network, X, y, self.seed)
        return self

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray:
        from shiftbench.lstm.model import predict_matrix

        out = predict_matrix(self.trained_, self._windows(features, cutoffs))
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        return np.asarray(out, dtype=np.float64)

    def info(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "epochs_run": self.trained_.epochs_run,
            "final_loss": self.trained_.history.get("loss", [math.nan])[-1],
        }

    def training_history(self) -> dict[str, list[float]] | None:
        return self.trained_.history
