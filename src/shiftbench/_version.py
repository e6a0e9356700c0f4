"""The package version, in one place that imports nothing (``importlib.metadata`` reads the
installed distribution's version; this is what the source says)."""

__version__ = "0.3.0"
