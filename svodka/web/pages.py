"""Server-rendered pages (Jinja2, autoescaped). Each page is a plain GET
with its state in the URL, so anything on screen can be linked to."""
from __future__ import annotations

import json
from dataclasses import asdict
from itertools import combinations
from typing import Optional
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from . import charts
from .highlight import entity_url, highlight_body, pair_url
from .params import (PageCountry, PageDate, PageQuad, blank_none, check_category,
                     check_entity_key, check_pair, country_code)
from .queries import PLOVER_CATEGORIES, QUADS, KnowledgeBase, headline

PAGE_SIZE = 20
PAIR_EVENTS = 50
router = APIRouter(include_in_schema=False)


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("svodka.web", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined)
    env.globals.update(entity_url=entity_url, pair_url=pair_url, quads=QUADS,
                       categories=PLOVER_CATEGORIES, chart=chart_json)
    env.filters["marked"] = marked
    env.filters["event_pairs"] = event_pairs
    return env


def chart_json(figure: Optional[dict], element_id: str) -> Markup:
    """A figure as an inert JSON script block that static/app.js draws; "<",
    ">" and "&" are escaped so no data can close the block."""
    if not figure:
        return Markup("")
    text = inert_json(figure)
    return Markup(f'<div class="chart" data-chart="{element_id}" id="{element_id}"></div>'
                  f'<script type="application/json" id="{element_id}-data">{text}</script>')


def inert_json(value) -> str:
    """JSON for an HTML script block: "<", ">", "&" and quote characters in
    strings are \\u escapes, so neither "</script>" nor '" onmouseover='
    from an article appears in the page as such."""
    if isinstance(value, str):
        inner = json.dumps(value, ensure_ascii=False)[1:-1]
        # within one string's encoding every backslash-quote is an escaped quote
        inner = inner.replace('\\"', "\\u0022").replace("<", "\\u003c") \
            .replace(">", "\\u003e").replace("&", "\\u0026")
        return f'"{inner}"'
    if isinstance(value, dict):
        return "{" + ",".join(f"{inert_json(str(k))}:{inert_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(inert_json(v) for v in value) + "]"
    return json.dumps(value)


def marked(snippet: Optional[str]) -> Markup:
    """An FTS5 snippet with its \\x02..\\x03 match markers as <mark>, the
    text between them escaped."""
    if not snippet:
        return Markup("")
    out = []
    for i, part in enumerate(snippet.replace("\x03", "\x02").split("\x02")):
        escaped = str(Markup.escape(part))
        out.append(f"<mark>{escaped}</mark>" if i % 2 else escaped)
    return Markup("".join(out))


def event_pairs(event: dict) -> list[tuple[str, str]]:
    countries = sorted({p["country"] for p in event["actors"] + event["recipients"]
                        if p.get("country") and len(p["country"]) == 3})
    return list(combinations(countries, 2))[:6]


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {404: "Not found", 422: "Malformed request", 503: "Too slow"}
    return render(request, "error.html", status=status, status_code=status,
                  title=titles.get(status, "Error"), message=message)


def kb_of(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def url_with(request: Request, **changes) -> str:
    """The current URL with some query parameters changed (None removes)."""
    params = dict(request.query_params)
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


# -- search ---------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request,
                q: Optional[str] = Query(None, max_length=200),
                source: Optional[str] = Query(None, max_length=200),
                country: PageCountry = None, date_from: PageDate = None, date_to: PageDate = None,
                page: int = Query(1, ge=1, le=1000)):
    kb = kb_of(request)
    q, source, country = blank_none(q), blank_none(source), blank_none(country)
    date_from, date_to = blank_none(date_from), blank_none(date_to)
    documents = kb.documents(q=q, source=source, country=country_code(country),
                             date_from=date_from, date_to=date_to, limit=PAGE_SIZE,
                             offset=(page - 1) * PAGE_SIZE, facets=True)
    filtered = any((q, source, country, date_from, date_to))
    return render(request, "search.html", title=q or "svodka", q=q or "",
                  documents=documents, page=page, page_size=PAGE_SIZE,
                  entities=kb.search_entities(q) if q else [],
                  quotes=kb.search_quotes(q, limit=10) if q else [],
                  overview=None if filtered else kb.overview(),
                  filters={"source": source, "country": country_code(country),
                           "date_from": date_from, "date_to": date_to},
                  country_name=kb.country_name, url_with=lambda **c: url_with(request, **c))


