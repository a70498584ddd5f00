"""Mapping a corpus's own tags onto the project's labels (``import --map``).

    PERS=actor,ORG=actor,LOC=location,GPE=location        on the command line, or a file:

    # ANERcorp -> news-quotes
    PERS = actor
    ORG  = actor
    LOC  = location
    MISC =                # an empty target drops the tag (as any tag not named does)

A span whose label is mapped gets the target label; a span whose label is already one of the
project's labels is kept as it is; every other span is dropped and counted by label. Spans that
become the same span (same offsets, same target) are merged, and relations to a dropped span are
dropped with it. Nothing here knows about files or stores: records are native-JSONL-shaped dicts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import ValidationError

_PAIR = re.compile(r"^\s*([^=\s]+)\s*=\s*([^=\s]*)\s*$")
#: how many label names a message lists before "and N more"
NAMES_SHOWN = 5


def name_list(names: Iterable[str], *, limit: int = NAMES_SHOWN,
              counts: Mapping[str, int] | None = None) -> str:
    """``'PERS (12), LOC (3), ... and 41 more'``: at most ``limit`` names, with their counts."""
    items = list(names)
    shown = [f"{n} ({counts[n]:,})" if counts is not None and n in counts else n
             for n in items[:limit]]
    more = len(items) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True, slots=True)
class LabelMap:
    """source tag -> project label ("" drops the tag)."""

    pairs: Mapping[str, str]

    def target(self, label: str, known: frozenset[str]) -> str | None:
        """The label a span of ``label`` gets, or None when it is dropped."""
        if label in self.pairs:
            return self.pairs[label] or None
        return label if label in known else None


def parse_map(spec: str, *, source: str = "--map") -> LabelMap:
    """``PERS=actor,ORG=actor`` (commas or newlines between pairs; ``#`` starts a comment).

    Raises ValidationError naming ``source`` and, for a file, the line."""
    pairs: dict[str, str] = {}
    is_file = source != "--map"
    chunks = spec.split("\n") if is_file else spec.split(",")
    for number, chunk in enumerate(chunks, start=1):
        body = chunk.split("#", 1)[0]
        if not body.strip():
            continue
        match = _PAIR.match(body)
        where = {"path": source, "line": number} if is_file else {"path": source}
        if match is None:
            raise ValidationError(f"expected TAG=LABEL (like PERS=actor), not {body.strip()!r}",
                                  **where)
        tag, label = match.groups()
        if tag in pairs and pairs[tag] != label:
            raise ValidationError(f"{tag} is mapped twice ({pairs[tag] or 'dropped'} and "
                                  f"{label or 'dropped'})", **where)
        pairs[tag] = label
    if not pairs:
        raise ValidationError("no TAG=LABEL pair", path=source)
    return LabelMap(pairs)


def check_targets(mapping: LabelMap, known: Iterable[str], *, source: str = "--map") -> None:
    """Every target must be a project label; one error lists the unknown ones."""
    labels = list(known)
    unknown = sorted({t for t in mapping.pairs.values() if t and t not in labels})
    if unknown:
        raise ValidationError(f"{name_list(unknown)}: not a label of the project (its labels: "
                              f"{name_list(labels)}); map onto those, or import with "
                              "--add-labels without --map", path=source)


@dataclass
class MapResult:
    """What applying a map did, over every record of a file."""

    mapped: Counter[str] = field(default_factory=Counter)     # source tag -> spans relabeled
    dropped: Counter[str] = field(default_factory=Counter)    # source tag -> spans dropped
    merged: int = 0                 # spans that became a duplicate of another and were merged
    relations_dropped: int = 0


def apply_map(record: dict[str, Any], mapping: LabelMap, known: frozenset[str],
              result: MapResult) -> dict[str, Any]:
    """The record with its spans relabeled (see the module docstring); ``result`` counts."""
    spans = record.get("spans")
    if not isinstance(spans, list) or not spans:
        return record
    kept: list[Any] = []
    survivor: dict[str, str] = {}      # span id -> id of the span that now stands for it
    by_key: dict[tuple[Any, Any, str], str] = {}
    for i, span in enumerate(spans):
        if not isinstance(span, dict) or not isinstance(span.get("label"), str):
            kept.append(span)          # malformed: validation will name it
            continue
        label = span["label"]
        target = mapping.target(label, known)
        if target is None:
            result.dropped[label] += 1
            continue
        if target != label:
            result.mapped[label] += 1
        key = (span.get("start"), span.get("end"), target)
        ident = str(span.get("id", f"#{i}"))
        if key in by_key:
            result.merged += 1
            survivor[ident] = by_key[key]
            continue
        new = dict(span, label=target)
        new.setdefault("id", ident)
        by_key[key] = ident
        survivor[ident] = ident
        kept.append(new)
    relations = record.get("relations") or []
    new_relations: list[Any] = []
    seen: set[tuple[Any, str, str]] = set()
    if isinstance(relations, list):
        for relation in relations:
            if not isinstance(relation, dict):
                new_relations.append(relation)
                continue
            head, tail = str(relation.get("head")), str(relation.get("tail"))
            if head not in survivor or tail not in survivor:
                result.relations_dropped += 1
                continue
            key3 = (relation.get("type"), survivor[head], survivor[tail])
            if key3 in seen:
                result.merged += 1
                continue
            seen.add(key3)
            new_relations.append(dict(relation, head=survivor[head], tail=survivor[tail]))
    return dict(record, spans=kept, relations=new_relations)
