import dataclasses

import pytest

from geomap.model import Mention, Resolution
from geomap.resolve import Context, article_context, qualifier_after, qualifier_regions, resolve_mention, weak_alias
from geomap.text import normalize


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
    # A list of places is no place and its qualifier...
    assert qualifier_after("Washington, New York and Boston", 10) is None
    # ...but a next item with a qualifier of its own keeps this one's.
    assert qualifier_after("Paris, Texas, and Lexington, Kentucky", 5) == "Texas"


def test_second_level_regions_qualify_by_their_first_level_region(full_gazetteer):
    regions = qualifier_regions(full_gazetteer.lookup("Derbyshire", limit=10, variants=False))
    assert "GB.ENG" in regions
    # A name that is a first-level region is that region, not a county by its name.
    assert qualifier_regions(full_gazetteer.lookup("Washington", limit=10, variants=False)) >= {"US.WA"}
    assert not any(r.startswith("US.") and r != "US.WA" for r in
                   qualifier_regions(full_gazetteer.lookup("Washington", limit=10, variants=False)))


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


def _cand(name, feature, cc="US"):
    from geomap.model import Candidate, Place

    place = Place(name=name, id=f"t:{name}:{feature}", lat=38.0, lon=-84.0, feature=feature, country_code=cc,
                  admin1=None, population=None)
    fclass = {"AIRP": "S", "PPL": "P"}.get(feature, "A")
    return Candidate(place=place, match_kind="alias", alt_count=0, similarity=1.0, feature_class=fclass)


def test_an_administrative_name_never_resolves_to_an_airport_or_town():
    # "Boone County" matched "Boone County Airport" by alias, 720 km from the county.
    airport, town = _cand("Boone County Airport", "AIRP"), _cand("Boone County", "PPL")
    res = resolve_mention(mention("Boone County"), [airport, town], Context({"US": 1.0}))
    assert res.place is None and res.method == "none"
    county = _cand("Boone County", "ADM2")
    assert resolve_mention(mention("Boone County"), [airport, county], Context({})).place.feature == "ADM2"
    # Without a generic word the airport stays a candidate ("Heathrow").
    assert resolve_mention(mention("Heathrow"), [_cand("Heathrow", "AIRP", "GB")], Context({})).place is not None


def test_region_context_prefers_the_container_of_the_articles_other_places():
    from geomap.model import Resolution
    from geomap.resolve import RegionVotes

    country = _cand("Georgia", "PCLI", "GE")
    state = _cand("Georgia", "ADM1", "US")
    state = type(state)(place=dataclasses.replace(state.place, admin1="GA"),
                        match_kind="exact", similarity=1.0, feature_class="A", alt_count=0)
    first = resolve_mention(mention("Georgia"), [country, state], Context({"US": 0.5, "GE": 0.5}))
    assert first.place.country_code == "GE"  # the bare name: the country
    atlanta = dataclasses.replace(state.place, name="Atlanta", feature="PPL")
    votes = RegionVotes([(mention("Atlanta"), Resolution(atlanta, 0.9, "gazetteer")),
                         (mention("Georgia"), first)])
    shares = votes.shares(exclude="georgia")
    assert shares == {"US.GA": 1.0}
    second = resolve_mention(mention("Georgia"), [country, state], Context({"US": 0.5, "GE": 0.5}, admin1=shares))
    assert second.place.country_code == "US" and "context_container" in dict(second.features)
    # A name's own occurrences never vote for it.
    assert RegionVotes([(mention("Atlanta"), Resolution(atlanta, 0.9, "gazetteer"))]).shares(exclude="atlanta") == {}


def test_region_votes_follow_updates_exactly():
    from geomap.model import Resolution
    from geomap.resolve import RegionVotes

    ga = _cand("Atlanta", "PPLA", "US").place
    ga = dataclasses.replace(ga, admin1="GA")
    tx = dataclasses.replace(ga, name="Paris", admin1="TX")
    fr = dataclasses.replace(ga, name="Paris", country_code="FR", admin1="11")
    rows = [(mention("Atlanta"), Resolution(ga, 0.7, "gazetteer")),
            (mention("Paris"), Resolution(fr, 0.1, "gazetteer")),
            (mention("Dallas"), Resolution(tx, 0.3, "gazetteer"))]
    votes = RegionVotes(rows)
    assert votes.shares(exclude="atlanta") == {"FR.11": 0.25, "US.TX": 0.75}
    votes.replace(1, mention("Paris"), Resolution(tx, 0.1, "gazetteer"))
    votes.replace(1, mention("Paris"), Resolution(None, 0.0, "none"))
    votes.replace(1, mention("Paris"), Resolution(tx, 0.1, "gazetteer"))
    assert votes.shares(exclude="atlanta") == {"US.TX": 1.0}
    fresh = RegionVotes([rows[0], (mention("Paris"), Resolution(tx, 0.1, "gazetteer")), rows[2]])
    assert votes.shares(exclude="nowhere") == fresh.shares(exclude="nowhere")


