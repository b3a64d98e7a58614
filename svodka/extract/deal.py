"""Deal facts: transactions and agreements.

Two kinds, from the lexicon ``svodka/data/deal_triggers.tsv``:

* a transaction ("купила 5% акций", "дала кредит", "оштрафовать"), typed as
  FactRuEval types it (купля/продажа, займ/возвращение займа, наложение/
  выплата штрафа, инвестиции). Parties: the nearest name before the trigger
  in the nominative (the actor) and the first name after it.
* an agreement named as a document ("соглашение о ...", "договор", ...),
  with its subject (a yargy phrase: the document noun and its "о/об/по/
  между ..." complement) and a status from the verb beside it (proposed,
  agreed, signed, ratified, cancelled). Parties: the names of the sentence;
  where the sentence names none, the persons whose speech it reports.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from yargy import and_, not_, or_, rule
from yargy.predicates import dictionary, gram, in_, tag

from ..model import LOC, LOCORG, ORG, PER, Analysis, Fact, Sentence
from . import common
from .grammar import Grammar, around, leaves, mention_tags

PARTY_TYPES = {ORG, LOC, LOCORG, PER}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in common.data_lines("deal_triggers.tsv"):
        role = row[1]
        value = row[2] if len(row) > 2 else ""
        for lem in common.key(row[0]):
            out.setdefault(role, {})[lem] = value
    return out


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    docs = set(lexicon().get("document", {}))
    WORD = or_(rule(and_(or_(gram("NOUN"), gram("ADJF"), gram("NUMR")), not_(tag("B-PER")))),
               rule(tag("I-ORG")), rule(tag("I-LOC")), rule(tag("B-ORG")), rule(tag("B-LOC")),
               rule(in_({"и"})))
    COMPLEMENT = rule(in_({"о", "об", "по", "между", "на"}), WORD.repeatable(max=10))
    DOC = or_(rule(dictionary(docs)), rule(and_(gram("ADJF"), tag("O")).repeatable(max=2), dictionary(docs)))
    return Grammar(rule(DOC, COMPLEMENT.optional()).named("subject"))


def _lemma_hits(sentence: Sentence, table: dict[str, str]) -> list[tuple[int, str]]:
    out = []
    for i, token in enumerate(sentence.tokens):
        if token.pos not in ("NOUN", "VERB"):
            continue
        # in a fixed order, the tagger's lemma first: a word whose readings
        # name two kinds of deal must not depend on the set's hash order
        for lem in common.ordered_lemmas(token):
            if lem in table:
                out.append((i, table[lem]))
                break
    return out


def _token_mentions(analysis: Analysis, sentence: Sentence, mentions: list[int]) -> list[tuple[int, int, int]]:
    """(first token, last token, mention) of the party mentions, in order;
    not the source a sentence quotes ("сообщает Лента.ру", "по данным
    Techcrunch", "как пишет газета «Ведомости»"), not a name inside another."""
    out = []
    for m in mentions:
        mention = analysis.mentions[m]
        if mention.type not in PARTY_TYPES:
            continue
        idx = [i for i, t in enumerate(sentence.tokens) if t.start < mention.stop and t.stop > mention.start]
        if idx and not _is_source(sentence, idx[0]):
            out.append((idx[0], idx[-1], m))
    out.sort()
    return [p for p in out if not any(q is not p and q[0] <= p[0] and p[1] <= q[1] and q[1] - q[0] > p[1] - p[0]
                                      for q in out)]


def _is_source(sentence: Sentence, first: int) -> bool:
    from .quotes import cues
    verbs = set()
    for v in cues().get("verb", []):
        verbs.update(common.key(v))
    for v in cues().get("according", []):
        verbs.add(common.key(v)[-1])     # "по данным": "данные"
    j = first - 1
    skipped = 0
    while j >= 0 and skipped < 3:
        token = sentence.tokens[j]
        if common.token_lemmas(token) & verbs:
            return True
        if token.pos not in ("NOUN", "ADJ", "PUNCT") and token.text not in ("«", "\""):
            return False
        j -= 1
        skipped += 1
    return False


def _party(analysis: Analysis, m: int) -> tuple[str, Optional[str]]:
    entity = common.entity_of(analysis, m)
    return common.mention_name(analysis, m), (entity.id if entity else None)


def _names(analysis: Analysis, chosen: list[int]) -> dict:
    """participants (canonical names), participant_texts (as written),
    participant_entities, one per entity."""
    names, texts, ids = [], [], []
    for m in chosen:
        name, entity = _party(analysis, m)
        if name.lower() in [n.lower() for n in names]:
            continue
        names.append(name)
        texts.append(common.mention_text(analysis, m))
        if entity:
            ids.append(entity)
    out = {"participants": names, "participant_texts": texts}
    if ids:
        out["participant_entities"] = ids
    return out


def find(analysis: Analysis, by_sentence: dict[int, list[int]]) -> list[Fact]:
    lex = lexicon()
    transactions = lex.get("transaction", {})
    documents = lex.get("document", {})
    statuses = lex.get("status", {})
    out: list[Fact] = []
    for s_index, sentence in enumerate(analysis.sentences):
        if not sentence.tokens:
            continue
        trans = _lemma_hits(sentence, transactions)
        docs = _lemma_hits(sentence, documents)
        if not trans and not docs:
            continue
        mentions = by_sentence.get(s_index, [])
        parties = _token_mentions(analysis, sentence, mentions)
        if trans:
            fact = _transaction(analysis, sentence, parties, trans[0])
            if fact is not None:
                out.append(fact)
        if docs:
            fact = _agreement(analysis, sentence, mentions, parties, _lemma_hits(sentence, statuses),
                              docs)
            if fact is not None:
                out.append(fact)
    return out


def _transaction(analysis: Analysis, sentence: Sentence, parties, trigger) -> Optional[Fact]:
    index, kind = trigger
    tokens = sentence.tokens
    before = [p for p in parties if p[1] < index]
    after = [p for p in parties if p[0] > index]
    actor = None
    for p in reversed(before):
        if tokens[p[0]].feats.get("Case") == "Nom":
            actor = p
            break
    if actor is None and before:
        actor = before[-1]
    chosen = [p for p in (actor,) if p]
    # the other side: the first name after the trigger, else the nearest
    # other one before it ("Россия дала Украине кредит")
    for p in after + list(reversed(before)):
        if not chosen or common.person_key(analysis, p[2]) != common.person_key(analysis, chosen[0][2]):
            chosen.append(p)
            break
    if not chosen:
        return None
    args = _names(analysis, [p[2] for p in chosen])
    args.update({"type": kind, "trigger": tokens[index].text})
    return Fact("Deal", args, sentence.start, sentence.stop)


def _names_countries(sentence: Sentence, idx: list[int]) -> bool:
    """Whether the subject speaks of countries in the plural ("двух стран",
    "наших государств")."""
    words = set(common.position_words().get("countries", []))
    for i in idx:
        token = sentence.tokens[i]
        if token.feats.get("Number") == "Plur" and common.token_lemmas(token) & words:
            return True
    return False


def _main_countries(analysis: Analysis, n: int) -> list[int]:
    """A mention of each of the n countries the document names most often."""
    countries = [e for e in analysis.entities if e.kind == "country" and e.mentions]
    countries.sort(key=lambda e: -len(e.mentions))
    return [e.mentions[0] for e in countries[:n] if 0 <= e.mentions[0] < len(analysis.mentions)]


def _agreement(analysis: Analysis, sentence: Sentence, mentions, parties, statuses,
               docs) -> Optional[Fact]:
    tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
    found = grammar().findall(sentence.tokens, tags, around([i for i, _ in docs], 2, 14))
    if not found:
        return None
    start, stop, match, offset = found[0]
    idx = leaves(match, offset).get("subject", list(range(start, stop)))
    subject = common.nominative([sentence.tokens[i] for i in idx])
    status = None
    if statuses:
        # the status word nearest the document noun
        status = min(statuses, key=lambda s: abs(s[0] - start))[1]
    persons = [m for _, _, m in parties if analysis.mentions[m].type == PER]
    others = [m for _, _, m in parties if analysis.mentions[m].type != PER]
    if not others and _names_countries(sentence, idx):
        # "соглашение о поездках граждан двух стран": the two countries the
        # document speaks of most
        others = _main_countries(analysis, 2)
    args = _names(analysis, others or persons)
    if not args["participants"] and status is None:
        return None
    if others and persons:
        actors = _names(analysis, persons)
        args["actors"] = actors["participants"]
        if "participant_entities" in actors:
            args["actor_entities"] = actors["participant_entities"]
    args["subject"] = subject
    return Fact("Deal", args, sentence.start, sentence.stop, status=status)
