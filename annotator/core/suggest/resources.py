"""Where the suggesters' data lives, and loading it once.

The data files ship in ``seeds/`` (``annotator/_seeds`` inside the wheel): ``words_ar.lst``
(word frequencies), ``gazetteer.lst`` (places), ``speech_cues.lst`` (verbs of saying) and
``actor_words.lst`` (titles and addressees). :func:`load_resources` reads them once per folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from annotator.core.suggest.words import WordFrequencies, parse_words

WORDS = "words_ar.lst"


def default_seeds() -> Path:
    """The seeds folder: inside the wheel (``annotator/_seeds``) or beside the package."""
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

