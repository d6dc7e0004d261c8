"""The ``geomap`` command line: a thin click layer over the library.

Library errors (:class:`~geomap.errors.GeomapError`) become one-line
``Error: ...`` messages here; nothing below this module prints or exits.

Exit codes: 0 when at least one article was processed, 1 when none could be
(every input failed, or there was none), 2 for usage errors.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from geomap import __version__, is_compiled
from geomap.errors import GeomapError
from geomap.model import Article, ArticleResult, InputFailure

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_NOTHING_PROCESSED = 1

logger = logging.getLogger("geomap")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "-V", "--version", prog_name="geomap",
    message=f"%(prog)s %(version)s ({'stages compiled with mypyc' if is_compiled() else 'pure Python'})",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Turn news articles into maps: find places, resolve them offline, type events.

    \b
    Examples:
      geomap parse seeds/ --format jsonl -o places.jsonl
      geomap map seeds/ -o seeds-map.html
      geomap lookup Tripoli --country LY
    """
    _setup_logging(verbose)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("geomap: %(levelname)s: %(message)s"))
    root = logging.getLogger("geomap")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # geopy's rate limiter logs every retry with a full traceback; geomap
    # reports each kind of geocoder fault once itself. Shown with -vv.
    logging.getLogger("geopy").setLevel(logging.DEBUG if verbose >= 2 else logging.CRITICAL)


def _verbose_here(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    # "geomap parse x -v" means the same as "geomap -v parse x"; the group set
    # up logging before this command's options were parsed, so redo it.
    if value:
        before = ctx.find_root().params.get("verbose") or 0
        _setup_logging(before + value)


#: ``-v`` on each command as well as on ``geomap`` itself.
_verbose_option = click.option("-v", "--verbose", count=True, expose_value=False, callback=_verbose_here,
                               help="More log output on stderr (-vv for debug).")


def _guarded(gp: Any, articles: Iterable[Article], batch_size: int = 32) -> Iterator[ArticleResult | InputFailure]:
    """Geoparse in batches; an article whose geoparsing raises becomes a failure record.

    The batch is redone one article at a time to find the culprit, so one
    pathological text costs its own result, never the run. geomap's own
    errors (a missing gazetteer, a bad taxonomy) still stop the run: they
    concern every article.
    """
    from geomap.parallel import failure_for

    def run(batch: list[Article]) -> list[ArticleResult | InputFailure]:
        try:
            return list(gp.parse_many(batch, batch_size=len(batch)))
        except GeomapError:
            raise
        except Exception:  # noqa: BLE001 - isolate the article below
            out: list[ArticleResult | InputFailure] = []
            for art in batch:
                try:
                    out.append(gp.parse(art))
                except GeomapError:
                    raise
                except Exception as exc:  # noqa: BLE001 - reported as this article's failure
                    logger.debug("geoparsing %s failed", art.id, exc_info=True)
                    out.append(failure_for(art, exc))
            return out

    batch: list[Article] = []
    for art in articles:
        batch.append(art)
        if len(batch) >= batch_size:
            yield from run(batch)
            batch = []
    if batch:
        yield from run(batch)


# -- shared options -------------------------------------------------------------

def _pipeline_options(fn: Any) -> Any:
    for deco in reversed((
        click.option("--fast", is_flag=True, help="Gazetteer-only recognition: no spaCy, several times faster."),
        click.option("--ner-everywhere", is_flag=True,
                     help="Run the NER over every sentence, not only where the gazetteer knows a capitalised "
                          "name: lists more unknown names as unresolved; about a fifth slower. "
                          "Implied by --geocoder."),
        click.option("--extra-gazetteer", "extra_gazetteer", multiple=True,
                     type=click.Path(exists=True, dir_okay=False),
                     help="TSV of your own places (see README); repeatable."),
        click.option("--gazetteer", "gazetteer_path", type=click.Path(dir_okay=False),
                     help="Gazetteer file to use instead of the default one."),
        click.option("--events", "events_file", type=click.Path(exists=True, dir_okay=False),
                     help="Your own event taxonomy (JSON, same format as the shipped one)."),
        click.option("--errors", "errors_file", type=click.Path(dir_okay=False, writable=True),
                     help="Also write input failures to this file as JSON lines."),
        click.option("--text-column", default="text", show_default=True, metavar="NAME",
                     help="CSV input: the column holding the article text (id, title, url, published "
                          "columns are used when present)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress display and no summary line."),
        click.option("--geocoder", default=None, metavar="SERVICE",
                     help="Online fallback for names the gazetteer lacks (a geopy service, e.g. nominatim). "
                          "Off by default; answers are cached."),
        click.option("--user-agent", envvar="GEOMAP_USER_AGENT", default=None,
                     help="Your application's name for the geocoder (required with --geocoder)."),
        click.option("--geocoder-option", "geocoder_options", multiple=True, metavar="KEY=VALUE",
                     help="Extra geopy option, e.g. domain=nominatim.example.org or scheme=http; repeatable."),
        click.option("--geocoder-cache", type=click.Path(dir_okay=False), default=None,
                     help="Geocoder cache file (default ~/.cache/geomap/geocoder.sqlite)."),
        click.option("--geocoder-delay", type=float, default=1.0, show_default=True,
                     help="Minimum seconds between geocoder requests."),
        click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
                     help="Worker processes (0 = one per core); the output is the same as with 1."),
        click.option("--dask", "dask_address", default=None, metavar="tcp://HOST:PORT",
                     help="Geoparse on a dask.distributed cluster (needs geomap[dask]; "
                          "every worker needs geomap and its gazetteer)."),
    )):
        fn = deco(fn)
    return fn


