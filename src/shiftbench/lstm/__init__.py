"""LSTM forecasters. Importing this package does not import TensorFlow; training does."""

from shiftbench.lstm.forecaster import LSTMDiff, LSTMRaw

__all__ = ["LSTMDiff", "LSTMRaw"]
