"""Choose the place each mention refers to, from gazetteer candidates.

Pure: the pipeline looks candidates up and passes them in. Each candidate
gets a log-linear score from evidence a reader would use (feature type,
population, prominence, match kind, the article's countries, an explicit
qualifier such as "Tikrit, Iraq"), and the scores of one mention's
candidates are turned into probabilities; the winner's probability is the
resolution score.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Final

from rapidfuzz.fuzz import ratio

from geomap.model import MAJOR_FEATURES, MAJOR_POPULATION, Candidate, Mention, Place, Resolution, haversine_km
from geomap.text import normalize

#: Prior weight of a feature code: large areas and capitals are what news
#: mentions by bare name far more often than a homonymous village.
FEATURE_PRIOR: Final[dict[str, float]] = {
    "CONT": 3.0, "PCLI": 3.5, "PCLD": 2.5, "PCLIX": 2.5, "PCLS": 2.5, "PCLF": 2.5, "TERR": 2.0,
    "RGN": 3.5, "PEN": 3.0, "SEA": 3.0, "OCN": 3.0, "GULF": 2.5, "LK": 3.0, "RSV": 2.5, "CNL": 2.5,
    "ADM1": 1.0, "PPLC": 2.5, "PPLA": 1.0, "PPL": 0.0, "AIRP": -2.0, "ISL": 3.0, "MTS": 3.0, "DSRT": 3.0,
}
MATCH_PENALTY: Final[dict[str, float]] = {"exact": 0.0, "alias": -0.4, "variant": -1.5}

WEIGHTS: Final[dict[str, float]] = {
    "population": 0.5,  # per log10(population + 1)
    "alt_names": 0.25,  # per log2(alternate names + 1): prominence across languages
    "context_country": 4.0,  # times sqrt(share): candidate lies in a country the article is about
    "qualifier": 5.0,  # "Tikrit, Iraq": the text names the container
    "similarity": 2.0,  # per missing unit of string similarity on variant matches
    "context_admin1": 2.0,  # times sqrt(share): a place in the region the article's other places are in
    "context_container": 4.0,  # times sqrt(share): the region that contains the article's other places
    "support": 1.5,  # times sqrt(share): the region where the article's other names could also be
    "namesake_city": 2.0,  # off a region whose namesake city of a million is also a candidate
    "list_of_regions": 2.5,  # "Michigan, Oregon, New York": the next item is a region too
    "other_name": 1.0,  # off a town known by another name when some place has the name itself
    "county": 4.0,  # times sqrt(share): the county (district) another name of the article names or lies in
    "named_after_water": 4.0,  # off a region named after a sea or lake that is also a reading ("Red Sea" state)
}
#: Seas, gulfs, oceans and lakes: what a region named after one is named after.
WATER_FEATURES: Final = frozenset({"SEA", "OCN", "GULF", "LK", "RSV"})
#: A city this big inside a region of the same name is what the name means
#: ("New York", "São Paulo", "Lagos"), unless the context says otherwise.
NAMESAKE_CITY_POPULATION: Final = 1_000_000


@dataclass(frozen=True)
class Context:
    """What the article says about where it is.

    ``countries`` maps ISO codes to their share of the article's country
    evidence (0..1).
    """

    countries: Mapping[str, float]
    #: ``CC.ADMIN1`` codes to their share of the article's other resolved
    #: places (second pass; empty in the first).
    admin1: Mapping[str, float] = field(default_factory=dict)
    #: ``CC.ADMIN1`` codes to the share of the article's other names that have
    #: a candidate there (second pass): where the names could all be.
    support: Mapping[str, float] = field(default_factory=dict)
    #: ``CC.ADMIN1.ADMIN2`` codes to the share of the article's other names
    #: that are, or have a town in, that county or district (second pass).
    county: Mapping[str, float] = field(default_factory=dict)
    #: Countries of which the article names a place below the country (a
    #: town, a region), not only the country itself or its people.
    local: frozenset[str] = frozenset()


def article_context(
    mentions: Sequence[Mention], candidates: Mapping[str, Sequence[Candidate]]
) -> Context:
    """Infer the article's countries from its unambiguous mentions.

    A mention whose best candidate is a country counts twice for that
    country; a mention whose candidates all lie in one country counts once.
    """
    votes: Counter[str] = Counter()
    local: set[str] = set()
    # A name votes alike at each of its mentions: weighed once per name, the
    # vote counted at every mention (a town named ten times votes ten times).
    cast: dict[str, tuple[str, int] | None] = {}
    for m in mentions:
        if m.boilerplate:
            continue
        if m.text in cast:
            vote = cast[m.text]
        else:
            vote = cast[m.text] = _country_vote(m.text, candidates.get(normalize(m.text), ()))
        if vote is not None:
            votes[vote[0]] += vote[1]
            if vote[1] == 1:  # (a country's own name votes twice)
                local.add(vote[0])
    # Weak aliases ("Zuwara", "Sabratha": the other names of small towns)
    # vote for nobody alone, but two of them that can only be in the same
    # country back each other: a coincidence of first names is rarer.
    weak: dict[str, str] = {}
    for m in mentions:
        if not m.boilerplate and cast.get(m.text) is None and m.text not in weak:
            cands = candidates.get(normalize(m.text), ())
            ccs = {c.place.country_code or "" for c in cands}
            if len(ccs) == 1 and "" not in ccs and weak_alias(m.text, cands):
                weak[m.text] = next(iter(ccs))
    by_country = Counter(weak.values())
    for m in mentions:
        weak_cc = weak.get(m.text)
        if weak_cc is not None and not m.boilerplate and by_country[weak_cc] >= 2:
            votes[weak_cc] += 1
            local.add(weak_cc)
    total = sum(votes.values())
    return Context(countries={cc: n / total for cc, n in votes.items()} if total else {}, local=frozenset(local))


def _country_vote(name: str, cands: Sequence[Candidate]) -> tuple[str, int] | None:
    """Return the country a name's mention votes for and with how many votes, or None (:func:`article_context`)."""
    if not cands or weak_alias(name, cands):
        return None
    # A postal-only town (or a county's short name) is no evidence of the
    # article's country: "Beryl" (a hurricane) would make a storm report American.
    if any(c.needs_context for c in cands):
        cands = [c for c in cands if not c.needs_context]
        if not cands:
            return None
    if _names_water(cands):
        # "the Red Sea" is no evidence for Sudan, whose Red Sea State shares the name.
        return None
    top = cands[0]
    if name.isupper() and not top.place.feature.startswith("PCL"):
        # "UK", "US", "UAE": the abbreviation is the country's alias, ranked
        # after the exact villages "Uk" (Russia) and "Us" (France), which no
        # news story in capitals means.
        country = next((c for c in cands if c.place.feature.startswith("PCL")), None)
        if country is not None and country.place.country_code and all(
                c is country or ((c.place.population or 0) < MAJOR_POPULATION and c.place.feature not in MAJOR_FEATURES)
                for c in cands):
            top = country
    if top.place.feature.startswith("PCL") and top.place.country_code:
        # A country name that is also a state's ("Georgia") is evidence
        # for neither until resolved: it must not vote for itself.
        if not any(c.place.feature == "ADM1" and c.match_kind != "variant" for c in cands[1:]):
            return top.place.country_code, 2
        return None
    ccs = {c.place.country_code for c in cands if c.place.country_code}
    if len(ccs) == 1:
        return next(iter(ccs)), 1
    if (cc := _dominant_country(cands)) is not None:
        return cc, 1
    return None


