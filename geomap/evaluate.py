"""Score geoparsers against the standard geoparsing corpora.

The protocol is the one of Gritta et al. ("What's missing in geographical
parsing?", 2018; "A pragmatic guide to geoparsing evaluation", 2020) as
implemented by EUPEG (Wang & Hu 2019, ``Utils.calculateScores``):

* **Recognition.** A prediction matches a gold toponym when their span
  midpoints are less than 10 characters apart *and* the two strings are equal
  ignoring case. Each gold toponym and each prediction is used at most once.
  Precision = TP / predictions, recall = TP / gold toponyms.
* **Resolution**, over the matched pairs: the great-circle error in km, its
  mean and median, Acc@161 (share of errors ``< 161`` km, strict as in
  EUPEG), and AUC: the trapezoidal area under the sorted curve of
  ``ln(1 + error) / ln(20039)`` with unit steps, divided by ``n - 1``. That is
  ``(sum - (first + last) / 2) / (n - 1)``, exactly EUPEG's code and Gritta's
  ``np.trapz(...) / (ln(20039) * (n - 1))``; it differs from the plain mean of
  ``ln(1 + error) / ln(20039)`` by O(1/n). Lower is better.
* **F1@161**: F1 where a true positive must also lie within 161 km:
  ``P = TP@161 / predictions``, ``R = TP@161 / gold toponyms``.
* Gold toponyms without coordinates are excluded from every count;
  predictions without coordinates are dropped before matching (EUPEG does
  both).

Everything here is a pure function over frozen dataclasses, except the
loaders, which read the read-only corpora under the eval directory (found via
``GEOMAP_EVAL_DIR`` or ``../shared/eval`` next to the repository or the
working directory). Nothing from the corpora is copied into the package.
"""

from __future__ import annotations

import glob
import json
import math
import os
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from geomap.errors import GeomapError
from geomap.model import EARTH_RADIUS_KM, ArticleResult, haversine_km

__all__ = [
    "result_predictions",
    "CORPORA",
    "EARTH_RADIUS_KM",
    "MAX_ERROR_KM",
    "EvalDataError",
    "GoldDoc",
    "GoldToponym",
    "Prediction",
    "Scores",
    "evaluate",
    "find_eval_dir",
    "format_table",
    "haversine_km",
    "load_corpus",
    "load_system_outputs",
    "match",
    "parse_eupeg_line",
    "realign",
    "score",
    "score_published",
]

#: Half the earth's circumference: the largest possible error, used to scale AUC.
MAX_ERROR_KM = 20039.0
#: Midpoints must be strictly closer than this many characters to match.
MIDPOINT_TOLERANCE = 10
#: Errors strictly below this many km count as correct for Acc@161 and F1@161.
ACC_KM = 161.0

#: Canonical corpus names, as directories under the eval root.
CORPORA: tuple[str, ...] = ("geowebnews", "lgl", "geovirus", "wiktor", "cliff-handcoded")
_ALIASES = {
    "gwn": "geowebnews",
    "geowebnews": "geowebnews",
    "lgl": "lgl",
    "geovirus": "geovirus",
    "wiktor": "wiktor",
    "cliff": "cliff-handcoded",
    "cliff-handcoded": "cliff-handcoded",
}


class EvalDataError(GeomapError, FileNotFoundError):
    """The eval directory, a corpus or a system output is missing or malformed."""


@dataclass(frozen=True)
class GoldToponym:
    """One annotated toponym.

    ``lat``/``lon`` are None when the corpus gives no coordinates or the
    standard protocol does not count the toponym for geocoding (GeoWebNews
    toponyms without a GeoNames id); such toponyms are excluded by
    :func:`score`.
    """

    start: int
    end: int
    text: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class GoldDoc:
    """One document of a corpus: its text and its gold toponyms (text order)."""

    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    title: str | None = None


