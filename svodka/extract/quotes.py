"""Quotes: what was said, and who said it.

Direct quotes are found on the paragraph (a line of the body, its sentences
joined), since a quotation often runs over several sentences:

    «TEXT», — VERB SPEAKER          «...», — сказал глава правительства
    SPEAKER VERB: «TEXT»            Хуан Суареш сообщил: «Мы ...»
    VERB SPEAKER: «TEXT»

Indirect speech, within a sentence:

    по словам SPEAKER, TEXT         ("according" cues of speech_verbs.txt)
    как VERB SPEAKER, TEXT          Как отметил Алихан Смаилов, ...
    SPEAKER VERB, что TEXT          Он также добавил, что ...

and, where no speaker stands next to the verb, the verb's subject in the
dependency tree (slovnet; only these sentences are parsed).

The cues around the quotation are yargy rules over natasha's tokens (verbs
from ``svodka/data/speech_verbs.txt``, titles from ``positions.tsv``). A
speaker is a person named by NER, a title ("глава правительства",
"премьер-министр": the last person named before the quote who holds that
office, by the occupation facts) or a personal pronoun (the last person
named before it).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from yargy import and_, not_, or_, rule
from yargy.predicates import dictionary, eq, gram, in_, tag

from ..model import PER, Analysis, Quote, Sentence, Token
from . import common
from .grammar import Grammar, around, leaves, mention_tags

OPEN = {"«", "„", "“"}
CLOSE = {"»", "“", "”"}
NEUTRAL = {"\"", "'"}
DASHES = {"—", "–", "-", "--"}
PRONOUNS = {"он", "она"}


@lru_cache(maxsize=1)
def cues() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in common.data_lines("speech_verbs.txt"):
        out.setdefault(row[1] if len(row) > 1 and row[1] else "verb", []).append(row[0])
    return out


def _speaker_rule():
    starts, rest = set(), set()
    for title in common.titles():
        starts.add(title.words[0])
        rest.update(title.words[1:])
    PERSON = rule(tag("B-PER"), tag("I-PER").repeatable().optional())
    TITLE = rule(and_(dictionary(starts), gram("NOUN"), tag("O")),
                 and_(dictionary(rest), tag("O")).repeatable(max=4).optional())
    NAME = or_(*[rule(tag("B-" + k), tag("I-" + k).repeatable().optional())
                 for k in ("LOC", "ORG", "LOCORG")])
    ADJ = and_(gram("ADJF"), tag("O"))
    TITLED = or_(rule(TITLE), rule(ADJ.repeatable(max=2), TITLE))
    # "премьер-министр Казахстана Алихан Смаилов": the name wins; "глава
    # правительства": the title alone
    return or_(
        rule(TITLED, NAME.optional(), PERSON).named("person_titled"),
        PERSON.named("person"),
        rule(TITLED, NAME.optional()).named("title"),
        rule(dictionary(PRONOUNS)).named("pronoun"),
    ).named("speaker")


@lru_cache(maxsize=1)
def grammars() -> dict[str, Grammar]:
    VERB = rule(and_(dictionary(set(cues().get("verb", []))), not_(gram("NOUN")))).named("verb")
    ADV = and_(gram("ADVB"), tag("O"))
    ADVS = ADV.repeatable(max=2)
    SPEAKER = _speaker_rule()
    according = [rule(*[dictionary({w}) for w in c.split()]) for c in cues().get("according", [])]
    DASH = in_(DASHES)
    # a few words between the verb and the speaker or the colon: "сказал в
    # интервью X", "заявил журналистам:"
    GAP = and_(not_(tag("B-PER")), not_(tag("I-PER")),
               not_(in_({".", ",", ":", ";", "!", "?", "«", "»", "—", "–", "и"})))
    GAPS = GAP.repeatable(max=4)
    return {
        # after a closing quote: ", — сказал X"
        "after": Grammar(rule(eq(",").optional(), DASH, or_(VERB, rule(ADVS, VERB)),
                              or_(SPEAKER, rule(GAPS, rule(_speaker_rule()))))),
        # before an opening quote: "X сказал:" / "сказал X:"
        "before": Grammar(or_(
            rule(SPEAKER, or_(VERB, rule(ADVS, VERB)), GAPS.optional(), eq(":")),
            rule(VERB, SPEAKER, eq(":")))),
        # indirect
        "according": Grammar(rule(or_(*according), SPEAKER, eq(",")).named("according")),
        "as": Grammar(rule(dictionary({"как"}), VERB, SPEAKER, eq(",")).named("as")),
        "that": Grammar(rule(SPEAKER, or_(VERB, rule(ADVS, VERB)), eq(","),
                             dictionary({"что"})).named("that")),
        "verb_that": Grammar(rule(VERB, eq(","), dictionary({"что"})).named("verb_that")),
    }


@dataclass
class Paragraph:
    sentences: list[int]
    tokens: list[Token]
    sentence_of: list[int]          # token -> sentence index


def paragraphs(analysis: Analysis) -> list[Paragraph]:
    text = analysis.document.text
    out: list[Paragraph] = []
    previous = None
    for index, sentence in enumerate(analysis.sentences):
        if previous is None or "\n" in text[previous.stop:sentence.start]:
            out.append(Paragraph([], [], []))
        para = out[-1]
        para.sentences.append(index)
        para.tokens.extend(sentence.tokens)
        para.sentence_of.extend([index] * len(sentence.tokens))
        previous = sentence
    return out


def quote_spans(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(open, close) token indices of the outermost balanced quotations.
    «» nest («... „...“ ...»); a neutral '"' opens when none is open and
    closes the one it opened. Unbalanced marks are ignored."""
    out = []
    depth = 0
    start = None
    neutral_open = False
    for i, token in enumerate(tokens):
        t = token.text
        if t in NEUTRAL:
            if depth == 0:
                depth, start, neutral_open = 1, i, True
            elif neutral_open and depth == 1:
                out.append((start, i))
                depth, start, neutral_open = 0, None, False
            continue
        if t in OPEN and not (t == "“" and depth > 0 and not neutral_open and tokens[start].text == "„"):
            if t == "“" and depth > 0:
                # “ closes a „ ... “ inner quotation
                depth -= 1
                continue
            if depth == 0:
                start = i
            depth += 1
        elif t in CLOSE and depth > 0 and not neutral_open:
            depth -= 1
            if depth == 0:
                out.append((start, i))
                start = None
    return out