class _Run:
    """Read inputs, geoparse them, count and report what happened."""

    def __init__(self, paths: Iterable[str], opts: dict[str, Any]) -> None:
        self.paths = list(paths)
        self.opts = opts
        self.read = 0
        self.parsed = 0
        self.failures: list[InputFailure] = []
        self._last = 0.0
        self.show_progress = not opts.get("quiet") and sys.stderr.isatty()
        self._geocoder: Any = None
        self.jobs: int = opts.get("jobs", 1)
        if not opts.get("geocoder"):
            _refuse_geocoder_options_alone()
        if opts.get("dask_address") and self.jobs != 1:
            raise click.UsageError("--jobs and --dask are alternatives: the dask cluster has its own workers")
        if opts.get("geocoder") and (self.jobs != 1 or opts.get("dask_address")):
            # Its rate limit and cache are per process: N workers would ask
            # the service N times as often as --geocoder-delay promises.
            raise click.UsageError("--geocoder runs in one process: use it without --jobs/--dask")

    def geoparser(self) -> Any:
        from geomap import events
        from geomap.gazetteer import Gazetteer
        from geomap.pipeline import Geoparser

        gaz = Gazetteer.open(
            self.opts.get("gazetteer_path"),
            extra=list(self.opts.get("extra_gazetteer") or ()),
            progress=_build_progress if not self.opts.get("quiet") else None,
        )
        taxonomy = events.load_taxonomy(self.opts["events_file"]) if self.opts.get("events_file") else None
        geocoder = self.geocoder()
        return Geoparser(gaz, fast=bool(self.opts.get("fast")), taxonomy=taxonomy, geocoder=geocoder,
                         ner_everywhere=bool(self.opts.get("ner_everywhere")) or geocoder is not None)

    def geocoder(self) -> Any:
        service = self.opts.get("geocoder")
        if not service:
            return None
        from geomap.geocode import GeopyFallback

        options: dict[str, str] = {}
        for item in self.opts.get("geocoder_options") or ():
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--geocoder-option")
            options[key.strip()] = value.strip()
        self._geocoder = GeopyFallback(service, user_agent=self.opts.get("user_agent"), options=options,
                                       cache_path=self.opts.get("geocoder_cache"),
                                       min_delay_seconds=self.opts.get("geocoder_delay", 1.0))
        return self._geocoder

    def articles(self) -> Iterator[Article]:
        from geomap.readers import read_paths

        for item in read_paths(self.paths, text_column=self.opts.get("text_column") or "text"):
            self.read += 1
            if isinstance(item, InputFailure):
                self.failures.append(item)
                click.echo(f"geomap: error: {item}", err=True)
                continue
            yield item

    def results(self) -> Iterator[ArticleResult]:
        """Geoparse every article, in input order; failures are reported and counted."""
        if self.jobs != 1 or self.opts.get("dask_address"):
            items = self._worker_results()
        else:
            items = _guarded(self.geoparser(), self.articles())
        yield from self._count(items)

    def jsonl(self, explain: bool) -> Iterator[str]:
        """Geoparse every article; yield its JSON line, in input order.

        With --jobs the workers build the lines (see
        :func:`geomap.parallel.jsonl_parallel`), which keeps the parent from
        becoming the bottleneck.
        """
        from geomap import export

        if self.jobs == 1 or self.opts.get("dask_address"):
            yield from export.to_jsonl(self.results(), explain=explain)
            return
        from geomap.parallel import jsonl_parallel

        yield from self._count(jsonl_parallel(self.articles(), jobs=self.jobs, spec=self._local_spec(),
                                          explain=explain))

    def _count(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            if isinstance(item, InputFailure):
                self.failures.append(item)
                click.echo(f"geomap: error: {item}", err=True)
                continue
            self.parsed += 1
            self._tick()
            yield item

    def _spec(self) -> Any:
        from geomap.parallel import GeoparserSpec

        return GeoparserSpec.from_options(
            gazetteer=self.opts.get("gazetteer_path"), extra_gazetteer=list(self.opts.get("extra_gazetteer") or ()),
            events=self.opts.get("events_file"), fast=bool(self.opts.get("fast")),
            ner_everywhere=bool(self.opts.get("ner_everywhere")),
        )

    def _local_spec(self) -> Any:
        """Return the spec for --jobs workers, the gazetteer opened (and built) here first."""
        import dataclasses

        from geomap.gazetteer import Gazetteer

        spec = self._spec()
        # Open (and on first use build) the gazetteer here, once, with the
        # progress display, rather than in every worker at the same time.
        gaz = Gazetteer.open(self.opts.get("gazetteer_path"),
                             progress=_build_progress if not self.opts.get("quiet") else None)
        spec = dataclasses.replace(spec, gazetteer=str(gaz.path))
        gaz.close()
        return spec

    def _worker_results(self) -> Iterator[ArticleResult | InputFailure]:
        """Geoparse in worker processes (--jobs) or on a dask cluster (--dask), in input order."""
        if self.opts.get("dask_address"):
            from geomap.distributed import geoparse_distributed

            # Workers open their own gazetteer (the default one on their machine
            # unless --gazetteer names a path that exists there).
            items: Iterator[Any] = geoparse_distributed(self.articles(), self.opts["dask_address"],
                                                        spec=self._spec())
        else:
            from geomap.parallel import geoparse_parallel

            items = geoparse_parallel(self.articles(), jobs=self.jobs, spec=self._local_spec())
        yield from items

    def _tick(self) -> None:
        now = time.monotonic()
        if self.show_progress and now - self._last > 0.2:
            self._last = now
            click.echo(f"\rgeomap: {self.parsed} articles geoparsed", err=True, nl=False)

    def finish(self) -> None:
        if self.show_progress and self.parsed:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)
        if self.opts.get("errors_file"):
            with open(self.opts["errors_file"], "w", encoding="utf-8") as f:
                for fail in self.failures:
                    f.write(json.dumps({"source": fail.source, "line": fail.line, "id": fail.id,
                                        "reason": fail.reason}, ensure_ascii=False) + "\n")
        if not self.opts.get("quiet"):
            if self._geocoder is not None:
                stats = ", ".join(f"{k} {v}" for k, v in sorted(self._geocoder.stats.items())) or "not needed"
                click.echo(f"geomap: geocoder {self._geocoder.service}: {stats}", err=True)
            click.echo(
                f"geomap: {self.read} read, {self.parsed} parsed, {len(self.failures)} failed", err=True
            )
        if self.parsed == 0:
            raise SystemExit(EXIT_NOTHING_PROCESSED)


