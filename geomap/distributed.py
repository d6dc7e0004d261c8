"""Geoparse with Dask: bags, dataframes and dask.distributed clusters.

Needs the optional extra ``geomap[dask]``; dask is imported only when a
function here is called. Every dask worker process keeps one
:class:`~geomap.pipeline.Geoparser` per set of options in a module-level
cache, so the gazetteer is opened and spaCy loaded once per worker, not once
per task. The options travel as a :class:`~geomap.parallel.GeoparserSpec`
(extra places and event taxonomy by value), so workers need geomap and its
gazetteer (``geomap gazetteer build``) but not the caller's files.

Examples
--------
>>> import dask.bag as db                                        # doctest: +SKIP
>>> bag = db.from_sequence([{"id": "a1", "text": "Clashes in Sirte."}])  # doctest: +SKIP
>>> geoparse_bag(bag, fast=True).compute()[0]["mentions"][0]["place"]["name"]  # doctest: +SKIP
'Sirte'
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from geomap.errors import DependencyError, GeomapError
from geomap.export import FLAT_COLUMNS, flat_rows, result_dict
from geomap.model import Article, InputFailure, text_field_problem
from geomap.parallel import (
    CHUNKS_PER_WORKER,
    DEFAULT_CHUNK_SIZE,
    GeoparserSpec,
    Item,
    Outcome,
    attach,
    chunked,
    parse_chunk,
)
from geomap.pipeline import Geoparser

logger = logging.getLogger("geomap.distributed")

#: Columns of :func:`geoparse_dataframe`: the flat export columns, then the
#: reason an article could not be geoparsed (null on every other row).
FRAME_COLUMNS = (*FLAT_COLUMNS, "error")
_INT_COLUMNS = {"start", "end", "population"}
_FLOAT_COLUMNS = {"lat", "lon", "score", "event_score"}
_BOOL_COLUMNS = {"boilerplate"}

INSTALL_HINT = "install it with `pip install 'geomap[dask]'`"


class DistributedError(GeomapError, RuntimeError):
    """The dask scheduler cannot be reached, or the cluster failed a task."""


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import dask.bag  # noqa: F401
    except ImportError as exc:
        raise DependencyError(f"Dask support needs dask; {INSTALL_HINT}") from exc


# -- the per-worker cache ----------------------------------------------------------
# Keyed by the spec's token. A dask worker runs tasks on several threads, so
# building is guarded by a lock, and each Geoparser has its own lock too: its
# SQLite connection and spaCy pipeline are not meant for concurrent use, and
# the pipeline is CPU-bound Python, so threads would not run it faster anyway
# (run workers with --nthreads 1 and several processes instead).
_CACHE: dict[str, tuple[Geoparser, threading.Lock]] = {}
_CACHE_LOCK = threading.Lock()


def worker_geoparser(spec: GeoparserSpec, token: str | None = None) -> tuple[Geoparser, threading.Lock]:
    """Return this process's Geoparser for ``spec`` (built on first use) and its lock.

    Parameters
    ----------
    spec
        How to build the parser.
    token
        ``spec.token()``, when the caller already has it.

    Returns
    -------
    tuple
        The cached parser and the lock to hold while using it.
    """
    key = token or spec.token()
    entry = _CACHE.get(key)
    if entry is None:
        with _CACHE_LOCK:
            entry = _CACHE.get(key)
            if entry is None:
                logger.info("building a Geoparser in this worker")
                # No gazetteer build here: several worker processes would build
                # the same file at once. A missing file is a clear error saying
                # to run `geomap gazetteer build` on that machine.
                entry = (spec.build(build_gazetteer=False), threading.Lock())
                _CACHE[key] = entry
    return entry


def clear_cache() -> None:
    """Forget this process's cached Geoparsers (closing their gazetteers)."""
    with _CACHE_LOCK:
        for gp, _lock in _CACHE.values():
            gp.gazetteer.close()
        _CACHE.clear()


def _parse_on_worker(chunk: Sequence[Article], spec: GeoparserSpec, token: str) -> list[Outcome]:
    gp, lock = worker_geoparser(spec, token)
    with lock:
        return parse_chunk(gp, chunk)


