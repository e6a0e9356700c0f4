"""Many independent per-series networks trained at once, as one compiled TensorFlow program.

A collection's networks are tiny (a few hundred weights); trained one by one, each pays
TensorFlow's per-model overhead (building, tracing, a call per epoch), not arithmetic. Here the
weights of N networks are stacked along a leading model axis and trained together: every layer
is a batched matrix product (``tf.matmul`` over the model axis), the loss is the sum of the N
networks' own losses, so the gradient of network n is the gradient of its own loss, and every
optimiser (Adam, RMSprop, SGD, as Keras 3 defines them) updates element by element with a step
count per network. This is model ensembling with stacked parameters (as ``torch.func``'s
``stack_module_state`` + ``vmap`` or JAX's ``vmap`` over parameters do), written with the
TensorFlow already installed.

A network's result does not depend on its companions:

- its initial weights and the order of its training windows in every epoch come from its own
  random stream (:func:`shiftbench.lstm.arrays.stream`: the seed and the series' key);
- series have different numbers of windows: each epoch runs as many steps as the longest needs,
  and a network takes a step only while it has a batch of its own (padding rows carry zero
  weight; its optimiser state and step count stay as they are on the other steps);
- early stopping is kept per network (Keras's ``EarlyStopping`` with ``restore_best_weights``,
  rule for rule), a network that stops takes no further step, and a loss that turns NaN or
  infinite fails that network only.

Batched matrix products compute each network's product on its own, so a series' forecasts
trained alone, in a chunk of 5 or of 105 agree to float32 rounding (tested to 1e-5).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shiftbench.lstm.arrays import Architecture, FloatArray, initial_weights


@dataclass(frozen=True)
class Job:
    """One network to train: its windows X (n, window, features), targets y (n,) and its
    random stream (:func:`shiftbench.lstm.arrays.stream`)."""

    X: FloatArray
    y: FloatArray
    rng: np.random.Generator


@dataclass(frozen=True)
class Outcome:
    """What training found for one network: its weights (None when it failed, with ``error``
    saying why), the loss and validation loss per epoch, and its share of the wall seconds."""

    weights: list[FloatArray] | None
    history: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def _tf_activations(tf: Any) -> dict[str, Callable[[Any], Any]]:
    return {
        "linear": lambda x: x,
        "tanh": tf.tanh,
        "sigmoid": tf.sigmoid,
        "relu": tf.nn.relu,
        "softplus": tf.nn.softplus,
        "softsign": tf.nn.softsign,
        "elu": tf.nn.elu,
        "hard_sigmoid": lambda x: tf.clip_by_value(x / 6.0 + 0.5, 0.0, 1.0),
    }


def _loss(tf: Any, name: str) -> Callable[[Any, Any], Any]:
    """Keras's per-sample losses: mean squared error, mean absolute error, Huber (δ = 1)."""
    if name == "mse":
        return lambda y, p: tf.square(y - p)
    if name == "mae":
        return lambda y, p: tf.abs(y - p)
    if name == "huber":

        def huber(y: Any, p: Any) -> Any:
            e = tf.abs(y - p)
            return tf.where(e <= 1.0, 0.5 * tf.square(e), e - 0.5)

        return huber
    if name == "gaussian_nll":  # p: (..., 2), the mean and the raw scale (lstm.model.gaussian_nll)

        def nll(y: Any, p: Any) -> Any:
            sigma = tf.nn.softplus(p[..., 1]) + 1e-6
            return (
                0.5 * math.log(2 * math.pi)
                + tf.math.log(sigma)
                + 0.5 * tf.square((y - p[..., 0]) / sigma)
            )

        return nll
    raise ValueError(f"loss: unknown {name!r}")


