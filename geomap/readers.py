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
SUPPORTED = (".txt", ".jsonl", ".json", ".ndjson")
#: A single text file larger than this is refused rather than read into memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024
#: A JSON line longer than this is refused (one article, not a corpus).
MAX_LINE_BYTES = 20 * 1024 * 1024

TITLE_MAX_CHARS = 150
TITLE_MIN_WORDS = 3

Item = Article | InputFailure


def read_paths(paths: Iterable[str | os.PathLike[str]], *, stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """Yield an Article or an InputFailure for every item in the given paths.

    Parameters
    ----------
    paths
        Files, directories (read recursively, sorted, only ``.txt`` and
        ``.jsonl`` files) or ``-`` for standard input (JSON lines when the
        first character is ``{``, otherwise one text article).
    stdin
        Binary stream used for ``-``; defaults to ``sys.stdin.buffer``.
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
                yield from read_file(f)
        else:
            yield from read_file(path)


def read_file(path: Path) -> Iterator[Item]:
    """Yield the article(s) in one file, or failures saying why not."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield InputFailure(source, f"cannot read: {exc.strerror or exc}")
        return
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        try:
            with path.open("rb") as f:
                yield from _read_jsonl(f, source, path.stem)
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
    yield _text_article(data, source, path.stem)


def _read_stream(stream: IO[bytes], source: str) -> Iterator[Item]:
    head = stream.read(1)
    while head and head in b" \t\r\n\xef\xbb\xbf":
        nxt = stream.read(1)
        if not nxt:
            break
        head = nxt
    if head == b"{":
        yield from _read_jsonl(_Prefixed(head, stream), source, "stdin")
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

    def __iter__(self) -> Iterator[bytes]:
        first = self._prefix + self._stream.readline()
        yield first
        yield from self._stream


def decode(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding used).

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised; other
    bytes are legacy single-byte text, read as cp1252 (a superset of
    latin-1 for printable characters) or latin-1 as a last resort, which
    never fails.
    """
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def _text_article(data: bytes, source: str, stem: str) -> Item:
    if not data.strip():
        return InputFailure(source, "empty file: no text to geoparse")
    if _looks_binary(data):
        return InputFailure(source, "binary file (contains NUL bytes), not text")
    text, encoding = decode(data)
    if encoding not in ("utf-8", "utf-16"):
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


def _read_jsonl(lines: Iterable[bytes], source: str, stem: str) -> Iterator[Item]:
    seen_any = False
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        seen_any = True
        where = f"{source}:{n}"
        if len(raw) > MAX_LINE_BYTES:
            yield InputFailure(source, f"line is over {MAX_LINE_BYTES // 2**20} MiB", line=n)
            continue
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
