"""The lexicons agree with the ontology: every context a data file assigns is
one of PLOVER's, every category one of its 16."""
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "svodka" / "data"
CATEGORIES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
              "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION",
              "MOBILIZE", "COERCE", "ASSAULT"}


def rows(name):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [cell.strip() for cell in line.split("\t")]


def plover_contexts():
    return {row[0] for row in rows("plover_contexts.txt")}


def test_contexts_are_plover_contexts():
    allowed = plover_contexts()
    used = {row[1] for row in rows("event_contexts.tsv")}
    used |= {row[2] for row in rows("cooperation_areas.tsv")}
    for row in rows("triggers.tsv"):
        if len(row) >= 6 and row[5] != "-":
            used |= set(row[5].split("|"))
    assert used - allowed == set()


def test_trigger_categories_are_plover_categories():
    assert {row[0] for row in rows("triggers.tsv")} <= CATEGORIES
