"""Pure text utilities: name normalisation, variant keys and sentence spans.

The same functions build the gazetteer's keys and normalise queries, so a
name in an article and a name in GeoNames meet on exactly the same key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Letters that NFKD does not decompose into ASCII + combining marks.
_FOLD: Final = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ħ": "h",
    }
)
# Apostrophes and the Arabic ayin/hamza transliteration marks are dropped:
# "Ta'izz", "Taʿizz" and "Taizz" must meet on one key.
_DROP: Final = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02bf\u02be\u0060\u00b4\u02b9\u02c8]")
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015_./,()]+")
_LEADING_THE: Final = re.compile(r"^the ")

#: Arabic definite-article forms as they appear in transliterations.
ARABIC_ARTICLES: Final = frozenset(
    {"al", "el", "il", "ul", "as", "es", "ad", "ed", "ash", "esh", "az", "ez", "ar", "er",
     "at", "et", "an", "en", "ath", "adh"}
)


@lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Return the lookup key of a place name.

    Case, diacritics, apostrophes, hyphens and a leading "the" are folded.

    Parameters
    ----------
    name
        A place name as written anywhere.

    Returns
    -------
    str
        The key; empty when the name has no letters or digits.

    Examples
    --------
    >>> normalize("Marsá Maţrūḩ")
    'marsa matruh'
    >>> normalize("The Hague")
    'hague'
    >>> normalize("Ta'izz")
    'taizz'
    """
    folded = name
    if not name.isascii():
        # (ASCII has no diacritics and _FOLD maps only non-ASCII letters:
        # most names skip the character-by-character pass, most of the cost.)
        folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _DROP.sub("", folded).casefold()
    folded = _SEPARATORS.sub(" ", folded).strip()
    return _LEADING_THE.sub("", folded)


def strip_article(key: str) -> str:
    """Drop Arabic article tokens ("al", "el", "as"...) from a normalised key.

    >>> strip_article("al sedra")
    'sedra'
    >>> strip_article("ras al ain")
    'ras ain'
    """
    tokens = [t for t in key.split() if t not in ARABIC_ARTICLES]
    return " ".join(tokens) if tokens else key


# Transliteration folds applied before the consonant skeleton. Order matters:
# digraphs first, so "kh" becomes "h" before "k"/"h" are handled alone.
_TRANSLIT: Final = (
    (re.compile(r"\b(?:beni|bani|bany|bin|ben|bni|ibn|banu)\b"), "bn"),
    (re.compile(r"\b(?:abu|abou|bou|abo)\b"), "b"),
    (re.compile(r"\b(?:wadi|oued|ouadi|wad)\b"), "wd"),
    (re.compile(r"\b(?:jebel|jabal|djebel|gebel)\b"), "jbl"),
    (re.compile(r"([aeiou])h\b"), r"\1"),  # ta marbuta: Sabratah = Sabrata
    (re.compile(r"kh"), "h"),
    (re.compile(r"dh"), "d"),
    (re.compile(r"th"), "t"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"sh|ch"), "s"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"dj"), "j"),
    # "u" or French "ou" before a vowel is the consonant w ("Zouara" is
    # Zuwara, "Ouargla" Wargla, "Duala" Douala); elsewhere the vowel u
    # ("Tajoura" is Tajura).
    (re.compile(r"o?u(?=[aeiy])"), "w"),
    (re.compile(r"ou"), "u"),
    # Diphthongs closing a syllable, which transliterations spell either
    # way: "aw" is "o" ("Nawfaliyah"/"Nofaliya"), and
    # "ay", "ai", "ei", "ey" are one "y" ("Zuwayd"/"Zuweid", "Bayji"/"Beiji",
    # "Shaykh"/"Sheikh"). Only before a consonant: before a vowel or a
    # doubled letter the "w" or "y" is a consonant ("Jawad", "Jawwad"), and
    # a last "ai" or "y" is often an English vowel ("Kabrai", "Cauvery").
    (re.compile(r"aw(?=[^\Waeiouwy])"), "o"),
    (re.compile(r"[ae][iy](?=[^\Waeiouy])"), "y"),
    (re.compile(r"[qgc]"), "k"),
    (re.compile(r"[zx]"), "s"),
    (re.compile(r"v"), "b"),
)
#: Countries whose place names carry the Arabic article ("Al Qāmishlī"),
#: which English-language news often drops ("Qamishli").
ARABIC_NAMED_COUNTRIES: Final[frozenset[str]] = frozenset(
    "AE BH DZ EG EH IQ JO KW LB LY MA MR OM PS QA SA SD SY TN YE".split()
)


