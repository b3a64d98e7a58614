"""The weekly briefing: ranking rules, sections, filters, determinism, the
English variant, the seed's meeting under its week, the CLI and /digest."""
from __future__ import annotations

import json
import re
import sqlite3

import pytest

from svodka.digest import (Period, build_digest, event_day, independent_sources, latest_week,
                           office_weight, render, span_period, week_period)
from svodka.model import Actor, Analysis, Document, Entity, Event, Fact, Quote, Sentence
from svodka.store.sqlite import Store

from conftest import SEED

W23 = week_period("2023-W23")          # 2023-06-05 .. 2023-06-11

COUNTRY_NAMES = {"RUS": "Россия", "CHN": "Китай", "IND": "Индия", "USA": "США",
                 "FRA": "Франция", "KAZ": "Казахстан", "CUB": "Куба", "BRA": "Бразилия"}
PRESIDENTS = {"RUS": "Владимир Путин", "CHN": "Си Цзиньпин", "IND": "Нарендра Моди",
              "USA": "Джо Байден", "FRA": "Эмманюэль Макрон", "BRA": "Лула да Силва",
              "KAZ": "Касым-Жомарт Токаев", "CUB": "Мигель Диас-Канель"}


def president(code: str, entity_id: str) -> Actor:
    return Actor(PRESIDENTS[code], PRESIDENTS[code], code, "GOV", "президент", entity_id)


def state(code: str, entity_id: str) -> Actor:
    return Actor(COUNTRY_NAMES[code], COUNTRY_NAMES[code], code, "GOV", None, entity_id)


def article(doc_id: str, published: str | None, events: list[tuple], *, source: str | None = None,
            original_source: str | None = None, quotes: list[tuple] = (),
            occupations: list[tuple] = ()) -> Analysis:
    """A document with one sentence per event. ``events`` holds (category,
    quad, actor codes, recipient codes, kind) with kind "president" or
    "state", plus an optional own date; ``quotes`` (speaker code, text,
    kind); ``occupations`` (who, position, country code)."""
    sentences, evidence = [], []
    for category, quad, actors, recipients, *rest in events:
        evidence.append(f"{category} {'/'.join(actors)} -> {'/'.join(recipients) or '-'} в {doc_id}.")
    text = " ".join(evidence)
    doc = Document(id=doc_id, text=text, path=f"{doc_id}.txt", published=published,
                   source=source, original_source=original_source, body_stop=len(text))
    a = Analysis(document=doc)
    entities: dict[str, Entity] = {}

    def entity_for(code: str, kind: str) -> str:
        key = f"{kind}:{code}"
        if key not in entities:
            entity_id = f"e{len(entities) + 1}"
            if kind == "president":
                entities[key] = Entity(entity_id, "person", PRESIDENTS[code], code, None, "GOV",
                                       "президент")
            else:
                entities[key] = Entity(entity_id, "country", COUNTRY_NAMES[code], code, code, "GOV")
        return entities[key].id

    offset = 0
    for (category, quad, actors, recipients, *rest), sentence in zip(events, evidence):
        kind = rest[0] if rest else "president"
        own_date = rest[1] if len(rest) > 1 else None
        make = president if kind == "president" else state
        start, stop = offset, offset + len(sentence)
        a.sentences.append(Sentence(start, stop, sentence))
        a.events.append(Event(category, quad,
                              [make(c, entity_for(c, kind)) for c in actors],
                              [make(c, entity_for(c, kind)) for c in recipients],
                              [], ["diplomatic"], None, own_date, sentence, start, stop))
        offset = stop + 1
    for code, quote_text, kind in quotes:
        a.quotes.append(Quote(quote_text, 0, len(quote_text), kind, entity_for(code, "president"),
                              PRESIDENTS[code], 0, len(text)))
    for who, position, code in occupations:
        where = entity_for(code, "state")
        entities[f"person:{who}"] = Entity(f"p{len(entities)}", "person", who, code, None, "GOV",
                                           position)
        a.facts.append(Fact("Occupation", {"who": who, "position": position, "office": position,
                                           "sector": "GOV", "who_entity": f"p{len(entities) - 1}",
                                           "where": COUNTRY_NAMES[code], "where_entity": where},
                            0, len(text)))
    a.entities = list(entities.values())
    return a