def _refuse_geocoder_options_alone() -> None:
    """Refuse geocoder settings typed on the command line without ``--geocoder``.

    They would be silently ignored, and the user would believe the online
    fallback ran. (``GEOMAP_USER_AGENT`` from the environment is fine: it is
    set once for every run.)
    """
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    for name, flag in (("geocoder_options", "--geocoder-option"), ("geocoder_cache", "--geocoder-cache"),
                       ("geocoder_delay", "--geocoder-delay"), ("user_agent", "--user-agent")):
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            raise click.UsageError(f"{flag} sets up the online geocoder; it needs --geocoder SERVICE "
                                   "(e.g. --geocoder nominatim)")


def _build_progress(stage: str, done: int, total: int) -> None:
    if stage == "read" and done == 1:
        click.echo("geomap: building the gazetteer (first use, under a minute).", err=True)
    if sys.stderr.isatty() and stage == "store":
        click.echo(f"\rgeomap: storing places {done:,}/{total:,}", err=True, nl=False)
        if done == total:
            click.echo("", err=True)


def _handle_errors(fn: Any) -> Any:
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GeomapError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _check_output(paths: Iterable[str], output: str | None, option: str = "-o") -> None:
    """Refuse an output file that is one of the inputs, or (``-o``) that a later run would read as one.

    Writing ``geomap parse news.jsonl -o news.jsonl`` would empty the input
    before it is read. (An ``--errors`` file inside the input folder is
    allowed: its records have no text, so a later run reports them as
    failures rather than mapping them.)

    Raises
    ------
    click.UsageError
        When ``output`` is an input file, or for ``-o`` a readable kind of file inside an input folder.
    """
    if not output or output == "-":
        return
    from geomap.readers import SUPPORTED

    out = Path(output).resolve()
    for p in paths:
        if p == "-":
            continue
        src = Path(p).resolve()
        if src == out:
            raise click.UsageError(f"{option} {output} is also an input: writing it would destroy it; "
                                   "choose another file")
        if option == "-o" and src.is_dir() and src in out.parents and out.suffix.lower() in SUPPORTED:
            raise click.UsageError(f"{option} {output} lies in the input folder {p}, where the next run "
                                   "would read it as articles; choose a file outside it")