def test_a_country_name_that_is_also_a_state_does_not_vote_for_itself():
    from geomap.model import Candidate

    country = _cand("Georgia", "PCLI", "GE")
    state = _cand("Georgia", "ADM1", "US")
    state = Candidate(place=state.place, match_kind="exact", similarity=1.0, feature_class="A")
    libya = _cand("Libya", "PCLI", "LY")
    ctx = article_context([mention("Georgia"), mention("Libya")], {"georgia": [country, state], "libya": [libya]})
    assert ctx.countries == {"LY": 1.0}


def test_support_counts_the_other_names_that_could_be_in_a_region():
    from geomap.model import Candidate, Place
    from geomap.resolve import admin1_support

    def cand(name, cc, adm, feature="PPL"):
        p = Place(name=name, id=f"t:{name}:{cc}{adm}", lat=0.0, lon=0.0, feature=feature, country_code=cc,
                  admin1=adm, population=None)
        return Candidate(place=p, match_kind="exact", similarity=1.0, feature_class="P")

    cands = {
        "paris": [cand("Paris", "FR", "11"), cand("Paris", "US", "TN"), cand("Paris", "US", "KY")],
        "henry county": [cand("Henry County", "US", "TN", "ADM2"), cand("Henry County", "US", "AL", "ADM2")],
    }
    def first(c):
        return Resolution(place=c.place, score=0.5, method="gazetteer")

    res = [(mention("Paris"), first(cands["paris"][1])), (mention("Henry County"), first(cands["henry county"][0]))]
    support = admin1_support(res, cands)
    assert support["paris"] == {"US.TN": 1.0} and support["henry county"] == {"US.TN": 1.0}

    # A name read as a country, a state or a capital vouches for no region
    # through its namesake towns, though it may still be supported.
    cands["paris"][0] = cand("Paris", "FR", "11", "PPLC")
    cands["mexico"] = [cand("Mexico", "MX", None, "PCLI"), cand("Mexico", "US", "TN")]
    res = [(mention(n), first(cands[normalize(n)][0])) for n in ("Paris", "Henry County", "Mexico")]
    support = admin1_support(res, cands)
    # Henry County alone vouches for Tennessee, out of two other names each.
    assert support == {"paris": {"US.TN": 0.5}, "mexico": {"US.TN": 0.5}}


def _context_of(gazetteer, names):
    mentions = [mention(n) for n in names]
    return article_context(mentions, {normalize(n): gazetteer.lookup(n) for n in names})


def test_a_name_whose_largest_place_dwarfs_its_homonyms_votes_for_its_country(full_gazetteer):
    # Toronto, Canada (2.8 M) against Toronto, Ohio (5,000): as good as unambiguous.
    ctx = _context_of(full_gazetteer, ["Toronto", "Toronto", "New Jersey"])
    assert ctx.countries["CA"] > ctx.countries["US"]
    res = resolve_mention(mention("Toronto"), full_gazetteer.lookup("Toronto"), ctx)
    assert res.place.country_code == "CA"
    # Paris, Texas (25,000) is a real town: a bare "Paris" is no vote for France,
    # not even through the department of Paris, whose summed population
    # (arrondissements and city) is no place's.
    assert any(c.place.feature == "ADM2" for c in full_gazetteer.lookup("Paris", limit=50))
    assert "FR" not in _context_of(full_gazetteer, ["Paris", "New Jersey"]).countries


def test_an_ocean_by_its_short_name_beats_a_small_town(full_gazetteer):
    # "the tropical Atlantic": Natural Earth's name is "Atlantic Ocean"; Atlantic, Iowa is exact.
    res = resolve_mention(mention("Atlantic"), full_gazetteer.lookup("Atlantic"), Context({"US": 1.0}))
    assert res.place.feature == "OCN"


