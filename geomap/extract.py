"""Recognise place-name mentions in text.

Two recognisers are merged here, both pure:

* named-entity spans (GPE, LOC, FAC) that a caller computed with spaCy and
  passes in as plain ``(start, end, label)`` tuples, and
* a gazetteer matcher over capitalised word runs, which finds names NER
  misses (Ras Lanuf, Beni Jawad) and is the whole recogniser in fast mode.

False positives are filtered with the NER's PERSON/ORG/NORP spans when
given, a stoplist of capitalised non-places (titles, months, news agencies,
group names) and the article's own use of the word in lower case.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate, chain, compress, count
from operator import itemgetter, not_, or_
from typing import Final, Protocol

from geomap.model import MAJOR_FEATURES, MAJOR_POPULATION, Field, Mention
from geomap.text import ARABIC_ARTICLES, dotted_abbreviation, furniture_header, normalize, sentence_spans

PLACE_LABELS: Final = frozenset({"GPE", "LOC", "FAC"})
# Entity labels whose spans are never places themselves, even when they
# contain one ("Islamic State", "Fajr Libya", "John Kerry").
BLOCKING_LABELS: Final = frozenset({"PERSON", "ORG", "NORP", "DATE", "TIME", "EVENT", "WORK_OF_ART",
                             "LAW", "PRODUCT", "LANGUAGE", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})

MAX_TOKENS: Final = 6


class NameIndex(Protocol):
    """What the gazetteer matcher needs to know about names.

    An index may also offer ``prefetch_names(names)``, answering many
    ``has_name`` questions at once (:meth:`geomap.gazetteer.Gazetteer.prefetch_names`);
    the matcher calls it first when it is there.
    """

    def has_name(self, name: str) -> bool:
        """Return True when the name is the exact or alternate name of a place."""
        ...


@dataclass(frozen=True)
class EntitySpan:
    """An entity from an external NER: character offsets and a label."""

    start: int
    end: int
    label: str


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Return the normalised capitalised words that are never places on their own."""
    text = resources.files("geomap").joinpath("data/not_places.txt").read_text(encoding="utf-8")
    return frozenset(
        normalize(line) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


_TOKEN: Final = re.compile(r"[^\W\d_][\w\u2019'\-\.]*", re.UNICODE)
# The same tokens as a capture group, for re.split: the text comes back as
# alternating gaps and tokens, all cut in C (a finditer loop in Python was the
# fast mode's largest cost).
_TOKEN_SPLIT: Final = re.compile(f"({_TOKEN.pattern})", re.UNICODE)
# The same tokens where every character is ASCII or one of _NO_WORD_CHARS
# (most news text): there a letter is [A-Za-z] and a word character
# [A-Za-z0-9_], which the engine tests against a bitmap instead of asking
# the Unicode database about each character (the tokenisation's largest cost).
_PLAIN_TOKEN_SPLIT: Final = re.compile(r"([A-Za-z][A-Za-z0-9_\u2019'\-\.]*)")
#: Characters beyond ASCII that news text often holds and that are no word
#: characters: quotes, dashes, an ellipsis, currency signs, spaces.
_NO_WORD_CHARS: Final = "\u00a0\u00a3\u00a9\u00b0\u200b\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u2022\u2026\u20ac"
_NOT_PLAIN: Final = re.compile(f"[^\\x00-\\x7f{_NO_WORD_CHARS}]")


def _token_split(text: str) -> list[str]:
    """Return ``_TOKEN_SPLIT.split(text)``, with the faster pattern where it gives the same."""
    if text.isascii() or _NOT_PLAIN.search(text) is None:
        return _PLAIN_TOKEN_SPLIT.split(text)
    return _TOKEN_SPLIT.split(text)


_CONNECTORS: Final = frozenset({"of", "de", "del", "al", "el", "la", "le", "du", "des", "upon", "on", "an",
                         "ad", "as", "es", "ash", "az", "ar", "at", "bin", "ibn", "da", "do", "dos"})
_TRIMMABLE: Final = frozenset("s.'\u2019-")


@dataclass(frozen=True)
class _Words:
    """A text's name-forming words, computed once per text (each text is read twice).

    Only the words that can be part of a name are kept: capitalised words,
    connectors ("of", "al", "bin") and "the" after "of". ``spans`` are their
    offsets with possessives and trailing dots cut off; ``cap`` tells which
    start with a capital; ``reach[i]`` is the last index of the run of
    capitalised words and connectors that starts at ``i``, joined by spaces
    or hyphens on one line (``i`` itself when the next word does not join it).
    ``lower`` holds the text's other words as written, each once. (Whatever
    separates two kept words that were not adjacent holds a word, so no gap
    test can join them: keeping only these words changes no run.)
    """

    spans: list[tuple[int, int]]
    words: list[str]
    cap: list[bool]
    reach: list[int]
    lower: frozenset[str]


def _trim(word: str) -> str:
    last = word[-1]
    if last == "s":
        # A possessive ("Libya's"); other words ending in s stay whole.
        trimmed = word[:-2] if len(word) > 2 and word[-2] in "'\u2019" else word
    elif last in ".'\u2019":
        # Keep the dots of abbreviations like "U.S." but not a sentence's last dot.
        keep = last == "." and ((word.count(".") > 1 and len(word) <= 6) or dotted_abbreviation(word))
        trimmed = word if keep else word[:-1]
    else:
        trimmed = word
    return trimmed.rstrip("-") if trimmed[-1:] == "-" else trimmed


# Lower-case words that may join a name.
_JOINERS: Final = frozenset(_CONNECTORS | {"the"})


def _is_joiner(word: str) -> bool:
    """Tell whether a lower-case token joins a name once trimmed ("of", "al", "of.", "aL")."""
    return word in _JOINERS or _trim(word).lower() in _JOINERS


def _case_forms(word: str) -> set[str]:
    forms = {""}
    for ch in word:
        forms = {f + c for f in forms for c in {ch.lower(), ch.upper()}}
    return forms


# The other lower-case tokens _is_joiner accepts that can join a name: a
# connector in odd case ("aL") or with a hyphen after it ("al- Qaeda"). With
# any other ending ("of.", "al's") the gap after the word holds a stop or an
# apostrophe and joins nothing. Rare, so the exact per-token test runs only
# in a text that holds one.
_ODD_JOINERS: Final = frozenset(
    form + end for word in _JOINERS for form in _case_forms(word) if form[0].islower() for end in ("", "-")
) - _JOINERS


# An Arabic article joined by a hyphen to a capitalised word is one token and
# part of a name: "Deir ez-Zor", "Sharm el-Sheikh", "Jisr al-Shughur", "el-Arish".
_ARTICLES: Final = frozenset({"al", "el", "il", "ul", "as", "es", "ash", "ad", "ed", "az", "ez", "ar", "er", "at", "et",
                       "an", "en", "ud", "us", "ur", "ush"})
# A hyphen between a lower-case and a capital letter: the cheap first test
# (it starts with a literal, so the scan runs at C speed; a pattern starting
# with the articles' alternation cost 3% of the fast mode's time).
_HYPHEN_CAP: Final = re.compile(r"-(?=[A-Z])(?<=[a-z]-)")


def _articled(word: str) -> bool:
    """Tell whether a lower-case token is an Arabic article hyphened to a capitalised word ("ez-Zor")."""
    head, sep, tail = word.partition("-")
    return bool(sep) and head in _ARTICLES and tail[:1].isupper()


def _has_articled(text: str) -> bool:
    """Tell whether the text holds an Arabic article hyphened to a capitalised word."""
    for m in _HYPHEN_CAP.finditer(text):
        k = j = m.start()
        while j > 0 and k - j < 4 and text[j - 1].isalpha():
            j -= 1
        if text[j:k] in _ARTICLES and (j == 0 or not text[j - 1].isalnum()):
            return True
    return False


# A lower-case prefix joined to a name by a hyphen makes a new word of it
# ("mid-Atlantic", "trans-Atlantic", "euro-Atlantic", "sub-Saharan"): the name
# in it is no mention of the place. (Arabic articles, "al-", "el-", are part
# of the name, and "Syrian-Turkish" joins two names: neither is matched here.)
_AFFIXED: Final = re.compile(
    r"(?<![\w-])(?:mid|trans|sub|pan|anti|pro|post|pre|non|inter|intra|neo|euro|afro|indo|sino|anglo|franco)-\Z"
)


@lru_cache(maxsize=2)
def _words(text: str) -> _Words:
    parts = _token_split(text)
    tokens = parts[1::2]
    # parts alternate gap, token, gap, ..., gap: a token starts where the
    # parts before it end. The maps below run in C, not per token in Python.
    starts = list(accumulate(map(len, parts)))[0::2]
    is_cap = list(map(str.isupper, map(itemgetter(0), tokens)))
    articled = _has_articled(text)
    if articled:
        # (Rare: the per-token test runs only in a text that holds one.)
        is_cap = [c or _articled(t) for c, t in zip(is_cap, tokens, strict=True)]
    lower = frozenset(compress(tokens, map(not_, is_cap)))
    joins = map(_JOINERS.__contains__ if lower.isdisjoint(_ODD_JOINERS) else _is_joiner, tokens)
    keep = compress(count(), map(or_, is_cap, joins))
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    # The kept words right after another kept word in the text (the next
    # token): only between those can the gap be a space or a hyphen.
    adjacent: list[int] = []
    last = -2
    for k in keep:
        word = tokens[k]
        if word[-1] in _TRIMMABLE:
            word = _trim(word)
            if not word:
                continue
        if word in _LOWER_THE and not (word == "the" and k and _trim(tokens[k - 1]) == "of"):
            # Only "of the" inside a name joins: "Democratic Republic of the Congo".
            continue
        if k == last + 1:
            adjacent.append(len(words))
        last = k
        s = starts[k]
        spans.append((s, s + len(word)))
        words.append(word)
    cap = list(map(str.isupper, map(itemgetter(0), words)))  # (words are never empty)
    if articled:
        cap = [c or _articled(w) for c, w in zip(cap, words, strict=True)]
    reach = list(range(len(words)))
    for k in reversed(adjacent):  # right to left, so a run's end carries back
        gap = text[spans[k - 1][1]:spans[k][0]]
        if gap == " " or ("\n" not in gap and (gap in _GAPS or gap.strip() in ("", "-"))):
            reach[k - 1] = reach[k]
    return _Words(spans, words, cap, reach, lower)


_GAPS: Final = frozenset({" ", "-", "- ", " -"})
# "the" in any case but a capital first: the words whose lower case is "the" and that start with no capital.
_LOWER_THE: Final = frozenset(form for form in _case_forms("the") if not form[0].isupper())

# An unknown name the NER calls a place whose head is a gathering is the
# gathering ("the Ministerial Conference of the Global Coalition Against ISIS"),
# unless a building or a street follows ("Kenyatta International Convention
# Centre", "Forum Drive"). Its words name no place of their own either.
_EVENT_NAME: Final = re.compile(
    r"\b(?:Conference|Summit|Meeting|Forum|Congress|Convention|Festival|Expo|Olympics|Championships?)\b"
    r"(?!\s+(?:Cent(?:er|re)|Hall|Building|Complex|Palace|Arena|Stadium|Grounds?|Drive|Road|Street|Avenue|"
    r"Boulevard|Way|Lane|Square|Park)\b)"
)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or _articled(word)


def extract(
    text: str,
    index: NameIndex,
    *,
    entities: Sequence[EntitySpan] | None = None,
    field: Field = "text",
    boilerplate: Sequence[tuple[int, int]] = (),
    demonyms: bool = True,
) -> list[Mention]:
    """Find place-name mentions in a text.

    Parameters
    ----------
    text
        The text; mention offsets index into it.
    index
        The gazetteer's name index.
    entities
        NER spans over the same text, or None when no NER ran (fast mode).
    field
        Which article field the text is (``text`` or ``title``).
    boilerplate
        Spans of boilerplate (link lists, captions); mentions inside them are
        flagged.
    demonyms
        Also return demonyms ("Libyan", "Russian") as mentions with
        ``recognizer="demonym"``, when the index knows them.

    Returns
    -------
    list[Mention]
        Non-overlapping mentions in text order. ``text[m.start:m.end] == m.text``.
    """
    found: dict[tuple[int, int], Mention] = {}
    blocked: list[tuple[int, int, str]] = []
    stop = stoplist()
    # The surnames of the people the NER found named in full, with where each
    # first ends: the same word alone after that is the person again ("Maya
    # Harden died ... Harden was nine"), even where the NER calls it a place.
    surnames_at: dict[str, int] = {}
    for ent in entities or ():
        if ent.label == "PERSON" and " " in text[ent.start:ent.end].strip():
            surnames_at.setdefault(text[ent.start:ent.end].split()[-1], ent.end)
    for ent in entities or ():
        if ent.label in PLACE_LABELS:
            span = _clean_entity(text, ent.start, ent.end)
            if span:
                span = _name_after_generic(text, span, index)
            for piece in _comma_pieces(text, span, index) if span else ():
                surface = text[piece[0]:piece[1]]
                if surface.islower() and " " not in surface:
                    continue  # "the metro area", "the gulf": a common noun the NER took for a place
                if _AFFIXED.search(text, max(0, piece[0] - 8), piece[0]):
                    continue  # "mid-Atlantic states", "euro-Atlantic integration": a word made of the name
                if normalize(surface) not in stop and not _CAMEL_ACRONYM.fullmatch(surface):
                    # The NER calls "Sri Lankan" a place at times: a demonym
                    # that names no place is read as the demonym it is.
                    if not index.has_name(surface) and _is_demonym(index, surface):
                        if demonyms:
                            found[piece] = _mention(text, piece, field, "demonym", boilerplate)
                        continue
                    if (surface.isupper() and sum(ch.isalpha() for ch in surface) <= 3
                            and not _is_area(index, surface) and not _is_major(index, surface)):
                        continue  # "AI", "IoT": an acronym, not the alias of a small town (Baxter, Tennessee)
                    if _EVENT_NAME.search(surface) and not index.has_name(surface):
                        # "the Ministerial Conference of the Global Coalition", tagged
                        # FAC: the gathering, whose words name no place of their own.
                        blocked.append((piece[0], piece[1], "EVENT"))
                        continue
                    if (piece[0] > surnames_at.get(surface, len(text)) and not _as_place(text, piece)
                            and not _major_by_name(index, surface)):
                        continue
                    found[piece] = _mention(text, piece, field, "ner", boilerplate)
            continue
        if ent.label == "NORP" and demonyms:
            span = _clean_entity(text, ent.start, ent.end)
            if span and _is_demonym(index, text[span[0]:span[1]]):
                found[span] = _mention(text, span, field, "demonym", boilerplate)
                continue
        if ent.label in BLOCKING_LABELS:
            blocked.append((ent.start, ent.end, ent.label))
    if entities is None and demonyms:
        # Fast mode: capitalised words that are demonyms ("Libyan", "Russian").
        ws = _words(text)
        # Asked once per distinct word, then looked for.
        demonym = getattr(index, "demonym", None)
        named = set() if demonym is None else {
            w for w in set(compress(ws.words, ws.cap)) if not w.isupper() and demonym(w) is not None}
        if named:
            for k in compress(count(), map(named.__contains__, ws.words)):
                found[ws.spans[k]] = _mention(text, ws.spans[k], field, "demonym", boilerplate)

    # Words of the people the article names in full ("John Kerry"): a lone
    # "Kerry" or "Jordan" later is that person, not the place.
    person_words = {w for s, e, label in blocked if label == "PERSON" and len(text[s:e].split()) > 1
                    for w in text[s:e].split()}
    taken = _Coverage(len(text), found)
    blocks = _Blocks(blocked)
    person_ends = frozenset(e for _s, e, label in blocked if label == "PERSON")
    silenced: list[tuple[int, int]] = []  # known names dropped for the NER's verdict on them alone
    def heads_public_body(span: tuple[int, int]) -> bool:
        outer = blocks.containing(span)
        return outer is not None and _survives_blocking(text, span, outer)

    # Without the NER, the surnames of people the text names in full ("Tom
    # Jones") mark the same word alone as that person ("Jones said"). (With
    # it, only the words around each occurrence do: see _person_at.)
    name_ends: dict[str, int] | None = {} if entities is None else None
    # The spans found so far by where they end, kept beside ``found``: the
    # qualifier test asks for the name before a comma at every known name,
    # and scanning ``found`` each time made a long text quadratic.
    ends = _SpansByEnd(found)
    for span, recognizer in _gazetteer_spans(text, index, stop, heads_public_body, name_ends):
        if taken.overlaps(span):
            pieces = _ner_pieces(found, span) if recognizer == "gazetteer" and span not in found else None
            if not pieces:
                continue
            # The NER cut a long name into places ("Democratic Republic" +
            # "Congo"): the gazetteer's whole name is the place.
            for piece in pieces:
                del found[piece]
                ends.drop(piece)
            found[span] = _mention(text, span, field, recognizer, boilerplate)
            ends.add(span)
            taken.add(span)
            continue
        surface = text[span[0]:span[1]]
        # A region right after "<place>, " is that place's county or state
        # ("Ripley, Derbyshire"), whatever the NER made of it (it often says
        # PERSON for a lone "-shire" word).
        qualifier = _qualifies_place(index, text, span, found, ends)
        # (Only the NER's verdicts need overruling: without NER, nothing blocks.)
        grammar = entities is not None and _grammar_wants_place(text, span, blocks, person_ends)
        if (entities is not None and recognizer == "gazetteer" and " " not in surface
                and "-" not in surface and not _major_here(index, surface) and not qualifier and not grammar):
            # The NER saw this word and did not call it a place: a lone
            # small-town name is more often a surname ("Trump", "Bryant"),
            # unless the grammar wants a place there (_grammar_wants_place).
            if _tagged_as_itself(text, span, blocks):
                silenced.append(span)
            continue
        major = _is_major(index, surface) and surface not in person_words
        if not (qualifier or grammar) and not _survives_blocking(text, span, blocks.containing(span), major=major):
            if recognizer == "gazetteer" and _tagged_as_itself(text, span, blocks):
                silenced.append(span)
            continue
        if span not in found:
            ends.add(span)
        found[span] = _mention(text, span, field, recognizer, boilerplate)
    _add_listed_beside_places(text, found, silenced, field, boilerplate)
    for span in [sp for sp in found if _after_title(text, sp[0])]:
        if name_ends is not None:
            name_ends.setdefault(text[span[0]:span[1]], span[0])  # "President Obama"
        del found[span]
    # Only where the text names the person before it uses the name alone:
    # "Jackson is a city ... named after Andrew Jackson" keeps its town.
    first_use: dict[str, int] = {}
    for (start, _e), m in sorted(found.items()):
        first_use.setdefault(m.text, start)
    surnames = {w: pos for w, pos in (surnames_at if name_ends is None else name_ends).items()
                if pos < first_use.get(w, len(text))}
    for span in [sp for sp, m in found.items()
                 if m.recognizer == "gazetteer" and _person_at(index, text, sp, surnames)]:
        del found[span]
    _join_split_names(text, found, index, field, boilerplate)
    _split_hyphen_pairs(text, found, index, stop, blocks, field, boilerplate)
    _add_articled_entities(text, found, blocked, index, field, boilerplate)
    _drop_city_of_body(text, found, index, field, boilerplate)
    _add_county_lists(text, found, field, boilerplate)
    _add_party_hometowns(text, found, index, field, boilerplate)
    eponyms = _disease_eponyms(text, found, index)
    for span in [sp for sp, m in found.items() if m.text in eponyms and not _as_place(text, sp)]:
        del found[span]
    _one_sense_per_discourse(text, found, blocks, field, boilerplate, skip=eponyms,
                             person=lambda span: _person_at(index, text, span, surnames))
    return [found[k] for k in sorted(found)]


# A list of counties by their short names: "Becker, Clay, Douglas and Otter Tail
# counties", "Cooke, Grayson and Love counties", "Orleans and Jefferson parishes".
_COUNTY_NAME: Final = r"[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,2}"
# Matched backwards from each "counties" within a bounded stretch, so a long
# run of capitalised words costs linear time, not quadratic.
_COUNTY_LIST: Final = re.compile(
    rf"(?<![\w.'\u2019-])(?:{_COUNTY_NAME}, )*{_COUNTY_NAME},? (?:and|or|&) {_COUNTY_NAME}$"
)
_COUNTY_LIST_END: Final = re.compile(r" (?:counties|parishes)\b")
_COUNTY_LIST_REACH: Final = 400  # characters: eight or ten names
_COUNTY_LIST_ITEM: Final = re.compile(_COUNTY_NAME)
_ITEM_STOP: Final = re.compile(r"(\S+\.) ")
# Capitalised words that start a sentence or a phrase, not a county's name ("In Harvey").
_LIST_LEAD: Final = re.compile(
    r"(?:In|The|From|At|On|For|Of|To|By|With|Across|And|Both|Neighboring|Neighbouring|Small|Large|Rural|Nearby) "
)


def county_lists(text: str) -> list[list[tuple[int, int]]]:
    """Return the spans of the names in each list of counties ("Cooke, Grayson and Love counties").

    The plural says what each name is, though alone "Clay", "Grant" or
    "Love" is a word or a person; the names need not be known places.

    >>> t = "Flooding hit Clay, Wilkin and Otter Tail counties."
    >>> [[t[s:e] for s, e in names] for names in county_lists(t)]
    [['Clay', 'Wilkin', 'Otter Tail']]
    """
    lists = []
    for end in _COUNTY_LIST_END.finditer(text):
        m = _COUNTY_LIST.search(text, max(0, end.start() - _COUNTY_LIST_REACH), end.start())
        if m is None:
            continue
        spans = []
        for item in _COUNTY_LIST_ITEM.finditer(text, m.start(), m.end()):
            start = item.start()
            # "Nebraska. Dakota": a sentence ends inside the item (not "St. Lucie").
            for stop in _ITEM_STOP.finditer(text, start, item.end()):
                if not dotted_abbreviation(stop.group(1)):
                    start = stop.end()
            while (lead := _LIST_LEAD.match(text, start, item.end())) is not None:
                start = lead.end()
            if start < item.end():
                spans.append((start, item.end()))
        lists.append(spans)
    return lists


def _add_county_lists(text: str, found: dict[tuple[int, int], Mention], field: Field,
                      boilerplate: Sequence[tuple[int, int]]) -> None:
    """Add the names of county lists that no other mention covers (see :func:`county_lists`).

    Their recognizer is ``county_list``: unlike a name the NER or the
    gazetteer found, such a name ("Clay", "Love") is not copied to its other
    occurrences in the article, which are as often a person.
    """
    if "counties" not in text and "parishes" not in text:
        return
    taken = _Coverage(len(text), found)
    for span in (span for names in county_lists(text) for span in names):
        if not taken.overlaps(span):
            found[span] = _mention(text, span, field, "county_list", boilerplate)
            taken.add(span)


# US politicians' party and hometown: "Sen. Tom Bakk, DFL-Cook", "(R-Marshall)".
_PARTY_HOME: Final = re.compile(r"(?<![\w.-])(?:R|D|I|DFL)-([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=[,;)\s])")
# What every tag holds, "R-M" or "L-C": a pattern that starts with a
# character class is a fast scan, where _PARTY_HOME's lookbehind is tried at
# every position. Most texts have no tag.
_PARTY_TAG: Final = re.compile(r"[RDIL]-[A-Z]")


def _add_party_hometowns(text: str, found: dict[tuple[int, int], Mention], index: NameIndex, field: Field,
                         boilerplate: Sequence[tuple[int, int]]) -> None:
    """Add the hometown in a US politician's party tag ("Rep. Marty Seifert, R-Marshall").

    Its recognizer is ``party_home``: like a county list's names, a
    hometown that is also a surname is not copied to the article's other
    uses of the word.
    """
    if "-" not in text or _PARTY_TAG.search(text) is None:
        return
    for m in _PARTY_HOME.finditer(text):
        span = m.span(1)
        if not index.has_name(m.group(1)):
            continue
        over = [sp for sp in found if sp[0] < span[1] and span[0] < sp[1]]
        # The whole tag read as an unknown name ("DFL-Cook") gives way.
        if all(found[sp].recognizer == "variant" for sp in over):
            for sp in over:
                del found[sp]
            found[span] = _mention(text, span, field, "party_home", boilerplate)


# "and"/"or" only: a comma also joins a name to its state or a title to its place ("Side by Side, St. Petersburg").
def _tagged_as_itself(text: str, span: tuple[int, int], blocks: _Blocks) -> bool:
    """Tell whether the NER left ``span`` untagged or tagged exactly it (not a longer name)."""
    outer = blocks.containing(span)
    return outer is None or _clean_entity(text, outer[0], outer[1]) == span


# The gaps between the members of a list: "Žilina, Nitra, Prešov and Košice".
_LIST_GAP: Final = re.compile(r",? (?:and|or) |, ")


def _add_listed_beside_places(text: str, found: dict[tuple[int, int], Mention], silenced: Sequence[tuple[int, int]],
                              field: Field, boilerplate: Sequence[tuple[int, int]]) -> None:
    """Add the known names the NER dropped that are members of a list of places.

    "Stores in Žilina, Nitra, Prešov and Košice": the small model tags Nitra
    ORG and Prešov PRODUCT. A list has an "and" or an "or" (a comma alone
    also joins a name to its state or a title to its place: "Side by Side,
    St. Petersburg") and at least one member found as a place; a word the
    article also writes in lower case stays a word ("the North Side").
    """
    if not silenced:
        return
    lowered = _lowered(_words(text).lower)
    places = {sp for sp, m in found.items() if m.recognizer not in ("demonym", "variant")}
    dropped = {sp for sp in silenced if normalize(text[sp[0]:sp[1]]) not in lowered}
    members = sorted(places | dropped)
    chain: list[tuple[int, int]] = []
    has_and = False

    def close() -> None:
        if has_and and any(sp in places for sp in chain):
            for sp in chain:
                if sp not in places:
                    found[sp] = _mention(text, sp, field, "gazetteer", boilerplate)

    for sp in members:
        gap = text[chain[-1][1]:sp[0]] if chain else None
        if gap is not None and _LIST_GAP.fullmatch(gap):
            chain.append(sp)
            has_and = has_and or gap != ", "
            continue
        close()
        chain, has_and = [sp], False
    close()


def _one_sense_per_discourse(
    text: str,
    found: dict[tuple[int, int], Mention],
    blocks: _Blocks,
    field: Field,
    boilerplate: Sequence[tuple[int, int]],
    skip: frozenset[str] = frozenset(),
    person: Callable[[tuple[int, int]], bool] | None = None,
) -> None:
    """Add the other occurrences of names already taken as places (except ``skip``).

    ``person`` tells which occurrences name a person (:func:`_person_at`):
    they are not copies of the place, whether or not the NER saw the person.

    The small NER model tags the same town GPE in one sentence and PERSON or
    ORG in the next ("an Alexandria man", "Alexandria police"); a writer
    means one place by one name within an article. Occurrences inside a
    longer entity ("Alexandria Blizzard") stay out, and so do all-capital
    datelines ("MANSFIELD —") unless the name is long enough to be no acronym.
    """
    names = {m.text for m in found.values() if m.recognizer in ("ner", "gazetteer") and len(m.text) > 2} - skip
    if not names:
        return
    # Deliberately not done: skipping names the NER calls a person as often as a
    # place ("said Noma") gained GeoWebNews .008 F1 but cost WikToR 5 points
    # of recall ("Aurora is a city in..." is tagged PERSON there).
    # Nor is a word of a person named in full left uncopied ("Salah" after
    # "Mohamed Salah"): GeoWebNews +.004 F1, WikToR -4.5 points of recall, as
    # towns named after people ("Jackson" beside "Andrew Jackson") lost repeats.
    taken = _Coverage(len(text), found)
    for name in sorted(names):
        forms = [name] + ([name.upper()] if len(name) > 3 and not name.isupper() else [])
        for form in forms:
            for span in _occurrences(text, form):
                if span in found or taken.overlaps(span):
                    continue
                outer = blocks.containing(span)
                if outer is not None and (outer[1] - outer[0]) > (span[1] - span[0]):
                    continue
                if _after_title(text, span[0]) or (person is not None and person(span)):
                    continue
                found[span] = _mention(text, span, field, "discourse", boilerplate)
                taken.add(span)


# Heads of public bodies that take their jurisdiction's name as a modifier:
# metonymy for the place ("the Ohio Department of Development", "U.S. Supreme
# Court", "Dublin City Council"). Organisations merely named after a place
# (universities, hospitals, newspapers, companies: "Colorado State
# University", "Washington Post", "Sirte Oil Company") are not the place.
_BODY_HEAD: Final = (
    r"(?:Department|Dept\.|Ministry|Government|Council|Court|Legislature|Assembly|Parliament|Senate|House"
    r"|Police|Sheriff|Patrol|Guard|Army|Navy|Air\s+Force|Armed\s+Forces|Forces|Military|Embassy|Consulate"
    r"|Commission|Agency|Board|Bureau|Office|Service|Census|Attorney|Treasury|Cabinet|Election|Governor"
    r"|Authority|Survey|Administration|Centers|Institutes|Secretary|City\s+Hall|Town\s+Hall)"
)
_JURISDICTION: Final = r"(?:State|City|County|National|Supreme|Federal|Municipal|Fire|Health|Coast|Highway)"
# Right after a name in running text, only a jurisdiction word may come
# between it and the head: "South Central Ambulance Service" is no "South".
_INSTITUTION: Final = re.compile(rf" +(?:{_JURISDICTION} +)?{_BODY_HEAD}(?![\w-])")
# Inside an organisation the NER found, up to three capitalised modifiers may
# ("U.S. Fish and Wildlife Service", "Texas Parks & Wildlife Department").
_INSTITUTION_IN_ORG: Final = re.compile(
    rf"(?: +(?:[A-Z][\w'\u2019.-]*|and|&)){{0,3}}? +{_BODY_HEAD}(?![\w-])"
)
# ...or the place follows the head: "the Government of Libya", "the Supreme Court of India".
_INSTITUTION_OF: Final = re.compile(rf"\b{_BODY_HEAD} +of +(?:the +)?$")


# A title or role right before a name makes it a person's: "coach Ripley",
# "Mrs. Lincoln", "President Jackson", "Sen. Kerry". Not "Miss": "Miss Ohio"
# is a pageant of the place.
_TITLE_ABBREVIATIONS: Final = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt",
                        "Cmdr", "Sgt", "Cpl", "Pvt", "Adm", "Maj", "Rev", "Hon")