class _Replacement:
    """A temporary file beside an output path that replaces it only when kept.

    The target stays as it was until :meth:`keep`: a run that is interrupted,
    fails, or parses nothing leaves no half-written or empty file in place
    of the user's previous output. Missing parent folders are created, as
    ``geomap map`` does.
    """

    def __init__(self, output: str) -> None:
        import os
        import tempfile

        self.dest = Path(output)
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.dest.name}.", suffix=f".part{self.dest.suffix}",
                                    dir=self.dest.parent)
        os.close(fd)
        self.path = Path(name)
        # mkstemp makes the file private (0600); the output gets the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.path, 0o666 & ~umask)

    def keep(self) -> None:
        """Move the written file into place."""
        self.path.replace(self.dest)

    def discard(self) -> None:
        """Remove the temporary file if it is still there."""
        self.path.unlink(missing_ok=True)


# -- commands -----------------------------------------------------------------

@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["jsonl", "geojson", "csv", "gpkg", "parquet"]),
              default="jsonl", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: stdout).")
@click.option("--explain", is_flag=True, help="Add the features that decided each resolution (jsonl only).")
@_pipeline_options
@_verbose_option
@_handle_errors
def parse(paths: tuple[str, ...], fmt: str, output: str | None, explain: bool, **opts: Any) -> None:
    """Geoparse articles and write places, one record per article or mention.

    PATHS are .txt files (first line is the title when it looks like one),
    .jsonl files (one {"text": ..., "id": ..., "title": ...} per line),
    .json arrays of such objects, .html pages (main text, title and date
    extracted), .csv files (text in --text-column), directories of those,
    or - for standard input.

    \b
    Examples:
      geomap parse seeds/                       # JSON lines on stdout
      geomap parse seeds/ -f geojson -o seeds.geojson
      geomap parse news.jsonl -f csv -o mentions.csv --errors failed.jsonl
      cat article.txt | geomap parse - --explain
      geomap parse news.jsonl --jobs 0 -o places.jsonl   # all cores
      geomap parse news.jsonl --dask tcp://scheduler:8786 -o places.jsonl
      geomap parse archive.csv --text-column body -f gpkg -o places.gpkg
      geomap parse saved-pages/ -f geojson        # a folder of .html pages
    """
    from geomap import export

    _check_output(paths, output)
    _check_output(paths, opts.get("errors_file"), "--errors")
    if explain and fmt != "jsonl":
        raise click.UsageError(f"--explain adds the deciding features to JSON lines; "
                               f"--format {fmt} has no place for them: use --format jsonl")
    if fmt in ("gpkg", "parquet") and (not output or output == "-"):
        raise click.UsageError(f"--format {fmt} writes a binary file: give it with -o FILE")
    run = _Run(paths, opts)
    target = None if not output or output == "-" else _Replacement(output)
    try:
        if fmt in ("gpkg", "parquet"):
            from geomap import export_geo

            assert target is not None
            results = list(run.results())
            if results:
                (export_geo.write_gpkg if fmt == "gpkg" else export_geo.write_parquet)(results, target.path)
        else:
            out: TextIO = sys.stdout if target is None else open(target.path, "w", encoding="utf-8")
            try:
                if fmt == "jsonl":
                    for line in run.jsonl(explain):
                        out.write(line)
                elif fmt == "csv":
                    for chunk in export.to_csv(run.results()):
                        out.write(chunk)
                else:
                    json.dump(export.to_geojson(run.results()), out, ensure_ascii=False, indent=1)
                    out.write("\n")
                out.flush()
            finally:
                if out is not sys.stdout:
                    out.close()
        if target is not None:
            if run.parsed:
                target.keep()
            elif target.dest.exists() and not run.opts.get("quiet"):
                click.echo(f"geomap: nothing parsed; {output} left as it was", err=True)
    finally:
        if target is not None:
            target.discard()
    run.finish()


