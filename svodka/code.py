"""The ``code`` stage: PLOVER events from analysed Russian news.

Entry point: :func:`code` (``code(analysis, nlp)`` fills ``analysis.events``;
run after ``link`` and ``extract``, it uses their entities, Occupation facts
and quotes when present, and copes without them).

How it works (see ``shared/docs/events.md`` for the event model):

1. A cheap filter: a sentence is a candidate when its lemmas contain the
   anchor of a trigger of ``svodka/data/triggers.tsv`` (a lemma, or a few
   lemmas within 12 words, with a PLOVER category, the preposition and case
   that introduce the recipient, the roles, mode and contexts).
2. Only candidate sentences are parsed (``nlp.parse``); arguments come from
   the dependency tree: the subject of the trigger, or of the verb whose
   subject it shares (infinitives, conjoined verbs, light verbs: "выразил
   протест", settings: "в ходе визита"), is the actor; a dependent introduced
   as the frame says is the recipient. Where the parse fails, the frame is
   read on the surface (the preposition and the case it governs).
3. Argument phrases are mapped to countries: persons through the linker's
   ``Entity.country``, Occupation facts, the country word of their noun
   phrase or apposition ("премьер-министр Казахстана Алихан Смаилов",
   "Марк Тоунер, представитель Госдепартамента США"), remembered for later
   mentions, and, failing all that, ``event_persons.tsv`` (well-known
   leaders); countries, capitals (metonymy: "Вашингтон заявил"),
   abbreviations and country adjectives ("российский президент", "власти
   Таиланда", nouns in ``actor_nouns.tsv``) through the gazetteer; IGOs, UN
   agencies and state companies through ``event_actors.tsv``. Pronouns,
   titles ("премьер-министр подчеркнул"), "мы" in a quote, relative pronouns
   and agentless passives are resolved to the person or state meant.
4. Modality (``event_modality.tsv``): negated and hypothetical acts are
   dropped; planned cooperation becomes AGREE; refusing future talks is
   REJECT; announced or conditional sanctions and force are THREATEN. Only
   events between at least two different countries or international
   organisations are kept; persons act only as officials.
5. Mode (trigger and ``event_modes.tsv``), contexts (trigger and
   ``event_contexts.tsv``), location (a venue introduced by "в"/"на" +
   locative and attached to the trigger, or the meeting's), date (from the
   sentence when it has a year, else the document's date) complete the
   record, with the evidence sentence and its offsets.

All linguistic knowledge lives in the data files; this module walks trees.
Nothing here raises on odd input: a sentence or document that cannot be
handled is logged and skipped.
"""
from __future__ import annotations

import logging
import re
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .model import (LOC, ORG, PER, Actor, Analysis, Event, Location,
                    Sentence, Token)

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"

QUAD = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
        "COOPERATE": 2, "AID": 2, "RETREAT": 2,
        "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3, "SANCTION": 3,
        "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4}

# Acts only a state's own authorities perform on its soil: without a named
# agent, the authorities of the place are the actor.
LOCAL_AUTHORITY = {"COERCE"}

# Categories whose events happen at a place worth recording (meetings,
# visits, signings, joint and forcible acts); statements have none.
LOCATED = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "COERCE", "ASSAULT", "MOBILIZE",
           "PROTEST"}

# Categories whose target may be a country's goods, firms or positions
# ("санкции против российских банков", "удар по сирийским позициям").
NOMINAL_TARGETS = {"SANCTION", "ASSAULT", "COERCE", "AID"}

# Conflict acts that, announced or made conditional, are threats (PLOVER THREATEN).
THREAT_OF = {"SANCTION", "ASSAULT", "COERCE"}

# PLOVER (events.md): a future or planned act of these categories is AGREE.
PLANNED_TO_AGREE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT"}

MAX_PARSE_TOKENS = 200      # longer "sentences" are lists or garbage: not parsed
WINDOW = 12                 # the other lemmas of a trigger stand this close to the anchor
CASES = {"nom": "Nom", "gen": "Gen", "dat": "Dat", "acc": "Acc", "ins": "Ins", "loc": "Loc"}
MODIFIER_RELS = {"aux", "aux:pass", "advmod", "mark", "parataxis", "discourse", "acl",
                 "amod", "cop", "det", "case"}
LOCATIVE_PREPS = {("в", "Loc"), ("на", "Loc"), ("во", "Loc")}
STOP_PUNCT = set(",.;:!?()[]«»\"“”„—–")


# --------------------------------------------------------------------------
# data files

def _rows(name: str) -> Iterable[list[str]]:
    path = DATA / name
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield [c.strip() for c in line.split("\t")]


def _norm(text: str) -> str:
    return text.lower().replace("ё", "е")


@dataclass
class Trigger:
    category: str
    slots: list[frozenset]
    frame: list[tuple]          # ("prep", "с", "Ins") | ("obj",) | ("dat",) | ("gen",)
    roles: str                  # mutual, directed, partner
    mode: list[str]
    contexts: list[str]

    @property
    def anchor(self) -> frozenset:
        return self.slots[0]


def _parse_frame(text: str) -> list[tuple]:
    frame = []
    for item in text.split(","):
        item = item.strip()
        if not item or item == "-":
            continue
        if "+" in item:
            prep, case = item.split("+", 1)
            frame.append(("prep", _norm(prep), CASES.get(case.lower(), case)))
        else:
            frame.append((item,))
    return frame


@dataclass
class Lexicon:
    triggers: list[Trigger] = field(default_factory=list)
    by_anchor: dict = field(default_factory=dict)
    modality: dict = field(default_factory=dict)
    contexts: dict = field(default_factory=dict)
    modes: list = field(default_factory=list)
    actor_nouns: dict = field(default_factory=dict)
    # place and actor names: lemma tuple -> (code, kind, sector, name)
    names: dict = field(default_factory=dict)
    abbrs: dict = field(default_factory=dict)      # surface -> (code, kind, sector, name)
    adjectives: dict = field(default_factory=dict)  # lemma -> code
    first_words: set = field(default_factory=set)
    prefixes: set = field(default_factory=set)      # every prefix of every key of names
    aliases: dict = field(default_factory=dict)     # code -> code used in events
    abroad: set = field(default_factory=set)        # "посольство в X" is not X's
    speech: set = field(default_factory=set)        # reporting verbs
    spokes: set = field(default_factory=set)        # spokesperson offices
    persons: dict = field(default_factory=dict)     # full name -> (code, position)
    surnames: dict = field(default_factory=dict)    # distinctive surname -> (code, position)
    max_len: int = 1


def _key(words: str) -> tuple:
    from .lemma import lemma
    return tuple(lemma(w) for w in re.findall(r"[\w'’-]+", words))


def _country_rows() -> Iterable[dict]:
    """Rows of the gazetteer's country table (iso3, name, capital, abbr,
    names, adjectives); the curated source while the built table is absent."""
    for path in (DATA / "countries.tsv",
                 DATA.parent.parent / "tools" / "curated" / "countries_extra.tsv"):
        if not path.exists():
            continue
        header = None
        rows = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cells = line.split("\t")
                if header is None:
                    header = [c.strip().lower() for c in cells]
                    if "iso3" not in header:
                        header = ["iso3", "name", "capital", "abbr", "names", "adjectives"]
                    else:
                        continue
                rows.append(dict(zip(header, cells)))
        if rows:
            return rows
    return []


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = Lexicon()
    for row in _rows("triggers.tsv"):
        if len(row) < 6:
            continue
        category, pattern, frame, roles, mode, context = row[:6]
        slots = [frozenset(_norm(x) for x in slot.split("|")) for slot in pattern.split()]
        if not slots:
            continue
        trig = Trigger(category, slots, _parse_frame(frame), roles,
                       [] if mode == "-" else mode.split("|"),
                       [] if context == "-" else context.split("|"))
        lex.triggers.append(trig)
        for lemma_ in trig.anchor:
            lex.by_anchor.setdefault(lemma_, []).append(trig)
    for row in _rows("event_modality.tsv"):
        if len(row) >= 2:
            if row[1] == "speech":
                lex.speech.add(_norm(row[0]))
            else:
                lex.modality[_norm(row[0])] = row[1]
    for row in _rows("event_contexts.tsv"):
        if len(row) >= 2:
            lex.contexts[_norm(row[0])] = row[1]
    for row in _rows("event_modes.tsv"):
        if len(row) >= 2:
            lex.modes.append((tuple(_norm(row[0]).split()), row[1]))
    for row in _rows("actor_nouns.tsv"):
        if len(row) >= 2:
            lex.actor_nouns[_norm(row[0])] = row[1]
            flags = set(row[2].split("|")) if len(row) >= 3 else set()
            if "abroad" in flags:
                lex.abroad.add(_norm(row[0]))
            if "spokesperson" in flags:
                lex.spokes.add(_norm(row[0]))
    for row in _country_rows():
        iso = (row.get("iso3") or "").strip()
        if not iso:
            continue
        name = (row.get("name") or "").strip()
        common = {k.strip() for k in (row.get("common") or "").split("|") if k.strip()}
        for variant in [name] + (row.get("names") or "").split("|"):
            if variant.strip():
                lex.names.setdefault(_key(variant), (iso, "country", "GOV", name))
        for key_ in (row.get("keys") or "").split("|"):   # the built table: lemma keys
            if key_.strip() and key_.strip() not in common:
                lex.names.setdefault(tuple(key_.split()), (iso, "country", "GOV", name))
        capital = (row.get("capital") or "").strip()
        if capital:
            lex.names.setdefault(_key(capital), (iso, "capital", "GOV", capital))
        for abbr in (row.get("abbr") or "").split("|"):
            if abbr.strip():
                lex.abbrs.setdefault(abbr.strip(), (iso, "country", "GOV", name))
        for adj in (row.get("adjectives") or "").split("|"):
            if adj.strip():
                lex.adjectives.setdefault(_norm(adj.strip()), iso)
    for row in _rows("event_actors.tsv"):
        if len(row) < 4:
            continue
        pattern, code_, sector, name = row[:4]
        kind = "igo" if code_ in ("IGO", "UNO", "EUR") else "body"
        if pattern.isupper() and " " not in pattern:
            lex.abbrs[pattern] = (code_, kind, sector, name)
        else:
            lex.names[tuple(_norm(pattern).split())] = (code_, kind, sector, name)
    for row in _rows("event_persons.tsv"):
        if len(row) >= 3:
            full = _norm(row[0])
            lex.persons[full] = (row[1], row[2])
            if len(row) >= 4 and row[3] == "yes":
                lex.surnames[full.split()[-1]] = (row[1], row[2])
    for row in _rows("event_codes.tsv"):
        if len(row) >= 2:
            lex.aliases[row[0]] = row[1]
    lex.names.pop((), None)
    lex.first_words = {k[0] for k in lex.names}
    lex.prefixes = {k[:n] for k in lex.names for n in range(1, len(k) + 1)}
    lex.max_len = max((len(k) for k in lex.names), default=1)
    return lex


