"""Stable document ids.

An id is a short prefix and 16 hex digits of a hash of the text, so the same
text always gets the same id (reruns are idempotent, exact reprints collide on
purpose). A file whose name already has that shape (``000_10db7d64be0f7442``,
as scrapers that use the scheme save them) keeps it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

ID_PREFIX = "svk"
_ID_SHAPE = re.compile(r"^[0-9A-Za-z]{1,12}_[0-9a-f]{16}$")


def normalise_for_hash(text: str) -> str:
    """Unicode NFC, whitespace collapsed: layout changes do not change the id."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()[:16]


def content_id(text: str, prefix: str = ID_PREFIX) -> str:
    return f"{prefix}_{content_hash(text)}"


def id_from_name(name: str | None) -> str | None:
    return name if name and _ID_SHAPE.match(name) else None