def test_a_one_word_alternate_name_of_a_minor_place_needs_the_article_behind_it(mini_gazetteer):
    from geomap.resolve import weak_alias

    # "Sabratha" is only an alternate name of Şabrātah (83,000 people).
    cands = mini_gazetteer.lookup("Sabratha")
    assert cands and all(c.match_kind != "exact" for c in cands)
    assert weak_alias("Sabratha", cands)
    alone = resolve_mention(mention("Sabratha"), cands, Context({}))
    assert alone.place is None and dict(alone.features).get("weak_alias") == 0.0
    in_libya = resolve_mention(mention("Sabratha"), cands, Context({"LY": 1.0}))
    assert in_libya.place is not None and in_libya.place.country_code == "LY"
    # It does not vote for its own country either.
    assert article_context([mention("Sabratha")], {"sabratha": cands}).countries == {}
    # Alternate names of capitals and big cities stand on their own ("Bombay", "Kiev").
    assert not weak_alias("Tarabulus", mini_gazetteer.lookup("Tarabulus"))
    assert not weak_alias("Ras Lanuf", cands)


def test_two_weak_alternate_names_in_one_country_back_each_other(full_gazetteer, fast_geoparser):
    # "Zuwara" and "Sabratha" are each only the alternate name of a small Libyan town:
    # alone neither says Libya, together they do.
    names = ("Zuwara", "Sabratha")
    cands = {n.lower(): full_gazetteer.lookup(n) for n in names}
    assert all(weak_alias(n, cands[n.lower()]) for n in names)
    assert article_context([mention("Zuwara")], cands).countries == {}
    assert article_context([mention(n) for n in names], cands).countries == {"LY": 1.0}
    result = fast_geoparser.parse_text("Migrants set off from Zuwara and Sabratha for Italy.")
    placed = {m.mention.text: m.resolution.place for m in result.mentions}
    assert placed["Zuwara"].country_code == "LY" and placed["Sabratha"].country_code == "LY"


def test_a_region_named_after_its_city_of_a_million_means_the_city(full_gazetteer):
    from geomap.resolve import namesake_regions, score_candidate

    # New York State and New York City share a name; news means the city.
    cands = full_gazetteer.lookup("New York")
    assert "US.NY" in namesake_regions(cands)
    res = resolve_mention(mention("New York"), cands, Context({"US": 1.0}))
    assert res.place.feature.startswith("PPL") and res.place.population > 8_000_000
    state = next(c for c in cands if c.place.feature == "ADM1")
    _raw, feats = score_candidate(state, Context({"US": 1.0}), namesakes=namesake_regions(cands))
    assert dict(feats)["namesake_city"] < 0
    # Quebec City (530,000) is no namesake of that weight: "Quebec" stays the province.
    quebec = resolve_mention(mention("Quebec"), full_gazetteer.lookup("Quebec"), Context({"CA": 1.0}))
    assert quebec.place.feature == "ADM1"
    # The region still wins when the article's other places are in it.
    state = resolve_mention(mention("New York"), cands, Context({"US": 1.0}, admin1={"US.NY": 1.0}))
    assert state.place.feature == "ADM1"


def test_a_name_after_a_town_and_a_comma_is_its_container(full_gazetteer):
    # "Tacoma, Washington": the state holding Tacoma, not the capital; "Albany, New York" likewise.
    wash = full_gazetteer.lookup("Washington")
    free = resolve_mention(mention("Washington"), wash, Context({"US": 1.0}))
    assert free.place.admin1 == "DC"
    held = resolve_mention(mention("Washington"), wash, Context({"US": 1.0}), container=("US", "WA", False))
    assert held.place.feature == "ADM1" and held.place.admin1 == "WA" and "container" in dict(held.features)
    ny = resolve_mention(mention("New York"), full_gazetteer.lookup("New York"), Context({"US": 1.0}),
                         container=("US", "NY", False))
    assert ny.place.feature == "ADM1"
    # After a region, the next item of the list is a region of the same country.
    listed = resolve_mention(mention("New York"), full_gazetteer.lookup("New York"), Context({"US": 1.0}),
                             container=("US", "NM", True))
    assert listed.place.feature == "ADM1" and "list_of_regions" in dict(listed.features)


def test_the_pipeline_reads_containers_lists_and_generic_words(geoparser):
    def places(text):
        return [(gm.mention.text, gm.resolution.place.feature, gm.resolution.place.admin1)
                for gm in geoparser.parse_text(text).mentions if gm.resolution.place]

    assert places("Cookie tips from Tacoma, Washington shops.")[1] == ("Washington", "ADM1", "WA")
    assert ("New York", "ADM1", "NY") in places("Cases rose in Michigan, Oregon, New York and Ohio.")
    assert places("New York state governor David Paterson spoke.") == [("New York", "ADM1", "NY")]
    assert places("He moved to the state of New York.") == [("New York", "ADM1", "NY")]
    assert places("Flights between New York and Moscow resumed.")[0] == ("New York", "PPL", "NY")
    assert places("Jobs left western states such as California or Washington.")[1] == ("Washington", "ADM1", "WA")


