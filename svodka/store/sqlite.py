"""The embedded SQLite store: one file, WAL, FTS5 over bodies.

Each document's records are replaced in one transaction per batch: a crash
mid-run leaves either the old records or the new ones, never half of them,
and a rerun replaces rather than duplicates.

A full-text row has the rowid of the row it indexes (``documents_fts.rowid
= documents.rowid``, ``quotes_fts.rowid = quotes.rowid``): FTS5 has no index
on ``doc_id``, so deleting by it read the whole index for every document
written, and a 100,000-article load slowed down as it grew. Deleting by
rowid is one lookup.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..model import (Actor, Analysis, Document, Entity, Event, Fact, Furniture,
                     Location, Mention, Quote, Rejection, Sentence)

SCHEMA_VERSION = 2     # 2: full-text rowids follow their rows' rowids

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, path TEXT, line INTEGER, title TEXT, url TEXT,
    published TEXT, source TEXT, original_source TEXT, author TEXT,
    photo_credit TEXT, related_headlines TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL, body_start INTEGER NOT NULL, body_stop INTEGER NOT NULL,
    content_hash TEXT, processed_at REAL);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    doc_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS furniture (
    doc_id TEXT NOT NULL, start INTEGER, stop INTEGER, role TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS furniture_doc ON furniture(doc_id);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER, stop INTEGER,
    PRIMARY KEY (doc_id, idx));
CREATE TABLE IF NOT EXISTS entities (
    doc_id TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL, kind TEXT, name TEXT,
    country TEXT, code TEXT, sector TEXT, position TEXT, parent TEXT,
    PRIMARY KEY (doc_id, id));
CREATE INDEX IF NOT EXISTS entities_key ON entities(key, doc_id, id);
CREATE INDEX IF NOT EXISTS entities_country ON entities(country);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER, stop INTEGER,
    text TEXT, type TEXT, normal TEXT, entity_id TEXT, sentence INTEGER, source TEXT,
    PRIMARY KEY (doc_id, idx));
CREATE TABLE IF NOT EXISTS facts (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, type TEXT, args TEXT,
    start INTEGER, stop INTEGER, status TEXT, PRIMARY KEY (doc_id, idx));
CREATE INDEX IF NOT EXISTS facts_type ON facts(type);
CREATE TABLE IF NOT EXISTS quotes (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT, start INTEGER, stop INTEGER,
    kind TEXT, speaker TEXT, speaker_text TEXT, sentence_start INTEGER,
    sentence_stop INTEGER, PRIMARY KEY (doc_id, idx));
CREATE VIRTUAL TABLE IF NOT EXISTS quotes_fts USING fts5(
    doc_id UNINDEXED, idx UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS events (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, category TEXT, quad INTEGER,
    actors TEXT, recipients TEXT, mode TEXT, context TEXT, location TEXT,
    date TEXT, text TEXT, start INTEGER, stop INTEGER, trigger TEXT,
    PRIMARY KEY (doc_id, idx));
CREATE INDEX IF NOT EXISTS events_category ON events(category);
CREATE INDEX IF NOT EXISTS events_date ON events(date);
CREATE TABLE IF NOT EXISTS event_parties (
    doc_id TEXT NOT NULL, event_idx INTEGER NOT NULL, role TEXT NOT NULL,
    country TEXT, entity_name TEXT, entity_id TEXT);
CREATE INDEX IF NOT EXISTS event_parties_country ON event_parties(country);
CREATE INDEX IF NOT EXISTS event_parties_doc ON event_parties(doc_id, event_idx);
CREATE TABLE IF NOT EXISTS rejections (
    path TEXT NOT NULL, line INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL,
    at REAL, PRIMARY KEY (path, line));
"""

# Tables holding per-document records, cleared before a document is
# rewritten (the full-text tables by rowid, first).
DOC_TABLES = ("furniture", "sentences", "entities", "mentions",
              "facts", "quotes", "events", "event_parties")


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an older database up to SCHEMA_VERSION, in the caller's transaction."""
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else SCHEMA_VERSION    # no version: a new file
    if version < 2:
        # full-text rows re-inserted under their rows' rowids
        db.execute("CREATE TEMP TABLE old_documents_fts AS SELECT doc_id, title, body FROM documents_fts")
        db.execute("DELETE FROM documents_fts")
        db.execute("INSERT INTO documents_fts (rowid, doc_id, title, body) "
                   "SELECT d.rowid, f.doc_id, f.title, f.body "
                   "FROM old_documents_fts f JOIN documents d ON d.id = f.doc_id")
        db.execute("DROP TABLE temp.old_documents_fts")
        db.execute("DELETE FROM quotes_fts")
        db.execute("INSERT INTO quotes_fts (rowid, doc_id, idx, text) "
                   "SELECT rowid, doc_id, idx, text FROM quotes")


