"""Publication dates from metadata fields, as ISO YYYY-MM-DD."""
from __future__ import annotations

import datetime as dt


def iso_date(value) -> str | None:
    """'2023-06-08', '2023-06-08T10:15:00+03:00', '08.06.2023' -> '2023-06-08'."""
    text = str(value).strip()
    for parse in (_iso, _dotted):
        date = parse(text)
        if date:
            return date.isoformat()
    return None


def _iso(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _dotted(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text[:10], "%d.%m.%Y").date()
    except ValueError:
        return None
