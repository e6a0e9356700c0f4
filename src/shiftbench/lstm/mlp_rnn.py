"""``mlp`` and ``rnn``: the multilayer perceptron and the simple recurrent network of
Makridakis, Spiliotis & Assimakopoulos (2018, PLoS ONE 13(3): e0194889, §3.3.1 and §3.3.9),
beside the LSTMs and on the same machinery (:mod:`shiftbench.lstm.forecaster`: windows,
scalers, the paper's preprocessing, one batched forward pass over a backtest's origins,
recursive multi-step forecasts, the stacked trainer for a collection).

Their defaults are the article's settings where it states them:

- **rnn** (§3.3.9): "three input nodes and six recurrent units", "the linear activation
  function being used in all nodes", "500 epochs", "the learning ratio was set to 0.001", one
  linear output. The article names no optimiser, loss or batch size for it: RMSprop (the
  optimiser it names for its LSTM, §3.3.10), mean squared error, and Keras's default batch of
  32 (the article used Keras 2.0.9, whose ``fit`` defaults to 32).
- **mlp** (§3.3.1): "a single hidden layer" of "2N + 1" nodes on N inputs with "a logistic"
  hidden activation and "a linear function" for the output, data "scaled between 0 to 1". The
  article picks N in 1..5 by 10-fold validation and trains by scaled conjugate gradients (R's
  RSNNS) for at most 500 iterations; here N is the ``window`` parameter (3 by default, as its
  RNN and LSTM; 2N + 1 = 7 hidden nodes) and training is the RNN's (RMSprop at 0.001, 500
  epochs of batches of 32), an optimiser Keras has. Both substitutions are documented in
  docs/methods.md.

Neither uses early stopping (the article trains for its 500 epochs). ``preprocess =
"makridakis2018"`` applies the article's best preprocessing (Table 7: Box-Cox, seasonal
adjustment, linear detrending); the example configs of the replay set it.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, ClassVar

from shiftbench.lstm.arrays import Architecture, Recurrent
from shiftbench.lstm.forecaster import _LSTMForecaster


def _with_defaults(init: Callable[..., None], **defaults: Any) -> Callable[..., None]:
    """``init`` with other defaults for some keyword-only parameters: the same code, signature
    and annotations (what scikit-learn's ``get_params`` and the config's checks read)."""
    changed = types.FunctionType(
        init.__code__, init.__globals__, init.__name__, init.__defaults__, init.__closure__
    )
    changed.__kwdefaults__ = {**(init.__kwdefaults__ or {}), **defaults}
    changed.__annotations__ = dict(init.__annotations__)
    changed.__doc__ = init.__doc__
    return changed


class _PaperNetwork(_LSTMForecaster):
    """The article's defaults (module docstring) over the LSTM forecasters' machinery: the
    LSTMs' constructor with these defaults."""

    __init__ = _with_defaults(
        _LSTMForecaster.__init__,
        window=3, units=(6,), activation="linear", optimizer="rmsprop", learning_rate=0.001,
        epochs=500, validation_size=0.0, patience=0,
    )  # fmt: skip


class RNN(_PaperNetwork):
    """A simple recurrent network (Keras's SimpleRNN): 3 inputs, 6 linear recurrent units,
    a linear output, RMSprop at 0.001 for 500 epochs (Makridakis et al. 2018, §3.3.9).

    >>> RNN().get_params()["units"], RNN().minimum_train()
    ((6,), 5)
    """

    recurrent: ClassVar[Recurrent] = "rnn"


class MLP(_PaperNetwork):
    """A multilayer perceptron on the flattened window: 3 inputs, one hidden layer of 2·3 + 1
    logistic nodes (``units``), a linear output (Makridakis et al. 2018, §3.3.1).

    >>> MLP().get_params()["units"], MLP().get_params()["activation"]
    ((7,), 'sigmoid')
    """

    recurrent: ClassVar[Recurrent] = "none"

    __init__ = _with_defaults(_PaperNetwork.__init__, units=(7,), activation="sigmoid")

    def check_params(self) -> None:
        super().check_params()
        if self.dense:
            raise ValueError(
                "dense: the MLP's hidden layers are `units` (with `activation`), "
                f"got {self.dense!r}"
            )

    def _architecture(self, n_features: int) -> Architecture:
        return Architecture(
            "none", (), tuple(int(u) for u in self.units), "linear", self.activation,
            self.output_activation, int(self.window), n_features, outputs=self._outputs,
        )  # fmt: skip

    def _spec(self) -> Any:
        from dataclasses import replace

        spec = super()._spec()
        return replace(
            spec, units=(), dense=tuple(int(u) for u in self.units),
            dense_activation=self.activation, recurrent="none",
        )  # fmt: skip
