"""The geomap exception tree.

Every error geomap raises on purpose derives from :class:`GeomapError`, and
each class also inherits the matching builtin so callers can catch either.
"""

from __future__ import annotations


class GeomapError(Exception):
    """Base class of every error geomap raises on purpose."""


class InputError(GeomapError, ValueError):
    """An input file, line or record cannot be read as an article."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = source + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class GazetteerError(GeomapError, RuntimeError):
    """The gazetteer file is missing, corrupt or of another schema version."""


class ConfigurationError(GeomapError, ValueError):
    """An option or a user-supplied configuration file is invalid."""


class GeocoderError(GeomapError, RuntimeError):
    """The optional online geocoder failed (timeout, HTTP error, bad reply)."""


class DependencyError(GeomapError, ImportError):
    """An optional dependency needed for the requested feature is not installed."""
