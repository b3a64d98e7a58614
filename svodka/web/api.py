"""The JSON API under /api. Parameters are validated here (FastAPI answers
422 with a message for malformed ones); the SQL lives in queries.py."""
from __future__ import annotations

from typing import Literal, Optional

import json

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from ..render import analysis_to_json
from .params import (CountryParam, DateFrom, DateTo, check_category, check_entity_key,
                     check_pair, country_code)
from .queries import KnowledgeBase

MAX_PAGE = 200


def kb_of(request: Request) -> KnowledgeBase:
    return request.app.state.kb


class JSON(JSONResponse):
    """The results are plain dicts of str, int, float, list and None, so
    they go straight to json.dumps: FastAPI's generic encoder would walk
    them again and take as long as the query."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


router = APIRouter(prefix="/api", tags=["api"], default_response_class=JSON)


@router.get("/documents", summary="Documents, newest first or by relevance to q")
def list_documents(request: Request,
                   q: Optional[str] = Query(None, max_length=200, description="full-text query (FTS5 over titles and bodies)"),
                   source: Optional[str] = Query(None, max_length=200, description="publishing site, e.g. kapital.kz"),
                   date_from: DateFrom = None, date_to: DateTo = None,
                   country: CountryParam = None,
                   limit: int = Query(20, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=100_000),
                   facets: bool = Query(False, description="add counts by source, country and year")):
    return JSON(kb_of(request).documents(q=q, source=source, date_from=date_from, date_to=date_to,
                                    country=country_code(country), limit=limit, offset=offset,
                                    facets=facets))


@router.get("/documents/{ref}", summary="One document: structure, entities, facts, events, quotes (with offsets)")
def get_document(request: Request, ref: str = Path(..., max_length=300)):
    kb = kb_of(request)
    doc_id = kb.resolve_document(ref)
    if doc_id is None:
        raise HTTPException(404, f"no document {ref!r}")
    result = analysis_to_json(kb.analysis(doc_id))
    entities = {e["id"]: e["key"] for e in result["entities"]}
    for mention in result["mentions"]:
        mention["entity_key"] = entities.get(mention["entity"])
    return JSON(result)


@router.get("/events", summary="PLOVER events, sorted by date, paginated")
def list_events(request: Request,
                country: CountryParam = None,
                pair: Optional[str] = Query(None, description="two ISO3 codes: KAZ,CUB"),
                category: Optional[str] = Query(None, description="PLOVER category: AGREE, CONSULT, ..."),
                quad: Optional[int] = Query(None, ge=1, le=4, description="1 verbal cooperation .. 4 material conflict"),
                context: Optional[str] = Query(None, max_length=40, pattern=r"^[a-z_]+$", description="PLOVER context: economic, diplomatic, ..."),
                person: Optional[str] = Query(None, max_length=200, description="person key or name: person:Алихан Смаилов"),
                date_from: DateFrom = None, date_to: DateTo = None,
                order: Literal["desc", "asc"] = "desc",
                limit: int = Query(50, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=100_000)):
    if person and not person.startswith("person:"):
        person = "person:" + person
    return JSON(kb_of(request).events(country=country_code(country), pair=check_pair(pair),
                                 category=check_category(category), quad=quad, context=context,
                                 person=person, date_from=date_from, date_to=date_to,
                                 order=order, limit=limit, offset=offset))


@router.get("/entities/{key:path}", summary="An entity across documents, by key (country:KAZ, person:Алихан Смаилов)")
def get_entity(request: Request, key: str,
               limit: int = Query(50, ge=1, le=MAX_PAGE)):
    key = check_entity_key(key)
    result = kb_of(request).entity(key, limit=limit)
    if result is None:
        raise HTTPException(404, f"no entity {key!r}")
    return JSON(result)


@router.get("/pairs/{a}/{b}", summary="Two countries: timeline of events, quotes, agreements")
def get_pair(request: Request,
             a: str = Path(..., pattern=r"^[A-Za-z]{3}$", description="ISO3 code"),
             b: str = Path(..., pattern=r"^[A-Za-z]{3}$", description="ISO3 code"),
             limit: int = Query(50, ge=1, le=MAX_PAGE, description="events given in full (the timeline has them all)")):
    a, b = check_pair(f"{a},{b}")
    kb = kb_of(request)
    unknown = [c for c in (a, b) if not kb.known_country(c)]
    if unknown:
        raise HTTPException(404, f"no country {', '.join(unknown)} in the knowledge base")
    return JSON(kb.pair(a, b, limit=limit))


@router.get("/search", summary="Search documents, entities and quotes at once")
def search(request: Request, q: str = Query(..., min_length=1, max_length=200),
           limit: int = Query(20, ge=1, le=50)):
    return JSON(kb_of(request).search(q, limit=limit))


@router.get("/overview", summary="Counts, top countries and country pairs")
def overview(request: Request):
    return JSON(kb_of(request).overview())
