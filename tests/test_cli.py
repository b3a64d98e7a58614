"""The command line as a user meets it: extract, show, export, stats,
rejections; exit statuses; reruns."""
import json
import shutil
import sqlite3

import pytest

from conftest import SEED
from svodka.cli import main

SEED_ID = "000_10db7d64be0f7442"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "feed.jsonl").write_text(
        json.dumps({"text": "Глава МИД России Сергей Лавров встретился в Анкаре с министром "
                            "иностранных дел Турции Мевлютом Чавушоглу.",
                    "published": "2022-03-10", "source": "example.ru"}, ensure_ascii=False)
        + "\n{broken\n", encoding="utf-8")
    return folder


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_reports_rejections_and_goes_on(corpus, tmp_path, capsys):
    db = tmp_path / "kb.db"
    code, out, err = run(capsys, "extract", corpus, "--db", db, "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["documents"] == 2 and summary["rejected"] == 2
    reasons = {(r["path"].split("/")[-1], r["line"]): r["reason"] for r in summary["rejections"]}
    assert reasons[("empty.txt", None)].startswith("empty")
    assert reasons[("feed.jsonl", 2)].startswith("not JSON")
    assert "feed.jsonl:2: not JSON" in err
    code, out, _ = run(capsys, "rejections", "--db", db, "--json")
    assert len(json.loads(out)) == 2


def test_strict_and_nothing_processed(corpus, tmp_path, capsys):
    assert run(capsys, "extract", corpus, "--db", tmp_path / "a.db", "--strict")[0] == 1
    assert run(capsys, "extract", corpus / "empty.txt", "--db", tmp_path / "b.db")[0] == 1
    assert run(capsys, "extract", tmp_path / "missing", "--db", tmp_path / "c.db")[0] == 1


def test_rerun_is_idempotent(corpus, tmp_path, capsys):
    db = tmp_path / "kb.db"
    tables = ("documents", "mentions", "entities", "facts", "quotes", "events", "rejections")

    def counts():
        con = sqlite3.connect(db)
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    run(capsys, "extract", corpus, "--db", db)
    first = counts()
    run(capsys, "extract", corpus, "--db", db)
    assert counts() == first
    assert first["events"] >= 4


def test_show_export_stats(corpus, tmp_path, capsys):
    db = tmp_path / "kb.db"
    run(capsys, "extract", corpus, "--db", db)
    code, out, _ = run(capsys, "show", SEED_ID, "--db", db)
    assert code == 0 and "Алихан Смаилов" in out and "CONSULT" in out and "kapital.kz" in out
    code, out, _ = run(capsys, "show", SEED_ID[:8], "--db", db, "--json")
    shown = json.loads(out)
    assert shown["id"] == SEED_ID and shown["photo_credit"] == "primeminister.kz"
    code, out, _ = run(capsys, "export", "--db", db, "--format", "plover")
    events = [json.loads(line) for line in out.splitlines()]
    assert {"CONSULT", "SUPPORT", "AGREE"} <= {e["event"] for e in events}
    assert all(e["quad_code"] in (1, 2, 3, 4) for e in events)
    code, out, _ = run(capsys, "export", "--db", db)
    assert len(out.splitlines()) == 2
    code, out, _ = run(capsys, "stats", "--db", db, "--json")
    assert json.loads(out)["documents"] == 2
    code, out, _ = run(capsys, "export", "--db", db, "--format", "factru", "--out", tmp_path / "answers")
    assert (tmp_path / "answers" / f"{SEED_ID}.task3").read_text(encoding="utf-8").startswith("Occupation:")


def test_clear_errors(tmp_path, capsys):
    code, _, err = run(capsys, "show", "nothing", "--db", tmp_path / "none.db")
    assert code == 2 and "no such database" in err
    with pytest.raises(SystemExit):
        main(["extract"])
