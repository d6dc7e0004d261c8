"""Turn article results into the plain data a map is drawn from.

Everything article-derived leaves this module as JSON data, never as HTML or
JavaScript source: the browser side builds the DOM with ``textContent``, so
no escaping rule for HTML, JS template literals or Jinja has to be right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from geomap.errors import ConfigurationError, GeomapError
from geomap.model import Article, ArticleResult, GeoMention

# Built-in palette: used until the event taxonomy is wired in, and for any
# type the supplied styles do not know. Order = drawing priority (a marker
# with several event types takes the colour of the first one listed here).
DEFAULT_STYLES: dict[str, tuple[str, str, str]] = {
    "armed_clash": ("Armed clash", "#d62728", "\u2694"),
    "airstrike": ("Airstrike", "#8c1c13", "\u2708"),
    "violence_against_civilians": ("Violence against civilians", "#e377c2", "\u2620"),
    "territorial_control": ("Territorial control", "#ff7f0e", "\u2691"),
    "military_activity": ("Military activity", "#8c564b", "\u2605"),
    "military_cooperation": ("Military cooperation", "#bcbd22", "\u21c4"),
    "diplomacy": ("Diplomacy", "#1f77b4", "\u2709"),
    "political": ("Political", "#9467bd", "\u2696"),
    "arrest_detention": ("Arrest / detention", "#7f7f7f", "\u2298"),
    "humanitarian": ("Humanitarian", "#2ca02c", "\u271a"),
    "protest": ("Protest", "#17becf", "!"),
    "mention": ("Mention", "#4a6fa5", "\u2022"),
}
UNKNOWN_COLOUR = "#555555"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A popup shows the sentence, not the article: cap very long "sentences"
# (tables, run-on text without punctuation) so one article cannot bloat the map.
MAX_SENTENCE = 400

StyleValue = tuple[str, str] | tuple[str, str, str] | Any
Styles = Mapping[str, StyleValue]


@dataclass(frozen=True)
class TypeStyle:
    """How one event type is drawn: layer label, marker colour and glyph."""

    id: str
    label: str
    colour: str
    glyph: str


def sentence_span(text: str, start: int, end: int, *, limit: int = MAX_SENTENCE) -> tuple[int, int]:
    """Return the ``(start, end)`` offsets of the sentence around a span.

    A sentence ends at ``.``, ``!`` or ``?`` followed by whitespace, or at a
    line break. Sentences longer than ``limit`` are cut to a window centred
    on the span (the span itself is always included).

    Parameters
    ----------
    text
        The article text (or title).
    start, end
        The mention's offsets into ``text``.
    limit
        Maximum sentence length in characters.

    Returns
    -------
    tuple of int
        Offsets with ``s <= start <= end <= e``, stripped of surrounding
        whitespace.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    s = start
    while s > 0:
        prev = text[s - 1]
        if prev == "\n" or (prev.isspace() and s >= 2 and text[s - 2] in ".!?"):
            break
        s -= 1
    e = end
    while e < len(text):
        ch = text[e]
        if ch == "\n":
            break
        if ch in ".!?" and (e + 1 == len(text) or text[e + 1].isspace()):
            e += 1
            break
        e += 1
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    if e - s > limit:
        room = max(0, limit - (end - start))
        s = max(s, start - room // 2)
        e = min(e, max(end, s + limit))
    return s, e


@lru_cache(maxsize=1)
def _taxonomy_styles() -> dict[str, tuple[str, str, str]]:
    # The shipped event taxonomy is the source of labels, colours and icons;
    # the built-in palette only covers a missing or broken taxonomy file.
    try:
        from geomap.events import load_taxonomy

        taxonomy = load_taxonomy()
    except (ImportError, GeomapError, OSError):
        return dict(DEFAULT_STYLES)
    styles = {t.id: (t.label, t.colour, t.icon if len(t.icon) <= 2 else DEFAULT_STYLES.get(t.id, ("", "", ""))[2])
              for t in taxonomy.types}
    return styles | {k: v for k, v in DEFAULT_STYLES.items() if k not in styles}


def resolve_styles(styles: Styles | None, type_ids: Sequence[str]) -> list[TypeStyle]:
    """Return one :class:`TypeStyle` per type id, in drawing-priority order.

    Parameters
    ----------
    styles
        Event type id to ``(label, colour)`` or ``(label, colour, glyph)``,
        or to an object with ``label`` and ``colour`` attributes, or a
        ``Taxonomy``. Missing types fall back to the shipped taxonomy
        (``geomap.events.load_taxonomy()``), then to :data:`DEFAULT_STYLES`.
    type_ids
        The event types present in the data.

    Raises
    ------
    ConfigurationError
        When a colour is not a ``#rgb`` / ``#rrggbb`` hex string.
    """
    if styles is not None and hasattr(styles, "types"):  # a Taxonomy object
        styles = {t.id: (t.label, t.colour, t.icon) for t in styles.types}
    styles = styles or {}
    base = _taxonomy_styles()
    order = list(styles) + [t for t in base if t not in styles]
    rank = {t: i for i, t in enumerate(order)}
    out = []
    for tid in sorted(set(type_ids), key=lambda t: (rank.get(t, len(rank)), t)):
        default = base.get(tid, (tid.replace("_", " ").capitalize(), UNKNOWN_COLOUR, ""))
        value = styles.get(tid)
        if value is None:
            label, colour, glyph = default
        elif isinstance(value, tuple):
            label, colour = str(value[0]), str(value[1])
            glyph = str(value[2]) if len(value) > 2 else default[2]
        else:
            label, colour = str(value.label), str(value.colour)
            glyph = default[2]
        if not _HEX.fullmatch(colour):
            raise ConfigurationError(f"event type {tid!r}: colour {colour!r} is not a #rgb or #rrggbb hex colour")
        # Taxonomy icons may be icon-font names ("fighter-jet"): those need a
        # font we do not ship, so only short glyphs are used as is.
        if len(glyph) > 2:
            glyph = default[2]
        out.append(TypeStyle(tid, label, colour, glyph or (label[:1].upper() or "?")))
    return out


def safe_url(url: str | None) -> str | None:
    """Return ``url`` when it is an absolute http(s) URL, else None.

    Anything else (``javascript:``, ``data:``, relative, control characters)
    is never turned into a link.
    """
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 0x21 or c in "<>\"'`\\" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _date(article: Article) -> str | None:
    if article.published and _DATE.match(article.published.strip()):
        return article.published.strip()[:10]
    return None


def display_name(article: Article, words: int = 8) -> str:
    """Return a readable label: the title, else the text's first words (an id means nothing to a reader)."""
    if article.title and article.title.strip():
        return article.title.strip()
    first = " ".join(article.text.split()[:words])
    return f"{first}…" if first else article.id


def unique_names(names: Sequence[str], taken: set[str] | None = None) -> list[str]:
    """Disambiguate display names so no two are equal.

    Leaflet's and folium's layer controls key entries by name, so two
    articles with the same headline would collapse into one toggle.

    Parameters
    ----------
    names
        Candidate names, in order.
    taken
        Names already used elsewhere (e.g. event type labels); updated.
    """
    taken = set() if taken is None else taken
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name} ({n})", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _utf16_len(text: str) -> int:
    # JavaScript strings index UTF-16 code units; Python indexes code points.
    # Without this, an emoji before a mention shifts the <mark> highlight.
    return len(text.encode("utf-16-le")) // 2


