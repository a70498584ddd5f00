"""Edits of the label schema (``annotator labels``): rename, hide, show, remove a label.

Each edit reads the schema's TOML into plain data, changes it, writes TOML again with the next
version number, and parses the result, so that every version the store keeps is a schema that
loads. Keys this module does not know (rules other parts of the project add to a label) are kept
as they are; comments of the original file are not (the new text starts with a line saying which
edit made it).

    >>> renamed = rename_label(schema, "location", "place")     # the next version
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from annotator.core.errors import ValidationError
from annotator.core.label_map import name_list
from annotator.core.schema import Schema, parse_schema

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def rename_label(schema: Schema, old: str, new: str) -> Schema:
    """``old`` becomes ``new`` everywhere: the label, relation ends and attributes."""
    _known(schema, old)
    if not _NAME.match(new):
        raise ValidationError(f"{new!r} is not a label name: ASCII letters, digits, _ . and "
                              "inner hyphens, starting with a letter")
    if schema.has_label(new):
        raise ValidationError(f"the schema already has a label {new!r}")
    data = _data(schema)
    for label in data["labels"]:
        if label.get("name") == old:
            label["name"] = new
    for relation in data.get("relations", []):
        for end in ("head", "tail"):
            if relation.get(end) == old:
                relation[end] = new
    for attribute in data.get("attributes", []):
        if attribute.get("label") == old:
            attribute["label"] = new
    return _next(schema, data, f"label {old} renamed {new}")


def set_hidden(schema: Schema, name: str, hidden: bool) -> Schema:
    """``name`` hidden (not offered for new spans, still valid for existing ones) or shown."""
    label = _known(schema, name)
    if label.hidden == hidden:
        return schema
    data = _data(schema)
    for item in data["labels"]:
        if item.get("name") == name:
            if hidden:
                item["hidden"] = True
            else:
                item.pop("hidden", None)
    return _next(schema, data, f"label {name} {'hidden' if hidden else 'shown'}")


def remove_label(schema: Schema, name: str) -> Schema:
    """The schema without ``name`` (and its attributes). Refused while a relation type links
    it, or when it is the last label; the caller checks that no span uses it."""
    return remove_labels(schema, [name])


def remove_labels(schema: Schema, names: Sequence[str]) -> Schema:
    """The schema without the labels ``names``, as one new version (see :func:`remove_label`)."""
    gone = set(names)
    for name in names:
        _known(schema, name)
        linked = [r.name for r in schema.relations if name in (r.head, r.tail)]
        if linked:
            raise ValidationError(f"label {name!r} is an end of the relation type(s) "
                                  f"{', '.join(linked)}; it cannot be removed (hide it instead)")
    if len(schema.labels) <= len(gone):
        raise ValidationError("a schema needs at least one label; "
                              f"{', '.join(names)} {'is' if len(gone) == 1 else 'are'} all it has")
    data = _data(schema)
    data["labels"] = [lb for lb in data["labels"] if lb.get("name") not in gone]
    if "attributes" in data:
        data["attributes"] = [a for a in data["attributes"] if a.get("label") not in gone]
        if not data["attributes"]:
            del data["attributes"]
    return _next(schema, data, f"label{'s' if len(gone) > 1 else ''} {', '.join(names)} removed")


def _known(schema: Schema, name: str) -> Any:
    try:
        return schema.label(name)
    except KeyError:
        raise ValidationError(f"no label {name!r} in the schema (labels: "
                              f"{name_list([lb.name for lb in schema.labels])})") from None


def _data(schema: Schema) -> dict[str, Any]:
    return tomllib.loads(schema.source_text)


def _next(schema: Schema, data: dict[str, Any], what: str) -> Schema:
    data["version"] = schema.version + 1
    text = f"# version {schema.version + 1}: {what} (annotator labels)\n" + dump_toml(data)
    return parse_schema(text, path=f"<schema v{schema.version + 1}>")


# -- a small TOML writer for the schema's shapes ------------------------------------------------


def dump_toml(data: dict[str, Any]) -> str:
    """TOML for ``data``: scalars and arrays of scalars first, then tables and arrays of tables
    (nested one level: what a schema holds). ``tomllib.loads(dump_toml(d)) == d``."""
    lines: list[str] = []
    _scalars(data, lines)
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]"]
            _scalars(value, lines)
            _tables(value, lines, prefix=f"{_key(key)}.")
        elif _is_table_list(value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"]
                _scalars(item, lines)
                _tables(item, lines, prefix=f"{_key(key)}.")
    return "\n".join(lines).lstrip("\n") + "\n"


def _tables(data: dict[str, Any], lines: list[str], *, prefix: str) -> None:
    for key, value in data.items():
        if isinstance(value, dict) or _is_table_list(value):
            raise ValueError(f"nested table {prefix}{key} is deeper than a schema has")


def _scalars(data: dict[str, Any], lines: list[str]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) or _is_table_list(value):
            continue
        lines.append(f"{_key(key)} = {_value(value)}")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ValueError(f"cannot write {type(value).__name__} values")