# -- records to articles ---------------------------------------------------------------

def _text_id(text: str) -> str:
    # Stable across runs and machines (unlike hash()), so reruns keep ids.
    return "text-" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except TypeError:  # pandas.NA refuses to be a bool
        return True


def _opt_str(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value)
    return text if text.strip() else None


def to_article(item: Article | Mapping[str, Any], *, source: str = "<dask>") -> Article | InputFailure:
    """Return an Article for a bag or dataframe record, or a failure saying why not.

    Parameters
    ----------
    item
        An :class:`~geomap.model.Article`, or a mapping with ``text``
        (required) and optional ``id``, ``title``, ``url``, ``published`` and
        ``source``, like a line of the JSON lines input.
    source
        The article's ``source`` when the record has none.

    Returns
    -------
    Article or InputFailure
        Without an ``id``, the id is derived from the text (stable across runs).
    """
    if isinstance(item, Article):
        return item
    if not isinstance(item, Mapping):
        return InputFailure(source, f"expected an Article or a mapping, got {type(item).__name__}")
    src = _opt_str(item.get("source")) or source
    problem = text_field_problem(item)
    if problem:
        return InputFailure(src, f"{problem}: each record needs the article as a non-empty \"text\" string",
                            id=_opt_str(item.get("id")))
    text = item["text"]
    return Article(
        id=_opt_str(item.get("id")) or _text_id(text),
        title=_opt_str(item.get("title")),
        text=text,
        source=src,
        url=_opt_str(item.get("url")),
        published=_opt_str(item.get("published")),
    )


def _geoparse_records(
    records: Iterable[Article | Mapping[str, Any]], spec: GeoparserSpec, token: str, chunk_size: int
) -> Iterator[tuple[Article | Mapping[str, Any], Item]]:
    """Geoparse records on this worker; yield (record, result or failure) in order."""
    items = [(rec, to_article(rec)) for rec in records]
    arts = [a for _r, a in items if isinstance(a, Article)]
    outcomes: list[Item] = []
    for chunk in chunked(arts, chunk_size):
        outcomes.extend(attach(chunk, _parse_on_worker(chunk, spec, token)))
    done = iter(outcomes)
    for rec, art in items:
        yield rec, (art if isinstance(art, InputFailure) else next(done))


def _failure_dict(rec: Article | Mapping[str, Any], fail: InputFailure) -> dict[str, Any]:
    # A failed article keeps its place in the output as a contract record
    # with no mentions and an added "error" key, so nothing disappears.
    get = (lambda k: getattr(rec, k, None)) if isinstance(rec, Article) else (
        lambda k: _opt_str(rec.get(k)) if isinstance(rec, Mapping) else None)
    return {"id": get("id"), "title": get("title"), "source": get("source") or fail.source, "url": get("url"),
            "published": get("published"), "mentions": [], "error": str(fail)}


