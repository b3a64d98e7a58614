"""Occupation facts: who holds which position where.

Two levels. A yargy grammar over natasha's tokens (see :mod:`.grammar`)
finds position phrases, built from the lexicons ``svodka/data/positions.tsv``
and ``position_words.tsv``::

    POSITION = MODIFIER{0,2} TITLE [FIELD] [TITLE in the genitive]
    FIELD    = genitive common nouns after the title   "министр торговли", "руководитель проекта"
    WHERE    = ADJ* (NAME | «NAME» | BODY-NOUN) TAIL*  "Казахстана", "японского МИДа",
                                                        "движения «Левый фронт»"
    PHRASE   = POSITION [WHERE] [в|при|от|по ... ]

Then phrases are tied to the persons NER found (PER) by their place in the
sentence, chains of phrases included::

    PHRASE [, PHRASE]* PER          премьер-министр Казахстана Алихан Смаилов;
                                    депутат ..., сопредседатель ... Михаил Вельмакин
    PER , PHRASE [, PHRASE]*        Сергей Лавров, министр иностранных дел России
    PER - PHRASE | PER ( PHRASE )
    PER ... VERB [на пост] PHRASE   X назначен на должность министра; X является президентом
    PHRASE VERB PER                 капитаном стал Михаэль Баллак

A phrase before a person must agree with it in case where both show one
("президента России Владимир Путин" is no apposition). FIELD words belong to
the position for titles that take a field ("министр", role ``field`` in
position_words.tsv), otherwise they begin the place ("руководитель проекта
Mushroom works": where = "проект Mushroom works").
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

OPEN_QUOTES = {"«", "\"", "„", "“"}
CLOSE_QUOTES = {"»", "\"", "“", "”"}


def _name(kind: str):
    return rule(tag("B-" + kind), tag("I-" + kind).repeatable().optional())


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    words = common.position_words()
    starts, rest = set(), set()
    for title in common.titles():
        starts.add(title.words[0])
        rest.update(title.words[1:])
    CONT = dictionary(rest)
    # a title is a singular noun: "после" (ADP) is no "посол", "представители"
    # of a body are no one's office
    START = and_(dictionary(starts), or_(gram("NOUN"), gram("ADJF")), not_(gram("plur")))
    TITLE = rule(START, CONT.repeatable(max=4).optional()).named("title")
    TITLE2 = rule(and_(dictionary(starts), gram("gent")),
                  CONT.repeatable(max=4).optional()).named("title2")
    modifiers = words.get("modifier", [])
    single = {w for w in modifiers if " " not in w}
    multi = [rule(*[dictionary({x}) for x in w.split()]) for w in modifiers if " " in w]
    MOD = or_(rule(and_(dictionary(single), gram("ADJF"))), *multi)
    ADJ = and_(gram("ADJF"), tag("O"))

    # yargy's Earley parser loses matches when an optional part begins with
    # an optional part, so no rule here starts with one: "ADJ* X" is spelt
    # out as X | ADJ+ X.
    def adjs(item):
        return or_(rule(item), rule(ADJ.repeatable(max=3), item))

    BODY_WORD = dictionary(set(words.get("body", [])))
    COMMON_GEN = and_(gram("NOUN"), gram("gent"), tag("O"), not_(dictionary(starts)))
    FIELD_NOUN = and_(COMMON_GEN, gram("inan"), not_(BODY_WORD))
    FIELD = rule(adjs(FIELD_NOUN), rule(in_({"и"}), adjs(FIELD_NOUN)).optional()).named("field")
    FIELD_PP = rule(eq("по"), adjs(and_(gram("NOUN"), tag("O"))),
                    adjs(and_(gram("NOUN"), gram("gent"), tag("O"))).optional()).named("field")
    POSITION = rule(
        or_(rule(TITLE), rule(or_(MOD.named("mod"), rule(ADJ)).repeatable(max=3), TITLE)),
        or_(FIELD, FIELD_PP).optional(),
        TITLE2.optional(),
    ).named("position")

    NAME = or_(_name("LOC"), _name("ORG"), _name("LOCORG"))
    QUOTED = rule(in_(OPEN_QUOTES), not_(in_(CLOSE_QUOTES | {".", ","})).repeatable(max=6),
                  in_(CLOSE_QUOTES))
    HEAD = or_(adjs(NAME), adjs(QUOTED), adjs(and_(BODY_WORD, gram("gent"), tag("O"))))
    TAIL = or_(NAME, QUOTED,
               adjs(and_(gram("NOUN"), gram("gent"), tag("O"))),
               rule(in_({"по", "при"}), or_(NAME, adjs(and_(gram("NOUN"), tag("O"))))),
               rule(in_({"и"}), NAME),
               rule(in_({"и"}), adjs(and_(gram("NOUN"), gram("gent"), tag("O")))))
    WHERE = rule(HEAD, TAIL.repeatable(max=4).optional()).named("where")
    PP = rule(in_({"в", "во", "на", "от"}),
              or_(adjs(NAME), rule(adjs(and_(gram("NOUN"), tag("O"))), NAME.optional()))).named("pp")
    PHRASE = rule(POSITION, WHERE.optional(), PP.optional())
    return Grammar(PHRASE, prefixes=words.get("prefix", []))


@dataclass
class Phrase:
    start: int                    # token range of the whole phrase
    stop: int
    title_index: int
    role_tokens: list[int]        # the role as written
    where_tokens: list[int] = field(default_factory=list)
    case: Optional[str] = None
    country: Optional[str] = None   # ISO3 of a country adjective before the title
    country_word: Optional[str] = None  # that adjective, nominative masculine


@dataclass
class Occupation:
    who: int                      # mention index
    phrase: Phrase
    where_mention: Optional[int] = None
    sentence: int = 0


def _case(sentence: Sentence, indices: list[int]) -> Optional[str]:
    for i in indices:
        case = sentence.tokens[i].feats.get("Case")
        if case:
            return case
    return None


def _title(sentence: Sentence, indices: list[int]) -> Optional[tuple[int, int]]:
    """(index into titles, number of tokens) of the longest title the tokens
    begin with."""
    for length in range(len(indices), 0, -1):
        title = common.match_title([sentence.tokens[i] for i in indices[:length]])
        if title is not None:
            return _title_numbers()[id(title)], length
    return None


@lru_cache(maxsize=1)
def _title_numbers() -> dict[int, int]:
    """id of a title -> its index in ``common.titles()``."""
    return {id(t): i for i, t in enumerate(common.titles())}


def phrases(sentence: Sentence, tags: list[str], windows) -> list[Phrase]:
    g = grammar()
    titles = common.titles()
    field_words = _lexicon_lemmas("field")
    out = []
    for start, stop, match, offset in g.findall(sentence.tokens, tags, windows):
        parts = leaves(match, offset)
        title_tokens = parts.get("title", [])
        found = _title(sentence, title_tokens) if title_tokens else None
        lead = []
        while found is None and len(title_tokens) > 1 and sentence.tokens[title_tokens[0]].pos == "ADJ":
            # an adjective that may begin a title but does not here
            # ("федеральный | министр транспорта")
            lead.append(title_tokens[0])
            title_tokens = title_tokens[1:]
            found = _title(sentence, title_tokens)
        if found is None:
            continue
        t_index, length = found
        # an adjective the parse left before the title may begin a longer
        # one ("исполняющий обязанности | официального | представителя")
        before = title_tokens[0] - 1
        if before >= 0 and before in parts.get("position", []) and before not in parts.get("mod", []):
            longer = _title(sentence, [before] + title_tokens)
            if longer is not None and longer[1] > length:
                t_index, length = longer
                title_tokens = [before] + title_tokens
        fld = parts.get("field", [])
        if fld and length == len(title_tokens) and fld[0] == title_tokens[-1] + 1:
            # the parse may give a title's own words to FIELD
            # ("министр | иностранных дел"): the longest title wins
            longer = _title(sentence, title_tokens + fld)
            if longer is not None and longer[1] > length:
                t_index, length = longer
                taken = longer[1] - len(title_tokens)
                title_tokens = title_tokens + fld[:taken]
                fld = fld[taken:]
        # "Глава | МИД России": the parse gives "МИД" to the place, the
        # office is still the longer title "глава МИД"
        after = sorted(set(parts.get("where", [])))
        if after and length == len(title_tokens) and after[0] == title_tokens[-1] + 1:
            run = [after[0]]
            for i in after[1:]:
                if i != run[-1] + 1:
                    break
                run.append(i)
            longer = _title(sentence, title_tokens + run)
            if longer is not None and longer[1] > length and titles[longer[0]].role <= len(title_tokens):
                t_index = longer[0]
        title = titles[t_index]
        role_len = min(title.role, length)
        mods = [i for i in parts.get("mod", []) if i < title_tokens[0]] + lead
        role = mods + title_tokens[:role_len]
        # other adjectives before the title: a country's ("российский
        # президент") is the place, the rest ("известный") is dropped
        country = country_word = None
        for i in parts.get("position", []):
            if i < title_tokens[0] and i not in mods and country is None:
                country = common.adjective_country(sentence.tokens[i])
                if country:
                    country_word = sentence.tokens[i].lemma or sentence.tokens[i].text.lower()
        body = title_tokens[role_len:]
        # title words left over after the longest title are a place ("глава
        # региона" when only "глава" is a title)
        leftover = title_tokens[length:]
        # the title's head takes the field ("министр | связи и коммуникаций")
        last_lemmas = common.token_lemmas(sentence.tokens[title_tokens[0]]) \
            | common.token_lemmas(sentence.tokens[title_tokens[length - 1]])
        where = []
        if fld and last_lemmas & field_words and not body:
            role += fld
        else:
            where += fld
        second = parts.get("title2", [])
        deputy = common.token_lemmas(sentence.tokens[title_tokens[0]]) & _deputy_words() \
            or " ".join(title.words) in common.position_words().get("deputy", [])
        if second and deputy and _title(sentence, second) is not None:
            # "заместитель министра", "советник президента": one position
            role += second
        else:
            where += second
        where = sorted(set(body) | set(leftover) | set(where) | set(parts.get("where", [])))
        pp = parts.get("pp", [])
        if not where and pp and sentence.tokens[pp[0]].text.lower() == "от":
            where = pp[1:]
        where = _trim(sentence, where)
        out.append(Phrase(start, stop, t_index, sorted(set(role)), where,
                          _case(sentence, sorted(set(role))[:1] or [title_tokens[0]]), country,
                          country_word))
    return out


EDGE_POS = {"ADP", "CCONJ", "SCONJ", "PUNCT", "PART"}


def _trim(sentence: Sentence, indices: list[int]) -> list[int]:
    """Place tokens without conjunctions or prepositions at either edge."""
    while indices and sentence.tokens[indices[0]].pos in EDGE_POS:
        indices = indices[1:]
    while indices and sentence.tokens[indices[-1]].pos in EDGE_POS \
            and sentence.tokens[indices[-1]].text not in CLOSE_QUOTES:
        indices = indices[:-1]
    return indices


SPAN = 16  # tokens on either side of a person that a position phrase may take
LINKERS = {",", "—", "–", "-", "("}
CHAIN = {",", "и"}
PRED_GAP = 6


def _windows(sentence: Sentence, tags: list[str]) -> list[tuple[int, int]]:
    """Token ranges around each person that hold a title word (a cheap lemma
    filter before the parser runs)."""
    first_words = common.title_first_words()
    hits = [i for i, t in enumerate(sentence.tokens)
            if common.token_lemmas(t) & first_words]
    if not hits:
        return []
    out = []
    for first, stop in _persons(tags):
        start, end = max(0, first - SPAN), min(len(tags), stop + SPAN)
        if any(start <= h < end for h in hits):
            out.append((start, end))
    return out


def _persons(tags: list[str]) -> list[tuple[int, int]]:
    out = []
    for i, t in enumerate(tags):
        if t == "B-PER":
            stop = i + 1
            while stop < len(tags) and tags[stop] == "I-PER":
                stop += 1
            out.append((i, stop))
    return out


# animate masculine nouns share their genitive and accusative forms, and the
# tagger may pick either
SAME_FORM = {frozenset({"Gen", "Acc"})}


def _agrees(phrase: Phrase, case: Optional[str]) -> bool:
    return (not phrase.case or not case or phrase.case == case
            or frozenset({phrase.case, case}) in SAME_FORM)


def _before_parenthesis(tokens, index: int) -> int:
    """The index before a short parenthesis that ends at ``index``
    ("Генеральный секретарь Фронта (ОФДД) Наттавута Сайкыа"), else index."""
    if index >= 2 and tokens[index - 1].text == ")":
        for j in range(index - 2, max(-1, index - 7), -1):
            if tokens[j].text == "(":
                return j
            if tokens[j].text in (")", ".", ","):
                break
    return index


def link(sentence: Sentence, tags: list[str], found: list[Phrase]) -> list[tuple[tuple[int, int], Phrase]]:
    """(person token range, phrase) pairs by the placement rules above."""
    tokens = sentence.tokens
    verbs = _lexicon_lemmas("verb")
    posts = _lexicon_lemmas("post")
    by_start = {p.start: p for p in found}
    by_stop = {p.stop: p for p in found}
    out = []
    for p_start, p_stop in _persons(tags):
        cases = {t.feats.get("Case") for t in tokens[p_start:p_stop]} - {None}
        # a foreign first name does not decline: the surname's case counts
        case = _case(sentence, list(range(p_stop - 1, p_start - 1, -1)))
        # PHRASE [, PHRASE]* [(ABBR)] PER
        stop = _before_parenthesis(tokens, p_start)
        chain = []
        while stop in by_stop:
            phrase = by_stop[stop]
            chain.append(phrase)
            stop = phrase.start
            if stop - 1 >= 0 and tokens[stop - 1].text in CHAIN and (stop - 1) in by_stop:
                stop -= 1
        for i, phrase in enumerate(chain):
            if _agrees(phrase, case) or any(_agrees(phrase, c) for c in cases) \
                    or (i > 0 and phrase.case == "Nom") or phrase.start == 0:
                out.append(((p_start, p_stop), phrase))
        # PER , PHRASE [, PHRASE]*
        start = p_stop
        if start < len(tokens) and tokens[start].text in LINKERS:
            start += 1
            first = True
            while start in by_start:
                phrase = by_start[start]
                if first and not (_agrees(phrase, case) or phrase.case == "Nom"):
                    break
                if phrase.stop < len(tags) and tags[phrase.stop] == "B-PER":
                    break  # the phrase names the next person
                out.append(((p_start, p_stop), phrase))
                first = False
                start = phrase.stop
                if start < len(tokens) and tokens[start].text in CHAIN:
                    start += 1
                else:
                    break
        # PER ... VERB [на] [пост] PHRASE
        for v in range(p_stop, min(len(tokens), p_stop + PRED_GAP)):
            if tags[v] != "O" or tokens[v].text in (".", "!", "?", ";"):
                break
            if common.token_lemmas(tokens[v]) & verbs:
                j = v + 1
                while j < len(tokens) and j <= v + 3 and (
                        tokens[j].text.lower() == "на" or common.token_lemmas(tokens[j]) & posts):
                    j += 1
                if j in by_start:
                    out.append(((p_start, p_stop), by_start[j]))
                    break
                # "был | назначен послом": look on past an auxiliary
        # VERB PER PHRASE(ins) ("назвал Йенса Лемана первым вратарём")
        v = p_start - 1
        if v >= 0 and common.token_lemmas(tokens[v]) & verbs and p_stop in by_start \
                and by_start[p_stop].case == "Ins":
            out.append(((p_start, p_stop), by_start[p_stop]))
        # PHRASE VERB PER ("капитаном стал Баллак")
        v = p_start - 1
        if v >= 1 and common.token_lemmas(tokens[v]) & verbs and v in by_stop:
            phrase = by_stop[v]
            if phrase.case == "Ins":
                out.append(((p_start, p_stop), phrase))
    return out


def find(analysis: Analysis, by_sentence: dict[int, list[int]]) -> list[Occupation]:
    """Occupation candidates of every sentence that mentions a person."""
    out = []
    # the person mentions, listed once per document for _coreferent
    persons = [i for i, m in enumerate(analysis.mentions) if m.type == PER]
    for s_index in range(len(analysis.sentences)):
        mentions = by_sentence.get(s_index, [])
        if not any(analysis.mentions[m].type == PER for m in mentions):
            out.extend(_coreferent(analysis, s_index, mentions, persons))
            continue
        sentence = analysis.sentences[s_index]
        if not sentence.tokens:
            continue
        tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
        windows = _windows(sentence, tags)
        if not windows:
            continue
        found = phrases(sentence, tags, windows)
        for (p_start, p_stop), phrase in link(sentence, tags, found):
            who = common.mention_at(analysis, mentions, sentence, p_start, p_stop - 1, {PER})
            if who is None:
                continue
            where_mention = None
            if phrase.where_tokens:
                where_mention = common.mention_at(analysis, mentions, sentence, phrase.where_tokens[0],
                                                  phrase.where_tokens[-1], {LOC, ORG, LOCORG})
            out.append(Occupation(who, phrase, where_mention, s_index))
    return out


COREF_DISTANCE = 2   # sentences back that a title alone may point to


def _coreferent(analysis: Analysis, s_index: int, mentions: list[int],
                persons: Optional[list[int]] = None) -> list[Occupation]:
    """A title with its place as the subject of a sentence that names no one
    ("глава израильского правительства крайне непоследователен") speaks of
    the person named last, if one was named in the sentences just before."""
    sentence = analysis.sentences[s_index]
    if not sentence.tokens:
        return []
    first_words = common.title_first_words()
    hits = [i for i, t in enumerate(sentence.tokens) if common.token_lemmas(t) & first_words]
    if not hits:
        return []
    start = sentence.start
    if persons is None:
        persons = [i for i, m in enumerate(analysis.mentions) if m.type == PER]
    persons = [i for i in persons if analysis.mentions[i].stop <= start
               and 0 <= analysis.mentions[i].sentence
               and s_index - analysis.mentions[i].sentence <= COREF_DISTANCE]
    if not persons:
        return []
    tags = mention_tags(sentence, [analysis.mentions[m] for m in mentions])
    out = []
    for phrase in phrases(sentence, tags, [(max(0, i - 2), i + 12) for i in hits]):
        if phrase.case != "Nom" or not (phrase.where_tokens or phrase.country):
            continue
        where_mention = None
        if phrase.where_tokens:
            where_mention = common.mention_at(analysis, mentions, sentence, phrase.where_tokens[0],
                                              phrase.where_tokens[-1], {LOC, ORG, LOCORG})
        out.append(Occupation(persons[-1], phrase, where_mention, s_index))
        break
    return out


@lru_cache(maxsize=None)
def _lexicon_lemmas(role: str) -> frozenset[str]:
    """The lemmas of the words of a role in position_words.tsv."""
    out = set()
    for w in common.position_words().get(role, []):
        out.update(common.key(w))
    return frozenset(out)


@lru_cache(maxsize=1)
def _deputy_words() -> frozenset[str]:
    out = set()
    for w in common.position_words().get("deputy", []):
        if " " not in w:
            out.update(common.key(w))
    return frozenset(out)


@lru_cache(maxsize=1)
def _owner_words() -> frozenset[str]:
    out = set()
    for w in common.position_words().get("owner", []):
        out.update(common.key(w))
    return frozenset(out)


def _national(office: str) -> bool:
    first = common.key(office)
    return any(first[:len(k)] == k for k in _national_offices())


@lru_cache(maxsize=1)
def _national_offices() -> tuple:
    return tuple(common.key(w) for w in common.position_words().get("national", []))


def _main_country(analysis: Analysis) -> Optional[str]:
    """The country the document names most often (ties: the first named),
    for an office named without its country ("премьер-министр Михаил
    Фрадков"). Only a guess: kept apart from ``where``."""
    best, count = None, 0
    for entity in analysis.entities:
        if entity.kind != "country":
            continue
        n = len(entity.mentions)
        if n > count:
            best, count = entity, n
    if best is None:
        return None
    # named as the text names it most often ("РФ", "Россия")
    names = [common.mention_text(analysis, m) for m in best.mentions
             if 0 <= m < len(analysis.mentions)]
    return max(names, key=names.count) if names else best.name


def _where_kind(analysis: Analysis, entity_id: Optional[str], phrase: Phrase) -> str:
    """country, city, region, igo, organisation, place: the linked entity's
    kind, else a country for a country adjective, else an organisation."""
    entity = analysis.entity(entity_id) if entity_id else None
    if entity is not None and entity.kind:
        return entity.kind
    return "country" if phrase.country and not phrase.where_tokens else "organisation"


def _known(analysis: Analysis, mention: int) -> bool:
    """An organisation the gazetteer knows has a canonical name; another is
    named as written, its head in the nominative."""
    entity = common.entity_of(analysis, mention)
    return bool(entity and entity.code)


def facts(analysis: Analysis, occupations: list[Occupation]) -> list[Fact]:
    titles = common.titles()
    out: list[Fact] = []
    seen: dict[tuple, Fact] = {}
    for occ in occupations:
        sentence = analysis.sentences[occ.sentence]
        phrase = occ.phrase
        title = titles[phrase.title_index]
        tokens = [sentence.tokens[i] for i in phrase.role_tokens]
        position = common.nominative(tokens).lower() if tokens else " ".join(title.words)
        where = where_text = ""
        where_entity = None
        if phrase.where_tokens:
            w_tokens = [sentence.tokens[i] for i in phrase.where_tokens]
            mention = analysis.mentions[occ.where_mention] if occ.where_mention is not None else None
            if mention is not None and mention.start <= w_tokens[0].start and mention.stop >= w_tokens[-1].stop \
                    and (mention.type != ORG or _known(analysis, occ.where_mention)):
                where = common.mention_name(analysis, occ.where_mention)
                where_text = mention.normal or mention.text
            else:
                where = where_text = common.nominative(w_tokens)
            if occ.where_mention is not None:
                entity = common.entity_of(analysis, occ.where_mention)
                where_entity = entity.id if entity else None
        elif phrase.country:
            where = common.country_name(phrase.country)
            where_text = phrase.country_word or where
        who = common.mention_name(analysis, occ.who)
        who_entity = common.entity_of(analysis, occ.who)
        key = (common.person_key(analysis, occ.who), position, where.lower())
        args = {"who": who, "position": position, "office": title.office,
                "sector": title.sector}
        if who_entity:
            args["who_entity"] = who_entity.id
        if where:
            args["where"] = where
        if where_entity:
            args["where_entity"] = where_entity
        if where:
            args["where_kind"] = _where_kind(analysis, where_entity, phrase)
        if where_text and where_text != where:
            args["where_text"] = where_text     # as the text names it
        if key in seen:
            continue
        # the same person and position seen before without a place: this one
        # says more
        bare = (key[0], key[1], "")
        if where and bare in seen:
            out.remove(seen.pop(bare))
        elif not where and any(k[0] == key[0] and k[1] == key[1] for k in seen):
            continue
        if not where and _national(title.office):
            guess = _main_country(analysis)
            if guess:
                args["where_context"] = guess
        kind = "Occupation"
        if common.key(title.office)[:1] and common.key(title.office)[0] in _owner_words():
            # "владелец", "основатель": FactRuEval's Ownership, owner and property
            if not where:
                continue
            kind = "Ownership"
            args = {"owner": who, "property": where, "position": position}
            if where_text and where_text != where:
                args["property_text"] = where_text
            if who_entity:
                args["owner_entity"] = who_entity.id
            if where_entity:
                args["property_entity"] = where_entity
        fact = Fact(kind, args, sentence.start, sentence.stop)
        seen[key] = fact
        out.append(fact)
    return out
