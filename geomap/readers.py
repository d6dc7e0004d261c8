"""Read articles from files, directories, JSON lines and standard input.

This is an I/O edge: it turns bytes into :class:`~geomap.model.Article`
values, and every item it cannot use into an
:class:`~geomap.model.InputFailure` that names the file (and line) and says
why. Nothing is dropped silently: each input item yields exactly one of the
two.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from geomap.model import Article, InputFailure

logger = logging.getLogger("geomap.readers")

#: File extensions read from directories; other files there are skipped.
SUPPORTED = (".txt", ".jsonl", ".json", ".ndjson", ".html", ".htm", ".csv")
_JSONL = (".jsonl", ".ndjson", ".json")
_HTML = (".html", ".htm")
_MIN_PAGE_WORDS = 5
#: A single text file larger than this is refused rather than read into memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024
#: A JSON line longer than this is refused (one article, not a corpus).
MAX_LINE_BYTES = 20 * 1024 * 1024

TITLE_MAX_CHARS = 150
TITLE_MIN_WORDS = 3

Item = Article | InputFailure


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
    if suffix in _JSONL or suffix == ".csv":
        try:
            with path.open("rb") as f:
                if suffix == ".csv":
                    yield from _read_csv(f, source, path.stem, text_column)
                else:
                    yield from _read_jsonl(_lines(f, source), source, path.stem)
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


def _lines(stream: IO[bytes], source: str) -> Iterator[bytes | None]:
    """Yield the lines of a binary stream, reading at most one line limit at a time.

    A line longer than :data:`MAX_LINE_BYTES` is skipped up to its end
    without being held in memory and yields None in its place, so a 100 MB
    file with no newline costs one buffer, not 100 MB.
    """
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            logger.debug("%s: skipped an over-long line", source)
            yield None
            continue
        yield line


def _html_article(data: bytes, source: str, stem: str) -> Item:
    """One article from a web page: its main text, title and date (trafilatura)."""
    if not data.strip():
        return InputFailure(source, "empty file: no text to geoparse")
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
    import io

    head = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    if not head.strip():
        yield InputFailure(source, "empty file: no CSV rows")
        return
    encoding = _sniff_encoding(head)
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")  # type: ignore[arg-type]
    # One article per field: let fields be as long as one article may be.
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.DictReader(text_stream)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield InputFailure(source, f"malformed CSV header: {exc}")
        return
    if text_column not in header:
        cols = ", ".join(repr(c) for c in header[:12]) or "none"
        yield InputFailure(source, f"no {text_column!r} column (columns: {cols}); choose one with --text-column")
        return
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield InputFailure(source, f"malformed CSV: {exc}", line=reader.line_num)
            continue
        n += 1
        line = reader.line_num
        text = row.get(text_column)
        if not isinstance(text, str) or not text.strip():
            yield InputFailure(source, f"row {n}: empty {text_column!r} column", line=line)
            continue

        def opt(name: str, row: dict[str, str | None] = row) -> str | None:
            value = row.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        yield Article(id=opt("id") or f"{stem}-{n}", title=opt("title"), text=text, source=f"{source}:{line}",
                      url=opt("url"), published=opt("published"))
    if n == 0:
        yield InputFailure(source, "CSV file has a header but no rows")


def _read_stream(stream: IO[bytes], source: str) -> Iterator[Item]:
    head = stream.read(1)
    while head and head in b" \t\r\n\xef\xbb\xbf":
        nxt = stream.read(1)
        if not nxt:
            break
        head = nxt
    if head == b"{":
        yield from _read_jsonl(_lines(_Prefixed(head, stream), source), source, "stdin")
    else:
        data = head + stream.read(MAX_TEXT_BYTES + 1)
        if len(data) > MAX_TEXT_BYTES:
            yield InputFailure(source, "standard input is over the size limit for one article")
            return
        yield _text_article(data, source, "stdin")


class _Prefixed:
    """A binary stream with some bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readline(self, limit: int = -1) -> bytes:
        if self._prefix:
            first, self._prefix = self._prefix, b""
            return first + self._stream.readline(limit - len(first) if limit > 0 else -1)
        return self._stream.readline(limit)


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

    Text in Latin script stored as UTF-16 has a NUL in every other byte;
    binary data has NULs scattered anywhere.
    """
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2], sample[0::2]
    for nuls, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls.count(0) >= 0.9 * len(nuls) and other.count(0) == 0:
            return codec
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _bomless_utf16(head):
        return False
    return b"\x00" in head


def _text_article(data: bytes, source: str, stem: str) -> Item:
    if not data.strip():
        return InputFailure(source, "empty file: no text to geoparse")
    if _looks_binary(data):
        return InputFailure(source, "binary file (contains NUL bytes), not text")
    text, encoding = decode(data)
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
    (. ! ? : ; ,), and followed by more text. Otherwise there is no title and
    the body is the whole text. The body keeps its characters exactly, minus
    the title line and the blank lines right after it.

    >>> split_title("Egypt strikes IS in Libya\\n\\nCairo said on Monday...")
    ('Egypt strikes IS in Libya', 'Cairo said on Monday...')
    >>> split_title("Egypt struck IS in Libya on Monday.\\nMore text.")[0] is None
    True
    """
    lead = len(text) - len(text.lstrip())
    first_end = text.find("\n", lead)
    if first_end < 0:
        return None, text
    line = text[lead:first_end].strip()
    rest = text[first_end + 1:]
    looks_like_title = (
        len(line) <= TITLE_MAX_CHARS
        and len(line.split()) >= TITLE_MIN_WORDS
        and line[-1] not in ".!?:;,"
        and rest.strip() != ""
    )
    if not looks_like_title:
        return None, text
    return line, rest[len(rest) - len(rest.lstrip()):]


def _read_jsonl(lines: Iterable[bytes | None], source: str, stem: str) -> Iterator[Item]:
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
            text_line, _enc = decode(raw)
            record = json.loads(text_line)
        except ValueError as exc:
            yield InputFailure(source, f"malformed JSON: {exc}", line=n)
            continue
        if not isinstance(record, dict):
            yield InputFailure(source, f"expected a JSON object, got {type(record).__name__}", line=n)
            continue
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            yield InputFailure(source, "missing or empty \"text\" field (a non-empty string)", line=n)
            continue
        rid = record.get("id")
        title = record.get("title")
        url = record.get("url")
        published = record.get("published")
        yield Article(
            id=str(rid) if rid not in (None, "") else f"{stem}-{n}",
            title=title if isinstance(title, str) and title.strip() else None,
            text=text,
            source=where,
            url=url if isinstance(url, str) and url.strip() else None,
            published=str(published) if published not in (None, "") else None,
        )
    if not seen_any:
        yield InputFailure(source, "empty file: no JSON lines")