_TITLE_WORDS: Final = ("Madam", "Sir", "Dame", "Lady", "Lord", "President", "Senator", "Governor", "Mayor", "Judge",
                "Justice", "Coach", "coach", "Officer", "officer", "Detective", "Deputy", "Sheriff", "Chancellor",
                "Premier", "Ambassador", "Bishop", "Pastor", "Rabbi", "Imam", "Pope", "Sheikh", "Professor",
                "Doctor", "Sergeant", "Captain", "Lieutenant", "Colonel", "General", "Admiral", "Councilman",
                "Councilwoman", "Commissioner", "Superintendent", "Principal", "Trooper", "Inspector",
                "Constable", "Chief")
_TITLE_BEFORE: Final = re.compile(
    rf"(?:\b(?:{'|'.join(_TITLE_ABBREVIATIONS)})\.?|\b(?:{'|'.join(_TITLE_WORDS)}))\s+$"
)
_TITLES: Final = (*_TITLE_ABBREVIATIONS, *_TITLE_WORDS)


# A disease named after a place ("Marburg virus", "Lassa fever", "Reston
# ebolavirus") names the disease, and so does the bare name in the same
# article ("died of Marburg", "Ebola in Africa"); only "in/near/at Marburg"
# or "Marburg, Germany" is the town. Narrower than _PLACE_PREPOSITION:
# "died from Marburg" is the disease. Countries, regions and big cities are
# left alone: "Wuhan virus" does not make every "Wuhan" of a Covid story a
# disease.
_DISEASE_AFTER: Final = re.compile(
    r"\s+(?:virus(?:es)?|ebolavirus|(?:h(?:a)?emorrhagic\s+)?fever|flu|influenza|disease|encephalitis"
    r"|syndrome)\b",
    re.IGNORECASE,
)
# A place noun said of the name: "Alta is a town in", "Alta, a city of".
_PLACE_PREDICATE: Final = re.compile(
    r"(?:,|\s+(?:is|was))\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:town|city|village|hamlet|municipality|commune|community|borough|township|suburb|settlement"
    r"|census-designated\s+place|county|parish|district|province|region|state|island|port|capital)\b"
)
_LOCATIVE: Final = re.compile(r"\b(?:in|near|at|outside)\s+(?:the\s+)?$")
_QUALIFIED: Final = re.compile(r",\s+[A-Z]")


