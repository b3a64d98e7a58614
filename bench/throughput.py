"""Throughput per core: natasha's baselines and svodka, side by side, one run.

Over the same texts (documents read as ``svodka extract`` reads them):

    natasha NER      NewsNERTagger alone over the texts
    natasha NER, channels-last   the same tagger with svodka's faster CNN
                     encoder (svodka/cnn.py): what the baseline would be
                     with the speed-up svodka's own NER gets
    natasha full     segmentation, morphology, syntax, NER, span normalisation
    svodka 1 proc    the whole pipeline (clean, NLP, link, extract, code) and
                     the SQLite store, in this process
    svodka N procs   the same with --jobs N worker processes (default: all cores)

Each engine runs in a fresh subprocess, so its peak RSS is its own; models
are loaded and warmed up before the clock starts. Reported: documents/s
(wall clock), thousand characters per second per core, computed from CPU
time (the engine's process and its workers: robust on a machine shared with
other jobs) and from wall time (wall x cores used: what an idle machine
would show), and the peak RSS of each process.

    python bench/throughput.py                       # samples/, every engine
    python bench/throughput.py DIR --limit 200 --repeat 2 --jobs 2 --json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENGINES = ("natasha-ner", "natasha-ner-cl", "natasha-full", "svodka-1", "svodka-n")
LABELS = {"natasha-ner": "natasha NER only", "natasha-ner-cl": "natasha NER, channels-last", "natasha-full": "natasha full",
          "svodka-1": "svodka, 1 process", "svodka-n": "svodka, {jobs} processes"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "samples")])
    parser.add_argument("--limit", type=int, help="use the first N documents")
    parser.add_argument("--repeat", type=int, default=1, help="pass over the texts N times")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for 'svodka N procs' (default: all cores)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.child, args)))
        return 0
    results = []
    for engine in args.engines.split(","):
        command = [sys.executable, __file__, *args.paths, "--child", engine,
                   "--repeat", str(args.repeat), "--jobs", str(args.jobs),
                   "--batch-size", str(args.batch_size)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{engine} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            return 1
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results, args.jobs)
    return 0


# -- one engine, in its own process ---------------------------------------------
def documents(args):
    from svodka.ingest import read_inputs
    from svodka.model import Document
    docs = [d for d in read_inputs(args.paths) if isinstance(d, Document)]
    return docs[:args.limit] if args.limit else docs


def run_engine(engine: str, args) -> dict:
    docs = documents(args) * args.repeat
    texts = [d.text for d in docs]
    work, cleanup, worker_pids = _prepare(engine, args, docs)
    cpu_before = _cpu(worker_pids)
    wall = time.perf_counter()
    work(texts)
    wall = time.perf_counter() - wall
    cpu = _cpu(worker_pids) - cpu_before
    peaks = [_peak_rss(pid) for pid in worker_pids]
    cleanup()
    return {"engine": engine, "documents": len(docs), "characters": sum(map(len, texts)),
            "wall_s": wall, "cpu_s": cpu, "processes": 1 + len(worker_pids),
            "cores": max(1, len(worker_pids)), "peak_rss_mb": _peak_rss(os.getpid()),
            "worker_peak_rss_mb": max(peaks) if peaks else None}


def _prepare(engine: str, args, docs):
    """(work(texts), cleanup(), worker pids): everything loaded, warmed up."""
    nothing = lambda: None
    if engine.startswith("natasha"):
        from svodka.nlp import limit_blas_threads
        limit_blas_threads()    # the same BLAS setting as svodka: a fair comparison
        from natasha import (Doc, MorphVocab, NewsEmbedding, NewsMorphTagger,
                             NewsNERTagger, NewsSyntaxParser, Segmenter)
        emb = NewsEmbedding()
        ner = NewsNERTagger(emb)
        if engine in ("natasha-ner", "natasha-ner-cl"):
            if engine == "natasha-ner-cl":
                from svodka.cnn import use_channels_last
                use_channels_last(ner)

            def work(texts):
                for _ in ner.map(texts):
                    pass
            work(["Владимир Путин прилетел в Пекин."])
            return work, nothing, []
        segmenter, vocab = Segmenter(), MorphVocab()
        morph, syntax = NewsMorphTagger(emb), NewsSyntaxParser(emb)

        def work(texts):
            for text in texts:
                doc = Doc(text)
                doc.segment(segmenter)
                doc.tag_morph(morph)
                doc.parse_syntax(syntax)
                doc.tag_ner(ner)
                for span in doc.spans:
                    span.normalize(vocab)
        work(["Владимир Путин прилетел в Пекин."])
        return work, nothing, []

    from svodka.model import Analysis, Rejection
    from svodka.store.sqlite import Store
    folder = tempfile.mkdtemp(prefix="svodka-bench-")
    store = Store(Path(folder) / "bench.db")

    def write_all(results, every):
        pending = []
        for item in results:
            pending.append(item)
            if len(pending) >= every:
                store.write([x for x in pending if isinstance(x, Analysis)],
                            [x for x in pending if isinstance(x, Rejection)])
                pending.clear()
        store.write([x for x in pending if isinstance(x, Analysis)],
                    [x for x in pending if isinstance(x, Rejection)])

    def cleanup():
        store.close()
        import shutil
        shutil.rmtree(folder, ignore_errors=True)

    # The clock covers the pipeline from raw text (Documents as read) to rows
    # in SQLite; copies keep the timed run from seeing earlier results.
    import copy
    fresh = lambda: copy.deepcopy(docs)
    if engine == "svodka-1":
        from svodka.pipeline import Pipeline
        from svodka.scale.pool import warm_up_pipeline
        pipeline = Pipeline(batch_size=args.batch_size)
        warm_up_pipeline(pipeline)
        inputs = fresh()
        return (lambda texts: write_all(pipeline.run(inputs), args.batch_size)), cleanup, []
    from svodka.scale.pool import make_pool, run_parallel, start_workers
    pool = make_pool(args.jobs, args.batch_size)
    pids = start_workers(pool, args.jobs)
    inputs = fresh()

    def work(texts):
        write_all(run_parallel(inputs, args.jobs, args.batch_size, pool=pool), 512)

    def cleanup_pool():
        pool.shutdown()
        cleanup()
    return work, cleanup_pool, pids


def _cpu(worker_pids) -> float:
    """CPU seconds of this process and the given workers."""
    times = os.times()
    total = times.user + times.system
    for pid in worker_pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def _peak_rss(pid: int) -> float | None:
    """Peak resident set size (VmHWM) in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    if pid == os.getpid():
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return None


