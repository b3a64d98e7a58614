"""yargy over natasha: the adaptor every extraction grammar runs on.

yargy normally tokenises a string itself and asks pymorphy for every reading
of every word. Here it runs over the tokens natasha already made for a
sentence: one yargy token per natasha token, whose single reading is natasha's
contextual tag (lemma, part of speech, case, number, gender) translated to the
OpenCorpora grammemes yargy's predicates speak, plus pymorphy's other lemmas
of the word so that lexicon entries still match when natasha picks an odd
lemma. Each yargy token is tagged with the NER mention it lies in ("B-PER",
"I-PER", "B-LOC", ...; "O" outside), so grammars can say ``tag('B-PER')``.

Spans of yargy matches are token indices into the sentence: ``match.span``
is ``(first_token, last_token + 1)``.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from yargy import Parser
from yargy.morph import Form, Grams
from yargy.parser import prepare_resolved_matches
from yargy.predicates.bank import DictionaryPredicate
from yargy.rule.bnf import BNFRule, is_rule
from yargy.span import Span as YSpan
from yargy.tagger import Tagger
from yargy.token import MorphTagToken
from yargy.tokenizer import Tokenizer
from yargy.tree import Leaf, Node, Tree

from ..lemma import lemmas
from ..model import Mention, Sentence, Token

# natasha (Universal Dependencies) features -> OpenCorpora grammemes.
UD_POS = {"NOUN": "NOUN", "PROPN": "NOUN", "ADJ": "ADJF", "DET": "ADJF",
          "VERB": "VERB", "AUX": "VERB", "ADV": "ADVB", "ADP": "PREP",
          "CCONJ": "CONJ", "SCONJ": "CONJ", "PART": "PRCL", "PRON": "NPRO",
          "NUM": "NUMR", "PUNCT": "PNCT", "INTJ": "INTJ"}
UD_FEATS = {
    ("Case", "Nom"): "nomn", ("Case", "Gen"): "gent", ("Case", "Dat"): "datv",
    ("Case", "Acc"): "accs", ("Case", "Ins"): "ablt", ("Case", "Loc"): "loct",
    ("Case", "Voc"): "voct", ("Case", "Par"): "gent",
    ("Number", "Sing"): "sing", ("Number", "Plur"): "plur",
    ("Gender", "Masc"): "masc", ("Gender", "Fem"): "femn", ("Gender", "Neut"): "neut",
    ("Animacy", "Anim"): "anim", ("Animacy", "Inan"): "inan",
    ("Voice", "Pass"): "pssv", ("Tense", "Past"): "past", ("Tense", "Pres"): "pres",
    ("Tense", "Fut"): "futr", ("Aspect", "Perf"): "perf", ("Aspect", "Imp"): "impf",
    ("Variant", "Short"): "Short",
}
VERB_FORMS = {"Inf": "INFN", "Part": "PRTF", "Conv": "GRND"}

_AUTO_NAME = re.compile(r"R\d+")  # names yargy gives unnamed rules

TAGS = ["O"] + [f"{p}-{t}" for t in ("PER", "LOC", "ORG", "LOCORG") for p in "BI"]


def grams(token: Token) -> set[str]:
    out = set()
    pos = UD_POS.get(token.pos)
    if token.pos in ("VERB", "AUX") and token.feats.get("VerbForm") in VERB_FORMS:
        pos = VERB_FORMS[token.feats["VerbForm"]]
        if pos == "PRTF" and token.feats.get("Variant") == "Short":
            pos = "PRTS"
    if pos:
        out.add(pos)
    if token.pos == "PROPN":
        out.add("Prop")
    for key, value in token.feats.items():
        gram = UD_FEATS.get((key, value))
        if gram:
            out.add(gram)
    return out


class _Morph:
    """What yargy's predicates ask of a morphological analyser: lexicon words
    are turned into lemmas with svodka's one lemma function."""

    def check_gram(self, gram: str) -> None:
        pass

    def normalized(self, word: str) -> set[str]:
        return set(lemmas(word.replace("ё", "е")))