#: A name is as good as unambiguous when its largest place outweighs every
#: homonym abroad this many times over (Toronto, Canada: 2.8 M; Toronto,
#: Ohio: 5,000), but not when the homonym is a real town (Paris, Texas).
DOMINANCE: Final = 100
DOMINANT_POPULATION: Final = 100_000


def _dominant_country(cands: Sequence[Candidate]) -> str | None:
    """Return the country of a name's overwhelmingly largest place, if it has one."""
    # Exact names only: "Salisbury" is Harare's old name, not its usual one.
    exact = [c for c in cands if c.match_kind == "exact" and c.place.country_code]
    # No second-level region as the largest place: its population is the sum
    # of its places', and the department of Paris counts the arrondissements
    # beside the city. As a rival abroad it counts: Surrey, British Columbia
    # (570,000) does not dwarf the English county of Surrey (1.3 M).
    named = [c for c in exact if c.place.feature != "ADM2"]
    if not named:
        return None
    big = max(named, key=lambda c: c.place.population or 0)
    top = big.place.population or 0
    if top < DOMINANT_POPULATION:
        return None
    rival = max(((c.place.population or 0) for c in exact if c.place.country_code != big.place.country_code),
                default=0)
    return big.place.country_code if top >= DOMINANCE * max(rival, 1) else None


class RegionVotes:
    """Score-weighted votes for first-level regions, kept by mention text and updated in place.

    Each resolved place inside a region votes for it ("US.GA") with its
    resolution score; countries, continents and regions themselves have no
    region to vote for. Votes are kept per normalized mention text so that a
    name's own occurrences can be left out of its context
    (:meth:`shares`): a wrong first guess must not vote for itself.

    Scores have four decimals and are counted in units of 1e-4, so the
    sums are exact whatever the order of updates, and :meth:`replace` costs
    the same for the thousandth mention as for the first: an article that
    lists a few towns a thousand times stays linear.

    Examples
    --------
    >>> from geomap.model import Mention, Place, Resolution
    >>> atl = Place("Atlanta", "geonames:1", 33.7, -84.4, "PPLA", "US", "GA", 498715)
    >>> votes = RegionVotes([(Mention(0, 7, "Atlanta"), Resolution(atl, 0.9, "gazetteer"))])
    >>> votes.shares(exclude="georgia"), votes.shares(exclude="atlanta")
    ({'US.GA': 1.0}, {})
    """

    def __init__(self, resolutions: Sequence[tuple[Mention, Resolution]]) -> None:
        self._weight: dict[str, Counter[str]] = {}
        self._count: dict[str, Counter[str]] = {}
        self._total_weight: Counter[str] = Counter()
        self._total_count: Counter[str] = Counter()
        self._cast: list[tuple[str, str, int] | None] = []
        for m, res in resolutions:
            vote = _region_vote(m, res)
            self._cast.append(vote)
            if vote is not None:
                self._add(vote, 1)

    def _add(self, vote: tuple[str, str, int], sign: int) -> None:
        key, code, weight = vote
        weights = self._weight.get(key)
        if weights is None:
            # (Not setdefault, whose default Counter, built at every vote, cost more than the vote.)
            weights = self._weight[key] = Counter()
            self._count[key] = Counter()
        weights[code] += sign * weight
        self._count[key][code] += sign
        self._total_weight[code] += sign * weight
        self._total_count[code] += sign

    def replace(self, i: int, m: Mention, res: Resolution) -> bool:
        """Replace the vote of the ``i``-th resolution with that of ``res``; return whether it changed."""
        old, new = self._cast[i], _region_vote(m, res)
        if old == new:
            return False
        if old is not None:
            self._add(old, -1)
        if new is not None:
            self._add(new, 1)
        self._cast[i] = new
        return True

    def shares(self, exclude: str) -> dict[str, float]:
        """Shares of each region among the votes of every mention text but ``exclude``."""
        own_w = self._weight.get(exclude, _NO_VOTES)
        own_n = self._count.get(exclude, _NO_VOTES)
        weights = {code: self._total_weight[code] - own_w[code]
                   for code, n in self._total_count.items() if n - own_n[code] > 0}
        total = sum(weights.values())
        return {code: w / total for code, w in weights.items()} if total else {}


#: The votes of a name that cast none (read only: a Counter's missing key is 0 and stays missing).
_NO_VOTES: Final[Counter[str]] = Counter()