# --------------------------------------------------------------------------
# argument units

@dataclass
class Unit:
    start: int              # token indices in the sentence, [start, stop)
    stop: int
    code: str
    kind: str               # country, capital, igo, body, adj, person
    name: str
    raw: str
    sector: str = "GOV"
    position: Optional[str] = None
    entity: Optional[str] = None
    absorbed: bool = False  # a country word describing a person ("премьер-министр Кубы X")
    official: bool = True   # persons: known to hold an office (may act for a state)
    normal: Optional[str] = None    # the mention's own normal form ("Македония")

    @property
    def person(self) -> bool:
        return self.kind == "person"


_TOKEN_KEYS: dict[tuple, set] = {}


def _token_keys(token: Token) -> set:
    """The lexicon keys a token can stand for. Shared between calls and not
    to be mutated: the same words recur across sentences and documents, and
    the set depends on nothing but the token's text and lemma."""
    memo = (token.text, token.lemma)
    keys = _TOKEN_KEYS.get(memo)
    if keys is None:
        from .lemma import lemmas
        keys = {token.lemma, _norm(token.text)}
        if token.text[:1].isalpha():
            keys.update(lemmas(token.text))
        if len(_TOKEN_KEYS) >= 200_000:     # bounded, like the lemma caches, on long runs
            _TOKEN_KEYS.clear()
        _TOKEN_KEYS[memo] = keys
    return keys


def _head_of(tokens: list[Token], start: int, stop: int) -> int:
    """The token of [start, stop) whose head lies outside the span."""
    for i in range(start, stop):
        h = tokens[i].head
        if h < start or h >= stop:
            return i
    return start


class DocState:
    """What the coder remembers across the sentences of one document."""

    def __init__(self):
        self.person_country: dict[str, tuple] = {}  # name key -> (code, position)
        self.last_person: Optional[Unit] = None
        self.events: list[Event] = []
        self.consults: list[Event] = []
        self.occupations: dict = {}
        self.speaker: Optional[Unit] = None
        # sentence index -> its mentions, their token spans and the units
        # sentence_units finds apart from persons: the coder reads every
        # sentence twice (see _code), and only the persons depend on what
        # the sentences before taught
        self.found: dict[int, tuple] = {}
        self.mentions: Optional[dict[int, list]] = None     # sentence index -> mentions


def _person_keys(name: str) -> list[str]:
    words = [w for w in _norm(name).split() if w]
    keys = [" ".join(words)] if words else []
    if words:
        keys.append(words[-1])
    return keys


def _gaz():
    try:
        from .link import gazetteer
        return gazetteer
    except Exception:       # pragma: no cover - the gazetteer ships with svodka
        return None


def _adjective_country(token: Token) -> Optional[str]:
    lex = lexicon()
    if token.lemma in lex.adjectives:
        return lex.adjectives[token.lemma]
    g = _gaz()
    if g is not None and token.pos == "ADJ":
        try:
            return g.adjective_country(token.text)
        except Exception:
            return None
    return None


def _capital_of(ent) -> Optional[str]:
    g = _gaz()
    if g is None or not ent.code:
        return None
    try:
        place = g.by_code(ent.code)
    except Exception:
        return None
    return getattr(place, "capital_of", None) if place is not None else None


def _occupations(analysis: Analysis) -> dict:
    """Person entity id -> (country, position, sector) from Occupation facts."""
    out = {}
    for fact in analysis.facts:
        if fact.type != "Occupation":
            continue
        who = fact.args.get("who_entity")
        where = analysis.entity(fact.args.get("where_entity"))
        country = where.country if where is not None else None
        if who and who not in out:
            out[who] = (country, fact.args.get("position"), fact.args.get("sector"))
    return out


def _named_units(analysis: Analysis, index: int, state: DocState) -> tuple:
    """A sentence's mentions, their token spans (by mention id) and its
    actor-bearing phrases other than persons: linked places and bodies,
    lexicon names NER missed, bodies named by where they sit, country
    adjectives."""
    lex = lexicon()
    sent = analysis.sentences[index]
    toks = sent.tokens
    units: list[Unit] = []
    taken = [False] * len(toks)
    if state.mentions is None:
        state.mentions = {}
        for m in analysis.mentions:
            state.mentions.setdefault(m.sentence, []).append(m)
    mentions = state.mentions.get(index, [])
    spans = {}
    for m in mentions:
        span = [k for k, t in enumerate(toks) if t.start < m.stop and t.stop > m.start]
        if span:
            spans[id(m)] = span
            if m.type == PER:
                for k in span:
                    taken[k] = True
    # linked places and organisations
    for m in mentions:
        span = spans.get(id(m))
        if not span or m.type == PER:
            continue
        ent = analysis.entity(m.entity)
        if ent is not None and ent.kind == "person":
            continue
        unit = None
        if ent is not None:
            kind = ent.kind
            code_ = ent.country
            if kind == "city":
                cap = _capital_of(ent)
                kind, code_ = ("capital", cap) if cap else ("city", ent.country)
            elif kind == "organisation" and not code_:
                code_ = None
            if kind in ("country", "igo", "capital", "city", "organisation") and code_:
                unit = Unit(span[0], span[-1] + 1, code_, kind, ent.name, m.text,
                            ent.sector or "GOV", entity=ent.id, normal=m.normal or None)
        if unit is None:
            hit = _scan(toks, span[0], span[-1] + 1, lex)
            if hit is not None:
                code_, kind, sector, name = hit
                if m.type == ORG and kind in ("country", "capital"):
                    kind, name = "body", m.normal or m.text
                    # "войска 1-го Украинского фронта СССР": the body's own noun
                    heads = [lex.actor_nouns[toks[k].lemma] for k in span
                             if toks[k].pos == "NOUN" and toks[k].lemma in lex.actor_nouns]
                    sector = heads[0] if heads else sector
                unit = Unit(span[0], span[-1] + 1, code_, kind, name, m.text, sector)
        if unit is not None:
            units.append(unit)
            for k in span:
                taken[k] = True
    # names NER missed: bodies, agencies, state companies, countries
    i = 0
    while i < len(toks):
        if taken[i]:
            i += 1
            continue
        found = None
        # the longest run of free words that spells a name (or a one-word
        # abbreviation); only lengths some reading of the words can spell
        # are tried, as most words begin no name at all
        lengths = _name_lengths(toks, i, min(lex.max_len, len(toks) - i), lex)
        if lengths:
            free = 1
            while free < max(lengths) and not taken[i + free]:
                free += 1
            lengths = sorted((n for n in lengths if n <= free), reverse=True)
        for n in [*lengths, 1]:
            hit = _scan(toks, i, i + n, lex, whole=True)
            if hit is not None:
                found = (i + n, hit)
                break
        if found:
            stop, (code_, kind, sector, name) = found
            raw = sent.text[toks[i].start - sent.start:toks[stop - 1].stop - sent.start]
            units.append(Unit(i, stop, code_, kind, name, raw, sector))
            for k in range(i, stop):
                taken[k] = True
            i = stop
        else:
            i += 1
    # an official body named by where it sits: "суд в Италии", "власти в Киеве"
    for u in list(units):
        if u.kind not in ("country", "capital") or _introducer(toks, u.start) is None:
            continue
        p = _introducer(toks, u.start)
        if _norm(toks[p].text) not in ("в", "во") or toks[u.start].feats.get("Case") != "Loc":
            continue
        n = p - 1
        if n >= 0 and not taken[n] and toks[n].pos == "NOUN" and toks[n].lemma in lex.actor_nouns \
                and toks[n].lemma not in lex.abroad \
                and toks[n].feats.get("Animacy") != "Anim" \
                and not any(v.kind == "adj" and _adj_noun(toks, v.start) == n for v in units) \
                and (toks[u.start].head == n or u.start - n == 2):
            raw = sent.text[toks[n].start - sent.start:toks[u.stop - 1].stop - sent.start]
            units.append(Unit(n, n + 1, u.code, "body", raw, raw, lex.actor_nouns[toks[n].lemma]))
            u.absorbed = True
            taken[n] = True
    # country adjectives qualifying an official or a body
    for k, t in enumerate(toks):
        if taken[k] or t.pos != "ADJ":
            continue
        code_ = _adjective_country(t)
        if code_ is None:
            continue
        noun = _adj_noun(toks, k)
        if noun is None:
            continue
        if lex.modality.get(toks[noun].lemma) == "origin":
            continue        # "ливанского происхождения" is no nationality
        sector = lex.actor_nouns.get(toks[noun].lemma)
        official = sector is not None or _in_person(mentions, toks[noun])
        lo, hi = min(k, noun), max(k, noun) + 1
        raw = sent.text[toks[lo].start - sent.start:toks[hi - 1].stop - sent.start]
        # "российских банков", "российской нефти": a target, never an actor
        units.append(Unit(k, k + 1, code_, "adj", raw, raw, sector or "GOV", official=official))
    return mentions, spans, units