def _type(text: str) -> str:
    if not text:
        return "OTHER"
    if text.isdigit():
        return "INT"
    if any("а" <= c <= "я" or c == "ё" for c in text.lower()):
        return "RU"
    if text.isascii() and any(c.isalpha() for c in text):
        return "LATIN"
    if all(not c.isalnum() for c in text):
        return "PUNCT"
    return "OTHER"


class _Word:
    """A word as yargy sees it, converted once per tokenizer: its text,
    token type and forms, their lemmas (for the FIRST/LAST set look-ups)
    and what the grammar's predicates said of it."""
    __slots__ = ("text", "type", "forms", "lemmas", "tests")

    def __init__(self, text: str, type: str, forms: list[Form]):
        self.text = text
        self.type = type
        self.forms = forms
        self.lemmas = frozenset(f.normalized for f in forms)
        # (predicate id, NER tag) -> result: a predicate reads nothing but
        # the word (value, type, forms) and the tag. The predicates belong
        # to the grammar that owns the tokenizer (and its words), so their
        # ids stay theirs while the answers are kept.
        self.tests: dict[tuple[int, str], bool] = {}

    def holds(self, predicate, tag: str, token: Optional["_Token"] = None) -> bool:
        """``predicate(token)`` for the word with that tag, asked once: the
        parser and the edge tests ask the same few predicates of the same
        words over and over. ``token``: the word's token, if made."""
        key = (id(predicate), tag)
        found = self.tests.get(key)
        if found is None:
            if token is None:
                token = _Token(self.text, YSpan(0, 1), tag, self)
            found = self.tests[key] = bool(predicate(token))
        return found


class _Token(MorphTagToken):
    """yargy's token with the :class:`_Word` it was made from."""

    def __init__(self, value, span, tag, word: _Word):
        super().__init__(value, span, word.type, tag, word.forms)
        self.word = word


def holds(predicate, token: _Token) -> bool:
    return token.word.holds(predicate, token.tag, token)


_FORMS: dict[tuple, tuple[str, list[Form]]] = {}    # see SentenceTokenizer.word


class SentenceTokenizer(Tokenizer):
    """Converts svodka Tokens to yargy tokens (:meth:`token`); as the parser's
    tokenizer it passes on tokens :class:`Grammar` has already converted."""

    CACHE = 50_000      # words kept per grammar; cleared when full
    SHARED = 200_000    # type and forms kept for all grammars

    def __init__(self, prefixes: Sequence[str] = ()):
        super().__init__()
        self.morph = _Morph()
        # "экс-президента" also reads as "президента"
        self.prefixes = tuple(p + "-" for p in prefixes)
        self.types = self.types | {"RU", "LATIN", "INT", "PUNCT", "OTHER"}
        # (text, lemma, pos, feats) -> word: the forms depend on nothing
        # else, and converting (pymorphy lemmas, grammemes) cost as much as
        # a third of the parsing when every findall call redid it
        self._cache: dict[tuple, _Word] = {}

    def word(self, token: Token) -> _Word:
        """The :class:`_Word` of a svodka token."""
        key = (token.text, token.lemma, token.pos, tuple(token.feats.items()))
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            # the type and forms are the same for every grammar with the
            # same prefixes: made once for all of them
            shared = _FORMS.get(key + self.prefixes)
            if shared is None:
                if len(_FORMS) >= self.SHARED:
                    _FORMS.clear()
                shared = _FORMS[key + self.prefixes] = self._convert(token)
            found = self._cache[key] = _Word(token.text, *shared)
        return found

    def _convert(self, token: Token) -> tuple[str, list[Form]]:
        text = token.text
        main = (token.lemma or text).lower().replace("ё", "е")
        g = Grams(frozenset(grams(token)))
        forms = [Form(main, g)]
        kind = _type(text)
        if kind == "RU":
            for other in lemmas(text):
                if other != main:
                    forms.append(Form(other, g))
            lower = text.lower()
            for prefix in self.prefixes:
                if lower.startswith(prefix) and len(lower) > len(prefix):
                    for other in lemmas(text[len(prefix):]):
                        forms.append(Form(other, g))
        return kind, forms

    def token(self, token: Token, index: int, tag: str = "O") -> _Token:
        """The yargy token of a svodka token at ``index`` (its span) with
        its NER tag. yargy never changes a token's forms in place (it
        constrains copies), so tokens share the cached list."""
        return _Token(token.text, YSpan(index, index + 1), tag, self.word(token))

    def __call__(self, tokens):  # type: ignore[override]
        return iter(tokens)