def make_db(path, analyses: list[Analysis]) -> sqlite3.Connection:
    with Store(path) as store:
        store.write(analyses)
    return sqlite3.connect(path)


def items(digest, section: str | None = None) -> list:
    return [item for s in digest.sections if section in (None, s.key)
            for g in s.groups for item in g.items]


def item_for(digest, category: str, parties: set[str]):
    found = [i for i in items(digest) if i.category == category and set(i.parties) == parties]
    assert len(found) == 1, [(i.category, i.parties) for i in items(digest)]
    return found[0]


# -- periods and small rules ----------------------------------------------------
def test_periods_and_days():
    assert (W23.start.isoformat(), W23.stop.isoformat()) == ("2023-06-05", "2023-06-11")
    assert W23.shifted(-1).week == "2023-W22" and week_period("2023-W1").week == "2023-W01"
    assert week_period("2021-W01").start.isoformat() == "2021-01-04"
    assert span_period("2023-06-01", "2023-06-10").days == 10
    with pytest.raises(ValueError):
        week_period("2023-23")
    with pytest.raises(ValueError):
        span_period("2023-06-10", "2023-06-01")
    assert event_day("2023-06-01", "2023-07-01") == "2023-06-01"
    assert event_day("2023-06", "2023-07-01") == "2023-07-01"     # a partial date: the document's
    assert event_day(None, None) is None


def test_office_weights():
    assert office_weight("президент") == office_weight("премьер-министр") == 3
    assert office_weight("министр иностранных дел") == office_weight("первый вице-премьер") == 2
    assert office_weight("бывший президент") == office_weight("посол") == 1
    assert office_weight("министр-президент") == 1


def test_independent_sources_join_sites_and_stories():
    docs = {"a": {"origin": "tass.ru", "story": None}, "b": {"origin": "tass.ru", "story": None},
            "c": {"origin": "ria.ru", "story": "s1"}, "d": {"origin": None, "story": "s1"},
            "e": {"origin": None, "story": None}}
    assert independent_sources(["a", "b"], docs) == 1
    assert independent_sources(["c", "d"], docs) == 1
    assert independent_sources(["a", "c", "d", "e"], docs) == 3


# -- ranking ----------------------------------------------------------------------
def test_more_independent_sources_rank_higher(tmp_path):
    analyses = [article(f"chn{i}", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [])],
                        source=site) for i, site in enumerate(["tass.ru", "ria.ru", "rbc.ru"])]
    analyses.append(article("ind0", "2023-06-06", [("CONSULT", 1, ["RUS", "IND"], [])],
                            source="tass.ru"))
    # three copies from one site are one source
    analyses += [article(f"bra{i}", "2023-06-07", [("CONSULT", 1, ["RUS", "BRA"], [])],
                         source="interfax.ru") for i in range(3)]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    meetings = items(digest, "meetings")
    assert set(meetings[0].parties) == {"RUS", "CHN"} and meetings[0].sources == 3
    assert meetings[0].rank == 1 and meetings[0].documents == ["chn0", "chn1", "chn2"]
    assert meetings[0].score > meetings[1].score
    chn, ind, bra = (item_for(digest, "CONSULT", {"RUS", c}) for c in ("CHN", "IND", "BRA"))
    assert bra.sources == 1 and bra.score == ind.score


def test_reprints_of_one_story_count_once(tmp_path):
    analyses = [article(f"r{i}", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [])],
                        source=site) for i, site in enumerate(["a.ru", "b.ru"])]
    db = make_db(tmp_path / "kb.db", analyses)
    assert item_for(build_digest(db, W23), "CONSULT", {"RUS", "CHN"}).sources == 2
    db.executescript("CREATE TABLE story_members (doc_id TEXT PRIMARY KEY, story_id TEXT NOT NULL);"
                     "INSERT INTO story_members VALUES ('r0', 'r0'), ('r1', 'r0');")
    assert item_for(build_digest(db, W23), "CONSULT", {"RUS", "CHN"}).sources == 1


