"""Serialise results: JSON lines (the output contract), GeoJSON and CSV.

Pure functions from :class:`~geomap.model.ArticleResult` to dicts and
strings; writing files is the caller's job. Output is deterministic:
mentions in text order (title first), keys in a fixed order.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from geomap.model import ArticleResult, GeoMention, Place

#: Columns of the CSV export and properties of each GeoJSON feature, in order.
FLAT_COLUMNS = (
    "article_id", "article_title", "article_url", "article_published", "article_source",
    "field", "start", "end", "text", "place_name", "place_id", "lat", "lon", "feature",
    "country_code", "admin1", "population", "score", "method", "event", "event_score",
    "event_trigger", "boilerplate",
)


def place_dict(place: Place | None) -> dict[str, Any] | None:
    """Return the contract's ``place`` object, or None."""
    if place is None:
        return None
    return {
        "name": place.name,
        "id": place.id,
        "lat": place.lat,
        "lon": place.lon,
        "feature": place.feature,
        "country_code": place.country_code,
        "admin1": place.admin1,
        "population": place.population,
    }


def mention_dict(gm: GeoMention, *, explain: bool = False) -> dict[str, Any]:
    """Return one mention as in the JSON lines contract.

    The contract keys come first (start, end, text, field, place, score,
    event); later additions (event_trigger, event_score, method,
    recognizer, boilerplate) follow, so old readers keep working.
    """
    m, r, e = gm.mention, gm.resolution, gm.event
    out: dict[str, Any] = {
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "field": m.field,
        "place": place_dict(r.place),
        "score": r.score,
        "event": e.type,
        "event_score": e.score,
        "event_trigger": (
            {"text": e.trigger.text, "start": e.trigger.start, "end": e.trigger.end} if e.trigger else None
        ),
        "method": r.method,
        "recognizer": m.recognizer,
        "boilerplate": m.boilerplate,
    }
    if explain:
        out["explain"] = dict(r.features)
    return out


def result_dict(result: ArticleResult, *, explain: bool = False) -> dict[str, Any]:
    """Return one article's record of the JSON lines contract."""
    a = result.article
    return {
        "id": a.id,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published": a.published,
        "mentions": [mention_dict(gm, explain=explain) for gm in result.mentions],
    }


def result_line(result: ArticleResult, *, explain: bool = False) -> str:
    """Return one article's JSON line, with its newline."""
    return json.dumps(result_dict(result, explain=explain), ensure_ascii=False) + "\n"


def to_jsonl(results: Iterable[ArticleResult], *, explain: bool = False) -> Iterator[str]:
    """Yield one JSON line (with its newline) per article."""
    for r in results:
        yield result_line(r, explain=explain)


def flat_rows(results: Iterable[ArticleResult], *, resolved_only: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one flat row per mention (see :data:`FLAT_COLUMNS`)."""
    for res in results:
        a = res.article
        for gm in res.mentions:
            m, r, e = gm.mention, gm.resolution, gm.event
            p = r.place
            if resolved_only and p is None:
                continue
            yield {
                "article_id": a.id,
                "article_title": a.title,
                "article_url": a.url,
                "article_published": a.published,
                "article_source": a.source,
                "field": m.field,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "place_name": p.name if p else None,
                "place_id": p.id if p else None,
                "lat": p.lat if p else None,
                "lon": p.lon if p else None,
                "feature": p.feature if p else None,
                "country_code": p.country_code if p else None,
                "admin1": p.admin1 if p else None,
                "population": p.population if p else None,
                "score": r.score,
                "method": r.method,
                "event": e.type,
                "event_score": e.score,
                "event_trigger": e.trigger.text if e.trigger else None,
                "boilerplate": m.boilerplate,
            }


def to_geojson(results: Iterable[ArticleResult]) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection: one Point per resolved mention.

    Coordinates are [longitude, latitude] (WGS 84); properties are the flat
    columns of :data:`FLAT_COLUMNS` minus lat/lon.
    """
    features = []
    for row in flat_rows(results, resolved_only=True):
        lon, lat = row.pop("lon"), row.pop("lat")
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": row,
        })
    return {"type": "FeatureCollection", "features": features}


def to_csv(results: Iterable[ArticleResult]) -> Iterator[str]:
    """Yield CSV text: a header, then one row per mention (unresolved included)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    yield buf.getvalue()
    for row in flat_rows(results):
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        yield buf.getvalue()
