"""Input shards for distributed runs: runs of files, or chunks of JSON Lines.

A shard is a small JSON-able dict a worker can read on its own. Its id is
its position plus a hash of what it covers (paths, sizes, modification
times, byte ranges), so a rerun over the same inputs plans the same shards
and can skip the finished ones, while a changed input gets a new id and is
processed again.

Shard sizes are multiples of the pipeline batch, so a shard's documents are
analysed in the same batches as on one process whenever no rejection sits
between them (a rejection ends a batch on one process too).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Iterator

from ..ingest import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, read_file
from ..model import Document, Rejection

DEFAULT_SHARD_DOCUMENTS = 256


def plan_shards(paths: Iterable[str], documents_per_shard: int = DEFAULT_SHARD_DOCUMENTS) -> list[dict]:
    """Shards covering every input, in the order ``read_inputs`` reads them."""
    shards: list[dict] = []
    run: list[dict] = []

    def close_run() -> None:
        if run:
            shards.append({"kind": "files", "files": list(run)})
            run.clear()

    for kind, path in _input_files(paths):
        if kind == "missing":
            close_run()
            shards.append({"kind": "missing", "path": path})
        elif kind == "jsonl":
            close_run()
            for start, stop, first_line in _jsonl_chunks(Path(path), documents_per_shard):
                shards.append({"kind": "jsonl", "path": path, "start": start, "stop": stop,
                               "first_line": first_line, **_stamp(path)})
        else:
            run.append({"path": path, **_stamp(path)})
            if len(run) >= documents_per_shard:
                close_run()
    close_run()
    for number, shard in enumerate(shards):
        digest = hashlib.sha1(json.dumps(shard, sort_keys=True).encode()).hexdigest()[:12]
        shard["id"] = f"{number:06d}-{digest}"
    return shards


def read_shard(shard: dict) -> Iterator[Document | Rejection]:
    """The documents and rejections of one shard, as ``read_inputs`` would
    give them for the same inputs (JSON Lines keep their file line numbers)."""
    from ..ingest import _read_jsonl
    if shard["kind"] == "missing":
        yield Rejection(shard["path"], "no such file or folder")
    elif shard["kind"] == "files":
        for entry in shard["files"]:
            yield from read_file(Path(entry["path"]))
    else:
        with open(shard["path"], "rb") as stream:
            stream.seek(shard["start"])
            data = stream.read(shard["stop"] - shard["start"])
        import io
        offset = shard["first_line"] - 1
        for item in _read_jsonl(shard["path"], io.BytesIO(data), _max_bytes()):
            item.line = (item.line or 0) + offset
            yield item


def _max_bytes() -> int:
    from ..ingest import MAX_ARTICLE_BYTES
    return MAX_ARTICLE_BYTES


def _stamp(path: str) -> dict:
    stat = os.stat(path)
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _input_files(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """("jsonl" | "file" | "missing", path) in ``read_inputs`` order."""
    for raw in paths:
        if raw == "-":
            raise ValueError("standard input cannot be sharded: save it to a file first")
        path = Path(raw)
        if not path.exists():
            yield "missing", str(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    suffix = child.suffix.lower()
                    if suffix in JSONL_SUFFIXES:
                        yield "jsonl", str(child)
                    elif suffix in TEXT_SUFFIXES | HTML_SUFFIXES:
                        yield "file", str(child)
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield "jsonl", str(path)
        else:
            yield "file", str(path)


def _jsonl_chunks(path: Path, lines_per_chunk: int) -> Iterator[tuple[int, int, int]]:
    """(start byte, stop byte, first line number) of runs of non-empty lines."""
    start = position = 0
    first_line = 1
    count = 0
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if count == 0:
                start, first_line = position, number
            position += len(line)
            if line.strip():
                count += 1
            if count >= lines_per_chunk:
                yield start, position, first_line
                count = 0
    if count:
        yield start, position, first_line