def test_conflict_outweighs_routine_cooperation(tmp_path):
    analyses = [article("coop", "2023-06-06", [("AGREE", 1, ["RUS"], ["FRA"])]),
                article("accuse", "2023-06-06", [("ACCUSE", 3, ["USA"], ["RUS"])]),
                article("attack", "2023-06-06", [("ASSAULT", 4, ["USA"], ["CHN"])])]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    agree = item_for(digest, "AGREE", {"RUS", "FRA"})
    accuse = item_for(digest, "ACCUSE", {"USA", "RUS"})
    assault = item_for(digest, "ASSAULT", {"USA", "CHN"})
    assert assault.score > accuse.score > agree.score
    assert (agree.quad_weight, accuse.quad_weight, assault.quad_weight) == (1, 2, 3)
    assert [i.category for i in items(digest, "conflicts")] == ["ASSAULT", "ACCUSE"]


def test_heads_of_state_outweigh_states(tmp_path):
    analyses = [article("heads", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [], "president")]),
                article("states", "2023-06-06", [("CONSULT", 1, ["RUS", "IND"], [], "state")])]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    heads, states = items(digest, "meetings")
    assert set(heads.parties) == {"RUS", "CHN"} and heads.actor_weight == 3
    assert states.actor_weight == 1.5 and heads.score > states.score
    assert heads.people == ["Владимир Путин (президент)", "Си Цзиньпин (президент)"]


def test_a_pair_and_category_seen_in_the_previous_weeks_scores_less(tmp_path):
    analyses = [article("old", "2023-05-16", [("CONSULT", 1, ["RUS", "CHN"], [])]),   # W20
                article("older", "2023-04-01", [("CONSULT", 1, ["RUS", "IND"], [])]),  # 9 weeks back
                article("chn", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [])]),
                article("ind", "2023-06-06", [("CONSULT", 1, ["RUS", "IND"], [])]),
                # the same pair in another category is still news
                article("agree", "2023-05-30", [("AGREE", 1, ["RUS"], ["IND"])])]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    first, second = items(digest, "meetings")
    assert set(first.parties) == {"RUS", "IND"} and first.novelty == 1 and first.seen_in_previous == 0
    assert set(second.parties) == {"RUS", "CHN"} and second.novelty == 0.5
    assert second.seen_in_previous == 1 and second.score == first.score / 2


# -- sections, quotes, appointments, numbers ---------------------------------------
def test_sections_and_pair_groups(tmp_path):
    analyses = [article("d1", "2023-06-06", [("CONSULT", 1, ["KAZ", "CUB"], []),
                                              ("SUPPORT", 1, ["KAZ"], ["CUB"]),
                                              ("AGREE", 1, ["CUB"], ["KAZ"]),
                                              ("AGREE", 1, ["KAZ"], ["CUB"]),
                                              ("SANCTION", 3, ["USA"], ["CUB"]),
                                              ("COOPERATE", 2, ["KAZ"], ["CUB"])])]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    by_section = {s.key: [(i.category, i.pair) for g in s.groups for i in g.items]
                  for s in digest.sections}
    assert by_section["meetings"] == [("CONSULT", "Казахстан — Куба")]
    # the two directed AGREE events between the same pair are one item
    assert sorted(by_section["agreements"]) == [("AGREE", "Казахстан — Куба"),
                                                ("SUPPORT", "Казахстан — Куба")]
    assert by_section["conflicts"] == [("SANCTION", "Куба — США")]     # names in order
    agreements = next(s for s in digest.sections if s.key == "agreements")
    assert len(agreements.groups) == 1 and len(agreements.groups[0].items) == 2
    agree = item_for(digest, "AGREE", {"KAZ", "CUB"})
    assert agree.events == ["d1/2", "d1/3"] and len(agree.also) == 1
    assert agree.headline == "Казахстан — Куба: предложения и намерения"
    # COOPERATE has no section but counts in the numbers
    assert {n.quad: n.this_period for n in digest.numbers} == {1: 4, 2: 1, 3: 1, 4: 0}


def test_key_quote_comes_from_an_actor_in_the_same_document(tmp_path):
    analyses = [article("d1", "2023-06-06", [("ACCUSE", 3, ["USA"], ["RUS"])],
                        quotes=[("RUS", "Это ложь", "direct"), ("USA", "они нарушили договор", "indirect"),
                                ("USA", "Мы этого не допустим", "direct")]),
                article("d2", "2023-06-06", [("CONSULT", 1, ["FRA", "IND"], [])],
                        quotes=[("USA", "Посторонняя цитата", "direct")])]
    digest = build_digest(make_db(tmp_path / "kb.db", analyses), W23)
    quote = item_for(digest, "ACCUSE", {"USA", "RUS"}).quote
    assert (quote.text, quote.speaker, quote.kind, quote.doc_id) == (
        "Мы этого не допустим", "Джо Байден", "direct", "d1")
    assert item_for(digest, "CONSULT", {"FRA", "IND"}).quote is None


