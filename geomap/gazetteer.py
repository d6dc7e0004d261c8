"""The offline gazetteer: look names up in the SQLite file of places.

:class:`Gazetteer` opens the file read-only and answers lookups with ranked
:class:`~geomap.model.Candidate` values. The file format and its writer live
in :mod:`geomap.gazetteer_store`; the default file is built on first use by
:mod:`geomap.gazetteer_build`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import filterfalse
from pathlib import Path
from typing import Any, Final, TypeVar

from rapidfuzz.fuzz import ratio

from geomap.errors import GazetteerError
from geomap.gazetteer_store import (
    EXTRA_COLUMNS,
    NAME_IN_CONTEXT,
    POSTAL_PREFIX,
    REBUILD_HINT,
    SCHEMA_VERSION,
    PlaceRecord,
    read_extra,
    write,
)
from geomap.model import MAJOR_FEATURES, MAJOR_POPULATION, Candidate, MatchKind, Place
from geomap.text import ARABIC_NAMED_COUNTRIES, has_spelling_variants, normalize, variant_key, without_leading_article

__all__ = ["EXTRA_COLUMNS", "SCHEMA_VERSION", "Gazetteer", "PlaceRecord", "read_extra", "rank_key", "write"]

_KIND_RANK: Final[dict[str, int]] = {"exact": 0, "alias": 1, "variant": 2}
# By ``name.kind``: a short name (NAME_IN_CONTEXT) is an alias the resolver
# takes only in context (Candidate.needs_context).
_KINDS: Final[tuple[MatchKind, ...]] = ("exact", "alias", "alias")


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
        # Answers to repeated questions ("Libya" in every article of a feed):
        # the file is read-only, so they never go stale.
        # One memo per question, each a dict whose misses compute the answer:
        # a hit is a plain dict lookup, the fast path's commonest call.
        self._lookups: _Memo[tuple[str, frozenset[str] | None, int | None, bool], tuple[Candidate, ...]] = _Memo(
            lambda q: tuple(self._lookup(q[0], q[1], q[2], variants=q[3])))
        self._has_names = _Memo(self._has_name)
        self._majors = _Memo(self._is_major)
        self._areas = _Memo(self._is_area)
        self._regions_of: _Memo[tuple[str, str], bool] = _Memo(lambda q: self._is_region_of(*q))
        self._demonyms = _Memo(self._demonym)
        # Demonyms are few (a few hundred keys): asking about a word that is
        # none, as fast mode does for every capitalised word, needs no query.
        self._demonym_keys = frozenset(k for (k,) in self._con.execute("SELECT DISTINCT key FROM demonym"))
        # The build stores postal-only towns last (gazetteer_build.collect):
        # names from the first of them on are not recognised by themselves.
        (first,) = self._con.execute(
            "SELECT min(pid) FROM place WHERE gid >= ? AND gid < ?",
            (POSTAL_PREFIX, POSTAL_PREFIX[:-1] + chr(ord(POSTAL_PREFIX[-1]) + 1))).fetchone()
        self._postal_from = first if first is not None else 1 << 62
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
        return list(self._lookups[(name, _country_set(country), limit, variants)])

    def _lookup(
        self,
        name: str,
        country: str | Iterable[str] | None,  # the memo passes _country_set's frozenset
        limit: int | None,
        *,
        variants: bool,
    ) -> list[Candidate]:
        key = normalize(name)
        if not key:
            return []
        countries = _country_set(country)
        rows = self._con.execute(_NAMED_SQL, (key,)).fetchall()
        found: dict[str, Candidate] = {}
        for row in rows:
            cand = _candidate(row[1:], _KINDS[row[0]], 1.0, short=row[0] == NAME_IN_CONTEXT)
            _keep(found, cand)
        for rec, kind in self._extra_by_key.get(key, []):
            _keep(found, _record_candidate(rec, _KINDS[kind], 1.0))
        if not found:
            found = self._article_candidates(key)
        if countries:
            found = {k: c for k, c in found.items() if c.place.country_code in countries}
        if variants and not found:
            found = self._variant_candidates(name, key, countries)
        ranked = sorted(found.values(), key=rank_key)
        return ranked[:limit] if limit is not None else ranked

    def _article_candidates(self, key: str) -> dict[str, Candidate]:
        """Read a name with an Arabic article as the name without it, in the Arab countries.

        News writes "al-Raqqa" and "ar-Raqqa" for the town GeoNames knows
        as "Ar Raqqah" and "Raqqa": an article the gazetteer's names lack is
        no part of the name (the build adds the reverse, "Qamishli" for "Al
        Qāmishlī"). The match is an alias: the same name, written with its
        article. Only places in countries whose names carry the article
        qualify, so "El Paso" or "Al Gore" gain nothing. (Recognition asks
        more of the name: see :meth:`_has_article_name`.)
        """
        rest = without_leading_article(key)
        if rest is None:
            return {}
        found: dict[str, Candidate] = {}
        for row in self._con.execute(_NAMED_SQL, (rest,)).fetchall():
            cand = _candidate(row[1:], "alias", 1.0, short=row[0] == NAME_IN_CONTEXT)
            if cand.place.country_code in ARABIC_NAMED_COUNTRIES:
                _keep(found, cand)
        return found

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
        for row in rows:  # the build stored keys only where has_spelling_variants
            sim = ratio(key, normalize(row[2])) / 100.0
            _keep(found, _candidate(row, "variant", sim))
        for rec in self._extra_by_variant.get(vkey, []):
            if has_spelling_variants(rec.cc, rec.fcode):
                _keep(found, _record_candidate(rec, "variant", ratio(key, normalize(rec.name)) / 100.0))
        if countries:
            return {k: c for k, c in found.items() if c.place.country_code in countries}
        # Without context, a skeleton shared by places in several countries
        # is a guess, not a match; unless it is a near-exact spelling of one
        # country's name ("Algieria"), which needs no context to be read.
        if len({c.place.country_code for c in found.values()}) > 1:
            countries_named = [c for c in found.values()
                               if c.place.feature.startswith("PCL") and c.similarity >= _COUNTRY_TYPO]
            return {c.place.id: c for c in countries_named} if len(countries_named) == 1 else {}
        return found

    def has_name(self, name: str) -> bool:
        """Return True when the name may be recognised as a place by itself.

        That is, when it is the exact or alternate name of a place other than
        a postal-only US town (:attr:`geomap.model.Place.postal_only`), and
        not only a county's short name ("Clay", "Grant"). Those names
        ("Beryl", "Energy", "Mississippi State") are too often a word, a
        person or part of a name to be taken for places unprompted; a
        mention found otherwise (by the NER) still resolves to one in
        context (:attr:`geomap.model.Candidate.needs_context`).
        """
        return self._has_names[name]

    def prefetch_names(self, names: Iterable[str]) -> None:
        """Answer :meth:`has_name` for many names at once, ahead of the questions.

        One query per few hundred names instead of one per name: the
        gazetteer matcher asks about every run of capitalised words of a
        text, and most of them are no place, so on text it has not seen
        the round trips to SQLite dominate. Later :meth:`has_name` calls
        for these names are dictionary lookups.
        """
        memo = self._has_names
        if len(memo) >= _MEMO_SIZE:
            memo.clear()  # bounded as the memo's own misses are
        todo: dict[str, list[str]] = {}
        # The names already answered (on a feed, most) are skipped in C.
        for name in filterfalse(memo.__contains__, names):
            if name in memo:
                continue  # (a repeat of a name answered in this call)
            key = normalize(name)
            if not key:
                memo[name] = False
            elif key in self._extra_by_key:
                memo[name] = True
            else:
                todo.setdefault(key, []).append(name)
        keys = list(todo)
        for k in range(0, len(keys), _PREFETCH_BATCH):
            batch = keys[k:k + _PREFETCH_BATCH]
            found = {key for (key,) in self._con.execute(
                f"SELECT DISTINCT key FROM name WHERE key IN ({','.join('?' * len(batch))}) "
                "AND pid < ? AND kind < ?",
                (*batch, self._postal_from, NAME_IN_CONTEXT))}
            for key in batch:
                for name in todo[key]:
                    memo[name] = key in found or self._has_article_name(name, key)

    def _has_name(self, name: str) -> bool:
        key = normalize(name)
        if not key:
            return False
        if key in self._extra_by_key:
            return True
        row = self._con.execute(
            "SELECT 1 FROM name WHERE key = ? AND pid < ? AND kind < ? LIMIT 1",
            (key, self._postal_from, NAME_IN_CONTEXT)
        ).fetchone()
        return row is not None or self._has_article_name(name, key)

    def _has_article_name(self, name: str, key: str) -> bool:
        """Tell whether a name has an Arabic article and a place is known without it ("al-Raqqa").

        The article must be "al" or "el", or be joined by a hyphen
        ("ar-Raqqa"): the English "An", "As" and "At" that start a sentence
        before a name are no article ("An Alexandria man", "At Tripoli").
        """
        return (_WRITTEN_ARTICLE.match(name.lstrip()) is not None
                and any(not c.needs_context for c in self._article_candidates(key).values()))

    def is_major(self, name: str) -> bool:
        """Return True when the name is a major place.

        Major: a continent, country, region, sea, admin1 region, capital or a
        place of 100,000 people, by exact name or alias.
        """
        return self._majors[name]

    def _is_major(self, name: str) -> bool:
        return self._names_a(name, MAJOR_FEATURES, MAJOR_POPULATION)

    def _names_a(self, name: str, codes: frozenset[str], population: int | None = None) -> bool:
        """Tell whether any place by this name has one of ``codes`` (or that many people)."""
        key = normalize(name)
        if not key:
            return False
        if any(r.fcode in codes or (population is not None and r.fclass == "P" and (r.population or 0) >= population)
               for r, _k in self._extra_by_key.get(key, [])):
            return True
        # Population counts for towns only: a region's is the sum of its towns'.
        by_size = " OR (p.pop >= ? AND p.fclass = 'P')" if population is not None else ""
        sql = f"p.fcode IN ({','.join('?' * len(codes))})" + by_size
        params = (key, *sorted(codes), *(() if population is None else (population,)))
        row = self._con.execute(
            f"SELECT 1 FROM name n JOIN place p ON p.pid = n.pid WHERE n.key = ? AND ({sql}) LIMIT 1", params
        ).fetchone()
        return row is not None

    def is_area(self, name: str) -> bool:
        """Return True when the name is that of a country, first-level region, sea or continent.

        Short capitals ("NY", "BC", "UAE") are place names only as such
        abbreviations; GeoNames also lists postcode areas and codes ("BA"
        for Bath) that are acronyms of something else in news text.
        """
        return self._areas[name]

    def _is_area(self, name: str) -> bool:
        return self._names_a(name, _AREA_CODES)

    def is_region_of(self, region: str, name: str) -> bool:
        """Tell whether ``region`` names an area that holds a place called ``name``.

        Used for "Ripley, Derbyshire": the county is a place of its own, though
        the NER calls a lone "-shire" word a person, when some Ripley lies in
        some Derbyshire. Countries match by country, first- and second-level
        regions by first-level region (GeoNames gives towns no second-level code
        for many countries).
        """
        return self._regions_of[(region, name)]

    def _is_region_of(self, region: str, name: str) -> bool:
        # Not by a county's short name: "in Paris, Henry said" names no Henry County.
        codes = {
            c.place.region_code for c in self.lookup(region, limit=20, variants=False)
            if c.place.country_code and c.place.feature in _AREA_CODES | {"ADM2"} and not c.needs_context
        }
        return bool(codes) and any(
            c.place.country_code in codes or f"{c.place.country_code}.{c.place.admin1}" in codes
            for c in self.lookup(name, limit=50, variants=False)
        )

    def demonym(self, word: str) -> Place | None:
        """Return the place a demonym refers to ("Libyan" → Libya), or None."""
        return self._demonyms[word]

    def _demonym(self, word: str) -> Place | None:
        key = normalize(word)
        if key not in self._demonym_keys:
            return None
        row = self._con.execute(
            "SELECT p.* FROM demonym d JOIN place p ON p.pid = d.pid WHERE d.key = ? ORDER BY p.pop DESC LIMIT 1",
            (key,),
        ).fetchone()
        return _candidate(row, "exact", 1.0).place if row else None

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
FEATURE_RANK: Final[dict[str, int]] = {
    "CONT": 0, "PCLI": 1, "PCLD": 1, "PCLIX": 1, "PCLS": 1, "PCLF": 1, "PCL": 1, "TERR": 2,
    "RGN": 3, "SEA": 3, "OCN": 3, "GULF": 3, "LK": 3, "RSV": 3, "CNL": 3, "PEN": 3, "ISL": 3, "MTS": 3, "DSRT": 3,
    "ADM1": 4,
    "PPLC": 5, "PPLA": 6, "PPLG": 6, "PPL": 8, "AIRP": 9,
}


#: Names per query of :meth:`Gazetteer.prefetch_names` (SQLite allows 32,766 parameters).
_PREFETCH_BATCH: Final = 500
#: Most answers to one kind of question a Gazetteer keeps before it starts over.
_MEMO_SIZE: Final = 100_000
_Q = TypeVar("_Q")
_A = TypeVar("_A")


class _Memo(dict[_Q, _A]):
    """Answers by question; a missing one is computed, and the memo is bounded."""

    def __init__(self, answer: Callable[[_Q], _A]) -> None:
        super().__init__()
        self.answer = answer

    def __missing__(self, question: _Q) -> _A:
        if len(self) >= _MEMO_SIZE:
            self.clear()  # crude but bounded; a feed's names repeat soon enough
        value = self[question] = self.answer(question)
        return value
# How close a variant must be to a country's name to stand without context:
# "Algieria" is .93 of "Algeria"; unrelated names that share a consonant
# skeleton score far lower ("Alghero" .67).
_COUNTRY_TYPO: Final = 0.85
_AREA_CODES: Final = MAJOR_FEATURES - {"PPLC"}


def rank_key(c: Candidate) -> tuple[int, int, int, str]:
    """Sort key: match kind, feature prominence, larger population, then id."""
    return (
        _KIND_RANK[c.match_kind],
        FEATURE_RANK.get(c.place.feature, 8),
        -(c.place.population or 0),
        c.place.id,
    )


def _country_set(country: str | Iterable[str] | None) -> frozenset[str] | None:
    if country is None:
        return None
    if isinstance(country, str):
        country = [country]
    return frozenset(c.upper() for c in country if c)


def _keep(found: dict[str, Candidate], cand: Candidate) -> None:
    old = found.get(cand.place.id)
    if old is None or _KIND_RANK[cand.match_kind] < _KIND_RANK[old.match_kind]:
        found[cand.place.id] = cand


#: The places a name key names, with the kind of each name row.
_NAMED_SQL: Final = "SELECT n.kind, p.* FROM name n JOIN place p ON p.pid = n.pid WHERE n.key = ?"

#: How news writes an Arabic article before a name: "al" or "el" (any case,
#: then a space or hyphen, ASCII or U+2010), or any article form joined by a
#: hyphen ("ar-Raqqa").
_WRITTEN_ARTICLE: Final = re.compile(r"(?i:(?:al|el)[\s\-\u2010]|[a-z]{2,3}[\-\u2010])")


def _candidate(row: Sequence[Any], kind: MatchKind, similarity: float, *, short: bool = False) -> Candidate:
    _pid, gid, name, lat, lon, fclass, fcode, cc, admin1, admin2, pop, n_alt, _src = row
    postal = gid.startswith(POSTAL_PREFIX)
    place = Place(name=name, id=gid, lat=lat, lon=lon, feature=fcode, country_code=cc,
                  admin1=admin1, population=pop, admin2=admin2, postal_only=postal)
    return Candidate(place=place, match_kind=kind, similarity=similarity, feature_class=fclass,
                     alt_count=n_alt, needs_context=postal or short)


def _record_candidate(rec: PlaceRecord, kind: MatchKind, similarity: float) -> Candidate:
    place = Place(name=rec.name, id=rec.gid, lat=rec.lat, lon=rec.lon, feature=rec.fcode,
                  country_code=rec.cc, admin1=rec.admin1, population=rec.population, admin2=rec.admin2)
    return Candidate(place=place, match_kind=kind, similarity=similarity, feature_class=rec.fclass,
                     alt_count=len(rec.names))
