"""The networks of many series fitted together: the engine's batched fits
(:meth:`shiftbench.forecaster.BaseForecaster.fit_batch`) for the LSTM, RNN and MLP forecasters.

Each series is prepared on its own (preprocessing, scalers, training windows, as in a single
fit); the networks on the stacked path are grouped by architecture and training settings and
each group is trained as one program (:func:`shiftbench.lstm.stacked.train_stacked`); a network
whose preparation or training fails fails alone. A network's random stream is its ``seed`` and
its series' key, so its result does not depend on which series were fitted beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shiftbench.errors import FitError
from shiftbench.lstm.arrays import ArrayNetwork, stream


def fit_networks(
    models: Sequence[Any], data: Sequence[tuple[Any, Any]], keys: Sequence[str]
) -> list[Exception | None]:
    """Fit ``models[i]`` on ``data[i]`` (y, exog) for every i; the error of each fit, or None."""
    from shiftbench.lstm import model as net
    from shiftbench.lstm.stacked import Job, train_stacked

    errors: list[Exception | None] = [None] * len(models)
    groups: dict[tuple[Any, Any], list[tuple[int, Job]]] = {}
    for i, (model, (y, exog), key) in enumerate(zip(models, data, keys, strict=True)):
        try:
            if not model._stacked(batched=True):
                model.fit(y, exog)
                continue
            X, target = model._prepare(y, exog)
            arch = model._architecture(X.shape[2])
            groups.setdefault((arch, model._spec()), []).append(
                (i, Job(X, target, stream(int(model.seed), key)))
            )
        except Exception as exc:  # one series' failure is that series' alone
            errors[i] = exc
    for (arch, spec), members in groups.items():
        try:
            outcomes = train_stacked(arch, spec, [job for _, job in members])
        except Exception as exc:  # the whole group could not train: each of its fits fails
            for i, _ in members:
                errors[i] = exc
            continue
        device = f"{net.device_name()} (stacked)"  # TensorFlow is imported by now
        for (i, _), outcome in zip(members, outcomes, strict=True):
            if outcome.weights is None:
                errors[i] = FitError(outcome.error or "the network did not train")
                continue
            losses = outcome.history.get("loss", [])
            models[i].network_ = net.Trained(
                network=ArrayNetwork(arch, outcome.weights),
                history=outcome.history,
                epochs_run=len(losses),
                epoch_seconds=[],
                seconds=outcome.seconds,
                device=device,
            )
    return errors
