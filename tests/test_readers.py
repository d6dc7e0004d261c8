import io
import json

import pytest

from geomap.model import Article, InputFailure
from geomap.readers import decode, read_paths, split_title

from .conftest import SEEDS


def items(paths, **kw):
    return list(read_paths(paths, **kw))


def test_seed_directory_reads_five_articles_in_order():
    arts = items([SEEDS])
    assert [a.id for a in arts] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert all(isinstance(a, Article) for a in arts)


def test_title_rule_on_the_seeds():
    arts = {a.id: a for a in items([SEEDS])}
    # A first line ending with a period is body text, not a title.
    assert arts["000_12ccbaaaeb147c1b"].title is None
    assert arts["000_12ccbaaaeb147c1b"].text.startswith("Egypt is among 23 countries")
    assert arts["002_266a2a7d547dd743"].title.startswith("Egypt's president al-Sisi calls")
    assert arts["002_266a2a7d547dd743"].text.startswith("President al-Sisi is lobbying")
    # "Photo captions" is page furniture, not a headline: the headline is the
    # line after it, and the furniture stays in the body (recognition flags it).
    assert arts["004_8ad1177173e4a897"].title == "AL Secretary-General calls for international efforts to eliminate IS"
    assert arts["004_8ad1177173e4a897"].text.startswith("Photo captions\n\nAL Secretary General Ahmed")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Egypt strikes IS targets in Libya\n\nCairo said...", "Egypt strikes IS targets in Libya"),
        ("Egypt struck IS targets in Libya.\nCairo said...", None),
        ("Only one line of text here", None),
        ("Short\nbody", None),
        ("x" * 151 + " a b\nbody", None),
    ],
)
def test_split_title(text, title):
    assert split_title(text)[0] == title


def test_jsonl_fields_and_errors(tmp_path):
    f = tmp_path / "news.jsonl"
    f.write_text(
        "\n".join([
            json.dumps({"id": 7, "title": "T", "text": "Sirte fell.", "url": "https://x", "published": "2016-02-02"}),
            "{not json",
            json.dumps({"title": "no text"}),
            json.dumps(["a", "list"]),
            json.dumps({"text": "Derna too.", "extra": {"ignored": True}}),
        ]),
        encoding="utf-8",
    )
    got = items([f])
    assert isinstance(got[0], Article) and got[0].id == "7" and got[0].url == "https://x"
    assert got[0].published == "2016-02-02"
    fails = [g for g in got if isinstance(g, InputFailure)]
    assert [(x.line, x.reason.split(":")[0]) for x in fails] == [
        (2, "malformed JSON"),
        (3, 'no "text" field'),
        (4, "expected a JSON object, got list"),
    ]
    assert all(x.source == str(f) for x in fails)
    assert got[-1].id == "news-5" and got[-1].source.endswith("news.jsonl:5")


