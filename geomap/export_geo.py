"""GIS exports through geopandas: GeoDataFrame, GeoPackage and GeoParquet.

geopandas is imported lazily, so the rest of geomap works without it.

Columns of :func:`to_geodataframe`, in order (one row per resolved mention):

==================  ========  ==================================================
column              dtype     meaning
==================  ========  ==================================================
article_id          str       the article's id
article_title       str       headline (empty when none)
article_url         str       url (empty when none)
article_published   str       publication date as given (empty when none)
article_source      str       file (and line) it was read from
field               str       ``text`` or ``title``
start, end          int64     str offsets of the mention in that field
text                str       the mention as written
place_name          str       gazetteer name of the place
place_id            str       gazetteer id (``geonames:2210554``...)
feature             str       feature code (PPL, PCLI, ADM1, RGN...)
country_code        str       ISO 3166-1 alpha-2 (empty for regions and seas)
admin1              str       admin1 code (empty when none)
population          float64   population (NaN when unknown)
score               float64   resolution confidence in [0, 1]
method              str       what decided (gazetteer, context, geocoder)
event               str       event type id
event_score         float64   event confidence in [0, 1]
event_trigger       str       trigger word(s) (empty when none)
boilerplate         bool      mention sits in page furniture
geometry            Point     longitude, latitude (EPSG:4326)
==================  ========  ==================================================
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geomap.errors import DependencyError
from geomap.export import flat_rows
from geomap.model import ArticleResult

STR_COLUMNS = ("article_id", "article_title", "article_url", "article_published", "article_source", "field",
               "text", "place_name", "place_id", "feature", "country_code", "admin1", "method", "event",
               "event_trigger")
INT_COLUMNS = ("start", "end")
FLOAT_COLUMNS = ("population", "score", "event_score")
COLUMNS = ("article_id", "article_title", "article_url", "article_published", "article_source", "field",
           "start", "end", "text", "place_name", "place_id", "feature", "country_code", "admin1", "population",
           "score", "method", "event", "event_score", "event_trigger", "boilerplate")


def _geopandas() -> Any:
    try:
        import geopandas
    except ImportError as exc:  # pragma: no cover - geopandas is a dependency
        raise DependencyError("GeoPackage/GeoParquet export needs geopandas: pip install geopandas") from exc
    return geopandas


def to_geodataframe(results: Sequence[ArticleResult]) -> Any:
    """Return a GeoDataFrame (EPSG:4326) with one row per resolved mention.

    The columns and their types are listed in the module docstring; the
    schema is the same for empty input.
    """
    gpd = _geopandas()
    import pandas as pd
    from shapely.geometry import Point

    rows = list(flat_rows(results, resolved_only=True))
    data: dict[str, Any] = {}
    for col in COLUMNS:
        values = [r[col] for r in rows]
        if col in STR_COLUMNS:
            data[col] = pd.Series(["" if v is None else str(v) for v in values], dtype="object")
        elif col in INT_COLUMNS:
            data[col] = pd.Series(values, dtype="int64")
        elif col in FLOAT_COLUMNS:
            data[col] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        else:
            data[col] = pd.Series([bool(v) for v in values], dtype="bool")
    geometry = [Point(r["lon"], r["lat"]) for r in rows]
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")


def write_gpkg(results: Sequence[ArticleResult], path: str | os.PathLike[str], *, layer: str = "mentions") -> Path:
    """Write resolved mentions to a GeoPackage layer (replacing the file)."""
    dest = Path(path)
    dest.unlink(missing_ok=True)
    gdf = to_geodataframe(results)
    gdf.to_file(dest, layer=layer, driver="GPKG")
    return dest


def write_parquet(results: Sequence[ArticleResult], path: str | os.PathLike[str]) -> Path:
    """Write resolved mentions to a GeoParquet file."""
    dest = Path(path)
    to_geodataframe(results).to_parquet(dest, index=False)
    return dest
