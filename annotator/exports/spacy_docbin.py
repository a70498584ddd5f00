"""spaCy DocBin shards: a folder of ``.spacy`` files, one Doc per document and annotation set,
for ``spacy train`` (``--paths.train corpus/train``: spaCy reads every ``.spacy`` file of a folder).

    Doc("أعلن وزير الدفاع الفرنسي … وروسيا …")  tokens: أعلن | وزير | … | و | روسيا | …
      spans["sc"] = [(0, 4, 'cue'), (5, 40, 'actor'), …]   ents = outermost spans   user_data = {…}

Tokens are the token formats' (annotator/exports/tokens.py, ``--tokens whole`` or ``clitics``,
the same tokens as the CoNLL export; like ``spacy.blank("ar")`` they split punctuation, not
proclitics, DESIGN 5), with whatever lies between them (newlines, runs of spaces) as whitespace
tokens the way spaCy keeps it, and then split wherever a span starts or ends inside a token
(``وروسيا`` -> ``و`` + ``روسيا`` for an actor whose clitic was left out). So ``doc.text`` is the
document text exactly and every span goes in with ``Doc.char_span(start, end, label,
alignment_mode="strict")``, unchanged; each split token is reported (kind ``token-split``).
spaCy's own tokenizer is not used: it took more time than the whole CoNLL export, it refuses a
text over ``nlp.max_length``, and ``spacy train`` re-tokenizes each reference text with the
pipeline's tokenizer and aligns it by characters anyway. The DocBin keeps the token attributes
these Docs have (ORTH, ENT_IOB, ENT_TYPE; not the twelve by default, which tripled its memory),
and the export writes each entry from the Doc's layout (:mod:`annotator.exports.spacy_layout`,
linear in tokens plus spans) without building the Doc (:func:`add_layout`; ``make_doc`` builds
it, and the tests check that spaCy reads both back the same).

The folder holds ``shard-00001.spacy``, ``shard-00002.spacy``, ... of ``options.shard_docs`` Docs
each (250 by default; the last one fewer; an export of nothing writes one empty shard), in
export order, so memory stays flat whatever the size of the store: at most two shards are held
at once, the one being built and the one before it, compressed and written on a saver thread
meanwhile (about 40 MB above spaCy's own 110 MB at 250 news articles a shard).
Load them with ``spacy.training.Corpus("out")`` or ``DocBin().from_disk`` on each file. The
folder is written beside ``out`` and moved in place when complete; it replaces an earlier
export of this format (a folder of shards only), never another folder or a file.

* ``doc.spans["sc"]`` holds every span of the set (overlaps allowed), in span order.
* ``doc.ents`` holds the outermost spans: longest first, then leftmost; a span overlapping one
  already kept is left out of ``ents`` (it stays in ``spans["sc"]``); counted as ``not-in-ents``.
* ``doc.user_data`` (saved: ``DocBin(store_user_data=True)``) holds ``doc_id``, ``title``,
  ``annotator`` (the set's owner, None for a document without sets), ``status``, ``spans``
  (``{"start", "end", "label", "attributes", "note"}`` in ``spans["sc"]`` order) and
  ``relations`` (``{"type", "head", "tail"}``, head/tail indexes into ``spans["sc"]``).

spaCy is imported inside :func:`write` only: the app starts without it.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import tempfile
import uuid
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.core.collector import cycle_collector_paused
from annotator.core.errors import UserError
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    counting_documents,
)
from annotator.exports.spacy_layout import DocLayout, doc_layout

#: the token attributes the exported Docs carry (DocBin keeps SPACY, the whitespace, anyway)
DOCBIN_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")
#: the shards' names: shard-00001.spacy ... (spaCy sorts a folder's files by name)
SHARD = re.compile(r"shard-\d{5,}\.spacy")
INSTALL_HINT = "the spacy format needs spaCy: pip install 'spacy>=3.8,<4'"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return spacy


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the folder ``out`` of DocBin shards (see the module docstring): one Doc per
    (document, set), ``options.shard_docs`` Docs a shard."""
    _spacy()
    from spacy.tokens import DocBin

    out = Path(out)
    check_target(out)
    if options.shard_docs < 1:
        raise UserError("the spacy format needs at least one Doc a shard, not "
                        f"{options.shard_docs}")
    report = ExportReport(path=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        with _entry_points_read_once(), cycle_collector_paused(), \
                ThreadPoolExecutor(max_workers=1) as saver:
            pending: Future[None] | None = None
            shards = 0
            docbin, ids = _docbin(DocBin), StringIds()
            for document, aset in counting_documents(items, report):
                add_layout(docbin, doc_layout(document, aset, report, tokens=options.tokens), ids)
                report.items += 1
                if aset is not None:
                    report.spans += len(aset.spans)
                    report.relations += len(aset.relations)
                if len(docbin) == options.shard_docs:
                    shards += 1
                    pending = _save(saver, pending, close_shard(docbin, ids),
                                    tmp / shard_name(shards))
                    docbin, ids = _docbin(DocBin), StringIds()
            if len(docbin) or not shards:
                shards += 1
                pending = _save(saver, pending, close_shard(docbin, ids), tmp / shard_name(shards))
            if pending is not None:
                pending.result()
        os.chmod(tmp, default_mode(folder=True))  # mkdtemp makes it private; an export is not
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def shard_name(number: int) -> str:
    return f"shard-{number:05d}.spacy"


def _save(saver: ThreadPoolExecutor, pending: Future[None] | None, docbin: Any, path: Path
          ) -> Future[None]:
    """Serialize and write ``docbin`` on the saver thread (zlib compresses without the GIL),
    after the shard before it is written: at most two shards are held at any time."""
    if pending is not None:
        pending.result()
    return saver.submit(lambda: _write_bytes(path, shard_bytes(docbin)))


#: zlib's level for the shards: 1 compresses a shard in a third of the time of the level 6 of
#: DocBin.to_bytes (0.09 s against 0.26 s for 1,000 documents), for a file 9% larger
SHARD_COMPRESSION = 1


def shard_bytes(docbin: Any) -> bytes:
    """``docbin.to_bytes()`` (spacy/tokens/_serialize.py: the same message, packed the same
    way), compressed at :data:`SHARD_COMPRESSION`. DocBin.from_bytes decompresses any level;
    the tests check the message is byte for byte spaCy's."""
    import numpy
    import srsly

    lengths = [len(tokens) for tokens in docbin.tokens]
    tokens = numpy.vstack(docbin.tokens) if docbin.tokens else numpy.asarray([])
    spaces = numpy.vstack(docbin.spaces) if docbin.spaces else numpy.asarray([])
    msg = {
        "version": docbin.version,
        "attrs": docbin.attrs,
        "tokens": tokens.tobytes("C"),
        "spaces": spaces.tobytes("C"),
        "lengths": numpy.asarray(lengths, dtype="int32").tobytes("C"),
        "strings": sorted(docbin.strings),
        "cats": docbin.cats,
        "flags": docbin.flags,
        "span_groups": docbin.span_groups,
    }
    if docbin.store_user_data:
        msg["user_data"] = docbin.user_data
    return zlib.compress(srsly.msgpack_dumps(msg), SHARD_COMPRESSION)


def check_target(out: Path) -> None:
    """Refuse an ``out`` that is a file, or a folder holding anything but shards of this format."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: the spacy format writes a folder of .spacy shards; this is "
                        "a file (choose another name, or remove it)")
    if any(not SHARD.fullmatch(p.name) for p in out.iterdir()):
        raise UserError(f"--out {out}: the folder holds other files than the shards of a spacy "
                        "export; choose a new or empty folder")


def _swap_in(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


class StringIds(dict[str, int]):
    """spaCy's id of each string, computed once per string: what its StringStore gives (the
    hash, or the symbol's number for a string such as ``LOC`` or ``NOUN``)."""

    def __init__(self) -> None:
        super().__init__()
        from spacy.strings import get_string_id

        self._hash = get_string_id

    def __missing__(self, key: str) -> int:
        value: int = self._hash(key)
        self[key] = value
        return value


#: spaCy's IOB codes (spacy/tokens/token.pyx: 0 missing, 1 I, 2 O, 3 B)
_IOB_I, _IOB_O, _IOB_B = 1, 2, 3


def add_layout(docbin: Any, layout: DocLayout, ids: StringIds) -> None:
    """Add to ``docbin`` (attributes :data:`DOCBIN_ATTRS`, user data stored) the entry
    ``docbin.add(layout_doc(nlp, layout))`` would add, without building the Doc: the token
    array (ORTH, ENT_IOB, ENT_TYPE), the spaces, the flags, the span groups as
    ``SpanGroups.to_bytes`` writes them and the user data. The strings to read them back are
    the keys of ``ids`` (every word and label met; see :func:`close_shard`). Building Docs (a
    lexeme lookup per token, entities, span objects) and reading nine strings off every token
    was most of the export's time; the tests check that spaCy reads the entries back exactly
    as it reads its own."""
    import numpy
    import srsly

    words, n = layout.words, len(layout.words)
    array = numpy.zeros((n, 3), dtype=numpy.uint64)
    array[:, 0] = numpy.fromiter(map(ids.__getitem__, words), dtype=numpy.uint64, count=n)
    array[:, 1] = _IOB_O
    if layout.ents:
        firsts: list[int] = []
        inside: list[int] = []
        types: list[int] = []
        for i in layout.ents:
            first, end, label, _, _ = layout.spans[i]
            firsts.append(first)
            inside.extend(range(first, end))
            types.extend([ids[label]] * (end - first))
        array[inside, 1] = _IOB_I
        array[firsts, 1] = _IOB_B
        array[inside, 2] = types
    docbin.tokens.append(array)
    docbin.spaces.append(numpy.asarray(layout.spaces, dtype=bool).reshape((n, 1)))
    docbin.flags.append({"has_unknown_spaces": False})
    docbin.cats.append({})
    group = srsly.msgpack_dumps({"name": "sc", "attrs": {}, "spans": [
        _SPAN.pack(0, 0, ids[label], first, end, start_char, end_char)
        for first, end, label, start_char, end_char in layout.spans]})
    docbin.span_groups.append(srsly.msgpack_dumps({group: ["sc"]}))
    docbin.user_data.append(srsly.msgpack_dumps(layout.user_data))


def close_shard(docbin: Any, ids: StringIds) -> Any:
    """``docbin`` with its strings: every string :func:`add_layout` took an id of for it, and
    the empty string (what ``DocBin.add`` would have collected token by token)."""
    docbin.strings.update(ids)
    docbin.strings.add("")
    return docbin


#: a span as spacy/tokens/span_group.pyx packs it: id, kb_id, label, start, end, start_char,
#: end_char (big-endian)
_SPAN = struct.Struct(">QQQllll")


def _docbin(DocBin: Any) -> Any:
    """A new DocBin for :func:`add_layout`; refuses a spaCy whose DocBin keeps other fields."""
    docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    fields = ("tokens", "spaces", "flags", "cats", "user_data", "span_groups", "strings")
    if not all(isinstance(getattr(docbin, name, None), (list, set)) for name in fields):
        raise UserError("this version of spaCy keeps its DocBin otherwise; the spacy format "
                        "needs 'spacy>=3.8,<4'")
    return docbin


@contextmanager
def _entry_points_read_once() -> Iterator[None]:
    """srsly builds a msgpack Packer for every Doc's user data and span groups (three a Doc),
    and each one looks its encoders up again: it scans the installed packages' entry points and
    copies spaCy's whole registry, 2.8 s of a 3.5 s export of 1,000 documents. The encoders do
    not change during an export, so they are looked up once for it."""
    try:
        from srsly import msgpack
    except ImportError:  # pragma: no cover - spaCy depends on srsly
        yield
        return
    registries = [msgpack.msgpack_encoders, msgpack.msgpack_decoders]
    for registry in registries:
        found = registry.get_all()
        registry.get_all = lambda found=found: found   # shadows the method for the export
    try:
        yield
    finally:
        for registry in registries:
            vars(registry).pop("get_all", None)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, default_mode())  # mkstemp makes it private; an export is an ordinary file
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


FORMAT = Format(name="spacy", description="spaCy DocBin shards (a folder of .spacy files): "
                "spans['sc'] and non-overlapping ents", suffix="", write=write, unit="doc",
                check_target=check_target)
