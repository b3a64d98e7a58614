"""``svodka eval factru-ner DIR [--out ANSWERS]``: FactRuEval-2016 task 1.

Every ``book_N.txt`` of DIR goes through the pipeline up to the link stage
(``Pipeline(stages=("link",))``: cleaning, natasha, linking with the mention
types of svodka/link/mention_types.py); the mentions (anaphoric ones aside:
the standard has no mention for "республики") become one official ``.task1``
answer file per document. Where DIR holds the standard (``.objects`` and
friends), the answers are scored with svodka/evaluate/factru.py, which
follows the official comparator, twice: with LOCORG kept and with LOCORG
counted as LOC (the comparator's ``-l``). The same figures for natasha's own
NER spans, taken from the same run before the link stage, are shown beside
ours: what svodka adds to natasha.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from . import factru
from ..model import Analysis, Document, Rejection

OURS, NATASHA = "svodka", "natasha"
ANSWER_SUFFIXES = (".task1", ".task3")


def read_documents(set_dir: Path) -> list[Document]:
    """The ``book_N.txt`` documents of a set, by number."""
    documents = []
    for doc_id in factru.load_document_ids(set_dir):
        path = set_dir / f"{doc_id}.txt"
        if path.exists():
            with open(path, encoding="utf-8") as stream:
                documents.append(Document(id=doc_id, text=stream.read(), path=str(path)))
    return documents


def open_set(set_dir: Path) -> Optional[list[Document]]:
    """The documents of a FactRuEval set folder, or None after saying on
    stderr why there are none."""
    if not set_dir.is_dir():
        print(f"svodka: {set_dir}: not a folder", file=sys.stderr)
        return None
    documents = read_documents(set_dir)
    if not documents:
        print(f"svodka: {set_dir}: no book_N.txt documents", file=sys.stderr)
        return None
    return documents


def task1_answers(analysis: Analysis) -> list[tuple[str, int, int]]:
    """(TYPE, start, length) of the mentions of one analysed document."""
    return [(m.type, m.start, m.stop - m.start) for m in analysis.mentions
            if m.source != "anaphor" and m.stop > m.start]


def analyse(documents: list[Document]) -> tuple[dict, dict, list[Rejection]]:
    """Answers of svodka and of natasha alone, by document id. One NLP pass:
    natasha's spans are read before the link stage runs."""
    from ..pipeline import STAGES, Pipeline
    pipeline = Pipeline(stages=())
    ours: dict[str, list] = {}
    natasha: dict[str, list] = {}
    rejected: list[Rejection] = []
    for item in pipeline.run(documents):
        if isinstance(item, Rejection):
            rejected.append(item)
            continue
        doc_id = item.document.id
        natasha[doc_id] = task1_answers(item)
        try:
            STAGES["link"](item, pipeline.nlp)
        except Exception as error:      # reported, the document answers nothing
            rejected.append(Rejection(item.document.path or doc_id,
                                      f"link failed: {type(error).__name__}: {error}"))
            continue
        ours[doc_id] = task1_answers(item)
    return ours, natasha, rejected


def run_factru_ner(dir: Path, out: Optional[Path], as_json: bool) -> int:
    set_dir = Path(dir)
    documents = open_set(set_dir)
    if documents is None:
        return 2
    ids = [d.id for d in documents]
    ours, natasha, rejected = analyse(documents)
    for rejection in rejected:
        print(f"svodka: {rejection}", file=sys.stderr)

    if out is not None:
        prepare_answer_folder(Path(out), ids, ".task1")
        factru.write_answer_set(out, ids, task1={i: ours.get(i, []) for i in ids})

    has_standard = any((set_dir / f"{i}.objects").exists() for i in ids)
    if not has_standard:
        summary = {"documents": len(ids), "rejected": len(rejected),
                   "mentions": sum(len(v) for v in ours.values()), "scores": None}
        if as_json:
            print(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            print(f"{len(ids)} documents, {summary['mentions']} mentions; "
                  f"no standard in {set_dir}: nothing to score")
        return 0

    answers_ours = {i: ours.get(i, []) for i in ids}
    if out is not None:         # score what was written, as the comparator would read it
        answers_ours = {i: factru.read_task1(Path(out) / f"{i}.task1") for i in ids}
    answers_natasha = {i: natasha.get(i, []) for i in ids}
    scores = {}
    for name, answers in ((OURS, answers_ours), (NATASHA, answers_natasha)):
        for as_loc in (False, True):
            scores[(name, as_loc)] = factru.score_task1_answers(set_dir, answers, locorg_as_loc=as_loc)

    if as_json:
        print(json.dumps(_json(scores, len(ids), len(rejected)), ensure_ascii=False, indent=2))
    else:
        print(_table(scores, len(ids), out))
    return 0


def prepare_answer_folder(out: Path, ids: list[str], suffix: str) -> None:
    """The answer folder holds one answer file per document and task and
    nothing else: stale ``suffix`` answers of documents not in this set are
    removed; other files are left alone but named, since the comparator
    refuses a folder that holds them."""
    out.mkdir(parents=True, exist_ok=True)
    for path in out.iterdir():
        if path.is_file() and path.suffix == suffix:
            if path.stem not in ids:
                path.unlink()
        elif not (path.is_file() and path.suffix in ANSWER_SUFFIXES and path.stem in ids):
            print(f"svodka: warning: {path} is not an answer of this set; "
                  f"the official comparator may refuse the folder", file=sys.stderr)


def _row(metric: factru.Metric) -> dict:
    return {"precision": round(metric.precision, 4), "recall": round(metric.recall, 4),
            "f1": round(metric.f1, 4), "tp": round(metric.tp_std, 2),
            "in_standard": metric.n_std, "in_answer": metric.n_test}


def _json(scores: dict, n_docs: int, n_rejected: int) -> dict:
    result = {"documents": n_docs, "rejected": n_rejected}
    for (name, as_loc), s in scores.items():
        key = "locorg_as_loc" if as_loc else "locorg_kept"
        result.setdefault(name, {})[key] = {row: _row(m) for row, m in s.rows.items()}
    return result


def _table(scores: dict, n_docs: int, out: Optional[Path]) -> str:
    lines = [f"FactRuEval-2016 task 1, {n_docs} documents (official comparator rules)"]
    for as_loc, title in ((False, "LOCORG kept"), (True, "LOCORG counted as LOC")):
        ours, base = scores[(OURS, as_loc)], scores[(NATASHA, as_loc)]
        lines.append("")
        lines.append(f"{title}:")
        lines.append(f"{'Type':8} {'P':>7} {'R':>7} {'F1':>7} {'std':>6} {'ans':>6}"
                     f"   | natasha {'P':>7} {'R':>7} {'F1':>7}")
        for row, m in ours.rows.items():
            b = base.rows[row]
            lines.append(f"{row:8} {m.precision:7.4f} {m.recall:7.4f} {m.f1:7.4f} "
                         f"{m.n_std:6d} {m.n_test:6d}   |         "
                         f"{b.precision:7.4f} {b.recall:7.4f} {b.f1:7.4f}")
        for note in ours.notes:
            lines.append(f"note: {note}")
    if out is not None:
        lines.append("")
        lines.append(f"answers: {out}/book_N.task1 ({n_docs} files)")
    return "\n".join(lines)