def test_container_of_reads_the_comma_after_a_resolved_place(full_gazetteer):
    from geomap.model import Resolution
    from geomap.resolve import container_of

    text = "Tacoma, Washington and Oregon, Idaho"
    tacoma = full_gazetteer.lookup("Tacoma")[0].place
    oregon = next(c.place for c in full_gazetteer.lookup("Oregon") if c.place.feature == "ADM1")
    washington = Mention(8, 18, "Washington")
    assert container_of(text, (Mention(0, 6, "Tacoma"), Resolution(tacoma, 0.9, "gazetteer")), washington) == (
        "US", "WA", False)
    assert container_of(text, (Mention(23, 29, "Oregon"), Resolution(oregon, 0.9, "gazetteer")),
                        Mention(31, 36, "Idaho")) == ("US", "OR", True)
    # After a region, "and" or "or" continues a list of regions; after a town it means nothing.
    assert container_of("Oregon or Washington", (Mention(0, 6, "Oregon"), Resolution(oregon, 0.9, "gazetteer")),
                        Mention(10, 20, "Washington")) == ("US", "OR", True)
    # No comma between them, no previous place, or an unresolved one: no container.
    assert container_of(text, (Mention(8, 18, "Washington"), Resolution(tacoma, 0.9, "gazetteer")),
                        Mention(23, 29, "Oregon")) is None
    assert container_of(text, None, washington) is None
    assert container_of(text, (Mention(0, 6, "Tacoma"), Resolution(None, 0.0, "none")), washington) is None


@pytest.mark.slow
def test_a_county_abroad_beats_its_namesake_towns_in_its_own_country(geoparser, fast_geoparser):
    def places(gp, text):
        return {gm.mention.text: (gm.resolution.place.feature, gm.resolution.place.country_code)
                for gm in gp.parse_text(text).mentions if gm.resolution.place}

    for gp in (geoparser, fast_geoparser):
        # Kent, Washington (127,000) was the only Kent before second-level regions.
        assert places(gp, "Police in Kent said two men were arrested near Maidstone after the crash.")["Kent"] == (
            "ADM2", "GB")
        typhoon = places(gp, "The typhoon flooded towns in Pangasinan and Nueva Ecija, north of Manila.")
        assert typhoon["Pangasinan"] == typhoon["Nueva Ecija"] == ("ADM2", "PH")
        # At home, Kent is still the town.
        assert places(gp, "Students marched through downtown Kent, Ohio, on Monday.")["Kent"] == ("PPL", "US")


def test_a_town_known_by_another_name_yields_to_a_place_that_bears_the_name():
    from geomap.model import Candidate, Place

    def cand(name, cc, pop, kind, feature="PPL"):
        p = Place(name=name, id=f"t:{name}", lat=0.0, lon=0.0, feature=feature, country_code=cc,
                  admin1="01", population=pop)
        return Candidate(place=p, match_kind=kind, similarity=1.0, feature_class="P", alt_count=20)

    # GeoNames gives Dayton, Ohio the old name "Venice"; Venice itself is the
    # reading, even against a town ten times its size.
    venice = [cand("Venice", "IT", 51_298, "exact"), cand("Dayton", "US", 513_000, "alias")]
    assert resolve_mention(mention("Venice"), venice, Context(countries={})).place.name == "Venice"
    # An alias that shares the name's letters is a spelling, not another name.
    new_york = [cand("New York City", "US", 8_175_133, "alias"), cand("New York", "US", 1_000, "exact")]
    assert resolve_mention(mention("New York"), new_york, Context(countries={})).place.name == "New York City"


