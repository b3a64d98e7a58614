"""Meeting facts: who met whom, where, at what occasion, when.

A sentence with a meeting word (``svodka/data/meeting_triggers.tsv``:
"переговоры", "встретился", "встреча", ...) and two or more persons gives a
meeting of those persons. The place and the occasion are yargy phrases in
the same or the next sentence, which may speak of the meeting without naming
anyone ("Встреча состоялась на полях Евразийского межправительственного
совета в городе Сочи")::

    PLACE    = в [ADJ* PLACE-NOUN] LOC          в городе Сочи, в Белом доме
    OCCASION = на полях|в рамках|в ходе NP      на полях Евразийского ... совета

The date is the document's publication date when it has one (the text's
own dates are not tied to the meeting).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from yargy import and_, not_, or_, rule
from yargy.predicates import dictionary, gram, in_, tag

from ..model import LOC, LOCORG, ORG, PER, Analysis, Fact, Sentence
from . import common
from .grammar import Grammar, around, leaves, mention_tags


@lru_cache(maxsize=1)
def words() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in common.data_lines("meeting_triggers.tsv"):
        out.setdefault(row[1], set()).update(common.key(row[0]))
    return out


def _name(kind):
    return rule(tag("B-" + kind), tag("I-" + kind).repeatable().optional())


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    w = words()
    LOCNAME = or_(_name("LOC"), _name("LOCORG"))
    ANYNAME = or_(_name("LOC"), _name("LOCORG"), _name("ORG"))
    ADJ = and_(gram("ADJF"), tag("O"))
    NOUN = and_(gram("NOUN"), tag("O"))
    PLACE = rule(in_({"в", "во"}), or_(
        rule(dictionary(w.get("place", set())), LOCNAME),
        rule(ADJ.repeatable(max=2), dictionary(w.get("place", set())), LOCNAME),
        LOCNAME)).named("place")
    NP = or_(ANYNAME,
             rule(NOUN, ANYNAME.optional()),
             rule(ADJ.repeatable(max=3), NOUN, ANYNAME.optional()))
    OCCASION = rule(in_({"на", "в"}), dictionary(w.get("occasion", set())),
                    NP.named("occasion"))
    return Grammar(or_(PLACE, OCCASION))


@lru_cache(maxsize=1)
def meeting_grammar() -> Grammar:
    w = words()
    PERSON = rule(tag("B-PER"), tag("I-PER").repeatable().optional()).named("participant")
    EVENT = and_(dictionary(w.get("event", set()) - w.get("host", set())), or_(gram("NOUN"), gram("VERB"), gram("INFN")))
    HOST = dictionary(w.get("host", set()))
    GAP = not_(or_(tag("B-PER"), tag("I-PER"), in_({".", ";", "!", "?"})))
    PAIR = rule(PERSON, in_({"и", "с", "со"}), PERSON)
    return Grammar(or_(
        # X встретился / провёл переговоры с Y
        rule(PERSON, GAP.repeatable(max=8).optional(), EVENT, GAP.repeatable(max=5).optional(),
             in_({"с", "со"}), GAP.repeatable(max=3).optional(), PERSON),
        # встреча / переговоры (между) X и Y
        rule(EVENT, GAP.repeatable(max=3).optional(), PAIR),
        # X и Y встретились
        rule(PAIR, GAP.repeatable(max=4).optional(), EVENT),
        # X принимает ... Y
        rule(PERSON, HOST, GAP.repeatable(max=6).optional(), PERSON),
    ))


def _persons(analysis: Analysis, mentions: list[int]) -> list[int]:
    """One mention per person, in order."""
    seen, out = set(), []
    for m in mentions:
        if analysis.mentions[m].type != PER:
            continue
        key = common.person_key(analysis, m)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _circumstances(analysis: Analysis, sentence: Sentence, mentions: list[int]) -> dict:
    out = {}
    tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
    preps = [i for i, t in enumerate(sentence.tokens) if t.text.lower() in ("в", "во", "на")]
    for start, stop, match, offset in grammar().findall(sentence.tokens, tags, around(preps, 0, 12)):
        parts = leaves(match, offset)
        if "occasion" in parts and "occasion" not in out:
            idx = parts["occasion"]
            tokens = [sentence.tokens[i] for i in idx]
            m = common.mention_at(analysis, mentions, sentence, idx[0], idx[-1], {ORG, LOC, LOCORG})
            out["occasion"] = common.nominative(tokens)
            entity = common.entity_of(analysis, m)
            if entity is not None:
                out["occasion_entity"] = entity.id
        elif "place" in parts and "where" not in out:
            idx = parts["place"]
            m = common.mention_at(analysis, mentions, sentence, idx[-1], idx[-1], {LOC, LOCORG})
            if m is not None:
                out["where"] = common.mention_name(analysis, m)
                out["where_text"] = common.mention_text(analysis, m)
                entity = common.entity_of(analysis, m)
                if entity is not None:
                    out["where_entity"] = entity.id
    return out


def _met(analysis: Analysis, sentence: Sentence, mentions: list[int]) -> list[int]:
    """The persons a meeting pattern ties together."""
    tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
    chosen = []
    w = words()
    cues = w.get("event", set()) | w.get("host", set())
    hits = [i for i, t in enumerate(sentence.tokens) if common.token_lemmas(t) & cues]
    for start, stop, match, offset in meeting_grammar().findall(sentence.tokens, tags,
                                                                around(hits, 14, 14)):
        idx = leaves(match, offset).get("participant", [])
        for i in idx:
            m = common.mention_at(analysis, mentions, sentence, i, i, {PER})
            if m is not None and m not in chosen:
                chosen.append(m)
    return _persons(analysis, chosen)


def find(analysis: Analysis, by_sentence: dict[int, list[int]]) -> list[Fact]:
    events = words().get("event", set()) | words().get("host", set())
    out: list[Fact] = []
    last: Optional[tuple[int, Fact]] = None
    for s_index, sentence in enumerate(analysis.sentences):
        if not sentence.tokens:
            continue
        if not any(common.token_lemmas(t) & events for t in sentence.tokens
                   if t.pos in ("NOUN", "VERB")):
            continue
        mentions = by_sentence.get(s_index, [])
        persons = _persons(analysis, mentions)
        if len(persons) >= 2:
            persons = _met(analysis, sentence, mentions)
        circumstances = _circumstances(analysis, sentence, mentions)
        if len(persons) >= 2:
            args = {"participants": [common.mention_name(analysis, m) for m in persons],
                    "participant_texts": [common.mention_text(analysis, m) for m in persons]}
            ids = [e.id for e in (common.entity_of(analysis, m) for m in persons) if e]
            if ids:
                args["participant_entities"] = ids
            args.update(circumstances)
            if analysis.document.published:
                args["when"] = analysis.document.published
            fact = Fact("Meeting", args, sentence.start, sentence.stop)
            out.append(fact)
            last = (s_index, fact)
        elif last is not None and s_index - last[0] <= 2 and not persons and circumstances:
            # "Встреча состоялась ...": more about the meeting just named
            for k, v in circumstances.items():
                last[1].args.setdefault(k, v)
            last[1].stop = sentence.stop
    return out