class MentionTagger(Tagger):
    """The tags are set when :class:`Grammar` converts the tokens; this only
    tells yargy's ``tag()`` predicates which tags exist."""
    tags = TAGS

    def __call__(self, tokens):
        return iter(tokens)

    def check_tag(self, tag):
        return tag in TAGS


def _rules(start) -> dict[int, object]:
    """The BNF rules reachable from ``start``, by id."""
    rules, stack = {}, [start]
    while stack:
        r = stack.pop()
        if id(r) in rules:
            continue
        rules[id(r)] = r
        stack.extend(t for p in r.productions for t in p.terms if is_rule(t))
    return rules


def _nullable(rules: dict[int, object]) -> set[int]:
    """Ids of the rules that derive the empty string (``optional()``)."""
    nullable: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, r in rules.items():
            if i not in nullable and any(all(is_rule(t) and id(t) in nullable for t in p.terms)
                                         for p in r.productions):
                nullable.add(i)
                changed = True
    return nullable


def _edge_predicates(start, last: bool = False) -> list:
    """The predicates the first (``last``: the last) token of any match of a
    BNF start rule must satisfy: the FIRST (LAST) set, nullable rules (the
    empty alternative of ``optional()``) seen through."""
    rules = _rules(start)
    nullable = _nullable(rules)
    edges: dict[int, dict[int, object]] = {i: {} for i in rules}
    changed = True
    while changed:
        changed = False
        for i, r in rules.items():
            for p in r.productions:
                for t in (reversed(p.terms) if last else p.terms):
                    if is_rule(t):
                        new = edges[id(t)].keys() - edges[i].keys()
                        for k in new:
                            edges[i][k] = edges[id(t)][k]
                        changed |= bool(new)
                        if id(t) in nullable:
                            continue
                    elif id(t) not in edges[i]:
                        edges[i][id(t)] = t
                        changed = True
                    break
    return list(edges[id(start)].values())


def _required_predicates(start) -> list:
    """The predicates some token of every match of ``start`` satisfies:
    those on every path through the grammar (the greatest fixed point of
    "in each production, a predicate or a rule's requirement")."""
    rules = _rules(start)
    must: dict[int, Optional[list]] = {i: None for i in rules}   # None: all
    changed = True
    while changed:
        changed = False
        for i, r in rules.items():
            new = None
            for p in r.productions:
                union: list = []
                for t in p.terms:
                    found = must[id(t)] if is_rule(t) else [t]
                    if found is None:
                        union = None
                        break
                    union += [x for x in found if x not in union]
                if union is not None:
                    new = union if new is None else [x for x in new if x in union]
            if new is not None and (must[i] is None or len(new) < len(must[i])):
                must[i] = new
                changed = True
    return must[id(start)] or []


def _leftmost(start, nullable: set[int]) -> dict[int, object]:
    """The rules a match of ``start`` may begin with (``start`` included):
    those the parser predicts, one from another, at the column where it
    predicts ``start``."""
    out, stack = {}, [start]
    while stack:
        r = stack.pop()
        if id(r) in out:
            continue
        out[id(r)] = r
        for p in r.productions:
            for t in p.terms:
                if not is_rule(t):
                    break
                stack.append(t)
                if id(t) not in nullable:
                    break
    return out


