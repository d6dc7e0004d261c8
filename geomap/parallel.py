"""Geoparse on several cores: one :class:`~geomap.pipeline.Geoparser` per worker process.

The pipeline is CPU-bound pure Python plus spaCy, so threads do not help
(the GIL); processes do. Each worker builds its Geoparser once, in the pool
initializer: it opens the SQLite gazetteer read-only itself (a connection
cannot cross a process boundary) and loads spaCy once. Articles travel to
the workers in chunks, so spaCy still batches, and only a bounded window of
chunks is in flight, so a corpus of millions of articles streams through in
constant memory. Results come back in input order, and an article that
raises in a worker becomes an :class:`~geomap.model.InputFailure`, the same
record the readers produce for unusable input, instead of ending the run.

Examples
--------
>>> from geomap.readers import read_paths                      # doctest: +SKIP
>>> arts = (a for a in read_paths(["news/"]) if isinstance(a, Article))  # doctest: +SKIP
>>> for item in geoparse_parallel(arts, jobs=0, fast=True):    # doctest: +SKIP
...     print(item)
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from geomap import events as events_mod
from geomap import export
from geomap.errors import ConfigurationError, GeomapError
from geomap.gazetteer import Gazetteer, PlaceRecord, read_extra
from geomap.model import Article, ArticleResult, GeoMention, InputFailure
from geomap.pipeline import SPACY_MODELS, Geoparser

logger = logging.getLogger("geomap.parallel")

#: Articles per task: large enough for spaCy's batching and to amortise
#: pickling, small enough that the last chunks do not leave a core idle.
DEFAULT_CHUNK_SIZE = 8
#: Chunks in flight per worker: two keep every worker busy while the parent
#: reads and writes; more only costs memory.
CHUNKS_PER_WORKER = 3

Item = ArticleResult | InputFailure


class ParallelError(GeomapError, RuntimeError):
    """A worker process died (killed, out of memory) or could not start."""


@dataclass(frozen=True)
class GeoparserSpec:
    """Everything needed to build the same Geoparser in another process or machine.

    A spec is small and picklable: it carries the extra places and the event
    taxonomy by value (so remote workers need not see the user's files) and
    the gazetteer by path (the database is opened where the work runs).

    Parameters
    ----------
    gazetteer
        Gazetteer file; None means the default file of the machine the
        worker runs on (built there on first use).
    extra_places
        Places from ``--extra-gazetteer`` files, already read.
    taxonomy
        Event taxonomy; None uses the shipped one.
    fast
        Gazetteer-only recognition (no spaCy).
    keep_boilerplate
        Keep mentions found in boilerplate (see :class:`~geomap.pipeline.Geoparser`).
    ner_everywhere
        Run the NER over every sentence (see :class:`~geomap.pipeline.Geoparser`).
    """

    gazetteer: str | None = None
    extra_places: tuple[PlaceRecord, ...] = ()
    taxonomy: events_mod.Taxonomy | None = None
    fast: bool = False
    keep_boilerplate: bool = True
    ner_everywhere: bool = False

    @classmethod
    def from_options(
        cls,
        *,
        gazetteer: str | os.PathLike[str] | None = None,
        extra_gazetteer: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] = (),
        events: str | os.PathLike[str] | None = None,
        fast: bool = False,
        keep_boilerplate: bool = True,
        ner_everywhere: bool = False,
    ) -> GeoparserSpec:
        """Build a spec from the same options as the command line.

        Files are read here, in the calling process, so a bad TSV or
        taxonomy is reported once with its file name instead of once per
        worker.

        Parameters
        ----------
        gazetteer
            Gazetteer file (``--gazetteer``); None for the default one.
        extra_gazetteer
            TSV file(s) of extra places (``--extra-gazetteer``).
        events
            Event taxonomy JSON (``--events``); None for the shipped one.
        fast, keep_boilerplate, ner_everywhere
            As for :class:`~geomap.pipeline.Geoparser`.

        Returns
        -------
        GeoparserSpec
            The spec.
        """
        files = [extra_gazetteer] if isinstance(extra_gazetteer, (str, os.PathLike)) else list(extra_gazetteer)
        places = tuple(rec for f in files for rec in read_extra(f))
        taxonomy = events_mod.load_taxonomy(events) if events else None
        return cls(
            gazetteer=os.fspath(gazetteer) if gazetteer is not None else None,
            extra_places=places,
            taxonomy=taxonomy,
            fast=fast,
            keep_boilerplate=keep_boilerplate,
            ner_everywhere=ner_everywhere,
        )

    def build(self, *, build_gazetteer: bool = True) -> Geoparser:
        """Return a new Geoparser as this spec describes.

        Parameters
        ----------
        build_gazetteer
            Build the default gazetteer when it is missing (only when
            :attr:`gazetteer` is None).

        Returns
        -------
        Geoparser
            A parser with its own gazetteer connection.
        """
        path: str | os.PathLike[str]
        if self.gazetteer is None:
            path = Gazetteer.open(build=build_gazetteer).path
        else:
            path = self.gazetteer
        gaz = Gazetteer(path, self.extra_places)
        return Geoparser(gaz, fast=self.fast, taxonomy=self.taxonomy, keep_boilerplate=self.keep_boilerplate,
                         ner_everywhere=self.ner_everywhere)

    def token(self) -> str:
        """Return a digest identifying this spec (a cache key for workers)."""
        return hashlib.sha256(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()[:24]

    def resolved(self) -> GeoparserSpec:
        """Return this spec made ready for local workers.

        Opens the gazetteer here (building the default file once if needed,
        rather than in every worker at the same time, and failing early with
        a clear error), and switches to fast mode with one warning when
        spaCy is missing instead of one warning per worker.
        """
        gaz = Gazetteer.open(self.gazetteer) if self.gazetteer is not None else Gazetteer.open()
        path = str(gaz.path)
        gaz.close()
        fast = self.fast
        if not fast and not any(importlib.util.find_spec(m) for m in SPACY_MODELS):
            logger.warning("spaCy NER is not installed; using the gazetteer-only recognizer")
            fast = True
        return GeoparserSpec(path, self.extra_places, self.taxonomy, fast, self.keep_boilerplate,
                             self.ner_everywhere)


def failure_for(article: Article, exc: BaseException) -> InputFailure:
    """Return the failure record for an article whose geoparsing raised.

    The record has the readers' shape: ``source`` is the file and ``line``
    the JSON line number when the article came from JSON lines (its
    ``source`` is then ``path:line``).
    """
    source, line = article.source, None
    head, sep, tail = source.rpartition(":")
    if sep and head and tail.isdigit():
        source, line = head, int(tail)
    return InputFailure(source, f"geoparsing failed: {type(exc).__name__}: {exc}", line=line, id=article.id)


#: Outcome of one article in a worker: its mentions, or the failure reason.
Outcome = tuple[GeoMention, ...] | InputFailure


def parse_chunk(gp: Geoparser, chunk: Sequence[Article]) -> list[Outcome]:
    """Geoparse a chunk with ``gp``, isolating articles that raise.

    The chunk goes through :meth:`Geoparser.parse_many` in one batch (spaCy
    batching); if that raises, the articles are retried one by one so only
    the culprit fails.

    Parameters
    ----------
    gp
        The parser.
    chunk
        Articles.

    Returns
    -------
    list
        Per article, in order: its mentions, or an InputFailure.
    """
    try:
        return [r.mentions for r in gp.parse_many(chunk, batch_size=max(1, len(chunk)))]
    except Exception:  # any bug in one article must not end a long run
        out: list[Outcome] = []
        for art in chunk:
            try:
                out.append(gp.parse(art).mentions)
            except Exception as exc:
                logger.debug("article %s failed", art.id, exc_info=True)
                out.append(failure_for(art, exc))
        return out


# -- worker process state ---------------------------------------------------------
# One Geoparser per worker process, built by the pool initializer. A module
# global because that is the only state a ProcessPoolExecutor task can reach.
_WORKER: Geoparser | None = None
_WORKER_ERROR: BaseException | None = None


def _init_worker(spec: GeoparserSpec) -> None:
    global _WORKER, _WORKER_ERROR
    # Ctrl-C reaches the whole process group: let only the parent handle it
    # (it stops submitting and shuts the pool down) instead of every worker
    # printing its own KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER = spec.build(build_gazetteer=False)
    except BaseException as exc:
        # An exception escaping an initializer only breaks the pool, with a
        # generic message; keep it and re-raise it from the first task so
        # the parent sees the real reason.
        _WORKER_ERROR = exc


def _worker_chunk(chunk: list[Article]) -> list[Outcome]:
    if _WORKER is None:
        raise _WORKER_ERROR or ParallelError("worker has no Geoparser")
    return parse_chunk(_WORKER, chunk)


def jsonl_chunk(gp: Geoparser, chunk: Sequence[Article], explain: bool = False) -> list[str | InputFailure]:
    """Geoparse a chunk like :func:`parse_chunk`; return each article's JSON line.

    The line is :func:`geomap.export.result_line`'s, so a run that only
    writes JSON lines can build them where the geoparsing happens.
    """
    return [out if isinstance(out, InputFailure) else export.result_line(ArticleResult(art, out), explain=explain)
            for art, out in zip(chunk, parse_chunk(gp, chunk), strict=True)]


def _worker_jsonl_chunk(chunk: list[Article], explain: bool) -> list[str | InputFailure]:
    if _WORKER is None:
        raise _WORKER_ERROR or ParallelError("worker has no Geoparser")
    return jsonl_chunk(_WORKER, chunk, explain)


def cpu_count() -> int:
    """Return the number of cores this process may use (``--jobs 0``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_start_method() -> str:
    """Return the multiprocessing start method used by default.

    ``forkserver`` where available: ``fork`` would copy whatever the calling
    program holds (open SQLite connections, threads of Jupyter, dask or a
    GUI) into the workers, which is unsafe; ``forkserver`` forks from a clean
    server process, and starts faster than ``spawn`` once that is running.
    """
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def chunked(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Yield lists of up to ``size`` articles, reading ``articles`` lazily."""
    chunk: list[Article] = []
    for art in articles:
        chunk.append(art)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def attach(chunk: Sequence[Article], outcomes: Sequence[Outcome]) -> Iterator[Item]:
    """Pair a chunk's articles with the outcomes a worker sent back.

    Workers send back only the mentions: the caller re-attaches its own
    Article, which halves what crosses the pipe (or the network) and keeps
    object identity.
    """
    for art, out in zip(chunk, outcomes, strict=True):
        yield out if isinstance(out, InputFailure) else ArticleResult(article=art, mentions=out)


def geoparse_parallel(
    articles: Iterable[Article],
    *,
    jobs: int = 0,
    spec: GeoparserSpec | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_pending: int | None = None,
    start_method: str | None = None,
    **geoparser_options: Any,
) -> Iterator[Item]:
    """Geoparse articles in worker processes; yield results in input order.

    Parameters
    ----------
    articles
        Articles, read lazily: only about ``max_pending * chunk_size`` are
        held at a time.
    jobs
        Worker processes; 0 means one per available core. With 1 the work
        runs in this process (same results, no pool).
    spec
        How to build each worker's Geoparser; None builds one from
        ``geoparser_options``.
    chunk_size
        Articles per task.
    max_pending
        Chunks in flight at most; default ``CHUNKS_PER_WORKER * jobs``.
    start_method
        ``forkserver``, ``spawn`` or ``fork``; default
        :func:`default_start_method`.
    **geoparser_options
        Passed to :meth:`GeoparserSpec.from_options` (``gazetteer``,
        ``extra_gazetteer``, ``events``, ``fast``, ``keep_boilerplate``, ``ner_everywhere``).

    Yields
    ------
    ArticleResult or InputFailure
        One per article, in input order; an InputFailure when geoparsing
        that article raised (the reason names the exception).

    Raises
    ------
    ParallelError
        When a worker process dies (killed, out of memory).
    GazetteerError
        When the gazetteer cannot be opened (checked before any worker starts).
    """
    pool = _map_chunks(articles, _worker_chunk, (), parse_chunk, jobs=jobs, spec=spec, chunk_size=chunk_size,
                       max_pending=max_pending, start_method=start_method, options=geoparser_options)
    for chunk, outcomes in pool:
        yield from attach(chunk, outcomes)


def jsonl_parallel(
    articles: Iterable[Article],
    *,
    explain: bool = False,
    jobs: int = 0,
    spec: GeoparserSpec | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_pending: int | None = None,
    start_method: str | None = None,
    **geoparser_options: Any,
) -> Iterator[str | InputFailure]:
    """Geoparse articles in worker processes; yield their JSON lines in input order.

    The same as writing :func:`geoparse_parallel`'s results with
    :func:`geomap.export.to_jsonl`, but each worker builds the lines of its
    own articles. Only text comes back through the pipe, so the parent
    neither unpickles mention objects nor encodes JSON: on two cores that
    work would otherwise hold back the workers of the ``--fast`` pipeline
    (``geomap parse --jobs N`` uses this for JSON lines output).

    Parameters
    ----------
    articles
        Articles, read lazily.
    explain
        Add the features that decided each resolution (as ``to_jsonl``).
    jobs, spec, chunk_size, max_pending, start_method, **geoparser_options
        As for :func:`geoparse_parallel`.

    Yields
    ------
    str or InputFailure
        Per article, in input order: its JSON line (with the newline), or
        an InputFailure when geoparsing it raised.

    Raises
    ------
    ParallelError, GazetteerError
        As :func:`geoparse_parallel`.
    """
    pool = _map_chunks(articles, _worker_jsonl_chunk, (explain,), jsonl_chunk, jobs=jobs, spec=spec,
                       chunk_size=chunk_size, max_pending=max_pending, start_method=start_method,
                       options=geoparser_options)
    for _chunk, lines in pool:
        yield from lines


def _map_chunks(
    articles: Iterable[Article],
    task: Callable[..., list[Any]],
    task_args: tuple[Any, ...],
    local: Callable[..., list[Any]],
    *,
    jobs: int,
    spec: GeoparserSpec | None,
    chunk_size: int,
    max_pending: int | None,
    start_method: str | None,
    options: dict[str, Any],
) -> Iterator[tuple[list[Article], list[Any]]]:
    """Run ``task(chunk, *task_args)`` in worker processes; yield (chunk, output) in input order.

    ``local(geoparser, chunk, *task_args)`` does the same work in this
    process when ``jobs`` is 1.
    """
    if jobs < 0:
        raise ConfigurationError(f"jobs must be >= 0, got {jobs}")
    if chunk_size < 1:
        raise ConfigurationError(f"chunk_size must be >= 1, got {chunk_size}")
    if spec is None:
        spec = GeoparserSpec.from_options(**options)
    elif options:
        raise ConfigurationError("give either spec or Geoparser options, not both")
    spec = spec.resolved()
    jobs = jobs or cpu_count()
    if jobs == 1:
        gp = spec.build()
        for chunk in chunked(articles, chunk_size):
            yield chunk, local(gp, chunk, *task_args)
        return
    window = max(1, max_pending if max_pending is not None else CHUNKS_PER_WORKER * jobs)
    ctx = multiprocessing.get_context(start_method or default_start_method())
    pending: deque[tuple[list[Article], Future[list[Any]]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(spec,)) as pool:
        try:
            for chunk in chunked(articles, chunk_size):
                pending.append((chunk, pool.submit(task, chunk, *task_args)))
                # Wait for the oldest chunk before reading more input: this
                # bounds memory and keeps results in input order.
                while len(pending) >= window:
                    done, fut = pending.popleft()
                    yield done, fut.result()
            while pending:
                done, fut = pending.popleft()
                yield done, fut.result()
        except BrokenProcessPool as exc:
            raise ParallelError(
                "a geomap worker process died (killed or out of memory?); try fewer --jobs"
            ) from exc
        finally:
            # Stopped early (error, or the consumer closed the generator):
            # drop queued chunks instead of geoparsing them for nothing.
            for _chunk, fut in pending:
                fut.cancel()
