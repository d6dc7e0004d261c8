"""Event typing: classify what happens at each mentioned place.

Every mention gets one :class:`~geomap.model.Event` from a small taxonomy
(``geomap/data/events.json``, documented in ``docs/EVENTS.md``). The
classifier is a lexicon of trigger words plus an attachment step that ties a
trigger to a place:

* triggers are found once per text with one precompiled regular expression
  (regular inflections of each lexicon entry are generated up front);
* with a spaCy ``Doc`` a trigger is tied to a place by the length of the
  dependency path between them; without one, by the token distance inside the
  sentence, with penalties for clause boundaries;
* negated triggers lose most of their score; hypothetical, planned or
  threatened violent triggers ("planning possible airstrikes") become
  ``military_activity`` as the taxonomy says;
* a place with no trigger close enough is a ``mention``.

The functions are pure: the same text, mentions and taxonomy always give the
same events.
"""

from __future__ import annotations

import json
import math
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any, Final, NamedTuple

from geomap.errors import ConfigurationError
from geomap.model import Event, Mention, Trigger
from geomap.text import sentence_spans, title_case_at

__all__ = ["EventType", "Taxonomy", "TriggerTerm", "classify", "load_taxonomy", "parse_spans"]

_HEX: Final = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_PHRASE: Final = re.compile(r"\w+(?:[\s\-]+\w+)*")

#: Minimum event score for a trigger to claim a place; below it the place is a mention.
THRESHOLD: Final = 0.25
# Distance scale of the score decay: score = weight * exp(-distance / scale).
_LINEAR_SCALE: Final = 6.0
_DEP_SCALE: Final = 3.5
# Multipliers for triggers in negated or hypothetical contexts.
_NEGATED: Final = 0.2
_HYPOTHETICAL: Final = 0.75

_NEGATION_WORDS: Final = frozenset(
    {"no", "not", "never", "without", "n't", "nor", "neither", "denied", "deny", "denies"}
)
_MODAL_WORDS: Final = frozenset(
    {
        "will", "would", "could", "may", "might", "should", "shall", "possible", "possibly", "potential",
        "planned", "planning", "plans", "plan", "prepare", "prepares", "preparing", "preparation",
        "threat", "threatened", "threatens", "threaten", "threatening", "consider", "considering",
        "vowed", "vow", "vows", "proposed", "propose", "if", "ready", "readiness", "intend", "intends",
        "future", "prospect", "fear", "fears", "feared", "warned", "warns",
    }
)  # fmt: skip
# Inflected forms of the modal verbs, matched on the word itself: geomap does
# not run spaCy's tagger and lemmatizer (they cost a fifth of the parse time).
_MODAL_FORMS: Final = _MODAL_WORDS | frozenset(
    {"prepared", "prepares", "threatening", "vowing", "warn", "warning", "intended", "intending",
     "considers", "considered", "proposes", "proposing"}
)
_DENY_FORMS: Final = frozenset({"deny", "denies", "denied", "denying"})
# Words that end a clause for the window fallback: a trigger on the far side
# of one is usually about another participant.
_CLAUSE_WORDS: Final = frozenset(
    {"but", "while", "whereas", "although", "though", "because", "since", "after", "before", "when",
     "which", "who", "where", "said", "says", "according", "however"}
)  # fmt: skip
_STRONG_BREAKS: Final = frozenset({";", "—", "–", "(", ")", '"', "“", "”"})
# Clause-boundary penalty per token for the window fallback, in tenths; a
# comma that opens a clause costs nothing itself (the clause word pays).
_PENALTY: Final = {**dict.fromkeys(_CLAUSE_WORDS, 20), **dict.fromkeys(_STRONG_BREAKS, 30), ",": 3}
# Prepositions that make a place the location of a nearby preceding trigger.
_LOCATIVE: Final = frozenset(
    {"in", "at", "near", "across", "into", "on", "outside", "around", "throughout", "inside", "over",
     "of", "to", "toward", "towards", "against", "onto", "within", "for"}
)  # fmt: skip
# Words that mark a place as a reference point ("near X", "north of X") or an origin ("from X").
_REFERENCE: Final = frozenset({"near", "north", "south", "east", "west", "northeast", "northwest", "southeast",
                        "southwest", "km", "kilometres", "kilometers", "miles", "outskirts"})  # fmt: skip
_TOKEN: Final = re.compile(r"\w+(?:['’]\w+)*|n't|[^\w\s]")
# The same tokens as a capture group: re.split returns gaps and tokens
# alternately, all cut in C, where finditer makes a match object per token.
_TOKEN_SPLIT: Final = re.compile(f"({_TOKEN.pattern})")
# Tokens the window fallback reads beyond a sentence: up to three before a
# place or trigger ("20 km. Tripoli" has "km" before Tripoli) and five after
# a trigger (its object: "captured two more suspects").
_LOOK_BEHIND: Final = 3
_LOOK_AHEAD: Final = 5
# Possessive: a failed try at one start must not backtrack into its words.
_WORDS_BEFORE: Final = re.compile(rf"(?<!\S)(?:\S++\s++){{{_LOOK_BEHIND}}}\S*+\Z")
_WORDS_AFTER: Final = re.compile(rf"\S*+(?:\s++\S++){{{_LOOK_AHEAD}}}")


@dataclass(frozen=True)
class TriggerTerm:
    """One lexicon entry.

    Parameters
    ----------
    term
        A word or phrase, matched case-insensitively on word boundaries.
    weight
        How strongly the term signals its event type, in (0, 1]; generic
        words ("attack", "forces") get less so specific ones nearby win.
    exact
        When true, only the term as written (no generated inflections) and,
        for all-caps terms, only in capitals.
    needs_actor
        When true, the term counts only where one of its type's ``actors``
        is named in the same sentence or the one before: "met" is diplomacy
        when ministers or a delegation meet, not friends on holiday.
    in_names
        When true, the term counts also inside a proper name: a governing
        body's name is the event ("the Athens City Council approved...").
        Other terms inside a name are no event ("Houston Rockets").
    """

    term: str
    weight: float = 1.0
    exact: bool = False
    needs_actor: bool = False
    in_names: bool = False


