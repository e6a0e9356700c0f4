"""The stacked trainer: many per-series networks in one program, each as if trained alone.

Reference values: Keras itself (the same network, the same initial weights, the same batches
trained by ``Model.fit``), and the same series trained alone (the independence the engine
relies on). Tiny networks, few epochs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.lstm import LSTMDiff, LSTMRaw
from shiftbench.lstm.arrays import Architecture, ArrayNetwork, forward, initial_weights, stream
from shiftbench.lstm.batch import fit_networks
from shiftbench.lstm.mlp_rnn import MLP, RNN
from shiftbench.lstm.model import NetworkSpec, build_network
from shiftbench.lstm.stacked import Job, train_stacked
from shiftbench.lstm.windows import training_windows
from shiftbench.types import Dataset, Protocol

pytestmark = pytest.mark.slow

TINY = {"units": (4,), "epochs": 6, "batch_size": 8, "window": 3, "trainer": "stacked"}


def _spec(**changes: object) -> NetworkSpec:
    base = NetworkSpec(
        units=(4,), dense=(), dropout=0.0, activation="tanh", dense_activation="relu",
        output_activation="linear", optimizer="adam", learning_rate=0.01, lr_decay_every=0,
        lr_decay_factor=0.1, loss="mse", epochs=3, batch_size=8, validation_size=0.0,
        patience=0,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def _series(i: int, n: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(100 + i)
    length = n if n is not None else int(rng.integers(40, 70))
    t = np.arange(length)
    return 5.0 + np.sin(t / 3.0 + i) + 0.02 * t + 0.1 * rng.standard_normal(length)


ARCHITECTURES = {
    "lstm": Architecture("lstm", (4,), (3,), "tanh", "relu", "linear", 5, 2),
    "rnn": Architecture("rnn", (3, 2), (), "linear", "relu", "linear", 5, 2),
    "mlp": Architecture("none", (), (4,), "linear", "sigmoid", "linear", 5, 2),
}


def _keras_spec(arch: Architecture, **changes: object) -> NetworkSpec:
    if arch.recurrent == "none":
        return _spec(units=(), dense=arch.dense, dense_activation=arch.dense_activation,
                     recurrent="none", **changes)  # fmt: skip
    return _spec(units=arch.units, dense=arch.dense, activation=arch.activation,
                 recurrent=arch.recurrent, **changes)  # fmt: skip


@pytest.mark.parametrize("kind", list(ARCHITECTURES))
def test_the_array_network_computes_what_the_keras_network_computes(kind: str) -> None:
    arch = ARCHITECTURES[kind]
    weights = initial_weights(arch, stream(3, kind))
    keras_net = build_network(_keras_spec(arch), arch.window, arch.n_features)
    keras_net.set_weights([w.astype(np.float32) for w in weights])
    X = np.random.default_rng(0).standard_normal((7, arch.window, arch.n_features))
    expected = np.asarray(keras_net(X.astype(np.float32), training=False), dtype=np.float64)
    np.testing.assert_allclose(forward(arch, weights, X), expected, rtol=1e-5, atol=1e-5)
    assert ArrayNetwork(arch, weights).count_params() == keras_net.count_params()


@pytest.mark.parametrize(
    ("kind", "optimizer", "loss"),
    [
        ("lstm", "adam", "mse"),
        ("lstm", "sgd", "mse"),
        ("lstm", "adam", "gaussian_nll"),
        ("rnn", "rmsprop", "mse"),
        ("mlp", "rmsprop", "mse"),
        ("mlp", "adam", "gaussian_nll"),
    ],
)
def test_stacked_training_takes_the_steps_keras_takes(kind: str, optimizer: str, loss: str) -> None:
    """With one batch per epoch the order of the windows cannot matter: Keras's fit from the
    same initial weights must reach the same weights (gradients, optimiser and the Gaussian
    likelihood alike)."""
    arch = ARCHITECTURES[kind]
    outputs = 2 if loss == "gaussian_nll" else 1
    arch = replace(arch, outputs=outputs)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, arch.window, arch.n_features))
    y = rng.standard_normal(30)
    spec = _keras_spec(arch, optimizer=optimizer, batch_size=30, epochs=4, loss=loss,
                       outputs=outputs)  # fmt: skip
    outcome = train_stacked(arch, spec, [Job(X, y, stream(0, "k"))])[0]
    keras_net = build_network(spec, arch.window, arch.n_features)
    keras_net.set_weights([w.astype(np.float32) for w in initial_weights(arch, stream(0, "k"))])
    history = keras_net.fit(X.astype(np.float32), y.astype(np.float32), batch_size=30,
                            epochs=4, shuffle=False, verbose=0)  # fmt: skip
    assert outcome.weights is not None
    for ours, theirs in zip(outcome.weights, keras_net.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(outcome.history["loss"], history.history["loss"], rtol=1e-4)


def _jobs(indices: list[int], arch: Architecture, seed: int = 0) -> list[Job]:
    out = []
    for i in indices:
        y = _series(i)
        X, target = training_windows(y[:, None], y, arch.window)
        out.append(Job(X, target, stream(seed, f"d/{i}")))
    return out


@pytest.mark.parametrize("kind", ["lstm", "mlp"])
def test_a_network_trains_the_same_alone_in_five_and_in_forty(kind: str) -> None:
    arch = replace(ARCHITECTURES[kind], n_features=1)
    spec = _keras_spec(arch, epochs=8, validation_size=0.2, patience=2)
    alone = train_stacked(arch, spec, _jobs([3], arch))[0]
    in_five = train_stacked(arch, spec, _jobs([0, 1, 2, 3, 4], arch))[3]
    in_forty = train_stacked(arch, spec, _jobs(list(range(40)), arch))[3]
    X, _ = training_windows(_series(3)[:, None], _series(3), arch.window)
    expected = forward(arch, alone.weights or [], X)
    for other in (in_five, in_forty):
        np.testing.assert_allclose(forward(arch, other.weights or [], X), expected, atol=1e-5)
        assert other.history["loss"] == pytest.approx(alone.history["loss"], rel=1e-5)


def test_early_stopping_stops_each_network_on_its_own() -> None:
    arch = replace(ARCHITECTURES["lstm"], n_features=1)
    spec = _keras_spec(arch, epochs=30, validation_size=0.2, patience=2, learning_rate=0.05)
    together = train_stacked(arch, spec, _jobs(list(range(12)), arch))
    alone = [train_stacked(arch, spec, _jobs([i], arch))[0] for i in range(12)]
    lengths = [len(o.history["loss"]) for o in together]
    assert lengths == [len(o.history["loss"]) for o in alone]
    assert len(set(lengths)) > 1  # the networks did stop at different epochs
    assert min(lengths) < 30


def test_the_stream_is_the_seed_and_the_key_only() -> None:
    arch = replace(ARCHITECTURES["lstm"], n_features=1)
    first = initial_weights(arch, stream(7, "m3_monthly/N1"))
    again = initial_weights(arch, stream(7, "m3_monthly/N1"))
    other_key = initial_weights(arch, stream(7, "m3_monthly/N2"))
    other_seed = initial_weights(arch, stream(8, "m3_monthly/N1"))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other_key[0])
    assert not np.array_equal(first[0], other_seed[0])


def test_a_loss_that_turns_infinite_fails_that_network_only() -> None:
    arch = replace(ARCHITECTURES["lstm"], n_features=1)
    jobs = _jobs([0, 1], arch)
    huge = Job(jobs[0].X, np.full(len(jobs[0].y), 1e30), stream(0, "huge"))
    outcomes = train_stacked(arch, _keras_spec(arch), [huge, jobs[1]])
    assert outcomes[0].weights is None
    assert "NaN or inf" in (outcomes[0].error or "")
    assert outcomes[1].weights is not None
    assert outcomes[1].error is None


def _collection(n: int) -> list[Dataset]:
    out = []
    for i in range(n):
        y = pd.Series(_series(i, 60))
        out.append(
            Dataset(
                name="coll", y=y, exog=None, season_length=1, frequency=None,
                protocol=Protocol(test_size=6, lstm_window=3), source="test", sha256="",
                series=f"S{i}",
            )
        )  # fmt: skip
    return out


@pytest.mark.parametrize("model", ["lstm_raw", "lstm_diff", "mlp", "rnn"])
def test_the_engine_trains_a_chunk_together_and_each_series_as_alone(model: str) -> None:
    members = _collection(5)
    params = {"units": (4,), "epochs": 5, "batch_size": 8}
    together = run_cell(members, model, params, seed=1)
    alone = run_cell(members[2:3], model, params, seed=1)
    assert together.ok
    assert alone.ok
    assert together.info["S2"]["device"].endswith("(stacked)")
    assert together.forecasts is not None
    assert alone.forecasts is not None
    mine = together.forecasts[together.forecasts["series"] == "S2"]["y_hat"].to_numpy()
    np.testing.assert_allclose(mine, alone.forecasts["y_hat"].to_numpy(), rtol=1e-5)


def test_a_single_series_dataset_keeps_the_keras_path() -> None:
    ds = replace(_collection(1)[0], series="")
    result = run_cell(ds, "lstm_raw", {"units": (4,), "epochs": 2, "batch_size": 8}, seed=0)
    assert result.ok
    assert not result.info[ds.series_id]["device"].endswith("(stacked)")


@pytest.mark.parametrize("cls", [LSTMRaw, LSTMDiff, MLP, RNN])
def test_fit_with_the_stacked_trainer_is_a_batch_of_one_with_an_empty_key(cls: type) -> None:
    y = _series(1)
    single = cls(**TINY, seed=4).fit(y)
    batch = cls(**TINY, seed=4)
    assert fit_networks([batch], [(y, None)], [""]) == [None]
    np.testing.assert_allclose(single.forecast(5).mean, batch.forecast(5).mean, rtol=1e-6)


def test_the_stacked_trainer_refuses_what_it_cannot_train() -> None:
    with pytest.raises(ValueError, match="trainer"):
        LSTMRaw(trainer="stacked", dropout=0.2).check_params()
    with pytest.raises(ValueError, match="trainer"):
        LSTMRaw(trainer="stacked", activation="gelu").check_params()
    with pytest.raises(ValueError, match="trainer"):
        LSTMRaw(trainer="bogus").check_params()  # type: ignore[arg-type]
    LSTMRaw(trainer="auto", dropout=0.2).check_params()  # auto falls back to Keras


def test_mlp_and_rnn_default_to_the_articles_settings() -> None:
    """Makridakis et al. (2018) §3.3.1 and §3.3.9: three inputs; MLP 2N + 1 = 7 logistic
    hidden nodes; RNN six linear recurrent units; 500 epochs at learning rate 0.001."""
    mlp, rnn = MLP().get_params(), RNN().get_params()
    assert (mlp["window"], mlp["units"], mlp["activation"]) == (3, (7,), "sigmoid")
    assert (rnn["window"], rnn["units"], rnn["activation"]) == (3, (6,), "linear")
    for p in (mlp, rnn):
        assert (p["epochs"], p["learning_rate"], p["patience"]) == (500, 0.001, 0)


def test_the_mlp_iterates_its_one_step_forecast_for_longer_horizons() -> None:
    """The article's "MLP (iterative)": step 2 is the one-step forecast from the history with
    step 1's forecast appended as if observed."""
    y = _series(2)
    model = MLP(**TINY, seed=1).fit(y)
    path = model.forecast(3).mean
    again = MLP(**TINY, seed=1).fit(y)
    again.update(np.array([path[0]]))
    assert again.forecast(1).mean[0] == pytest.approx(path[1], rel=1e-12)


