"""The code stage: PLOVER events from Russian sentences (svodka/code.py).

Unit tests run the real pipeline over short synthetic sentences written for
these tests; the seed article is the project's bundled sample. Nothing here
needs ../shared.
"""
from pathlib import Path

import pytest

from svodka import code as coder
from svodka.model import Document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "seed" / "000_10db7d64be0f7442.txt"


def events_of(pipeline, text, published=None):
    doc = Document(id="t", text=text, published=published)
    [analysis] = pipeline.analyse([doc])
    return analysis.events


def tuples(events):
    out = set()
    for e in events:
        actors = frozenset(a.country for a in e.actors)
        recipients = frozenset(r.country for r in e.recipients)
        if e.category == "CONSULT" or not recipients:
            out.add((e.category, actors | recipients, frozenset()))
        else:
            out.add((e.category, actors, recipients))
    return out


# -- the lexicon -------------------------------------------------------------

def test_trigger_lexicon_is_well_formed():
    lex = coder.lexicon()
    assert len(lex.triggers) > 50
    for trig in lex.triggers:
        assert trig.category in coder.QUAD, trig
        assert trig.roles in ("mutual", "directed", "partner", "demand", "evaluation", "host"), trig
        for item in trig.frame:
            assert item[0] in ("prep", "obj", "dat", "gen"), trig
            if item[0] == "prep":
                assert item[2] in coder.CASES.values(), trig
        for slot in trig.slots:
            assert all(lemma == lemma.lower() and "ё" not in lemma for lemma in slot)


def test_data_files_are_readable():
    lex = coder.lexicon()
    assert lex.modality["не"] == "negation"
    assert lex.contexts["товарооборот"] == "economic"
    assert ("на", "поле") in dict(lex.modes)
    assert lex.actor_nouns["президент"] == "GOV"


# -- coding sentences ------------------------------------------------------------

def test_talks_between_two_countries(pipeline):
    events = events_of(pipeline, "Президент России Владимир Путин провел переговоры "
                                 "с президентом Франции Эммануэлем Макроном в Москве.")
    assert ("CONSULT", frozenset({"RUS", "FRA"}), frozenset()) in tuples(events)
    consult = next(e for e in events if e.category == "CONSULT")
    assert consult.quad_code == 1
    assert consult.location is not None and consult.location.resolved_place == "Москва"
    assert {a.entity_name for a in consult.actors} == {"Владимир Путин", "Эммануэль Макрон"}
    assert consult.text.startswith("Президент России")


def test_negated_meeting_is_no_event(pipeline):
    assert events_of(pipeline, "Президент России Владимир Путин не встретился "
                               "с президентом Франции Эммануэлем Макроном.") == []


def test_hypothetical_meeting_is_no_event(pipeline):
    assert events_of(pipeline, "Президент России Владимир Путин может встретиться "
                               "с президентом Франции Эммануэлем Макроном.") == []


def test_domestic_meeting_is_no_event(pipeline):
    assert events_of(pipeline, "Президент России Владимир Путин встретился с "
                               "премьер-министром России Михаилом Мишустиным.") == []


def test_planned_visit_is_agree(pipeline):
    events = events_of(pipeline, "Министр иностранных дел Японии Фумио Кисида посетит "
                                 "Москву на следующей неделе.")
    assert ("AGREE", frozenset({"JPN"}), frozenset({"RUS"})) in tuples(events)


def test_accusation_is_directed(pipeline):
    events = events_of(pipeline, "Министерство иностранных дел России обвинило Вашингтон "
                                 "во вмешательстве во внутренние дела страны.")
    assert tuples(events) == {("ACCUSE", frozenset({"RUS"}), frozenset({"USA"}))}
    assert events[0].quad_code == 3


def test_sanctions(pipeline):
    events = events_of(pipeline, "Евросоюз ввел санкции против Ирана.")
    assert tuples(events) == {("SANCTION", frozenset({"EUR"}), frozenset({"IRN"}))}


def test_signed_agreement_is_mutual_support(pipeline):
    events = events_of(pipeline, "Китай и Бразилия подписали соглашение о сотрудничестве "
                                 "в области энергетики.")
    assert ("SUPPORT", frozenset({"CHN", "BRA"}), frozenset()) in tuples(events)
    support = next(e for e in events if e.category == "SUPPORT")
    assert support.recipients == []