def _forward(tf: Any, arch: Architecture, weights: Sequence[Any], x: Any) -> Any:
    """Outputs (N, B) of N stacked networks on their batches x (N, B, window, features);
    (N, B, outputs) for a network of more than one output."""
    acts = _tf_activations(tf)
    act, gate = acts[arch.activation], acts[arch.recurrent_activation]
    i = 0
    if arch.recurrent == "none":
        shape = tf.shape(x)
        out = tf.reshape(x, [shape[0], shape[1], arch.window * arch.n_features])
    else:
        seq = x
        for layer, u in enumerate(arch.units):
            kernel, recurrent, bias = weights[i], weights[i + 1], weights[i + 2]
            i += 3
            # unstack and split, not slices: their gradients are a stack and a concat, where a
            # slice's gradient is a zero-padded copy of the whole tensor
            projected = tf.unstack(
                tf.einsum("nbtf,nfg->nbtg", seq, kernel) + bias[:, None, None, :], axis=2
            )
            h = tf.zeros_like(projected[0][..., :u])
            c = h
            steps = []
            for t in range(arch.window):
                z = projected[t] + tf.matmul(h, recurrent)
                if arch.recurrent == "lstm":
                    zi, zf, zg, zo = tf.split(z, 4, axis=-1)
                    c = gate(zf) * c + gate(zi) * act(zg)
                    h = gate(zo) * act(c)
                else:
                    h = act(z)
                steps.append(h)
            if layer < len(arch.units) - 1:
                seq = tf.stack(steps, axis=2)
        out = steps[-1]
    layers = [*arch.dense, arch.outputs]
    for j in range(len(layers)):
        kernel, bias = weights[i], weights[i + 1]
        i += 2
        name = arch.output_activation if j == len(layers) - 1 else arch.dense_activation
        out = acts[name](tf.matmul(out, kernel) + bias[:, None, :])
    return out[..., 0] if arch.outputs == 1 else out


def _update(
    tf: Any,
    name: str,
    params: list[Any],
    grads: list[Any],
    slots: list[Any],
    steps: Any,
    on: Any,
    lr: Any,
) -> tuple[list[Any], list[Any], Any]:
    """One step of Keras 3's Adam, RMSprop or SGD (their default constants), element by element
    over stacked weights; network n steps only where ``on[n]`` is 1 (its weights, moments and
    step count stay as they are elsewhere). ``slots`` holds Adam's first then second moments,
    or RMSprop's mean square, one per weight array."""
    k = len(params)
    steps = steps + on
    masks = [tf.reshape(on, [-1] + [1] * (len(p.shape) - 1)) > 0.0 for p in params]
    new_params, new_slots = [], list(slots)
    if name == "adam":
        b1, b2, eps = 0.9, 0.999, 1e-7
        t = tf.maximum(steps, 1.0)
        alpha = lr * tf.sqrt(1.0 - tf.pow(b2, t)) / (1.0 - tf.pow(b1, t))
    for j, (p, g, on_j) in enumerate(zip(params, grads, masks, strict=True)):
        if name == "adam":
            m, v = slots[j], slots[k + j]
            m_new = m + (g - m) * (1.0 - b1)
            v_new = v + (tf.square(g) - v) * (1.0 - b2)
            a = tf.reshape(alpha, [-1] + [1] * (len(p.shape) - 1))
            new = p - a * m_new / (tf.sqrt(v_new) + eps)
            new_slots[j] = tf.where(on_j, m_new, m)
            new_slots[k + j] = tf.where(on_j, v_new, v)
        elif name == "rmsprop":
            v = slots[j]
            v_new = 0.9 * v + 0.1 * tf.square(g)
            new = p - lr * g / tf.sqrt(v_new + 1e-7)
            new_slots[j] = tf.where(on_j, v_new, v)
        else:
            new = p - lr * g
        new_params.append(tf.where(on_j, new, p))
    return new_params, new_slots, steps


