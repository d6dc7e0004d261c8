"""Event typing accuracy on the labelled mention set, per event type.

Usage::

    python benchmarks/events.py [--split test|dev|all] [--no-spacy]

The gold set is ``benchmarks/data/events_gold.jsonl``: place mentions in real
news sentences (GeoWebNews, LGL, GeoVirus and the seed articles), each
labelled with the event that happens at that place by the definitions in
``docs/EVENTS.md``. Rows reference corpus spans; the texts are read from
``../shared/eval`` (or ``GEOMAP_EVAL_DIR``) and ``seeds/``. Rows whose text is
not available are reported and skipped.

The classifier gets the gold mentions of each document (oracle toponyms), so
the scores measure event typing alone, not place recognition. It runs twice:
with the spaCy dependency parse (what ``geomap parse`` does) and with the
window fallback (what ``--fast`` does). Per-type precision, recall and F1
and macro-F1 over the twelve types are printed and written to
``benchmarks/results/events.md``. The ``dev`` split was used while writing the
lexicon; ``test`` is the held-out figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from geomap.events import classify, load_taxonomy
from geomap.model import Mention
from geomap.pipeline import PARSE_PIPES, sentence_parses

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLD = HERE / "data" / "events_gold.jsonl"
SECOND = HERE / "data" / "events_annotator2.jsonl"
EXTRA = HERE / "data" / "events_extra.jsonl"
RESULTS = HERE / "results" / "events.md"
TARGET = 0.80


@dataclass(frozen=True)
class Row:
    corpus: str
    doc_id: str
    start: int
    end: int
    toponym: str
    label: str
    split: str


def load_rows(path: Path = GOLD) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Row(d["corpus"], str(d["doc_id"]), d["start"], d["end"], d["toponym"], d["label"], d["split"]))
    return rows


def load_extra(path: Path = EXTRA) -> list[tuple[Row, str]]:
    """The extra evaluation set: (row, confidence) pairs; the row's split is its sample."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            row = Row(d["corpus"], str(d["doc_id"]), d["start"], d["end"], d["toponym"], d["label"], d["sample"])
            out.append((row, d["confidence"]))
    return out


def extra_md(modes: Sequence[tuple[str, object | None, bool]], types: Sequence[str],
             labels: Mapping[str, str]) -> list[str]:
    """Score the classifier on the extra set, in the parse and window modes."""
    pairs = load_extra()
    texts = load_texts({r.corpus for r, _c in pairs})
    usable = [(r, c) for r, c in pairs if (r.corpus, r.doc_id) in texts]
    if not usable:
        return []
    n_docs = len({(r.corpus, r.doc_id) for r, _c in usable})
    out = [
        "## Extra evaluation set",
        "",
        f"`benchmarks/data/events_extra.jsonl`: {len(usable)} more mentions from {n_docs} "
        "corpus documents that the set above does not use (LGL, GeoWebNews, GeoVirus and the CLIFF "
        "hand-coded articles), labelled from the same guide, each mention once, by eight AI labelling "
        "agents working on disjoint parts, blind to the classifier and to the gold set, each label "
        "marked high or low confidence. "
        "Sample `mixed`: any gold toponym, three quarters from sentences with a trigger word; sample "
        "`rare`: toponyms (geomap's own in the CLIFF articles) in sentences with a trigger of the rarer "
        "types, drawn round-robin by type. Some lexicon choices were made looking at this set's errors "
        "(the `not_triggers` list, the local-government `political` triggers, which triggers need an "
        "actor and which count inside names: see `docs/EVENTS.md`), so it is a development set, not a "
        "held-out one: `test` above is. Types with no gold mention here are left out of macro-F1.",
        "",
        "| Mode | Subset | Mentions | Accuracy | Macro-F1 |",
        "|---|---|--:|--:|--:|",
    ]
    table = None
    for name, nlp, whole in modes:
        if whole:
            continue
        pred = predict([r for r, _c in usable], texts, nlp, whole)
        for subset, sel in (("all", usable), ("high confidence", [(r, c) for r, c in usable if c == "high"]),
                            ("sample `mixed`", [(r, c) for r, c in usable if r.split == "mixed"]),
                            ("sample `rare`", [(r, c) for r, c in usable if r.split == "rare"])):
            g = [r.label for r, _c in sel]
            p = [pred[r] for r, _c in sel]
            tab = per_type(g, p, types)
            acc = sum(a == b for a, b in zip(g, p, strict=True)) / len(sel)
            out.append(f"| {name} | {subset} | {len(sel)} | {acc:.3f} | {macro_f1(tab):.3f} |")
            if table is None and subset == "all":
                table = tab
    if table is not None:
        out += ["", f"Per type, {modes[0][0]}, all mentions:", "", table_md(table, labels)]
    return [*out, ""]