def sentence_units(analysis: Analysis, index: int, state: DocState) -> list[Unit]:
    """The actor-bearing phrases of a sentence, each with its country."""
    lex = lexicon()
    sent = analysis.sentences[index]
    toks = sent.tokens
    found = state.found.get(index)
    if found is None:
        found = state.found[index] = _named_units(analysis, index, state)
    mentions, spans, named = found
    # fresh copies: the persons below mark some as absorbed, and callers keep them
    units = [copy(u) for u in named]
    # persons, with their country from the linker, the Occupation facts or
    # their own noun phrase
    occupations = state.occupations
    for m in mentions:
        span = spans.get(id(m))
        if not span or m.type != PER:
            continue
        name = m.normal or m.text
        # NER glued a country to the name ("России Дмитрия Медведева")
        lead = _scan(toks, span[0], span[0] + 1, lex, whole=True) if len(span) > 2 else None
        if lead is not None and lead[1] == "country":
            raw = toks[span[0]].text
            units.append(Unit(span[0], span[0] + 1, lead[0], "country", lead[3], raw, "GOV"))
            span = span[1:]
            name = " ".join(name.split()[1:]) or name
        code_, position, sector = None, None, "GOV"
        ent = analysis.entity(m.entity)
        if ent is not None:
            if ent.kind != "person":
                continue
            name = ent.name or name
            code_, position = ent.country, ent.position
            sector = ent.sector or sector
            if m.entity in occupations:
                c2, p2, s2 = occupations[m.entity]
                code_ = code_ or c2
                position = position or p2
                sector = s2 or sector
        official = code_ is not None or bool(position)
        ctx_code, ctx_pos, ctx_sector, absorbed = _left_context(toks, span[0], units)
        if ctx_code is None and ctx_pos is None:
            # "Марк Тоунер, официальный представитель Госдепартамента США, ..."
            ctx_code, ctx_pos, ctx_sector, absorbed = _right_context(toks, span[-1] + 1, units)
        official = official or bool(ctx_pos)
        if code_ is None:
            code_ = ctx_code
        position = position or ctx_pos
        if ctx_sector and not (ent is not None and ent.sector):
            sector = ctx_sector
        if code_ is None:
            for key in [m.entity] + _person_keys(name):
                if key in state.person_country:
                    code_, pos2, off2 = state.person_country[key]
                    position = position or pos2
                    official = official or off2
                    break
        if code_ is None:
            known = _known_person(name)
            if known is not None:
                code_, pos3 = known
                position = position or pos3
                official = True
        if code_ is None:
            continue
        for u in absorbed:
            u.absorbed = True
        unit = Unit(span[0], span[-1] + 1, code_, "person", name, m.text, sector or "GOV",
                    position, entity=m.entity, official=official)
        units.append(unit)
        for key in [m.entity] + _person_keys(name):
            if key and (key not in state.person_country or official
                        and not state.person_country[key][2]):
                state.person_country[key] = (code_, position, official)
    units.sort(key=lambda u: u.start)
    return units


def _known_person(name: str) -> Optional[tuple]:
    """Country and office of a well-known leader (svodka/data/event_persons.tsv)."""
    lex = lexicon()
    key = _norm(" ".join(name.split()))
    if key in lex.persons:
        return lex.persons[key]
    words = key.split()
    if len(words) == 1 and words[0] in lex.surnames:
        return lex.surnames[words[0]]
    return None


def _scan(toks: list[Token], i: int, j: int, lex: "Lexicon", whole: bool = False):
    """The actor a run of tokens names: abbreviation, event actor or country
    name (capitalised), through the lexicon; ``whole`` asks for the run to
    be exactly the name, otherwise any name inside the run."""
    starts = [i] if whole else range(i, j)
    for s in starts:
        if lex.first_words.isdisjoint(_token_keys(toks[s])):
            # no name starts here: only a one-word abbreviation can
            if (j == s + 1 or not whole) and toks[s].text in lex.abbrs:
                return lex.abbrs[toks[s].text]
            continue
        for e in ([j] if whole else range(j, s, -1)):
            words = toks[s:e]
            if e - s == 1 and words[0].text in lex.abbrs:
                return lex.abbrs[words[0].text]
            for combo in _combos([_token_keys(t) for t in words]):
                hit = lex.names.get(combo)
                if hit is not None:
                    if hit[1] in ("country", "capital") and not words[0].text[:1].isupper():
                        continue
                    return hit
    return None


def _name_lengths(toks: list[Token], i: int, limit: int, lex: "Lexicon") -> set[int]:
    """The lengths n, 2 <= n <= limit, for which some combination of the keys
    of toks[i:i + n] is a name of the lexicon: a run of several words can
    name an actor only then. The readings are extended word by word while
    they remain the beginning of some name, so most starts end at once."""
    lengths = set()
    if lex.first_words.isdisjoint(_token_keys(toks[i])):
        return lengths
    readings = [()]
    for n in range(1, limit + 1):
        readings = [r + (k,) for r in readings for k in _token_keys(toks[i + n - 1])
                    if r + (k,) in lex.prefixes]
        if not readings:
            break
        if n >= 2 and any(r in lex.names for r in readings):
            lengths.add(n)
    return lengths


def _combos(key_sets: list[set]) -> Iterable[tuple]:
    """Lemma tuples a run of tokens can stand for (bounded)."""
    combos = [()]
    for keys in key_sets:
        combos = [c + (k,) for c in combos for k in keys][:64]
    return combos


def _adj_noun(toks: list[Token], k: int) -> Optional[int]:
    t = toks[k]
    if t.head >= 0 and t.rel in ("amod", "conj"):
        h = t.head
        # "французские и малийские военные": the second adjective heads the first
        while 0 <= h < len(toks) and toks[h].pos == "ADJ" and toks[h].head >= 0:
            h = toks[h].head
        if 0 <= h < len(toks) and toks[h].pos in ("NOUN", "PROPN"):
            return h
    for j in range(k + 1, min(k + 4, len(toks))):
        if toks[j].pos in ("NOUN", "PROPN"):
            return j
        if toks[j].pos not in ("ADJ", "CCONJ", "PUNCT"):
            break
    return None


def _in_person(mentions, token: Token) -> bool:
    return any(m.type == PER and m.start <= token.start < m.stop for m in mentions)


def _left_context(toks: list[Token], first: int, units: list[Unit]):
    """The country, position and sector a person's noun phrase gives him:
    words to the left up to a verb or punctuation ("премьер-министр Кубы",
    "российский президент", "глава японского МИДа")."""
    lex = lexicon()
    code_, position, sector, absorbed = None, None, None, []
    k = first - 1
    steps = 0
    while k >= 0 and steps < 8:
        t = toks[k]
        if t.pos in ("VERB", "AUX", "SCONJ", "PRON") or t.text in STOP_PUNCT \
                or (t.pos == "CCONJ"):
            break
        for u in units:
            if u.start <= k < u.stop and u.kind != "person":
                # "премьер-министр Кубы", "глава МИД Грузии": a bare genitive;
                # "в ходе поездки в Австрию": a place, not the person's country
                if k == u.start and u.kind != "adj" \
                        and _introducer(toks, u.start, nouns=False) is not None:
                    break
                if code_ is None:
                    code_ = u.code
                absorbed.append(u)
        else:
            pass
        if any(u.start <= k < u.stop and u.kind not in ("person", "adj") and k == u.start
               and _introducer(toks, u.start, nouns=False) is not None for u in units):
            break
        if t.pos == "ADJ" and code_ is None and not (
                k + 1 < len(toks) and lex.modality.get(toks[k + 1].lemma) == "origin"):
            code_ = _adjective_country(t)
        if t.pos == "NOUN" and t.lemma in lex.actor_nouns:
            position = t.lemma
            sector = lex.actor_nouns[t.lemma]
        k -= 1
        steps += 1
    return code_, position, sector, absorbed


