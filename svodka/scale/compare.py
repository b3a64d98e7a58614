"""Record-for-record comparison of two svodka databases (tests, benchmarks).

Run times (``processed_at``, ``at``) differ between runs by nature and are
left out; everything else must be equal, whatever engine wrote the file."""
from __future__ import annotations

import sqlite3

VOLATILE_COLUMNS = {"processed_at", "at"}
# Tables this module family adds after a run; compared only when asked.
DERIVED_TABLES = {"story_members", "source_aliases"}


def records(db_path: str, include_derived: bool = False) -> dict[str, list[tuple]]:
    """Every table's rows (volatile columns left out), sorted."""
    db = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts\\_%' ESCAPE '\\'")]
        out = {}
        for table in sorted(tables):
            if table in DERIVED_TABLES and not include_derived:
                continue
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")
                       if r[1] not in VOLATILE_COLUMNS]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        db.close()


def differences(a: str, b: str, show: int = 3) -> list[str]:
    """Human-readable differences between two databases' records (empty if equal)."""
    left, right = records(a), records(b)
    found = []
    for table in sorted(set(left) | set(right)):
        x, y = left.get(table, []), right.get(table, [])
        if x != y:
            only_x = [r for r in x if r not in set(y)][:show]
            only_y = [r for r in y if r not in set(x)][:show]
            found.append(f"{table}: {len(x)} vs {len(y)} rows; only in {a}: {only_x}; "
                         f"only in {b}: {only_y}")
    return found
