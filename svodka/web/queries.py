"""Read queries over the knowledge base, for the HTTP API and the pages.

The web layer never writes. Each worker thread gets its own read-only
connection (``mode=ro`` plus ``PRAGMA query_only``), every value reaches SQL
as a parameter, and every query runs under a time limit so that one broad
request cannot hold a worker (past it the request fails with 503 and a
message, as datasette does).

Filtering, ordering and counting over large sets (events by country, pair,
date; documents by country, source, date; partner counts; facets) run on an
in-memory snapshot of the sort and group keys (snapshot.py); SQLite then
serves the rows of one page by primary key, the full-text matches, and the
per-entity lookups its indexes cover.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Optional

from ..model import Analysis
from ..store.sqlite import Store
from .snapshot import EntityInfo, Snapshot, build_snapshot

PLOVER_CATEGORIES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                     "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION",
                     "MOBILIZE", "COERCE", "ASSAULT")
QUADS = {1: "verbal cooperation", 2: "material cooperation",
         3: "verbal conflict", 4: "material conflict"}

# A date bound may be a year, a month or a day; "~" sorts after every digit
# and "-", so "date <= '2023~'" keeps every day of 2023.
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
COUNTRY_PATTERN = r"^[A-Za-z]{3}$"

QUERY_SECONDS = 3.0      # any single query
RANK_LIMIT = 2000        # full-text matches ranked by relevance up to this many
FACET_SAMPLE = 300       # full-text facets count the best this many matches
RECENT_DOCUMENTS = 150   # an entity's quotes, facts, spellings: from its newest this many
POSITION_SAMPLE = 300    # a person's offices: from at most this many documents
PAIR_DETAILS = 100       # a pair's quotes and agreements: from its newest this many events
TIMELINE_POINTS = 1000   # a pair's timeline: the newest this many events as points


class QueryTimeout(Exception):
    """A query ran past its time limit."""


def fts_terms(text: str) -> list[str]:
    """The user's words as search stems: lower-cased, with up to two final
    vowels or soft signs dropped (the commonest Russian case endings), so
    that "Казахстан" finds "Казахстана" and "Кубы" finds "Куба"."""
    terms = []
    for word in re.findall(r"\w+", text.lower())[:12]:
        stem = word
        for _ in range(2):
            if len(stem) > 3 and stem[-1] in "аеёиоуыэюяйь":
                stem = stem[:-1]
        terms.append(stem)
    return terms


def fts_query(text: str) -> Optional[str]:
    """The stems as an FTS5 query that cannot be malformed: each quoted,
    each a prefix match. None when nothing searchable is left."""
    return " ".join('"' + t.replace('"', '""') + '"*' for t in fts_terms(text)) or None


def make_snippet(body: str, terms: list[str], width: int = 90) -> Optional[str]:
    """The passage of ``body`` around the first match of a term, matches
    wrapped in \\x02..\\x03 (as FTS5's snippet() would, but without a
    second full-text pass per document)."""
    if not terms:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)
    first = pattern.search(body)
    if first is None:
        return None
    start = max(0, first.start() - width)
    stop = min(len(body), first.end() + width)
    if start > 0:
        start = body.find(" ", start, first.start()) + 1 or start
    if stop < len(body):
        stop = body.rfind(" ", first.end(), stop) if body.rfind(" ", first.end(), stop) > 0 else stop
    passage = pattern.sub(lambda m: "\x02" + m.group(0) + "\x03", body[start:stop].replace("\n", " "))
    return ("…" if start > 0 else "") + passage + ("…" if stop < len(body) else "")


def headline(title: Optional[str], lead: Optional[str], limit: int = 110) -> str:
    """A document's title, or for the many reprints without one the start of
    its first body line."""
    if title:
        return title
    text = (lead or "").strip().split("\n", 1)[0]
    sentence_end = text.find(". ")
    if 0 < sentence_end <= limit:
        return text[:sentence_end + 1]
    if len(text) <= limit:
        return text or "(untitled)"
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return cut + "…"


def _loads(value: Optional[str], default: Any) -> Any:
    return json.loads(value) if value else default


EVENT_COLUMNS = """
    e.doc_id, e.idx, e.category, e.quad, e.actors, e.recipients, e.mode, e.context,
    e.location, e.date, e.text, e.start, e.stop, e.trigger,
    d.published, d.source, d.title, substr(d.text, d.body_start + 1, 160) AS lead