class _State:
    """An Earley item, as yargy's ``parser.State`` (rule, production, dot,
    start and stop column, parse node) without its per-call properties."""
    __slots__ = ("rule", "production", "terms", "dot", "start", "stop", "node")

    def __init__(self, rule, production, dot, start, stop, node):
        self.rule = rule
        self.production = production
        self.terms = production.terms
        self.dot = dot
        self.start = start
        self.stop = stop
        self.node = node


class _Column:
    __slots__ = ("index", "token", "states", "keys", "waiting", "predicted")

    def __init__(self, index: int, token):
        self.index = index
        self.token = token
        self.states: list[_State] = []
        self.keys: set[tuple] = set()
        self.waiting: dict[int, list[_State]] = {}   # rule id -> states expecting it
        self.predicted: set[int] = set()             # rules predicted here

    def append(self, state: _State) -> None:
        # yargy keeps one state per (rule, production, dot, span, children)
        key = (id(state.rule), id(state.production), state.dot, state.start.index,
               self.index, tuple(map(id, state.node.children)))
        if key in self.keys:
            return
        self.keys.add(key)
        self.states.append(state)
        if state.dot < len(state.terms):
            term = state.terms[state.dot]
            if is_rule(term):
                self.waiting.setdefault(id(term), []).append(state)


class _EarleyParser(Parser):
    """yargy's Earley parser (``Parser.findall``): the same live items in the
    same order, hence the same matches in the same order, without the items
    that cannot lead anywhere.

    An item predicted at a token is dead when its production cannot begin
    with that token: its first term is a predicate the token fails, or a
    rule whose FIRST set the token misses, none of whose leftmost rules can
    be empty (those complete on the spot, and yargy's completion of empty
    rules depends on the order items arrive in: such productions are always
    predicted). A dead item scans nothing and completes nothing, so leaving
    it out leaves every other item, and its place among the others, as it
    was. In particular yargy predicts the start rule at every token; this
    one only where a match may begin (``starts``). Most of the parser's
    work was dead items.

    A rule is predicted once per column: a second prediction only makes
    items the column already has."""

    def __init__(self, rule, tokenizer, tagger):
        super().__init__(rule, tokenizer=tokenizer, tagger=tagger)
        rules = _rules(self.rule)
        nullable = _nullable(rules)
        self.skips = not (_leftmost(self.rule, nullable).keys() & nullable)
        # rule id -> (rank, production, test the next token must pass or None)
        self.plans: dict[int, list[tuple]] = {}
        edges: dict[int, Optional[_Edge]] = {}
        for i, r in rules.items():
            plan = []
            for rank, production in enumerate(r.productions):
                test = None
                if production.terms:
                    term = production.terms[0]
                    if not is_rule(term):
                        test = term
                    else:
                        if id(term) not in edges:
                            empty = _leftmost(term, nullable).keys() & nullable
                            edges[id(term)] = None if empty else _Edge(_edge_predicates(term))
                        test = edges[id(term)]
                plan.append((rank, production, test))
            # a rule of its own prediction (not plain BNF) is predicted as it says
            self.plans[i] = plan if type(r).predict is BNFRule.predict else None

    def findall_tokens(self, tokens: Sequence[MorphTagToken], starts: Sequence[bool]):
        """``Parser.findall`` over converted tokens; ``starts[i]``: whether
        a match may begin at token i."""
        columns = [_Column(0, None)] + [_Column(i, t) for i, t in enumerate(tokens, 1)]
        size = len(columns)
        start_rule = self.rule
        for index, column in enumerate(columns):
            following = columns[index + 1] if index + 1 < size else None
            if index == 0 or not self.skips or (following is not None and starts[index]):
                self._predict(column, following, start_rule)
            for state in column.states:     # grows while it is read, as in yargy
                if state.dot >= len(state.terms):
                    self._complete(column, state)
                else:
                    term = state.terms[state.dot]
                    if is_rule(term):
                        self._predict(column, following, term)
                    elif following is not None and holds(term, following.token):
                        leaf = Leaf(term, term.constrain(following.token))
                        following.append(_State(state.rule, state.production, state.dot + 1,
                                                state.start, following,
                                                state.node.attached(leaf)))
        trees = sorted(Tree(s.node, (s.start.index, s.stop.index))
                       for c in columns for s in c.states
                       if s.dot >= len(s.terms) and s.rule is start_rule)
        return prepare_resolved_matches(trees)

    def _predict(self, column: _Column, following: Optional[_Column], rule) -> None:
        if id(rule) in column.predicted:
            return
        column.predicted.add(id(rule))
        plan = self.plans.get(id(rule))
        if plan is None:
            productions = rule.predict(following.token) if following is not None else rule.productions
            plan = [(rank, production, None) for rank, production in enumerate(productions)]
        for rank, production, test in plan:
            if test is not None and (following is None or not holds(test, following.token)):
                continue    # a dead item
            column.append(_State(rule, production, 0, column, column,
                                 Node(rule, production, rank=rank, children=[])))

    @staticmethod
    def _complete(column: _Column, done: _State) -> None:
        # a list that may grow while it is read (an empty rule completes in
        # its own column), as in yargy
        for state in done.start.waiting.get(id(done.rule), ()):
            column.append(_State(state.rule, state.production, state.dot + 1, state.start,
                                 column, state.node.attached(done.node)))


