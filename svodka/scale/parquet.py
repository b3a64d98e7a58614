"""Analyses as partitioned Parquet, and back into SQLite.

Layout of an output folder::

    OUT/documents/<shard>.parquet   one file per shard and table
    OUT/sentences/<shard>.parquet
    OUT/mentions/ entities/ facts/ quotes/ events/ rejections/
    OUT/_done/<shard>.json          written last: the shard is complete

Every file is written to a temporary name and renamed into place, and the
``_done`` marker only after all of a shard's tables, so a run killed at any
moment leaves complete files or none, and a shard without its marker is
simply done again (same file names: nothing is duplicated). Readers look
only at shards with a marker.

Columns hold what ``Store.write`` needs to rebuild the same rows; nested
values (fact arguments, event actors, furniture) are JSON text, as in SQLite.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator, Union

from ..model import (Actor, Analysis, Document, Entity, Event, Fact, Furniture,
                     Location, Mention, Quote, Rejection, Sentence)

TABLES = ("documents", "sentences", "mentions", "entities", "facts", "quotes",
          "events", "rejections")
DONE = "_done"
PLAN = "_plan.json"     # the shard ids of the latest run, in input order


def _schemas():
    import pyarrow as pa
    s, i, i64 = pa.string(), pa.int32(), pa.int64()
    return {
        "documents": pa.schema([("seq", i64), ("doc_id", s), ("path", s), ("line", i64),
                                ("title", s), ("url", s), ("published", s), ("source", s),
                                ("original_source", s), ("author", s), ("photo_credit", s),
                                ("related_headlines", s), ("text", s), ("body_start", i64),
                                ("body_stop", i64), ("furniture", s)]),
        "sentences": pa.schema([("doc_id", s), ("idx", i), ("start", i64), ("stop", i64)]),
        "mentions": pa.schema([("doc_id", s), ("idx", i), ("start", i64), ("stop", i64),
                               ("text", s), ("type", s), ("normal", s), ("entity", s),
                               ("sentence", i), ("source", s)]),
        "entities": pa.schema([("doc_id", s), ("idx", i), ("id", s), ("kind", s), ("name", s),
                               ("country", s), ("code", s), ("sector", s), ("position", s),
                               ("parent", s), ("mentions", pa.list_(i))]),
        "facts": pa.schema([("doc_id", s), ("idx", i), ("type", s), ("args", s),
                            ("start", i64), ("stop", i64), ("status", s)]),
        "quotes": pa.schema([("doc_id", s), ("idx", i), ("text", s), ("start", i64),
                             ("stop", i64), ("kind", s), ("speaker", s), ("speaker_text", s),
                             ("sentence_start", i64), ("sentence_stop", i64)]),
        "events": pa.schema([("doc_id", s), ("idx", i), ("category", s), ("quad_code", i),
                             ("actors", s), ("recipients", s), ("mode", s), ("context", s),
                             ("location", s), ("date", s), ("text", s), ("start", i64),
                             ("stop", i64), ("trigger", s)]),
        "rejections": pa.schema([("seq", i64), ("path", s), ("line", i64), ("reason", s)]),
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- Analyses -> rows ----------------------------------------------------------
def to_rows(results: Iterable[Union[Analysis, Rejection]]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    for seq, result in enumerate(results):
        if isinstance(result, Rejection):
            rows["rejections"].append({"seq": seq, "path": result.path, "line": result.line,
                                       "reason": result.reason})
            continue
        a, d = result, result.document
        doc_id = d.id
        rows["documents"].append({
            "seq": seq, "doc_id": doc_id, "path": d.path, "line": d.line, "title": d.title,
            "url": d.url, "published": d.published, "source": d.source,
            "original_source": d.original_source, "author": d.author,
            "photo_credit": d.photo_credit, "related_headlines": _json(d.related_headlines),
            "text": d.text, "body_start": d.body_start, "body_stop": d.body_stop,
            "furniture": _json([asdict(f) for f in d.furniture])})
        rows["sentences"] += [{"doc_id": doc_id, "idx": i, "start": x.start, "stop": x.stop}
                              for i, x in enumerate(a.sentences)]
        rows["mentions"] += [{"doc_id": doc_id, "idx": i, "start": m.start, "stop": m.stop,
                              "text": m.text, "type": m.type, "normal": m.normal,
                              "entity": m.entity, "sentence": m.sentence, "source": m.source}
                             for i, m in enumerate(a.mentions)]
        rows["entities"] += [{"doc_id": doc_id, "idx": i, "id": e.id, "kind": e.kind,
                              "name": e.name, "country": e.country, "code": e.code,
                              "sector": e.sector, "position": e.position, "parent": e.parent,
                              "mentions": list(e.mentions)}
                             for i, e in enumerate(a.entities)]
        rows["facts"] += [{"doc_id": doc_id, "idx": i, "type": f.type, "args": _json(f.args),
                           "start": f.start, "stop": f.stop, "status": f.status}
                          for i, f in enumerate(a.facts)]
        rows["quotes"] += [{"doc_id": doc_id, "idx": i, "text": q.text, "start": q.start,
                            "stop": q.stop, "kind": q.kind, "speaker": q.speaker,
                            "speaker_text": q.speaker_text, "sentence_start": q.sentence_start,
                            "sentence_stop": q.sentence_stop}
                           for i, q in enumerate(a.quotes)]
        rows["events"] += [{"doc_id": doc_id, "idx": i, "category": e.category,
                            "quad_code": e.quad_code,
                            "actors": _json([asdict(x) for x in e.actors]),
                            "recipients": _json([asdict(x) for x in e.recipients]),
                            "mode": _json(e.mode), "context": _json(e.context),
                            "location": _json(asdict(e.location)) if e.location else None,
                            "date": e.date, "text": e.text, "start": e.start, "stop": e.stop,
                            "trigger": e.trigger}
                           for i, e in enumerate(a.events)]
    return rows


# -- rows -> Analyses ----------------------------------------------------------
def from_rows(rows: dict[str, list[dict]]) -> list[Union[Analysis, Rejection]]:
    """The Analyses and Rejections of one shard, in their original order."""
    by_doc: dict[tuple[int, str], Analysis] = {}
    ordered: list[tuple[int, Union[Analysis, Rejection]]] = []
    last_copy = {r["doc_id"]: r for r in sorted(rows["documents"], key=lambda r: r["seq"])}
    for r in last_copy.values():
        doc = Document(id=r["doc_id"], text=r["text"], path=r["path"], line=r["line"],
                       title=r["title"], url=r["url"], published=r["published"],
                       source=r["source"], original_source=r["original_source"],
                       author=r["author"], photo_credit=r["photo_credit"],
                       related_headlines=json.loads(r["related_headlines"]),
                       body_start=r["body_start"], body_stop=r["body_stop"],
                       furniture=[Furniture(**f) for f in json.loads(r["furniture"])])
        analysis = Analysis(document=doc)
        by_doc[r["doc_id"]] = analysis
        ordered.append((r["seq"], analysis))
    for r in rows["rejections"]:
        ordered.append((r["seq"], Rejection(r["path"], r["reason"], r["line"])))
    # A document id that occurs twice in a shard (an exact reprint) has its
    # child rows twice; the store keeps the last copy, so do we.
    def sorted_rows(table):
        unique = {(r["doc_id"], r["idx"]): r for r in rows[table]}
        return sorted(unique.values(), key=lambda r: r["idx"])
    for r in sorted_rows("sentences"):
        a = by_doc[r["doc_id"]]
        a.sentences.append(Sentence(r["start"], r["stop"], a.document.text[r["start"]:r["stop"]]))
    for r in sorted_rows("mentions"):
        by_doc[r["doc_id"]].mentions.append(
            Mention(r["start"], r["stop"], r["text"], r["type"], r["normal"], r["entity"],
                    r["sentence"], r["source"]))
    for r in sorted_rows("entities"):
        by_doc[r["doc_id"]].entities.append(
            Entity(r["id"], r["kind"], r["name"], r["country"], r["code"], r["sector"],
                   r["position"], r["parent"], list(r["mentions"] or [])))
    for r in sorted_rows("facts"):
        by_doc[r["doc_id"]].facts.append(
            Fact(r["type"], json.loads(r["args"]), r["start"], r["stop"], r["status"]))
    for r in sorted_rows("quotes"):
        by_doc[r["doc_id"]].quotes.append(
            Quote(r["text"], r["start"], r["stop"], r["kind"], r["speaker"], r["speaker_text"],
                  r["sentence_start"], r["sentence_stop"]))
    for r in sorted_rows("events"):
        location = json.loads(r["location"]) if r["location"] else None
        by_doc[r["doc_id"]].events.append(Event(
            category=r["category"], quad_code=r["quad_code"],
            actors=[Actor(**x) for x in json.loads(r["actors"])],
            recipients=[Actor(**x) for x in json.loads(r["recipients"])],
            mode=json.loads(r["mode"]), context=json.loads(r["context"]),
            location=Location(**location) if location else None,
            date=r["date"], text=r["text"], start=r["start"], stop=r["stop"],
            trigger=r["trigger"] or ""))
    return [item for _, item in sorted(ordered, key=lambda pair: pair[0])]


# -- files ---------------------------------------------------------------------
def write_shard(out_dir: str | Path, shard_id: str, results: list, info: dict | None = None) -> dict:
    """Write one shard's tables, then its completion marker; returns counts."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = Path(out_dir)
    rows = to_rows(results)
    schemas = _schemas()
    for table in TABLES:
        folder = out / table
        folder.mkdir(parents=True, exist_ok=True)
        arrow = pa.Table.from_pylist(rows[table], schema=schemas[table])
        final = folder / f"{shard_id}.parquet"
        temporary = folder / f".{shard_id}.{uuid.uuid4().hex}.tmp"
        pq.write_table(arrow, temporary, compression="zstd")
        _fsync(temporary)
        os.replace(temporary, final)
    counts = {table: len(rows[table]) for table in TABLES}
    _write_atomic(out / DONE / f"{shard_id}.json", _json(dict(info or {}, shard=shard_id, counts=counts)))
    return counts


