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
    # Two words are page furniture, not a headline.
    assert arts["004_8ad1177173e4a897"].title is None


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
        (3, 'missing or empty "text" field (a non-empty string)'),
        (4, "expected a JSON object, got list"),
    ]
    assert all(x.source == str(f) for x in fails)
    assert got[-1].id == "news-5" and got[-1].source.endswith("news.jsonl:5")


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
