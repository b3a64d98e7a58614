"""Separate the article body from the page furniture around it.

A scraped news page carries more than the article: a photo credit above it,
related headlines, calls to action and the site's attribution below it.
Facts and events must come from the article alone, so :func:`clean` finds the
body (one contiguous span of ``Document.text``), lists every furniture line it
set apart, and moves what the furniture says into the document's metadata
(photo credit, source, author, related headlines, title).

What a furniture line looks like ("Фото: X", "По сообщению сайта X",
"Подпишитесь на ...") is linguistic knowledge kept in ``data/furniture.tsv``;
the patterns there are compiled into yargy grammars. The cleaner is built to
be conservative: a line is furniture only when a pattern covers it whole, or
when it belongs to a block of headline-shaped lines that touches such a line.
Everything else is body, so plain news text without furniture comes out
untouched.

Where the body lies, in order of the steps of :func:`clean`:

1. From the top, furniture lines are set apart, and at most one title line:
   the line equal to ``Document.title``, or, when the page shows furniture
   elsewhere, a first short line without final punctuation that has more
   text below it.
2. From the bottom, furniture lines are set apart, together with blocks of
   related headlines: short lines without sentence-final punctuation, either
   under a header such as "Читайте также", or at least two of them directly
   above other furniture.
3. What remains between is the body. A furniture line between body
   paragraphs (a photo credit, "Читайте также: ...") cannot be cut out of a
   contiguous span; it is listed in ``Document.furniture`` all the same, so
   later stages can skip the furniture spans that lie inside the body span
   (:func:`body_segments` gives the body less those lines).

The body is then searched for the agency or site it credits ("...,
сообщает primeminister.kz.", "передает ТАСС", "по данным РИА Новости", a
dateline's "/ТАСС/"), which becomes ``Document.original_source``. Only a
site, an agency of the data file or a name after a medium noun ("газета
«Ведомости»") counts: "сообщил министр" credits no site.
"""
from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, TextIO

from yargy import Parser, and_, not_, or_, rule
from yargy.pipelines import PipelineBNFRule, PipelineProduction, morph_pipeline, pipeline
from yargy.predicates import caseless, eq, gram, in_, is_capitalized, normalized, true
from yargy.predicates import type as token_type
from yargy.predicates.bank import DictionaryPredicate
from yargy.rule.bnf import BNFRule, is_rule
from yargy.rule.constructors import PipelineRule
from yargy.span import Span as YargySpan
from yargy.token import Token as YargyToken
from yargy.tokenizer import MorphTokenizer, Tokenizer
from yargy.tree.constructors import Leaf, Tree

from .model import Document, Furniture

FURNITURE_DATA = Path(__file__).resolve().parent / "data" / "furniture.tsv"

# Roles of Furniture records.
PHOTO_CREDIT, RELATED_HEADLINE, CALL_TO_ACTION = "photo_credit", "related_headline", "call_to_action"
ATTRIBUTION, BYLINE, TITLE = "attribution", "byline", "title"

# Kinds of the data file that describe whole lines, and the kinds that
# describe phrases crediting a source inside the body.
RELATED_HEADER = "related_header"
LINE_KINDS = (PHOTO_CREDIT, ATTRIBUTION, BYLINE, CALL_TO_ACTION, RELATED_HEADER)
CREDIT_KINDS = ("credit_verb", "credit_phrase", "medium", "agency")

# A byline or an attribution belongs at the top or the bottom of an article;
# between paragraphs "Текст: ..." or "Источник: ..." is more likely part of
# the text (a label in a document being quoted), so there they stay body.
KINDS_ALSO_INSIDE_BODY = frozenset({PHOTO_CREDIT, CALL_TO_ACTION, RELATED_HEADER})

# Furniture lines are short; longer lines are body without asking the grammar.
MAX_FURNITURE_LINE_CHARS = 300

# Shape of a related headline or a title line: a single short sentence.
MIN_HEADED_HEADLINE_WORDS, MIN_UNHEADED_HEADLINE_WORDS = 2, 3
MAX_HEADLINE_WORDS, MAX_HEADLINE_CHARS = 20, 200
MAX_TITLE_WORDS, MAX_TITLE_CHARS = 25, 250
# A block of headlines with no header above it must have this many lines,
# so a lone short closing line of an article ("Пусть победит сильнейший")
# is not taken for a headline just because "Поделиться" follows it.
MIN_UNHEADED_HEADLINES = 2

SENTENCE_FINAL = ".!?…"
CONTINUATION = ",;:"
# Closing quotes and brackets hide the punctuation before them: «...».
CLOSERS = "»\"”“')]"
OPENING_QUOTES = "«„“\"'"
QUOTE_PAIRS = (("«", "»"), ("„", "“"), ("“", "”"), ('"', '"'))
# Lines that start with these are list items, not headlines.
LIST_MARKERS = "•·*-–—●▪►>"

DOMAIN = "DOMAIN"
WORD_TYPES = ("RU", "LATIN", "INT")
# Cyrillic top-level labels that Russian texts use for sites ("Лента.ру").
CYRILLIC_TOP_LEVEL = frozenset({"рф", "ру", "ком", "укр", "бел", "қаз", "каз"})
# Punctuation that ends a URL rather than belonging to it.
URL_TRAILING = frozenset(".,:;!?»\")]'”“")


# ----------------------------------------------------------------------------
# The data file

@dataclass(frozen=True)
class FurniturePattern:
    kind: str
    pattern: str
    value: Optional[str]    # canonical spelling (agencies), else None
    line: int               # line number in the data file, for error messages


def load_patterns(path: Path = FURNITURE_DATA) -> list[FurniturePattern]:
    patterns = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in raw.split("\t")]
        if len(columns) < 2 or columns[0] not in LINE_KINDS + CREDIT_KINDS:
            raise ValueError(f"{path}:{number}: expected 'kind<TAB>pattern', got {raw!r}")
        value = columns[2] if len(columns) > 2 and columns[2] else None
        patterns.append(FurniturePattern(columns[0], columns[1], value, number))
    return patterns


