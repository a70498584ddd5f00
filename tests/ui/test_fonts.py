"""The fonts the package ships draw the article's text, emoji included, on a machine without
any font of its own (a fontconfig that knows no font directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QRawFont
from PySide6.QtWidgets import QApplication

from annotator.ui.fonts import EMOJI_FAMILY, FONT_FILES, load_bundled_fonts

#: a post of the IDRISI tweets (../shared/corpora/spans), emoji on both sides of Arabic words
POST = "🔴 آثار انفجار #المنيل شاهد فيديو وصور 👇 ⛔#عاجل الحادث😏"
EMOJI = [c for c in POST if ord(c) > 0x2000]

# draws POST in Amiri with the bundled fonts (the emoji font too when argv[1] is "emoji"), prints
# each glyph run's family and how many of its glyphs are the empty box (glyph 0, .notdef)
DRAW = """
import json, sys
from PySide6.QtGui import QFont, QFontDatabase, QTextLayout
from PySide6.QtWidgets import QApplication
app = QApplication([])
import annotator.ui.fonts as fonts
if sys.argv[1] != "emoji":
    fonts.FONT_FILES = fonts.FONT_FILES / "none"   # the Arabic fonts only, as before
fonts.load_bundled_fonts()
layout = QTextLayout(sys.argv[2], QFont("Amiri", 18))
layout.beginLayout()
layout.createLine().setLineWidth(4000)
layout.endLayout()
print(json.dumps([[run.rawFont().familyName(), list(run.glyphIndexes()).count(0)]
                  for run in layout.glyphRuns()]))
"""


def _draw_without_system_fonts(tmp_path: Path, which: str) -> list[list]:
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                      f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
                      encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", DRAW, which, POST], env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_bundled_fonts_are_registered_with_the_emoji_font_last(qapp: QApplication) -> None:
    assert load_bundled_fonts() == ["Amiri", "Noto Sans Arabic", EMOJI_FAMILY]
    assert (FONT_FILES / "OFL.txt").read_text(encoding="utf-8").count("Open Font License") >= 2


def test_the_emoji_font_has_every_emoji_of_the_post(qapp: QApplication) -> None:
    load_bundled_fonts()
    emoji_font = QRawFont.fromFont(QFont(EMOJI_FAMILY, 18))
    amiri = QRawFont.fromFont(QFont("Amiri", 18))
    assert emoji_font.familyName() == EMOJI_FAMILY
    assert len(EMOJI) == 4
    assert [amiri.supportsCharacter(ord(c)) for c in EMOJI] == [False] * 4   # Amiri has none
    assert [emoji_font.supportsCharacter(ord(c)) for c in EMOJI] == [True] * 4


def test_without_any_system_font_emoji_are_drawn_not_boxes(tmp_path: Path) -> None:
    before = _draw_without_system_fonts(tmp_path, "arabic only")
    after = _draw_without_system_fonts(tmp_path, "emoji")
    # the Arabic fonts alone: Amiri draws the post, its four emoji as empty boxes
    assert sum(boxes for _, boxes in before) == 4
    assert {family for family, _ in before} == {"Amiri"}
    # with the emoji font: no box; Amiri draws the words, Noto Emoji the emoji
    assert sum(boxes for _, boxes in after) == 0
    assert {family for family, _ in after} == {"Amiri", EMOJI_FAMILY}
