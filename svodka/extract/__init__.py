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
    offices: dict[int, set[str]] = {}
    for occ in occupations:
        offices.setdefault(occ.who, set()).add(common.titles()[occ.phrase.title_index].office)
    for name in ("meeting", "deal", "ownership"):
        try:
            module = __import__(f"{__name__}.{name}", fromlist=["find"])
            analysis.facts.extend(module.find(analysis, by_sentence))
        except Exception:
            log.exception("%s: %s", name, analysis.document.id)
    try:
        from . import cooperation
        analysis.facts.extend(cooperation.find(analysis))
    except Exception:
        log.exception("cooperation: %s", analysis.document.id)
    try:
        _annotate_persons(analysis)
    except Exception:
        log.exception("persons: %s", analysis.document.id)
    try:
        from . import quotes
        analysis.quotes = quotes.find(analysis, offices, nlp)
    except Exception:
        log.exception("quotes: %s", analysis.document.id)


def _annotate_persons(analysis: Analysis) -> None:
    """Set position, sector and country of the persons the Occupation facts
    speak of: the first fact naming a country (or a body with a country)
    wins, else the first fact."""
    from . import common
    for fact in analysis.facts:
        if fact.type != "Occupation":
            continue
        entity = analysis.entity(fact.args.get("who_entity"))
        if entity is None or entity.kind != "person":
            continue
        country = _country_of(analysis, fact)
        if entity.position is None or (country and not entity.country):
            entity.position = fact.args.get("office") or fact.args.get("position")
            entity.sector = fact.args.get("sector")
        if country and not entity.country:
            entity.country = country


def _country_of(analysis: Analysis, fact) -> str | None:
    from . import common
    where = analysis.entity(fact.args.get("where_entity"))
    if where is not None and where.country:
        return where.country
    name = fact.args.get("where")
    if name:
        place = common.place_of(name.split())
        if place is not None and place.country:
            return place.country
    return None