def _region_vote(m: Mention, res: Resolution) -> tuple[str, str, int] | None:
    p = res.place
    if (m.boilerplate or p is None or not p.country_code or not p.admin1 or p.feature.startswith("PCL")
            or p.postal_only or res.method == "part_of"):
        # (A part of a place, "Historic Dublin", is that place again under
        # another name: it must not vote for the place's own reading.)
        return None
    # Weighted by confidence: a coin-toss among ten Henry Counties is no evidence.
    return normalize(m.text), f"{p.country_code}.{p.admin1}", round(res.score * 10_000)


def admin1_support(
    resolutions: Sequence[tuple[Mention, Resolution]], candidates: Mapping[str, Sequence[Candidate]]
) -> dict[str, dict[str, float]]:
    """For each name, the share of the article's other names with a candidate in each region.

    "Paris and Henry County": Tennessee, Kentucky and Illinois each have a
    Paris and a Henry County; France has no Henry County. Variant matches and
    countries do not count, and a name whose first reading is a major place
    (a country, a state, a capital) lends no support through its namesake
    towns: the share is of all the other names, but only lesser places vote.
    """
    return region_support(resolutions, candidates)[0]


def county_support(
    resolutions: Sequence[tuple[Mention, Resolution]], candidates: Mapping[str, Sequence[Candidate]]
) -> dict[str, dict[str, float]]:
    """For each name, the share of the article's other names that are, or have a town in, each county.

    The same evidence one level down: Tennessee has both a Paris and a Henry
    County, but only Paris, Tennessee lies in Henry County, Tennessee
    (Kentucky's Paris is in Bourbon County). Codes are ``CC.ADMIN1.ADMIN2``
    (:attr:`geomap.model.Place.county_code`).
    """
    return region_support(resolutions, candidates)[1]