def test_a_postal_only_town_takes_support_but_lends_none():
    # "Milton" and "Hull" each have a postal-only town in Illinois: two names
    # sharing a region through such towns say nothing about where the article is.
    from geomap.model import Candidate, Place
    from geomap.resolve import RegionVotes, admin1_support, county_support

    def cand(name, cc, adm, pid, pop=None, county=None):
        p = Place(name=name, id=pid, lat=0.0, lon=0.0, feature="PPL", country_code=cc, admin1=adm,
                  population=pop, admin2=county, postal_only=pid.startswith("usps:"))
        return Candidate(place=p, match_kind="exact", similarity=1.0, feature_class="P", needs_context=p.postal_only)

    milton_gb, milton_il = cand("Milton", "GB", "ENG", "geonames:1", 9000), cand("Milton", "US", "IL", "usps:IL:milton")
    hull_gb, hull_il = cand("Hull", "GB", "ENG", "geonames:2", 250000), cand("Hull", "US", "IL", "usps:IL:hull")
    assert milton_il.place.postal_only and not milton_gb.place.postal_only
    cands = {"milton": [milton_gb, milton_il], "hull": [hull_gb, hull_il]}
    res = [(mention("Milton"), Resolution(milton_il.place, 0.5, "gazetteer")),
           (mention("Hull"), Resolution(hull_gb.place, 0.5, "gazetteer"))]
    assert admin1_support(res, cands) == {"milton": {"GB.ENG": 1.0}, "hull": {"GB.ENG": 1.0}}
    # A town with people in the region does lend its support to a postal-only namesake.
    cands["milton"] = [milton_il]
    cands["hull"] = [cand("Hull", "US", "IL", "geonames:3", 1200)]
    assert admin1_support(res, cands) == {"milton": {"US.IL": 1.0}}
    # Nor does it vote for its region once resolved, or for its country in the article's context.
    votes = RegionVotes([(mention("Milton"), Resolution(milton_il.place, 0.9, "gazetteer"))])
    assert votes.shares(exclude="nowhere") == {}
    assert article_context([mention("Milton")], {"milton": [milton_il]}).countries == {}
    assert article_context([mention("Hull")], {"hull": cands["hull"]}).countries == {"US": 1.0}
    # The same holds one level down.
    res = [(mention("Milton"), Resolution(milton_il.place, 0.5, "gazetteer"))]
    cands = {"milton": [cand("Milton", "US", "IL", "usps:IL:milton", county="Pike County")],
             "pike county": [cand("Pike County", "US", "IL", "usps:IL:pike-county", county="Pike County")]}
    res.append((mention("Pike County"), Resolution(cands["pike county"][0].place, 0.5, "gazetteer")))
    assert county_support(res, cands) == {}


def test_a_postal_only_town_needs_the_article_to_put_it_in_its_state(geoparser, fast_geoparser):
    def places(gp, text):
        return {m.mention.text: m.resolution.place and (m.resolution.place.name, m.resolution.place.admin1)
                for m in gp.parse_text(text).mentions}

    # Backed by neighbouring towns, or by a state after a comma: the postal town.
    found = places(geoparser, "Police in Torrington and Litchfield said a man from Harwinton was arrested.")
    assert found["Harwinton"] == ("Harwinton", "CT")
    assert places(geoparser, "Residents of Harwinton, Conn., asked about the budget.")["Harwinton"] == (
        "Harwinton", "CT")
    # On its own a hurricane named Beryl is no town in Utah, and lends the
    # story no American context: the Atlantic stays the ocean.
    storm = places(geoparser, "Forecasters expect Beryl to strengthen over the Atlantic on Monday.")
    assert storm.get("Beryl") is None and storm["Atlantic"] == ("Atlantic Ocean", None)
    # Gazetteer-only recognition never takes a postal-only name for a place unprompted.
    assert "Harwinton" not in places(fast_geoparser, "A man from Harwinton was arrested.")
    assert "Beryl" not in places(fast_geoparser, "Forecasters expect Beryl to strengthen on Monday.")


def test_a_county_by_its_short_name_needs_its_state_in_view(geoparser, fast_geoparser):
    def places(gp, text):
        return {m.mention.text: m.resolution.place and (m.resolution.place.name, m.resolution.place.admin1)
                for m in gp.parse_text(text).mentions}

    found = places(geoparser, "Deputies in Gwinnett and DeKalb arrested two men after a chase that ended "
                              "in Decatur, Ga.")
    assert found["Gwinnett"] == ("Gwinnett County", "GA") and found["DeKalb"] == ("DeKalb County", "GA")
    assert places(geoparser, "Residents of Miami-Dade braced for the storm as it neared Florida.")[
        "Miami-Dade"] == ("Miami-Dade County", "FL")
    # Without its state in view a short name is no county: a person, or the town that bears the name.
    assert "Clay" not in places(geoparser, "Clay said the team would return to Paris next week.")
    # Nor is it a qualifier after a comma: "in Paris, Henry said" puts Paris in no Henry County.
    assert places(geoparser, "We met in Paris, Henry said on Monday.") == {"Paris": ("Paris", "11")}
    assert places(geoparser, "Officials in Ohio said Washington must act on the pipeline.")[
        "Washington"] == ("Washington", "DC")
    # Gazetteer-only recognition never takes a short name for a place unprompted.
    assert "Gwinnett" not in places(fast_geoparser, "A man from Gwinnett was arrested.")