def _right_context(toks: list[Token], after: int, units: list[Unit]):
    """An apposition after a person's name: ", премьер-министр Японии," gives
    the country, position and sector the left context would."""
    lex = lexicon()
    if after >= len(toks) or toks[after].text != ",":
        return None, None, None, []
    code_, position, sector, absorbed = None, None, None, []
    for k in range(after + 1, min(after + 14, len(toks))):
        t = toks[k]
        if t.text == "," and position is None:
            continue        # "Ли Пэн, соратник Цзян Цзэминя, премьер Госсовета Китая"
        if t.text in STOP_PUNCT or t.pos in ("AUX", "SCONJ", "PRON", "CCONJ") \
                or t.pos == "VERB" and t.feats.get("VerbForm") != "Part":
            break
        if t.pos == "NOUN" and t.lemma in lex.actor_nouns and position is None:
            position, sector = t.lemma, lex.actor_nouns[t.lemma]
        for u in units:
            if u.start == k and u.kind != "person" and code_ is None \
                    and _introducer(toks, u.start, nouns=False) is None:
                code_ = u.code
                absorbed.append(u)
        if t.pos == "ADJ" and code_ is None:
            code_ = _adjective_country(t)
    if position is None:
        return None, None, None, []
    return code_, position, sector, absorbed


# --------------------------------------------------------------------------
# triggers

@dataclass
class Match:
    trigger: Trigger
    anchor: int
    tokens: list[int]


def find_triggers(sent: Sentence) -> list[Match]:
    lex = lexicon()
    toks = sent.tokens
    matches = []
    for a, tok in enumerate(toks):
        for trig in lex.by_anchor.get(tok.lemma, ()):
            used = [a]
            ok = True
            for slot in trig.slots[1:]:
                lo, hi = max(0, a - WINDOW), min(len(toks), a + WINDOW + 1)
                hit = next((j for j in range(lo, hi) if j not in used and toks[j].lemma in slot), None)
                if hit is None:
                    ok = False
                    break
                used.append(hit)
            if ok:
                matches.append(Match(trig, a, used))
    # longest patterns first; a token serves one trigger
    matches.sort(key=lambda m: (-len(m.tokens), m.anchor))
    taken: set = set()
    kept = []
    for m in matches:
        # entries on the very same words are readings told apart by their
        # frames ("захватил гражданина" COERCE, "захватил у Иордании" ASSAULT)
        if taken & set(m.tokens) and not any(set(k.tokens) == set(m.tokens) for k in kept):
            continue
        kept.append(m)
        taken.update(m.tokens)
    kept.sort(key=lambda m: m.anchor)
    return kept


def candidate(sent: Sentence) -> bool:
    lex = lexicon()
    return len(sent.tokens) <= MAX_PARSE_TOKENS and any(
        t.lemma in lex.by_anchor for t in sent.tokens)


# --------------------------------------------------------------------------
# tree helpers

def _children(toks: list[Token]) -> list[list[int]]:
    kids = [[] for _ in toks]
    for i, t in enumerate(toks):
        if 0 <= t.head < len(toks) and t.head != i:
            kids[t.head].append(i)
    return kids


# vowel-final variants of prepositions ("со своим коллегой", "во Францию")
PREP_VARIANTS = {"во": "в", "со": "с", "ко": "к", "об": "о", "обо": "о", "надо": "над",
                 "подо": "под", "передо": "перед", "ото": "от", "изо": "из"}


def _prep_form(text: str) -> str:
    word = _norm(text)
    return PREP_VARIANTS.get(word, word)


def _prep(toks: list[Token], kids, i: int) -> Optional[str]:
    for c in kids[i]:
        if toks[c].rel == "case" and toks[c].pos == "ADP":
            return _prep_form(toks[c].text)
    return None


def _path(toks: list[Token], i: int, target: int) -> Optional[list[int]]:
    """Nodes from i up to (excluding) target, or None when target does not govern i."""
    path, seen = [], set()
    while i != target:
        if i < 0 or i >= len(toks) or i in seen:
            return None
        seen.add(i)
        path.append(i)
        i = toks[i].head
    return path


def _subject_anchor(toks: list[Token], a: int) -> list[int]:
    """The anchor and the words whose subject is also the anchor's: the verb
    governing an infinitive, a conjoined verb or a gerund, the verb of which
    a trigger noun is the object ("выразил протест"), the verb of a noun an
    infinitive depends on ("вынесла решение просить")."""
    chain = [a]
    i = a
    kids = _children(toks)
    for _ in range(4):
        t = toks[i]
        if t.head < 0 or t.head >= len(toks):
            break
        if any(toks[c].rel.startswith("nsubj") for c in kids[i]):
            break
        head = toks[t.head]
        lex = lexicon()
        if t.pos == "NOUN" and t.rel == "nmod" and lex.modality.get(head.lemma) == "setting" \
                and 0 <= head.head < len(toks):
            # "в ходе визита в Австрию Ли Пэн заявил": the visitor is the subject
            i = head.head
            if i in chain:
                break
            chain.append(i)
            continue
        if t.rel == "acl" and head.pos == "NOUN" and head.lemma in lex.actor_nouns:
            # "визита российского министра, посетившего острова": the
            # participle's subject is the official it qualifies
            chain.append(t.head)
            break
        if t.rel in ("xcomp", "conj", "advcl") and head.pos in ("VERB", "ADJ", "AUX") \
                or t.rel in ("xcomp", "acl") and head.pos in ("NOUN", "PROPN") \
                or t.pos in ("NOUN", "PROPN") and t.rel in ("obj", "xcomp") \
                or t.pos == "NOUN" and t.rel == "obl" and not any(
                    toks[c].rel == "case" and toks[c].lemma in ("от", "из", "без", "против", "после", "до")
                    for c in kids[i]) \
                or t.pos == "ADJ" and t.rel == "amod":
            i = t.head
            if i in chain:
                break
            chain.append(i)
        else:
            break
    return chain


def _surface_recipient(toks, a, hi, units, frame, used) -> list:
    """The frame's preposition after the trigger, and the first actor phrase
    within the phrase it governs ("протест против ... визита российского
    министра"); for a direct object, the first actor phrase in it."""
    preps = {(item[1], item[2]) for item in frame if item[0] == "prep"}
    for p in range(a + 1, hi):
        t = toks[p]
        if t.pos != "ADP":
            continue
        prep = _prep_form(t.text)
        if not any(prep == pp for pp, _ in preps):
            continue
        # the noun this preposition governs: the first in the case it wants
        # (skipping "в пятницу" in "против состоявшегося в пятницу визита")
        noun = next((k for k in range(p + 1, min(p + 7, hi))
                     if toks[k].pos in ("NOUN", "PROPN")
                     and (prep, toks[k].feats.get("Case", "")) in preps), None)
        if noun is None:
            continue
        want = toks[noun].feats.get("Case", "")
        for u in units:
            if u.absorbed or id(u) in used or not (p < u.start <= p + 8 and u.start < hi):
                continue
            if any(toks[k].text in (",", ";") or toks[k].pos == "VERB"
                   and toks[k].feats.get("VerbForm") == "Fin" for k in range(p + 1, u.start)):
                break
            # past another preposition only a phrase in the case this one governs
            # ("против состоявшегося в пятницу визита российского министра")
            if any(toks[k].pos == "ADP" for k in range(p + 1, u.start)):
                head = _adj_noun(toks, u.start) if u.kind == "adj" else u.start
                if head is None or toks[head].feats.get("Case") != want:
                    continue
            return [u]
    if ("obj",) in frame:
        for u in units:
            if u.absorbed or id(u) in used or not (a < u.start <= a + 10 and u.start < hi):
                continue
            if any(toks[k].text in (",", ";", "«", "»") or toks[k].pos == "ADP"
                   for k in range(a + 1, u.start)):
                break
            if _introducer(toks, u.start, nouns=False) is not None:
                continue
            if toks[u.start].feats.get("Case") in ("Gen", "Acc"):
                return [u]
    return []


