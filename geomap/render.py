"""Render article results as self-contained, offline, layered HTML maps.

The output opens from a file with no network: Leaflet, markercluster,
topojson-client, their CSS and images and a Natural Earth basemap are inlined
from pinned npm packages (see :mod:`geomap.render_assets`). The map data is
one JSON block and a small inline script builds markers, popups, layer
toggles, legend, place search and date filter in the browser.

Why not folium markers, popups and plugins: in folium 0.20.0 / branca 0.8.2
(measured) popup and tooltip text is (1) placed inside a JavaScript template
literal, so ``${...}`` in an article runs as JavaScript, and (2) re-parsed as
a Jinja template when rendered, so ``{{ 7*7 }}`` in an article is evaluated
*in Python* at render time. Per-object folium elements are also too slow for
100,000 mentions. folium still provides the page skeleton and the
``folium.Map`` object callers can extend.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from geomap.errors import ConfigurationError
from geomap.model import ArticleResult
from geomap.render_assets import Assets, load_assets
from geomap.render_client import CLIENT_CSS, client_js
from geomap.render_data import Styles, build_payload, payload_json

if TYPE_CHECKING:
    import folium
    from branca.element import Figure

__all__ = ["MapView", "build_map", "render_fragment", "render_html", "render_static", "save_map"]

TILES: dict[str, tuple[str, str]] = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors"),
    # Explicit URL: folium's "CartoDB positron" name warns about API keys.
    "carto": ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
              "&copy; OpenStreetMap contributors &copy; CARTO"),
}
# Without tiles the basemap is 1:50m: zooming further shows nothing new, but
# markercluster needs a maxZoom or it throws "Map has no maxZoom specified".
MAX_ZOOM_OFFLINE = 12
MAX_ZOOM_TILES = 18


def _element_classes() -> tuple[type, type]:
    # Defined lazily so importing geomap.render does not import folium.
    from branca.element import Element, Figure, MacroElement

    class _Raw(Element):
        """A literal chunk of HTML: never passed through Jinja."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self._text = text

        def render(self, **kwargs: Any) -> str:
            return self._text

    class _GeomapLayer(MacroElement):
        """Adds inline assets, the data block and the client script to the page."""

        def __init__(self, payload: dict[str, Any], assets: Assets, basemap: bool) -> None:
            super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
            self._name = "GeomapLayer"
            self.payload = payload
            self.assets = assets
            self.basemap = basemap

        # Returns None like branca's own MacroElement.render (Element.render is annotated -> str).
        def render(self, **kwargs: Any) -> None:  # type: ignore[override]
            figure = cast(Figure, self.get_root())  # the map is added to a Figure before it renders
            name = self.get_name()
            head = "".join(f"<style>{css}</style>\n" for css in (*self.assets.css, CLIENT_CSS))
            head += "".join(f"<script>{js}</script>\n" for js in self.assets.js)
            figure.header.add_child(_Raw(head), name="geomap_assets")
            data_id = f"{name}_data"
            body = f'<script type="application/json" id="{data_id}">{payload_json(self.payload)}</script>\n'
            basemap_id = None
            if self.basemap:
                basemap_id = f"{name}_basemap"
                topo = self.assets.basemap_topojson.replace("<", "\\u003c")
                body += f'<script type="application/json" id="{basemap_id}">{topo}</script>\n'
            figure.html.add_child(_Raw(body), name=data_id)
            script = client_js(cast(Element, self._parent).get_name(), data_id, basemap_id)
            figure.script.add_child(_Raw(script), name=name)

    return _Raw, _GeomapLayer


def _tile_layer(tiles: str) -> folium.TileLayer:
    import folium

    key = tiles.lower()
    if key in TILES:
        url, attr = TILES[key]
        return folium.TileLayer(tiles=url, attr=attr, max_zoom=MAX_ZOOM_TILES)
    if re.match(r"https?://", tiles) and all(p in tiles for p in ("{z}", "{x}", "{y}")):
        host = re.sub(r"^https?://([^/]+).*", r"\1", tiles)
        return folium.TileLayer(tiles=tiles, attr=html.escape(f"Tiles: {host}"), max_zoom=MAX_ZOOM_TILES)
    raise ConfigurationError(
        f"tiles must be 'osm', 'carto' or an http(s) URL template with {{z}}/{{x}}/{{y}}, not {tiles!r}"
    )


