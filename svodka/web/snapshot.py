"""In-memory indexes over a read-only knowledge base.

SQLite answers lookups by key well, but the workbench's questions are mostly
"the newest N of a large set, filtered several ways" (Russia's events, pairs,
a date range) and "counts by group" (partners per quad, facets). With no
index on an event's effective date (its own, or its document's) and a
schema this layer may not change, those become sorts of tens of thousands of
rows per request at 100,000 events. So a compact snapshot of the sort keys
and group keys is read once (a few seconds at 100,000 events) and kept:
requests filter and count in memory, then fetch only the rows of the page
by primary key.

The snapshot is rebuilt when the database file changes (see
KnowledgeBase.snapshot), so a server left running sees new extractions.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Optional


@dataclass
class EntityInfo:
    key: str
    kind: str
    name: str
    country: Optional[str]
    documents: int


@dataclass(slots=True)
class EventRef:
    """What filtering and ordering an event needs; the rest stays in SQLite."""
    doc_id: str
    idx: int
    category: str
    quad: int
    contexts: frozenset
    countries: frozenset
    when: Optional[str]      # the event's date, else its document's; None if neither


@dataclass
class Snapshot:
    built_seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    # documents, newest first (undated last)
    doc_order: list[str] = field(default_factory=list)
    doc_rank: dict[str, int] = field(default_factory=dict)
    doc_published: dict[str, Optional[str]] = field(default_factory=dict)
    doc_source: dict[str, Optional[str]] = field(default_factory=dict)
    doc_countries: dict[str, tuple] = field(default_factory=dict)
    country_docs: dict[str, set] = field(default_factory=dict)
    # events, newest first (undated last), and positions into that list
    events: list[EventRef] = field(default_factory=list)
    event_pos: dict[tuple, int] = field(default_factory=dict)
    country_events: dict[str, list[int]] = field(default_factory=dict)
    category_events: dict[str, list[int]] = field(default_factory=dict)
    # pair_quads[A][B][quad]: events with both A and B as parties
    pair_quads: dict[str, dict[str, Counter]] = field(default_factory=dict)
    country_event_counts: Counter = field(default_factory=Counter)
    country_months: dict[str, Counter] = field(default_factory=dict)
    # facet counts over all documents, computed once
    all_facets: dict = field(default_factory=dict)

    def select_documents(self, source=None, country=None, date_from=None, date_to=None) -> list[str]:
        """Document ids, newest first, that pass the filters."""
        ids: Iterable[str] = self.doc_order
        if country is not None:
            members = self.country_docs.get(country, set())
            ids = (i for i in ids if i in members)
        if source is not None:
            ids = (i for i in ids if self.doc_source.get(i) == source)
        if date_from is not None or date_to is not None:
            low, high = date_from or "", (date_to + "~") if date_to else "~"
            published = self.doc_published
            ids = (i for i in ids if published.get(i) and low <= published[i] <= high)
        return list(ids)

    def select_events(self, countries: tuple = (), category=None, quad=None, context=None,
                      date_from=None, date_to=None, among: Optional[set] = None) -> list[int]:
        """Positions of the events passing the filters, newest first.
        ``among`` restricts to a set of (doc_id, idx) keys (a person's)."""
        lists = [self.country_events.get(c, []) for c in countries]
        if category is not None:
            lists.append(self.category_events.get(category, []))
        if among is not None:
            lists.append(sorted(self.event_pos[k] for k in among if k in self.event_pos))
        if lists:
            lists.sort(key=len)
            positions: Iterable[int] = lists[0]
            for other in lists[1:]:
                members = set(other)
                positions = [p for p in positions if p in members]
        else:
            positions = range(len(self.events))
        events = self.events
        if quad is not None:
            positions = [p for p in positions if events[p].quad == quad]
        if context is not None:
            positions = [p for p in positions if context in events[p].contexts]
        if date_from is not None or date_to is not None:
            low, high = date_from or "", (date_to + "~") if date_to else "~"
            positions = [p for p in positions if events[p].when and low <= events[p].when <= high]
        return list(positions)

    def oldest_first(self, positions: list[int]) -> list[int]:
        dated = [p for p in positions if self.events[p].when]
        return dated[::-1] + [p for p in positions if not self.events[p].when]

    def facets(self, ids: list[str], sample: int = 20_000) -> dict:
        """Counts by source, country and year over ``ids`` (over the first
        ``sample`` of them when there are more: flagged as sampled)."""
        if len(ids) == len(self.doc_order) and self.all_facets:
            return self.all_facets
        return facet_counts(self, ids[:sample], sampled=len(ids) > sample)


def facet_counts(snapshot: Snapshot, ids: list[str], sampled: bool = False) -> dict:
    sources, years, countries = Counter(), Counter(), Counter()
    for doc_id in ids:
        sources[snapshot.doc_source.get(doc_id) or ""] += 1
        years[(snapshot.doc_published.get(doc_id) or "")[:4]] += 1
        countries.update(snapshot.doc_countries.get(doc_id, ()))
    ranked = lambda c: [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))[:12]]
    return {
        "source": {"sampled": sampled, "values": ranked(sources)},
        "country": {"sampled": sampled, "values": ranked(countries)},
        "year": {"sampled": sampled, "values": [{"value": v, "count": n} for v, n in
                                                 sorted(years.items(), reverse=True)[:12]]},
    }


