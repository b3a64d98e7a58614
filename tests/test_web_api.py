"""The JSON API over a hand-made knowledge base (no NLP): filters, offsets,
pagination, 404s and 422s, and a connection that cannot write."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from svodka.store.sqlite import Store  # noqa: E402
from svodka.web import create_app  # noqa: E402
from web_seed import (HOSTILE_ID, SEED_ID, build_test_db, seed_analysis,  # noqa: E402
                      small_analysis)

SMAILOV = "person:Алихан Смаилов"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_test_db(tmp_path_factory.mktemp("api") / "kb.db", seed_published="2023-10-04")


@pytest.fixture(scope="module")
def client(db_path):
    with TestClient(create_app(str(db_path))) as client:
        yield client


def get(client, url, status=200, **params):
    response = client.get(url, params=params)
    assert response.status_code == status, (url, params, response.text[:500])
    return response.json()


# -- documents -------------------------------------------------------------------
def test_documents_list_is_paginated_newest_first(client):
    page = get(client, "/api/documents", limit=5)
    assert page["total"] == 32 and page["limit"] == 5 and len(page["items"]) == 5
    dates = [d["published"] for d in page["items"]]
    assert dates == sorted(dates, reverse=True)
    second = get(client, "/api/documents", limit=5, offset=5)
    assert not {d["id"] for d in page["items"]} & {d["id"] for d in second["items"]}


def test_documents_filters(client):
    assert get(client, "/api/documents", source="kapital.kz")["items"][0]["id"] == SEED_ID
    assert get(client, "/api/documents", source="x' OR 1=1 --")["total"] == 0
    cuba = get(client, "/api/documents", country="cub", limit=100)
    assert SEED_ID in {d["id"] for d in cuba["items"]}
    assert all(d["id"] != HOSTILE_ID for d in cuba["items"])
    in_2023 = get(client, "/api/documents", date_from="2023-10", date_to="2023", limit=100)
    # small023 is dated 2023-12-15: a year bound keeps the whole of December
    assert [d["id"] for d in in_2023["items"]] == ["small023", SEED_ID]
    assert get(client, "/api/documents", date_from="2024-02-03", date_to="2024-02-03")["total"] == 1


def test_documents_full_text_finds_inflected_forms(client):
    # "Кубы" in the query, "Кубы"/"Кубе"/"Кубу" in the text: a stem prefix match
    hits = get(client, "/api/documents", q="Куба переговоры")
    assert SEED_ID in [d["id"] for d in hits["items"]]
    seed = next(d for d in hits["items"] if d["id"] == SEED_ID)
    assert "\x02" not in seed["snippet"] and seed["snippet"]
    # FTS5 syntax in the user's words is just words, never an error
    for q in ['"', "AND OR NOT", "NEAR(", "*", "Куба AND (", "'; DROP TABLE documents; --"]:
        get(client, "/api/documents", q=q)


def test_documents_facets(client):
    facets = get(client, "/api/documents", facets="true")["facets"]
    sources = {v["value"]: v["count"] for v in facets["source"]["values"]}
    assert sources["tass.ru"] == 15 and sources["kapital.kz"] == 1
    countries = {v["value"]: v for v in facets["country"]["values"]}
    assert countries["KAZ"]["label"] == "Казахстан"
    assert {v["value"] for v in facets["year"]["values"]} >= {"2023", "2024", "2020"}


def test_document_detail_has_structure_and_offsets(client):
    doc = get(client, f"/api/documents/{SEED_ID}")
    text = doc["text"]
    assert doc["source"] == "kapital.kz" and doc["original_source"] == "primeminister.kz"
    assert doc["photo_credit"] == "primeminister.kz"
    assert len(doc["related_headlines"]) == 4
    body = doc["body"]
    assert text[body["start"]:body["stop"]] == body["text"]
    assert "Катаром" not in body["text"]
    for mention in doc["mentions"]:
        assert text[mention["start"]:mention["stop"]] == mention["text"]
    keys = {e["key"] for e in doc["entities"]}
    assert {"country:KAZ", "country:CUB", SMAILOV} <= keys
    smailov = [m for m in doc["mentions"] if m["entity_key"] == SMAILOV]
    assert smailov and smailov[0]["text"] == "Алихан Смаилов"
    consult = next(e for e in doc["events"] if e["event"] == "CONSULT")
    (start, stop), = consult["evidence"]
    assert text[start:stop] == consult["event_text"]
    for quote in doc["quotes"]:
        assert text[quote["start"]:quote["stop"]] == quote["text"]
    assert {f["type"] for f in doc["facts"]} == {"Occupation", "Meeting"}


def test_document_by_prefix_and_unknown(client):
    assert get(client, "/api/documents/000_10db")["id"] == SEED_ID
    missing = get(client, "/api/documents/nope", status=404)
    assert "nope" in missing["detail"]


# -- events ----------------------------------------------------------------------
def test_events_pair_and_order(client):
    page = get(client, "/api/events", pair="KAZ,CUB", limit=100)
    assert page["total"] == 4 + 6
    assert all({"KAZ", "CUB"} <= {p["country"] for p in e["actors"] + e["recipients"]}
               for e in page["items"])
    dates = [e["date"] for e in page["items"]]
    assert dates == sorted(dates, reverse=True)
    ascending = get(client, "/api/events", pair="CUB-KAZ", order="asc", limit=100)
    assert [e["date"] for e in ascending["items"]] == sorted(dates)
    assert ascending["items"][-1]["document"]["id"] == SEED_ID


def test_events_filters(client):
    consult = get(client, "/api/events", category="consult", country="KAZ", limit=100)
    assert consult["total"] == 1 + 6
    assert {e["category"] for e in consult["items"]} == {"CONSULT"}
    conflict = get(client, "/api/events", quad=3)
    assert conflict["total"] == 6 and {e["category"] for e in conflict["items"]} == {"ACCUSE"}
    health = get(client, "/api/events", context="health")
    assert [e["category"] for e in health["items"]] == ["CONSULT"]
    person = get(client, "/api/events", person="Алихан Смаилов")
    assert {e["category"] for e in person["items"]} == {"CONSULT", "AGREE"}
    assert get(client, "/api/events", person=SMAILOV)["total"] == person["total"] == 3
    dated = get(client, "/api/events", date_from="2024-02-01", date_to="2024-02")
    assert [e["doc_id"] for e in dated["items"]] == [HOSTILE_ID]


def test_events_pagination_is_stable_and_capped(client):
    first = get(client, "/api/events", limit=10)
    second = get(client, "/api/events", limit=10, offset=10)
    assert first["total"] == 35
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    too_big = get(client, "/api/events", limit=100000, status=422)
    assert "limit" in too_big["detail"]


@pytest.mark.parametrize("params, words", [
    ({"date_from": "yesterday"}, "YYYY"),
    ({"date_to": "2023-1"}, "YYYY"),
    ({"category": "FRIENDSHIP"}, "PLOVER category"),
    ({"pair": "KAZ"}, "two ISO3"),
    ({"pair": "KAZ,KAZ"}, "differ"),
    ({"quad": "7"}, "quad"),
    ({"quad": "one"}, "quad"),
    ({"country": "Kazakhstan"}, "ISO3"),
    ({"order": "sideways"}, "order"),
    ({"offset": "-1"}, "offset"),
])
def test_malformed_parameters_give_422_with_a_message(client, params, words):
    body = get(client, "/api/events", status=422, **params)
    assert words in body["detail"], body


# -- entities --------------------------------------------------------------------
def test_person(client):
    person = get(client, f"/api/entities/{SMAILOV}")
    assert person["kind"] == "person" and person["country"] == "KAZ"
    office, = person["positions"]
    assert office["position"] == "премьер-министр" and office["country"] == "KAZ"
    assert office["first_seen"] == "2023-10-04"
    assert office["sources"][0]["doc_id"] == SEED_ID and office["sources"][0]["source"] == "kapital.kz"
    assert [m["category"] for m in person["meetings"]] == ["CONSULT"]
    assert len(person["quotes"]) == 2
    assert all(q["speaker"]["key"] == SMAILOV for q in person["quotes"])
    assert {f["type"] for f in person["facts"]} == {"Occupation", "Meeting"}


def test_country_partners_ranked_by_events_per_quad(client):
    kaz = get(client, "/api/entities/country:kaz")
    assert kaz["key"] == "country:KAZ"
    partners = [(p["country"], p["events"]) for p in kaz["partners"]]
    assert partners == [("CUB", 10), ("RUS", 6)]
    assert kaz["partners"][0]["quads"] == {"1": 10, "2": 0, "3": 0, "4": 0}
    rus = get(client, "/api/entities/country:RUS")
    assert {p["country"]: p["quads"]["3"] for p in rus["partners"]}["USA"] == 6
    assert any(p["key"] == SMAILOV for p in kaz["people"])


def test_entity_unknown_and_malformed(client):
    assert "Nobody" in get(client, "/api/entities/person:Nobody", status=404)["detail"]
    assert "KIND:NAME" in get(client, "/api/entities/nonsense", status=422)["detail"]
    assert get(client, "/api/entities/igo:EAEU-EIC")["name"] == "Евразийский межправительственный совет"


# -- pairs -----------------------------------------------------------------------
def test_pair_timeline_quotes_agreements(client):
    pair = get(client, "/api/pairs/KAZ/CUB")
    assert pair["a"] == {"code": "KAZ", "name": "Казахстан"}
    events = pair["events"]["items"]           # the newest, in full
    assert [e["date"] for e in events] == sorted((e["date"] for e in events), reverse=True)
    timeline = pair["timeline"]                # every event, oldest first
    assert len(timeline) == 10
    assert [p["when"] for p in timeline] == sorted(p["when"] for p in timeline)
    assert {p["category"] for p in timeline} == {"CONSULT", "SUPPORT", "AGREE"}
    assert "CONSULT" in pair["by_category"]
    assert pair["by_quad"]["1"] == 10
    assert len(pair["quotes"]) == 3
    assert get(client, "/api/pairs/cub/kaz")["events"]["total"] == 10


def test_pair_errors(client):
    assert "ZZZ" in get(client, "/api/pairs/KAZ/ZZZ", status=404)["detail"]
    get(client, "/api/pairs/KAZ/KAZ", status=422)
    get(client, "/api/pairs/KAZ/K1Z", status=422)


# -- search ----------------------------------------------------------------------
def test_search_across_documents_entities_quotes(client):
    result = get(client, "/api/search", q="Смаилов")
    assert SMAILOV in [e["key"] for e in result["entities"]]
    assert SEED_ID in [d["id"] for d in result["documents"]["items"]]
    quotes = get(client, "/api/search", q="товарооборот")["quotes"]
    assert quotes[0]["speaker"]["key"] == SMAILOV
    assert get(client, "/api/search", q="KAZ")["entities"][0]["key"] == "country:KAZ"
    get(client, "/api/search", status=422)
    get(client, "/api/search", q="x" * 500, status=422)


def test_openapi_schema(client):
    schema = get(client, "/openapi.json")
    for path in ("/api/documents", "/api/documents/{ref}", "/api/events", "/api/entities/{key}",
                 "/api/pairs/{a}/{b}", "/api/search"):
        assert path in schema["paths"], path
    assert not any(p.startswith("/documents") for p in schema["paths"])


# -- read-only -------------------------------------------------------------------
def test_the_connection_cannot_write(client, db_path):
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    for url in ("/api/documents", "/api/events", f"/api/entities/{SMAILOV}", "/api/pairs/KAZ/CUB",
                "/api/search?q=Куба", "/", f"/documents/{SEED_ID}"):
        client.get(url)
    kb = client.app.state.kb
    with pytest.raises(sqlite3.OperationalError):
        kb.db.execute("DELETE FROM documents")
    with pytest.raises(sqlite3.OperationalError):
        kb.db.execute("CREATE TABLE x (y)")
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_new_records_show_up_without_a_restart(tmp_path):
    path = tmp_path / "live.db"
    with Store(path) as store:
        store.write([seed_analysis("2023-10-04")])
    with TestClient(create_app(str(path))) as client:
        assert get(client, "/api/entities/country:TUR", status=404)
        with Store(path) as store:
            store.write([small_analysis("late", "2024-05-05", "KAZ", "TUR", "CONSULT", 1)])
        assert get(client, "/api/entities/country:KAZ")["partners"][-1]["country"] == "TUR"
        assert get(client, "/api/entities/country:TUR")["documents"] == 1


def test_missing_database_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        create_app(str(tmp_path / "none.db"))


# -- the in-memory snapshot agrees with plain SQL --------------------------------
def _brute_force_events(db_path, country=None, pair=None, category=None, quad=None,
                        context=None, date_from=None, date_to=None) -> set:
    db = sqlite3.connect(db_path)
    out = set()
    for doc_id, idx, cat, q, ctx, date, published in db.execute(
            "SELECT e.doc_id, e.idx, e.category, e.quad, e.context, e.date, d.published "
            "FROM events e JOIN documents d ON d.id = e.doc_id"):
        countries = {r[0] for r in db.execute(
            "SELECT country FROM event_parties WHERE doc_id = ? AND event_idx = ?", (doc_id, idx))}
        when = date or published
        if country and country not in countries:
            continue
        if pair and not set(pair) <= countries:
            continue
        if category and cat != category or quad and q != quad:
            continue
        if context and context not in json.loads(ctx):
            continue
        if date_from and (not when or when < date_from):
            continue
        if date_to and (not when or when > date_to + "~"):
            continue
        out.add(f"{doc_id}/{idx}")
    return out


@pytest.mark.parametrize("filters", [
    {}, {"country": "RUS"}, {"pair": ("KAZ", "RUS")}, {"category": "CONSULT"}, {"quad": 3},
    {"context": "economic"}, {"date_from": "2022", "date_to": "2023-06"},
    {"country": "KAZ", "category": "AGREE", "date_from": "2021-03"},
    {"pair": ("CUB", "KAZ"), "context": "diplomatic"}, {"quad": 1, "date_to": "2020-12-31"},
    {"country": "ZZZ"}, {"date_from": "2030"},
])
def test_event_filters_match_plain_sql(client, db_path, filters):
    params = {k: (",".join(v) if k == "pair" else v) for k, v in filters.items()}
    page = get(client, "/api/events", limit=200, **params)
    expected = _brute_force_events(str(db_path), **filters)
    assert page["total"] == len(expected)
    assert {e["id"] for e in page["items"]} == expected
    whens = [e["date"] or e["published"] for e in page["items"]]
    dated = [w for w in whens if w]
    assert dated == sorted(dated, reverse=True) and whens[:len(dated)] == dated


def test_broad_full_text_queries_are_ordered_by_recency(client, monkeypatch):
    from svodka.web import queries
    monkeypatch.setattr(queries, "RANK_LIMIT", 1)
    monkeypatch.setattr(queries, "FACET_SAMPLE", 2)
    result = get(client, "/api/documents", q="переговоры", facets="true")
    assert result["order"] == "recently added" and result["total"] > 2
    assert result["facets"]["source"]["sampled"] is True
    assert sum(v["count"] for v in result["facets"]["source"]["values"]) == 2
    assert "\x02" not in result["items"][0]["snippet"]


def test_snippets_mark_inflected_matches():
    from svodka.web.queries import fts_terms, make_snippet
    body = "Вчера премьер-министр Кубы провёл переговоры. " + "Дальше текст. " * 30
    snippet = make_snippet(body, fts_terms("куба переговор"))
    assert "\x02Кубы\x03" in snippet and "\x02переговоры\x03" in snippet
    assert snippet.endswith("…")
    assert make_snippet(body, fts_terms("Аргентина")) is None


def test_serve_refuses_a_missing_database(tmp_path, capsys):
    from svodka.cli import build_parser, main
    assert main(["serve", "--db", str(tmp_path / "none.db")]) == 2
    assert "no such database" in capsys.readouterr().err
    args = build_parser().parse_args(["serve", "--db", "x.db"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
