"""Parameter types and checks shared by the API and the pages. A malformed
value becomes a 422 whose message says what was expected."""
from __future__ import annotations

import re
from typing import Annotated, Optional

from fastapi import HTTPException, Query

from .queries import COUNTRY_PATTERN, DATE_PATTERN, PLOVER_CATEGORIES

DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"
DateFrom = Annotated[Optional[str], Query(pattern=DATE_PATTERN, description=f"from this date ({DATE_HELP})")]
DateTo = Annotated[Optional[str], Query(pattern=DATE_PATTERN, description=f"up to this date, inclusive ({DATE_HELP})")]
CountryParam = Annotated[Optional[str], Query(pattern=COUNTRY_PATTERN, description="ISO3 code: KAZ")]

# The pages' forms send empty fields ("country="): there an empty value means
# no filter rather than a malformed one.
PageDate = Annotated[Optional[str], Query(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10)]
PageCountry = Annotated[Optional[str], Query(pattern=r"^([A-Za-z]{3})?$", max_length=3)]
PageQuad = Annotated[Optional[str], Query(pattern=r"^[1-4]?$", max_length=1)]

ENTITY_KINDS = ("person", "country", "city", "region", "igo", "organisation", "place")


def unprocessable(message: str) -> HTTPException:
    return HTTPException(422, message)


def country_code(value: Optional[str]) -> Optional[str]:
    return value.upper() if value else None


def blank_none(value: Optional[str]) -> Optional[str]:
    return value.strip() or None if value is not None else None


def check_category(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    category = value.upper()
    if category not in PLOVER_CATEGORIES:
        raise unprocessable(f"category: unknown PLOVER category {value!r}; "
                            f"expected one of {', '.join(PLOVER_CATEGORIES)}")
    return category


def check_pair(value: Optional[str]) -> Optional[tuple[str, str]]:
    if not value:
        return None
    codes = [c for c in re.split(r"[,\-/ ]", value.upper()) if c]
    if len(codes) != 2 or not all(re.fullmatch(r"[A-Z]{3}", c) for c in codes):
        raise unprocessable(f"pair: expected two ISO3 country codes like KAZ,CUB, got {value!r}")
    if codes[0] == codes[1]:
        raise unprocessable(f"pair: the two countries must differ, got {value!r}")
    return codes[0], codes[1]


def check_entity_key(key: str) -> str:
    """``kind:name``; a country's code is upper-cased (country:kaz works)."""
    kind, _, name = key.partition(":")
    if kind not in ENTITY_KINDS or not name.strip() or len(key) > 300:
        raise unprocessable(f"entity key: expected KIND:NAME with KIND one of "
                            f"{', '.join(ENTITY_KINDS)} (country:KAZ, person:Алихан Смаилов), "
                            f"got {key!r}")
    if kind == "country":
        name = name.upper()
    return f"{kind}:{name}"