@pytest.mark.parametrize(("record", "reason"), [
    ({"id": "x9", "text": 12}, '"text" is a number, not a string'),
    ({"id": "x9", "text": ["Sirte"]}, '"text" is an array, not a string'),
    ({"id": "x9", "text": {"body": "Sirte"}}, '"text" is an object, not a string'),
    ({"id": "x9", "text": True}, '"text" is a boolean, not a string'),
    ({"id": "x9", "text": None}, 'no "text" field'),
    ({"id": "x9", "body": "Sirte"}, 'no "text" field'),
    ({"id": "x9", "text": " \n"}, '"text" is empty'),
])
def test_a_record_without_usable_text_says_what_is_wrong_and_keeps_its_id(tmp_path, record, reason):
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (fail,) = items([f])
    assert isinstance(fail, InputFailure) and fail.reason.startswith(reason + ":"), fail.reason
    assert (fail.line, fail.id) == (1, "x9")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"   \n\n", "empty file"), (b"\x00\x01\x02binary" * 10, "binary file")],
)
def test_bad_text_files_fail_clearly(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    (fail,) = items([f])
    assert isinstance(fail, InputFailure) and reason in fail.reason and fail.source == str(f)


def test_missing_file_and_empty_directory(tmp_path):
    (d := tmp_path / "empty").mkdir()
    got = items([tmp_path / "missing.txt", d])
    assert all(isinstance(g, InputFailure) for g in got) and len(got) == 2
    assert "cannot read" in got[0].reason and "no .txt" in got[1].reason


def test_one_bad_file_does_not_stop_the_run(tmp_path):
    (tmp_path / "a.txt").write_text("Fighting in Sirte.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text("Talks in Rome.", encoding="utf-8")
    got = items([tmp_path])
    assert [type(g).__name__ for g in got] == ["Article", "InputFailure", "Article"]


def test_stdin_text_and_jsonl():
    (art,) = items(["-"], stdin=io.BytesIO(b"Clashes in Sirte."))
    assert art.text == "Clashes in Sirte." and art.id == "stdin"
    got = items(["-"], stdin=io.BytesIO(b'{"text": "a"}\n{"text": "b"}\n'))
    assert [a.text for a in got] == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Sirte – Tripoli".encode(), "utf-8"),
        ("\ufeffSirte".encode(), "utf-8"),
        ("Sirte – Tripoli".encode("utf-16"), "utf-16"),
        ("Café in Tobruk – “quoted”".encode("cp1252"), "cp1252"),
    ],
)
def test_decode(data, encoding):
    text, used = decode(data)
    assert used == encoding and "Sirte" in text or "Tobruk" in text
    assert "\ufeff" not in text


def test_offsets_index_the_text_exactly_as_read(tmp_path):
    f = tmp_path / "crlf.txt"
    f.write_bytes(b"A short title line\r\n\r\nIS seized Sirte.\r\nThen Derna.")
    (art,) = items([f])
    assert art.title == "A short title line"
    assert "\r\n" in art.text  # nothing normalised away


