"""The extract stage: facts (Occupation, Meeting, Deal) and quotes.

``extract(analysis, nlp)`` fills ``analysis.facts`` and ``analysis.quotes``
and sets ``position``, ``country`` and ``sector`` of the person entities it
learns an office for. It never raises: a failing extractor is logged and
skipped, so one odd document cannot stop a batch.
"""
from __future__ import annotations

import logging

from ..model import Analysis

log = logging.getLogger(__name__)


def extract(analysis: Analysis, nlp=None) -> None:
    from . import common, occupation
    analysis.facts = []
    analysis.quotes = []
    try:
        by_sentence = common.sentence_mentions(analysis)
    except Exception:  # pragma: no cover - defensive
        log.exception("extract: %s", analysis.document.id)
        return
    occupations = []
    try:
        occupations = occupation.find(analysis, by_sentence)
        analysis.facts.extend(occupation.facts(analysis, occupations))
    except Exception:
        log.exception("occupation: %s", analysis.document.id)
