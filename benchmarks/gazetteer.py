"""Gazetteer benchmark: build, size, open and lookup speed, memory, coverage ceiling.

Usage::

    python benchmarks/gazetteer.py [--no-build] [--limit 50]

Writes ``benchmarks/results/gazetteer.md``. The coverage ceiling is the share
of gold toponyms (GeoWebNews, LGL, GeoVirus; those with coordinates) whose
gold location is among the gazetteer's candidates within 161 km: no resolver
can do better than the gazetteer offers. It needs the corpora in
``../shared/eval`` (or ``$GEOMAP_EVAL_DIR``) and is skipped without them.
"""

from __future__ import annotations

import argparse
import collections
import resource
import tempfile
import time
from pathlib import Path

from geomap import gazetteer_build
from geomap.evaluate import find_eval_dir, haversine_km, load_corpus
from geomap.gazetteer import Gazetteer

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "gazetteer.md"
CORPORA = ("geowebnews", "lgl", "geovirus")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_lookups(gaz: Gazetteer, names: list[str], **kw) -> float:
    t0 = time.perf_counter()
    for n in names:
        gaz.lookup(n, **kw)
    return len(names) / (time.perf_counter() - t0)


def coverage(gaz: Gazetteer, corpus: str, limit: int) -> tuple[int, int, collections.Counter, dict]:
    hits = total = 0
    misses: collections.Counter = collections.Counter()
    examples: dict[str, tuple] = {}
    for doc in load_corpus(corpus):
        for t in doc.toponyms:
            if t.lat is None:
                continue
            total += 1
            places = [c.place for c in gaz.lookup(t.text, limit=limit)]
            dem = gaz.demonym(t.text)
            if dem is not None:
                places.append(dem)
            if any(haversine_km(t.lat, t.lon, p.lat, p.lon) < 161 for p in places):
                hits += 1
                continue
            kind = "no candidate" if not places else "candidates all > 161 km"
            misses[(kind, t.text)] += 1
            examples[t.text] = (round(t.lat, 2), round(t.lon, 2), places[0].name if places else "-")
    return hits, total, misses, examples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true", help="skip timing a fresh build")
    ap.add_argument("--limit", type=int, default=50, help="candidates per lookup for the coverage ceiling")
    args = ap.parse_args()

    rows: list[tuple[str, str]] = []
    if not args.no_build:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            path = gazetteer_build.build(Path(tmp) / "g.sqlite")
            rows.append(("build time (from installed packages)", f"{time.perf_counter() - t0:.1f} s"))
            rows.append(("file size", f"{path.stat().st_size / 2**20:.1f} MiB"))
    rss0 = rss_mb()
    t0 = time.perf_counter()
    gaz = Gazetteer.open()
    rows.append(("open time", f"{(time.perf_counter() - t0) * 1000:.1f} ms"))
    info = gaz.info()
    rows.append(("places / name keys / variant keys",
                 f"{int(info['places']):,} / {info['names']:,} / {info['variant_keys']:,}"))
    hits = ["Sirte", "Tripoli", "Cairo", "Rome", "London", "Paris", "Texas", "Libya", "Mediterranean", "Derna"] * 500
    missing = ["Xqzville", "Notaplace", "Blorptown", "Qwertyuiop", "Zzyzxcity"] * 1000
    variants = ["Subratha", "Beni Jawad", "Al Sedra", "Marsa-Matrouh", "Darna"] * 200
    rows.append(("exact/alias lookups per second", f"{timed_lookups(gaz, hits, variants=False):,.0f}"))
    rows.append(("misses per second (with variant fallback)", f"{timed_lookups(gaz, missing):,.0f}"))
    rows.append(("variant lookups per second (country LY)", f"{timed_lookups(gaz, variants, country='LY'):,.0f}"))
    rows.append(("peak RSS growth: open + 11,000 lookups", f"{rss_mb() - rss0:.0f} MB"))

    out = ["# Gazetteer benchmark", "", f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores).", "",
           "| measure | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows], ""]

    if find_eval_dir() is None:
        out.append("Coverage ceiling: skipped (no evaluation corpora found).")
    else:
        out += ["## Coverage ceiling", "",
                f"Share of gold toponyms with coordinates whose gold point is within 161 km of one of the "
                f"first {args.limit} lookup candidates (or the demonym's place). Target >= 0.95 on GeoWebNews "
                "and LGL.", "", "| corpus | gold toponyms | covered | ceiling |", "|---|--:|--:|--:|"]
        all_misses: collections.Counter = collections.Counter()
        examples: dict = {}
        for corpus in CORPORA:
            h, n, misses, ex = coverage(gaz, corpus, args.limit)
            all_misses.update(misses)
            examples.update(ex)
            out.append(f"| {corpus} | {n:,} | {h:,} | {h / n:.3f} |")
        by_kind = collections.Counter()
        for (kind, _text), c in all_misses.items():
            by_kind[kind] += c
        out += ["", "Misses by kind (all three corpora): "
                + ", ".join(f"{k}: {v}" for k, v in by_kind.most_common()), "",
                "Most frequent missed toponyms (gold lat, lon; first candidate):", "",
                "| toponym | kind | count | gold | first candidate |", "|---|---|--:|---|---|"]
        for (kind, text), c in all_misses.most_common(40):
            lat, lon, first = examples[text]
            out.append(f"| {text} | {kind} | {c} | {lat}, {lon} | {first} |")
    text = "\n".join(out) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