# ----------------------------------------------------------------------------
# Tokenizer: yargy's, with site names put back together

class SiteTokenizer(MorphTokenizer):
    """yargy's MorphTokenizer, except that a site name or URL that it splits
    into words and dots ("primeminister", ".", "kz") comes out as a single
    token of type DOMAIN, reassembled from the offsets of its pieces."""

    def __init__(self):
        super().__init__()
        self.types = set(self.types) | {DOMAIN}

    def __call__(self, text):
        return iter(merge_sites(text, list(super().__call__(text))))


def merge_sites(text: str, tokens: list) -> list:
    merged, index = [], 0
    while index < len(tokens):
        stop = _site_stop(tokens, index)
        if stop is None:
            merged.append(tokens[index])
            index += 1
        else:
            start, end = tokens[index].span.start, tokens[stop - 1].span.stop
            merged.append(YargyToken(text[start:end], YargySpan(start, end), DOMAIN))
            index = stop
    return merged


def _adjacent(tokens: list, index: int) -> bool:
    """Whether token ``index`` follows the one before it without a space."""
    return 0 < index < len(tokens) and tokens[index - 1].span.stop == tokens[index].span.start


def _site_stop(tokens: list, start: int) -> Optional[int]:
    """Index after the site name or URL starting at ``start``, or None."""
    index = start
    # An optional scheme: "https", ":", "/", "/".
    if (tokens[index].value.lower() in ("http", "https") and index + 3 < len(tokens)
            and [t.value for t in tokens[index + 1:index + 4]] == [":", "/", "/"]
            and all(_adjacent(tokens, i) for i in range(index + 1, index + 5))):
        index += 4
    labels_end = []       # token index after each dot-separated label
    label_is_top_level = []
    while True:
        if index >= len(tokens) or tokens[index].type not in WORD_TYPES:
            break
        if labels_end and not _adjacent(tokens, index):
            break
        first = index
        index += 1
        # Hyphenated labels: "pm-kz".
        while (index + 1 < len(tokens) and tokens[index].value == "-"
               and _adjacent(tokens, index) and _adjacent(tokens, index + 1)
               and tokens[index + 1].type in WORD_TYPES):
            index += 2
        label = tokens[first].value if index == first + 1 else None
        labels_end.append(index)
        label_is_top_level.append(label is not None and _is_top_level(tokens[first]))
        if not (index + 1 < len(tokens) and tokens[index].value == "."
                and _adjacent(tokens, index) and _adjacent(tokens, index + 1)):
            break
        index += 1
    # The name ends at the last label that can be a top-level domain, and
    # needs at least one label before it.
    ends = [end for number, end in enumerate(labels_end) if number > 0 and label_is_top_level[number]]
    if not ends:
        return None
    stop = ends[-1]
    # A path after the name: "/news/123".
    if stop < len(tokens) and tokens[stop].value == "/" and _adjacent(tokens, stop):
        while stop < len(tokens) and _adjacent(tokens, stop) and tokens[stop].value not in ("«", "»", "(", ")", '"'):
            stop += 1
        while tokens[stop - 1].value in URL_TRAILING:
            stop -= 1
    return stop


def _is_top_level(token) -> bool:
    value = token.value
    if token.type == "LATIN":
        # "kz", "com", "Ru"; not "Smith" in "Mr.Smith".
        return 2 <= len(value) <= 6 and (value.islower() or len(value) <= 3)
    return token.type == "RU" and value.lower() in CYRILLIC_TOP_LEVEL


def site_name(value: str) -> str:
    """The bare site of a DOMAIN token: "https://www.Kapital.kz/a/1" -> "kapital.kz"."""
    value = value.lower()
    for scheme in ("https://", "http://"):
        if value.startswith(scheme):
            value = value[len(scheme):]
    value = value.split("/", 1)[0]
    return value[4:] if value.startswith("www.") else value


# ----------------------------------------------------------------------------
# Grammars compiled from the data file

MAX_CREDIT_TOKENS, MAX_TEXT_TOKENS, MAX_HEADLINE_TOKENS = 8, 16, 30
# A news article credits its source in the first paragraphs; the search for
# it parses at most this much of a body, which bounds the time a huge input
# (a book pasted as one line) takes.
MAX_CREDIT_SEARCH_CHARS = 20_000
# Words of a medium's name without quotes: "газета The New York Post".
MAX_NAME_WORDS = 4
SLOTS = ("{credit}", "{text}", "{headline}")
VALUE_MARK = "|"
LINE_LABEL, VALUE_LABEL, SOURCE_LABEL, NAME_LABEL, AGENCY_LABEL = "line ", "value", "source", "name", "agency "


def _words(tokenizer: Tokenizer, text: str) -> list:
    return list(Tokenizer.__call__(tokenizer, text))


def _literal(tokenizer: Tokenizer, text: str, inflected: bool, capitalized: bool = False) -> list:
    """Predicates for the words of ``text``: exact forms, any letter case; or
    any inflected form when ``inflected``; capitalized words of the pattern
    must then be capitalized in the text too when ``capitalized``."""
    predicates = []
    for token in _words(tokenizer, text):
        if token.type not in WORD_TYPES:
            predicates.append(eq(token.value))
        elif inflected and token.type == "RU":
            predicate = normalized(token.value.lower())
            if capitalized and token.value[0].isupper():
                predicate = and_(predicate, is_capitalized())
            predicates.append(predicate)
        else:
            predicates.append(caseless(token.value))
    return predicates


def _pattern_items(tokenizer: Tokenizer, pattern: str, capitalized: bool = False) -> list:
    """Predicates for a pattern's words, "<word>" inflecting, others exact."""
    items = []
    for chunk in pattern.split():
        if chunk.startswith("<") and chunk.endswith(">"):
            items.extend(_literal(tokenizer, chunk[1:-1], inflected=True))
        else:
            items.extend(_literal(tokenizer, chunk, inflected=capitalized, capitalized=capitalized))
    return items


