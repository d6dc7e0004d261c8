import geopandas as gpd
import pytest

from geomap.export_geo import COLUMNS, to_geodataframe, write_gpkg, write_parquet
from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution, Trigger

SIRTE = Place("Sirte", "geonames:2210554", 31.20892, 16.58866, "PPL", "LY", "76", 106705)
SAHEL = Place("Sahel", "curated:sahel", 15.0, 5.0, "RGN", None, None, None)


def sample():
    text = "IS seized Sirte. <img src=x onerror=alert(1)> in the Sahel; talks in Atlantis."
    art = Article("a1", "Título «hostile» ${x}", text, "x.txt", url="javascript:alert(1)")
    s, h, a = text.index("Sirte"), text.index("Sahel"), text.index("Atlantis")
    return [ArticleResult(art, (
        GeoMention(Mention(s, s + 5, "Sirte"), Resolution(SIRTE, 0.93, "context"),
                   Event("territorial_control", 0.8, Trigger("seized", 3, 9))),
        GeoMention(Mention(h, h + 5, "Sahel"), Resolution(SAHEL, 0.7, "gazetteer"), Event("mention", 0.5)),
        GeoMention(Mention(a, a + 8, "Atlantis"), Resolution(None, 0.0, "none"), Event("mention", 0.5)),
    ))]


def test_geodataframe_schema_and_lon_lat():
    gdf = to_geodataframe(sample())
    assert list(gdf.columns) == [*COLUMNS, "geometry"]
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 2  # unresolved left out
    assert (gdf.geometry.x[0], gdf.geometry.y[0]) == (16.58866, 31.20892)
    assert gdf["country_code"][1] == "" and gdf["population"].isna()[1]


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_round_trip(tmp_path, fmt):
    path = tmp_path / f"m.{fmt}"
    (write_gpkg if fmt == "gpkg" else write_parquet)(sample(), path)
    back = gpd.read_file(path) if fmt == "gpkg" else gpd.read_parquet(path)
    assert back.crs.to_epsg() == 4326 and len(back) == 2
    assert abs(back.geometry.x[0] - 16.58866) < 1e-9 and abs(back.geometry.y[0] - 31.20892) < 1e-9
    assert back["article_title"][0] == "Título «hostile» ${x}"
    assert back["event_trigger"][0] == "seized" and int(back["start"][0]) == 10
    assert set(COLUMNS) <= set(back.columns)


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_empty_results_give_a_valid_empty_file(tmp_path, fmt):
    path = tmp_path / f"e.{fmt}"
    (write_gpkg if fmt == "gpkg" else write_parquet)([], path)
    back = gpd.read_file(path) if fmt == "gpkg" else gpd.read_parquet(path)
    assert len(back) == 0 and set(COLUMNS) <= set(back.columns)
