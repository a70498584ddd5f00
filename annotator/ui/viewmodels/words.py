"""The window's words in the interface language, for the view-models (which import no Qt).

The app (``annotator.ui.i18n``) installs Qt's translator and hands its ``translate`` here; until
then (view-model tests, scripts) the English source text is used as is. ``translate`` keeps Qt's
signature, so ``pyside6-lupdate`` finds the calls (``translate("Context", "text")``) like any
other; the texts are ``str.format`` templates (``"labeled {count} hits"``), so that a translation
may put the fields where its grammar wants them.

Names from the schema (labels, relations, attributes and their values) carry an Arabic and an
English form: :func:`name_of` picks the one of the interface language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Translate = Callable[[str, str], str]

_state: dict[str, object] = {"translate": None, "language": "en"}


class Named(Protocol):
    @property
    def ar(self) -> str: ...

    @property
    def en(self) -> str: ...


def install(translate_fn: Translate | None, language: str) -> None:
    """Use ``translate_fn`` (Qt's ``QCoreApplication.translate``) and ``language`` ("ar" or
    "en") from now on; None goes back to the English source texts."""
    _state["translate"] = translate_fn
    _state["language"] = language


def language() -> str:
    """The interface language: "ar" or "en"."""
    return str(_state["language"])


def translate(context: str, text: str) -> str:
    """``text`` (English, the source language) in the interface language."""
    fn = _state["translate"]
    if fn is None:
        return text
    return fn(context, text)  # type: ignore[operator]


def name_of(item: Named) -> str:
    """The Arabic or English name of a label, relation or attribute, as the interface speaks."""
    return item.ar if language() == "ar" and item.ar else item.en


def value_name(values: tuple[str, ...], values_ar: tuple[str, ...], value: str) -> str:
    """An attribute value (``values``) in the interface language (``values_ar`` for Arabic)."""
    if language() == "ar" and value in values and len(values_ar) == len(values):
        return values_ar[values.index(value)]
    return value


def in_language(text: str) -> bool:
    """Whether ``text`` (project data, like a label's description) is written in the interface
    language: mostly Arabic letters for Arabic, mostly Latin letters for English."""
    arabic = sum(1 for ch in text if "\u0621" <= ch <= "\u064a")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return (arabic > latin) == (language() == "ar")


def short_text(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (the last an ellipsis) for a line of the window."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