def load_texts(corpora: set[str]) -> dict[tuple[str, str], str]:
    """Texts by (corpus, doc id): corpus documents and the seed articles."""
    from geomap.evaluate import find_eval_dir, load_corpus

    texts: dict[tuple[str, str], str] = {}
    eval_dir = find_eval_dir()
    for corpus in sorted(corpora - {"seeds"}):
        if eval_dir is None:
            continue
        for doc in load_corpus(corpus, eval_dir=eval_dir):
            texts[(corpus, doc.id)] = doc.text
    if "seeds" in corpora:
        # Seed rows index the whole file (title line included), as labelled.
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            texts[("seeds", path.stem)] = path.read_text(encoding="utf-8")
    return texts


PerType = dict[str, tuple[float, float, float, int]]


def per_type(gold: Sequence[str], pred: Sequence[str], types: Sequence[str]) -> PerType:
    """Precision, recall, F1 and support per type."""
    out = {}
    for t in types:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == t and p == t)
        n_pred = sum(1 for p in pred if p == t)
        n_gold = sum(1 for g in gold if g == t)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = (p, r, f, n_gold)
    return out


def load_second(path: Path = SECOND) -> dict[tuple[str, str, int, int], tuple[str, str]]:
    """The second annotation: (label, confidence) by (corpus, doc id, start, end)."""
    out = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out[(d["corpus"], str(d["doc_id"]), d["start"], d["end"])] = (d["label"], d["confidence"])
    return out


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa: agreement beyond what the two label distributions give by chance."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    chance = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def agreement_md(rows: Sequence[Row], second: Mapping[tuple[str, str, int, int], tuple[str, str]],
                 pred: Mapping[Row, str], types: Sequence[str]) -> list[str]:
    """How far a second annotator agrees with the gold, and the classifier where both agree.

    The second annotator's macro-F1 against the gold is the ceiling a
    classifier can be expected to reach on these labels: two careful readers
    of the same guide disagree that often.
    """
    key = {r: (r.corpus, r.doc_id, r.start, r.end) for r in rows}
    rows = [r for r in rows if key[r] in second]
    if not rows:
        return []
    lines = ["## Inter-annotator agreement", "",
             f"A second annotator labelled the same {len(rows)} mentions from the same guide "
             "(`docs/EVENTS.md`), blind to the gold labels and to the classifier's output, and "
             "marked each label high or low confidence: `benchmarks/data/events_annotator2.jsonl`. "
             "Its macro-F1 against the gold is the ceiling to expect of any classifier on these labels. "
             "The last column scores the classifier (dependency parse) on the mentions where both "
             "annotators agree.", "",
             "| Split | Subset | Mentions | Raw agreement | Cohen's kappa | Annotator 2 macro-F1 vs gold "
             "| Classifier macro-F1 where annotators agree (n) |",
             "|---|---|--:|--:|--:|--:|--:|"]
    for split in ("test", "dev", "all"):
        for subset in ("all labels", "high confidence"):
            sel = [r for r in rows if (split == "all" or r.split == split)
                   and (subset == "all labels" or second[key[r]][1] == "high")]
            g = [r.label for r in sel]
            a = [second[key[r]][0] for r in sel]
            raw = sum(x == y for x, y in zip(g, a, strict=True)) / len(sel)
            agreed = [r for r in sel if r.label == second[key[r]][0]]
            clf = macro_f1(per_type([r.label for r in agreed], [pred[r] for r in agreed], types))
            lines.append(f"| {split} | {subset} | {len(sel)} | {raw:.3f} | {cohen_kappa(g, a):.3f} | "
                         f"{macro_f1(per_type(g, a, types)):.3f} | {clf:.3f} ({len(agreed)}) |")
    counts = Counter((r.label, second[key[r]][0]) for r in rows if r.label != second[key[r]][0])
    top = ", ".join(f"`{g}` → `{a}` {n}" for (g, a), n in counts.most_common(6))
    lines += ["", f"Most frequent disagreements (gold → annotator 2): {top}.", ""]
    return lines


def macro_f1(table: Mapping[str, tuple[float, float, float, int]]) -> float:
    """Mean F1 over the types that have gold support."""
    fs = [f for (_p, _r, f, n) in table.values() if n]
    return sum(fs) / len(fs) if fs else 0.0


def predict(rows: Sequence[Row], texts: Mapping[tuple[str, str], str], nlp: object | None,
            whole: bool = False) -> dict[Row, str]:
    """Classify every gold mention, one classify() call per document.

    As ``geomap parse`` does it: entities for the whole text, then a parse of
    just the sentences :func:`geomap.events.parse_spans` picks (the pipeline's
    own :func:`geomap.pipeline.sentence_parses`). ``whole`` parses the whole
    text instead (the comparison row).
    """
    by_doc: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        by_doc[(r.corpus, r.doc_id)].append(r)
    out: dict[Row, str] = {}
    for key, doc_rows in by_doc.items():
        text = texts[key]
        mentions = [Mention(r.start, r.end, r.toponym) for r in doc_rows]
        doc, parses = None, None
        if nlp is not None and whole:
            doc = nlp(text)  # type: ignore[operator]
        elif nlp is not None:
            doc = nlp(text, disable=list(PARSE_PIPES))  # type: ignore[operator]
            parses = sentence_parses(nlp, [(text, mentions, doc)])[0]
        for r, ev in zip(doc_rows, classify(text, mentions, doc=doc, parses=parses), strict=True):
            out[r] = ev.type
    return out


