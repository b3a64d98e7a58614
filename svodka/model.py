"""The records every stage of svodka passes on.

Plain dataclasses, no behaviour beyond small conveniences. Every record that
points into an article does so with character offsets into ``Document.text``
(Python string indices, ``text[start:stop]``), so anything shown to a user can
be traced back to the sentence it came from.

Data flow::

    ingest -> clean -> nlp -> link -> extract -> code -> store

``ingest`` yields :class:`Document` (or :class:`Rejection`), ``clean`` fills
``Document.body`` and metadata, ``nlp`` adds :class:`Sentence` and
:class:`Mention`, ``link`` groups mentions into :class:`Entity`, ``extract``
adds :class:`Fact` and :class:`Quote`, ``code`` adds :class:`Event`. The
result of the whole pipeline for one document is an :class:`Analysis`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

# Mention types, as FactRuEval task 1 names them. LOCORG is a geopolitical
# entity acting as an agent ("Россия заявила"), LOC a place ("в России").
PER, LOC, ORG, LOCORG = "PER", "LOC", "ORG", "LOCORG"

# Entity kinds after linking.
PERSON, COUNTRY, CITY, REGION, IGO, ORGANISATION, PLACE = (
    "person", "country", "city", "region", "igo", "organisation", "place")


@dataclass
class Span:
    start: int
    stop: int


@dataclass
class Document:
    """One article. ``text`` is the whole decoded input; ``body`` the span of
    it that is the article proper (facts and events come only from there)."""
    id: str
    text: str
    path: Optional[str] = None          # file it came from ("-" for stdin)
    line: Optional[int] = None          # line number for JSON Lines input
    title: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None     # ISO date (YYYY-MM-DD) when known
    source: Optional[str] = None        # the site that published this copy
    original_source: Optional[str] = None  # the site it credits ("сообщает X")
    author: Optional[str] = None
    photo_credit: Optional[str] = None
    related_headlines: list[str] = field(default_factory=list)
    body_start: int = 0
    body_stop: int = -1                 # -1 until clean() has run
    furniture: list["Furniture"] = field(default_factory=list)

    @property
    def body(self) -> str:
        stop = len(self.text) if self.body_stop < 0 else self.body_stop
        return self.text[self.body_start:stop]

    @property
    def body_span(self) -> tuple[int, int]:
        stop = len(self.text) if self.body_stop < 0 else self.body_stop
        return self.body_start, stop


@dataclass
class Furniture:
    """A line of page furniture the cleaner set apart from the body."""
    start: int
    stop: int
    role: str        # photo_credit, related_headline, call_to_action, attribution, byline, title
    text: str


@dataclass
class Rejection:
    """An input that could not be turned into a Document, and why."""
    path: str
    reason: str
    line: Optional[int] = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class Token:
    start: int
    stop: int
    text: str
    lemma: str = ""
    pos: str = ""
    feats: dict[str, str] = field(default_factory=dict)
    head: int = -1          # index of the head token within the sentence, -1 for root
    rel: str = ""


@dataclass
class Sentence:
    start: int
    stop: int
    text: str
    tokens: list[Token] = field(default_factory=list)
    parsed: bool = False    # syntax is parsed only for sentences a trigger selects


@dataclass
class Mention:
    start: int
    stop: int
    text: str
    type: str                       # PER, LOC, ORG, LOCORG
    normal: str = ""                # nominative normal form
    entity: Optional[str] = None    # Entity.id after linking
    sentence: int = -1              # index into Analysis.sentences
    source: str = "ner"             # ner, gazetteer, rule


@dataclass
class Entity:
    id: str                         # local to the document: "e1", "e2", ...
    kind: str                       # person, country, city, region, igo, organisation, place
    name: str                       # canonical normal form, Russian nominative
    country: Optional[str] = None   # ISO 3166-1 alpha-3 (or PLOVER code: IGO, UNO, EUR)
    code: Optional[str] = None      # gazetteer code: ISO3 for a country, org code for an IGO
    sector: Optional[str] = None    # PLOVER sector (GOV, MIL, ...)
    position: Optional[str] = None  # normalised office held (persons)
    parent: Optional[str] = None    # for IGO bodies: the organisation they belong to
    mentions: list[int] = field(default_factory=list)  # indices into Analysis.mentions

    @property
    def key(self) -> str:
        """The entity's identity across documents: "country:KAZ",
        "igo:EAEU", "person:Алихан Смаилов", "organisation:Газпром"."""
        return f"{self.kind}:{self.code or self.name}"


@dataclass
class Fact:
    """A FactRuEval-style fact: Occupation, Meeting, Deal, Ownership, Cooperation."""
    type: str
    args: dict[str, Any]            # role -> str | list[str]; entity ids under "*_entity"
    start: int                      # evidence sentence
    stop: int
    status: Optional[str] = None    # for deals: proposed, agreed, signed, ratified, cancelled


@dataclass
class Quote:
    text: str
    start: int                      # offsets of the quoted text
    stop: int
    kind: str                       # direct, indirect
    speaker: Optional[str] = None   # Entity.id
    speaker_text: Optional[str] = None  # how the speaker is named at the quote ("глава правительства")
    sentence_start: int = 0
    sentence_stop: int = 0


@dataclass
class Actor:
    raw_text: str
    entity_name: str
    country: Optional[str]
    sector_code: Optional[str] = "GOV"
    position: Optional[str] = None
    entity: Optional[str] = None    # Entity.id


@dataclass
class Location:
    raw_text: str
    resolved_place: str
    country: Optional[str]


@dataclass
class Event:
    category: str                   # PLOVER category (AGREE, CONSULT, ...)
    quad_code: int
    actors: list[Actor]
    recipients: list[Actor]
    mode: list[str]
    context: list[str]
    location: Optional[Location]
    date: Optional[str]
    text: str                       # evidence sentence
    start: int
    stop: int
    trigger: str = ""

    def plover(self, doc_id: str) -> dict:
        """The event as a PLOVER JSON record (the events-dev line format)."""
        return {
            "doc": doc_id,
            "event": self.category,
            "actor": [_actor_json(a) for a in self.actors],
            "recipient": [_actor_json(a) for a in self.recipients],
            "mode": list(self.mode),
            "context": list(self.context),
            "event_loc": asdict(self.location) if self.location else None,
            "date": self.date,
            "event_text": self.text,
            "evidence": [[self.start, self.stop]],
            "quad_code": self.quad_code,
        }


def _actor_json(actor: Actor) -> dict:
    return {"raw_text": actor.raw_text, "entity_name": actor.entity_name,
            "country": actor.country, "sector_code": actor.sector_code,
            "position": actor.position}


@dataclass
class Analysis:
    """Everything svodka learnt from one document."""
    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def entity(self, entity_id: Optional[str]) -> Optional[Entity]:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None
