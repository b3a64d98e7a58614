"""The extract stage: facts and quotes.

``extract(analysis, nlp)`` fills ``analysis.facts`` (Occupation, Meeting,
Deal, Ownership, Cooperation) and ``analysis.quotes`` and sets ``position``,
``country`` and ``sector`` of the person entities it learns an office for.
``nlp`` (svodka.nlp.NLP, optional) lets the quote finder parse the few
sentences whose speaker only the dependency tree gives.

It never raises: a failing extractor is logged and skipped, so one odd
document cannot stop a batch.

Modules, one per kind of fact: :mod:`.occupation`, :mod:`.meeting`,
:mod:`.deal`, :mod:`.ownership`, :mod:`.cooperation`, :mod:`.quotes`; the
yargy adaptor they share in :mod:`.grammar`, lexicon loading in
:mod:`.common`; FactRuEval task-3 answers in :mod:`.factru`. The linguistic
knowledge is in ``svodka/data``: positions.tsv, position_words.tsv,
speech_verbs.txt, deal_triggers.tsv, meeting_triggers.tsv,
cooperation_areas.tsv, cooperation_cues.txt.

Fact arguments (``Fact.args``; ``*_entity`` are Entity ids, when linked):

* Occupation: who, position (the role as written, nominative), office (the
  normalised office: "глава МИД" -> "министр иностранных дел"), sector
  (PLOVER), where (canonical place or body), where_kind (country, city,
  region, igo, organisation, ...), where_text (as the text names it),
  where_context (a guessed country for an office named alone).
* Meeting: participants, participant_texts, where, where_text, occasion
  ("Евразийский межправительственный совет"), when (the publication date).
* Deal: participants, participant_texts, and either type (a FactRuEval
  transaction type) and trigger, or subject (the agreement) with
  ``Fact.status`` (proposed, agreed, signed, ratified, cancelled) and actors.
* Ownership: owner, property (and *_text forms).
"""
from __future__ import annotations

import logging

from ..model import Analysis

log = logging.getLogger(__name__)


__all__ = ["extract"]


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