"""

DOCUMENT_COLUMNS = """
    d.id, d.title, d.published, d.source, d.original_source, d.url,
    substr(d.text, d.body_start + 1, 160) AS lead
"""



class KnowledgeBase:
    """Read-only access to one svodka database."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if not Path(self.path).exists():
            raise FileNotFoundError(f"{self.path}: no such database")
        self._local = threading.local()
        self._snapshot: Optional[Snapshot] = None
        self._snapshot_stamp: Optional[tuple] = None
        self._snapshot_lock = threading.Lock()
        self._built_at = 0.0

    # -- connections ---------------------------------------------------------
    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, readonly=True)
            store.db.execute("PRAGMA query_only = ON")
            self._local.store = store
        return store

    @property
    def db(self) -> sqlite3.Connection:
        return self.store.db

    @contextmanager
    def _deadline(self, seconds: float):
        limit = time.monotonic() + seconds
        self.db.set_progress_handler(lambda: 1 if time.monotonic() > limit else 0, 2000)
        try:
            yield
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise QueryTimeout(f"query ran past {seconds} s") from error
            raise
        finally:
            self.db.set_progress_handler(None, 0)

    def _all(self, sql: str, params: Iterable = (), seconds: float = QUERY_SECONDS) -> list[sqlite3.Row]:
        with self._deadline(seconds):
            return self.db.execute(sql, tuple(params)).fetchall()

    def _one(self, sql: str, params: Iterable = (), seconds: float = QUERY_SECONDS):
        rows = self._all(sql, params, seconds)
        return rows[0] if rows else None

    # -- the in-memory snapshot ------------------------------------------------
    def _stamp(self) -> tuple:
        stamp = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(self.path + suffix)
                stamp.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamp.append(None)
        return tuple(stamp)

    def snapshot(self) -> Snapshot:
        """The snapshot, rebuilt when the file changed. While an extraction
        writes to the file, a large snapshot (over half a second to build)
        is rebuilt at most every ten build times, up to 30 s: the pages may
        lag a batch behind rather than rebuild on every request."""
        stamp = self._stamp()
        current = self._snapshot
        if current is not None:
            # small snapshots (under half a second) are always current
            lag = min(30.0, 10 * current.built_seconds) if current.built_seconds > 0.5 else 0.0
            if stamp == self._snapshot_stamp or time.monotonic() - self._built_at < lag:
                return current
        with self._snapshot_lock:
            if self._snapshot is None or self._snapshot_stamp != stamp:
                with self._deadline(600):
                    self._snapshot = build_snapshot(self.db)
                self._snapshot_stamp = stamp
                self._built_at = time.monotonic()
        return self._snapshot

    def entity_info(self, key: str) -> Optional[EntityInfo]:
        return self.snapshot().entities.get(key)

    def country_name(self, code: Optional[str]) -> str:
        if not code:
            return ""
        info = self.snapshot().entities.get(f"country:{code}")
        return info.name if info else code

    # -- overview --------------------------------------------------------------
    def overview(self) -> dict:
        snap = self.snapshot()
        pairs = []
        for a, partners in snap.pair_quads.items():
            for b, quads in partners.items():
                if a < b:
                    pairs.append((-sum(quads.values()), a, b))
        pairs.sort()
        countries = [{"code": c, "name": self.country_name(c), "events": n}
                     for c, n in snap.country_event_counts.most_common(15)]
        kinds = Counter(info.kind for info in snap.entities.values())
        return dict(snap.counts, entity_kinds=dict(kinds.most_common()), top_countries=countries,
                    top_pairs=[{"a": a, "b": b, "a_name": self.country_name(a),
                                "b_name": self.country_name(b), "events": -n}
                               for n, a, b in pairs[:15]])

    # -- documents -------------------------------------------------------------
    def _documents_by_id(self, ids: list[str], snippets: Optional[dict] = None) -> list[dict]:
        """Rows for these ids, in this order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {r["id"]: r for r in self._all(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE d.id IN ({marks})", ids)}
        items = []
        for doc_id in ids:
            if doc_id in rows:
                item = self._document_row(rows[doc_id])
                if snippets and snippets.get(doc_id):
                    item["snippet_marked"] = snippets[doc_id]
                    item["snippet"] = snippets[doc_id].replace("\x02", "").replace("\x03", "")
                items.append(item)
        return items

    def documents(self, q: Optional[str] = None, source: Optional[str] = None,
                  date_from: Optional[str] = None, date_to: Optional[str] = None,
                  country: Optional[str] = None, limit: int = 20, offset: int = 0,
                  facets: bool = False) -> dict:
        """Documents passing the filters. Without q: newest first. With q:
        by relevance (bm25) when at most RANK_LIMIT documents match, else
        most recently added first (``order`` says which): ranking tens of
        thousands of matches costs more than a page is worth; more words
        narrow the match."""
        snap = self.snapshot()
        result = {"total": 0, "limit": limit, "offset": offset, "order": "newest", "items": []}
        if not q:
            ids = snap.select_documents(source, country, date_from, date_to)
            result.update(total=len(ids), items=self._documents_by_id(ids[offset:offset + limit]))
            if facets:
                result["facets"] = self._label_facets(snap.facets(ids))
            return result
        match = fts_query(q)
        if match is None:
            if facets:
                result["facets"] = {}
            return result
        terms = fts_terms(q)
        filtered = any((source, country, date_from, date_to))
        matches = self._one("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (match,))[0]
        order = "rank" if matches <= RANK_LIMIT else "rowid DESC"
        result["order"] = "relevance" if order == "rank" else "recently added"
        if not filtered:
            # one pass gives the page and, with facets, the best matches they count
            want = max(offset + limit, FACET_SAMPLE) if facets else limit
            skip = 0 if facets else offset
            ids = [r[0] for r in self._all(
                f"SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ? "
                f"ORDER BY {order} LIMIT ? OFFSET ?", (match, want, skip))]
            page = ids[offset:offset + limit] if facets else ids
            result.update(total=matches, items=self._documents_by_id(page, self._snippets(page, terms)))
            if facets:
                counted = snap.facets(ids[:FACET_SAMPLE])
                result["facets"] = self._label_facets(
                    counted if matches <= FACET_SAMPLE else _sampled(counted))
            return result
        # with filters: all the matches' ids, filtered in memory (bounded by
        # the query time limit for very broad words)
        rows = self._all(f"SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ? "
                         f"ORDER BY {order}", (match,))
        allowed = set(snap.select_documents(source, country, date_from, date_to))
        ids = [r[0] for r in rows if r[0] in allowed]
        page = ids[offset:offset + limit]
        result.update(total=len(ids), items=self._documents_by_id(page, self._snippets(page, terms)))
        if facets:
            result["facets"] = self._label_facets(snap.facets(ids))
        return result

    def _snippets(self, ids: list[str], terms: list[str]) -> dict:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r[0]: make_snippet(r[1], terms) for r in self._all(
            f"SELECT id, substr(text, body_start + 1, body_stop - body_start) FROM documents "
            f"WHERE id IN ({marks})", ids)}

    def _label_facets(self, facets: dict) -> dict:
        out = {}
        for name, facet in facets.items():
            values = [dict(v) for v in facet["values"]]
            if name == "country":
                for v in values:
                    v["label"] = self.country_name(v["value"])
            out[name] = {"sampled": facet.get("sampled", False), "values": values}
        return out

    def _document_row(self, r: sqlite3.Row) -> dict:
        return {"id": r["id"], "title": headline(r["title"], r["lead"]),
                "published": r["published"], "source": r["source"],
                "original_source": r["original_source"], "url": r["url"]}

    def resolve_document(self, ref: str) -> Optional[str]:
        return self.store.find_document_id(ref)

    def analysis(self, doc_id: str) -> Optional[Analysis]:
        with self._deadline(QUERY_SECONDS):
            return self.store.load(doc_id)

    # -- events ------------------------------------------------------------------
    def events(self, country: Optional[str] = None, pair: Optional[tuple[str, str]] = None,
               category: Optional[str] = None, quad: Optional[int] = None,
               context: Optional[str] = None, person: Optional[str] = None,
               date_from: Optional[str] = None, date_to: Optional[str] = None,
               limit: int = 50, offset: int = 0, order: str = "desc") -> dict:
        """Events passing the filters, newest first (``order="asc"``: oldest
        first); undated events last either way. The date range applies to an
        event's date, or its document's when the text gives none."""
        snap = self.snapshot()
        countries = tuple(c for c in ((country,) + tuple(pair or ())) if c)
        positions = snap.select_events(countries, category, quad, context, date_from, date_to, person)
        if order == "asc":
            positions = snap.oldest_first(positions)
        page = [snap.events[p] for p in positions[offset:offset + limit]]
        return {"total": len(positions), "limit": limit, "offset": offset,
                "items": self._events_by_key([(r.doc_id, r.idx) for r in page])}

    def _events_by_key(self, keys: list[tuple[str, int]]) -> list[dict]:
        if not keys:
            return []
        docs = sorted({k[0] for k in keys})
        marks = ",".join("?" * len(docs))
        rows = {(r["doc_id"], r["idx"]): r for r in self._all(
            f"SELECT {EVENT_COLUMNS} FROM events e JOIN documents d ON d.id = e.doc_id "
            f"WHERE e.doc_id IN ({marks})", docs)}
        return [self.event_row(rows[k]) for k in keys if k in rows]

    def party_key(self, party: dict) -> Optional[str]:
        """The entity key a party names, for links: a person by name, else
        the country when the party is the country itself."""
        entities = self.snapshot().entities
        name, country = party.get("entity_name"), party.get("country")
        if name and f"person:{name}" in entities:
            return f"person:{name}"
        info = entities.get(f"country:{country}") if country else None
        if info and info.name == name:
            return info.key
        return None

    def event_row(self, r: sqlite3.Row) -> dict:
        actors, recipients = _loads(r["actors"], []), _loads(r["recipients"], [])
        for party in actors + recipients:
            party["key"] = self.party_key(party)
        return {
            "id": f"{r['doc_id']}/{r['idx']}", "doc_id": r["doc_id"], "idx": r["idx"],
            "category": r["category"], "quad": r["quad"], "quad_label": QUADS.get(r["quad"], ""),
            "actors": actors, "recipients": recipients,
            "mode": _loads(r["mode"], []), "context": _loads(r["context"], []),
            "location": _loads(r["location"], None), "date": r["date"],
            "published": r["published"], "text": r["text"], "start": r["start"],
            "stop": r["stop"], "trigger": r["trigger"],
            "document": {"id": r["doc_id"], "title": headline(r["title"], r["lead"]),
                         "source": r["source"], "published": r["published"]},
        }

    # -- entities ----------------------------------------------------------------
    def search_entities(self, text: str, limit: int = 20) -> list[dict]:
        needle = text.casefold().strip()
        if not needle:
            return []
        hits = []
        for info in self.snapshot().entities.values():
            name = info.name.casefold() if info.name else ""
            if needle in name or needle == info.key.casefold() or \
                    (info.kind == "country" and needle == info.key[8:].casefold()):
                hits.append((0 if name.startswith(needle) or needle == info.key[8:].casefold() else 1,
                             -info.documents, info.key, info))
        hits.sort(key=lambda h: h[:3])
        return [self._entity_brief(h[3]) for h in hits[:limit]]

    def _entity_brief(self, info: EntityInfo) -> dict:
        return {"key": info.key, "kind": info.kind, "name": info.name,
                "country": info.country, "documents": info.documents}

    def entity(self, key: str, limit: int = 50) -> Optional[dict]:
        snap = self.snapshot()
        info = snap.entities.get(key)
        if info is None:
            return None
        result = self._entity_brief(info)
        # spellings from (at most) 300 of its documents: enough to show how
        # it is written, bounded for entities in tens of thousands of texts
        recent = snap.newest_documents(key, RECENT_DOCUMENTS)
        marks = ",".join("?" * len(recent))
        result["forms"] = [{"text": r[0], "count": r[1]} for r in self._all(
            f"SELECT m.text, count(*) FROM entities n JOIN mentions m "
            f"ON m.doc_id = n.doc_id AND m.entity_id = n.id "
            f"WHERE n.doc_id IN ({marks}) AND +n.key = ? "
            f"GROUP BY m.text ORDER BY 2 DESC, 1 LIMIT 20", recent + [key])]
        result["recent_documents"] = self._documents_by_id(snap.newest_documents(key, limit))
        if info.kind == "person":
            result["positions"] = self._positions(key, snap)
            events = self.events(person=key, limit=limit)
            result["events"] = events
            result["meetings"] = [e for e in events["items"] if e["category"] == "CONSULT"] \
                if events["total"] <= limit else self.events(person=key, category="CONSULT",
                                                             limit=limit)["items"]
            result["quotes"] = self.quotes_by(key, limit, recent)
            result["facts"] = self._facts_of(key, limit, recent)
        elif info.kind == "country":
            code = key.split(":", 1)[1]
            result["partners"] = self.partners(code)
            result["events"] = self.events(country=code, limit=limit)
            result["timeline"] = self.country_timeline(code)
            result["people"] = [self._entity_brief(i) for i in sorted(
                (i for i in snap.entities.values() if i.kind == "person" and i.country == code),
                key=lambda i: (-i.documents, i.key))[:20]]
        else:
            result["facts"] = self._facts_of(key, limit, recent)
        return result

    def _positions(self, key: str, snap: Snapshot) -> list[dict]:
        """Offices a person held, each with the first and last dated document
        that says so and the documents as sources. For a person in more than
        POSITION_SAMPLE documents, from that many spread evenly over the
        coverage (the newest and oldest included): first and last seen are
        then approximate to that spacing."""
        ranks = sorted(set(snap.entity_docs.get(key, ())))
        if len(ranks) > POSITION_SAMPLE:
            step = (len(ranks) - 1) / (POSITION_SAMPLE - 1)
            ranks = sorted({ranks[round(i * step)] for i in range(POSITION_SAMPLE)})
        docs = [snap.doc_order[r] for r in ranks]
        marks = ",".join("?" * len(docs))
        rows = self._all(f"SELECT doc_id, position, country FROM entities "
                         f"WHERE doc_id IN ({marks}) AND +key = ? "
                         f"AND position IS NOT NULL AND position != ''", docs + [key])
        # oldest first: ranks count from the newest
        rows.sort(key=lambda r: -snap.doc_rank.get(r["doc_id"], 0))
        offices: dict[tuple, dict] = {}
        for r in rows:
            office = offices.setdefault((r["position"], r["country"]), {
                "position": r["position"], "country": r["country"],
                "country_name": self.country_name(r["country"]),
                "first_seen": None, "last_seen": None, "documents": 0, "sources": []})
            published = snap.doc_published.get(r["doc_id"])
            if published:
                office["first_seen"] = office["first_seen"] or published
                office["last_seen"] = published
            office["documents"] += 1
            office["sources"].append(r["doc_id"])
        for office in offices.values():
            newest = office["sources"][::-1][:20]
            office["sources"] = [{"doc_id": d["id"], "published": d["published"],
                                  "source": d["source"], "title": d["title"]}
                                 for d in self._documents_by_id(newest)]
        return sorted(offices.values(), key=lambda o: (o["first_seen"] or "9999", o["position"]))

    def quotes_by(self, key: str, limit: int = 50, docs: Optional[list[str]] = None) -> list[dict]:
        """The entity's quotes, newest first, from ``docs`` (its newest
        documents) when given."""
        docs = docs if docs is not None else self.snapshot().newest_documents(key, RECENT_DOCUMENTS)
        marks = ",".join("?" * len(docs))
        rows = self._all(
            "SELECT q.doc_id, q.idx, q.text, q.start, q.stop, q.kind, q.speaker_text, "
            "n.key AS speaker_key, n.name AS speaker_name, d.published, d.source "
            "FROM entities n JOIN quotes q ON q.doc_id = n.doc_id AND q.speaker = n.id "
            f"JOIN documents d ON d.id = q.doc_id WHERE n.doc_id IN ({marks}) AND +n.key = ? "
            "ORDER BY d.published DESC, q.doc_id, q.idx LIMIT ?", docs + [key, limit])
        return [self._quote_row(r) for r in rows]

    def _quote_row(self, r: sqlite3.Row) -> dict:
        return {"doc_id": r["doc_id"], "idx": r["idx"], "text": r["text"], "start": r["start"],
                "stop": r["stop"], "kind": r["kind"], "speaker_text": r["speaker_text"],
                "speaker": {"key": r["speaker_key"], "name": r["speaker_name"]}
                if r["speaker_key"] else None,
                "published": r["published"], "source": r["source"]}

    def _facts_of(self, key: str, limit: int, docs: list[str]) -> list[dict]:
        """Facts with the entity as an argument (arguments name entities by
        their document-local id under ``*_entity``), from ``docs``."""
        out = []
        marks = ",".join("?" * len(docs))
        rows = self._all(
            "SELECT f.doc_id, f.idx, f.type, f.args, f.start, f.stop, f.status, n.id AS local, "
            "d.published FROM entities n JOIN facts f ON f.doc_id = n.doc_id "
            f"JOIN documents d ON d.id = f.doc_id WHERE n.doc_id IN ({marks}) AND +n.key = ? "
            "ORDER BY d.published DESC, f.doc_id, f.idx LIMIT 2000", docs + [key])
        for r in rows:
            args = _loads(r["args"], {})
            linked = [v for k, v in args.items() if k.endswith("_entity")]
            flat = {x for v in linked for x in (v if isinstance(v, list) else [v])}
            if r["local"] in flat:
                out.append(self._fact_row(r, args))
                if len(out) >= limit:
                    break
        return out

    def _fact_row(self, r: sqlite3.Row, args: dict) -> dict:
        return {"doc_id": r["doc_id"], "idx": r["idx"], "type": r["type"], "args": args,
                "start": r["start"], "stop": r["stop"], "status": r["status"],
                "published": r["published"]}

    # -- countries and pairs -------------------------------------------------------
    def partners(self, code: str, limit: int = 30) -> list[dict]:
        """Countries ranked by the number of events shared with ``code``,
        with the split by quad."""
        rows = []
        for other, quads in self.snapshot().pair_quads.get(code, {}).items():
            rows.append({"country": other, "name": self.country_name(other),
                         "events": sum(quads.values()),
                         "quads": {str(q): quads.get(q, 0) for q in QUADS}})
        rows.sort(key=lambda r: (-r["events"], r["country"]))
        return rows[:limit]

    def country_timeline(self, code: str) -> list[dict]:
        """Events per month and quad (undated events under month null)."""
        counts = self.snapshot().country_months.get(code, Counter())
        return [{"month": month, "quad": quad, "events": n}
                for (month, quad), n in sorted(counts.items(), key=lambda x: (x[0][0] or "", x[0][1]))]

    def known_country(self, code: str) -> bool:
        snap = self.snapshot()
        return f"country:{code}" in snap.entities or code in snap.country_event_counts

    def pair(self, a: str, b: str, limit: int = 50) -> dict:
        """Two countries: the newest TIMELINE_POINTS events as timeline
        points and every event counted by month (both from memory), the
        newest ``limit`` events in full, and the quotes and agreements in
        the documents of the newest PAIR_DETAILS events."""
        snap = self.snapshot()
        positions = snap.select_events((a, b))
        timeline = [{"id": f"{r.doc_id}/{r.idx}", "doc_id": r.doc_id, "idx": r.idx,
                     "when": r.when, "category": r.category, "quad": r.quad}
                    for r in (snap.events[p] for p in snap.oldest_first(positions[:TIMELINE_POINTS]))]
        events = self.events(pair=(a, b), limit=limit)
        docs = sorted({snap.events[p].doc_id for p in positions[:PAIR_DETAILS]})
        quotes, agreements = [], []
        if docs:
            marks = ",".join("?" * len(docs))
            rows = self._all(
                "SELECT q.doc_id, q.idx, q.text, q.start, q.stop, q.kind, q.speaker_text, "
                "n.key AS speaker_key, n.name AS speaker_name, d.published, d.source "
                "FROM quotes q JOIN documents d ON d.id = q.doc_id "
                "LEFT JOIN entities n ON n.doc_id = q.doc_id AND n.id = q.speaker "
                f"WHERE q.doc_id IN ({marks}) AND (n.country IN (?, ?) OR n.country IS NULL) "
                "ORDER BY d.published, q.doc_id, q.idx LIMIT 100", docs + [a, b])
            quotes = [self._quote_row(r) for r in rows]
            rows = self._all(
                "SELECT f.doc_id, f.idx, f.type, f.args, f.start, f.stop, f.status, d.published "
                "FROM facts f JOIN documents d ON d.id = f.doc_id "
                f"WHERE f.doc_id IN ({marks}) AND f.type = 'Deal' "
                "ORDER BY d.published, f.doc_id, f.idx LIMIT 100", docs)
            agreements = [self._fact_row(r, _loads(r["args"], {})) for r in rows]
        quads = snap.pair_quads.get(a, {}).get(b, Counter())
        by_category = Counter(snap.events[p].category for p in positions)
        # every event counted by month and quad, for timelines past the points
        by_month = Counter(((snap.events[p].when or "")[:7] or None, snap.events[p].quad)
                           for p in positions)
        return {
            "a": {"code": a, "name": self.country_name(a)},
            "b": {"code": b, "name": self.country_name(b)},
            "timeline": timeline, "events": events,
            "by_month": [{"month": m, "quad": q, "events": n}
                         for (m, q), n in sorted(by_month.items(), key=lambda x: (x[0][0] or "", x[0][1]))],
            "by_quad": {str(q): quads.get(q, 0) for q in QUADS},
            "by_category": dict(by_category.most_common()),
            "quotes": quotes, "agreements": agreements,
        }

    def partner_graph(self, codes: list[str], per_country: int = 8) -> dict:
        """Nodes and weighted edges: the given countries and their top partners."""
        snap = self.snapshot()
        nodes, edges = list(codes), {}
        for code in codes:
            for other, quads in sorted(snap.pair_quads.get(code, {}).items(),
                                       key=lambda x: (-sum(x[1].values()), x[0]))[:per_country]:
                if other not in nodes:
                    nodes.append(other)
        for a in nodes:
            for b, quads in snap.pair_quads.get(a, {}).items():
                if b in nodes and a < b:
                    edges[(a, b)] = {str(q): quads.get(q, 0) for q in QUADS}
        return {"nodes": [{"code": c, "name": self.country_name(c),
                           "events": snap.country_event_counts.get(c, 0),
                           "focus": c in codes} for c in nodes],
                "edges": [{"a": a, "b": b, "quads": q, "events": sum(q.values())}
                          for (a, b), q in edges.items()]}

    # -- search ------------------------------------------------------------------
    def search_quotes(self, text: str, limit: int = 20) -> list[dict]:
        match = fts_query(text)
        if not match:
            return []
        matches = self._one("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?", (match,))[0]
        order = "rank" if matches <= RANK_LIMIT else "rowid DESC"
        hits = self._all(f"SELECT doc_id, idx FROM quotes_fts WHERE quotes_fts MATCH ? "
                         f"ORDER BY {order} LIMIT ?", (match, limit))
        out = []
        for doc_id, idx in hits:
            row = self._one(
                "SELECT q.doc_id, q.idx, q.text, q.start, q.stop, q.kind, q.speaker_text, "
                "n.key AS speaker_key, n.name AS speaker_name, d.published, d.source "
                "FROM quotes q JOIN documents d ON d.id = q.doc_id "
                "LEFT JOIN entities n ON n.doc_id = q.doc_id AND n.id = q.speaker "
                "WHERE q.doc_id = ? AND q.idx = ?", (doc_id, idx))
            if row:
                out.append(self._quote_row(row))
        return out

    def search(self, text: str, limit: int = 20) -> dict:
        return {"q": text,
                "documents": self.documents(q=text, limit=limit),
                "entities": self.search_entities(text, limit),
                "quotes": self.search_quotes(text, limit)}


def _sampled(facets: dict) -> dict:
    return {name: dict(facet, sampled=True) for name, facet in facets.items()}