class _Edge:
    """One test for "may a match begin (end) with this token": the FIRST or
    LAST predicates, the dictionary ones merged into one set look-up."""

    def __init__(self, predicates):
        self.words: set[str] = set()
        self.others = []
        for p in predicates:
            if isinstance(p, DictionaryPredicate):
                self.words |= set(p.value)
            else:
                self.others.append(p)

    def __call__(self, token: _Token) -> bool:
        if not self.words.isdisjoint(token.word.lemmas):
            return True
        return any(p(token) for p in self.others)


def mention_tags(sentence: Sentence, mentions: Iterable[Mention]) -> list[str]:
    """B-/I- tags of the sentence's tokens from the mentions inside it
    (linear in tokens + mentions: very long sentences stay cheap)."""
    import bisect
    tokens = sentence.tokens
    tags = ["O"] * len(tokens)
    stops = [t.stop for t in tokens]
    for mention in sorted(mentions, key=lambda m: (m.start, -m.stop)):
        first = True
        i = bisect.bisect_right(stops, mention.start)
        while i < len(tokens) and tokens[i].start < mention.stop:
            if tokens[i].stop > mention.start:
                if tags[i] == "O":
                    tags[i] = ("B-" if first else "I-") + mention.type
                first = False
            i += 1
    return tags


def around(indices: Iterable[int], before: int, after: int) -> list[tuple[int, int]]:
    """Token windows around cue tokens, for :meth:`Grammar.findall`."""
    return [(max(0, i - before), i + after + 1) for i in indices]


