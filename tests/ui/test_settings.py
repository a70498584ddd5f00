"""Settings: the article font and its size are remembered; a bad settings file is not an error."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from annotator.settings import Settings, load_settings, save_settings, settings_path
from annotator.ui.app import GuiOptions, build_window


def test_zoom_and_font_choice_are_saved(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(user="mona", font_size=18)
    window = build_window(GuiOptions(db_url=f"sqlite:///{tmp_path / 's.sqlite3'}", user="mona"),
                          settings, "mona")
    qtbot.addWidget(window)
    window.zoom(2)
    assert load_settings().font_size == 20
    family = window.article.document().defaultFont().family()
    assert load_settings().font_family == family
    window.close()


def test_a_broken_settings_file_gives_the_defaults(tmp_path: Path) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert load_settings() == Settings()
    save_settings(Settings(user="سارة", font_size=200))
    assert load_settings() == Settings(user="سارة", font_size=18)  # out of range: the default
