"""The inline JavaScript and CSS that draw geomap's data in the browser.

The script reads the map data from a ``<script type="application/json">``
block and builds every marker, popup, layer toggle, legend, search result and
date filter itself. Article-derived strings only ever reach the page through
``textContent``, DOM properties (``a.href`` after an http(s) check, ``title``)
or the ``esc()`` HTML escaper (the one place Leaflet insists on HTML: the
marker icon glyph). Nothing here is a template: the Python side substitutes
only generated element ids, so article text can never become code.
"""

from __future__ import annotations

import json
import re

CLIENT_CSS = """
.gm-sea{background:#b9d3e4}
.gm-pin{display:inline-block;width:22px;height:22px;line-height:22px;border-radius:50%;
 text-align:center;color:#fff;font-size:13px;font-weight:bold;border:2px solid #fff;
 box-shadow:0 0 3px rgba(0,0,0,.55);box-sizing:border-box;font-family:"DejaVu Sans",sans-serif}
.gm-sw{width:16px;height:16px;line-height:13px;font-size:10px;border-width:1px;vertical-align:middle}
.gm-icon{background:none;border:none}
.gm-box{background:#fff;padding:6px 8px;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 font:12px/1.4 "Helvetica Neue",Arial,sans-serif;max-width:260px}
.gm-box h4{margin:0 0 4px;font-size:12px}
.gm-title{font-size:15px;font-weight:bold;max-width:50vw}
.gm-legend div{white-space:nowrap;margin:2px 0}
.gm-search input{width:200px;padding:3px}
.gm-search ul{list-style:none;margin:4px 0 0;padding:0;max-height:220px;overflow:auto}
.gm-search li{cursor:pointer;padding:2px 3px}
.gm-search li:hover{background:#e8eef7}
.gm-search li[aria-selected=true]{background:#2a5d9f;color:#fff}
.gm-search .gm-status:empty{display:none}
.gm-search .gm-status{color:#666;padding:2px 3px}
.gm-time input{width:200px;display:block}
.gm-popup .gm-place{font-weight:bold;font-size:14px}
.gm-popup .gm-article{margin:2px 0 6px}
.gm-popup .gm-date{color:#666}
.gm-popup ul{margin:0;padding-left:0;list-style:none}
.gm-popup li{margin:0 0 6px}
.gm-popup blockquote{margin:2px 0 0 6px;padding-left:6px;border-left:3px solid #ccc}
.gm-popup mark{background:#ffe066;padding:0 1px}
.gm-meta{color:#444;font-size:11px}
.gm-toggles summary{font-weight:bold;cursor:pointer}
.gm-toggles label{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.gm-list{max-height:35vh;overflow-y:auto}
.gm-allnone button{font-size:11px;margin:2px 4px 2px 0;padding:0 4px}
"""