@cli.command("map", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="map.html", show_default=True,
              help="Output file: .html, or .png/.svg for a static image.")
@click.option("--tiles", default=None, metavar="osm|carto|URL",
              help="Online tiles instead of the offline basemap (needs internet to view).")
@click.option("--title", default=None, help="Map title.")
@click.option("--fragment", is_flag=True, help="Write an HTML fragment to paste into a report page.")
@click.option("--png", "static_fmt", flag_value="png", help="Write a static PNG image instead.")
@click.option("--svg", "static_fmt", flag_value="svg", help="Write a static SVG image instead.")
@click.option("--demonyms", is_flag=True, help="Also place demonyms (\"Libyan\") on their country.")
@_pipeline_options
@_verbose_option
@_handle_errors
def map_cmd(paths: tuple[str, ...], output: str, tiles: str | None, title: str | None, fragment: bool,
            static_fmt: str | None, demonyms: bool, **opts: Any) -> None:
    """Geoparse articles and draw them on a map that works offline.

    The map has one layer per article and one per event type, a legend,
    clustering and a place search; popups show each sentence that mentions
    the place.

    \b
    Examples:
      geomap map seeds/ -o seeds-map.html
      geomap map news.jsonl -o report.html --fragment
      geomap map seeds/ -o seeds.png --png
      geomap map seeds/ -o online.html --tiles osm
    """
    from geomap import render

    _check_output(paths, output)
    _check_output(paths, opts.get("errors_file"), "--errors")
    suffix = Path(output).suffix.lower()
    if static_fmt is None and suffix in (".png", ".svg"):
        static_fmt = suffix[1:]  # "-o seeds.png" asks for the image
    if static_fmt and suffix != f".{static_fmt}":
        article = "an" if static_fmt == "svg" else "a"
        raise click.UsageError(f"--{static_fmt} writes {article} {static_fmt.upper()} image: "
                               f"name the file *.{static_fmt}, not {output}")
    if static_fmt and fragment:
        raise click.UsageError(f"--fragment writes HTML; it does not go with --{static_fmt}")
    run = _Run(paths, opts)
    results = list(run.results())
    if results:
        if static_fmt:
            render.render_static(results, output, fmt=static_fmt, title=title, demonyms=demonyms)
        elif fragment:
            Path(output).write_text(render.render_fragment(results, tiles=tiles, title=title, demonyms=demonyms),
                                    encoding="utf-8")
        else:
            render.save_map(results, output, tiles=tiles, title=title, demonyms=demonyms)
        if not opts.get("quiet"):
            click.echo(f"geomap: map written to {output}", err=True)
    run.finish()


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("-c", "--country", multiple=True, metavar="CC",
              help="Only places in this ISO country code, e.g. LY (repeatable).")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Maximum number of candidates.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--gazetteer", "gazetteer_path", type=click.Path(dir_okay=False), help="Gazetteer file.")
