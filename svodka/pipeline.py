"""The stages composed: Documents in, Analyses out.

    clean -> nlp -> link -> extract -> code

Each stage is a plain function of records. The NLP step runs over a batch of
documents at once (the models are batched); the other stages run per
document. A stage that fails on one document turns that document into a
Rejection naming the stage and the error; the rest of the batch goes on.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence, Union

from .model import Analysis, Document, Rejection


def _link(analysis: Analysis, nlp) -> None:
    from .link.entities import link
    link(analysis)


def _extract(analysis: Analysis, nlp) -> None:
    from .extract import extract
    extract(analysis, nlp)


def _code(analysis: Analysis, nlp) -> None:
    from .code import code
    code(analysis, nlp)


STAGES: dict[str, Callable[[Analysis, object], None]] = {
    "link": _link,
    "extract": _extract,
    "code": _code,
}


@dataclass
class Pipeline:
    """``Pipeline().analyse(documents)``; ``stages`` picks the per-document
    stages after NLP (all by default), like spaCy's pipeline components."""
    stages: Sequence[str] = ("link", "extract", "code")
    batch_size: int = 32
    nlp: object = field(default=None, repr=False)

    def __post_init__(self):
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise ValueError(f"unknown stage(s): {', '.join(unknown)}; known: {', '.join(STAGES)}")
        if self.nlp is None:
            from .nlp import get_nlp
            self.nlp = get_nlp()

    def analyse(self, documents: Sequence[Document]) -> list[Analysis]:
        """Analyses of the documents; raises if a stage fails (for library use
        and tests: see :meth:`run` for batches that must go on)."""
        return [a for a in self._analyse(documents, raise_errors=True) if isinstance(a, Analysis)]

    def run(self, items: Iterable[Union[Document, Rejection]]) -> Iterator[Union[Analysis, Rejection]]:
        """Analyses and rejections, in input order, batch by batch. Never
        raises for a bad document."""
        batch: list[Document] = []
        for item in items:
            if isinstance(item, Rejection):
                yield from self._analyse(batch, raise_errors=False)
                batch = []
                yield item
                continue
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield from self._analyse(batch, raise_errors=False)
                batch = []
        yield from self._analyse(batch, raise_errors=False)

    def _analyse(self, documents: Sequence[Document], raise_errors: bool):
        from .clean import clean
        if not documents:
            return
        cleaned = []
        for document in documents:
            try:
                cleaned.append(clean(document))
            except Exception as error:
                if raise_errors:
                    raise
                yield _failure(document, "clean", error)
        try:
            analyses = self.nlp.annotate(cleaned)
        except Exception:
            if raise_errors or len(cleaned) == 1:
                if raise_errors:
                    raise
                yield _failure(cleaned[0], "nlp", Exception(traceback.format_exc(limit=1)))
                return
            # find the culprit: one document at a time
            for document in cleaned:
                yield from self._analyse([document], raise_errors=False)
            return
        for analysis in analyses:
            try:
                for name in self.stages:
                    STAGES[name](analysis, self.nlp)
            except Exception as error:
                if raise_errors:
                    raise
                yield _failure(analysis.document, name, error)
                continue
            yield analysis


def _failure(document: Document, stage: str, error: Exception) -> Rejection:
    return Rejection(document.path or document.id,
                     f"{stage} failed: {type(error).__name__}: {error}", document.line)