@dataclass(frozen=True)
class EventType:
    """One event type of the taxonomy.

    ``hypothetical`` names the type a planned, threatened or hypothetical
    trigger of this type maps to (``military_activity`` for violent types),
    or None to keep the type with a lower score. ``on_person`` names the
    type a trigger maps to when what it acts on is a person ("captured two
    suspects" is an arrest, "captured the town" territorial control).
    ``actors`` are the words for who takes part in this type of event
    ("minister", "delegation", "government"), which triggers marked
    ``needs_actor`` require nearby.
    """

    id: str
    label: str
    description: str
    acled: str
    cameo: str
    colour: str
    icon: str
    triggers: tuple[TriggerTerm, ...] = ()
    hypothetical: str | None = None
    on_person: str | None = None
    actors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of event types plus the default (no-event) type."""

    types: tuple[EventType, ...]
    default: str = "mention"
    source: str = "<shipped>"
    #: Phrases that are never triggers and hide the triggers inside them
    #: ("press conference" is no diplomatic conference, a football "striker" no strike).
    not_triggers: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """Return the event type ids in taxonomy order."""
        return tuple(t.id for t in self.types)

    def get(self, type_id: str) -> EventType:
        """Return the event type with id ``type_id``.

        Raises
        ------
        KeyError
            When the taxonomy has no such type.
        """
        for t in self.types:
            if t.id == type_id:
                return t
        raise KeyError(type_id)


# --------------------------------------------------------------------------- loading


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Load an event taxonomy from JSON.

    Parameters
    ----------
    path
        A user taxonomy file, or None for the shipped ``geomap/data/events.json``.

    Returns
    -------
    Taxonomy
        The validated taxonomy.

    Raises
    ------
    ConfigurationError
        When the file is missing, is not JSON or breaks the schema; the
        message names the file and the problem.
    """
    if path is None:
        return _shipped()
    where = os.fspath(path)
    try:
        raw = Path(where).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{where}: cannot read event taxonomy: {exc.strerror or exc}") from exc
    return _parse(raw, where)


@lru_cache(maxsize=1)
def _shipped() -> Taxonomy:
    raw = resources.files("geomap").joinpath("data/events.json").read_text(encoding="utf-8")
    return _parse(raw, "<shipped>")


def _parse(raw: str, where: str) -> Taxonomy:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{where}: event taxonomy is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{where}: event taxonomy must be a JSON object with a 'types' list")
    items = data.get("types")
    if not isinstance(items, list) or not items:
        raise ConfigurationError(f"{where}: 'types' must be a non-empty list of event types")
    types = tuple(_parse_type(item, i, where) for i, item in enumerate(items))
    ids = [t.id for t in types]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigurationError(f"{where}: duplicate event type id(s): {', '.join(dupes)}")
    default = data.get("default", "mention")
    if default not in ids:
        raise ConfigurationError(f"{where}: default type {default!r} is not one of the types ({', '.join(ids)})")
    for t in types:
        for key, value in (("hypothetical", t.hypothetical), ("on_person", t.on_person)):
            if value is not None and value not in ids:
                raise ConfigurationError(f"{where}: type {t.id!r}: {key!r} names unknown type {value!r}")
    nots = data.get("not_triggers", [])
    if not isinstance(nots, list) or not all(isinstance(n, str) for n in nots):
        raise ConfigurationError(f"{where}: 'not_triggers' must be a list of words or phrases")
    for n in nots:
        # The matcher joins words across spaces and hyphens only: anything else could never match.
        if not _PHRASE.fullmatch(n.strip()):
            raise ConfigurationError(f"{where}: not_triggers: {n!r} must be words separated by spaces or hyphens")
    return Taxonomy(types=types, default=default, source=where, not_triggers=tuple(n.strip() for n in nots))


def _parse_type(item: Any, index: int, where: str) -> EventType:
    if not isinstance(item, Mapping):
        raise ConfigurationError(f"{where}: types[{index}] must be an object")
    tid = item.get("id")
    if not isinstance(tid, str) or not _ID.match(tid):
        raise ConfigurationError(
            f"{where}: types[{index}].id must be a lower-case identifier like 'armed_clash', got {tid!r}"
        )
    label = f"type {tid!r}"
    fields: dict[str, str] = {}
    for name in ("label", "description", "acled", "cameo", "colour", "icon"):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{where}: {label}: '{name}' must be a non-empty string")
        fields[name] = value
    if not _HEX.match(fields["colour"]):
        raise ConfigurationError(f"{where}: {label}: 'colour' must be a hex colour like '#d62728', "
                                 f"got {fields['colour']!r}")
    if len(fields["icon"]) > 16:
        raise ConfigurationError(f"{where}: {label}: 'icon' must be a short symbol or name (<= 16 characters)")
    hyp = item.get("hypothetical")
    if hyp is not None and not isinstance(hyp, str):
        raise ConfigurationError(f"{where}: {label}: 'hypothetical' must be a type id or null")
    on_person = item.get("on_person")
    if on_person is not None and not isinstance(on_person, str):
        raise ConfigurationError(f"{where}: {label}: 'on_person' must be a type id or null")
    trig = item.get("triggers", [])
    if not isinstance(trig, list):
        raise ConfigurationError(f"{where}: {label}: 'triggers' must be a list")
    terms = tuple(_parse_term(t, tid, j, where) for j, t in enumerate(trig))
    actors = item.get("actors", [])
    if not isinstance(actors, list) or not all(isinstance(a, str) and re.search(r"\w", a) for a in actors):
        raise ConfigurationError(f"{where}: {label}: 'actors' must be a list of words or phrases")
    if any(t.needs_actor for t in terms) and not actors:
        first = next(t.term for t in terms if t.needs_actor)
        raise ConfigurationError(f"{where}: {label}: trigger {first!r} needs an actor, but the type lists no 'actors'")
    return EventType(id=tid, triggers=terms, hypothetical=hyp, on_person=on_person,
                     actors=tuple(a.strip() for a in actors), **fields)


def _parse_term(value: Any, tid: str, j: int, where: str) -> TriggerTerm:
    label = f"type {tid!r}: triggers[{j}]"
    if isinstance(value, str):
        value = {"term": value}
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where}: {label} must be a string or an object with 'term'")
    term = value.get("term")
    if not isinstance(term, str) or not re.search(r"\w", term):
        raise ConfigurationError(f"{where}: {label}: 'term' must be a non-empty word or phrase")
    if not _PHRASE.fullmatch(term.strip()):
        # The matcher joins words across spaces and hyphens only: "U.N. talks"
        # or "coup d'etat" could never match, so say so now, not never.
        raise ConfigurationError(
            f"{where}: {label}: {term.strip()!r} must be words separated by spaces or hyphens "
            "(a term with other punctuation never matches)")
    weight = value.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise ConfigurationError(f"{where}: {label} ({term!r}): 'weight' must be a number in (0, 1]")
    exact = value.get("exact", False)
    if not isinstance(exact, bool):
        raise ConfigurationError(f"{where}: {label} ({term!r}): 'exact' must be true or false")
    flags = {}
    for flag in ("needs_actor", "in_names"):
        flags[flag] = value.get(flag, False)
        if not isinstance(flags[flag], bool):
            raise ConfigurationError(f"{where}: {label} ({term!r}): '{flag}' must be true or false")
    return TriggerTerm(term=term.strip(), weight=float(weight), exact=exact, **flags)


