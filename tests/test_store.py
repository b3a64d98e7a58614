"""The SQLite store: per-document replace, atomic batches, idempotent reruns."""
import sqlite3

import pytest

from svodka.model import (Actor, Analysis, Document, Entity, Event, Fact, Location,
                          Mention, Quote, Rejection, Sentence)
from svodka.store.sqlite import Store


def make_analysis(doc_id: str, text: str = "Россия и Китай подписали соглашение.") -> Analysis:
    doc = Document(id=doc_id, text=text, path=f"{doc_id}.txt", body_stop=len(text),
                   related_headlines=["Заголовок"])
    a = Analysis(document=doc)
    a.sentences = [Sentence(0, len(text), text)]
    a.mentions = [Mention(0, 6, "Россия", "LOCORG", "Россия", "e1", 0),
                  Mention(9, 14, "Китай", "LOCORG", "Китай", "e2", 0)]
    a.entities = [Entity("e1", "country", "Россия", "RUS", "RUS", "GOV", mentions=[0]),
                  Entity("e2", "country", "Китай", "CHN", "CHN", "GOV", mentions=[1])]
    a.facts = [Fact("Deal", {"Participant": ["Россия", "Китай"]}, 0, len(text), "signed")]
    a.quotes = [Quote("соглашение", 25, 35, "direct", "e1", "Россия", 0, len(text))]
    a.events = [Event("SUPPORT", 1, [Actor("Россия", "Россия", "RUS"), Actor("Китай", "Китай", "CHN")],
                      [], [], ["diplomatic"], Location("Москве", "Москва", "RUS"), None,
                      text, 0, len(text), "подписать")]
    return a


def counts(path) -> dict:
    db = sqlite3.connect(path)
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "documents_fts", "mentions", "entities", "facts",
                      "quotes", "events", "event_parties", "rejections")}


def test_round_trip(tmp_path):
    path = tmp_path / "kb.db"
    with Store(path) as store:
        store.write([make_analysis("d1")], [Rejection("bad.txt", "empty: no text")])
    with Store(path, readonly=True) as store:
        a = store.load("d1")
        assert a.document.related_headlines == ["Заголовок"]
        assert [e.name for e in a.entities] == ["Россия", "Китай"]
        assert a.entities[0].mentions == [0]
        assert a.events[0].actors[1].country == "CHN"
        assert a.events[0].location.resolved_place == "Москва"
        assert a.facts[0].status == "signed"
        assert store.rejections()[0].reason == "empty: no text"
        assert store.find_document_id("d") == "d1"
        assert store.find_document_id("d1.txt") == "d1"
        assert store.stats()["events"] == {"SUPPORT": 1}


def test_rerun_replaces_and_never_duplicates(tmp_path):
    path = tmp_path / "kb.db"
    for _ in range(3):
        with Store(path) as store:
            store.write([make_analysis("d1"), make_analysis("d2")],
                        [Rejection("bad.jsonl", "not JSON", 3)])
    assert counts(path) == {"documents": 2, "documents_fts": 2, "mentions": 4, "entities": 4,
                            "facts": 2, "quotes": 2, "events": 2, "event_parties": 4,
                            "rejections": 1}


def test_a_crash_mid_batch_leaves_nothing_half_written(tmp_path, monkeypatch):
    path = tmp_path / "kb.db"
    with Store(path) as store:
        store.write([make_analysis("d1", "Старый текст.")])
    original = Store._replace
    calls = []

    def crash_on_second(self, analysis):
        calls.append(analysis.document.id)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return original(self, analysis)
    monkeypatch.setattr(Store, "_replace", crash_on_second)
    with Store(path) as store:
        with pytest.raises(RuntimeError):
            store.write([make_analysis("d1"), make_analysis("d2")])
    # the old d1 is intact, no trace of d2
    with Store(path, readonly=True) as store:
        assert store.document_ids() == ["d1"]
        assert store.load("d1").document.text == "Старый текст."
    assert counts(path)["events"] == 1


def test_readonly_store_refuses_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        Store(tmp_path / "none.db", readonly=True)


def test_fts_search(tmp_path):
    path = tmp_path / "kb.db"
    with Store(path) as store:
        store.write([make_analysis("d1")])
        rows = store.db.execute("SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ?",
                                ("соглашение",)).fetchall()
    assert [r[0] for r in rows] == ["d1"]


def fts_rowids_follow_rows(path) -> bool:
    db = sqlite3.connect(path)
    docs = db.execute("SELECT count(*) FROM documents_fts f JOIN documents d "
                      "ON d.rowid = f.rowid AND d.id = f.doc_id").fetchone()[0]
    quotes = db.execute("SELECT count(*) FROM quotes_fts f JOIN quotes q "
                        "ON q.rowid = f.rowid AND q.doc_id = f.doc_id AND q.idx = f.idx").fetchone()[0]
    return (docs == db.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
            and quotes == db.execute("SELECT count(*) FROM quotes_fts").fetchone()[0])


def test_rewritten_documents_keep_one_full_text_row_under_their_rowid(tmp_path):
    path = tmp_path / "kb.db"
    with Store(path) as store:
        store.write([make_analysis("d1"), make_analysis("d2")])
        store.write([make_analysis("d1", "Китай и Индия подписали договор.")])
        store.write([make_analysis("d2")])
        hits = store.db.execute("SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ?",
                                ("Индия",)).fetchall()
        assert [h[0] for h in hits] == ["d1"]
        assert store.db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?",
                                ("Россия",)).fetchone()[0] == 1     # d2 only, once
    assert counts(path)["documents_fts"] == 2
    assert fts_rowids_follow_rows(path)


def test_a_version_1_database_is_migrated(tmp_path):
    """Version 1 let FTS5 pick its rowids: opening it renumbers them, and a
    rewrite then deletes the right full-text rows."""
    path = tmp_path / "old.db"
    with Store(path) as store:
        store.write([make_analysis("d1"), make_analysis("d2")])
        db = store.db
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        for table, columns in (("documents_fts", "doc_id, title, body"),
                               ("quotes_fts", "doc_id, idx, text")):
            rows = db.execute(f"SELECT {columns} FROM {table}").fetchall()
            db.execute(f"DELETE FROM {table}")
            db.executemany(f"INSERT INTO {table} (rowid, {columns}) VALUES (?, {', '.join('?' * len(rows[0]))})",
                           [(1000 + i, *r) for i, r in enumerate(reversed(rows))])
        db.commit()
    assert not fts_rowids_follow_rows(path)
    with Store(path) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        store.write([make_analysis("d1", "Китай и Индия подписали договор.")])
    assert fts_rowids_follow_rows(path)
    assert counts(path)["documents_fts"] == 2
