"""Several changes of one set in one transaction, for
:class:`~annotator.services.annotate.AnnotationService`: one user action made of many (a
reviewer's decision, accepting or dismissing suggestions, an undo of any of them), all or
nothing, and the arguments that undo it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.core.errors import UserError
from annotator.core.model import Relation, SetKind, SetStatus, Span
from annotator.services.annotation_changes import (
    Change,
    DeletedSpan,
    NewRelation,
    NewSpan,
    RejectedSuggestion,
)


class SetChanges:
    """:meth:`change` and :meth:`inverse_of`; the writes they run are
    :class:`~annotator.services.set_writes.SetWrites`'."""

    def change(self, set_id: int | None, *, document_id: int | None = None,
               delete: Sequence[int | Span] = (),
               restore: Sequence[DeletedSpan] = (), add: Sequence[NewSpan] = (),
               unrelate: Sequence[int] = (), relink: Sequence[Relation] = (),
               relate: Sequence[NewRelation] = (), reject: Sequence[tuple[int, int, str]] = (),
               unreject: Sequence[tuple[int, int, str]] = (),
               dismiss: Sequence[RejectedSuggestion] = (),
               undismiss: Sequence[RejectedSuggestion] = (),
               status: SetStatus | None = None) -> Change:
        """Several changes of one set in one transaction (one user action; all or nothing), in
        this order: relations ``unrelate`` deleted, spans ``delete`` deleted (with their
        relations), spans ``restore`` put back (with theirs), relations ``relink`` put back, spans
        ``add`` added, relations ``relate`` added (ends: stored span ids, or the keys of spans
        added here); in a gold set, candidates ``reject`` recorded as rejected and ``unreject``
        no longer; in an annotation set, suggestions ``dismiss`` recorded as rejected by its
        owner and ``undismiss`` no longer. ``inverse_of(result)`` gives the arguments that undo
        it exactly.
        ``set_id=None`` (with ``document_id``): this person's set of that document, created in
        the same transaction if missing."""
        with self._uow() as uow:
            if set_id is None:
                if document_id is None:
                    raise UserError("change() needs a set id or a document id")
                set_id = self._ensure_set(uow, document_id)
            info, text = self._owned(uow, set_id)
            if (reject or unreject) and info.kind != SetKind.GOLD:
                raise UserError("candidates are rejected in a gold set only")
            if (dismiss or undismiss) and info.kind != SetKind.ANNOTATION:
                raise UserError("suggestions are rejected in an annotator's own set only")
            dismissed = self._dismiss(uow, info, text, list(dict.fromkeys(dismiss)), True)
            undismissed = self._dismiss(uow, info, text, list(dict.fromkeys(undismiss)), False)
            rejected = self._reject(uow, info, text, list(dict.fromkeys(reject)), True)
            unrejected = self._reject(uow, info, text, list(dict.fromkeys(unreject)), False)
            unlinked = self._unlink(uow, info, unrelate)
            versions = {s.id: s.version for s in delete if isinstance(s, Span) and s.id}
            ids = list(dict.fromkeys(s.id if isinstance(s, Span) else s for s in delete))
            removed = self._delete(uow, {info.id: (info, text)}, [i for i in ids if i is not None],
                                   versions=versions or None)
            restored = self._restore(uow, {info.id: (info, text)}, list(restore)) \
                if restore else []
            relinked = self._relink(uow, info, list(relink))
            added = self._add(uow, info, text, list(add), began=False) if add else []
            linked = self._relate(uow, info, list(relate), added)
            result = Change(set_id, removed=tuple(removed), put=tuple(restored + added),
                            unlinked=tuple(unlinked), linked=tuple(relinked + linked),
                            rejected=tuple(rejected), unrejected=tuple(unrejected),
                            dismissed=tuple(dismissed), undismissed=tuple(undismissed))
            if not result.empty or status is not None:
                self._began(uow, info, status)
        self._names.remember(list(result.put))
        return result

    @staticmethod
    def inverse_of(change: Change) -> dict[str, Any]:
        """The keyword arguments of :meth:`change` that undo ``change`` (ids kept)."""
        return {"delete": [s for s in change.put if s.id is not None],
                "restore": list(change.removed),
                "unrelate": [r.id for r in change.linked if r.id is not None],
                "relink": list(change.unlinked),
                "reject": list(change.unrejected), "unreject": list(change.rejected),
                "dismiss": list(change.undismissed), "undismiss": list(change.dismissed)}
