"""The event scorer (svodka/evaluate/events.py) on small synthetic gold files."""
import json

import pytest

from svodka.evaluate import events as ev
from svodka.model import Actor, Analysis, Event, Location


def actor(name, country):
    return {"raw_text": name, "entity_name": name, "country": country,
            "sector_code": "GOV", "position": None}


def record(category, actors, recipients=(), mode=(), context=(), place=None, evidence=((0, 5),)):
    return {"event": category, "actor": list(actors), "recipient": list(recipients),
            "mode": list(mode), "context": list(context),
            "event_loc": {"raw_text": place, "resolved_place": place, "country": None} if place else None,
            "date": None, "evidence": [list(e) for e in evidence], "note": None}


def test_tuples_follow_the_scoring_rule():
    consult = record("CONSULT", [actor("Алихан Смаилов", "KAZ")], [actor("Куба", "CUB")])
    assert ev.event_tuple(consult) == ("CONSULT", frozenset({"KAZ", "CUB"}), frozenset())
    mutual = record("SUPPORT", [actor("Россия", "RUS"), actor("Китай", "CHN")])
    assert ev.event_tuple(mutual) == ("SUPPORT", frozenset({"RUS", "CHN"}), frozenset())
    directed = record("ACCUSE", [actor("Япония", "JPN")], [actor("Россия", "RUS")])
    assert ev.event_tuple(directed) == ("ACCUSE", frozenset({"JPN"}), frozenset({"RUS"}))


def test_micro_scores_and_deduplication():
    gold = [
        {"corpus": "c", "doc": "d1", "events": [
            record("CONSULT", [actor("Алихан Смаилов", "KAZ"), actor("Мануэль Марреро Крус", "CUB")],
                   mode=["multilateral"], context=["economic"], place="Сочи"),
            record("AGREE", [actor("Куба", "CUB")], [actor("Казахстан", "KAZ")]),
        ]},
        {"corpus": "c", "doc": "d2", "events": []},
    ]
    ours = [
        {"corpus": "c", "doc": "d1", "events": [
            # the same tuple twice counts once
            record("CONSULT", [actor("Алихан Смаилов", "KAZ")], [actor("Мануэль Марреро Крус", "CUB")],
                   mode=["multilateral"], context=["economic", "health"], place="Сочи"),
            record("CONSULT", [actor("Казахстан", "KAZ"), actor("Куба", "CUB")]),
            record("REJECT", [actor("Куба", "CUB")], [actor("Казахстан", "KAZ")]),
        ]},
        {"corpus": "c", "doc": "d2", "events": [
            record("SANCTION", [actor("Европейский союз", "EUR")], [actor("Иран", "IRN")]),
        ]},
    ]
    report = ev.score(gold, ours)
    assert (report.tp, report.fp, report.fn) == (1, 2, 1)
    assert report.precision == pytest.approx(1 / 3)
    assert report.recall == pytest.approx(1 / 2)
    assert report.f1 == pytest.approx(0.4)
    acc = report.accuracies()
    assert acc["matched"] == 1
    assert acc["location"] == 1.0 and acc["mode"] == 1.0 and acc["context"] == 1.0
    assert acc["persons"] == 1.0      # persons compared as sets over the tuple's records
    assert report.per_category()["CONSULT"] == {"tp": 1, "fp": 0, "fn": 0}
    text = report.format(errors=True)
    assert "MISSED   AGREE CUB -> KAZ" in text
    assert "SPURIOUS SANCTION EUR -> IRN" in text
    assert "F1 0.400" in text


def test_person_and_place_mismatches_count():
    gold = [{"corpus": "c", "doc": "d", "events": [
        record("CONSULT", [actor("Виторио Сандали", "ITA"), actor("Грузия", "GEO")], place="Грузия")]}]
    ours = [{"corpus": "c", "doc": "d", "events": [
        record("CONSULT", [actor("Александр Налбандов", "GEO"), actor("Италия", "ITA")], place="Тбилиси")]}]
    acc = ev.score(gold, ours).accuracies()
    assert acc["location"] == 0.0 and acc["persons"] == 0.0
    assert acc["mode"] == 1.0       # both empty


