"""Structure, offline-ness and escaping of the HTML maps (no browser)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from geomap.errors import ConfigurationError, DependencyError, GeomapError
from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Resolution
from geomap.render import MapView, build_map, render_fragment, render_html, render_static, save_map
from geomap.render_assets import ASSETS_DIR, check, load_assets
from geomap.render_data import build_payload, safe_url, sentence_span, unique_names
from tests._render_corpus import HOSTILE_STRINGS, SIRTE, hostile, realistic, result

# Strings in the vendored, pinned libraries that look like URLs but load
# nothing: the SVG namespace, comments, and Leaflet's default attribution
# link (patched to plain text when inlined).
VENDOR_URLS = {
    "http://www.w3.org/2000/svg",
    "https://leafletjs.com",  # in the @preserve licence comment
    "https://github.com/topojson/topojson-client",
}


def data_of(doc: str) -> dict:
    blocks = re.findall(r'<script type="application/json" id="(\w+)_data">(.*?)</script>', doc, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0][1])


def strip_vendor(doc: str) -> str:
    """Remove inlined vendor scripts/styles and JSON blocks: what geomap itself wrote."""
    out = re.sub(r'<script type="application/json".*?</script>', "", doc, flags=re.S)
    assets = load_assets()
    for js in assets.js:
        assert f"<script>{js}</script>" in out
        out = out.replace(f"<script>{js}</script>", "")
    for css in assets.css:
        assert f"<style>{css}</style>" in out
        out = out.replace(f"<style>{css}</style>", "")
    return out


@pytest.fixture(scope="module")
def real_doc() -> str:
    return render_html(realistic(), title="Libya")


@pytest.fixture(scope="module")
def hostile_doc() -> str:
    return render_html(hostile(), title="<script>window.__pwned='title'</script>${1}")


def test_assets_manifest_is_complete():
    manifest = check()
    assert {e["package"] + "@" + e["version"] for e in manifest.values()} >= {
        "leaflet@1.9.4", "leaflet.markercluster@1.5.3", "world-atlas@2.0.2", "topojson-client@3.1.0"}


def test_one_marker_per_place_per_article():
    payload = build_payload(realistic())
    places = payload["places"]
    pairs = sorted((places[p][0], payload["articles"][a]["id"]) for p, a, *_ in payload["markers"])
    assert pairs == sorted([
        ("Sirte", "a1"), ("Tripoli", "a1"), ("Rome", "a1"),
        ("Cairo", "a2"), ("Benghazi", "a2"), ("Sirte", "a2"),
        ("Rome", "a3"), ("Tripoli", "a3"),
    ])
    # Sirte is mentioned in two sentences of a1: one marker lists both.
    sirte_a1 = next(m for m in payload["markers"] if places[m[0]][0] == "Sirte" and m[1] == 0)
    sentences = [payload["sentences"][payload["mentions"][i][4]] for i in sirte_a1[4]]
    assert sentences == [
        "Heavy clashes broke out on Tuesday east of Sirte between rival forces.",
        "Residents of Sirte said shelling continued overnight.",
    ]
    # Same place in several articles: distinct markers, same coordinates.
    assert sum(1 for m in payload["markers"] if places[m[0]][0] == "Sirte") == 2
    assert len({p[0] for p in places}) == len(places)


def test_unresolved_and_boilerplate_are_skipped():
    art = Article("b", "T", "Sirte. Follow us in Sirte.", "b.txt")
    ok = GeoMention(Mention(0, 5, "Sirte"), Resolution(SIRTE, 0.9, "gazetteer"), Event("mention", 0.2))
    boiler = GeoMention(Mention(20, 25, "Sirte", boilerplate=True), Resolution(SIRTE, 0.9, "gazetteer"),
                        Event("mention", 0.2))
    unresolved = GeoMention(Mention(20, 25, "Sirte"), Resolution(None, 0.0, "none"), Event("mention", 0.2))
    payload = build_payload([ArticleResult(art, (ok, boiler, unresolved))])
    assert len(payload["mentions"]) == 1
    assert build_payload([ArticleResult(art, (boiler, unresolved))])["markers"] == []


def test_layer_names_unique_and_titles_disambiguated():
    payload = build_payload(realistic())
    names = [a["name"] for a in payload["articles"]] + [t["name"] for t in payload["types"]]
    assert len(names) == len(set(names))
    assert [a["name"] for a in payload["articles"]] == [
        "Clashes erupt near Sirte", "Libya talks resume", "Libya talks resume (2)"]
    # An article titled like an event type does not collide with its layer.
    assert unique_names(["Diplomacy", "Diplomacy (2)", "Diplomacy"], {"Diplomacy"}) == [
        "Diplomacy (2)", "Diplomacy (2) (2)", "Diplomacy (3)"]


def test_types_ordered_by_priority_with_builtin_palette():
    payload = build_payload(realistic())
    assert [t["id"] for t in payload["types"]] == [
        "armed_clash", "airstrike", "diplomacy", "political", "protest", "mention"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", t["colour"]) for t in payload["types"])


def test_styles_override_and_validation():
    payload = build_payload(realistic(), styles={"diplomacy": ("Talks", "#00ff00")})
    diplomacy = next(t for t in payload["types"] if t["id"] == "diplomacy")
    assert (diplomacy["label"], diplomacy["colour"]) == ("Talks", "#00ff00")
    assert payload["types"][0]["id"] == "diplomacy"  # styles order = drawing priority
    with pytest.raises(ConfigurationError, match="colour"):
        build_payload(realistic(), styles={"diplomacy": ("Talks", "red;}</style><script>")})


@pytest.mark.parametrize(("text", "start", "end", "expected"), [
    ("One. Two Sirte here. Three.", 9, 14, "Two Sirte here."),
    ("Sirte", 0, 5, "Sirte"),
    ("Line one\nIn Sirte today\nnext", 12, 17, "In Sirte today"),
    ("U.S. forces near Sirte. Next", 17, 22, "forces near Sirte."),
    ("Ends without stop Sirte", 18, 23, "Ends without stop Sirte"),
])
def test_sentence_span(text, start, end, expected):
    s, e = sentence_span(text, start, end)
    assert text[s:e] == expected


def test_sentence_span_caps_long_text_but_keeps_mention():
    text = "word " * 500 + "Sirte" + " word" * 500
    s, e = sentence_span(text, 2500, 2505, limit=100)
    assert e - s <= 100 and s <= 2500 and e >= 2505


def test_highlight_offsets_are_utf16_for_javascript():
    art = Article("e", None, "\U0001f525\U0001f525 Clashes in Sirte.", "e.txt")
    r = result(art, [("Sirte", "Sirte", "armed_clash")])
    payload = build_payload([r])
    m = payload["mentions"][0]
    sentence = payload["sentences"][m[4]]
    utf16 = sentence.encode("utf-16-le")
    assert utf16[m[5] * 2:m[6] * 2].decode("utf-16-le") == "Sirte"


def test_title_mentions_use_the_title_as_sentence():
    art = Article("t", "Fighting in Sirte", "Nothing here.", "t.txt")
    gm = GeoMention(Mention(12, 17, "Sirte", field="title"), Resolution(SIRTE, 0.9, "gazetteer"),
                    Event("armed_clash", 0.9))
    payload = build_payload([ArticleResult(art, (gm,))])
    assert payload["sentences"] == ["Fighting in Sirte"]
    assert payload["mentions"][0][5:7] == [12, 17]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://news.example.org/a", "https://news.example.org/a"),
    ("http://x.org", "http://x.org"),
    ("javascript:alert(1)", None),
    (" JAVASCRIPT:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("//evil.org/x", None),
    ("https://example.org/?q=\"><script>", None),
    (None, None),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_no_network_resource_in_default_output(real_doc):
    resource = re.compile(r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I)
    assert not resource.search(real_doc)
    assert "<link" not in real_doc
    assert not re.search(r"<script[^>]*\bsrc=", real_doc)
    # geomap's own markup and script contain no URL at all ...
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", strip_vendor(real_doc), re.I)
    # ... the data only carries the article's own http(s) link ...
    assert re.findall(r"https?://[^\"\\]+", json.dumps(data_of(real_doc))) == [
        "https://news.example.org/libya/sirte-clashes"]
    # ... and the vendored libraries only inert ones.
    without_data = re.sub(r'<script type="application/json".*?</script>', "", real_doc, flags=re.S)
    found = {re.match(r"https?://[\w./-]*?(?=[\"'\s)?]|$|/p/|/show)", u).group(0).rstrip("/")
             for u in re.findall(r"https?://[^\s\"')]+", without_data)}
    assert found <= VENDOR_URLS | {"https://bugs.chromium.org", "https://bugzilla.mozilla.org"}


def test_assets_are_inlined(real_doc):
    assert real_doc.count("<script") >= 5
    assert "L.markerClusterGroup" in real_doc and "topojson" in real_doc
    assert "url(images/" not in real_doc and "data:image/png;base64," in real_doc
    assert '"type":"Topology"' in real_doc


def test_hostile_strings_survive_as_data_only(hostile_doc):
    data = data_of(hostile_doc)
    sentences = "\n".join(data["sentences"])
    titles = [a["title"] for a in data["articles"]]
    for bad in HOSTILE_STRINGS:
        assert bad in sentences
        assert f"Sirte {bad}" in titles
    assert data["title"] == "<script>window.__pwned='title'</script>${1}"
    # Jinja did not evaluate article text (folium/branca would render 49).
    assert "{{ 7*7 }}" in sentences and "JINJA" not in sentences.replace("%}JINJA{%", "")
    # No article-derived URL that is not http(s) became a link.
    assert {a["url"] for a in data["articles"]} == {None}


def test_hostile_strings_never_reach_markup_or_code(hostile_doc):
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', hostile_doc, re.S):
        assert "<" not in block and ">" not in block and "\u2028" not in block
    # The <title> holds the (HTML-escaped) map title; checked below.
    own = re.sub(r"<title>.*?</title>", "", strip_vendor(hostile_doc), flags=re.S)
    for needle in ("__pwned", "onerror", "${window", "7*7", "JINJA", "<b>bold"):
        assert needle not in own
    # Every <script> is closed exactly once: no article text closed one early.
    assert hostile_doc.count("<script") == hostile_doc.count("</script>")
    assert "<title>&lt;script&gt;" in hostile_doc


def test_missing_assets_raise_with_fix(tmp_path):
    with pytest.raises(DependencyError, match=r"npm ci --ignore-scripts && python -m geomap.render_assets sync") as e:
        build_map(realistic(), assets_dir=tmp_path)
    assert isinstance(e.value, GeomapError)


def test_corrupt_asset_is_detected(tmp_path):
    for f in ASSETS_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "leaflet.js").write_text("/* truncated */")
    with pytest.raises(DependencyError, match="checksum"):
        render_html(realistic(), assets_dir=tmp_path)


def test_online_tiles_are_opt_in():
    doc = render_html(realistic(), tiles="osm")
    assert "tile.openstreetmap.org" in doc
    assert "_basemap" not in doc
    assert "basemaps.cartocdn.com" in render_html(realistic(), tiles="carto")
    doc = render_html(realistic(), tiles="https://tiles.example.org/{z}/{x}/{y}.png")
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in doc
    for bad in ("stamen", "javascript:{z}{x}{y}", "https://tiles.example.org/no-placeholders.png"):
        with pytest.raises(ConfigurationError):
            build_map(realistic(), tiles=bad)


def test_build_map_returns_folium_map_with_max_zoom():
    import folium

    m = build_map(realistic())
    assert isinstance(m, folium.Map)
    # markercluster throws "Map has no maxZoom specified" without it.
    assert m.options["maxZoom"] == 12
    assert m.default_js == [] and folium.Map.default_js  # class lists untouched


def test_empty_results_render():
    doc = render_html([])
    assert data_of(doc)["markers"] == [] and data_of(doc)["bounds"] is None


def test_save_map(tmp_path):
    out = save_map(realistic(), tmp_path / "sub" / "map.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_fragment_is_a_sandboxed_escaped_iframe():
    frag = render_fragment(hostile(), title="T \"quoted\" <b>", height=400)
    assert frag.startswith('<iframe class="geomap-map" title="T &quot;quoted&quot; &lt;b&gt;"')
    assert frag.count("<") == 2 and frag.endswith("></iframe>")  # the whole document is attribute-escaped
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in frag
    assert "allow-same-origin" not in frag and "height:400px" in frag
    srcdoc = re.search(r'srcdoc="([^"]*)"', frag).group(1)
    doc = html.unescape(srcdoc)
    assert doc.startswith("<!DOCTYPE html>") and data_of(doc)["title"] == 'T "quoted" <b>'


def test_mapview_repr_html():
    view = MapView(realistic(), height=300, title="Libya")
    out = view._repr_html_()
    assert out.startswith("<iframe") and "height:300px" in out
    assert "<!DOCTYPE html>" in view.html()


def test_render_static_png_and_svg(tmp_path):
    png = render_static(realistic(), tmp_path / "map.png", title="Libya $x$")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # basemap + markers, not a blank canvas
    sea = max(colours)[1]
    assert sea in ((185, 211, 228), (244, 241, 234), (255, 255, 255))
    svg = render_static(hostile(), tmp_path / "map.svg", fmt="svg")
    root = ET.parse(svg).getroot()  # hostile place names still give valid XML
    assert root.tag.endswith("svg")
    assert "<script" not in svg.read_text(encoding="utf-8")
    assert svg.stat().st_size < 500_000
    with pytest.raises(ConfigurationError):
        render_static(realistic(), tmp_path / "map.gif", fmt="gif")


def test_render_static_draws_every_place(tmp_path, monkeypatch):
    import matplotlib.axes

    calls = []
    original = matplotlib.axes.Axes.scatter

    def spy(self, x, y, *a, **kw):
        calls.append(list(zip(x, y, strict=True)))
        return original(self, x, y, *a, **kw)

    monkeypatch.setattr(matplotlib.axes.Axes, "scatter", spy)
    render_static(realistic(), tmp_path / "m.png")
    points = {(round(x, 2), round(y, 2)) for c in calls for x, y in c}
    assert points == {(16.59, 31.21), (13.19, 32.89), (20.07, 32.11), (12.51, 41.89), (31.25, 30.06)}



def test_demonyms_stay_off_the_map_unless_asked():
    from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution
    from geomap.render_data import build_payload

    libya = Place("Libya", "geonames:2215636", 25.0, 17.0, "PCLI", "LY")
    text = "Libyan forces moved."
    gm = GeoMention(Mention(0, 6, "Libyan", recognizer="demonym"), Resolution(libya, 0.9, "demonym"),
                    Event("military_activity", 0.6))
    results = [ArticleResult(Article("a", None, text, "x"), (gm,))]
    assert build_payload(results)["markers"] == []
    assert len(build_payload(results, demonyms=True)["markers"]) == 1


def _saved_figure(monkeypatch, results, path):
    """Run render_static; return the figure it saved and a renderer at the figure's dpi to measure with.

    Text measured without a renderer would keep savefig's (150 dpi) one while
    positions are at the figure's dpi (100).
    """
    import matplotlib.figure

    saved = []
    original = matplotlib.figure.Figure.savefig

    def spy(self, *a, **kw):
        saved.append(self)
        return original(self, *a, **kw)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    render_static(results, path)
    (fig,) = saved
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # pyplot's close left the figure a canvas that cannot draw
    canvas.draw()
    return fig, canvas.get_renderer()


def _marker_boxes(ax, results):
    """Each plotted place's name and the display-pixel box of its marker (46 pt² circle, white edge)."""
    from matplotlib.transforms import Bbox

    places = build_payload(results)["places"]
    r = (46**0.5 / 2 + 0.45) * ax.figure.dpi / 72
    centres = ax.transData.transform([(p[2], p[1]) for p in places])
    return [(p[0], Bbox.from_extents(x - r, y - r, x + r, y + r)) for p, (x, y) in zip(places, centres, strict=True)]