def table_md(table: Mapping[str, tuple[float, float, float, int]], labels: Mapping[str, str]) -> str:
    lines = ["| Type | Label | Support | P | R | F1 |", "|---|---|--:|--:|--:|--:|"]
    for t, (p, r, f, n) in table.items():
        lines.append(f"| `{t}` | {labels[t]} | {n} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return "\n".join(lines)


def confusion_md(gold: Sequence[str], pred: Sequence[str], types: Sequence[str]) -> str:
    abbrev = {t: str(i) for i, t in enumerate(types, 1)}
    lines = ["| gold \\ predicted | " + " | ".join(abbrev[t] for t in types) + " |",
             "|---|" + "--:|" * len(types)]
    counts = Counter(zip(gold, pred, strict=True))
    for g in types:
        lines.append(f"| `{g}` | " + " | ".join(str(counts[(g, p)] or "·") for p in types) + " |")
    legend = ", ".join(f"{v} = `{k}`" for k, v in abbrev.items())
    return "\n".join(lines) + f"\n\n{legend}."


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-spacy", action="store_true", help="Only the window fallback (no dependency parse).")
    ap.add_argument("-o", "--output", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    tax = load_taxonomy()
    types = list(tax.ids)
    labels = {t: tax.get(t).label for t in types}
    rows = load_rows()
    texts = load_texts({r.corpus for r in rows})
    usable = [r for r in rows if (r.corpus, r.doc_id) in texts]
    missing = len(rows) - len(usable)
    if not usable:
        print("events benchmark: no gold texts available (../shared/eval absent?); nothing to score")
        return 0
    bad = [r for r in usable if texts[(r.corpus, r.doc_id)][r.start:r.end] != r.toponym]
    if bad:
        print(f"events benchmark: {len(bad)} gold spans do not match their text, e.g. {bad[0]}", file=sys.stderr)
        return 1

    modes: list[tuple[str, object | None, bool]] = [("window fallback (--fast)", None, False)]
    if not args.no_spacy:
        from geomap.pipeline import load_ner

        nlp = load_ner()
        modes[:0] = [("dependency parse (default)", nlp, False), ("parse of whole articles", nlp, True)]

    out = ["# Event typing: per-type precision, recall, F1", ""]
    out.append(
        f"Gold: `benchmarks/data/events_gold.jsonl`, {len(usable)} labelled mentions "
        f"({missing} skipped: text unavailable) from GeoWebNews, LGL, GeoVirus and the seed articles, "
        "labelled by the definitions in `docs/EVENTS.md`. The classifier gets the gold mentions "
        "(oracle toponyms), so this measures event typing alone. `dev` was looked at while writing "
        "the lexicon; `test` is held out. Macro-F1 = mean F1 over the types with gold support. "
        f"Target: macro-F1 >= {TARGET:.2f}. Reproduce: `python benchmarks/events.py`."
    )
    out.append("")
    summary = ["| Mode | Split | Mentions | Accuracy | Macro-F1 | Time |", "|---|---|--:|--:|--:|--:|"]
    details = []
    default_pred: dict[Row, str] = {}
    for name, nlp, whole in modes:
        t0 = time.perf_counter()
        pred = predict(usable, texts, nlp, whole)
        elapsed = time.perf_counter() - t0
        default_pred = default_pred or pred
        for split in ("test", "dev", "all"):
            sel = [r for r in usable if split == "all" or r.split == split]
            g = [r.label for r in sel]
            p = [pred[r] for r in sel]
            tab = per_type(g, p, types)
            acc = sum(a == b for a, b in zip(g, p, strict=True)) / len(sel)
            mf = macro_f1(tab)
            summary.append(f"| {name} | {split} | {len(sel)} | {acc:.3f} | {mf:.3f} | "
                           f"{elapsed:.1f} s (all) |")
            print(f"{name:30s} {split:5s} n={len(sel):4d} accuracy={acc:.3f} macro-F1={mf:.3f}")
            if split == "test":
                details.append(f"## {name}, test split\n\n{table_md(tab, labels)}\n\n"
                               f"Confusion (rows gold, columns predicted):\n\n{confusion_md(g, p, types)}\n")
    # The floor any classifier must beat: every place a plain mention.
    test_rows = [r for r in usable if r.split == "test"]
    base = macro_f1(per_type([r.label for r in test_rows], ["mention"] * len(test_rows), types))
    summary.append(f"| baseline: everything `mention` | test | {len(test_rows)} | "
                   f"{sum(r.label == 'mention' for r in test_rows) / len(test_rows):.3f} | {base:.3f} | |")
    agreement = agreement_md(usable, load_second(), default_pred, types)
    extra = extra_md(modes, types, labels)
    out += ["## Summary", "", *summary, "", *agreement, *extra, *details]
    print("\n".join(extra))
    print("\n".join(agreement))
    out.append(f"_Generated {time.strftime('%Y-%m-%d')} by `benchmarks/events.py`._")
    text = "\n".join(out) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print("\n".join(summary))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
