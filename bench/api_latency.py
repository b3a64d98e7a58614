"""API latency at 100,000 events.

Builds a large knowledge base by resampling the documents of a real one
(each copy re-keyed with a new document id and a new publication date,
events dated in step), serves it with ``svodka serve`` in a subprocess on
127.0.0.1, and times the main API calls over loopback: a bounded number of
sequential requests per call, with a short warm-up, reported as p50 / p95
per call. The target is p95 under 100 ms.

    python bench/api_latency.py svodka.db                  # the DB 'make run' builds
    python bench/api_latency.py svodka.db --events 100000 --requests 40 --out /tmp/big.db

The large database is rebuilt unless --reuse is given and it exists.
"""
from __future__ import annotations

import argparse
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# per-document tables copied row for row, doc_id replaced
COPIED = ("furniture", "sentences", "entities", "mentions", "facts", "quotes", "event_parties")


def build(source: Path, out: Path, target_events: int, seed: int, quiet_share: float = 0.5) -> dict:
    """Copy documents of ``source`` into ``out``, chosen at random with
    replacement, until ``out`` holds at least ``target_events`` events."""
    from svodka.store.sqlite import Store
    started = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(str(out) + suffix).unlink(missing_ok=True)
    Store(out).close()                                   # the schema, from the store itself
    db = sqlite3.connect(out)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("ATTACH DATABASE ? AS src", (str(source.resolve()),))   # only read from
    counts = dict(db.execute(
        "SELECT d.id, count(e.idx) FROM src.documents d LEFT JOIN src.events e ON e.doc_id = d.id "
        "GROUP BY d.id").fetchall())
    if not counts or not any(counts.values()):
        raise SystemExit(f"{source}: no events to resample (run 'svodka extract' first)")
    # Documents with events are drawn until the events reach the target;
    # documents without events come along at the source's ratio, at most
    # `quiet_share` of the others (a small sample can be mostly quiet texts,
    # which would only inflate the file).
    with_events = sorted(d for d, n in counts.items() if n)
    quiet = sorted(d for d, n in counts.items() if not n)
    rng = random.Random(seed)
    first_day, days = date(2015, 1, 1), (date(2024, 12, 31) - date(2015, 1, 1)).days
    plan, events = [], 0

    def draw(old: str) -> None:
        published = (first_day + timedelta(days=rng.randrange(days))).isoformat()
        plan.append((f"{old}~{len(plan):06d}", old, published))

    while events < target_events:
        old = rng.choice(with_events)
        draw(old)
        events += counts[old]
    if quiet:
        share = min(quiet_share, len(quiet) / len(with_events))
        for _ in range(int(len(plan) * share)):
            draw(rng.choice(quiet))
    db.execute("CREATE TEMP TABLE plan (new_id TEXT PRIMARY KEY, old_id TEXT, published TEXT)")
    db.executemany("INSERT INTO plan VALUES (?,?,?)", plan)
    db.execute("CREATE INDEX temp.plan_old ON plan(old_id)")

    def columns(table: str) -> list[str]:
        return [r[1] for r in db.execute(f"PRAGMA src.table_info({table})")]

    with db:
        cols = [c for c in columns("documents") if c not in ("id", "published")]
        db.execute(f"INSERT INTO main.documents (id, published, {', '.join(cols)}) "
                   f"SELECT p.new_id, p.published, {', '.join('d.' + c for c in cols)} "
                   "FROM plan p JOIN src.documents d ON d.id = p.old_id")
        for table in COPIED:
            cols = [c for c in columns(table) if c != "doc_id"]
            db.execute(f"INSERT INTO main.{table} (doc_id, {', '.join(cols)}) "
                       f"SELECT p.new_id, {', '.join('t.' + c for c in cols)} "
                       f"FROM plan p JOIN src.{table} t ON t.doc_id = p.old_id")
        # an event keeps its date's presence: dated events move with the copy
        cols = [c for c in columns("events") if c not in ("doc_id", "date")]
        db.execute(f"INSERT INTO main.events (doc_id, date, {', '.join(cols)}) "
                   f"SELECT p.new_id, CASE WHEN t.date IS NULL THEN NULL ELSE p.published END, "
                   f"{', '.join('t.' + c for c in cols)} "
                   "FROM plan p JOIN src.events t ON t.doc_id = p.old_id")
        # full-text tables: through indexed temporary copies (FTS5 has no
        # index on doc_id to join on)
        db.execute("CREATE TEMP TABLE fts_docs AS SELECT doc_id, title, body FROM src.documents_fts")
        db.execute("CREATE INDEX temp.fts_docs_id ON fts_docs(doc_id)")
        # (each full-text row under its row's rowid, as svodka.store writes them)
        db.execute("INSERT INTO main.documents_fts (rowid, doc_id, title, body) "
                   "SELECT d.rowid, p.new_id, f.title, f.body FROM plan p "
                   "JOIN fts_docs f ON f.doc_id = p.old_id JOIN main.documents d ON d.id = p.new_id")
        db.execute("CREATE TEMP TABLE fts_quotes AS SELECT doc_id, idx, text FROM src.quotes_fts")
        db.execute("CREATE INDEX temp.fts_quotes_id ON fts_quotes(doc_id)")
        db.execute("INSERT INTO main.quotes_fts (rowid, doc_id, idx, text) "
                   "SELECT q.rowid, p.new_id, f.idx, f.text FROM plan p "
                   "JOIN fts_quotes f ON f.doc_id = p.old_id "
                   "JOIN main.quotes q ON q.doc_id = p.new_id AND q.idx = f.idx")
    db.execute("DETACH DATABASE src")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stats = {"documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
             "events": db.execute("SELECT count(*) FROM events").fetchone()[0],
             "event_parties": db.execute("SELECT count(*) FROM event_parties").fetchone()[0],
             "entities": db.execute("SELECT count(*) FROM entities").fetchone()[0],
             "seconds": round(time.monotonic() - started, 1)}
    db.close()
    stats["megabytes"] = round(out.stat().st_size / 2**20, 1)
    return stats


