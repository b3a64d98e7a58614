"""Our facts as FactRuEval-2016 task-3 answers.

FactRuEval splits a position differently from svodka: "глава МИД России" is
Position "глава", Where "МИД России" (svodka's office: министр иностранных
дел). Facts keep both, so the answer takes the role as written and the place
as named. The comparator splits an answer line at ":", so values never hold
one.
"""
from __future__ import annotations

from ..model import Analysis, Fact

ARGS = {
    "Occupation": [("Who", "who"), ("Position", "position"), ("Where", "where_text|where")],
    "Meeting": [("Participant", "participant_texts|participants"), ("Where", "where_text|where"),
                ("When", "when")],
    "Deal": [("Participant", "participant_texts|participants"), ("Type", "type")],
    "Ownership": [("Owner", "owner_text|owner"), ("Property", "property_text|property")],
}


def _clean(value) -> str:
    return " ".join(str(value).replace(":", " ").split())


def task3_facts(analysis: Analysis) -> list[tuple[str, list[tuple[str, str]]]]:
    """(type, [(argument, value), ...]) for every FactRuEval fact type."""
    out = []
    seen = set()
    for fact in analysis.facts:
        spec = ARGS.get(fact.type)
        if not spec:
            continue
        if fact.type == "Occupation" and not fact.args.get("where"):
            if not fact.args.get("where_context"):
                continue    # the standard's occupations nearly always name a place
            fact = Fact(fact.type, dict(fact.args, where=fact.args["where_context"]),
                        fact.start, fact.stop, fact.status)
        if fact.type == "Deal" and (not fact.args.get("type")
                                    or len(fact.args.get("participants", [])) < 2):
            continue    # an agreement as a document is no FactRuEval deal type,
            #             and a deal has two sides
        args = []
        for name, roles in spec:
            value = next((fact.args[r] for r in roles.split("|") if fact.args.get(r)), None)
            if not value:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                v = _clean(v)
                if v:
                    args.append((name, v))
        if not args:
            continue
        frozen = (fact.type, tuple(args))
        if frozen in seen:
            continue
        seen.add(frozen)
        out.append((fact.type, args))
    return out
