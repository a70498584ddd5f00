"""What snapping keeps whole: the gazetteer's names and the texts of the spans whose label
strips clitics (وروسيا -> روسيا only when روسيا is a known name), loaded once for a person
and grown in place as they label (annotator.services.annotate reads the store for it)."""

from __future__ import annotations

from collections.abc import Iterable

from annotator.config import seeds_dir
from annotator.core.arabic import parse_gazetteer
from annotator.core.errors import UserError
from annotator.core.model import Span
from annotator.core.schema import Schema
from annotator.core.snap import KnownNames

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