# --------------------------------------------------------------------------- lexicon


def _inflections(word: str) -> set[str]:
    """Return regular English inflections of ``word`` (over-generation is harmless)."""
    forms = {word, word + "s", word + "es", word + "ed", word + "ing", word + "ers", word + "er"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing", word + "r", word + "rs"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", word) and len(word) <= 5:
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    if word.endswith(("ion", "ment", "ance", "ence", "ity", "ure")):
        # Nouns: plural only ("executions", not "executioned").
        forms = {word, word + "s"}
    return forms


def _key(s: str) -> str:
    return re.sub(r"[\s\-‐-―]+", " ", s.lower()).strip()


class _Entry(NamedTuple):
    """What a lexicon form stands for: its trigger's type, weight and flags."""

    type: str
    weight: float
    needs_actor: bool = False
    in_names: bool = False


@dataclass(frozen=True)
class _Lexicon:
    forms: Mapping[str, _Entry]
    exact_forms: Mapping[str, _Entry]
    #: First word of a form (lower case) -> most words in a form starting with it.
    starts: Mapping[str, int]
    #: Finds the words of ``starts`` in lower-case text (see :func:`_start_pattern`).
    start_words: re.Pattern[str]
    #: Type -> the patterns that find its actors (types that list any).
    actors: Mapping[str, _ActorPatterns]


def _start_pattern(words: Iterable[str], follow: Mapping[str, Iterable[str]] | None = None) -> re.Pattern[str]:
    """Compile a regular expression that finds any of ``words`` as a whole word.

    The alternatives are nested as a trie ("clash(?:e(?:d|s))?..."), so
    the engine reads each character of the text once or twice whatever the
    size of the lexicon; a flat alternation of two thousand words would try
    every one at every position.

    ``follow`` maps some of the words to the words that must come next
    (after spaces or hyphens) for them to count: a word that only starts
    longer terms ("in" of "in custody") is then found only where one of
    them may follow, not at every "in" of the text.

    >>> _start_pattern(["clash", "clashes", "air"]).findall("air clashes, clashed")
    ['air', 'clashes']
    >>> _start_pattern(["in", "air"], {"in": ["custody"]}).findall("air in town, in-custody")
    ['air', 'in']
    """
    return re.compile(rf"\b{_trie(words, follow or {})}\b")


def _trie(words: Iterable[str], follow: Mapping[str, Iterable[str]]) -> str:
    """Return the alternation of ``words`` nested as a trie (see :func:`_start_pattern`)."""
    trie: dict[str, Any] = {}  # a node maps a character to its child node
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: dict[str, Any], word: str) -> str:
        alts = [re.escape(ch) + alternation(child, word + ch) for ch, child in sorted(node.items()) if ch]
        # Where a word ends: anywhere, or only before one of its next words.
        end = rf"(?=[\s\-]+{_trie(follow[word], {})}\b)" if "" in node and word in follow else ""
        if not alts:
            return end
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return f"(?:{body}|{end})" if end else f"(?:{body})?"

    return alternation(trie, "")


# Lexicons by taxonomy identity: hashing a taxonomy walks every trigger,
# which cost more than classifying a short article.
_LEXICONS: Final[dict[int, tuple[Taxonomy, _Lexicon]]] = {}


def _lexicon(taxonomy: Taxonomy) -> _Lexicon:
    cached = _LEXICONS.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    if len(_LEXICONS) >= 16:
        _LEXICONS.clear()
    lex = _build_lexicon(taxonomy)
    _LEXICONS[id(taxonomy)] = (taxonomy, lex)  # the reference keeps the id from being reused
    return lex


def _build_lexicon(taxonomy: Taxonomy) -> _Lexicon:
    # Built once per taxonomy: every form maps to (type, weight); when two
    # types share a form the stronger weight (then the earlier type) keeps it.
    forms: dict[str, _Entry] = {}
    exact_forms: dict[str, _Entry] = {}
    for et in taxonomy.types:
        for t in et.triggers:
            if t.exact:
                target, variants = exact_forms, {" ".join(_WORD.findall(t.term))}
            else:
                words = _key(t.term).split(" ")
                target = forms
                variants = {" ".join([*words[:-1], f]) for f in _inflections(words[-1])}
            for v in variants:
                if v not in target or target[v].weight < t.weight:
                    target[v] = _Entry(et.id, t.weight, t.needs_actor, t.in_names)
    for phrase in taxonomy.not_triggers:
        # As written, with no inflections; an empty type makes the match a
        # blank that still consumes its words.
        forms[_key(phrase)] = _Entry("", 0.0)
    starts: dict[str, int] = {}
    seconds: dict[str, set[str]] = {}  # first word (lower case) -> second words of longer forms
    for k in (*forms, *exact_forms):
        words = k.split(" ")
        first = words[0].lower()
        starts[first] = max(starts.get(first, 1), len(words))
        if len(words) > 1:
            seconds.setdefault(first, set()).add(words[1].lower())
    # A first word that is no term by itself ("in", "on", "to": a fifth of
    # the words the pattern found in news) counts only before a second word
    # of its terms: the pattern checks that in C, where _find_in would read
    # the next words in Python and find no term.
    alone = set(forms) | {k.lower() for k in exact_forms if " " not in k}
    follow = {first: nxt for first, nxt in seconds.items() if first not in alone}
    actors = {et.id: _actor_pattern(et.actors) for et in taxonomy.types if et.actors}
    return _Lexicon(forms, exact_forms, starts, _start_pattern(starts, follow), actors)


