"""Per-series networks held as NumPy arrays: their architecture, Keras's initialisers drawn from
the series' own random stream, and the forward pass that forecasts once a network is trained.

No TensorFlow here. :mod:`shiftbench.lstm.stacked` trains many such networks at once; each
keeps its own arrays, so forecasting one series never touches another's weights.

The layers follow Keras's definitions, so that a network trained here and one trained by Keras
are the same function of their weights: an LSTM layer has a kernel (inputs × 4u), a recurrent
kernel (u × 4u) and a bias (4u) with the gates in Keras's order (input, forget, cell, output)
and a sigmoid on the gates; a simple RNN layer h_t = act(x_t W + h_{t−1} U + b); a dense layer
act(x W + b). Initial weights as Keras draws them by default: Glorot-uniform kernels
(Glorot & Bengio 2010: U(±√(6 / (fan_in + fan_out)))), orthogonal recurrent kernels (Saxe et
al. 2014: the Q of a QR decomposition of a Gaussian matrix, signs fixed by R's diagonal), zero
biases, and the LSTM's forget-gate bias 1 (``unit_forget_bias``, Jozefowicz et al. 2015).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Recurrent = Literal["lstm", "rnn", "none"]


def _sigmoid(x: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^−x), without overflow
    return out


#: The activations the stacked path knows, in NumPy (Keras's definitions); the same names in
#: :data:`shiftbench.lstm.stacked.TF_ACTIVATIONS`.
ACTIVATIONS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
}


@dataclass(frozen=True)
class Architecture:
    """What a network computes from a window of ``window`` steps × ``n_features``.

    ``recurrent`` is the kind of the ``units`` layers ("lstm", "rnn"; "none" for a multilayer
    perceptron, whose input is the flattened window and whose hidden layers are ``dense``);
    then the ``dense`` layers and a dense output of ``outputs`` units.

    >>> Architecture("lstm", (32,), (), "tanh", "relu", "linear", 12, 1).n_weights()
    4385
    """

    recurrent: Recurrent
    units: tuple[int, ...]
    dense: tuple[int, ...]
    activation: str
    dense_activation: str
    output_activation: str
    window: int
    n_features: int
    outputs: int = 1
    recurrent_activation: str = "sigmoid"

    def shapes(self) -> list[tuple[int, ...]]:
        """The shape of every weight array, in the order the arrays are kept."""
        out: list[tuple[int, ...]] = []
        inputs = self.n_features
        gates = 4 if self.recurrent == "lstm" else 1
        if self.recurrent == "none":
            inputs = self.window * self.n_features
        else:
            for u in self.units:
                out += [(inputs, gates * u), (u, gates * u), (gates * u,)]
                inputs = u
        for d in (*self.dense, self.outputs):
            out += [(inputs, d), (d,)]
            inputs = d
        return out

    def n_weights(self) -> int:
        """The number of trainable weights."""
        return int(sum(np.prod(s) for s in self.shapes()))


def stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one network: a function of the cell's ``seed`` and the series'
    ``key`` (its dataset and series id) only, never of the other series trained beside it.

    >>> float(stream(0, "m3/N1").random()) == float(stream(0, "m3/N1").random())
    True
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng(np.random.SeedSequence([int(seed), *words]))


def _glorot(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape)


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    out: FloatArray = q.T if rows < cols else q
    return out


def initial_weights(arch: Architecture, rng: np.random.Generator) -> list[FloatArray]:
    """Fresh weights drawn as Keras's default initialisers draw them (module docstring)."""
    weights: list[FloatArray] = []
    shapes = iter(arch.shapes())
    if arch.recurrent != "none":
        for u in arch.units:
            kernel, recurrent, bias = next(shapes), next(shapes), next(shapes)
            b = np.zeros(bias)
            if arch.recurrent == "lstm":
                b[u : 2 * u] = 1.0
            weights += [_glorot(rng, kernel), _orthogonal(rng, recurrent), b]
    for kernel, bias in zip(shapes, shapes, strict=True):
        weights += [_glorot(rng, kernel), np.zeros(bias)]
    return weights


def forward(arch: Architecture, weights: Sequence[FloatArray], X: FloatArray) -> FloatArray:
    """The network's outputs (n, outputs) for windows X (n, window, n_features), in float64."""
    x = np.asarray(X, dtype=np.float64)
    act = ACTIVATIONS[arch.activation]
    gate = ACTIVATIONS[arch.recurrent_activation]
    it = iter(np.asarray(w, dtype=np.float64) for w in weights)
    n = x.shape[0]
    if arch.recurrent == "none":
        out = x.reshape(n, -1)
    else:
        seq = x
        for u in arch.units:
            kernel, recurrent, bias = next(it), next(it), next(it)
            h = np.zeros((n, u))
            c = np.zeros((n, u))
            steps = []
            projected = seq @ kernel + bias  # (n, window, gates·u): inputs of every step at once
            for t in range(seq.shape[1]):
                z = projected[:, t] + h @ recurrent
                if arch.recurrent == "lstm":
                    i, f, g, o = z[:, :u], z[:, u : 2 * u], z[:, 2 * u : 3 * u], z[:, 3 * u :]
                    c = gate(f) * c + gate(i) * act(g)
                    h = gate(o) * act(c)
                else:
                    h = act(z)
                steps.append(h)
            seq = np.stack(steps, axis=1)
        out = seq[:, -1]
    dense = [*arch.dense, arch.outputs]
    for j, _ in enumerate(dense):
        kernel, bias = next(it), next(it)
        fn = ACTIVATIONS[arch.output_activation if j == len(dense) - 1 else arch.dense_activation]
        out = fn(out @ kernel + bias)
    result: FloatArray = out
    return result


class ArrayNetwork:
    """A trained network as arrays, callable like a Keras model (``network(X, training=False)``)
    so that :func:`shiftbench.lstm.model.predict` serves both paths."""

    def __init__(self, arch: Architecture, weights: Sequence[FloatArray]) -> None:
        self.arch = arch
        self.weights = [np.asarray(w) for w in weights]

    def __call__(self, X: FloatArray, training: bool = False) -> FloatArray:
        return forward(self.arch, self.weights, X)

    def count_params(self) -> int:
        return self.arch.n_weights()

    def get_weights(self) -> list[FloatArray]:
        return [w.copy() for w in self.weights]