def probes(path: Path) -> dict:
    """Real parameter values for the calls: busiest countries, pairs,
    persons, some document ids and search words."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    one = lambda sql: [r[0] for r in db.execute(sql)]
    countries = one("SELECT country FROM event_parties WHERE country GLOB '[A-Z][A-Z][A-Z]' "
                    "GROUP BY country ORDER BY count(*) DESC LIMIT 6")
    pairs = db.execute(
        "SELECT a.country, b.country FROM event_parties a JOIN event_parties b "
        "ON a.doc_id = b.doc_id AND a.event_idx = b.event_idx AND a.country < b.country "
        "WHERE a.country GLOB '[A-Z][A-Z][A-Z]' AND b.country GLOB '[A-Z][A-Z][A-Z]' "
        "AND a.doc_id IN (SELECT id FROM documents ORDER BY random() LIMIT 3000) "
        "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 6").fetchall()
    persons = one("SELECT key FROM entities WHERE kind = 'person' AND doc_id IN "
                  "(SELECT id FROM documents ORDER BY random() LIMIT 3000) "
                  "GROUP BY key ORDER BY count(*) DESC LIMIT 6")
    documents = one("SELECT id FROM documents ORDER BY random() LIMIT 20")
    words = ["переговоры", "Россия", "президент", "соглашение", "Москва", "министр"]
    db.close()
    return {"countries": countries, "pairs": pairs, "persons": persons,
            "documents": documents, "words": words}


def calls(p: dict) -> dict[str, list[str]]:
    """Each API call with a few parameter sets, rotated over the requests."""
    countries, pairs = p["countries"] or ["RUS"], p["pairs"] or [("RUS", "USA")]
    persons = p["persons"] or ["person:x"]
    return {
        "documents (newest)": ["/api/documents?limit=20"],
        "documents ?q=": [f"/api/documents?q={quote(w)}&limit=20" for w in p["words"]],
        "documents ?country&dates": [f"/api/documents?country={c}&date_from=2019&date_to=2021-06"
                                     for c in countries],
        "documents ?facets": [f"/api/documents?q={quote(w)}&facets=true" for w in p["words"][:3]],
        "document/{id}": [f"/api/documents/{quote(d)}" for d in p["documents"]],
        "events (newest)": ["/api/events?limit=50"],
        "events ?country": [f"/api/events?country={c}&limit=50" for c in countries],
        "events ?pair": [f"/api/events?pair={a},{b}&limit=50" for a, b in pairs],
        "events ?category&dates": ["/api/events?category=CONSULT&date_from=2020&date_to=2022",
                                   "/api/events?quad=3&date_from=2018"],
        "events ?context": ["/api/events?context=economic", "/api/events?context=military"],
        "events ?person": [f"/api/events?person={quote(k)}" for k in persons],
        "events deep page": [f"/api/events?country={c}&limit=50&offset=2000" for c in countries[:2]],
        "entity country": [f"/api/entities/{quote('country:' + c)}" for c in countries],
        "entity person": [f"/api/entities/{quote(k)}" for k in persons],
        "pair": [f"/api/pairs/{a}/{b}" for a, b in pairs],
        "search": [f"/api/search?q={quote(w)}" for w in p["words"]],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(db_path: Path, requests: int, warmup: int) -> list[dict]:
    import httpx
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "svodka.cli", "serve", "--db", str(db_path),
                               "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    launched = time.monotonic()
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 600      # serve indexes before it listens
            while True:
                try:
                    started = time.monotonic()
                    client.get("/api/overview")      # also builds the in-memory aggregates
                    startup = time.monotonic() - started
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("svodka serve did not start:\n" +
                                         (server.stderr.read().decode() if server.poll() is not None else ""))
                    time.sleep(0.2)
            print(f"server ready after {time.monotonic() - launched:.1f} s (indexing included); "
                  f"first request {startup * 1000:.0f} ms", file=sys.stderr)
            rows = []
            for name, urls in calls(probes(db_path)).items():
                for url in urls[:warmup]:
                    client.get(url)
                times, statuses = [], set()
                for i in range(requests):
                    url = urls[i % len(urls)]
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    statuses.add(response.status_code)
                rows.append({"call": name, "n": len(times), "p50": statistics.median(times),
                             "p95": percentile(times, 0.95), "max": max(times),
                             "status": ",".join(str(s) for s in sorted(statuses)),
                             "example": urls[0]})
            return rows
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="a knowledge base with real extracted records")
    parser.add_argument("--out", type=Path, default=Path("/tmp/svodka-bench-100k.db"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per call (default 40)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per call first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-share", type=float, default=0.5,
                        help="documents without events per document with events, at most (default 0.5)")
    parser.add_argument("--reuse", action="store_true", help="keep --out if it exists")
    args = parser.parse_args(argv)
    if not args.source.exists():
        parser.error(f"{args.source}: no such database")
    if not (args.reuse and args.out.exists()):
        stats = build(args.source, args.out, args.events, args.seed, args.quiet_share)
        print(f"built {args.out}: {stats['documents']} documents, {stats['events']} events, "
              f"{stats['event_parties']} event parties, {stats['entities']} entity rows, "
              f"{stats['megabytes']} MB in {stats['seconds']} s")
    rows = measure(args.out, args.requests, args.warmup)
    width = max(len(r["call"]) for r in rows)
    print(f"\n{'call':<{width}}  {'n':>4}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  status")
    for r in rows:
        print(f"{r['call']:<{width}}  {r['n']:>4}  {r['p50']:>7.1f}  {r['p95']:>7.1f}  "
              f"{r['max']:>7.1f}  {r['status']}")
    worst = max(rows, key=lambda r: r["p95"])
    verdict = "met" if worst["p95"] < 100 else "NOT met"
    print(f"\ntarget p95 < 100 ms: {verdict} (worst: {worst['call']}, {worst['p95']:.1f} ms)")
    return 0 if all(r["status"] == "200" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
