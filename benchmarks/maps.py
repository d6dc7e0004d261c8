"""Map rendering at scale: 10,000 articles / 100,000 mentions (synthetic).

Measures the time to write the self-contained HTML, its size, and first
paint / ready time in headless Chromium with the network blocked.

    .venv/bin/python benchmarks/maps.py [--articles 10000] [--mentions-per-article 10]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution

TYPES = ["armed_clash", "airstrike", "violence_against_civilians", "territorial_control", "military_activity",
         "military_cooperation", "diplomacy", "political", "arrest_detention", "humanitarian", "protest", "mention"]
WORDS = "forces clashes near the city officials said on Tuesday talks convoy residents reported".split()


def synthetic(n_articles: int, per_article: int, n_places: int = 3000, seed: int = 42) -> list[ArticleResult]:
    rnd = random.Random(seed)
    places = [Place(f"Place{i}", str(i), rnd.uniform(-35, 60), rnd.uniform(-20, 60), "PPL", "LY")
              for i in range(n_places)]
    results = []
    for a in range(n_articles):
        chosen = [rnd.choice(places) for _ in range(per_article)]
        parts, mentions = [], []
        pos = 0
        for p in chosen:
            pre = " ".join(rnd.choices(WORDS, k=8)) + " "
            start = pos + len(pre)
            sentence = pre + p.name + " " + " ".join(rnd.choices(WORDS, k=6)) + ". "
            parts.append(sentence)
            mentions.append(GeoMention(Mention(start, start + len(p.name), p.name),
                                       Resolution(p, rnd.random(), "gazetteer"),
                                       Event(rnd.choice(TYPES), rnd.random())))
            pos += len(sentence)
        art = Article(f"a{a}", f"Article {a} about {chosen[0].name}", "".join(parts), f"a{a}.txt",
                      url=f"https://news.example.org/{a}", published=f"2024-{1 + a % 12:02d}-{1 + a % 28:02d}")
        results.append(ArticleResult(art, tuple(mentions)))
    return results


def browser_times(path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = b.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        t0 = time.perf_counter()
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_function("window.__geomap && window.__geomap.ready", timeout=120_000, polling=50)
        ready = time.perf_counter() - t0
        paint = page.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime")
        markers_ready = page.evaluate("performance.now()")
        print("page timings (ms):", page.evaluate("JSON.stringify(window.__geomap.timings)"))
        t1 = time.perf_counter()
        page.evaluate("window.__geomap.setDateRange(0, 5); window.__geomap.refresh()")
        toggle = time.perf_counter() - t1
        shot = Path(tempfile.gettempdir()) / "geomap-bench.png"
        page.screenshot(path=str(shot))
        b.close()
    return {"ready_s": ready, "fcp_ms": paint, "ready_ms_page": markers_ready, "filter_s": toggle, "shot": str(shot)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--mentions-per-article", type=int, default=10)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    from geomap.render import save_map

    t = time.perf_counter()
    results = synthetic(args.articles, args.mentions_per_article)
    gen = time.perf_counter() - t
    out = Path(tempfile.gettempdir()) / "geomap-bench.html"
    t = time.perf_counter()
    save_map(results, out, title="benchmark")
    write = time.perf_counter() - t
    size = out.stat().st_size
    print(f"articles={args.articles} mentions={args.articles * args.mentions_per_article} generate={gen:.2f}s")
    print(f"html written in {write:.2f}s, size {size / 1e6:.1f} MB ({out})")
    if not args.no_browser:
        r = browser_times(out)
        print(f"chromium: first contentful paint {r['fcp_ms']:.0f} ms, all markers ready {r['ready_s']:.2f}s "
              f"(page clock {r['ready_ms_page']:.0f} ms), date filter refresh {r['filter_s']:.2f}s; "
              f"screenshot {r['shot']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