def without_leading_article(key: str) -> str | None:
    """Return a normalised key without its leading Arabic article, or None.

    Only for a name of two or more words whose rest is at least four
    letters: "al qamishli" gives "qamishli", "al kut" and "ras al ain" give
    None (a three-letter rest is too often another word, and an inner
    article is no prefix news drops).

    >>> without_leading_article("al qamishli"), without_leading_article("al kut")
    ('qamishli', None)
    """
    head, _sep, rest = key.partition(" ")
    if head not in ARABIC_ARTICLES or len(rest.replace(" ", "")) < 4:
        return None
    return rest


#: Countries whose place names reach English news through transliteration
#: from a non-Latin script (Arabic, Persian, Cyrillic, Hebrew, Greek,
#: Georgian, Armenian, Brahmic, Chinese, Japanese, Korean, Ge'ez), plus the
#: Sahel and Horn countries whose Arabic-origin names are spelled the French
#: or the English way. Only there does one name have several spellings that
#: the skeleton of :func:`variant_key` should join ("Subratha", "Sabratha");
#: elsewhere a shared skeleton joins different names ("Saint Croix" and
#: "Santa Cruz", "St Athan" and "Saint-Etienne").
TRANSLITERATED_COUNTRIES: Final[frozenset[str]] = frozenset("""
    AE BH DZ EG EH IQ JO KW LB LY MA MR OM PS QA SA SD SY TN YE
    AF IR PK IL
    AM AZ BY BG GE KG KZ MK MN RS RU TJ TM UA UZ BA ME
    CY GR
    BD BT IN LK MV NP
    KH LA MM TH
    CN HK JP KP KR MO TW
    DJ ER ET ML NE SO SS TD
""".split())


def has_spelling_variants(country_code: str | None, feature_code: str) -> bool:
    """Whether a place may be matched by the skeleton of its name.

    Names transliterated into Latin script have many spellings; Latin-script
    names have one, and their skeleton mostly joins different names. A
    country is the exception: a misspelt country ("Algieria") is still read.

    >>> has_spelling_variants("LY", "PPL"), has_spelling_variants("US", "ADM2")
    (True, False)
    >>> has_spelling_variants("DZ", "PCLI"), has_spelling_variants("FR", "PCLI")
    (True, True)
    """
    return country_code in TRANSLITERATED_COUNTRIES or feature_code.startswith("PCL")


_VOWELS: Final = re.compile(r"[aeiou]")
_FUSED_ARTICLE: Final = re.compile(r"\b[ae](?=([tdrzsnl])\1[a-z]{2,})")
_DOUBLES: Final = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def variant_key(name: str) -> str:
    """Return a transliteration-tolerant skeleton key for a place name.

    Arabic articles are dropped, common transliteration pairs folded
    (Beni/Bani/Bin, ou/u, kh/h, dh/d, q/k/g...), then vowels and doubled
    letters removed. Different spellings of one Arabic name usually meet on
    one skeleton; unrelated names sometimes do too, which is why a variant
    match ranks below exact and alias matches and needs context.

    >>> variant_key("Beni Jawad") == variant_key("Bin Jawwad")
    True
    >>> variant_key("Subratha") == variant_key("Sabratha")
    True
    """
    key = strip_article(normalize(name))
    # An article fused by sun-letter assimilation: "Essider" is "es-Sider",
    # "Azzawiya" is "az-Zawiya".
    key = _FUSED_ARTICLE.sub("", key)
    for pattern, repl in _TRANSLIT:
        key = pattern.sub(repl, key)
    tokens = []
    for token in key.split():
        skeleton = token[0] + _VOWELS.sub("", token[1:]) if token else token
        # A leading vowel is kept ("Ajdabiya" vs "Jdabiya" differ), but
        # its spelling is not: a/e/i/o/u all fold to "a".
        if skeleton and skeleton[0] in "aeiou":
            skeleton = "a" + skeleton[1:]
        tokens.append(_DOUBLES.sub(r"\1", skeleton))
    return " ".join(t for t in tokens if t)