class Grammar:
    """A yargy rule compiled once, run over sentences.

    Very long sentences are parsed in overlapping windows, so a 5,000-token
    "sentence" costs linear time and every match of up to ``WINDOW - OVERLAP``
    tokens is still found.

    The parser only sees the part of a window from the first token a match
    may begin with to the last one a match may end with (the FIRST and LAST
    sets of the compiled rule; derived from the grammar, hence from the
    lexicons it is built from). The results are the same as over the whole
    window: before the first such token no parser state outlives its own
    column, so the chart from there on is the same, state for state and in
    the same order; the columns after the last one hold no complete match
    and cannot change the columns before them. A window with no such token
    is not parsed at all. Inside, the parser predicts the rule only at
    tokens of the FIRST set (:class:`_EarleyParser`)."""

    WINDOW = 120
    OVERLAP = 40

    def __init__(self, rule, prefixes: Sequence[str] = ()):
        self.tokenizer = SentenceTokenizer(prefixes)
        self.tagger = MentionTagger()
        self.parser = _EarleyParser(rule, self.tokenizer, self.tagger)
        self.first = _Edge(_edge_predicates(self.parser.rule))
        self.last = _Edge(_edge_predicates(self.parser.rule, last=True))
        self.required = _required_predicates(self.parser.rule)

    def _words(self, tokens: Sequence[Token], tags: Sequence[str], start: int, stop: int):
        """(word, tag) of the tokens start..stop-1."""
        n = len(tags)
        word = self.tokenizer.word
        return [(word(tokens[i]), tags[i] if i < n else "O") for i in range(start, stop)]

    def may_start(self, tokens: Sequence[Token], tags: Sequence[str], start: int, stop: int) -> bool:
        """Whether a match may begin at one of the tokens start..stop-1 (a
        cheap test before :meth:`findall` where only such matches count)."""
        stop = min(stop, len(tokens))
        first = self.first
        return any(w.holds(first, tag) for w, tag in self._words(tokens, tags, max(0, start), stop))

    def findall(self, tokens: Sequence[Token], tags: Sequence[str],
                windows: Optional[Sequence[tuple[int, int]]] = None):
        """(start, stop, match, offset) of the matches, token indices; only
        inside ``windows`` ((start, stop) token ranges) when given."""
        n = len(tokens)
        if windows is None:
            windows = [(0, n)]
        ranges = []
        for start, stop in sorted(windows):
            start, stop = max(0, start), min(n, stop)
            if ranges and start <= ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], max(ranges[-1][1], stop))
            elif start < stop:
                ranges.append((start, stop))
        seen = set()
        out = []
        step = self.WINDOW - self.OVERLAP
        for r_start, r_stop in ranges:
            offset = r_start
            while True:
                end = min(r_stop, offset + self.WINDOW)
                words = self._words(tokens, tags, offset, end)
                starts = [w.holds(self.first, tag) for w, tag in words]
                lo = next((i for i, s in enumerate(starts) if s), len(words))
                hi = next((i + 1 for i in range(len(words) - 1, lo - 1, -1)
                           if words[i][0].holds(self.last, words[i][1])), lo)
                if not all(any(w.holds(p, tag) for w, tag in words[lo:hi]) for p in self.required):
                    hi = lo     # a predicate every match needs holds for none of them
                # yargy tokens only for the part parsed; spans relative to
                # the window's start, as before trimming
                window = [_Token(tokens[i].text, YSpan(i - offset, i - offset + 1), tag, w)
                          for i, (w, tag) in enumerate(words[lo:hi], offset + lo)]
                matches = self.parser.findall_tokens(window, starts[lo:hi]) if lo < hi else ()
                for match in matches:
                    start, stop = match.span.start + offset, match.span.stop + offset
                    if (start, stop) not in seen:
                        seen.add((start, stop))
                        out.append((start, stop, match, offset))
                if end >= r_stop:
                    break
                offset += step
        out.sort(key=lambda x: (x[0], -x[1]))
        return out


def leaves(match, offset: int = 0) -> dict[str, list[int]]:
    """Token indices under each named sub-rule of a match (interpretation-free:
    the rule names given with ``.named()``)."""
    out: dict[str, list[int]] = {}

    def walk(node, names):
        token = getattr(node, "token", None)
        if token is not None:  # a leaf
            for n in names:
                out.setdefault(n, []).append(node.token.span.start + offset)
            return
        name = getattr(getattr(node, "rule", None), "name", None)
        if name and not _AUTO_NAME.fullmatch(name):
            names = names + [name]
        for child in node.children:
            walk(child, names)

    walk(match.tree.root, [])
    return out
