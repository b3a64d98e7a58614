"""``svodka extract --jobs N``: the pipeline on N local processes.

The parent reads the inputs (cheap) and cuts them into exactly the batches
``Pipeline.run`` would make (``batch_size`` documents, a rejection ends a
batch), so every document is analysed in the same company as on one process
and the output is the same record for record. Each worker process builds one
``Pipeline`` in its initializer (models loaded once per process, lazy
resources warmed up) and analyses whole batches; results come back in input
order, with the parts of an Analysis that are never stored (tokens) dropped
to keep pickling cheap. The caller writes them to SQLite in large
transactions.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterable, Iterator, Sequence, Union

from ..model import Analysis, Document, Rejection

Item = Union[Document, Rejection]
Result = Union[Analysis, Rejection]

DEFAULT_STAGES = ("link", "extract", "code")

# A short Russian article that touches every stage, so that a worker loads
# its lazy resources (gazetteer, grammars, syntax model) before the first
# real batch rather than while the clock of that batch runs.
WARM_UP_TEXT = ("Москва, 12 марта. Президент России Владимир Путин встретился в Кремле "
                "с председателем КНР Си Цзиньпином. «Мы подписали соглашение о "
                "сотрудничестве», — заявил министр иностранных дел Сергей Лавров.\n")

_pipeline = None


def batches(items: Iterable[Item], batch_size: int) -> Iterator[Union[list[Document], Rejection]]:
    """Lists of documents and single rejections, cut exactly as
    ``Pipeline.run`` cuts its batches."""
    batch: list[Document] = []
    for item in items:
        if isinstance(item, Rejection):
            if batch:
                yield batch
                batch = []
            yield item
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def init_worker(batch_size: int, stages: Sequence[str] = DEFAULT_STAGES, warm_up: bool = True) -> None:
    """Pool initializer: one Pipeline (and one set of models) per process."""
    global _pipeline
    from ..pipeline import Pipeline
    _pipeline = Pipeline(stages=tuple(stages), batch_size=batch_size)
    if warm_up:
        warm_up_pipeline(_pipeline)


def warm_up_pipeline(pipeline) -> None:
    """Load every model and lexicon now, with one short text through all
    stages; then take them out of the garbage collector's sight. They live as
    long as the process, and millions of their small objects were re-scanned
    by every full collection: 5-8% of the pipeline's time on the samples."""
    import gc
    list(pipeline.run([Document(id="warm-up", text=WARM_UP_TEXT)]))
    gc.collect()
    gc.freeze()


def worker_pipeline(batch_size: int = 32, stages: Sequence[str] = DEFAULT_STAGES):
    """This process's pipeline, built on first use (Dask workers have no
    initializer: their first task builds it)."""
    if _pipeline is None:
        init_worker(batch_size, stages)
    return _pipeline


def analyse_batch(documents: list[Document]) -> list[Result]:
    """Run in a worker: one pipeline batch, results slimmed for the trip back."""
    return [slim(result) for result in worker_pipeline().run(documents)]


def slim(result: Result) -> Result:
    """The Analysis without what the store never reads (tokens with their
    morphology): a third of the pickled size and time."""
    if isinstance(result, Analysis):
        for sentence in result.sentences:
            sentence.tokens = []
    return result


def make_pool(jobs: int, batch_size: int = 32,
              stages: Sequence[str] = DEFAULT_STAGES) -> ProcessPoolExecutor:
    """Worker processes with their pipelines (forkserver: workers start from
    a clean interpreter, not from a copy of a parent holding a database)."""
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    return ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                               initializer=init_worker, initargs=(batch_size, tuple(stages)))


def start_workers(pool: ProcessPoolExecutor, jobs: int) -> list[int]:
    """Start every worker now (models loaded) rather than on first use; their pids."""
    pids: set[int] = set()
    for _ in range(50):     # a worker still loading leaves its task to a ready one
        pids |= set(pool.map(_worker_pid, [0.2] * jobs))
        if len(pids) >= jobs:
            break
    return sorted(pids)


def _worker_pid(pause: float) -> int:
    import time
    time.sleep(pause)       # so that each worker takes one
    return os.getpid()


def run_parallel(items: Iterable[Item], jobs: int, batch_size: int = 32,
                 stages: Sequence[str] = DEFAULT_STAGES,
                 max_pending: int | None = None,
                 pool: ProcessPoolExecutor | None = None) -> Iterator[Result]:
    """Analyses and rejections in input order, like ``Pipeline(...).run(items)``,
    computed by ``jobs`` worker processes (or a ``pool`` from :func:`make_pool`,
    left open). At most ``max_pending`` batches are in flight, so memory
    stays bounded on any input size."""
    jobs = max(1, jobs)
    max_pending = max_pending or jobs * 3
    if pool is None:
        with make_pool(jobs, batch_size, stages) as own:
            yield from run_parallel(items, jobs, batch_size, stages, max_pending, own)
        return
    pending: deque[Union[Future, Rejection]] = deque()
    for unit in batches(items, batch_size):
        if isinstance(unit, Rejection):
            pending.append(unit)
        else:
            pending.append(pool.submit(analyse_batch, unit))
        while sum(1 for p in pending if isinstance(p, Future)) >= max_pending:
            yield from _take(pending)
    while pending:
        yield from _take(pending)


def _take(pending: deque) -> Iterator[Result]:
    head = pending.popleft()
    if isinstance(head, Rejection):
        yield head
    else:
        yield from head.result()