#: compiled epoch and validation functions, per (architecture, optimiser, loss): traced once per
#: process with the model and batch axes left open, so later chunks pay no tracing
_COMPILED: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _compiled(tf: Any, arch: Architecture, optimizer: str, loss: str) -> tuple[Any, Any]:
    key = (arch, optimizer, loss)
    if key in _COMPILED:
        return _COMPILED[key]
    loss_fn = _loss(tf, loss)
    shapes = arch.shapes()
    n_slots = {"adam": 2, "rmsprop": 1, "sgd": 0}[optimizer] * len(shapes)
    specs = [tf.TensorSpec([None, *s], tf.float32) for s in shapes]
    slot_specs = [specs[j % len(specs)] for j in range(n_slots)]
    window = tf.TensorSpec([None, None, arch.window, arch.n_features], tf.float32)
    vector, matrix = tf.TensorSpec([None], tf.float32), tf.TensorSpec([None, None], tf.float32)
    plan = tf.TensorSpec([None, None, None], tf.int32)

    @tf.function(
        input_signature=[
            specs, slot_specs, vector, window, matrix, plan,
            tf.TensorSpec([None, None, None], tf.float32), vector, tf.TensorSpec([], tf.float32),
        ],
        jit_compile=__import__("os").environ.get("SB_JIT") == "1",
    )  # fmt: skip
    def epoch(params, slots, steps, X, y, idx, ok, active, lr):  # type: ignore[no-untyped-def]
        n = tf.shape(active)[0]

        def body(s, params, slots, steps, total, count):  # type: ignore[no-untyped-def]
            rows, weight = idx[s], ok[s]
            xb = tf.gather(X, rows, batch_dims=1)
            yb = tf.gather(y, rows, batch_dims=1)
            size = tf.reduce_sum(weight, axis=1)
            on = active * tf.cast(size > 0, tf.float32)
            with tf.GradientTape() as tape:
                tape.watch(params)
                per = loss_fn(yb, _forward(tf, arch, params, xb)) * weight
                losses = tf.reduce_sum(per, axis=1) / tf.maximum(size, 1.0)
                objective = tf.reduce_sum(losses * on)
            grads = tape.gradient(objective, params)
            params, slots, steps = _update(tf, optimizer, params, grads, slots, steps, on, lr)
            return s + 1, params, slots, steps, total + losses * on * size, count + on * size

        zeros = tf.zeros([n], tf.float32)
        _, params, slots, steps, total, count = tf.while_loop(
            lambda s, *_: s < tf.shape(idx)[0],
            body,
            (tf.constant(0), params, slots, steps, zeros, zeros),
        )
        return params, slots, steps, total / tf.maximum(count, 1.0)

    @tf.function(input_signature=[specs, window, matrix, matrix])
    def validation(params, X, y, mask):  # type: ignore[no-untyped-def]
        per = loss_fn(y, _forward(tf, arch, params, X)) * mask
        return tf.reduce_sum(per, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1), 1.0)

    _COMPILED[key] = (epoch, validation)
    return epoch, validation


def _pad(arrays: Sequence[FloatArray], length: int, tail: tuple[int, ...]) -> Any:
    out = np.zeros((len(arrays), max(length, 1), *tail), dtype=np.float32)
    for n, a in enumerate(arrays):
        out[n, : len(a)] = a
    return out


