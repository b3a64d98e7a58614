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
from yargy.span import Span as YSpan
from yargy.tagger import Tagger
from yargy.token import MorphTagToken
from yargy.tokenizer import Tokenizer

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


class SentenceTokenizer(Tokenizer):
    """Takes a list of svodka Tokens, not a string."""

    def __init__(self, prefixes: Sequence[str] = ()):
        super().__init__()
        self.morph = _Morph()
        # "экс-президента" also reads as "президента"
        self.prefixes = tuple(p + "-" for p in prefixes)
        self.types = self.types | {"RU", "LATIN", "INT", "PUNCT", "OTHER"}

    def __call__(self, tokens: Sequence[Token]):  # type: ignore[override]
        for index, token in enumerate(tokens):
            text = token.text
            main = (token.lemma or text).lower().replace("ё", "е")
            g = Grams(frozenset(grams(token)))
            forms = [Form(main, g)]
            if _type(text) == "RU":
                for other in lemmas(text):
                    if other != main:
                        forms.append(Form(other, g))
                lower = text.lower()
                for prefix in self.prefixes:
                    if lower.startswith(prefix) and len(lower) > len(prefix):
                        for other in lemmas(text[len(prefix):]):
                            forms.append(Form(other, g))
            yield MorphTagToken(text, YSpan(index, index + 1), _type(text), "O", forms)


class MentionTagger(Tagger):
    tags = TAGS

    def __init__(self, tags: Sequence[str]):
        self.sequence = tags

    def __call__(self, tokens):
        for token in tokens:
            index = token.span.start
            tag = self.sequence[index] if index < len(self.sequence) else "O"
            yield MorphTagToken(token.value, token.span, token.type, tag, token.forms)

    def check_tag(self, tag):
        return tag in TAGS


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
    tokens is still found."""

    WINDOW = 120
    OVERLAP = 40

    def __init__(self, rule, prefixes: Sequence[str] = ()):
        self.tagger = MentionTagger([])
        self.parser = Parser(rule, tokenizer=SentenceTokenizer(prefixes), tagger=self.tagger)

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
                window = tokens[offset:end]
                self.tagger.sequence = list(tags[offset:end])
                for match in self.parser.findall(list(window)):
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
