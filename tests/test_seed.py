"""The reference article: every point of shared/seed/EXPECTED.md, checked
against svodka's real output (the bundled copy of the seed, so it runs on a
fresh clone)."""
import json

import pytest

from conftest import SEED
from svodka.ingest import read_inputs
from svodka.model import Document

SEED_ID = "000_10db7d64be0f7442"


@pytest.fixture(scope="module")
def seed(pipeline):
    (document,) = list(read_inputs([str(SEED)]))
    (analysis,) = pipeline.analyse([document])
    return analysis


@pytest.fixture(scope="module")
def seed_dated(pipeline):
    """The same article given as JSON Lines with a publication date."""
    text = SEED.read_text(encoding="utf-8")
    document = Document(id=SEED_ID, text=text, published="2023-06-08")
    (analysis,) = pipeline.analyse([document])
    return analysis


def entity_named(analysis, name):
    matches = [e for e in analysis.entities if e.name == name]
    assert len(matches) == 1, (name, [e.name for e in analysis.entities])
    return matches[0]


def mention_texts(analysis, entity):
    return {analysis.mentions[i].text for i in entity.mentions}


# -- page structure ---------------------------------------------------------
def test_id_and_structure(seed):
    doc = seed.document
    assert doc.id == SEED_ID
    assert doc.photo_credit == "primeminister.kz"
    assert doc.source == "kapital.kz"
    assert doc.original_source == "primeminister.kz"
    assert doc.body.startswith("Премьер-министр Казахстана Алихан Смаилов провел переговоры")
    assert doc.body.rstrip().endswith("посетить Кубу в любое удобное время.")
    assert doc.related_headlines == [
        "Мера поможет увеличить поток въездных туристов",
        "Между Казахстаном и Катаром нужно ускорить согласование халяль-сертификатов",
        "Свыше 280 инвестпроектов планируют запустить в 2023 году",
        "Бизнес должен чувствовать поддержку на всех уровнях госуправления — премьер",
    ]
    assert "Подпишитесь" not in doc.body and "Фото" not in doc.body
    assert "call_to_action" in {f.role for f in doc.furniture}
    assert doc.title is None
    # the lead is the first body sentence
    assert seed.sentences[0].text.startswith("Премьер-министр Казахстана")


# -- entities -----------------------------------------------------------------
def test_entities(seed):
    smailov = entity_named(seed, "Алихан Смаилов")
    assert (smailov.kind, smailov.position, smailov.country) == ("person", "премьер-министр", "KAZ")
    marrero = entity_named(seed, "Мануэль Марреро Крус")
    assert (marrero.kind, marrero.position, marrero.country) == ("person", "премьер-министр", "CUB")
    kaz = entity_named(seed, "Казахстан")
    assert (kaz.kind, kaz.code) == ("country", "KAZ")
    assert {"Казахстана", "Казахстаном", "РК", "республики"} <= mention_texts(seed, kaz)
    cub = entity_named(seed, "Куба")
    assert (cub.kind, cub.code) == ("country", "CUB")
    assert {"Кубы", "Кубе", "Кубу"} <= mention_texts(seed, cub)
    sochi = entity_named(seed, "Сочи")
    assert (sochi.kind, sochi.country) == ("city", "RUS")
    council = entity_named(seed, "Евразийский межправительственный совет")
    assert council.kind == "igo" and council.parent == "EAEU"


def test_nothing_from_page_furniture(seed):
    names = {e.name for e in seed.entities}
    assert "Бизнес" not in names
    assert not any(m.text.startswith("Между") for m in seed.mentions)
    assert "QAT" not in {e.country for e in seed.entities}
    everything = json.dumps([f.args for f in seed.facts] + [e.plover(SEED_ID) for e in seed.events],
                            ensure_ascii=False)
    assert "QAT" not in everything and "Катар" not in everything
    body_start, body_stop = seed.document.body_span
    for record in seed.mentions + seed.quotes + seed.events:
        assert body_start <= record.start and record.stop <= body_stop