@click.option("--extra-gazetteer", "extra_gazetteer", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="TSV of your own places; repeatable.")
@_verbose_option
@_handle_errors
def lookup(name: str, country: tuple[str, ...], limit: int, as_json: bool, gazetteer_path: str | None,
           extra_gazetteer: tuple[str, ...]) -> None:
    """Look a name up in the gazetteer and list the ranked candidates.

    \b
    Examples:
      geomap lookup Tripoli
      geomap lookup "Beni Jawad" --country LY
      geomap lookup Sirte --json
    """
    from geomap.export import place_dict
    from geomap.gazetteer import Gazetteer

    gaz = Gazetteer.open(gazetteer_path, extra=list(extra_gazetteer), progress=_build_progress)
    codes = [_country_code(gaz, value) for value in country]
    cands = gaz.lookup(name, country=codes or None, limit=limit)
    if as_json:
        rows = [{**(place_dict(c.place) or {}), "feature_class": c.feature_class, "match": c.match_kind,
                 "similarity": round(c.similarity, 3), "alt_names": c.alt_count, "needs_context": c.needs_context}
                for c in cands]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not cands:
        click.echo(f"no place named {name!r}" + (f" in {', '.join(country)}" if country else ""), err=True)
        raise SystemExit(EXIT_NOTHING_PROCESSED)
    click.echo(f"{'name':28} {'cc':3} {'feature':7} {'lat':>9} {'lon':>10} {'population':>11} {'match':8} id")
    for c in cands:
        p = c.place
        pop = f"{p.population:,}" if p.population else "-"
        match = c.match_kind + ("*" if c.needs_context else "")
        click.echo(f"{p.name[:28]:28} {p.country_code or '-':3} {p.feature:7} {p.lat:9.4f} {p.lon:10.4f} "
                   f"{pop:>11} {match:8} {p.id}")
    if any(c.needs_context for c in cands):
        click.echo("* a reading only where the article puts the place's state in view "
                   "(a county's short name, a town only the US postal list knows)")


def _country_code(gaz: Any, value: str) -> str:
    """Return ``value`` as a known ISO country code, or fail saying which code was meant.

    Raises
    ------
    click.BadParameter
        For a country name ("Libya" suggests LY) or an unknown code.
    """
    code = value.strip().upper()
    if len(code) == 2 and code.isalpha() and gaz.country(code) is not None:
        return code
    named = [c.place for c in gaz.lookup(value, limit=10) if c.place.feature.startswith("PCL")]
    hint = f"; did you mean {named[0].country_code} ({named[0].name})?" if named else ""
    raise click.BadParameter(f"{value!r} is not a two-letter ISO country code{hint}", param_hint="--country")


@cli.group(context_settings=CONTEXT_SETTINGS)
def gazetteer() -> None:
    """Inspect or build the offline gazetteer.

    \b
    Examples:
      geomap gazetteer info
      geomap gazetteer build
    """