@dataclass(frozen=True)
class _ActorPatterns:
    """A type's actors as patterns: words over lower-cased text, acronyms as written."""

    #: The words and their plurals, a trie over lower-cased text (see :func:`_start_pattern`).
    words: re.Pattern[str] | None
    #: All-capital actors ("UN", "EU"), matched only in capitals, so "un-" and "eu" stay words.
    caps: re.Pattern[str] | None

    def finditer(self, text: str, low: str | None, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """Find actors in ``text[pos:endpos]``; ``low`` is ``text.lower()`` when offsets agree, else None."""
        if self.words is not None:
            if low is None:
                yield from _any_case(self.words.pattern).finditer(text, pos, endpos)
            else:
                yield from self.words.finditer(low, pos, endpos)
        if self.caps is not None:
            yield from self.caps.finditer(text, pos, endpos)

    def search(self, text: str, low: str | None, pos: int, endpos: int) -> bool:
        """Tell whether an actor is named in ``text[pos:endpos]``."""
        # One search per pattern, not a generator of matches: asked for every trigger that needs an actor.
        if self.words is not None:
            words = self.words if low is not None else _any_case(self.words.pattern)
            if words.search(text if low is None else low, pos, endpos) is not None:
                return True
        return self.caps is not None and self.caps.search(text, pos, endpos) is not None


def _actor_pattern(actors: Sequence[str]) -> _ActorPatterns:
    """Compile a type's actors: whole words, any case but for acronyms, a plural "s" allowed."""
    forms = {f for a in actors if not a.isupper() for w in [" ".join(a.lower().split())] for f in (w, w + "s")}
    caps = sorted({re.escape(a) for a in actors if a.isupper()}, key=len, reverse=True)
    return _ActorPatterns(
        _start_pattern(forms) if forms else None,
        re.compile(rf"(?<!\w)(?:{'|'.join(caps)})s?(?!\w)") if caps else None,
    )


@dataclass(frozen=True)
class _Hit:
    type: str
    weight: float
    start: int
    end: int
    text: str
    needs_actor: bool = False
    in_names: bool = False


_WORD: Final = re.compile(r"\w+")


def _find_triggers(text: str, lex: _Lexicon, ranges: Sequence[tuple[int, int]] | None = None) -> list[_Hit]:
    """Find lexicon terms on word boundaries, longest first, without overlaps.

    A term's first word is found by one trie-shaped regular expression
    (:func:`_start_pattern`), its other words after it (joined by spaces or
    hyphens: "air strike", "air-strike"), and the longest form the lexicon
    knows wins. ``ranges`` (sorted, disjoint) limits the search to those
    parts of the text.
    """
    lowered = text.lower()
    if ranges is None:
        return _find_in(text, lex, 0, len(text), lowered)
    return [h for s, e in ranges for h in _find_in(text, lex, s, e, lowered)]


# A word after a term's first word that may continue it ("air strike", "air-strike").
_NEXT_WORD: Final = re.compile(r"[\s\-]+(\w+)")


def _find_in(text: str, lex: _Lexicon, pos: int, endpos: int, lowered: str | None = None) -> list[_Hit]:
    # The regular expression finds the few words that may start a term (in
    # C); Python looks only at those and the words after them.
    low = text.lower() if lowered is None else lowered
    if len(low) == len(text):
        finder, haystack = lex.start_words, low
    else:  # lower case moved the offsets ("İ" is two characters lower-cased)
        finder, haystack = _any_case(lex.start_words.pattern), text
    hits: list[_Hit] = []
    next_free = pos
    forms, exact, starts = lex.forms, lex.exact_forms, lex.starts
    for first in finder.finditer(haystack, pos, endpos):
        start, end = first.span()
        if start < next_free:
            continue  # inside the previous hit
        key = text[start:end].lower()
        longest = starts.get(key, 0)
        if not longest:
            continue  # ("İzmir" matches "izmir" in any case, but is no such word)
        entry = None
        if longest > 1:
            # Longest first: "air strike" before "air".
            words, ends = [text[start:end]], [end]
            while len(words) < longest and (more := _NEXT_WORD.match(text, ends[-1], endpos)) is not None:
                words.append(more.group(1))
                ends.append(more.end())
            for size in range(len(words), 1, -1):
                entry = forms.get(" ".join(words[:size]).lower())  # (lower case per word or at once: the same)
                if entry is None and exact:
                    entry = exact.get(" ".join(words[:size]))
                if entry is not None:
                    end = ends[size - 1]
                    break
        if entry is None:
            entry = forms.get(key)
            if entry is None and exact:
                entry = exact.get(text[start:end])
            if entry is None:
                continue
        if entry.type:  # a not-trigger phrase only hides the words it covers
            hits.append(_Hit(entry.type, entry.weight, start, end, text[start:end], entry.needs_actor,
                             entry.in_names))
        next_free = end
    return hits


@lru_cache(maxsize=16)
def _any_case(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# --------------------------------------------------------------------------- classification


def parse_spans(
    text: str,
    mentions: Sequence[Mention],
    *,
    taxonomy: Taxonomy | None = None,
    doc: Any | None = None,
) -> list[tuple[int, int]]:
    """Return the sentences whose dependency parse can decide an event.

    A place gets an event only from a trigger in its own sentence, so only
    sentences holding both a mention and a trigger need a parse; elsewhere
    every place is a plain mention whatever the parse says. Parsing just
    these sentences (a fifth of news text) instead of whole articles keeps
    most of the parser's cost off the pipeline.

    Parameters
    ----------
    text, mentions, taxonomy
        As for :func:`classify`.
    doc
        Optional spaCy ``Doc`` of ``text`` with entities, to leave out
        trigger words inside names.

    Returns
    -------
    list of (start, end)
        Sorted, disjoint sentence spans of ``text`` (rule-based sentences).

    Examples
    --------
    >>> from geomap.model import Mention
    >>> t = "Ministers met in Rome. Paris is big."
    >>> parse_spans(t, [Mention(17, 21, "Rome"), Mention(23, 28, "Paris")])
    [(0, 22)]
    """
    tax = taxonomy if taxonomy is not None else _shipped()
    if not mentions:
        return []
    ctx = _SentenceIndex(text)
    sents = ctx.ranges(mentions)
    lex = _lexicon(tax)
    actors = _Actors(text, lex, ctx.sents)
    hits = [h for h in _find_triggers(text, lex, sents)
            if not _in_name(text, h, doc) and not (h.needs_actor and not actors.near(h))
            and not _void_object(text, h, tax)]
    starts = [h.start for h in hits]
    return [(s, e) for s, e in sents if bisect_left(starts, s) < bisect_left(starts, e)]


def classify(
    text: str,
    mentions: Sequence[Mention],
    *,
    taxonomy: Taxonomy | None = None,
    doc: Any | None = None,
    parses: Sequence[tuple[int, Any]] | None = None,
) -> tuple[Event, ...]:
    """Classify the event at each mentioned place.

    Parameters
    ----------
    text
        The string the mentions' offsets index into.
    mentions
        Place mentions in ``text``.
    taxonomy
        The event taxonomy; None for the shipped one.
    doc
        Optional spaCy ``Doc`` of exactly ``text``. Its entities keep trigger
        words inside names from counting ("Houston Rockets"); when it has a
        dependency parse and ``parses`` is None, triggers are tied to places
        through that parse. Without any parse, through token distance inside
        the sentence.
    parses
        Optional parses of parts of ``text`` as ``(offset, Doc)`` pairs, e.g.
        of the sentences :func:`parse_spans` returns. Places outside them get
        no event, which is right when they are exactly those sentences.

    Returns
    -------
    tuple of Event
        One event per mention, in the same order. ``Event.trigger`` gives the
        trigger's span in ``text`` (None for the default ``mention`` type);
        ``Event.score`` is in [0, 1].

    Raises
    ------
    ValueError
        When ``doc`` is not a parse of ``text`` or a piece of ``parses`` is
        not a parse of its part of ``text``.

    Examples
    --------
    >>> from geomap.model import Mention
    >>> t = "Ministers met Tuesday in Rome."
    >>> classify(t, [Mention(25, 29, "Rome")])[0].type
    'diplomacy'
    """
    tax = taxonomy if taxonomy is not None else _shipped()
    if not mentions:
        return ()
    if doc is not None and getattr(doc, "text", None) != text:
        raise ValueError("doc is not a parse of text: pass the spaCy Doc of exactly the same string")
    for off, piece in parses or ():
        piece_text = piece.text
        if text[off : off + len(piece_text)] != piece_text:
            raise ValueError(f"parses: the Doc at offset {off} is not a parse of that part of text")
    ctx: _Context
    if parses is not None:
        ctx = _DocContext(parses)
    elif doc is not None and doc.has_annotation("DEP"):
        ctx = _DocContext([(0, doc)])
    else:
        ctx = _WindowContext(text)
    # Triggers count only inside a mention's sentence: search just those.
    ranges = ctx.ranges(mentions)
    lex = _lexicon(tax)
    actors = _Actors(text, lex, ctx.sents if isinstance(ctx, _SentenceIndex) else None)
    hits = [h for h in _find_triggers(text, lex, ranges)
            if not _in_name(text, h, doc) and not (h.needs_actor and not actors.near(h))
            and not _void_object(text, h, tax)]
    ctx.set_hits(hits)
    groups = _coordinations(text, mentions)
    # Only sentences with a trigger need more than that (most places are a
    # plain mention), and the first member of each list, whose preposition
    # speaks for the list.
    starts = ctx.hit_starts
    busy = [(s, e) for s, e in ranges if bisect_left(starts, s) < bisect_left(starts, e)]
    ctx.prepare(busy, mentions, [mentions[g[0]] for g in groups if len(g) > 1])
    events: list[Event | None] = [None] * len(mentions)
    for group in groups:
        # Coordinated places ("the US, France and the UK are deploying") share
        # one event: the best any of them gets, with the group's first member
        # deciding whether the list is a reference point or an origin.
        anchor = mentions[group[0]]
        best = max((_best(mentions[i], anchor, ctx, tax) for i in group), key=_rank)
        for i in group:
            events[i] = _event(best, tax)
    return tuple(e for e in events if e is not None)


# What a trigger acts on when it reports no event at a place: money, a share
# or a market level ("working to seize $1.7 billion", "captured 1.3 percent of
# the vote", "yields fell to their lowest level").
_MONEY_OR_SHARE_AFTER: Final = re.compile(
    r"\s+(?:(?:a|an|the|its|their|his|her|about|some|nearly|almost|over|more\s+than|at\s+least|measly|just|only)"
    r"\s+)*(?:(?:US|A|C|NZ|HK)?[$£€¥]|\d[\d,.]*\s*(?:%|percent\b|per\s+cent\b|(?:basis\s+)?points?\b)|"
    r"(?:lowest|highest|record)\s+(?:level|point|close|high|low)\b)",
    re.IGNORECASE,
)
# Goods a seizing or capturing trigger may take, which is no hold on ground:
# "they seized bank statements", "can seize the trailer or your house".
_GOODS_AFTER: Final = re.compile(
    r"\s+(?:(?:a|an|the|his|her|its|their|your|our|some|more|several|\d[\d,.]*|[\w-]+ly)\s+)*"
    r"(?:[\w-]+\s+)?(?:assets?|propert(?:y|ies)|documents?|statements?|records?|files?|computers?|phones?|"
    r"laptops?|drugs?|cocaine|heroin|marijuana|cannabis|methamphetamine|cash|money|funds|trailers?|houses?|"
    r"homes?|cars?|vehicles?|trucks?|goods|shipments?|contraband|passports?|evidence|items)\b",
    re.IGNORECASE,
)


def _void_object(text: str, hit: _Hit, tax: Taxonomy) -> bool:
    """Tell whether the trigger acts on money, a share or goods, not at a place (:data:`_MONEY_OR_SHARE_AFTER`)."""
    if _MONEY_OR_SHARE_AFTER.match(text, hit.end):
        return True
    return tax.get(hit.type).on_person is not None and _GOODS_AFTER.match(text, hit.end) is not None


class _Actors:
    """Tells, for one text, whether a trigger that needs an actor has one near it.

    The type's actor words count ("minister", "delegation"), and so do the
    names of the people the text introduces by such a word: after "US
    Secretary of State Antony Blinken", "Blinken" is an actor too ("Blinken
    arrived in Rome. Before that, he had visited France.").
    """

    def __init__(self, text: str, lex: _Lexicon, sents: Sequence[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.lex = lex
        self._sents = sents  # the text's sentences (computed when first needed if None)
        self._starts: list[int] | None = None
        self._low: str | None = None
        self.named: dict[str, re.Pattern[str] | None] = {}

    def window(self, hit: _Hit) -> tuple[int, int]:
        """Return the span of the hit's sentence and the one before (:func:`geomap.text.sentence_spans`)."""
        if self._sents is None:
            self._sents = sentence_spans(self.text)
        sents = self._sents
        if self._starts is None:
            self._starts = [s for s, _e in sents]
        i = bisect_right(self._starts, hit.start) - 1
        if i < 0:
            return 0, max(hit.end, self._starts[0] if self._starts else len(self.text))
        return sents[max(i - 1, 0)][0], max(sents[i][1], hit.end)

    @property
    def low(self) -> str | None:
        """The lower-cased text, or None when lower case moves its offsets ("İ")."""
        if self._low is None:
            self._low = self.text.lower()
        return self._low if len(self._low) == len(self.text) else None

    def near(self, hit: _Hit) -> bool:
        """Tell whether an actor of the hit's type is named in its sentence or the one before."""
        patterns = self.lex.actors.get(hit.type)
        if patterns is None:
            return True
        text = self.text
        start, end = self.window(hit)
        if patterns.search(text, self.low, start, end):
            return True
        if hit.type not in self.named:
            ends = (m.end() for m in patterns.finditer(text, self.low, 0, len(text)))
            self.named[hit.type] = _titled_people(text, ends)
        people = self.named[hit.type]
        return people is not None and people.search(text, start, end) is not None


# The name after an actor word: "Minister Luigi Di Maio", "Secretary of State Antony Blinken".
# A first name and a surname at least, so that a place ("the government of Singapore") is no one.
_NAME_AFTER: Final = re.compile(r"(?:\s+of\s+[A-Z][\w'\u2019-]*)?((?:\s+[A-Z][\w'\u2019-]*){2,4})")


_FUNCTION_WORDS: Final = frozenset("a an the at for of in on to and or by with from as is are was".split())


def _titled_people(text: str, actor_ends: Iterable[int]) -> re.Pattern[str] | None:
    """Return a pattern of the surnames of people the text introduces by an actor word, or None.

    ``actor_ends`` are the offsets where the text's actor words end.
    """
    names = set()
    for end in actor_ends:
        name = _NAME_AFTER.match(text, end)
        if name is not None:
            words = name.group(1).split()
            # A headline in title case is no name: "Ambassador At Large For Haiti".
            if len(words[-1]) > 2 and _FUNCTION_WORDS.isdisjoint(w.lower() for w in words):
                names.add(re.escape(words[-1]))
    if not names:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(sorted(names))})(?!\w)")


# Entity types whose words are names, not events: "Houston Rockets", "Stronghold Storage".
_NAME_ENTS: Final = frozenset({"ORG", "PERSON", "FAC", "WORK_OF_ART", "PRODUCT", "LAW"})
_LIST_GAP: Final = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)(?:the\s+)?$", re.IGNORECASE)
_SENTENCE_OPEN: Final = re.compile(r"(?:^|[.!?:\n]|\n\s*)[\s\"'“‘(\[]*$")


def _in_name(text: str, hit: _Hit, doc: Any | None) -> bool:
    """Tell whether a trigger word is part of a proper name rather than an event.

    Capitalised mid-sentence next to another capitalised word ("Assistance
    to Firefighters", "Highway Patrol") or inside a name entity of the parse.
    Neither holds in a headline set in title case ("Georgia Arrests
    Opposition Members on Arms Charges"): there every word is capitalised and
    the small NER model reads the whole line as one organisation.
    """
    if hit.in_names:
        return False  # a governing body's name: "the Athens City Council"
    word = hit.text
    plain = not word[:1].isupper() or word.isupper()
    if plain and doc is None:
        return False  # the answer below, without reading the line
    if title_case_at(text, hit.start):
        return False
    if doc is not None:
        span = doc.char_span(hit.start, hit.end, alignment_mode="expand")
        if span is not None and any(t.ent_type_ in _NAME_ENTS for t in span):
            return True
    if plain:
        return False
    if _SENTENCE_OPEN.search(text[max(0, hit.start - 40) : hit.start]):
        return False
    before = re.search(r"(\w[\w'’.-]*)\W{1,2}$", text[max(0, hit.start - 40) : hit.start])
    after = re.match(r"\W{1,2}(\w+)", text[hit.end : hit.end + 40])
    return bool((before and before.group(1)[:1].isupper()) or (after and after.group(1)[:1].isupper()))


def _coordinations(text: str, mentions: Sequence[Mention]) -> list[list[int]]:
    """Group indices of mentions that form one list ("Syria, Iraq and Libya")."""
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].start, mentions[i].end))
    groups: list[list[int]] = []
    for i in order:
        if groups:
            prev = mentions[groups[-1][-1]]
            m = mentions[i]
            if prev.end <= m.start and _LIST_GAP.match(text[prev.end : m.start]):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


