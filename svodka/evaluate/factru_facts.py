"""``svodka eval factru-facts DIR [--out ANSWERS]``: FactRuEval-2016 task 3.

Every ``book_N.txt`` of DIR goes through the pipeline up to the extract stage;
the facts (Occupation, Meeting, Deal, Ownership) become one official
``.task3`` answer file per document (svodka/extract/factru.py says how our
facts map to the standard's arguments). Where DIR holds the standard
(``.facts``), the answers are scored with the official comparator's rules
(svodka/evaluate/factru.py): P/R/F1 per fact type.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from . import factru
from .factru_ner import open_set, prepare_answer_folder
from ..model import Analysis, Rejection

FACT_TYPES = ("Occupation", "Meeting", "Deal", "Ownership")


def run_factru_facts(dir: Path, out: Optional[Path], as_json: bool) -> int:
    from ..extract.factru import task3_facts
    from ..pipeline import Pipeline
    set_dir = Path(dir)
    documents = open_set(set_dir)
    if documents is None:
        return 2
    ids = [d.id for d in documents]
    answers: dict[str, list] = {i: [] for i in ids}
    for item in Pipeline(stages=("link", "extract")).run(documents):
        if isinstance(item, Rejection):
            print(f"svodka: {item}", file=sys.stderr)
            continue
        answers[item.document.id] = task3_facts(item)

    if out is not None:
        out = Path(out)
        prepare_answer_folder(out, ids, ".task3")
        factru.write_answer_set(out, ids, task3=answers)
        answers = {i: factru.read_task3(out / f"{i}.task3") for i in ids}

    if not any((set_dir / f"{i}.facts").exists() for i in ids):
        count = sum(len(v) for v in answers.values())
        print(json.dumps({"documents": len(ids), "facts": count, "scores": None})
              if as_json else f"{len(ids)} documents, {count} facts; no standard in {set_dir}: nothing to score")
        return 0
    scores = factru.score_task3_answers(set_dir, answers)
    if as_json:
        print(json.dumps({"documents": len(ids), "scores": {
            row: {"precision": round(m.precision, 4), "recall": round(m.recall, 4),
                  "f1": round(m.f1, 4), "in_standard": m.n_std, "in_answer": m.n_test}
            for row, m in scores.rows.items()}}, ensure_ascii=False, indent=2))
    else:
        print(f"FactRuEval-2016 task 3, {len(ids)} documents (official comparator rules)")
        print(scores.format_table())
        if out is not None:
            print(f"\nanswers: {out}/book_N.task3 ({len(ids)} files)")
    return 0
