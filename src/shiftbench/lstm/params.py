"""The networks' hyper-parameters as a run checks them before any cell (exit 2, naming the
key): the activations Keras knows by name, the trainers, and the admissible values of every
constructor argument of :class:`shiftbench.lstm.forecaster._LSTMForecaster` (the sizes a
network may reach are :mod:`shiftbench.lstm.bounds`'). Nothing here imports Keras."""

from __future__ import annotations

import math
from typing import Any, Literal

from shiftbench.lstm.arrays import ACTIVATIONS as _ARRAY_ACTIVATIONS

#: Activations Keras knows by name (checked before a run, without importing Keras).
ACTIVATIONS: tuple[str, ...] = (
    "linear", "tanh", "relu", "sigmoid", "hard_sigmoid", "elu", "selu", "softplus",
    "softsign", "gelu", "swish", "silu", "exponential", "leaky_relu", "relu6", "mish",
)  # fmt: skip
#: How a network trains: "keras" one network at a time, "stacked" many per-series networks in
#: one program (:mod:`shiftbench.lstm.stacked`), "auto" stacked for a collection's series and
#: Keras for a single series.
Trainer = Literal["auto", "keras", "stacked"]
TRAINERS: tuple[str, ...] = ("auto", "keras", "stacked")
#: The activations the stacked trainer implements.
STACKED_ACTIVATIONS: tuple[str, ...] = tuple(_ARRAY_ACTIVATIONS)
#: Sample paths behind a Gaussian head's multi-step intervals
#: (:mod:`shiftbench.lstm.predictive`): the Monte Carlo error of a 2.5 % quantile is then
#: about ±0.5 percentage points of probability.
SAMPLE_PATHS = 1000


def _one_of(names: tuple[str, ...]) -> str:
    return "must be one of " + ", ".join(names)


def check_params(model: Any) -> None:
    """Raise ``ValueError("KEY: why, got VALUE")`` for the first hyper-parameter of ``model``
    (a network forecaster) outside its admissible values."""
    m = model
    checks = (
        ("window", m.window >= 1, "must be at least 1"),
        ("units", len(m.units) > 0 and all(u >= 1 for u in m.units),
         "needs one or more layers, each of at least 1 unit"),
        ("dense", all(u >= 1 for u in m.dense), "every layer needs at least 1 unit"),
        ("dropout", 0.0 <= m.dropout < 1.0, "must lie in [0, 1)"),
        ("activation", m.activation in ACTIVATIONS, _one_of(ACTIVATIONS)),
        ("dense_activation", m.dense_activation in ACTIVATIONS, _one_of(ACTIVATIONS)),
        ("output_activation", m.output_activation in ACTIVATIONS, _one_of(ACTIVATIONS)),
        ("learning_rate", math.isfinite(m.learning_rate) and m.learning_rate > 0,
         "must be a positive number"),
        ("lr_decay_every", m.lr_decay_every >= 0, "must be at least 0"),
        ("lr_decay_factor", math.isfinite(m.lr_decay_factor) and m.lr_decay_factor > 0,
         "must be a positive number"),
        ("epochs", m.epochs >= 1, "must be at least 1"),
        ("batch_size", m.batch_size >= 1, "must be at least 1"),
        ("validation_size", 0.0 <= m.validation_size < 1.0, "must lie in [0, 1)"),
        ("patience", m.patience >= 0, "must be at least 0"),
        ("seed", 0 <= m.seed <= 2**32 - 1, "must lie in 0..2**32-1"),
        ("season_length", m.season_length >= 1, "must be at least 1"),
        ("preprocess", m.preprocess == "none" or not m.differenced,
         "is an option of lstm_raw (the network on differences models no level)"),
        ("recurrent_activation", m.recurrent_activation in ACTIVATIONS, _one_of(ACTIVATIONS)),
        ("trainer", m.trainer in TRAINERS, _one_of(TRAINERS)),
        ("distribution", m.distribution in ("none", "normal"), _one_of(("none", "normal"))),
        ("trainer", m.trainer != "stacked" or m._stackable(),
         "'stacked' trains networks without dropout whose activations are "
         + ", ".join(STACKED_ACTIVATIONS)),
    )  # fmt: skip
    for name, ok, why in checks:
        if not ok:
            shown = repr(getattr(m, name))
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ValueError(f"{name}: {why}, got {shown}")
