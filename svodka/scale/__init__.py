"""Throughput and scale: the same pipeline on many processes or a Dask cluster.

- :mod:`svodka.scale.pool` runs ``Pipeline`` batches on N local processes
  (``svodka extract --jobs N``); the parent writes SQLite.
- :mod:`svodka.scale.shards` cuts inputs into shards (runs of files, chunks
  of JSON Lines) with ids that stay the same across reruns.
- :mod:`svodka.scale.dask_runner` runs shards as Dask tasks and writes one
  Parquet file per shard and table (``svodka extract --engine dask --out``);
  finished shards are skipped on restart.
- :mod:`svodka.scale.parquet` turns Analyses into Arrow tables and back;
  :func:`svodka.scale.parquet.load` merges a Parquet folder into SQLite
  (``svodka load``) through ``Store.write``.
- :mod:`svodka.scale.reprints` groups near-duplicate articles into stories
  (MinHash LSH) and counts a story's events once, with its sources.

Every runner yields the same records as ``Pipeline().run`` on one process.
"""