@dataclass(frozen=True)
class Prediction:
    """A system's toponym: a span of the document text and, maybe, a point."""

    start: int
    end: int
    text: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Scores:
    """Recognition and resolution scores of one system on one corpus.

    Ratios that are undefined (no gold, no matched pair) are ``nan``.

    Attributes
    ----------
    n_gold, n_pred
        Gold toponyms with coordinates; predictions with coordinates.
    tp
        Matched (gold, prediction) pairs.
    precision, recall, f1
        Recognition scores.
    acc161, mean_km, median_km, auc
        Resolution scores over the ``n_matched`` matched pairs.
    tp161, f1_161
        Matched pairs within 161 km, and the F1 computed from them.
    n_matched
        Matched pairs with a distance (equals ``tp``: both sides have
        coordinates by construction).
    """

    n_gold: int
    n_pred: int
    tp: int
    precision: float
    recall: float
    f1: float
    acc161: float
    mean_km: float
    median_km: float
    auc: float
    f1_161: float
    n_matched: int
    tp161: int = 0


# --------------------------------------------------------------------------- metrics


def _midpoint(start: int, end: int) -> float:
    return (start + end) / 2.0


def match(
    gold: Sequence[GoldToponym],
    preds: Sequence[Prediction],
    *,
    require_same_text: bool = True,
) -> list[tuple[GoldToponym, Prediction]]:
    """Pair gold toponyms with predictions of the same document.

    A pair needs span midpoints less than 10 characters apart and strings
    equal ignoring case. Gold toponyms are taken in text order; each takes the
    eligible unused prediction with the nearest midpoint (ties: the earlier
    span), so each side is used at most once. EUPEG takes the *first*
    eligible prediction instead; for the usual non-overlapping outputs both
    rules give the same pairs, nearest-first avoids stealing a neighbour's
    prediction when two equal names are within 10 characters.

    Coordinates play no part here; :func:`score` filters them first.

    Parameters
    ----------
    gold
        The gold toponyms of one document.
    preds
        The predictions for the same document.
    require_same_text
        Demand equal strings (ignoring case), as Gritta et al. do. False
        reproduces the EUPEG web platform, whose string test is commented
        out, so any prediction near a gold span counts.

    Returns
    -------
    list of (GoldToponym, Prediction)
        The matched pairs, in gold text order.
    """
    remaining = sorted(preds, key=lambda p: (p.start, p.end))
    used = [False] * len(remaining)
    keys = [p.text.casefold() for p in remaining]
    mids = [_midpoint(p.start, p.end) for p in remaining]
    pairs: list[tuple[GoldToponym, Prediction]] = []
    for g in sorted(gold, key=lambda t: (t.start, t.end)):
        gm, gk = _midpoint(g.start, g.end), g.text.casefold()
        best, best_d = -1, float(MIDPOINT_TOLERANCE)
        for i in range(len(remaining)):
            if used[i] or (require_same_text and keys[i] != gk):
                continue
            d = abs(mids[i] - gm)
            if d < best_d:
                best, best_d = i, d
        if best >= 0:
            used[best] = True
            pairs.append((g, remaining[best]))
    return pairs


def _has_coords(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon))


def _auc(errors_km: Sequence[float]) -> float:
    """Trapezoidal AUC of sorted ``ln(1+e)/ln(20039)`` (EUPEG / Gritta et al.)."""
    if not errors_km:
        return math.nan
    ys = sorted(math.log1p(e) / math.log(MAX_ERROR_KM) for e in errors_km)
    if len(ys) == 1:
        # The trapezoid rule needs two points; EUPEG returns 0 here, which would
        # reward a single lucky pair. The single normalised error is the limit.
        return ys[0]
    return (sum(ys) - (ys[0] + ys[-1]) / 2) / (len(ys) - 1)


