"""Exceptions and warnings raised by shiftbench.

:class:`InputError` is the one exception the command line turns into a one-line message and exit
code 2: bad usage, a bad config, or bad input data. Its message must name the file, field or value
at fault. Every other exception inside a benchmark cell is recorded as that cell's failure.
"""

from __future__ import annotations


class ShiftbenchError(Exception):
    """Base class of shiftbench's own exceptions."""


class InputError(ShiftbenchError, ValueError):
    """Bad usage, a bad config or bad input data (exit code 2 on the command line)."""


class ConfigError(InputError):
    """A config file or option that does not match the documented schema."""


class DataError(InputError):
    """A data file or series that cannot be used (missing, malformed, too short)."""


class FitError(ShiftbenchError, RuntimeError):
    """A model could not be fitted or could not forecast on one cell."""


class ShiftbenchWarning(UserWarning):
    """Warnings that shiftbench itself issues (for example MAPE with a zero actual)."""