_Best = tuple[float, str, "_Hit | None"]


def _rank(best: _Best) -> float:
    return best[0]


def _event(best: _Best, tax: Taxonomy) -> Event:
    score, etype, hit = best
    if hit is None or score < THRESHOLD:
        return Event(type=tax.default, score=round(1.0 - score, 3), trigger=None)
    return Event(type=etype, score=round(min(1.0, score), 3), trigger=Trigger(hit.text, hit.start, hit.end))


def _best(m: Mention, anchor: Mention, ctx: _Context, tax: Taxonomy) -> _Best:
    """Return the strongest (score, type, trigger) for one place."""
    best: _Best = (0.0, tax.default, None)
    for hit in ctx.hits_near(m):
        if hit.start < m.end and m.start < hit.end:
            continue  # a place name that contains a trigger word ("Camp David") is not a trigger
        dist = ctx.distance(m, hit, anchor)
        if dist is None:
            continue
        scale = ctx.scale
        score = hit.weight * math.exp(-dist / scale)
        etype = hit.type
        on_person = tax.get(etype).on_person
        if on_person is not None and ctx.acts_on_person(hit):
            etype = on_person  # "inmates captured in Nebraska": an arrest, not a conquest
        mood = ctx.mood(hit)
        if mood == "negated":
            score *= _NEGATED
        elif mood == "hypothetical":
            score *= _HYPOTHETICAL
            fallback = tax.get(etype).hypothetical
            if fallback is not None:
                etype = fallback
        if best[2] is None or score > best[0]:
            best = (score, etype, hit)
    return best


