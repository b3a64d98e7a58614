"""Reprints: near-duplicate articles grouped into stories (MinHash LSH).

Agencies' stories are republished by many sites with small edits (a new
dateline, a dropped paragraph, a credit line). Bodies are cut into
overlapping five-word shingles; MinHash signatures and an LSH index find
candidate pairs, kept when their estimated Jaccard similarity reaches the
threshold, and the pairs are joined into stories (union-find, so A~B and
B~C make one story). A story's id is its smallest document id.

The result lives in this module's own table ``story_members(doc_id,
story_id)``, beside two views: ``stories`` (documents and independent
sources per story) and ``story_events`` (each story's events counted once:
one row per story, category, actor and recipient countries, with the
number of reports and of independent sources). A source is independent
when it is a different origin: the site a reprint credits
(``original_source``) when known, else the site that published it, else
the document itself. Sites are named by domain (``ria.ru``) and credits by
name (``РИА Новости``): the table ``source_aliases`` maps both spellings of
the main Russian media to one origin, so a reprint crediting RIA and RIA's
own copy count as one source.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Iterable, Iterator

SHINGLE_WORDS = 5
NUM_PERM = 128
DEFAULT_THRESHOLD = 0.5

_WORD = re.compile(r"\w+")

# One origin, its domains and the names it is credited by.
MEDIA = {
    "ria": ["ria.ru", "РИА Новости", "РИА «Новости»", 'РИА "Новости"', "RIA Novosti"],
    "tass": ["tass.ru", "ТАСС", "ИТАР-ТАСС", "TASS"],
    "interfax": ["interfax.ru", "Интерфакс", "Interfax"],
    "rbc": ["rbc.ru", "РБК", "RBC"],
    "kommersant": ["kommersant.ru", "Коммерсантъ", "Коммерсант", "Kommersant"],
    "lenta": ["lenta.ru", "Лента.ру", "Лента.Ру"],
    "izvestia": ["iz.ru", "Известия"],
    "rg": ["rg.ru", "Российская газета", "РГ"],
    "vedomosti": ["vedomosti.ru", "Ведомости"],
    "newsru": ["newsru.com", "NEWSru", "NEWSru.com"],
    "mail": ["news.mail.ru", "Новости Mail.ru"],
    "regnum": ["regnum.ru", "REGNUM", "ИА REGNUM"],
    "rt": ["russian.rt.com", "rt.com", "RT"],
    "gazeta": ["gazeta.ru", "Газета.Ru", "Газета.ру"],
    "fontanka": ["fontanka.ru", "Фонтанка"],
}

# The origin of a document: its credited source, else its site, else itself;
# ASCII names (domains) compared in lower case, without "www.".
_ORIGIN = """coalesce(
    (SELECT a.origin FROM source_aliases a WHERE a.alias = lower(replace(d.original_source, 'www.', ''))),
    lower(replace(d.original_source, 'www.', '')),
    (SELECT a.origin FROM source_aliases a WHERE a.alias = lower(replace(d.source, 'www.', ''))),
    lower(replace(d.source, 'www.', '')),
    d.id)"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS story_members (
    doc_id TEXT PRIMARY KEY, story_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);
CREATE TABLE IF NOT EXISTS source_aliases (alias TEXT PRIMARY KEY, origin TEXT NOT NULL);
DROP VIEW IF EXISTS stories;
DROP VIEW IF EXISTS story_events;
CREATE VIEW stories AS
    SELECT coalesce(m.story_id, d.id) AS story_id, count(*) AS documents,
           count(DISTINCT ORIGIN) AS sources,
           min(d.published) AS first_published, group_concat(d.id, ' ') AS doc_ids
    FROM documents d LEFT JOIN story_members m ON m.doc_id = d.id
    GROUP BY 1;
