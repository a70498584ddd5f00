"""User settings (name, interface language, article font and its size, whether the window runs
the suggesters when a document opens, the window's panels as last left) kept as JSON in the
platformdirs user config folder."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from annotator.config import APP_NAME

LANGUAGES = ("auto", "ar", "en")


def settings_path() -> Path:
    return user_config_path(APP_NAME, appauthor=False) / "settings.json"


@dataclass(frozen=True, slots=True)
class Settings:
    user: str | None = None
    #: the interface language: "ar", "en", or "auto" (from the system locale)
    language: str = "auto"
    font_family: str | None = None
    font_size: int = 18
    #: run the suggesters when a document opens (off: show the stored suggestions set, if any)
    suggest_on_open: bool = True
    #: per window mode ("annotate", "review"): the docks and the side splitter as the user left
    #: them (QMainWindow.saveState and QSplitter.saveState, base64)
    window_states: dict[str, str] = field(default_factory=dict)
    splitter_states: dict[str, str] = field(default_factory=dict)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults when the file is missing or unreadable (never an error), and
    the default for each value of the wrong type or out of range."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    known = {k: v for k, v in data.items() if k in Settings.__dataclass_fields__}
    try:
        settings = Settings(**known)
    except TypeError:
        return Settings()
    if not isinstance(settings.font_size, int) or not 6 <= settings.font_size <= 96:
        settings = settings.with_(font_size=18)
    if not isinstance(settings.suggest_on_open, bool):
        settings = settings.with_(suggest_on_open=True)
    if settings.language not in LANGUAGES:
        settings = settings.with_(language="auto")
    if settings.user is not None and not isinstance(settings.user, str):
        settings = settings.with_(user=None)
    if settings.font_family is not None and not isinstance(settings.font_family, str):
        settings = settings.with_(font_family=None)
    return settings.with_(window_states=_text_map(settings.window_states),
                          splitter_states=_text_map(settings.splitter_states))


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, so a crash never leaves a half-written settings file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def update_settings(path: Path | None = None, **changes: object) -> Settings:
    """Read the settings file, change some values, write it back (other windows' values kept)."""
    settings = load_settings(path).with_(**changes)
    save_settings(settings, path)
    return settings
