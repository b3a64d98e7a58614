"""FactRuEval-2016: reading the standard, writing answers, scoring them.

The scorer re-implements the rules of the official comparator
(dialogue-evaluation/factRuEval-2016, ``scripts/t1_eval.py`` and
``scripts/t3_eval.py``) so that figures printed by ``svodka eval`` can be
quoted next to the published ones. Where the official code has a quirk that
changes numbers (a file that fails to load wipes the document's standard, the
mention text shown for an entity loses its last character, stateful tie
breaking between identical mentions, ...) the quirk is reproduced on purpose
and marked ``# comparator quirk``; a fixed comparator would not give the
published figures.

One deliberate difference: the comparator accepts a position in the
nominative through a hand-made table of the standard's position forms
(``jobs_processed.txt``); here ``nominative_position`` (pymorphy3) derives
the nominative instead.

Main entry points::

    load_document_ids(set_dir) -> ["book_58", ...]
    load_gold_set(set_dir) -> {doc_id: GoldDocument}   # mentions, facts
    write_task1(path, [(TYPE, start, length)]); write_task3(path, [(Type, [(Arg, value)])])
    write_answer_set(out_dir, doc_ids, task1={...}, task3={...})
    score_task1(gold_dir, answers_dir, locorg_as_loc) -> Scores
    score_task3(gold_dir, answers_dir, hard_mode=False) -> Scores
    score_task1_answers(gold, {doc_id: answers}, locorg_as_loc) -> Scores
    score_task3_answers(gold, {doc_id: facts}) -> Scores
    python -m svodka.evaluate.factru {task1,task3} GOLD ANSWERS [-l|-m]

No NLP here: the NLP side writes answers (``write_task1``/``write_task3``) or
hands them in memory to ``score_task1_answers``/``score_task3_answers``.

Answer formats are described in ``docs/factru-answers.md`` of the shared
docs: ``TYPE START LENGTH`` lines for task 1 and blank-line separated
``Type:`` / ``Arg: value`` blocks for task 3.
"""
from __future__ import annotations

import bisect
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

__all__ = [
    "TASK1_TYPES", "TASK3_TYPES", "Metric", "Scores", "GoldDocument",
    "GoldMention", "GoldFact", "GoldArgument", "load_document_ids",
    "load_gold_document", "load_gold_set", "gold_task1_answers",
    "gold_task3_answers", "write_task1", "write_task3", "write_answer_set",
    "read_task1", "read_task3", "score_task1", "score_task3",
    "score_task1_answers", "score_task3_answers", "fold", "values_agree",
    "nominative_position", "GoldFormatError", "main",
]

# Answer mention types (upper case, as written in .task1 files) and the
# standard's object types they correspond to.
TASK1_TYPES = ("PER", "LOC", "ORG", "LOCORG")
_OBJECT_TYPE_TO_TAG = {
    "Person": "per", "Location": "loc", "LocOrg": "locorg",
    "Org": "org", "Organization": "org", "Project": "project",
}
# The comparator's internal tag order decides the order of its matching
# search, which matters for ties; keep it.
_TAG_ORDER = ("per", "loc", "org", "locorg")

TASK3_TYPES = ("Occupation", "Meeting", "Deal", "Ownership")
# Official report order is ownership, occupation, meeting, deal; per-type
# sums do not depend on it, only the printed table does.
_FACT_TAGS = {t.lower(): t for t in TASK3_TYPES}

OVERALL = "overall"


# ---------------------------------------------------------------------------
# String folding and fuzzy comparison
# ---------------------------------------------------------------------------

_DOUBLE_QUOTES = "«»“”„"
_SINGLE_QUOTES = "’`"
_DASHES = "-‐−‒–—―"


def fold(text: str) -> str:
    """Lower-case, trim, fold quotes, dashes and ё, as the comparator does to
    document text, token texts and answer values before comparing."""
    folded = text.lower().strip(" \r\n\t")
    for quote in _DOUBLE_QUOTES:
        folded = folded.replace(quote, '"')
    for quote in _SINGLE_QUOTES:
        folded = folded.replace(quote, "'")
    folded = folded.replace("ё", "е")
    for dash in _DASHES:
        folded = folded.replace(dash, "-")
    return folded


def _fold_spacing(text: str) -> str:
    """``fold`` plus the removal of spaces around punctuation that token-joined
    standard strings carry ("мэрии , москвы"); applied to answer lines too."""
    folded = fold(text)
    for before, after in ((" ,", ","), (" .", "."), (" -", "-"), ("- ", "-"),
                          ("( ", "("), (" )", ")")):
        folded = folded.replace(before, after)
    return folded


def _finalise(value: str) -> str:
    # What the comparator does to standard values just before comparing.
    return value.lower().strip(" \n\r\t").replace("ё", "е")