def _slot_rule(slot: str):
    if slot == "{credit}":
        return rule(not_(in_({",", ";"}))).repeatable(max=MAX_CREDIT_TOKENS)
    if slot == "{text}":
        return rule(true()).repeatable(max=MAX_TEXT_TOKENS)
    return rule(true()).repeatable(max=MAX_HEADLINE_TOKENS).optional()


def _line_rule(tokenizer: Tokenizer, index: int, entry: FurniturePattern):
    pattern = entry.pattern
    slot = next((s for s in SLOTS if pattern.endswith(s)), None)
    if slot:
        pattern = pattern[: -len(slot)]
    if any(s in pattern for s in SLOTS):
        raise ValueError(f"{FURNITURE_DATA}:{entry.line}: a slot may only end a pattern")
    before, _, after = pattern.partition(VALUE_MARK) if VALUE_MARK in pattern else (pattern, "", "")
    prefix = _pattern_items(tokenizer, before)
    value_items = _pattern_items(tokenizer, after)
    if slot:
        value = rule(*value_items, _slot_rule(slot)) if value_items else _slot_rule(slot)
        items = [*prefix, value.named(VALUE_LABEL)]
    else:
        # Without a slot the words make up the line; a ":" or "." may follow.
        tail = rule(token_type("PUNCT")).repeatable(max=3).optional()
        items = [*prefix, rule(*value_items).named(VALUE_LABEL), tail] if value_items else [*prefix, tail]
    if not prefix:
        raise ValueError(f"{FURNITURE_DATA}:{entry.line}: a pattern must start with a word")
    return rule(*items).named(f"{LINE_LABEL}{index}")


class LookaheadBNFRule(BNFRule):
    """A compiled rule of which the parser predicts only the productions that
    may begin with the next token.

    yargy's Earley parser predicts every production of a rule wherever the
    rule may stand, and makes a chart state for each before it reads the
    token there; only its pipelines look at that token first. For the
    hundred agencies of the data file, or for the root of the credit
    grammar (predicted at every token of a window), those states were most
    of the work of parsing, and nearly all died at the next token. A
    production none of whose first predicates fits the next token dies
    there anyway, so the matches are the same; the states that would die
    are just never made. Productions that may match no token are always
    predicted."""

    # Tokens of the same text and type fit the same predicates, so what a
    # token lets begin is kept per (text, type); emptied when it gets this big.
    MAX_KEPT = 100_000

    def __init__(self, productions, name=None, interpretator=None, relation=None):
        super().__init__(list(productions), name, interpretator, relation)
        self.first_predicates = []
        for production in self.productions:
            predicates, can_be_empty = _first_predicates(tuple(production.terms))
            self.first_predicates.append(None if can_be_empty else tuple(predicates))
        self.kept: dict[tuple[str, str], list] = {}

    def predict(self, token) -> list:
        key = (token.value, token.type)
        productions = self.kept.get(key)
        if productions is None:
            if len(self.kept) >= self.MAX_KEPT:
                self.kept.clear()
            productions = self.kept[key] = [
                production for production, predicates in zip(self.productions, self.first_predicates)
                if predicates is None or any(predicate(token) for predicate in predicates)]
        return productions


def _with_lookahead(parser: Parser) -> Parser:
    """``parser`` with its root rule predicted as a LookaheadBNFRule."""
    root = parser.rule
    parser.rule = LookaheadBNFRule(root.productions, root.name, root.interpretator, root.relation)
    return parser


class Alternatives:
    """Labelled sequences of predicates, one of which a rule matches,
    compiled to a LookaheadBNFRule: the hundred agencies of the data file
    are tried only where the next token may begin them. The label of the
    one that matched is the ``value`` of its node's production."""

    label = "[alternatives]"

    def __init__(self, alternatives: Iterable[tuple[str, list]]):
        self.alternatives = list(alternatives)

    def activate(self, context) -> "Alternatives":
        return Alternatives((value, [predicate.activate(context) for predicate in predicates])
                            for value, predicates in self.alternatives)

    @property
    def as_bnf(self) -> LookaheadBNFRule:
        return LookaheadBNFRule(PipelineProduction(value, predicates) for value, predicates in self.alternatives)


@dataclass
class Grammars:
    tokenizer: SiteTokenizer
    patterns: list[FurniturePattern]
    line_parser: Parser
    credit_parser: Parser
    agencies: dict[str, str]        # agency rule label -> canonical name
    sites: dict[str, str]           # agencies named by their site ("лента.ру") -> canonical name
    first_words: Optional[frozenset]
    # Where a credit can start, and how far it can reach: see _credit_windows.
    credit_starts: Optional[list[tuple[tuple, Optional[tuple]]]]
    credit_span: int
    lead_forms: Optional[frozenset]
    # Every term of those keys, as ((key number, position in the key), predicate).
    credit_terms: list[tuple[tuple[int, int], object]]
    plain_credit_terms: list[tuple[tuple[int, int], object]]     # those that are no dictionary predicate
    # For each key, the first key with the same follow predicates (the keys
    # of one pipeline share them), so that _may_follow asks once for them all.
    same_follow: list[int]
    keys_hold_no_dot: bool          # no word of those keys holds a dot: see _may_hold_credit


