"""The weekly briefing («недельный обзор»): the main international events of
a period, read from the store, ranked, grouped by country pair and rendered
as Markdown, self-contained HTML or JSON.

What goes in
    An event belongs to the day of its own ``date`` when that is a full
    YYYY-MM-DD date, else to its document's ``published`` date; an event
    with neither is in no period (the digest's notes count them). A period
    is an ISO week (``2023-W23``: Monday to Sunday) or any span of days;
    "the previous periods" are the four spans of the same length just
    before it.

Items
    The period's events are merged into items: one per section category
    and set of parties (countries by ISO3 code; UN, EU and other
    organisations by name), however many documents report it. Sections:
    meetings and visits (CONSULT); agreements signed and proposed (SUPPORT,
    AGREE); conflicts and accusations (REQUEST, ACCUSE, REJECT, THREATEN,
    SANCTION, COERCE, ASSAULT, PROTEST, MOBILIZE). The other categories
    (CONCEDE, COOPERATE, AID, RETREAT) are counted under the numbers only.

Salience (printed in every digest's footnote)::

    salience = quad_weight × actor_weight × log2(1 + sources) × novelty

    quad_weight   material conflict 3, verbal conflict 2, material
                  cooperation 1.5, verbal cooperation 1 (the highest quad
                  among the item's events)
    actor_weight  the highest of the item's parties: head of state or
                  government 3, minister (also deputy prime minister,
                  vice-president, secretary of state or general) 2, a state
                  or international organisation acting as such 1.5, anyone
                  else (officials, companies, former office holders) 1
    sources       independent sources: the item's documents, where two
                  documents are one source when they share an originating
                  site (``original_source``, else ``source``) or are reprints
                  of one story (table ``story_members``, when reprint
                  detection has run)
    novelty       1 / (1 + n), n = how many of the previous four periods had
                  an event of the same category between the same parties

Each item carries a template headline ("Казахстан — Куба: переговоры,
Сочи"), its people, a one-sentence summary (the best event's evidence
sentence, trimmed), up to two further evidence sentences, the key quote
(from the same documents, by a party of the event: actors before
recipients, direct before indirect, nearest the evidence first) and its
document ids. New appointments are Occupation facts in the period's
documents (by publication date) whose person and office appear in no
earlier document. The numbers count events once per story (or document) by
quad, against the average of the previous four periods.

Determinism: every list has an explicit sort key, floats are rounded, and
nothing depends on the clock, so one database and one period give the same
digest byte for byte.
"""
from __future__ import annotations

import html
import json
import math
import re
import sqlite3
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Optional

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"

SECTIONS = (
    ("meetings", ("CONSULT",)),
    ("agreements", ("SUPPORT", "AGREE")),
    ("conflicts", ("REQUEST", "ACCUSE", "REJECT", "THREATEN", "SANCTION", "COERCE",
                   "ASSAULT", "PROTEST", "MOBILIZE")),
)
SECTION_OF = {category: key for key, categories in SECTIONS for category in categories}

QUAD_WEIGHT = {1: 1.0, 2: 1.5, 3: 2.0, 4: 3.0}
HEAD_WEIGHT, MINISTER_WEIGHT, STATE_WEIGHT, OTHER_WEIGHT = 3.0, 2.0, 1.5, 1.0
PREVIOUS_PERIODS = 4

