"""Worker functions for the concurrency tests and benchmarks: each runs in its own process
(``multiprocessing`` spawn), opens the store by URL and reports what it saw as plain data."""

from __future__ import annotations

import os
import time
from typing import Any

DOC = "race"
TEXT = ("قال الوزير 😀 إن الاجتماع في موسكو كان مثمرا وأضاف المتحدث أن روسيا وفرنسا "
        "اتفقتا على تعزيز التعاون في سوريا والعراق ولبنان ومصر والأردن. ") * 3


def words() -> list[tuple[int, int]]:
    from annotator.core.arabic import tokenize

    return [(t.start, t.end) for t in tokenize(TEXT) if t.kind == "word"]


def _service(url: str, user: str) -> Any:
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema

    store = open_project(url)
    return store, AnnotationService(store, project_schema(store), annotator=user)


def _set_of(service: Any) -> tuple[int, int]:
    with service.store.unit_of_work(write=False) as uow:
        document = uow.documents.by_external_id(DOC)
    opened = service.open_document(document.id)
    return document.id, opened.set.id


def wait_until(moment: float) -> None:
    while time.time() < moment:
        time.sleep(0.001)


def add_same_spans(url: str, user: str, keys: list[tuple[int, int, str]], start_at: float
                   ) -> dict[str, Any]:
    """Add every key to ``user``'s set, all workers at once: count successes and refusals."""
    from annotator.core.errors import UserError

    store, service = _service(url, user)
    _, set_id = _set_of(service)
    wait_until(start_at)
    added, refused, errors = 0, 0, []
    for start, end, label in keys:
        try:
            service.add_span(set_id, start, end, label)
            added += 1
        except UserError as exc:
            if "already" in str(exc):
                refused += 1
            else:
                errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a test reports any other failure
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    return {"added": added, "refused": refused, "errors": errors, "pid": os.getpid()}


def relabel_or_delete(url: str, user: str, span_ids: list[int], versions: list[int],
                      action: str, start_at: float) -> dict[str, Any]:
    """Relabel (to location) or delete each span, naming the version both workers saw."""
    from annotator.core.errors import ConflictError, UserError

    store, service = _service(url, user)
    wait_until(start_at)
    done, conflicts, errors = 0, 0, []
    for span_id, version in zip(span_ids, versions):
        try:
            if action == "relabel":
                service.update_span(span_id, label="location", expected_version=version)
            else:
                service.delete_spans([span_id], versions={span_id: version})
            done += 1
        except ConflictError:
            conflicts += 1
        except UserError as exc:
            errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    return {"done": done, "conflicts": conflicts, "errors": errors}


def open_new_store(url: str, start_at: float) -> dict[str, Any]:
    """Open (create and migrate) a store at the same moment as the other workers."""
    wait_until(start_at)
    try:
        from annotator.db.engine import HEAD_REVISION, current_revision
        from annotator.services.project import open_project, project_schema

        store = open_project(url)
        schema = project_schema(store)
        revision = current_revision(store.engine)
        store.close()
        return {"ok": True, "revision": revision == HEAD_REVISION, "labels": len(schema.labels)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def import_file(url: str, path: str, actor: str, start_at: float) -> dict[str, Any]:
    """``annotator import PATH`` in-process, from this worker: exit code and stderr."""
    import contextlib
    import io

    from annotator.cli import main

    wait_until(start_at)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--db", url, "--user", actor, "import", "-q", path])
    return {"code": code, "err": err.getvalue(), "finished": time.time()}


def annotate_forever(url: str, user: str, seed: int) -> None:
    """Add spans one by one and print 'ACK id start end label' after each commit (until killed)."""
    import random
    import sys

    store, service = _service(url, user)
    _, set_id = _set_of(service)
    rng = random.Random(seed)
    spans = words()
    labels = ("actor", "location", "cue", "quote")
    print("READY", flush=True)
    while True:   # spans of one to four words: tens of thousands of keys, never exhausted
        first = rng.randrange(len(spans) - 4)
        start, end = spans[first][0], spans[first + rng.randrange(4)][1]
        label = rng.choice(labels)
        try:
            span = service.add_span(set_id, start, end, label)
        except Exception:  # noqa: BLE001 - already labeled: pick another
            continue
        sys.stdout.write(f"ACK {span.id} {start} {end} {label}\n")
        sys.stdout.flush()


if __name__ == "__main__":   # python -m tests.concurrency.workers URL USER SEED
    import sys

    annotate_forever(sys.argv[1], sys.argv[2], int(sys.argv[3]))
