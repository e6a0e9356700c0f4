"""``lstm_raw`` and ``lstm_diff``: Keras LSTMs behind the Forecaster interface.

``lstm_raw`` learns the next value from the last ``window`` values. ``lstm_diff`` learns the next
first difference from the last ``window`` differences and puts it back on the level scale,
ŷ_t = y_{t−1} + Δ̂_t (cumulatively for h > 1): the remedy the sales article proposes for the
right shift. Both scale the modelled series (and the covariates) with a scaler fitted on the
training span only, train once per fit, and forecast every origin of a backtest with one batched
forward pass over the windows built from the true history.

Defaults, and why: one LSTM layer of 32 units and a linear output is enough for the suite's
series and trains in seconds on a CPU; Adam at 0.005 converges within the 40-epoch budget;
10 % of the training windows (the most recent ones) are held out for early stopping with
patience 5 and the best weights restored, so a run stops once validation loss stops improving;
batch size 32; min-max scaling. The study configs in ``examples/`` replay the larger set-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from shiftbench.errors import FitError
from shiftbench.forecaster import (
    BaseForecaster,
    XLike,
    YLike,
    as_exog_array,
    as_float_array,
)
from shiftbench.lstm.arrays import Architecture, Recurrent
from shiftbench.lstm.bounds import check_network, check_windows
from shiftbench.lstm.params import (
    SAMPLE_PATHS,
    STACKED_ACTIVATIONS,
    Trainer,
    check_params,
)
from shiftbench.lstm.predictive import central_intervals, gaussian_forecast, sample_levels
from shiftbench.lstm.windows import (
    Preprocessing,
    Scaler,
    ScalerKind,
    last_windows,
    step_features,
    training_windows,
)
from shiftbench.types import INTERVAL_LEVELS, Capabilities, FloatArray, Forecast


class _LSTMForecaster(BaseForecaster):
    """Shared machinery; subclasses set ``differenced``.

    Attributes
    ----------
    network_
        What the training found (:class:`shiftbench.lstm.model.Trained`): the network, its
        loss per epoch, the device and the seconds; ``info()`` and ``training_history()``
        read it.
    prep_, target_scaler_, exog_scaler_
        The preprocessing and the scalers, fitted on the training span only.
    y_, x_, n_train_
        Every observation (and covariate row) seen, moved on by ``update``, and the length of
        the training span.
    """

    differenced: ClassVar[bool] = False
    #: the kind of the ``units`` layers (:class:`shiftbench.lstm.arrays.Architecture`)
    recurrent: ClassVar[Recurrent] = "lstm"
    capabilities: ClassVar[Capabilities] = Capabilities(
        covariates=True, variance=False, seeded=True, min_train=8, family="neural"
    )
    dependencies: ClassVar[tuple[str, ...]] = ("tensorflow", "keras")

    def __init__(
        self,
        *,
        window: int = 3,
        units: tuple[int, ...] = (32,),
        dense: tuple[int, ...] = (),
        dropout: float = 0.0,
        activation: str = "tanh",
        dense_activation: str = "relu",
        output_activation: str = "linear",
        optimizer: Literal["adam", "rmsprop", "sgd"] = "adam",
        learning_rate: float = 0.005,
        lr_decay_every: int = 0,
        lr_decay_factor: float = 0.1,
        loss: Literal["mse", "mae", "huber"] = "mse",
        epochs: int = 40,
        batch_size: int = 32,
        validation_size: float = 0.1,
        patience: int = 5,
        scaler: ScalerKind = "minmax",
        preprocess: Literal["none", "makridakis2018"] = "none",
        season_length: int = 1,
        recurrent_activation: str = "sigmoid",
        trainer: Trainer = "auto",
        distribution: Literal["none", "normal"] = "none",
        seed: int = 0,
    ) -> None:
        self.window = window
        self.units = units
        self.dense = dense
        self.dropout = dropout
        self.activation = activation
        self.dense_activation = dense_activation
        self.output_activation = output_activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_decay_every = lr_decay_every
        self.lr_decay_factor = lr_decay_factor
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_size = validation_size
        self.patience = patience
        self.scaler = scaler
        self.preprocess = preprocess
        self.season_length = season_length
        self.recurrent_activation = recurrent_activation
        self.trainer = trainer
        self.distribution = distribution
        self.seed = seed

    def check_params(self) -> None:
        check_params(self)
        check_network(
            units=self.units, dense=self.dense, window=self.window, epochs=self.epochs,
            batch_size=self.batch_size,
        )  # fmt: skip

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        """The network on these inputs and its training windows fit in memory
        (:mod:`shiftbench.lstm.bounds`)."""
        check_network(
            units=self.units, dense=self.dense, window=self.window, epochs=self.epochs,
            batch_size=self.batch_size, n_inputs=1 + n_covariates,
        )  # fmt: skip
        check_windows(self.window, n_train, n_covariates)

    # -- the modelled series ---------------------------------------------------------------
    @property
    def _t0(self) -> int:
        """First time index of the modelled series (1 for differences)."""
        return 1 if self.differenced else 0

    def _modelled(self, y: FloatArray) -> FloatArray:
        if self.differenced:
            return np.diff(y)
        prep = getattr(self, "prep_", None)
        return y if prep is None else prep.forward(y, np.arange(len(y)))

    def _features(self, y: FloatArray, x: FloatArray | None) -> FloatArray:
        """Scaled step features for times t0 .. len(y) − 1; ``x`` has len(y) + 1 rows."""
        z = self.target_scaler_.transform(self._modelled(y)[:, None])[:, 0]
        design = None
        if x is not None:
            if self.exog_scaler_ is None:
                raise FitError("the LSTM was fitted without covariates but was given some")
            design = self.exog_scaler_.transform(x[self._t0 :])
        return step_features(z, design)

    def minimum_train(self) -> int:
        """Fewest training points: one window plus two targets (plus one for differencing)."""
        return self.window + 2 + self._t0

    # -- Forecaster --------------------------------------------------------------------------
    def _spec(self) -> Any:
        from shiftbench.lstm.model import NetworkSpec

        return NetworkSpec(
            units=tuple(int(u) for u in self.units),
            dense=tuple(int(u) for u in self.dense),
            dropout=self.dropout,
            activation=self.activation,
            dense_activation=self.dense_activation,
            output_activation=self.output_activation,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            lr_decay_every=self.lr_decay_every,
            lr_decay_factor=self.lr_decay_factor,
            epochs=self.epochs,
            batch_size=self.batch_size,
            validation_size=self.validation_size,
            patience=self.patience,
            recurrent=self.recurrent,
            recurrent_activation=self.recurrent_activation,
            outputs=self._outputs,
            loss="gaussian_nll" if self.distribution == "normal" else self.loss,
        )

    def gives_intervals(self) -> bool:
        """With ``distribution = "normal"`` the network's one-step forecasts carry the
        Gaussian's intervals."""
        return self.distribution == "normal"

    @property
    def _outputs(self) -> int:
        """The network's outputs: the forecast, or its mean and raw scale (``distribution``)."""
        return 2 if self.distribution == "normal" else 1

    def _architecture(self, n_features: int) -> Architecture:
        """What the network computes (the stacked trainer's description of it)."""
        return Architecture(
            self.recurrent,
            tuple(int(u) for u in self.units) if self.recurrent != "none" else (),
            tuple(int(u) for u in self.dense),
            self.activation,
            self.dense_activation,
            self.output_activation,
            int(self.window),
            n_features,
            outputs=self._outputs,
            recurrent_activation=self.recurrent_activation,
        )

    def _stackable(self) -> bool:
        """Whether the stacked trainer can train this network: no dropout, and activations
        it knows (:data:`STACKED_ACTIVATIONS`)."""
        names = (self.activation, self.dense_activation, self.output_activation,
                 self.recurrent_activation)  # fmt: skip
        return self.dropout == 0 and all(n in STACKED_ACTIVATIONS for n in names)

    def _stacked(self, batched: bool) -> bool:
        """Whether this fit trains on the stacked path: always with ``trainer = "stacked"``,
        never with ``"keras"``; with ``"auto"`` when the engine trains a collection's series
        together (``batched``) and the network is :meth:`_stackable`."""
        if self.trainer == "stacked":
            return True
        return self.trainer == "auto" and batched and self._stackable()

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        """Train on ``y`` (and ``exog``): by Keras one network at a time, or on the stacked
        path with ``trainer = "stacked"`` (with the random stream of the key "")."""
        from shiftbench.lstm import model as net

        if self._stacked(batched=False):
            error = type(self).fit_batch([self], [(y, exog)], [""])[0]
            if error is not None:
                raise error
            return self
        X, target = self._prepare(y, exog)
        self.network_ = net.train(self._spec(), X, target, self.seed)
        return self

    def _prepare(self, y: YLike, exog: XLike) -> tuple[FloatArray, FloatArray]:
        """Fit the preprocessing and the scalers on the training span, keep what the model has
        seen, and return the training windows and their targets."""
        values = as_float_array(y)
        x = as_exog_array(exog, len(values), "exog")
        if self.window < 1:
            raise FitError(f"window must be at least 1, got {self.window}")
        if len(values) < self.minimum_train():
            raise FitError(
                f"{len(values)} training points are too few for window {self.window} "
                f"(at least {self.minimum_train()} needed)"
            )
        self.prep_ = (
            Preprocessing.fit(values, self.season_length)
            if self.preprocess == "makridakis2018"
            else None
        )
        self.target_scaler_ = Scaler.fit(self._modelled(values), self.scaler)
        self.exog_scaler_ = Scaler.fit(x, self.scaler) if x is not None else None
        padded = None if x is None else np.vstack([x, np.zeros((1, x.shape[1]))])
        features = self._features(values, padded)
        targets = self.target_scaler_.transform(self._modelled(values)[:, None])[:, 0]
        self.y_ = values
        self.x_ = x
        self.n_train_ = len(values)
        return training_windows(features, targets, self.window)

    @classmethod
    def fit_batch(
        cls,
        models: Sequence[BaseForecaster],
        data: Sequence[tuple[YLike, XLike]],
        keys: Sequence[str],
    ) -> list[Exception | None]:
        """Train the networks of many series at once (:mod:`shiftbench.lstm.stacked`): those
        on the stacked path (:meth:`_stacked`) together, one program per architecture and
        training settings; the others one by one. Each network's random stream is its
        ``seed`` and its key (:func:`shiftbench.lstm.arrays.stream`)."""
        from shiftbench.lstm.batch import fit_networks

        return fit_networks(models, data, keys)

    def training_history(self) -> dict[str, list[float]] | None:
        """Loss and validation loss per epoch of the last fit."""
        self._check_fitted("network_")
        return {k: list(v) for k, v in self.network_.history.items()}

    def info(self) -> dict[str, Any]:
        """The window and the training's summary (:meth:`shiftbench.lstm.model.Trained.summary`)."""
        self._check_fitted("network_")
        return {"window": self.window, **self.network_.summary()}

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("network_")
        values = as_float_array(y_new)
        self.y_ = np.concatenate([self.y_, values])
        if self.x_ is not None:
            x = as_exog_array(exog_new, len(values), "exog_new")
            if x is None:
                raise FitError("the LSTM was fitted with covariates: exog_new is required")
            self.x_ = np.vstack([self.x_, x])
        return self

    def _exog_rows(self, exog: XLike, n: int) -> FloatArray | None:
        if self.x_ is None:
            return None
        x = as_exog_array(exog, n, "exog")
        if x is None:
            raise FitError("the LSTM was fitted with covariates: their future values are needed")
        return x

    def _to_level(
        self, z_hat: FloatArray, previous: FloatArray, positions: npt.NDArray[np.int64]
    ) -> FloatArray:
        """Network outputs back on the series' scale at the target ``positions``."""
        step = self.target_scaler_.inverse_target(z_hat)
        if self.differenced:
            return previous + step
        return step if self.prep_ is None else self.prep_.inverse(step, positions)

    def one_step_path(self, y_seen: YLike, exog_targets: XLike = None) -> Forecast:
        """All one-step origins in one batched forward pass."""

        self._check_fitted("network_")
        seen = as_float_array(y_seen, "y_seen")
        k = len(seen) + 1
        future = self._exog_rows(exog_targets, k)
        y = np.concatenate([self.y_, seen])
        x = None if self.x_ is None or future is None else np.vstack([self.x_, future])
        features = self._features(y, x)
        cutoffs = np.arange(len(self.y_) - 1, len(y), dtype=np.int64)
        windows = last_windows(features, cutoffs - self._t0, self.window)
        z_hat, sigma = self._predict(windows)
        return self._distribution(z_hat, sigma, y[cutoffs], cutoffs + 1)

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        """Recursive multi-step forecasts: each step's forecast feeds the next window. With
        ``distribution = "normal"``, step 1 carries the Gaussian's intervals and steps 2..h
        those of :data:`SAMPLE_PATHS` sample paths (:meth:`_sampled_intervals`)."""

        self._check_fitted("network_")
        future = self._exog_rows(exog_future, horizon)
        y = self.y_.copy()
        out = np.empty(horizon)
        first: Forecast | None = None
        for j in range(horizon):
            x = None if self.x_ is None or future is None else np.vstack([self.x_, future[: j + 1]])
            features = self._features(y, x)
            window = last_windows(features, np.array([len(y) - 1 - self._t0]), self.window)
            z_hat, sigma = self._predict(window)
            if j == 0:
                first = self._distribution(z_hat, sigma, y[-1:], np.array([len(y)]))
                if horizon == 1:
                    return first
            out[j] = self._to_level(z_hat, y[-1:], np.array([len(y)]))[0]
            y = np.append(y, out[j])
        if self.distribution != "normal" or first is None:
            return Forecast(mean=out)
        intervals = self._sampled_intervals(horizon, future)
        for level, (lo, hi) in first.intervals.items():
            intervals[level][0][0], intervals[level][1][0] = lo[0], hi[0]  # step 1: exact
        return Forecast(mean=out, intervals=intervals)

    def _sampled_intervals(
        self, horizon: int, future: FloatArray | None
    ) -> dict[int, tuple[FloatArray, FloatArray]]:
        """Central intervals of steps 1..``horizon`` from :data:`SAMPLE_PATHS` paths drawn from
        the network's Gaussian (:mod:`shiftbench.lstm.predictive`), from a stream seeded by the
        model's seed and the origin: a forecast is the same every time it is made."""
        n = len(self.y_)
        x = None if self.x_ is None or future is None else np.vstack([self.x_, future])
        features = self._features(self.y_, None if x is None else x[: n + 1])
        design = None
        if x is not None and self.exog_scaler_ is not None:  # rows of the targets n + 1 ..
            design = self.exog_scaler_.transform(x[self._t0 :])[n - self._t0 + 1 :]
        levels = sample_levels(
            self._predict,
            self._to_level,
            last_windows(features, np.array([n - 1 - self._t0]), self.window),
            design,
            float(self.y_[-1]),
            n,
            horizon,
            SAMPLE_PATHS,
            np.random.default_rng([self.seed, n]),
        )
        return central_intervals(levels, INTERVAL_LEVELS)

    def in_sample_predictions(self) -> FloatArray:
        """One-step predictions over the training span (NaN where no full window exists)."""

        self._check_fitted("network_")
        y = self.y_[: self.n_train_]
        x = None if self.x_ is None else self.x_[: self.n_train_]
        padded = None if x is None else np.vstack([x, np.zeros((1, x.shape[1]))])
        features = self._features(y, padded)
        targets = np.arange(self._t0 + self.window, len(y), dtype=np.int64)
        windows = last_windows(features, targets - 1 - self._t0, self.window)
        out = np.full(len(y), np.nan)
        out[targets] = self._to_level(self._predict(windows)[0], y[targets - 1], targets)
        return out

    def _predict(self, windows: FloatArray) -> tuple[FloatArray, FloatArray | None]:
        """The network's forecast (scaled) for each window, and with ``distribution =
        "normal"`` its predictive scale σ = softplus(s) + MIN_SCALE."""
        from shiftbench.lstm import model as net

        out = net.predict_matrix(self.network_, windows)
        if self.distribution != "normal":
            return out[:, 0], None
        return out[:, 0], np.logaddexp(0.0, out[:, 1]) + net.MIN_SCALE

    def _distribution(
        self,
        z_hat: FloatArray,
        sigma: FloatArray | None,
        previous: FloatArray,
        positions: npt.NDArray[np.int64],
    ) -> Forecast:
        """Forecasts on the series' scale; with a scale σ, the Gaussian's intervals and sd
        (:func:`shiftbench.lstm.predictive.gaussian_forecast`)."""
        if sigma is None:
            return Forecast(mean=self._to_level(z_hat, previous, positions))
        return gaussian_forecast(
            z_hat,
            sigma,
            lambda z: self._to_level(z, previous, positions),
            INTERVAL_LEVELS,
            float(self.target_scaler_.scale[0]) if self.prep_ is None else None,
        )


class LSTMRaw(_LSTMForecaster):
    """An LSTM trained on windows of the raw (scaled) series to predict the next value.

    Examples
    --------
    >>> LSTMRaw(window=5, epochs=2).get_params()["window"]
    5
    """

    differenced: ClassVar[bool] = False


class LSTMDiff(_LSTMForecaster):
    """An LSTM trained on first differences; forecasts are ŷ_t = y_{t−1} + Δ̂_t.

    Examples
    --------
    >>> LSTMDiff(window=5).minimum_train()
    8
    """

    differenced: ClassVar[bool] = True
