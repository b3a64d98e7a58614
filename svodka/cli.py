"""svodka's command line. Argument parsing only: the work is done by the
modules it calls."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_DB = "svodka.db"

EPILOG = """\
examples:
  svodka extract samples/ --db svodka.db       process a folder (recursively)
  svodka extract news.jsonl --db news.db       one article per JSON line
  cat article.txt | svodka extract - --db x.db read standard input
  svodka show 000_10db7d64be0f7442 --db svodka.db
  svodka export --db svodka.db --format plover > events.jsonl
  svodka stats --db svodka.db --json
  svodka serve --db svodka.db                  web pages and API at http://127.0.0.1:8000
  svodka digest --db svodka.db --week 2023-W23 the weekly briefing (--format md|html|json)
  svodka eval factru-ner ../shared/data/factRuEval-2016/devset --out answers/
"""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except BrokenPipeError:
        return 0
    except UserError as error:
        print(f"svodka: {error}", file=sys.stderr)
        return 2


class UserError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svodka",
        description="svodka turns Russian-language news into a knowledge base of "
                    "international relations: entities, offices, meetings, quotes, "
                    "agreements and PLOVER events, each traceable to its sentence.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("extract", help="process articles into the knowledge base",
                       description="Read articles (plain text, JSON Lines, HTML; files, folders "
                       "recursively, or - for standard input), analyse them and store the results. "
                       "Rerunning on the same input replaces records, never duplicates them. "
                       "Inputs that cannot be read are reported (path, line, reason), stored in "
                       "the rejections table, and skipped.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="JSON Lines fields: text (required), title, url, published, source, id.\n"
                              "exit status: 0 if at least one document was processed (with --strict: "
                              "and nothing was rejected), 1 otherwise.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder, or - for stdin")
    _db(p)
    p.add_argument("--strict", action="store_true", help="exit 1 if any input is rejected")
    p.add_argument("--batch-size", type=int, default=32, metavar="N",
                   help="documents per NLP batch and per database transaction (default 32)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress line on stderr (default: when stderr is a terminal)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="worker processes (default 1; with --engine dask: LocalCluster workers, "
                        "default one per core)")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="local: this machine, into --db; dask: Dask tasks over input shards, "
                        "into Parquet (--out), merged later with 'svodka load'")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler (tcp://HOST:8786); default: start a LocalCluster")
    p.add_argument("--out", metavar="PARQUET_DIR", help="Parquet output folder (--engine dask); "
                   "rerunning skips the shards already finished there")
    p.add_argument("--shard-size", type=int, default=256, metavar="N",
                   help="documents per Dask shard (default 256)")
    p.add_argument("--reprints", action="store_true",
                   help="afterwards group near-duplicate articles into stories (see 'svodka stories')")
    p.set_defaults(handler=cmd_extract)

    p = sub.add_parser("load", help="merge Parquet output of --engine dask into SQLite",
                       description="Merge the finished shards of a Parquet folder written by "
                       "'svodka extract --engine dask' into a database: each document's records "
                       "replaced, in large transactions, as 'svodka extract' would store them.")
    p.add_argument("parquet_dir", metavar="PARQUET_DIR")
    _db(p)
    p.add_argument("--reprints", action="store_true",
                   help="afterwards group near-duplicate articles into stories")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=cmd_load)

    p = sub.add_parser("stories", help="group reprints (near-duplicate articles) into stories",
                       description="Find near-duplicate articles (MinHash LSH over bodies), group "
                       "them into stories (table story_members; views stories and story_events, "
                       "where a story's events are counted once with their independent sources) "
                       "and list the largest.")
    _db(p)
    p.add_argument("--threshold", type=float, default=0.5,
                   help="estimated Jaccard similarity of 5-word shingles (default 0.5)")
    p.add_argument("--limit", type=int, default=20, help="stories to list (default 20)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=cmd_stories)

    p = sub.add_parser("show", help="one document: structure, entities, facts, events",
                       description="Show what svodka knows about one document. REF is a document "
                       "id, a unique id prefix, or the input file's name.")
    p.add_argument("ref", metavar="REF")
    _db(p)
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("export", help="export documents or events for other tools",
                       description="Export the knowledge base. Formats: jsonl (one document per "
                       "line with everything svodka found), plover (one PLOVER event per line), "
                       "factru (FactRuEval .task1/.task3 answer files, needs --out DIR).")
    _db(p)
    p.add_argument("--format", choices=["jsonl", "plover", "factru"], default="jsonl")
    p.add_argument("--out", metavar="PATH", help="output file (folder for factru); default stdout")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("stats", help="counts of documents, entities, facts, events",
                       description="Summary counts of a knowledge base.")
    _db(p)
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("rejections", help="list the inputs that could not be processed")
    _db(p)
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=cmd_rejections)

    p = sub.add_parser("digest", help="the weekly briefing: a period's main events, ranked",
                       description="The weekly briefing («недельный обзор»): a week's (or any "
                       "period's) main international events ranked by salience, grouped by "
                       "country pair, in sections (meetings, agreements, conflicts, new "
                       "appointments, numbers), each with its evidence, key quote and source "
                       "documents. The salience formula is in the output's footnote.",
                       epilog="example: svodka digest --db svodka.db --week 2023-W23 --country KAZ "
                              "--format html --out digest.html")
    _db(p)
    p.add_argument("--week", metavar="YYYY-Www", help="ISO week, e.g. 2023-W23 (default: the "
                   "week of the latest dated event)")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day of the period")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day of the period")
    p.add_argument("--country", metavar="ISO3", help="only events and appointments involving it")
    p.add_argument("--format", choices=["md", "html", "json"], default="md")
    p.add_argument("--lang", choices=["ru", "en"], default="ru",
                   help="language of headings and fixed phrases (default ru)")
    p.add_argument("--limit", type=int, default=10, metavar="N",
                   help="items per section, the most salient first (default 10; 0: all)")
    p.add_argument("--base-url", default="", metavar="URL",
                   help="put before /documents/ID in HTML links (e.g. http://127.0.0.1:8000)")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(handler=cmd_digest)

    p = sub.add_parser("serve", help="the analyst's workbench: web pages and JSON API",
                       description="Serve a knowledge base read-only over HTTP: pages for "
                       "search, documents, entities and country pairs, and a JSON API under "
                       "/api (schema at /openapi.json). Binds 127.0.0.1 unless --host says otherwise.")
    _db(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(handler=cmd_serve)

    ev = sub.add_parser("eval", help="measure quality on annotated sets",
                        description="Evaluation against annotated data sets.")
    evsub = ev.add_subparsers(title="evaluations", metavar="SET")
    p = evsub.add_parser("factru-ner", help="FactRuEval-2016 task 1 (PER, LOC, ORG, LOCORG)",
                         description="Run NER over every book_N.txt of DIR, write one official "
                         ".task1 answer file per document (with --out) and print per-type "
                         "P/R/F1, with LOCORG kept and with LOCORG counted as LOC.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--out", metavar="ANSWERS", help="folder for the .task1 answer files")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval_factru_ner)
    p = evsub.add_parser("factru-facts", help="FactRuEval-2016 task 3 (Occupation, Meeting, Deal, Ownership)",
                         description="Extract facts from every book_N.txt of DIR, write one .task3 "
                         "answer file per document (with --out) and print P/R/F1 per fact type.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--out", metavar="ANSWERS", help="folder for the .task3 answer files")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval_factru_facts)
    p = evsub.add_parser("events", help="document-level PLOVER event tuples (events.md)",
                         description="Run the pipeline over the texts a gold file names "
                         "(DIR/<corpus>/<doc>.txt) and score event tuples as events.md says.")
    p.add_argument("gold", metavar="GOLD.jsonl")
    p.add_argument("--texts", required=True, metavar="DIR")
    p.add_argument("--dump", metavar="OUT.jsonl", help="write svodka's events in the gold format")
    p.add_argument("--errors", action="store_true", help="list missed and spurious tuples per document")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval_events)
    p = evsub.add_parser("clean", help="cleaning report: every line the cleaner drops",
                         description="Run the cleaner over text files and list every line it "
                         "sets apart from the body, with its role, for checking by eye.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(handler=cmd_eval_clean)
    return parser


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE",
                   help=f"SQLite database file (default {DEFAULT_DB})")


def _open_readonly(path: str):
    from .store.sqlite import Store
    if not Path(path).exists():
        raise UserError(f"{path}: no such database (run 'svodka extract INPUT --db {path}' first)")
    return Store(path, readonly=True)


# -- extract -------------------------------------------------------------------
def cmd_extract(args) -> int:
    from .ingest import read_inputs
    from .pipeline import Pipeline
    from .progress import Progress
    from .store.sqlite import Store
    from .model import Analysis, Rejection

    started = time.monotonic()
    if args.engine == "dask":
        return _extract_dask(args, started)
    store = Store(args.db)
    if args.jobs > 1:
        from .scale.pool import run_parallel
        results = run_parallel(read_inputs(args.inputs), jobs=args.jobs, batch_size=args.batch_size)
        # the workers' output arrives in bursts: commit in larger transactions
        write_every = max(args.batch_size, 512)
    else:
        from .scale.pool import warm_up_pipeline
        pipeline = Pipeline(batch_size=args.batch_size)
        warm_up_pipeline(pipeline)
        results = pipeline.run(read_inputs(args.inputs))
        write_every = args.batch_size
    progress = Progress(enabled=args.progress)
    done: list[Analysis] = []
    rejected: list[Rejection] = []
    counts = {"documents": 0, "rejected": 0, "mentions": 0, "entities": 0,
              "facts": 0, "quotes": 0, "events": 0, "characters": 0}
    pending: list = []

    def flush() -> None:
        analyses = [x for x in pending if isinstance(x, Analysis)]
        rejections = [x for x in pending if isinstance(x, Rejection)]
        store.write(analyses, rejections)
        pending.clear()

    for item in results:
        pending.append(item)
        if isinstance(item, Rejection):
            rejected.append(item)
            counts["rejected"] += 1
            print(f"\rrejected: {item}", file=sys.stderr)
            progress.update(rejected=1)
        else:
            counts["documents"] += 1
            counts["characters"] += len(item.document.body)
            for key in ("mentions", "entities", "facts", "quotes", "events"):
                counts[key] += len(getattr(item, key))
            progress.update(done=1)
        if len(pending) >= write_every:
            flush()
    flush()
    progress.close()
    store.close()
    if args.reprints:
        _print_reprints(args.db)
    elapsed = time.monotonic() - started
    summary = dict(counts, seconds=round(elapsed, 2), db=args.db,
                   documents_per_second=round(counts["documents"] / elapsed, 2) if elapsed else None,
                   rejections=[{"path": r.path, "line": r.line, "reason": r.reason} for r in rejected])
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{counts['documents']} documents processed, {counts['rejected']} rejected, "
              f"in {elapsed:.1f} s -> {args.db}")
        print(f"  {counts['mentions']} mentions, {counts['entities']} entities, {counts['facts']} facts, "
              f"{counts['quotes']} quotes, {counts['events']} events")
    if counts["documents"] == 0 or (args.strict and counts["rejected"]):
        return 1
    return 0


def _extract_dask(args, started: float) -> int:
    from .scale.dask_runner import run_dask
    if not args.out:
        raise UserError("--engine dask writes Parquet: give --out PARQUET_DIR "
                        "(then 'svodka load PARQUET_DIR --db FILE')")
    try:
        summary = run_dask(args.inputs, args.out, scheduler=args.scheduler,
                           workers=args.jobs if args.jobs > 1 else None,
                           batch_size=args.batch_size, documents_per_shard=args.shard_size)
    except ValueError as error:
        raise UserError(str(error))
    summary["seconds"] = round(time.monotonic() - started, 2)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{summary['processed']} shards processed ({summary['documents']} documents, "
              f"{summary['rejected']} rejected), {summary['skipped']} already done, "
              f"in {summary['seconds']:.1f} s -> {args.out}")
        print(f"  merge into SQLite: svodka load {args.out} --db FILE")
    return 0


def _print_reprints(db: str, as_json: bool = False) -> dict:
    from .scale.reprints import assign_stories
    summary = assign_stories(db)
    if not as_json:
        print(f"  {summary['stories_with_reprints']} stories reprinted "
              f"({summary['reprinted_documents']} documents); {summary['events']} events, "
              f"{summary['story_events']} once per story")
    return summary


# -- load ----------------------------------------------------------------------
def cmd_load(args) -> int:
    from .scale.parquet import load
    if not Path(args.parquet_dir).is_dir():
        raise UserError(f"{args.parquet_dir}: no such folder")
    started = time.monotonic()
    counts = load(args.parquet_dir, args.db)
    counts["seconds"] = round(time.monotonic() - started, 2)
    if args.reprints:
        counts["reprints"] = _print_reprints(args.db, as_json=args.json)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False, indent=2))
    else:
        print(f"{counts['documents']} documents, {counts['rejected']} rejections from "
              f"{counts['shards']} shards -> {args.db} in {counts['seconds']:.1f} s")
    return 0 if counts["documents"] else 1


# -- stories -------------------------------------------------------------------
def cmd_stories(args) -> int:
    from .scale.reprints import assign_stories, reprinted_stories
    if not Path(args.db).exists():
        raise UserError(f"{args.db}: no such database")
    summary = assign_stories(args.db, threshold=args.threshold)
    stories = reprinted_stories(args.db, limit=args.limit)
    if args.json:
        print(json.dumps(dict(summary, stories=stories), ensure_ascii=False, indent=2))
        return 0
    for key, value in summary.items():
        print(f"{key:<22} {value}")
    for story in stories:
        print(f"{story['story_id']}  {story['documents']} documents, {story['sources']} sources: "
              f"{story['doc_ids']}")
    return 0


# -- show ----------------------------------------------------------------------
def cmd_show(args) -> int:
    from .render import analysis_to_json, format_analysis
    with _open_readonly(args.db) as store:
        doc_id = store.find_document_id(args.ref)
        if doc_id is None:
            raise UserError(f"no document '{args.ref}' in {args.db} (try 'svodka stats --db {args.db}')")
        analysis = store.load(doc_id)
    if args.json:
        print(json.dumps(analysis_to_json(analysis), ensure_ascii=False, indent=2))
    else:
        print(format_analysis(analysis))
    return 0


# -- export --------------------------------------------------------------------
def cmd_export(args) -> int:
    from .render import analysis_to_json
    with _open_readonly(args.db) as store:
        if args.format == "factru":
            if not args.out:
                raise UserError("--format factru writes one file per document: give --out DIR")
            from .store.exports import export_factru
            count = export_factru(store.analyses(), Path(args.out))
            print(f"{count} documents -> {args.out}", file=sys.stderr)
            return 0
        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
        try:
            for analysis in store.analyses():
                if args.format == "jsonl":
                    out.write(json.dumps(analysis_to_json(analysis), ensure_ascii=False) + "\n")
                else:
                    for event in analysis.events:
                        out.write(json.dumps(event.plover(analysis.document.id), ensure_ascii=False) + "\n")
        finally:
            if args.out:
                out.close()
    return 0


# -- stats ---------------------------------------------------------------------
def cmd_stats(args) -> int:
    with _open_readonly(args.db) as store:
        stats = store.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for name, count in value.items():
                print(f"  {name:<30} {count}")
        else:
            print(f"{key:<18} {value}")
    return 0


def cmd_rejections(args) -> int:
    with _open_readonly(args.db) as store:
        rejections = store.rejections()
    if args.json:
        print(json.dumps([r.__dict__ for r in rejections], ensure_ascii=False, indent=2))
    else:
        for r in rejections:
            print(r)
    return 0


# -- digest --------------------------------------------------------------------
def cmd_digest(args) -> int:
    from .digest import build_digest, latest_week, render, span_period, week_period
    if args.week and (args.date_from or args.date_to):
        raise UserError("give either --week or --from/--to, not both")
    if bool(args.date_from) != bool(args.date_to):
        raise UserError("--from and --to go together")
    if args.country and not (len(args.country) == 3 and args.country.isalpha()):
        raise UserError(f"--country: expected an ISO3 code like KAZ (got {args.country!r})")
    with _open_readonly(args.db) as store:
        try:
            if args.date_from:
                period = span_period(args.date_from, args.date_to)
            else:
                week = args.week or latest_week(store.db)
                if week is None:
                    raise UserError(f"{args.db} has no dated events: give --week or --from/--to")
                period = week_period(week)
        except ValueError as error:
            raise UserError(str(error))
        digest = build_digest(store.db, period, country=args.country, lang=args.lang,
                              limit=max(0, args.limit))
    text = render(digest, args.format, link_base=args.base_url)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{digest.period} -> {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# -- serve ---------------------------------------------------------------------
def cmd_serve(args) -> int:
    _open_readonly(args.db).close()     # a clear message when the file is missing
    try:
        import uvicorn
        from .web import create_app
    except ImportError as error:
        raise UserError(f"serve needs the web extra: pip install 'svodka[web]' ({error})")
    app = create_app(args.db)
    started = time.monotonic()
    app.state.kb.snapshot()             # the in-memory indexes, before the first request
    print(f"svodka: indexed {args.db} in {time.monotonic() - started:.1f} s; serving it read-only "
          f"at http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


# -- eval ----------------------------------------------------------------------
def cmd_eval_factru_ner(args) -> int:
    from .evaluate.factru_ner import run_factru_ner
    return run_factru_ner(Path(args.dir), Path(args.out) if args.out else None, as_json=args.json)


def cmd_eval_factru_facts(args) -> int:
    from .evaluate.factru_facts import run_factru_facts
    return run_factru_facts(Path(args.dir), Path(args.out) if args.out else None, as_json=args.json)


def cmd_eval_events(args) -> int:
    from .evaluate.events import run_events_eval
    return run_events_eval(Path(args.gold), Path(args.texts), dump=args.dump,
                           errors=args.errors, as_json=args.json)


def cmd_eval_clean(args) -> int:
    from .clean import cleaning_report
    return cleaning_report([Path(p) for p in args.paths]).exit_status


if __name__ == "__main__":
    sys.exit(main())