def _clause_bounds(toks: list[Token], a: int) -> tuple[int, int]:
    """Token range around the anchor not crossing a subordinator, a semicolon
    or a quotation boundary: where surface fallbacks may look."""
    lo = a
    while lo > 0:
        t = toks[lo - 1]
        if t.pos == "SCONJ" or t.text in (";", "«", "»", "\"", "—", ":") or t.lemma in ("который",):
            break
        lo -= 1
    hi = a + 1
    while hi < len(toks):
        t = toks[hi]
        if t.pos == "SCONJ" or t.text in (";", "«", "»", "\"", "—", ":") or t.lemma in ("который",):
            break
        hi += 1
    return lo, hi


def _introducer(toks: list[Token], start: int, nouns: bool = True) -> Optional[int]:
    """The preposition standing before a phrase ("с премьер-министром Кубы");
    with ``nouns=False`` only over agreeing words ("в соседнюю республику"),
    so that "президенту Белоруссии" has none."""
    k = start - 1
    steps = 0
    while k >= 0 and steps < 4:
        t = toks[k]
        if t.pos == "ADP":
            return k
        if t.pos not in ("ADJ", "DET", "NUM") and not (
                nouns and t.pos in ("NOUN", "PROPN") and steps < 3):
            return None
        k -= 1
        steps += 1
    return None


# --------------------------------------------------------------------------
# the stage

def code(analysis: Analysis, nlp=None) -> None:
    """Fill ``analysis.events`` with PLOVER events (never raises)."""
    try:
        analysis.events = _code(analysis, nlp)
    except Exception:       # a coder bug must not stop the pipeline
        log.exception("code: document %s skipped", analysis.document.id)
        analysis.events = []


def _code(analysis: Analysis, nlp) -> list[Event]:
    lex = lexicon()
    sentences = analysis.sentences
    chosen = [s for s in sentences if candidate(s)]
    if not chosen:
        return []
    if nlp is not None:
        try:
            nlp.parse(chosen)
        except Exception:
            log.exception("code: parse failed for %s", analysis.document.id)
            return []
    state = DocState()
    state.occupations = _occupations(analysis)
    # a first pass learns who is who ("Ли Пэн ... премьер Госсовета Китая" may
    # come after the sentence that needs it)
    for index, sent in enumerate(sentences):
        if sent.tokens and len(sent.tokens) <= MAX_PARSE_TOKENS:
            sentence_units(analysis, index, state)
    doc_contexts = _contexts_of(sentences)
    events: list[Event] = []
    for index, sent in enumerate(sentences):
        units = sentence_units(analysis, index, state) \
            if sent.tokens and len(sent.tokens) <= MAX_PARSE_TOKENS else []
        if sent.parsed and candidate(sent):
            for match in find_triggers(sent):
                try:
                    event = _event(analysis, index, match, units, state, doc_contexts)
                except Exception:
                    log.exception("code: trigger skipped in %s", analysis.document.id)
                    event = None
                if event is not None:
                    events.append(event)
                    state.events.append(event)
                    if event.category == "CONSULT":
                        state.consults.append(event)
        persons = [u for u in units if u.person]
        if persons:
            subj = [u for u in persons if sent.parsed and _is_subject(
                sent.tokens, _head_of(sent.tokens, u.start, u.stop))]
            state.last_person = (subj or persons)[-1]
        if "«" in sent.text or sent.text.lstrip().startswith("—"):
            # the person whose words open here speaks until the quote closes
            speakers = [u for u in units if u.person and u.official and sent.parsed
                        and _is_subject(sent.tokens, _head_of(sent.tokens, u.start, u.stop))]
            state.speaker = speakers[0] if speakers else state.last_person
    return _dedupe(events)


def _dedupe(events: list[Event]) -> list[Event]:
    seen, out = set(), []
    for e in events:
        key = (e.category, e.start, tuple(sorted(a.entity_name for a in e.actors)),
               tuple(sorted(r.entity_name for r in e.recipients)))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _modality(toks: list[Token], kids, a: int, chain: list[int]) -> set:
    lex = lexicon()
    found = set()
    # a participle's own status is not that of the clause its noun stands in
    # ("пока Израиль не вернет город, захваченный у Иордании")
    nodes = []
    for n in chain:
        nodes.append(n)
        if toks[n].rel == "acl":
            break
    chain = nodes[:]
    # governors: "может встретиться", "намерены обсудить", "должен прибыть"
    i = chain[-1]
    hedges = []         # "ожидается, что посетит": only hedges count from there
    for _ in range(2):
        h = toks[i].head
        if h < 0:
            break
        if toks[i].rel == "ccomp":
            hedges.append(h)
            break
        if toks[i].rel not in ("xcomp", "csubj", "nsubj", "obj"):
            break
        nodes.append(h)
        i = h
    for n in hedges:
        if lex.modality.get(toks[n].lemma) == "hypothetical":
            found.add("hypothetical")
    for n in nodes:
        kind = lex.modality.get(toks[n].lemma)
        if kind and n != a:
            found.add(kind)
        for c in kids[n]:
            if toks[c].pos == "PROPN":
                continue    # "Ли Пэн" is no particle
            if toks[c].rel in MODIFIER_RELS or toks[c].lemma in ("не", "бы", "ли"):
                kind = lex.modality.get(toks[c].lemma)
                if kind == "planned" and toks[c].pos == "ADV":
                    continue    # "накануне (вечером) посетил" is the day before, not "ahead of"
                if kind:
                    found.add(kind)
    if a > 0 and toks[a - 1].lemma == "не" and toks[a - 1].pos != "PROPN":
        found.add("negation")
    # "если ..., то будут приняты санкции": the act is the consequence of a
    # condition (a threat); the act inside the "если" clause is only supposed
    if "condition" in found:
        found.discard("condition")
        found.add("hypothetical")
    for n in chain:
        for c in kids[n]:
            if toks[c].rel == "advcl" and any(lex.modality.get(toks[m].lemma) == "condition"
                                              for m in kids[c]):
                found.add("condition")
    t = toks[a]
    if t.feats.get("Tense") == "Fut":
        found.add("planned")
    if any(_future_aux(toks[c]) for c in kids[a]) \
            or any(0 <= j and _future_aux(toks[j]) for j in (a - 1, a - 2, a - 3)):
        found.add("planned")    # "будет вести переговоры"
    return found


FUTURE_AUX = {"буду", "будешь", "будет", "будем", "будете", "будут"}


def _future_aux(token: Token) -> bool:
    return token.lemma == "быть" and (token.feats.get("Tense") == "Fut"
                                      or _norm(token.text) in FUTURE_AUX)