def test_invitation_is_agree_and_visit_inside_it_is_not_coded(pipeline):
    events = events_of(pipeline, "Глава МИД Турции Мевлют Чавушоглу пригласил министра "
                                 "иностранных дел Египта Самеха Шукри посетить Анкару.")
    assert tuples(events) == {("AGREE", frozenset({"TUR"}), frozenset({"EGY"}))}


@pytest.mark.parametrize("text, expected", [
    # a demand reported from a foreign official: the speaker asks the subject
    ("Помощник госсекретаря США Джон Смит сказал, что Белград должен решить вопрос о Косово.",
     {("REQUEST", frozenset({"USA"}), frozenset({"SRB"}))}),
    # refusals answered across a reason clause
    ("Палестинцы отказываются от возобновления переговоров, поскольку Израиль "
     "отказывается заморозить строительство поселений.",
     {("REJECT", frozenset({"PSE"}), frozenset({"ISR"})),
      ("REJECT", frozenset({"ISR"}), frozenset({"PSE"}))}),
    # a negative judgement by the speaker
    ("Министр иностранных дел России Сергей Лавров заявил, что высказывания японского "
     "премьера носят недипломатический характер.",
     {("ACCUSE", frozenset({"RUS"}), frozenset({"JPN"}))}),
    # a country adjective on an official; a visit
    ("Российский президент Дмитрий Медведев прибыл с визитом в Болгарию.",
     {("CONSULT", frozenset({"RUS", "BGR"}), frozenset())}),
    ("Российские власти ввели запрет на ввоз овощей из Молдавии.",
     {("SANCTION", frozenset({"RUS"}), frozenset({"MDA"}))}),
    # an arrest without its agent: the authorities of the place
    ("Гражданин Украины Иван Петренко был арестован в Бангкоке.",
     {("COERCE", frozenset({"THA"}), frozenset({"UKR"}))}),
    # a protest against the act of another state's official
    ("Правительство Японии выразило протест против визита российского министра обороны на Курилы.",
     {("ACCUSE", frozenset({"JPN"}), frozenset({"RUS"}))}),
    # "в ходе визита": the subject of the main clause is the visitor
    ("В ходе визита в Австрию премьер Китая Ли Пэн выступил с речью.",
     {("CONSULT", frozenset({"CHN", "AUT"}), frozenset())}),
    # "его правительство": the main clause's speaker
    ("Премьер-министр Японии Наото Кан пообещал, что его правительство будет настаивать "
     "на возвращении Россией островов.",
     {("REQUEST", frozenset({"JPN"}), frozenset({"RUS"}))}),
    # possibility is no event
    ("Россия и Китай могут подписать соглашение о поставках газа.", set()),
    ("Глава МИД России Сергей Лавров встретился в Москве со своим турецким коллегой "
     "Мевлютом Чавушоглу.", {("CONSULT", frozenset({"RUS", "TUR"}), frozenset())}),
    ("США ввели санкции против российских банков.",
     {("SANCTION", frozenset({"USA"}), frozenset({"RUS"}))}),
    ("Евросоюз продлил санкции в отношении России на полгода.",
     {("SANCTION", frozenset({"EUR"}), frozenset({"RUS"}))}),
    ("Польша выслала трех российских дипломатов.",
     {("SANCTION", frozenset({"POL"}), frozenset({"RUS"}))}),
    ("Россия направила гуманитарную помощь Сирии.",
     {("AID", frozenset({"RUS"}), frozenset({"SYR"}))}),
    ("Армия Израиля нанесла удар по Ливану.",
     {("ASSAULT", frozenset({"ISR"}), frozenset({"LBN"}))}),
    ("Пакистан отказался от участия в саммите в Индии.",
     {("REJECT", frozenset({"PAK"}), frozenset({"IND"}))}),
    ("Франция отозвала посла из Мали.",
     {("SANCTION", frozenset({"FRA"}), frozenset({"MLI"}))}),
    ("Президент Египта Абдель Фаттах ас-Сиси принял в Каире государственного секретаря США "
     "Энтони Блинкена.", {("CONSULT", frozenset({"EGY", "USA"}), frozenset())}),
    ("Глава МИД Ирана заявил, что Тегеран не будет вести переговоры с Вашингтоном.",
     {("REJECT", frozenset({"IRN"}), frozenset({"USA"}))}),
    ("Накануне министр иностранных дел Франции посетил Киев.",
     {("CONSULT", frozenset({"FRA", "UKR"}), frozenset())}),
    ("МИД России вызвал посла Литвы для вручения ноты протеста.",
     {("ACCUSE", frozenset({"RUS"}), frozenset({"LTU"}))}),
    ("Россия и Белоруссия провели совместные военные учения.",
     {("COOPERATE", frozenset({"RUS", "BLR"}), frozenset())}),
    # well-known leaders named without their country
    ("Владимир Путин и Си Цзиньпин провели переговоры в Кремле.",
     {("CONSULT", frozenset({"RUS", "CHN"}), frozenset())}),
    # a relative clause acts through the noun it qualifies
    ("Помощник госсекретаря США по европейским делам, который в среду посетил Белград, "
     "заявил журналистам о поддержке.", {("CONSULT", frozenset({"USA", "SRB"}), frozenset())}),
    # a passive ban: the country whose territory is closed bans
    ("Президенту Белоруссии Александру Лукашенко запрещён въезд на территорию стран "
     "Европейского союза.", {("SANCTION", frozenset({"EUR"}), frozenset({"BLR"}))}),
    # a conditional sanction is a threat
    ("Министр заявил, что если Россия ограничит поставки газа, то Белоруссия введет санкции "
     "против России.", {("THREATEN", frozenset({"BLR"}), frozenset({"RUS"}))}),
    # a seized territory; the participle is not negated by its noun's clause
    ("Арабы заявляют, что мира не будет, пока Израиль не вернет Восточный Иерусалим, "
     "захваченный у Иордании во время войны 1967 года.",
     {("ASSAULT", frozenset({"ISR"}), frozenset({"JOR"}))}),
    ("Если Китай нападет на Тайвань, США введут санкции.",
     {("THREATEN", frozenset({"USA"}), frozenset({"CHN"}))}),
    # speculation, domestic acts, sport, business and culture are no events
    ("Ожидается, что президент США посетит Японию в следующем году.", set()),
    ("Эксперты считают, что Россия и Китай могут заключить новое соглашение.", set()),
    ("Президент России Владимир Путин провел совещание с членами правительства.", set()),
    ("Сборная России по футболу обыграла команду Бразилии со счетом 2:1.", set()),
    ("Американские ученые обвинили китайских коллег в плагиате.", set()),
    ("Украинская певица выступила с концертом в Москве.", set()),
    ("Переговоры России и Украины так и не состоялись.", set()),
    # receiving a decision is no meeting
    ("Правительство России приняло решение о высылке американских дипломатов.", set()),
    # the public is no actor; nor is a meeting of one organisation's members
    ("Посол США призвал грузинскую общественность согласиться с выводами наблюдателей.", set()),
    ("Министры иностранных дел стран ШОС провели встречу в Ташкенте.", set()),
])
def test_sentences(pipeline, text, expected):
    assert tuples(events_of(pipeline, text)) == expected