def build_snapshot(db: sqlite3.Connection) -> Snapshot:
    started = time.monotonic()
    s = Snapshot()

    # documents, newest first
    rows = db.execute("SELECT id, published, source FROM documents").fetchall()
    for doc_id, published, source in rows:
        s.doc_published[doc_id] = published
        s.doc_source[doc_id] = source
    dated = sorted((r for r in rows if r[1]), key=lambda r: r[0])
    dated.sort(key=lambda r: r[1], reverse=True)
    s.doc_order = [r[0] for r in dated] + sorted(r[0] for r in rows if not r[1])
    s.doc_rank = {doc_id: i for i, doc_id in enumerate(s.doc_order)}

    # which countries each document is about: any entity placed in a country
    doc_countries: dict[str, set] = defaultdict(set)
    for doc_id, country in db.execute(
            "SELECT doc_id, country FROM entities WHERE country IS NOT NULL"):
        doc_countries[doc_id].add(country)
    for doc_id, countries in doc_countries.items():
        s.doc_countries[doc_id] = tuple(sorted(countries))
        for country in countries:
            s.country_docs.setdefault(country, set()).add(doc_id)

    # the entity directory: one row per key. The counting runs on the key
    # index alone; a name and country per key then come by key lookups.
    for key, rows_of_key in db.execute("SELECT key, count(*) FROM entities GROUP BY key"):
        kind, name, country = db.execute(
            "SELECT kind, name, country FROM entities WHERE key = ? LIMIT 1", (key,)).fetchone()
        if country is None and kind == "person":
            found = db.execute("SELECT country FROM entities WHERE key = ? AND country IS NOT NULL "
                               "LIMIT 1", (key,)).fetchone()
            country = found[0] if found else None
        # linking gives one entity per key per document, so rows are documents
        s.entities[key] = EntityInfo(key, kind, name, country, rows_of_key)

    # events with their parties' countries
    parties: dict[tuple, set] = defaultdict(set)
    for doc_id, idx, country in db.execute(
            "SELECT doc_id, event_idx, country FROM event_parties WHERE country IS NOT NULL"):
        parties[(doc_id, idx)].add(country)
    contexts_cache: dict[Optional[str], frozenset] = {}
    refs = []
    for doc_id, idx, category, quad, context, date in db.execute(
            "SELECT doc_id, idx, category, quad, context, date FROM events"):
        contexts = contexts_cache.get(context)
        if contexts is None:
            contexts = contexts_cache[context] = frozenset(json.loads(context) if context else ())
        refs.append(EventRef(doc_id, idx, category, quad, contexts,
                             frozenset(parties.get((doc_id, idx), ())),
                             date or s.doc_published.get(doc_id)))
    dated_events = sorted((r for r in refs if r.when), key=lambda r: (r.doc_id, r.idx))
    dated_events.sort(key=lambda r: r.when, reverse=True)
    s.events = dated_events + sorted((r for r in refs if not r.when), key=lambda r: (r.doc_id, r.idx))
    for position, ref in enumerate(s.events):
        s.event_pos[(ref.doc_id, ref.idx)] = position
        s.category_events.setdefault(ref.category, []).append(position)
        month = ref.when[:7] if ref.when else None
        for a in ref.countries:
            s.country_events.setdefault(a, []).append(position)
            s.country_event_counts[a] += 1
            s.country_months.setdefault(a, Counter())[(month, ref.quad)] += 1
            for b in ref.countries:
                if a != b:
                    s.pair_quads.setdefault(a, {}).setdefault(b, Counter())[ref.quad] += 1

    count = lambda sql: db.execute(sql).fetchone()[0]
    s.counts = {"documents": len(s.doc_order), "events": len(s.events),
                "quotes": count("SELECT count(*) FROM quotes"),
                "facts": count("SELECT count(*) FROM facts"), "entities": len(s.entities)}
    s.all_facets = facet_counts(s, s.doc_order)
    s.built_seconds = round(time.monotonic() - started, 3)
    return s
