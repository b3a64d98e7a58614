"""Scoring PLOVER events against a gold file (the events-dev line format).

The scoring rule is the one of ``shared/docs/events.md``: per document,
de-duplicated tuples ``(category, frozenset(actor countries),
frozenset(recipient countries))``, where CONSULT and every record without a
recipient become ``(category, frozenset(all participant countries),
frozenset())``; micro-averaged precision, recall and F1; on matched tuples,
accuracies of location (resolved place equal), persons (person names equal
as sets), mode and context (the sets overlap, or both are empty).

API for the CLI::

    report = evaluate_events(gold_path, texts_dir, analyse)
    print(report.format(errors=True))
    report.dump(path)            # our events in the gold line format

``analyse`` turns a list of :class:`svodka.model.Document` into the list of
their :class:`svodka.model.Analysis` (the whole pipeline). A gold line
``{"corpus": C, "doc": D, ...}`` names the text ``texts_dir/C/D.txt``,
read with ``open(path, encoding='utf-8').read()``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from ..model import Analysis, Document, Event

Tuple_ = tuple  # (category, frozenset, frozenset)


# --------------------------------------------------------------------------
# tuples

def _countries(actors: Iterable[dict]) -> frozenset:
    return frozenset(a.get("country") for a in actors if a.get("country"))


def event_tuple(record: dict) -> Tuple_:
    """The scoring tuple of one PLOVER record (gold or ours, as a dict)."""
    category = record.get("event")
    actors = _countries(record.get("actor") or [])
    recipients = _countries(record.get("recipient") or [])
    if category == "CONSULT" or not recipients:
        return (category, actors | recipients, frozenset())
    return (category, actors, recipients)


def format_tuple(t: Tuple_) -> str:
    cat, actors, recipients = t
    left = ",".join(sorted(actors)) or "?"
    if recipients:
        return f"{cat} {left} -> {','.join(sorted(recipients))}"
    return f"{cat} {{{left}}}"


def _norm(text: Optional[str]) -> str:
    return (text or "").strip().lower().replace("ё", "е")


_NOT_NAME = re.compile(r"^(де|да|дель|ван|фон|ибн|бин|эль|аль|ле|ла)$")


def _is_person(actor: dict) -> bool:
    """A participant is a person when its name is a personal name: every word
    capitalised (particles aside), not an abbreviation, not a country, capital
    or organisation the coder's lexicon knows."""
    name = (actor.get("entity_name") or "").strip()
    if not name:
        return False
    words = [w for w in re.split(r"[\s]+", name) if w and not _NOT_NAME.match(w.lower())]
    if not words or not all(w[:1].isupper() for w in words):
        return False
    if all(w.isupper() and len(w) > 1 for w in words):
        return False
    if _office_word(words[0]):
        return False            # "Правительство Японии", "Министерство обороны"
    return not _known_name(name)


def _office_word(word: str) -> bool:
    try:
        from ..code import lexicon
        from ..lemma import lemma
        return lemma(word) in lexicon().actor_nouns or word.lower() in lexicon().actor_nouns
    except Exception:
        return False


def _known_name(name: str) -> bool:
    try:
        from ..code import _key, lexicon
        lex = lexicon()
        if _key(name) in lex.names or tuple(_norm(name).split()) in lex.names \
                or name in lex.abbrs:
            return True
    except Exception:
        pass
    try:
        from ..link.gazetteer import resolve
        return resolve(name.split()) is not None
    except Exception:
        return False


def _persons(records: Sequence[dict]) -> frozenset:
    out = set()
    for r in records:
        for a in list(r.get("actor") or []) + list(r.get("recipient") or []):
            if _is_person(a):
                out.add(_norm(a.get("entity_name")))
    return frozenset(out)


def _places(records: Sequence[dict]) -> frozenset:
    return frozenset(_norm((r.get("event_loc") or {}).get("resolved_place"))
                     for r in records if r.get("event_loc")
                     and (r.get("event_loc") or {}).get("resolved_place"))


def _set(records: Sequence[dict], key: str) -> frozenset:
    return frozenset(_norm(x) for r in records for x in (r.get(key) or []))


