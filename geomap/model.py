"""Frozen, typed value objects shared by every stage.

Instances are immutable and hashable, so stages can pass them around, cache
them and use them as dictionary keys without defensive copies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: Feature codes of places known well enough to go by any of their names:
#: continents, countries, regions, seas and gulfs, first-level divisions,
#: capitals, and the big islands, ranges and deserts of the curated file.
#: With :data:`MAJOR_POPULATION`, what "major" means everywhere.
MAJOR_FEATURES = frozenset({"CONT", "PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR", "RGN", "PEN",
                            "SEA", "OCN", "GULF", "LK", "RSV", "CNL", "ADM1", "PPLC", "ISL", "MTS", "DSRT"})
#: A populated place this big is major too.
MAJOR_POPULATION = 100_000

Field = Literal["text", "title"]
MatchKind = Literal["exact", "alias", "variant"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the input.

    Parameters
    ----------
    id
        Stable identifier: the input's ``id`` for JSON lines, the file name
        without extension for files.
    title
        The headline, or None when the input has none.
    text
        The body text exactly as read; mention offsets index into it.
    source
        Where the article came from (``path`` or ``path:line``).
    url, published
        Optional metadata carried through to the outputs.
    """

    id: str
    title: str | None
    text: str
    source: str
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of an article that names a place.

    ``article.text[start:end] == text`` (or ``article.title[...]`` when
    ``field == "title"``) always holds.
    """

    start: int
    end: int
    text: str
    field: Field = "text"
    recognizer: str = "gazetteer"
    boilerplate: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: a named point on the earth.

    ``feature`` is a GeoNames-style feature code (PPLC, PPL, PCLI, ADM1, CONT,
    RGN, SEA, AIRP...).
    """

    name: str
    id: str
    lat: float
    lon: float
    feature: str
    country_code: str | None = None
    admin1: str | None = None
    population: int | None = None
    #: The second-level region (county, district) the place lies in, or is:
    #: a GeoNames admin2 code, or a US county's name. None when unknown.
    admin2: str | None = None
    #: True for a town known only from the US postal list (gazetteer ids
    #: ``usps:...``). Such towns have no population and are often a common
    #: word or a person's name ("Beryl", "Irma"): one can be the place a name
    #: means, but its name alone is no evidence of where the article is. A
    #: field rather than a test of the id: resolution asks it of every
    #: candidate in every pass.
    postal_only: bool = False

    @property
    def region_code(self) -> str:
        """``CC`` for a country, else ``CC.ADMIN1``: the code qualifiers and containers compare."""
        if self.feature.startswith("PCL"):
            return self.country_code or ""
        return f"{self.country_code}.{self.admin1}"

    @property
    def county_code(self) -> str | None:
        """``CC.ADMIN1.ADMIN2`` of the second-level region the place lies in (or is), if known."""
        if not (self.admin2 and self.admin1 and self.country_code):
            return None
        return f"{self.country_code}.{self.admin1}.{self.admin2}"

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """Return a GeoJSON-like mapping of the place's point."""
        return {"type": "Point", "coordinates": (self.lon, self.lat)}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place returned by a gazetteer lookup, with the evidence of the match.

    Parameters
    ----------
    place
        The gazetteer entry.
    match_kind
        ``exact`` (the place's own name), ``alias`` (one of its alternate
        names) or ``variant`` (a transliteration-variant key).
    similarity
        String similarity of the query to the matched name, in [0, 1].
    feature_class
        GeoNames feature class: A (country, region), P (populated place),
        L (area, continent), H (water), S (spot, building, airport).
    alt_count
        Number of alternate names the place has: a proxy for its prominence.
    needs_context
        The name reads as this place only where the article puts the
        place's region in view: a town only the US postal list knows
        (:attr:`Place.postal_only`), a US county named without "County"
        ("Gwinnett"), or the village a township the gazetteer lacks is
        named after ("Hamilton Township"). Resolution drops such a
        candidate otherwise.
    """

    place: Place
    match_kind: MatchKind
    similarity: float
    feature_class: str
    alt_count: int = 0
    needs_context: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a mention was resolved to.

    ``place`` is None when nothing in the gazetteer (or the geocoder) fits.
    ``score`` is the resolver's confidence in [0, 1]; ``method`` says which
    component decided (``gazetteer``, ``context``, ``qualifier``: the county or
    state after a comma, for a town the gazetteer lacks; ``part_of``: the
    place a part of which the mention names, "Northeast Georgia";
    ``geocoder``, ``none``).
    """

    place: Place | None
    score: float
    method: str
    features: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Trigger:
    """The word(s) in the text that signalled an event."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Event:
    """The event a mention takes part in, from the event taxonomy."""

    type: str
    score: float
    trigger: Trigger | None = None


@dataclass(frozen=True, slots=True)
class GeoMention:
    """A mention with its resolution and event: one row of the output."""

    mention: Mention
    resolution: Resolution
    event: Event


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """Everything geomap found in one article, in text order."""

    article: Article
    mentions: tuple[GeoMention, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class InputFailure:
    """An input item that could not become an article, and why."""

    source: str
    reason: str
    line: int | None = None
    #: The article's id when the input gave one (or geoparsing an article failed).
    id: str | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.reason}"


_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}


def text_field_problem(record: Mapping[str, Any], field_name: str = "text") -> str | None:
    """Say what is wrong with a record's text field, or return None when it is usable.

    Parameters
    ----------
    record
        A JSON object or a dataframe row as a mapping.
    field_name
        The field that should hold the article text.

    Returns
    -------
    str or None
        ``'no "text" field'``, ``'"text" is a number, not a string'``,
        ``'"text" is empty'``, or None for a non-blank string.

    Examples
    --------
    >>> text_field_problem({"text": 12})
    '"text" is a number, not a string'
    >>> text_field_problem({"body": "Clashes in Sirte."})
    'no "text" field'
    >>> text_field_problem({"text": "Clashes in Sirte."}) is None
    True
    """
    if field_name not in record or record[field_name] is None:
        return f'no "{field_name}" field'
    value = record[field_name]
    if not isinstance(value, str):
        kind = _JSON_TYPES.get(type(value), f"a {type(value).__name__}")
        return f'"{field_name}" is {kind}, not a string'
    if not value.strip():
        return f'"{field_name}" is empty'
    return None


#: Mean Earth radius (IUGG), km: the sphere distances are measured on.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points, in km.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Coordinates in decimal degrees.

    Returns
    -------
    float
        Distance on a sphere of radius :data:`EARTH_RADIUS_KM`.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    # min() guards asin against a rounding overshoot for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
