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
from array import array
from bisect import bisect_left, bisect_right
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
    # documents, newest first (undated last); doc_dates holds the dated
    # part's dates in ascending order, for date ranges by bisection
    doc_order: list[str] = field(default_factory=list)
    doc_dates: list[str] = field(default_factory=list)
    doc_rank: dict[str, int] = field(default_factory=dict)
    doc_published: dict[str, Optional[str]] = field(default_factory=dict)
    doc_source: dict[str, Optional[str]] = field(default_factory=dict)
    doc_countries: dict[str, tuple] = field(default_factory=dict)
    # per country, the ranks of the documents about it, ascending (newest first)
    country_docs: dict[str, array] = field(default_factory=dict)
    # per entity key, the ranks (positions in doc_order) of its documents,
    # ascending: newest first
    entity_docs: dict[str, array] = field(default_factory=dict)
    # events, newest first (undated last); positions index this list
    events: list[EventRef] = field(default_factory=list)
    event_dates: list[str] = field(default_factory=list)
    event_pos: dict[tuple, int] = field(default_factory=dict)
    country_events: dict[str, list[int]] = field(default_factory=dict)
    category_events: dict[str, list[int]] = field(default_factory=dict)
    quad_events: dict[int, list[int]] = field(default_factory=dict)
    context_events: dict[str, list[int]] = field(default_factory=dict)
    person_events: dict[str, list[int]] = field(default_factory=dict)
    # pair_quads[A][B][quad]: events with both A and B as parties
    pair_quads: dict[str, dict[str, Counter]] = field(default_factory=dict)
    country_event_counts: Counter = field(default_factory=Counter)
    country_months: dict[str, Counter] = field(default_factory=dict)
    # facet counts over all documents, computed once
    all_facets: dict = field(default_factory=dict)

    @staticmethod
    def _range(ascending: list[str], date_from, date_to) -> tuple[int, int]:
        """The slice of a newest-first list whose dates fall in the range
        (``ascending`` holds the same dates oldest first)."""
        n = len(ascending)
        low = bisect_left(ascending, date_from) if date_from else 0
        high = bisect_right(ascending, date_to + "~") if date_to else n
        return n - high, n - low

    def select_documents(self, source=None, country=None, date_from=None, date_to=None) -> list[str]:
        """Document ids, newest first, that pass the filters."""
        lo, hi = 0, len(self.doc_order)
        if date_from or date_to:
            lo, hi = self._range(self.doc_dates, date_from, date_to)
        if country is not None:
            ranks = self.country_docs.get(country, array("i"))
            ids = [self.doc_order[r] for r in ranks[bisect_left(ranks, lo):bisect_left(ranks, hi)]]
        else:
            ids = self.doc_order[lo:hi]
        if source is not None:
            ids = [i for i in ids if self.doc_source.get(i) == source]
        return ids

    def newest_documents(self, key: str, limit: int) -> list[str]:
        return [self.doc_order[r] for r in self.entity_docs.get(key, ())[:limit]]

    def select_events(self, countries: tuple = (), category=None, quad=None, context=None,
                      date_from=None, date_to=None, person=None) -> list[int]:
        """Positions of the events passing the filters, newest first."""
        lists = [self.country_events.get(c, []) for c in countries]
        if category is not None:
            lists.append(self.category_events.get(category, []))
        if quad is not None:
            lists.append(self.quad_events.get(quad, []))
        if context is not None:
            lists.append(self.context_events.get(context, []))
        if person is not None:
            lists.append(self.person_events.get(person, []))
        if date_from or date_to:
            lo, hi = self._range(self.event_dates, date_from, date_to)
            lists = [lst[bisect_left(lst, lo):bisect_left(lst, hi)] for lst in lists] or \
                [range(lo, hi)]
        if lists:
            lists.sort(key=len)
            positions: Iterable[int] = lists[0]
            for other in lists[1:]:
                members = set(other)
                positions = [p for p in positions if p in members]
        else:
            positions = range(len(self.events))
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


def _newest_first(items: list, date, tie) -> tuple[list, list]:
    """Items with a date newest first (ties by ``tie``), then the undated by
    ``tie``; and the dates of the dated part, oldest first."""
    dated = sorted((x for x in items if date(x)), key=tie)
    dated.sort(key=date, reverse=True)
    undated = sorted((x for x in items if not date(x)), key=tie)
    return dated + undated, [date(x) for x in reversed(dated)]


