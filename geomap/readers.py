"""Read articles from files, directories, JSON lines and standard input.

This is an I/O edge: it turns bytes into :class:`~geomap.model.Article`
values, and every item it cannot use into an
:class:`~geomap.model.InputFailure` that names the file (and line) and says
why. Nothing is dropped silently: each input item yields exactly one of the
two.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, AnyStr

from geomap.model import Article, InputFailure, text_field_problem
from geomap.text import furniture_header

logger = logging.getLogger("geomap.readers")

#: File extensions read from directories; other files there are skipped.
SUPPORTED = (".txt", ".jsonl", ".json", ".ndjson", ".html", ".htm", ".csv")
_JSONL = (".jsonl", ".ndjson", ".json")
_HTML = (".html", ".htm")
_MIN_PAGE_WORDS = 5
#: A single text file larger than this is refused rather than read into memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024
#: A ``.json`` file up to this size is tried as one JSON document (an array of
#: articles) before it is streamed as JSON lines; arrays cannot be streamed.
MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024
#: A JSON line longer than this is refused (one article, not a corpus).
MAX_LINE_BYTES = 20 * 1024 * 1024
#: How much of a streamed file is looked at to choose its encoding (one read buffer).
_HEAD_BYTES = 8192
#: Lone UTF-16 surrogates: JSON can spell them (``"\ud800"``) but no UTF-8 output can hold them.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Codec error handler for streamed text: see :func:`_legacy_bytes`.
_LEGACY = "geomap-legacy"

TITLE_MAX_CHARS = 150
TITLE_MIN_WORDS = 3

Item = Article | InputFailure


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes a streamed codec rejects instead of failing or losing them.

    A stream is decoded chunk by chunk, so unlike :func:`decode` it cannot
    choose one codec for the whole file after seeing all of it. Bytes that
    are not UTF-8 are mostly a cp1252 (or latin-1) character pasted into a
    UTF-8 file, so they are read as such; a character cut by the end of the
    file (a truncated download) is dropped; anything else becomes U+FFFD.
    """
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    if exc.reason in ("unexpected end of data", "truncated data"):
        return "", exc.end
    if exc.encoding.replace("_", "-").lower() in ("utf-8", "utf8", "cp1252", "windows-1252"):
        return "".join(_legacy_char(b) for b in exc.object[exc.start:exc.end]), exc.end
    return "\ufffd", exc.end


def _legacy_char(byte: int) -> str:
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error(_LEGACY, _legacy_bytes)


