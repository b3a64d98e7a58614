"""Ownership facts (FactRuEval): who owns what.

From "owner" titles (``position_words.tsv``: "владелец X", "основатель X",
turned into Ownership by :mod:`.occupation`) and from verbs of owning in
``deal_triggers.tsv``, as yargy rules over natasha's tokens::

    PROPERTY [,] OWNED_BY OWNER (, OWNER | и OWNER)*   DST, принадлежащая Юрию Мильнеру и ...
    OWNER OWNS PROPERTY                                 X владеет компанией Y
"""
from __future__ import annotations

from functools import lru_cache

from yargy import and_, or_, rule
from yargy.predicates import dictionary, eq, gram, in_, tag

from ..model import LOC, LOCORG, ORG, PER, Analysis, Fact
from . import common
from .deal import lexicon
from .grammar import Grammar, around, leaves, mention_tags


def _name(kind):
    return rule(tag("B-" + kind), tag("I-" + kind).repeatable().optional())


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    lex = lexicon()
    OWNED_BY = dictionary(set(lex.get("owned_by", {})))
    OWNS = dictionary(set(lex.get("owns", {})))
    ORGNAME = or_(_name("ORG"), rule(in_({"«"}), _name("ORG"), in_({"»"})))
    ANY = or_(_name("PER"), _name("ORG"), _name("LOC"), _name("LOCORG"))
    OWNER = ANY.named("owner")
    OWNERS = rule(OWNER, rule(in_({",", "и"}), OWNER).repeatable(max=4).optional())
    BODY = and_(gram("NOUN"), tag("O"))
    PROPERTY = or_(ORGNAME, rule(BODY, ORGNAME)).named("property")
    return Grammar(or_(
        rule(PROPERTY, eq(",").optional(), OWNED_BY, OWNERS),
        rule(OWNERS, OWNS, PROPERTY),
    ))


def find(analysis: Analysis, by_sentence: dict[int, list[int]]) -> list[Fact]:
    lex = lexicon()
    cue = set(lex.get("owned_by", {})) | set(lex.get("owns", {}))
    out: list[Fact] = []
    for s_index, sentence in enumerate(analysis.sentences):
        if not sentence.tokens or not any(common.token_lemmas(t) & cue for t in sentence.tokens):
            continue
        mentions = by_sentence.get(s_index, [])
        tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
        hits = [i for i, t in enumerate(sentence.tokens) if common.token_lemmas(t) & cue]
        for start, stop, match, offset in grammar().findall(sentence.tokens, tags, around(hits, 10, 14)):
            parts = leaves(match, offset)
            prop = parts.get("property", [])
            pm = common.mention_at(analysis, mentions, sentence, prop[-1], prop[-1], {ORG, LOC, LOCORG}) \
                if prop else None
            if pm is None:
                continue
            owners = []
            for i in parts.get("owner", []):
                m = common.mention_at(analysis, mentions, sentence, i, i)
                if m is not None and m != pm and m not in owners:
                    owners.append(m)
            for m in owners:
                args = {"owner": common.mention_name(analysis, m),
                        "owner_text": common.mention_text(analysis, m),
                        "property": common.mention_name(analysis, pm),
                        "property_text": common.mention_text(analysis, pm)}
                for role, index in (("owner_entity", m), ("property_entity", pm)):
                    entity = common.entity_of(analysis, index)
                    if entity:
                        args[role] = entity.id
                out.append(Fact("Ownership", args, sentence.start, sentence.stop))
    return out