def test_new_appointments_are_first_seen_this_week(tmp_path):
    analyses = [article("before", "2023-05-01", [], occupations=[("Сергей Лавров", "министр иностранных дел", "RUS")]),
                article("now", "2023-06-07", [], occupations=[
                    ("Сергей Лавров", "министр иностранных дел", "RUS"),
                    ("Ван И", "министр иностранных дел", "CHN"),
                    ("Иван Петров", "бывший посол", "RUS")]),
                article("now2", "2023-06-08", [], occupations=[("Ван И", "министр иностранных дел", "CHN")])]
    db = make_db(tmp_path / "kb.db", analyses)
    digest = build_digest(db, W23)
    assert [(a.who, a.where, a.documents) for a in digest.appointments] == [
        ("Ван И", "Китай", ["now", "now2"])]
    assert build_digest(db, W23, country="RUS").appointments == []


def test_numbers_against_the_previous_four_weeks(tmp_path):
    analyses = [article("w22", "2023-05-31", [("CONSULT", 1, ["RUS", "CHN"], []),
                                               ("ACCUSE", 3, ["USA"], ["RUS"])]),
                article("w19", "2023-05-10", [("CONSULT", 1, ["RUS", "IND"], [])]),
                article("w18", "2023-05-07", [("CONSULT", 1, ["RUS", "IND"], [])]),  # 5 weeks back
                article("w23", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], []),
                                               ("AGREE", 1, ["RUS"], ["CHN"]),
                                               ("ACCUSE", 3, ["USA"], ["RUS"])])]
    numbers = {n.quad: n for n in build_digest(make_db(tmp_path / "kb.db", analyses), W23).numbers}
    assert numbers[1].this_period == 2 and numbers[1].previous == [1, 0, 0, 1]
    assert numbers[1].previous_average == 0.5 and numbers[1].change == 3.0
    assert numbers[3].this_period == 1 and numbers[3].previous_average == 0.25
    assert numbers[4].change is None


def test_event_dates_before_publication_dates_and_undated_note(tmp_path):
    analyses = [article("late", "2023-06-20", [("CONSULT", 1, ["RUS", "CHN"], [], "president",
                                                 "2023-06-07")]),
                article("nodate", None, [("CONSULT", 1, ["RUS", "IND"], [])])]
    db = make_db(tmp_path / "kb.db", analyses)
    digest = build_digest(db, W23)
    assert [i.documents for i in items(digest)] == [["late"]]
    assert items(build_digest(db, week_period("2023-W25"))) == []
    assert any("1 событий в 1 документах без даты" in n for n in digest.notes)
    assert latest_week(db) == "2023-W23"


def test_country_filter(tmp_path):
    analyses = [article("d1", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], []),
                                              ("CONSULT", 1, ["IND", "FRA"], []),
                                              ("ACCUSE", 3, ["USA"], ["CHN"])])]
    db = make_db(tmp_path / "kb.db", analyses)
    digest = build_digest(db, W23, country="chn")
    assert digest.country == "CHN" and digest.country_name == "Китай"
    assert sorted(i.pair for i in items(digest)) == ["Китай — Россия", "Китай — США"]
    assert sum(n.this_period for n in digest.numbers) == 2
    assert "Страна: Китай (CHN)" in render(digest, "md")


# -- output -------------------------------------------------------------------------
def _mixed_analyses() -> list[Analysis]:
    return [article("a1", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], []), ("ACCUSE", 3, ["USA"], ["RUS"])],
                    source="tass.ru", quotes=[("USA", "Мы не допустим", "direct")]),
            article("a2", "2023-06-07", [("CONSULT", 1, ["RUS", "CHN"], [])], source="ria.ru"),
            article("a3", "2023-06-08", [("SUPPORT", 1, ["KAZ"], ["CUB"]), ("CONSULT", 1, ["IND", "FRA"], [])],
                    occupations=[("Ван И", "министр иностранных дел", "CHN")]),
            article("a0", "2023-05-20", [("CONSULT", 1, ["IND", "FRA"], [])])]


