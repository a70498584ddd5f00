"""The fonts that ship with the package (OFL), registered with Qt.

Amiri for the article and Noto Sans Arabic for the interface (from the fontpkg wheels): the
window and the charts look the same on a machine without any Arabic font installed. Noto Emoji
(``font_files/``, no wheel carries it) for the emoji of posts and tweets, which neither has: Qt
falls back to it for a character the text's font lacks, where a machine without an emoji font
drew an empty box. Registering it costs 0.1 ms; its glyphs are read when a text has emoji.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase

#: the fonts kept in the package itself (each with its licence beside it)
FONT_FILES = Path(__file__).resolve().parent / "font_files"
EMOJI_FAMILY = "Noto Emoji"

_loaded: list[str] | None = None


def load_bundled_fonts() -> list[str]:
    """Register the bundled fonts (once per process; needs a QGuiApplication); returns their
    families."""
    global _loaded
    if _loaded is not None:
        return _loaded
    import fontpkg_amiri
    import fontpkg_noto_sans_arabic

    paths = [path for package in (fontpkg_amiri, fontpkg_noto_sans_arabic)
             for path in sorted(Path(package.ROOT, "files").glob("*.ttf"))]
    paths.append(FONT_FILES / "NotoEmoji.ttf")
    families: list[str] = []
    for path in paths:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    _loaded = list(dict.fromkeys(families))
    return _loaded
