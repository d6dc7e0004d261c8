"""Hand-built ArticleResult corpora for the map tests (no pipeline needed)."""

from __future__ import annotations

from geomap.model import Article, ArticleResult, Event, GeoMention, Mention, Place, Resolution, Trigger

SIRTE = Place("Sirte", "2210554", 31.20892, 16.58866, "PPLA", "LY", "Surt", 128123)
TRIPOLI = Place("Tripoli", "2210247", 32.88743, 13.18733, "PPLC", "LY", "Tripoli", 1150989)
BENGHAZI = Place("Benghazi", "88319", 32.11486, 20.06859, "PPLA", "LY", "Benghazi", 650629)
ROME = Place("Rome", "3169070", 41.89193, 12.51133, "PPLC", "IT", "Lazio", 2318895)
CAIRO = Place("Cairo", "360630", 30.06263, 31.24967, "PPLC", "EG", "Cairo", 7734614)
WASHINGTON = Place("Washington", "4140963", 38.89511, -77.03637, "PPLC", "US", "District of Columbia", 689545)
DENVER = Place("Denver", "5419384", 39.73915, -104.9847, "PPLA", "US", "Colorado", 715522)
LONDON = Place("London", "2643743", 51.50853, -0.12574, "PPLC", "GB", "England", 8961989)
BAGHDAD = Place("Baghdad", "98182", 33.34058, 44.40088, "PPLC", "IQ", "Baghdad", 7216000)
DOHA = Place("Doha", "290030", 25.28545, 51.53096, "PPLC", "QA", "Baladīyat ad Dawḩah", 344939)
SANAA = Place("Sanaa", "71137", 15.35472, 44.20667, "PPLC", "YE", "Amanat al Asimah", 1937451)
NDJAMENA = Place("N'Djamena", "2427123", 12.10672, 15.0444, "PPLC", "TD", "Chari-Baguirmi", 721081)
PLACES = {p.name: p for p in (SIRTE, TRIPOLI, BENGHAZI, ROME, CAIRO, WASHINGTON, DENVER, LONDON, BAGHDAD, DOHA,
                              SANAA, NDJAMENA)}


def result(article: Article, marks: list[tuple[str, str, str]], *, field_title: str | None = None) -> ArticleResult:
    """Build an ArticleResult from (place name, matched text, event type) triples.

    Each matched text is located in order in the article text (a later
    occurrence after the previous one), so offsets are real.
    """
    out = []
    pos = 0
    for name, text, etype in marks:
        field = "text"
        start = article.text.find(text, pos)
        if start < 0:
            start = article.text.find(text)
        if start < 0 and field_title and article.title:
            start, field = article.title.find(text), "title"
        assert start >= 0, (text, article.id)
        if field == "text":
            pos = start + len(text)
        mention = Mention(start, start + len(text), text, field=field)
        place = PLACES.get(name)
        out.append(GeoMention(mention, Resolution(place, 0.91 if place else 0.0, "gazetteer" if place else "none"),
                              Event(etype, 0.8, Trigger("clashes", 0, 7))))
    return ArticleResult(article, tuple(out))


def single_place() -> list[ArticleResult]:
    """One article about one place: the map's bounds are a single point."""
    # A long title widens the article panel: the right panels outgrow the left ones.
    art = Article("s1", "Airstrikes on Sirte as rival governments trade blame over the collapse of talks",
                  "Airstrikes hit Sirte on Monday. Residents of Sirte fled west.", "s1.txt")
    return [result(art, [("Sirte", "Sirte", "airstrike"), ("Sirte", "Sirte", "humanitarian")])]


