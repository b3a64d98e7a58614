"""Exports that write several files: FactRuEval answer files."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..model import Analysis


def export_factru(analyses: Iterable[Analysis], out: Path) -> int:
    """One ``.task1`` and one ``.task3`` file per document, named after the
    document id (``book_100`` -> ``book_100.task1``)."""
    from ..evaluate.factru import write_task1, write_task3
    from ..evaluate.factru_ner import task1_answers
    from ..extract.factru import task3_facts
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for analysis in analyses:
        doc_id = analysis.document.id
        write_task1(out / f"{doc_id}.task1", task1_answers(analysis))
        write_task3(out / f"{doc_id}.task3", task3_facts(analysis))
        count += 1
    return count