def _person_at(index: NameIndex, text: str, span: tuple[int, int], name_ends: dict[str, int]) -> bool:
    """Tell whether a small place's one-word name is, here, a person's.

    After a title or a first name ("President Obama", "Tom Jones"), as a
    speaker ("Jones said"), or alone after the text named the person in
    full ("Jones" after "Tom Jones": ``name_ends`` gives where, from the
    NER's people or, in fast mode, from runs of capitalised words), unless
    the grammar makes it a place ("in Jones", "Jones, Oklahoma"). A
    country's name, or a big city's or region's own name, stays a place
    (:func:`_major_by_name`).
    """
    word = text[span[0]:span[1]]
    if " " in word:
        return False
    person = (span[0] > name_ends.get(word, len(text)) or _speaker(text, span[0], span[1])
              or _after_title(text, span[0]) or _after_first_name(text, span[0]))
    return person and not _as_place(text, span) and not _major_by_name(index, word)


def _after_first_name(text: str, start: int) -> bool:
    before = _FIRST_NAME_BEFORE.search(text, max(0, start - 30), start)
    return before is not None and before.group(1) not in _NOT_FIRST_NAMES


def _major_by_name(index: NameIndex, word: str) -> bool:
    """Tell whether ``word`` names a country or continent, or is a big place's own name.

    "Chen", "Wang" and "Park" are only aliases of big places somewhere;
    "Jordan" and "Lincoln" are the names of a country and a city of 290,000,
    and "Britain" is a country's, alias or not.
    """
    lookup = getattr(index, "lookup", None)
    if lookup is None:
        return _is_major(index, word)
    return any(c.place.feature.startswith(_COUNTRY_LIKE) or (c.match_kind == "exact" and (
        c.place.feature in _NAMED_MAJOR or (c.place.population or 0) >= MAJOR_POPULATION))
        for c in lookup(word, limit=20, variants=False))


