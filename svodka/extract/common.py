"""What the extractors share: lexicon files, mentions per sentence, entity
look-ups and nominative forms of phrases."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from ..lemma import lemma, lemmas
from ..model import ORG, PER, Analysis, Entity, Mention, Sentence, Token

DATA = Path(__file__).resolve().parents[1] / "data"


def data_lines(name: str) -> list[list[str]]:
    """Tab-separated rows of a data file, comments and blank lines skipped."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def word_list(name: str) -> list[str]:
    return [row[0] for row in data_lines(name)]


def key(text: str) -> tuple[str, ...]:
    """Lemma key of a phrase as written in a lexicon."""
    return tuple(lemma(w) for w in text.replace("ё", "е").split())


def token_lemmas(token: Token) -> frozenset[str]:
    """pymorphy's lemmas of the word and the tagger's lemma."""
    return _lemma_set(token.text, token.lemma)


def ordered_lemmas(token: Token) -> tuple[str, ...]:
    """The tagger's lemma, then pymorphy's lemmas in pymorphy's order."""
    return _lemma_order(token.text, token.lemma)


@lru_cache(maxsize=200_000)
def _lemma_order(text: str, tagger_lemma: str) -> tuple[str, ...]:
    first = (tagger_lemma,) if tagger_lemma else ()
    return tuple(dict.fromkeys(first + (lemmas(text) if text else ())))


@lru_cache(maxsize=200_000)
def _lemma_set(text: str, tagger_lemma: str) -> frozenset[str]:
    # every cue filter asks this of every token: made once per word
    out = set(lemmas(text)) if text else set()
    if tagger_lemma:
        out.add(tagger_lemma)
    return frozenset(out)


@dataclass
class Title:
    words: tuple[str, ...]    # as written
    office: str
    sector: str
    role: int                 # leading words that are the role itself


@lru_cache(maxsize=1)
def titles() -> list[Title]:
    out = []
    for row in data_lines("positions.tsv"):
        words = tuple(row[0].split())
        role = int(row[3]) if len(row) > 3 and row[3] else len(words)
        out.append(Title(words, row[1], row[2] if len(row) > 2 else "GOV", role))
    return out


@lru_cache(maxsize=1)
def position_words() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in data_lines("position_words.tsv"):
        out.setdefault(row[1], []).append(row[0])
    return out


@lru_cache(maxsize=1)
def title_index() -> dict[tuple[str, ...], Title]:
    """Lemma key -> title (first entry wins)."""
    out = {}
    for title in titles():
        out.setdefault(key(" ".join(title.words)), title)
    return out


@lru_cache(maxsize=1)
def title_first_words() -> frozenset[str]:
    out = set()
    for title in titles():
        out.update(lemmas(title.words[0].replace("ё", "е")))
    for prefix in position_words().get("prefix", []):
        out.add(prefix)
    return frozenset(out)


def match_title(tokens: Sequence[Token]) -> Optional[Title]:
    """The title the tokens spell (by lemmas), allowing an "экс-" style prefix
    on the first word."""
    index = title_index()
    # lemmas in a fixed order (the tagger's first): when two readings spell
    # titles, the one found must not depend on a set's hash order
    options = [ordered_lemmas(t) for t in tokens]
    if options:
        first = list(options[0])
        for prefix in position_words().get("prefix", []):
            for lem in options[0]:
                if lem.startswith(prefix + "-"):
                    first.extend(lemmas(tokens[0].text[len(prefix) + 1:]))
        options[0] = tuple(dict.fromkeys(first))

    def walk(i, acc):
        if i == len(options):
            return index.get(tuple(acc))
        for lem in options[i]:
            found = walk(i + 1, acc + [lem])
            if found:
                return found
        return None
    return walk(0, [])


# -- mentions and entities ----------------------------------------------------
def sentence_mentions(analysis: Analysis) -> dict[int, list[int]]:
    """Sentence index -> indices of the mentions inside it."""
    out: dict[int, list[int]] = {}
    for i, mention in enumerate(analysis.mentions):
        index = mention.sentence
        if index < 0:
            index = _sentence_of(analysis.sentences, mention.start)
        if index >= 0:
            out.setdefault(index, []).append(i)
    return out


def _sentence_of(sentences: Sequence[Sentence], start: int) -> int:
    for i, s in enumerate(sentences):
        if s.start <= start < s.stop:
            return i
    return -1


def mention_at(analysis: Analysis, mentions: Sequence[int], sentence: Sentence,
               first: int, last: int, types=None) -> Optional[int]:
    """The mention (index) covering tokens first..last of the sentence, the
    longest one overlapping them."""
    if not sentence.tokens:
        return None
    start = sentence.tokens[first].start
    stop = sentence.tokens[last].stop
    best = None
    for i in mentions:
        m = analysis.mentions[i]
        if types and m.type not in types:
            continue
        if m.start < stop and m.stop > start:
            if best is None or (m.stop - m.start) > (analysis.mentions[best].stop - analysis.mentions[best].start):
                best = i
    return best