@lru_cache(maxsize=200_000)
def _levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a):
        current = [i + 1]
        for j, char_b in enumerate(b):
            current.append(min(current[j] + 1, previous[j + 1] + 1,
                               previous[j] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _tolerance(length: int) -> int:
    # Edits forgiven for a string of this length (the longer of the two):
    # none for 0-1 characters, one up to 8, two from 9 on.
    if length <= 1:
        return 0
    if length <= 8:
        return 1
    return 2


def values_agree(a: str, b: str) -> bool:
    """True when two already-folded values are equal up to the comparator's
    small edit-distance tolerance."""
    if a == b:
        return True
    limit = _tolerance(max(len(a), len(b)))
    if abs(len(a) - len(b)) > limit:
        return False
    return _levenshtein(a, b) <= limit


# ---------------------------------------------------------------------------
# Standard records
# ---------------------------------------------------------------------------

class GoldFormatError(ValueError):
    """A standard file the official loader would have refused."""


@dataclass(eq=False)
class GoldToken:
    id: str
    start: int
    length: int
    text: str                       # folded, as the comparator keeps it
    index: int = -1                 # position in the document, by start

    @property
    def last(self) -> int:          # inclusive end, the comparator's "end"
        return self.start + self.length - 1

    def is_letter(self) -> bool:
        return len(self.text) <= 1 and (self.text.upper() != self.text
                                        or self.text.lower() != self.text)

    def is_punctuation(self) -> bool:
        return len(self.text) == 1 and not self.is_letter()


@dataclass(eq=False)
class GoldSpan:
    id: str
    tag: str                        # name, surname, org_name, loc_descr, ...
    start: int
    nchars: int
    tokens: list[int]               # token indices, sorted by position
    text: str                       # folded, token texts joined by spaces


@dataclass(eq=False)
class GoldMention:
    """A task-1 object of the standard (a line of ``.objects``)."""
    id: str
    type: str                       # Person, Location, LocOrg, Org, Project
    tag: str                        # per, loc, locorg, org, project
    spans: list[GoldSpan]
    tokens: list[int] = field(default_factory=list)   # sorted token indices
    text: str = ""                  # folded token texts joined by spaces
    interval_text: str = ""         # see _mention_interval_text

    @property
    def answer_type(self) -> str:
        return self.tag.upper()


@dataclass(eq=False)
class GoldEntity:
    id: str
    tag: str
    mentions: list[GoldMention]
    spans: list[GoldSpan]
    attributes: dict[str, set[str]]     # attribute name -> folded values


@dataclass(eq=False)
class GoldArgument:
    """One argument of a standard fact; ``variants`` are all folded values an
    answer may give for it."""
    name: str                       # who, position, where, participant, ...
    variants: list[str]
    shown: str                      # the value the standard file shows
    kind: str                       # entity, span, string


@dataclass(eq=False)
class GoldFact:
    id: str
    type: str                       # occupation, meeting, deal, ownership, ispartof
    arguments: list[GoldArgument]   # without Сложность / Модальность
    hard: bool = False              # Сложность повышенная
    modality: list[str] = field(default_factory=list)   # Модальность values
    not_actual: bool = False        # модальность возможность/будущее/отрицание

    @property
    def answer_type(self) -> str:
        return _FACT_TAGS.get(self.type, self.type)

    @property
    def phase(self) -> Optional[str]:
        for argument in self.arguments:
            if argument.name == "фаза":
                return argument.shown
        return None


@dataclass(eq=False)
class GoldDocument:
    id: str                         # book_N
    text: str                       # folded document text (offsets kept)
    tokens: list[GoldToken]
    mentions: list[GoldMention]
    entities: list[GoldEntity]
    facts: list[GoldFact]
    has_facts: bool = True          # a .facts file exists
    load_error: Optional[str] = None  # why the official loader would fail


# ---------------------------------------------------------------------------
# Reading the standard
# ---------------------------------------------------------------------------

_DOC_ID = re.compile(r"book_[0-9]+")


def _doc_number(doc_id: str) -> int:
    return int(doc_id[5:])


def load_document_ids(set_dir: str | os.PathLike) -> list[str]:
    """Ids (``book_N``) of the documents of a set directory, by number."""
    ids = set()
    for name in os.listdir(set_dir):
        stem = name.split(".")[0]
        if _DOC_ID.match(stem):
            ids.add(stem)
    return sorted(ids, key=_doc_number)


_NOT_ACTUAL_MODALITIES = ("возможность", "будущее", "отрицание")
_SPECIAL_ARGUMENTS = ("сложность", "модальность", "фаза")


def _read_tokens(path: Path) -> list[GoldToken]:
    tokens = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split(" ")
            if len(fields) != 4:
                raise GoldFormatError(f"{path.name}:{number + 1}: expected 4 fields")
            token_id, start, length, text = fields
            tokens.append(GoldToken(token_id, int(start), int(length), fold(text)))
    tokens.sort(key=lambda token: token.start)
    for index, token in enumerate(tokens):
        token.index = index
    return tokens


def _read_spans(path: Path, token_by_id: Mapping[str, GoldToken]) -> dict[str, GoldSpan]:
    spans = {}
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            # The official loader has no blank-line skip for .spans: any line,
            # even an empty one, must have both halves.
            parts = line.split("  # ")
            if len(parts) != 2:
                raise GoldFormatError(f"{path.name}:{number + 1}: no '  # ' separator")
            left = [x for x in parts[0].split(" ") if x]
            right = [x for x in parts[1].split(" ") if x]
            if len(left) < 6:
                raise GoldFormatError(f"{path.name}:{number + 1}: short span line")
            span_id, tag, start, nchars, _first_token, ntokens = left[:6]
            ntokens = int(ntokens)
            if len(right) != 2 * ntokens:
                raise GoldFormatError(f"{path.name}:{number + 1}: token count mismatch")
            try:
                tokens = sorted(token_by_id[x.strip()].index for x in right[:ntokens])
            except KeyError as missing:
                raise GoldFormatError(f"{path.name}: unknown token {missing}") from None
            text = _fold_spacing(" ".join(right[ntokens:])).replace("\n", "")
            spans[span_id] = GoldSpan(span_id, tag, int(start), int(nchars), tokens, text)
    return spans


def _read_mentions(path: Path, spans: Mapping[str, GoldSpan]) -> list[GoldMention]:
    mentions = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            fields = line.rstrip("\r\n").split(" ")
            if "#" in fields:
                fields = fields[:fields.index("#")]
            if fields == [""] or not fields:
                continue
            if len(fields) <= 2:
                raise GoldFormatError(f"{path.name}:{number + 1}: object without spans")
            mention_id, object_type = fields[0].strip(), fields[1]
            if object_type not in _OBJECT_TYPE_TO_TAG:
                raise GoldFormatError(f"{path.name}:{number + 1}: unknown type {object_type}")
            try:
                mention_spans = [spans[x.strip()] for x in fields[2:]]
            except KeyError as missing:
                raise GoldFormatError(f"{path.name}: unknown span {missing}") from None
            token_indices = sorted({t for span in mention_spans for t in span.tokens})
            mentions.append(GoldMention(mention_id, object_type,
                                        _OBJECT_TYPE_TO_TAG[object_type],
                                        mention_spans, token_indices))
    return mentions


def _quote_extended_interval(token_indices: Sequence[int],
                             tokens: Sequence[GoldToken]) -> tuple[int, int]:
    """(start, inclusive end) of a token set, widened over adjacent quote
    tokens, as the comparator's answer generator and entity texts do."""
    first, last = token_indices[0], token_indices[-1]
    while first > 0 and tokens[first - 1].text == '"':
        first -= 1
    while last < len(tokens) - 1 and tokens[last + 1].text == '"':
        last += 1
    return tokens[first].start, tokens[last].last


def _block_lines(path: Path) -> Iterable[list[str]]:
    """Blank-line separated blocks of stripped lines (.coref, .facts)."""
    block: list[str] = []
    with open(path, encoding="utf-8") as stream:
        for raw in stream:
            line = raw.strip(" \t\n\r")
            if line:
                block.append(line)
            elif block:
                yield block
                block = []
    if block:
        yield block


def _read_entities(path: Path, mentions: Mapping[str, GoldMention],
                   spans: Mapping[str, GoldSpan],
                   tokens: Sequence[GoldToken]) -> dict[str, GoldEntity]:
    entities = {}
    for block in _block_lines(path):
        ids = block[0].split(" ")
        entity_mentions, entity_spans = [], []
        for some_id in ids[1:]:
            if some_id in mentions:
                if mentions[some_id] not in entity_mentions:
                    entity_mentions.append(mentions[some_id])
            elif some_id in spans:
                if spans[some_id] not in entity_spans:
                    entity_spans.append(spans[some_id])
            # an id found nowhere is tolerated by the comparator
        tags = {m.tag for m in entity_mentions}
        if len(tags) > 1 and tags & {"loc", "locorg"}:
            tag = "loc"
        elif len(tags) == 1:
            tag = tags.pop()
            tag = "loc" if tag == "locorg" else tag
        else:
            raise GoldFormatError(f"{path.name}: entity {ids[0]} has mention types {sorted(tags)}")
        raw_attributes = []
        for line in block[1:]:
            parts = line.split(" ")
            raw_attributes.append((parts[0].strip().lower(), _fold_spacing(" ".join(parts[1:]))))
        entity = GoldEntity(ids[0], tag, entity_mentions, entity_spans,
                            _entity_attributes(tag, raw_attributes, entity_mentions,
                                               entity_spans, tokens))
        entities[entity.id] = entity
    return entities


def _entity_attributes(tag: str, raw: list[tuple[str, str]],
                       mentions: list[GoldMention], spans: list[GoldSpan],
                       tokens: Sequence[GoldToken]) -> dict[str, set[str]]:
    """Merge attribute lines into name -> values, the way the comparator builds
    the acceptable names of an entity: descriptors combine with every other
    attribute in both orders, a name that the text shows in quotes is also
    accepted with its quotes, trailing digits of attribute names are dropped."""
    by_name: dict[str, set[str]] = {}
    descriptors: set[str] = set()
    all_spans = list(spans) + [s for m in mentions for s in m.spans]
    for name, value in raw:
        if name.endswith("descr") or name.endswith("descriptor"):
            descriptors.add(value)
            continue
        if name == "wikidata":
            continue
        values = by_name.setdefault(name, set())
        values.add(value)
        if name == "name" and tag != "per":
            quoted = _quoted_name(value, all_spans, tokens)
            if quoted:
                values.add(quoted)
    if descriptors:
        for name, values in by_name.items():
            widened = set()
            for value in values:
                for descriptor in descriptors:
                    widened.add(value)
                    if f" {descriptor} " in f" {value} ":
                        continue
                    widened.add(f"{value} {descriptor}")
                    widened.add(f"{descriptor} {value}")
            by_name[name] = widened
    merged: dict[str, set[str]] = {}
    for name, values in by_name.items():
        merged.setdefault(name.strip("1234567890"), set()).update(values)
    return merged


def _quoted_name(value: str, spans: list[GoldSpan],
                 tokens: Sequence[GoldToken]) -> Optional[str]:
    for span in spans:
        if "name" not in span.tag or span.text.lower().replace("ё", "е") != value:
            continue
        if not span.tokens:
            continue
        before = span.tokens[0] - 1
        after = span.tokens[-1] + 1
        left = tokens[before].text if before >= 0 else ""
        right = tokens[after].text if after < len(tokens) else ""
        left = left if left in ('"', "'", "«") else ""
        right = right if right in ('"', "'", "»") else ""
        if left + right in ('""', "''", "«»"):
            return left + value + right
    return None


def _person_variants(attributes: Mapping[str, set[str]]) -> set[str]:
    """Name combinations accepted for a person: surname-first, first-name-first,
    single parts, nickname (the standard writes "Обама Барак")."""
    parts = {"f": attributes.get("firstname", set()),
             "l": attributes.get("lastname", set()),
             "p": attributes.get("patronymic", set()),
             "n": attributes.get("nickname", set())}
    variants: set[str] = set()
    for combination in ("lfp", "fpl", "fp", "fl", "lf", "n", "f", "p", "l", "fn"):
        options = [""]
        for letter in combination:
            options = [f"{o} {v}" if o else v for v in parts[letter] if v for o in options]
        variants.update(options)
    return variants


def _entity_variants(entity: GoldEntity, shown: str) -> list[str]:
    variants = {shown}
    for mention in entity.mentions:
        variants.add(mention.text)
        variants.add(mention.interval_text)
    if entity.tag == "per":
        variants |= _person_variants(entity.attributes)
    elif entity.tag in ("org", "loc"):
        variants |= entity.attributes.get("name", set())
    return sorted({_finalise(v) for v in variants})


def _read_facts(path: Path, entities: Mapping[str, GoldEntity],
                spans: Mapping[str, GoldSpan],
                position_normaliser: Optional[Callable[[str], Optional[str]]]) -> list[GoldFact]:
    facts = []
    for block in _block_lines(path):
        head = block[0].split(" ")
        if len(head) < 2:
            raise GoldFormatError(f"{path.name}: fact without a type: {block[0]}")
        fact = GoldFact(head[0], head[1].strip(" :\n\t\r").lower(), [])
        difficulty = []
        for line in block[1:]:
            parts = line.split(" ")
            if len(parts) < 2:
                raise GoldFormatError(f"{path.name}: argument without a value: {line}")
            name = parts[0].lower()
            name = "position" if name == "job" else name
            alternatives = " ".join(parts[1:]).split("|")
            if parts[1].startswith("span"):
                variants, shown = [], []
                for alternative in alternatives:
                    words = [w for w in alternative.split(" ") if w]
                    if not words or not words[0].startswith("span") or words[0][4:] not in spans:
                        raise GoldFormatError(f"{path.name}: bad span value: {line}")
                    text = spans[words[0][4:]].text
                    shown.append(text)
                    variants.append(text)
                    if name == "position" and position_normaliser is not None:
                        normal = position_normaliser(text)
                        if normal:
                            variants.append(normal)
                argument = GoldArgument(name, sorted({_finalise(v) for v in variants}),
                                        shown[0], "span")
            elif parts[1].startswith("obj"):
                # comparator quirk: "obj1 A | obj2 B" is one value of entity 1
                # whose shown name is the whole rest of the line.
                entity = entities.get(parts[1][3:])
                if entity is None:
                    raise GoldFormatError(f"{path.name}: unknown entity in {line}")
                shown = " ".join(parts[2:]).strip(" \n\r\t").lower()
                argument = GoldArgument(name, _entity_variants(entity, shown), shown, "entity")
            else:
                values = [a.strip(" \n\r\t").lower() for a in alternatives]
                argument = GoldArgument(name, sorted({_finalise(v) for v in values}),
                                        values[0], "string")
            if name == "модальность":
                fact.modality.extend(argument.variants)
                fact.not_actual = fact.not_actual or any(
                    v in _NOT_ACTUAL_MODALITIES for v in argument.variants)
            elif name == "сложность":
                difficulty.append(argument)
            else:
                fact.arguments.append(argument)
        if len(difficulty) > 1 or (difficulty and len(difficulty[0].variants) != 1):
            raise GoldFormatError(f"{path.name}: fact {fact.id}: several difficulties")
        fact.hard = bool(difficulty) and difficulty[0].variants[0] == "повышенная"
        if sum(a.name == "фаза" for a in fact.arguments) > 1:
            raise GoldFormatError(f"{path.name}: fact {fact.id}: several phases")
        facts.append(fact)
    # The comparator checks these shapes when it (uselessly) widens Where
    # values with isPartOf facts; it refuses the document otherwise.
    if any(f.type == "occupation" for f in facts):
        for fact in facts:
            if fact.type == "ispartof" and any(a.kind != "entity" for a in fact.arguments):
                raise GoldFormatError(f"{path.name}: isPartOf {fact.id} with a non-entity")
            if fact.type == "occupation" and any(
                    a.name == "where" and a.kind != "entity" for a in fact.arguments):
                raise GoldFormatError(f"{path.name}: Occupation {fact.id} Where is not an entity")
    return facts


def load_gold_document(set_dir: str | os.PathLike, doc_id: str,
                       position_normaliser: Optional[Callable[[str], Optional[str]]] = None,
                       ) -> GoldDocument:
    """Read one standard document. ``position_normaliser`` maps a position
    as written in the text ("мэра") to its nominative ("мэр"), which answers
    may give instead; the official comparator uses a fixed table of such forms
    (``jobs_processed.txt``); by default svodka uses pymorphy3 (see
    ``nominative_position``).

    A document the official loader refuses keeps its text and tokens but gets
    no mentions, entities or facts, and ``load_error`` says why: the
    comparator scores it that way (every answer for it is a false positive)."""
    base = Path(set_dir) / doc_id
    if position_normaliser is None:
        position_normaliser = nominative_position
    with open(f"{base}.txt", encoding="utf-8") as stream:
        # comparator quirk: the whole text is folded and trimmed; a text that
        # starts with white space would shift every offset used below.
        text = fold(stream.read())
    tokens = _read_tokens(Path(f"{base}.tokens"))
    document = GoldDocument(doc_id, text, tokens, [], [], [],
                            has_facts=Path(f"{base}.facts").exists())
    try:
        token_by_id = {t.id: t for t in tokens}
        spans = _read_spans(Path(f"{base}.spans"), token_by_id)
        mentions = _read_mentions(Path(f"{base}.objects"), spans)
        for mention in mentions:
            mention.text = " ".join(tokens[i].text for i in mention.tokens)
            if mention.tokens:
                start, last = _quote_extended_interval(mention.tokens, tokens)
                # comparator quirk: the slice ends one character early.
                mention.interval_text = text[start:last]
        mention_by_id = {m.id: m for m in mentions}
        coref = Path(f"{base}.coref")
        if not coref.exists():
            if document.has_facts:
                raise GoldFormatError("facts without a .coref file")
            entities: dict[str, GoldEntity] = {}
        else:
            entities = _read_entities(coref, mention_by_id, spans, tokens)
        facts = (_read_facts(Path(f"{base}.facts"), entities, spans, position_normaliser)
                 if document.has_facts else [])
    except (GoldFormatError, OSError, ValueError) as error:
        document.load_error = str(error)
        return document
    document.mentions = mentions
    document.entities = list(entities.values())
    document.facts = facts
    return document


def load_gold_set(set_dir: str | os.PathLike,
                  position_normaliser: Optional[Callable[[str], Optional[str]]] = None,
                  ) -> dict[str, GoldDocument]:
    """All documents of a set directory, by id (cached per directory)."""
    key = (str(Path(set_dir).resolve()), position_normaliser)
    if key not in _gold_cache:
        _gold_cache[key] = {doc_id: load_gold_document(set_dir, doc_id, position_normaliser)
                            for doc_id in load_document_ids(set_dir)}
    return _gold_cache[key]


_gold_cache: dict = {}


@lru_cache(maxsize=None)
def _morph():
    try:
        import pymorphy3
    except ImportError:             # scoring still works, a little stricter
        return None
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=20_000)
def nominative_position(text: str) -> Optional[str]:
    """The nominative singular of a position phrase ("первым заместителем
    министра" -> "первый заместитель министра"): the first noun is the head,
    it and the adjectives before it go to the nominative singular, the tail
    after it (usually a genitive) is kept. Stands in for the comparator's
    hand-made table of position forms, which covers the same phrases of its
    standard. None when nothing changes or pymorphy3 is missing."""
    morph = _morph()
    if morph is None or not text:
        return None
    words = text.split(" ")
    parses = []
    for word in words:
        parse = next((p for p in morph.parse(word)
                      if p.tag.POS in ("NOUN", "ADJF", "PRTF")), None)
        parses.append(parse)
    head = next((i for i, p in enumerate(parses) if p is not None and p.tag.POS == "NOUN"), None)
    if head is None:
        return None
    result = list(words)
    head_form = parses[head].inflect({"nomn", "sing"}) or parses[head].inflect({"nomn"})
    if head_form is None:
        return None
    result[head] = head_form.word
    for i in range(head):
        if parses[i] is None:
            continue
        grammemes = {"nomn", "sing"}
        if head_form.tag.gender and head_form.tag.number == "sing":
            grammemes.add(head_form.tag.gender)
        inflected = parses[i].inflect(grammemes) or parses[i].inflect({"nomn"})
        if inflected:
            result[i] = inflected.word
    normal = " ".join(result)
    return normal if normal != text else None


def gold_task1_answers(document: GoldDocument, locorg_as_loc: bool = False,
                       name_core: bool = True) -> list[tuple[str, int, int]]:
    """The standard's own mentions as answer tuples (TYPE, start, length).

    An answer is one interval, while a standard mention may be discontinuous
    ("правоохранительными органами Малайзии, Сингапура"); descriptors there
    earn nothing, so with ``name_core`` such a mention is cut to the tokens
    that count (names), which scores perfectly whenever those are
    contiguous. Contiguous mentions, and all of them without ``name_core``,
    are written whole, widened over quotes, as the comparator's own answer
    generator does."""
    glued = _ignored_tokens(document.tokens)
    answers = []
    for mention in document.mentions:
        tag = mention.tag
        if tag == "project" or not mention.tokens:
            continue
        if tag == "locorg" and locorg_as_loc:
            tag = "loc"
        tokens = mention.tokens
        holes = [t for t in range(tokens[0], tokens[-1] + 1)
                 if t not in set(tokens) and t not in glued]
        if name_core and holes:
            counted = _COUNTED_SPANS.get(tag, set())
            named = sorted({t for span in mention.spans if span.tag in counted
                            for t in span.tokens})
            tokens = named or tokens
        start, last = _quote_extended_interval(tokens, document.tokens)
        answers.append((tag.upper(), start, last - start + 1))
    return answers


def gold_task3_answers(document: GoldDocument) -> list[tuple[str, list[tuple[str, str]]]]:
    """The standard's facts (all of them, hard ones included, no Фаза) as
    answer facts with the values the standard file shows."""
    facts = []
    for fact in document.facts:
        if fact.type not in _FACT_TAGS:
            continue
        arguments = [(a.name.capitalize(), a.shown) for a in fact.arguments
                     if a.name not in _SPECIAL_ARGUMENTS]
        facts.append((fact.answer_type, arguments))
    return facts


# ---------------------------------------------------------------------------
# Answer files
# ---------------------------------------------------------------------------

def write_task1(path: str | os.PathLike, mentions: Iterable[tuple[str, int, int]]) -> None:
    """Write a .task1 file: one ``TYPE START LENGTH`` line per mention."""
    lines = []
    for mention_type, start, length in mentions:
        mention_type = mention_type.upper()
        if mention_type not in TASK1_TYPES:
            raise ValueError(f"unknown task-1 type {mention_type!r}")
        lines.append(f"{mention_type} {int(start)} {int(length)}\n")
    Path(path).write_text("".join(lines), encoding="utf-8")


def _clean_value(value: str) -> str:
    # The comparator splits "Name: value" on every colon and refuses the rest
    # of the file after a line with two; line breaks would split the fact.
    return " ".join(str(value).replace(":", " ").split())


def write_task3(path: str | os.PathLike,
                facts: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> None:
    """Write a .task3 file: blank-line separated ``Type:`` blocks with one
    ``Arg: value`` line per argument. Colons inside values become spaces (the
    comparator cannot read them)."""
    blocks = []
    for fact_type, arguments in facts:
        lines = [f"{fact_type}:"]
        for name, value in arguments:
            value = _clean_value(value)
            if value:
                lines.append(f"{name}: {value}")
        blocks.append("\n".join(lines) + "\n")
    Path(path).write_text("\n".join(blocks), encoding="utf-8")


def write_answer_set(out_dir: str | os.PathLike, doc_ids: Iterable[str],
                     task1: Optional[Mapping[str, Iterable[tuple[str, int, int]]]] = None,
                     task3: Optional[Mapping[str, Iterable[tuple[str, Sequence[tuple[str, str]]]]]] = None,
                     ) -> None:
    """Write one file per document (empty when there is no answer for it), as
    the comparator wants every document of the set answered."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        if task1 is not None:
            write_task1(out / f"{doc_id}.task1", task1.get(doc_id, ()))
        if task3 is not None:
            write_task3(out / f"{doc_id}.task3", task3.get(doc_id, ()))


def _open_answer(path: Path):
    return open(path, encoding="utf-8-sig")     # a BOM is tolerated


def read_task1(path: str | os.PathLike) -> list[tuple[str, int, int]]:
    """Read a .task1 file. Like the comparator, a malformed line ends the
    reading (with a warning) and what came before it is kept."""
    mentions = []
    with _open_answer(Path(path)) as stream:
        for number, line in enumerate(stream):
            fields = line.rstrip("\r\n").split(" ")
            if fields == [""]:
                continue
            try:
                if len(fields) != 3:
                    raise ValueError("expected TYPE START LENGTH")
                mention_type = fold(fields[0]).upper()
                if mention_type not in TASK1_TYPES:
                    raise ValueError(f"unknown type {fields[0]!r}")
                mentions.append((mention_type, int(fields[1]), int(fields[2])))
            except ValueError as error:
                warnings.warn(f"{path}:{number + 1}: {error}; rest of the file ignored")
                break
    return mentions


def read_task3(path: str | os.PathLike) -> list[tuple[str, list[tuple[str, str]]]]:
    """Read a .task3 file into (type, [(arg, value)]) with names and values
    folded as the comparator reads them. A line with other than one colon
    ends the reading with a warning, as it does in the comparator."""
    facts: list[tuple[str, list[tuple[str, str]]]] = []
    block: list[str] = []

    def flush() -> bool:
        if not block:
            return True
        fact_type = block[0].strip(" :\n\t\r")
        arguments = []
        for line in block[1:]:
            parts = line.split(":")
            if len(parts) != 2:
                return False
            arguments.append((parts[0].strip(), parts[1].strip()))
        facts.append((fact_type, arguments))
        return True

    with _open_answer(Path(path)) as stream:
        for raw in stream:
            line = _fold_spacing(raw)
            if line:
                block.append(line)
                continue
            if not flush():
                warnings.warn(f"{path}: a line with several colons; rest of the file ignored")
                return facts
            block = []
    if not flush():
        warnings.warn(f"{path}: a line with several colons; rest of the file ignored")
    return facts


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

@dataclass
class Metric:
    """Credit and counts of one row. ``tp_std`` is the credit counted for
    recall, ``tp_test`` for precision (they differ in task 3 when several
    answer facts share one standard fact)."""
    tp_std: float = 0.0
    tp_test: float = 0.0
    n_std: int = 0
    n_test: int = 0

    @property
    def precision(self) -> float:
        return self.tp_test / self.n_test if self.n_test else 1.0

    @property
    def recall(self) -> float:
        return self.tp_std / self.n_std if self.n_std else 1.0

    @property
    def f1(self) -> float:
        if self.n_std + self.n_test == 0:
            return 1.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def add(self, other: "Metric") -> None:
        self.tp_std += other.tp_std
        self.tp_test += other.tp_test
        self.n_std += other.n_std
        self.n_test += other.n_test


@dataclass
class Scores:
    """Scores of one task over a set: rows by type plus ``overall``, and the
    same per document for error analysis."""
    task: str
    rows: dict[str, Metric]
    documents: dict[str, dict[str, Metric]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Metric:
        return self.rows[OVERALL]

    def f1(self, row: str = OVERALL) -> float:
        return self.rows[row].f1

    def format_table(self) -> str:
        header = f"{'Type':10} {'P':>7} {'R':>7} {'F1':>7} {'TP(R)':>8} {'TP(P)':>8} {'In std':>7} {'In ans':>7}"
        lines = [f"{self.task}", header]
        for name, m in self.rows.items():
            lines.append(f"{name:10} {m.precision:7.4f} {m.recall:7.4f} {m.f1:7.4f} "
                         f"{m.tp_std:8.2f} {m.tp_test:8.2f} {m.n_std:7d} {m.n_test:7d}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def _add_document(scores: "Scores", doc_id: str, rows: dict[str, Metric], exact: bool,
                  inexact: list[str]) -> None:
    """Add one document's rows to the totals (and note a greedy match)."""
    if not exact:
        inexact.append(doc_id)
    scores.documents[doc_id] = rows
    for name, metric in rows.items():
        scores.rows[name].add(metric)


def _empty_rows(names: Iterable[str]) -> dict[str, Metric]:
    return {name: Metric() for name in list(names) + [OVERALL]}


# ---------------------------------------------------------------------------
# Task 1 scoring
# ---------------------------------------------------------------------------

# Span kinds whose tokens count for a mention type; descriptors, geo
# adjectives and the like get no credit and no blame.
_COUNTED_SPANS = {
    "per": {"none", "name", "patronymic", "nickname", "surname"},
    "loc": {"none", "org_name", "loc_name"},
    "locorg": {"none", "org_name", "loc_name"},
    "org": {"none", "loc_name", "org_name"},
}
# Mention types a mention may be embedded in.
_PARENT_TAGS = {
    "per": ("loc", "org", "locorg"),
    "loc": ("loc", "org", "locorg"),
    "org": ("org", "locorg"),
    "locorg": ("org", "locorg"),
}


@dataclass(eq=False)
class _StdSet:
    id: str
    tag: str
    tokens: frozenset[int]
    marks: dict[int, float]
    parents: list["_StdSet"] = field(default_factory=list)
    siblings: list["_StdSet"] = field(default_factory=list)
    ignored_sibling: bool = False

    def unnamed(self) -> bool:
        return not any(mark > 0 for mark in self.marks.values())


@dataclass(eq=False)
class _AnswerSet:
    tag: str
    tokens: frozenset[int]


def _std_sets(document: GoldDocument, locorg_as_loc: bool) -> list[_StdSet]:
    sets = []
    for mention in document.mentions:
        tag = mention.tag
        if tag == "locorg" and locorg_as_loc:
            tag = "loc"
        if tag not in _COUNTED_SPANS:
            continue
        marks = {t: 0.0 for t in mention.tokens}
        for span in mention.spans:
            mark = 1.0 if span.tag in _COUNTED_SPANS[tag] else 0.0
            for t in span.tokens:
                marks[t] = max(marks[t], mark)
        sets.append(_StdSet(mention.id, tag, frozenset(mention.tokens), marks))
    for s in sets:
        for other in sets:
            if other is s or other.tag not in _PARENT_TAGS[s.tag]:
                continue
            if s.tokens < other.tokens:
                s.parents.append(other)
            elif s.tokens == other.tokens:
                s.siblings.append(other)
    # comparator quirk: string order of ids, within the tag order.
    return [s for tag in _TAG_ORDER for s in sorted((x for x in sets if x.tag == tag),
                                                    key=lambda x: x.id)]


def _ignored_tokens(tokens: Sequence[GoldToken]) -> set[int]:
    """One-character non-letters glued to a neighbour (punctuation, a digit
    of "5%") never belong to an answer's token set."""
    ignored = set()
    for i, token in enumerate(tokens):
        if token.length != 1 or token.is_letter():
            continue
        glued_left = i > 0 and token.start - tokens[i - 1].last == 1
        glued_right = i < len(tokens) - 1 and tokens[i + 1].start - token.last == 1
        if glued_left or glued_right:
            ignored.add(i)
    return ignored


def _answer_sets(document: GoldDocument, answers: Iterable[tuple[str, int, int]],
                 locorg_as_loc: bool) -> list[_AnswerSet]:
    ignored = _ignored_tokens(document.tokens)
    starts = [t.start for t in document.tokens]
    sets = []
    for mention_type, start, length in answers:
        tag = mention_type.lower()
        if tag == "locorg" and locorg_as_loc:
            tag = "loc"
        last = start + length - 1
        first = bisect.bisect_left(starts, start)
        inside = []
        for i in range(first, len(document.tokens)):
            token = document.tokens[i]
            if token.start > last:
                break
            if token.last <= last and i not in ignored:
                inside.append(i)
        sets.append(_AnswerSet(tag, frozenset(inside)))
    # Answer sets are grouped by tag like the standard ones, file order kept
    # within a tag. (Under locorg_as_loc the comparator interleaves LOC and
    # LOCORG-turned-LOC answers in an order that varies from run to run; it
    # only matters for ties.)
    return [a for tag in _TAG_ORDER for a in sets if a.tag == tag]


def _overlap(s: _StdSet, a: _AnswerSet) -> float:
    """Plain token Jaccard: the "priority" the matching search uses."""
    if s.tag != a.tag:
        return 0.0
    common = len(s.tokens & a.tokens)
    if not common:
        return 0.0
    return common / len(s.tokens | a.tokens)


def _pair_credit(s: _StdSet, a: _AnswerSet, tokens: Sequence[GoldToken]) -> float:
    """Credit of a matched pair: weighted hits over hits + misses + extras,
    where only name-like tokens of the standard weigh."""
    if s.tag != a.tag:
        return 0.0
    hit = sum(s.marks.get(t, 0.0) for t in s.tokens & a.tokens)
    missed = sum(0.0 if tokens[t].is_punctuation() else s.marks.get(t, 0.0)
                 for t in s.tokens - a.tokens)
    extra = len(a.tokens - s.tokens)
    total = hit + missed + extra
    return hit / total if total > 0 else _overlap(s, a)


def _std_ignored(s: _StdSet, matched: set) -> bool:
    """Standard mentions that neither reward nor penalise: unnamed ones (only
    descriptors), embedded ones, and one of two mentions over the same tokens."""
    if s.unnamed() or s.parents:
        return True
    if s.siblings:
        sibling = s.siblings[0]
        if (s in matched) == (sibling in matched):
            if sibling.tag == s.tag:
                # comparator quirk: whichever of the twins is looked at first
                # is kept, the other is ignored from then on in the document.
                if s.ignored_sibling:
                    return True
                sibling.ignored_sibling = True
                return False
            return s.tag != "org"
        return s not in matched
    return False


class _Task1Matcher:
    """The comparator's matching search for one document: standard mentions
    taken in order, each paired with a perfectly overlapping answer if there
    is one, else with any overlapping one, keeping the best overall F1."""

    def __init__(self, std: list[_StdSet], answers: list[_AnswerSet],
                 tokens: Sequence[GoldToken]):
        self.std, self.answers, self.tokens = std, answers, tokens
        self.m = [[_overlap(s, a) for a in answers] for s in std]
        self.credit: dict[tuple[int, int], float] = {}
        self.steps_left = TASK1_SEARCH_LIMIT

    def _credit(self, i: int, j: int) -> float:
        if (i, j) not in self.credit:
            self.credit[(i, j)] = _pair_credit(self.std[i], self.answers[j], self.tokens)
        return self.credit[(i, j)]

    def evaluate(self, pairs: Sequence[tuple[int, int]], tag: Optional[str] = None) -> Metric:
        matched_std = {i for i, _ in pairs}
        matched_ans = {j for _, j in pairs}
        subset = [(i, j) for i, j in pairs if tag is None or self.std[i].tag == tag]
        unmatched_std = [i for i in range(len(self.std)) if i not in matched_std
                         and (tag is None or self.std[i].tag == tag)]
        unmatched_ans = [j for j in range(len(self.answers)) if j not in matched_ans
                         and (tag is None or self.answers[j].tag == tag)]
        matching = {self.std[i] for i, _ in subset}
        credit, relevant_pairs = 0.0, 0
        for i, j in subset:
            if not _std_ignored(self.std[i], matching):
                credit += self._credit(i, j)
                relevant_pairs += 1
        n_std = relevant_pairs + sum(not _std_ignored(self.std[i], matching)
                                     for i in unmatched_std)
        return Metric(credit, credit, n_std, relevant_pairs + len(unmatched_ans))

    def _candidates(self, i: int, free: list[int]) -> list[int]:
        perfect = [j for j in free if self.m[i][j] == 1]
        return perfect or [j for j in free if self.m[i][j] != 0]

    def search(self, std: list[int], free: list[int],
               pairs: list[tuple[int, int]]) -> Optional[tuple[float, list]]:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise _SearchTooLong
        if not std or not free:
            return self.evaluate(pairs).f1, pairs
        current = std[0]
        best = None
        tried = 0
        most_rivals = 0
        for j in self._candidates(current, free):
            tried += 1
            rivals = 0
            taken_elsewhere = False
            for k in std:
                if self.m[k][j] == 1 and self.m[current][j] < 1:
                    taken_elsewhere = True
                if self.m[k][j] != 0:
                    rivals += 1
                most_rivals = max(most_rivals, rivals)
            if taken_elsewhere:
                continue
            result = self.search(std[1:], [x for x in free if x != j], pairs + [(current, j)])
            if result is not None and (best is None or result[0] > best[0]):
                best = result
        # Leaving this mention unmatched is tried only when it has no
        # candidate or a single contested one, as in the comparator. When
        # every candidate was taken elsewhere the comparator crashes; we
        # leave the mention unmatched instead.
        if tried == 0 or (tried == 1 and most_rivals > 1) or best is None:
            result = self.search(std[1:], free, pairs)
            if result is not None and (best is None or result[0] > best[0]):
                best = result
        return best


    def greedy(self) -> list[tuple[int, int]]:
        """Each standard mention in turn takes its best-overlapping free
        candidate: the fallback when the exact search would take too long."""
        for s in self.std:          # the aborted search may have set these
            s.ignored_sibling = False
        free = list(range(len(self.answers)))
        pairs = []
        for position, current in enumerate(range(len(self.std))):
            rest = range(position, len(self.std))
            candidates = [j for j in self._candidates(current, free)
                          if not (self.m[current][j] < 1
                                  and any(self.m[k][j] == 1 for k in rest))]
            if candidates:
                j = max(candidates, key=lambda x: self.m[current][x])
                pairs.append((current, j))
                free.remove(j)
        return pairs


class _SearchTooLong(Exception):
    pass


# Search steps allowed per document in task 1 before the greedy fallback.
# natasha's answers on the devset need at most about 5,000; heavily
# overlapping ones (every mention answered three ways) make the comparator's
# search explode, and the fallback then costs a few seconds per document.
TASK1_SEARCH_LIMIT = 50_000


def _score_task1_document(document: GoldDocument, answers: Iterable[tuple[str, int, int]],
                          locorg_as_loc: bool) -> tuple[dict[str, Metric], bool]:
    """Per-type and overall metrics of one document, and whether the
    matching was the comparator's exact search (not the greedy fallback)."""
    std = _std_sets(document, locorg_as_loc)
    answer_sets = _answer_sets(document, answers, locorg_as_loc)
    matcher = _Task1Matcher(std, answer_sets, document.tokens)
    try:
        _, pairs = matcher.search(list(range(len(std))), list(range(len(answer_sets))), [])
        exact = True
    except _SearchTooLong:
        pairs, exact = matcher.greedy(), False
    rows = {OVERALL: matcher.evaluate(pairs)}
    for tag in _task1_tags(locorg_as_loc):
        rows[tag.upper()] = matcher.evaluate(pairs, tag)
    return rows, exact


def _task1_tags(locorg_as_loc: bool) -> tuple[str, ...]:
    return ("per", "loc", "org") if locorg_as_loc else _TAG_ORDER


def _resolve_gold(gold: str | os.PathLike | Mapping[str, GoldDocument]) -> Mapping[str, GoldDocument]:
    if isinstance(gold, Mapping):
        return gold
    return load_gold_set(gold)


def score_task1_answers(gold: str | os.PathLike | Mapping[str, GoldDocument],
                        answers: Mapping[str, Iterable[tuple[str, int, int]]],
                        locorg_as_loc: bool = False) -> Scores:
    """Score task-1 answers given in memory (doc id -> (TYPE, start, length)
    tuples). Like the comparator, a document without an answer entry is left
    out of the score (with a note), not counted as all missed."""
    documents = _resolve_gold(gold)
    tags = [t.upper() for t in _task1_tags(locorg_as_loc)]
    scores = Scores("FactRuEval task 1" + (" (LOCORG as LOC)" if locorg_as_loc else ""),
                    _empty_rows(tags))
    missing = sorted(set(documents) - set(answers), key=_doc_number)
    extra = sorted(set(answers) - set(documents))
    if missing:
        scores.notes.append(f"{len(missing)} documents without an answer, left out: "
                            + " ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
    if extra:
        scores.notes.append("answers for unknown documents ignored: " + " ".join(extra[:10]))
    inexact: list[str] = []
    for doc_id in sorted(set(documents) & set(answers), key=_doc_number):
        document = documents[doc_id]
        if document.load_error:
            scores.notes.append(f"{doc_id}: standard unreadable for the comparator "
                                f"({document.load_error}); scored as empty")
        rows, exact = _score_task1_document(document, answers[doc_id], locorg_as_loc)
        _add_document(scores, doc_id, rows, exact, inexact)
    if inexact:
        scores.notes.append("greedy matching (search too long) in: " + " ".join(inexact))
    return scores


def _answer_files(answers_dir: str | os.PathLike, suffix: str) -> dict[str, Path]:
    found = {}
    for name in os.listdir(answers_dir):
        if name.endswith(suffix):
            found[name[:-len(suffix)]] = Path(answers_dir) / name
    return found


def score_task1(gold_dir: str | os.PathLike, answers_dir: str | os.PathLike,
                locorg_as_loc: bool = False) -> Scores:
    """Score a folder of .task1 files against a standard folder, as
    ``t1_eval.py -s gold_dir -t answers_dir [-l]`` does."""
    files = _answer_files(answers_dir, ".task1")
    answers = {doc_id: read_task1(path) for doc_id, path in files.items()}
    return score_task1_answers(gold_dir, answers, locorg_as_loc)


# ---------------------------------------------------------------------------
# Task 3 scoring
# ---------------------------------------------------------------------------

# Arguments that weigh less in a pair's credit.
_ARGUMENT_WEIGHTS = {"position": 0.5, "фаза": 0.5}

# Above this many search steps per document and fact type the exact search
# gives way to a greedy one (with a note); the official comparator would
# simply run for a very long time.
TASK3_SEARCH_LIMIT = 200_000


@dataclass(eq=False)
class _AnswerFact:
    type: str
    arguments: list[tuple[str, str]]        # folded (name, value)


def _argument_accepts(argument: GoldArgument, name: str, value: str) -> bool:
    return argument.name == name and any(values_agree(v, value) for v in argument.variants)


def _can_pair(fact: GoldFact, answer: _AnswerFact) -> bool:
    """A standard and an answer fact may be paired when some argument other
    than Position agrees."""
    return any(argument.name != "position" and _argument_accepts(argument, name, value)
               for argument in fact.arguments for name, value in answer.arguments)


def _argument_targets(fact: GoldFact, answer: _AnswerFact) -> tuple[frozenset[int], float]:
    """Which standard arguments an answer fact's arguments land on (each on
    the first standard argument that accepts it) and the weight of those
    that land nowhere. Depends on nothing but the two facts."""
    targets = set()
    stray = 0.0
    for name, value in answer.arguments:
        for k, argument in enumerate(fact.arguments):
            if _argument_accepts(argument, name, value):
                targets.add(k)
                break
        else:
            stray += _ARGUMENT_WEIGHTS.get(name, 1.0)
    return frozenset(targets), stray


def _cluster_quality(fact: GoldFact, landings: Sequence[tuple[frozenset[int], float]]) -> float:
    """Credit of a standard fact and the answer facts paired with it (given
    by their ``_argument_targets``): the weighted share of arguments that
    agree, scaled down when several answer facts split the standard fact."""
    weights = [_ARGUMENT_WEIGHTS.get(a.name, 1.0) for a in fact.arguments]
    hit_args = set().union(*(targets for targets, _ in landings)) if landings else set()
    hit = sum(weights[k] for k in hit_args)
    stray = sum(s for _, s in landings)
    missed = sum(weights) - hit
    total = hit + stray + missed
    argument_quality = hit / total if total else 0.0
    if len(landings) == 1:
        identification = 1.0
    else:
        # comparator quirk: the argument pairs checked for coming from one
        # answer fact are those among the first len(hit_args) standard
        # arguments, not among the matched ones.
        n = len(hit_args)
        possible = n * (n - 1) / 2
        edges = sum(1 for a in range(n) for b in range(a + 1, n)
                    if any(a in targets and b in targets for targets, _ in landings))
        identification = 1.0 if possible == 0 else edges / possible
    return (argument_quality + identification * argument_quality) / 2.0


class _Task3Matcher:
    """Assignment of answer facts to standard facts of one type in one
    document: each answer fact goes to one compatible standard fact or to
    none, several answers may share a standard fact, and the assignment with
    the best F1 wins (the first one found on ties, in the comparator's
    enumeration order)."""

    def __init__(self, std: list[GoldFact], answers: list[_AnswerFact], ignored: list[bool]):
        self.std, self.answers, self.ignored = std, answers, ignored
        self.options = [[i for i, fact in enumerate(std) if _can_pair(fact, a)] + [-1]
                        for a in answers]
        self.landing = {(j, i): _argument_targets(std[i], answers[j])
                        for j, options in enumerate(self.options) for i in options if i >= 0}
        self.weights = [[_ARGUMENT_WEIGHTS.get(a.name, 1.0) for a in f.arguments] for f in std]
        self.quality_cache: dict[tuple[int, tuple[int, ...]], float] = {}
        self.n_std = sum(not x for x in ignored)

    def _quality(self, i: int, members: tuple[int, ...]) -> float:
        key = (i, members)
        if key not in self.quality_cache:
            if not members or self.ignored[i]:
                q = 0.0
            else:
                q = _cluster_quality(self.std[i], [self.landing[(j, i)] for j in members])
            self.quality_cache[key] = q
        return self.quality_cache[key]

    def evaluate(self, assignment: Sequence[int]) -> Metric:
        clusters: dict[int, list[int]] = {}
        for j, i in enumerate(assignment):
            if i >= 0:
                clusters.setdefault(i, []).append(j)
        tp_std = tp_test = 0.0
        n_test = sum(1 for i in assignment if i < 0)
        for i, members in clusters.items():
            q = self._quality(i, tuple(members))
            tp_std += q
            tp_test += q * len(members)
            if not self.ignored[i]:
                n_test += len(members)
        return Metric(tp_std, tp_test, self.n_std, n_test)

    def solve(self) -> tuple[Metric, bool]:
        """Best metric and whether the search was exact.

        The comparator tries every assignment; this walks the same
        assignments in the same order but skips a branch when an optimistic
        bound on its F1 falls below the best F1 known to be reachable, so it
        returns the same metric (ties included: an assignment only replaces
        the best when strictly better) in a fraction of the time."""
        greedy = self._greedy()
        n = len(self.answers)
        assignment: list[int] = []
        best: list[Optional[Metric]] = [None]
        budget = [TASK3_SEARCH_LIMIT]

        def visit(k: int) -> bool:
            if k == n:
                metric = self.evaluate(assignment)
                if best[0] is None or best[0].f1 < metric.f1:
                    best[0] = metric
                return True
            budget[0] -= 1
            if budget[0] < 0:
                return False
            floor = max(greedy.f1, best[0].f1 if best[0] is not None else 0.0)
            if k and self._bound(assignment) + 1e-9 <= floor:
                return True
            for option in self.options[k]:
                assignment.append(option)
                finished = visit(k + 1)
                assignment.pop()
                if not finished:
                    return False
            return True

        if visit(0):
            return best[0], True
        return greedy, False

    def _bound(self, assignment: Sequence[int]) -> float:
        """An upper bound on the F1 of any completion of a partial assignment.
        A cluster that may still grow can reach at most the share of its
        arguments that its present and possible members could hit, with the
        stray arguments it already has; each remaining answer at most the
        best such share among its options."""
        k = len(assignment)
        clusters: dict[int, list[int]] = {}
        unassigned = 0
        for j, i in enumerate(assignment):
            if i < 0:
                unassigned += 1
            else:
                clusters.setdefault(i, []).append(j)
        future: dict[int, list[int]] = {}
        for j in range(k, len(self.answers)):
            for i in self.options[j]:
                if i >= 0:
                    future.setdefault(i, []).append(j)
        ceiling = {}
        for i in range(len(self.std)):
            if self.ignored[i]:
                continue
            members = clusters.get(i, [])
            if i not in future:
                ceiling[i] = self._quality(i, tuple(members)) if members else 0.0
                continue
            weights = self.weights[i]
            reachable = set()
            stray = 0.0
            for j in members:
                targets, lost = self.landing[(j, i)]
                reachable |= targets
                stray += lost
            for j in future[i]:
                reachable |= self.landing[(j, i)][0]
            total = sum(weights)
            ceiling[i] = sum(weights[x] for x in reachable) / (total + stray) if total + stray else 0.0
        recall_credit = sum(ceiling.values())
        precision_credit = sum(ceiling[i] * len(m) for i, m in clusters.items() if i in ceiling)
        counted = unassigned + sum(len(m) for i, m in clusters.items() if not self.ignored[i])
        hopes = []
        for j in range(k, len(self.answers)):
            counted_options = [ceiling[i] for i in self.options[j] if i >= 0 and i in ceiling]
            if counted_options:
                hopes.append(max(counted_options))
            elif all(i < 0 for i in self.options[j]):
                counted += 1            # can only stay unmatched: a sure miss
        # The best precision takes the most promising remaining answers as
        # long as each raises the ratio.
        # (With nothing counted precision is 1 by definition and stays so.)
        hopes.sort(reverse=True)
        precision = precision_credit / counted if counted else 1.0
        for hope in hopes:
            if not counted or hope <= precision:
                break
            precision_credit += hope
            counted += 1
            precision = precision_credit / counted
        recall = recall_credit / self.n_std if self.n_std else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def _greedy(self) -> Metric:
        # Answer facts one by one, each to the option that most improves F1.
        assignment = [-1] * len(self.answers)
        for j, options in enumerate(self.options):
            best_f1, best_option = -1.0, -1
            for option in options:
                assignment[j] = option
                f1 = self.evaluate(assignment).f1
                if f1 > best_f1:
                    best_f1, best_option = f1, option
            assignment[j] = best_option
        return self.evaluate(assignment)


def _answer_facts(facts: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> list[_AnswerFact]:
    """Fold in-memory answer facts as the comparator folds file lines (the
    reader has already folded facts read from files; folding is idempotent)."""
    folded = []
    for fact_type, arguments in facts:
        type_line = _fold_spacing(f"{fact_type}:").strip(" :\n\t\r")
        args = []
        for name, value in arguments:
            # The same cleaning as write_task3, so that scoring in memory and
            # scoring written files agree.
            value = _clean_value(value)
            if not value:
                continue
            name, value = _fold_spacing(f"{name}: {value}").split(":")
            args.append(_fold_argument(name, value))
        folded.append(_AnswerFact(type_line, args))
    return folded


def _fold_argument(name: str, value: str) -> tuple[str, str]:
    name = name.strip(" \n\r\t").lower()
    return ("position" if name == "job" else name), value.strip(" \n\r\t").lower()


def _score_task3_document(document: GoldDocument, answers: list[_AnswerFact],
                          hard_mode: bool) -> tuple[dict[str, Metric], bool]:
    rows: dict[str, Metric] = {}
    exact = True
    overall = Metric()
    for tag, name in _FACT_TAGS.items():
        std = [f for f in document.facts if f.type == tag]
        if hard_mode:
            std = [f for f in std if not f.not_actual]
            ignored = [False] * len(std)
        else:
            ignored = [f.hard for f in std]
            std = [_without_phase(f) for f in std]
        tag_answers = [a for a in answers if a.type == tag]
        metric, was_exact = _Task3Matcher(std, tag_answers, ignored).solve()
        exact = exact and was_exact
        rows[name] = metric
        overall.add(metric)
    rows[OVERALL] = overall
    return rows, exact


def _without_phase(fact: GoldFact) -> GoldFact:
    if fact.phase is None:
        return fact
    return GoldFact(fact.id, fact.type, [a for a in fact.arguments if a.name != "фаза"],
                    fact.hard, fact.modality, fact.not_actual)


def score_task3_answers(gold: str | os.PathLike | Mapping[str, GoldDocument],
                        answers: Mapping[str, Iterable[tuple[str, Sequence[tuple[str, str]]]]],
                        hard_mode: bool = False) -> Scores:
    """Score task-3 answers given in memory (doc id -> (Type, [(Arg, value)])).
    By default (the comparator's default) facts marked Сложность повышенная
    are ignored and Фаза is dropped; ``hard_mode`` (its ``-m``) instead drops
    facts whose Модальность says they are not actual and keeps the rest.
    Documents without an answer entry count as answered with nothing."""
    documents = _resolve_gold(gold)
    scores = Scores("FactRuEval task 3" + (" (hard mode)" if hard_mode else ""),
                    _empty_rows(TASK3_TYPES))
    extra = sorted(set(answers) - set(documents))
    if extra:
        scores.notes.append("answers for unknown documents ignored: " + " ".join(extra[:10]))
    inexact = []
    for doc_id in sorted(documents, key=_doc_number):
        document = documents[doc_id]
        if not document.has_facts:
            continue
        if document.load_error:
            scores.notes.append(f"{doc_id}: standard unreadable for the comparator "
                                f"({document.load_error}); scored as empty")
        rows, exact = _score_task3_document(document, _answer_facts(answers.get(doc_id, ())),
                                            hard_mode)
        _add_document(scores, doc_id, rows, exact, inexact)
    if inexact:
        scores.notes.append("greedy matching (too many combinations) in: " + " ".join(inexact))
    return scores


def score_task3(gold_dir: str | os.PathLike, answers_dir: str | os.PathLike,
                hard_mode: bool = False) -> Scores:
    """Score a folder of .task3 files against a standard folder, as
    ``t3_eval.py -s gold_dir -t answers_dir [-m]`` does. Like the comparator,
    it refuses a folder whose documents differ from the standard's."""
    files = _answer_files(answers_dir, ".task3")
    expected = set(load_document_ids(gold_dir))
    if set(files) != expected:
        missing = sorted(expected - set(files))
        extra = sorted(set(files) - expected)
        raise ValueError(f"answer folder does not match the standard: missing {missing[:10]}, "
                         f"unexpected {extra[:10]}")
    answers = {doc_id: read_task3(path) for doc_id, path in files.items()}
    return score_task3_answers(gold_dir, answers, hard_mode)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m svodka.evaluate.factru {task1,task3} GOLD_DIR ANSWERS_DIR
    [-l | -m]``: the official ``t1_eval.py``/``t3_eval.py`` command lines."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m svodka.evaluate.factru",
                                     description="Score FactRuEval-2016 answer files.")
    parser.add_argument("task", choices=("task1", "task3"))
    parser.add_argument("gold_dir")
    parser.add_argument("answers_dir")
    parser.add_argument("-l", dest="locorg_as_loc", action="store_true",
                        help="task 1: count LOCORG as LOC")
    parser.add_argument("-m", dest="hard_mode", action="store_true",
                        help="task 3: hard mode (drop non-actual facts, keep difficult ones)")
    args = parser.parse_args(argv)
    if args.task == "task1":
        scores = score_task1(args.gold_dir, args.answers_dir, args.locorg_as_loc)
    else:
        scores = score_task3(args.gold_dir, args.answers_dir, args.hard_mode)
    print(scores.format_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