def _major_here(index: NameIndex, word: str) -> bool:
    """Tell whether a lone word the NER left untagged is still a major place's name.

    A short word in title case ("Lu", "Jin", "Can", "Wash") must be the own
    name of a major place ("Java", "Lima"): as an alias of one (Luzhou,
    Tsu, Caen, Washington) it is far more often a surname, a pet's name or
    an English word. Longer words and abbreviations ("Calcutta", "NSW",
    "S.C.") count as aliases too.
    """
    lookup = getattr(index, "lookup", None)
    if lookup is None or not (len(word) <= 4 and word.isalpha() and word[1:].islower()):
        return _is_major(index, word)
    return any(c.match_kind == "exact" and (c.place.feature in MAJOR_FEATURES or (
        c.feature_class == "P" and (c.place.population or 0) >= MAJOR_POPULATION))
        for c in lookup(word, limit=20, variants=False))


_COUNTRY_LIKE: Final = ("PCL", "TERR", "CONT", "RGN")
# Besides places of 100,000 people, the named places that outweigh a person
# of that name; a small region, capital or island does not (Uruguay's Flores
# department after "Matthew D. Flores", New Zealand's Nelson after "Roy A. Nelson").
_NAMED_MAJOR: Final = frozenset({"SEA", "OCN", "GULF", "LK", "RSV", "CNL"})


# A capitalised word and one space right before a name: "Tom Jones", unless
# the word is one that starts a sentence or a place's name ("Although
# Quincy", "Greater Eureka", "In Jones").
_FIRST_NAME_BEFORE: Final = re.compile(r"(?<![\w.'\u2019-])([A-Z][a-z]+) $")
_NOT_FIRST_NAMES: Final = frozenset(
    "In At Near From To Into Onto The And Of On For By As Although Though While Within When Where Whereas "
    "After Before Since Because If Unless Until Unlike Like With Without Via Across Around Outside Inside "
    "Throughout Between Beyond Behind Below Beneath Beside Besides During Despite Under Over Above Along Among "
    "Toward Towards Through Upon Against Both Each Every All Some Many Most Much Only Even Also But Or Nor So "
    "Yet Then Thus Hence However Meanwhile Today Yesterday Tomorrow Tonight Last Next This That These Those "
    "Its His Her Their Our My Your A An Greater Old New Upper Lower Downtown Central Historic Metro Northern "
    "Southern Eastern Western North South East West Northeast Northwest Southeast Southwest Mid Little Big "
    "Great Fort Port Mount Lake Saint San Santa".split()
)


def _as_place(text: str, span: tuple[int, int]) -> bool:
    """Tell whether the grammar makes a name a place: "in Marburg", "Marburg, Germany"."""
    before = _LOCATIVE.search(text, max(0, span[0] - 12), span[0])
    return before is not None or _QUALIFIED.match(text, span[1]) is not None


def _disease_eponyms(text: str, found: dict[tuple[int, int], Mention], index: NameIndex) -> frozenset[str]:
    """Names of minor places that the article uses as the name of a disease.

    Any occurrence of a found name counts, found or not: "Reston ebolavirus"
    makes "Reston" a disease's name also where the NER took the word for a
    person's ("Ebola Reston") and no mention was kept.
    """
    out = set()
    for name in {m.text for m in found.values()}:
        # The memoised question first: most names are big places, never eponyms.
        if not _is_major(index, name) and any(_DISEASE_AFTER.match(text, end) for _s, end in _occurrences(text, name)):
            out.add(name)
    return frozenset(out)


def _after_title(text: str, start: int) -> bool:
    """Tell whether a person's title or role comes right before ``start``."""
    lo = max(0, start - 16)
    # The pattern is tried only where the last word before the space ends in
    # a title ("Sen." once its dot is cut): a C-level test that rules out
    # nearly every name, where the pattern would be tried at 16 positions.
    before = text[lo:start]
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return False  # no whitespace before the name
    if stripped.endswith("."):
        stripped = stripped[:-1]
    return stripped.endswith(_TITLES) and _TITLE_BEFORE.search(text, lo, start) is not None


def _occurrences(text: str, word: str) -> Iterator[tuple[int, int]]:
    """Spans of ``word`` in ``text`` not inside a longer word or hyphenated compound."""
    start = text.find(word)
    n = len(word)
    while start >= 0:
        end = start + n
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            yield start, end
        start = text.find(word, start + 1)


# A dash, colon or semicolon set off by spaces: no name runs across one.
_ENTITY_BREAK_AFTER: Final = re.compile(r"\s+[-\u2013\u2014:;]\s")
_ENTITY_BREAK_BEFORE: Final = re.compile(r"\s[-\u2013\u2014:;]\s+\Z")


def _survives_blocking(
    text: str, span: tuple[int, int], outer: tuple[int, int, str] | None, *, major: bool = False
) -> bool:
    """Decide whether a gazetteer span inside a non-place entity is still a place.

    A known name inside a longer PERSON/ORG entity ("Fajr Libya", "John
    Kerry") is not a place. When the entity is exactly the name, the small
    NER model is often wrong about multi-word Arabic place names ("Ras Lanuf"
    as PERSON) and about single names in lists ("cities: Derna, Sirte" with
    Derna as ORG): the name is kept when it has several words, or when it is
    not a PERSON and follows a place cue or is a major place (``major``).
    ``outer`` is the non-place entity that contains the span, if any.
    """
    if outer is not None:
        s, e, label = outer
        cleaned = _clean_entity(text, s, e)
        if cleaned is not None and cleaned != span and (
                (cleaned[0] == span[0] and _ENTITY_BREAK_AFTER.match(text, span[1], cleaned[1]))
                or (cleaned[1] == span[1] and _ENTITY_BREAK_BEFORE.search(text, cleaned[0], span[0]))):
            # The NER ran the entity across a dash or a colon ("Sri Lanka -
            # approximately 28,500" as PERSON): its part on the name's side is
            # the entity the NER meant.
            cleaned = span
        if cleaned != span:
            # Metonymy: a place heading a public body names its jurisdiction
            # ("the Ohio Department of Development", "U.S. Supreme Court",
            # "Dublin City Council"), unlike a brand or a group ("Fajr Libya").
            if label != "ORG" or cleaned is None:
                return False
            if cleaned[0] == span[0]:
                # (The head may run past the NER's span: "the Minnesota State" + "Patrol".)
                return _INSTITUTION_IN_ORG.match(text, span[1]) is not None
            return cleaned[1] == span[1] and _INSTITUTION_OF.search(text, cleaned[0], span[0]) is not None
        surface = text[span[0]:span[1]]
        multi = " " in surface or "-" in surface
        # A country, region or big city the NER calls an organisation is
        # usually that place acting ("the EU agreed", "Trade with the EU");
        # the small model also tags lone town names as people ("Alexandria
        # is a finalist"), which ``major`` already excludes for the words of
        # people named in full.
        return multi or major or (label != "PERSON" and _after_cue(text, span[0]))
    return True


# Where people go, live or were born: the word after is a place even when
# the small NER model calls it a person ("driving to Castlegar", "born in
# Manchester"); a bare "to" or "in" is not enough ("talked to Kelly").
_TRAVEL: Final = re.compile(
    r"\b(?:(?:driv(?:e|es|ing|en)|drove|fl(?:y|ies|ying|ew|own)|travel(?:s|led|ling|ed|ing)?|"
    r"mov(?:e|es|ed|ing)|relocat(?:e|es|ed|ing)|went|go(?:es|ing|ne)?|head(?:s|ed|ing)?|"
    r"return(?:s|ed|ing)?|commut(?:e|es|ed|ing)|deport(?:s|ed|ing)?|evacuat(?:e|es|ed|ing)|"
    r"sail(?:s|ed|ing)?|trip|journey|miles|kilometres|kilometers|km|fle(?:e|es|eing|d)|"
    r"advanc(?:e|es|ed|ing)|march(?:es|ed|ing)?|push(?:es|ed|ing)|retreat(?:s|ed|ing)?|withdr(?:ew|aw|awn|awing)|"
    r"(?:north|south)(?:-?(?:east|west))?(?:wards?)?|(?:east|west)(?:wards?)?)"
    r"(?:\s+back)?\s+(?:to|from|into|towards?)|(?:advanc(?:e|es|ed|ing)|march(?:es|ed|ing)?)\s+on|"
    r"(?:bound|destined|headed|heading)\s+for|"
    r"(?:born|raised|grew\s+up|lives?|lived|living|based|headquartered|stationed|located)\s+(?:in|near))\s+$"
)


def _grammar_wants_place(text: str, span: tuple[int, int], blocks: _Blocks, person_ends: frozenset[int]) -> bool:
    """Tell whether the words around a known name make it a place, whatever the NER said.

    Where people go or were born ("driving to Castlegar", "northeast to
    Pibor"), what the text calls a place ("Alta is a town in Utah", "the
    town of Pulawy"), a mistagged name right after
    "in" or "at" ("officials in Dogubayazit"), a place's people ("Roselle
    police"), a site of the place ("Dadaab camps"), a dateline ("HARTFORD —"),
    where a person is from ("Mindy Miller of Ravenel").
    """
    return (_after_travel(text, span)
            or _KIND_OF.search(text, max(0, span[0] - 20), span[0]) is not None
            or _PLACE_PREDICATE.match(text, span[1]) is not None
            or _misread_after_preposition(text, span, blocks)
            or _PLACE_PEOPLE_AFTER.match(text, span[1]) is not None
            or _local_body_of(text, span)
            or _site_of(text, span, blocks)
            or _dateline(text, span)
            or _hometown_of(text, span, person_ends))


# What the text calls the place: "the town of Pulawy", "the port city of Sfax".
_KIND_OF: Final = re.compile(
    r"\b(?:city|town|village|hamlet|port|province|district|governorate|municipality|suburb|oasis|island"
    r"|county|state)\s+of\s+$"
)


def _misread_after_preposition(text: str, span: tuple[int, int], blocks: _Blocks) -> bool:
    """Tell whether the NER mistagged or missed a lone known name where grammar wants a place.

    The small model tags many lone town names ORG, NORP or PERSON, or
    nothing, even right after "in": "officials in Dogubayazit", "a home in
    Delano", "a temple in Ayodhya". An organisation rarely follows "in",
    "near", "outside" or "at" as exactly a place's name, and a person or an
    untagged word rarely follows "in", "near" or "outside"; "at" a person is
    a visit ("at Kelly's"), so possessives and PERSON after "at" keep the veto.
    """
    outer = blocks.containing(span)
    if outer is None:
        return _IN_NEAR_OUTSIDE.search(text, max(0, span[0] - 12), span[0]) is not None
    if outer[2] not in ("ORG", "NORP", "PERSON") or _clean_entity(text, outer[0], outer[1]) != span:
        return False
    if text.startswith(("'s", "\u2019s"), span[1]):
        return False
    cue = _IN_NEAR_OUTSIDE if outer[2] == "PERSON" else _PLACE_PREPOSITION_ONLY
    return cue.search(text, max(0, span[0] - 12), span[0]) is not None


_PLACE_PREPOSITION_ONLY: Final = re.compile(r"\b(?:in|near|outside|at)\s+(?:the\s+)?$")
_IN_NEAR_OUTSIDE: Final = re.compile(r"\b(?:in|near|outside)\s+$")


