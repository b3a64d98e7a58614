"""Scale: --jobs N and Dask give the single-process records, a killed Dask run
resumes without losing or duplicating records, reprints group into stories."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SAMPLES, SEED

pytest.importorskip("datasketch")
pytest.importorskip("pyarrow")

from svodka.cli import main
from svodka.model import Actor, Analysis, Document, Event, Rejection
from svodka.scale.compare import differences
from svodka.scale.parquet import DONE, TABLES, finished_shards, load
from svodka.scale.shards import plan_shards, read_shard

FACTRU_TEXTS = ("book_100.txt", "book_105.txt", "book_115.txt", "book_117.txt")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A few short articles, the seed and one input that must be rejected."""
    folder = tmp_path_factory.mktemp("inputs")
    for name in FACTRU_TEXTS:
        shutil.copy(SAMPLES / "factru-dev" / name, folder / name)
    shutil.copy(SEED, folder / SEED.name)
    (folder / "zz_binary.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    return folder


@pytest.fixture(scope="module")
def single_db(inputs, tmp_path_factory):
    db = tmp_path_factory.mktemp("single") / "single.db"
    assert main(["extract", str(inputs), "--db", str(db)]) == 0
    return db


def test_jobs_equal_single_process(inputs, single_db, tmp_path):
    db = tmp_path / "jobs.db"
    # batches of 2 documents: several batches in flight on 2 processes
    assert main(["extract", str(inputs), "--db", str(db), "--jobs", "2", "--batch-size", "2"]) == 0
    assert differences(str(single_db), str(db)) == []


def test_dask_local_cluster_equals_single_process(inputs, single_db, tmp_path):
    from svodka.scale.dask_runner import run_dask
    out = tmp_path / "parquet"
    summary = run_dask([str(inputs)], out, workers=2, batch_size=2, documents_per_shard=2)
    assert summary["processed"] == summary["shards"] >= 3
    assert summary["documents"] == len(FACTRU_TEXTS) + 1 and summary["rejected"] == 1
    for table in TABLES:        # one file per shard per table
        assert len(list((out / table).glob("*.parquet"))) == summary["shards"]
    db = tmp_path / "dask.db"
    assert main(["load", str(out), "--db", str(db)]) == 0
    assert differences(str(single_db), str(db)) == []
    # a second run finds everything done
    again = run_dask([str(inputs)], out, workers=2, batch_size=2, documents_per_shard=2)
    assert again["processed"] == 0 and again["skipped"] == summary["shards"]


def test_killed_dask_run_resumes_with_the_same_records(inputs, single_db, tmp_path):
    out = tmp_path / "parquet"
    command = [sys.executable, "-m", "svodka.cli", "extract", str(inputs), "--engine", "dask",
               "--out", str(out), "--jobs", "2", "--batch-size", "1", "--shard-size", "1"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    total = len(plan_shards([str(inputs)], 1))
    # own session: SIGKILL reaches the client, the LocalCluster and its workers
    run = subprocess.Popen(command, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while not finished_shards(out) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.02)
        done_at_kill = len(finished_shards(out))
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.wait()
    assert 0 < done_at_kill < total, "the run was not killed mid-way"
    done_before = finished_shards(out)

    rerun = subprocess.run(command + ["--json"], env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["skipped"] >= len(done_before)
    assert summary["skipped"] + summary["processed"] == total
    assert len(finished_shards(out)) == total
    assert not list(out.glob("*/.*.tmp"))
    db = tmp_path / "resumed.db"
    load(out, db)
    assert differences(str(single_db), str(db)) == []


def test_shard_without_marker_is_done_again(inputs, single_db, tmp_path):
    """A kill between two table files of a shard: no marker, so the shard is
    redone, its files replaced (not added to)."""
    from svodka.scale.dask_runner import run_dask
    out = tmp_path / "parquet"
    run_dask([str(inputs)], out, workers=1, batch_size=32, documents_per_shard=32)
    (shard,) = finished_shards(out)
    (out / DONE / f"{shard}.json").unlink()
    (out / "events" / f"{shard}.parquet").unlink()
    (out / "mentions" / f".{shard}.deadbeef.tmp").write_bytes(b"half a file")
    assert load(out, tmp_path / "empty.db")["documents"] == 0     # unfinished shards are not read
    summary = run_dask([str(inputs)], out, workers=1, batch_size=32, documents_per_shard=32)
    assert summary["processed"] == 1
    db = tmp_path / "redone.db"
    load(out, db)
    assert differences(str(single_db), str(db)) == []


def test_jsonl_chunks_read_like_the_whole_file(tmp_path):
    from svodka.ingest import read_inputs
    path = tmp_path / "news.jsonl"
    lines = [json.dumps({"text": f"Статья номер {i}.", "source": "ria.ru"}, ensure_ascii=False)
             for i in range(7)]
    lines.insert(3, "not json")
    lines.insert(5, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shards = plan_shards([str(path)], 3)
    assert len(shards) == 3
    sharded = [item for shard in shards for item in read_shard(shard)]
    whole = list(read_inputs([str(path)]))
    assert sharded == whole
    assert any(isinstance(item, Rejection) and item.line == 4 for item in sharded)


# -- reprints ------------------------------------------------------------------
STORY = ("Президент России Владимир Путин провел в Кремле переговоры с председателем КНР "
         "Си Цзиньпином. Стороны обсудили торговлю, энергетику и ситуацию на Корейском "
         "полуострове. По итогам встречи лидеры подписали совместное заявление о расширении "
         "партнерства и договорились продолжить контакты на полях саммита ШОС осенью. "
         "Министр иностранных дел Сергей Лавров назвал переговоры конструктивными.")
OTHER = ("Правительство Казахстана утвердило план развития железных дорог до 2030 года. "
         "Премьер-министр Алихан Смаилов поручил ускорить строительство новых линий и "
         "модернизацию вокзалов в Астане и Алматы, а также закупку локомотивов.")


def _analysis(doc_id, text, source=None, original_source=None):
    document = Document(id=doc_id, text=text, source=source, original_source=original_source)
    event = Event(category="CONSULT", quad_code=1,
                  actors=[Actor("Путин", "Владимир Путин", "RUS")],
                  recipients=[Actor("Си Цзиньпин", "Си Цзиньпин", "CHN")],
                  mode=[], context=[], location=None, date="2024-05-16",
                  text=text[:60], start=0, stop=60)
    return Analysis(document=document, events=[event] if "Путин" in text else [])


def test_reprints_are_one_story_with_events_counted_once(tmp_path):
    from svodka.scale.reprints import assign_stories, reprinted_stories
    from svodka.store.sqlite import Store
    edited = STORY.replace("Корейском полуострове", "Ближнем Востоке").replace(
        "конструктивными", "очень полезными")
    with Store(tmp_path / "kb.db") as store:
        store.write([
            _analysis("a_story", "Москва, 16 мая. " + STORY, source="ria.ru"),
            _analysis("b_reprint", "16.05.2024\n" + edited + "\nИсточник: РИА Новости",
                      source="lenta.ru"),
            _analysis("c_credited", STORY + " Об этом сообщает РИА Новости.",
                      source="news.mail.ru", original_source="РИА Новости"),
            _analysis("d_other", OTHER, source="tass.ru"),
        ])
    summary = assign_stories(str(tmp_path / "kb.db"))
    assert summary["stories"] == 2 and summary["stories_with_reprints"] == 1
    assert summary["reprinted_documents"] == 3
    (story,) = reprinted_stories(str(tmp_path / "kb.db"))
    assert story["story_id"] == "a_story" and story["documents"] == 3
    assert story["sources"] == 2                # mail.ru only reprints RIA (ria.ru)
    import sqlite3
    db = sqlite3.connect(tmp_path / "kb.db")
    rows = db.execute("SELECT story_id, category, actors, recipients, reports, sources "
                      "FROM story_events").fetchall()
    assert rows == [("a_story", "CONSULT", "RUS", "CHN", 3, 2)]
    # regrouping replaces, never duplicates
    assign_stories(str(tmp_path / "kb.db"))
    assert db.execute("SELECT count(*) FROM story_members").fetchone()[0] == 3
