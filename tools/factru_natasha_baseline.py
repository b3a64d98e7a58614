"""Score plain natasha NER on a FactRuEval-2016 set with svodka's comparator.

    .venv/bin/python tools/factru_natasha_baseline.py [SET_DIR] [--out DIR]

natasha (NewsEmbedding + NewsNERTagger over each book_N.txt, PER/LOC/ORG
kept as they are, no LOCORG) is the floor svodka's own NER must beat; the
figures are printed with LOCORG kept and with LOCORG counted as LOC (the
official comparator's ``-l``). ``--out`` also writes the .task1 files, to
check them with the official ``t1_eval.py`` if at hand.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from svodka.evaluate import factru

DEFAULT_SET = Path(__file__).resolve().parents[1].parent / "shared/data/factRuEval-2016/devset"


def natasha_answers(set_dir: Path) -> dict[str, list[tuple[str, int, int]]]:
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter
    segmenter = Segmenter()
    tagger = NewsNERTagger(NewsEmbedding())
    answers = {}
    for doc_id in factru.load_document_ids(set_dir):
        # Default newline handling, as the comparator reads the text; the
        # standard's offsets are offsets into that string.
        text = (set_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        answers[doc_id] = [(span.type, span.start, span.stop - span.start) for span in doc.spans]
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--out", type=Path, help="also write .task1 files here")
    args = parser.parse_args()
    started = time.time()
    answers = natasha_answers(args.set_dir)
    tagged = time.time()
    if args.out:
        factru.write_answer_set(args.out, factru.load_document_ids(args.set_dir), task1=answers)
    for locorg_as_loc in (True, False):
        print(factru.score_task1_answers(args.set_dir, answers, locorg_as_loc).format_table())
        print()
    print(f"natasha {tagged - started:.1f}s, scoring {time.time() - tagged:.1f}s")


if __name__ == "__main__":
    main()