def test_render_static_legend_covers_no_marker(seed_results, tmp_path, monkeypatch):
    results = list(seed_results.values())
    fig, renderer = _saved_figure(monkeypatch, results, tmp_path / "seeds.png")
    ax = fig.axes[0]
    legends = [lg for lg in (ax.get_legend(), *fig.legends) if lg is not None]
    assert len(legends) == 1 and len(legends[0].get_texts()) == len(build_payload(results)["types"])
    legend = legends[0].get_window_extent(renderer)
    markers = _marker_boxes(ax, results)
    assert len(markers) > 20  # Colorado to Arabia: a wide, crowded map
    assert [name for name, box in markers if box.overlaps(legend)] == []
    # ... and the legend is in the saved image, not cropped away.
    assert fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans).contains(legend.x0 + 1, legend.y0 + 1)


@pytest.mark.parametrize("corpus", ["seeds", "realistic"])
def test_render_static_labels_hide_no_label_or_marker(corpus, tmp_path, monkeypatch, request):
    from matplotlib.text import Annotation

    results = list(request.getfixturevalue("seed_results").values()) if corpus == "seeds" else realistic()
    fig, renderer = _saved_figure(monkeypatch, results, tmp_path / "map.png")
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    labels = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if isinstance(t, Annotation)]
    assert len(labels) >= {"seeds": 10, "realistic": 5}[corpus]  # most places keep their name
    clashes = [(a, b) for i, (a, box) in enumerate(labels) for b, other in labels[i + 1:] if box.overlaps(other)]
    assert clashes == []
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for _, b in labels)
    positions = {t.get_text(): ax.transData.transform(t.xy) for t in ax.texts if isinstance(t, Annotation)}
    hidden = [(label, name) for label, box in labels for name, marker in _marker_boxes(ax, results)
              if box.overlaps(marker) and not marker.contains(*positions[label])]
    assert hidden == []