def test_a_name_with_only_readings_in_context_dilutes_no_support():
    # "Plattsville", "Woodstock" and "St. Mary" in an Ontario story: "St. Mary" is
    # only St. Mary Parish's short name, as good as no place at all, so the two
    # towns' shared Ontario is all the other names' support, not two thirds of it.
    from geomap.model import Candidate, Place
    from geomap.resolve import admin1_support

    def cand(name, adm, pid, short=False):
        p = Place(name=name, id=pid, lat=0.0, lon=0.0, feature="PPL", country_code="CA" if adm == "08" else "US",
                  admin1=adm, population=1000)
        return Candidate(place=p, match_kind="alias" if short else "exact", similarity=1.0, feature_class="P",
                         needs_context=short)

    cands = {"plattsville": [cand("Plattsville", "08", "g:1")], "woodstock": [cand("Woodstock", "08", "g:2")],
             "st mary": [cand("St. Mary Parish", "LA", "fips:22101", short=True)]}
    res = [(mention(n), Resolution(None, 0.0, "none")) for n in ("Plattsville", "Woodstock", "St. Mary")]
    support = admin1_support(res, cands)
    assert support["plattsville"] == {"CA.08": 1.0} and support["woodstock"] == {"CA.08": 1.0}


def test_a_township_sits_at_the_village_of_its_name_in_context(geoparser):
    def places(text):
        return {m.mention.text: m.resolution.place and (m.resolution.place.name, m.resolution.place.admin1)
                for m in geoparser.parse_text(text).mentions}

    found = places("The fire started in a barn in Hamilton Township, a few miles from Lebanon, Ohio.")
    assert found["Hamilton Township"] == ("Hamilton", "OH")
    # With no state in view a namesake is no answer (and never Washington, D.C.).
    assert places("Voters in Washington Township approved the school levy on Tuesday.")["Washington Township"] is None


def test_township_seats_are_small_north_american_towns_in_context():
    from geomap.model import Candidate, Place
    from geomap.resolve import township_head, township_seats

    def cand(name, cc, feature, pop):
        return Candidate(place=Place(name, f"g:{name}{cc}", 0.0, 0.0, feature, cc, "X", pop),
                         match_kind="exact", similarity=1.0, feature_class="P")

    seats = township_seats([cand("Washington", "US", "PPLC", 689_545), cand("Washington", "US", "PPL", 4_000),
                            cand("Washington", "GB", "PPL", 53_000), cand("Washington", "US", "ADM2", None)])
    assert [(c.place.country_code, c.place.feature, c.needs_context) for c in seats] == [("US", "PPL", True)]
    assert township_head("tewksbury twp.") == "tewksbury" and township_head("township") is None


def test_a_part_of_a_place_is_put_at_the_whole(geoparser):
    def places(text):
        return {m.mention.text: m.resolution.place and (m.resolution.place.name, m.resolution.place.admin1,
                                                        m.resolution.method)
                for m in geoparser.parse_text(text).mentions}

    georgia = places("Schools across Northeast Georgia, from Athens to Gainesville, are cutting bus routes.")
    assert georgia["Northeast Georgia"] == ("Georgia", "GA", "part_of")
    assert georgia["Athens"][:2] == ("Athens", "GA")
    assert places("Gunmen attacked a convoy in Eastern Kwilu, near the border with Angola.")[
        "Eastern Kwilu"][::2] == ("Kwilu", "part_of")
    # The part is the place again under another name: it lends its own reading no
    # support ("Historic Dublin" read as Dublin, Ireland must not pull "Dublin" there).
    dublin = places("The festival returns to Historic Dublin this weekend, Dublin, Ohio, officials said.")
    assert dublin["Historic Dublin"] == ("Dublin", "OH", "part_of") and dublin["Dublin"][:2] == ("Dublin", "OH")
    # A part of a continent or a sea is a region of its own, far from the whole's
    # point: left unresolved, and not sent to a namesake town (Asia, Peru).
    # (Northern Europe, a UN M49 subregion, is a curated region of its own.)
    wide = places("Storms crossed Northwestern Europe and Southwest Asia; ships left the Eastern Mediterranean.")
    assert wide == {"Northwestern Europe": None, "Southwest Asia": None, "Eastern Mediterranean": None}
    assert places("Storms crossed Northern Europe.")["Northern Europe"] == ("Northern Europe", None, "gazetteer")
    # A generic word after the direction names no place; nor does a small town's name.
    assert places("Aides in the West Wing said the storm hit the South Coast.").get("South Coast") is None
    assert not places("Aides in the West Wing said the storm hit the South Coast.").get("West Wing")
    # A state of its own time is no part of its successor: East Germany is not Germany.
    assert places("He fled East Germany in 1961.")["East Germany"][::2] == ("East Germany", "gazetteer")