# A lone name before its people or its public services is their place:
# "Roselle police ticketed...", "Lombard residents", "Watertown schools".
_PLACE_PEOPLE_AFTER: Final = re.compile(
    r" (?:police|officials|residents|authorities|officers|firefighters|voters|schools|councilmen|councilors"
    r"|councillors|aldermen|taxpayers|homeowners|businesses)\b"
)


# A town's own services, by their names: "DeKalb Police", "Brownsboro Police
# Department", "Athens Parks and Recreation", "the Corsicana City Council".
_LOCAL_BODY_AFTER: Final = re.compile(
    r" (?:(?:City|Town|Township|Village|Borough) )?(?:Police|Fire (?:Department|Chief|Rescue)|Parks and Recreation"
    r"|City Council|Town Council|Village Board|Board of (?:Education|Aldermen|Selectmen)|Public Schools"
    r"|City Schools|School District|Mayor|City Manager|City Hall|Town Hall|Public Library)\b"
)
# Words that head services of a state rather than a town ("Federal Police",
# "Metropolitan Police", "Capitol Police"), some of them also a place's name somewhere.
_NOT_A_TOWN: Final = frozenset(
    "state city county national supreme federal municipal metropolitan capitol military border transit campus "
    "tribal university royal secret special central regional provincial local village town new airport "
    "vice deputy acting former interim assistant".split()
)
# The capitalised word before a name, if any: "Southwest Middlesex Mayor"
# is a longer name's service, not Middlesex's.
_CAPITALISED_BEFORE: Final = re.compile(r"\b(?!The\b)[A-Z][\w'\u2019-]* +$")


def _local_body_of(text: str, span: tuple[int, int]) -> bool:
    """Tell whether a town's service follows the name ("DeKalb Police")."""
    return (_LOCAL_BODY_AFTER.match(text, span[1]) is not None
            and text[span[0]:span[1]].lower() not in _NOT_A_TOWN
            and _CAPITALISED_BEFORE.search(text, max(0, span[0] - 30), span[0]) is None)


# A dateline: "HARTFORD — Connecticut legislators...", "MONROE - Federal...",
# "COLUMBUS, Ohio (AP) —". The place opens the story, in capitals, before a dash.
_DATELINE_AFTER: Final = re.compile(
    r"(?:,[^\n\-\u2013\u2014]{1,25})?(?:\s*\([A-Z]{2,4}\))?\s*(?:-{1,3}|\u2013|\u2014)\s"
)
_DATELINE_BEFORE: Final = re.compile(r"(?:^|[.!?\n])\s*$")


def _dateline(text: str, span: tuple[int, int]) -> bool:
    """Tell whether a name in capitals opens a story before a dash ("CROMWELL — Police thought...")."""
    surface = text[span[0]:span[1]]
    return (surface.isupper() and sum(c.isalpha() for c in surface) > 3
            and _DATELINE_AFTER.match(text, span[1]) is not None
            and _DATELINE_BEFORE.search(text, max(0, span[0] - 3), span[0]) is not None)


# A site named after the place it is at: "the Yanacocha mine", "Dadaab
# camps", "the Pirbright laboratory", "Randwick racecourse".
_SITE_AFTER: Final = re.compile(
    r" (?:camps|farms?|mines?|laborator(?:y|ies)|labs?|racecourse|refinery|oilfield|airport|airbase|dam|port"
    r"|hospital|prison|slaughterhouse|abattoir|plant|factory|market)\b"
)


# Sites that are seldom a person's (unlike "the Trump camp", "the Smith farm",
# "Kennedy airport"): where the NER says PERSON, only these count.
_SITE_NOT_PERSONAL: Final = re.compile(r" (?:camps|mines?|laborator(?:y|ies)|racecourse|refinery|oilfield)\b")


def _site_of(text: str, span: tuple[int, int], blocks: _Blocks) -> bool:
    """Tell whether a lone name heads a site of its place ("the Yanacocha mine"), not a person's."""
    outer = blocks.containing(span)
    if outer is not None and _clean_entity(text, outer[0], outer[1]) != span:
        return False
    site = _SITE_NOT_PERSONAL if outer is not None and outer[2] == "PERSON" else _SITE_AFTER
    return site.match(text, span[1]) is not None


# "<person>, 41, of <town>" and "north of <town>": where people are from,
# and a direction from a place.
_OF_AFTER_PERSON: Final = re.compile(r"(?:,\s*\d{1,3})?,?\s+of\s+$")
_DIRECTION_OF: Final = re.compile(
    r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east"
    r"|south-west)\s+of\s+$", re.IGNORECASE)


def _hometown_of(text: str, span: tuple[int, int], person_ends: frozenset[int]) -> bool:
    """Tell whether a name follows "<person> of" or "<direction> of" ("Mindy Miller of Ravenel")."""
    before = text[max(0, span[0] - 20):span[0]]
    if not before.endswith(("of ", "of\n")):
        return False
    if _DIRECTION_OF.search(before):
        return True
    m = _OF_AFTER_PERSON.search(before)
    return m is not None and span[0] - len(before) + m.start() in person_ends


def _after_travel(text: str, span: tuple[int, int]) -> bool:
    if text.startswith(("'s", "\u2019s"), span[1]):
        return False  # "went to Warden's home": a person's
    before = text[max(0, span[0] - 40):span[0]]
    return bool(_TRAVEL.search(before) or _TAKEN.search(before))


# What is seized, shelled or raided, or battered by a storm, is a place: the
# small NER model tags the town after these verbs as a person ("militants
# seized Palmyra", "fighters raided Baga", "storms battered Cornwall"). Not
# "attacked", "captured" or "hit", whose object is often a person.
_TAKEN: Final = re.compile(
    r"\b(?:seiz(?:e|es|ed|ing)|recaptur(?:e|es|ed|ing)|retook|retak(?:e|es|en|ing)|overr(?:an|un|uns|unning)|"
    r"storm(?:s|ed|ing)|besieg(?:e|es|ed|ing)|shell(?:s|ed|ing)|bomb(?:s|ed|ing)|bombard(?:s|ed|ing)|"
    r"raid(?:s|ed|ing)|liberat(?:e|es|ed|ing)|encircl(?:e|es|ed|ing)|"
    r"batter(?:s|ed|ing)|lash(?:es|ed|ing)|pound(?:s|ed|ing)|ravag(?:e|es|ed|ing)|devastat(?:e|es|ed|ing))"
    r"\s+(?:the\s+)?$"
)


_TRAILING_JOIN: Final = re.compile(r"\s+(?:and|or|&)$")
# A lower-case generic after a name is no part of it ("Hebei province", "the
# Puno region", "Ituri district"): the corpora mark the name alone, and the
# resolver reads the generic as a hint that an area is meant. Capitalised,
# it may belong to the name ("Nyanza Province", "Rift Valley Province").
_TRAILING_GENERIC: Final = re.compile(r"\s+(?:province|region|district|state|governorate|prefecture|oblast)$")


