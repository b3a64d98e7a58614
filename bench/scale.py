"""Scale: a synthetic corpus through --jobs 1, --jobs N and Dask.

The corpus is made by resampling the dev texts (samples/factru-dev by
default): a fresh article is a dateline and four to eight paragraphs drawn
from different dev texts, so fresh articles rarely share a sentence; about a
third of the articles are reprints of an earlier one, lightly edited (a
paragraph dropped, a word changed, a new dateline, a credit line naming the
first site), so reprint detection has real work. Every article carries its
site and date, as a JSON Lines record.

Each engine runs as the ``svodka`` command in a subprocess, polled for the
RSS of every process it starts:

    jobs 1        svodka extract corpus.jsonl --db jobs1.db
    jobs N        svodka extract corpus.jsonl --db jobsN.db --jobs N
    dask N        svodka extract corpus.jsonl --engine dask --jobs N --out pq/
                  + svodka load pq/ --db dask.db
    stories       svodka stories --db jobs1.db (MinHash LSH over the bodies)

Reported: wall time (model loading included), documents/s, speed-up over
jobs 1, CPU seconds, peak RSS of the largest process and of all together,
database size, whether the databases are equal record for record, and how
well the planted reprints were found (pairs of articles in one story).

    python bench/scale.py --articles 100000            # the issue's size
    python bench/scale.py --articles 300 --jobs 2 --workdir /tmp/scale
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = ["ria.ru", "tass.ru", "interfax.ru", "rbc.ru", "kommersant.ru", "lenta.ru",
         "iz.ru", "rg.ru", "vedomosti.ru", "news.mail.ru"]
SITE_NAMES = {"ria.ru": "РИА Новости", "tass.ru": "ТАСС", "interfax.ru": "Интерфакс",
              "rbc.ru": "РБК", "kommersant.ru": "Коммерсантъ", "lenta.ru": "Лента.ру",
              "iz.ru": "Известия", "rg.ru": "Российская газета",
              "vedomosti.ru": "Ведомости", "news.mail.ru": "Новости Mail.ru"}
CITIES = ["Москва", "Минск", "Астана", "Пекин", "Вашингтон", "Берлин", "Ташкент", "Баку"]
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]
SWAPS = [("заявил", "сообщил"), ("отметил", "подчеркнул"), ("президент", "глава государства"),
         ("встреча", "переговоры"), ("России", "РФ")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--reprint-share", type=float, default=0.3)
    parser.add_argument("--dev", default=str(ROOT / "samples" / "factru-dev"))
    parser.add_argument("--workdir", default="/tmp/svodka-scale")
    parser.add_argument("--shard-size", type=int, default=256)
    parser.add_argument("--engines", default="jobs1,jobsN,dask,stories")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = Path(args.workdir).resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    corpus = work / "corpus.jsonl"
    truth = make_corpus(Path(args.dev), corpus, args.articles, args.reprint_share, args.seed)
    chars = sum(len(json.loads(line)["text"]) for line in corpus.open(encoding="utf-8"))
    # Every run uses one frozen copy of the code: the tree may change under a
    # long benchmark, and the runs must be comparable record for record.
    shutil.copytree(ROOT / "svodka", work / "code" / "svodka",
                    ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = str(work / "code")
    os.chdir(work / "code")     # 'python -m' puts the working folder first on sys.path
    svodka = [sys.executable, "-m", "svodka.cli"]
    rows, dbs = [], {}
    engines = args.engines.split(",")
    if "jobs1" in engines:
        dbs["jobs 1"] = work / "jobs1.db"
        rows.append(measure("jobs 1", [svodka + ["extract", str(corpus), "--db", str(dbs["jobs 1"])]]))
    if "jobsN" in engines:
        name = f"jobs {args.jobs}"
        dbs[name] = work / f"jobs{args.jobs}.db"
        rows.append(measure(name, [svodka + ["extract", str(corpus), "--db", str(dbs[name]),
                                             "--jobs", str(args.jobs)]]))
    if "dask" in engines:
        name = f"dask {args.jobs} workers"
        dbs[name] = work / "dask.db"
        rows.append(measure(name, [
            svodka + ["extract", str(corpus), "--engine", "dask", "--jobs", str(args.jobs),
                      "--out", str(work / "pq"), "--shard-size", str(args.shard_size)],
            svodka + ["load", str(work / "pq"), "--db", str(dbs[name])]]))
    for row in rows:
        row["documents"] = args.articles
        row["db_mb"] = _db_size(dbs[row["engine"]])
    reprints = None
    if "stories" in engines and dbs:
        db = next(iter(dbs.values()))
        stories = measure("stories", [svodka + ["stories", "--db", str(db), "--json"]])
        reprints = dict(found_vs_planted(db, truth), seconds=stories["wall_s"],
                        peak_rss_mb=stories["peak_rss_mb"])
    equal = _equal(dbs)
    report = {"articles": args.articles, "characters": chars, "cores": os.cpu_count(),
              "jobs": args.jobs, "runs": rows, "records_equal": equal, "reprints": reprints}
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return 0


# -- corpus --------------------------------------------------------------------
def make_corpus(dev: Path, out: Path, articles: int, reprint_share: float, seed: int) -> dict:
    """Write the corpus; return {article id: planted story id}."""
    rng = random.Random(seed)
    paragraphs = []
    for path in sorted(dev.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        paragraphs += [(path.stem, line) for line in lines if len(line) > 60]
    fresh: list[tuple[str, list[str], str]] = []      # (id, paragraphs, site)
    truth = {}
    with out.open("w", encoding="utf-8") as stream:
        for number in range(articles):
            doc_id = f"syn_{number:07d}"
            site = rng.choice(SITES)
            day = rng.randrange(1, 29)
            month = rng.randrange(12)
            if fresh and rng.random() < reprint_share:
                first_id, body, first_site = rng.choice(fresh)
                body = _edit(body, rng)
                credit = f"Об этом сообщает {SITE_NAMES[first_site]}."
                text = _dateline(rng, day, month) + " " + "\n".join(body) + "\n" + credit
                truth[doc_id] = first_id
            else:
                picked = rng.sample(paragraphs, rng.randrange(4, 9))
                body = [p for _, p in picked]
                text = _dateline(rng, day, month) + " " + "\n".join(body)
                fresh.append((doc_id, body, site))
                truth[doc_id] = doc_id
            record = {"id": doc_id, "text": text, "source": site,
                      "published": f"2024-{month + 1:02d}-{day:02d}"}
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return truth


def _dateline(rng, day: int, month: int) -> str:
    return f"{rng.choice(CITIES)}, {day} {MONTHS[month]}."


def _edit(body: list[str], rng) -> list[str]:
    body = list(body)
    if len(body) > 3 and rng.random() < 0.5:
        del body[rng.randrange(1, len(body))]
    old, new = rng.choice(SWAPS)
    index = rng.randrange(len(body))
    body[index] = re.sub(rf"\b{old}\b", new, body[index], count=1)
    return body


# -- measuring -------------------------------------------------------------------
def measure(name: str, commands: list[list[str]]) -> dict:
    """Run the commands one after another; wall time, CPU time of every
    process they started, peak RSS of the largest process and of all."""
    import psutil
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    wall = 0.0
    cpu_seen: dict[int, float] = {}     # forkserver workers escape RUSAGE_CHILDREN
    peak_process = peak_total = 0
    cpu_before = _children_cpu()
    for command in commands:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        root = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [root] + root.children(recursive=True)
                sizes = []
                for p in tree:
                    try:
                        sizes.append(p.memory_info().rss)
                        times = p.cpu_times()
                        cpu_seen[p.pid] = times.user + times.system
                    except psutil.Error:
                        pass
                peak_process = max([peak_process] + sizes)
                peak_total = max(peak_total, sum(sizes))
            except psutil.Error:
                pass
            time.sleep(0.25)
        out, err = process.communicate()
        wall += time.perf_counter() - started
        if process.returncode not in (0, None):
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    cpu = max(_children_cpu() - cpu_before, sum(cpu_seen.values()))
    return {"engine": name, "wall_s": wall, "cpu_s": cpu,
            "peak_rss_mb": peak_process / 2**20, "peak_rss_total_mb": peak_total / 2**20}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _db_size(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20


def _equal(dbs: dict) -> bool | None:
    from svodka.scale.compare import differences
    paths = [str(p) for p in dbs.values()]
    if len(paths) < 2:
        return None
    return all(not differences(paths[0], other) for other in paths[1:])


def found_vs_planted(db: Path, truth: dict) -> dict:
    """Pairs of articles put in one story, against the planted reprints."""
    connection = sqlite3.connect(db)
    found = dict(connection.execute("SELECT doc_id, story_id FROM story_members"))
    connection.close()
    def pairs(assignment: dict) -> set:
        groups: dict[str, list[str]] = {}
        for doc, story in assignment.items():
            groups.setdefault(story, []).append(doc)
        return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}
    planted, detected = pairs(truth), pairs(found)
    hits = len(planted & detected)
    return {"planted_pairs": len(planted), "found_pairs": len(detected),
            "pair_precision": hits / len(detected) if detected else None,
            "pair_recall": hits / len(planted) if planted else None}


def print_report(report: dict) -> None:
    n = report["articles"]
    print(f"{n} articles, {report['characters'] / n:.0f} characters each on average; "
          f"{report['cores']} cores on this machine\n")
    header = (f"{'run':<18}{'wall s':>9}{'docs/s':>8}{'speed-up':>10}{'CPU s':>8}"
              f"{'peak RSS MB (largest / all)':>30}{'DB MB':>8}{'100k docs, h':>14}")
    print(header)
    print("-" * len(header))
    base = report["runs"][0]["wall_s"] if report["runs"] else None
    for r in report["runs"]:
        rate = n / r["wall_s"]
        print(f"{r['engine']:<18}{r['wall_s']:>9.1f}{rate:>8.2f}{base / r['wall_s']:>10.2f}"
              f"{r['cpu_s']:>8.1f}{r['peak_rss_mb']:>18.0f} / {r['peak_rss_total_mb']:<9.0f}"
              f"{r['db_mb']:>8.1f}{100_000 / rate / 3600:>14.1f}")
    print(f"\nrecords equal across runs: {report['records_equal']}")
    if report["reprints"]:
        r = report["reprints"]
        fmt = lambda x: "n/a" if x is None else f"{x:.3f}"
        print(f"reprints: {r['found_pairs']} pairs found, {r['planted_pairs']} planted; "
              f"pair precision {fmt(r['pair_precision'])}, recall {fmt(r['pair_recall'])}; "
              f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB")
    print("\nwall time includes starting the processes and loading the models; "
          "the last column extrapolates docs/s linearly to 100,000 articles")


if __name__ == "__main__":
    sys.exit(main())
