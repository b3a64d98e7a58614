"""Readers: turn paths (files, folders, JSON Lines, HTML, stdin) into Documents.

Every input yields either a :class:`~svodka.model.Document` or a
:class:`~svodka.model.Rejection` naming the path, the line and the reason; one
bad input never stops the rest. Legacy encodings (cp1251, koi8-r, ...) are
detected and decoded.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Union

from ..model import Document, Rejection
from .decode import DecodeError, decode_bytes
from .ids import content_id, id_from_name

Item = Union[Document, Rejection]

TEXT_SUFFIXES = {".txt", ".text", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# One article is never this large; a bigger single file is a mistake (a dump,
# a binary) and would only exhaust memory. JSON Lines files are streamed, so
# the limit applies to each of their lines instead.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024


def read_inputs(paths: Iterable[str], stdin: BinaryIO | None = None,
                max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Item]:
    """Documents and rejections for every input path, in a stable order.
    ``-`` reads standard input (plain text, or JSON Lines if every line is a
    JSON object)."""
    for raw in paths:
        if raw == "-":
            data = (stdin or sys.stdin.buffer).read()
            yield from _read_bytes("-", data, max_bytes)
            continue
        path = Path(raw)
        if not path.exists():
            yield Rejection(str(path), "no such file or folder")
        elif path.is_dir():
            yield from _read_folder(path, max_bytes)
        else:
            yield from read_file(path, max_bytes)


def _read_folder(folder: Path, max_bytes: int) -> Iterator[Item]:
    found = []
    def on_error(error: OSError) -> None:
        found.append(error)
    for root, dirs, files in os.walk(folder, onerror=on_error):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES:
                yield from read_file(path, max_bytes)
    for error in found:
        yield Rejection(str(error.filename or folder), f"unreadable folder: {error.strerror}")


def read_file(path: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as stream:
                yield from _read_jsonl(str(path), stream, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield Rejection(str(path), f"file too large ({size / 1e6:.1f} MB; "
                            f"the limit for one article is {max_bytes / 1e6:.0f} MB)")
            return
        data = path.read_bytes()
    except OSError as error:
        yield Rejection(str(path), f"unreadable: {error.strerror or error}")
        return
    if suffix in HTML_SUFFIXES:
        yield from _read_html(str(path), data)
    else:
        yield from _read_text(str(path), data, name=path.stem)


def _read_bytes(name: str, data: bytes, max_bytes: int) -> Iterator[Item]:
    if len(data) > max_bytes and not _looks_like_jsonl(data[:1 << 20]):
        yield Rejection(name, f"input too large ({len(data) / 1e6:.1f} MB)")
        return
    if _looks_like_jsonl(data):
        import io
        yield from _read_jsonl(name, io.BytesIO(data), max_bytes)
    elif data.lstrip()[:1] == b"<" and b"<html" in data[:4096].lower():
        yield from _read_html(name, data)
    else:
        yield from _read_text(name, data, name=None)


def _looks_like_jsonl(data: bytes) -> bool:
    """JSON Lines if the first non-empty line is a JSON object; later bad
    lines are then reported one by one."""
    for line in data.splitlines():
        if line.strip():
            try:
                return isinstance(json.loads(line), dict)
            except (ValueError, UnicodeDecodeError):
                return False
    return False


def _read_text(path: str, data: bytes, name: str | None) -> Iterator[Item]:
    try:
        text = decode_bytes(data)
    except DecodeError as error:
        yield Rejection(path, str(error))
        return
    if not text.strip():
        yield Rejection(path, "empty: no text")
        return
    doc_id = id_from_name(name) or content_id(text)
    yield Document(id=doc_id, text=text, path=path)


def _read_html(path: str, data: bytes) -> Iterator[Item]:
    from .html import html_to_document
    try:
        html = decode_bytes(data)
    except DecodeError as error:
        yield Rejection(path, str(error))
        return
    document = html_to_document(html, path)
    if document is None:
        yield Rejection(path, "HTML page with no article text")
    else:
        yield document


def _read_jsonl(path: str, stream: BinaryIO, max_bytes: int) -> Iterator[Item]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        if len(raw) > max_bytes:
            yield Rejection(path, f"line too large ({len(raw) / 1e6:.1f} MB)", number)
            continue
        try:
            record = json.loads(decode_bytes(raw))
        except DecodeError as error:
            yield Rejection(path, str(error), number)
            continue
        except json.JSONDecodeError as error:
            yield Rejection(path, f"not JSON: {error.msg} at column {error.colno}", number)
            continue
        if not isinstance(record, dict):
            yield Rejection(path, "not a JSON object", number)
            continue
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            yield Rejection(path, "no 'text' field (or it is empty)", number)
            continue
        text = text.replace("\r\n", "\n")
        given_id = record.get("id")
        yield Document(
            id=str(given_id) if given_id else content_id(text),
            text=text, path=path, line=number,
            title=_str(record.get("title")), url=_str(record.get("url")),
            published=_date(record.get("published") or record.get("date")),
            source=_str(record.get("source")))


def _str(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def _date(value) -> str | None:
    """ISO date (YYYY-MM-DD) from a published field, or None."""
    from .dates import iso_date
    return iso_date(value) if value else None