class _Context:
    """What the attachment step needs: nearby triggers, a distance and a mood."""

    scale: float
    hits: Sequence[_Hit] = ()
    hit_starts: Sequence[int] = ()

    def set_hits(self, hits: Sequence[_Hit]) -> None:
        self.hits = hits
        self.hit_starts = [h.start for h in hits]

    def sentence(self, m: Mention) -> tuple[int, int] | None:
        raise NotImplementedError

    def prepare(
        self, ranges: Sequence[tuple[int, int]], mentions: Sequence[Mention], anchors: Sequence[Mention] = ()
    ) -> None:
        """Get ready to attach ``mentions`` to the triggers in ``ranges``, their sentences that hold one.

        ``anchors`` are the first places of lists, whose words speak for the
        whole list wherever they are.
        """

    def ranges(self, mentions: Sequence[Mention]) -> list[tuple[int, int]]:
        """Sorted, merged spans of the sentences that hold the mentions."""
        return _merged({sp for m in mentions if (sp := self.sentence(m)) is not None})

    def hits_near(self, m: Mention) -> Sequence[_Hit]:
        sent = self.sentence(m)
        if sent is None:
            return ()
        s, e = sent
        return self.hits[bisect_left(self.hit_starts, s) : bisect_left(self.hit_starts, e)]

    def distance(self, m: Mention, hit: _Hit, anchor: Mention) -> float | None:
        raise NotImplementedError

    def mood(self, hit: _Hit) -> str:
        raise NotImplementedError

    def acts_on_person(self, hit: _Hit) -> bool:
        """Tell whether the trigger's object (or passive subject) is a person."""
        raise NotImplementedError