def _f1(p: float, r: float) -> float:
    if math.isnan(p) or math.isnan(r):
        return math.nan
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def score(
    docs_gold: Sequence[GoldDoc],
    docs_pred: Mapping[str, Sequence[Prediction]],
    *,
    require_same_text: bool = True,
) -> Scores:
    """Score predictions against gold documents (micro-averaged over toponyms).

    Parameters
    ----------
    docs_gold
        The gold documents; only these documents are scored.
    docs_pred
        Predictions per document id; a missing id means no predictions.
        Predictions for ids not in ``docs_gold`` are ignored.
    require_same_text
        See :func:`match`.

    Returns
    -------
    Scores
        Gold toponyms without coordinates are excluded and predictions without
        coordinates dropped before anything is counted.
    """
    n_gold = n_pred = tp = tp161 = 0
    errors: list[float] = []
    for doc in docs_gold:
        gold = [t for t in doc.toponyms if _has_coords(t.lat, t.lon)]
        preds = [p for p in docs_pred.get(doc.id, ()) if _has_coords(p.lat, p.lon)]
        n_gold += len(gold)
        n_pred += len(preds)
        for g, p in match(gold, preds, require_same_text=require_same_text):
            tp += 1
            # Both sides have coordinates: filtered above.
            err = haversine_km(g.lat, g.lon, p.lat, p.lon)  # type: ignore[arg-type]
            errors.append(err)
            tp161 += err < ACC_KM
    precision = _ratio(tp, n_pred) if n_pred else (0.0 if n_gold else math.nan)
    recall = _ratio(tp, n_gold)
    p161 = _ratio(tp161, n_pred) if n_pred else (0.0 if n_gold else math.nan)
    r161 = _ratio(tp161, n_gold)
    return Scores(
        n_gold=n_gold,
        n_pred=n_pred,
        tp=tp,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        acc161=_ratio(sum(e < ACC_KM for e in errors), len(errors)),
        mean_km=statistics.fmean(errors) if errors else math.nan,
        median_km=statistics.median(errors) if errors else math.nan,
        auc=_auc(errors),
        f1_161=_f1(p161, r161),
        n_matched=len(errors),
        tp161=tp161,
    )