def test_part_head_needs_a_proper_name_after_the_direction():
    from geomap.resolve import part_head

    assert part_head("Northeast Georgia") == "Georgia" and part_head("Metro Nashville") == "Nashville"
    assert part_head("south-west England") == "England" and part_head("Southern California") == "California"
    assert part_head("North-Western Sydney") == "Sydney" and part_head("Southwestern Ontario") == "Ontario"
    assert part_head("North Eastern Province") is None and part_head("Central Plateau") is None
    assert part_head("Georgia") is None and part_head("North") is None


def test_the_state_of_new_york_and_new_york_are_two_questions_in_either_order(geoparser):
    # One article can name the state ("the state of New York") and the city (a
    # bare "New York"); which comes first must not decide what the other is.
    city = "In New York, the mayor opened cooling centers in Brooklyn."
    state = "Farms across the state of New York lost crops."
    city_first, state_first = f"{city} {state}", f"{state} {city}"
    for text in (city_first, state_first):
        got = {(m.mention.start, m.resolution.place.name) for m in geoparser.parse_text(text).mentions
               if m.mention.text == "New York"}
        assert {name for _s, name in got} == {"New York", "New York City"}, (text, got)
        state_at = text.index("state of New York") + len("state of ")
        assert (state_at, "New York") in got


def test_a_list_of_counties_names_counties_of_one_state(geoparser, fast_geoparser):
    def places(gp, text):
        return [(m.mention.text, m.resolution.place and (m.resolution.place.name, m.resolution.place.admin1))
                for m in gp.parse_text(text).mentions]

    mn = "Flooding closed roads in Becker, Clay, Douglas, Grant, Mahnomen, Otter Tail, Swift and Wilkin counties."
    for gp in (geoparser, fast_geoparser):
        found = places(gp, mn)
        assert [name for name, _p in found] == ["Becker", "Clay", "Douglas", "Grant", "Mahnomen", "Otter Tail",
                                                "Swift", "Wilkin"]
        assert all(p is not None and p[0].endswith(" County") and p[1] == "MN" for _n, p in found), found
    # Texas has a Cooke and a Grayson County; Love County is in Oklahoma only.
    assert places(geoparser, "Girls from Cooke, Grayson and Love counties will compete.") == [
        ("Cooke", ("Cooke County", "TX")), ("Grayson", ("Grayson County", "TX")), ("Love", ("Love County", "OK"))]
    # One of thirty Washington Counties, in the state the list shares; "Washington"
    # elsewhere in the article is still the capital.
    ohio = places(geoparser, "Sheriffs in Clark and Washington counties in Ohio asked for help. "
                             "Lawmakers in Washington promised funds.")
    assert ohio == [("Clark", ("Clark County", "OH")), ("Washington", ("Washington County", "OH")),
                    ("Ohio", ("Ohio", "OH")), ("Washington", ("Washington", "DC"))]
    # A name found only in the list is not copied to its other occurrences: there "Clay" is a person.
    levee = places(geoparser, "Residents in Clay and Wilkin counties were evacuated on Monday. "
                              "Asked about the levee, Clay said it held.")
    assert levee == [("Clay", ("Clay County", "MN")), ("Wilkin", ("Wilkin County", "MN"))]
    # States that tie (Texas and Kansas both have an Anderson and a Cherokee County):
    # the one the article's other names mean.
    texas = dict(places(geoparser, "The refuge lies in Anderson and Cherokee counties, near Tyler, Texas."))
    assert texas["Anderson"] == ("Anderson County", "TX") and texas["Cherokee"] == ("Cherokee County", "TX")


def test_city_of_region_needs_a_city_of_the_name_inside_the_region_near_its_point():

    from geomap.model import Resolution
    from geomap.resolve import NAMESAKE_CITY_KM, city_of_region

    def at(c, lat, lon, admin1="GE", pop=None, kind="alias"):
        place = dataclasses.replace(c.place, lat=lat, lon=lon, admin1=admin1, population=pop)
        return dataclasses.replace(c, place=place, match_kind=kind)

    region = at(_cand("Geneva", "ADM1", "CH"), 46.22, 6.12)
    city = at(_cand("Geneva", "PPL", "CH"), 46.20, 6.15, pop=200_000, kind="exact")
    res = Resolution(place=region.place, score=0.7, method="gazetteer")
    assert city_of_region(res, [region, city]) == city.place
    # Too far from the region's point, in another region, or only a variant spelling.
    far = 46.22 + (NAMESAKE_CITY_KM + 20) / 111.2  # degrees of latitude
    assert city_of_region(res, [region, at(city, far, 6.12, pop=200_000)]) is None
    near = 46.22 + (NAMESAKE_CITY_KM - 20) / 111.2
    assert city_of_region(res, [region, at(city, near, 6.12, pop=200_000, kind="exact")]) is not None
    assert city_of_region(res, [region, at(city, 46.20, 6.15, admin1="VD")]) is None
    assert city_of_region(res, [region, at(city, 46.20, 6.15, kind="variant")]) is None
    # The region's own name, only an alias of the city: the region.
    own = at(region, 46.22, 6.12, kind="exact")
    assert city_of_region(Resolution(own.place, 0.7, "gazetteer"), [own, at(city, 46.2, 6.15, kind="alias")]) is None
    # The region as a container ("Tal Abyad, Raqqa") stays the region.
    held = Resolution(region.place, 0.7, "context", features=(("container", 5.0),))
    assert city_of_region(held, [region, city]) is None
    # Not a region at all.
    assert city_of_region(Resolution(city.place, 0.9, "gazetteer"), [region, city]) is None