# -- facts --------------------------------------------------------------------
def test_occupations(seed):
    occupations = {(f.args["who"], f.args["office"], f.args.get("where"))
                   for f in seed.facts if f.type == "Occupation"}
    assert occupations == {("Алихан Смаилов", "премьер-министр", "Казахстан"),
                           ("Мануэль Марреро Крус", "премьер-министр", "Куба")}


def test_quotes_and_speakers(seed):
    by_id = {e.id: e.name for e in seed.entities}
    direct = [(q.text, by_id.get(q.speaker)) for q in seed.quotes if q.kind == "direct"]
    assert len(direct) == 3
    assert direct[0][0].startswith("Товарооборот между нашими странами имеет динамику к увеличению.")
    assert direct[0][1] == "Алихан Смаилов"       # "сказал глава правительства"
    assert direct[1][0] == "Мы надеемся, что это приведет в дальнейшем к конкретным результатам"
    assert direct[1][1] == "Алихан Смаилов"       # "подчеркнул премьер-министр": the paragraph's subject
    assert direct[2][0].startswith("Здравоохранение является одной из потенциальных сфер")
    assert direct[2][1] == "Мануэль Марреро Крус"
    for quote in seed.quotes:
        assert seed.document.text[quote.start:quote.stop] == quote.text


AREAS = {"trade and economic cooperation", "pharmaceuticals", "biotechnology", "healthcare",
         "medical services", "academic exchange", "metallurgy", "chemical industry",
         "construction materials", "agriculture", "visa-free travel"}


def test_cooperation_areas_map_to_event_contexts(seed):
    areas = {f.args["area"]: f.args["context"] for f in seed.facts if f.type == "Cooperation"}
    assert AREAS <= set(areas)
    contexts = {c for e in seed.events for c in e.context}
    for area in AREAS:
        assert areas[area] in contexts, area
    assert {areas["pharmaceuticals"], areas["healthcare"]} == {"health"}
    assert areas["visa-free travel"] == "migration"


# -- events -------------------------------------------------------------------
def tuples(analysis):
    from svodka.evaluate.events import event_tuple
    return {event_tuple(e.plover(SEED_ID)) for e in analysis.events}


def test_event_tuples(seed):
    got = tuples(seed)
    K, C = "KAZ", "CUB"
    for expected in [("CONSULT", frozenset({K, C}), frozenset()),
                     ("SUPPORT", frozenset({K}), frozenset({C})),
                     ("AGREE", frozenset({K}), frozenset({C})),
                     ("AGREE", frozenset({C}), frozenset({K}))]:
        assert expected in got, expected
    assert all(e.quad_code == 1 for e in seed.events)


def test_the_meeting(seed):
    (meeting,) = [e for e in seed.events if e.category == "CONSULT"]
    assert {(a.entity_name, a.country, a.sector_code, a.position) for a in meeting.actors} == {
        ("Алихан Смаилов", "KAZ", "GOV", "премьер-министр"),
        ("Мануэль Марреро Крус", "CUB", "GOV", "премьер-министр")}
    assert meeting.recipients == []
    assert "multilateral" in meeting.mode
    assert meeting.location.resolved_place == "Сочи" and meeting.location.country == "RUS"
    assert {"economic", "diplomatic", "health"} <= set(meeting.context)
    assert meeting.date is None  # not in the text; never from "в 2023 году" in a headline
    assert seed.document.text[meeting.start:meeting.stop] == meeting.text


def test_embassy_upgrade_and_invitation(seed):
    (support,) = [e for e in seed.events if e.category == "SUPPORT"]
    assert "diplomatic" in support.context
    assert "посольства" in support.text
    invitations = [e for e in seed.events if e.category == "AGREE" and "пригласил" in e.text]
    assert invitations and invitations[0].actors[0].country == "CUB"
    assert {r.country for r in invitations[0].recipients} == {"KAZ"}


def test_date_comes_from_the_publication_date(seed_dated):
    (meeting,) = [e for e in seed_dated.events if e.category == "CONSULT"]
    assert meeting.date == "2023-06-08"