# -- one document ---------------------------------------------------------------
@router.get("/documents/{ref}", response_class=HTMLResponse)
def document_page(request: Request, ref: str = Path(..., max_length=300)):
    kb = kb_of(request)
    doc_id = kb.resolve_document(ref)
    if doc_id is None:
        raise HTTPException(404, f"no document {ref!r}")
    analysis = kb.analysis(doc_id)
    doc = analysis.document
    by_id = {e.id: e for e in analysis.entities}
    entities = []
    for entity in analysis.entities:
        forms = sorted({analysis.mentions[i].text for i in entity.mentions
                        if i < len(analysis.mentions)})
        entities.append({"entity": entity, "key": entity.key, "forms": forms,
                         "count": len(entity.mentions)})
    entities.sort(key=lambda x: (x["entity"].kind, -x["count"], x["entity"].name))
    def key_of(actor) -> Optional[str]:
        if actor.entity in by_id:
            return by_id[actor.entity].key
        named = [e for e in analysis.entities if e.name == actor.entity_name]
        return named[0].key if named else kb.party_key({"entity_name": actor.entity_name,
                                                         "country": actor.country})

    events = []
    for index, event in enumerate(analysis.events):
        events.append({
            "doc_id": doc.id, "idx": index, "category": event.category, "quad": event.quad_code,
            "quad_label": QUADS.get(event.quad_code, ""),
            "actors": [asdict(a) | {"key": key_of(a)} for a in event.actors],
            "recipients": [asdict(a) | {"key": key_of(a)} for a in event.recipients],
            "mode": event.mode, "context": event.context,
            "location": asdict(event.location) if event.location else None,
            "date": event.date, "published": doc.published, "text": event.text,
            "start": event.start, "stop": event.stop, "trigger": event.trigger})
    facts = []
    for fact in analysis.facts:
        args = []
        for role, value in fact.args.items():
            if role.endswith("_entity"):
                continue
            linked = fact.args.get(f"{role}_entity")
            values = value if isinstance(value, list) else [value]
            links = linked if isinstance(linked, list) else [linked] * len(values)
            args.append((role, [(v, by_id[l].key if l in by_id else None)
                                for v, l in zip(values, links + [None] * len(values))]))
        facts.append({"type": fact.type, "args": args, "status": fact.status,
                      "start": fact.start, "stop": fact.stop})
    quotes = [{"quote": q, "speaker": by_id.get(q.speaker)} for q in analysis.quotes]
    furniture = [f for f in doc.furniture if f.role != "related_headline"]
    body_start, body_stop = doc.body_span
    return render(request, "document.html",
                  title=headline(doc.title, doc.body[:160]), doc=doc, analysis=analysis,
                  body=highlight_body(analysis), entities=entities, events=events,
                  facts=facts, quotes=quotes, furniture=furniture,
                  body_span=(body_start, body_stop), country_name=kb.country_name)


# -- entities -------------------------------------------------------------------
@router.get("/entities/{key:path}", response_class=HTMLResponse)
def entity_page(request: Request, key: str):
    key = check_entity_key(key)
    kb = kb_of(request)
    entity = kb.entity(key, limit=50)
    if entity is None:
        raise HTTPException(404, f"no entity {key!r}")
    figures = {}
    if entity["kind"] == "country":
        code = key.split(":", 1)[1]
        figures["months"] = charts.country_months(entity["timeline"])
        figures["partners"] = charts.partners_bars(entity["partners"])
        figures["graph"] = charts.partner_graph(kb.partner_graph([code], per_country=12))
    elif entity["kind"] == "person":
        figures["timeline"] = charts.event_timeline(entity["events"]["items"])
    return render(request, "entity.html", title=entity["name"], entity=entity,
                  figures=figures, country_name=kb.country_name)