def finished_shards(out_dir: str | Path) -> set[str]:
    folder = Path(out_dir) / DONE
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.glob("*.json")}


def read_shard_rows(out_dir: str | Path, shard_id: str) -> dict[str, list[dict]]:
    import pyarrow.parquet as pq
    out = Path(out_dir)
    return {table: pq.read_table(out / table / f"{shard_id}.parquet").to_pylist()
            for table in TABLES}


def read_results(out_dir: str | Path) -> Iterator[tuple[str, list]]:
    """(shard id, Analyses and Rejections) for every finished shard, in shard
    order; only the latest plan's shards when a run left one (a shard of an
    input changed since is stale)."""
    finished = finished_shards(out_dir)
    plan = Path(out_dir) / PLAN
    if plan.exists():
        finished &= set(json.loads(plan.read_text()))
    for shard_id in sorted(finished):
        yield shard_id, from_rows(read_shard_rows(out_dir, shard_id))


def load(parquet_dir: str | Path, db: str | Path, documents_per_transaction: int = 2000) -> dict:
    """Merge a Parquet output folder into SQLite with ``Store.write``: each
    document's records replaced, in large transactions, shards in order (so
    a document that occurs twice ends as its last copy, as on one process)."""
    from ..store.sqlite import Store
    counts = {"shards": 0, "documents": 0, "rejected": 0}
    pending: list = []
    with Store(db) as store:
        def flush() -> None:
            store.write([x for x in pending if isinstance(x, Analysis)],
                        [x for x in pending if isinstance(x, Rejection)])
            pending.clear()
        for _, results in read_results(parquet_dir):
            counts["shards"] += 1
            for item in results:
                counts["rejected" if isinstance(item, Rejection) else "documents"] += 1
            pending.extend(results)
            if len(pending) >= documents_per_transaction:
                flush()
        flush()
    return counts


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
