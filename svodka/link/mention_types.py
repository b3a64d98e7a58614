"""Mention boundaries and types after linking, as FactRuEval task 1 wants them.

natasha knows PER, LOC and ORG only, and its spans follow its own training
corpus. This module, run at the end of the link stage, corrects what the
language itself tells apart (the cues are in svodka/data/locorg_cues.tsv):

- A span never runs across a list bullet, a parenthesis or (for persons and
  places) a comma: "Джошуа Вольфа (Joshua Wolf)" is two names, "Монако •
  Намибия" two places.
- Intergovernmental bodies the gazetteer knows (ЕС, Евросоюз) are ORG.
- A body named by a descriptor and a place in the genitive is one ORG:
  "правительство Китая", "мэрия Москвы", "МИД России" (an ORG NER ends where
  the place begins is extended over it), and a relational place adjective
  before an ORG belongs to it ("японского МИДа"). The place inside is
  LOCORG: the state as the body's owner. Generic plurals are no bodies
  ("власти Германии": the state acts). A body of an organisation is one ORG
  with it ("комиссия ЕС"); an office NER put at the head of an ORG is cut
  off ("Замглавы ФМС").
- A country, city or region is LOC where the sentence puts it as a place (the
  object of a spatial preposition, a genitive after a noun of space, the
  origin in parentheses after a person: "Топалов (Болгария)"), and LOCORG
  where it acts or owns (subject, genitive after any other noun, including
  its own divisions: "регионы России", partner of "с", "между", "для").
  Cities and regions are agents less often than states: for them only the
  genitive after a body or office noun and the subject of a verb count; a
  capital stands for its state also as an owner or a partner ("инициатива
  Москвы", "между Киевом и Анкарой"). A name alone on its line is a heading,
  a place.
- Common nouns NER takes for names ("СМИ") and domain zones (".РФ") are
  dropped, and so are names of craft ('шаттл «Дискавери»') throughout the
  document; "МКС" is a place.
- A seat of power is a place where the sentence puts it ("в Кремле") and an
  organisation where it acts or owns ("Кремль заявил", "ставленник Кремля").
- A one-word organisation name NER tagged once in a document is tagged
  where it comes again untagged ("WFC"); an unknown "place" sharing a name
  word with a person of the document is that person ("о Свиридове").
- A name in quotes after a kind of organisation is one ('институт
  «Коллективное действие»'); an abbreviation or a Latin original in
  parentheses after an organisation is another mention of it.

Mentions are added, changed and removed here; the entities are then brought
back in line (new mentions join the entity their place or name resolves to,
or get one of their own; mention indices are renumbered).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..model import (CITY, COUNTRY, IGO, LOC, LOCORG, ORG, ORGANISATION, PER,
                     PERSON, PLACE, REGION, Analysis, Entity, Mention, Sentence,
                     Token)

DATA = Path(__file__).resolve().parents[1] / "data"

# Tokens a name never spans: list bullets, brackets (a Latin original, an
# abbreviation or a country of origin follows a name in parentheses) and a
# dash standing alone ("Топалов — Нисипяну"; hyphenated names are one token).
HARD_SEPARATORS = {"•", "·", "(", ")", "[", "]", "|", "/", ";", "—", "–", "-"}
# A comma separates names in lists ("Овечкин, Фёдоров"); organisation names
# may hold one ("Министерство экономики, торговли и ..."), so only persons and
# places are split at commas.
SOFT_SEPARATORS = {","}
COORDINATORS = {"и", "или", ","}
STATE_KINDS = {COUNTRY}
CAPITAL = "capital"     # a city that is a capital, for _place_type only
SEAT = "seat"           # a seat of power that stands for a government ("Кремль")
PLACE_KINDS = {COUNTRY, CITY, REGION}
KIND_OF_PLACE = {"country": COUNTRY, "city": CITY, "region": REGION, "igo": IGO}


@dataclass
class Cues:
    place_prep: set[str] = field(default_factory=set)
    org_head: set[str] = field(default_factory=set)
    place_noun: set[str] = field(default_factory=set)
    state_word: set[str] = field(default_factory=set)
    state_name: set[str] = field(default_factory=set)
    office: set[str] = field(default_factory=set)
    envoy: set[str] = field(default_factory=set)
    partner_prep: set[str] = field(default_factory=set)
    org_kind: set[str] = field(default_factory=set)
    seat_of_power: set[str] = field(default_factory=set)
    place_name: set[str] = field(default_factory=set)
    vehicle: set[str] = field(default_factory=set)
    polity_part: set[str] = field(default_factory=set)
    not_name: set[str] = field(default_factory=set)


_CUES: Optional[Cues] = None


def cues() -> Cues:
    global _CUES
    if _CUES is None:
        found = Cues()
        header = True
        for line in (DATA / "locorg_cues.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            if header:          # the column names
                header = False
                continue
            cue, word = (cell.strip() for cell in line.split("\t")[:2])
            getattr(found, cue).add(word)
        _CUES = found
    return _CUES


def refine_mentions(analysis: Analysis) -> None:
    """Fix mention spans and types in place (see the module docstring)."""
    c = cues()
    vehicles = _vehicle_names(analysis)
    text = analysis.document.text
    mentions = [m for m in analysis.mentions
                if not (m.text in c.not_name and m.source != "anaphor")
                and not (vehicles and m.source != "anaphor" and _lemma_key(analysis, m) in vehicles)
                and not _domain_zone(text, m)]
    mentions = [part for m in mentions for part in _split(m, analysis)]
    mentions = [m for m in mentions if _trim_title(m, analysis)]
    _reindex(analysis, mentions)    # split pieces find their entities
    mentions = list(analysis.mentions)
    for mention in mentions:
        entity = analysis.entity(mention.entity)
        if entity is not None and entity.kind == IGO and mention.type == LOC:
            mention.type = ORG      # "ЕС", "Евросоюз": a body, not a place
        elif mention.type == ORG and mention.text in c.place_name:
            mention.type = LOC      # "на МКС": a station is a place
    mentions = _extend_organisations(mentions, analysis)
    mentions = _descriptor_organisations(mentions, analysis)
    mentions = _quoted_names(mentions, analysis)
    mentions = _parenthesised_names(mentions, analysis)
    mentions = _repeated_names(mentions, analysis)
    mentions = _person_consistency(mentions, analysis)
    _type_places(mentions, analysis)
    _reindex(analysis, mentions)


def _domain_zone(text: str, mention: Mention) -> bool:
    """"в зоне .РФ": a top-level domain written with its dot is no name."""
    start = mention.start
    return start >= 1 and text[start - 1] == "." and (start == 1 or text[start - 2].isspace())


def _vehicle_names(analysis: Analysis) -> set[str]:
    """Lemma keys of names given in quotes to a vehicle ('шаттл «Дискавери»',
    'корабля «Союз»', 'автомобиль «Славута»'): a craft is neither a person, a
    place nor an organisation, wherever the document names it again."""
    c = cues()
    names = set()
    for sentence in analysis.sentences:
        tokens = sentence.tokens
        for i, token in enumerate(tokens[:-2]):
            if token.lemma not in c.vehicle:
                continue
            closing = OPENING_QUOTES.get(tokens[i + 1].text)
            if closing is None:
                continue
            end = next((k for k in range(i + 2, min(len(tokens), i + 6))
                        if tokens[k].text in "»”“\""), None)
            if end is not None and end > i + 2:
                names.add(" ".join(t.lemma or t.text.lower() for t in tokens[i + 2:end]))
    return names


# -- context helpers ---------------------------------------------------------
def _sentence(analysis: Analysis, mention: Mention) -> Optional[Sentence]:
    if 0 <= mention.sentence < len(analysis.sentences):
        return analysis.sentences[mention.sentence]
    return None


def _span(sentence: Sentence, mention: Mention) -> tuple[int, int]:
    """Indices [first, last) of the mention's tokens in its sentence."""
    idx = [i for i, t in enumerate(sentence.tokens)
           if t.start < mention.stop and t.stop > mention.start]
    return (idx[0], idx[-1] + 1) if idx else (-1, -1)