def unclosed_quote(tokens: Sequence[Token], spans: list[tuple[int, int]]) -> Optional[int]:
    """The opening mark of a quotation never closed (the last one), if any."""
    closed = {i for a, b in spans for i in range(a, b + 1)}
    opens = [i for i, t in enumerate(tokens) if t.text in OPEN and i not in closed]
    return opens[-1] if opens else None


class Resolver:
    """Speakers named by a title or a pronoun, resolved to the last person
    mentioned before the quote (holding that office, for a title)."""

    def __init__(self, analysis: Analysis, offices: dict[int, set[str]]):
        self.analysis = analysis
        self.offices = offices      # mention index -> offices held (by facts)
        self.persons = [i for i, m in enumerate(analysis.mentions) if m.type == PER]
        self.last_speaker: Optional[int] = None

    def before(self, position: int) -> list[int]:
        return [i for i in self.persons if self.analysis.mentions[i].stop <= position]

    def by_office(self, office: str, position: int) -> Optional[int]:
        key_of = {}
        wanted = common.key(office)
        for i, offices in self.offices.items():
            # "министр" names a "министр обороны" too
            if any(common.key(o)[:len(wanted)] == wanted for o in offices):
                key_of[common.person_key(self.analysis, i)] = True
        for i in reversed(self.before(position)):
            if common.person_key(self.analysis, i) in key_of:
                return i
        return None

    def pronoun(self, position: int) -> Optional[int]:
        before = self.before(position)
        return before[-1] if before else None