def _clean(value: str) -> str:
    """Replace lone surrogates (one character each, so offsets stay put) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def read_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    stdin: IO[bytes] | None = None,
    text_column: str = "text",
) -> Iterator[Item]:
    """Yield an Article or an InputFailure for every item in the given paths.

    Parameters
    ----------
    paths
        Files, directories (read recursively, sorted, only the extensions in
        :data:`SUPPORTED`) or ``-`` for standard input (JSON lines when the
        first character is ``{``, otherwise one text article).
    stdin
        Binary stream used for ``-``; defaults to ``sys.stdin.buffer``.
    text_column
        The column that holds the article text in ``.csv`` files.
    """
    for raw in paths:
        if str(raw) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _read_stream(stream, "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
            if not files:
                yield InputFailure(str(path), f"directory has no {', '.join(SUPPORTED)} files")
            for f in files:
                yield from read_file(f, text_column=text_column)
        else:
            yield from read_file(path, text_column=text_column)


def read_file(path: Path, *, text_column: str = "text") -> Iterator[Item]:
    """Yield the article(s) in one file, or failures saying why not.

    ``.jsonl``/``.ndjson``/``.json`` and ``.csv`` files are streamed (one
    article per line or row, any size); ``.txt`` and ``.html`` files are one
    article each and refused above :data:`MAX_TEXT_BYTES`.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield InputFailure(source, f"cannot read: {exc.strerror or exc}")
        return
    suffix = path.suffix.lower()
    if suffix == ".json" and size <= MAX_JSON_DOCUMENT_BYTES:
        # A .json file may be one document (an array of articles, or one
        # article pretty-printed) rather than JSON lines.
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield InputFailure(source, f"cannot read: {exc.strerror or exc}")
            return
        items = None if _looks_binary(data) else _read_json_document(data, source, path.stem)
        if items is not None:
            yield from items
            return
    elif suffix == ".json":
        with path.open("rb") as f:
            opening = _head(f).lstrip(b" \t\r\n" + codecs.BOM_UTF8)[:1]
        if opening == b"[":
            yield InputFailure(
                source,
                f"JSON array of {size / 2**20:.0f} MiB is over the {MAX_JSON_DOCUMENT_BYTES // 2**20} MiB "
                "that can be read at once; give the articles as JSON lines (one object per line) instead",
            )
            return
    if suffix in _JSONL or suffix == ".csv":
        try:
            with path.open("rb") as f:
                if suffix == ".csv":
                    yield from _read_csv(f, source, path.stem, text_column)
                else:
                    yield from _read_jsonl_stream(f, source, path.stem)
        except OSError as exc:
            yield InputFailure(source, f"cannot read: {exc.strerror or exc}")
        return
    if size > MAX_TEXT_BYTES:
        yield InputFailure(
            source,
            f"file is {size / 1e6:.0f} MB, over the {MAX_TEXT_BYTES // 2**20} MiB limit for one article; "
            "split it, or give articles as JSON lines",
        )
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputFailure(source, f"cannot read: {exc.strerror or exc}")
        return
    if suffix in _HTML:
        yield _html_article(data, source, path.stem)
        return
    yield _text_article(data, source, path.stem)


def _read_jsonl_stream(stream: IO[bytes], source: str, stem: str) -> Iterator[Item]:
    """Stream a JSON lines file in whatever encoding its first bytes show.

    UTF-8 and legacy files are split on ``\\n`` bytes and each line decoded on
    its own (so one cp1252 line among UTF-8 ones is still read); UTF-16 must
    be decoded before splitting, because its newline is two bytes.
    """
    head = _head(stream)
    if _looks_binary(head):
        yield InputFailure(source, "binary file (contains NUL bytes), not JSON lines")
        return
    encoding = _sniff_encoding(head)
    if encoding.startswith("utf-16"):
        text_stream = io.TextIOWrapper(stream, encoding=encoding, errors=_LEGACY, newline="\n")
        yield from _read_jsonl(_lines(text_stream, source), source, stem)
    else:
        yield from _read_jsonl(_lines(stream, source), source, stem)


def _head(stream: IO[bytes]) -> bytes:
    """Return the first bytes of a buffered stream without consuming them."""
    peek = getattr(stream, "peek", None)
    return peek(_HEAD_BYTES)[:_HEAD_BYTES] if peek is not None else b""


def _lines(stream: IO[AnyStr], source: str) -> Iterator[AnyStr | None]:
    """Yield the lines of a stream, reading at most one line limit at a time.

    A line longer than :data:`MAX_LINE_BYTES` is skipped up to its end
    without being held in memory and yields None in its place, so a 100 MB
    file with no newline costs one buffer, not 100 MB.
    """
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        newline = line[-1:]
        if len(line) > MAX_LINE_BYTES and newline not in (b"\n", "\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest[-1:] in (b"\n", "\n"):
                    break
            logger.debug("%s: skipped an over-long line", source)
            yield None
            continue
        yield line


def _html_article(data: bytes, source: str, stem: str) -> Item:
    """One article from a web page: its main text, title and date (trafilatura)."""
    if not data.strip():
        return InputFailure(source, "empty file: no text to geoparse")
    if _looks_binary(data):
        return InputFailure(source, "binary file (contains NUL bytes), not an HTML page")
    try:
        import trafilatura  # lazy: only HTML input needs it
    except ImportError:
        return InputFailure(source, "reading .html needs trafilatura (pip install trafilatura)")
    try:
        doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # noqa: BLE001 - a broken page is one failed item, not a crash
        return InputFailure(source, f"cannot parse the HTML page: {exc}")
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < _MIN_PAGE_WORDS:
        # What is left of a page without an article is a menu word or two.
        return InputFailure(source, "no main text found in the HTML page (navigation or scripts only?)")
    title = (getattr(doc, "title", None) or "").strip() or None
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1:]  # the page's <h1> repeats its title
    date = getattr(doc, "date", None)
    url = getattr(doc, "url", None)
    return Article(id=stem, title=title, text=text, source=source,
                   url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
                   published=str(date) if date else None)


def _sniff_encoding(head: bytes) -> str:
    """Choose the codec of a streamed text file from its first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bare = _bomless_utf16(head)
    if bare:
        return bare
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        return "utf-8" if exc.start >= len(head) - 3 else "cp1252"


def _read_csv(stream: IO[bytes], source: str, stem: str, text_column: str) -> Iterator[Item]:
    """Stream a CSV file with a header row: one article per row."""
    import csv

    head = _head(stream)
    if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
        yield InputFailure(source, "empty file: no CSV rows")
        return
    if _looks_binary(head):
        yield InputFailure(source, "binary file (contains NUL bytes), not CSV")
        return
    encoding = _sniff_encoding(head)
    if encoding == "cp1252":
        logger.warning("%s: not UTF-8; read as cp1252", source)
    # newline="" as the csv module asks: quoted fields keep their own line breaks.
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors=_LEGACY, newline="")
    # One article per field: let fields be as long as one article may be. The
    # limit is process-wide; 20 MiB only raises the default 128 KiB, and it
    # still bounds the memory an unclosed quote can take.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))
    reader = csv.DictReader(text_stream)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield InputFailure(source, f"malformed CSV header: {exc}")
        return
    # id, title, url, published: matched ignoring case ("Title" is title).
    optional = {c.casefold(): c for c in reversed(header) if c}
    if text_column not in header:
        # "Text" for text: a column differing only in case is the one meant, if it is the only one.
        folded = [c for c in header if c.casefold() == text_column.casefold()]
        if len(folded) == 1:
            text_column = folded[0]
    if text_column not in header:
        cols = ", ".join(repr(c) for c in header[:12]) or "none"
        yield InputFailure(source, f"no {text_column!r} column (columns: {cols}); choose one with --text-column")
        return
    n = bad = 0
    while True:
        start = reader.line_num + 1  # the line this row starts on (a quoted field may span several)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad += 1
            yield InputFailure(source, f"malformed CSV: {exc}", line=start)
            continue
        n += 1
        line = start
        text = row.get(text_column)

        def opt(name: str, row: dict[str, str | None] = row) -> str | None:
            value = row.get(optional.get(name, name))
            return value.strip() if isinstance(value, str) and value.strip() else None

        if not isinstance(text, str) or not text.strip():
            yield InputFailure(source, f"row {n}: empty {text_column!r} column", line=line, id=opt("id"))
            continue

        yield Article(id=opt("id") or f"{stem}-{n}", title=opt("title"), text=text, source=f"{source}:{line}",
                      url=opt("url"), published=opt("published"))
    if n == 0 and bad == 0:
        yield InputFailure(source, "CSV file has a header but no rows")


def _read_stream(stream: IO[bytes], source: str) -> Iterator[Item]:
    """Read standard input: JSON lines when its first character is ``{``, else one text article."""
    head = stream.read(_HEAD_BYTES)
    first = head.decode(_sniff_encoding(head), errors="replace").lstrip(" \t\r\n\ufeff")[:1]
    if first == "{":
        # Put the head back in front so the JSON lines reader sees the whole stream.
        buffered = io.BufferedReader(_Prefixed(head, stream))
        yield from _read_jsonl_stream(buffered, source, "stdin")
    else:
        data = head + stream.read(max(0, MAX_TEXT_BYTES + 1 - len(head)))
        if len(data) > MAX_TEXT_BYTES:
            yield InputFailure(source, "standard input is over the size limit for one article")
            return
        yield _text_article(data, source, "stdin")


class _Prefixed(io.RawIOBase):
    """A binary stream with some bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream
        # read1 returns what a pipe has now instead of waiting for a full buffer.
        self._read = getattr(stream, "read1", stream.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n], self._prefix = self._prefix[:n], self._prefix[n:]
            return n
        data = self._read(len(view))
        view[: len(data)] = data
        return len(data)


def decode(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding used).

    UTF-8 (with or without BOM, a truncated last character dropped) and
    UTF-16 (with a BOM, or without one when every other byte of ASCII text
    is NUL) are recognised; other bytes are legacy single-byte text, read as
    cp1252 (a superset of latin-1 for printable characters) or latin-1 as a
    last resort, which never fails.
    """
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bare = _bomless_utf16(data[:4096])
    if bare:
        return data.decode(bare, errors="replace"), bare
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:
            # A file cut in the middle of its last character (a truncated
            # download): keep the text, drop the partial character.
            logger.warning("text ends in an incomplete UTF-8 character (truncated?); dropped it")
            return data[: exc.start].decode("utf-8-sig"), "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _bomless_utf16(head: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" for BOM-less UTF-16 text, else None.

    Text in Latin script stored as UTF-16 has a NUL in (nearly) every other
    byte and seldom one in between (only characters such as U+0100 or U+3000
    put one there); binary data has NULs scattered anywhere. Text mostly in
    other scripts has no such pattern: without a BOM it is not recognised.
    """
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 8:
        # Too short to tell: "000" plus one NUL is four bytes of UTF-8.
        return None
    odd, even = sample[1::2], sample[0::2]
    for nuls, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        count = nuls.count(0)
        # Three in four: curly quotes and dashes (U+2014) have no NUL byte.
        if count >= 0.75 * len(nuls) and other.count(0) * 8 <= count:
            return codec
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _bomless_utf16(head):
        return False
    return b"\x00" in head


def _text_article(data: bytes, source: str, stem: str) -> Item:
    """One article from the bytes of a text file (title split off by :func:`split_title`)."""
    if not data.strip():
        return InputFailure(source, "empty file: no text to geoparse")
    if _looks_binary(data):
        return InputFailure(source, "binary file (contains NUL bytes), not text")
    text, encoding = decode(data)
    if not text.replace("\ufeff", "").strip():
        # Byte order marks (an editor may add one to a file that has one) and whitespace only.
        return InputFailure(source, "empty file: no text to geoparse")
    if encoding not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        logger.warning("%s: not UTF-8; read as %s", source, encoding)
    title, body = split_title(text)
    if not body.strip():
        return InputFailure(source, "no article text after the title line")
    return Article(id=stem, title=title, text=body, source=source)


def split_title(text: str) -> tuple[str | None, str]:
    """Split a text file into (title, body).

    The first non-empty line is the title when it looks like one: at most
    150 characters, at least three words, not ending in sentence punctuation
    (. ! ? : ; ,), and followed by more text. Web-page furniture before it
    ("Photo captions", "Share") is passed over and stays in the body, where
    recognition flags it. Otherwise there is no title and the body is the
    whole text. The body keeps its characters exactly, minus the title line
    and the blank lines right after it.

    >>> split_title("Egypt strikes IS in Libya\\n\\nCairo said on Monday...")
    ('Egypt strikes IS in Libya', 'Cairo said on Monday...')
    >>> split_title("Egypt struck IS in Libya on Monday.\\nMore text.")[0] is None
    True
    >>> split_title("Photo captions\\n\\nIS seizes Beni Jawad\\n\\nThe group said...")
    ('IS seizes Beni Jawad', 'Photo captions\\n\\nThe group said...')
    """
    start = len(text) - len(text.lstrip())
    while True:
        end = text.find("\n", start)
        if end < 0:
            return None, text
        line = text[start:end].strip()
        if not furniture_header(line):
            break
        start = end + 1 + len(text[end + 1:]) - len(text[end + 1:].lstrip())
    rest = text[end + 1:]
    looks_like_title = (
        len(line) <= TITLE_MAX_CHARS
        and len(line.split()) >= TITLE_MIN_WORDS
        and line[-1] not in ".!?:;,"
        and rest.strip() != ""
    )
    if not looks_like_title:
        return None, text
    return line, text[:start] + rest[len(rest) - len(rest.lstrip()):]


def _read_jsonl(lines: Iterable[bytes | str | None], source: str, stem: str) -> Iterator[Item]:
    """Turn JSON lines (bytes to decode, text, or None for an over-long line) into items."""
    seen_any = False
    for n, raw in enumerate(lines, start=1):
        if raw is None:
            seen_any = True
            yield InputFailure(source, f"line is over {MAX_LINE_BYTES // 2**20} MiB", line=n)
            continue
        if not raw.strip():
            continue
        seen_any = True
        where = f"{source}:{n}"
        try:
            text_line = raw if isinstance(raw, str) else decode(raw)[0]
            record = json.loads(text_line)
        except ValueError as exc:
            yield InputFailure(source, f"malformed JSON: {exc}", line=n)
            continue
        except RecursionError:
            # json recurses once per nesting level: "[[[[..." exhausts the stack.
            yield InputFailure(source, "malformed JSON: nested too deeply", line=n)
            continue
        yield _record_article(record, source, where, f"{stem}-{n}", line=n)
    if not seen_any:
        yield InputFailure(source, "empty file: no JSON lines")


def _record_article(record: Any, source: str, where: str, default_id: str, *, line: int | None) -> Item:
    """One article from a JSON object with ``text`` (and optional id, title, url, published)."""
    if not isinstance(record, dict):
        return InputFailure(source, f"expected a JSON object, got {type(record).__name__}", line=line)
    rid = record.get("id")
    problem = text_field_problem(record)
    if problem:
        return InputFailure(source, f"{problem}: each record needs the article as a non-empty \"text\" string",
                            line=line, id=_clean(str(rid)) if rid not in (None, "") else None)
    text = record["text"]
    title = record.get("title")
    url = record.get("url")
    published = record.get("published")
    return Article(
        id=_clean(str(rid)) if rid not in (None, "") else default_id,
        title=_clean(title) if isinstance(title, str) and title.strip() else None,
        text=_clean(text),
        source=where,
        url=_clean(url) if isinstance(url, str) and url.strip() else None,
        published=_clean(str(published)) if published not in (None, "") else None,
    )


def _read_json_document(data: bytes, source: str, stem: str) -> Iterator[Item] | None:
    """Read a ``.json`` file holding one document: an array of articles or one article.

    Returns None when the file is not one JSON document (JSON lines saved as
    ``.json``), so the caller streams it as JSON lines instead.
    """
    try:
        doc = json.loads(decode(data)[0])
    except RecursionError:
        return iter([InputFailure(source, "malformed JSON: nested too deeply")])
    except ValueError:
        return None
    if isinstance(doc, list):
        if not doc:
            return iter([InputFailure(source, "empty JSON array: no articles")])
        # Elements are numbered from 1 in ``source`` ("file.json[3]").
        return (_record_article(r, f"{source}[{i}]", f"{source}[{i}]", f"{stem}-{i}", line=None)
                for i, r in enumerate(doc, start=1))
    return iter([_record_article(doc, source, source, stem, line=None)])