def build_snapshot(db: sqlite3.Connection) -> Snapshot:
    """One pass over documents, event parties, entities and events."""
    started = time.monotonic()
    s = Snapshot()

    rows = db.execute("SELECT id, published, source FROM documents").fetchall()
    for doc_id, published, source in rows:
        s.doc_published[doc_id] = published
        s.doc_source[doc_id] = source
    ordered, s.doc_dates = _newest_first(rows, lambda r: r[1], lambda r: r[0])
    s.doc_order = [r[0] for r in ordered]
    s.doc_rank = {doc_id: i for i, doc_id in enumerate(s.doc_order)}

    # event parties: countries per event, and which document-local entity
    # (or, unlinked, which name) each party is, to find persons' events
    parties: dict[tuple, set] = defaultdict(set)
    party_entities: dict[tuple, list] = defaultdict(list)
    for doc_id, idx, country, entity_id, name in db.execute(
            "SELECT doc_id, event_idx, country, entity_id, entity_name FROM event_parties"):
        if country:
            parties[(doc_id, idx)].add(country)
        if entity_id:
            party_entities[(doc_id, entity_id)].append((doc_id, idx))
        elif name:
            party_entities[(doc_id, "name:" + name)].append((doc_id, idx))

    # entities: the directory (one row per key), each document's countries,
    # each key's documents, persons' events
    directory: dict[str, list] = {}
    doc_countries: dict[str, set] = defaultdict(set)
    entity_docs: dict[str, list] = defaultdict(list)
    person_events: dict[str, set] = defaultdict(set)
    rank = s.doc_rank
    for doc_id, local, key, kind, name, country in db.execute(
            "SELECT doc_id, id, key, kind, name, country FROM entities"):
        entry = directory.get(key)
        if entry is None:
            directory[key] = [kind, name, country, 1]
        else:
            entry[3] += 1
            if entry[2] is None and country:
                entry[2] = country
        if country:
            doc_countries[doc_id].add(country)
        if doc_id in rank:
            entity_docs[key].append(rank[doc_id])
        if kind == "person":
            for event in party_entities.get((doc_id, local), ()):
                person_events[key].add(event)
            for event in party_entities.get((doc_id, "name:" + (name or "")), ()):
                person_events[key].add(event)
    # linking gives one entity per key per document, so rows are documents
    s.entities = {key: EntityInfo(key, kind, name, country, n)
                  for key, (kind, name, country, n) in directory.items()}
    # newest first, one entry per document
    s.entity_docs = {key: array("i", sorted(set(ranks))) for key, ranks in entity_docs.items()}
    country_ranks: dict[str, list] = defaultdict(list)
    for doc_id, countries in doc_countries.items():
        s.doc_countries[doc_id] = tuple(sorted(countries))
        if doc_id not in rank:       # an orphan row: no document to show
            continue
        for country in countries:
            country_ranks[country].append(rank[doc_id])
    s.country_docs = {c: array("i", sorted(ranks)) for c, ranks in country_ranks.items()}

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
    s.events, s.event_dates = _newest_first(refs, lambda r: r.when, lambda r: (r.doc_id, r.idx))
    for position, ref in enumerate(s.events):
        s.event_pos[(ref.doc_id, ref.idx)] = position
        s.category_events.setdefault(ref.category, []).append(position)
        s.quad_events.setdefault(ref.quad, []).append(position)
        for context in ref.contexts:
            s.context_events.setdefault(context, []).append(position)
        month = ref.when[:7] if ref.when else None
        for a in ref.countries:
            s.country_events.setdefault(a, []).append(position)
            s.country_event_counts[a] += 1
            if a not in s.country_months:
                s.country_months[a] = Counter()
                s.pair_quads[a] = {}
            s.country_months[a][(month, ref.quad)] += 1
            partners = s.pair_quads[a]
            for b in ref.countries:
                if a != b:
                    if b not in partners:
                        partners[b] = Counter()
                    partners[b][ref.quad] += 1
    s.person_events = {key: sorted(s.event_pos[e] for e in events if e in s.event_pos)
                       for key, events in person_events.items()}

    count = lambda sql: db.execute(sql).fetchone()[0]
    s.counts = {"documents": len(s.doc_order), "events": len(s.events),
                "quotes": count("SELECT count(*) FROM quotes"),
                "facts": count("SELECT count(*) FROM facts"), "entities": len(s.entities)}
    s.all_facets = facet_counts(s, s.doc_order)
    s.built_seconds = round(time.monotonic() - started, 3)
    return s
