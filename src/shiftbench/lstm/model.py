"""The Keras network and its training. TensorFlow is imported here, inside functions only.

Determinism: before a network is built, ``keras.utils.set_random_seed(seed)`` seeds Python,
NumPy and TensorFlow, and TensorFlow's op determinism is switched on, so the same seed and data
give bit-identical weights and forecasts on a CPU. Training runs with ``shuffle=True`` driven by
that seed.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shiftbench.errors import FitError

FloatArray = np.ndarray


def quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up logging out of the terminal unless the user asked for it.

    Setting ``TF_CPP_MIN_LOG_LEVEL`` (or ``SHIFTBENCH_TF_LOG=1``) before running leaves
    TensorFlow's own logging as it is.
    """
    if os.environ.get("SHIFTBENCH_TF_LOG") != "1":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def import_keras() -> Any:
    """Import Keras on the TensorFlow backend, quietly."""
    quiet_tensorflow()
    if os.environ.get("SHIFTBENCH_TF_LOG") == "1" or "tensorflow" in sys.modules:
        import keras
        import tensorflow as tf
    else:
        # TensorFlow's C++ core logs a line or two (oneDNN, absl) to file descriptor 2 before
        # its own log level applies; silence the descriptor for the import only.
        saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            sys.stderr.flush()
            os.dup2(null, 2)
            import keras
            import tensorflow as tf
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(null)

    try:
        # One thread per process: results do not depend on how many cells run side by side
        # (--jobs), and N worker processes do not oversubscribe N cores. The tiny networks of a
        # benchmark gain little from intra-op threads.
        text = os.environ.get("SHIFTBENCH_TF_THREADS", "1").strip()
        threads = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 1
        threads = max(threads, 1)
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already initialised in this process: keep its setting
        pass
    if os.environ.get("SHIFTBENCH_TF_LOG") != "1":
        tf.get_logger().setLevel("ERROR")
        try:
            import absl.logging

            absl.logging.set_verbosity(absl.logging.ERROR)
        except ImportError:  # pragma: no cover - absl ships with TensorFlow
            pass
    return keras


@dataclass(frozen=True)
class NetworkSpec:
    """The architecture and training settings of one LSTM network."""

    units: tuple[int, ...]
    dense: tuple[int, ...]
    dropout: float
    activation: str
    dense_activation: str
    output_activation: str
    optimizer: str
    learning_rate: float
    lr_decay_every: int
    lr_decay_factor: float
    loss: str
    epochs: int
    batch_size: int
    validation_size: float
    patience: int
    #: units of the output layer (1 for a forecast or a binary event, K for K classes)
    outputs: int = 1
    #: the kind of the ``units`` layers: "lstm", "rnn" (Keras's SimpleRNN) or "none" (a
    #: multilayer perceptron on the flattened window; its hidden layers are ``dense``)
    recurrent: str = "lstm"
    #: the LSTM's gate activation (Keras's ``recurrent_activation``)
    recurrent_activation: str = "sigmoid"