def build_map(
    results: Sequence[ArticleResult],
    *,
    tiles: str | None = None,
    styles: Styles | None = None,
    title: str | None = None,
    assets_dir: Path | None = None,
    demonyms: bool = False,
) -> folium.Map:
    """Build an offline folium map of the places mentioned in ``results``.

    One marker per place per article lists every sentence that mentions the
    place. Overlays: one per article and one per event type, toggled
    independently (a marker shows when its article and at least one of its
    event types are on). Includes a legend, clustering, a place search box,
    a date filter when articles carry ``published`` dates, and fits the view
    to the data.

    Parameters
    ----------
    results
        Articles with their resolved, event-typed mentions. Mentions without
        a place and boilerplate mentions are skipped.
    tiles
        None (default) draws the offline Natural Earth basemap. ``"osm"``,
        ``"carto"`` or an ``http(s)://.../{z}/{x}/{y}.png`` template opts in
        to online tiles instead.
    styles
        Event type id to ``(label, colour)`` or ``(label, colour, glyph)``;
        unknown types use the built-in palette.
    title
        Shown as text on the map and as the page title.
    assets_dir
        Directory of the pinned browser assets (default: ``geomap/assets``).
    demonyms
        Also place demonym mentions ("Libyan") on their country.

    Returns
    -------
    folium.Map
        ``map.get_root().render()`` gives the self-contained document.

    Raises
    ------
    DependencyError
        When the offline assets are missing (the message says how to fix it).
    ConfigurationError
        For an unknown ``tiles`` value or an invalid style colour.
    """
    import folium

    assets = load_assets(assets_dir)
    payload = build_payload(results, styles=styles, title=title, demonyms=demonyms)
    m = folium.Map(location=[20, 0], zoom_start=2, tiles=None, control_scale=True)
    # Instance attributes shadow folium's class-level CDN lists (mutating the
    # class lists would change every map in the process).
    m.default_js = []
    m.default_css = []
    m.options["maxZoom"] = MAX_ZOOM_TILES if tiles else MAX_ZOOM_OFFLINE
    m.options["minZoom"] = 1
    if tiles:
        _tile_layer(tiles).add_to(m)
    _, layer_cls = _element_classes()
    layer_cls(payload, assets, basemap=not tiles).add_to(m)
    figure = cast("Figure", m.get_root())  # a folium.Map's root is its Figure
    # branca puts the title in <title> unescaped; it is not re-parsed by Jinja.
    figure.title = html.escape(title or "geomap")
    return m


def render_html(results: Sequence[ArticleResult], **kw: Any) -> str:
    """Return the map as one self-contained HTML document.

    Parameters
    ----------
    results
        See :func:`build_map`.
    **kw
        Passed to :func:`build_map`.
    """
    return build_map(results, **kw).get_root().render()


def save_map(results: Sequence[ArticleResult], path: str | Path, **kw: Any) -> Path:
    """Write the self-contained HTML map to ``path`` and return it.

    Parameters
    ----------
    results
        See :func:`build_map`.
    path
        Output file; parent directories are created.
    **kw
        Passed to :func:`build_map`.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(results, **kw), encoding="utf-8")
    return out


def render_fragment(
    results: Sequence[ArticleResult], *, height: int = 520, **kw: Any
) -> str:
    """Return an ``<iframe srcdoc>`` fragment to paste into a report page.

    The document is attribute-escaped into ``srcdoc`` and sandboxed with
    ``allow-scripts`` but without ``allow-same-origin``: the map's script runs
    in an opaque origin and cannot reach the host page, its cookies or
    storage. ``allow-popups`` lets article links open in a new tab.

    Parameters
    ----------
    results
        See :func:`build_map`.
    height
        Frame height in CSS pixels.
    **kw
        Passed to :func:`build_map`.
    """
    doc = render_html(results, **kw)
    label = html.escape(kw.get("title") or "geomap map", quote=True)
    return (
        f'<iframe class="geomap-map" title="{label}" srcdoc="{html.escape(doc, quote=True)}" '
        f'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
        f'referrerpolicy="no-referrer" loading="lazy" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ccc"></iframe>'
    )


def render_static(
    results: Sequence[ArticleResult], path: str | Path, fmt: str = "png", **kw: Any
) -> Path:
    """Draw a static map image (PNG or SVG) with geopandas and matplotlib.

    See :func:`geomap.render_static.render_static` for the options.
    """
    from geomap.render_static import render_static as _render_static

    return _render_static(results, path, fmt=fmt, **kw)


class MapView:
    """A map of article results that displays itself in Jupyter.

    ``_repr_html_`` returns the sandboxed iframe of :func:`render_fragment`,
    so the notebook needs no "trusted" state and no network.

    Parameters
    ----------
    results
        See :func:`build_map`.
    height
        Frame height in pixels in the notebook.
    **kw
        Passed to :func:`build_map`.
    """

    def __init__(self, results: Sequence[ArticleResult], *, height: int = 520, **kw: Any) -> None:
        self.results = tuple(results)
        self.height = height
        self.options: Mapping[str, Any] = dict(kw)

    def html(self) -> str:
        """Return the self-contained HTML document."""
        return render_html(self.results, **self.options)

    def save(self, path: str | Path) -> Path:
        """Write the HTML document to ``path``."""
        return save_map(self.results, path, **self.options)

    def to_image(self, path: str | Path, fmt: str = "png") -> Path:
        """Write a static image of the map."""
        kw = {k: v for k, v in self.options.items() if k in ("styles", "title")}
        return render_static(self.results, path, fmt=fmt, **kw)

    def _repr_html_(self) -> str:
        return render_fragment(self.results, height=self.height, **self.options)