def realistic() -> list[ArticleResult]:
    """Three plausible Libya/Mediterranean articles, one with a duplicated title."""
    a1 = Article(
        "a1", "Clashes erupt near Sirte",
        "Heavy clashes broke out on Tuesday east of Sirte between rival forces. "
        "Residents of Sirte said shelling continued overnight.\n"
        "Officials in Tripoli called for calm, while talks were planned in Rome.",
        "a1.txt", url="https://news.example.org/libya/sirte-clashes", published="2024-03-05",
    )
    a2 = Article(
        "a2", "Libya talks resume",
        "Delegations met in Cairo on Sunday to resume talks on the unification of the army. "
        "Airstrikes were reported near Benghazi. Later the delegations travelled to Sirte.",
        "a2.txt", url="javascript:alert(1)", published="2024-03-10",
    )
    a3 = Article(
        "a3", "Libya talks resume",
        "A second round of talks is expected in Rome. Protesters gathered in Tripoli.",
        "a3.txt", published="2024-04-01",
    )
    return [
        result(a1, [("Sirte", "Sirte", "armed_clash"), ("Sirte", "Sirte", "armed_clash"),
                    ("Tripoli", "Tripoli", "political"), ("Rome", "Rome", "diplomacy")]),
        result(a2, [("Cairo", "Cairo", "diplomacy"), ("Benghazi", "Benghazi", "airstrike"),
                    ("Sirte", "Sirte", "mention")]),
        result(a3, [("Rome", "Rome", "diplomacy"), ("Tripoli", "Tripoli", "protest"),
                    ("Nowhere", "Tripoli", "mention")]),
    ]


def worldwide() -> list[ArticleResult]:
    """Two articles whose places span the Rockies to the Gulf, like the seed articles."""
    a1 = Article(
        "w1", "Coalition ministers meet",
        "Ministers met in Rome and in Washington, with officials from Denver and London. "
        "Strikes were reported near Baghdad and Sanaa.",
        "w1.txt", published="2024-05-02",
    )
    a2 = Article(
        "w2", "Gulf talks",
        "Envoys gathered in Doha and Cairo; aid reached N'Djamena. Clashes continued in Sirte.",
        "w2.txt", published="2024-05-03",
    )
    return [
        result(a1, [("Rome", "Rome", "diplomacy"), ("Washington", "Washington", "diplomacy"),
                    ("Denver", "Denver", "mention"), ("London", "London", "mention"),
                    ("Baghdad", "Baghdad", "airstrike"), ("Sanaa", "Sanaa", "airstrike")]),
        result(a2, [("Doha", "Doha", "diplomacy"), ("Cairo", "Cairo", "diplomacy"),
                    ("N'Djamena", "N'Djamena", "humanitarian"), ("Sirte", "Sirte", "armed_clash")]),
    ]


HOSTILE_STRINGS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "${window.__pwned='tpl'}",
    "`; window.__pwned='backtick'; `",
    "'); window.__pwned='quote'; ('",
    "\"); window.__pwned='dquote'; (\"",
    "</script><script>window.__pwned='close'</script>",
    "\\`${window.__pwned='bs'}",
    "{{ 7*7 }} {% if true %}JINJA{% endif %}",
    "<!-- <script>",
    "\u2028\u2029 line separators",
]


def hostile() -> list[ArticleResult]:
    """Articles whose title, text, url and place names try to run code."""
    results = []
    for i, bad in enumerate(HOSTILE_STRINGS):
        text = f"Fighting near Sirte {bad} was reported. {bad} Officials in Tripoli {bad} denied it."
        art = Article(f"h{i}", f"Sirte {bad}", text, f"h{i}.txt",
                      url=["javascript:window.__pwned='url'", "data:text/html,<script>1</script>",
                           " JAVASCRIPT:alert(1)", "https://example.org/?q=\"><script>"][i % 4],
                      published=f"2024-05-{i + 1:02d}")
        results.append(result(art, [("Sirte", "Sirte", "armed_clash"), ("Tripoli", "Tripoli", "political")]))
    # A hostile place name (a geocoder or a user gazetteer could return one).
    evil_place = Place("<img src=x onerror=\"window.__pwned='place'\">${window.__pwned='p2'}", "x1",
                       30.0, 20.0, "PPL", "LY")
    art = Article("hp", "<b>bold</b> title", "Evil town is here.", "hp.txt")
    gm = GeoMention(Mention(0, 9, "Evil town"), Resolution(evil_place, 0.5, "gazetteer"), Event("mention", 0.1))
    results.append(ArticleResult(art, (gm,)))
    return results