# -- HTML, CSV, encodings, truncated and huge files -----------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>IS seizes Sirte | Example News</title>
<meta property="og:title" content="IS seizes Sirte">
<meta property="article:published_time" content="2016-02-20T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | Read More: Tripoli talks stall</nav>
<article><h1>IS seizes Sirte</h1>
<p>Islamic State fighters seized the city of Sirte on Saturday, residents said, after two days
of clashes with militias loyal to the government in Tripoli.</p>
<p>Fighting continued near Ras Lanuf and Es Sider for a third day, and Egyptian warplanes struck
Derna in response, the army said in a statement on Sunday.</p>
<p><img src="x" onerror="alert(1)">Residents of Harawa fled east towards Ajdabiya.</p>
</article><footer>Copyright 2016 Example News. All rights reserved.</footer>
<script>document.write("<b>Benghazi</b>")</script></body></html>"""


def test_html_page_gives_its_main_text_title_and_date(tmp_path):
    p = tmp_path / "sirte.html"
    p.write_text(PAGE, encoding="utf-8")
    (art,) = items([p])
    assert isinstance(art, Article), art
    assert art.id == "sirte" and art.title == "IS seizes Sirte" and art.published == "2016-02-20"
    assert "seized the city of Sirte" in art.text and "Ajdabiya" in art.text
    # Navigation, footer and script are not article text.
    for furniture in ("Home", "Copyright", "document.write", "Benghazi", "alert"):
        assert furniture not in art.text, furniture


def test_html_text_is_exactly_the_extracted_text_without_the_repeated_title(tmp_path):
    import trafilatura

    p = tmp_path / "sirte.html"
    p.write_bytes(PAGE.encode())
    (art,) = items([p])
    extracted = trafilatura.bare_extraction(PAGE.encode(), with_metadata=True, include_comments=False,
                                            include_tables=False, favor_precision=True).text
    # trafilatura repeats the <h1> as the first line; it is the title already, the rest is verbatim.
    assert extracted == art.title + "\n" + art.text


def test_html_without_main_text_is_a_clear_failure(tmp_path):
    p = tmp_path / "empty.htm"
    p.write_text("<html><body><script>var x = 1;</script><nav>Home</nav></body></html>", encoding="utf-8")
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "no main text" in f.reason and f.source.endswith("empty.htm")


def test_csv_rows_become_articles_and_bad_rows_are_reported(tmp_path):
    p = tmp_path / "news.csv"
    p.write_text(
        'id,headline,body,published\n'
        'a1,Sirte falls,"IS seized Sirte, Libya, on Saturday.",2016-02-20\n'
        'a2,Empty,,2016-02-21\n'
        ',No id,"Talks opened in Rome.\nA second line, in the same field.",\n',
        encoding="utf-8",
    )
    got = items([p], text_column="body")
    assert [type(x).__name__ for x in got] == ["Article", "InputFailure", "Article"]
    assert got[0].id == "a1" and got[0].text == "IS seized Sirte, Libya, on Saturday."
    assert got[0].published == "2016-02-20"
    assert got[1].line == 3 and "empty 'body' column" in got[1].reason
    assert got[2].id == "news-3" and got[2].text.endswith("in the same field.")
    # Without the right column: one clear failure listing the columns.
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "no 'text' column" in f.reason and "'body'" in f.reason


def test_csv_in_legacy_encoding(tmp_path):
    p = tmp_path / "legacy.csv"
    p.write_bytes("text\n\"Caf\xe9 owners in Tripoli said \x93no\x94.\"\n".encode("latin-1"))
    (a,) = items([p])
    assert a.text == "Café owners in Tripoli said “no”."


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, codec):
    p = tmp_path / "u16.txt"
    p.write_bytes("Clashes in Benghazi\n\nFighting resumed in Benghazi on Sunday.".encode(codec))
    (a,) = items([p])
    assert isinstance(a, Article) and a.title == "Clashes in Benghazi" and a.text.startswith("Fighting")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_with_some_characters_beyond_latin1(tmp_path, codec):
    # Ā (U+0100) and the ideographic space (U+3000) put a NUL in the "wrong" byte: still text.
    text = "Talks in Āmul\u3000and Misrata resumed on Sunday, officials said."
    p = tmp_path / "u16.txt"
    p.write_bytes(text.encode(codec))
    (a,) = items([p])
    assert isinstance(a, Article) and a.text == text


def test_truncated_utf8_keeps_the_text(tmp_path):
    p = tmp_path / "cut.txt"
    p.write_bytes("Talks in Zürich and in Benghazi — Misrata".encode()[:-2] + "é".encode()[:1])
    (a,) = items([p])
    assert isinstance(a, Article) and a.text.startswith("Talks in Zürich and in Benghazi")


def test_truncated_jsonl_keeps_the_complete_lines(tmp_path):
    p = tmp_path / "cut.jsonl"
    full = json.dumps({"id": "a", "text": "Strikes on Sirte."}) + "\n"
    p.write_text(full + '{"id": "b", "text": "Talks in Ro', encoding="utf-8")
    a, f = items([p])
    assert a.id == "a" and isinstance(f, InputFailure) and f.line == 2 and "malformed JSON" in f.reason


def test_huge_text_file_is_refused_without_reading_it(tmp_path):
    p = tmp_path / "huge.txt"
    with p.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # a sparse 100 MB file: costs no disk, and nothing is read
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "over the 20 MiB limit" in f.reason


def test_huge_jsonl_line_is_skipped_and_the_rest_is_read(tmp_path, monkeypatch):
    import geomap.readers as readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 1000)
    p = tmp_path / "big.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a", "text": "Sirte."}) + "\n")
        fh.write(json.dumps({"id": "big", "text": "x" * 50_000}) + "\n")
        fh.write(json.dumps({"id": "c", "text": "Derna."}) + "\n")
    got = items([p])
    assert [getattr(x, "id", None) for x in got] == ["a", None, "c"]
    assert got[1].line == 2 and "over" in got[1].reason


def test_binary_file_with_text_extension_is_refused(tmp_path):
    p = tmp_path / "photo.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "binary" in f.reason


# -- streamed encodings, hostile JSON, binary and big streamed files ------------------------------

RECORDS = '{"id": "a", "text": "Sirte fell."}\n{"id": "b", "text": "Derna – too."}\n'


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_jsonl_in_utf16_and_with_bom(tmp_path, codec):
    # UTF-16's newline is two bytes: the file must be decoded before it is split into lines.
    p = tmp_path / "u.jsonl"
    p.write_bytes(RECORDS.encode(codec))
    got = items([p])
    assert [(a.id, a.text) for a in got] == [("a", "Sirte fell."), ("b", "Derna – too.")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_stdin_jsonl_in_utf16(codec):
    got = items(["-"], stdin=io.BytesIO(RECORDS.encode(codec)))
    assert [a.id for a in got] == ["a", "b"] and got[0].source == "<stdin>:1"


def test_stdin_jsonl_longer_than_the_sniffed_head():
    data = "".join(json.dumps({"id": str(i), "text": f"Clashes in Sirte, day {i}."}) + "\n" for i in range(2000))
    got = items(["-"], stdin=io.BytesIO(data.encode()))
    assert [a.id for a in got] == [str(i) for i in range(2000)]


def test_deeply_nested_json_is_a_failure_not_a_recursion_error(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_bytes(b"[" * 100_000 + b"\n" + json.dumps({"text": "Sirte."}).encode() + b"\n")
    f, a = items([p])
    assert isinstance(f, InputFailure) and f.line == 1 and "nested too deeply" in f.reason
    assert a.text == "Sirte."


def test_lone_surrogates_are_replaced_in_place(tmp_path):
    # JSON may spell "\ud800", which no UTF-8 output can write: one U+FFFD each keeps offsets.
    p = tmp_path / "s.jsonl"
    p.write_text('{"text": "Sirte \\ud800 Derna", "title": "A \\udc00 day"}\n', encoding="utf-8")
    (a,) = items([p])
    assert a.text == "Sirte \ufffd Derna" and a.title == "A \ufffd day"
    a.text.encode("utf-8")  # writable


@pytest.mark.parametrize(("suffix", "what"), [(".jsonl", "JSON lines"), (".csv", "CSV"), (".html", "HTML")])
def test_binary_streamed_files_are_one_clear_failure(tmp_path, suffix, what):
    p = tmp_path / f"photo{suffix}"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "binary file" in f.reason and what in f.reason


def test_huge_sparse_jsonl_is_refused_without_reading_it(tmp_path):
    p = tmp_path / "huge.jsonl"
    with p.open("wb") as fh:
        fh.truncate(5 * 1024**3)  # 5 GB of NULs, sparse: only the first buffer is looked at
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "binary" in f.reason


def test_huge_html_file_is_refused_without_reading_it(tmp_path):
    p = tmp_path / "huge.html"
    with p.open("wb") as fh:
        fh.write(b"<html><body><p>")
        fh.seek(30 * 1024 * 1024)
        fh.write(b"</p></body></html>")
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "over the 20 MiB limit" in f.reason


def test_large_jsonl_is_streamed_in_bounded_memory(tmp_path):
    import tracemalloc

    p = tmp_path / "big.jsonl"
    line = json.dumps({"text": "Fighting in Sirte and Derna. " * 10}) + "\n"
    with p.open("w", encoding="utf-8") as fh:
        fh.writelines(line for _ in range(30_000))  # about 9 MB
    tracemalloc.start()
    try:
        n = sum(1 for a in read_paths([p]) if isinstance(a, Article))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 30_000 and peak < 2 * 1024 * 1024, peak


def test_csv_with_cp1252_bytes_after_the_sniffed_head(tmp_path):
    # The encoding is chosen from the first buffer; a later cp1252 byte must not become U+FFFD.
    p = tmp_path / "mixed.csv"
    p.write_bytes(b"id,text\n" + b"a,Clashes in Sirte.\n" * 2000 + b'b,"Caf\xe9 owners said \x93no\x94."\n')
    got = items([p])
    assert len(got) == 2001 and got[-1].text == "Café owners said “no”." and got[-1].source.endswith(":2002")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_csv_in_utf16_and_with_bom(tmp_path, codec):
    p = tmp_path / "u.csv"
    p.write_bytes('id,text\na,"Sirte, Libya."\nb,Derna – too.\n'.encode(codec))
    assert [(a.id, a.text) for a in items([p])] == [("a", "Sirte, Libya."), ("b", "Derna – too.")]


def test_csv_cut_in_the_middle_of_a_character(tmp_path):
    p = tmp_path / "cut.csv"
    p.write_bytes("text\nTalks in Zürich\nTalks in Misrata é".encode()[:-1])
    a, b = items([p])
    assert a.text == "Talks in Zürich" and b.text == "Talks in Misrata "


def test_csv_rows_name_their_first_line_and_bad_rows_do_not_stop_the_file(tmp_path):
    p = tmp_path / "lines.csv"
    p.write_text('text,id\n"Sirte\nfell",a\n,b\n"Derna too",c\n', encoding="utf-8")
    a, f, c = items([p])
    assert a.source.endswith("lines.csv:2") and a.text == "Sirte\nfell"
    assert isinstance(f, InputFailure) and f.line == 4 and "row 2" in f.reason
    assert c.id == "c" and c.source.endswith(":5")


def test_csv_field_over_the_limit_is_a_row_failure(tmp_path):
    p = tmp_path / "big.csv"
    with p.open("wb") as fh:
        fh.write(b'text\n"')
        fh.write(b"x" * (21 * 1024 * 1024))
        fh.write(b'"\nSirte fell.\n')
    f, a = items([p])
    assert isinstance(f, InputFailure) and f.line == 2 and "field larger than field limit" in f.reason
    assert a.text == "Sirte fell."


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\xef\xbb\xbf\n", "empty file"), (b"id,text\n", "header but no rows")],
)
def test_empty_csv_files(tmp_path, content, reason):
    p = tmp_path / "e.csv"
    p.write_bytes(content)
    (f,) = items([p])
    assert isinstance(f, InputFailure) and reason in f.reason


@pytest.mark.parametrize(
    "content", [b"\xff\xfe", "\ufeff".encode("utf-16"), b"\xef\xbb\xbf", "  \n".encode("utf-16")]
)
def test_a_bom_and_nothing_else_is_an_empty_file(tmp_path, content):
    p = tmp_path / "bom.txt"
    p.write_bytes(content)
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "empty file" in f.reason


def test_json_file_with_an_array_of_articles(tmp_path):
    p = tmp_path / "feed.json"
    p.write_text(json.dumps([{"id": "x1", "title": "Sirte", "text": "Clashes in Sirte."},
                             {"text": ""}, "not an object", {"text": "Talks in Rome."}], indent=2),
                 encoding="utf-8")
    got = items([p])
    assert [type(x).__name__ for x in got] == ["Article", "InputFailure", "InputFailure", "Article"]
    assert got[0].id == "x1" and got[0].source == f"{p}[1]" and got[3].id == "feed-4"
    assert got[1].source == f"{p}[2]" and "text" in got[1].reason
    assert "expected a JSON object" in got[2].reason


def test_json_file_with_one_pretty_printed_article_and_json_lines_saved_as_json(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": "Derna", "text": "Air strikes on Derna."}, indent=2), encoding="utf-8")
    (a,) = items([one])
    assert a.id == "one" and a.title == "Derna"
    lines = tmp_path / "lines.json"
    lines.write_text('{"text": "Sirte."}\n{"text": "Rome."}\n', encoding="utf-8")
    assert [a.text for a in items([lines])] == ["Sirte.", "Rome."]


def test_huge_json_array_is_refused_with_advice(tmp_path, monkeypatch):
    import geomap.readers as readers

    monkeypatch.setattr(readers, "MAX_JSON_DOCUMENT_BYTES", 100)
    p = tmp_path / "big.json"
    p.write_text(json.dumps([{"text": "Sirte " * 50}]), encoding="utf-8")
    (f,) = items([p])
    assert isinstance(f, InputFailure) and "JSON lines" in f.reason


def test_csv_columns_match_ignoring_case(tmp_path):
    p = tmp_path / "news.csv"
    p.write_text("ID,Title,Text\nk9,Talks,Ministers met in Rome.\n", encoding="utf-8")
    (a,) = items([p])
    assert (a.id, a.title, a.text) == ("k9", "Talks", "Ministers met in Rome.")