# Offices by weight, and the modifiers that keep or void an office: data/office_weights.tsv.
def _office_table() -> dict[str, tuple]:
    kinds: dict[str, list[str]] = {"head": [], "minister": [], "keep": [], "former": []}
    for line in (DATA / "office_weights.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, kind = line.split("\t")  # a modifier keeps its trailing space
            kinds[kind.strip()].append(phrase)
    return {kind: tuple(phrases) for kind, phrases in kinds.items()}


_OFFICES = _office_table()
HEAD_OFFICES = frozenset(_OFFICES["head"])
MINISTER_OFFICES = frozenset(_OFFICES["minister"])
KEEPING_PREFIXES = _OFFICES["keep"]
FORMER_PREFIXES = _OFFICES["former"]
# PLOVER actor codes that are no state.
ORGANISATION_CODES = {"UNO", "EUR", "IGO", "NGO", "MNC"}

SUMMARY_CHARS = 240
ALSO_CHARS = 160
QUOTE_CHARS = 240
MAX_ALSO = 2
MAX_PEOPLE = 4
DEFAULT_LIMIT = 10      # items per section

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


# -- phrases ------------------------------------------------------------------
def load_phrases(lang: str = "ru") -> dict[str, str]:
    """The headings and fixed phrases of one language from digest_phrases.tsv."""
    table: dict[str, str] = {}
    columns: Optional[list[str]] = None
    for line in (DATA / "digest_phrases.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if columns is None:
            columns = cells
            if lang not in columns[1:]:
                raise ValueError(f"no language {lang!r} in digest_phrases.tsv "
                                 f"(have {', '.join(columns[1:])})")
            continue
        table[cells[0]] = cells[columns.index(lang)]
    return table


# -- periods ------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    stop: date                      # inclusive
    week: Optional[str] = None      # "2023-W23" when the period is an ISO week

    @property
    def days(self) -> int:
        return (self.stop - self.start).days + 1

    def shifted(self, periods: int) -> "Period":
        """The span of the same length ``periods`` lengths later (negative: earlier)."""
        delta = timedelta(days=self.days * periods)
        week = None
        if self.week:
            year, number, _ = (self.start + delta).isocalendar()
            week = f"{year}-W{number:02d}"
        return Period(self.start + delta, self.stop + delta, week)

    @property
    def label(self) -> str:
        span = f"{self.start.isoformat()} — {self.stop.isoformat()}"
        return f"{self.week} ({span})" if self.week else span


def week_period(week: str) -> Period:
    """``2023-W23`` as the Monday-to-Sunday period of that ISO week."""
    match = _WEEK.match(week.strip())
    if not match:
        raise ValueError(f"{week!r}: expected an ISO week like 2023-W23")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError as error:
        raise ValueError(f"{week!r}: {error}") from None
    return Period(monday, monday + timedelta(days=6), f"{year}-W{number:02d}")


def span_period(start: str, stop: str) -> Period:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(stop)
    except ValueError:
        raise ValueError(f"expected dates as YYYY-MM-DD (got {start!r}, {stop!r})") from None
    if last < first:
        raise ValueError(f"the period ends ({stop}) before it starts ({start})")
    return Period(first, last)


def event_day(event_date: Optional[str], published: Optional[str]) -> Optional[str]:
    """The day an event counts under: its own date, else its document's."""
    for value in (event_date, published):
        if value and _FULL_DATE.match(value):
            return value[:10]
    return None


def latest_week(db: sqlite3.Connection) -> Optional[str]:
    """The ISO week of the latest dated event, the digest's default."""
    row = db.execute(
        "SELECT max(day) FROM (SELECT max(substr(date, 1, 10)) AS day FROM events "
        "WHERE date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' "
        "UNION ALL SELECT max(substr(d.published, 1, 10)) FROM events e JOIN documents d "
        "ON d.id = e.doc_id WHERE d.published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' "
        "AND (e.date IS NULL OR e.date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'))"
    ).fetchone()
    if not row or not row[0]:
        return None
    try:
        year, number, _ = date.fromisoformat(row[0]).isocalendar()
    except ValueError:
        return None
    return f"{year}-W{number:02d}"


# -- the digest record --------------------------------------------------------
@dataclass
class Quote:
    text: str
    speaker: str
    kind: str
    doc_id: str


@dataclass
class Item:
    rank: int
    section: str
    category: str
    quad: int
    parties: list[str]              # party keys: ISO3 codes, organisation codes or names
    pair: str                       # the parties' names, "Казахстан — Куба"
    topic: str                      # "Переговоры, Сочи"
    headline: str                   # "Казахстан — Куба: переговоры, Сочи"
    people: list[str]
    summary: str
    also: list[str]
    quote: Optional[Quote]
    documents: list[str]
    events: list[str]               # "doc_id/idx"
    first_day: str
    score: float
    sources: int
    actor_weight: float
    quad_weight: float
    novelty: float
    seen_in_previous: int


@dataclass
class PairGroup:
    parties: list[str]
    pair: str
    items: list[Item]


@dataclass
class Section:
    key: str
    title: str
    groups: list[PairGroup]
    more: int = 0                   # items past the limit, left out


@dataclass
class Appointment:
    who: str
    position: str
    office: str
    where: str
    documents: list[str]
    first_day: str


@dataclass
class QuadCount:
    quad: int
    label: str
    this_period: int
    previous: list[int]             # oldest first
    previous_average: float
    change: Optional[float]         # this period / average - 1, None without a baseline


@dataclass
class Digest:
    lang: str
    title: str
    period: str
    start: str
    stop: str
    week: Optional[str]
    previous_week: Optional[str]
    next_week: Optional[str]
    country: Optional[str]
    country_name: Optional[str]
    sections: list[Section]
    appointments: list[Appointment]
    numbers: list[QuadCount]
    notes: list[str]
    formula: str
    phrases: dict[str, str] = field(repr=False)

    def to_json(self) -> str:
        record = asdict(self)
        record.pop("phrases")
        return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


# -- reading the store --------------------------------------------------------
@dataclass
class _Party:
    key: str
    label: str
    weight: float
    person: Optional[str]           # a person's name with office, for the people line
    entity: Optional[str]           # Entity.id within its document
    role: str                       # actor, recipient


@dataclass
class _Event:
    doc_id: str
    idx: int
    category: str
    quad: int
    day: str
    parties: list[_Party]
    mode: list[str]
    place: Optional[str]
    text: str
    start: int
    stop: int

    @property
    def party_keys(self) -> tuple[str, ...]:
        return tuple(sorted({p.key for p in self.parties}))

    @property
    def weight(self) -> float:
        return max((p.weight for p in self.parties), default=OTHER_WEIGHT)


def _cursor(db: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _country_name(code: str) -> Optional[str]:
    from .link.gazetteer import by_code
    place = by_code(code)
    return place.name if place is not None and place.kind == "country" else None


def office_weight(position: Optional[str]) -> float:
    """A person's weight by office: head 3, minister 2, anyone else 1."""
    if not position:
        return OTHER_WEIGHT
    office = position.strip()
    lowered = office.lower()
    if lowered.startswith(FORMER_PREFIXES):
        return OTHER_WEIGHT
    for prefix in KEEPING_PREFIXES:
        if lowered.startswith(prefix):
            office = office[len(prefix):]
            lowered = lowered[len(prefix):]
    if office in HEAD_OFFICES or lowered in HEAD_OFFICES:
        return HEAD_WEIGHT
    # "министр-президент" heads a German land, not a state
    if (lowered.startswith("министр") and not lowered.startswith("министр-президент")) \
            or lowered in MINISTER_OFFICES:
        return MINISTER_WEIGHT
    return OTHER_WEIGHT


def _read_events(db: sqlite3.Connection, first: date, last: date) -> list[sqlite3.Row]:
    """Event rows whose day (own date, else the document's) falls in
    [first, last]: two indexed range queries, the day checked afterwards."""
    low, high = first.isoformat(), (last + timedelta(days=1)).isoformat()
    columns = ("e.doc_id, e.idx, e.category, e.quad, e.actors, e.recipients, e.mode, "
               "e.location, e.text, e.start, e.stop, e.date, d.published")
    dated = ("SELECT " + columns + " FROM events e JOIN documents d ON d.id = e.doc_id "
             "WHERE e.date >= ? AND e.date < ?")
    by_published = ("SELECT " + columns + " FROM documents d JOIN events e ON e.doc_id = d.id "
                    "WHERE d.published >= ? AND d.published < ? AND (e.date IS NULL OR "
                    "e.date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')")
    cursor = _cursor(db)
    rows = cursor.execute(dated, (low, high)).fetchall()
    rows += cursor.execute(by_published, (low, high)).fetchall()
    kept = {}
    for row in rows:
        day = event_day(row["date"], row["published"])
        if day is not None and low <= day < high:
            kept[(row["doc_id"], row["idx"])] = row
    return [kept[key] for key in sorted(kept)]


def _entities(db: sqlite3.Connection, doc_ids: list[str]) -> dict[tuple[str, str], sqlite3.Row]:
    found = {}
    cursor = _cursor(db)
    for chunk in _chunks(sorted(set(doc_ids))):
        marks = ",".join("?" * len(chunk))
        for row in cursor.execute(f"SELECT doc_id, id, kind, name, country, parent, position "
                                  f"FROM entities WHERE doc_id IN ({marks})", chunk):
            found[(row["doc_id"], row["id"])] = row
    return found


def _party(raw: dict, role: str, entity: Optional[sqlite3.Row], phrases: dict) -> Optional[_Party]:
    code = raw.get("country")
    if not code:
        return None
    kind = entity["kind"] if entity is not None else None
    name = raw.get("entity_name") or (entity["name"] if entity is not None else "") or code
    position = raw.get("position") or (entity["position"] if entity is not None else None)
    is_person = kind == "person" or (kind is None and bool(position))
    country_name = None if code in ORGANISATION_CODES else _country_name(code)
    if country_name is not None:
        key, label = code, country_name
    elif code in ("UNO", "EUR"):
        key, label = code, phrases.get(f"party.{code}", code)
    elif kind == "igo":
        # a body of an organisation stands for the organisation
        parent = entity["parent"] if entity is not None else None
        parent_name = _organisation_name(parent) if parent else None
        key = label = parent_name or name
    else:
        key, label = code, phrases.get(f"party.{code}", code)
    if is_person:
        weight = office_weight(position)
        person = f"{name} ({position})" if position else name
    elif kind in ("country", "igo") or name in (country_name, label):
        weight, person = STATE_WEIGHT, None
    else:
        weight, person = OTHER_WEIGHT, None
    return _Party(key=key, label=label, weight=weight, person=person,
                  entity=raw.get("entity"), role=role)


def _organisation_name(code: str) -> Optional[str]:
    from .link.gazetteer import by_code
    place = by_code(code)
    return place.name if place is not None else None


def _events(db: sqlite3.Connection, first: date, last: date, phrases: dict,
            country: Optional[str]) -> list[_Event]:
    rows = _read_events(db, first, last)
    entities = _entities(db, [r["doc_id"] for r in rows])
    events = []
    for row in rows:
        parties = []
        for role, column in (("actor", "actors"), ("recipient", "recipients")):
            for raw in json.loads(row[column] or "[]"):
                party = _party(raw, role, entities.get((row["doc_id"], raw.get("entity"))), phrases)
                if party is not None:
                    parties.append(party)
        if country and country not in {p.key for p in parties}:
            continue
        location = json.loads(row["location"]) if row["location"] else None
        place = None
        if location and location.get("resolved_place"):
            # a country as the place says nothing the parties do not
            if location["resolved_place"] != _country_name(location.get("country") or ""):
                place = location["resolved_place"]
        events.append(_Event(doc_id=row["doc_id"], idx=row["idx"], category=row["category"],
                             quad=row["quad"] or 0, day=event_day(row["date"], row["published"]),
                             parties=parties, mode=json.loads(row["mode"] or "[]"), place=place,
                             text=row["text"] or "", start=row["start"] or 0,
                             stop=row["stop"] or 0))
    return events


def _documents(db: sqlite3.Connection, doc_ids: Iterable[str]) -> dict[str, dict]:
    """Each document's origin site and story (reprint group), if any."""
    ids = sorted(set(doc_ids))
    info: dict[str, dict] = {}
    cursor = _cursor(db)
    stories = _has_table(db, "story_members")
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in cursor.execute(f"SELECT id, source, original_source FROM documents "
                                  f"WHERE id IN ({marks})", chunk):
            info[row["id"]] = {"origin": row["original_source"] or row["source"], "story": None}
        if stories:
            for row in cursor.execute(f"SELECT doc_id, story_id FROM story_members "
                                      f"WHERE doc_id IN ({marks})", chunk):
                if row["doc_id"] in info:
                    info[row["doc_id"]]["story"] = row["story_id"]
    return info


def independent_sources(doc_ids: Iterable[str], documents: dict[str, dict]) -> int:
    """Documents joined when they share an origin site or a story; the
    number of groups left."""
    ids = sorted(set(doc_ids))
    parent = {d: d for d in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_with: dict[tuple[str, str], str] = {}
    for doc_id in ids:
        info = documents.get(doc_id, {})
        for kind in ("origin", "story"):
            value = info.get(kind)
            if not value:
                continue
            other = first_with.setdefault((kind, value), doc_id)
            a, b = find(doc_id), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return len({find(d) for d in ids})


def _quotes(db: sqlite3.Connection, doc_ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    found: dict[str, list[sqlite3.Row]] = defaultdict(list)
    cursor = _cursor(db)
    for chunk in _chunks(sorted(set(doc_ids))):
        marks = ",".join("?" * len(chunk))
        for row in cursor.execute(f"SELECT q.doc_id, q.idx, q.text, q.kind, q.speaker, q.start, "
                                  f"q.speaker_text, e.name AS speaker_name FROM quotes q "
                                  f"LEFT JOIN entities e ON e.doc_id = q.doc_id AND e.id = q.speaker "
                                  f"WHERE q.doc_id IN ({marks}) ORDER BY q.doc_id, q.idx", chunk):
            found[row["doc_id"]].append(row)
    return found


# -- text ---------------------------------------------------------------------
def trim(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:—-– ")
    return cut + "…"


def _topic(category: str, event: _Event, phrases: dict) -> str:
    """What happened, from the phrase table: "переговоры, Сочи"."""
    phrase = phrases.get(f"cat.{category}", category.lower())
    if category == "CONSULT":
        for mode in ("visit", "phone", "multilateral"):
            if mode in event.mode:
                phrase = phrases.get(f"cat.CONSULT.{mode}", phrase)
                break
    return f"{phrase}, {event.place}" if event.place else phrase


def _pick_quote(events: list[_Event], quotes: dict[str, list[sqlite3.Row]]) -> Optional[Quote]:
    candidates = []
    for order, event in enumerate(events):
        speakers = {p.entity: p.role for p in event.parties if p.entity}
        for row in quotes.get(event.doc_id, []):
            role = speakers.get(row["speaker"])
            if role is None or not (row["text"] or "").strip():
                continue
            distance = abs((row["start"] or 0) - event.start)
            candidates.append(((role != "actor", row["kind"] != "direct", order, distance,
                                row["doc_id"], row["idx"]), row))
    if not candidates:
        return None
    row = min(candidates, key=lambda c: c[0])[1]
    return Quote(text=trim(row["text"], QUOTE_CHARS),
                 speaker=row["speaker_name"] or row["speaker_text"] or "",
                 kind=row["kind"] or "", doc_id=row["doc_id"])


# -- building -----------------------------------------------------------------
def build_digest(db: sqlite3.Connection, period: Period, country: Optional[str] = None,
                 lang: str = "ru", limit: int = DEFAULT_LIMIT) -> Digest:
    """The digest of ``period``; each section keeps its ``limit`` most
    salient items (0: all) and says how many more there were."""
    phrases = load_phrases(lang)
    country = country.upper() if country else None
    previous = [period.shifted(-i) for i in range(PREVIOUS_PERIODS, 0, -1)]   # oldest first
    events = _events(db, previous[0].start, period.stop, phrases, country)
    this, earlier = [], [[] for _ in previous]
    for event in events:
        day = date.fromisoformat(event.day)
        if day >= period.start:
            this.append(event)
        else:
            earlier[(day - previous[0].start).days // period.days].append(event)

    seen_before = [{(e.category, e.party_keys) for e in window} for window in earlier]
    documents = _documents(db, [e.doc_id for e in events])

    # items: one per section category and set of parties
    grouped: dict[tuple[str, tuple[str, ...]], list[_Event]] = defaultdict(list)
    for event in this:
        if event.category in SECTION_OF and event.parties:
            grouped[(event.category, event.party_keys)].append(event)
    quotes = _quotes(db, [e.doc_id for group in grouped.values() for e in group])
    items = []
    for (category, keys), group in grouped.items():
        items.append(_item(category, keys, group, seen_before, documents, quotes, phrases,
                           country))
    items.sort(key=lambda i: (-i.score, i.pair, i.category, i.events[0]))

    sections = []
    for key, _categories in SECTIONS:
        section_items = [i for i in items if i.section == key]
        more = max(0, len(section_items) - limit) if limit else 0
        section_items = section_items[:limit] if limit else section_items
        for rank, item in enumerate(section_items, 1):
            item.rank = rank
        by_pair: dict[tuple[str, ...], list[Item]] = {}
        for item in section_items:          # best first, so groups come in their best item's order
            by_pair.setdefault(tuple(item.parties), []).append(item)
        groups = [PairGroup(parties=list(k), pair=v[0].pair, items=v) for k, v in by_pair.items()]
        sections.append(Section(key=key, title=phrases[f"section.{key}"], groups=groups,
                                more=more))

    numbers = _numbers(this, earlier, documents, phrases)
    notes = [phrases["dating_note"]]
    undated_events, undated_documents = _undated(db, country)
    if undated_events:
        notes.append(phrases["undated_note"].format(events=undated_events,
                                                   documents=undated_documents))
    return Digest(
        lang=lang, title=phrases["title" if period.week else "title_span"], period=period.label,
        start=period.start.isoformat(), stop=period.stop.isoformat(), week=period.week,
        previous_week=period.shifted(-1).week, next_week=period.shifted(1).week,
        country=country, country_name=_country_name(country) if country else None,
        sections=sections, appointments=_appointments(db, period, country),
        numbers=numbers, notes=notes, formula=phrases["formula"], phrases=phrases)


def _item(category: str, keys: tuple[str, ...], group: list[_Event],
          seen_before: list[set], documents: dict, quotes: dict, phrases: dict,
          country: Optional[str]) -> Item:
    group = sorted(group, key=lambda e: (-e.weight, e.day, e.doc_id, e.idx))
    best = group[0]
    labels = {p.key: p.label for e in group for p in e.parties}
    # the filtered country first, then the rest by name
    ordered = sorted(keys, key=lambda k: (k != country, labels[k], k))
    pair = " — ".join(labels[k] for k in ordered)
    people = []
    for event in group:
        for role in ("actor", "recipient"):
            for party in event.parties:
                if party.role == role and party.person and party.person not in people:
                    people.append(party.person)
    doc_ids = sorted({e.doc_id for e in group})
    sources = independent_sources(doc_ids, documents)
    actor_weight = max(e.weight for e in group)
    quad = max(e.quad for e in group)
    quad_weight = QUAD_WEIGHT.get(quad, 1.0)
    seen = sum(1 for window in seen_before if (category, keys) in window)
    novelty = 1.0 / (1 + seen)
    score = quad_weight * actor_weight * math.log2(1 + sources) * novelty
    summary = trim(best.text, SUMMARY_CHARS)
    seen_texts = {" ".join(best.text.split())}
    also = []
    for event in group[1:]:
        # reprints repeat the sentence: one line per distinct sentence
        text = " ".join(event.text.split())
        if text not in seen_texts:
            seen_texts.add(text)
            also.append(trim(text, ALSO_CHARS))
    topic = _topic(category, best, phrases)
    return Item(rank=0, section=SECTION_OF[category], category=category, quad=quad,
                parties=list(ordered), pair=pair, topic=topic[:1].upper() + topic[1:],
                headline=f"{pair}: {topic}",
                people=people[:MAX_PEOPLE], summary=summary, also=also[:MAX_ALSO],
                quote=_pick_quote(group, quotes), documents=doc_ids,
                events=[f"{e.doc_id}/{e.idx}" for e in sorted(group, key=lambda e: (e.doc_id, e.idx))],
                first_day=min(e.day for e in group), score=round(score, 3), sources=sources,
                actor_weight=actor_weight, quad_weight=quad_weight, novelty=round(novelty, 3),
                seen_in_previous=seen)


def _story_event_keys(events: list[_Event], documents: dict) -> dict[int, set]:
    """Per quad, the events once per story (or document): reprints count once."""
    keys: dict[int, set] = defaultdict(set)
    for event in events:
        story = documents.get(event.doc_id, {}).get("story") or event.doc_id
        actors = tuple(sorted({p.key for p in event.parties if p.role == "actor"}))
        recipients = tuple(sorted({p.key for p in event.parties if p.role == "recipient"}))
        keys[event.quad].add((story, event.category, actors, recipients))
    return keys


def _numbers(this: list[_Event], earlier: list[list[_Event]], documents: dict,
             phrases: dict) -> list[QuadCount]:
    now = _story_event_keys(this, documents)
    before = [_story_event_keys(window, documents) for window in earlier]
    rows = []
    for quad in (1, 2, 3, 4):
        previous = [len(window[quad]) for window in before]
        average = round(sum(previous) / len(previous), 2) if previous else 0.0
        count = len(now[quad])
        change = round(count / average - 1, 3) if average else None
        rows.append(QuadCount(quad=quad, label=phrases[f"quad.{quad}"], this_period=count,
                              previous=previous, previous_average=average, change=change))
    return rows


def _undated(db: sqlite3.Connection, country: Optional[str]) -> tuple[int, int]:
    """Events with no usable date of their own nor a document date."""
    sql = ("SELECT count(*), count(DISTINCT e.doc_id) FROM events e JOIN documents d "
           "ON d.id = e.doc_id WHERE (e.date IS NULL OR e.date NOT GLOB "
           "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*') AND (d.published IS NULL OR "
           "d.published NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')")
    params: tuple = ()
    if country:
        sql += (" AND EXISTS (SELECT 1 FROM event_parties p WHERE p.doc_id = e.doc_id "
                "AND p.event_idx = e.idx AND p.country = ?)")
        params = (country,)
    events, docs = db.execute(sql, params).fetchone()
    return events or 0, docs or 0


def _appointments(db: sqlite3.Connection, period: Period, country: Optional[str]) -> list[Appointment]:
    """Occupation facts of the period's documents (by publication date)
    whose person and office no earlier document has."""
    cursor = _cursor(db)
    rows = cursor.execute(
        "SELECT f.doc_id, f.args, d.published FROM facts f JOIN documents d ON d.id = f.doc_id "
        "WHERE f.type = 'Occupation' AND d.published >= ? AND d.published < ? "
        "ORDER BY f.doc_id, f.idx",
        (period.start.isoformat(), (period.stop + timedelta(days=1)).isoformat())).fetchall()
    entities = _entities(db, [r["doc_id"] for r in rows])
    found: dict[tuple[str, str], Appointment] = {}
    for row in rows:
        day = event_day(None, row["published"])
        if day is None or day > period.stop.isoformat():
            continue
        args = json.loads(row["args"] or "{}")
        who, position = args.get("who"), args.get("position") or args.get("office")
        if not who or not position or position.lower().startswith(FORMER_PREFIXES):
            continue
        office = args.get("office") or position
        where_entity = entities.get((row["doc_id"], args.get("where_entity")))
        who_entity = entities.get((row["doc_id"], args.get("who_entity")))
        countries = {e["country"] for e in (where_entity, who_entity) if e is not None}
        if country and country not in countries:
            continue
        key = (who, office)
        if key in found:
            appointment = found[key]
            if row["doc_id"] not in appointment.documents:
                appointment.documents.append(row["doc_id"])
            appointment.first_day = min(appointment.first_day, day)
            continue
        found[key] = Appointment(who=who, position=position, office=office,
                                 where=args.get("where") or "", documents=[row["doc_id"]],
                                 first_day=day)
    if not found:
        return []
    # drop those any earlier document already names with this office
    earlier = set()
    names = sorted({who for who, _ in found})
    for chunk in _chunks(names):
        marks = ",".join("?" * len(chunk))
        for row in cursor.execute(
                f"SELECT json_extract(f.args, '$.who') AS who, json_extract(f.args, '$.office') "
                f"AS office, json_extract(f.args, '$.position') AS position FROM facts f "
                f"JOIN documents d ON d.id = f.doc_id WHERE f.type = 'Occupation' "
                f"AND d.published < ? AND json_extract(f.args, '$.who') IN ({marks})",
                [period.start.isoformat(), *chunk]):
            earlier.add((row["who"], row["office"] or row["position"]))
    kept = [a for key, a in found.items() if key not in earlier]
    for appointment in kept:
        appointment.documents.sort()
    return sorted(kept, key=lambda a: (a.who, a.office, a.first_day))


# -- rendering ----------------------------------------------------------------
def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace(".", ",") if lang == "ru" else text


def _change(row: QuadCount, lang: str) -> str:
    if row.change is None:
        return "—"
    percent = round(row.change * 100)
    return f"{'+' if percent > 0 else ''}{percent}%"


def render_markdown(digest: Digest) -> str:
    p = digest.phrases
    lines = [f"# {digest.title}: {digest.period}", ""]
    if digest.country:
        lines += [f"{p['country_filter']}: {digest.country_name or digest.country} "
                  f"({digest.country})", ""]
    for section in digest.sections:
        lines += [f"## {section.title}", ""]
        if not section.groups:
            lines += [p["nothing"], ""]
            continue
        for group in section.groups:
            lines += [f"### {group.pair}", ""]
            for item in group.items:
                people = f" — {', '.join(item.people)}" if item.people else ""
                # the pair heads the group: the item names what happened
                lines.append(f"{item.rank}. **{item.topic}**{people}")
                lines.append(f"   {item.summary}")
                for line in item.also:
                    lines.append(f"   - {p['also']}: {line}")
                if item.quote:
                    speaker = p["quote_by"].format(speaker=item.quote.speaker)
                    lines.append(f"   > «{item.quote.text}» {speaker}")
                lines.append(f"   {p['sources']}: {', '.join(item.documents)} · "
                             f"{p['salience']} {_number(item.score, digest.lang)} "
                             f"({p['independent_sources'].format(n=item.sources)})")
                lines.append("")
        if section.more:
            lines += [p["more_items"].format(n=section.more), ""]
    lines += [f"## {p['section.appointments']}", ""]
    if digest.appointments:
        for a in digest.appointments:
            where = f" ({a.where})" if a.where else ""
            lines.append(f"- {p['appointment_line'].format(who=a.who, position=a.position)}"
                         f"{where} · {', '.join(a.documents)}")
    else:
        lines.append(p["no_appointments"])
    lines += ["", f"## {p['section.numbers']}", "",
              f"| {p['quad']} | {p['this_period']} | {p['previous_average']} | {p['change']} |",
              "|---|---:|---:|---:|"]
    for row in digest.numbers:
        lines.append(f"| {row.label} | {row.this_period} | "
                     f"{_number(row.previous_average, digest.lang)} | {_change(row, digest.lang)} |")
    lines += ["", "```", *text_chart(digest), "```", ""]
    lines += ["---", ""]
    lines += [f"{p['formula_title']}: {digest.formula}", ""]
    for note in digest.notes:
        lines += [note, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def text_chart(digest: Digest, width: int = 30) -> list[str]:
    """The numbers as bars of block characters: █ this period, ░ the average."""
    p = digest.phrases
    top = max([r.this_period for r in digest.numbers] + [r.previous_average for r in digest.numbers]
              + [1])
    label_width = max(len(r.label) for r in digest.numbers)
    lines = [f"{'█'} {p['legend_this']}   {'░'} {p['legend_previous']}"]
    for row in digest.numbers:
        now = round(row.this_period / top * width)
        before = round(row.previous_average / top * width)
        lines.append(f"{row.label:<{label_width}} {'█' * now} {row.this_period}")
        lines.append(f"{'':<{label_width}} {'░' * before} {_number(row.previous_average, digest.lang)}")
    return lines


def chart_svg(digest: Digest) -> str:
    """The numbers as an inline SVG bar chart (no script, so it survives mail)."""
    p = digest.phrases
    width, height, top_pad, bottom_pad, left_pad = 560, 210, 38, 44, 10
    plot = height - top_pad - bottom_pad
    top = max([r.this_period for r in digest.numbers] + [r.previous_average for r in digest.numbers]
              + [1])
    group_width = (width - 2 * left_pad) / len(digest.numbers)
    bar = group_width * 0.3
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{html.escape(p["chart_title"])}" '
             f'font-family="sans-serif" font-size="11">',
             f'<title>{html.escape(p["chart_title"])}</title>',
             f'<rect x="{left_pad}" y="6" width="10" height="10" fill="#2b5d8a"/>'
             f'<text x="{left_pad + 14}" y="15">{html.escape(p["legend_this"])}</text>',
             f'<rect x="{left_pad + 150}" y="6" width="10" height="10" fill="#b9cde0"/>'
             f'<text x="{left_pad + 164}" y="15">{html.escape(p["legend_previous"])}</text>']
    baseline = top_pad + plot
    for i, row in enumerate(digest.numbers):
        x0 = left_pad + i * group_width + group_width * 0.15
        for j, (value, colour) in enumerate(((row.this_period, "#2b5d8a"),
                                             (row.previous_average, "#b9cde0"))):
            h = plot * value / top
            x = x0 + j * (bar + 4)
            parts.append(f'<rect x="{x:.1f}" y="{baseline - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"/>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{baseline - h - 3:.1f}" '
                         f'text-anchor="middle">{_number(value, digest.lang)}</text>')
        centre = left_pad + (i + 0.5) * group_width
        words = row.label.split(" ", 1)
        for k, word in enumerate(words):
            parts.append(f'<text x="{centre:.1f}" y="{baseline + 15 + 13 * k}" '
                         f'text-anchor="middle">{html.escape(word)}</text>')
    parts.append(f'<line x1="{left_pad}" y1="{baseline}" x2="{width - left_pad}" '
                 f'y2="{baseline}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


def _environment():
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = _number
    env.filters["change"] = _change
    return env


def render_html(digest: Digest, link_base: str = "") -> str:
    """A self-contained HTML document (inline CSS and SVG chart, no
    scripts): fit to be mailed. ``link_base`` goes before /documents/{id}."""
    from markupsafe import Markup
    template = _environment().get_template("digest_mail.html")
    return template.render(digest=digest, p=digest.phrases, chart=Markup(chart_svg(digest)),
                           link_base=link_base.rstrip("/"))


def render_body(digest: Digest, link_base: str = "") -> str:
    """The digest as an HTML fragment, for the web page."""
    from markupsafe import Markup
    template = _environment().get_template("digest_body.html")
    return template.render(digest=digest, p=digest.phrases, chart=Markup(chart_svg(digest)),
                           link_base=link_base.rstrip("/"))


def render(digest: Digest, format: str = "md", link_base: str = "") -> str:
    if format == "md":
        return render_markdown(digest)
    if format == "html":
        return render_html(digest, link_base)
    if format == "json":
        return digest.to_json()
    raise ValueError(f"unknown format {format!r} (md, html, json)")
