"""The network size estimates behind the LSTM models' bounds, checked by hand."""

from __future__ import annotations

import pytest

from shiftbench.lstm.bounds import MAX_WINDOW_BYTES, check_network, check_windows, parameters


def test_the_weights_of_an_lstm_and_dense_stack_count_as_keras_counts_them() -> None:
    # LSTM(32) on 1 input: 4 gates x 32 x (1 + 32 + 1) = 4352; Dense(1): 32 + 1 = 33
    assert parameters([32], [], 1) == 4352 + 33
    # LSTM(8) on 3 inputs: 4 x 8 x 12 = 384; LSTM(4): 4 x 4 x 13 = 208; Dense(5): 5 x 5 = 25;
    # output: 6
    assert parameters([8, 4], [5], 3) == 384 + 208 + 25 + 6


def test_a_network_of_a_hundred_million_units_is_refused_before_tensorflow() -> None:
    with pytest.raises(ValueError, match=r"units: a network of 4e\+16 weights"):
        check_network(units=[10**8], dense=[], window=3, epochs=40, batch_size=32)


def test_the_default_network_is_well_inside_every_bound() -> None:
    check_network(units=[32], dense=[], window=50, epochs=40, batch_size=32)
    check_windows(50, 4000, 0)  # the sine study: 3950 windows of 50 steps, 2.4 MB


def test_training_windows_beyond_memory_are_refused() -> None:
    # (100,000 - 20,000) windows x 20,000 steps x 2 features x 12 bytes = 38.4 GB
    with pytest.raises(ValueError, match="window: 20000 steps over 100000 training points"):
        check_windows(20_000, 100_000, 1)
    assert MAX_WINDOW_BYTES < 80_000 * 20_000 * 2 * 12