# A closing mark and the whitespace after it, or a run of line breaks. The
# mark is matched, not looked behind for, and the pattern opens with one
# character class for both cases (which one, a lookbehind then tells): the
# engine skips to the next such character in C, where a lookbehind first or
# an alternation "mark...|\n+" would be tried at every position of the text.
_SENTENCE_END: Final = re.compile(r"[.!?\u201d\"'\n](?:(?<=\n)\n*|(?<!\n)\s+(?=[\"\u201c\u2018'(\[]?[A-Z0-9]))")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (start, end), newline-aware.

    A cheap rule-based splitter: a new sentence starts after ., ! or ? and
    whitespace when the next character is upper-case or a digit, and at every
    line break (scraped news puts headlines, captions and link lists on their
    own lines).

    >>> sentence_spans("Rome is big. Cairo too.\\nSirte")
    [(0, 12), (13, 23), (24, 29)]

    A full stop after a title or an abbreviation ("Sen.", "St.", "U.S.",
    "p.m.") or an initial ends no sentence:

    >>> sentence_spans("Sen. Smith met U.S. envoys at 5 p.m. Friday in St. Louis.")
    [(0, 57)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        mark = text[end]
        if mark != "\n":
            end += 1  # after the closing mark
            if mark == "." and _abbreviation_before(text, end):
                continue
        s, e = _trim(text, start, end)
        if s < e:
            spans.append((s, e))
        start = m.end()
    s, e = _trim(text, start, len(text))
    if s < e:
        spans.append((s, e))
    return spans


# Words that end in a full stop without ending the sentence: titles, months,
# street and place abbreviations. Initials and dotted acronyms are matched
# by shape (_DOTTED).
_ABBREVIATIONS: Final = frozenset(
    {"Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt", "Cmdr", "Sgt", "Maj",
     "Adm", "Cpl", "Pvt", "Pres", "Rev", "Fr", "Sr", "Jr", "St", "Ste", "Mt", "Ft", "Ave", "Blvd", "Rd",
     "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No", "Nos",
     "vs", "etc", "Inc", "Corp", "Co", "Ltd", "Bros", "approx", "Dept", "Univ", "Calif", "Ill", "Fla",
     "Mass", "Mich", "Minn", "Penn", "Tenn", "Wash", "Conn", "Ariz", "Ala", "Ark", "Colo", "Del", "Ga",
     "Ind", "Kan", "Ky", "La", "Md", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tex",
     "Va", "Vt", "Wis", "Wyo"}
)  # fmt: skip
_DOTTED: Final = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.")
_LAST_WORD: Final = re.compile(r"[\w.]+$")


def dotted_abbreviation(word: str) -> bool:
    """Tell whether a word's final full stop is part of it ("Ind.", "Calif.", "D.C.").

    >>> dotted_abbreviation("Calif."), dotted_abbreviation("Libya.")
    (True, False)
    """
    return word.endswith(".") and (word[:-1] in _ABBREVIATIONS or bool(_DOTTED.fullmatch(word)))


def _abbreviation_before(text: str, end: int) -> bool:
    """Tell whether the full stop just before ``end`` closes an abbreviation."""
    m = _LAST_WORD.search(text, max(0, end - 16), end)
    if m is None:
        return False
    word = m.group()
    return word[:-1] in _ABBREVIATIONS or bool(_DOTTED.fullmatch(word))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span of the sentence containing ``text[start:end]``."""
    for s, e in sentence_spans(text):
        if s <= start < e or (s <= start and end <= e):
            return s, e
    return start, end


_CONTENT_WORD: Final = re.compile(r"[^\W\d_][\w'\u2019-]{3,}")


def title_case_at(text: str, pos: int) -> bool:
    """Tell whether the sentence or line around ``pos`` is set in title case, like a headline.

    At least three words of four letters or more, and nine in ten of them
    capitalised. In such a line capitals say nothing about names: "Georgia
    Arrests Opposition Members on Arms Charges".

    >>> title_case_at("Rebels Seize Town of Kidal in Northern Mali", 0)
    True
    >>> title_case_at("Rebels seized the town of Kidal in northern Mali.", 0)
    False
    """
    dot = text.rfind(". ", 0, pos)
    start = max(dot + 2 if dot >= 0 else 0, text.rfind("\n", 0, pos) + 1)
    ends = [e for e in (text.find(". ", pos), text.find("\n", pos)) if e >= 0]
    words = _CONTENT_WORD.findall(text, start, min(ends, default=len(text)))
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.9 * len(words)


_FURNITURE_HEADER: Final = re.compile(
    r"^\s*(?:read more|related posts?|related( articles| stories| news)?|more from|recommended|"
    r"you may also like|also read|see also|trending|most read|popular|click to follow|follow us|"
    r"share this|share|advertisement|subscribe.*|sign up.*|photo captions?|comments?)\s*:?\s*$",
    re.IGNORECASE,
)


def furniture_header(line: str) -> bool:
    """Tell whether a line is a web page's furniture header, not the story's.

    >>> furniture_header("Read More:"), furniture_header("Photo captions"), furniture_header("Rome talks")
    (True, True, False)
    """
    return _FURNITURE_HEADER.match(line) is not None