@lru_cache(maxsize=1)
def grammars() -> Grammars:
    """The grammars of the data file, compiled once per process."""
    tokenizer = SiteTokenizer()
    patterns = load_patterns()
    line_rules = [_line_rule(tokenizer, index, entry)
                  for index, entry in enumerate(patterns) if entry.kind in LINE_KINDS]

    agencies, agency_alternatives = {}, []
    for index, entry in enumerate(patterns):
        if entry.kind == "agency":
            label = f"{AGENCY_LABEL}{index}"
            agencies[label] = entry.value or entry.pattern
            agency_alternatives.append((label, _pattern_items(tokenizer, entry.pattern, capitalized=True)))
    opening = rule(in_(set(OPENING_QUOTES))).optional()
    closing = rule(in_(set("»\"”“'"))).optional()
    site = rule(token_type(DOMAIN))
    agency = rule(opening, PipelineRule(Alternatives(agency_alternatives)), closing)
    quoted_name = rule(in_(set(OPENING_QUOTES)),
                       rule(not_(in_(set("»\"”“")))).repeatable(max=6),
                       in_(set("»\"”“")))
    capitalized_name = rule(_capitalized_word()).repeatable(max=MAX_NAME_WORDS)

    def source(*cases: str):
        """A site, a known agency, or a medium noun in one of ``cases``
        followed by its name. The case tells the source from the addressee:
        "сообщает агентство X" (nominative) credits X, "сообщил агентству X"
        (dative) does not."""
        medium = or_(*[rule(*items[:-1], and_(items[-1], or_(*[gram(case) for case in cases])))
                       for items in (_pattern_items(tokenizer, entry.pattern)
                                     for entry in patterns if entry.kind == "medium")])
        named_medium = rule(medium, or_(agency, rule(opening, site, closing), quoted_name,
                                        capitalized_name).named(NAME_LABEL))
        return or_(rule(opening, site, closing), agency, named_medium).named(SOURCE_LABEL)

    # A morph_pipeline lets the parser start a match only at a word of the
    # lead, which keeps it fast, and lets the search parse only windows
    # around such words (_credit_windows).
    def lead(kind: str):
        return morph_pipeline([entry.pattern.replace("<", "").replace(">", "")
                               for entry in patterns if entry.kind == kind])
    # Datelines credit the agency by punctuation alone: "МОСКВА, 25 ноября.
    # /ТАСС/." and "МОСКВА, 25 ноя — РИА Новости.".
    slashed = rule(pipeline(["/"]), or_(agency, rule(site)), eq("/"))
    dashed = rule(pipeline(["—", "–"]), agency, eq("."))
    credit = or_(rule(lead("credit_verb"), source("nomn")),
                 # "по данным агентства", "со ссылкой на агентство"
                 rule(lead("credit_phrase"), source("gent", "accs")),
                 rule(slashed.named(SOURCE_LABEL)), rule(dashed.named(SOURCE_LABEL)))
    sites = {entry.pattern.lower(): entry.value or entry.pattern
             for entry in patterns if entry.kind == "agency" and _is_site_pattern(tokenizer, entry.pattern)}
    first_words = _first_words(tokenizer, [entry for entry in patterns if entry.kind in LINE_KINDS])
    credit_parser = _with_lookahead(Parser(credit, tokenizer=tokenizer))
    credit_starts = _pipeline_keys(credit_parser.rule)
    credit_span = _longest_match(credit_parser.rule, {})
    lead_forms = _lead_forms(tokenizer, credit_starts) if credit_starts is not None else None
    credit_terms = [((number, position), predicate) for number, (key, _) in enumerate(credit_starts or ())
                    for position, predicate in enumerate(key)]
    plain_credit_terms = [(place, predicate) for place, predicate in credit_terms
                          if not isinstance(predicate, DictionaryPredicate)]
    follows = [None if follow is None else tuple(map(id, follow)) for _, follow in credit_starts or ()]
    same_follow = [follows.index(follow) for follow in follows]
    # The per-word caches of _credit_windows answer for the grammar built here.
    for cache in (_key_terms_fitting, _fits_follow):
        cache.cache_clear()
    return Grammars(tokenizer, patterns, _with_lookahead(Parser(or_(*line_rules), tokenizer=tokenizer)),
                    credit_parser, agencies, sites, first_words, credit_starts, credit_span, lead_forms,
                    credit_terms, plain_credit_terms, same_follow, _keys_hold_no_dot(credit_starts or ()))


def _is_site_pattern(tokenizer: Tokenizer, pattern: str) -> bool:
    tokens = list(tokenizer(pattern))
    return len(tokens) == 1 and tokens[0].type == DOMAIN


def _first_words(tokenizer: Tokenizer, entries: list[FurniturePattern]) -> Optional[frozenset]:
    """Lower-cased first words of the line patterns: a line starting with
    any other word cannot match, and is not parsed at all. None when a
    pattern starts with an inflecting word, whose forms are not listed."""
    words = set()
    for entry in entries:
        if entry.pattern.startswith("<"):
            return None
        words.add(_words(tokenizer, entry.pattern)[0].value.lower())
    return frozenset(words)


# ----------------------------------------------------------------------------
# Where a credit can start
#
# Parsing a whole body with the credit grammar is slow: the tokenizer has
# pymorphy2 analyse every word, and the Earley parser predicts the grammar at
# every token. Yet every alternative of the grammar begins with a pipeline (a
# credit verb, "по данным", "/", "—"), so a match can only start where the
# words of a pipeline key stand, followed by a word that the rest of the
# match may begin with ("—" only before an agency), and it covers a bounded
# number of tokens.
# The search finds those starts with the plain (non-morphological) tokenizer
# and parses only windows around them (_credit_windows). Both facts are read
# off the compiled grammar, so the windows stay right when the data file or
# the grammar changes; where they cannot be read, the whole paragraph is
# parsed as before.

def _pipeline_keys(rule, rest: tuple = ()) -> Optional[list[tuple[tuple, Optional[tuple]]]]:
    """How every match of a compiled ``rule`` begins: (key, follow) pairs,
    where key is a tuple of token predicates of a pipeline, and follow the
    predicates one of which the token after the key satisfies (None when
    nothing need follow). ``rest`` are the terms that follow ``rule`` in the
    rule that contains it. None when a match might begin another way."""
    if isinstance(rule, PipelineBNFRule):
        follow, nothing_needed = _first_predicates(rest)
        return [(tuple(production.terms), None if nothing_needed else tuple(follow))
                for production in rule.productions]
    keys = []
    for production in rule.productions:
        first = production.terms[0] if production.terms else None
        # A first term that can match no tokens would let the second one start the match.
        if first is None or not is_rule(first) or _first_predicates((first,))[1]:
            return None
        first_keys = _pipeline_keys(first, tuple(production.terms[1:]) + rest)
        if first_keys is None:
            return None
        keys.extend(first_keys)
    return keys


