"""How big a network shiftbench agrees to build and train, from estimates of what it costs.

A configuration beyond these is refused before the run starts (exit 2, naming the key), instead
of exhausting memory inside TensorFlow after the run began. Documented in docs/config.md.

- **Parameters** (:func:`parameters`): an LSTM layer of u units on i inputs has 4·u·(i + u + 1)
  weights, a dense layer of d units d·(i + 1); at most :data:`MAX_PARAMETERS` (10 million, some
  40 MB of weights and as much again for each of Adam's two moments).
- **Activations per batch**: batch_size × window × Σ units × 4 gates, kept for backpropagation
  through time, at most :data:`MAX_BATCH_ACTIVATIONS` floats (1 GB of float32).
- **Training windows**: every (window, next value) pair of the training span is built in
  memory, (n_train − window) × window × (1 + covariates) values at 12 bytes (float64, then the
  float32 copy TensorFlow trains on), at most :data:`MAX_WINDOW_BYTES`.
- **Layers and epochs**: at most :data:`MAX_LAYERS` stacked layers and :data:`MAX_EPOCHS`
  epochs (early stopping ends most fits in a few dozen).
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_PARAMETERS = 10_000_000
MAX_BATCH_ACTIVATIONS = 250_000_000
MAX_WINDOW_BYTES = 2 * 1024**3
MAX_LAYERS = 16
MAX_EPOCHS = 10_000


def parameters(
    units: Sequence[int], dense: Sequence[int], n_inputs: int = 1, outputs: int = 1
) -> int:
    """Trainable weights of LSTM layers ``units`` then dense layers ``dense`` then the output.

    >>> parameters([32], [], 1)       # 4·32·(1 + 32 + 1) + (32 + 1)
    4385
    """
    total, inputs = 0, n_inputs
    for u in units:
        total += 4 * u * (inputs + u + 1)
        inputs = u
    for d in dense:
        total += d * (inputs + 1)
        inputs = d
    return total + outputs * (inputs + 1)


def check_network(
    *, units: Sequence[int], dense: Sequence[int], window: int, epochs: int, batch_size: int,
    n_inputs: int = 1, outputs: int = 1,
) -> None:  # fmt: skip
    """Raise ``ValueError("KEY: why")`` for a network beyond the bounds above."""
    if len(units) + len(dense) > MAX_LAYERS:
        raise ValueError(
            f"units: {len(units) + len(dense)} layers; at most {MAX_LAYERS} (units and dense)"
        )
    weights = parameters(units, dense, n_inputs, outputs)
    if weights > MAX_PARAMETERS:
        raise ValueError(
            f"units: a network of {weights:.3g} weights; at most {MAX_PARAMETERS:.0e} "
            "(4·u·(inputs + u + 1) per LSTM layer of u units)"
        )
    if epochs > MAX_EPOCHS:
        raise ValueError(f"epochs: at most {MAX_EPOCHS}, got {epochs}")
    activations = batch_size * window * sum(units) * 4
    if activations > MAX_BATCH_ACTIVATIONS:
        raise ValueError(
            f"batch_size: {batch_size} windows of {window} steps through {sum(units)} units "
            f"keep {activations:.3g} activations per batch; at most {MAX_BATCH_ACTIVATIONS:.2g} "
            "(batch_size × window × Σ units × 4)"
        )


def check_windows(window: int, n_train: int, n_covariates: int) -> None:
    """Raise ``ValueError("window: why")`` when the training windows would not fit in memory."""
    size = max(n_train - window, 0) * window * (1 + n_covariates) * 12
    if size > MAX_WINDOW_BYTES:
        raise ValueError(
            f"window: {window} steps over {n_train} training points build {size / 1024**3:.3g} "
            f"GiB of training windows; at most {MAX_WINDOW_BYTES / 1024**3:g} GiB "
            "((n_train − window) × window × (1 + covariates) × 12 bytes)"
        )
