"""What snapping keeps whole: the gazetteer's names and the texts of the spans whose label
strips clitics (وروسيا -> روسيا only when روسيا is a known name), loaded once for a person
and grown in place as they label; and the annotation service's snapping of a selection
(:class:`SnapSelection`), which reads them from the store once."""

from __future__ import annotations

from collections.abc import Iterable

from annotator.config import seeds_dir
from annotator.core.arabic import parse_gazetteer
from annotator.core.errors import UserError
from annotator.core.model import Document, Span
from annotator.core.schema import Schema
from annotator.core.snap import KnownNames, SnapResult, snap

GAZETTEER = "gazetteer.lst"


class SnapNames:
    """The known names of one annotation service (None until :meth:`load`)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.known: KnownNames | None = None
        self._gazetteer: KnownNames | None = None

    def labels(self) -> list[str]:
        """The labels whose spans teach names (those that strip clitics)."""
        return [label.name for label in self.schema.labels if label.strips_clitics]

    def load(self, texts: Iterable[str]) -> KnownNames:
        """The gazetteer plus ``texts`` (the spans' texts of :meth:`labels`), kept."""
        self.known = KnownNames(self._gazetteer_names() | KnownNames.of(list(texts)))
        return self.known

    def remember(self, spans: Iterable[Span]) -> None:
        """Add the texts of new spans whose label strips clitics (once loaded; loading reads
        them from the store anyway)."""
        if self.known is not None:
            self.known.remember(s.text for s in spans if self.schema.has_label(s.label)
                                and self.schema.label(s.label).strips_clitics)

    def _gazetteer_names(self) -> KnownNames:
        if self._gazetteer is None:
            path = seeds_dir() / GAZETTEER
            try:
                names = parse_gazetteer(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                names = frozenset()
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"{path}: cannot read the gazetteer: {exc}") from exc
            self._gazetteer = KnownNames.of(names)
        return self._gazetteer


class SnapSelection:
    """Snapping a selection, for :class:`~annotator.services.annotate.AnnotationService`, whose
    schema, person, units of work and known names (``_names``) it uses."""

    def known_names(self) -> KnownNames:
        """Gazetteer names plus the text of every span whose label strips clitics, normalized.

        Reads the store each call (one query) and keeps the result for :meth:`snap_selection`.
        """
        with self._uow(write=False) as uow:
            # blind annotation: an annotator learns names from their own sets only
            owner = None if self._identity(uow).reviews else self.annotator
            texts = uow.suggestions.span_texts(self._names.labels(), owner=owner)
        return self._names.load(texts)

    def remember_name(self, text: str) -> KnownNames:
        """Add one name to the cached known names (no query once loaded); returns them."""
        known = self._names.known if self._names.known is not None else self.known_names()
        known.remember([text])
        return known

    def prepare_snapping(self) -> None:
        """Read what snapping needs (the known names from the store, the word frequencies)
        now, when a document opens, so that the first selection is as quick as the others."""
        from annotator.core.suggest.resources import default_words

        if self._names.known is None:
            self.known_names()
        default_words()

    def snap_selection(self, document: Document, start: int, end: int, label: str, *,
                       known: KnownNames | None = None) -> SnapResult | None:
        """Snap a raw selection for ``label`` (its clitic rule, the known names); None if empty."""
        self._check_label(label)
        if known is None:
            known = self._names.known if self._names.known is not None else self.known_names()
        return snap(document.text, start, end,
                    clitics=self.schema.label(label).clitic_rule, known_names=known)
