"""``lstm_event``: the heat-event study's direct classifier (see
:class:`shiftbench.forecaster.EventClassifier`). TensorFlow loads only when it trains."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from shiftbench.errors import FitError
from shiftbench.eventspec import MAX_EVENT_CLASSES, EventSpec
from shiftbench.forecaster import EventClassifier
from shiftbench.lstm.bounds import check_network, check_windows
from shiftbench.lstm.model import NetworkSpec, predict_matrix, train
from shiftbench.types import Capabilities, FloatArray


class LSTMEvent(EventClassifier):
    """The study's direct classifier: LSTM(``units``) → Dense(1, sigmoid) on windows of
    ``window`` days of the target and the observed covariates (standardised on the training
    span), binary cross-entropy; for classes, Dense(K, softmax) with sparse categorical
    cross-entropy. Trained on the training span only, seeded and deterministic like the
    forecasting LSTMs (:mod:`shiftbench.lstm.model`); early stopping on the latest 10 % of the
    training windows."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        kind="event", cost="training", seeded=True, covariates=True, min_train=30
    )
    dependencies: ClassVar[tuple[str, ...]] = ("tensorflow", "keras")

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
            shown = repr(self.units)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ValueError(f"units: at least one layer of at least 1 unit, got {shown}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.seed <= 2**32 - 1:
            raise ValueError(f"seed: must lie in 0..2**32-1, got {self.seed}")
        if not (0.0 <= self.validation_size < 1.0):
            raise ValueError(f"validation_size: in [0, 1), got {self.validation_size}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning_rate: a positive number, got {self.learning_rate}")
        if self.patience < 0:
            raise ValueError(f"patience: must be at least 0, got {self.patience}")
        check_network(
            units=self.units, dense=(), window=self.window, epochs=self.epochs,
            batch_size=self.batch_size, outputs=MAX_EVENT_CLASSES,
        )  # fmt: skip

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        """The network on these inputs and its training windows fit in memory
        (:mod:`shiftbench.lstm.bounds`)."""
        check_network(
            units=self.units, dense=(), window=self.window, epochs=self.epochs,
            batch_size=self.batch_size, n_inputs=1 + n_covariates, outputs=MAX_EVENT_CLASSES,
        )  # fmt: skip
        check_windows(self.window, n_train, n_covariates)

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
        self.check_params()
        self.spec_ = spec
        train_part = features[:n_train]
        self.mean_ = train_part.mean(axis=0)
        scale = train_part.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        known = spec.known_labels(labels, n_train)
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