def test_same_database_and_week_same_digest(tmp_path):
    analyses = _mixed_analyses()
    first = make_db(tmp_path / "one.db", analyses)
    second = make_db(tmp_path / "two.db", list(reversed(analyses)))
    for fmt in ("md", "html", "json"):
        outputs = {render(build_digest(db, W23), fmt) for db in (first, second, first)}
        assert len(outputs) == 1, fmt


def test_formats_and_the_footnote(tmp_path):
    digest = build_digest(make_db(tmp_path / "kb.db", _mixed_analyses()), W23)
    md = render(digest, "md")
    assert md.startswith("# Недельный обзор: 2023-W23 (2023-06-05 — 2023-06-11)")
    for heading in ("## Встречи и визиты", "## Соглашения: подписанные и предложенные",
                    "## Конфликты и обвинения", "## Новые назначения", "## В цифрах"):
        assert heading in md
    assert "### Китай — Россия" in md and "a1, a2" in md and "«Мы не допустим» — Джо Байден" in md
    assert "log2(1 + независимые источники)" in md
    record = json.loads(render(digest, "json"))
    assert record["week"] == "2023-W23" and record["sections"][0]["key"] == "meetings"
    assert record["sections"][0]["groups"][0]["items"][0]["sources"] == 2
    page = render(digest, "html", link_base="http://example.org/")
    assert '<a href="http://example.org/documents/a1">a1</a>' in page
    # self-contained: inline style and SVG, nothing fetched, no script
    assert "<svg" in page and "<style>" in page
    assert not re.search(r"<script|<link|<img|src=|@import|url\(", page)


def test_english_variant(tmp_path):
    db = make_db(tmp_path / "kb.db", _mixed_analyses())
    md = render(build_digest(db, W23, lang="en"), "md")
    assert md.startswith("# Weekly briefing: 2023-W23")
    for heading in ("## Meetings and visits", "## Agreements signed and proposed",
                    "## Conflicts and accusations", "## New appointments", "## Numbers"):
        assert heading in md
    assert "### Китай — Россия" in md and "**Talks**" in md   # names stay as the knowledge base has them
    assert "salience = quad weight" in md and "Недельный" not in md
    assert render(build_digest(db, span_period("2023-06-05", "2023-06-11"), lang="en"),
                  "md").startswith("# Briefing: 2023-06-05 — 2023-06-11")


def test_empty_week(tmp_path):
    digest = build_digest(make_db(tmp_path / "kb.db", _mixed_analyses()), week_period("2022-W01"))
    md = render(digest, "md")
    assert md.count("Нет событий за этот период.") == 3 and "Новых назначений нет." in md


# -- the seed, through the real pipeline ----------------------------------------------
def test_the_seed_meeting_appears_under_its_week(tmp_path, pipeline):
    text = SEED.read_text(encoding="utf-8")
    dated = pipeline.analyse([Document(id="000_10db7d64be0f7442", text=text, published="2023-06-08")])
    undated = pipeline.analyse([Document(id="seed_undated", text=text)])
    db = make_db(tmp_path / "kb.db", dated + undated)
    digest = build_digest(db, week_period("2023-W23"))
    meeting = item_for(digest, "CONSULT", {"KAZ", "CUB"})
    assert meeting.section == "meetings" and meeting.documents == ["000_10db7d64be0f7442"]
    assert meeting.pair == "Казахстан — Куба" and meeting.actor_weight == 3
    assert "Алихан Смаилов (премьер-министр)" in meeting.people
    assert "провел переговоры" in meeting.summary
    assert meeting.quote is not None and meeting.quote.speaker in ("Алихан Смаилов",
                                                                    "Мануэль Марреро Крус")
    assert any(i.category == "SUPPORT" for i in items(digest, "agreements"))
    assert not any(i.documents == ["seed_undated"] for i in items(digest))
    assert any("без даты" in note for note in digest.notes)
    assert items(build_digest(db, week_period("2023-W22"))) == []
    md = render(digest, "md")
    assert "Казахстан — Куба" in md and "000_10db7d64be0f7442" in md


