"""Cooperation areas: the sectors an article names as fields of cooperation.

A sentence qualifies when it speaks of cooperation (a cue lemma such as
"сотрудничество", "взаимодействие", "связь", "направление", "сфера",
"проект", "соглашение": ``svodka/data/cooperation_cues.txt``); every area
phrase of ``svodka/data/cooperation_areas.tsv`` found in it becomes a
``Cooperation`` fact with the area, its PLOVER context and the phrase as
written. The event coder gives these contexts to the events of the sentence.
"""
from __future__ import annotations

from functools import lru_cache

from yargy import or_, rule
from yargy.predicates import normalized

from ..model import Analysis, Fact
from .common import data_lines, word_list
from .grammar import Grammar


@lru_cache(maxsize=1)
def _areas() -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in data_lines("cooperation_areas.tsv")}


@lru_cache(maxsize=1)
def _grammar() -> Grammar:
    """One rule per phrase: a sequence of words, each in any inflection
    (yargy's ``normalized`` over the lemmas of the phrase's words)."""
    phrases = sorted(_areas(), key=lambda p: -len(p.split()))
    return Grammar(or_(*[rule(*[normalized(w) for w in key(p)]) for p in phrases]))


@lru_cache(maxsize=1)
def _cues() -> frozenset[str]:
    return frozenset(word_list("cooperation_cues.txt"))


@lru_cache(maxsize=1)
def _phrase_keys() -> dict[tuple[str, ...], str]:
    return {key(phrase): phrase for phrase in _areas()}


def key(words) -> tuple[str, ...]:
    """Lemma key of a phrase (a string) or of words (a list)."""
    from ..lemma import lemma
    if isinstance(words, str):
        words = words.replace("ё", "е").split()
    return tuple(lemma(w) for w in words)


def find(analysis: Analysis) -> list[Fact]:
    facts = []
    cues = _cues()
    keys = _phrase_keys()
    for sentence in analysis.sentences:
        tokens = sentence.tokens
        if not tokens or not any(t.lemma in cues for t in tokens):
            continue
        tags = ["O"] * len(tokens)
        seen = set()
        found = []
        for start, stop, match, _ in _grammar().findall(tokens, tags):
            phrase = keys.get(key([t.text for t in tokens[start:stop]])) \
                or keys.get(tuple(t.lemma for t in tokens[start:stop]))
            if phrase is not None:
                found.append((start, stop, phrase))
                found.extend(_coordinated(tokens, start, stop, keys))
        for start, stop, phrase in sorted(found):
            area, context = _areas()[phrase]
            if area in seen:
                continue
            seen.add(area)
            written = sentence.text[tokens[start].start - sentence.start:
                                    tokens[stop - 1].stop - sentence.start]
            facts.append(Fact("Cooperation", {"area": area, "context": context,
                                              "phrase": written},
                              sentence.start, sentence.stop))
    return facts


COORDINATORS = {"и", ",", "или", "а также"}


def _coordinated(tokens, start, stop, keys):
    """Adjectives coordinated with the first word of an "adjective + noun"
    area share its noun: "металлургическая и химическая промышленность" names
    metallurgy as well as the chemical industry."""
    if stop - start != 2 or tokens[start].pos != "ADJ":
        return []
    noun = tokens[start + 1]
    out = []
    i = start - 1
    while i >= 1 and tokens[i].text.lower() in COORDINATORS and tokens[i - 1].pos == "ADJ":
        adjective = tokens[i - 1]
        phrase = keys.get((adjective.lemma, noun.lemma))
        if phrase is not None:
            out.append((i - 1, stop, phrase))
        i -= 2
    return out