def _place_kind(analysis: Analysis, mention: Mention) -> Optional[str]:
    entity = analysis.entity(mention.entity)
    if entity is not None and entity.kind in PLACE_KINDS | {IGO}:
        return entity.kind
    if mention.type in (LOC, LOCORG) and _state_like(mention, analysis):
        return COUNTRY
    if _lemma_key(analysis, mention) in cues().seat_of_power:
        return SEAT
    return None


def _lemma_key(analysis: Analysis, mention: Mention) -> str:
    sentence = _sentence(analysis, mention)
    if sentence is None:
        return mention.text.lower()
    return " ".join(t.lemma or t.text.lower() for t in sentence.tokens[slice(*_span(sentence, mention))])


def _capital(analysis: Analysis, mention: Mention) -> bool:
    from . import gazetteer
    entity = analysis.entity(mention.entity)
    place = gazetteer.by_code(entity.code) if entity is not None and entity.code else None
    return place is not None and place.kind == "city" and bool(place.capital_of)


def _state_like(mention: Mention, analysis: Analysis) -> bool:
    c = cues()
    sentence = _sentence(analysis, mention)
    if sentence is None:
        return False
    first, last = _span(sentence, mention)
    lemmas = [t.lemma or t.text.lower() for t in sentence.tokens[first:last]]
    if " ".join(lemmas) in c.state_name or mention.text.lower() in c.state_name:
        return True
    return any(l in c.state_word for l in lemmas) and mention.text[:1].isupper()