# -- country pairs --------------------------------------------------------------
@router.get("/pairs/{a}/{b}", response_class=HTMLResponse)
def pair_page(request: Request,
              a: str = Path(..., pattern=r"^[A-Za-z]{3}$"),
              b: str = Path(..., pattern=r"^[A-Za-z]{3}$")):
    a, b = check_pair(f"{a},{b}")
    kb = kb_of(request)
    unknown = [c for c in (a, b) if not kb.known_country(c)]
    if unknown:
        raise HTTPException(404, f"no country {', '.join(unknown)} in the knowledge base")
    pair = kb.pair(a, b, limit=PAIR_EVENTS)
    items = pair["events"]["items"]
    # the newest events, listed in time order under the chart
    dated = sorted((e for e in items if e["date"] or e["published"]),
                   key=lambda e: (e["date"] or e["published"], e["doc_id"], e["idx"]))
    undated = [e for e in items if not (e["date"] or e["published"])]
    agreements_events = [e for e in items if e["category"] in ("AGREE", "SUPPORT")]
    return render(request, "pair.html", title=f"{pair['a']['name']} – {pair['b']['name']}",
                  pair=pair, dated=dated, undated=undated, agreement_events=agreements_events,
                  timeline=charts.timeline_points(pair["timeline"]),
                  months=charts.country_months(pair["by_month"])
                  if pair["events"]["total"] > len(pair["timeline"]) else None,
                  graph=charts.partner_graph(kb.partner_graph([a, b], per_country=6)),
                  country_name=kb.country_name)


# -- events ---------------------------------------------------------------------
@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request,
                country: PageCountry = None,
                pair: Optional[str] = Query(None, max_length=20),
                category: Optional[str] = Query(None, max_length=20),
                quad: PageQuad = None,
                context: Optional[str] = Query(None, max_length=40, pattern=r"^[a-z_]*$"),
                date_from: PageDate = None, date_to: PageDate = None,
                page: int = Query(1, ge=1, le=1000)):
    kb = kb_of(request)
    country, pair, category = blank_none(country), blank_none(pair), blank_none(category)
    date_from, date_to = blank_none(date_from), blank_none(date_to)
    quad = int(quad) if quad else None
    events = kb.events(country=country_code(country), pair=check_pair(pair),
                       category=check_category(category), quad=quad, context=context or None,
                       date_from=date_from, date_to=date_to, limit=PAGE_SIZE,
                       offset=(page - 1) * PAGE_SIZE)
    return render(request, "events.html", title="Events", events=events, page=page,
                  page_size=PAGE_SIZE, url_with=lambda **c: url_with(request, **c),
                  filters={"country": country_code(country) or "", "pair": pair or "",
                           "category": (category or "").upper(), "quad": quad,
                           "context": context or "", "date_from": date_from or "",
                           "date_to": date_to or ""},
                  country_name=kb.country_name)


# -- the weekly briefing --------------------------------------------------------
DIGEST_SECONDS = 15.0    # a digest reads five weeks of events: more than one page query


@router.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request,
                week: Optional[str] = Query(None, max_length=8, pattern=r"^(\d{4}-W\d{2})?$"),
                country: PageCountry = None,
                lang: str = Query("ru", pattern=r"^(ru|en)$"),
                format: str = Query("page", pattern=r"^(page|html|json)$")):
    """A week's briefing with a week picker; format=html is the
    self-contained document for mailing, format=json the record."""
    from fastapi.responses import Response
    from .. import digest as briefing
    kb = kb_of(request)
    with kb._deadline(DIGEST_SECONDS):
        week = blank_none(week) or briefing.latest_week(kb.db)
        if week is None:
            raise HTTPException(404, "no dated events in the knowledge base: nothing to summarise")
        try:
            period = briefing.week_period(week)
        except ValueError as error:
            raise HTTPException(422, str(error))
        digest = briefing.build_digest(kb.db, period, country=country_code(blank_none(country)),
                                       lang=lang)
    if format == "json":
        return Response(digest.to_json(), media_type="application/json")
    if format == "html":
        return HTMLResponse(briefing.render_html(digest, link_base=str(request.base_url)))
    return render(request, "digest.html", title=f"{digest.title}: {digest.period}",
                  digest=digest, p=digest.phrases, body=Markup(briefing.render_body(digest)),
                  week_url=lambda w: url_with(request, week=w, format=None),
                  mail_url=url_with(request, week=digest.week, format="html"),
                  json_url=url_with(request, week=digest.week, format="json"))
