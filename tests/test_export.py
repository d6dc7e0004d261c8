import csv
import io
import json

from geomap.export import FLAT_COLUMNS, result_dict, to_csv, to_geojson, to_jsonl
from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution, Trigger

SIRTE = Place("Sirte", "geonames:2210554", 31.20892, 16.58866, "PPL", "LY", "62", 128123)


def sample():
    text = "IS seized Sirte <script>. Talks in Atlantis."
    art = Article("a1", "Title, with \"quotes\"", text, "x.txt", url="https://example.org/a")
    s = text.index("Sirte")
    a = text.index("Atlantis")
    m1 = GeoMention(Mention(s, s + 5, "Sirte"), Resolution(SIRTE, 0.93, "context"),
                    Event("territorial_control", 0.8, Trigger("seized", 3, 9)))
    m2 = GeoMention(Mention(a, a + 8, "Atlantis"), Resolution(None, 0.0, "none"), Event("mention", 0.5))
    return [ArticleResult(art, (m1, m2))]


def test_jsonl_contract():
    (line,) = list(to_jsonl(sample()))
    rec = json.loads(line)
    assert list(rec)[:4] == ["id", "title", "source", "url"]
    m = rec["mentions"][0]
    for key in ("start", "end", "text", "field", "place", "score", "event"):
        assert key in m
    assert set(m["place"]) == {"name", "id", "lat", "lon", "feature", "country_code", "admin1", "population"}
    assert m["event_trigger"] == {"text": "seized", "start": 3, "end": 9}
    assert rec["mentions"][1]["place"] is None
    text = sample()[0].article.text
    assert all(text[x["start"]:x["end"]] == x["text"] for x in rec["mentions"])


def test_geojson_is_rfc7946_lon_lat():
    fc = to_geojson(sample())
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1  # unresolved left out
    f = fc["features"][0]
    assert f["geometry"] == {"type": "Point", "coordinates": [16.58866, 31.20892]}
    assert f["properties"]["event"] == "territorial_control"
    assert "lat" not in f["properties"]
    json.dumps(fc)  # serialisable


def test_csv_has_every_mention_and_quotes_safely():
    rows = list(csv.DictReader(io.StringIO("".join(to_csv(sample())))))
    assert len(rows) == 2 and list(rows[0]) == list(FLAT_COLUMNS)
    assert rows[0]["article_title"] == 'Title, with "quotes"'
    assert rows[1]["place_name"] == ""


def test_explain_adds_features():
    res = sample()[0]
    assert "explain" not in result_dict(res)["mentions"][0]
    assert "explain" in result_dict(res, explain=True)["mentions"][0]


def test_output_is_deterministic():
    assert list(to_jsonl(sample())) == list(to_jsonl(sample()))
    assert json.dumps(to_geojson(sample())) == json.dumps(to_geojson(sample()))