def _make(analysis: Analysis, sentence_index: int, tokens: list[Token], type_: str,
          source: str, entity: Optional[str] = None) -> Mention:
    sentence = analysis.sentences[sentence_index]
    start, stop = tokens[0].start, tokens[-1].stop
    text = sentence.text[start - sentence.start:stop - sentence.start]
    return Mention(start, stop, text, type_, _normal(tokens, text),
                   entity=entity, sentence=sentence_index, source=source)


def _normal(tokens: list[Token], text: str) -> str:
    if not all(t.pos for t in tokens):
        return text
    from ..nlp import get_nlp
    return get_nlp().normalize(tokens)


# -- splitting ---------------------------------------------------------------
def _split(mention: Mention, analysis: Analysis) -> list[Mention]:
    from . import gazetteer
    sentence = _sentence(analysis, mention)
    if sentence is None or mention.source == "anaphor":
        return [mention]
    first, last = _span(sentence, mention)
    tokens = sentence.tokens[first:last]
    separators = HARD_SEPARATORS | (SOFT_SEPARATORS if mention.type in (PER, LOC, LOCORG) else set())
    if not any(t.text in separators for t in tokens):
        return [mention]
    parts, current = [], []
    for token in tokens:
        if token.text in separators:
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    out = []
    for part in parts:
        while part and not any(ch.isalnum() for ch in part[0].text):
            part = part[1:]
        while part and not any(ch.isalnum() for ch in part[-1].text):
            part = part[:-1]
        if not part or not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in part):
            continue
        piece = _make(analysis, mention.sentence, part, mention.type, mention.source)
        piece.entity = None     # found again by _reindex
        place = gazetteer.resolve([t.text for t in part])
        if place is not None:   # "Монако • Намибия" was one PER to NER
            piece.type = ORG if place.kind == "igo" else LOC
        out.append(piece)
    return out


def _trim_title(mention: Mention, analysis: Analysis) -> bool:
    """An office before an organisation is no part of its name: "Замглавы
    Федеральной миграционной службы" -> "Федеральной миграционной службы";
    an office alone is no organisation. False: drop the mention."""
    if mention.type != ORG or mention.source == "anaphor":
        return True
    sentence = _sentence(analysis, mention)
    if sentence is None:
        return True
    first, last = _span(sentence, mention)
    if first < 0 or sentence.tokens[first].lemma not in cues().office:
        return True
    if last - first == 1:
        return False
    mention.entity = None       # found again by _reindex
    _reshape(mention, sentence, first + 1, last)
    return True