def _office(tokens: Sequence[Token]) -> Optional[str]:
    for length in range(len(tokens), 0, -1):
        title = common.match_title(tokens[:length])
        if title is not None:
            return title.office
    return None


def _speaker(analysis: Analysis, resolver: Resolver, mentions: list[int],
             tokens: Sequence[Token], parts: dict, position: int) -> tuple[Optional[int], str]:
    """(mention index of the speaker, how the speaker is named)."""
    idx = parts.get("speaker", [])
    if not idx:
        return None, ""
    words = [tokens[i] for i in idx]
    text = analysis.document.text[words[0].start:words[-1].stop]
    if "person" in parts or "person_titled" in parts:
        per = [i for i in idx if i in set(parts.get("person", []) + parts.get("person_titled", []))]
        for m in mentions:
            mention = analysis.mentions[m]
            if mention.type == PER and mention.start < words[-1].stop and mention.stop > words[0].start:
                return m, text
        return None, text
    if "title" in parts:
        office = _office([tokens[i] for i in idx if tokens[i].pos != "ADJ"] or words)
        if office:
            return resolver.by_office(office, position), text
        return None, text
    if "pronoun" in parts:
        if resolver.last_speaker is not None:
            return resolver.last_speaker, text
        return resolver.pronoun(position), text
    return None, text


def find(analysis: Analysis, offices: dict[int, set[str]], nlp=None) -> list[Quote]:
    g = grammars()
    resolver = Resolver(analysis, offices)
    by_sentence = common.sentence_mentions(analysis)
    verbs = _verb_lemmas()
    out: list[Quote] = []
    text = analysis.document.text
    for para in paragraphs(analysis):
        tokens = para.tokens
        if not tokens:
            continue
        mentions = [m for s in para.sentences for m in by_sentence.get(s, [])]
        tags = []
        for s in para.sentences:
            tags.extend(mention_tags(analysis.sentences[s], [analysis.mentions[m] for m in by_sentence.get(s, [])]))
        covered = []
        # -- direct quotes
        spans = quote_spans(tokens)
        candidates = [(a, b, True) for a, b in spans]
        unclosed = unclosed_quote(tokens, spans)
        if unclosed is not None:
            # «Text, — сказал X. with the closing mark lost: the quotation
            # ends before the ", —" of a verb of saying
            for j in range(unclosed + 3, len(tokens)):
                if tokens[j].text in DASHES and tokens[j - 1].text == ",":
                    candidates.append((unclosed, j - 2, False))
                    break
        for open_i, close_i, closed in candidates:
            if close_i - open_i < 3 - (0 if closed else 1):
                continue        # a quoted word, not a quotation
            # a quoted name («День гнева») has no verb of saying next to it:
            # only quotations tied to a speaker by the rules below are kept
            speaker, speaker_text = None, ""
            after = g["after"].findall(tokens, tags, [(close_i + 1, min(len(tokens), close_i + 14))])
            after = [m for m in after if m[0] == close_i + 1]
            if after:
                parts = leaves(after[0][2], after[0][3])
                speaker, speaker_text = _speaker(analysis, resolver, mentions, tokens, parts,
                                                 tokens[open_i].start)
            else:
                before = g["before"].findall(tokens, tags, [(max(0, open_i - 12), open_i)])
                before = [m for m in before if m[1] == open_i]
                if before:
                    parts = leaves(before[0][2], before[0][3])
                    speaker, speaker_text = _speaker(analysis, resolver, mentions, tokens, parts,
                                                     tokens[open_i].start)
                else:
                    continue    # a quotation without a speaker: a title, a slogan
            start = tokens[open_i].stop
            stop = tokens[close_i].start if closed else tokens[close_i].stop
            s_first = para.sentence_of[open_i]
            s_last = para.sentence_of[close_i]
            q = Quote(text=text[start:stop].strip(), start=start, stop=stop, kind="direct",
                      speaker=_entity_id(analysis, speaker), speaker_text=speaker_text or None,
                      sentence_start=analysis.sentences[s_first].start,
                      sentence_stop=analysis.sentences[s_last].stop)
            out.append(q)
            covered.append((tokens[open_i].start, tokens[close_i].stop))
            if speaker is not None:
                resolver.last_speaker = speaker
        # -- a paragraph of dialogue: "— Text, — сказал X."
        if tokens[0].text in DASHES and not covered:
            quote = _dialogue(analysis, resolver, para, tags, mentions)
            if quote is not None:
                out.append(quote)
                covered.append((quote.start, quote.stop))
        # -- indirect speech, sentence by sentence
        for s in para.sentences:
            sentence = analysis.sentences[s]
            if not sentence.tokens or any(a <= sentence.start < b for a, b in covered):
                continue
            lemmas = [common.token_lemmas(t) for t in sentence.tokens]
            has_verb = any(l & verbs for l in lemmas)
            has_according = any(t.text.lower() in ("по", "со") for t in sentence.tokens)
            if not (has_verb or has_according):
                continue
            s_mentions = by_sentence.get(s, [])
            s_tags = mention_tags(sentence, [analysis.mentions[m] for m in s_mentions])
            quote = _indirect(analysis, resolver, sentence, s_tags, s_mentions, nlp)
            if quote is not None:
                out.append(quote)
    return out