def _bag_partition(records: Iterable[Any], spec: GeoparserSpec, token: str, explain: bool,
                   chunk_size: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rec, item in _geoparse_records(records, spec, token, chunk_size):
        out.append(_failure_dict(rec, item) if isinstance(item, InputFailure) else result_dict(item, explain=explain))
    return out


def _spec_and_token(spec: GeoparserSpec | None, options: dict[str, Any]) -> tuple[GeoparserSpec, str]:
    if spec is None:
        spec = GeoparserSpec.from_options(**options)
    elif options:
        raise GeomapError("give either spec or Geoparser options, not both")
    return spec, spec.token()


def geoparse_bag(
    bag: Any,
    *,
    spec: GeoparserSpec | None = None,
    explain: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    **geoparser_options: Any,
) -> Any:
    """Geoparse a dask bag of articles into a bag of JSON lines contract records.

    Parameters
    ----------
    bag
        A ``dask.bag.Bag`` of :class:`~geomap.model.Article` or of mappings
        with ``text`` and optional ``id``, ``title``, ``url``, ``published``
        (e.g. ``db.read_text("news-*.jsonl").map(json.loads)``).
    spec
        How each worker builds its Geoparser; None builds one from
        ``geoparser_options``.
    explain
        Add each mention's resolution features (as ``--explain``).
    chunk_size
        Articles geoparsed together (spaCy batching) within a partition.
    **geoparser_options
        Passed to :meth:`GeoparserSpec.from_options` (``gazetteer``,
        ``extra_gazetteer``, ``events``, ``fast``, ``keep_boilerplate``, ``ner_everywhere``).

    Returns
    -------
    dask.bag.Bag
        One dict per input record, in order: :func:`geomap.export.result_dict`
        for articles; for a record that is not an article or whose
        geoparsing raised, the same keys with empty ``mentions`` plus
        ``error`` (the reason).

    Raises
    ------
    DependencyError
        When dask is not installed.
    """
    _require_dask()
    import dask

    spec, token = _spec_and_token(spec, geoparser_options)
    # One graph node holds the spec, instead of a copy inside every task.
    spec_node = dask.delayed(spec, traverse=False)
    return bag.map_partitions(_bag_partition, spec_node, token, explain, chunk_size)


def _frame_meta() -> Any:
    import pandas as pd

    dtypes = {c: ("Int64" if c in _INT_COLUMNS else "float64" if c in _FLOAT_COLUMNS
                  else "boolean" if c in _BOOL_COLUMNS else "string") for c in FRAME_COLUMNS}
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})


def _frame_partition(pdf: Any, spec: GeoparserSpec, token: str, columns: dict[str, str | None],
                     chunk_size: int) -> Any:
    import pandas as pd

    present = {k: c for k, c in columns.items() if c is not None and c in pdf.columns}
    records = []
    for idx, row in zip(pdf.index, pdf[list(present.values())].itertuples(index=False, name=None), strict=True):
        rec: dict[str, Any] = {k: v for k, v in zip(present, row, strict=True)}
        rec.setdefault("id", idx)
        rec.setdefault("source", f"row {idx}")
        records.append(rec)
    rows: list[dict[str, Any]] = []
    for record, item in _geoparse_records(records, spec, token, chunk_size):
        if isinstance(item, InputFailure):
            fail = _failure_dict(record, item)
            rows.append({"article_id": fail["id"], "article_title": fail["title"], "article_url": fail["url"],
                         "article_published": fail["published"], "article_source": fail["source"],
                         "error": fail["error"]})
        else:
            rows.extend(flat_rows([item]))
    meta = _frame_meta()
    if not rows:
        return meta
    frame = pd.DataFrame.from_records(rows, columns=list(FRAME_COLUMNS))
    return frame.astype(meta.dtypes.to_dict())


def geoparse_dataframe(
    ddf: Any,
    text_column: str = "text",
    *,
    id_column: str | None = "id",
    title_column: str | None = "title",
    url_column: str | None = "url",
    published_column: str | None = "published",
    spec: GeoparserSpec | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    **geoparser_options: Any,
) -> Any:
    """Geoparse a dask dataframe of articles into one row per place mention.

    Parameters
    ----------
    ddf
        A ``dask.dataframe.DataFrame`` with one article per row.
    text_column
        Column with the article text.
    id_column, title_column, url_column, published_column
        Optional columns (ignored when absent or None). Without an id
        column the article id is the row's index label.
    spec
        How each worker builds its Geoparser; None builds one from
        ``geoparser_options``.
    chunk_size
        Articles geoparsed together (spaCy batching) within a partition.
    **geoparser_options
        Passed to :meth:`GeoparserSpec.from_options`.

    Returns
    -------
    dask.dataframe.DataFrame
        Columns :data:`FRAME_COLUMNS` (the CSV export's columns plus
        ``error``), one row per mention, unresolved mentions included
        (``place_id`` null); articles with no mention have no row, and an
        article that could not be geoparsed has one row with ``error`` set.
        Filter ``place_id.notnull()`` and use ``lat``/``lon`` for GIS.

    Raises
    ------
    DependencyError
        When dask is not installed.
    """
    _require_dask()
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as exc:
        raise DependencyError(f"Dask dataframes need dask[dataframe]; {INSTALL_HINT}") from exc
    spec, token = _spec_and_token(spec, geoparser_options)
    columns = {"text": text_column, "id": id_column, "title": title_column, "url": url_column,
               "published": published_column}
    return ddf.map_partitions(_frame_partition, dask.delayed(spec, traverse=False), token, columns, chunk_size,
                              meta=_frame_meta(), enforce_metadata=False)


