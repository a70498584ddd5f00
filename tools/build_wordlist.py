"""Build seeds/words_ar.lst: Arabic word forms with their Zipf frequency, from wordfreq.

    pip install -e '.[dev]' && python tools/build_wordlist.py

wordfreq (Robyn Speer; code Apache-2.0, data CC BY-SA 4.0) merges Wikipedia, subtitles, news,
web text and Twitter word counts. Forms are merged under annotator.core.suggest.words.word_key
(frequencies added) and kept from Zipf 3.5 up, Arabic letters only. The list decides, when a
selection snaps, whether a leading و ف ب ل ك is a clitic (annotator.core.snap).
"""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict
from pathlib import Path

import wordfreq
from importlib.metadata import version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.core.suggest.words import FLOOR, word_key  # noqa: E402

OUT = ROOT / "seeds" / "words_ar.lst"
ARABIC_WORD = re.compile("^[\u0621-\u063a\u0641-\u064a]{2,}$")


def build() -> str:
    totals: dict[str, float] = defaultdict(float)
    for word, freq in wordfreq.get_frequency_dict("ar", wordlist="best").items():
        key = word_key(word)
        if ARABIC_WORD.match(key):
            totals[key] += freq
    buckets: dict[float, list[str]] = defaultdict(list)
    for key, freq in totals.items():
        zipf = round(math.log10(freq) + 9, 1)
        if zipf >= FLOOR:
            buckets[zipf].append(key)
    lines = [
        "# Arabic word forms by Zipf frequency (log10 per billion words), for clitic decisions.",
        f"# Built by tools/build_wordlist.py from wordfreq {version('wordfreq')}",
        "# (Robyn Speer, https://github.com/rspeer/wordfreq); data licence CC BY-SA 4.0.",
        "# Format: '@<zipf>' then the words of that frequency, one a line. Keys: no harakat,",
        "# alef forms unified (annotator.core.suggest.words.word_key).",
    ]
    for zipf in sorted(buckets, reverse=True):
        lines.append(f"@{zipf:.1f}")
        lines.extend(sorted(buckets[zipf]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = build()
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {sum(1 for ln in text.splitlines() if ln and ln[0] not in '#@')} words, "
          f"{len(text.encode('utf-8')):,} bytes")
