from geomap.model import Mention
from geomap.resolve import Context, article_context, qualifier_after, resolve_mention


def mention(text):
    return Mention(0, len(text), text)


def test_capital_beats_homonyms_without_context(mini_gazetteer):
    res = resolve_mention(mention("Tripoli"), mini_gazetteer.lookup("Tripoli"), Context({}))
    assert res.place.country_code == "LY" and 0.5 < res.score <= 1.0


def test_article_context_decides(mini_gazetteer):
    cands = mini_gazetteer.lookup("Tripoli")
    res = resolve_mention(mention("Tripoli"), cands, Context({"LB": 1.0}))
    assert res.place.country_code == "LB" and res.method == "context"
    assert dict(res.features)["context_country"] > 0


def test_qualifier_decides(mini_gazetteer):
    cands = mini_gazetteer.lookup("Paris")
    assert resolve_mention(mention("Paris"), cands, Context({})).place.country_code == "FR"
    texas = resolve_mention(mention("Paris"), cands, Context({}), qualifier=frozenset({"US.TX", "US"}))
    assert texas.place.country_code == "US"


def test_qualifier_after():
    assert qualifier_after("Tikrit, Iraq, was", 6) == "Iraq"
    assert qualifier_after("Tikrit, which", 6) is None
    assert qualifier_after("Tikrit and", 6) is None


def test_no_candidates_is_unresolved():
    res = resolve_mention(mention("Atlantis"), [], Context({}))
    assert res.place is None and res.score == 0.0 and res.method == "none"


def test_country_outranks_homonymous_town(mini_gazetteer):
    res = resolve_mention(mention("Egypt"), mini_gazetteer.lookup("Egypt"), Context({}))
    assert res.place.feature == "PCLI" and res.place.country_code == "EG"


def test_article_context_counts_countries(mini_gazetteer):
    ms = [mention("Libya"), mention("Libya"), mention("Sirte"), mention("Italy")]
    cands = {k: mini_gazetteer.lookup(k) for k in ("libya", "sirte", "italy")}
    ctx = article_context(ms, cands)
    assert max(ctx.countries, key=ctx.countries.get) == "LY"
    assert abs(sum(ctx.countries.values()) - 1.0) < 1e-9


def test_variant_match_is_never_fully_certain(mini_gazetteer):
    cands = mini_gazetteer.lookup("Beni Jawad")
    res = resolve_mention(mention("Beni Jawad"), cands, Context({"LY": 1.0}))
    assert res.place.name == "Bin Jawwād" and res.score < 1.0
