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
import json
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


#: Why a gold toponym is out of reach, by what the gazetteer knows of its GeoNames id.
ABSENT = "gold place in no offline source"
ABSENT_NAMESAKE = "gold place in no offline source; namesakes > 161 km"
POINT = "same place, point > 161 km from gold"
OTHER_NAME = "gold place known, not by this name"
NO_ID_NONE = "no gold id; no candidate"
NO_ID_FAR = "no gold id; candidates > 161 km"


def gold_ids(corpus: str) -> dict[tuple[str, int, int], str]:
    """GeoNames ids of a corpus's gold toponyms by (doc id, start, end), where the corpus gives them."""
    eval_dir = find_eval_dir()
    out: dict[tuple[str, int, int], str] = {}
    if eval_dir is None:
        return out
    with open(eval_dir / corpus / "gold.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                for t in doc.get("toponyms", ()):
                    if t.get("geonameid"):
                        out[(str(doc["id"]), t["start"], t["end"])] = str(t["geonameid"])
    return out


def coverage(gaz: Gazetteer, corpus: str, limit: int) -> tuple[int, int, collections.Counter, dict]:
    """Count the gold toponyms within 161 km of a candidate; classify the rest (see the kinds above).

    GeoWebNews and LGL give each toponym's GeoNames id: a miss whose id is in
    no offline source is beyond any gazetteer built from the registries (no
    package ships GeoNames' allCountries, so streams, parks, buildings and
    most neighbourhoods are missing); one whose place the gazetteer holds is
    a question of names or points.
    """
    ids = gold_ids(corpus)
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
            gid = ids.get((doc.id, t.start, t.end))
            if gid is None:
                kind = NO_ID_FAR if places else NO_ID_NONE
            elif (gold := gaz.get(f"geonames:{gid}")) is None:
                kind = ABSENT_NAMESAKE if places else ABSENT
            else:
                kind = POINT if gold.id in {p.id for p in places} else OTHER_NAME
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
                "and LGL. *Bound*: the ceiling if every miss were mended except the gold places that no "
                "offline source holds (their GeoNames id is in none of the registries' packages: GeoNames' "
                "allCountries, with streams, parks, buildings and neighbourhoods, is on none of them). "
                "GeoVirus gives no ids, so its misses are not split.", "",
                "| corpus | gold toponyms | covered | ceiling | not in any offline source | bound |",
                "|---|--:|--:|--:|--:|--:|"]
        all_misses: collections.Counter = collections.Counter()
        examples: dict = {}
        kinds_by_corpus: dict[str, collections.Counter] = {}
        for corpus in CORPORA:
            h, n, misses, ex = coverage(gaz, corpus, args.limit)
            all_misses.update(misses)
            examples.update(ex)
            kinds = kinds_by_corpus[corpus] = collections.Counter()
            for (kind, _text), c in misses.items():
                kinds[kind] += c
            absent = kinds[ABSENT] + kinds[ABSENT_NAMESAKE]
            bound = f"{(n - absent) / n:.3f}" if absent else "-"
            out.append(f"| {corpus} | {n:,} | {h:,} | {h / n:.3f} | {absent:,} | {bound} |")
        kind_names = (ABSENT, ABSENT_NAMESAKE, POINT, OTHER_NAME, NO_ID_NONE, NO_ID_FAR)
        out += ["", "Misses by kind:", "", "| kind | " + " | ".join(CORPORA) + " |",
                "|---|" + "--:|" * len(CORPORA)]
        for kind in kind_names:
            out.append(f"| {kind} | " + " | ".join(str(kinds_by_corpus[c][kind]) for c in CORPORA) + " |")
        out += ["", "Most frequent missed toponyms (gold lat, lon; first candidate):", "",
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