@gazetteer.command("info", context_settings=CONTEXT_SETTINGS)
@click.option("--gazetteer", "gazetteer_path", type=click.Path(dir_okay=False), help="Gazetteer file.")
@click.option("--check", is_flag=True, help="Also run SQLite's integrity check.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_verbose_option
@_handle_errors
def gazetteer_info(gazetteer_path: str | None, check: bool, as_json: bool) -> None:
    """Show the gazetteer's sources, counts, version, size and location.

    \b
    Example:
      geomap gazetteer info --check
    """
    from geomap.gazetteer import Gazetteer

    gaz = Gazetteer.open(gazetteer_path, progress=_build_progress)
    info = gaz.info()
    if check:
        info["integrity"] = gaz.check()
    if as_json:
        click.echo(json.dumps(info, indent=1))
        return
    for k in sorted(info):
        v = info[k]
        if k == "size_bytes":
            v = f"{v:,} ({v / 2**20:.1f} MiB)"
        click.echo(f"{k:24} {v}")


@gazetteer.command("build", context_settings=CONTEXT_SETTINGS)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where to write (default: the cache file).")
@click.option("--force", is_flag=True, help="Rebuild even if the file exists.")
@_verbose_option
@_handle_errors
def gazetteer_build_cmd(output: str | None, force: bool) -> None:
    """Build the gazetteer from the installed packages (offline, about a minute).

    \b
    Examples:
      geomap gazetteer build
      geomap gazetteer build -o /data/gazetteer.sqlite --force
    """
    from geomap import gazetteer_build

    dest = Path(output) if output else gazetteer_build.default_path()
    if dest.is_file() and not force:
        click.echo(f"geomap: gazetteer already built: {dest} (use --force to rebuild)", err=True)
        return
    t0 = time.monotonic()
    with click.progressbar(length=100, label="building gazetteer", file=sys.stderr) as bar:
        state = {"pos": 0}

        def progress(stage: str, done: int, total: int) -> None:
            pos = int(40 * done / total) if stage == "read" else 40 + int(60 * done / max(total, 1))
            bar.update(max(0, pos - state["pos"]))
            state["pos"] = max(state["pos"], pos)

        gazetteer_build.build(dest, progress=progress)
    click.echo(f"geomap: gazetteer written to {dest} in {time.monotonic() - t0:.0f} s", err=True)


@cli.command("eval", context_settings=CONTEXT_SETTINGS)
@click.option("-c", "--corpus", "corpora", multiple=True,
              type=click.Choice(["geowebnews", "lgl", "geovirus", "wiktor"]),
              help="Corpus to score (repeatable; default: geowebnews, lgl, geovirus).")
@click.option("--eval-dir", type=click.Path(file_okay=False), envvar="GEOMAP_EVAL_DIR",
              help="Folder of the corpora (default: $GEOMAP_EVAL_DIR or ../shared/eval).")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None,
              help="Score only the first N documents of each corpus.")
@click.option("--published/--no-published", default=True, show_default=True,
              help="Also score the published systems' outputs on the same documents.")
@click.option("--fast", is_flag=True, help="Evaluate the gazetteer-only recognizer.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the tables (markdown) here.")
@_verbose_option
@_handle_errors
def eval_cmd(corpora: tuple[str, ...], eval_dir: str | None, limit: int | None, published: bool, fast: bool,
             output: str | None) -> None:
    """Score geomap on geoparsing corpora beside published systems.

    Recognition P/R/F1 (span midpoints < 10 characters apart, same string
    ignoring case), and over matched pairs Acc@161, mean/median error (km),
    AUC and F1@161.

    \b
    Examples:
      geomap eval                               # every corpus in ../shared/eval
      geomap eval -c lgl -n 100 --no-published
      geomap eval --eval-dir /data/eval -o accuracy.md
    """
    from geomap import evaluate
    from geomap.pipeline import Geoparser

    gp = Geoparser(fast=fast)
    tables = []
    for corpus in corpora or ("geowebnews", "lgl", "geovirus"):
        docs = evaluate.load_corpus(corpus, eval_dir=eval_dir)[:limit]
        with click.progressbar(docs, label=f"geomap on {corpus}", file=sys.stderr) as bar:
            preds = {d.id: evaluate.result_predictions(gp.parse_text(d.text)) for d in bar}
        rows = {"**geomap**": evaluate.score(docs, preds)}
        if published:
            for system, sys_preds in evaluate.load_system_outputs(corpus, eval_dir=eval_dir).items():
                rows[system] = evaluate.score(docs, sys_preds)
        tables.append(f"## {corpus} ({len(docs)} documents)\n\n{evaluate.format_table(rows)}\n")
    text = "\n".join(tables)
    click.echo(text)
    if output:
        Path(output).write_text(text, encoding="utf-8")


def main() -> None:  # pragma: no cover - entry point for python -m geomap
    """Run the CLI."""
    cli()