CREATE VIEW story_events AS
    WITH keyed AS (
        SELECT coalesce(m.story_id, e.doc_id) AS story_id, e.doc_id, e.idx, e.category,
               e.quad, e.date,
               coalesce((SELECT group_concat(c, ',') FROM (
                   SELECT DISTINCT coalesce(p.country, p.entity_name) AS c FROM event_parties p
                   WHERE p.doc_id = e.doc_id AND p.event_idx = e.idx AND p.role = 'actor'
                   ORDER BY c)), '') AS actors,
               coalesce((SELECT group_concat(c, ',') FROM (
                   SELECT DISTINCT coalesce(p.country, p.entity_name) AS c FROM event_parties p
                   WHERE p.doc_id = e.doc_id AND p.event_idx = e.idx AND p.role = 'recipient'
                   ORDER BY c)), '') AS recipients,
               ORIGIN AS origin
        FROM events e JOIN documents d ON d.id = e.doc_id
        LEFT JOIN story_members m ON m.doc_id = e.doc_id)
    SELECT story_id, category, actors, recipients, min(quad) AS quad, min(date) AS date,
           count(*) AS reports, count(DISTINCT doc_id) AS documents,
           count(DISTINCT origin) AS sources, min(doc_id) AS first_doc
    FROM keyed GROUP BY story_id, category, actors, recipients;
""".replace("ORIGIN", _ORIGIN)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Overlapping word n-grams of the lower-cased text (ё as е); a text
    shorter than n words is one shingle."""
    words = _WORD.findall(text.lower().replace("ё", "е"))
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str, num_perm: int = NUM_PERM):
    from datasketch import MinHash
    minhash = MinHash(num_perm=num_perm, seed=1)
    minhash.update_batch(list(shingles(text)))
    return minhash


def group(texts: Iterable[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD,
          num_perm: int = NUM_PERM) -> dict[str, str]:
    """{doc_id: story_id} for the documents that have at least one
    near-duplicate among ``texts`` ((doc_id, body) pairs)."""
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    signatures = {}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, text in texts:
        if doc_id in signatures:
            continue
        minhash = signature(text, num_perm)
        if minhash.is_empty():
            continue
        for other in lsh.query(minhash):
            if minhash.jaccard(signatures[other]) >= threshold:
                parent.setdefault(doc_id, doc_id)
                parent.setdefault(other, other)
                a, b = find(doc_id), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        lsh.insert(doc_id, minhash)
        signatures[doc_id] = minhash
    members: dict[str, list[str]] = {}
    for doc_id in parent:
        members.setdefault(find(doc_id), []).append(doc_id)
    return {doc_id: min(ids) for ids in members.values() for doc_id in ids}


def ensure_schema(db: sqlite3.Connection) -> None:
    """This module's table, aliases and views (views recreated: always current)."""
    db.executescript(SCHEMA)
    # SQLite's lower() folds ASCII letters only: fold the aliases the same way
    aliases = [("".join(c.lower() if c.isascii() else c for c in alias), origin)
               for origin, names in MEDIA.items() for alias in names]
    with db:
        db.execute("DELETE FROM source_aliases")
        db.executemany("INSERT OR REPLACE INTO source_aliases VALUES (?, ?)", aliases)


def bodies(db: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    rows = db.execute("SELECT id, substr(text, body_start + 1, body_stop - body_start) "
                      "FROM documents ORDER BY id")
    yield from rows


def assign_stories(db_path: str, threshold: float = DEFAULT_THRESHOLD,
                   num_perm: int = NUM_PERM) -> dict:
    """Group the database's documents into stories (replacing any earlier
    grouping, in one transaction) and return counts."""
    db = sqlite3.connect(db_path)
    try:
        ensure_schema(db)
        stories = group(bodies(db), threshold, num_perm)
        with db:
            db.execute("DELETE FROM story_members")
            db.executemany("INSERT INTO story_members VALUES (?, ?)", sorted(stories.items()))
        return summary(db)
    finally:
        db.close()


def summary(db: sqlite3.Connection) -> dict:
    one = lambda sql: db.execute(sql).fetchone()[0]
    return {
        "documents": one("SELECT count(*) FROM documents"),
        "reprinted_documents": one("SELECT count(*) FROM story_members"),
        "stories": one("SELECT count(*) FROM stories"),
        "stories_with_reprints": one("SELECT count(*) FROM stories WHERE documents > 1"),
        "events": one("SELECT count(*) FROM events"),
        "story_events": one("SELECT count(*) FROM story_events"),
    }


def reprinted_stories(db_path: str, limit: int = 20) -> list[dict]:
    """The largest stories with more than one document."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        ensure_schema(db)
        rows = db.execute("SELECT * FROM stories WHERE documents > 1 "
                          "ORDER BY documents DESC, story_id LIMIT ?", (limit,))
        return [dict(r) for r in rows]
    finally:
        db.close()