def _dialogue(analysis: Analysis, resolver: "Resolver", para: Paragraph, tags: list[str],
              mentions: list[int]) -> Optional[Quote]:
    tokens = para.tokens
    g = grammars()["after"]
    for i in range(2, len(tokens)):
        if tokens[i].text not in DASHES or tokens[i - 1].text not in {",", "!", "?", "...", "…"}:
            continue
        start_at = i - 1 if tokens[i - 1].text == "," else i
        found = [m for m in g.findall(tokens, tags, [(start_at, min(len(tokens), i + 14))])
                 if m[0] == start_at]
        if not found:
            continue
        parts = leaves(found[0][2], found[0][3])
        speaker, speaker_text = _speaker(analysis, resolver, mentions, tokens, parts, tokens[0].start)
        last = i - 2 if tokens[i - 1].text == "," else i - 1
        if last < 1:
            return None
        start, stop = tokens[1].start, tokens[last].stop
        if speaker is not None:
            resolver.last_speaker = speaker
        return Quote(text=analysis.document.text[start:stop], start=start, stop=stop,
                     kind="direct", speaker=_entity_id(analysis, speaker),
                     speaker_text=speaker_text or None,
                     sentence_start=analysis.sentences[para.sentence_of[0]].start,
                     sentence_stop=analysis.sentences[para.sentence_of[min(i, len(tokens) - 1)]].stop)
    return None


def _entity_id(analysis: Analysis, mention: Optional[int]) -> Optional[str]:
    if mention is None:
        return None
    entity = common.entity_of(analysis, mention)
    return entity.id if entity else None


def _tail(analysis: Analysis, sentence: Sentence, first: int) -> tuple[int, int]:
    tokens = sentence.tokens
    last = len(tokens) - 1
    while last >= first and tokens[last].pos == "PUNCT" and tokens[last].text not in CLOSE:
        last -= 1
    if last < first:
        return 0, 0
    return tokens[first].start, tokens[last].stop