def test_is_person():
    assert ev._is_person(actor("Алихан Смаилов", "KAZ"))
    assert ev._is_person(actor("Н. Кан", "JPN"))
    assert not ev._is_person(actor("Европейский союз", "EUR"))
    assert not ev._is_person(actor("США", "USA"))
    assert not ev._is_person(actor("Куба", "CUB"))
    assert not ev._is_person(actor("правительство Украины", "UKR"))


def _analysis(doc):
    event = Event(category="AGREE", quad_code=1,
                  actors=[Actor("Куба", "Куба", "CUB")], recipients=[Actor("Казахстан", "Казахстан", "KAZ")],
                  mode=[], context=["economic"], location=Location("Сочи", "Сочи", "RUS"),
                  date=None, text=doc.text[:10], start=0, stop=10, trigger="пригласил")
    return Analysis(document=doc, events=[event])


def test_evaluate_events_runs_analyse_over_the_texts(tmp_path):
    (tmp_path / "texts" / "corp").mkdir(parents=True)
    (tmp_path / "texts" / "corp" / "a.txt").write_text("Куба пригласила Казахстан.", encoding="utf-8")
    (tmp_path / "texts" / "corp" / "b.txt").write_text("Ничего не случилось.", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    with open(gold, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"corpus": "corp", "doc": "a", "events": [
            record("AGREE", [actor("Куба", "CUB")], [actor("Казахстан", "KAZ")], place="Сочи")]},
            ensure_ascii=False) + "\n")
        handle.write(json.dumps({"corpus": "corp", "doc": "b", "events": []}) + "\n")
    seen = []

    def analyse(documents):
        seen.extend(d.id for d in documents)
        return [_analysis(d) for d in documents]

    report = ev.evaluate_events(gold, tmp_path / "texts", analyse)
    assert seen == ["a", "b"]
    assert (report.tp, report.fp, report.fn) == (1, 1, 0)
    assert report.accuracies()["location"] == 1.0
    out = tmp_path / "ours.jsonl"
    report.dump(out)
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [l["doc"] for l in lines] == ["a", "b"]
    assert lines[0]["corpus"] == "corp"
    assert lines[0]["events"][0]["event"] == "AGREE"
    assert lines[0]["events"][0]["recipient"][0]["country"] == "KAZ"
    assert lines[0]["events"][0]["evidence"] == [[0, 10]]
    # the dump scores like the original
    again = ev.score(ev.load_gold(gold), lines)
    assert (again.tp, again.fp, again.fn) == (1, 1, 0)
    assert report.as_dict()["f1"] == pytest.approx(2 / 3, abs=1e-3)


def test_dump_events(tmp_path):
    from svodka.model import Document
    a = _analysis(Document(id="x", text="Куба пригласила Казахстан."))
    out = tmp_path / "d.jsonl"
    ev.dump_events([a], out, corpus_of=lambda d: "corp")
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["corpus"] == "corp" and line["doc"] == "x"
    assert line["events"][0]["event_loc"]["resolved_place"] == "Сочи"


def test_run_events_eval_prints_and_dumps(tmp_path):
    import io
    (tmp_path / "texts" / "corp").mkdir(parents=True)
    (tmp_path / "texts" / "corp" / "a.txt").write_text("Куба пригласила Казахстан.", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"corpus": "corp", "doc": "a", "events": [
        record("AGREE", [actor("Куба", "CUB")], [actor("Казахстан", "KAZ")])]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    buffer = io.StringIO()
    status = ev.run_events_eval(gold, tmp_path / "texts", dump=tmp_path / "o.jsonl", errors=True,
                                analyse=lambda docs: [_analysis(d) for d in docs], out=buffer)
    assert status == 0
    assert "precision 1.000" in buffer.getvalue()
    assert (tmp_path / "o.jsonl").exists()
    buffer = io.StringIO()
    ev.run_events_eval(gold, tmp_path / "texts", as_json=True,
                       analyse=lambda docs: [_analysis(d) for d in docs], out=buffer)
    assert json.loads(buffer.getvalue())["f1"] == 1.0