_CLIENT_JS = r"""
(function () {
  "use strict";
  var map = __MAP__;
  var D = JSON.parse(document.getElementById(__DATA_ID__).textContent);
  var BASEMAP_ID = __BASEMAP_ID__;
  var types = D.types, arts = D.articles, places = D.places, rows = D.markers;
  var api = {map: map, data: D, ready: false, timings: {start: performance.now()}};
  function mark(name) { api.timings[name] = performance.now(); }
  window.__geomap = api;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // Only for the marker icon, which Leaflet builds from an HTML string.
  function esc(s) {
    return String(s).replace(/[&<>"'`$\\]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function safeColour(c) { return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(c) ? c : "#555555"; }
  function control(position, build) {
    var C = L.Control.extend({options: {position: position}, onAdd: function () {
      var box = el("div", "gm-box leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      build(box);
      return box;
    }});
    return new C().addTo(map);
  }

  // The Leaflet attribution prefix is an online link; keep the credit as text.
  map.attributionControl.setPrefix("Leaflet");
  var style = el("style");
  style.textContent = types.map(function (t, i) {
    return ".gm-t" + i + "{background:" + safeColour(t.colour) + "}";
  }).join("\n");
  document.head.appendChild(style);

  if (BASEMAP_ID) {
    map.getContainer().classList.add("gm-sea");
    var topo = JSON.parse(document.getElementById(BASEMAP_ID).textContent);
    map.createPane("gmBase").style.zIndex = 250;
    var world = topojson.feature(topo, topo.objects.countries);
    // Fiji and Chukotka rings jump from +180 to -180: unwrap them, or the
    // polygon edge draws a line across the whole world.
    world.features.forEach(function (f) {
      var g = f.geometry, polys = !g ? [] : g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      polys.forEach(function (poly) { poly.forEach(function (ring) {
        for (var i = 1; i < ring.length; i++) {
          var d = ring[i][0] - ring[i - 1][0];
          if (d > 180) ring[i][0] -= 360; else if (d < -180) ring[i][0] += 360;
        }
      }); });
    });
    L.geoJSON(world, {
      pane: "gmBase", interactive: false, renderer: L.canvas({pane: "gmBase"}),
      style: {color: "#8d8579", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1}
    }).addTo(map);
    map.attributionControl.addAttribution("Basemap: Natural Earth");
  }

  if (D.title) {
    control("topleft", function (box) { box.classList.add("gm-title"); box.textContent = D.title; });
  }

  mark("basemap");
  // --- markers -----------------------------------------------------------
  var icons = types.map(function (t, i) {
    return L.divIcon({className: "gm-icon", iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10],
                      html: '<span class="gm-pin gm-t' + i + '">' + esc(t.glyph) + "</span>"});
  });
  var markers = rows.map(function (row, k) {
    var p = places[row[0]];
    // "title" is assigned as a DOM property by Leaflet: a safe native tooltip.
    var m = L.marker([p[1], p[2]], {icon: icons[row[2]], title: p[0], alt: p[0], keyboard: false});
    m._gm = k; m._gmIcon = row[2];
    return m;
  });
  var cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
    chunkProgress: function (done, total) { if (done >= total) { api.ready = true; mark("ready"); } }});
  cluster.addTo(map);
  api.cluster = cluster; api.markers = markers;

  mark("markers");
  var artOn = arts.map(function () { return true; });
  var typeOn = types.map(function () { return true; });
  var dateLo = null, dateHi = null;
  var shown = rows.map(function () { return false; });
  function firstType(row) {
    for (var i = 0; i < row[3].length; i++) { if (typeOn[row[3][i]]) return row[3][i]; }
    return -1;
  }
  function visible(row) {
    if (!artOn[row[1]]) return false;
    var d = arts[row[1]].date;
    if (d && ((dateLo && d < dateLo) || (dateHi && d > dateHi))) return false;
    return firstType(row) >= 0;
  }
  function refresh() {
    var add = [], rem = [];
    for (var k = 0; k < rows.length; k++) {
      var v = visible(rows[k]), m = markers[k];
      if (v) {
        var t = firstType(rows[k]);
        if (t !== m._gmIcon) { m._gmIcon = t; m.setIcon(icons[t]); }
      }
      if (v !== shown[k]) { (v ? add : rem).push(m); shown[k] = v; }
    }
    if (rem.length) cluster.removeLayers(rem);
    if (add.length) cluster.addLayers(add);
    api.visibleCount = shown.filter(Boolean).length;
  }
  var pending = null;
  function schedule() { if (pending === null) pending = setTimeout(function () { pending = null; refresh(); }, 0); }
  api.refresh = refresh;

  // --- popups (built on demand, text only) -----------------------------
  function popupFor(k) {
    var row = rows[k], p = places[row[0]], a = arts[row[1]];
    var root = el("div", "gm-popup");
    root.appendChild(el("div", "gm-place", p[0] + (p[4] ? " (" + p[4] + ")" : "")));
    var head = el("div", "gm-article");
    if (a.url && /^https?:\/\//i.test(a.url)) {
      var link = el("a", null, a.title);
      link.href = a.url; link.target = "_blank"; link.rel = "noopener noreferrer nofollow";
      head.appendChild(link);
    } else {
      head.appendChild(el("span", null, a.title));
    }
    if (a.date) head.appendChild(el("span", "gm-date", " \u00b7 " + a.date));
    root.appendChild(head);
    var ul = el("ul");
    row[4].forEach(function (mi) {
      var m = D.mentions[mi];
      if (!typeOn[m[0]]) return;
      var s = D.sentences[m[4]], li = el("li"), meta = el("div", "gm-meta");
      meta.appendChild(el("span", "gm-pin gm-sw gm-t" + m[0], types[m[0]].glyph));
      meta.appendChild(document.createTextNode(" " + types[m[0]].label + " (" + m[1].toFixed(2) + ") \u00b7 \u201c" +
        m[3] + "\u201d \u00b7 resolved " + m[2].toFixed(2) + " by " + m[7]));
      var q = el("blockquote");
      q.appendChild(document.createTextNode(s.slice(0, m[5])));
      q.appendChild(el("mark", null, s.slice(m[5], m[6])));
      q.appendChild(document.createTextNode(s.slice(m[6])));
      li.appendChild(meta); li.appendChild(q); ul.appendChild(li);
    });
    root.appendChild(ul);
    return root;
  }
  // Leaflet's autoPan only keeps a popup inside the map, and the panels sit
  // on top of the map: near an edge a popup opened under the scale bar, the
  // date filter or the legend. Instead pan the popup and its marker inside
  // the map and clear of every control, by the smallest shift; on a map too
  // small for that, by the shift that leaves the least of it covered. The
  // best shift lines an edge of the popup up with an edge of a control or of
  // the map (or does not move on that axis), so only those are tried.
  function keepClear(popup) {
    var c = map.getContainer(), box = c.getBoundingClientRect(), W = c.clientWidth, H = c.clientHeight, gap = 6;
    function rel(r) { return {l: r.left - box.left, t: r.top - box.top, r: r.right - box.left, b: r.bottom - box.top}; }
    var p = rel(popup.getElement().getBoundingClientRect()), at = map.latLngToContainerPoint(popup.getLatLng());
    // The popup's box leaves out its tip: reach down to the marker (22 px icon) so it stays in view too.
    p = {l: Math.min(p.l, at.x - 11), t: p.t, r: Math.max(p.r, at.x + 11), b: Math.max(p.b, at.y + 11)};
    var blocks = [];
    c.querySelectorAll(".leaflet-control").forEach(function (n) {
      var r = n.getBoundingClientRect();
      if (r.width && r.height) blocks.push(rel(r));
    });
    var xs = [0, gap - p.l, W - gap - p.r], ys = [0, gap - p.t, H - gap - p.b];
    blocks.forEach(function (o) {
      xs.push(o.r + gap - p.l, o.l - gap - p.r);
      ys.push(o.b + gap - p.t, o.t - gap - p.b);
    });
    var best = null;
    xs.forEach(function (dx) { ys.forEach(function (dy) {
      var l = p.l + dx, t = p.t + dy, r = p.r + dx, b = p.b + dy, covered = 0;
      if (l < gap - 0.5 || t < gap - 0.5 || r > W - gap + 0.5 || b > H - gap + 0.5) return;
      blocks.forEach(function (o) {
        covered += Math.max(0, Math.min(r, o.r) - Math.max(l, o.l)) * Math.max(0, Math.min(b, o.b) - Math.max(t, o.t));
      });
      var cost = [covered, dx * dx + dy * dy];
      if (!best || cost[0] < best[2][0] || (cost[0] === best[2][0] && cost[1] < best[2][1])) best = [dx, dy, cost];
    }); });
    if (!best) {
      // Larger than the map: show its top left, where the place name and close button are.
      best = [gap - p.l, gap - p.t];
    }
    if (best[0] || best[1]) map.panBy([-best[0], -best[1]], {animate: false});
  }
  function openPopup(m) {
    var popup = L.popup({maxWidth: 380, maxHeight: 320, offset: [0, -8], autoPan: false})
      .setLatLng(m.getLatLng()).setContent(popupFor(m._gm)).openOn(map);
    keepClear(popup);
  }
  cluster.on("click", function (e) { openPopup(e.layer); });
  api.openPopup = function (k) { openPopup(markers[k]); };

  // --- layers: a marker shows when its article AND one of its types are on
  // Own checkbox lists rather than L.control.layers: Leaflet's control sets
  // labels with innerHTML and is cubic in the number of layers (about 15 s
  // for 2,000 articles), and a map can hold 10,000 articles.
  function toggles(title, items, states, open, cls) {
    return control("topright", function (box) {
      box.classList.add("gm-toggles", cls);
      var details = el("details"), summary = el("summary", null, title);
      details.open = open;
      details.appendChild(summary);
      var bar = el("div", "gm-allnone"), list = el("div", "gm-list");
      [["all", true], ["none", false]].forEach(function (b) {
        var btn = el("button", null, b[0]); btn.type = "button";
        btn.addEventListener("click", function () {
          states.forEach(function (_, i) { states[i] = b[1]; });
          list.querySelectorAll("input").forEach(function (input) { input.checked = b[1]; });
          map.closePopup(); schedule();
        });
        bar.appendChild(btn);
      });
      if (items.length > 1) details.appendChild(bar);
      items.forEach(function (item, i) {
        var label = el("label"), input = el("input");
        input.type = "checkbox"; input.checked = states[i];
        input.addEventListener("change", function () { states[i] = input.checked; map.closePopup(); schedule(); });
        label.appendChild(input);
        if (item.glyph !== undefined) label.appendChild(el("span", "gm-pin gm-sw gm-t" + i, item.glyph));
        label.appendChild(el("span", null, " " + item.name));
        if (item.date) label.appendChild(el("small", "gm-date", " " + item.date));
        list.appendChild(label);
      });
      details.appendChild(list);
      box.appendChild(details);
    });
  }
  toggles("Event types", types, typeOn, true, "gm-types");
  toggles("Articles (" + arts.length + ")", arts, artOn, arts.length <= 12, "gm-articles");
  mark("layers");
  // --- legend ---------------------------------------------------------------
  var perType = types.map(function () { return 0; });
  D.mentions.forEach(function (m) { perType[m[0]] += 1; });
  if (types.length) {
    control("bottomright", function (box) {
      box.classList.add("gm-legend");
      box.appendChild(el("h4", null, "Legend (mentions)"));
      types.forEach(function (t, i) {
        var row = el("div");
        row.appendChild(el("span", "gm-pin gm-sw gm-t" + i, t.glyph));
        row.appendChild(document.createTextNode(" " + t.label + " (" + perType[i] + ")"));
        box.appendChild(row);
      });
    });
  }

  // --- place search -----------------------------------------------------
  // An ARIA combobox: focus stays in the input while ArrowDown/ArrowUp move
  // the highlighted result (aria-activedescendant), Enter opens the
  // highlighted result (else the first) and Escape clears the search.
  var byPlace = {};
  rows.forEach(function (row, k) { (byPlace[row[0]] = byPlace[row[0]] || []).push(k); });
  control("topleft", function (box) {
    box.classList.add("gm-search");
    var listId = "gm-search-" + L.stamp(map);
    var input = el("input"); input.type = "search"; input.placeholder = "Search places";
    input.autocomplete = "off";
    input.setAttribute("aria-label", "Search places");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    var ul = el("ul"); ul.id = listId;
    ul.setAttribute("role", "listbox"); ul.setAttribute("aria-label", "Matching places");
    var status = el("div", "gm-status"); status.setAttribute("role", "status");
    box.appendChild(input); box.appendChild(ul); box.appendChild(status);
    var hits = [], active = -1;
    function highlight(n) {
      var items = ul.children;
      if (items[active]) items[active].setAttribute("aria-selected", "false");
      active = n;
      if (items[n]) {
        items[n].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[n].id);
        items[n].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(list) {
      highlight(-1);
      ul.textContent = "";
      hits = list;
      hits.forEach(function (pi, n) {
        var p = places[pi], ks = byPlace[pi] || [];
        var li = el("li", null, p[0] + (p[4] ? " (" + p[4] + ")" : "") + " \u00b7 " + ks.length + " article(s)");
        li.id = listId + "-" + n;
        li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        // Keep focus (and so the keyboard) in the input when a result is clicked.
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(n); });
        ul.appendChild(li);
      });
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    }
    function search() {
      var q = input.value.trim().toLowerCase(), found = [];
      // Scan every place: a cap on the matches could leave out a name that
      // starts with the query behind many that merely contain it.
      for (var i = 0; q && i < places.length; i++) {
        var pos = places[i][0].toLowerCase().indexOf(q);
        if (pos >= 0) found.push([pos === 0 ? 0 : 1, places[i][0], i]);
      }
      found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
      show(found.slice(0, 12).map(function (h) { return h[2]; }));
      status.textContent = q && !found.length ? "No matching place" : "";
    }
    function choose(n) {
      var pi = hits[n];
      if (pi === undefined) return;
      var p = places[pi], k = (byPlace[pi] || []).filter(function (j) { return shown[j]; })[0];
      // Close the list first: the popup keeps clear of the controls, and
      // an open list would push it aside.
      show([]);
      // The popup is a map layer of its own: no need to uncluster the
      // marker first (zoomToShowLayer never calls back for co-located
      // markers, which are common: one per article).
      map.setView([p[1], p[2]], Math.max(map.getZoom(), 7), {animate: false});
      if (k !== undefined) openPopup(markers[k]);
    }
    input.addEventListener("input", search);
    input.addEventListener("keydown", function (e) {
      if (e.isComposing) return;  // Enter confirms an IME composition, not a result
      var n = ul.children.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!n) { search(); n = ul.children.length; }  // reopen the list closed by a choice
        if (n) {
          var step = e.key === "ArrowDown" ? 1 : -1;
          highlight(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
        }
      } else if (e.key === "Enter") {
        if (!n) search();
        choose(active >= 0 ? active : 0);
      } else if (e.key === "Escape" && (input.value || n)) {
        input.value = "";
        search();
      } else {
        return;
      }
      // Arrows would move the caret, Enter submit, Escape reach the map.
      e.preventDefault();
      e.stopPropagation();
    });
  });

  // --- time filter (only when articles carry dates) -----------------------
  var dates = D.dates;
  if (dates.length > 1) {
    control("bottomleft", function (box) {
      box.classList.add("gm-time");
      box.appendChild(el("h4", null, "Published"));
      var label = el("div");
      var lo = el("input"), hi = el("input");
      [lo, hi].forEach(function (r, i) {
        r.type = "range"; r.min = "0"; r.max = String(dates.length - 1); r.step = "1";
        r.value = i ? String(dates.length - 1) : "0";
        r.setAttribute("aria-label", i ? "Latest date" : "Earliest date");
        r.addEventListener("input", update);
        box.appendChild(r);
      });
      box.appendChild(label);
      box.appendChild(el("small", null, "Undated articles are always shown."));
      function update() {
        var a = Number(lo.value), b = Number(hi.value);
        if (a > b) { var t = a; a = b; b = t; }
        dateLo = dates[a]; dateHi = dates[b];
        label.textContent = dateLo + " \u2013 " + dateHi;
        map.closePopup();
        schedule();
      }
      api.setDateRange = function (a, b) { lo.value = String(a); hi.value = String(b); update(); };
      label.textContent = dates[0] + " \u2013 " + dates[dates.length - 1];
    });
  }

  mark("controls");
  // --- initial view -------------------------------------------------------
  // Fit the places into the part of the map the panels leave free: the layer,
  // article and legend panels stack on the right, zoom and search on the left.
  // On a map too narrow for that, the panels (collapsible) may cover some.
  function panelPadding() {
    var c = map.getContainer(), w = c.clientWidth;
    function widest(side) {
      var m = 0;
      c.querySelectorAll(".leaflet-" + side).forEach(function (n) { m = Math.max(m, n.offsetWidth); });
      return m;
    }
    var left = widest("left"), right = widest("right");
    if (left + right > 0.6 * w) return [[30, 30], [30, 30]];
    return [[left + 20, 30], [right + 20, 30]];
  }
  if (D.bounds) {
    var b = L.latLngBounds(D.bounds), pad = panelPadding();
    if (b.getNorthEast().equals(b.getSouthWest())) {
      // One place: centre it in the free strip. The shifted centre is
      // computed, not panned to: a panBy right after the first setView is lost.
      var shift = L.point((pad[1][0] - pad[0][0]) / 2, 0);
      map.setView(map.unproject(map.project(b.getCenter(), 6).add(shift), 6), 6, {animate: false});
    } else {
      // Not animated: a view set while the zoom animation runs (a search
      // right after the page loads) would be dropped when it ends.
      map.fitBounds(b, {paddingTopLeft: pad[0], paddingBottomRight: pad[1], maxZoom: 8, animate: false});
    }
  } else {
    map.setView([20, 0], 2);
  }
  mark("view");
  refresh();
  mark("refresh");
  if (!rows.length) api.ready = true;
})();
"""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def client_js(map_name: str, data_id: str, basemap_id: str | None) -> str:
    """Return the inline script for one map.

    Parameters
    ----------
    map_name
        The JavaScript variable holding the ``L.map`` (folium's
        ``Map.get_name()``).
    data_id, basemap_id
        Element ids of the JSON data block and of the TopoJSON basemap block
        (None when online tiles replace the basemap).
    """
    for name in (map_name, data_id, basemap_id or "x"):
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a generated identifier: {name!r}")
    return (
        _CLIENT_JS.replace("__MAP__", map_name)
        .replace("__DATA_ID__", json.dumps(data_id))
        .replace("__BASEMAP_ID__", json.dumps(basemap_id))
    )
