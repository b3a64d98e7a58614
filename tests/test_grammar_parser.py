"""svodka's Earley parser (extract/grammar.py) finds what yargy's finds.

The parser skips items that cannot lead to a match and parses only the part
of a sentence where a match may begin and end; both rest on yargy's
internals. Here every grammar svodka uses is run both ways over the
sentences of bundled articles: the same matches, spans and named parts."""
from pathlib import Path

import pytest
from yargy import Parser

from svodka.extract import cooperation, deal, meeting, occupation, ownership, quotes
from svodka.extract.grammar import _Token, leaves, mention_tags
from svodka.ingest import read_inputs
from svodka.model import Document
from yargy.token import Span as YSpan

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def grammars():
    found = {"cooperation": cooperation._grammar(), "deal": deal.grammar(),
             "meeting place": meeting.grammar(), "meeting": meeting.meeting_grammar(),
             "occupation": occupation.grammar(), "ownership": ownership.grammar()}
    found.update({f"quotes {name}": g for name, g in quotes.grammars().items()})
    return found


@pytest.fixture(scope="module")
def sentences():
    from svodka.pipeline import Pipeline
    paths = [SAMPLES / "seed"] + sorted((SAMPLES / "factru-dev").glob("book_1*.txt"))[:12]
    docs = [d for d in read_inputs([str(p) for p in paths]) if isinstance(d, Document)]
    out = []
    for analysis in Pipeline(stages=("link",)).analyse(docs):
        for index, sentence in enumerate(analysis.sentences):
            mentions = [m for m in analysis.mentions if m.sentence == index]
            if 0 < len(sentence.tokens) < 100:      # one window of Grammar.findall
                out.append((sentence.tokens, mention_tags(sentence, mentions)))
    assert len(out) > 100
    return out


def described(match, offset=0):
    return (match.span.start + offset, match.span.stop + offset,
            tuple(t.value for t in match.tokens), tuple(sorted(leaves(match, offset).items())))


def compare(grammar, sentences) -> int:
    """Assert both parsers agree on every sentence; return the matches seen."""
    seen = 0
    for tokens, tags in sentences:
        words = grammar._words(tokens, tags, 0, len(tokens))
        plain = [_Token(t.text, YSpan(i, i + 1), tag, w)
                 for i, (t, (w, tag)) in enumerate(zip(tokens, words))]
        expected = sorted((described(m) for m in Parser.findall(grammar.parser, plain)),
                          key=lambda d: (d[0], -d[1]))
        got = [described(match, offset) for _, _, match, offset in grammar.findall(tokens, tags)]
        assert got == expected, " ".join(t.text for t in tokens)
        seen += len(got)
    return seen


@pytest.mark.parametrize("name", sorted(grammars()))
def test_same_matches_as_yargy(name, sentences):
    compare(grammars()[name], sentences)


def test_the_comparison_sees_matches(sentences):
    """Not a vacuous check: the main grammars do match in these sentences."""
    found = {name: compare(grammars()[name], sentences)
             for name in ("occupation", "meeting place", "quotes after", "cooperation")}
    assert all(found.values()), found
