"""Read queries over the knowledge base, for the HTTP API and the pages.

The web layer never writes. Each worker thread gets its own read-only
connection (``mode=ro`` plus ``PRAGMA query_only``), every value reaches SQL
as a parameter, and every query runs under a time limit so that one broad
request cannot hold a worker (datasette's rule: a slow facet is dropped, the
page still answers).

Two small aggregates are kept in memory, built on first use and rebuilt when
the database file changes: the directory of entities (one row per
``entities.key``, for name search and labels) and the event counts per
country pair and quad (for partner rankings and graphs). Both would
otherwise be a GROUP BY over every row on each request.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from ..model import Analysis
from ..store.sqlite import Store

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
FACET_SECONDS = 0.3      # a facet count: dropped (not the page) past this


class QueryTimeout(Exception):
    """A query ran past its time limit."""


def date_upper(bound: str) -> str:
    return bound + "~"


def fts_query(text: str) -> Optional[str]:
    """The user's words as an FTS5 query that cannot be malformed: each word
    quoted, with a prefix match on a crude stem so that the inflected forms
    of Russian nouns meet ("Казахстан" finds "Казахстана", "Кубы" finds
    "Куба"). None when nothing searchable is left."""
    words = re.findall(r"\w+", text.lower())
    terms = []
    for word in words[:12]:
        stem = word
        # drop up to two final vowels / soft signs: the commonest case endings
        for _ in range(2):
            if len(stem) > 3 and stem[-1] in "аеёиоуыэюяйь":
                stem = stem[:-1]
        terms.append('"' + stem.replace('"', '""') + '"*')
    return " ".join(terms) or None


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


@dataclass
class EntityInfo:
    key: str
    kind: str
    name: str
    country: Optional[str]
    documents: int


@dataclass
class Summary:
    """The in-memory aggregates (see the module docstring)."""
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    # pair_quads[A][B][quad] = number of events with both A and B as parties
    pair_quads: dict[str, dict[str, Counter]] = field(default_factory=dict)
    country_events: Counter = field(default_factory=Counter)
    # country_months[A][(month, quad)] = events of A in that month
    country_months: dict[str, Counter] = field(default_factory=dict)


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
        self._summary: Optional[Summary] = None
        self._summary_stamp: Optional[tuple] = None
        self._summary_lock = threading.Lock()

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

    # -- the in-memory aggregates ----------------------------------------------
    def _stamp(self) -> tuple:
        stamp = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(self.path + suffix)
                stamp.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamp.append(None)
        return tuple(stamp)

    def summary(self) -> Summary:
        stamp = self._stamp()
        if self._summary is not None and stamp == self._summary_stamp:
            return self._summary
        with self._summary_lock:
            if self._summary is None or stamp != self._summary_stamp:
                self._summary = self._build_summary()
                self._summary_stamp = stamp
        return self._summary

    def _build_summary(self) -> Summary:
        summary = Summary()
        rows = self.db.execute(
            "SELECT key, kind, min(name), max(country), count(DISTINCT doc_id) "
            "FROM entities GROUP BY key").fetchall()
        for key, kind, name, country, documents in rows:
            summary.entities[key] = EntityInfo(key, kind, name, country, documents)
        parties: dict[tuple, set] = defaultdict(set)
        facts: dict[tuple, tuple] = {}
        for doc_id, idx, country, quad, month in self.db.execute(
                "SELECT p.doc_id, p.event_idx, p.country, e.quad, "
                "       substr(coalesce(e.date, d.published), 1, 7) "
                "FROM event_parties p "
                "JOIN events e ON e.doc_id = p.doc_id AND e.idx = p.event_idx "
                "JOIN documents d ON d.id = p.doc_id WHERE p.country IS NOT NULL"):
            parties[(doc_id, idx)].add(country)
            facts[(doc_id, idx)] = (quad, month)
        for event, countries in parties.items():
            quad, month = facts[event]
            for a in countries:
                summary.country_events[a] += 1
                summary.country_months.setdefault(a, Counter())[(month, quad)] += 1
                for b in countries:
                    if a != b:
                        summary.pair_quads.setdefault(a, {}).setdefault(b, Counter())[quad] += 1
        return summary

    def entity_info(self, key: str) -> Optional[EntityInfo]:
        return self.summary().entities.get(key)

    def country_name(self, code: Optional[str]) -> str:
        if not code:
            return ""
        info = self.summary().entities.get(f"country:{code}")
        return info.name if info else code

    # -- overview --------------------------------------------------------------
    def overview(self) -> dict:
        count = lambda sql: self._one(sql)[0]
        summary = self.summary()
        pairs = []
        for a, partners in summary.pair_quads.items():
            for b, quads in partners.items():
                if a < b:
                    pairs.append({"a": a, "b": b, "a_name": self.country_name(a),
                                  "b_name": self.country_name(b), "events": sum(quads.values())})
        pairs.sort(key=lambda p: (-p["events"], p["a"], p["b"]))
        countries = [{"code": c, "name": self.country_name(c), "events": n}
                     for c, n in summary.country_events.most_common(15)]
        kinds = Counter(info.kind for info in summary.entities.values())
        return {
            "documents": count("SELECT count(*) FROM documents"),
            "events": count("SELECT count(*) FROM events"),
            "quotes": count("SELECT count(*) FROM quotes"),
            "facts": count("SELECT count(*) FROM facts"),
            "entities": len(summary.entities),
            "entity_kinds": dict(kinds.most_common()),
            "top_countries": countries,
            "top_pairs": pairs[:15],
        }

    # -- documents -------------------------------------------------------------
    def _document_filters(self, source, date_from, date_to, country) -> tuple[list[str], list]:
        where, params = [], []
        if source:
            where.append("d.source = ?")
            params.append(source)
        if date_from:
            where.append("d.published >= ?")
            params.append(date_from)
        if date_to:
            where.append("d.published <= ?")
            params.append(date_upper(date_to))
        if country:
            where.append("d.id IN (SELECT doc_id FROM entities WHERE country = ?)")
            params.append(country)
        return where, params

    def documents(self, q: Optional[str] = None, source: Optional[str] = None,
                  date_from: Optional[str] = None, date_to: Optional[str] = None,
                  country: Optional[str] = None, limit: int = 20, offset: int = 0,
                  facets: bool = False) -> dict:
        where, params = self._document_filters(source, date_from, date_to, country)
        match = fts_query(q) if q else None
        if q and match is None:
            return {"total": 0, "limit": limit, "offset": offset, "items": [], "facets": {}}
        if match:
            base = ("FROM documents_fts f JOIN documents d ON d.id = f.doc_id "
                    "WHERE documents_fts MATCH ?")
            base_params = [match] + params
            order = "f.rank"
            snippet = "snippet(documents_fts, 2, char(2), char(3), '…', 14) AS snippet"
        else:
            base, base_params, order, snippet = "FROM documents d WHERE 1", params, \
                "d.published DESC, d.id", "NULL AS snippet"
        condition = "".join(f" AND {w}" for w in where)
        total = self._one(f"SELECT count(*) {base}{condition}", base_params)[0]
        rows = self._all(f"SELECT {DOCUMENT_COLUMNS}, {snippet} {base}{condition} "
                         f"ORDER BY {order} LIMIT ? OFFSET ?", base_params + [limit, offset])
        result = {"total": total, "limit": limit, "offset": offset,
                  "items": [self._document_row(r) for r in rows]}
        if facets:
            result["facets"] = self._document_facets(base, condition, base_params)
        return result

    def _document_row(self, r: sqlite3.Row) -> dict:
        item = {"id": r["id"], "title": headline(r["title"], r["lead"]),
                "published": r["published"], "source": r["source"],
                "original_source": r["original_source"], "url": r["url"]}
        if "snippet" in r.keys() and r["snippet"] is not None:
            # \x02...\x03 mark the matched words (the pages turn them into <mark>)
            item["snippet_marked"] = r["snippet"]
            item["snippet"] = r["snippet"].replace("\x02", "").replace("\x03", "")
        return item

    def _document_facets(self, base: str, condition: str, params: list) -> dict:
        """Counts of the matching documents by source, country and year; a
        facet that runs past FACET_SECONDS is reported as timed out."""
        ids = f"SELECT d.id {base}{condition}"
        queries = {
            "source": f"SELECT coalesce(d.source, '') AS value, count(*) AS n {base}{condition} "
                      "GROUP BY 1 ORDER BY n DESC, value LIMIT 12",
            "country": f"SELECT country AS value, count(DISTINCT doc_id) AS n FROM entities "
                       f"WHERE kind = 'country' AND country IS NOT NULL AND doc_id IN ({ids}) "
                       "GROUP BY 1 ORDER BY n DESC, value LIMIT 12",
            "year": f"SELECT coalesce(substr(d.published, 1, 4), '') AS value, count(*) AS n "
                    f"{base}{condition} GROUP BY 1 ORDER BY value DESC LIMIT 12",
        }
        facets = {}
        for name, sql in queries.items():
            try:
                rows = self._all(sql, params, seconds=FACET_SECONDS)
            except QueryTimeout:
                facets[name] = {"timed_out": True, "values": []}
                continue
            values = [{"value": r["value"], "count": r["n"]} for r in rows]
            if name == "country":
                for v in values:
                    v["label"] = self.country_name(v["value"])
            facets[name] = {"timed_out": False, "values": values}
        return facets

    def resolve_document(self, ref: str) -> Optional[str]:
        return self.store.find_document_id(ref)

    def analysis(self, doc_id: str) -> Optional[Analysis]:
        with self._deadline(QUERY_SECONDS):
            return self.store.load(doc_id)

    # -- events ------------------------------------------------------------------
    def _party_keys(self, country=None, pair=None, person=None) -> tuple[list[str], list]:
        """SELECTs of (doc_id, event_idx) for the party filters, to intersect."""
        selects, params = [], []
        for code in ([country] if country else []) + (list(pair) if pair else []):
            selects.append("SELECT doc_id, event_idx FROM event_parties WHERE country = ?")
            params.append(code)
        if person:
            # a party is the person when the coder linked it to the person's
            # entity, or (unlinked) names it with the entity's normal form
            selects.append(
                "SELECT p.doc_id, p.event_idx FROM entities n JOIN event_parties p "
                "ON p.doc_id = n.doc_id AND (p.entity_id = n.id OR "
                "(p.entity_id IS NULL AND p.entity_name = n.name)) WHERE n.key = ?")
            params.append(person)
        return selects, params

    def events(self, country: Optional[str] = None, pair: Optional[tuple[str, str]] = None,
               category: Optional[str] = None, quad: Optional[int] = None,
               context: Optional[str] = None, person: Optional[str] = None,
               date_from: Optional[str] = None, date_to: Optional[str] = None,
               doc_id: Optional[str] = None, limit: int = 50, offset: int = 0,
               order: str = "desc") -> dict:
        selects, params = self._party_keys(country, pair, person)
        where = []
        if category:
            where.append("e.category = ?")
            params_where = [category]
        else:
            params_where = []
        if quad:
            where.append("e.quad = ?")
            params_where.append(quad)
        if context:
            # contexts are a JSON list of words: match the quoted word
            where.append("instr(e.context, ?) > 0")
            params_where.append(json.dumps(context, ensure_ascii=False))
        if date_from:
            where.append("e.date >= ?")
            params_where.append(date_from)
        if date_to:
            where.append("e.date <= ?")
            params_where.append(date_upper(date_to))
        if doc_id:
            where.append("e.doc_id = ?")
            params_where.append(doc_id)
        if selects:
            keys = " INTERSECT ".join(selects)
            source = (f"FROM (SELECT DISTINCT doc_id, event_idx FROM ({keys})) k JOIN events e "
                      "ON e.doc_id = k.doc_id AND e.idx = k.event_idx")
        else:
            source = "FROM events e"
        condition = (" WHERE " + " AND ".join(where)) if where else ""
        all_params = params + params_where
        total = self._one(f"SELECT count(*) {source}{condition}", all_params)[0]
        # Events without a date sort last either way; DESC on the date index
        # puts NULLs last by itself.
        direction = "ASC" if order == "asc" else "DESC"
        order_by = (f"e.date IS NULL, e.date {direction}, d.published {direction}, e.doc_id, e.idx"
                    if direction == "ASC" else "e.date DESC, d.published DESC, e.doc_id, e.idx")
        rows = self._all(f"SELECT {EVENT_COLUMNS} {source} JOIN documents d ON d.id = e.doc_id"
                         f"{condition} ORDER BY {order_by} LIMIT ? OFFSET ?",
                         all_params + [limit, offset])
        return {"total": total, "limit": limit, "offset": offset,
                "items": [self.event_row(r) for r in rows]}

    def event_row(self, r: sqlite3.Row) -> dict:
        return {
            "id": f"{r['doc_id']}/{r['idx']}", "doc_id": r["doc_id"], "idx": r["idx"],
            "category": r["category"], "quad": r["quad"], "quad_label": QUADS.get(r["quad"], ""),
            "actors": _loads(r["actors"], []), "recipients": _loads(r["recipients"], []),
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
        for info in self.summary().entities.values():
            name = info.name.casefold() if info.name else ""
            if needle in name or needle == info.key.casefold() or \
                    (info.kind == "country" and needle == info.key[8:].casefold()):
                hits.append((0 if name.startswith(needle) else 1, -info.documents, info.key, info))
        hits.sort(key=lambda h: h[:3])
        return [self._entity_brief(h[3]) for h in hits[:limit]]

    def _entity_brief(self, info: EntityInfo) -> dict:
        return {"key": info.key, "kind": info.kind, "name": info.name,
                "country": info.country, "documents": info.documents}

    def entity(self, key: str, limit: int = 50) -> Optional[dict]:
        info = self.entity_info(key)
        if info is None:
            return None
        result = self._entity_brief(info)
        result["forms"] = [{"text": r[0], "count": r[1]} for r in self._all(
            "SELECT m.text, count(*) FROM entities n JOIN mentions m "
            "ON m.doc_id = n.doc_id AND m.entity_id = n.id WHERE n.key = ? "
            "GROUP BY m.text ORDER BY 2 DESC, 1 LIMIT 20", (key,))]
        result["recent_documents"] = [self._document_row(r) for r in self._all(
            f"SELECT {DOCUMENT_COLUMNS} FROM entities n JOIN documents d ON d.id = n.doc_id "
            "WHERE n.key = ? ORDER BY d.published DESC, d.id LIMIT ?", (key, limit))]
        if info.kind == "person":
            result["positions"] = self._positions(key)
            result["meetings"] = self.events(person=key, category="CONSULT", limit=limit)["items"]
            result["events"] = self.events(person=key, limit=limit)
            result["quotes"] = self.quotes_by(key, limit)
            result["facts"] = self._facts_of(key, limit)
        elif info.kind == "country":
            code = key.split(":", 1)[1]
            result["partners"] = self.partners(code)
            result["events"] = self.events(country=code, limit=limit)
            result["timeline"] = self.country_timeline(code)
            result["people"] = [self._entity_brief(i) for i in sorted(
                (i for i in self.summary().entities.values()
                 if i.kind == "person" and i.country == code),
                key=lambda i: (-i.documents, i.key))[:20]]
        else:
            result["facts"] = self._facts_of(key, limit)
        return result

    def _positions(self, key: str) -> list[dict]:
        """Offices a person held, each with the first and last dated document
        that says so and the documents as sources."""
        offices: dict[tuple, dict] = {}
        for r in self._all(
                "SELECT n.position, n.country, d.id, d.published, d.source, d.title, "
                "substr(d.text, d.body_start + 1, 160) AS lead "
                "FROM entities n JOIN documents d ON d.id = n.doc_id "
                "WHERE n.key = ? AND n.position IS NOT NULL AND n.position != '' "
                "ORDER BY d.published IS NULL, d.published, d.id LIMIT 500", (key,)):
            office = offices.setdefault((r["position"], r["country"]), {
                "position": r["position"], "country": r["country"],
                "country_name": self.country_name(r["country"]),
                "first_seen": None, "last_seen": None, "sources": []})
            if r["published"]:
                office["first_seen"] = office["first_seen"] or r["published"]
                office["last_seen"] = r["published"]
            if len(office["sources"]) < 20:
                office["sources"].append({"doc_id": r["id"], "published": r["published"],
                                          "source": r["source"],
                                          "title": headline(r["title"], r["lead"])})
        return sorted(offices.values(), key=lambda o: (o["first_seen"] or "9999", o["position"]))

    def quotes_by(self, key: str, limit: int = 50) -> list[dict]:
        rows = self._all(
            "SELECT q.doc_id, q.idx, q.text, q.start, q.stop, q.kind, q.speaker_text, "
            "n.key AS speaker_key, n.name AS speaker_name, d.published, d.source "
            "FROM entities n JOIN quotes q ON q.doc_id = n.doc_id AND q.speaker = n.id "
            "JOIN documents d ON d.id = q.doc_id WHERE n.key = ? "
            "ORDER BY d.published DESC, q.doc_id, q.idx LIMIT ?", (key, limit))
        return [self._quote_row(r) for r in rows]

    def _quote_row(self, r: sqlite3.Row) -> dict:
        return {"doc_id": r["doc_id"], "idx": r["idx"], "text": r["text"], "start": r["start"],
                "stop": r["stop"], "kind": r["kind"], "speaker_text": r["speaker_text"],
                "speaker": {"key": r["speaker_key"], "name": r["speaker_name"]}
                if r["speaker_key"] else None,
                "published": r["published"], "source": r["source"]}

    def _facts_of(self, key: str, limit: int) -> list[dict]:
        """Facts with the entity as an argument (arguments name entities by
        their document-local id under ``*_entity``)."""
        out = []
        rows = self._all(
            "SELECT f.doc_id, f.idx, f.type, f.args, f.start, f.stop, f.status, n.id AS local, "
            "d.published FROM entities n JOIN facts f ON f.doc_id = n.doc_id "
            "JOIN documents d ON d.id = f.doc_id WHERE n.key = ? "
            "ORDER BY d.published DESC, f.doc_id, f.idx LIMIT 2000", (key,))
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
        for other, quads in self.summary().pair_quads.get(code, {}).items():
            rows.append({"country": other, "name": self.country_name(other),
                         "events": sum(quads.values()),
                         "quads": {str(q): quads.get(q, 0) for q in QUADS}})
        rows.sort(key=lambda r: (-r["events"], r["country"]))
        return rows[:limit]

    def country_timeline(self, code: str) -> list[dict]:
        """Events per month and quad (undated events under month null)."""
        counts = self.summary().country_months.get(code, Counter())
        return [{"month": month, "quad": quad, "events": n}
                for (month, quad), n in sorted(counts.items(), key=lambda x: (x[0][0] or "", x[0][1]))]

    def known_country(self, code: str) -> bool:
        summary = self.summary()
        return f"country:{code}" in summary.entities or code in summary.country_events

    def pair(self, a: str, b: str, limit: int = 500) -> dict:
        events = self.events(pair=(a, b), limit=limit, order="asc")
        docs = sorted({e["doc_id"] for e in events["items"]})
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
        counts = Counter()
        for quad, n in self.summary().pair_quads.get(a, {}).get(b, Counter()).items():
            counts[str(quad)] = n
        by_category = Counter(e["category"] for e in events["items"])
        return {
            "a": {"code": a, "name": self.country_name(a)},
            "b": {"code": b, "name": self.country_name(b)},
            "events": events, "by_quad": {str(q): counts.get(str(q), 0) for q in QUADS},
            "by_category": dict(by_category.most_common()),
            "quotes": quotes, "agreements": agreements,
        }

    def partner_graph(self, codes: list[str], per_country: int = 8) -> dict:
        """Nodes and weighted edges: the given countries and their top partners."""
        summary = self.summary()
        nodes, edges = list(codes), {}
        for code in codes:
            for other, quads in sorted(summary.pair_quads.get(code, {}).items(),
                                       key=lambda x: (-sum(x[1].values()), x[0]))[:per_country]:
                if other not in nodes:
                    nodes.append(other)
        for a in nodes:
            for b, quads in summary.pair_quads.get(a, {}).items():
                if b in nodes and a < b:
                    edges[(a, b)] = {str(q): quads.get(q, 0) for q in QUADS}
        return {"nodes": [{"code": c, "name": self.country_name(c),
                           "events": summary.country_events.get(c, 0),
                           "focus": c in codes} for c in nodes],
                "edges": [{"a": a, "b": b, "quads": q, "events": sum(q.values())}
                          for (a, b), q in edges.items()]}

    # -- search ------------------------------------------------------------------
    def search_quotes(self, text: str, limit: int = 20) -> list[dict]:
        match = fts_query(text)
        if not match:
            return []
        rows = self._all(
            "SELECT q.doc_id, q.idx, q.text, q.start, q.stop, q.kind, q.speaker_text, "
            "n.key AS speaker_key, n.name AS speaker_name, d.published, d.source "
            "FROM quotes_fts f JOIN quotes q ON q.doc_id = f.doc_id AND q.idx = f.idx "
            "JOIN documents d ON d.id = q.doc_id "
            "LEFT JOIN entities n ON n.doc_id = q.doc_id AND n.id = q.speaker "
            "WHERE quotes_fts MATCH ? ORDER BY f.rank LIMIT ?", (match, limit))
        return [self._quote_row(r) for r in rows]

    def search(self, text: str, limit: int = 20) -> dict:
        return {"q": text,
                "documents": self.documents(q=text, limit=limit),
                "entities": self.search_entities(text, limit),
                "quotes": self.search_quotes(text, limit)}