def region_support(
    resolutions: Sequence[tuple[Mention, Resolution]], candidates: Mapping[str, Sequence[Candidate]]
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Return :func:`admin1_support` and :func:`county_support` at once.

    The second pass asks for both together: one walk over the names and
    their candidates serves the two levels.
    """
    # Per name: the first-level regions and the counties of its readings,
    # and those it lends support to.
    admin1: dict[str, set[str]] = {}
    counties: dict[str, set[str]] = {}
    admin1_lent: dict[str, set[str]] = {}
    counties_lent: dict[str, set[str]] = {}
    major: set[str] = set()
    for m, res in resolutions:
        key = normalize(m.text)
        if m.boilerplate or key in admin1 or res.method == "part_of":
            continue
        admin1[key], admin1_lent[key], counties[key], counties_lent[key] = _reading_codes(candidates.get(key, ()))
        if res.place is not None and res.place.feature in MAJOR_FEATURES:
            major.add(key)
    return _shares(admin1, admin1_lent, major), _shares(counties, counties_lent, major)


#: First-level regions, those lent support, counties, counties lent support (see :func:`_reading_codes`).
_Codes = tuple[set[str], set[str], set[str], set[str]]

#: Region codes of a name's readings, by the identity of the readings (see
#: :func:`_reading_codes`), each with the readings themselves, whose
#: reference keeps their ids from being reused while the entry lives.
_READING_CODES: Final[dict[tuple[int, ...], tuple[Sequence[Candidate], _Codes]]] = {}
_READING_CODES_SIZE: Final = 4096


def _reading_codes(cands: Sequence[Candidate]) -> _Codes:
    """Return the regions and counties of a name's readings, and those it lends support to (:func:`region_support`).

    Memoised per process: a name's candidates are the gazetteer's same
    objects in every article that names it, and a common name's are many
    (fifty towns called Washington), asked again at each round and field of
    every article. The sets are shared: read them, never change them.
    """
    ids = tuple(map(id, cands))
    known = _READING_CODES.get(ids)
    if known is not None:
        return known[1]
    regions: set[str] = set()
    lent: set[str] = set()
    counties: set[str] = set()
    counties_lent: set[str] = set()
    for c in cands:
        if c.match_kind == "variant":
            continue
        # A postal-only town (a county's short name) may take support but
        # lends none: "Milton" and "Hull" both have one in Illinois, which
        # says nothing about England.
        if (code := _admin1_code(c.place)) is not None:
            regions.add(code)
            if not c.needs_context:
                lent.add(code)
        if (code := c.place.county_code) is not None:
            counties.add(code)
            if not c.needs_context:
                counties_lent.add(code)
    if len(_READING_CODES) >= _READING_CODES_SIZE:
        _READING_CODES.clear()
    _READING_CODES[ids] = (tuple(cands), (regions, lent, counties, counties_lent))
    return regions, lent, counties, counties_lent


def _admin1_code(place: Place) -> str | None:
    if place.country_code and place.admin1 and not place.feature.startswith("PCL"):
        return f"{place.country_code}.{place.admin1}"
    return None


def _shares(
    regions: Mapping[str, set[str]], vouch: Mapping[str, set[str]], major: set[str]
) -> dict[str, dict[str, float]]:
    """Return each name's share of support in each region, from the regions of every name's readings.

    ``regions`` and ``vouch`` give, by name, the regions of its readings and
    those it lends support to; ``major`` the names read as a major place.
    """
    names = [k for k, codes in regions.items() if codes]
    # A name read as a country, a state or a capital vouches for no region
    # through its namesake towns: "Mexico", "California" and "Washington"
    # are all towns in Missouri, which says nothing about a border story.
    voters = [k for k in names if k not in major]
    holders: Counter[str] = Counter(code for k in voters for code in vouch[k])
    out: dict[str, dict[str, float]] = {}
    # The share is of the other names that could lend: a name with only
    # readings that need context ("St. Mary" for St. Mary Parish) is no more
    # a place than a name with none, so it dilutes nothing.
    lenders = {k for k in names if vouch[k] or k in major}
    for key in names:
        others = len(lenders) - (key in lenders)
        if others <= 0:
            continue
        # The name's own vote, if it cast one for the code, is no support.
        own = set() if key in major else vouch[key]
        shares = {code: (holders[code] - (code in own)) / others for code in regions[key]
                  if holders[code] > (code in own)}
        if shares:
            out[key] = shares
    return out


def score_candidate(
    cand: Candidate,
    context: Context,
    qualifier: frozenset[str] = frozenset(),
    namesakes: frozenset[str] = frozenset(),
    container: tuple[str, str | None, bool] | None = None,
) -> tuple[float, tuple[tuple[str, float], ...]]:
    """Return a candidate's raw score and the features that made it.

    Parameters
    ----------
    cand
        The candidate.
    context
        The article's country evidence.
    qualifier
        Where an explicit container after the mention ("Iraq" in "Tikrit,
        Iraq") may be: country codes and ``CC.ADMIN1`` codes. Empty if none.
    namesakes
        ``CC.ADMIN1`` codes of regions whose namesake big city is also a
        candidate for the name (see :func:`namesake_regions`).
    container
        (country, admin1, is_region) of the place right before the mention
        when the mention follows it after a comma. After a town ("Tacoma,
        Washington") the country or region holding it is what the mention
        names; after a region ("Oregon, New York") another region of that
        country is.
    """
    place = cand.place
    feats = list(_prior(place.feature, place.population, cand.alt_count, cand.match_kind))
    if cand.match_kind == "variant":
        feats.append(("similarity", -WEIGHTS["similarity"] * (1.0 - cand.similarity)))
    if place.country_code:
        share = context.countries.get(place.country_code, 0.0)
    else:
        # Continents, seas and regions span countries: compatible with any
        # article, so they get the bonus of its main country.
        share = max(context.countries.values(), default=0.0)
    if share:
        # Square root: a one-off mention of a country still helps, and the
        # article's main country helps most without drowning population.
        feats.append(("context_country", WEIGHTS["context_country"] * math.sqrt(share)))
    if context.support and place.country_code and place.admin1 and not place.feature.startswith("PCL"):
        support = context.support.get(f"{place.country_code}.{place.admin1}", 0.0)
        if support:
            feats.append(("support", WEIGHTS["support"] * math.sqrt(support)))
    if context.county and place.county_code:
        share = context.county.get(place.county_code, 0.0)
        if share:
            feats.append(("county", WEIGHTS["county"] * math.sqrt(share)))
    if context.admin1 and place.country_code and place.admin1:
        share = context.admin1.get(f"{place.country_code}.{place.admin1}", 0.0)
        if share and place.feature == "ADM1":
            # "Georgia" beside Atlanta and Savannah is the state that holds them.
            feats.append(("context_container", WEIGHTS["context_container"] * math.sqrt(share)))
        elif share:
            feats.append(("context_admin1", WEIGHTS["context_admin1"] * math.sqrt(share)))
    if qualifier:
        feats.append(("qualifier", WEIGHTS["qualifier"] if _qualifies(cand, qualifier) else 0.0))
    if container is not None and place.country_code == container[0]:
        _cc, adm1, after_region = container
        if after_region and place.feature == "ADM1" and place.admin1 != adm1:
            feats.append(("list_of_regions", WEIGHTS["list_of_regions"]))
        elif not after_region and (place.feature.startswith("PCL") or
                                   (place.feature == "ADM1" and place.admin1 == adm1)):
            feats.append(("container", WEIGHTS["qualifier"]))
    if place.feature == "ADM1" and f"{place.country_code}.{place.admin1}" in namesakes:
        feats.append(("namesake_city", -WEIGHTS["namesake_city"]))
    # Unrounded and with zero entries: only the winner's are rounded and
    # filtered for display (:func:`resolve_mention`), which saves that work
    # for the other candidates.
    return sum(map(itemgetter(1), feats)), tuple(feats)  # (in C; the same additions, in the same order)


@lru_cache(maxsize=1 << 16)
def _prior(feature: str, population: int | None, alt_count: int, match_kind: str) -> tuple[tuple[str, float], ...]:
    """Return the features of a candidate that no context changes (memoised: asked for every candidate)."""
    # Natural Earth names seas with their generic ("Atlantic Ocean"); news
    # drops it ("the tropical Atlantic"): that alias is the usual name.
    penalty = 0.0 if match_kind == "alias" and feature in ("OCN", "SEA", "GULF") else MATCH_PENALTY[match_kind]
    return (
        ("feature:" + feature, FEATURE_PRIOR.get(feature, 0.0)),
        ("population", WEIGHTS["population"] * math.log10((population or 0) + 1)),
        ("alt_names", WEIGHTS["alt_names"] * math.log2(alt_count + 1)),
        ("match:" + match_kind, penalty),
    )


def namesake_regions(candidates: Sequence[Candidate]) -> frozenset[str]:
    """Return the regions (``CC.ADMIN1``) that hold a candidate city of a million people.

    Where a region and its biggest city share a name, news means the city:
    "in New York" is New York City, "São Paulo" the city, not the state
    around it, whose point lies hundreds of kilometres away. The region
    still wins when the article's other places are in it or a qualifier
    names it; the rule only moves the prior.

    >>> namesake_regions([])
    frozenset()
    """
    return frozenset(
        f"{c.place.country_code}.{c.place.admin1}" for c in candidates
        if c.place.feature.startswith("PPL") and c.match_kind != "variant"
        and (c.place.population or 0) >= NAMESAKE_CITY_POPULATION and c.place.admin1
    )


#: A region whose point lies this close to a city of its name inside it is,
#: in news, that city: "fighting in Raqqa", "talks in Geneva", "born in Salzburg",
#: "Russia shelled Kherson" (the oblast's point is 75 km from the city's).
NAMESAKE_CITY_KM: Final = 100.0
# Evidence that the text means the region itself: the region as the
# container of the name before it ("Tal Abyad, Raqqa"). (A list of regions
# is no such evidence: "Raqqa and Hama" is a list of regions only because
# "Raqqa" was first read as one.)
_REGION_EVIDENCE: Final = frozenset({"container"})
# A plural generic after a list of names: "Raqqa and Hama provinces".
_PLURAL_AREA_AFTER: Final = re.compile(
    # One way to split a run of names (a separator, then one capitalised
    # word), so a failed match backtracks in linear, not exponential, time.
    r"(?:(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+|\s+)[A-Z][\w'\u2019.-]*)*"
    r"\s+(?:states|provinces|governorates|regions|cantons|oblasts|prefectures|departments)\b"
)


def plural_area_after(text: str, end: int) -> bool:
    """Tell whether a list ending in a plural region generic follows a name ("Raqqa and Hama provinces").

    Also a lone "region" after the name ("the Kherson region"): as a cue for
    scoring it would be wrong in the US, where "the Charlotte region" is the
    city's metro area, but a first-level region so named stays the region.

    >>> plural_area_after("in Raqqa and Hama provinces", 8), plural_area_after("in Raqqa and Hama", 8)
    (True, False)
    >>> plural_area_after("in the Kherson region", 14)
    True
    """
    return (_PLURAL_AREA_AFTER.match(text, end, min(len(text), end + 80)) is not None
            or _REGION_AFTER.match(text, end) is not None)


_REGION_AFTER: Final = re.compile(r"\s+region\b", re.IGNORECASE)


def city_of_region(res: Resolution, candidates: Sequence[Candidate]) -> Place | None:
    """Return the city a first-level region's reading stands for, if one lies at its point.

    Where a small region and its main city share a name ("Raqqa", "Geneva",
    "Salzburg"), both readings put the name at nearly the same spot, and news
    means the city: the map should say so. Only a city that bears the name
    as much as the region does (its own name, or an alias where the region
    has it as an alias only; no variant spelling), inside the region and within
    :data:`NAMESAKE_CITY_KM` of its point, qualifies; a region that a
    container decided ("Tal Abyad, Raqqa") stays the region. (Big regions,
    whose point lies far from their namesake city, are weighed by the
    scoring instead: see :func:`namesake_regions`.) The caller checks the
    words around the name (:func:`area_before`, :func:`plural_area_after`).

    Parameters
    ----------
    res
        A mention's resolution.
    candidates
        The candidates it was chosen from.

    Returns
    -------
    Place or None
        The most populous such city, or None to keep the resolution.

    Examples
    --------
    >>> city_of_region(Resolution(None, 0.0, "none"), [])
    """
    region = res.place
    if region is None or region.feature != "ADM1" or any(k in _REGION_EVIDENCE for k, _v in res.features):
        return None
    # The city must bear the name at least as much as the region does:
    # "Oklahoma" is an alias of Oklahoma City, whose point the state's
    # nearly shares, but the name is the state's own.
    kinds = {"exact": ("exact",), "alias": ("exact", "alias")}.get(
        next((c.match_kind for c in candidates if c.place.id == region.id), "variant"), ())
    best: Place | None = None
    for c in candidates:
        p = c.place
        if (p.feature.startswith("PPL") and c.match_kind in kinds and p.country_code == region.country_code
                and p.admin1 == region.admin1
                and haversine_km(p.lat, p.lon, region.lat, region.lon) < NAMESAKE_CITY_KM
                and (best is None or (p.population or 0) > (best.population or 0))):
            best = p
    return best


def _renamed(name: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """Return the towns that have ``name`` only as an alias quite unlike their own name.

    GeoNames lists old and informal names: Dayton, Ohio is also "Venice",
    Richmond, Virginia also "Manchester", Fremont, California also
    "Centerville". Where some place bears the name itself, such a town is a
    worse reading than a plain alias: "New York" for New York City or
    "Sirt" for Sirte share most of their letters and are not penalised.
    (Weight chosen on the even-numbered documents of the news corpora,
    confirmed on the odd ones; see benchmarks/results/accuracy.md.)
    """
    if not any(c.match_kind == "exact" for c in candidates):
        return []
    key = normalize(name)
    out = []
    for c in candidates:
        if c.match_kind == "alias" and c.place.feature.startswith("PPL"):
            own = normalize(c.place.name)
            if key not in own and ratio(key, own) < _RENAMED_SIMILARITY:
                out.append(c)
    return out


# Below this rapidfuzz ratio an alias is another name, not another spelling
# ("Venice"/"Dayton" 17, "Manchester"/"Richmond" 22; "Kiev"/"Kyiv" 75).
_RENAMED_SIMILARITY: Final = 60


def _qualifies(cand: Candidate, qualifier: frozenset[str]) -> bool:
    return in_qualifier(cand.place, qualifier)


def in_qualifier(place: Place, qualifier: frozenset[str]) -> bool:
    """Tell whether a place lies in a country or region of ``qualifier`` (see :func:`qualifier_regions`)."""
    return (place.country_code or "") in qualifier or f"{place.country_code}.{place.admin1}" in qualifier


_QUALIFIER: Final = re.compile(r"^,\s*([A-Z][\w'\u2019.\-]*(?:\s+[A-Z][\w'\u2019.\-]*){0,3})")


def qualifier_after(text: str, end: int) -> str | None:
    """Return the capitalised name right after ", " following a mention, if any.

    >>> qualifier_after("Paris, Texas, said", 5)
    'Texas'
    >>> qualifier_after("in Washington, New York and Boston", 13) is None
    True
    >>> qualifier_after("Paris, Texas and Rome, Georgia", 5)
    'Texas'
    """
    if text[end:end + 1] != ",":
        return None  # (most mentions: the pattern starts with the comma)
    m = _QUALIFIER.match(text[end:end + 60])
    if m is None:
        return None
    rest = text[end + m.end():end + m.end() + 60]
    more = _LIST_TAIL.match(rest)
    if more and not _COMMA_CAPITAL.match(rest, more.end()):
        # "stops in Washington, New York and Boston": three items of a list,
        # not Washington in New York state. "Paris, Texas and Rome, Georgia",
        # where the next item has its own qualifier, keeps both.
        return None
    return m.group(1)


_LIST_TAIL: Final = re.compile(r"\s*,?\s+(?:and|or|&)\s+[A-Z][\w'\u2019.\-]*(?:\s+[A-Z][\w'\u2019.\-]*)*")
_COMMA_CAPITAL: Final = re.compile(r"\s*,\s*[A-Z]")


def qualifier_regions(cands: Sequence[Candidate]) -> frozenset[str]:
    """Return the countries and first-level regions a qualifier's candidates name.

    Codes are ``CC`` for a country and ``CC.ADM1`` for a first-level region
    ("Tikrit, Iraq", "Paris, Texas"). A second-level region counts as its
    first-level one ("Rockingham, Northamptonshire" is in England), but only
    when the name is no country or first-level region: "Washington" is the
    state before any Washington County.
    """
    top = frozenset(
        c.place.region_code for c in cands
        if c.place.country_code and (c.place.feature.startswith("PCL") or c.place.feature == "ADM1")
    )
    if top:
        return top
    # Not by a county's short name: "in Paris, Henry said" puts Paris in no Henry County.
    return frozenset(f"{c.place.country_code}.{c.place.admin1}" for c in cands
                     if c.place.country_code and c.place.admin1 and c.place.feature == "ADM2"
                     and not c.needs_context)


_COMMA_GAP: Final = re.compile(r"\s*,\s*")
# "California or Washington", "Oregon, and Washington": a list, not a container.
_AND_GAP: Final = re.compile(r"\s*,?\s+(?:and|or|&)\s+")


def container_of(
    text: str, prev: tuple[Mention, Resolution] | None, m: Mention
) -> tuple[str, str | None, bool] | None:
    """Return (country, admin1, is_region) of the place right before this mention after a comma.

    In "Tacoma, Washington" or "Albany, New York" the second name is the
    container of the first: the state, not the capital city or the big city
    of the same name. After a region ("Michigan, Oregon, New York") it is
    the next item of a list of regions, and so it is after "and" or "or"
    ("western states such as California or Washington"). ``prev`` is the
    previous mention of the same text with its first resolution; None at the
    start.
    """
    if prev is None:
        return None
    pm, pres = prev
    place = pres.place
    if place is None or not place.country_code or pm.field != m.field:
        return None
    gap = text[pm.end:m.start]
    if _COMMA_GAP.fullmatch(gap) or (place.feature == "ADM1" and _AND_GAP.fullmatch(gap)):
        return place.country_code, place.admin1, place.feature == "ADM1"
    return None


# A name ending in an administrative generic ("Boone County", "Nyanza
# Province") names an administrative area: an airport or a town that merely
# starts the same way ("Boone County Airport") is the wrong kind of thing.
_ADMIN_GENERIC: Final = re.compile(
    r"\s(county|parish|province|governorate|oblast|prefecture|district|municipality|borough|"
    r"department|canton|region|state)$",
    re.IGNORECASE,
)


def compatible(name: str, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
    """Drop candidates whose kind contradicts the generic word in the name.

    >>> compatible("Boone County", [])
    []
    """
    if not _ADMIN_GENERIC.search(name.strip()):
        return candidates
    return areas(candidates)


# Generics of regions that GeoNames names without them ("Oaxaca", not "Oaxaca
# State"). Not "county" or "parish": "Texas County" is no name of Texas.
_REGION_TAIL: Final = re.compile(r" (?:state|province|region|governorate|prefecture|oblast|department|territory)$")


def region_head(key: str) -> str | None:
    """Return a normalised name without its trailing region generic, or None if it has none.

    >>> region_head("oaxaca state"), region_head("ohio county")
    ('oaxaca', None)
    """
    head = _REGION_TAIL.sub("", key)
    return head if head != key and head else None


# A part of a place named by a direction or a district word before it
# ("Northeast Georgia", "South Philadelphia", "Metro Nashville", "Western
# Kasai", "North-East England").
_PART_OF: Final = re.compile(
    r"(?:(?:north|south)?(?:[ -]?(?:east|west))?ern|(?:north|south)(?:[ -]?(?:east|west))?|east|west"
    r"|central|greater|metro|downtown|midtown|uptown|historic)[ -]+(.+)",
    re.IGNORECASE,
)


# Words that name a kind of area, not one area: "South Coast", "Central
# Plateau", "North Eastern Province" are no parts of Kenya's Coast province,
# Nigeria's Plateau state or any Eastern Province.
_GENERIC_PARTS: Final = frozenset({
    "coast", "plateau", "metro", "central", "eastern", "western", "northern", "southern", "district",
    "province", "region", "valley", "highlands", "lowlands", "islands", "island", "delta", "shore", "side",
    "end", "bank", "county", "city", "town", "village", "area", "zone", "sector", "state", "territory",
    "coastal", "mountains", "lakes", "plains", "desert", "hills", "capital",
})


def part_head(name: str) -> str | None:
    """Return the place a name marks a part of ("Northeast Georgia": "Georgia"), or None.

    >>> part_head("northeast georgia"), part_head("North-East England"), part_head("Metro Nashville")
    ('georgia', 'England', 'Nashville')
    >>> part_head("North-Western Sydney"), part_head("Southwestern Ontario")
    ('Sydney', 'Ontario')
    >>> part_head("north"), part_head("Georgia"), part_head("South Coast"), part_head("North Eastern Province")
    (None, None, None, None)
    """
    m = _PART_OF.fullmatch(name)
    if m is None or all(w in _GENERIC_PARTS for w in m.group(1).lower().split()):
        return None
    return m.group(1)


# A US or Canadian township: a civil division news names like a town
# ("Readington Township", "Madison Twp."), mostly around a village of its name.
_TOWNSHIP_TAIL: Final = re.compile(r" (?:township|twp)\.?$")


def township_head(key: str) -> str | None:
    """Return a normalised township name without "Township" ("twp."), or None if it has none.

    >>> township_head("readington township"), township_head("madison twp."), township_head("township")
    ('readington', 'madison', None)
    """
    head = _TOWNSHIP_TAIL.sub("", key)
    return head if head != key and head else None


def township_seats(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Return the US and Canadian towns a township of their name may be around, as readings in context.

    The gazetteer has no townships; the village that gave one its name is
    usually inside it. A namesake is only a guess, so it counts only where
    the article puts its state in view (``needs_context``), and no big city
    or capital stands for a township ("Washington Township" is no Washington, D.C.).
    """
    return [dataclasses.replace(c, needs_context=True) for c in candidates
            if c.place.country_code in ("US", "CA") and c.place.feature.startswith("PPL")
            and c.place.feature != "PPLC" and (c.place.population or 0) < MAJOR_POPULATION
            and c.match_kind != "variant"]


def subdivisions(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep first- and second-level regions: what "X Province" can be (not the country X)."""
    return [c for c in candidates if c.place.feature in ("ADM1", "ADM2")]


def areas(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep the candidates that are administrative areas, countries or regions."""
    return [c for c in candidates if c.place.feature.startswith(("ADM", "PCL", "RGN", "TERR"))]


# "Heathrow airport", "O'Hare Airport": the field, not a namesake town.
AIRPORT_AFTER: Final = re.compile(r"\s+(?:international\s+)?(?:airport|airfield|air\s+base)\b", re.IGNORECASE)


def airports(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep the candidates that are airports."""
    return [c for c in candidates if c.place.feature == "AIRP"]


# "Terry Jolly, 60, Lebanon, was arrested", "Rebecca Sears, 41, of Grovetown": where a
# person lives, in the news' own style, is a town, not a country of the name.
HOMETOWN_BEFORE: Final = re.compile(r"\b[A-Z][\w.'\u2019-]*,\s*\d{1,3},\s*(?:of\s+)?$")


def hometown_before(text: str, start: int) -> bool:
    """Tell whether :data:`HOMETOWN_BEFORE` ends right before ``start`` (a name, an age and commas)."""
    # The pattern's two commas, counted in C, rule out almost every name
    # before the pattern is tried at each of the 40 positions.
    lo = max(0, start - 40)
    return text.count(",", lo, start) >= 2 and HOMETOWN_BEFORE.search(text, lo, start) is not None


def towns(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep the candidates that are no country, continent or wider region."""
    return [c for c in candidates if not c.place.feature.startswith(("PCL", "CONT", "RGN", "TERR"))]


# "New York state", "Lagos State": a generic the NER left out of the name.
AREA_AFTER: Final = re.compile(r"\s+(?:state|province|governorate|oblast|canton|prefecture)\b", re.IGNORECASE)
# "the state of New York", "the province of Quebec": the generic comes first.
AREA_BEFORE: Final = re.compile(
    r"\b(?:state|province|governorate|region|county|prefecture|district|department|canton|oblast) of (?:the )?$",
    re.IGNORECASE,
)
# What AREA_BEFORE's last three characters can be, lower-cased: "of " or "the ".
_AREA_BEFORE_TAILS: Final = frozenset({"of ", "he "})


def area_before(text: str, start: int) -> bool:
    """Tell whether a generic and "of" end right before ``start`` (:data:`AREA_BEFORE`)."""
    # Most names follow some other word: three characters tell, where the
    # pattern would be tried at each of 40 positions. (No character but
    # the ASCII ones folds to "o", "f", "t", "h" or "e" in IGNORECASE; "$"
    # also matches before a line break that ends the window.)
    end = start - 1 if text[start - 1:start] == "\n" else start
    return (text[end - 3:end].lower() in _AREA_BEFORE_TAILS
            and AREA_BEFORE.search(text, max(0, start - 40), start) is not None)


#: Places known well enough to go by any of their names: the major ones, and
#: airports, which go by their short names ("Heathrow").
_PROMINENT_CODES: Final = MAJOR_FEATURES | {"AIRP"}


def weak_alias(name: str, candidates: Sequence[Candidate]) -> bool:
    """Tell whether a one-word name only matches alternate names of minor places.

    GeoNames lists many alternate names ("Levi" for Rand, "Noma" for Nome)
    that news uses as people's first names; such a match is weak evidence,
    unlike an alternate name of a country or a big city ("Burma", "Bombay").

    >>> weak_alias("Ras Lanuf", [])
    False
    """
    if " " in name.strip() or "-" in name or not candidates:
        return False
    return all(c.match_kind != "exact" and c.place.feature not in _PROMINENT_CODES
               and (c.place.population or 0) < MAJOR_POPULATION for c in candidates)


def _backed(place: Place, context: Context, qualifier: frozenset[str],
            container: tuple[str, str | None, bool] | None) -> bool:
    """Tell whether the article puts a place's first-level region (or county) in view."""
    region = f"{place.country_code}.{place.admin1}"
    if region in qualifier or (container is not None and container[:2] == (place.country_code, place.admin1)):
        return True
    county = place.county_code
    return bool(context.admin1.get(region) or context.support.get(region)
                or (county is not None and context.county.get(county)))


#: The namesake regions of a name's readings, the ids of its renamed towns,
#: whether it is a weak alias, whether a sea or lake bears it, and its world
#: city if any (see :func:`_readings_facts`).
_Facts = tuple[frozenset[str], set[int], bool, bool, Place | None]
#: What a name's readings say whatever the context (see :func:`_readings_facts`),
#: by the name and the readings' identity, with the readings themselves,
#: whose reference keeps their ids from being reused while the entry lives.
_READINGS_FACTS: Final[dict[tuple[str, tuple[int, ...]], tuple[Sequence[Candidate], _Facts]]] = {}
_READINGS_FACTS_SIZE: Final = 4096


def _readings_facts(name: str, candidates: Sequence[Candidate]) -> _Facts:
    """Return what a name's readings say whatever the context.

    Its namesake regions, the ids of its renamed towns, :func:`weak_alias`,
    :func:`_names_water` and :func:`_world_city`.

    Memoised per process: the same name with the same readings comes back in
    the second pass and in other articles (the gazetteer hands out the same
    candidate objects). The set is shared: read it, never change it.
    """
    key = (name, tuple(map(id, candidates)))
    known = _READINGS_FACTS.get(key)
    if known is not None:
        return known[1]
    # Renamed towns by identity: dataclass == is slow.
    facts = (namesake_regions(candidates), {id(c) for c in _renamed(name, candidates)}, weak_alias(name, candidates),
             _names_water(candidates), _world_city(candidates))
    if len(_READINGS_FACTS) >= _READINGS_FACTS_SIZE:
        _READINGS_FACTS.clear()
    _READINGS_FACTS[key] = (tuple(candidates), facts)
    return facts


#: A city abroad outshines a small namesake town of the article's country when
#: it is this many times bigger (Geneva, Switzerland: 200,000; Geneva,
#: Illinois: 22,000).
WORLD_CITY_RATIO: Final = 5
#: What puts a town in view below the country level.
_LOCAL_EVIDENCE: Final = frozenset({"support", "county", "context_admin1", "context_container", "qualifier",
                                    "container", "list_of_regions"})


def _names_water(candidates: Sequence[Candidate]) -> bool:
    """Tell whether a sea, gulf, ocean or lake bears the name exactly."""
    return any(c.match_kind == "exact" and c.place.feature in WATER_FEATURES for c in candidates)


def _world_city(candidates: Sequence[Candidate]) -> Place | None:
    """Return the biggest city among a name's exact readings if it is a major one, else None."""
    best: Place | None = None
    for c in candidates:
        p = c.place
        if (c.match_kind == "exact" and c.feature_class == "P" and (p.population or 0) >= MAJOR_POPULATION
                and (best is None or (p.population or 0) > (best.population or 0))):
            best = p
    return best


def _outshone(place: Place, world: Place, context: Context, feats: Sequence[tuple[str, float]]) -> bool:
    """Tell whether a small town owes its lead only to its country being in the article, against a world city.

    "Diplomats from the United States met in Geneva": the country is an
    actor of the story, not where it happens, and Geneva, Illinois has no
    more claim than that. The town keeps the bonus when the article names
    another place below the country level there (an Irish story's Newport
    stays Irish, not Newport, Wales), puts the town's region or county in
    view, or names a container after it.
    """
    if (place.country_code == world.country_code or place.country_code in context.local
            or place.feature.startswith(("PCL", "ADM"))):
        return False
    pop = place.population or 0
    if pop >= MAJOR_POPULATION or WORLD_CITY_RATIO * pop > (world.population or 0):
        return False
    keys = {k for k, v in feats if v}
    return "context_country" in keys and not keys & _LOCAL_EVIDENCE


def resolve_mention(
    mention: Mention,
    candidates: Sequence[Candidate],
    context: Context,
    *,
    qualifier: frozenset[str] = frozenset(),
    container: tuple[str, str | None, bool] | None = None,
) -> Resolution:
    """Pick the best candidate for one mention.

    Returns
    -------
    Resolution
        The winner with its probability among the candidates as score, or
        ``Resolution(None, 0.0, "none")`` when there are no candidates.
    """
    candidates = compatible(mention.text, candidates)
    if any(c.needs_context for c in candidates):
        # "Issue", "Crown", "Ruby": a town known only from the postal list is
        # a reading of the name only where the article puts it in its state
        # (a qualifier, a county, other places there), and so is "Clay" for
        # a Clay County; elsewhere the other readings compete without it.
        candidates = [c for c in candidates
                      if not c.needs_context or _backed(c.place, context, qualifier, container)]
        if not candidates:
            return Resolution(place=None, score=0.0, method="none", features=(("needs_context", 0.0),))
    if not candidates:
        return Resolution(place=None, score=0.0, method="none")
    scored = []
    namesakes, renamed, weak, water, world = _readings_facts(mention.text, candidates)
    if not context.countries:
        world = None  # (no country bonus to take back)
    for cand in candidates:
        raw, feats = score_candidate(cand, context, qualifier, namesakes, container)
        if water and cand.place.feature.startswith("ADM"):
            # "Houthis attacked ships in the Red Sea": the sea, not Sudan's
            # Red Sea State, whose population outweighs a sea's none. The
            # words can still ask for the region ("Red Sea state"): an area
            # cue leaves only areas to choose from.
            raw -= WEIGHTS["named_after_water"]
            feats = (*feats, ("named_after_water", -WEIGHTS["named_after_water"]))
        if world is not None and _outshone(cand.place, world, context, feats):
            bonus = next(v for k, v in feats if k == "context_country")
            raw -= bonus
            feats = (*feats, ("world_city_abroad", -bonus))
        if id(cand) in renamed:
            raw -= WEIGHTS["other_name"]
            feats = (*feats, ("other_name", -WEIGHTS["other_name"]))
        scored.append((raw, cand, feats))
    scored.sort(key=lambda t: (-t[0], t[1].place.id))
    top = scored[0][0]
    total = sum(math.exp(s - top) for s, _c, _f in scored)
    prob = 1.0 / total
    raw, best, feats = scored[0]
    feats = tuple((k, round(v, 3)) for k, v in feats if v)
    if weak and best.place.country_code not in context.countries:
        # "Noma", "Salah", "Hadad": a name that is only an alternate name
        # of some small town abroad. Without the article's countries behind
        # it, it is left unresolved rather than sent there.
        return Resolution(place=None, score=0.0, method="none", features=(*feats, ("weak_alias", 0.0)))
    # A variant spelling is never certain, however alone it is.
    confidence = prob * (best.similarity if best.match_kind == "variant" else 1.0)
    method = "context" if any(k in ("context_country", "qualifier", "container") for k, _v in feats) else "gazetteer"
    return Resolution(place=best.place, score=round(confidence, 4), method=method, features=feats)