def _split(
    job: Job, validation_size: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Training and validation windows: the last ``validation_size`` share of the windows is
    held out (as :func:`shiftbench.lstm.model.train`)."""
    X, y = np.asarray(job.X), np.asarray(job.y)
    n_val = round(validation_size * len(X)) if validation_size > 0 else 0
    if n_val >= 1 and len(X) - n_val >= 1:
        return X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    return X, y, X[:0], y[:0]


def _order(rng: np.random.Generator, n: int, epochs: int, steps: int, batch: int) -> Any:
    """Each epoch's shuffled window indices of one network, laid out (epochs, steps, batch),
    −1 past its last window."""
    out = np.full((epochs, steps * batch), -1, dtype=np.int64)
    for e in range(epochs):
        out[e, :n] = rng.permutation(n)
    return out.reshape(epochs, steps, batch)


def train_stacked(arch: Architecture, spec: Any, jobs: Sequence[Job]) -> list[Outcome]:
    """Train one network per job, all at once (module docstring); ``spec`` is a
    :class:`shiftbench.lstm.model.NetworkSpec` (its dropout must be 0)."""
    from shiftbench.lstm.model import import_keras

    import_keras()  # TensorFlow, quietly and with its thread settings
    import tensorflow as tf

    started = time.perf_counter()
    if spec.dropout > 0:
        raise ValueError("dropout: the stacked trainer has none; train such networks one by one")
    N, B, E = len(jobs), int(spec.batch_size), int(spec.epochs)
    W, F = arch.window, arch.n_features
    inits = [initial_weights(arch, job.rng) for job in jobs]
    parts = [_split(job, spec.validation_size) for job in jobs]
    n_train = [len(p[0]) for p in parts]
    n_val = np.array([len(p[2]) for p in parts])
    S = max(math.ceil(n / B) for n in n_train)
    orders = [_order(job.rng, n, E, S, B) for job, n in zip(jobs, n_train, strict=True)]
    index = np.stack(orders, axis=2)  # (epochs, steps, N, batch)
    valid = (index >= 0).astype(np.float32)
    index = np.maximum(index, 0).astype(np.int32)
    X_tr = _pad([p[0] for p in parts], max(n_train), (W, F))
    y_tr = _pad([p[1] for p in parts], max(n_train), ())
    X_va = _pad([p[2] for p in parts], int(n_val.max()), (W, F))
    y_va = _pad([p[3] for p in parts], int(n_val.max()), ())
    m_va = _pad([np.ones(k) for k in n_val], int(n_val.max()), ())
    needed = np.array([math.ceil(k / B) for k in n_train])  # steps per epoch of each network
    params = [np.stack([w[k] for w in inits]).astype(np.float32) for k in range(len(inits[0]))]
    n_slots = {"adam": 2, "rmsprop": 1, "sgd": 0}[spec.optimizer]
    slots = [np.zeros_like(p) for _ in range(n_slots) for p in params]
    steps = np.zeros(N, dtype=np.float32)
    best = [p.copy() for p in params]
    epoch, validation = _compiled(tf, arch, spec.optimizer, spec.loss)

    errors: list[str | None] = [None] * N
    weights: list[list[FloatArray] | None] = [None] * N
    histories: list[dict[str, list[float]]] = [{"loss": []} for _ in range(N)]
    for h, k in zip(histories, n_val, strict=True):
        if k > 0:
            h["val_loss"] = []
    best_val = np.full(N, np.inf)
    wait = np.zeros(N, dtype=np.int64)
    stopping = (n_val > 0) & (spec.patience > 0)
    # ``alive``: the networks still training, in the order of the stacked arrays. Those that
    # stop are taken out of the stack (their arrays gathered away), so an epoch costs what the
    # networks still training cost.
    alive = np.arange(N)
    for e in range(E):
        if len(alive) == 0:
            break
        lr = spec.learning_rate
        if spec.lr_decay_every > 0:
            lr = spec.learning_rate * spec.lr_decay_factor ** (e // spec.lr_decay_every)
        S_e = int(needed[alive].max())
        params_t, slots_t, steps_t, losses_t = epoch(
            params, slots, steps, X_tr, y_tr,
            np.ascontiguousarray(index[e, :S_e][:, alive]),
            np.ascontiguousarray(valid[e, :S_e][:, alive]),
            np.ones(len(alive), dtype=np.float32), np.float32(lr),
        )  # fmt: skip
        params = [p.numpy() for p in params_t]
        slots = [p.numpy() for p in slots_t]
        steps, losses = steps_t.numpy(), losses_t.numpy()
        val = validation(params, X_va, y_va, m_va).numpy() if n_val.max() > 0 else None
        keep = np.ones(len(alive), dtype=bool)
        for i, n in enumerate(alive):
            histories[n]["loss"].append(float(losses[i]))
            if not math.isfinite(float(losses[i])):
                errors[n] = f"the training loss became NaN or inf at epoch {e + 1}"
                keep[i] = False
                continue
            if val is not None and n_val[n] > 0:
                histories[n]["val_loss"].append(float(val[i]))
            if not stopping[n]:
                continue
            # Keras's EarlyStopping(monitor="val_loss", patience, restore_best_weights=True)
            assert val is not None
            wait[n] += 1
            if val[i] < best_val[n]:
                best_val[n], wait[n] = val[i], 0
                for b, p in zip(best, params, strict=True):
                    b[i] = p[i]
            elif wait[n] >= spec.patience and e > 0:
                weights[n] = [b[i].copy() for b in best]
                keep[i] = False
        if not keep.all():
            alive = alive[keep]
            params = [p[keep] for p in params]
            slots = [p[keep] for p in slots]
            best = [p[keep] for p in best]
            steps = steps[keep]
            X_tr, y_tr, X_va, y_va, m_va = (a[keep] for a in (X_tr, y_tr, X_va, y_va, m_va))
    for i, n in enumerate(alive):
        weights[n] = [p[i].copy() for p in params]
    share = (time.perf_counter() - started) / max(N, 1)
    return [
        Outcome(None if errors[n] else weights[n], histories[n], errors[n], share) for n in range(N)
    ]
