"""geomap: turn news articles into maps."""

__version__ = "0.1.0"
