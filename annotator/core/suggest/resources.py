"""Where the suggesters' data lives, and loading it once.

The data files ship in ``seeds/`` (``annotator/_seeds`` inside the wheel): ``words_ar.lst``
(word frequencies), ``gazetteer.lst`` (places), ``speech_cues.lst`` (verbs of saying) and
``actor_words.lst`` (titles and addressees). :func:`load_resources` reads them once per folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from annotator.core.errors import ValidationError
from annotator.core.schema import parse_schema
from annotator.core.suggest.cues import CueForm, parse_cues
from annotator.core.suggest.places import Gazetteer, parse_gazetteer_kinds
from annotator.core.suggest.words import WordFrequencies, parse_words

WORDS = "words_ar.lst"


@lru_cache(maxsize=1)
def default_seeds() -> Path:
    """The seeds folder: inside the wheel (``annotator/_seeds``) or beside the package (found
    once: snapping asks for it at every selection)."""
    package = Path(__file__).resolve().parents[2]  # annotator/core/suggest/ -> annotator/
    packaged = package / "_seeds"
    return packaged if packaged.is_dir() else package.parent / "seeds"


def read_seed(seeds: Path, name: str) -> str | None:
    """The text of ``seeds/name``, or None when the file is absent; ValueError if unreadable."""
    path = seeds / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from exc


@lru_cache(maxsize=4)
def load_words(seeds: Path) -> WordFrequencies:
    """The word frequencies of ``seeds`` (empty when the file is absent), read once."""
    text = read_seed(seeds, WORDS)
    return WordFrequencies() if text is None else parse_words(text, path=str(seeds / WORDS))


def default_words() -> WordFrequencies:
    return load_words(default_seeds())



GAZETTEER = "gazetteer.lst"
CUES = "speech_cues.lst"
SCHEMA = "schema.toml"
#: The default schema's clitic rules, used when the seeds have no schema.toml.
DEFAULT_RULES: Mapping[str, str] = MappingProxyType(
    {"quote": "keep", "actor": "strip", "location": "strip", "cue": "conj"})


@dataclass(frozen=True, slots=True)
class Resources:
    """Everything the suggesters read: built once by :func:`load_resources`."""

    words: WordFrequencies
    gazetteer: Gazetteer
    cues: Mapping[str, CueForm]
    clitic_rules: Mapping[str, str]


@lru_cache(maxsize=4)
def load_resources(seeds: Path) -> Resources:
    """Read the word list, gazetteer, cue lexicon and schema of ``seeds`` (cached per folder).

    An absent file gives an empty resource; a malformed one a ValueError naming file and line.
    """
    gazetteer = read_seed(seeds, GAZETTEER)
    cues = read_seed(seeds, CUES)
    schema = read_seed(seeds, SCHEMA)
    rules = DEFAULT_RULES
    if schema is not None:
        try:
            parsed = parse_schema(schema, path=str(seeds / SCHEMA))
        except ValidationError as exc:
            raise ValueError(str(exc)) from exc
        rules = MappingProxyType({label.name: label.clitic_rule for label in parsed.labels})
    return Resources(
        words=load_words(seeds),
        gazetteer=Gazetteer(MappingProxyType({})) if gazetteer is None
        else parse_gazetteer_kinds(gazetteer, path=str(seeds / GAZETTEER)),
        cues=MappingProxyType({}) if cues is None else parse_cues(cues, path=str(seeds / CUES)),
        clitic_rules=rules,
    )
