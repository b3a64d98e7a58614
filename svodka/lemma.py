"""The one lemma function of svodka.

Gazetteer keys are built (tools/build_gazetteers.py) and looked up (run time)
with these functions, so a key written at build time always matches the same
words at run time. Change them only together with a rebuild of svodka/data.
"""
from __future__ import annotations

from functools import lru_cache

_morph = None


def _analyzer():
    # pymorphy3 loads its dictionaries in ~0.5 s and ~15 MB: do it once, lazily.
    global _morph
    if _morph is None:
        import pymorphy3
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


def _norm(text: str) -> str:
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def parses(word: str):
    """pymorphy3's readings of a word, analysed once for lemma(), lemmas()
    and the tagger's lemmas (svodka.nlp)."""
    return _analyzer().parse(word)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Normal form of one word: lower case, ё -> е.

    A capitalised word prefers pymorphy's geographic reading (Geox), so
    "Кубе" is "куба" (Cuba), not "куб" (cube), whatever the parse scores say.
    """
    readings = parses(word) if word else []
    if not readings:
        return _norm(word)
    if word[:1].isupper():
        for parse in readings:
            if "Geox" in parse.tag:
                return _norm(parse.normal_form)
    return _norm(readings[0].normal_form)


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """All distinct normal forms of a word, ``lemma(word)`` first: for lookups
    that must survive pymorphy picking another reading than the build did."""
    first = lemma(word)
    out = [first]
    for parse in parses(word):
        form = _norm(parse.normal_form)
        if form not in out:
            out.append(form)
    return tuple(out)


def key(words: list[str]) -> str:
    """Gazetteer key of a word sequence: its lemmas joined by single spaces."""
    return " ".join(lemma(w) for w in words if w)
