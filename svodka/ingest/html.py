"""HTML pages to Documents with trafilatura: the main text and the page's
metadata (title, date, site, author)."""
from __future__ import annotations

from ..model import Document
from .dates import iso_date
from .ids import content_id


def html_to_document(html: str, path: str) -> Document | None:
    import trafilatura
    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_precision=True)
    if not text or not text.strip():
        return None
    meta = trafilatura.extract_metadata(html)
    return Document(
        id=content_id(text), text=text, path=path,
        title=getattr(meta, "title", None) or None,
        url=getattr(meta, "url", None) or None,
        published=iso_date(meta.date) if getattr(meta, "date", None) else None,
        source=getattr(meta, "sitename", None) or getattr(meta, "hostname", None) or None,
        author=getattr(meta, "author", None) or None)