class Store:
    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = str(path)
        if readonly:
            if not Path(self.path).exists():
                raise FileNotFoundError(f"{self.path}: no such database")
            uri = f"file:{Path(self.path).resolve()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            with self.db:
                _migrate(self.db)
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                                (str(SCHEMA_VERSION),))
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -----------------------------------------------------------
    def write(self, analyses: Iterable[Analysis], rejections: Iterable[Rejection] = ()) -> None:
        """Replace the records of these documents, and record rejections, in
        one transaction."""
        with self.db:
            for analysis in analyses:
                self._replace(analysis)
            for rejection in rejections:
                self.db.execute("INSERT OR REPLACE INTO rejections VALUES (?,?,?,?)",
                                (rejection.path, rejection.line or 0, rejection.reason, time.time()))

    def _replace(self, a: Analysis) -> None:
        from ..ingest.ids import content_hash
        d = a.document
        doc_id = d.id
        old = self.db.execute("SELECT rowid FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if old is not None:
            self.db.execute("DELETE FROM documents_fts WHERE rowid = ?", old)
            self.db.execute("DELETE FROM quotes_fts WHERE rowid IN "
                            "(SELECT rowid FROM quotes WHERE doc_id = ?)", (doc_id,))
        for table in DOC_TABLES:      # each indexed on doc_id
            self.db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        body_start, body_stop = d.body_span
        row = self.db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc_id, d.path, d.line, d.title, d.url, d.published, d.source,
             d.original_source, d.author, d.photo_credit,
             json.dumps(d.related_headlines, ensure_ascii=False), d.text,
             body_start, body_stop, content_hash(d.body), time.time()))
        self.db.execute("INSERT INTO documents_fts (rowid, doc_id, title, body) VALUES (?,?,?,?)",
                        (row.lastrowid, doc_id, d.title or "", d.body))
        self.db.executemany("INSERT INTO furniture VALUES (?,?,?,?,?)",
                            [(doc_id, f.start, f.stop, f.role, f.text) for f in d.furniture])
        self.db.executemany("INSERT INTO sentences VALUES (?,?,?,?)",
                            [(doc_id, i, s.start, s.stop) for i, s in enumerate(a.sentences)])
        self.db.executemany("INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?)",
                            [(doc_id, e.id, e.key, e.kind, e.name, e.country, e.code,
                              e.sector, e.position, e.parent) for e in a.entities])
        self.db.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?)",
                            [(doc_id, i, m.start, m.stop, m.text, m.type, m.normal,
                              m.entity, m.sentence, m.source) for i, m in enumerate(a.mentions)])
        self.db.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?)",
                            [(doc_id, i, f.type, _json(f.args), f.start, f.stop, f.status)
                             for i, f in enumerate(a.facts)])
        self.db.executemany("INSERT INTO quotes VALUES (?,?,?,?,?,?,?,?,?,?)",
                            [(doc_id, i, q.text, q.start, q.stop, q.kind, q.speaker,
                              q.speaker_text, q.sentence_start, q.sentence_stop)
                             for i, q in enumerate(a.quotes)])
        if a.quotes:
            self.db.execute("INSERT INTO quotes_fts (rowid, doc_id, idx, text) "
                            "SELECT rowid, doc_id, idx, text FROM quotes WHERE doc_id = ?", (doc_id,))
        for i, e in enumerate(a.events):
            self.db.execute(
                "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, i, e.category, e.quad_code,
                 _json([asdict(x) for x in e.actors]), _json([asdict(x) for x in e.recipients]),
                 _json(e.mode), _json(e.context),
                 _json(asdict(e.location)) if e.location else None,
                 e.date, e.text, e.start, e.stop, e.trigger))
            parties = [("actor", x) for x in e.actors] + [("recipient", x) for x in e.recipients]
            self.db.executemany("INSERT INTO event_parties VALUES (?,?,?,?,?,?)",
                                [(doc_id, i, role, x.country, x.entity_name, x.entity)
                                 for role, x in parties])

    # -- reading -----------------------------------------------------------
    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def find_document_id(self, ref: str) -> Optional[str]:
        """A document by id, unique id prefix, or input path/file name."""
        row = self.db.execute("SELECT id FROM documents WHERE id = ?", (ref,)).fetchone()
        if row:
            return row[0]
        rows = self.db.execute("SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                               (_like_prefix(ref),)).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        rows = self.db.execute("SELECT id FROM documents WHERE path = ? OR path LIKE ? ESCAPE '\\' LIMIT 2",
                               (ref, "%/" + _like_escape(ref))).fetchall()
        return rows[0][0] if len(rows) == 1 else None

    def load(self, doc_id: str) -> Optional[Analysis]:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = Document(id=row["id"], text=row["text"], path=row["path"], line=row["line"],
                       title=row["title"], url=row["url"], published=row["published"],
                       source=row["source"], original_source=row["original_source"],
                       author=row["author"], photo_credit=row["photo_credit"],
                       related_headlines=json.loads(row["related_headlines"]),
                       body_start=row["body_start"], body_stop=row["body_stop"])
        q = lambda sql: self.db.execute(sql, (doc_id,)).fetchall()
        doc.furniture = [Furniture(r["start"], r["stop"], r["role"], r["text"])
                         for r in q("SELECT * FROM furniture WHERE doc_id=? ORDER BY start")]
        analysis = Analysis(document=doc)
        analysis.sentences = [Sentence(r["start"], r["stop"], doc.text[r["start"]:r["stop"]])
                              for r in q("SELECT * FROM sentences WHERE doc_id=? ORDER BY idx")]
        analysis.mentions = [Mention(r["start"], r["stop"], r["text"], r["type"], r["normal"],
                                     r["entity_id"], r["sentence"], r["source"])
                             for r in q("SELECT * FROM mentions WHERE doc_id=? ORDER BY idx")]
        analysis.entities = [Entity(r["id"], r["kind"], r["name"], r["country"], r["code"],
                                    r["sector"], r["position"], r["parent"])
                             for r in q("SELECT * FROM entities WHERE doc_id=? ORDER BY rowid")]
        by_id = {e.id: e for e in analysis.entities}
        for index, mention in enumerate(analysis.mentions):
            if mention.entity in by_id:
                by_id[mention.entity].mentions.append(index)
        analysis.facts = [Fact(r["type"], json.loads(r["args"]), r["start"], r["stop"], r["status"])
                          for r in q("SELECT * FROM facts WHERE doc_id=? ORDER BY idx")]
        analysis.quotes = [Quote(r["text"], r["start"], r["stop"], r["kind"], r["speaker"],
                                 r["speaker_text"], r["sentence_start"], r["sentence_stop"])
                           for r in q("SELECT * FROM quotes WHERE doc_id=? ORDER BY idx")]
        analysis.events = [_event(r) for r in q("SELECT * FROM events WHERE doc_id=? ORDER BY idx")]
        return analysis

    def analyses(self) -> Iterator[Analysis]:
        for doc_id in self.document_ids():
            analysis = self.load(doc_id)
            if analysis is not None:
                yield analysis

    def rejections(self) -> list[Rejection]:
        return [Rejection(r["path"], r["reason"], r["line"] or None)
                for r in self.db.execute("SELECT * FROM rejections ORDER BY path, line")]

    def stats(self) -> dict:
        count = lambda sql: self.db.execute(sql).fetchone()[0]
        return {
            "documents": count("SELECT count(*) FROM documents"),
            "rejected_inputs": count("SELECT count(*) FROM rejections"),
            "mentions": count("SELECT count(*) FROM mentions"),
            "entities": count("SELECT count(DISTINCT key) FROM entities"),
            "facts": dict(self.db.execute("SELECT type, count(*) FROM facts GROUP BY type ORDER BY 2 DESC").fetchall()),
            "quotes": count("SELECT count(*) FROM quotes"),
            "events": dict(self.db.execute("SELECT category, count(*) FROM events GROUP BY category ORDER BY 2 DESC").fetchall()),
            "entity_kinds": dict(self.db.execute("SELECT kind, count(DISTINCT key) FROM entities GROUP BY kind ORDER BY 2 DESC").fetchall()),
            "top_countries": dict(self.db.execute(
                "SELECT country, count(DISTINCT doc_id) n FROM entities WHERE country IS NOT NULL "
                "GROUP BY country ORDER BY n DESC, country LIMIT 10").fetchall()),
            "sources": dict(self.db.execute(
                "SELECT coalesce(source, '(unknown)'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC LIMIT 10").fetchall()),
        }


def _event(r: sqlite3.Row) -> Event:
    location = json.loads(r["location"]) if r["location"] else None
    return Event(category=r["category"], quad_code=r["quad"],
                 actors=[Actor(**x) for x in json.loads(r["actors"])],
                 recipients=[Actor(**x) for x in json.loads(r["recipients"])],
                 mode=json.loads(r["mode"]), context=json.loads(r["context"]),
                 location=Location(**location) if location else None,
                 date=r["date"], text=r["text"], start=r["start"], stop=r["stop"],
                 trigger=r["trigger"] or "")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(text: str) -> str:
    return _like_escape(text) + "%"