# -- organisations -----------------------------------------------------------
def _genitive_place(tokens: list[Token], mention: Mention) -> bool:
    """Is this place mention in the genitive (or an indeclinable short form
    that may be one: "РФ", "США", "Сочи")?"""
    first = tokens[0]
    case = first.feats.get("Case")
    if case == "Gen":
        return True
    return mention.text.isupper() or case is None


def _extend_organisations(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """ORG + genitive place -> one ORG ("МИД" "РФ" -> "МИД РФ"), the place
    inside LOCORG; ORG + genitive ORG -> one ORG ("Палаты представителей
    Конгресса США"), the inner one kept; a relational place adjective before
    an ORG joins it ("японского МИДа")."""
    from . import gazetteer
    by_start = {m.start: m for m in mentions}
    # right to left, so that a body is extended before the body it belongs to
    for mention in sorted(mentions, key=lambda m: -m.start):
        if mention.type != ORG:
            continue
        sentence = _sentence(analysis, mention)
        if sentence is None:
            continue
        first, last = _span(sentence, mention)
        if first < 0:
            continue
        if last < len(sentence.tokens):
            nxt = by_start.get(sentence.tokens[last].start)
            if nxt is not None and nxt.type in (LOC, LOCORG) and _place_kind(analysis, nxt) \
                    and _place_kind(analysis, nxt) != IGO:
                f2, l2 = _span(sentence, nxt)
                if _genitive_place(sentence.tokens[f2:l2], nxt):
                    _reshape(mention, sentence, first, l2)
                    nxt.type = LOCORG
                    last = l2
            elif nxt is not None and nxt.type == ORG and nxt.source != "anaphor" \
                    and sentence.tokens[last - 1].pos == "NOUN":
                # a body of another organisation: "Палаты представителей"
                # "Конгресса США" -> one ORG, the inner one kept
                f2, l2 = _span(sentence, nxt)
                if _genitive_place(sentence.tokens[f2:l2], nxt):
                    _reshape(mention, sentence, first, l2)
                    last = l2
        if first > 0:
            prev = sentence.tokens[first - 1]
            if prev.pos == "ADJ" and prev.text.islower() \
                    and gazetteer.adjective_country(prev.text) \
                    and not any(m.start <= prev.start < m.stop for m in mentions):
                _reshape(mention, sentence, first - 1, last)
    return mentions


def _reshape(mention: Mention, sentence: Sentence, first: int, last: int) -> None:
    tokens = sentence.tokens[first:last]
    mention.start, mention.stop = tokens[0].start, tokens[-1].stop
    mention.text = sentence.text[mention.start - sentence.start:mention.stop - sentence.start]
    mention.normal = _normal(tokens, mention.text)


def _descriptor_organisations(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """descriptor noun + genitive place -> ORG ("правительства Китая"); the
    same with a genitive organisation, a body of it ("комиссия ЕС",
    "президентского совета ФИДЕ"), the inner name kept."""
    c = cues()
    taken = [(m.start, m.stop) for m in mentions]
    added = []
    by_start = {m.start: m for m in mentions}
    for index, sentence in enumerate(analysis.sentences):
        tokens = sentence.tokens
        for i, token in enumerate(tokens[:-1]):
            if token.pos != "NOUN" or token.lemma not in c.org_head:
                continue
            place = by_start.get(tokens[i + 1].start)
            if place is None or place.type not in (LOC, LOCORG, ORG):
                continue
            if place.type != ORG:
                kind = _place_kind(analysis, place)
                if kind is None or kind == IGO:
                    continue
            f2, l2 = _span(sentence, place)
            if not _genitive_place(tokens[f2:l2], place):
                continue
            if any(s < token.stop and token.start < e for s, e in taken):
                continue
            first = i
            # agreeing modifiers belong to the name: "правоохранительными органами"
            while first > 0 and tokens[first - 1].pos == "ADJ" \
                    and tokens[first - 1].feats.get("Case") == token.feats.get("Case") \
                    and not any(s <= tokens[first - 1].start < e for s, e in taken):
                first -= 1
            org = _make(analysis, index, tokens[first:l2], ORG, "rule")
            if place.type != ORG:
                place.type = ORG if _place_kind(analysis, place) == SEAT else LOCORG
            added.append(org)
            taken.append((org.start, org.stop))
    return _adjective_organisations(mentions + added, analysis)


def _adjective_organisations(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """relational place adjective + descriptor noun + genitive complement ->
    ORG ("американского министерства иностранных дел", "российском
    министерстве финансов"): the complement makes the descriptor a name, the
    adjective says whose body it is, as a genitive place would."""
    from . import gazetteer
    c = cues()
    added, dropped = [], set()
    for index, sentence in enumerate(analysis.sentences):
        tokens = sentence.tokens
        taken = [(m.start, m.stop, m) for m in mentions + added if m.sentence == index]
        for i, token in enumerate(tokens):
            if token.pos != "NOUN" or token.lemma not in c.org_head or i == 0:
                continue
            if any(s < token.stop and token.start < e and m.type in (ORG, PER) for s, e, m in taken):
                continue
            case = token.feats.get("Case")
            first = i
            while first > 0 and tokens[first - 1].pos == "ADJ" \
                    and tokens[first - 1].feats.get("Case") == case:
                first -= 1
            geo = [t for t in tokens[first:i] if gazetteer.adjective_country(t.text)]
            if not geo:
                continue
            first = tokens.index(geo[0])
            last = i + 1
            while last < len(tokens) and last - i <= 3 and tokens[last].text.islower() \
                    and tokens[last].pos in ("NOUN", "ADJ") \
                    and tokens[last].feats.get("Case") == "Gen" \
                    and tokens[last].lemma not in c.org_head:
                last += 1
            while last > i + 1 and tokens[last - 1].pos != "NOUN":
                last -= 1
            if last == i + 1:
                # without a complement the noun is generic ("эстонская полиция",
                # "российского правительства"): FactRuEval gives such phrases
                # no name, and a state adjective alone is not an organisation
                continue
            span = tokens[first:last]
            inside = [m for s, e, m in taken if span[0].start <= s and e <= span[-1].stop]
            if any(m.type in (ORG, PER) for m in inside):
                continue
            for m in inside:            # natasha's "Кипрское" LOC is part of the name
                dropped.add(id(m))
            org = _make(analysis, index, span, ORG, "rule")
            added.append(org)
            taken.append((org.start, org.stop, org))
    return [m for m in mentions if id(m) not in dropped] + added


# -- names NER missed --------------------------------------------------------
OPENING_QUOTES = {"«": "»", "\"": "\"", "„": "“", "“": "”"}


def _quoted_names(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """A name in quotes after a word for a kind of organisation is an
    organisation: 'институт «Коллективное действие»', 'концерн «Фольксваген»',
    'газета "Ла стампа"'. The descriptor is part of the mention."""
    c = cues()
    added = []
    for index, sentence in enumerate(analysis.sentences):
        tokens = sentence.tokens
        taken = [(m.start, m.stop) for m in mentions + added if m.sentence == index]
        for i, token in enumerate(tokens[:-2]):
            if token.lemma not in c.org_kind or token.pos not in ("NOUN", "PROPN"):
                continue
            closing = OPENING_QUOTES.get(tokens[i + 1].text)
            if closing is None or not tokens[i + 2].text[:1].isupper():
                continue
            end = next((k for k in range(i + 2, min(len(tokens), i + 10))
                        if tokens[k].text == closing or tokens[k].text in "»”“\""), None)
            if end is None or end == i + 2:
                continue
            name = tokens[i + 2:end]
            if any(s < name[-1].stop and name[0].start < e for s, e in taken):
                continue
            if any(s < token.stop and token.start < e for s, e in taken):
                continue
            added.append(_make(analysis, index, tokens[i:end + 1], ORG, "rule"))
            taken.append((token.start, tokens[end].stop))
    return mentions + added


def _parenthesised_names(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """An abbreviation or the original spelling in parentheses right after an
    organisation's name is another name of it: "Комитет защиты журналистов
    (КЗЖ)", 'концерн «Фольксваген» (Volkswagen)'."""
    added = []
    for mention in mentions:
        if mention.type != ORG:
            continue
        sentence = _sentence(analysis, mention)
        if sentence is None:
            continue
        tokens = sentence.tokens
        _, last = _span(sentence, mention)
        while 0 <= last < len(tokens) and tokens[last].text in "»”“\"":
            last += 1       # 'концерн «Фольксваген» (Volkswagen)'
        if last < 0 or last + 2 >= len(tokens) or tokens[last].text != "(":
            continue
        close = next((k for k in range(last + 1, min(len(tokens), last + 8))
                      if tokens[k].text == ")"), None)
        if close is None or close == last + 1:
            continue
        inner = tokens[last + 1:close]
        if not all(t.text[:1].isupper() or not t.text.isalpha() or _latin(t.text) for t in inner):
            continue
        if not inner[0].text[:1].isupper():
            continue
        if any(m.start < inner[-1].stop and inner[0].start < m.stop for m in mentions + added):
            continue
        added.append(_make(analysis, mention.sentence, inner, ORG, "rule"))
    return mentions + added


def _latin(word: str) -> bool:
    return all("a" <= ch.lower() <= "z" or not ch.isalpha() for ch in word)


def _repeated_names(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """A name NER tagged somewhere in the document is the same name where it
    comes again untagged ("WFC имеет все шансы" after "World Fashion Channel
    (WFC)"): abbreviations and one-word organisation names, exact form."""
    forms: dict[str, str] = {}
    for mention in mentions:
        if mention.type == ORG and " " not in mention.text and len(mention.text) >= 2 \
                and mention.text[:1].isupper():
            forms.setdefault(mention.text, ORG)
    if not forms:
        return mentions
    added = []
    taken = [(m.start, m.stop) for m in mentions]
    for index, sentence in enumerate(analysis.sentences):
        for token in sentence.tokens:
            kind = forms.get(token.text)
            if kind is None or any(s < token.stop and token.start < e for s, e in taken):
                continue
            added.append(_make(analysis, index, [token], kind, "rule"))
            taken.append((token.start, token.stop))
    return mentions + added


def _person_consistency(mentions: list[Mention], analysis: Analysis) -> list[Mention]:
    """A place NER found that the gazetteer does not know, sharing a name
    word with a person of the same document, is that person ("о Свиридове"
    after "Егора Свиридова"); a lone place adjective ("Кипрское
    правительство") is no name at all."""
    words = set()
    for mention in mentions:
        if mention.type == PER:
            sentence = _sentence(analysis, mention)
            if sentence is not None:
                first, last = _span(sentence, mention)
                words.update(t.lemma for t in sentence.tokens[first:last]
                             if t.lemma and t.text[:1].isupper() and len(t.text) > 2)
    out = []
    for mention in mentions:
        if mention.type in (LOC, LOCORG) and mention.source != "anaphor":
            sentence = _sentence(analysis, mention)
            first, last = _span(sentence, mention) if sentence is not None else (-1, -1)
            tokens = sentence.tokens[first:last] if first >= 0 else []
            if len(tokens) == 1 and tokens[0].pos == "ADJ":
                continue
            if tokens and _place_kind(analysis, mention) is None \
                    and any(t.lemma in words for t in tokens if t.text[:1].isupper()):
                mention.type = PER
                mention.entity = None       # found again by _reindex
        out.append(mention)
    return out


# -- places ------------------------------------------------------------------
def _type_places(mentions: list[Mention], analysis: Analysis) -> None:
    inside_org = [(m.start, m.stop) for m in mentions if m.type == ORG]
    decided: dict[int, str] = {}    # token start -> type, for coordinated lists
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.type not in (LOC, LOCORG) or mention.source == "anaphor":
            continue
        if any(s <= mention.start and mention.stop <= e and (s, e) != (mention.start, mention.stop)
               for s, e in inside_org):
            mention.type = LOCORG   # the owner of a body: "МИД России"
            continue
        kind = _place_kind(analysis, mention)
        if kind not in PLACE_KINDS and kind != SEAT:
            continue
        if kind == CITY and _capital(analysis, mention):
            kind = CAPITAL      # may stand for its state: "Москва ответила Киеву"
        sentence = _sentence(analysis, mention)
        if sentence is None:
            continue
        if kind == SEAT:
            # the building is a place; the government it houses an organisation
            mention.type = ORG if _place_type(sentence, mention, CAPITAL, decided) == LOCORG else LOC
            continue
        mention.type = _place_type(sentence, mention, kind, decided)
        first, _ = _span(sentence, mention)
        if first >= 0:
            decided[sentence.tokens[first].start] = mention.type


def _place_type(sentence: Sentence, mention: Mention, kind: str,
                decided: dict[int, str]) -> str:
    c = cues()
    tokens = sentence.tokens
    first, last = _span(sentence, mention)
    if first < 0:
        return mention.type
    head = tokens[first]
    case = head.feats.get("Case")
    # the word the name depends on: skip agreeing adjectives ("в соседней Эфиопии")
    j = first - 1
    while j >= 0 and tokens[j].pos in ("ADJ", "DET", "NUM") :
        j -= 1
    prev = tokens[j] if j >= 0 else None
    prev_lemma = (prev.lemma or prev.text.lower()) if prev else ""
    nxt = tokens[last] if last < len(tokens) else None
    if first == 0 and last == len(tokens):
        return LOC      # a name alone on its line: a heading, nobody acts
    if prev is not None and prev.pos == "ADP":
        if kind in STATE_KINDS and prev_lemma in ("в", "во") \
                and any((t.lemma or "") in c.envoy for t in tokens[max(0, j - 3):j]):
            return LOCORG   # accredited to the state: "посол Японии в России"
        if prev_lemma == "от" and any((t.lemma or t.text) == "до" for t in tokens[last:last + 4]):
            return LOC      # "от Венесуэлы до Кубы": a stretch of space
        if prev_lemma in c.place_prep:
            return LOC
        if kind in STATE_KINDS:
            return LOCORG
        if kind == CAPITAL and prev_lemma in c.partner_prep:
            return LOCORG
        return LOC
    if case == "Loc":
        return LOC      # the prepositional case: a place after "в", "на"
    if prev is not None and prev.text == "(" and nxt is not None and nxt.text in (")", ","):
        return LOC      # origin after a name: "Топалов (Болгария)"
    if prev is not None and prev.text in COORDINATORS:
        # "в Китае, Кубе и Эритрее": a conjunct shares the type of the first
        k = j - 1
        while k >= 0 and not tokens[k].text[:1].isupper():
            k -= 1
        if k >= 0:
            start = k
            while start > 0 and tokens[start - 1].text[:1].isupper():
                start -= 1
            for t in tokens[start:k + 1]:
                if t.start in decided and decided[t.start] == LOC \
                        and tokens[k].feats.get("Case") == case:
                    return LOC
    if prev is not None and prev.pos in ("NOUN", "PROPN") and case == "Gen":
        if kind in STATE_KINDS and prev_lemma in c.polity_part:
            return LOCORG   # the state's own divisions: "регионы России"
        if prev_lemma in c.place_noun:
            return LOC
        if kind in STATE_KINDS or kind == CAPITAL or prev_lemma in c.org_head \
                or _office(prev_lemma):
            return LOCORG
        return LOC
    if kind in STATE_KINDS:
        return LOCORG
    if case == "Nom" and _followed_by_verb(tokens, last):
        return LOCORG   # "Москва ответила"
    if kind == CAPITAL and case == "Ins" and prev is not None \
            and prev.feats.get("Voice") == "Pass":
        return LOCORG   # the agent of a passive: "эмбарго, наложенное Вашингтоном"
    return LOC


def _office(lemma: str) -> bool:
    """A noun for an office held for a place: "мэр Москвы", "губернатор
    Калифорнии"."""
    return lemma in cues().office


CLAUSE_ENDS = {",", ".", "!", "?", ";", ":", "—", "–", "«", "»", '"', "(", ")"}


def _followed_by_verb(tokens: list[Token], last: int) -> bool:
    """A finite verb follows in the same clause ("Вашингтон на такую замену
    отреагировал"), before any other noun in the nominative."""
    for token in tokens[last:last + 6]:
        if token.text in CLAUSE_ENDS or token.lemma in ("и", "или", "который"):
            return False
        if token.pos in ("VERB", "AUX") and "VerbForm" in token.feats \
                and token.feats["VerbForm"] == "Fin":
            return True
        if token.pos in ("NOUN", "PROPN", "PRON") and token.feats.get("Case") == "Nom":
            return False
    return False


# -- entities ----------------------------------------------------------------
def _reindex(analysis: Analysis, mentions: list[Mention]) -> None:
    """Give every mention an entity and renumber Entity.mentions."""
    from . import gazetteer
    mentions.sort(key=lambda m: (m.start, -m.stop))
    entities = {e.id: e for e in analysis.entities}
    by_key = {e.key: e for e in analysis.entities}
    number = len(entities)

    def new_entity(kind: str, name: str, **extra) -> Entity:
        nonlocal number
        number += 1
        while f"e{number}" in entities:
            number += 1
        entity = Entity(f"e{number}", kind, name, **extra)
        entities[entity.id] = entity
        by_key[entity.key] = entity
        analysis.entities.append(entity)
        return entity

    for mention in mentions:
        if mention.entity in entities:
            continue
        words = mention.text.split()
        if mention.type == PER:
            name_words = {w.lower().replace("ё", "е") for w in (mention.normal or mention.text).split()}
            entity = next((e for e in analysis.entities if e.kind == PERSON and name_words
                           <= {w.lower().replace("ё", "е") for w in e.name.split()}), None)
            if entity is None:
                entity = new_entity(PERSON, mention.normal or mention.text)
        else:
            place = gazetteer.resolve(words) if mention.type != ORG or mention.source != "rule" else None
            if place is not None:
                kind = KIND_OF_PLACE.get(place.kind, PLACE)
                entity = by_key.get(f"{kind}:{place.code}") or new_entity(
                    kind, place.name, country=place.country, code=place.code,
                    sector="GOV" if place.kind in ("country", "igo") else None,
                    parent=getattr(place, "parent", None))
            else:
                kind = ORGANISATION if mention.type == ORG else PLACE
                name = mention.normal or mention.text
                country, sector = _owner(mention, mentions, entities, analysis)
                entity = by_key.get(f"{kind}:{name}") or new_entity(
                    kind, name, country=country, sector=sector)
        mention.entity = entity.id
    for entity in analysis.entities:
        entity.mentions = []
    for index, mention in enumerate(mentions):
        if mention.entity in entities:
            entities[mention.entity].mentions.append(index)
    analysis.entities = [e for e in analysis.entities if e.mentions]
    analysis.mentions = mentions


def _owner(org: Mention, mentions: list[Mention], entities: dict,
           analysis: Analysis) -> tuple[Optional[str], Optional[str]]:
    """Country and PLOVER sector of an organisation named by a descriptor:
    the country of the place or place adjective in its name, the sector of
    its head noun in svodka/data/actor_nouns.tsv ("правительство Японии" ->
    JPN, GOV; "парламент Грузии" -> GEO, LEG)."""
    from . import gazetteer
    if org.type != ORG:
        return None, None
    country = None
    for m in mentions:
        if m is not org and org.start <= m.start and m.stop <= org.stop:
            entity = entities.get(m.entity)
            if entity is not None and entity.country:
                country = entity.country
                break
    sentence = _sentence(analysis, org)
    tokens = sentence.tokens[slice(*_span(sentence, org))] if sentence is not None else []
    if country is None:
        country = next((gazetteer.adjective_country(t.text) for t in tokens
                        if t.pos == "ADJ" and gazetteer.adjective_country(t.text)), None)
    sectors = _actor_sectors()
    sector = next((sectors[t.lemma] for t in tokens if t.pos == "NOUN" and t.lemma in sectors), None)
    return country, sector


_SECTORS: Optional[dict[str, str]] = None


def _actor_sectors() -> dict[str, str]:
    global _SECTORS
    if _SECTORS is None:
        _SECTORS = {}
        path = DATA / "actor_nouns.tsv"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                cells = line.split("\t")
                if len(cells) >= 2 and not line.startswith("#") and cells[0] != "lemma":
                    _SECTORS.setdefault(cells[0].strip(), cells[1].strip())
    return _SECTORS