def test_we_in_a_quote_is_the_speaker(pipeline):
    text = ("Премьер-министр Турции Реджеп Эрдоган провел переговоры с президентом Украины "
            "Виктором Януковичем.\n"
            "«Мы хотим, чтобы наши бизнесмены осуществляли общие проекты», — сказал "
            "премьер-министр Турции Реджеп Эрдоган.")
    assert ("AGREE", frozenset({"TUR"}), frozenset({"UKR"})) in tuples(events_of(pipeline, text))


def test_second_refusal_to_attend_goes_to_the_same_host(pipeline):
    text = ("Премьер-министр Израиля Беньямин Нетаньяху отказался от участия в саммите в США.\n"
            "Британский премьер Гордон Браун также отказался от участия.")
    assert tuples(events_of(pipeline, text)) == {
        ("REJECT", frozenset({"ISR"}), frozenset({"USA"})),
        ("REJECT", frozenset({"GBR"}), frozenset({"USA"}))}


def test_planned_visit_date_and_place(pipeline):
    [event] = events_of(pipeline, "Президент Франции Эммануэль Макрон посетит Пекин в апреле 2025 года.")
    assert event.category == "AGREE" and event.date == "2025-04"
    assert event.location is not None and event.location.resolved_place == "Пекин"
    assert event.location.country == "CHN"