def _event(analysis, index, match: Match, units: list[Unit], state: DocState,
           doc_contexts: list[str]) -> Optional[Event]:
    lex = lexicon()
    sent = analysis.sentences[index]
    toks = sent.tokens
    kids = _children(toks)
    trig = match.trigger
    a = match.anchor
    # "совместная работа с ...", "совместное патрулирование": the noun the
    # adjective qualifies carries the arguments
    if toks[a].pos == "ADJ" and toks[a].rel == "amod" and 0 <= toks[a].head < len(toks):
        a = toks[a].head
    chain = _subject_anchor(toks, a)
    mods = _modality(toks, kids, a, chain)
    refusal = False
    threat = False
    if "condition" in mods and "negation" not in mods and trig.category in THREAT_OF:
        # "если ..., то в отношении неё будут приняты санкции": a threat
        threat = True
        mods = mods - {"condition"}
    # a conditional promise, demand or threat is still said: the condition
    # only turns sanctions and force into threats
    mods = mods - {"condition"}
    if "planned" in mods and trig.category in THREAT_OF and "negation" not in mods:
        threat = True           # announced sanctions, force to come
    if "negation" in mods and "hypothetical" not in mods and trig.category == "CONSULT" \
            and ("planned" in mods or toks[a].feats.get("Tense") == "Fut"):
        # "Тегеран не будет вести переговоры с Вашингтоном": a refusal to meet
        refusal = True
    elif "negation" in mods or "hypothetical" in mods:
        return None
    # a verb trigger inside another trigger's clause is its content
    # ("пригласил посетить", "предложил обсудить", "попросил оказать содействие")
    if toks[a].pos == "VERB" and toks[a].feats.get("VerbForm") == "Inf":
        for other in find_triggers(sent):
            path = _path(toks, a, other.anchor)
            if other.anchor != a and path is not None and not any(
                    toks[n].rel in ("ccomp", "advcl", "acl:relcl", "parataxis", "conj")
                    for n in path):
                return None
    category = trig.category
    if threat:
        category = "THREATEN"
    elif refusal:
        category = "REJECT"
    elif "planned" in mods and category in PLANNED_TO_AGREE:
        category = "AGREE"

    actors: list[Unit] = []
    recipients: list[Unit] = []
    places: list[Unit] = []
    meeting: Optional[Event] = None
    frame = trig.frame
    for u in units:
        if u.absorbed:
            continue
        h = _head_of(toks, u.start, u.stop)
        if u.kind == "adj":
            noun = _adj_noun(toks, u.start)
            h = noun if noun is not None else h
        role = None
        for top in chain:
            if h == top:
                if top != a and toks[top].pos == "NOUN" and toks[a].rel == "acl":
                    role = "actor"      # the official the participle qualifies
                    break
                continue
            path = _path(toks, h, top)
            if path is None or (top != a and _path(toks, a, top) is not None
                                and _path(toks, h, a) is not None):
                continue
            role = _role(toks, kids, path, top, top == a, frame, trig)
            if role == "place" and len(path) > 2:
                role = None     # "обогащение урана в России" is a topic, not the venue
            if role is not None:
                if top != a and role != "actor":
                    role = None
                break
        if role == "actor":
            actors.append(u)
        elif role == "recipient":
            recipients.append(u)
        elif role == "place":
            places.append(u)
    lo, hi = _clause_bounds(toks, a)
    used = {id(u) for u in actors + recipients}
    # the tree did not give a recipient: the frame read on the surface
    if not recipients and frame:
        recipients = _surface_recipient(toks, a, hi, units, frame, used)
    if not recipients and frame:
        for u in units:
            if u.absorbed or id(u) in used or not (a < u.start < hi):
                continue
            p = _introducer(toks, u.start)
            case = toks[u.start].feats.get("Case", "")
            if p is not None:
                prep = _norm(toks[p].text)
                prep = _prep_form(prep)
                if ("prep", prep, case) in frame:
                    recipients.append(u)
                    break
            elif (("obj",) in frame and case in ("Acc", "Gen") or ("dat",) in frame and case == "Dat") \
                    and u.start - a <= 4:
                recipients.append(u)
                break
    # a pronoun or an unnamed office as subject: the person last spoken of
    if not actors:
        subj = _subject_token(toks, kids, chain)
        if subj is not None and toks[subj].lemma == "мы" \
                and (_inside_quote(analysis.document.text, sent.start)
                     or sent.text.lstrip().startswith(("«", '"', "„", "—"))):
            # "«Мы поддерживаем ...», — сказал глава правительства": the speaker,
            # named in this sentence or where the quote began
            here = [u for u in units if not u.absorbed and u.official and _speaks(toks, u, lex)]
            speaker = (here[0] if here else None) or _quote_speaker(analysis, sent, state) \
                or state.speaker
            if speaker is not None:
                actors.append(speaker)
        elif subj is not None and (
                toks[subj].pos == "PRON" and toks[subj].lemma in ("он", "она")
                or toks[subj].lemma in lex.actor_nouns and (
                    # "премьер-министр подчеркнул"; "его правительство"
                    toks[subj].feats.get("Animacy") == "Anim" and toks[subj].feats.get("Number") == "Sing"
                    or any(toks[c].lemma in ("он", "она", "его", "ее") for c in kids[subj]))):
            if not any(u.start <= subj < u.stop for u in units):
                # "Кан пообещал, что его правительство будет настаивать ..."
                before = [u for u in units if u.person and u.official and u.stop <= subj
                          and _is_subject(toks, _head_of(toks, u.start, u.stop))]
                if before or state.last_person is not None:
                    actors.append(before[-1] if before else state.last_person)
        elif (subj is None or toks[subj].rel == "nsubj:pass") and recipients \
                and trig.roles != "mutual" and trig.category not in ("SANCTION", "COERCE") \
                and toks[a].feats.get("Voice") == "Pass" and state.last_person is not None:
            # a passive clause without its agent: the person the paragraph is about
            actors.append(state.last_person)
    # "помощник Хиллари Клинтон, который посетил Белград": the relative
    # pronoun stands for the noun the clause qualifies
    if not actors and trig.roles != "mutual" and toks[a].rel == "acl:relcl":
        subj = next((c for c in kids[a] if toks[c].lemma == "который"
                     and toks[c].feats.get("Case") == "Nom"), None)
        ante = toks[a].head
        for _ in range(2):      # "помощник ... по европейским делам, который"
            if 0 <= ante < len(toks) and toks[ante].lemma not in lex.actor_nouns \
                    and toks[ante].rel in ("nmod", "obl") and toks[ante].head >= 0:
                ante = toks[ante].head
        if subj is not None and 0 <= ante < len(toks):
            for u in units:
                h = _head_of(toks, u.start, u.stop)
                path = [] if h == ante else _path(toks, h, ante)
                if path is not None and a not in path and not u.absorbed and u not in recipients \
                        and _introducer(toks, u.start, nouns=False) is None:
                    actors.append(u)
    # the tree did not give an actor: the nearest nominative phrase before a
    # verb trigger (a noun's actor is its genitive or its light verb's subject)
    if not actors and toks[a].pos in ("VERB", "ADJ") and toks[a].feats.get("VerbForm") != "Part":
        for u in sorted(units, key=lambda u: -u.start):
            if u.absorbed or id(u) in used or u in recipients or not (lo <= u.start < a):
                continue
            if toks[u.start].feats.get("Case") == "Nom" or u.kind == "adj" and \
                    toks[_adj_noun(toks, u.start) or u.start].feats.get("Case") == "Nom":
                actors.append(u)
                break
    # a pronoun object: the person last spoken of ("его арестовали")
    if not recipients and (("obj",) in frame or ("dat",) in frame) and state.last_person is not None:
        for c in kids[a]:
            if toks[c].pos == "PRON" and toks[c].lemma in ("он", "она") and (
                    toks[c].rel == "obj" and ("obj",) in frame
                    or toks[c].feats.get("Case") == "Dat" and ("dat",) in frame):
                recipients.append(state.last_person)
                break
    # an arrest or a sentence without its agent: the authorities of the place
    # where it happened ("был арестован в Бангкоке", "арестовали карабинеры"
    # "в аэропорту Болоньи")
    if not actors and recipients and trig.category in LOCAL_AUTHORITY:
        for u in places:
            if u.kind in ("country", "capital", "city") and u.code \
                    and u.code not in {r.code for r in recipients}:
                actors.append(Unit(u.start, u.stop, u.code, "body", f"власти ({u.name})", u.raw, "COP"))
                break
    if trig.roles == "evaluation":
        # the judge is the one who speaks: the subject of the sentence's
        # reporting verb, or the person quoted
        speakers = [u for u in units if not u.absorbed and (not u.person or u.official)
                    and _speaks(toks, u, lex)]
        named = any(t.lemma in lex.speech and any(toks[c].rel.startswith("nsubj") for c in kids[k])
                    for k, t in enumerate(toks))
        if speakers:
            actors = speakers[:1]
        elif named:
            actors = []         # the speaker is named here but is no state actor
        elif not actors and _inside_quote(analysis.document.text, sent.start):
            speaker = _quote_speaker(analysis, sent, state) or state.speaker
            actors = [speaker] if speaker is not None else []
        recipients = [u for u in recipients if u not in actors]
    # an entry ban without its agent: the country whose territory is closed
    # ("въезд на территорию стран Европейского союза запрещён")
    if not actors and recipients and trig.category == "SANCTION":
        for u in units:
            if u.absorbed or u in recipients or not u.official:
                continue
            p = _introducer(toks, u.start)
            if p is not None and _prep_form(toks[p].text) in ("на", "в") \
                    and toks[min(p + 1, len(toks) - 1)].feats.get("Case") == "Acc" \
                    and any(toks[k].lemma == "въезд" for k in range(max(0, p - 3), p)):
                actors.append(u)
                break
    if threat and not recipients:
        # "Если Китай нападет на Тайвань, США введут санкции": the threatened
        # is the one whose conduct is the condition
        own = {u.code for u in actors}
        for n in chain:
            for c in kids[n]:
                if toks[c].rel != "advcl":
                    continue
                for sc in kids[c]:
                    if toks[sc].rel.startswith("nsubj"):
                        recipients += [u for u in units if not u.absorbed and u.code not in own
                                       and _head_of(toks, u.start, u.stop) == sc]
    if threat and not actors:
        # "Чиновник заметил, что ... будут приняты санкции": whoever announces it
        for u in units:
            if not u.absorbed and u.official and _speaks(toks, u, lex):
                actors.append(u)
                break
        else:
            speech_subj = [c for k, t in enumerate(toks) if t.lemma in lex.speech
                           for c in kids[k] if toks[c].rel.startswith("nsubj")]
            if speech_subj and toks[speech_subj[0]].lemma in lex.actor_nouns \
                    and state.last_person is not None:
                actors.append(state.last_person)
    if trig.roles == "demand":
        # "Белград должен решить вопрос о Косово", says a foreign official:
        # the subject is asked, the speaker asks
        recipients, actors = [u for u in actors if not u.person], []
        verbs = []
        if toks[a].rel == "ccomp" and 0 <= toks[a].head < len(toks):
            verbs.append(toks[a].head)
        verbs += [c for c in kids[a] if toks[c].rel == "parataxis" and toks[c].pos == "VERB"]
        for v in verbs:
            for u in units:
                if u.absorbed:
                    continue
                path = _path(toks, _head_of(toks, u.start, u.stop), v)
                if path and toks[path[-1]].rel.startswith("nsubj"):
                    actors.append(u)
        if not actors and not verbs and _inside_quote(analysis.document.text, sent.start):
            speaker = _quote_speaker(analysis, sent, state) or state.speaker
            if speaker is not None:
                actors = [speaker]
    # a spokesperson speaks for the state: the state acts ("Марк Тоунер,
    # официальный представитель Госдепартамента: «Соединенные Штаты осуждают»")
    actors = [_for_state(u) if u.person and u.position in lex.spokes else u for u in actors]
    # persons act only as officials; anyone may be on the receiving end, and
    # a country's goods and firms ("российских банков") only of material measures
    actors = [u for u in actors if u.official]
    recipients = [u for u in recipients if u.official or u.person
                  or trig.category in NOMINAL_TARGETS]
    if trig.roles in ("partner", "evaluation") and not recipients and actors:
        # the other side of a reason clause: "Палестинцы отказываются ...,
        # поскольку Израиль отказывается ..." (and the other way round)
        own = {u.code for u in actors}
        linked = []
        if toks[a].rel == "advcl" and 0 <= toks[a].head < len(toks):
            linked.append(toks[a].head)
        linked += [c for c in kids[a] if toks[c].rel == "advcl"
                   and any(toks[m].pos == "SCONJ" for m in kids[c])]
        for v in linked:
            for c in kids[v]:
                if toks[c].rel.startswith("nsubj"):
                    recipients += [u for u in units if not u.absorbed and u.code not in own
                                   and _head_of(toks, u.start, u.stop) == c]
    if trig.roles == "evaluation" and not recipients and actors:
        # "назвал посещение островов министром обороны России «достойным
        # сожаления»": what is judged is the other country's act (not the
        # speaker, whoever he is)
        own = {u.code for u in actors}
        recipients = [u for u in units if not u.absorbed and u.code not in own
                      and u.kind != "city" and not _speaks(toks, u, lex)][:1]
    if trig.roles in ("partner", "mutual") and not recipients \
            and len({u.code for u in actors}) == 1 and trig.category != "CONSULT":
        # the other party of the meeting or visit the article reports
        # ("предложил обсудить соглашение", "Путин также подпишет договоры")
        own = {u.code for u in actors}
        for consult in reversed(state.consults[-1:]):
            countries = {p.country for p in consult.actors + consult.recipients}
            partners = [p for p in consult.actors + consult.recipients if p.country not in own]
            if len(countries) == 2 and own <= countries and partners:
                recipients = [_unit_from_actor(p) for p in partners]
                meeting = consult
    if category == "REJECT" and "meet" in trig.mode and not recipients and actors:
        # another refusal to attend the same meeting: its host
        own = {u.code for u in actors}
        for prior in reversed(state.events):
            if prior.category == "REJECT" and "meet" in prior.mode:
                recipients = [_unit_from_actor(p) for p in prior.recipients if p.country not in own]
                break
    if refusal:
        actors = _dedupe_units(actors)
        own = {u.code for u in actors}
        recipients = _dedupe_units([u for u in recipients if u.code not in own])
    elif trig.roles == "host":
        # "X принял Y": a meeting, and only people or delegations are received
        objs = [c for c in kids[a] if toks[c].rel == "obj"]

        def received(u):
            h = _adj_noun(toks, u.start) if u.kind == "adj" else _head_of(toks, u.start, u.stop)
            return h in objs or h is not None and toks[h].head in objs \
                and toks[toks[h].head].lemma in lex.actor_nouns
        recipients = [u for u in recipients if (u.person or u.kind == "adj" and u.official)
                      and received(u)]
        actors, recipients = _dedupe_units([u for u in actors + recipients if u.official]), []
    elif trig.roles == "mutual" or category == "CONSULT" and trig.roles == "mutual":
        actors, recipients = _dedupe_units([u for u in actors + recipients if u.official]), []
    else:
        actors = _dedupe_units(actors)
        own = {u.code for u in actors}
        recipients = _dedupe_units([u for u in recipients if u.code not in own])
    codes = {u.code for u in actors} | {u.code for u in recipients}
    if len(codes) < 2:
        # a meeting sentence without its parties continues the last meeting
        if trig.category == "CONSULT" and not actors and state.consults \
                and index - _sentence_of(analysis, state.consults[-1]) <= 2:
            _enrich(analysis, state.consults[-1], sent, places, units, toks)
            return None
        # "Переговоры по этому вопросу уже проходят": talks between the
        # parties of the act just reported
        if trig.category == "CONSULT" and not actors and not recipients and not units \
                and state.events and _sentence_of(analysis, state.events[-1]) == index - 1 \
                and toks[a].pos == "NOUN" and category == "CONSULT":
            prev = state.events[-1]
            parties = prev.actors + prev.recipients
            if len({p.country for p in parties}) >= 2:
                actors = [_unit_from_actor(p) for p in parties]
                recipients = []
                codes = {u.code for u in actors}
        if len(codes) < 2:
            return None
    if not actors or (refusal or trig.roles not in ("mutual", "host")) and not recipients:
        return None
    if category == "CONSULT" and all(u.sector == "MIL" and not u.person for u in actors):
        # armies "meeting" on a front line act together: joint military action
        category = "COOPERATE"
    mode = ["meet"] if refusal else list(trig.mode)
    if trig.category == "CONSULT" or category == "AGREE" and trig.category == "CONSULT":
        for m in _modes(toks):
            if m not in mode:
                mode.append(m)
        if "visit" in mode and trig.roles == "mutual":
            mode.remove("visit")
    if trig.category == "CONSULT" and "multilateral" in mode and "visit" in mode:
        mode.remove("visit")
    act_mode = list(mode)   # what the act is (a visit), for its place
    if category == "AGREE" and trig.category != "AGREE":
        mode = []           # a planned visit is an AGREE without a CONSULT mode
    contexts = list(trig.contexts)
    for c in _contexts_of([sent]) + (doc_contexts if trig.category == "CONSULT" else []):
        if c not in contexts:
            contexts.append(c)
    if not contexts:
        contexts = list(doc_contexts[:2])
    location = None
    if (category in LOCATED or trig.category in LOCATED) and trig.roles != "evaluation":
        location = _location(analysis, sent, places, units, toks, recipients, act_mode,
                             meeting=trig.category == "CONSULT")
    if meeting is not None and meeting.location is not None:
        location = meeting.location     # said or agreed at the meeting reported
    return Event(
        category=category, quad_code=QUAD.get(category, 0),
        actors=[_actor(u) for u in actors], recipients=[_actor(u) for u in recipients],
        mode=mode, context=contexts, location=location,
        date=event_date(sent.text, analysis.document.published),
        text=sent.text, start=sent.start, stop=sent.stop,
        trigger=" ".join(toks[i].text for i in sorted(match.tokens)))


