"""``svodka extract --engine dask``: the pipeline as Dask tasks over shards.

One task per shard (:mod:`svodka.scale.shards`): read the shard, run the
pipeline (each worker process builds its Pipeline, and loads the models,
once: on its first task), write the shard's Parquet files atomically
(:mod:`svodka.scale.parquet`). Shards that already have their completion
marker are not submitted, so a killed run started again does only what is
left. With a ``scheduler`` address the output folder must be on storage
every worker can write (a shared file system).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from .parquet import PLAN, _write_atomic, finished_shards, write_shard
from .pool import slim, worker_pipeline
from .shards import DEFAULT_SHARD_DOCUMENTS, plan_shards, read_shard


def process_shard(shard: dict, out_dir: str, batch_size: int = 32) -> dict:
    """A Dask task: one shard in, its Parquet files out; returns counts."""
    started = time.process_time()
    pipeline = worker_pipeline(batch_size)
    results = [slim(r) for r in pipeline.run(read_shard(shard))]
    counts = write_shard(out_dir, shard["id"], results,
                         info={"cpu_seconds": round(time.process_time() - started, 3),
                               "pid": os.getpid()})
    return {"shard": shard["id"], **counts}


def run_dask(inputs: Sequence[str], out_dir: str | Path, scheduler: Optional[str] = None,
             workers: Optional[int] = None, batch_size: int = 32,
             documents_per_shard: int = DEFAULT_SHARD_DOCUMENTS,
             on_shard: Optional[Callable[[dict], None]] = None) -> dict:
    """Process every unfinished shard of ``inputs`` into ``out_dir``.

    Without ``scheduler`` a LocalCluster of ``workers`` processes (one thread
    each; default: one per core) is started and closed again."""
    from dask.distributed import Client, LocalCluster, as_completed
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Shard sizes are whole pipeline batches (see shards.py).
    per_shard = max(batch_size, documents_per_shard // batch_size * batch_size)
    shards = plan_shards(inputs, per_shard)
    _write_atomic(out / PLAN, json.dumps([s["id"] for s in shards]))
    _remove_stale_temporaries(out)
    done = finished_shards(out)
    todo = [s for s in shards if s["id"] not in done]
    summary = {"shards": len(shards), "skipped": len(shards) - len(todo), "processed": 0,
               "documents": 0, "rejected": 0, "out": str(out)}
    if not todo:
        return summary
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(process_shard, todo, out_dir=str(out), batch_size=batch_size,
                             pure=False)
        for future in as_completed(futures):
            counts = future.result()
            summary["processed"] += 1
            summary["documents"] += counts["documents"]
            summary["rejected"] += counts["rejections"]
            if on_shard:
                on_shard(counts)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return summary


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed run left behind (never read, but they take space)."""
    for temporary in out.glob("*/.*.tmp"):
        temporary.unlink(missing_ok=True)


def planned_shards(out_dir: str | Path) -> Optional[list[str]]:
    """The shard ids of the last run's plan (None for a folder without one)."""
    path = Path(out_dir) / PLAN
    return json.loads(path.read_text()) if path.exists() else None