def _first_predicates(terms: tuple) -> tuple[list, bool]:
    """The predicates one of which the first token of a match of ``terms``
    satisfies, and whether the terms can match no tokens at all."""
    predicates = []
    for term in terms:
        if not is_rule(term):
            return predicates + [term], False
        can_be_empty = False
        for production in term.productions:
            first, empty = _first_predicates(tuple(production.terms))
            predicates += first
            can_be_empty = can_be_empty or empty
        if not can_be_empty:
            return predicates, False
    return predicates, True


def _longest_match(rule, memo: dict) -> int:
    """The most tokens a compiled rule can cover. Bounded repetitions compile
    to nested finite rules, so the grammar has no cycles to follow."""
    if id(rule) not in memo:
        memo[id(rule)] = max((sum(_longest_match(term, memo) if is_rule(term) else 1 for term in production.terms)
                              for production in rule.productions), default=0)
    return memo[id(rule)]


def _keys_hold_no_dot(keys: list[tuple[tuple, Optional[tuple]]]) -> bool:
    """Whether no word of the pipeline keys holds a dot. Their predicates
    (eq, caseless, dictionary) compare a token's text or lemmas with these
    words, so a site token, whose text holds a dot, then fits none of them."""
    for key, _ in keys:
        for predicate in key:
            words = getattr(predicate, "value", None)
            words = {words} if isinstance(words, str) else words
            if not isinstance(words, (set, frozenset)) or any("." in word for word in words):
                return False
    return True


def _lead_forms(tokenizer: SiteTokenizer, keys: list[tuple[tuple, Optional[tuple]]]) -> Optional[frozenset]:
    """Every dictionary form (ё written е) of the lemmas that the morph
    pipeline keys ask for: "сообщает", "передал", "данным" ... Any lexeme
    whose normal form is a lemma has the lemma among its forms, so analysing
    the lemma finds them all. None when a lemma is not a dictionary word."""
    morph = tokenizer.morph.raw
    lemmas = {lemma for key, _ in keys for predicate in key
              if isinstance(predicate, DictionaryPredicate) for lemma in predicate.value}
    forms = set()
    for lemma in lemmas:
        if not morph.word_is_known(lemma):
            return None
        for parse in morph.parse(lemma):
            if parse.normal_form == lemma:
                forms.update(form.word.replace("ё", "е") for form in parse.lexeme)
    return frozenset(forms)


def _may_be_lead_word(word: str) -> bool:
    """False when pymorphy2 cannot give ``word`` a lemma that the pipeline
    keys ask for. A word the dictionary knows gets only its dictionary
    analyses, and is not a form of those lemmas unless it is in
    ``lead_forms``; a single letter may be read as an initial, and a word the
    dictionary does not know is guessed from its ending or a prefix: for
    those only the analysis tells. A dictionary look-up costs a fraction of an
    analysis, which is what makes looking for starts cheap."""
    grammar = grammars()
    lower = word.lower()
    if grammar.lead_forms is None or len(lower) == 1 or lower.replace("ё", "е") in grammar.lead_forms:
        return True
    return not grammar.tokenizer.morph.raw.word_is_known(lower)


@lru_cache(maxsize=100_000)
def _key_terms_fitting(value: str, token_type_: str) -> frozenset[tuple[int, int]]:
    """The (key number, position in the key) of every term of the
    ``credit_starts`` keys that a token of this text and type fits. Pipeline
    predicates look at nothing else, and words recur, so one cached look-up
    per word answers every question that _may_hold_credit and
    _starts_credit ask about it. Most
    Russian words are no form of a lead lemma: for them only the terms that
    are no dictionary predicate are tried, and the analyses the others need
    are made once per word, not once per term."""
    grammar = grammars()
    token = YargyToken(value, YargySpan(0, len(value)), token_type_)
    if token_type_ == "RU" and not _may_be_lead_word(value):
        return frozenset(place for place, predicate in grammar.plain_credit_terms if predicate(token))
    morphed = token.morphed(grammar.tokenizer.morph(value)) if token_type_ == "RU" else token
    return frozenset(place for place, predicate in grammar.credit_terms
                     if predicate(morphed if isinstance(predicate, DictionaryPredicate) else token))


def _may_follow(value: str, token_type_: str, number: int) -> bool:
    """Whether a token of this text and type may follow the key of
    ``credit_starts[number]``: "—" starts a credit only before an agency."""
    return _fits_follow(value, token_type_, grammars().same_follow[number])


@lru_cache(maxsize=100_000)
def _fits_follow(value: str, token_type_: str, number: int) -> bool:
    """_may_follow for the first key of a group sharing follow predicates,
    cached once for the group."""
    grammar = grammars()
    token = YargyToken(value, YargySpan(0, len(value)), token_type_)
    if token_type_ == "RU":
        token = token.morphed(grammar.tokenizer.morph(value))
    return any(predicate(token) for predicate in grammar.credit_starts[number][1])


def _starts_credit(tokens: list, index: int, grammar: Grammars) -> bool:
    """Whether the words of a pipeline key stand at ``tokens[index]``, and a
    token after them that the rest of the match may begin with."""
    token = tokens[index]
    for number, position in _key_terms_fitting(token.value, token.type):
        if position:
            continue
        key, follow = grammar.credit_starts[number]
        stop = index + len(key)
        if stop > len(tokens) or not all(
                (number, offset) in _key_terms_fitting(tokens[offset_index].value, tokens[offset_index].type)
                for offset, offset_index in enumerate(range(index + 1, stop), 1)):
            continue
        if follow is None or (stop < len(tokens) and _may_follow(tokens[stop].value, tokens[stop].type, number)):
            return True
    return False


NON_SPACE = re.compile(r"\S+")