def test_congo_alone_is_the_democratic_republic_unless_the_article_says_otherwise(geoparser, fast_geoparser):
    def country(gp, text, name="Congo"):
        return [gm.resolution.place.country_code for gm in gp.parse_text(text).mentions
                if gm.mention.text == name and gm.resolution.place][-1]

    for gp in (geoparser, fast_geoparser):
        # News style (AP, Reuters): "Congo" is the Democratic Republic...
        assert country(gp, "An outbreak of Ebola in eastern Congo has killed 40 people, officials said.") == "CD"
        # ...and where the article names the Republic, one sense per discourse keeps it.
        assert country(gp, "Ebola has killed nine people in the Republic of Congo this month. "
                           "The government of Congo asked for help.") == "CG"
        assert country(gp, "Brazzaville, Congo, was calm on Sunday.") == "CG"


def test_a_spelling_in_the_articles_country_competes_with_villages_abroad(fast_geoparser):
    # Only Sokna, Norway (543 people) bears the name; beside two Libyan towns
    # the Libyan town spelt Suknah in GeoNames is meant.
    result = fast_geoparser.parse_text("Strikes targeted Hun, Waddan and Sokna in the Jufra district.")
    placed = {m.mention.text: m.resolution.place for m in result.mentions}
    assert placed["Sokna"].country_code == "LY"
    # In an article about Norway the village stays.
    result = fast_geoparser.parse_text("Storms hit Sokna and Hønefoss in Norway.")
    placed = {m.mention.text: m.resolution.place for m in result.mentions}
    assert placed["Sokna"].country_code == "NO"


def test_a_peoples_name_is_evidence_of_its_country(fast_geoparser):
    # "Sallum" is only the alternate name of As Sallum (16,500 people): the
    # demonym puts Egypt behind it, though the demonym itself is not mapped.
    result = fast_geoparser.parse_text("Egyptian troops deployed along the border at Sallum.")
    placed = {m.mention.text: m.resolution.place for m in result.mentions}
    assert placed["Sallum"] is not None and placed["Sallum"].country_code == "EG"
    assert fast_geoparser.parse_text("Troops deployed along the border at Sallum.").mentions[0].resolution.place is None


def test_without_a_voting_name_spelling_guesses_follow_the_names_first_readings(geoparser):
    # Neither Tripoli (Libya, Lebanon) votes for a country; its first reading is
    # Libya's, where "Tajoura" is Tajura (GeoNames: Tajura').
    result = geoparser.parse_text("Fighting spread to the Tripoli suburb of Tajoura.")
    placed = {m.mention.text: m.resolution.place for m in result.mentions}
    assert placed["Tajoura"] is not None and placed["Tajoura"].country_code == "LY"
    # Alone, a guessed spelling shared by eight places abroad stays unresolved.
    alone = geoparser.parse_text("Clashes broke out in Tajoura.")
    assert all(m.resolution.place is None for m in alone.mentions)


@pytest.mark.parametrize("mode", ["geoparser", "fast_geoparser"])
def test_a_guessed_spelling_is_kept_beside_a_place_of_its_country(mode, request):
    # "Sheikh Zuweid" is GeoNames' Ash Shaykh Zuwayd only by its consonants: a
    # speculative reading, kept where the article's places point to Egypt.
    gp = request.getfixturevalue(mode)
    placed = {m.mention.text: m.resolution.place
              for m in gp.parse_text("IS claimed the bombing in Sheikh Zuweid, Sinai.").mentions}
    assert placed["Sheikh Zuweid"].country_code == "EG"
    lone = gp.parse_text("Militants attacked a checkpoint in Sheikh Zuweid on Friday.")
    assert [m.mention.text for m in lone.mentions if m.resolution.place is not None] == []