# -- report --------------------------------------------------------------------
def print_table(results: list[dict], jobs: int) -> None:
    r0 = results[0]
    print(f"{r0['documents']} documents, {r0['characters'] / r0['documents']:.0f} characters "
          f"each on average; {os.cpu_count()} cores on this machine\n")
    header = (f"{'engine':<28}{'docs/s':>8}{'kchar/s/core':>14}{'(wall)':>9}"
              f"{'wall s':>9}{'CPU s':>8}{'peak RSS MB/process':>22}")
    print(header)
    print("-" * len(header))
    for r in results:
        per_core_cpu = r["characters"] / r["cpu_s"] / 1000 if r["cpu_s"] else float("nan")
        per_core_wall = r["characters"] / r["wall_s"] / r["cores"] / 1000
        rss = f"{r['peak_rss_mb']:.0f}"
        if r.get("worker_peak_rss_mb"):
            rss = f"parent {rss}, worker {r['worker_peak_rss_mb']:.0f}"
        label = LABELS[r["engine"]].format(jobs=jobs)
        print(f"{label:<28}{r['documents'] / r['wall_s']:>8.1f}{per_core_cpu:>14.1f}"
              f"{per_core_wall:>9.1f}{r['wall_s']:>9.1f}{r['cpu_s']:>8.1f}{rss:>22}")
    print("\nkchar/s/core: thousand characters per second per core, from CPU time "
          "(from wall time x cores in brackets)")


if __name__ == "__main__":
    sys.exit(main())