@dataclass(frozen=True)
class Trained:
    """What one training found: the trained network, its loss (and validation loss) per
    epoch, and where and how long it trained. Frozen: a fit's results, read by the forecaster's
    ``info()`` and ``training_history()``."""

    network: Any
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_run: int = 0
    #: wall seconds of each epoch (the first includes tracing the training step), and of the
    #: whole fit including building the network
    epoch_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    #: :func:`device_name` at training time
    device: str = "CPU"

    def summary(self) -> dict[str, Any]:
        """The training for the run manifest: ``epochs_run``, ``final_loss``,
        ``best_val_loss`` (None without validation), ``parameters`` (the network's weights),
        ``device``, and the wall seconds of the training (``seconds_training``), of its first
        epoch and the median of the others (``seconds_per_epoch``; None for a single epoch).

        >>> class Net:
        ...     def count_params(self) -> int:
        ...         return 10
        >>> Trained(Net(), {"loss": [0.5, 0.25]}, 2, [2.0, 1.0], 3.5).summary()["final_loss"]
        0.25
        """
        losses = self.history.get("loss", [])
        val = self.history.get("val_loss", [])
        return {
            "epochs_run": len(losses),
            "final_loss": losses[-1] if losses else None,
            "best_val_loss": min(val) if val else None,
            "parameters": int(self.network.count_params()),
            "device": self.device,
            "seconds_training": self.seconds,
            "seconds_first_epoch": self.epoch_seconds[0] if self.epoch_seconds else None,
            "seconds_per_epoch": (
                float(np.median(self.epoch_seconds[1:])) if len(self.epoch_seconds) > 1 else None
            ),
        }


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic."""
    keras = import_keras()
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    # Keras draws the seeds of layers built without one from Python's *global* random module
    # (keras.src.random.seed_generator.make_default_seed). Other threads of the process — a
    # Dask worker's event loop, say — may draw from it between the seeding above and the
    # network's construction, which made the same seed give different weights. A private
    # generator seeded alike draws the very same numbers, and only this cell draws from it.
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - a Keras without that module
        return
    if hasattr(seed_generator, "python_random"):
        seed_generator.python_random = random.Random(int(seed))


#: The smallest predictive scale of a distributional network (in the scaled units it trains on).
MIN_SCALE = 1e-6


def gaussian_nll(keras: Any) -> Any:
    """The Gaussian negative log-likelihood of a network with two outputs, the mean μ and a
    raw scale s (σ = softplus(s) + :data:`MIN_SCALE`): ½ log 2π + log σ + (y − μ)² / 2σ² per
    window (the mean-variance estimation of Nix & Weigend 1994, as in DeepAR's Gaussian
    likelihood, Salinas et al. 2020)."""
    ops = keras.ops

    def loss(y_true: Any, y_pred: Any) -> Any:
        y = ops.reshape(y_true, (-1,))
        mu, raw = y_pred[:, 0], y_pred[:, 1]
        sigma = ops.softplus(raw) + MIN_SCALE
        return 0.5 * math.log(2 * math.pi) + ops.log(sigma) + 0.5 * ops.square((y - mu) / sigma)

    return loss


def resolve_loss(keras: Any, name: str) -> Any:
    """A loss by name: Keras's own, or ``"gaussian_nll"`` (:func:`gaussian_nll`)."""
    return gaussian_nll(keras) if name == "gaussian_nll" else keras.losses.get(name)


def build_network(
    spec: NetworkSpec, window: int, n_features: int, steps_per_execution: int = 1
) -> Any:
    """The network, compiled. ``steps_per_execution`` training steps run inside one call of
    the compiled step function: the same updates in the same order (the weights, losses and
    forecasts are bit-identical, a test checks it), with Python and dispatch overhead paid
    once per call instead of once per batch (see :func:`train`)."""
    keras = import_keras()
    layers = [keras.Input(shape=(window, n_features))]
    if spec.recurrent == "none":
        layers.append(keras.layers.Flatten())
    for i, units in enumerate(spec.units if spec.recurrent != "none" else ()):
        last = i == len(spec.units) - 1
        if spec.recurrent == "rnn":
            layer = keras.layers.SimpleRNN(
                units, activation=spec.activation, return_sequences=not last
            )
        else:
            layer = keras.layers.LSTM(
                units,
                activation=spec.activation,
                recurrent_activation=spec.recurrent_activation,
                return_sequences=not last,
            )
        layers.append(layer)
        if spec.dropout > 0:
            layers.append(keras.layers.Dropout(spec.dropout))
    for units in spec.dense:
        layers.append(keras.layers.Dense(units, activation=spec.dense_activation))
    layers.append(keras.layers.Dense(spec.outputs, activation=spec.output_activation))
    network = keras.Sequential(layers)
    optimizers = {
        "adam": keras.optimizers.Adam,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": keras.optimizers.SGD,
    }
    network.compile(
        optimizer=optimizers[spec.optimizer](learning_rate=spec.learning_rate),
        loss=resolve_loss(keras, spec.loss),
        steps_per_execution=steps_per_execution,
    )
    return network