def _connect(address: str, timeout: float) -> Any:
    _require_dask()
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise DependencyError(f"--dask needs dask.distributed; {INSTALL_HINT}") from exc
    _probe(address, timeout)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DistributedError(f"cannot reach the dask scheduler at {address}: {exc}") from exc


def _probe(address: str, timeout: float) -> None:
    """Fail at once, with the cause, on an address no scheduler can be at.

    dask's Client retries a refused connection until its timeout and then
    says only "Timed out"; given an address without a port, the half-built
    Client hangs 20 s on exit. A plain TCP connect tells these cases apart
    first.

    Raises
    ------
    DistributedError
        For a malformed address, an unknown host, or a refused connection.
    """
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return  # inproc://, ucx://...: dask's own checks apply
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise DistributedError(f"{address!r} is not a dask scheduler address ({exc}): "
                               "give it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from exc
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as exc:
        raise DistributedError(f"cannot reach the dask scheduler at {address}: unknown host {host!r}") from exc
    except ConnectionRefusedError as exc:
        raise DistributedError(f"cannot reach the dask scheduler at {address}: connection refused "
                               "(is `dask scheduler` running there, on that port?)") from exc
    except OSError:
        return  # a timeout or unreachable network: let the Client try, and report it


def geoparse_distributed(
    articles: Iterable[Article],
    client: Any,
    *,
    spec: GeoparserSpec | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_pending: int | None = None,
    timeout: float = 10.0,
    **geoparser_options: Any,
) -> Iterator[Item]:
    """Geoparse articles on a dask.distributed cluster; yield results in input order.

    The articles are read here and sent to the cluster in chunks; only a
    bounded window of chunks is in flight, so the input can be a stream
    of any length.

    Parameters
    ----------
    articles
        Articles, read lazily.
    client
        A ``dask.distributed.Client``, or a scheduler address
        (``tcp://HOST:PORT``) to connect to (and disconnect from at the end).
    spec
        How each worker builds its Geoparser; None builds one from
        ``geoparser_options``. ``spec.gazetteer`` must be a path that exists
        on the workers, or None for their default gazetteer.
    chunk_size
        Articles per task.
    max_pending
        Chunks in flight at most; default three per worker thread.
    timeout
        Seconds to wait for the scheduler when connecting.
    **geoparser_options
        Passed to :meth:`GeoparserSpec.from_options`.

    Yields
    ------
    ArticleResult or InputFailure
        One per article, in input order; an InputFailure when geoparsing
        that article raised.

    Raises
    ------
    DistributedError
        When the scheduler cannot be reached or a task fails on the cluster.
    DependencyError
        When dask.distributed is not installed.
    """
    spec, token = _spec_and_token(spec, geoparser_options)
    own = isinstance(client, str)
    if own:
        client = _connect(client, timeout)
    pending: deque[tuple[list[Article], Any]] = deque()
    try:
        threads = sum(client.nthreads().values()) or 1
        window = max(1, max_pending if max_pending is not None else CHUNKS_PER_WORKER * threads)
        # Sent to every worker once, instead of once per task.
        [spec_future] = client.scatter([spec], broadcast=True, hash=False)

        def collect(chunk: list[Article], fut: Any) -> Iterator[Item]:
            try:
                outcomes = fut.result()
            except GeomapError:
                raise
            except Exception as exc:
                raise DistributedError(f"a dask task failed: {type(exc).__name__}: {exc}") from exc
            yield from attach(chunk, outcomes)

        for chunk in chunked(articles, chunk_size):
            pending.append((chunk, client.submit(_parse_on_worker, chunk, spec_future, token, pure=False)))
            while len(pending) >= window:
                yield from collect(*pending.popleft())
        while pending:
            yield from collect(*pending.popleft())
    finally:
        if pending:
            client.cancel([fut for _c, fut in pending])
        if own:
            client.close()