def _may_hold_credit(paragraph: str, grammar: Grammars) -> bool:
    """Whether a credit may start in ``paragraph``: a test that most
    paragraphs fail, many times cheaper than finding the starts themselves.

    It asks what _starts_credit asks (the words of a key standing in a row,
    then a token that the rest of a match may begin with), but of the bare
    (text, type) pairs of yargy's tokenizer, without building tokens or
    putting site names together, which is what costs. Only site names make
    these tokens differ from the parser's, and they hide no start: a key
    never stands on a site, as a site holds a dot and no key word does
    (``keys_hold_no_dot``); and where a site may follow a key, the token
    there begins a whitespace-free chunk holding a dot, which passes."""
    starts, types = grammar.credit_starts, grammar.tokenizer.mapping
    begun: list[tuple[int, int]] = []   # (key number, words of it in a row up to here)
    for found in grammar.tokenizer.regexp.finditer(paragraph):
        value, token_type_ = found.group(), types[found.lastgroup]
        fitting = _key_terms_fitting(value, token_type_)
        if not (begun or fitting):
            continue    # most tokens: no key begun before, none begins here
        going_on = []
        for number, standing in begun:
            if standing == len(starts[number][0]):
                # The key is whole: this token must be one that may follow it.
                if (_may_follow(value, token_type_, number)
                        or "." in NON_SPACE.match(paragraph, found.start()).group()):
                    return True
            elif (number, standing) in fitting:
                going_on.append((number, standing + 1))
        going_on.extend((number, 1) for number, position in fitting if position == 0)
        for number, standing in going_on:
            if standing == len(starts[number][0]) and starts[number][1] is None:
                return True
        begun = going_on
    return False


def _credit_windows(paragraph: str, grammar: Grammars) -> list[tuple[int, int]]:
    """Character spans of ``paragraph``, in order, that hold every match of
    the credit grammar in it: from the whitespace before each place a match
    can start to ``credit_span`` whitespace-separated chunks on, overlapping
    windows merged.

    Parsing the windows finds exactly the matches that parsing the paragraph
    finds, in the same order. Cut at whitespace, a window is tokenized as the
    paragraph is there (a site name holds no space); each chunk holds at
    least one token, so a window holds every match starting in it whole; and
    as windows do not overlap, neither do matches of different windows, so
    choosing the longest matches that do not overlap (``findall``) chooses
    the same ones window by window. Starts are looked for among the tokens
    the parser sees, site names merged, only without their analyses; and
    only in a paragraph that passes the cheaper test of _may_hold_credit."""
    if grammar.credit_starts is None:
        return [(0, len(paragraph))]
    if grammar.keys_hold_no_dot and not _may_hold_credit(paragraph, grammar):
        return []
    chunks = [found.span() for found in NON_SPACE.finditer(paragraph)]
    chunk_starts = [start for start, _ in chunks]
    tokens = merge_sites(paragraph, _words(grammar.tokenizer, paragraph))
    windows: list[list[int]] = []    # [first chunk, chunk after the last]
    for index, token in enumerate(tokens):
        if not _starts_credit(tokens, index, grammar):
            continue
        first = bisect_right(chunk_starts, token.span.start) - 1
        last = min(first + grammar.credit_span, len(chunks))
        if windows and first <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], last)
        else:
            windows.append([first, last])
    return [(chunks[first][0], chunks[last - 1][1]) for first, last in windows]


def _capitalized_word():
    """A capitalized name after a medium noun: Latin, or Russian in the
    nominative, which names the medium ("газета Ведомости", "радиостанция
    Маяк"); a genitive names its owner ("сайт Кремля") and is left out."""
    return and_(or_(token_type("LATIN"), and_(token_type("RU"), gram("nomn"))), is_capitalized())


# ----------------------------------------------------------------------------
# Lines

@dataclass
class Line:
    number: int         # 1-based line number in the text
    start: int          # offsets of the line without surrounding whitespace
    stop: int
    text: str


