"""Tests of svodka.clean: body vs page furniture, and the metadata it gives."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from svodka.clean import (
    body_segments,
    cleaning_report,
    clean,
    find_credited_source,
    is_headline_shaped,
    load_patterns,
    match_line,
    merge_sites,
    SiteTokenizer,
)
from svodka.model import Document

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "samples" / "seed" / "000_10db7d64be0f7442.txt"
SHARED = REPO.parent / "shared"
DEVSET = SHARED / "data" / "factRuEval-2016" / "devset"

SEED_HEADLINES = [
    "Мера поможет увеличить поток въездных туристов",
    "Между Казахстаном и Катаром нужно ускорить согласование халяль-сертификатов",
    "Свыше 280 инвестпроектов планируют запустить в 2023 году",
    "Бизнес должен чувствовать поддержку на всех уровнях госуправления — премьер",
]


def cleaned(text: str, **metadata) -> Document:
    return clean(Document(id="test", text=text, **metadata))


def roles(doc: Document) -> list[tuple[str, str]]:
    return [(furniture.role, furniture.text) for furniture in doc.furniture]


# --- the seed article, as shared/seed/EXPECTED.md describes it

@pytest.fixture(scope="module")
def seed() -> Document:
    return clean(Document(id=SEED.stem, text=SEED.read_text(encoding="utf-8"), path=str(SEED)))


def test_seed_body_is_the_article(seed):
    assert seed.body.startswith("Премьер-министр Казахстана Алихан Смаилов провел переговоры")
    assert seed.body.endswith("пригласил премьер-министра РК посетить Кубу в любое удобное время.")
    assert seed.body == seed.text[seed.body_start:seed.body_stop]
    assert "Фото" not in seed.body and "Катаром" not in seed.body and "Подпишитесь" not in seed.body


def test_seed_metadata(seed):
    assert seed.photo_credit == "primeminister.kz"
    assert seed.source == "kapital.kz"
    assert seed.original_source == "primeminister.kz"
    assert seed.related_headlines == SEED_HEADLINES
    assert seed.title is None and seed.author is None


def test_seed_furniture_lines_and_roles(seed):
    assert roles(seed) == [
        ("photo_credit", "Фото: primeminister.kz."),
        *[("related_headline", headline) for headline in SEED_HEADLINES],
        ("call_to_action", "Подпишитесь на недельный обзор главных казахстанских и мировых событий"),
        ("attribution", "По сообщению сайта kapital.kz"),
    ]
    for furniture in seed.furniture:
        assert seed.text[furniture.start:furniture.stop] == furniture.text
        assert furniture.stop <= seed.body_start or furniture.start >= seed.body_stop


def test_seed_matches_the_shared_copy():
    shared_seed = SHARED / "seed" / SEED.name
    if not shared_seed.exists():
        pytest.skip("shared seed not present")
    assert shared_seed.read_bytes() == SEED.read_bytes()


def test_source_set_by_ingest_is_kept():
    doc = cleaned(SEED.read_text(encoding="utf-8"), source="example.org")
    assert doc.source == "example.org"
    assert doc.original_source == "primeminister.kz"


def test_clean_twice_gives_the_same_result(seed):
    again = clean(seed)
    assert roles(again) == roles(seed)
    assert again.related_headlines == SEED_HEADLINES


# --- furniture variants

@pytest.mark.parametrize("line, credit", [
    ("Фото: primeminister.kz.", "primeminister.kz"),
    ("Фото: Reuters", "Reuters"),
    ("ФОТО: РИА Новости / Сергей Гунеев", "РИА Новости / Сергей Гунеев"),
    ("Фото пресс-службы Акорды", "пресс-службы Акорды"),
    ("Фото из открытых источников", "из открытых источников"),
    ("Фото: https://www.Akorda.kz/ru/news/123", "akorda.kz"),
    ("Фото с сайта mfa.gov.kz", "mfa.gov.kz"),
    ("Источник фото: «Коммерсантъ»", "Коммерсантъ"),
])
def test_photo_credit_variants(line, credit):
    doc = cleaned(f"{line}\nМинистры провели встречу в Астане.\nСтороны обсудили торговлю.")
    assert roles(doc) == [("photo_credit", line)]
    assert doc.photo_credit == credit
    assert doc.body == "Министры провели встречу в Астане.\nСтороны обсудили торговлю."


def test_photo_credit_between_paragraphs_is_listed_but_stays_in_the_span():
    text = "Первый абзац о встрече.\nФото: ТАСС\nВторой абзац о встрече."
    doc = cleaned(text)
    assert doc.body == text
    assert roles(doc) == [("photo_credit", "Фото: ТАСС")]
    assert doc.photo_credit == "ТАСС"
    assert [doc.text[a:b] for a, b in body_segments(doc)] == ["Первый абзац о встрече.\n",
                                                              "\nВторой абзац о встрече."]


def test_body_segments_of_the_seed_is_the_body(seed):
    assert body_segments(seed) == [seed.body_span]


@pytest.mark.parametrize("line, author", [
    ("Автор: Иван Петров", "Иван Петров"),
    ("Текст: Анна Смирнова, Астана", "Анна Смирнова, Астана"),
    ("Беседовала: Мария Иванова", "Мария Иванова"),
])
def test_byline_at_the_bottom(line, author):
    doc = cleaned(f"Министры провели встречу в Астане.\n{line}\n")
    assert roles(doc) == [("byline", line)]
    assert doc.author == author
    assert doc.body == "Министры провели встречу в Астане."


def test_byline_and_title_at_the_top():
    doc = cleaned("Автор: Иван Петров\nСаммит ШОС завершился в Астане\n"
                  "Лидеры стран ШОС подписали декларацию, передает ТАСС.\nВстреча прошла в закрытом режиме.")
    assert roles(doc) == [("byline", "Автор: Иван Петров"), ("title", "Саммит ШОС завершился в Астане")]
    assert doc.title == "Саммит ШОС завершился в Астане"
    assert doc.author == "Иван Петров"
    assert doc.original_source == "ТАСС"
    assert doc.body.startswith("Лидеры стран ШОС")


@pytest.mark.parametrize("line, source", [
    ("Источник: РИА Новости", "РИА Новости"),
    ("Источник: https://www.tengrinews.kz/world/123", "tengrinews.kz"),
    ("Источник: kapital.kz.", "kapital.kz"),
    ("По сообщению сайта kapital.kz", "kapital.kz"),
])
def test_attribution(line, source):
    doc = cleaned(f"Стороны договорились о новой встрече.\n{line}")
    assert roles(doc) == [("attribution", line)]
    assert doc.source == source
    assert doc.body == "Стороны договорились о новой встрече."


def test_sentence_opening_like_an_attribution_is_body():
    text = "По сообщению сайта kapital.kz, министр подал в отставку.\nПреемника назовут позже."
    doc = cleaned(text)
    assert doc.body == text and doc.furniture == [] and doc.source is None


def test_read_also_header_with_headlines_below():
    doc = cleaned("Президент подписал указ, сообщает агентство Reuters.\n"
                  "Документ вступает в силу немедленно.\n"
                  "Читайте также:\n"
                  "Россия и Китай подписали соглашение\n"
                  "Можно ли доверять прогнозам?\n")
    assert doc.body == "Президент подписал указ, сообщает агентство Reuters.\nДокумент вступает в силу немедленно."
    assert roles(doc) == [("call_to_action", "Читайте также:"),
                          ("related_headline", "Россия и Китай подписали соглашение"),
                          ("related_headline", "Можно ли доверять прогнозам?")]
    assert doc.related_headlines == ["Россия и Китай подписали соглашение", "Можно ли доверять прогнозам?"]
    assert doc.original_source == "Reuters"


def test_read_also_with_the_headline_on_the_same_line():
    text = "Первый абзац новости.\nЧитайте также: Путин встретился с Си Цзиньпином\nВторой абзац новости."
    doc = cleaned(text)
    assert doc.body == text     # between paragraphs: listed, not cut
    assert roles(doc) == [("related_headline", "Читайте также: Путин встретился с Си Цзиньпином")]
    assert doc.related_headlines == ["Путин встретился с Си Цзиньпином"]


def test_headlines_then_call_to_action_then_share():
    doc = cleaned("Переговоры продолжатся в марте.\n"
                  "Казахстан и Узбекистан обсудили водные ресурсы\n"
                  "Токаев посетит Китай с государственным визитом\n"
                  "Подписывайтесь на наш канал в Telegram\n"
                  "Поделиться")
    assert doc.body == "Переговоры продолжатся в марте."
    assert [role for role, _ in roles(doc)] == ["related_headline", "related_headline",
                                                  "call_to_action", "call_to_action"]


def test_no_furniture_at_all():
    text = "Министры провели встречу в Астане.\n\nСтороны обсудили торговлю и транзит."
    doc = cleaned(text)
    assert doc.body == text and doc.body_span == (0, len(text))
    assert doc.furniture == [] and doc.related_headlines == []
    assert doc.title is None and doc.source is None and doc.photo_credit is None


def test_empty_text():
    doc = cleaned("")
    assert doc.body == "" and doc.body_span == (0, 0) and doc.furniture == []


def test_blank_text():
    doc = cleaned("\n  \n")
    assert doc.body == "" and doc.furniture == []


def test_text_with_only_furniture():
    doc = cleaned("Фото: ТАСС\nПодпишитесь на наш канал\nПо сообщению сайта kapital.kz")
    assert doc.body == ""
    assert [role for role, _ in roles(doc)] == ["photo_credit", "call_to_action", "attribution"]
    assert doc.photo_credit == "ТАСС" and doc.source == "kapital.kz" and doc.original_source is None


def test_windows_line_ends():
    doc = cleaned("Фото: ТАСС\r\nТекст новости.\r\nПоделиться\r\n")
    assert doc.body == "Текст новости."
    assert roles(doc) == [("photo_credit", "Фото: ТАСС"), ("call_to_action", "Поделиться")]


# --- what must stay body

def test_subheading_inside_the_article_stays():
    text = ("Стороны обсудили торговлю.\n\nПоложение о турнире\n\nТурнир пройдёт в январе.\n\n"
            "Участники турнира\n\nВ турнире сыграют 14 гроссмейстеров.")
    doc = cleaned(text)
    assert doc.body == text and doc.furniture == []


def test_short_lines_at_the_end_without_furniture_stay():
    # Like FactRuEval book_483: section names at the end of an article.
    text = "Турнир пройдёт в январе.\n\nФото с турнира\n\nКалендарь турнира\n\nТаблица чемпионата"
    doc = cleaned(text)
    assert doc.body == text and doc.furniture == []


def test_one_short_closing_line_before_share_stays():
    doc = cleaned("Министр заявил, что переговоры продолжатся.\nПусть победит сильнейший\nПоделиться")
    assert doc.body == "Министр заявил, что переговоры продолжатся.\nПусть победит сильнейший"
    assert roles(doc) == [("call_to_action", "Поделиться")]


def test_signature_before_share_stays():
    # Two short lines, but a name and a position, not headlines.
    text = "Пусть победит сильнейший!\nКирсан Илюмжинов\nПрезидент ФИДЕ"
    doc = cleaned(text + "\nПоделиться")
    assert doc.body == text
    assert roles(doc) == [("call_to_action", "Поделиться")]


def test_read_also_between_paragraphs_with_headlines_below():
    text = ("Первый абзац новости.\nЧитайте также:\nРоссия и Китай подписали соглашение\n"
            "Токаев посетит Пекин\nВторой абзац новости, длинный и с точкой.")
    doc = cleaned(text)
    assert doc.body == text
    assert roles(doc) == [("call_to_action", "Читайте также:"),
                          ("related_headline", "Россия и Китай подписали соглашение"),
                          ("related_headline", "Токаев посетит Пекин")]
    assert doc.related_headlines == ["Россия и Китай подписали соглашение", "Токаев посетит Пекин"]


def test_list_after_a_colon_stays():
    doc = cleaned("Участники турнира:\nВеселин Топалов из Болгарии\nВишванатан Ананд из Индии\nПоделиться")
    assert doc.body == "Участники турнира:\nВеселин Топалов из Болгарии\nВишванатан Ананд из Индии"


def test_first_short_line_of_a_plain_text_stays():
    # No furniture anywhere: a first short line may be a title, but plain
    # texts (FactRuEval) keep it as body.
    text = "Робосекс\n\nСпециалисты компании создали робота."
    doc = cleaned(text)
    assert doc.body == text and doc.title is None


def test_a_short_line_with_only_furniture_after_it_is_body_not_title():
    doc = cleaned("Фото: ТАСС\nСаммит ШОС завершился\nПоделиться")
    assert doc.body == "Саммит ШОС завершился" and doc.title is None


def test_first_line_equal_to_the_given_title_is_the_title():
    doc = cleaned("Саммит ШОС завершился\nЛидеры подписали декларацию.", title="Саммит ШОС завершился")
    assert roles(doc) == [("title", "Саммит ШОС завершился")]
    assert doc.body == "Лидеры подписали декларацию."
    assert doc.title == "Саммит ШОС завершился"


def test_first_line_different_from_the_given_title_stays():
    text = "Лидеры подписали декларацию\nВстреча прошла в Астане."
    doc = cleaned(text, title="Саммит ШОС завершился")
    assert doc.body == text and doc.furniture == []


def test_interview_lines_are_not_attributions():
    text = "Голос Америки: Спасибо за интервью!\nМустафа Джемилев: Спасибо вам."
    assert cleaned(text).furniture == []


@pytest.mark.parametrize("line", [
    "Фото с турнира", "Источник в правительстве сообщил, что министр уйдёт", "Комментарии",
    "Текст договора опубликован на сайте МИД.", "По теме переговоров высказался министр",
    "Подписан новый закон об ответственности", "Автор таких хитов группы",
])
def test_lines_that_are_not_furniture(line):
    assert match_line(line) is None


# --- the credited source inside the body

@pytest.mark.parametrize("sentence, source", [
    ("Встреча прошла в Сочи, сообщает primeminister.kz.", "primeminister.kz"),
    ("Встреча прошла в Сочи, передает ТАСС.", "ТАСС"),
    ("По данным РИА Новости, встреча прошла в Сочи.", "РИА Новости"),
    ("Как сообщает РИА «Новости», встреча прошла в Сочи.", "РИА Новости"),
    ("По данным Интерфакса, встреча прошла в Сочи.", "Интерфакс"),
    ("Встреча прошла в Сочи, пишет газета «Ведомости».", "Ведомости"),
    ("Встреча прошла в Сочи, сообщает Лента.ру.", "Lenta.ru"),
    ("Встреча прошла в Сочи, сообщает агентство Франс Пресс.", "AFP"),
    ("МОСКВА, 25 ноября. /ТАСС/. Встреча прошла в Сочи.", "ТАСС"),
    ("МОСКВА, 25 ноя — РИА Новости. Встреча прошла в Сочи.", "РИА Новости"),
    ("Встреча прошла в Сочи, сообщил министр.", None),
    ("Встреча прошла в Сочи, сообщает Комитет защиты журналистов.", None),
    ("Об этом сообщает пресс-служба МИД.", None),
    ("Об этом сообщает сайт Кремля.", None),
    ("Как сообщил журналу People представитель актрисы, свадьба состоится.", None),
    ("Как сообщила газета The New York Post, сделка состоялась.", "The New York Post"),
    ("Как пишет газета \"Сегодня\", сделка состоялась.", "Сегодня"),
    ("По сообщению агентства Рейтер, сделка состоялась.", "Reuters"),
    ("Как передала радиостанция Маяк, встреча прошла в Сочи.", "Маяк"),
])
def test_credited_source(sentence, source):
    assert find_credited_source(sentence, 0, len(sentence)) == source


def test_credit_inside_furniture_does_not_count():
    text = "Читайте также: Путин встретился с Си, сообщает ТАСС\nВстреча прошла в Сочи."
    doc = cleaned(text)
    assert doc.original_source is None


# --- pieces

def test_site_names_are_one_token():
    tokenizer = SiteTokenizer()
    values = [token.value for token in tokenizer("сообщает primeminister.kz. Далее т.е. Mr.Smith и gov.kz/ru/a")]
    assert "primeminister.kz" in values and "gov.kz/ru/a" in values
    assert "т.е" not in values and "Mr.Smith" not in values


def test_merge_sites_keeps_offsets():
    text = "см. https://www.kapital.kz/news/1, а также"
    tokenizer = SiteTokenizer()
    tokens = list(tokenizer(text))
    site = next(token for token in tokens if token.type == "DOMAIN")
    assert text[site.span.start:site.span.stop] == site.value == "https://www.kapital.kz/news/1"
    assert merge_sites(text, tokens) == tokens


@pytest.mark.parametrize("line, shaped", [
    ("Мера поможет увеличить поток въездных туристов", True),
    ("Бизнес должен чувствовать поддержку на всех уровнях госуправления — премьер", True),
    ("В заключение он пригласил премьер-министра РК посетить Кубу.", False),
    ("Участники турнира:", False),
    ("• Марк Шилд (Австралия)", False),
    ("Космос", False),
    ("Можно ли запатентовать лицо?", False),
    ("Пресса молчит. Министр тоже", False),
    ("Санкции продлены", False),
    ("Кирсан Илюмжинов Президент ФИДЕ", False),
])
def test_headline_shape(line, shaped):
    assert is_headline_shaped(line) is shaped


@pytest.mark.parametrize("line, shaped", [
    ("Можно ли запатентовать лицо?", True),
    ("Санкции продлены", True),
    ("Космос", False),
    ("Министр подал в отставку.", False),
])
def test_headline_shape_under_a_header(line, shaped):
    assert is_headline_shaped(line, under_header=True) is shaped


def test_data_file_loads_and_every_kind_is_used():
    kinds = {pattern.kind for pattern in load_patterns()}
    assert kinds == {"photo_credit", "attribution", "byline", "call_to_action", "related_header",
                     "credit_verb", "credit_phrase", "medium", "agency"}


def test_cleaning_report_over_the_seed():
    out = io.StringIO()
    report = cleaning_report([SEED.parent], out=out)
    assert report.files == 1
    assert report.lines_outside_body == 7 and report.unaccounted == 0
    assert report.roles == {"photo_credit": 1, "related_headline": 4, "call_to_action": 1, "attribution": 1}
    printed = out.getvalue()
    assert "000_10db7d64be0f7442.txt:17\tattribution\tПо сообщению сайта kapital.kz" in printed


# --- the hard requirement: plain news texts lose nothing

def test_factrueval_dev_texts_lose_no_line():
    if not DEVSET.is_dir():
        pytest.skip(f"{DEVSET} not present")
    out = io.StringIO()
    report = cleaning_report([DEVSET], out=out)
    assert report.files == 122
    assert report.lines_outside_body == 0, out.getvalue()
    assert report.furniture_inside_body == 0, out.getvalue()