def _clean_entity(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim a leading "the", a trailing possessive and a trailing "and" from an NER span."""
    s, e = start, end
    if text[s:e].lower().startswith("the "):
        s += 4
    m = re.search(r"['\u2019]s?$", text[s:e])
    if m:
        e = s + m.start()
    while e > s and not text[e - 1].isalnum() and text[e - 1] != ".":
        e -= 1
    m = _TRAILING_JOIN.search(text, s, e)
    if m:
        e = m.start()  # "Bosnia and" (the NER cut "Bosnia and Herzegovina" in two)
    m = _TRAILING_GENERIC.search(text, s, e)
    if m:
        e = m.start()
    if e > s and text[e - 1] == "." and text[s:e].count(".") == 1 and not dotted_abbreviation(text[s:e].split()[-1]):
        e -= 1  # a sentence's full stop, not an abbreviation's ("Lexington, Ky.")
    return (s, e) if e > s and any(c.isalpha() for c in text[s:e]) else None


# A jurisdiction's formal style before its name: "the City of Santa Ana",
# "the Province of Ontario", "the Village of Glen Carbon". Not "Republic",
# "Kingdom", "District" or "Gulf", whose "<X> of <Y>" are names of their own
# ("District of Columbia").
_GENERIC_OF: Final = re.compile(
    r"(?:City|Town|Village|Township|Borough|State|Province|Commonwealth|Municipality|Prefecture|Governorate)"
    r"\s+of\b(?:\s+the\b)?\s*"
)
_ENDS_IN_OF: Final = re.compile(r"\s+of$")


def _name_after_generic(text: str, span: tuple[int, int], index: NameIndex) -> tuple[int, int] | None:
    """Return the name inside an NER span like "City of Santa Ana", or None for a fragment.

    The jurisdiction is the named place: the corpora mark "Santa Ana" in
    "the City of Santa Ana", and the gazetteer knows the name, seldom the
    style. A style the gazetteer knows as a whole stays whole ("City of
    London" is not London). A span that ends in "of" ("The City of" before
    "Paris", as the small NER model cuts it) names nothing.
    """
    if _ENDS_IN_OF.search(text, span[0], span[1]):
        return None
    m = _GENERIC_OF.match(text, span[0], span[1])
    if m is None or m.end() >= span[1] or index.has_name(text[span[0]:span[1]]):
        return span
    return (m.end(), span[1])


def _comma_pieces(text: str, span: tuple[int, int], index: NameIndex) -> list[tuple[int, int]]:
    """Split an NER place span into the names it holds, unless the whole is one known name.

    The small NER model often reads a place and its county or state as one
    entity ("Donington Park, Leicestershire", "Lexington, Ky."), two places
    as one ("Cattai and Wilberforce", "Central Africa - Nigeria"), or a
    town with its council ("Santa Ana City Council"); the corpora, and a
    map, want each name on its own, as the gazetteer matcher finds them.
    "Washington, D.C." and "Trinidad and Tobago" are names of their own and
    stay whole. Pieces that do not start with a capital ("Paris, and") are
    dropped.
    """
    surface = text[span[0]:span[1]]
    if not _JOINED.search(surface) or index.has_name(surface):
        return [span]
    if "," in surface:
        pieces = []
        for m in re.finditer(r"[^,\s][^,]*", surface):
            piece = _clean_entity(text, span[0] + m.start(), span[0] + m.end())
            if piece is not None and text[piece[0]].isupper():
                pieces.extend(_joined_pieces(text, piece, index))
        return pieces
    return _joined_pieces(text, span, index)


# What joins two names in one NER span, or ends a town's name with its service.
_JOINED: Final = re.compile(
    r",| (?:and|&|[-\u2013\u2014]) | (?:(?:City|Town|Village) )?(?:Council|Hall|Police|Sheriff|Fire|Commission|Board"
    r"|Court|Jail|Detention|Health|School|Public|Coroner|Clerk)"
)
_NAME_PAIR: Final = re.compile(r" (?:and|&|[-\u2013\u2014]) ")
# A town's or county's service inside the span: "Santa Ana City Council",
# "Seoul City Hall", "the Edgar County Sheriff's Department", "Hall County Jail".
_BODY_TAIL: Final = re.compile(
    r" (?:(?:City|Town|Village) (?:Council|Hall)|Police(?: Department)?|Sheriff(?:['\u2019]s (?:Department|Office))?"
    r"|Fire Department|Commission(?:ers)?(?: Court)?|Board of (?:Supervisors|Commissioners|Education)|Courthouse"
    r"|Jail|Detention Center|Health Department|School District|Public Schools|Schools|Coroner|Clerk)$"
)


def _joined_pieces(text: str, span: tuple[int, int], index: NameIndex) -> list[tuple[int, int]]:
    """Split one comma-free piece at "and" or a dash, or cut a service off it, where that makes names."""
    surface = text[span[0]:span[1]]
    if index.has_name(surface):
        return [span]
    m = _BODY_TAIL.search(surface)
    if (m is not None and m.start() > 0 and surface[:m.start()].lower() not in _NOT_A_TOWN
            and index.has_name(surface[:m.start()])):
        return [(span[0], span[0] + m.start())]  # (not "Airport Courthouse", "Federal Detention Center")
    bounds = [0, *(x for j in _NAME_PAIR.finditer(surface) for x in (j.start(), j.end())), len(surface)]
    parts = [(span[0] + bounds[i], span[0] + bounds[i + 1]) for i in range(0, len(bounds), 2)]
    # Only names the gazetteer knows come out ("Central and South America":
    # South America), and none where a common noun shows the span to be
    # something else ("Orange and White streets").
    known = [p for p in parts if p[1] > p[0] and index.has_name(text[p[0]:p[1]])]
    if len(parts) < 2 or not known or _LOWER_WORD.search(surface):
        return [span]
    return known


_LOWER_WORD: Final = re.compile(r"(?<![\w'\u2019-])(?!and\b|of\b|the\b|de\b|al\b|el\b|la\b)[a-z][\w'\u2019-]*")


# Capitals joined by a slash: "AC/DC", "TCP/IP", "NY/NJ".
_ACRONYM_PAIR: Final = re.compile(r"(?<![\w.])([A-Z]{1,4})/([A-Z]{1,4})(?![\w.])")


def _half_an_acronym(index: NameIndex, text: str, span: tuple[int, int]) -> bool:
    """Tell whether capitals joined by a slash to others that name no area are half an acronym ("AC/DC")."""
    pair = _ACRONYM_PAIR.search(text, max(0, span[0] - 5), span[1] + 5)
    if pair is None or span not in (pair.span(1), pair.span(2)):
        return False
    other = pair.group(2) if span == pair.span(1) else pair.group(1)
    return not _is_area(index, other)  # "NY/NJ" names two states


def _gazetteer_spans(
    text: str,
    index: NameIndex,
    stop: frozenset[str],
    keep_in_run: Callable[[tuple[int, int]], bool] | None = None,
    name_ends: dict[str, int] | None = None,
) -> Iterable[tuple[tuple[int, int], str]]:
    """Longest known names inside runs of capitalised words.

    A lone known word inside a longer run is dropped unless a public-body head
    follows it, or ``keep_in_run`` (the NER's organisation spans) says so.
    Such words that end their run ("Jones" in "Tom Jones") are added to
    ``name_ends``, with where they first do: the surnames of the people the
    text names in full.
    """
    ws = _words(text)
    tokens, words, cap, reach = ws.spans, ws.words, ws.cap, ws.reach
    lowered = _lowered(ws.lower)
    has_name = index.has_name
    elsewhere: dict[str, bool] = {}
    skip_to = 0
    prev_end = 0  # where the last name found ends
    starts = [k for k, c in enumerate(cap) if c]
    # The spans that start on a capitalised word of a longer run, longest
    # first, each with the index of its last word and its text: cut once,
    # for the gazetteer's prefetch and for the loop below. Only spans made
    # of capitalised words and connectors, with no sentence break inside,
    # and ending on a capitalised word. (A one-word span's text is its word.)
    spans_at = {i: [*((j, text[tokens[i][0]:tokens[j][1]])
                      for j in range(min(reach[i], i + MAX_TOKENS - 1), i, -1) if cap[j]), (i, words[i])]
                for i in starts if reach[i] > i}
    prefetch = getattr(index, "prefetch_names", None)
    if prefetch is not None:
        # Every span the loop below may ask about, asked in one go: each
        # capitalised word, then the longer spans.
        prefetch(chain(compress(words, cap), (surface for spans in spans_at.values() for _j, surface in spans[:-1])))
    for i in starts:
        if i < skip_to or words[i] in ("The", "THE"):
            continue
        s0 = tokens[i][0]
        best: tuple[int, int] | None = None
        best_j = i
        for j, surface in spans_at.get(i) or ((i, words[i]),):
            # The memoised gazetteer question first: most spans name no place,
            # and the tests below only veto a name.
            if not has_name(surface):
                continue
            span = (s0, tokens[j][1])
            key = normalize(surface)
            if key in stop or key in _NUMBER_WORDS:
                continue
            if i == j and _dateline(text, span):
                best, best_j = span, j  # "HARTFORD — ...": shouted, and first, because it is a dateline
                break
            if i == j and _is_common_word(index, surface, key, lowered):
                continue
            if (i == j and _sentence_initial(text, s0)
                    and not _capitalised_elsewhere(text, surface, elsewhere)
                    and not _is_major(index, surface)):
                # "Let those far..." / "Read more": a capital from grammar, not
                # a name, unless the name is a country, region or big city.
                continue
            if _CONTRACTION.search(surface):
                continue  # "I'll" is no "Ill." (Illinois)
            if surface.isupper() and len(key.replace(" ", "")) <= 3 and (
                    not _is_area(index, surface) or _half_an_acronym(index, text, span)):
                # "BA", "MA": a postcode or code in GeoNames, an acronym in the
                # news; "DC" in "AC/DC" is half an acronym.
                continue
            best, best_j = span, j
            break
        if (best is not None and best_j == i and _in_name_run(text, tokens, i, stop)
                and not _INSTITUTION.match(text, best[1])
                and not (keep_in_run is not None and keep_in_run(best))):
            # A lone known word inside a longer run of capitalised words is
            # part of a person's or an organisation's name ("John Kerry").
            if name_ends is not None and not (i + 1 < len(cap) and cap[i + 1]
                                              and text[tokens[i][1]:tokens[i + 1][0]] == " "):
                name_ends.setdefault(text[best[0]:best[1]], best[0])
            best = None
        if best is not None:
            yield best, "gazetteer"
            prev_end = best[1]
            skip_to = best_j + 1
            continue
        if not _after_cue(text, s0):
            continue
        if (text[max(0, s0 - 40):s0].rstrip().endswith(",")
                and not (s0 - prev_end <= 40 and text[prev_end:s0].strip() == ",")):
            # After a comma, an unknown name is a place only in a list of
            # places ("Derna, Sirte and..."): "the man, Kareem Dada," and
            # "the party secretary, Xue Chang," name people.
            continue
        run_end = _run_end(ws, i, stop)
        run = text[s0:tokens[run_end][1]]
        run_key = normalize(run)
        if (run_end - i < 4 and run_key not in stop
                and not (run_end == i and run_key in lowered)
                and not run.isupper()
                and not _CONTRACTION.search(run)  # "in Chicago, I'll admit": no Ill(inois)
                and not _speaker(text, s0, tokens[run_end][1])):
            # An unknown name where the grammar expects a place ("the city
            # of Beni Jawad", "near Al Sedra"): a variant-spelling candidate
            # that the pipeline keeps only if it resolves.
            yield (s0, tokens[run_end][1]), "variant"
            prev_end = tokens[run_end][1]
            skip_to = run_end + 1


# Number words are no places ("Ten infants have died"), though GeoNames keeps
# some as alternate names ("Ten" for Sri Lanka's Southern Province). Not in
# the stoplist: inside a run they are part of a name ("Mega Million", "Big
# Ten"), which keeps the run's other words from being read alone.
_NUMBER_WORDS: Final = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion dozen".split()
)


def _lowered(words: frozenset[str]) -> set[str]:
    """Return the lookup keys of lower-case words, as :func:`normalize` and :func:`_trim` make them."""
    # Plain lower-case ASCII words are their own keys (most of them): picked
    # out by C-level filters instead of a normalize call each.
    plain = set(filter(str.isascii, filter(str.isalpha, filter(str.islower, words))))
    return plain | set(map(_lower_key, words - plain))


@lru_cache(maxsize=100_000)
def _lower_key(word: str) -> str:
    """Return the lookup key of a lower-case word (:func:`_lowered`), memoised: a feed's words recur."""
    return normalize(_trim(word) if word[-1] in _TRIMMABLE else word)


# Place cues (see _after_cue): a preposition, "<generic> of", a comma or a colon.
_CUE_WORDS: Final = frozenset("in near at from to into outside around toward towards across through via".split())
_CUE_LAST_LETTERS: Final = frozenset(w[-1] for w in (*_CUE_WORDS, "of"))
_CUE_NOUNS: Final = frozenset("city town village port region province district governorate area outskirts suburb "
                       "oasis coast capital cities towns villages".split())


# Prepositions after which an unknown capitalised word may be a place spelled
# in a way the gazetteer only matches by variant ("in Subratha"). Narrower than
# the place cues, whose commas and colons would let almost every sentence through.
_PLACE_PREPOSITION: Final = re.compile(r"\b(?:in|near|at|from|into|outside|of|to)\s+$", re.IGNORECASE)


def place_sentences(text: str, index: NameIndex) -> list[tuple[int, int]]:
    """Return the stretches of text that may name a place: where NER is worth running.

    A sentence (:func:`geomap.text.sentence_spans`) qualifies when one of
    its capitalised words starts a name the gazetteer knows, alone or with
    the capitalised words after it ("Ras Lanuf"; "London" in
    "London-based"), is a demonym, or follows a place preposition ("in
    Subratha": a spelling the gazetteer may match as a variant). Elsewhere
    the NER could only find names that resolve to nothing, so the pipeline
    skips it: on news a third of the text, and the NER is most of the cost.

    Returns
    -------
    list of (start, end)
        Sorted, disjoint spans, consecutive qualifying sentences merged.

    Examples
    --------
    >>> from geomap.gazetteer import Gazetteer  # doctest: +SKIP
    >>> place_sentences("Smith said so. IS seized Sirte.", Gazetteer.open())  # doctest: +SKIP
    [(15, 31)]
    """
    ws = _words(text)
    stop = stoplist()
    starts: list[int] = []
    for i, c in enumerate(ws.cap):
        if not c:
            continue
        s0 = ws.spans[i][0]
        if starts and starts[-1] == s0:
            continue
        word = ws.words[i]
        head = word.split("-", 1)[0]
        known = (head != word and index.has_name(head)) or _is_demonym(index, word)
        j = i
        while not known and j <= min(ws.reach[i], i + MAX_TOKENS - 1):
            if ws.cap[j]:
                surface = text[s0:ws.spans[j][1]]
                known = (j > i or normalize(surface) not in stop) and index.has_name(surface)
            j += 1
        if known or _PLACE_PREPOSITION.search(text, max(0, s0 - 12), s0):
            starts.append(s0)
    out: list[tuple[int, int]] = []
    k = 0
    for s, e in sentence_spans(text):
        while k < len(starts) and starts[k] < s:
            k += 1
        if k < len(starts) and starts[k] < e:
            if out and not text[out[-1][1]:s].strip():
                out[-1] = (out[-1][0], e)
            else:
                out.append((s, e))
    return out


# English contractions: "I'll", "we're", "they've", "I'd", "I'm", "can't".
_CONTRACTION: Final = re.compile(r"['\u2019](?:ll|re|ve|d|m|t)$", re.IGNORECASE)
# A name that speaks is a person: ", Flood said", "according to Vickers".
_SPEECH_AFTER: Final = re.compile(
    r"['\u2019]?s?\s+(?:said|says|told|asked|added|explained|noted|stated|wrote|recalled|insisted)\b")
_ACCORDING_TO: Final = re.compile(r"\baccording\s+to\s+$", re.IGNORECASE)


def _speaker(text: str, start: int, end: int) -> bool:
    """Tell whether an unknown name is the speaker of a quote rather than a place."""
    return bool(_SPEECH_AFTER.match(text, end) or _ACCORDING_TO.search(text, max(0, start - 20), start))


def _after_cue(text: str, start: int) -> bool:
    """Tell whether a place cue and whitespace end right before ``start``.

    Cues: a preposition of place ("in", "near", "toward"...), "<generic> of"
    ("the city of", "outskirts of"), a comma or a colon. The last word or two
    are read backwards, where a regex would be tried at each of 40 positions:
    this runs for every capitalised word. (It gave the same answer as the
    regex it replaced at 529,029 positions of the speed corpus.)
    """
    if not start or not text[start - 1].isspace():
        return False  # the cue must be followed by whitespace
    stripped = text[max(0, start - 40):start].rstrip()
    if not stripped:
        return False
    last = stripped[-1]
    if last in ",:":
        return True
    if last not in _CUE_LAST_LETTERS:
        return False  # (most words: no cue ends in their last letter)
    word, rest = _last_word(stripped)
    if word in _CUE_WORDS:
        return True
    if word == "of" and rest.endswith(" "):
        noun, _ = _last_word(rest[:-1])
        return noun in _CUE_NOUNS
    return False


def _last_word(s: str) -> tuple[str, str]:
    """Split off the trailing run of word characters: ("in", "lives ") from "lives in"."""
    i = len(s)
    while i and (s[i - 1].isalnum() or s[i - 1] == "_"):
        i -= 1
    return s[i:], s[:i]



def _run_end(ws: _Words, i: int, stop: frozenset[str]) -> int:
    """Index of the last token of the capitalised run starting at ``i``."""
    j = i
    limit = min(ws.reach[i], i + MAX_TOKENS - 1)
    while j < limit and ws.cap[j + 1]:
        if normalize(ws.words[j + 1]) in stop:
            break
        j += 1
    return j


def _in_name_run(text: str, tokens: list[tuple[int, int]], i: int, stop: frozenset[str]) -> bool:
    for k in (i - 1, i + 1):
        if 0 <= k < len(tokens):
            lo, hi = sorted((k, i))
            gap = text[tokens[lo][1]:tokens[hi][0]]
            word = text[tokens[k][0]:tokens[k][1]]
            if gap == " " and _capitalised(word) and normalize(word) not in stop:
                return True
    return False


def _is_common_word(index: NameIndex, surface: str, key: str, lowered: set[str]) -> bool:
    """Return True for a single capitalised word that is probably not a name here."""
    if len(key) < 2:
        return True
    if _CAMEL_ACRONYM.fullmatch(surface):
        return True  # "MoD", "DoJ": a ministry, not Maud or Doj
    if key in lowered:
        # The article writes it in lower case elsewhere: a common word
        # ("Security", "Council"), not a place.
        return True
    if surface.isupper() and sum(c.isalpha() for c in surface) > 3:
        # Shouted words and acronyms (NATO, ISIS) are organisations far more often;
        # letters are counted so that "U.S." and "U.K." stay names. A country's
        # or region's own acronym ("DPRK") or shouted name ("LIBYA") stays one.
        check = getattr(index, "is_area", None)
        return not (check is not None and check(surface))
    return False


# Acronyms written with a lower-case letter inside ("MoD", "DoD", "DfID"): the
# capital after a lower-case letter marks a new word of a ministry's name.
_CAMEL_ACRONYM: Final = re.compile(r"[A-Z][a-z]{1,2}[A-Z][A-Za-z]?")


def _is_demonym(index: NameIndex, word: str) -> bool:
    check = getattr(index, "demonym", None)
    return check is not None and check(word) is not None


_COMMA_BEFORE: Final = re.compile(r"\s*,\s*$")


class _SpansByEnd:
    """The keys of a dict of found spans, by where they end, in the order they were found."""

    def __init__(self, found: Mapping[tuple[int, int], Mention]) -> None:
        self._by_end: dict[int, list[tuple[int, int]]] = {}
        for span in found:
            self.add(span)

    def add(self, span: tuple[int, int]) -> None:
        self._by_end.setdefault(span[1], []).append(span)

    def drop(self, span: tuple[int, int]) -> None:
        self._by_end[span[1]].remove(span)

    def first_ending_at(self, end: int) -> tuple[int, int] | None:
        spans = self._by_end.get(end)
        return spans[0] if spans else None


def _qualifies_place(
    index: NameIndex, text: str, span: tuple[int, int], found: dict[tuple[int, int], Mention], ends: _SpansByEnd
) -> bool:
    """Tell whether ``span`` names a region that holds the mention just before it and a comma.

    "Ripley, Derbyshire": some Ripley lies in some Derbyshire. A name that
    holds no such place ("Boston, Wagner said") is no qualifier.
    """
    check = getattr(index, "is_region_of", None)
    gap = _COMMA_BEFORE.search(text, max(0, span[0] - 4), span[0])
    if check is None or gap is None:
        return False
    before = ends.first_ending_at(gap.start())
    return before is not None and bool(check(text[span[0]:span[1]], found[before].text))


def _is_major(index: NameIndex, name: str) -> bool:
    check = getattr(index, "is_major", None)
    return bool(check(name)) if check is not None else False


def _is_area(index: NameIndex, name: str) -> bool:
    check = getattr(index, "is_area", None)
    return bool(check(name)) if check is not None else True


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start]
    if start == 0:
        return True
    return bool(_AFTER_SENTENCE_BREAK.search(before)) and not before.endswith(", ")


_AFTER_SENTENCE_BREAK: Final = re.compile(r"(?:[.!?:\n]\s*|[\"\u201c\u2018(]\s*|\n)$")


def _is_word_char(ch: str) -> bool:
    """Tell whether ``ch`` is a word character as the ``re`` module's ``\\w`` and ``\\b`` read one."""
    return ch.isalnum() or ch == "_"


def _whole_word_starts(text: str, word: str) -> Iterator[int]:
    r"""Yield where ``word`` occurs as a whole word, as ``re.finditer(r"\b" + re.escape(word) + r"\b", text)`` would.

    Found with ``str.find`` and the two boundaries tested by hand, instead
    of compiling a pattern for each word (most of the cost on text not seen
    before). A boundary lies between a word character and another character,
    or the text's edge; after a match the search goes on from its end.
    """
    size, n = len(word), len(text)
    first, last = _is_word_char(word[0]), _is_word_char(word[-1])
    i = text.find(word)
    while i >= 0:
        end = i + size
        if ((i > 0 and _is_word_char(text[i - 1])) != first
                and (end < n and _is_word_char(text[end])) != last):
            yield i
            i = text.find(word, end)
        else:
            i = text.find(word, i + 1)


def _capitalised_elsewhere(text: str, word: str, memo: dict[str, bool]) -> bool:
    """Tell whether ``word`` also appears capitalised inside a sentence.

    Asked only about sentence-initial occurrences, so any mid-sentence one
    is another occurrence. Memoised per text: a list that repeats a word a
    thousand times would otherwise rescan the text a thousand times.
    """
    if word not in memo:
        # A word found once is only the occurrence asked about: no scan for whole words.
        memo[word] = text.count(word) > 1 and any(
            not _sentence_initial(text, start) for start in _whole_word_starts(text, word))
    return memo[word]


_NAME_JOINS: Final = frozenset({",", ", ", " and ", " & "})


# What follows "<Town> City" when "City" is the town's government, not part
# of its name: "Dublin City Council", "Fargo City Manager", "Huntsville City Schools".
_CITY_BODY: Final = re.compile(
    rf" (?:City|Town) +(?:{_BODY_HEAD}|Manager|Hall|Clerk|Administrator|Commissioners?|(?:Public )?Schools"
    r"|School District|Limits)(?![\w-])"
)


def _drop_city_of_body(
    text: str,
    found: dict[tuple[int, int], Mention],
    index: NameIndex,
    field: Field,
    boilerplate: Sequence[tuple[int, int]],
) -> None:
    """Cut "<Town> City" before a city body to the town ("Dublin City Council" names Dublin).

    Likewise "<Town> Town" ("Hanover Town Hall": not Hanover Town, Virginia).
    Not when the whole is some place's own name: "Kansas City Council" and
    "Boulder City Council" are the councils of Kansas City and Boulder City.
    """
    lookup = getattr(index, "lookup", None)
    for span in [sp for sp, m in found.items() if m.text.endswith((" City", " Town"))]:
        if not _CITY_BODY.match(text, span[1] - 5):
            continue
        town = (span[0], span[1] - 5)
        surface = text[town[0]:town[1]]
        if not index.has_name(surface):
            continue
        own = lookup is not None and any(
            c.match_kind == "exact" for c in lookup(found[span].text, limit=20, variants=False))
        if own:
            continue
        recognizer = found.pop(span).recognizer
        found[town] = _mention(text, town, field, recognizer, boilerplate)


def _join_split_names(
    text: str,
    found: dict[tuple[int, int], Mention],
    index: NameIndex,
    field: Field,
    boilerplate: Sequence[tuple[int, int]],
) -> None:
    """Join two mentions around a comma or "and" when the whole is one known name.

    "Washington, D.C." is the city's name, not a city and its district, and
    "Trinidad and Tobago" or "Jammu and Kashmir" are one place each; a
    qualifier the gazetteer does not know as part of a name ("Richmond,
    Ind.") stays a mention of its own, as the corpora annotate it.
    """
    spans = sorted(found)
    for a, b in zip(spans, spans[1:], strict=False):
        if a not in found or text[a[1]:b[0]] not in _NAME_JOINS:
            continue
        whole = (a[0], b[1])
        if index.has_name(text[whole[0]:whole[1]]):
            recognizer = found[a].recognizer
            del found[a], found[b]
            found[whole] = _mention(text, whole, field, recognizer, boilerplate)


# Names joined by hyphens into one word: "the Tripoli-Misrata road", "the
# Syria-Turkey border", "US-China talks". The tokenizer keeps the compound
# whole and the NER often tags only its first part.
_HYPHEN_PAIR: Final = re.compile(r"(?<![\w.'\u2019-])[A-Z][\w.'\u2019]*(?:-[A-Z][\w.'\u2019]*)+(?![\w-])")
# Up to two capitalised words right after or before a compound, which may
# belong to its last or first name ("Sirte-Ras Lanuf", "Ras Lanuf-Sirte").
_WORDS_ON: Final = re.compile(r"(?: [A-Z][\w'\u2019]*){1,2}")
_WORDS_BEFORE: Final = re.compile(r"(?<![\w.'\u2019-])(?:[A-Z][\w'\u2019]* ){1,2}\Z")


def _prefixes(words: str) -> list[str]:
    """Return the growing runs of whole words of ``words``: " Ras Lanuf" -> [" Ras", " Ras Lanuf"]."""
    cuts = [m.start() for m in re.finditer(r" (?=\S)", words)][1:] + [len(words)]
    return [words[:c] for c in cuts]


# What such a pair of places names: a way, a border or relations between them.
_PAIR_NOUN: Final = re.compile(
    r"\s+(?:(?:coastal|main|key|strategic|desert|mountain|international|common|shared|disputed|bilateral|"
    r"direct|new|old)\s+)?(?:road|highway|motorway|expressway|route|border|frontier|railway|railroad|rail|"
    r"line|pipeline|corridor|front|crossing|axis|flight|talks|relations|ties|summit|war|conflict|agreement|"
    r"deal|treaty|trade|bridge|boundary|link|ferry|convoy)s?\b",
    re.IGNORECASE,
)
# The combining forms of peoples' names that start such compounds: "the
# Franco-German summit", "Sino-Indian relations".
_COMBINING_FORMS: Final = frozenset(
    "franco anglo sino indo afro euro russo italo greco austro judeo turco germano hispano luso nippo serbo "
    "irano arabo syro graeco celto balto slavo".split()
)
# A name before "-based", "-born" or "-bound" ("a Paris-based group", "the New
# York-bound flight"): the place the word is made of, by its longest known end.
_PLACE_COMPOUND: Final = re.compile(r"(?<![\w.'\u2019-])([A-Z][\w.'\u2019]*(?: [A-Z][\w.'\u2019]*){0,2})\Z")
_COMPOUND_SUFFIX: Final = re.compile(r"-(?:based|born|bound)\b")
# Where a compound of names may be: a hyphen before a capital. The patterns
# above are tried only around these, found by a scan in C: tried at every
# capitalised word of a text they cost the fast mode a tenth of its time.
_HYPHEN_BEFORE_CAP: Final = re.compile(r"-[A-Z]")


def _hyphen_pairs(text: str) -> Iterator[re.Match[str]]:
    """Yield the matches of :data:`_HYPHEN_PAIR` in ``text``, found from their hyphens."""
    done = -1
    for h in _HYPHEN_BEFORE_CAP.finditer(text):
        if h.start() < done:
            continue  # (a later hyphen of the compound just read)
        lo = h.start()
        while lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] in ".'\u2019-_"):
            lo -= 1
        m = _HYPHEN_PAIR.match(text, lo)
        if m is not None and m.end() > h.start():
            done = m.end()
            yield m