def evaluate(
    geoparser: Callable[[str], Sequence[Prediction]],
    corpus: str | os.PathLike[str] | Sequence[GoldDoc],
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scores:
    """Run a geoparser on every document of a corpus and score it.

    Parameters
    ----------
    geoparser
        Any callable from a document text to its predictions.
    corpus
        A corpus name or path (see :func:`load_corpus`) or loaded documents.
    limit
        Score only the first ``limit`` documents.
    progress
        Called as ``progress(done, total)`` after each document.

    Returns
    -------
    Scores
        See :func:`score`.
    """
    docs = load_corpus(corpus) if isinstance(corpus, str | os.PathLike) else list(corpus)
    if limit is not None:
        docs = docs[:limit]
    preds: dict[str, list[Prediction]] = {}
    for i, doc in enumerate(docs, 1):
        preds[doc.id] = list(geoparser(doc.text))
        if progress is not None:
            progress(i, len(docs))
    return score(docs, preds)


# --------------------------------------------------------------------------- report


def _fmt(x: float, digits: int = 3) -> str:
    return "–" if math.isnan(x) else f"{x:.{digits}f}"


def format_table(rows: Mapping[str, Scores]) -> str:
    """Return a markdown table with one row per system.

    Parameters
    ----------
    rows
        Scores per system name, in display order.

    Returns
    -------
    str
        The table, ending with a newline; undefined values show as ``–``.
    """
    head = (
        "| System | Gold | Pred | TP | P | R | F1 | Acc@161 | Mean km | Median km | AUC | F1@161 |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    body = "".join(
        f"| {name} | {s.n_gold} | {s.n_pred} | {s.tp} | {_fmt(s.precision)} | {_fmt(s.recall)} "
        f"| {_fmt(s.f1)} | {_fmt(s.acc161)} | {_fmt(s.mean_km, 0)} | {_fmt(s.median_km, 1)} "
        f"| {_fmt(s.auc)} | {_fmt(s.f1_161)} |\n"
        for name, s in rows.items()
    )
    return head + body


# --------------------------------------------------------------------------- loaders


def find_eval_dir() -> Path | None:
    """Return the eval corpora directory, or None when there is none.

    Looks at ``$GEOMAP_EVAL_DIR``, then ``../shared/eval`` relative to the
    repository holding this package, then relative to the working directory.
    """
    env = os.environ.get("GEOMAP_EVAL_DIR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    repo = Path(__file__).resolve().parent.parent
    for cand in (repo.parent / "shared" / "eval", Path.cwd().parent / "shared" / "eval",
                 Path.cwd() / "shared" / "eval"):
        if cand.is_dir():
            return cand
    return None


def _eval_dir(eval_dir: str | os.PathLike[str] | None) -> Path:
    if eval_dir is not None:
        root = Path(eval_dir)
        if not root.is_dir():
            raise EvalDataError(f"eval directory not found: {root}")
        return root
    found = find_eval_dir()
    if found is None:
        raise EvalDataError(
            "no eval directory found: set GEOMAP_EVAL_DIR to the directory holding the corpora "
            "(geowebnews/, lgl/, ...), or place it at ../shared/eval next to the repository"
        )
    return found


def _corpus_name(name: str) -> str:
    key = name.strip().lower()
    if key not in _ALIASES:
        raise EvalDataError(f"unknown corpus {name!r}; options are: {', '.join(CORPORA)}")
    return _ALIASES[key]


def _float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _gold_toponym(raw: Mapping[str, object]) -> GoldToponym:
    lat, lon = _float(raw.get("lat")), _float(raw.get("lon"))
    # GeoWebNews: only the 2,401 GeoNames-linked toponyms are geocoding gold;
    # the 200 with coordinates but no id are excluded by the authors ("REALLY
    # HARD", dataset.py) and by EUPEG's GeoWebNews_gold, so we blank them here.
    if raw.get("geocoding_gold") is False:
        lat = lon = None
    return GoldToponym(
        start=int(raw["start"]),  # type: ignore[call-overload]
        end=int(raw["end"]),  # type: ignore[call-overload]
        text=str(raw["name"]),
        lat=lat,
        lon=lon,
    )


def load_corpus(
    name_or_path: str | os.PathLike[str], *, eval_dir: str | os.PathLike[str] | None = None
) -> list[GoldDoc]:
    """Load a corpus's gold documents from its ``gold.jsonl``.

    Parameters
    ----------
    name_or_path
        A corpus name (``geowebnews``/``gwn``, ``lgl``, ``geovirus``,
        ``wiktor``, ``cliff-handcoded``/``cliff``), a corpus directory or a
        ``gold.jsonl`` path.
    eval_dir
        The eval root; found with :func:`find_eval_dir` when None.

    Returns
    -------
    list of GoldDoc
        In file order (the order the published system outputs follow).
        Counted gold (toponyms with coordinates): GeoWebNews 2,401 of 2,720
        geotagging gold (2 of them, in doc 123, have negative offsets into the
        title and can never match: kept, as in the authors' gold file);
        LGL 4,462 of 5,088; GeoVirus 2,170 (the paper's 2,167 plus 3 nested
        in malformed XML); WikToR 25,242 (only each page's own subject is
        annotated, so only recall and distances are meaningful);
        cliff-handcoded none (document-level focus only).

    Raises
    ------
    EvalDataError
        When the eval directory, the corpus or its file is missing or malformed.
    """
    path = Path(name_or_path)
    # A known corpus name wins over a same-named directory in the working directory.
    if isinstance(name_or_path, str) and name_or_path.strip().lower() in _ALIASES:
        gold_path = _eval_dir(eval_dir) / _corpus_name(name_or_path) / "gold.jsonl"
    elif path.suffix == ".jsonl" or path.is_dir() or os.sep in str(name_or_path):
        gold_path = path / "gold.jsonl" if path.is_dir() else path
    else:
        gold_path = _eval_dir(eval_dir) / _corpus_name(str(name_or_path)) / "gold.jsonl"
    if not gold_path.is_file():
        raise EvalDataError(f"corpus file not found: {gold_path}")
    docs: list[GoldDoc] = []
    with gold_path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                toponyms = tuple(_gold_toponym(t) for t in raw.get("toponyms", ()))
                docs.append(GoldDoc(id=str(raw["id"]), text=raw["text"], toponyms=toponyms,
                                    title=raw.get("title")))
            except (ValueError, KeyError, TypeError) as exc:
                raise EvalDataError(f"{gold_path}:{lineno}: malformed gold record: {exc}") from exc
    return docs


def parse_eupeg_line(line: str) -> list[Prediction]:
    """Parse one line of the CamCoder/EUPEG output format.

    The format is ``gazName,,mention,,lat,,lon,,start,,end[,,extra]||...``;
    empty items are skipped and empty or ``null`` coordinates become None.

    Parameters
    ----------
    line
        One document's line, without its newline.

    Returns
    -------
    list of Prediction
        The mention string (second field) is the prediction's text.

    Raises
    ------
    ValueError
        When an item has fewer than six fields or non-integer offsets.
    """
    preds = []
    for item in line.split("||"):
        # EUPEG skips items of length <= 1 (stray separators).
        if len(item) <= 1:
            continue
        fields = item.split(",,")
        if len(fields) < 6:
            raise ValueError(f"expected >= 6 ',,'-separated fields, got {len(fields)}: {item!r}")
        lat, lon = _float(fields[2]), _float(fields[3])
        preds.append(Prediction(start=int(fields[4]), end=int(fields[5]), text=fields[1],
                                lat=lat, lon=lon))
    return preds


def realign(text: str, pred: Prediction) -> Prediction:
    """Snap a prediction to the nearest occurrence of its string in ``text``.

    Some systems report offsets that drift (UTF-8 byte counts, texts with an
    extra title line, or offsets into a different text version). When
    ``text[start:end]`` does not equal the prediction's string (ignoring
    case), it moves to the case-insensitive occurrence whose start is
    nearest; with no occurrence it is returned unchanged. Not part of the
    published protocol: use it to measure how much drift costs a system.
    """
    if text[pred.start : pred.end].casefold() == pred.text.casefold() or not pred.text:
        return pred
    starts = [m.start() for m in re.finditer(re.escape(pred.text), text, flags=re.IGNORECASE)]
    if not starts:
        return pred
    s = min(starts, key=lambda x: (abs(x - pred.start), x))
    return Prediction(start=s, end=s + len(pred.text), text=pred.text, lat=pred.lat, lon=pred.lon)


# (subdirectory, glob, corpus, source label); system names come from the file stems.
_OUTPUT_SETS: tuple[tuple[str, str, str, str], ...] = (
    ("eupeg", "GeoWebNews_*.txt", "geowebnews", "EUPEG"),
    ("eupeg", "LGL_*.txt", "lgl", "EUPEG"),
    ("eupeg", "GeoVirus_*.txt", "geovirus", "EUPEG"),
    ("eupeg", "WikToR_*.txt", "wiktor", "EUPEG"),
    ("pragmatic_gwn", "gwn_*.txt", "geowebnews", "Gritta2020"),
    ("whatsmissing_lgl", "lgl_*.txt", "lgl", "Gritta2018"),
)
_SYSTEM_NAMES = {
    "edin": "Edinburgh", "emm": "EMM", "yahoo": "Yahoo", "clavin": "CLAVIN", "geo": "GeoTxt",
    "topo": "TopoCluster", "palladian_hr": "Palladian-HR", "palladian_ml": "Palladian-ML",
}


def _read_lines(path: Path) -> list[str]:
    # newline="" keeps a stray "\r" inside a mention from splitting a line.
    with path.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines]


def load_system_outputs(
    corpus: str,
    *,
    eval_dir: str | os.PathLike[str] | None = None,
    realign_offsets: bool = False,
) -> dict[str, dict[str, list[Prediction]]]:
    """Load every published system output present for a corpus.

    Line ``i`` of an output file is document ``i`` of the corpus's
    ``gold.jsonl`` (both follow the original XML order; checked against the
    ``*_gold.txt`` files that ship with the outputs). All outputs carry
    character offsets, so no alignment beyond the line order is needed; the
    ``*_gold.txt`` files themselves are skipped.

    Parameters
    ----------
    corpus
        A corpus name (see :func:`load_corpus`).
    eval_dir
        The eval root; found with :func:`find_eval_dir` when None.
    realign_offsets
        Apply :func:`realign` to every prediction (off by default: the
        published protocol uses the offsets as given).

    Returns
    -------
    dict
        ``{system: {doc_id: [Prediction, ...]}}``, systems named
        ``"<System> (<source>)"``, e.g. ``"CamCoder (EUPEG)"``,
        ``"Edinburgh (Gritta2020)"``. Empty when no outputs exist.

    Raises
    ------
    EvalDataError
        When a file's line count differs from the corpus's document count or
        a line cannot be parsed.
    """
    name = _corpus_name(corpus)
    root = _eval_dir(eval_dir)
    outputs_dir = root / "_system_outputs"
    files = [
        (Path(file), source)
        for subdir, pattern, corpus_, source in _OUTPUT_SETS
        if corpus_ == name
        for file in sorted(glob.glob(str(outputs_dir / subdir / pattern)))
        if not file.endswith("_gold.txt")
    ]
    if not files:
        return {}
    docs = load_corpus(name, eval_dir=root)
    result: dict[str, dict[str, list[Prediction]]] = {}
    for path, source in files:
        stem = path.stem.split("_", 1)[1]
        system = f"{_SYSTEM_NAMES.get(stem, stem)} ({source})"
        lines = _read_lines(path)
        if len(lines) != len(docs):
            raise EvalDataError(f"{path}: {len(lines)} lines for {len(docs)} {name} documents")
        per_doc: dict[str, list[Prediction]] = {}
        for lineno, (doc, line) in enumerate(zip(docs, lines, strict=True), 1):
            try:
                preds = parse_eupeg_line(line)
            except ValueError as exc:
                raise EvalDataError(f"{path}:{lineno}: {exc}") from exc
            if realign_offsets:
                preds = [realign(doc.text, p) for p in preds]
            per_doc[doc.id] = preds
        result[system] = per_doc
    return result


def score_published(
    corpora: Iterable[str] = CORPORA,
    *,
    eval_dir: str | os.PathLike[str] | None = None,
    realign_offsets: bool = False,
) -> dict[str, dict[str, Scores]]:
    """Score every published system output on every corpus that has some.

    Parameters
    ----------
    corpora
        Corpus names to try.
    eval_dir
        The eval root; found with :func:`find_eval_dir` when None.
    realign_offsets
        See :func:`load_system_outputs`.

    Returns
    -------
    dict
        ``{corpus: {system: Scores}}``, corpora without outputs left out.
    """
    table: dict[str, dict[str, Scores]] = {}
    for corpus in corpora:
        outputs = load_system_outputs(corpus, eval_dir=eval_dir, realign_offsets=realign_offsets)
        if not outputs:
            continue
        docs = load_corpus(corpus, eval_dir=eval_dir)
        table[corpus] = {system: score(docs, preds) for system, preds in outputs.items()}
    return table


def result_predictions(result: ArticleResult) -> list[Prediction]:
    """Turn a geomap result into scorer predictions (body-text mentions only).

    Title mentions are skipped because the corpora score body text; an
    unresolved mention keeps no coordinates, so the scorer drops it.
    """
    preds = []
    for gm in result.mentions:
        m = gm.mention
        if m.field != "text":
            continue
        place = gm.resolution.place
        preds.append(Prediction(start=m.start, end=m.end, text=m.text,
                                lat=place.lat if place is not None else None,
                                lon=place.lon if place is not None else None))
    return preds
