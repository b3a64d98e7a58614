"""The natasha stack: sentences, tokens, morphology, lemmas, NER, syntax.

Models are loaded once per process (:func:`get_nlp`) and every step runs in
batches across documents: the morphology tagger over the sentences of all
documents at once, NER over all bodies at once. Syntax is the expensive step,
so it is not run here: callers parse only the sentences a cheap trigger filter
selects (:meth:`NLP.parse`).

Only the body of a document (``Document.body_span``) is analysed: page
furniture never yields mentions, facts or events.
"""
from __future__ import annotations

import os
import re
import sys
import threading
from functools import lru_cache
from typing import Iterable, Sequence

from razdel import sentenize, tokenize

from .model import LOC, ORG, PER, Analysis, Document, Mention, Sentence, Token

_lock = threading.Lock()
_instance: "NLP | None" = None

NATASHA_TYPES = {"PER": PER, "LOC": LOC, "ORG": ORG}


def get_nlp() -> "NLP":
    """The process-wide NLP object (models are loaded on first use)."""
    global _instance
    with _lock:
        if _instance is None:
            _instance = NLP()
        return _instance


def limit_blas_threads(default: int = 1) -> None:
    """One BLAS thread per process unless the environment says otherwise.

    The models' matrices are small: OpenBLAS's extra threads mostly spin,
    which cost six times the CPU of the morphology tagger on a busy machine
    (9.5 s against 1.6 s over the samples). svodka runs in parallel with
    processes (``--jobs``, Dask workers), never with BLAS threads."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, str(default))
    if "numpy" in sys.modules:      # loaded already: the variables come too late
        _set_openblas_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))


def _set_openblas_threads(threads: int) -> None:
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            paths = set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps.read()))
    except OSError:
        return
    for path in paths:
        library = ctypes.CDLL(path)
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(library, name, None)
            if setter is not None:
                setter(threads)
                break


class NLP:
    def __init__(self, batch_size: int = 32):
        limit_blas_threads()
        from natasha import (MorphVocab, NewsEmbedding, NewsMorphTagger,
                             NewsNERTagger, NewsSyntaxParser)
        emb = NewsEmbedding()
        self.morph_tagger = NewsMorphTagger(emb)
        self.syntax_parser = NewsSyntaxParser(emb)
        self.ner_tagger = NewsNERTagger(emb)
        for model in (self.morph_tagger, self.syntax_parser, self.ner_tagger):
            model.batch_size = batch_size
        from .cnn import use_channels_last
        use_channels_last(self.morph_tagger, self.syntax_parser, self.ner_tagger)
        self.vocab = MorphVocab()
        self._lemmas: dict[tuple, str] = {}

    # -- lemmas -----------------------------------------------------------
    def lemmatize(self, word: str, pos: str, feats: dict[str, str]) -> str:
        # Memoised on the feats in their given order, not sorted: the tagger
        # writes them in a fixed order, and natasha compares feats as dicts,
        # so an order never seen before costs a lookup, never another lemma.
        memo = (word, pos, tuple(feats.items()))
        lemma = self._lemmas.get(memo)
        if lemma is None:
            lemma = natasha_lemmatize(_tagged_forms, word, pos, feats).lower().replace("ё", "е")
            if len(self._lemmas) >= 200_000:    # bounded on long runs
                self._lemmas.clear()
            self._lemmas[memo] = lemma
        return lemma

    # -- the batch step ---------------------------------------------------
    def annotate(self, documents: Sequence[Document]) -> list[Analysis]:
        """Sentences, tokens with morphology and lemmas, NER mentions with
        normal forms, for a batch of documents."""
        analyses = [Analysis(document=doc, sentences=split_sentences(doc))
                    for doc in documents]
        sentences = [s for a in analyses for s in a.sentences]
        self._tag_morph(sentences)
        bodies = [fold_homoglyphs(a.document.body) for a in analyses]
        for analysis, markup in zip(analyses, self._ner(bodies)):
            analysis.mentions = self._mentions(analysis, markup)
        return analyses

    def _tag_morph(self, sentences: list[Sentence]) -> None:
        # Sentences of similar length batched together: the tagger pads a
        # batch to its longest sentence, and padding is masked out, so the
        # tags are the same and a third of the work is saved.
        tagged = sorted((s for s in sentences if s.tokens), key=lambda s: len(s.tokens))
        chunk = [[t.text for t in s.tokens] for s in tagged]
        for sentence, markup in zip(tagged, self.morph_tagger.map(chunk)):
            for token, tagged_token in zip(sentence.tokens, markup.tokens):
                token.pos = tagged_token.pos
                token.feats = dict(tagged_token.feats)
                token.lemma = self.lemmatize(token.text, token.pos, token.feats)

    def _ner(self, bodies: list[str]) -> list:
        # Empty texts crash slovnet's NER. Each text is one sequence and a
        # batch is padded to its longest: texts of similar length go together
        # (padding embeds to zeros and is masked, so the spans are the same).
        order = sorted((i for i, b in enumerate(bodies) if b.strip()),
                       key=lambda i: len(bodies[i]))
        markups: list = [None] * len(bodies)
        for i, markup in zip(order, self.ner_tagger.map([bodies[i] for i in order])):
            markups[i] = markup
        return markups

    def _mentions(self, analysis: Analysis, markup) -> list[Mention]:
        if markup is None:
            return []
        offset = analysis.document.body_start
        text = analysis.document.text
        mentions = []
        for span in markup.spans:
            start, stop = span.start + offset, span.stop + offset
            index, tokens = tokens_in(analysis.sentences, start, stop)
            if index < 0:
                continue  # in a furniture line inside the body
            mention = Mention(start=start, stop=stop, text=text[start:stop],
                              type=NATASHA_TYPES.get(span.type, span.type),
                              sentence=index)
            mention.normal = self.normalize(tokens) if tokens else mention.text
            mentions.append(mention)
        return mentions

    # -- normal forms -----------------------------------------------------
    def normalize(self, tokens: Sequence[Token], syntax: bool = False) -> str:
        """Nominative normal form of a span, with the original capitalisation
        and spacing (natasha's normaliser)."""
        from natasha.doc import DocToken
        from natasha.norm import normalize, syntax_normalize
        doc_tokens = [DocToken(t.start, t.stop, t.text, id=str(i),
                               head_id=str(t.head) if t.head >= 0 else "0",
                               rel=t.rel, pos=t.pos, feats=t.feats)
                      for i, t in enumerate(tokens)]
        method = syntax_normalize if syntax else normalize
        return method(self.vocab, doc_tokens)

    # -- syntax, on demand ------------------------------------------------
    def parse(self, sentences: Sequence[Sentence]) -> None:
        """Dependency-parse the given sentences in place (once each)."""
        # by length, as in _tag_morph: less padding, the same parses
        todo = sorted((s for s in sentences if not s.parsed and s.tokens),
                      key=lambda s: len(s.tokens))
        chunk = [[t.text for t in s.tokens] for s in todo]
        for sentence, markup in zip(todo, self.syntax_parser.map(chunk)):
            for token, parsed in zip(sentence.tokens, markup.tokens):
                # slovnet ids are 1-based strings, "0" is the root
                token.head = int(parsed.head_id) - 1
                token.rel = parsed.rel
            sentence.parsed = True


_HOMOGLYPHS: dict[int, str] | None = None
_WORD = re.compile(r"[^\W\d_]+")


def fold_homoglyphs(text: str) -> str:
    """Latin look-alike letters inside Cyrillic words read as Cyrillic
    (svodka/data/homoglyphs.tsv); one character for one, offsets unchanged."""
    global _HOMOGLYPHS
    if _HOMOGLYPHS is None:
        from pathlib import Path
        path = Path(__file__).resolve().parent / "data" / "homoglyphs.tsv"
        rows = [l.split("\t") for l in path.read_text(encoding="utf-8").splitlines()
                if l.strip() and not l.startswith("#")]
        _HOMOGLYPHS = {ord(latin): cyrillic.strip() for latin, cyrillic in rows}
    if not any(ord(c) in _HOMOGLYPHS for c in text):
        return text
    out = []
    # razdel splits a mixed-script word at every change of script, so words
    # are found here as runs of letters
    for match in _WORD.finditer(text):
        word = match.group()
        if _is_mixed(word):
            out.append((match.start(), match.end(), word.translate(_HOMOGLYPHS)))
    if not out:
        return text
    chars = list(text)
    for start, stop, word in out:
        chars[start:stop] = word
    return "".join(chars)


def _is_mixed(word: str) -> bool:
    has_cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
    has_latin = any("a" <= c.lower() <= "z" for c in word)
    return has_cyrillic and has_latin


def split_sentences(document: Document) -> list[Sentence]:
    """razdel sentences and tokens of the body, offsets into document.text.

    Line breaks always end a sentence: in scraped news a line is a paragraph,
    and razdel alone would glue a heading to the next line. Furniture lines
    the cleaner found inside the body ("Читайте также: ...") are skipped."""
    start, stop = document.body_span
    text = fold_homoglyphs(document.text[start:stop])
    furniture = [(f.start, f.stop) for f in document.furniture
                 if f.start < stop and f.stop > start]
    sentences = []
    position = start
    for line in text.split("\n"):
        end = position + len(line)
        if line.strip() and not any(a < end and position < b for a, b in furniture):
            for sent in sentenize(line):
                s_start = position + sent.start
                tokens = [Token(s_start + t.start, s_start + t.stop, t.text)
                          for t in tokenize(sent.text)]
                sentences.append(Sentence(s_start, s_start + len(sent.text),
                                          sent.text, tokens))
        position += len(line) + 1
    return sentences


class _Form:
    """A pymorphy reading in natasha's terms (Universal Dependencies)."""
    __slots__ = ("normal", "pos", "feats")

    def __init__(self, parse):
        from natasha.morph.vocab import ud_feats, ud_pos
        self.normal = parse.normal_form
        self.pos = ud_pos(parse.tag)
        self.feats = dict(ud_feats(parse.tag))


@lru_cache(maxsize=200_000)
def _tagged_forms(word: str) -> tuple[_Form, ...]:
    # natasha's lemmatiser picks the reading closest to the tagger's tags;
    # it is given svodka's own pymorphy3 analyses (svodka.lemma), so a word
    # is analysed once for the tagger's lemmas and for the gazetteer keys.
    from .lemma import parses
    return tuple(_Form(p) for p in parses(word))


def natasha_lemmatize(forms, word, pos, feats) -> str:
    from natasha.morph.lemma import lemmatize
    return lemmatize(forms, word, pos, feats)


def tokens_in(sentences: Sequence[Sentence], start: int, stop: int) -> tuple[int, list[Token]]:
    """The index of the sentence holding [start, stop) and the tokens that
    overlap the span."""
    for index, sentence in enumerate(sentences):
        if sentence.start <= start < sentence.stop:
            return index, [t for t in sentence.tokens if t.start < stop and t.stop > start]
    return -1, []