def _split_hyphen_pairs(
    text: str,
    found: dict[tuple[int, int], Mention],
    index: NameIndex,
    stop: frozenset[str],
    blocks: _Blocks,
    field: Field,
    boilerplate: Sequence[tuple[int, int]],
) -> None:
    """Read the places inside hyphen compounds that are no name themselves.

    "Tripoli-Misrata" is two places where every part is a known name and
    the compound names a way, a border or relations ("road", "border",
    "talks") or every part is a major place ("Syria-Turkey"); a known
    compound ("Winston-Salem", "Guinea-Bissau") stays one name, and one
    inside a person's or an organisation's name ("Lloyd-Jones") is left
    alone. A known name before "-based", "-born" or "-bound" is a place.
    """
    if "-" not in text:
        return
    taken = _Coverage(len(text), found)

    def usable(piece: str) -> bool:
        key = normalize(piece)
        return (len(key) > 1 and key not in stop and key not in _NUMBER_WORDS and key not in _COMBINING_FORMS
                and not _CAMEL_ACRONYM.fullmatch(piece) and index.has_name(piece)
                and not _is_demonym(index, piece))  # "Franco-German", "Sino-Indian": peoples, not places

    new: list[tuple[int, int]] = []
    for m in _hyphen_pairs(text):
        whole = m.span()
        surface = m.group()
        if index.has_name(surface) or blocks.containing(whole) is not None:
            continue
        pieces, pos = [], whole[0]
        for part in surface.split("-"):
            # A sentence's last stop is no part of a name; the dots of "U.S." are.
            size = len(part) - 1 if part.endswith((".", "'", "\u2019")) and part.count(".") < 2 else len(part)
            pieces.append((pos, pos + size))
            pos += len(part) + 1
        # The end names may run on in words of their own: "the Sirte-Ras
        # Lanuf road", "the New York-London route". Where they do, the longest
        # known run is the name, and with none known the compound is left
        # alone ("Beni Jawad-Sirte" is no mention of a Jawad).
        after = _WORDS_ON.match(text, whole[1]) if pieces[-1][1] == whole[1] else None
        if after is not None and not _PAIR_NOUN.match(text, whole[1]):
            ends = [whole[1] + len(w) for w in _prefixes(after.group())]
            last = next((e for e in reversed(ends) if usable(text[pieces[-1][0]:e])), None)
            if last is None:
                continue
            pieces[-1] = (pieces[-1][0], last)
        before = _WORDS_BEFORE.search(text, max(0, whole[0] - 80), whole[0])
        if before is not None:
            # Farthest first; "The", "A", "An" start no name.
            starts = [before.start() + w.start() for w in re.finditer(r"\S+ ", before.group())
                      if w.group() not in ("The ", "A ", "An ")]
            if starts:
                first = next((st for st in starts if usable(text[st:pieces[0][1]])), None)
                if first is None:
                    continue
                pieces[0] = (first, pieces[0][1])
        names = [text[s:e] for s, e in pieces]
        if not all(usable(n) for n in names):
            continue
        if not (_PAIR_NOUN.match(text, pieces[-1][1]) or all(_is_major(index, n) for n in names)):
            continue
        # The NER's unknown "Tripoli-Misrata" gives way to its names, which lie inside it.
        replaced = found.pop(whole, None) is not None
        for piece in pieces:
            if replaced or not taken.overlaps(piece):
                new.append(piece)
                taken.add(piece)
    for suffix in _COMPOUND_SUFFIX.finditer(text):
        head = _PLACE_COMPOUND.search(text, max(0, suffix.start() - 120), suffix.start())
        if head is None:
            continue
        words = head.group(1).split(" ")
        for k in range(len(words)):
            if words[k] in ("The", "A", "An"):
                continue
            start = head.end(1) - len(" ".join(words[k:]))
            span = (start, head.end(1))
            if usable(text[start:span[1]]):
                if not taken.overlaps(span) and blocks.containing(span) is None:
                    new.append(span)
                    taken.add(span)
                break
    for span in new:
        found[span] = _mention(text, span, field, "gazetteer", boilerplate)