def _noisy(scale: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(160)
    return 10.0 + np.sin(t / 4.0) + scale * rng.standard_normal(160)


def test_a_gaussian_head_states_an_uncertainty_that_follows_the_noise() -> None:
    params = {"units": (8,), "epochs": 60, "batch_size": 16, "window": 4,
              "distribution": "normal", "trainer": "stacked", "seed": 0}  # fmt: skip
    widths = {}
    for scale in (0.05, 0.5):
        y = _noisy(scale)
        model = LSTMRaw(**params).fit(y[:140])  # type: ignore[arg-type]
        f = model.one_step_path(y[140:159])
        lo95, hi95 = f.intervals[95]
        lo80, hi80 = f.intervals[80]
        assert (lo95 < lo80).all()
        assert (lo80 < f.mean).all()
        assert (f.mean < hi80).all()
        assert (hi80 < hi95).all()
        assert f.sd is not None
        assert (f.sd > 0).all()
        widths[scale] = float(np.mean(hi95 - lo95))
    assert widths[0.5] > 3 * widths[0.05]


def test_a_gaussian_networks_intervals_reach_the_metrics_without_a_calibration() -> None:
    members = _collection(3)
    members = [replace(m, protocol=replace(m.protocol, intervals="conformal")) for m in members]
    params = {"units": (4,), "epochs": 5, "batch_size": 8, "distribution": "normal"}
    result = run_cell(members, "lstm_raw", params, seed=0)
    assert result.ok
    assert result.forecasts is not None
    assert result.forecasts[["lo_80", "hi_95"]].notna().all().all()
    assert {"coverage_95", "msis", "crps"} <= set(result.metrics["S0"])
    assert "calibration" not in result.info["S0"]["seconds"]  # its own intervals: no conformal


def test_a_gaussian_heads_multi_step_intervals_widen_like_a_random_walks() -> None:
    # on a random walk the differenced network's h-step paths sum h draws of about the same
    # scale: the interval's width grows like √h (×4 from step 1 to step 16)
    rng = np.random.default_rng(3)
    y = 100.0 + np.cumsum(rng.standard_normal(300))
    model = LSTMDiff(units=(4,), epochs=20, batch_size=32, window=4, distribution="normal",
                     trainer="stacked", seed=0).fit(y)  # fmt: skip
    f = model.forecast(16)
    lo95, hi95 = f.intervals[95]
    lo80, hi80 = f.intervals[80]
    assert ((lo95 <= lo80) & (lo80 < hi80) & (hi80 <= hi95)).all()
    width = hi95 - lo95
    assert 3.0 < width[15] / width[0] < 6.5
    one = model.forecast(1)
    assert lo95[0] == one.intervals[95][0][0]  # step 1 is the Gaussian's own interval
    again = model.forecast(16)
    np.testing.assert_array_equal(again.intervals[95][1], hi95)  # the same draws every time
    np.testing.assert_array_equal(again.mean, f.mean)
