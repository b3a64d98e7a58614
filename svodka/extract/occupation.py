"""Occupation facts: who holds which position where.

A yargy grammar over natasha's tokens (see :mod:`.grammar`) recognises the
position phrase, built from the lexicon in ``svodka/data/positions.tsv`` and
``position_words.tsv``::

    POSITION = MODIFIER* TITLE [TITLE in the genitive]     "первый заместитель министра"
    WHERE    = NAME | BODY-NOUN(gen) [NAME]                 "Казахстана", "компании Oracle"
    PHRASE   = POSITION WHERE? WHERE? [в|при|по NAME]

and ties it to a person named by NER (PER)::

    PHRASE PER                       премьер-министр Казахстана Алихан Смаилов
    PER , PHRASE                     Сергей Лавров, министр иностранных дел России
    PER ( PHRASE )
    PER VERB [на] [пост] PHRASE      X назначен на должность министра; X является президентом

The position phrase and the person must agree in case where both show one
("президента России Владимир Путин" is not an apposition).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from yargy import and_, not_, or_, rule
from yargy.predicates import dictionary, eq, gram, in_, tag

from ..model import LOC, LOCORG, ORG, PER, Analysis, Fact, Sentence
from . import common
from .grammar import Grammar, leaves, mention_tags


def _name(kind: str):
    return rule(tag("B-" + kind), tag("I-" + kind).optional().repeatable())


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    words = common.position_words()
    starts, rest = set(), set()
    for title in common.titles():
        starts.add(title.words[0])
        rest.update(title.words[1:])
    CONT = dictionary(rest)
    TITLE = rule(dictionary(starts), CONT.optional().repeatable(max=4)).named("title")
    TITLE2 = rule(and_(dictionary(starts), gram("gent")),
                  CONT.optional().repeatable(max=4)).named("title2")
    modifiers = [w for w in words.get("modifier", [])]
    single_mods = [w for w in modifiers if " " not in w]
    multi_mods = [rule(*[dictionary({x}) for x in w.split()]) for w in modifiers if " " in w]
    MOD = or_(rule(and_(dictionary(set(single_mods)), gram("ADJF"))), *multi_mods)
    POSITION = rule(
        MOD.optional().repeatable(max=2),
        TITLE,
        TITLE2.optional(),
    ).named("position")

    NAME = or_(_name("LOC"), _name("ORG"), _name("LOCORG"))
    QUOTED = rule(in_("«\"„“"), NAME, in_("»\"“”").optional())
    BODY_NOUN = and_(dictionary(set(words.get("body", []))), gram("gent"))
    BODY = rule(
        gram("ADJF").optional().repeatable(max=3),
        BODY_NOUN,
        rule(gram("ADJF").optional().repeatable(max=2), and_(gram("NOUN"), gram("gent"), not_(tag("B-PER")))).optional(),
        or_(NAME, QUOTED).optional(),
    )
    WHERE = or_(NAME, QUOTED, BODY).named("where")
    EXTRA = or_(NAME, QUOTED).named("where2")
    PP = rule(dictionary({"в", "во", "при", "по"}), NAME).named("pp")
    PHRASE = rule(POSITION, WHERE.optional(), EXTRA.optional(), PP.optional())

    PERSON = _name("PER").named("who")
    VERB = dictionary(set(words.get("verb", []))).named("verb")
    POST = dictionary(set(words.get("post", [])))
    AUX = dictionary({"быть"})
    PREDICATE = rule(
        PERSON, rule(eq(","), not_(eq(",")).repeatable(max=6), eq(",")).optional(),
        AUX.optional(), VERB, dictionary({"на"}).optional(), POST.optional(), PHRASE)
    RULE = or_(
        rule(PHRASE, PERSON).named("pre"),
        rule(PERSON, in_({",", "—", "–", "-"}), PHRASE).named("post"),
        rule(PERSON, eq("("), PHRASE, eq(")")).named("paren"),
        PREDICATE.named("pred"),
    )
    return Grammar(RULE, prefixes=words.get("prefix", []))


@dataclass
class Occupation:
    who: int                      # mention index
    title_index: int
    position_tokens: list[int]    # the role as written (modifiers, title, title2)
    where_tokens: list[int] = field(default_factory=list)
    where_mention: Optional[int] = None
    sentence: int = 0


def _case(sentence: Sentence, indices: list[int]) -> Optional[str]:
    for i in indices:
        case = sentence.tokens[i].feats.get("Case")
        if case:
            return case
    return None


def find(analysis: Analysis, by_sentence: dict[int, list[int]]) -> list[Occupation]:
    """Occupation candidates of every sentence that mentions a person."""
    g = grammar()
    titles = common.titles()
    out = []
    for s_index, mentions in by_sentence.items():
        if not any(analysis.mentions[m].type == PER for m in mentions):
            continue
        sentence = analysis.sentences[s_index]
        if not sentence.tokens:
            continue
        tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
        windows = _windows(sentence, tags)
        if not windows:
            continue
        for start, stop, match, offset in g.findall(sentence.tokens, tags, windows):
            parts = leaves(match, offset)
            who = parts.get("who")
            title_tokens = parts.get("title", [])
            if not who or not title_tokens:
                continue
            found = _title(sentence, title_tokens)
            if found is None:
                continue
            t_index, length = found
            title = titles[t_index]
            first_title_token = title_tokens[0]
            position = parts.get("position", [])
            role_end = title_tokens[min(title.role, length) - 1]
            role_tokens = [i for i in position if i <= role_end]
            second = parts.get("title2", [])
            if second and _title(sentence, second) is not None:
                role_tokens += second
            body_tokens = title_tokens[title.role:]
            # a person before the position must agree with it in case
            head_case = _case(sentence, [first_title_token])
            who_case = _case(sentence, who)
            kind = _kind(parts)
            if kind == "pre" and head_case and who_case and head_case != who_case:
                continue
            if kind in ("post", "paren") and head_case and who_case and head_case != who_case \
                    and head_case != "Nom":
                continue
            where_tokens = parts.get("where", [])
            if body_tokens:
                where_tokens = sorted(set(body_tokens) | set(where_tokens))
            elif not where_tokens and parts.get("where2"):
                where_tokens = parts["where2"]
            if not where_tokens and parts.get("pp") and title.office in ("посол",):
                where_tokens = []
            who_mention = common.mention_at(analysis, mentions, sentence, who[0], who[-1], {PER})
            if who_mention is None:
                continue
            where_mention = None
            if where_tokens:
                where_mention = common.mention_at(analysis, mentions, sentence, where_tokens[0],
                                                  where_tokens[-1], {LOC, ORG, LOCORG})
            out.append(Occupation(who_mention, t_index, sorted(set(role_tokens)),
                                  where_tokens, where_mention, s_index))
    return out


SPAN = 14  # tokens on either side of a person that a position phrase may take


def _windows(sentence: Sentence, tags: list[str]) -> list[tuple[int, int]]:
    """Token ranges around each person that hold a title word (a cheap lemma
    filter before the parser runs)."""
    first_words = common.title_first_words()
    hits = [i for i, t in enumerate(sentence.tokens)
            if common.token_lemmas(t) & first_words]
    if not hits:
        return []
    out = []
    for i, tag_ in enumerate(tags):
        if tag_ == "B-PER":
            stop = i + 1
            while stop < len(tags) and tags[stop] == "I-PER":
                stop += 1
            start, end = max(0, i - SPAN), min(len(tags), stop + SPAN)
            if any(start <= h < end for h in hits):
                out.append((start, end))
    return out


def _title(sentence: Sentence, indices: list[int]) -> Optional[tuple[int, int]]:
    """(index into titles, number of tokens) of the longest title the tokens
    begin with."""
    index = {id(t): i for i, t in enumerate(common.titles())}
    for length in range(len(indices), 0, -1):
        title = common.match_title([sentence.tokens[i] for i in indices[:length]])
        if title is not None:
            return index[id(title)], length
    return None


def _kind(parts: dict) -> str:
    for kind in ("pre", "post", "paren", "pred"):
        if kind in parts:
            return kind
    return ""


def facts(analysis: Analysis, occupations: list[Occupation]) -> list[Fact]:
    titles = common.titles()
    out: list[Fact] = []
    seen: dict[tuple, Fact] = {}
    for occ in occupations:
        sentence = analysis.sentences[occ.sentence]
        title = titles[occ.title_index]
        tokens = [sentence.tokens[i] for i in occ.position_tokens]
        position = common.nominative(tokens).lower() if tokens else " ".join(title.words)
        where = ""
        where_entity = None
        if occ.where_tokens:
            w_tokens = [sentence.tokens[i] for i in occ.where_tokens]
            mention = analysis.mentions[occ.where_mention] if occ.where_mention is not None else None
            if mention is not None and mention.start <= w_tokens[0].start and mention.stop >= w_tokens[-1].stop:
                where = common.mention_name(analysis, occ.where_mention)
                entity = common.entity_of(analysis, occ.where_mention)
                where_entity = entity.id if entity else None
            else:
                where = common.nominative(w_tokens)
                if occ.where_mention is not None:
                    entity = common.entity_of(analysis, occ.where_mention)
                    where_entity = entity.id if entity else None
        who = common.mention_name(analysis, occ.who)
        who_entity = common.entity_of(analysis, occ.who)
        key = (common.person_key(analysis, occ.who), title.office, where.lower())
        args = {"who": who, "position": position, "office": title.office,
                "sector": title.sector}
        if who_entity:
            args["who_entity"] = who_entity.id
        if where:
            args["where"] = where
        if where_entity:
            args["where_entity"] = where_entity
        if key in seen:
            continue
        # the same person and office seen before without a place: this one
        # says more
        bare = (key[0], key[1], "")
        if where and bare in seen:
            old = seen.pop(bare)
            out.remove(old)
        elif not where and any(k[0] == key[0] and k[1] == key[1] for k in seen):
            continue
        fact = Fact("Occupation", args, sentence.start, sentence.stop)
        seen[key] = fact
        out.append(fact)
    return out