# A capitalised word joined to an Arabic article inside a name: "Maarat
# al-Numan", "Jisr al-Shughur", "Daraa al-Balad".
_ARTICLED_WORD: Final = re.compile(
    rf"(?<![\w'\u2019])(?:{'|'.join(sorted(ARABIC_ARTICLES, key=len, reverse=True))})[-\u2010 ][A-Z]"
)


def _add_articled_entities(
    text: str,
    found: dict[tuple[int, int], Mention],
    blocked: Sequence[tuple[int, int, str]],
    index: NameIndex,
    field: Field,
    boilerplate: Sequence[tuple[int, int]],
) -> None:
    """Offer Arabic names the NER called a person or a group as spelling guesses.

    The small NER model reads many Arabic place names as people ("Maarat
    al-Numan", "Jisr al-Shughur") or groups. A name of two to four words
    with an article inside that the gazetteer does not know as written is a
    speculative mention (recognizer ``variant``): the pipeline keeps it only
    where a spelling of a place in one of the article's countries matches,
    which a person's name ("Bashar al-Assad") does not.
    """
    taken = _Coverage(len(text), found)
    for s, e, label in blocked:
        if label not in ("PERSON", "ORG"):
            continue
        span = _clean_entity(text, s, e)
        if span is None:
            continue
        surface = text[span[0]:span[1]]
        words = surface.split()
        if not (2 <= len(words) <= 4 and surface[:1].isupper() and _ARTICLED_WORD.search(surface)):
            continue
        if index.has_name(surface) or _after_title(text, span[0]):
            continue
        if not taken.overlaps(span):
            found[span] = _mention(text, span, field, "variant", boilerplate)
            taken.add(span)


def _ner_pieces(found: dict[tuple[int, int], Mention], span: tuple[int, int]) -> list[tuple[int, int]] | None:
    """Return the NER places and demonyms strictly inside ``span``, or None when another mention overlaps it.

    A known name that covers them is the place: "Democratic Republic" and
    "Congo", "American" in "American Samoa", "Dominican" in "Dominican Republic".
    """
    pieces = []
    for key, m in found.items():
        if key[0] < span[1] and span[0] < key[1]:
            if m.recognizer not in ("ner", "demonym") or key[0] < span[0] or key[1] > span[1] or key == span:
                return None
            pieces.append(key)
    return pieces or None


class _Coverage:
    """Characters already inside a mention: overlap tests in time proportional to the span.

    (Scanning every taken span made an article listing thousands of places
    quadratic.)
    """

    def __init__(self, size: int, spans: Iterable[tuple[int, int]]) -> None:
        self._marks = bytearray(size)
        for span in spans:
            self.add(span)

    def add(self, span: tuple[int, int]) -> None:
        self._marks[span[0]:span[1]] = b"\x01" * (span[1] - span[0])

    def overlaps(self, span: tuple[int, int]) -> bool:
        return self._marks.find(1, span[0], span[1]) != -1


class _Blocks:
    """Non-place entities (disjoint, as NER emits them), searchable by position."""

    def __init__(self, blocked: Sequence[tuple[int, int, str]]) -> None:
        self._ents = sorted(blocked)
        self._starts = [s for s, _e, _l in self._ents]

    def containing(self, span: tuple[int, int]) -> tuple[int, int, str] | None:
        """Return the entity that contains ``span``, if any."""
        i = bisect_right(self._starts, span[0]) - 1
        if i >= 0:
            ent = self._ents[i]
            if span[1] <= ent[1]:
                return ent
        return None


def _inside_any(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _mention(
    text: str, span: tuple[int, int], field: Field, recognizer: str, boilerplate: Sequence[tuple[int, int]]
) -> Mention:
    return Mention(
        start=span[0], end=span[1], text=text[span[0]:span[1]], field=field, recognizer=recognizer,
        boilerplate=_inside_any(span, boilerplate),
    )


# -- boilerplate -------------------------------------------------------------

_CREDIT: Final = re.compile(r"\b(?:photo|image|picture|credit|file photo|photograph)\s*:\s*\S", re.IGNORECASE)
_CREDIT_LINE_WORDS: Final = 40
_LIST_ITEM: Final = re.compile(r"^\s*(?:[-\u2022*\u2013\u2014]|\d+\.)\s+")
# What ends a sentence, as the last character of a stripped line.
_SENTENCE_ENDS: Final = frozenset(".!?:\u201d\"'\u2019)]")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Return line spans that are page furniture rather than the story.

    Three rules: known furniture headers ("Read More", "Related Posts",
    "Click to follow", "Photo captions"); the link list below such a header;
    photo credit lines ("... Photo: AFP"); and captions: short standalone
    lines (under 25 words) with no sentence-final punctuation, between blank
    lines or after a furniture header.
    """
    spans: list[tuple[int, int]] = []
    in_list = False
    pos = 0
    lines = text.split("\n")
    for idx, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        if furniture_header(stripped):
            spans.append((start, end))
            in_list = True
            continue
        if in_list and (_LIST_ITEM.match(line) or stripped[-1] not in _SENTENCE_ENDS or stripped[-1] == "?"):
            spans.append((start, end))
            continue
        in_list = False
        # A credit line is short: a story whose text is one long line (as
        # many feeds and corpora give it) may hold "(Photo: AFP)" inline.
        # (Cheap tests first: the pattern searched across every long
        # paragraph with a colon was most of this function's cost.)
        if (":" in stripped and len(stripped) < 40 * _CREDIT_LINE_WORDS
                and len(stripped.split()) < _CREDIT_LINE_WORDS and _CREDIT.search(stripped)):
            spans.append((start, end))
            continue
        prev_blank = idx == 0 or not lines[idx - 1].strip()
        next_blank = idx + 1 >= len(lines) or not lines[idx + 1].strip()
        if prev_blank and next_blank and stripped[-1] not in _SENTENCE_ENDS and len(stripped.split()) < 25:
            spans.append((start, end))
    return spans
