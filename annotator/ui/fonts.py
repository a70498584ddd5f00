"""The fonts that ship with the package (OFL, from the fontpkg wheels), registered with Qt.

Amiri for the article, Noto Sans Arabic for the interface: the window and the charts look the
same on a machine without any Arabic font installed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase

_loaded: list[str] | None = None


def load_bundled_fonts() -> list[str]:
    """Register the bundled fonts (once per process; needs a QGuiApplication); returns their
    families."""
    global _loaded
    if _loaded is not None:
        return _loaded
    import fontpkg_amiri
    import fontpkg_noto_sans_arabic

    families: list[str] = []
    for package in (fontpkg_amiri, fontpkg_noto_sans_arabic):
        for path in sorted(Path(package.ROOT, "files").glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
    _loaded = list(dict.fromkeys(families))
    return _loaded
