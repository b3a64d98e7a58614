"""Hand-made Analysis records for the web tests, so that they do not depend
on the NLP stages: the seed article as EXPECTED.md codes it, an article full
of markup-like text, and a few small ones for filters and pagination."""
from __future__ import annotations

from pathlib import Path

from svodka.model import (Actor, Analysis, Document, Entity, Event, Fact, Furniture, Location,
                          Mention, Quote, Sentence)
from svodka.store.sqlite import Store

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "samples" / "seed" / "000_10db7d64be0f7442.txt"
SEED_ID = "000_10db7d64be0f7442"
HOSTILE_ID = "hostile0000000001"
HOSTILE_TEXT = ('Заголовок <script>alert("x")</script>\n'
                'Россия и Китай подписали соглашение " onmouseover="alert(1)" & <b>жирно</b>'
                '</script><script>alert(4)</script><!--. '
                'Путин сказал: «<img src=x onerror=alert(2)>».')


def _find(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def _sentence(text: str, needle: str) -> tuple[int, int]:
    """The line of the text holding ``needle`` (the seed has one sentence
    group per line; good enough for evidence spans)."""
    start, _ = _find(text, needle)
    line_start = text.rfind("\n", 0, start) + 1
    line_stop = text.find("\n", start)
    return line_start, line_stop if line_stop >= 0 else len(text)


def seed_analysis(published: str | None = None) -> Analysis:
    text = SEED_PATH.read_text(encoding="utf-8")
    body_start = text.index("Премьер-министр Казахстана")
    body_stop = text.index("в любое удобное время.") + len("в любое удобное время.")
    related = ["Мера поможет увеличить поток въездных туристов",
               "Между Казахстаном и Катаром нужно ускорить согласование халяль-сертификатов",
               "Свыше 280 инвестпроектов планируют запустить в 2023 году",
               "Бизнес должен чувствовать поддержку на всех уровнях госуправления — премьер"]
    furniture = [Furniture(*_find(text, "Фото: primeminister.kz."), "photo_credit", "Фото: primeminister.kz."),
                 Furniture(*_find(text, "По сообщению сайта kapital.kz"), "attribution", "По сообщению сайта kapital.kz")]
    furniture += [Furniture(*_find(text, h), "related_headline", h) for h in related]
    doc = Document(id=SEED_ID, text=text, path=str(SEED_PATH), published=published,
                   source="kapital.kz", original_source="primeminister.kz",
                   photo_credit="primeminister.kz", related_headlines=related,
                   body_start=body_start, body_stop=body_stop, furniture=furniture)
    a = Analysis(document=doc)
    a.entities = [
        Entity("e1", "person", "Алихан Смаилов", "KAZ", None, "GOV", "премьер-министр"),
        Entity("e2", "person", "Мануэль Марреро Крус", "CUB", None, "GOV", "премьер-министр"),
        Entity("e3", "country", "Казахстан", "KAZ", "KAZ", "GOV"),
        Entity("e4", "country", "Куба", "CUB", "CUB", "GOV"),
        Entity("e5", "city", "Сочи", "RUS"),
        Entity("e6", "igo", "Евразийский межправительственный совет", "IGO", "EAEU-EIC", parent="EAEU"),
    ]
    forms = [("Алихан Смаилов", "PER", "e1"), ("Мануэлем Марреро Крусом", "PER", "e2"),
             ("Казахстана", "LOCORG", "e3"), ("Кубы", "LOCORG", "e4"), ("Сочи", "LOC", "e5"),
             ("Евразийского межправительственного совета", "ORG", "e6"),
             ("Казахстан", "LOCORG", "e3"), ("Куба", "LOCORG", "e4"),
             ("Мануэль Марреро Крус", "PER", "e2")]
    cursor = {}
    for form, type_, entity_id in forms:
        start, stop = _find(text, form, cursor.get(form, body_start))
        cursor[form] = stop
        a.mentions.append(Mention(start, stop, form, type_, form, entity_id))
    a.mentions.sort(key=lambda m: m.start)
    by_id = {e.id: e for e in a.entities}
    for index, mention in enumerate(a.mentions):
        by_id[mention.entity].mentions.append(index)
    line = body_start
    while line < body_stop:
        stop = text.find("\n", line)
        stop = body_stop if stop < 0 or stop > body_stop else stop
        a.sentences.append(Sentence(line, stop, text[line:stop]))
        line = stop + 1
    smailov = Actor("Алихан Смаилов", "Алихан Смаилов", "KAZ", "GOV", "премьер-министр", "e1")
    marrero = Actor("Мануэлем Марреро Крусом", "Мануэль Марреро Крус", "CUB", "GOV", "премьер-министр", "e2")
    kaz = Actor("Казахстан", "Казахстан", "KAZ", "GOV", None, "e3")
    cub = Actor("Куба", "Куба", "CUB", "GOV", None, "e4")
    meeting = _sentence(text, "провел переговоры")
    embassy = _sentence(text, "полноценного посольства")
    visa = _sentence(text, "безвизовых поездках")
    invite = _sentence(text, "пригласил премьер-министра РК")
    a.events = [
        Event("CONSULT", 1, [smailov, marrero], [], ["multilateral"],
              ["economic", "diplomatic", "health"], Location("Сочи", "Сочи", "RUS"), published,
              text[meeting[0]:meeting[1]], *meeting, "провел переговоры"),
        Event("SUPPORT", 1, [kaz], [cub], [], ["diplomatic"], None, published,
              text[embassy[0]:embassy[1]], *embassy, "повышен"),
        Event("AGREE", 1, [smailov], [marrero], [], ["migration", "diplomatic"], None, published,
              text[visa[0]:visa[1]], *visa, "предложил обсудить"),
        Event("AGREE", 1, [marrero], [smailov], ["visit"], ["diplomatic"], None, published,
              text[invite[0]:invite[1]], *invite, "пригласил"),
    ]
    a.facts = [
        Fact("Occupation", {"who": "Алихан Смаилов", "position": "премьер-министр", "where": "Казахстан",
                            "who_entity": "e1", "where_entity": "e3"}, *_sentence(text, "провел переговоры")),
        Fact("Occupation", {"who": "Мануэль Марреро Крус", "position": "премьер-министр", "where": "Куба",
                            "who_entity": "e2", "where_entity": "e4"}, *_sentence(text, "провел переговоры")),
        Fact("Meeting", {"participant": ["Алихан Смаилов", "Мануэль Марреро Крус"],
                         "participant_entity": ["e1", "e2"], "where": "Сочи"}, *meeting),
    ]
    quotes = [("Товарооборот между нашими странами", "глава правительства", "e1"),
              ("Мы надеемся, что это приведет", "премьер-министр", "e1"),
              ("Здравоохранение является одной", "Мануэль Марреро Крус", "e2")]
    for opening, speaker_text, speaker in quotes:
        start = text.index(opening)
        stop = text.index("»", start)
        line = _sentence(text, opening)
        a.quotes.append(Quote(text[start:stop], start, stop, "direct", speaker, speaker_text, *line))
    return a


def hostile_analysis() -> Analysis:
    """An article whose text looks like markup: it must render inert."""
    text = HOSTILE_TEXT
    body_start = text.index("Россия")
    doc = Document(id=HOSTILE_ID, text=text, title='<script>alert("title")</script>',
                   source='evil.example"><script>', published="2024-02-03",
                   photo_credit='" onmouseover="alert(3)', related_headlines=["<i>headline</i>"],
                   body_start=body_start, body_stop=len(text))
    a = Analysis(document=doc)
    a.sentences = [Sentence(body_start, len(text), text[body_start:])]
    a.entities = [Entity("e1", "country", "Россия", "RUS", "RUS", "GOV"),
                  Entity("e2", "country", "Китай", "CHN", "CHN", "GOV"),
                  Entity("e3", "person", 'Путин <script>', "RUS", None, "GOV", "президент")]
    for form, type_, entity_id in (("Россия", "LOCORG", "e1"), ("Китай", "LOCORG", "e2"),
                                   ("Путин", "PER", "e3")):
        start, stop = _find(text, form)
        a.mentions.append(Mention(start, stop, form, type_, form, entity_id))
    for index, mention in enumerate(a.mentions):
        a.entities[index].mentions.append(index)
    evidence = (body_start, text.index("<!--.") + len("<!--."))
    a.events = [Event("SUPPORT", 1, [Actor("Россия", "Россия", "RUS", entity="e1"),
                                     Actor("Китай", "Китай", "CHN", entity="e2")],
                      [], [], ["diplomatic"], None, "2024-02-03", text[evidence[0]:evidence[1]],
                      *evidence, "подписали")]
    start = text.index("<img")
    stop = text.index("»", start)
    a.quotes = [Quote(text[start:stop], start, stop, "direct", "e3", "Путин", body_start, len(text))]
    return a


def small_analysis(doc_id: str, published: str, a: str, b: str, category: str, quad: int,
                   source: str = "tass.ru") -> Analysis:
    names = {"RUS": "Россия", "CHN": "Китай", "KAZ": "Казахстан", "CUB": "Куба",
             "USA": "США", "TUR": "Турция"}
    text = f"{names[a]} и {names[b]} провели переговоры о торговле."
    doc = Document(id=doc_id, text=text, published=published, source=source,
                   body_stop=len(text))
    an = Analysis(document=doc)
    an.sentences = [Sentence(0, len(text), text)]
    an.entities = [Entity("e1", "country", names[a], a, a, "GOV"),
                   Entity("e2", "country", names[b], b, b, "GOV")]
    first = _find(text, names[a])
    second = _find(text, names[b], first[1])
    an.mentions = [Mention(*first, names[a], "LOCORG", names[a], "e1"),
                   Mention(*second, names[b], "LOCORG", names[b], "e2")]
    an.entities[0].mentions, an.entities[1].mentions = [0], [1]
    an.events = [Event(category, quad, [Actor(names[a], names[a], a, entity="e1")],
                       [Actor(names[b], names[b], b, entity="e2")], [], ["economic"], None,
                       published, text, 0, len(text), "провели")]
    return an


def build_test_db(path: Path, seed_published: str | None = None) -> Path:
    """The seed, the hostile article and 30 small ones across a few pairs."""
    analyses = [seed_analysis(seed_published), hostile_analysis()]
    pairs = [("RUS", "CHN", "CONSULT", 1), ("KAZ", "CUB", "AGREE", 1), ("RUS", "USA", "ACCUSE", 3),
             ("RUS", "TUR", "COOPERATE", 2), ("KAZ", "RUS", "CONSULT", 1)]
    for i in range(30):
        a, b, category, quad = pairs[i % len(pairs)]
        analyses.append(small_analysis(f"small{i:03d}", f"20{20 + i % 5}-{1 + i % 12:02d}-15",
                                       a, b, category, quad, source="tass.ru" if i % 2 else "ria.ru"))
    with Store(path) as store:
        store.write(analyses)
    return path