def _indirect(analysis: Analysis, resolver: Resolver, sentence: Sentence, tags: list[str],
              mentions: list[int], nlp) -> Optional[Quote]:
    g = grammars()
    tokens = sentence.tokens
    verbs = [i for i, t in enumerate(tokens) if common.token_lemmas(t) & _verb_lemmas()]
    windows = {"according": [(0, 16)], "as": [(0, 16)], "that": around(verbs, 12, 3)}
    for name in ("according", "as", "that"):
        if name in ("according", "as") and not g[name].may_start(tokens, tags, 0, 3):
            continue    # only a match in the first three tokens counts (below)
        for start, stop, match, offset in g[name].findall(tokens, tags, windows[name]):
            parts = leaves(match, offset)
            if name == "according" and start > 2:
                continue
            if name == "as" and start > 2:
                continue
            speaker, speaker_text = _speaker(analysis, resolver, mentions, tokens, parts,
                                             tokens[start].start)
            q_start, q_stop = _tail(analysis, sentence, stop)
            if q_stop <= q_start:
                continue
            if speaker is not None:
                resolver.last_speaker = speaker
            return Quote(text=analysis.document.text[q_start:q_stop], start=q_start, stop=q_stop,
                         kind="indirect", speaker=_entity_id(analysis, speaker),
                         speaker_text=speaker_text or None,
                         sentence_start=sentence.start, sentence_stop=sentence.stop)
    # "VERB, что": the verb's subject from the dependency tree
    if nlp is None:
        return None
    if len(tokens) > MAX_PARSE:
        return None     # the parser is quadratic-ish; such a "sentence" is no prose
    found = g["verb_that"].findall(tokens, tags, around(verbs, 0, 3))
    if not found:
        return None
    start, stop, match, offset = found[0]
    verb = leaves(match, offset).get("verb", [start])[0]
    try:
        nlp.parse([sentence])
    except Exception:
        return None
    subject = [i for i, t in enumerate(tokens) if t.head == verb and t.rel.startswith("nsubj")]
    if not subject:
        return None
    head = subject[0]
    span = _subtree(tokens, head)
    words = [tokens[i] for i in span]
    speaker = None
    speaker_text = analysis.document.text[words[0].start:words[-1].stop]
    # the subject itself, or a name in apposition to it ("Глава Роскосмоса
    # Анатолий Перминов"), never a name that depends on it otherwise
    # ("Помощник Хиллари Клинтон", "Врачи, лечащие Гиффордс")
    heads = {head} | {i for i in span if tokens[i].head == head
                      and tokens[i].rel in ("appos", "flat:name", "flat", "nsubj")}
    for m in mentions:
        mention = analysis.mentions[m]
        if mention.type != PER:
            continue
        inside = [i for i in heads if mention.start <= tokens[i].start < mention.stop]
        if inside:
            speaker = m
            span = [i for i in span if tokens[i].stop <= mention.stop]
            break
    if speaker is None:
        if tokens[head].lemma in PRONOUNS:
            speaker = resolver.last_speaker if resolver.last_speaker is not None \
                else resolver.pronoun(tokens[head].start)
        else:
            office = _office([tokens[head]] + [tokens[i] for i in span if i > head])
            if office:
                speaker = resolver.by_office(office, tokens[head].start)
            else:
                return None     # "эксперты считают": not a person we know
    q_start, q_stop = _tail(analysis, sentence, stop)
    if q_stop <= q_start:
        return None
    if speaker is not None:
        resolver.last_speaker = speaker
    return Quote(text=analysis.document.text[q_start:q_stop], start=q_start, stop=q_stop,
                 kind="indirect", speaker=_entity_id(analysis, speaker),
                 speaker_text=speaker_text, sentence_start=sentence.start,
                 sentence_stop=sentence.stop)


MAX_PARSE = 150


@lru_cache(maxsize=1)
def _verb_lemmas() -> frozenset[str]:
    out = set()
    for v in cues().get("verb", []):
        out.update(common.key(v))
    return frozenset(out)


def _subtree(tokens: Sequence[Token], head: int) -> list[int]:
    keep = {head}
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(tokens):
            if i not in keep and t.head in keep:
                keep.add(i)
                changed = True
    return sorted(keep)