def test_date_from_sentence_and_document():
    assert coder.event_date("Договор подписан 12 мая 2010 года в Москве.") == "2010-05-12"
    assert coder.event_date("В марте 2008 года его арестовали.") == "2008-03"
    assert coder.event_date("В 2009 году ограничения смягчили.") == "2009"
    assert coder.event_date("Открыли в конце сентября 2010-го.") == "2010-09"
    assert coder.event_date("Подписали 12 мая.") is None
    assert coder.event_date("Подписали 12 мая.", "2021-03-04") == "2021-05-12"
    assert coder.event_date("Встреча прошла.", "2021-03-04") == "2021-03-04"
    assert coder.event_date("Встреча прошла.", None) is None


def test_event_date_comes_from_published(pipeline):
    events = events_of(pipeline, "Евросоюз ввел санкции против Ирана.", published="2024-02-01")
    assert events and events[0].date == "2024-02-01"


# -- robustness ----------------------------------------------------------------

ODD_TEXTS = [
    "",
    "   \n\n  ",
    "«Президент России заявил, что",
    "Президент России провел переговоры с президентом Франции » » « «",
    " ".join(["Россия"] * 5000),
    " ".join(["переговоры с Францией"] * 1700),
    # Latin homoglyphs inside Russian words
    "Пpeзидeнт Poccии пpoвeл пepeгoвopы c пpeзидeнтoм Фpaнции.",
    "ПРЕЗИДЕНТ РОССИИ ВЛАДИМИР ПУТИН ПРОВЕЛ ПЕРЕГОВОРЫ С ПРЕЗИДЕНТОМ ФРАНЦИИ.",
    "!!! ??? ... —— 12345",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_texts_never_raise(pipeline, text):
    events = events_of(pipeline, text)
    assert isinstance(events, list)


def test_code_without_parser_or_sentences():
    from svodka.model import Analysis
    analysis = Analysis(document=Document(id="x", text=""))
    coder.code(analysis, None)
    assert analysis.events == []


# -- the seed article ------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_analysis(pipeline):
    if not SEED.exists():
        pytest.skip("bundled seed missing")
    doc = Document(id="seed", text=SEED.read_text(encoding="utf-8"), path=str(SEED))
    [analysis] = pipeline.analyse([doc])
    return analysis


def test_seed_tuples(seed_analysis):
    got = tuples(seed_analysis.events)
    assert ("CONSULT", frozenset({"KAZ", "CUB"}), frozenset()) in got
    assert ("SUPPORT", frozenset({"KAZ"}), frozenset({"CUB"})) in got
    assert ("AGREE", frozenset({"KAZ"}), frozenset({"CUB"})) in got
    assert ("AGREE", frozenset({"CUB"}), frozenset({"KAZ"})) in got
    assert all("QAT" not in a | r for _, a, r in got)


def test_seed_meeting_details(seed_analysis):
    consult = next(e for e in seed_analysis.events if e.category == "CONSULT")
    names = {a.entity_name for a in consult.actors}
    assert names == {"Алихан Смаилов", "Мануэль Марреро Крус"}
    assert all(a.sector_code == "GOV" for a in consult.actors)
    assert all(a.position == "премьер-министр" for a in consult.actors)
    assert "multilateral" in consult.mode
    assert consult.location is not None
    assert consult.location.resolved_place == "Сочи" and consult.location.country == "RUS"
    assert {"economic", "diplomatic", "health"} <= set(consult.context)
    assert consult.date is None     # no year in the body, no publication date


def test_seed_evidence_is_traceable(seed_analysis):
    text = seed_analysis.document.text
    start, stop = seed_analysis.document.body_span
    for event in seed_analysis.events:
        assert text[event.start:event.stop] == event.text
        assert start <= event.start and event.stop <= stop
    support = next(e for e in seed_analysis.events if e.category == "SUPPORT")
    assert "посольства" in support.text
    assert "diplomatic" in support.context