# -- the CLI and the web page ------------------------------------------------------------
def test_cli_digest(tmp_path, capsys):
    from svodka.cli import main
    path = tmp_path / "kb.db"
    make_db(path, _mixed_analyses()).close()
    out = tmp_path / "digest.json"
    assert main(["digest", "--db", str(path), "--week", "2023-W23", "--country", "KAZ",
                 "--format", "json", "--out", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["country"] == "KAZ" and record["sections"][1]["groups"][0]["pair"] == "Казахстан — Куба"
    assert main(["digest", "--db", str(path), "--from", "2023-06-05", "--to", "2023-06-11",
                 "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("# Briefing: 2023-06-05")
    assert main(["digest", "--db", str(path)]) == 0            # the latest week by default
    assert "2023-W23" in capsys.readouterr().out
    assert main(["digest", "--db", str(path), "--week", "2023-W99"]) == 2
    assert main(["digest", "--db", str(path), "--week", "2023-W23", "--from", "2023-06-01",
                 "--to", "2023-06-02"]) == 2


def test_web_digest(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient
    from svodka.web import create_app
    path = tmp_path / "kb.db"
    make_db(path, _mixed_analyses()).close()
    with TestClient(create_app(str(path))) as client:
        page = client.get("/digest?week=2023-W23")
        assert page.status_code == 200 and "Встречи и визиты" in page.text
        assert 'type="week" name="week" value="2023-W23"' in page.text
        assert 'href="/digest?week=2023-W22"' in page.text
        assert 'href="/documents/a1"' in page.text
        assert "<svg" in page.text
        assert client.get("/digest").text == page.text                 # the latest week
        english = client.get("/digest?week=2023-W23&lang=en&country=KAZ").text
        assert "Agreements signed and proposed" in english and "Китай — Россия" not in english
        mail = client.get("/digest?week=2023-W23&format=html")
        assert mail.status_code == 200 and mail.text.startswith("<!doctype html>")
        assert 'href="http://testserver/documents/a1"' in mail.text
        assert not re.search(r"<script|<link|src=", mail.text)
        record = client.get("/digest?week=2023-W23&format=json").json()
        assert record["week"] == "2023-W23"
        assert client.get("/digest?week=2023-W99").status_code == 422
        assert client.get("/digest?week=junk").status_code == 422
        assert client.get("/digest?week=2023-W23&lang=de").status_code == 422


def test_sections_keep_their_most_salient_items(tmp_path):
    partners = ["CHN", "IND", "USA", "FRA", "BRA"]
    analyses = [article(f"d{i}", "2023-06-06", [("CONSULT", 1, ["RUS", code], [])],
                        source=f"site{i}.ru") for i, code in enumerate(partners)]
    analyses.append(article("d9", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [])],
                            source="other.ru"))
    db = make_db(tmp_path / "kb.db", analyses)
    digest = build_digest(db, W23, limit=2)
    meetings = next(s for s in digest.sections if s.key == "meetings")
    assert [set(i.parties) for i in items(digest, "meetings")][0] == {"RUS", "CHN"}
    assert len(items(digest, "meetings")) == 2 and meetings.more == 3
    assert "Ещё событий в разделе: 3." in render(digest, "md")
    assert len(items(build_digest(db, W23, limit=0), "meetings")) == 5


def test_reprinted_evidence_is_not_repeated(tmp_path):
    analyses = [article(f"d{i}", "2023-06-06", [("CONSULT", 1, ["RUS", "CHN"], [])])
                for i in range(3)]
    for a in analyses:      # the same sentence in every copy
        a.events[0].text = "Путин  провёл переговоры с Си Цзиньпином."
    item = items(build_digest(make_db(tmp_path / "kb.db", analyses), W23))[0]
    assert item.summary == "Путин провёл переговоры с Си Цзиньпином." and item.also == []


def test_an_empty_database_says_there_is_nothing_to_summarise(tmp_path, capsys):
    from svodka.cli import main
    path = tmp_path / "empty.db"
    make_db(path, []).close()
    assert main(["digest", "--db", str(path)]) == 2
    assert "no dated events" in capsys.readouterr().err
    assert main(["digest", "--db", str(path), "--week", "2023-W23"]) == 0
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient
    from svodka.web import create_app
    with TestClient(create_app(str(path))) as client:
        assert client.get("/digest").status_code == 404
        assert client.get("/digest?week=2023-W23").status_code == 200