def _overlap(gold: frozenset, ours: frozenset) -> bool:
    return bool(gold & ours) if (gold or ours) else True


# --------------------------------------------------------------------------
# the report

@dataclass
class DocResult:
    corpus: str
    doc: str
    gold: dict                 # tuple -> [gold records]
    ours: dict                 # tuple -> [our records]

    @property
    def matched(self) -> list:
        return [t for t in self.gold if t in self.ours]

    @property
    def missed(self) -> list:
        return [t for t in self.gold if t not in self.ours]

    @property
    def spurious(self) -> list:
        return [t for t in self.ours if t not in self.gold]


@dataclass
class EventReport:
    docs: list[DocResult] = field(default_factory=list)
    text_of: dict = field(default_factory=dict)     # (corpus, doc) -> text

    # counts
    @property
    def tp(self) -> int:
        return sum(len(d.matched) for d in self.docs)

    @property
    def fp(self) -> int:
        return sum(len(d.spurious) for d in self.docs)

    @property
    def fn(self) -> int:
        return sum(len(d.missed) for d in self.docs)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracies(self) -> dict:
        checks = {"location": 0, "persons": 0, "mode": 0, "context": 0}
        n = 0
        for d in self.docs:
            for t in d.matched:
                g, o = d.gold[t], d.ours[t]
                n += 1
                gp, op = _places(g), _places(o)
                checks["location"] += (bool(gp & op) if (gp or op) else True)
                checks["persons"] += _persons(g) == _persons(o)
                checks["mode"] += _overlap(_set(g, "mode"), _set(o, "mode"))
                checks["context"] += _overlap(_set(g, "context"), _set(o, "context"))
        return {k: (v / n if n else 0.0) for k, v in checks.items()} | {"matched": n}

    def per_category(self) -> dict:
        out: dict = {}
        for d in self.docs:
            for kind, tuples in (("tp", d.matched), ("fp", d.spurious), ("fn", d.missed)):
                for t in tuples:
                    out.setdefault(t[0], {"tp": 0, "fp": 0, "fn": 0})[kind] += 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict:
        return {"documents": len(self.docs), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4),
                "accuracy": {k: (round(v, 4) if isinstance(v, float) else v)
                             for k, v in self.accuracies().items()},
                "per_category": self.per_category()}

    def format(self, errors: bool = False) -> str:
        acc = self.accuracies()
        lines = [
            f"documents {len(self.docs)}  tuples: gold {self.tp + self.fn}, ours {self.tp + self.fp}, matched {self.tp}",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}",
            "on matched tuples: " + "  ".join(
                f"{k} {acc[k]:.3f}" for k in ("location", "persons", "mode", "context")),
            "per category (tp/fp/fn): " + "  ".join(
                f"{c} {v['tp']}/{v['fp']}/{v['fn']}" for c, v in self.per_category().items()),
        ]
        if errors:
            lines.append("")
            lines.extend(self.error_lines())
        return "\n".join(lines)

    def error_lines(self) -> list[str]:
        out = []
        for d in self.docs:
            if not d.missed and not d.spurious:
                continue
            out.append(f"== {d.corpus}/{d.doc}")
            text = self.text_of.get((d.corpus, d.doc), "")
            for t in d.missed:
                out.append(f"  MISSED   {format_tuple(t)}")
                for r in d.gold[t][:2]:
                    for s, e in (r.get("evidence") or [])[:2]:
                        out.append(f"           | {text[s:e].strip()[:200]}")
            for t in d.spurious:
                out.append(f"  SPURIOUS {format_tuple(t)}")
                for r in d.ours[t][:2]:
                    names = ", ".join(a["entity_name"] for a in r["actor"])
                    rec = ", ".join(a["entity_name"] for a in r["recipient"])
                    out.append(f"           | [{r.get('trigger', '')}] {names} -> {rec}: "
                               f"{(r.get('event_text') or '').strip()[:200]}")
            for t in d.matched:
                g, o = d.gold[t], d.ours[t]
                if _places(g) != _places(o) or _persons(g) != _persons(o):
                    out.append(f"  MATCHED  {format_tuple(t)}  place gold {sorted(_places(g))} ours {sorted(_places(o))}"
                               f"; persons gold {sorted(_persons(g))} ours {sorted(_persons(o))}")
        return out

    # our events in the gold line format
    ours_lines: list = field(default_factory=list)

    def dump(self, path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for line in self.ours_lines:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------
# loading and running

def load_gold(path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                out.append(json.loads(line))
    return out


def text_path(texts_dir, corpus: str, doc: str) -> Path:
    return Path(texts_dir) / corpus / f"{doc}.txt"


def events_json(analysis: Analysis, corpus: str = "") -> dict:
    """One document's events as a gold-format line."""
    doc = analysis.document
    events = []
    for e in analysis.events:
        record = e.plover(doc.id)
        record.pop("doc", None)
        record["trigger"] = e.trigger
        events.append(record)
    return {"corpus": corpus, "doc": doc.id, "events": events}


def dump_events(analyses: Iterable[Analysis], path, corpus_of: Optional[Callable] = None) -> None:
    """Write our events in the gold line format (one document a line)."""
    with open(path, "w", encoding="utf-8") as handle:
        for a in analyses:
            corpus = corpus_of(a.document) if corpus_of else ""
            handle.write(json.dumps(events_json(a, corpus), ensure_ascii=False) + "\n")


def _by_tuple(records: Iterable[dict]) -> dict:
    out: dict = {}
    for r in records:
        t = event_tuple(r)
        if not t[1] and not t[2]:
            continue
        out.setdefault(t, []).append(r)
    return out


def score(gold_lines: Sequence[dict], our_lines: Sequence[dict],
          texts: Optional[dict] = None) -> EventReport:
    """Score our gold-format lines against the gold lines (matched on corpus and doc)."""
    ours = {(l.get("corpus", ""), l["doc"]): l for l in our_lines}
    ours_by_doc = {l["doc"]: l for l in our_lines}
    report = EventReport(text_of=texts or {}, ours_lines=list(our_lines))
    for g in gold_lines:
        key = (g.get("corpus", ""), g["doc"])
        mine = ours.get(key) or ours_by_doc.get(g["doc"]) or {"events": []}
        report.docs.append(DocResult(key[0], key[1], _by_tuple(g.get("events") or []),
                                     _by_tuple(mine.get("events") or [])))
    return report


def evaluate_events(gold_path, texts_dir, analyse: Callable[[list], list],
                    batch_size: int = 16) -> EventReport:
    """Run ``analyse`` (Documents -> Analyses) over the gold documents and score."""
    gold = load_gold(gold_path)
    texts: dict = {}
    ours: list = []
    todo = []
    for g in gold:
        path = text_path(texts_dir, g["corpus"], g["doc"])
        text = open(path, encoding="utf-8").read()
        texts[(g["corpus"], g["doc"])] = text
        todo.append((g["corpus"], Document(id=g["doc"], text=text, path=str(path))))
    for i in range(0, len(todo), batch_size):
        batch = todo[i:i + batch_size]
        analyses = analyse([d for _, d in batch])
        for (corpus, _), analysis in zip(batch, analyses):
            ours.append(events_json(analysis, corpus))
    return score(gold, ours, texts)


def run_events_eval(gold_path, texts_dir, dump=None, errors: bool = False,
                    as_json: bool = False, analyse: Optional[Callable] = None, out=None) -> int:
    """What ``svodka eval events GOLD --texts DIR [--dump OUT] [--errors] [--json]``
    does: run the whole pipeline over the gold documents, print the scores
    (and the per-document error listing), write our events in the gold
    format. Returns the exit status."""
    import sys
    out = out or sys.stdout
    if analyse is None:
        from ..pipeline import Pipeline
        analyse = Pipeline().analyse
    report = evaluate_events(gold_path, texts_dir, analyse)
    if dump:
        report.dump(dump)
    if as_json:
        data = report.as_dict()
        if errors:
            data["errors"] = report.error_lines()
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.format(errors=errors) + "\n")
    return 0