# Nouns for people a trigger can act on: "captured two suspects", "inmates were seized".
_PERSON_NOUNS: Final = frozenset(
    "man men woman women boy boys girl girls person people suspect suspects inmate inmates fugitive "
    "fugitives prisoner prisoners escapee escapees gunman gunmen soldier soldiers hostage hostages "
    "him her them driver drivers teen teens teenager teenagers".split()
)
_PASSIVE_AUX: Final = frozenset({"was", "were", "been", "being", "is", "are", "be"})
_OBJECT_SKIP: Final = frozenset({"the", "a", "an", "two", "three", "four", "five", "six", "several", "some", "many",
                          "all", "both", "his", "their", "its", "more", "than", "dozens", "of", "other"})


class _SentenceIndex(_Context):
    """Rule-based sentences of a text, for choosing what to parse."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sents = sentence_spans(text)
        self.sent_starts = [s for s, _ in self.sents]

    def _sentence(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.sent_starts, pos) - 1
        if i < 0:
            return 0, len(self.text)
        s, e = self.sents[i]
        return (s, e) if pos < e else (s, max(e, pos + 1))

    def sentence(self, m: Mention) -> tuple[int, int] | None:
        return self._sentence(m.start)


class _WindowContext(_SentenceIndex):
    """Attachment without a parse: token distance within the sentence."""

    scale = _LINEAR_SCALE

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.tok_starts: list[int] = []
        self.toks: list[str] = []
        self.cum: list[int] = [0]
        self._moods: dict[int, str] = {}

    def prepare(
        self, ranges: Sequence[tuple[int, int]], mentions: Sequence[Mention], anchors: Sequence[Mention] = ()
    ) -> None:
        # Tokens only of the sentences with a mention and a trigger (about a
        # fifth of news text), not of the whole text. Each stretch is widened
        # by enough tokens for the few lookups past a sentence (the words
        # before a place, the object after a trigger), so every token read is
        # the one a tokenisation of the whole text would give at that place;
        # indices differ from the whole text's only by a constant within a sentence.
        spans = [*ranges, *((m.start, m.end) for m in mentions if m.end > self._sentence(m.start)[1]),
                 *((a.start, a.end) for a in anchors)]
        starts, toks = self.tok_starts, self.toks
        for lo, hi in _stretches(self.text, spans):
            # (The pattern looks neither behind nor ahead: a slice's tokens are the text's.)
            parts = _TOKEN_SPLIT.split(self.text[lo:hi])
            # gap, token, gap, ..., gap: a token starts where the parts before it end.
            starts.extend(list(accumulate(map(len, parts[:-1]), initial=lo))[1::2])
            toks.extend(map(str.lower, parts[1::2]))
        # Cumulative clause-boundary penalty up to each token, so the penalty
        # between two tokens is one subtraction. In tenths, as integers: a
        # difference of float sums would depend on where the sums start.
        pen = list(map(_PENALTY.get, toks, repeat(0)))
        i = -1
        last = len(toks) - 1
        while (i := _index(toks, ",", i + 1)) >= 0:
            if i < last and toks[i + 1] in _CLAUSE_WORDS:
                pen[i] = 0  # the clause word itself pays
        self.cum = [0, *accumulate(pen)]

    def _tok(self, pos: int) -> int:
        return max(0, bisect_right(self.tok_starts, pos) - 1)

    def distance(self, m: Mention, hit: _Hit, anchor: Mention) -> float | None:
        ms, me = self._tok(m.start), self._tok(max(m.start, m.end - 1))
        hs, he = self._tok(hit.start), self._tok(max(hit.start, hit.end - 1))
        if he < ms:  # trigger before the place
            gap = ms - he
            between = (self.cum[ms] - self.cum[he + 1]) / 10
            prev = self.toks[ms - 1] if ms > 0 else ""
            if prev in {"the", "of"} and ms > 1:
                prev = self.toks[ms - 2]
            bonus = 1.0 if prev in _LOCATIVE else 0.0
        else:  # place before the trigger: usually its subject or a modifier
            gap = hs - me
            between = (self.cum[hs] - self.cum[me + 1]) / 10
            bonus = 0.0
        am = self._tok(anchor.start)
        back = self.toks[max(0, am - 3) : am]
        if back and back[-1] == "from":
            between += 8.0  # an origin ("fighters from Tunisia attacked"), not the event's place
        elif any(w in _REFERENCE for w in back):
            between += 2.0  # a reference point ("near Ras Lanuf"), seldom the event's place
        return max(0.0, gap - 1 - bonus + between)

    def acts_on_person(self, hit: _Hit) -> bool:
        i, j = self._tok(hit.start), self._tok(max(hit.start, hit.end - 1))
        toks = self.toks
        k = j + 1
        while k < len(toks) and k <= j + 4 and (toks[k] in _OBJECT_SKIP or toks[k].isdigit()):
            k += 1
        if k < len(toks) and toks[k] in _PERSON_NOUNS:
            return True  # "captured two suspects"
        # "the men were captured", "inmates captured in Nebraska": a passive,
        # not "soldiers captured Mosul", where the soldiers act.
        k = i - 1
        aux = k >= 0 and toks[k] in _PASSIVE_AUX
        if aux:
            k -= 1
        if k < 0 or toks[k] not in _PERSON_NOUNS:
            return False
        nxt = toks[j + 1] if j + 1 < len(toks) else "."
        return aux or not nxt.isalpha() or nxt in _LOCATIVE or nxt == "by"

    def mood(self, hit: _Hit) -> str:
        if hit.start in self._moods:
            return self._moods[hit.start]
        i = self._tok(hit.start)
        s, _ = self._sentence(hit.start)
        lo = max(self._tok(s), i - 5)
        window = self.toks[lo:i]
        # Stop at the nearest clause boundary: cues beyond it belong elsewhere.
        for j in range(len(window) - 1, -1, -1):
            if window[j] in _STRONG_BREAKS or window[j] in _CLAUSE_WORDS or window[j] == ",":
                window = window[j + 1 :]
                break
        mood = "plain"
        if any(w in _NEGATION_WORDS for w in window):
            mood = "negated"
        elif any(w in _MODAL_WORDS for w in window):
            mood = "hypothetical"
        self._moods[hit.start] = mood
        return mood


def _index(items: list[str], item: str, start: int) -> int:
    """Return the index of ``item`` in ``items`` from ``start`` on, or -1."""
    try:
        return items.index(item, start)
    except ValueError:
        return -1


def _stretches(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the sorted, disjoint union of ``spans``, each widened by a few words on both sides.

    Each span gets ``_LOOK_BEHIND`` whitespace-separated words before it and
    ``_LOOK_AHEAD`` after it (fewer at the ends of the text); a word holds at
    least one token. Stretches start after a space and end before one: no
    token crosses their ends, so tokenising a stretch gives exactly the
    tokens of the whole text inside it.
    """
    return _merged((_widen_back(text, s), _widen_ahead(text, e)) for s, e in spans)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort (start, end) spans and merge those that overlap or touch."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _widen_back(text: str, pos: int) -> int:
    lo = max(0, pos - 64)
    while True:
        m = _WORDS_BEFORE.search(text, lo, pos)
        if m is not None:
            return m.start()
        if lo == 0:
            return 0
        lo = max(0, 2 * lo - pos)


