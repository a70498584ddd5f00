"""Opening a project: the store, its label schema (loaded from the seeds on first use), the seeds."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from annotator.config import schema_path, seeds_dir
from annotator.core.schema import Schema, load_schema, parse_schema
from annotator.db.store import Store


def open_project(url: str) -> Store:
    """Open (and on first use create and migrate) the store at ``url``, with its label schema."""
    store = Store.open(url)
    project_schema(store)
    return store


def project_schema(store: Store) -> Schema:
    """The store's label schema; a new store takes ``seeds/schema.toml`` and keeps a copy of it."""
    with store.unit_of_work(actor="system", write=False) as uow:
        latest = uow.schemas.latest()
    if latest is not None:
        return parse_schema(latest[1], path=f"{store.url} (label_schema v{latest[0]})")
    schema = load_schema(schema_path())
    try:
        with store.unit_of_work(actor="system") as uow:
            if uow.schemas.latest() is None:   # another process may have loaded it meanwhile
                uow.schemas.add(name=schema.name, version=schema.version, sha256=schema.sha256,
                                content=schema.source_text)
                uow.record("load", "label_schema", after={
                    "name": schema.name, "version": schema.version, "sha256": schema.sha256})
    except IntegrityError:   # PostgreSQL: two first opens at once, the unique sha256 decides
        pass
    return project_schema(store)


def seed_if_empty(store: Store, *, actor: str = "system") -> int:
    """Import the seed articles into a store that has no document yet; returns how many were added."""
    with store.unit_of_work(actor=actor, write=False) as uow:
        if uow.documents.count():
            return 0
    from annotator.services.importing import import_paths  # (not imported for a store in use)

    seeds = sorted(p for p in seeds_dir().glob("*.txt"))
    report = import_paths(store, seeds, actor=actor)
    return report.documents_added


def extend_schema(store: Store, labels: list[str], *, actor: str = "system") -> Schema:
    """Add ``labels`` the schema lacks as its next version (journaled); returns the schema."""
    from annotator.core.schema import with_labels

    current = project_schema(store)
    extended = with_labels(current, labels)
    if extended is current:
        return current
    with store.unit_of_work(actor=actor) as uow:
        uow.schemas.add(name=extended.name, version=extended.version, sha256=extended.sha256,
                        content=extended.source_text)
        uow.record("extend", "label_schema", before={"version": current.version},
                   after={"version": extended.version,
                          "added": [lb.name for lb in extended.labels
                                    if not current.has_label(lb.name)]})
    return extended
