"""The HTML maps in headless Chromium with every network request blocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution
from geomap.render import render_fragment, save_map
from tests._render_corpus import hostile, realistic, single_place, worldwide

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page that aborts and records every non-file, non-data request."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.network: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.network.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path):
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.__geomap && window.__geomap.ready", timeout=20_000)
        return self.page

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def clean(self):
        assert self.network == [] and self.errors == [] and self.dialogs == []


def visible_markers(page) -> int:
    return page.evaluate("window.__geomap.cluster.getLayers().length")


def toggle(page, label: str):
    page.get_by_label(label, exact=False).first.click()
    page.wait_for_timeout(150)  # refresh() is scheduled with setTimeout(0)


@pytest.fixture
def real_map(tmp_path, browser):
    pg = Page(browser)
    page = pg.open(save_map(realistic(), tmp_path / "real.html", title="Libya"))
    yield pg, page
    page.close()


def test_leaflet_loads_offline_with_markers_and_layers(real_map):
    pg, page = real_map
    assert pg.js("typeof L") == "object" and pg.js("L.version") == "1.9.4"
    assert visible_markers(page) == 8
    labels = [" ".join(t.split()) for t in page.locator(".gm-toggles label").all_inner_texts()]
    assert labels == ["⚔ Armed clash", "✹ Air strike, shelling or explosion", "⚖ Diplomacy", "☑ Political",
                      "❢ Protest", "• Mention",
                      "Clashes erupt near Sirte 2024-03-05", "Libya talks resume 2024-03-10",
                      "Libya talks resume (2) 2024-04-01"]
    # The basemap canvas is drawn and the view fits the data (Rome to Cairo).
    assert page.locator(".leaflet-gmBase-pane canvas").count() == 1
    bounds = pg.js("(() => { const b = window.__geomap.map.getBounds(); return [b.getSouth(), b.getWest(), "
                   "b.getNorth(), b.getEast()]; })()")
    assert bounds[0] < 30.06 and bounds[1] < 12.51 and bounds[2] > 41.89 and bounds[3] > 31.25
    pg.clean()


def test_article_and_event_layers_filter_together(real_map):
    pg, page = real_map
    toggle(page, "Clashes erupt near Sirte")
    assert visible_markers(page) == 5
    toggle(page, "Diplomacy")  # Cairo (a2) and Rome (a3) have only diplomacy
    assert visible_markers(page) == 3
    toggle(page, "Clashes erupt near Sirte")
    # a1's Rome is diplomacy-only: still hidden although its article is back on.
    assert visible_markers(page) == 5
    toggle(page, "Diplomacy")
    assert visible_markers(page) == 8
    page.locator(".gm-articles button", has_text="none").click()
    page.wait_for_timeout(150)
    assert visible_markers(page) == 0
    page.locator(".gm-articles button", has_text="all").click()
    page.wait_for_timeout(150)
    assert visible_markers(page) == 8
    pg.clean()


def test_popup_lists_sentences_with_highlight_and_safe_link(real_map):
    pg, page = real_map
    k = pg.js("window.__geomap.data.markers.findIndex(r => r[0] === 0 && r[1] === 0)")
    pg.js(f"window.__geomap.openPopup({k})")
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator(".gm-place").inner_text() == "Sirte (LY)"
    assert popup.locator("mark").all_inner_texts() == ["Sirte", "Sirte"]
    assert popup.locator("a").get_attribute("href") == "https://news.example.org/libya/sirte-clashes"
    assert "Residents of Sirte said shelling continued overnight." in popup.inner_text()
    assert "Armed clash" in popup.inner_text() and "resolved 0.91" in popup.inner_text()
    # a2 has a javascript: url: its title is text, not a link.
    k = pg.js("window.__geomap.data.markers.findIndex(r => r[1] === 1)")
    pg.js(f"window.__geomap.openPopup({k})")
    content = "window.__geomap.map._popup.getElement().querySelector('.gm-article')"
    assert pg.js(f"{content}.querySelectorAll('a').length") == 0
    assert pg.js(f"{content}.textContent").startswith("Libya talks resume")
    pg.clean()


def test_search_and_time_filter(real_map):
    pg, page = real_map
    page.get_by_placeholder("Search places").fill("trip")
    hits = page.locator(".gm-search li").all_inner_texts()
    assert hits == ["Tripoli (LY) · 2 article(s)"]
    page.locator(".gm-search li").first.click()
    page.wait_for_selector(".leaflet-popup-content .gm-place")
    assert page.locator(".leaflet-popup-content .gm-place").inner_text() == "Tripoli (LY)"
    pg.js("window.__geomap.setDateRange(0, 0)")
    page.wait_for_timeout(150)
    assert visible_markers(page) == 3  # only a1 (2024-03-05): Sirte, Tripoli, Rome
    assert page.locator(".gm-time div").inner_text() == "2024-03-05 – 2024-03-05"
    pg.clean()


def test_screenshot_is_a_map(real_map, tmp_path):
    pg, page = real_map
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    colours = dict((c, n) for n, c in img.getcolors(maxcolors=1 << 20))
    total = img.width * img.height
    sea, land = (185, 211, 228), (244, 241, 234)
    # Mediterranean view: both sea and land fill a real share of the frame.
    assert colours.get(sea, 0) > total * 0.1 and colours.get(land, 0) > total * 0.1
    assert page.locator(".gm-pin").count() >= 3
    pg.clean()


def test_hostile_corpus_runs_no_script(tmp_path, browser):
    pg = Page(browser)
    page = pg.open(save_map(hostile(), tmp_path / "hostile.html", title="<img src=x onerror=alert(1)>${alert(2)}"))
    n = pg.js("window.__geomap.data.markers.length")
    for k in range(n):  # render every popup
        pg.js(f"window.__geomap.openPopup({k})")
        assert pg.js("document.querySelectorAll('.leaflet-popup-content img, .leaflet-popup-content svg, "
                     ".leaflet-popup-content script').length") == 0
    page.get_by_placeholder("Search places").fill("img")
    page.locator(".gm-search li").first.click()
    page.wait_for_timeout(300)
    assert pg.js("typeof window.__pwned") == "undefined"
    assert pg.js("document.querySelectorAll('img[src=x], svg[onload], body script:not([type])').length") <= 1
    # The hostile layer names are shown as text.
    labels = page.locator(".gm-articles label").all_text_contents()
    assert any("${window.__pwned='tpl'}" in t for t in labels)
    assert any("<script>window.__pwned='script'</script>" in t for t in labels)
    assert page.locator(".gm-title").inner_text() == "<img src=x onerror=alert(1)>${alert(2)}"
    pg.clean()
    page.close()


def test_fragment_renders_in_a_sandboxed_iframe(tmp_path, browser):
    pg = Page(browser)
    host = tmp_path / "report.html"
    host.write_text("<!DOCTYPE html><html><body><h1>Report</h1>" + render_fragment(hostile(), height=400)
                    + "</body></html>", encoding="utf-8")
    page = pg.page
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe.geomap-map")
    frame.locator(".leaflet-container").wait_for()
    inner = page.frames[1]
    inner.wait_for_function("window.__geomap && window.__geomap.ready")
    assert inner.evaluate("window.__geomap.cluster.getLayers().length") == 25
    assert pg.js("typeof window.__pwned") == "undefined"
    # No allow-same-origin: the map cannot reach the host page.
    reach = "(() => { try { return parent.document.title || 'reached'; } catch (e) { return 'blocked'; } })()"
    assert inner.evaluate(reach) == "blocked"
    pg.clean()
    page.close()


# The centres of the marker and cluster icons that lie under a control panel at the initial view.
_HIDDEN = """(() => {
  const boxes = [...document.querySelectorAll('.leaflet-control')]
    .filter(c => !c.classList.contains('leaflet-control-attribution'))
    .map(c => c.getBoundingClientRect());
  const hidden = [];
  for (const icon of document.querySelectorAll('.leaflet-marker-icon')) {
    const r = icon.getBoundingClientRect();
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    const under = boxes.some(b => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom);
    if (under) hidden.push(icon.textContent || icon.className);
  }
  return hidden;
})()"""


@pytest.mark.parametrize("size", [(1000, 700), (1200, 800), (1600, 900)])
@pytest.mark.parametrize("corpus", ["realistic", "worldwide", "seeds", "single"])
def test_the_first_view_keeps_markers_clear_of_the_panels(tmp_path, browser, size, corpus, request):
    # The layer, article and legend panels sit over the map's right side and the
    # search box over its top left: the first view fits the places into the rest.
    if corpus == "seeds":  # the seed articles as the pipeline maps them: Colorado to Arabia, five panels' rows
        results = list(request.getfixturevalue("seed_results").values())
    else:
        # "single": one place, so no bounds to fit; the view centres it in the free part.
        results = {"realistic": realistic, "worldwide": worldwide, "single": single_place}[corpus]()
    pg = Page(browser)
    pg.page.set_viewport_size({"width": size[0], "height": size[1]})
    page = pg.open(save_map(results, tmp_path / "map.html", title="Test"))
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-marker-icon").count() > 0
    assert pg.js(_HIDDEN) == []
    if corpus == "single":
        # Centred in the part of the map between the left and right panels, not under the wider side.
        offset = pg.js(_OFF_CENTRE)
        assert abs(offset) < 5, offset
    pg.clean()
    page.close()


# How far the one marker's centre lies from the middle of the strip the panels leave free (px).
_OFF_CENTRE = """(() => {
  const c = document.querySelector('.leaflet-container'), box = c.getBoundingClientRect();
  const widest = side => Math.max(0, ...[...c.querySelectorAll('.leaflet-' + side)].map(n => n.offsetWidth));
  let left = widest('left') + 20, right = widest('right') + 20;
  if (left + right - 40 > 0.6 * c.clientWidth) { left = 30; right = 30; }
  const icons = [...document.querySelectorAll('.leaflet-marker-icon')];
  if (icons.length !== 1) return 1e9;
  const r = icons[0].getBoundingClientRect();
  return (r.left + r.right) / 2 - (box.left + (left + c.clientWidth - right) / 2);
})()"""


def _search_state(page) -> dict:
    return page.evaluate("""(() => {
      const input = document.querySelector('.gm-search input'), list = document.querySelector('.gm-search ul');
      const options = [...list.querySelectorAll('li')];
      const active = options.filter(o => o.getAttribute('aria-selected') === 'true');
      return {
        value: input.value, expanded: input.getAttribute('aria-expanded'), focused: document.activeElement === input,
        descendant: input.getAttribute('aria-activedescendant'),
        options: options.map(o => o.textContent), roles: [input.getAttribute('role'), list.getAttribute('role'),
          ...new Set(options.map(o => o.getAttribute('role')))],
        active: active.map(o => o.id), activeText: active.map(o => o.textContent),
        // The highlight must be visible, not only announced: its background differs from the others'.
        backgrounds: options.map(o => getComputedStyle(o).backgroundColor),
        // The map's open popup: a closed one fades out but stays in the DOM for 200 ms.
        popup: (m => m._popup && m.hasLayer(m._popup) ? m._popup.getElement().querySelector('.gm-place').textContent
                                                      : null)(window.__geomap.map),
      };
    })()""")


def test_search_works_from_the_keyboard(real_map):
    pg, page = real_map
    box = page.get_by_role("combobox", name="Search places")
    box.fill("i")  # Benghazi, Cairo, Sirte, Tripoli (no name starts with "i": alphabetical)
    state = _search_state(page)
    assert state["roles"] == ["combobox", "listbox", "option"] and state["expanded"] == "true"
    assert [o.split(" (")[0] for o in state["options"]] == ["Benghazi", "Cairo", "Sirte", "Tripoli"]
    assert state["active"] == [] and state["descendant"] is None
    # Enter with nothing highlighted opens the first result and closes the list.
    box.press("Enter")
    state = _search_state(page)
    assert state["popup"] == "Benghazi (LY)" and state["expanded"] == "false" and state["options"] == []
    assert state["focused"] and state["value"] == "i"
    # ArrowDown reopens the list; the highlight moves down and up (and wraps), the focus stays in the box.
    box.press("ArrowDown")
    box.press("ArrowDown")
    state = _search_state(page)
    assert state["activeText"] == ["Cairo (EG) · 1 article(s)"] and state["descendant"] == state["active"][0]
    assert state["focused"] and len(set(state["backgrounds"])) == 2
    assert state["backgrounds"][1] != state["backgrounds"][0] == state["backgrounds"][2]
    box.press("ArrowUp")
    box.press("ArrowUp")
    state = _search_state(page)
    assert [t.split(" (")[0] for t in state["activeText"]] == ["Tripoli"]
    assert state["value"] == "i"  # the arrows did not move into or edit the text
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    state = _search_state(page)
    assert state["popup"] == "Cairo (EG)"
    center = pg.js("(() => { const c = window.__geomap.map.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(center[0] - 30.06) < 3 and abs(center[1] - 31.25) < 3 and pg.js("window.__geomap.map.getZoom()") >= 7
    # Escape clears the query and the list.
    box.fill("rom")
    assert len(_search_state(page)["options"]) == 1
    box.press("Escape")
    state = _search_state(page)
    assert state["value"] == "" and state["options"] == [] and state["expanded"] == "false"
    assert state["descendant"] is None
    # A query that matches nothing says so; Enter then does nothing.
    box.fill("zzz")
    assert page.locator(".gm-search [role=status]").inner_text() == "No matching place"
    box.press("Enter")
    assert _search_state(page)["popup"] == "Cairo (EG)"
    pg.clean()


# Where an open popup (with its tip) overlaps a control: [control, overlap px²] pairs, and whether it stays in the map.
_POPUP_OVERLAPS = """(() => {
  const c = document.querySelector('.leaflet-container').getBoundingClientRect();
  const e = window.__geomap.map._popup.getElement();
  const boxes = [e.querySelector('.leaflet-popup-content-wrapper'), e.querySelector('.leaflet-popup-tip-container')]
    .map(n => n.getBoundingClientRect());
  const p = {left: Math.min(...boxes.map(b => b.left)), top: Math.min(...boxes.map(b => b.top)),
             right: Math.max(...boxes.map(b => b.right)), bottom: Math.max(...boxes.map(b => b.bottom))};
  const out = [];
  for (const n of document.querySelectorAll('.leaflet-control')) {
    const r = n.getBoundingClientRect();
    const w = Math.min(p.right, r.right) - Math.max(p.left, r.left);
    const h = Math.min(p.bottom, r.bottom) - Math.max(p.top, r.top);
    const name = [...n.classList].find(k => (k.startsWith('gm-') && k !== 'gm-box')
                                            || k.startsWith('leaflet-control-'));
    if (w > 0 && h > 0) out.push([name, Math.round(w * h)]);
  }
  const inside = p.left >= c.left && p.top >= c.top && p.right <= c.right && p.bottom <= c.bottom;
  return {overlaps: out, inside: inside, bottom: p.bottom};
})()"""


@pytest.mark.parametrize("corner", ["bottomleft", "bottomright", "topleft", "topright"])
@pytest.mark.parametrize("corpus", ["realistic", "single"])
def test_popups_keep_clear_of_the_controls(tmp_path, browser, corpus, corner):
    # A marker right at the edge, under a panel: its popup must not open under
    # the scale bar, date filter, legend, search box or layer panels. The
    # single-place map has no dates: the scale bar is alone at the bottom left.
    results = {"realistic": realistic, "single": single_place}[corpus]()
    pg = Page(browser)
    page = pg.open(save_map(results, tmp_path / "map.html", title="Libya"))
    k = pg.js("window.__geomap.data.markers.findIndex(r => r[0] === 0 && r[1] === 0)")  # Sirte in the first article
    page.wait_for_timeout(400)  # let any first-view animation end, or it undoes the pan below
    size = pg.js("(() => { const s = window.__geomap.map.getSize(); return [s.x, s.y]; })()")
    x = 60 if corner.endswith("left") else size[0] - 60
    y = size[1] - 12 if corner.startswith("bottom") else 40
    pg.js(f"""(() => {{ const g = window.__geomap, m = g.map;
      m.panBy(m.latLngToContainerPoint(g.markers[{k}].getLatLng()).subtract([{x}, {y}]), {{animate: false}});
    }})()""")
    pg.js(f"window.__geomap.openPopup({k})")
    page.wait_for_timeout(400)  # longer than any pan animation
    assert page.locator(".leaflet-popup-content .gm-place").inner_text() == "Sirte (LY)"
    found = pg.js(_POPUP_OVERLAPS)
    assert (found["overlaps"], found["inside"]) == ([], True)
    if corner == "bottomleft":
        scale = page.locator(".leaflet-control-scale").bounding_box()
        assert found["bottom"] < scale["y"]
    # The marker itself stays in view, below the popup's tip.
    at = pg.js(f"(() => {{ const p = window.__geomap.map.latLngToContainerPoint("
               f"window.__geomap.markers[{k}].getLatLng()); return [p.x, p.y]; }})()")
    assert 0 < at[0] < size[0] and found["bottom"] <= at[1] < size[1]
    pg.clean()
    page.close()


def test_a_search_right_after_loading_moves_the_map(real_map):
    # The first view used to zoom in animated (about 250 ms after "ready"): a
    # search result chosen meanwhile opened its popup, but the view snapped back.
    pg, page = real_map
    page.get_by_placeholder("Search places").fill("cairo")
    page.locator(".gm-search li").first.click()
    page.wait_for_timeout(400)
    center = pg.js("(() => { const c = window.__geomap.map.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(center[0] - 30.06) < 3 and abs(center[1] - 31.25) < 3, center
    assert pg.js("window.__geomap.map.getZoom()") >= 7
    pg.clean()


def test_search_ranks_a_name_that_starts_with_the_query_first_among_hundreds(tmp_path, browser):
    # 250 places merely contain "ras" and come first; the one that starts
    # with it comes last, and must still be the first result.
    names = [f"Baras {i}" for i in range(250)] + ["Ras Lanuf"]
    text = ". ".join(f"Fighting in {n}" for n in names) + "."
    article = Article("many", "Many places", text, "many.txt")
    mentions, pos = [], 0
    for i, n in enumerate(names):
        start = text.index(n, pos)
        pos = start + len(n)
        place = Place(n, f"id{i}", 30.0 + i / 100, 15.0 + i / 100, "PPL", "LY", None, 1000)
        mentions.append(GeoMention(Mention(start, pos, n), Resolution(place, 0.9, "gazetteer"), Event("mention", 0.0)))
    pg = Page(browser)
    page = pg.open(save_map([ArticleResult(article, tuple(mentions))], tmp_path / "many.html"))
    page.get_by_placeholder("Search places").fill("ras")
    hits = page.locator(".gm-search li").all_inner_texts()
    assert len(hits) == 12 and hits[0] == "Ras Lanuf (LY) · 1 article(s)"
    pg.clean()
    page.close()