def _sentence_of(analysis: Analysis, event: Event) -> int:
    for i, s in enumerate(analysis.sentences):
        if s.start == event.start:
            return i
    return -10


def _enrich(analysis, event: Event, sent: Sentence, places, units, toks) -> None:
    for m in _modes(toks):
        if m not in event.mode:
            event.mode.append(m)
    if "multilateral" in event.mode and "visit" in event.mode:
        event.mode.remove("visit")
    if event.location is None:
        event.location = _location(analysis, sent, places, units, toks, [], event.mode,
                                   meeting=True)


def _quote_speaker(analysis: Analysis, sent: Sentence, state: DocState) -> Optional[Unit]:
    """The speaker of the extract stage's quote that holds this sentence."""
    for quote in analysis.quotes:
        if quote.start <= sent.start < quote.stop or quote.start < sent.stop <= quote.stop:
            ent = analysis.entity(quote.speaker)
            if ent is None:
                return None
            known = state.person_country.get(ent.id)
            code_ = ent.country or (known[0] if known else None)
            if not code_:
                return None
            return Unit(0, 0, code_, "person" if ent.kind == "person" else ent.kind, ent.name,
                        quote.speaker_text or ent.name, ent.sector or "GOV",
                        ent.position or (known[1] if known else None), ent.id)
    return None


def _speaks(toks: list[Token], u: "Unit", lex: "Lexicon") -> bool:
    """Is the phrase (within) the subject of a reporting verb ("заявил глава
    ПАСЕ Матиас Йорш")?"""
    i = _adj_noun(toks, u.start) if u.kind == "adj" else _head_of(toks, u.start, u.stop)
    if i is None:
        return False
    for _ in range(4):
        if not 0 <= i < len(toks):
            return False
        t = toks[i]
        if t.rel.startswith("nsubj"):
            return 0 <= t.head < len(toks) and toks[t.head].lemma in lex.speech
        if 0 <= t.head < len(toks) and toks[t.head].lemma == "слово" and t.rel == "nmod":
            return True         # "цитирует слова турецкого премьер-министра"
        if t.rel not in ("appos", "flat", "flat:name", "nmod", "conj"):
            return False
        i = t.head
    return False


def _is_subject(toks: list[Token], i: int) -> bool:
    """Is token i the subject, or the name in apposition to it ("Премьер-министр
    Японии Наото Кан пообещал")?"""
    for _ in range(3):
        if not 0 <= i < len(toks):
            return False
        rel = toks[i].rel
        if rel.startswith("nsubj"):
            return True
        if rel not in ("appos", "flat", "flat:name", "flat:foreign"):
            return False
        i = toks[i].head
    return False


