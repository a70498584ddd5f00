"""The project's labels (``annotator labels``): list them with their use, rename, hide, show and
remove them. Each change writes the schema's next version (annotator/core/schema_edit.py) in one
journaled transaction; a rename relabels the stored spans in the same transaction; a removal is
refused while spans use the label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from annotator.core.errors import UserError, ValidationError
from annotator.core.schema import Label, Schema
from annotator.core.schema_edit import remove_label as _remove
from annotator.core.schema_edit import rename_label as _rename
from annotator.core.schema_edit import set_hidden
from annotator.db.repositories import LabelCount
from annotator.db.store import Store, UnitOfWork
from annotator.services.project import project_schema


@dataclass(frozen=True, slots=True)
class LabelUse:
    name: str
    label: Label | None          # None: spans carry it but the schema has no such label
    spans: int
    sets: int
    documents: int


@dataclass(frozen=True, slots=True)
class LabelChange:
    schema: Schema
    spans: int                   # spans relabeled (rename)


def label_uses(store: Store) -> tuple[Schema, list[LabelUse]]:
    """The schema, and each of its labels (in schema order) with how many spans use it; then
    labels that spans carry and the schema does not have."""
    schema = project_schema(store)
    with store.unit_of_work() as uow:
        counts = {c.label: c for c in uow.bulk.label_counts()}
    uses = [LabelUse(lb.name, lb, *_numbers(counts.pop(lb.name, None))) for lb in schema.labels]
    uses += [LabelUse(name, None, c.spans, c.sets, c.documents) for name, c in counts.items()]
    return schema, uses


def _numbers(count: LabelCount | None) -> tuple[int, int, int]:
    if count is None:
        return 0, 0, 0
    return count.spans, count.sets, count.documents


def rename_label(store: Store, old: str, new: str, *, actor: str = "system") -> LabelChange:
    schema = project_schema(store)
    changed = _edited(lambda: _rename(schema, old, new))
    with store.unit_of_work(actor=actor) as uow:
        _save(uow, schema, changed)
        count = uow.bulk.relabel(old, new)
        uow.record("rename", "label", before={"label": old, "version": schema.version},
                   after={"label": new, "version": changed.version, "spans": count})
    return LabelChange(changed, count)


def hide_label(store: Store, name: str, *, hidden: bool = True,
               actor: str = "system") -> LabelChange:
    schema = project_schema(store)
    changed = _edited(lambda: set_hidden(schema, name, hidden))
    if changed is schema:
        raise UserError(f"label {name!r} is already {'hidden' if hidden else 'shown'}")
    with store.unit_of_work(actor=actor) as uow:
        _save(uow, schema, changed)
        uow.record("hide" if hidden else "show", "label", before={"version": schema.version},
                   after={"label": name, "version": changed.version})
    return LabelChange(changed, 0)


def remove_label(store: Store, name: str, *, actor: str = "system") -> LabelChange:
    schema = project_schema(store)
    changed = _edited(lambda: _remove(schema, name))
    with store.unit_of_work(actor=actor) as uow:
        use = next((c for c in uow.bulk.label_counts() if c.label == name), None)
        if use is not None:
            raise UserError(f"label {name!r} is used by {use.spans:,} span"
                            f"{'s' if use.spans != 1 else ''} in {use.sets:,} set"
                            f"{'s' if use.sets != 1 else ''} ({use.documents:,} document"
                            f"{'s' if use.documents != 1 else ''}); it cannot be removed while "
                            f"spans use it (annotator labels hide {name} stops offering it)")
        _save(uow, schema, changed)
        uow.record("remove", "label", before={"label": name, "version": schema.version},
                   after={"version": changed.version})
    return LabelChange(changed, 0)


def _edited(edit: Callable[[], Schema]) -> Schema:
    try:
        return edit()
    except ValidationError as exc:
        raise UserError(exc.detail) from None


def _save(uow: UnitOfWork, old: Schema, new: Schema) -> None:
    uow.schemas.add(name=new.name, version=new.version, sha256=new.sha256,
                    content=new.source_text)
