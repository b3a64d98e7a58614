"""Mention spans and types after the link stage (svodka/link/mention_types.py)
and the FactRuEval task-1 evaluation command, on small synthetic sentences."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from svodka.model import Document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEVSET = SHARED / "data" / "factRuEval-2016" / "devset"


@pytest.fixture(scope="module")
def link_pipeline():
    from svodka.pipeline import Pipeline
    return Pipeline(stages=("link",))


def mentions(link_pipeline, text: str) -> dict[str, str]:
    """surface text -> type of the mentions of one text."""
    [analysis] = link_pipeline.analyse([Document(id="t", text=text)])
    return {m.text: m.type for m in analysis.mentions if m.source != "anaphor"}


def analysis_of(link_pipeline, text: str):
    [analysis] = link_pipeline.analyse([Document(id="t", text=text)])
    return analysis


def test_state_acting_is_locorg(link_pipeline):
    found = mentions(link_pipeline, "Россия и Турция подписали соглашение о поставках газа.")
    assert found["Россия"] == "LOCORG"
    assert found["Турция"] == "LOCORG"


def test_place_after_spatial_preposition_is_loc(link_pipeline):
    found = mentions(link_pipeline, "Конференция прошла в Германии, а делегаты приехали из Франции.")
    assert found["Германии"] == "LOC"
    assert found["Франции"] == "LOC"


def test_genitive_after_office_is_locorg(link_pipeline):
    found = mentions(link_pipeline, "Президент России Владимир Путин встретился с послом Японии.")
    assert found["России"] == "LOCORG"
    assert found["Японии"] == "LOCORG"
    assert found.get("Владимир Путин") == "PER"


def test_genitive_after_place_noun_is_loc(link_pipeline):
    found = mentions(link_pipeline, "Бои шли на юге Ливана, у самой границы Израиля.")
    assert found["Израиля"] == "LOC"


def test_descriptor_and_place_make_one_organisation(link_pipeline):
    text = "Правительство Японии выразило протест, а власти Таиланда промолчали."
    analysis = analysis_of(link_pipeline, text)
    found = {m.text: m.type for m in analysis.mentions}
    assert found["Правительство Японии"] == "ORG"
    assert found["Японии"] == "LOCORG"
    assert "власти Таиланда" not in found      # generic authorities: the state acts
    assert found["Таиланда"] == "LOCORG"
    org = next(m for m in analysis.mentions if m.text == "Правительство Японии")
    entity = analysis.entity(org.entity)
    assert entity is not None and entity.kind == "organisation" and entity.country == "JPN"
    assert entity.sector == "GOV"


def test_organisation_extended_over_genitive_state(link_pipeline):
    found = mentions(link_pipeline, "Глава МИД РФ Сергей Лавров прибыл в Токио.")
    assert found.get("МИД РФ") == "ORG"
    assert found.get("РФ") == "LOCORG"
    assert found.get("Токио") == "LOC"


def test_intergovernmental_body_is_org(link_pipeline):
    found = mentions(link_pipeline, "Евросоюз ввёл новые санкции, сообщили в Брюсселе.")
    assert found["Евросоюз"] == "ORG"
    assert found["Брюсселе"] == "LOC"


def test_parenthesised_original_is_a_second_name(link_pipeline):
    found = mentions(link_pipeline, "Об этом сказал Джоэл Саймон (Joel Simon), глава комитета.")
    assert found.get("Джоэл Саймон") == "PER"
    assert found.get("Joel Simon") == "PER"
    assert not any("(" in text for text in found)


def test_bulleted_list_is_split(link_pipeline):
    found = mentions(link_pipeline, "Его поддержали: • Монако • Намибия • Парагвай")
    assert not any("•" in text for text in found)
    assert {"Монако", "Намибия"} <= set(found)


def test_common_noun_abbreviation_is_not_a_name(link_pipeline):
    found = mentions(link_pipeline, "Как сообщают СМИ, встреча в Париже прошла успешно.")
    assert "СМИ" not in found


def test_organisation_name_repeated_untagged_is_found(link_pipeline):
    from svodka.link import mention_types
    from svodka.model import Analysis, Mention
    [analysis] = link_pipeline.analyse([Document(id="t", text="Компания ЗАЗ выпустила машину. Потом ЗАЗ закрылся.")])
    analysis.mentions = [m for m in analysis.mentions if m.start < 20]
    first = [m for m in analysis.mentions if m.text == "ЗАЗ"]
    if not first:       # NER missed both: give it the first one
        sentence = analysis.sentences[0]
        token = next(t for t in sentence.tokens if t.text == "ЗАЗ")
        analysis.mentions.append(Mention(token.start, token.stop, "ЗАЗ", "ORG", "ЗАЗ", sentence=0))
    mention_types.refine_mentions(analysis)
    assert [m.type for m in analysis.mentions if m.text == "ЗАЗ"] == ["ORG", "ORG"]


def test_place_adjective_alone_is_no_mention(link_pipeline):
    from svodka.link import mention_types
    from svodka.model import Mention
    [analysis] = link_pipeline.analyse([Document(id="t", text="Кипрское правительство ужесточит закон.")])
    token = analysis.sentences[0].tokens[0]
    analysis.mentions = [Mention(token.start, token.stop, token.text, "LOC", token.text, sentence=0)]
    mention_types.refine_mentions(analysis)
    assert all(m.text != "Кипрское" for m in analysis.mentions)


def test_quoted_name_after_organisation_kind(link_pipeline):
    found = mentions(link_pipeline, "Организаторами выступил институт «Коллективное действие» (ИКД).")
    assert found.get("институт «Коллективное действие»") == "ORG" \
        or found.get("Коллективное действие") == "ORG"
    assert found.get("ИКД") == "ORG"


def test_seat_of_power(link_pipeline):
    found = mentions(link_pipeline, "Кремль ответил на ноту. Переговоры прошли в Кремле.")
    assert found.get("Кремль") == "ORG"
    assert found.get("Кремле") == "LOC"


def test_craft_names_are_no_mentions(link_pipeline):
    found = mentions(link_pipeline, "Шаттл «Дискавери» вернулся на Землю. После «Дискавери» полетит «Атлантис».")
    assert not any("Дискавери" in text for text in found)


def test_office_is_no_part_of_organisation(link_pipeline):
    found = mentions(link_pipeline, "Замглавы Федеральной миграционной службы России Михаил Тюркин заявил о том, что всё хорошо.")
    assert not any(text.startswith("Замглавы") for text in found)
    assert found.get("Михаил Тюркин") == "PER"


def test_entities_point_at_their_mentions(link_pipeline):
    analysis = analysis_of(link_pipeline, "Правительство Китая и МИД Китая ответили Японии. "
                                          "Китай настаивает на своём.")
    for entity in analysis.entities:
        assert entity.mentions
        for index in entity.mentions:
            assert analysis.mentions[index].entity == entity.id
    for mention in analysis.mentions:
        assert analysis.entity(mention.entity) is not None
    assert [m.start for m in analysis.mentions] == sorted(m.start for m in analysis.mentions)


def test_cues_are_documented_and_known():
    from svodka.link import mention_types
    c = mention_types.cues()
    assert "в" in c.place_prep and "правительство" in c.org_head
    assert "у" not in c.place_prep          # possessor, not a place
    assert not (c.org_head & c.office)      # a body is not a person's office


# -- the evaluation command ---------------------------------------------------
def _tiny_set(folder: Path) -> None:
    """One document with a hand-made standard in the official formats."""
    text = "Россия заявила протест. Встреча прошла в Москве."
    (folder / "book_1.txt").write_text(text, encoding="utf-8")
    words = []
    position = 0
    for word in ["Россия", "заявила", "протест", ".", "Встреча", "прошла", "в", "Москве", "."]:
        start = text.index(word, position)
        words.append((start, word))
        position = start + len(word)
    (folder / "book_1.tokens").write_text(
        "".join(f"{100 + i} {s} {len(w)} {w}\n" for i, (s, w) in enumerate(words)), encoding="utf-8")
    (folder / "book_1.spans").write_text(
        f"1 loc_name {words[0][0]} 6 100 1  # 100 Россия\n"
        f"2 loc_name {words[7][0]} 6 107 1  # 107 Москве\n", encoding="utf-8")
    (folder / "book_1.objects").write_text(
        "10 LocOrg 1 # Россия\n11 Location 2 # Москве\n", encoding="utf-8")
    (folder / "book_2.txt").write_text("", encoding="utf-8")
    for suffix in ("tokens", "spans", "objects"):
        (folder / f"book_2.{suffix}").write_text("", encoding="utf-8")
    (folder / "list.txt").write_text("not a document\n", encoding="utf-8")


def test_eval_writes_one_answer_per_document_and_scores(tmp_path, capsys):
    from svodka.evaluate.factru_ner import run_factru_ner
    gold, out = tmp_path / "set", tmp_path / "answers"
    gold.mkdir()
    _tiny_set(gold)
    assert run_factru_ner(gold, out, as_json=True) == 0
    assert sorted(p.name for p in out.iterdir()) == ["book_1.task1", "book_2.task1"]
    assert (out / "book_2.task1").read_text(encoding="utf-8") == ""
    lines = (out / "book_1.task1").read_text(encoding="utf-8").split("\n")
    assert "LOCORG 0 6" in lines
    result = json.loads(capsys.readouterr().out)
    assert result["svodka"]["locorg_kept"]["overall"]["f1"] == 1.0
    assert result["svodka"]["locorg_as_loc"]["overall"]["f1"] == 1.0
    assert result["natasha"]["locorg_kept"]["LOCORG"]["recall"] == 0.0


def test_eval_without_standard_only_writes(tmp_path, capsys):
    from svodka.evaluate.factru_ner import run_factru_ner
    (tmp_path / "book_7.txt").write_text("Китай ответил США.", encoding="utf-8")
    out = tmp_path / "answers"
    assert run_factru_ner(tmp_path, out, as_json=False) == 0
    assert [p.name for p in out.iterdir()] == ["book_7.task1"]
    assert "nothing to score" in capsys.readouterr().out


@pytest.mark.skipif(not DEVSET.exists(), reason="../shared FactRuEval devset not present")
def test_devset_targets(tmp_path, capsys):
    """The acceptance targets of the pipeline issue on the FactRuEval dev set."""
    from svodka.evaluate.factru_ner import run_factru_ner
    assert run_factru_ner(DEVSET, tmp_path, as_json=True) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(list(tmp_path.iterdir())) == result["documents"] == 122
    assert result["svodka"]["locorg_as_loc"]["overall"]["f1"] >= 0.90
    assert result["svodka"]["locorg_kept"]["overall"]["f1"] >= 0.80