def _inside_quote(text: str, position: int) -> bool:
    """Is this position inside a quotation that began earlier?"""
    before = text[max(0, position - 3000):position]
    para = before[before.rfind("\n") + 1:] if "\n" in before else before
    return before.count("«") > before.count("»") or para.count('"') % 2 == 1 \
        or para.lstrip().startswith(("«", "—", "-", '"'))


def _subject_token(toks, kids, chain) -> Optional[int]:
    for n in chain:
        for c in kids[n]:
            if toks[c].rel in ("nsubj", "nsubj:pass"):
                return c
    return None


def _role(toks, kids, path: list[int], anchor: int, direct: bool, frame, trig) -> Optional[str]:
    """actor, recipient, place or None for a unit reached by ``path``."""
    arg = path[-1]                      # the anchor's dependent on the path
    rel = toks[arg].rel
    # the first preposition on the way up decides, except that a frame
    # preposition higher up still takes it ("согласен на контроль со стороны
    # МАГАТЭ"); a place ("в Грузии") is a place
    first_prep = None
    for n in path:
        prep = _prep(toks, kids, n)
        if prep is None:
            continue
        case = toks[n].feats.get("Case", "")
        if prep == "во":
            prep = "в"
        if ("prep", prep, case) in frame:
            return "recipient"
        if first_prep is None:
            first_prep = (prep, case)
            if (prep, case) in LOCATIVE_PREPS:
                return "place"
    if first_prep is not None:
        # inside the direct object ("осудил визит на острова президента России")
        if rel == "obj" and ("obj",) in frame:
            return "recipient"
        return None
    if rel.startswith("nsubj"):
        if rel == "nsubj:pass" and trig.roles not in ("mutual", "host"):
            # the passive's subject undergoes the act ("Бут был арестован");
            # its owner ("уровень дипмиссии республики был повышен") is neither side
            if all(toks[n].rel in ("nsubj:pass", "appos", "flat", "flat:name", "conj")
                   for n in path):
                return "recipient"
            return None
        return "actor"
    first = path[0]
    case = toks[arg].feats.get("Case", "") or toks[first].feats.get("Case", "")
    if rel == "obj" and ("obj",) in frame:
        return "recipient"
    if ("dat",) in frame and any(toks[n].rel == "iobj" or toks[n].feats.get("Case") == "Dat"
                                 for n in path):
        return "recipient"
    if case == "Gen" and rel in ("nmod", "obl"):
        if ("gen",) in frame:
            return "recipient"
        if toks[anchor].pos == "NOUN":
            return "actor"
    if case == "Ins" and rel in ("obl", "nmod", "obl:agent") and (
            toks[anchor].feats.get("Voice") == "Pass" or toks[anchor].feats.get("VerbForm") == "Part"
            or toks[anchor].pos == "NOUN"):
        return "actor"
    if rel == "obj" and trig.roles == "mutual" and toks[first].pos == "PROPN":
        return "actor" if trig.category == "CONSULT" else None
    return None


def _dedupe_units(units: list[Unit]) -> list[Unit]:
    out, seen = [], set()
    # a person and his own country word in one phrase: the person acts
    bodies = {u.code for u in units if u.kind in ("body", "organisation", "igo")}
    for u in units:
        if u.kind in ("country", "capital") and u.code in bodies:
            continue
        key = (u.name, u.code)
        if key not in seen:
            seen.add(key)
            out.append(u)
    return out


def _for_state(u: Unit) -> Unit:
    g = _gaz()
    place = None
    try:
        place = g.by_code(u.code) if g is not None else None
    except Exception:
        place = None
    name = getattr(place, "name", None) or u.code
    return Unit(u.start, u.stop, u.code, "country", name, u.raw, "GOV")


def _unit_from_actor(p: Actor) -> Unit:
    return Unit(0, 0, p.country or "", "person" if p.position else "body",
                p.entity_name, p.raw_text, p.sector_code or "GOV", p.position, p.entity)


def _actor(u: Unit) -> Actor:
    return Actor(raw_text=u.raw, entity_name=u.name, country=lexicon().aliases.get(u.code, u.code),
                 sector_code=u.sector or "GOV", position=u.position, entity=u.entity)


def _modes(toks: list[Token]) -> list[str]:
    lex = lexicon()
    lemmas = [t.lemma for t in toks]
    out = []
    for pattern, mode in lex.modes:
        n = len(pattern)
        if any(tuple(lemmas[i:i + n]) == pattern for i in range(len(lemmas) - n + 1)):
            if mode not in out:
                out.append(mode)
    return out


def _contexts_of(sentences: list[Sentence]) -> list[str]:
    lex = lexicon()
    out = []
    for s in sentences:
        for t in s.tokens:
            c = lex.contexts.get(t.lemma)
            if c and c not in out:
                out.append(c)
    return out


def _location(analysis, sent, places, units, toks, recipients, mode,
              meeting: bool = False) -> Optional[Location]:
    # a city named with "в"/"на" + locative (not a participant), else a country;
    # for a meeting, any such place in the sentence when none attaches to the trigger
    cands = []
    for m in (analysis.mentions if meeting and not places else ()):
        if m.type == LOC and sent.start <= m.start < sent.stop:
            span = [k for k, t in enumerate(toks) if t.start < m.stop and t.stop > m.start]
            if not span:
                continue
            if _locative(toks, span[0]):
                cands.append((span[0], m.text, m.normal or m.text, m.entity))
    for u in places:
        if not any(c[0] >= u.start and c[0] < u.stop for c in cands):
            cands.append((u.start, u.raw, u.normal or u.name, u.entity))
    if not cands and "visit" in mode and recipients:
        u = recipients[0]
        if u.kind in ("country", "capital"):
            return Location(u.raw, u.name, u.code)
    if not cands:
        return None
    lex = lexicon()

    def info(c):
        start, raw, normal, ent_id = c
        ent = analysis.entity(ent_id)
        if ent is not None:
            return ent.kind, ent.country or ent.code
        hit = lex.names.get(_key(normal))
        if hit is not None:
            return hit[1], hit[0]
        place = _gazetteer(normal)
        if place is not None:
            return getattr(place, "kind", "city"), getattr(place, "country", None)
        return "city", None

    best = None
    for c in cands:
        kind, country = info(c)
        rank = 0 if kind in ("city", "capital") else 1
        if best is None or rank < best[0]:
            best = (rank, c, country)
    _, (start, raw, normal, _), country = best
    return Location(raw_text=raw, resolved_place=normal, country=country)


PLACE_WORDS = frozenset(row[0] for row in _rows("locative_place_words.txt"))


def _locative(toks: list[Token], k: int) -> bool:
    """Does "в"/"на" + locative introduce the phrase at token k (directly or
    through a place word: "в городе Сочи", "в аэропорту Болоньи")?"""
    j = k - 1
    if j >= 1 and toks[j].lemma in PLACE_WORDS:
        j -= 1
    return j >= 0 and _norm(toks[j].text) in ("в", "во", "на") and \
        toks[j + 1].feats.get("Case") == "Loc"


def _gazetteer(name: str):
    try:
        from .link.gazetteer import resolve  # the gazetteer, when installed
    except Exception:
        return None
    try:
        return resolve(name.split())
    except Exception:
        return None


# --------------------------------------------------------------------------
# dates

MONTHS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
          "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}
_MONTH_RE = r"(январ[яеь]|феврал[яеь]|марта|марте|март|апрел[яеь]|ма[яйе]|июн[яеь]|июл[яеь]|августа|августе|август|сентябр[яеь]|октябр[яеь]|ноябр[яеь]|декабр[яеь])"
_DMY = re.compile(r"\b(\d{1,2})\s+" + _MONTH_RE + r"(?:\s+(\d{4})(?:\s*(?:года|г\.|год))?)?", re.I)
_MY = re.compile(r"\b" + _MONTH_RE + r"\s+(\d{4})\b", re.I)
_Y = re.compile(r"\b(1[6-9]\d\d|20\d\d)(?:\s*(?:года|году|год|г\.)|-(?:го|м|й)\b)")


def _month(word: str) -> int:
    w = word.lower()
    for stem, n in MONTHS.items():
        if w.startswith(stem):
            return n
    return 0


def event_date(text: str, published: Optional[str] = None) -> Optional[str]:
    """The date the sentence gives (with a year), else the document's date."""
    m = _DMY.search(text)
    if m and m.group(3):
        return f"{m.group(3)}-{_month(m.group(2)):02d}-{int(m.group(1)):02d}"
    m2 = _MY.search(text)
    if m2:
        return f"{m2.group(2)}-{_month(m2.group(1)):02d}"
    m3 = _Y.search(text)
    if m3:
        return m3.group(1)
    if m and published and re.match(r"\d{4}", published):
        return f"{published[:4]}-{_month(m.group(2)):02d}-{int(m.group(1)):02d}"
    if published and re.match(r"\d{4}-\d{2}-\d{2}$", published):
        return published
    return None