def _widen_ahead(text: str, pos: int) -> int:
    m = _WORDS_AFTER.match(text, pos)
    return len(text) if m is None else m.end()


class _DocContext(_Context):
    """Attachment with a spaCy parse: dependency-path length between trigger and place.

    The parse comes in pieces: ``(offset, Doc)`` pairs, each the parse of
    ``text[offset:offset + len(doc.text)]`` (one piece at offset 0 for a
    parse of the whole text, or one per sentence when only some sentences
    were parsed). Trigger and place attach only within one parsed sentence.
    """

    scale = _DEP_SCALE

    def __init__(self, pieces: Sequence[tuple[int, Any]]) -> None:
        self.pieces = sorted(pieces, key=lambda p: p[0])
        self.offsets = [off for off, _doc in self.pieces]
        # Doc.text joins every token on each access: measure each piece once.
        self.lengths = [len(doc.text) for _off, doc in self.pieces]
        self._roots: dict[tuple[int, int], tuple[int, Any] | None] = {}
        self._moods: dict[int, str] = {}

    def _root(self, start: int, end: int) -> tuple[int, Any] | None:
        """Return (piece index, syntactic head token) of a character span."""
        key = (start, end)
        if key not in self._roots:
            root = None
            k = bisect_right(self.offsets, start) - 1
            if k >= 0:
                off, doc = self.pieces[k]
                if end - off <= self.lengths[k]:
                    span = doc.char_span(start - off, end - off, alignment_mode="expand")
                    if span is not None and len(span):
                        root = (k, span.root)
            self._roots[key] = root
        return self._roots[key]

    def sentence(self, m: Mention) -> tuple[int, int] | None:
        root = self._root(m.start, m.end)
        if root is None:
            return None
        off = self.offsets[root[0]]
        sent = root[1].sent
        return off + sent.start_char, off + sent.end_char

    def distance(self, m: Mention, hit: _Hit, anchor: Mention) -> float | None:
        ra, rb = self._root(m.start, m.end), self._root(hit.start, hit.end)
        if ra is None or rb is None or ra[0] != rb[0]:
            return None
        a, b = _lift(ra[1]), rb[1]
        if a.sent.start != b.sent.start:
            return None
        if a.i == b.i:
            return 0.0
        path = _path_length(a, b)
        # Linear distance breaks ties between triggers at the same path length.
        linear: int = abs(a.i - b.i)
        extra = 0.0
        first = a
        while first.dep_ == "conj" and first.head.i != first.i:
            first = first.head  # the coordination's first member carries its preposition
        head = first.head
        if head.i != first.i and head.lower_ in {"near", "from"} and b.i not in {head.i, head.head.i}:
            # A reference point ("near X") or an origin ("fighters from X") of
            # an event placed elsewhere; an origin almost never is the place.
            extra = 3.0 if head.lower_ == "from" else 1.5
        return max(0.0, path - 1 + 0.02 * linear + extra)

    def acts_on_person(self, hit: _Hit) -> bool:
        root = self._root(hit.start, hit.end)
        if root is None:
            return False
        tok = root[1]
        patients = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "obj")]
        if tok.dep_ in ("acl", "amod", "relcl") and tok.head.i != tok.i:
            patients.append(tok.head)  # "inmates captured in Nebraska"
        return any(_is_person(p) for p in patients)

    def mood(self, hit: _Hit) -> str:
        if hit.start in self._moods:
            return self._moods[hit.start]
        root = self._root(hit.start, hit.end)
        mood = "plain"
        if root is not None:
            tok = root[1]
            chain = [tok]
            cur = tok
            for _ in range(3):
                if cur.head.i == cur.i:
                    break
                cur = cur.head
                chain.append(cur)
            near = [c for t in chain[:2] for c in t.children]
            if any(c.dep_ == "neg" or c.lower_ in _NEGATION_WORDS for c in near) or any(
                t.lower_ in _DENY_FORMS for t in chain[1:]
            ):
                mood = "negated"
            elif any(c.lower_ in _MODAL_WORDS for c in near if c.dep_ in {"aux", "amod", "advmod", "mark"}) or any(
                t.lower_ in _MODAL_FORMS for t in chain[1:]
            ):
                mood = "hypothetical"
        self._moods[hit.start] = mood
        return mood


def _is_person(tok: Any) -> bool:
    return tok.ent_type_ == "PERSON" or tok.lower_ in _PERSON_NOUNS


# Nouns of an area or a site that a place name only narrows down: in "the
# Crown Heights neighborhood of Brooklyn" or "a Lancaster park" the event's
# path runs through the noun, which stands for the place.
_AREA_NOUNS: Final = frozenset(
    "area areas neighborhood neighbourhood neighborhoods neighbourhoods town city village district region "
    "province county suburb suburbs outskirts part parts centre center downtown park home house "
    "condominium apartment street road block estate".split()
)


def _lift(tok: Any) -> Any:
    """Return the area noun a place's token narrows down ("area of X", "an X park"), or the token."""
    for _ in range(3):
        head = tok.head
        if tok.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in _AREA_NOUNS and head.head.i != head.i:
            tok = head.head
        elif tok.dep_ in ("compound", "nmod") and head.lower_ in _AREA_NOUNS and head.i != tok.i:
            tok = head
        else:
            break
    return tok


def _path_length(a: Any, b: Any) -> int:
    """Return the number of arcs between two tokens of one dependency tree."""
    depth_a: dict[int, int] = {}
    cur, d = a, 0
    while True:
        depth_a[cur.i] = d
        if cur.head.i == cur.i:
            break
        cur, d = cur.head, d + 1
    cur, d = b, 0
    while cur.i not in depth_a:
        if cur.head.i == cur.i:
            return len(depth_a) + d + 1  # different trees: should not happen within a sentence
        cur, d = cur.head, d + 1
    return depth_a[cur.i] + d
