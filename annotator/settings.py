"""User settings (name, article font and its size, whether the window runs the suggesters when a
document opens) kept as JSON in the platformdirs user config folder."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from platformdirs import user_config_path

from annotator.config import APP_NAME


def settings_path() -> Path:
    return user_config_path(APP_NAME, appauthor=False) / "settings.json"


@dataclass(frozen=True, slots=True)
class Settings:
    user: str | None = None
    font_family: str | None = None
    font_size: int = 18
    #: run the suggesters when a document opens (off: show the stored suggestions set, if any)
    suggest_on_open: bool = True

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults when the file is missing or unreadable (never an error)."""
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
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, so a crash never leaves a half-written settings file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
