"""svodka/evaluate/factru.py: FactRuEval-2016 reading, answer files, scoring.

The mini set in tests/data/factru_mini is hand-made in the official formats
(two short invented documents), so these tests run without ../shared. The
expected figures below are worked out by hand from the comparator's rules.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from svodka.evaluate import factru

MINI = Path(__file__).resolve().parent / "data" / "factru_mini"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEVSET = SHARED / "data" / "factRuEval-2016" / "devset"

# The mini set's mentions, written as answers.
PUTIN = ("PER", 10, 14)          # Владимир Путин
PARIS = ("LOC", 38, 6)           # Париже
GAZPROM = ("ORG", 54, 18)        # компании «Газпром»
MILLER = ("PER", 73, 17)         # Алексеем Миллером
RUSSIA = ("LOCORG", 92, 6)       # Россия
MOSCOW = ("LOCORG", 0, 6)        # Москва
WASHINGTON = ("LOCORG", 16, 10)  # Вашингтону
PERFECT_TASK1 = {"book_1": [PUTIN, PARIS, GAZPROM, MILLER, RUSSIA],
                 "book_2": [MOSCOW, WASHINGTON]}

MILLER_JOB = ("Occupation", [("Who", "Алексей Миллер"), ("Position", "главой"),
                             ("Where", "Газпром")])
MEETING = ("Meeting", [("Participant", "Владимир Путин"), ("Participant", "Алексей Миллер"),
                       ("Where", "Париж")])


def task1(answers, locorg_as_loc=False):
    return factru.score_task1_answers(MINI, answers, locorg_as_loc)


def task3(answers, hard_mode=False):
    return factru.score_task3_answers(MINI, answers, hard_mode)


# --- reading the standard ---------------------------------------------------

def test_reads_mini_standard():
    assert factru.load_document_ids(MINI) == ["book_1", "book_2"]
    gold = factru.load_gold_set(MINI)
    doc = gold["book_1"]
    assert doc.load_error is None
    assert [m.answer_type for m in doc.mentions] == ["PER", "LOC", "ORG", "PER", "LOCORG"]
    job, meeting, hard = doc.facts
    assert (job.answer_type, meeting.answer_type) == ("Occupation", "Meeting")
    assert hard.hard and not job.hard
    who = job.arguments[0]
    # surname-first standard name, name orders, the text's forms
    assert {"миллер алексей", "алексей миллер", "миллер", "алексеем миллером"} <= set(who.variants)
    where = job.arguments[2]
    assert '"газпром"' in where.variants          # shown in quotes in the text
    assert "компания газпром" in where.variants   # descriptor combined with the name


def test_gold_answers_of_mini_set_are_perfect():
    gold = factru.load_gold_set(MINI)
    for locorg_as_loc in (False, True):
        answers = {k: factru.gold_task1_answers(d, locorg_as_loc) for k, d in gold.items()}
        assert task1(answers, locorg_as_loc).f1() == 1.0
    assert task3({k: factru.gold_task3_answers(d) for k, d in gold.items()}).f1() == 1.0


# --- task 1 -----------------------------------------------------------------

def test_task1_perfect_both_modes():
    assert task1(PERFECT_TASK1).f1() == 1.0
    assert task1(PERFECT_TASK1, locorg_as_loc=True).f1() == 1.0


def test_task1_partial_credit():
    # "Путин" alone: one of the two name tokens found -> 1/2.
    answers = dict(PERFECT_TASK1, book_1=[("PER", 19, 5), PARIS, GAZPROM, MILLER, RUSSIA])
    scores = task1(answers)
    assert scores.rows["PER"].tp_std == pytest.approx(1.5)
    assert scores.overall.f1 == pytest.approx(6.5 / 7)


def test_task1_descriptor_is_free_and_extra_tokens_cost():
    # «Газпром» without "компании": the descriptor carries no weight; the
    # quotes, glued to the name, belong to no answer.
    bare = dict(PERFECT_TASK1, book_1=[PUTIN, PARIS, ("ORG", 63, 9), MILLER, RUSSIA])
    assert task1(bare).f1() == 1.0
    # "с главой компании «Газпром»": two extra tokens -> 1 / (1 + 2).
    wide = dict(PERFECT_TASK1, book_1=[PUTIN, PARIS, ("ORG", 45, 27), MILLER, RUSSIA])
    assert task1(wide).rows["ORG"].tp_std == pytest.approx(1 / 3)


def test_task1_locorg_as_loc():
    answers = {"book_1": [PUTIN, PARIS, GAZPROM, MILLER, ("LOC", 92, 6)],
               "book_2": [("LOC", 0, 6), WASHINGTON]}
    kept = task1(answers)
    assert kept.rows["LOCORG"].n_std == 3 and kept.rows["LOCORG"].tp_std == 1
    assert kept.rows["LOC"].n_test == 3 and kept.rows["LOC"].tp_test == 1
    assert kept.f1() == pytest.approx(5 / 7)
    merged = task1(answers, locorg_as_loc=True)
    assert "LOCORG" not in merged.rows
    assert merged.f1() == 1.0


def test_task1_empty_and_missing_answer_files(tmp_path):
    factru.write_answer_set(tmp_path, ["book_1", "book_2"],
                            task1={"book_1": PERFECT_TASK1["book_1"]})
    assert (tmp_path / "book_2.task1").read_text() == ""
    scores = factru.score_task1(MINI, tmp_path)
    assert scores.overall.precision == 1.0
    assert scores.overall.recall == pytest.approx(5 / 7)
    # A document without a file is left out, as the comparator does.
    (tmp_path / "book_2.task1").unlink()
    scores = factru.score_task1(MINI, tmp_path)
    assert scores.f1() == 1.0 and "book_2" in scores.notes[0]


def test_task1_file_round_trip(tmp_path):
    path = tmp_path / "book_1.task1"
    factru.write_task1(path, [("per", 10, 14), ("LOCORG", 92, 6)])
    assert path.read_text() == "PER 10 14\nLOCORG 92 6\n"
    assert factru.read_task1(path) == [("PER", 10, 14), ("LOCORG", 92, 6)]
    with pytest.raises(ValueError):
        factru.write_task1(path, [("GPE", 0, 1)])


def test_task1_table_mentions_every_row():
    table = task1(PERFECT_TASK1).format_table()
    for row in ("PER", "LOC", "ORG", "LOCORG", "overall"):
        assert row in table


# --- task 3 -----------------------------------------------------------------

def test_task3_perfect_with_other_name_forms():
    answers = {"book_1": [
        ("Occupation", [("Who", "Миллер Алексей"), ("Position", "глава"),
                        ("Where", "«Газпромм»")]),       # quote folding, one typo
        ("Meeting", [("Participant", "Путин"), ("Participant", "Миллер"),
                     ("Where", "Париже")]),
    ]}
    scores = task3(answers)
    assert scores.f1() == 1.0
    assert scores.rows["Occupation"].n_std == 1      # the hard fact is ignored


def test_task3_hard_fact_neither_rewarded_nor_penalised():
    putin = ("Occupation", [("Who", "Путин"), ("Position", "президент"), ("Where", "Россия")])
    scores = task3({"book_1": [MILLER_JOB, MEETING, putin]})
    assert scores.f1() == 1.0
    assert scores.overall.n_test == 2


def test_task3_wrong_position_gets_partial_credit():
    wrong = ("Occupation", [("Who", "Алексей Миллер"), ("Position", "министр"),
                            ("Where", "Газпром")])
    scores = task3({"book_1": [wrong, MEETING]})
    # who and where agree (1 + 1), the position (weight 1/2) is missed and
    # the answer's one is stray: 2 / (2 + 0.5 + 0.5).
    assert scores.rows["Occupation"].tp_std == pytest.approx(2 / 3)
    assert scores.f1() == pytest.approx((1 + 2 / 3) / 2)


def test_task3_extra_fact_costs_precision():
    deal = ("Deal", [("Participant", "Россия"), ("Participant", "Франция"),
                     ("Type", "купля/продажа")])
    scores = task3({"book_1": [MILLER_JOB, MEETING, deal]})
    assert scores.rows["Deal"].n_test == 1 and scores.rows["Deal"].tp_test == 0
    assert scores.overall.precision == pytest.approx(2 / 3)
    assert scores.overall.recall == 1.0
    # A fact for a document whose standard has none is just as false.
    scores = task3({"book_1": [MILLER_JOB, MEETING], "book_2": [MEETING]})
    assert scores.overall.n_test == 3 and scores.overall.tp_test == 2


def test_task3_nothing_matches_without_a_shared_argument():
    # The position alone never pairs facts.
    only_position = ("Occupation", [("Who", "Сечин"), ("Position", "главой"),
                                    ("Where", "Роснефть")])
    scores = task3({"book_1": [only_position, MEETING]})
    assert scores.rows["Occupation"].tp_std == 0


def test_task3_hard_mode_keeps_difficult_facts():
    scores = task3({"book_1": [MILLER_JOB, MEETING]}, hard_mode=True)
    assert scores.rows["Occupation"].n_std == 2
    assert scores.f1() == pytest.approx(0.8)


def test_task3_files(tmp_path):
    factru.write_answer_set(tmp_path, ["book_1", "book_2"],
                            task3={"book_1": [MILLER_JOB, MEETING]})
    assert (tmp_path / "book_2.task3").read_text() == ""
    text = (tmp_path / "book_1.task3").read_text()
    assert text.startswith("Occupation:\nWho: Алексей Миллер\n")
    assert "\n\nMeeting:\n" in text
    assert factru.score_task3(MINI, tmp_path).f1() == 1.0
    read = factru.read_task3(tmp_path / "book_1.task3")
    assert read[1] == ("meeting", [("participant", "владимир путин"),
                                   ("participant", "алексей миллер"), ("where", "париж")])
    (tmp_path / "book_2.task3").unlink()
    with pytest.raises(ValueError):
        factru.score_task3(MINI, tmp_path)


def test_task3_colon_in_value_is_written_readably(tmp_path):
    path = tmp_path / "book_1.task3"
    factru.write_task3(path, [("Deal", [("Type", "купля: продажа")])])
    assert factru.read_task3(path) == [("deal", [("type", "купля продажа")])]


def test_values_agree_tolerance():
    assert factru.values_agree("газпром", "газпромм")
    assert factru.values_agree("мид", "мвд")                         # 3 letters: one edit
    assert not factru.values_agree("мид", "мвдд")
    assert not factru.values_agree("а", "б")                         # one letter: exact only
    assert not factru.values_agree("министр", "минстрой")


# --- the real standard --------------------------------------------------------

# Documents with a mention whose name tokens are discontinuous ("Жан-Мари Ле
# Пен" marked without "Мари"): one answer interval cannot reproduce them.
INEXPRESSIBLE = {"book_260", "book_367"}


@pytest.fixture(scope="module")
def devset():
    if not DEVSET.is_dir():
        pytest.skip("FactRuEval-2016 devset not present under ../shared")
    return factru.load_gold_set(DEVSET)


def test_devset_loads_completely(devset):
    assert len(devset) == 122
    assert not [k for k, d in devset.items() if d.load_error]


@pytest.mark.parametrize("locorg_as_loc", [False, True])
def test_devset_gold_task1_scores_one(devset, locorg_as_loc):
    answers = {k: factru.gold_task1_answers(d, locorg_as_loc) for k, d in devset.items()}
    scores = factru.score_task1_answers(devset, answers, locorg_as_loc)
    imperfect = {k for k, rows in scores.documents.items() if rows["overall"].f1 < 1.0}
    assert imperfect <= INEXPRESSIBLE
    assert scores.f1() > 0.9995


def test_devset_gold_task3_scores_one(devset):
    answers = {k: factru.gold_task3_answers(d) for k, d in devset.items()}
    scores = factru.score_task3_answers(devset, answers)
    assert scores.f1() == 1.0
    assert not scores.notes


def test_devset_gold_through_files(devset, tmp_path):
    gold1 = {k: factru.gold_task1_answers(d) for k, d in devset.items()}
    gold3 = {k: factru.gold_task3_answers(d) for k, d in devset.items()}
    factru.write_answer_set(tmp_path, devset, task1=gold1, task3=gold3)
    assert factru.score_task1(DEVSET, tmp_path).f1() > 0.9995
    assert factru.score_task3(DEVSET, tmp_path).f1() == 1.0


def test_command_line(tmp_path, capsys):
    factru.write_answer_set(tmp_path, ["book_1", "book_2"], task1=PERFECT_TASK1,
                            task3={"book_1": [MILLER_JOB, MEETING]})
    assert factru.main(["task1", str(MINI), str(tmp_path), "-l"]) == 0
    assert "overall     1.0000" in capsys.readouterr().out
    assert factru.main(["task3", str(MINI), str(tmp_path)]) == 0
    assert "Occupation  1.0000" in capsys.readouterr().out
