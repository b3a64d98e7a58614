"""The link stage: mentions to entities within one document.

- NER spans are trimmed of function words at their edges ("Между Казахстаном"
  -> "Казахстаном") and single common nouns tagged PER are dropped.
- Places and organisations are resolved with the gazetteer (countries to ISO
  alpha-3, cities to their country, intergovernmental bodies to their code),
  and gazetteer names that NER missed are added as mentions.
- Anaphoric country nouns ("республики") are linked to the country meant.
- A person's mentions (full name, surname alone, inflected forms) are merged
  into one entity.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..model import (CITY, COUNTRY, IGO, LOC, LOCORG, ORG, ORGANISATION, PER,
                     PERSON, PLACE, REGION, Analysis, Entity, Mention, Sentence,
                     Token)
from . import gazetteer, mention_types

DATA = Path(__file__).resolve().parents[1] / "data"

# Parts of speech that never begin or end a name: a sentence-initial
# preposition is capitalised and NER takes it into the span.
EDGE_POS = {"ADP", "CCONJ", "SCONJ", "PART", "PUNCT"}
KIND_OF_PLACE = {"country": COUNTRY, "city": CITY, "region": REGION, "igo": IGO}


def _load_anaphors() -> set[str]:
    lines = (DATA / "country_anaphors.tsv").read_text(encoding="utf-8").splitlines()
    return {l.split("\t")[0].strip() for l in lines if l.strip() and not l.startswith("#")}


_ANAPHORS: Optional[set[str]] = None


def link(analysis: Analysis) -> Analysis:
    global _ANAPHORS
    if _ANAPHORS is None:
        _ANAPHORS = _load_anaphors()
    mentions = [m for m in (_trim(m, analysis.sentences) for m in analysis.mentions) if m]
    places = {}
    for mention in mentions:
        if mention.type != PER:
            places[id(mention)] = gazetteer.resolve(_words(mention, analysis.sentences))
    mentions, places = _add_gazetteer_mentions(analysis, mentions, places)
    mentions, places = _add_anaphors(analysis, mentions, places)
    mentions.sort(key=lambda m: (m.start, -m.stop))
    analysis.mentions = mentions
    analysis.entities = _group(mentions, places)
    mention_types.refine_mentions(analysis)
    return analysis


# -- mentions ---------------------------------------------------------------
def _tokens(mention: Mention, sentences: list[Sentence]) -> list[Token]:
    if not 0 <= mention.sentence < len(sentences):
        return []
    return [t for t in sentences[mention.sentence].tokens
            if t.start < mention.stop and t.stop > mention.start]


def _words(mention: Mention, sentences: list[Sentence]) -> list[str]:
    tokens = _tokens(mention, sentences)
    return [t.text for t in tokens] if tokens else mention.text.split()


def _trim(mention: Mention, sentences: list[Sentence]) -> Optional[Mention]:
    tokens = _tokens(mention, sentences)
    if not tokens:
        return mention
    while tokens and tokens[0].pos in EDGE_POS:
        tokens = tokens[1:]
    while tokens and tokens[-1].pos in EDGE_POS and tokens[-1].text not in ")»\"":
        tokens = tokens[:-1]
    if not tokens:
        return None
    if mention.type == PER and len(tokens) == 1 and tokens[0].pos != "PROPN" \
            and not tokens[0].text.isupper():
        # "Бизнес должен ..." at the start of a line: a common noun, not a name
        return None
    if tokens[0].start != mention.start or tokens[-1].stop != mention.stop:
        start, stop = tokens[0].start, tokens[-1].stop
        text = sentences[mention.sentence].text
        offset = sentences[mention.sentence].start
        mention = Mention(start, stop, text[start - offset:stop - offset], mention.type,
                          _renormalise(mention, tokens), sentence=mention.sentence,
                          source=mention.source)
    return mention


def _renormalise(mention: Mention, tokens: list[Token]) -> str:
    from ..nlp import get_nlp
    return get_nlp().normalize(tokens)


def _add_gazetteer_mentions(analysis, mentions, places):
    """Country, city and organisation names NER did not tag."""
    taken = [(m.start, m.stop) for m in mentions]
    for index, sentence in enumerate(analysis.sentences):
        words = [t.text for t in sentence.tokens]
        for first, last, place in gazetteer.find_places(words):
            tokens = sentence.tokens[first:last]
            start, stop = tokens[0].start, tokens[-1].stop
            if any(s < stop and start < e for s, e in taken):
                continue
            kind = ORG if place.kind == "igo" else LOC
            text = sentence.text[start - sentence.start:stop - sentence.start]
            mention = Mention(start, stop, text, kind, place.name if place.kind != "igo"
                              else _normal(tokens, text), sentence=index, source="gazetteer")
            mentions.append(mention)
            places[id(mention)] = place
            taken.append((start, stop))
    return mentions, places


def _normal(tokens: list[Token], text: str) -> str:
    from ..nlp import get_nlp
    return get_nlp().normalize(tokens) if all(t.pos for t in tokens) else text


def _add_anaphors(analysis, mentions, places):
    """'республики' = the country last named before this sentence that is not
    named in it."""
    by_sentence: dict[int, list[str]] = {}
    for mention in mentions:
        place = places.get(id(mention))
        if place is not None and place.kind == "country":
            by_sentence.setdefault(mention.sentence, []).append(place.code)
    recent: list = []  # (sentence index, place)
    country_places = {p.code: p for p in places.values() if p is not None and p.kind == "country"}
    for index, sentence in enumerate(analysis.sentences):
        here = set(by_sentence.get(index, []))
        for token in sentence.tokens:
            if token.lemma in _ANAPHORS and token.text.islower() \
                    and token.feats.get("Number") == "Sing":
                candidates = [code for code in reversed(recent) if code not in here]
                if candidates:
                    place = country_places[candidates[0]]
                    mention = Mention(token.start, token.stop, token.text, LOCORG,
                                      place.name, sentence=index, source="anaphor")
                    mentions.append(mention)
                    places[id(mention)] = place
        for code in by_sentence.get(index, []):
            if code in recent:
                recent.remove(code)
            recent.append(code)
    return mentions, places


# -- entities ---------------------------------------------------------------
def _group(mentions: list[Mention], places: dict) -> list[Entity]:
    entities: dict[str, Entity] = {}
    order: list[str] = []

    def entity_for(key: str, make) -> Entity:
        if key not in entities:
            entities[key] = make()
            order.append(key)
        return entities[key]

    persons = _person_keys(mentions)
    for index, mention in enumerate(mentions):
        place = places.get(id(mention))
        if mention.type == PER:
            name = persons[index]
            entity = entity_for("person:" + name.lower(), lambda: Entity("", PERSON, name))
        elif place is not None:
            entity = entity_for(f"{place.kind}:{place.code}", lambda: Entity(
                "", KIND_OF_PLACE.get(place.kind, PLACE), place.name,
                country=place.country, code=place.code,
                sector="GOV" if place.kind in ("country", "igo") else None,
                parent=getattr(place, "parent", None)))
            if place.kind == "country" and mention.type == ORG:
                mention.type = LOC  # "РФ" tagged ORG by NER is the state
        elif mention.type == ORG:
            name = mention.normal or mention.text
            entity = entity_for("organisation:" + name.lower(),
                                lambda: Entity("", ORGANISATION, name))
        else:
            name = mention.normal or mention.text
            entity = entity_for("place:" + name.lower(), lambda: Entity("", PLACE, name))
        entity.mentions.append(index)
    result = []
    for number, key in enumerate(order, start=1):
        entity = entities[key]
        entity.id = f"e{number}"
        for index in entity.mentions:
            mentions[index].entity = entity.id
        result.append(entity)
    return result


def _person_keys(mentions: list[Mention]) -> dict[int, str]:
    """Canonical name for every PER mention: the longest name in the document
    whose words include the mention's words ("Смаилов" -> "Алихан Смаилов")."""
    people = [(i, m) for i, m in enumerate(mentions) if m.type == PER]
    names: list[tuple[str, set[str]]] = []
    keys = {}
    for index, mention in sorted(people, key=lambda p: -len((p[1].normal or p[1].text).split())):
        normal = " ".join((mention.normal or mention.text).split())
        words = {w.lower().replace("ё", "е") for w in normal.split()}
        for name, name_words in names:
            if words <= name_words:
                keys[index] = name
                break
        else:
            names.append((normal, words))
            keys[index] = normal
    return keys