def entity_of(analysis: Analysis, mention_index: Optional[int]) -> Optional[Entity]:
    if mention_index is None:
        return None
    mention = analysis.mentions[mention_index]
    if mention.entity:
        return analysis.entity(mention.entity)
    for entity in analysis.entities:
        if mention_index in entity.mentions:
            return entity
    return None


def mention_name(analysis: Analysis, mention_index: Optional[int]) -> str:
    """The entity's canonical name, or the mention's normal form."""
    if mention_index is None:
        return ""
    entity = entity_of(analysis, mention_index)
    if entity and entity.name:
        return entity.name
    mention = analysis.mentions[mention_index]
    return mention.normal or mention.text


def mention_text(analysis: Analysis, mention_index: Optional[int]) -> str:
    """The mention's own normal form (the name as this text writes it: "КНР"
    where the entity is canonically "Китай")."""
    if mention_index is None:
        return ""
    mention = analysis.mentions[mention_index]
    if mention.type == ORG and 0 <= mention.sentence < len(analysis.sentences):
        # an organisation's name: only its head group declines ("Промышленный
        # и коммерческий банк Китая", not "... банк Китай")
        tokens = [t for t in analysis.sentences[mention.sentence].tokens
                  if t.start < mention.stop and t.stop > mention.start]
        if len(tokens) > 1:
            return nominative(tokens)
    return mention.normal or mention.text


def person_key(analysis: Analysis, mention_index: int) -> str:
    """Identity of a person: the entity id, or the mention's surname lemma
    until linking has run."""
    entity = entity_of(analysis, mention_index)
    if entity:
        return entity.id
    normal = analysis.mentions[mention_index].normal or analysis.mentions[mention_index].text
    return "name:" + normal.split()[-1].lower() if normal.split() else normal


# -- nominative phrases -------------------------------------------------------
NOUN_POS = {"NOUN", "PROPN"}


def nominative(tokens: Sequence[Token]) -> str:
    """The phrase with its head group (leading adjectives and the first noun)
    in the nominative, the rest as written: "бывшего главы МИД России" ->
    "бывший глава МИД России"."""
    from ..lemma import _analyzer
    words = []
    head_done = False
    number = "sing"
    for token in tokens:
        if token.pos in NOUN_POS:
            number = "plur" if token.feats.get("Number") == "Plur" else "sing"
            break
    for token in tokens:
        text = token.text
        if head_done:
            words.append(text)
            continue
        if token.pos in NOUN_POS:
            head_done = True
        if token.pos in NOUN_POS or token.pos in ("ADJ", "DET", "VERB"):
            words.append(_inflect(_analyzer(), token, number) or text)
        else:
            words.append(text)
    out = " ".join(words)
    # keep the spacing of hyphens and quotation marks as written
    return out.replace(" - ", "-").replace("« ", "«").replace(" »", "»")


def _inflect(morph, token: Token, number: str) -> Optional[str]:
    text = token.text
    if token.feats.get("Case") == "Nom" or (token.pos in NOUN_POS and not token.feats.get("Case")):
        return text
    want = {"NOUN"} if token.pos in NOUN_POS else {"ADJF", "PRTF"}
    case = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs",
            "Ins": "ablt", "Loc": "loct"}.get(token.feats.get("Case", ""))
    try:
        parses = [p for p in morph.parse(text) if p.tag.POS in want]
        if case:
            parses = [p for p in parses if p.tag.case == case] or parses
        if token.lemma:
            # the tagger's lemma picks the word ("запасным": запасной)
            parses = [p for p in parses if p.normal_form.replace("ё", "е") == token.lemma] or parses
        if not parses:
            return None
        grams = {"nomn"}
        if token.pos not in NOUN_POS:
            gender = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}.get(token.feats.get("Gender", ""))
            grams.add("plur" if number == "plur" else "sing")
            if gender and number != "plur":
                grams.add(gender)
        else:
            grams.add("plur" if number == "plur" else "sing")
        form = parses[0].inflect(grams)
        if not form:
            return None
        word = form.word
        if text[:1].isupper():
            word = word[:1].upper() + word[1:]
        if text.isupper() and len(text) > 1:
            word = word.upper()
        return word
    except Exception:
        return None


# -- places ---------------------------------------------------------------------
def _gazetteer():
    try:
        from ..link import gazetteer
        return gazetteer
    except Exception:  # the gazetteer is optional at this stage
        return None


def adjective_country(token: Token) -> Optional[str]:
    """ISO3 of the country a relative adjective names ("российский" -> RUS)."""
    g = _gazetteer()
    if g is None or token.pos != "ADJ":
        return None
    try:
        return g.adjective_country(token.text)
    except Exception:
        return None


def country_name(code: str) -> str:
    g = _gazetteer()
    if g is not None:
        try:
            place = g.by_code(code)
            if place is not None:
                return place.name
        except Exception:
            pass
    return code


def place_of(words: list[str]):
    g = _gazetteer()
    if g is None or not words:
        return None
    try:
        return g.resolve(words)
    except Exception:
        return None