def _place_key(gm: GeoMention) -> tuple[Any, ...]:
    place = gm.resolution.place
    assert place is not None
    return (place.id, place.name, round(place.lat, 6), round(place.lon, 6))


def build_payload(
    results: Sequence[ArticleResult], *, styles: Styles | None = None, title: str | None = None,
    demonyms: bool = False,
) -> dict[str, Any]:
    """Build the JSON-serialisable map data.

    One marker per (place, article) lists every mention of that place in the
    article. Mentions without a place and boilerplate mentions are skipped.

    Parameters
    ----------
    results
        The articles and their resolved, event-typed mentions.
    styles
        See :func:`resolve_styles`.
    title
        Optional map title (shown as text).
    demonyms
        Also place demonym mentions ("Libyan") on their country; off by
        default, since an adjective says who, not where.

    Returns
    -------
    dict
        Keys ``title``, ``types``, ``articles``, ``places``, ``sentences``,
        ``mentions``, ``markers``, ``dates`` and ``bounds``; see the module
        ``render_client`` for how each is used.
    """
    kept: list[tuple[int, GeoMention]] = []
    for ai, result in enumerate(results):
        for gm in result.mentions:
            if gm.resolution.place is None or gm.mention.boilerplate:
                continue
            if gm.mention.recognizer == "demonym" and not demonyms:
                continue
            kept.append((ai, gm))

    type_styles = resolve_styles(styles, [gm.event.type for _, gm in kept])
    type_index = {t.id: i for i, t in enumerate(type_styles)}
    taken: set[str] = set()
    type_names = unique_names([t.label for t in type_styles], taken)

    used_articles = sorted({ai for ai, _ in kept})
    article_pos = {ai: i for i, ai in enumerate(used_articles)}
    article_names = unique_names([display_name(results[ai].article) for ai in used_articles], taken)
    articles = []
    for name, ai in zip(article_names, used_articles, strict=True):
        art = results[ai].article
        articles.append({
            "id": art.id, "name": name, "title": art.title or display_name(art),
            "url": safe_url(art.url), "date": _date(art),
        })

    places: list[list[Any]] = []
    place_index: dict[tuple[Any, ...], int] = {}
    sentences: list[str] = []
    sentence_index: dict[str, int] = {}
    mentions: list[list[Any]] = []
    markers: dict[tuple[int, int], list[int]] = {}
    for ai, gm in kept:
        place = gm.resolution.place
        assert place is not None
        key = _place_key(gm)
        pi = place_index.get(key)
        if pi is None:
            pi = place_index[key] = len(places)
            places.append([place.name, round(place.lat, 5), round(place.lon, 5), place.feature,
                           place.country_code])
        art = results[ai].article
        m = gm.mention
        source = (art.title or "") if m.field == "title" else art.text
        s, e = sentence_span(source, m.start, m.end)
        sentence = source[s:e]
        si = sentence_index.get(sentence)
        if si is None:
            si = sentence_index[sentence] = len(sentences)
            sentences.append(sentence)
        hl_start = _utf16_len(sentence[: max(0, m.start - s)])
        hl_end = max(hl_start, _utf16_len(sentence[: max(0, m.end - s)]))
        markers.setdefault((pi, article_pos[ai]), []).append(len(mentions))
        mentions.append([type_index[gm.event.type], round(gm.event.score, 3), round(gm.resolution.score, 3),
                         m.text, si, hl_start, hl_end, gm.resolution.method])

    marker_rows = []
    for (pi, ap), mis in markers.items():
        tset = sorted({mentions[i][0] for i in mis})
        marker_rows.append([pi, ap, tset[0], tset, mis])

    bounds = None
    if places:
        lats = [p[1] for p in places]
        lons = [p[2] for p in places]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    return {
        "v": 1,
        "title": title,
        "types": [
            {"id": t.id, "name": n, "label": t.label, "colour": t.colour, "glyph": t.glyph}
            for t, n in zip(type_styles, type_names, strict=True)
        ],
        "articles": articles,
        "places": places,
        "sentences": sentences,
        "mentions": mentions,
        "markers": marker_rows,
        "dates": sorted({a["date"] for a in articles if a["date"]}),
        "bounds": bounds,
    }


def payload_json(payload: Mapping[str, Any]) -> str:
    """Serialise ``payload`` for a ``<script type="application/json">`` block.

    ``<``, ``>`` and ``&`` become ``\\u003c``-style escapes, so no article
    text can close the script element or open a comment; JSON.parse turns
    them back into the original characters.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
