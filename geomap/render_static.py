"""Static map images (PNG/SVG) over the offline basemap, without a browser."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geomap.errors import ConfigurationError
from geomap.model import ArticleResult
from geomap.render_assets import load_assets
from geomap.render_data import Styles, build_payload

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.text import Annotation

SEA = "#b9d3e4"
LAND = "#f4f1ea"
BORDER = "#8d8579"
# Where a place label may sit around its marker, in order of preference:
# (offset in points, horizontal and vertical alignment).
_LABEL_SPOTS: tuple[tuple[tuple[float, float], Literal["left", "right"], Literal["bottom", "top"]], ...] = (
    ((4, 4), "left", "bottom"), ((-4, 4), "right", "bottom"),
    ((4, -4), "left", "top"), ((-4, -4), "right", "top"),
)
_MARKER_SIZE = 46  # scatter size, points²
_MARKER_RADIUS = 0.5 * _MARKER_SIZE**0.5 + 0.45  # points: half the diameter plus half the white edge


def topojson_polygons(topo: dict[str, Any], obj: str = "countries") -> list[tuple[str, Any]]:
    """Decode a TopoJSON object into ``(name, shapely geometry)`` pairs.

    Handles quantised (delta-encoded, ``transform``) and plain arcs, Polygon
    and MultiPolygon geometries, which is all world-atlas uses.

    Parameters
    ----------
    topo
        The parsed TopoJSON topology.
    obj
        The name of the geometry collection in ``topo["objects"]``.
    """
    from shapely.geometry import MultiPolygon, Polygon

    transform = topo.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(pts)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        coords: list[tuple[float, float]] = []
        for i in indexes:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            coords.extend(pts if not coords else pts[1:])
        # Rings crossing the antimeridian (Fiji, Chukotka) jump by 360°:
        # unwrap them so they do not become world-wide bands.
        for k in range(1, len(coords)):
            d = coords[k][0] - coords[k - 1][0]
            if abs(d) > 180:
                coords[k] = (coords[k][0] - 360 * (1 if d > 0 else -1), coords[k][1])
        return coords

    def polygon(rings: list[list[int]]) -> Polygon:
        shell, *holes = (ring(r) for r in rings)
        return Polygon(shell, holes)

    out: list[tuple[str, Any]] = []
    for geom in topo["objects"][obj]["geometries"]:
        name = (geom.get("properties") or {}).get("name", "")
        if geom["type"] == "Polygon":
            out.append((name, polygon(geom["arcs"])))
        elif geom["type"] == "MultiPolygon":
            out.append((name, MultiPolygon([polygon(p) for p in geom["arcs"]])))
    return out


def _mpl_text(text: str) -> str:
    # matplotlib parses $...$ as mathtext: a place name with two dollars
    # would render as maths or raise a parse error.
    return text.replace("$", r"\$")


def _extent(bounds: list[list[float]] | None) -> tuple[tuple[float, float], tuple[float, float]]:
    if not bounds:
        return (-180.0, 180.0), (-60.0, 85.0)
    (s, w), (n, e) = bounds
    # Pad so a single place or a tight cluster still shows its surroundings.
    pad_x = max(2.0, (e - w) * 0.12)
    pad_y = max(1.5, (n - s) * 0.12)
    return (max(-180.0, w - pad_x), min(180.0, e + pad_x)), (max(-90.0, s - pad_y), min(90.0, n + pad_y))


def _legend_below(ax: Axes, handles: Sequence[Line2D]) -> Legend:
    """Put the legend under the map, in as many columns as fit its width.

    Outside the axes because a map has no corner that is sure to be empty:
    the legend of many event types is as tall as a wide map, and then
    matplotlib's ``loc="best"`` still covers markers, just the fewest.
    """
    width = ax.get_window_extent().width
    legend = None
    for ncols in range(min(len(handles), 4), 0, -1):
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=ncols,
                           fontsize=8, frameon=False, title="Event type", title_fontsize=9)
        if legend.get_window_extent().width <= width:
            break
    assert legend is not None  # handles is not empty
    return legend


def _declutter(ax: Axes, notes: Sequence[Annotation], points: Sequence[tuple[float, float]],
               keep_clear: Sequence[Artist] = ()) -> None:
    """Place each label where it hides no marker and overprints no label, or drop it.

    Labels come most-mentioned first: each tries the spots of
    :data:`_LABEL_SPOTS` around its marker and takes the first inside the map
    that overlaps no label already placed, no marker at ``points`` (data
    coordinates) and nothing in ``keep_clear``; a label with no such spot is
    removed, since the markers are the data and the labels only name them.
    """
    from matplotlib.transforms import Bbox

    frame = ax.get_window_extent()
    radius = _MARKER_RADIUS * ax.figure.dpi / 72  # points to pixels
    centres = ax.transData.transform(points)
    taken = [a.get_window_extent() for a in keep_clear]
    for note in notes:
        # Every marker but the one being named (and any at the same spot).
        own = ax.transData.transform(note.xy)
        markers = [Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                   for x, y in centres if abs(x - own[0]) > 0.5 or abs(y - own[1]) > 0.5]
        for offset, ha, va in _LABEL_SPOTS:
            note.xyann = offset
            note.set_horizontalalignment(ha)
            note.set_verticalalignment(va)
            # Padded for the label's rounded background box.
            box = note.get_window_extent().padded(2)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in (*taken, *markers)):
                taken.append(box)
                break
        else:
            note.remove()


def render_static(
    results: Sequence[ArticleResult],
    path: str | Path,
    fmt: str = "png",
    *,
    styles: Styles | None = None,
    title: str | None = None,
    size: tuple[float, float] = (10.0, 7.0),
    dpi: int = 150,
    labels: int = 25,
    assets_dir: Path | None = None,
    demonyms: bool = False,
) -> Path:
    """Draw the mentioned places over the Natural Earth basemap and save it.

    The legend sits below the map, so it covers no marker; a place label
    that would hide another label or marker is left out (the most-mentioned
    places are labelled first).

    Parameters
    ----------
    results
        Articles with their resolved, event-typed mentions.
    path
        Output file.
    fmt
        ``"png"`` or ``"svg"``.
    styles
        Event type styles, as for :func:`geomap.render.build_map`.
    title
        Figure title.
    size, dpi
        Figure size in inches and raster resolution.
    labels
        At most how many place names to label (the most-mentioned first).
    assets_dir
        Directory of the offline assets (the basemap comes from there).
    demonyms
        Also place demonym mentions ("Libyan") on their country.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ConfigurationError
        For an unsupported ``fmt``.
    DependencyError
        When the offline basemap asset is missing.
    """
    if fmt not in ("png", "svg"):
        raise ConfigurationError(f"fmt must be 'png' or 'svg', not {fmt!r}")
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")  # no display, no browser
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    assets = load_assets(assets_dir)
    payload = build_payload(results, styles=styles, title=title, demonyms=demonyms)
    world = topojson_polygons(json.loads(assets.basemap_topojson))
    land = gpd.GeoDataFrame({"name": [n for n, _ in world]}, geometry=[g for _, g in world], crs="EPSG:4326")

    fig, ax = plt.subplots(figsize=size)
    try:
        ax.set_facecolor(SEA)
        places, types = payload["places"], payload["types"]
        xlim, ylim = _extent(payload["bounds"])
        # Clipping to the view keeps SVGs small (the world at 1:50m is ~2.7 MB).
        land = land.clip((xlim[0] - 1, ylim[0] - 1, xlim[1] + 1, ylim[1] + 1))
        land.plot(ax=ax, facecolor=LAND, edgecolor=BORDER, linewidth=0.4)
        by_type: dict[int, list[tuple[float, float]]] = {}
        for pi, _ai, ti, _ts, _ms in payload["markers"]:
            by_type.setdefault(ti, []).append((places[pi][2], places[pi][1]))
        for ti, pts in sorted(by_type.items(), reverse=True):
            xs, ys = zip(*pts, strict=True)
            ax.scatter(xs, ys, s=_MARKER_SIZE, c=types[ti]["colour"], edgecolors="white", linewidths=0.9,
                       zorder=3, alpha=0.9)
        counts = Counter(pi for pi, *_ in payload["markers"])
        notes = []
        for pi, _n in counts.most_common(labels):
            name, lat, lon = places[pi][:3]
            notes.append(ax.annotate(
                _mpl_text(name), (lon, lat), xytext=(4, 4), textcoords="offset points", fontsize=8, zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}))
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        if title:
            ax.set_title(_mpl_text(title))
        credit = ax.text(0.005, 0.005, "Basemap: Natural Earth", transform=ax.transAxes, fontsize=6, color="#555")
        # Sizes on screen are known only once the equal aspect has set the map's box.
        ax.apply_aspect()
        _declutter(ax, notes, [(p[2], p[1]) for p in places], keep_clear=[credit])
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=t["colour"],
                   markeredgecolor="white", label=_mpl_text(t["label"]))
            for t in types
        ]
        if handles:
            _legend_below(ax, handles)
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format=fmt, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out