def split_lines(text: str) -> list[Line]:
    """Non-blank lines, with offsets of their stripped text."""
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if stripped:
            start = offset + (len(raw) - len(raw.lstrip()))
            lines.append(Line(number, start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


@dataclass
class LineMatch:
    kind: str
    value: Optional[str]    # the slot's text (credit, author, inline headline)


def match_line(text: str) -> Optional[LineMatch]:
    """The furniture pattern that covers the whole line, if any."""
    if len(text) > MAX_FURNITURE_LINE_CHARS:
        return None
    grammar = grammars()
    # Only the first token is needed: take it without tokenizing the line.
    first = next(Tokenizer.__call__(grammar.tokenizer, text), None)
    if grammar.first_words is not None and (first is None or first.value.lower() not in grammar.first_words):
        return None
    match = grammar.line_parser.match(text)
    if match is None:
        return None
    kind, value = None, None
    for node in match.tree.walk():
        if isinstance(node, Leaf):
            continue
        label = node.label or ""
        if label.startswith(LINE_LABEL):
            kind = grammar.patterns[int(label[len(LINE_LABEL):])].kind
        elif label == VALUE_LABEL and value is None:
            value = _value_text(text, _node_tokens(node))
    return LineMatch(kind, value or None)


def _node_tokens(node) -> list:
    return [leaf.token for leaf in Tree(node, None).walk(types=Leaf)]


def _value_text(text: str, tokens: list) -> str:
    """The text a slot covers, from the offsets of its tokens; a site name
    when the slot holds one; without punctuation around it."""
    if not tokens:
        return ""
    sites = [token for token in tokens if token.type == DOMAIN]
    words = [token for token in tokens if token.type in WORD_TYPES or token.type == DOMAIN]
    if len(sites) == 1 and len(words) == 1:
        return site_name(sites[0].value)
    value = text[tokens[0].span.start:tokens[-1].span.stop]
    value = value.strip(" \t.,:;—–-")
    for opening, closing in QUOTE_PAIRS:
        if value[:1] == opening and value[-1:] == closing and value.count(opening) == (1 if opening != closing else 2):
            value = value[1:-1].strip()
    return value


def _last_meaningful_char(text: str) -> str:
    return text.rstrip(CLOSERS + " ")[-1:] if text.rstrip(CLOSERS + " ") else ""


def _word_count(text: str) -> int:
    """Words as a reader counts them: "пресс-служба" is one."""
    return sum(1 for chunk in text.split() if any(char.isalnum() for char in chunk))


def _has_lowercase_word(text: str) -> bool:
    return any(chunk[:1].islower() for chunk in text.split())


def _is_one_sentence(text: str) -> bool:
    """No sentence-final mark followed by a capitalized word inside the line."""
    tokens = _words(grammars().tokenizer, text)
    for before, after in zip(tokens, tokens[1:]):
        if before.value in SENTENCE_FINAL and after.value[:1].isupper():
            return False
    return True


def is_headline_shaped(text: str, under_header: bool = False) -> bool:
    """A short single sentence without final punctuation, as related
    headlines are printed.

    Without a header above to vouch for them, headlines must also have at
    least three words, one of them lower-case: a signature ("Кирсан
    Илюмжинов" / "Президент ФИДЕ") or a list of names is not a headline.
    Under a header a headline may be two words and end with "?" or "!"."""
    first, last = text[:1], _last_meaningful_char(text)
    if not (first.isupper() or first.isdigit() or first in OPENING_QUOTES):
        return False
    if first in LIST_MARKERS or last in CONTINUATION or last in ".…":
        return False
    if len(text) > MAX_HEADLINE_CHARS or _word_count(text) > MAX_HEADLINE_WORDS:
        return False
    if under_header:
        return _word_count(text) >= MIN_HEADED_HEADLINE_WORDS and _is_one_sentence(text)
    return (last not in "?!" and _word_count(text) >= MIN_UNHEADED_HEADLINE_WORDS
            and _has_lowercase_word(text) and _is_one_sentence(text))


def is_title_shaped(text: str) -> bool:
    first, last = text[:1], _last_meaningful_char(text)
    if not (first.isupper() or first.isdigit() or first in OPENING_QUOTES):
        return False
    if first in LIST_MARKERS or last in SENTENCE_FINAL or last in CONTINUATION:
        return False
    return len(text) <= MAX_TITLE_CHARS and 1 <= _word_count(text) <= MAX_TITLE_WORDS


def _same_title(line: str, title: str) -> bool:
    def normal(text: str) -> str:
        return " ".join(text.casefold().split()).strip(" .:;!?«»\"")
    return normal(line) == normal(title)


# ----------------------------------------------------------------------------
# The cleaner

def clean(doc: Document) -> Document:
    """Set ``doc.body_start``/``body_stop``, ``doc.furniture`` and the
    metadata the furniture gives; return the same document."""
    lines = split_lines(doc.text)
    matches = [match_line(line.text) for line in lines]
    page_has_furniture = any(matches)
    roles: dict[int, str] = {}          # line index -> role, for lines set apart
    headlines: dict[int, str] = {}      # line index -> related headline text

    def set_apart(index: int) -> None:
        roles[index] = _role(matches[index])
        if matches[index].kind == RELATED_HEADER and matches[index].value:
            headlines[index] = matches[index].value

    # 1. From the top: furniture, and at most one title line, which must
    # have text other than furniture below it.
    top = 0
    title_taken = False
    while top < len(lines):
        if matches[top]:
            set_apart(top)
        elif (not title_taken and any(match is None for match in matches[top + 1:])
              and _is_title_line(doc, lines[top].text, page_has_furniture)):
            roles[top] = TITLE
            title_taken = True
        else:
            break
        top += 1

    # 2. From the bottom: furniture and blocks of related headlines.
    bottom = len(lines)     # lines[bottom:] are set apart
    while bottom > top:
        if matches[bottom - 1]:
            set_apart(bottom - 1)
            bottom -= 1
            continue
        block_start = _headline_block_start(lines, matches, top, bottom, furniture_below=bottom < len(lines))
        if block_start is None:
            break
        for index in range(block_start, bottom):
            roles[index] = RELATED_HEADLINE
            headlines[index] = lines[index].text
        bottom = block_start

    # 3. The body, and furniture lines inside it.
    body_lines = range(top, bottom)
    for index in body_lines:
        if not matches[index] or matches[index].kind not in KINDS_ALSO_INSIDE_BODY:
            continue
        set_apart(index)
        if matches[index].kind == RELATED_HEADER and not matches[index].value:
            # "Читайте также:" between paragraphs, its headlines below it.
            below = index + 1
            while below < bottom and not matches[below] and is_headline_shaped(lines[below].text, under_header=True):
                roles[below] = RELATED_HEADLINE
                headlines[below] = lines[below].text
                below += 1
    if body_lines:
        doc.body_start, doc.body_stop = lines[top].start, lines[bottom - 1].stop
    else:
        doc.body_start = doc.body_stop = 0

    doc.furniture = [Furniture(lines[index].start, lines[index].stop, role, lines[index].text)
                     for index, role in sorted(roles.items())]
    _fill_metadata(doc, lines, matches, roles, headlines)
    return doc


def _role(match: LineMatch) -> str:
    if match.kind == RELATED_HEADER:
        # "Читайте также: <headline>" carries a headline; alone it only asks
        # the reader to read on.
        return RELATED_HEADLINE if match.value else CALL_TO_ACTION
    return match.kind


def _is_title_line(doc: Document, text: str, page_has_furniture: bool) -> bool:
    if doc.title:
        return _same_title(text, doc.title)
    # Without a known title only a page that shows furniture is trusted to
    # print its title as a first line; plain texts keep their first line.
    return page_has_furniture and is_title_shaped(text)


def _headline_block_start(lines: list[Line], matches: list, top: int, bottom: int,
                          furniture_below: bool) -> Optional[int]:
    """Start of the block of related headlines that ends at ``bottom``, or None.

    Under a related header the block is every headline-shaped line below it.
    Without a header the block must sit directly above other furniture, have
    at least two lines, and not follow a line ending in ":", which would make
    it a list of the article."""
    start = bottom
    while start > top and not matches[start - 1] and is_headline_shaped(lines[start - 1].text, under_header=True):
        start -= 1
    if start == bottom:
        return None
    header_above = start > top and matches[start - 1] is not None and matches[start - 1].kind == RELATED_HEADER
    if header_above:
        return start
    if not furniture_below:
        return None
    strict_start = bottom
    while strict_start > start and is_headline_shaped(lines[strict_start - 1].text):
        strict_start -= 1
    if bottom - strict_start < MIN_UNHEADED_HEADLINES:
        return None
    if strict_start > top and _last_meaningful_char(lines[strict_start - 1].text) == ":":
        return None
    return strict_start


def _fill_metadata(doc: Document, lines: list[Line], matches: list, roles: dict[int, str],
                   headlines: dict[int, str]) -> None:
    """Move what the furniture says into the document; values set earlier
    (by the ingest stage, or a previous run) are kept."""
    for index in sorted(roles):
        match, role = matches[index], roles[index]
        if role == TITLE and not doc.title:
            doc.title = lines[index].text
        if match is None or not match.value:
            continue
        if role == PHOTO_CREDIT and not doc.photo_credit:
            doc.photo_credit = match.value
        elif role == ATTRIBUTION and not doc.source:
            doc.source = match.value
        elif role == BYLINE and not doc.author:
            doc.author = match.value
    doc.related_headlines = [headlines[index] for index in sorted(headlines)]
    if not doc.original_source:
        skip = [(f.start, f.stop) for f in doc.furniture]
        doc.original_source = find_credited_source(doc.text, doc.body_start, doc.body_stop, skip)


def find_credited_source(text: str, start: int, stop: int,
                         skip: Iterable[tuple[int, int]] = ()) -> Optional[str]:
    """The first agency or site that ``text[start:stop]`` credits: "сообщает
    primeminister.kz" -> "primeminister.kz", "по данным Интерфакса" ->
    "Интерфакс". Lines that are ``skip`` spans (furniture) do not count.

    Paragraph by paragraph, so that the usual credit in the lead ends the
    search without parsing the rest of a long article; and in a paragraph
    only the windows where a credit can start (:func:`_credit_windows`)."""
    if stop <= start:
        return None
    grammar = grammars()
    skip = set(skip)
    budget = MAX_CREDIT_SEARCH_CHARS
    for line in split_lines(text[start:stop]):
        if budget <= 0:
            break
        if (start + line.start, start + line.stop) in skip:
            continue
        paragraph = line.text[:budget]
        budget -= len(paragraph)
        for window_start, window_stop in _credit_windows(paragraph, grammar):
            window = paragraph[window_start:window_stop]
            for match in grammar.credit_parser.findall(window):
                value = _source_value(window, match, grammar)
                if value:
                    return value
    return None


def _source_value(text: str, match, grammar: Grammars) -> Optional[str]:
    """The canonical name of a known agency, else the site, else the name
    after a medium noun, from the offsets of its tokens."""
    nodes = [node for node in match.tree.walk() if not isinstance(node, Leaf)]
    for node in nodes:
        if isinstance(node.production, PipelineProduction) and node.production.value in grammar.agencies:
            return grammar.agencies[node.production.value]
    sites = [token for token in match.tokens if token.type == DOMAIN]
    if sites:
        site = site_name(sites[0].value)
        return grammar.sites.get(site, site)
    for node in nodes:
        if node.label == NAME_LABEL:
            return _value_text(text, _node_tokens(node)) or None
    return None


def body_segments(doc: Document) -> list[tuple[int, int]]:
    """The body span less the furniture lines listed inside it: the pieces of
    text later stages should analyse. Without such lines, the body span."""
    start, stop = doc.body_span
    segments = []
    for furniture in sorted(doc.furniture, key=lambda f: f.start):
        if furniture.stop <= start or furniture.start >= stop:
            continue
        if furniture.start > start:
            segments.append((start, furniture.start))
        start = max(start, furniture.stop)
    if stop > start:
        segments.append((start, stop))
    # Drop the whitespace-only pieces between two furniture lines.
    return [(a, b) for a, b in segments if doc.text[a:b].strip()]


# ----------------------------------------------------------------------------
# Report: what the cleaner drops from a corpus

@dataclass
class CleaningReport:
    files: int = 0
    lines: int = 0                  # non-blank lines
    lines_outside_body: int = 0     # non-blank lines outside the body span
    furniture_inside_body: int = 0  # furniture lines listed inside the body span
    unaccounted: int = 0            # lines outside the body with no Furniture record (a bug)
    roles: Counter = field(default_factory=Counter)

    @property
    def exit_status(self) -> int:
        """For a command line: 1 when a line left the body without a record."""
        return 1 if self.unaccounted else 0


def iter_text_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(path.rglob("*.txt"))
        else:
            yield path


def cleaning_report(paths: Iterable[str | Path], out: Optional[TextIO] = sys.stdout) -> CleaningReport:
    """Clean every .txt file under ``paths``; print each line set apart (file,
    line number, role, text) and the counts; return the counts. Over texts
    known to have no furniture every line outside the body is body lost."""
    report = CleaningReport()

    def say(message: str) -> None:
        if out is not None:
            print(message, file=out)

    for path in iter_text_files(paths):
        text = path.read_text(encoding="utf-8-sig")
        doc = clean(Document(id=path.stem, text=text, path=str(path)))
        body_start, body_stop = doc.body_span
        furniture = {(f.start, f.stop): f for f in doc.furniture}
        report.files += 1
        for line in split_lines(text):
            report.lines += 1
            inside = body_start <= line.start and line.stop <= body_stop and body_stop > body_start
            record = furniture.get((line.start, line.stop))
            if inside:
                if record:
                    report.furniture_inside_body += 1
                    report.roles[record.role] += 1
                    say(f"{path}:{line.number}\t{record.role} (inside body)\t{line.text}")
                continue
            report.lines_outside_body += 1
            if record:
                report.roles[record.role] += 1
                say(f"{path}:{line.number}\t{record.role}\t{line.text}")
            else:
                report.unaccounted += 1
                say(f"{path}:{line.number}\tUNACCOUNTED\t{line.text}")
    roles = ", ".join(f"{role} {count}" for role, count in sorted(report.roles.items())) or "none"
    say(f"files {report.files}, non-blank lines {report.lines}, "
        f"lines outside the body {report.lines_outside_body}, "
        f"furniture lines inside the body span {report.furniture_inside_body}, "
        f"unaccounted {report.unaccounted}; roles: {roles}")
    return report
