"""Optional online fallback: ask a geopy geocoder about names the gazetteer lacks.

Off by default. Answers (hits and misses) are kept in a persistent SQLite
cache, so repeated runs, and runs without network, reuse them. Every fault
(timeout, HTTP 429/5xx, refused connection, malformed reply) becomes one
logged warning per kind and a ``None`` answer: the run completes with the
gazetteer's answers. geopy is imported lazily.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geomap.errors import ConfigurationError, DependencyError
from geomap.model import Place
from geomap.text import normalize

logger = logging.getLogger("geomap.geocode")

#: After this many consecutive failures the service is not asked again in this run.
CIRCUIT_BREAKER = 5


def default_cache_path() -> Path:
    """Return ``$GEOMAP_CACHE/geocoder.sqlite`` or ``~/.cache/geomap/geocoder.sqlite``."""
    root = os.environ.get("GEOMAP_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "geomap"
    return Path(root) / "geocoder.sqlite"


class GeopyFallback:
    """A rate-limited, cached geopy geocoder that never fails the run.

    Parameters
    ----------
    service
        A geopy geocoder name (``nominatim``, ``photon``, ``arcgis``...).
    user_agent
        Required: identifies your application to the service (Nominatim's
        usage policy demands it). The CLI option is ``--user-agent``.
    options
        Extra keyword arguments for the geopy geocoder class (``domain``,
        ``scheme``, ``api_key``...).
    cache_path
        SQLite cache file; None uses :func:`default_cache_path`.
    min_delay_seconds, max_retries, timeout
        Passed to geopy's RateLimiter and geocoder.

    Examples
    --------
    >>> gc = GeopyFallback("nominatim", user_agent="my-newsroom-map")  # doctest: +SKIP
    >>> gc.geocode("Es Sider", country_code="LY")                        # doctest: +SKIP
    """

    def __init__(
        self,
        service: str = "nominatim",
        *,
        user_agent: str | None,
        options: Mapping[str, Any] | None = None,
        cache_path: str | os.PathLike[str] | None = None,
        min_delay_seconds: float = 1.0,
        max_retries: int = 1,
        timeout: float = 10.0,
    ) -> None:
        try:
            from geopy.geocoders import SERVICE_TO_GEOCODER
        except ImportError as exc:  # pragma: no cover - geopy is a dependency
            raise DependencyError("the geocoder fallback needs geopy: pip install geopy") from exc
        service = service.lower()
        if service not in SERVICE_TO_GEOCODER:
            raise ConfigurationError(
                f"unknown geocoder {service!r}; options are: {', '.join(sorted(SERVICE_TO_GEOCODER))}"
            )
        if not user_agent or not user_agent.strip():
            raise ConfigurationError(
                "the geocoder needs a user agent naming your application: pass --user-agent "
                "(or user_agent=...), e.g. --user-agent 'my-newsroom-map/1.0 (me@example.org)'"
            )
        self.service = service
        self.options = dict(options or {})
        self.user_agent = user_agent
        self.min_delay_seconds = min_delay_seconds
        self.max_retries = max_retries
        self.timeout = timeout
        self.cache_path = Path(cache_path) if cache_path is not None else default_cache_path()
        self.stats: Counter[str] = Counter()
        self._geocode: Any = None
        self._con: sqlite3.Connection | None = None
        self._warned: set[str] = set()
        self._consecutive_failures = 0

    # -- cache ------------------------------------------------------------------
    def _cache(self) -> sqlite3.Connection:
        if self._con is None:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.cache_path)
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS answer (key TEXT PRIMARY KEY, reply TEXT, fetched REAL NOT NULL)"
            )
        return self._con

    def _key(self, name: str, country_code: str | None) -> str:
        return f"{self.service}|{self.options.get('domain', '')}|{normalize(name)}|{(country_code or '').upper()}"

    def close(self) -> None:
        """Close the cache."""
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- service ----------------------------------------------------------------
    def _client(self) -> Any:
        if self._geocode is None:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import get_geocoder_for_service

            cls = get_geocoder_for_service(self.service)
            geocoder = cls(user_agent=self.user_agent, timeout=self.timeout, **self.options)
            self._geocode = RateLimiter(
                geocoder.geocode, min_delay_seconds=self.min_delay_seconds, max_retries=self.max_retries,
                error_wait_seconds=min(2.0, self.min_delay_seconds * 2), swallow_exceptions=False,
            )
        return self._geocode

    def geocode(self, name: str, *, country_code: str | None = None) -> Place | None:
        """Return a place for the name, or None (unknown, or the service failed)."""
        key = self._key(name, country_code)
        row = self._cache().execute("SELECT reply FROM answer WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.stats["cache_hits"] += 1
            return _place(self.service, json.loads(row[0])) if row[0] else None
        if self._consecutive_failures >= CIRCUIT_BREAKER:
            self.stats["skipped"] += 1
            return None
        self.stats["calls"] += 1
        kwargs: dict[str, Any] = {"exactly_one": True}
        if self.service == "nominatim":
            kwargs["addressdetails"] = True  # gives the country code
            if country_code:
                kwargs["country_codes"] = country_code.lower()
        try:
            location = self._client()(name, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every fault is survived, by design
            self._failed(exc)
            return None
        self._consecutive_failures = 0
        reply = None
        if location is not None:
            raw = getattr(location, "raw", None) or {}
            if isinstance(raw, dict) and raw and not ({"lat", "lon"} <= raw.keys()):
                # geopy turns a reply without coordinates into (0, 0): a
                # point in the Gulf of Guinea, not an answer.
                self._failed(ValueError("reply has no lat/lon"))
                return None
            try:
                reply = {"name": location.address, "lat": float(location.latitude),
                         "lon": float(location.longitude), "raw": location.raw}
            except (TypeError, ValueError, AttributeError) as exc:
                self._failed(exc)
                return None
        self._cache().execute("INSERT OR REPLACE INTO answer VALUES (?,?,?)",
                              (key, json.dumps(reply) if reply else None, time.time()))
        self._cache().commit()
        return _place(self.service, reply) if reply else None

    def _failed(self, exc: BaseException) -> None:
        kind = _fault_kind(exc)
        self.stats[f"failures_{kind}"] += 1
        self._consecutive_failures += 1
        if kind not in self._warned:
            self._warned.add(kind)
            logger.warning("geocoder %s failed (%s: %s); using the gazetteer's answers", self.service, kind, exc)
        if self._consecutive_failures == CIRCUIT_BREAKER:
            logger.warning("geocoder %s failed %d times in a row; not asking it again in this run",
                           self.service, CIRCUIT_BREAKER)


def _fault_kind(exc: BaseException) -> str:
    from geopy import exc as gexc

    if isinstance(exc, gexc.GeocoderTimedOut):
        return "timeout"
    if isinstance(exc, gexc.GeocoderRateLimited):
        return "rate_limited"
    if isinstance(exc, gexc.GeocoderUnavailable):
        return "unavailable"
    if isinstance(exc, gexc.GeocoderParseError | ValueError | TypeError | KeyError):
        return "malformed"
    if isinstance(exc, gexc.GeocoderServiceError):
        return "service_error"
    return type(exc).__name__


def _place(service: str, reply: Mapping[str, Any]) -> Place:
    raw = reply.get("raw") or {}
    ident = raw.get("osm_id") or raw.get("place_id") or normalize(str(reply["name"]))
    osm_type = raw.get("osm_type")
    feature = f"{raw.get('class')}:{raw.get('type')}" if raw.get("class") else "geocoded"
    address = raw.get("address") or {}
    return Place(
        name=str(reply["name"]).split(",")[0],
        id=f"geocoder:{service}:{osm_type + ':' if osm_type else ''}{ident}",
        lat=float(reply["lat"]),
        lon=float(reply["lon"]),
        feature=feature,
        country_code=(address.get("country_code") or "").upper() or None,
    )