def train(
    spec: NetworkSpec,
    X: FloatArray,
    y: FloatArray,
    seed: int,
    *,
    steps_per_execution: int | None = None,
) -> Trained:
    """Train a fresh network on windows X (n, window, features) and targets y (n,).

    The validation tail (for early stopping) is the last ``validation_size`` share of the
    training windows, never test data. A loss that turns NaN or inf stops training and raises
    :class:`FitError`.
    """
    keras = import_keras()
    started = time.perf_counter()
    seed_everything(seed)
    X = np.asarray(X, dtype=np.float32)  # the network's dtype: converted once, not per epoch
    y = np.asarray(y, dtype=np.float32)
    callbacks: list[Any] = [keras.callbacks.TerminateOnNaN()]
    n_val = round(spec.validation_size * len(X)) if spec.validation_size > 0 else 0
    if n_val >= 1 and len(X) - n_val >= 1:
        callbacks.append(_validation_loss(keras, X[-n_val:], y[-n_val:], spec.loss))
        X, y = X[:-n_val], y[:-n_val]
        if spec.patience > 0:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=spec.patience, restore_best_weights=True
                )
            )
    # A whole epoch per call of the compiled training step: the tiny networks of a benchmark
    # spend most of a step in per-batch overhead, and every callback here acts per epoch.
    per_epoch = max(1, math.ceil(len(X) / spec.batch_size))
    network = build_network(
        spec, X.shape[1], X.shape[2], steps_per_execution=steps_per_execution or per_epoch
    )
    clock: list[float] = []
    callbacks.append(
        keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: clock.append(time.perf_counter()),
            on_epoch_end=lambda epoch, logs: clock.append(time.perf_counter()),
        )
    )
    if spec.lr_decay_every > 0:
        every, factor, base = spec.lr_decay_every, spec.lr_decay_factor, spec.learning_rate
        callbacks.append(
            keras.callbacks.LearningRateScheduler(lambda epoch: base * factor ** (epoch // every))
        )
    import tensorflow as tf

    # The training windows as an in-memory dataset that repeats, read through one iterator for
    # the whole fit: for arrays Keras makes a new one every epoch, some 10-100 ms of overhead
    # per epoch that dominated the small series. The windows are reshuffled every epoch by
    # tf.data's seeded shuffle, deterministic under op determinism.
    # Batches are gathered from the tensors by shuffled indices (as Keras does for arrays),
    # not sliced element by element, and the next two are prepared while one trains.
    X_t, y_t = tf.constant(X), tf.constant(y)
    batches = (
        tf.data.Dataset.range(len(X))
        .shuffle(len(X), seed=int(seed), reshuffle_each_iteration=True)
        .batch(spec.batch_size)
        .map(lambda i: (tf.gather(X_t, i), tf.gather(y_t, i)))
        .repeat()
        .prefetch(2)
    )
    fitted = network.fit(
        batches,
        epochs=spec.epochs,
        steps_per_epoch=per_epoch,
        shuffle=False,  # the dataset reshuffles itself every epoch
        verbose=0,
        callbacks=callbacks,
    )
    history = {
        k: [float(v) for v in values]
        for k, values in fitted.history.items()
        if k in ("loss", "val_loss")
    }
    losses = history.get("loss", [])
    if not losses or not all(np.isfinite(losses)):
        bad = next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses))
        raise FitError(f"the training loss became NaN or inf at epoch {bad + 1}")
    return Trained(
        network=network,
        history=history,
        epochs_run=len(losses),
        epoch_seconds=[b - a for a, b in zip(clock[::2], clock[1::2], strict=False)],
        seconds=time.perf_counter() - started,
        device=device_name(),
    )


def _validation_loss(keras: Any, X: FloatArray, y: FloatArray, loss: str) -> Any:
    """A callback that puts ``val_loss`` into each epoch's logs: the loss over the validation
    windows in one forward pass of a compiled function (Keras's own validation pass makes a
    new data iterator every epoch). Placed before early stopping, which reads it."""
    import tensorflow as tf

    loss_fn = resolve_loss(keras, loss)
    X_v = tf.constant(X)

    class ValidationLoss(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.compute: Any = None

        def on_train_begin(self, logs: Any = None) -> None:
            network = self.model
            outputs = int(network.output_shape[-1])
            y_v = tf.constant(y if outputs > 1 or loss.startswith("sparse") else y[:, None])

            @tf.function  # type: ignore[untyped-decorator]
            def compute() -> Any:
                return tf.reduce_mean(loss_fn(y_v, network(X_v, training=False)))

            self.compute = compute

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if logs is not None:
                logs["val_loss"] = float(self.compute())

    return ValidationLoss()


def device_name() -> str:
    """Where TensorFlow places the training: "GPU (<name>)" when it sees a GPU, else "CPU".
    Op determinism is on either way (:func:`seed_everything`): a GPU run is repeatable for a
    seed, though not bit-identical to a CPU run."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    return f"GPU ({gpus[0].name})" if gpus else "CPU"


def predict(trained: Trained, X: FloatArray) -> FloatArray:
    """One batched forward pass over all the windows in X."""
    out = trained.network(X.astype(np.float32), training=False)
    return np.asarray(out, dtype=np.float64).reshape(-1)


def predict_matrix(trained: Trained, X: FloatArray) -> FloatArray:
    """One batched forward pass; one row of outputs per window."""
    out = trained.network(X.astype(np.float32), training=False)
    array = np.asarray(out, dtype=np.float64)
    return array.reshape(len(X), -1)
