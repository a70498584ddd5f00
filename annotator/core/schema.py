"""The label schema: labels, colors, keys, snapping rules, relation types and attributes.

Loaded from TOML (``seeds/schema.toml`` by default) and validated with errors that name the field.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from annotator.core.errors import ValidationError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*$")
#: Colors given to labels added on import (cycled), distinct from the default schema's four.
EXTRA_COLORS = ("#8e24aa", "#00897b", "#f4511e", "#3949ab", "#c0ca33", "#6d4c41", "#d81b60",
                "#00acc1", "#7cb342", "#5e35b1", "#fb8c00", "#546e7a")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: What a label's span does with leading clitics when a selection snaps (annotator.core.snap):
#: ``strip`` leaves out و ف ب ل ك and their combinations, ``conj`` only the conjunctions و ف,
#: ``keep`` keeps the words as written.
CLITIC_RULES = ("strip", "conj", "keep")


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    ar: str
    en: str
    color: str
    keys: tuple[str, ...]
    clitics: str
    description: str = ""
    hidden: bool = False    # not offered for new spans (palette, keys); still valid on old ones

    @property
    def strips_clitics(self) -> bool:
        return self.clitics == "strip"

    @property
    def clitic_rule(self) -> str:
        """One of :data:`CLITIC_RULES`."""
        return self.clitics


@dataclass(frozen=True, slots=True)
class RelationType:
    name: str
    ar: str
    en: str
    head: str
    tail: str
    key: str


@dataclass(frozen=True, slots=True)
class Attribute:
    label: str
    name: str
    ar: str
    en: str
    values: tuple[str, ...]
    values_ar: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    version: int
    labels: tuple[Label, ...]
    relations: tuple[RelationType, ...]
    attributes: tuple[Attribute, ...]
    source_text: str
    # the labels by name (a list asks for a span's label on every paint of every row; a tag
    # set may have fifty)
    _by_name: Mapping[str, Label] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {label.name: label for label in self.labels})

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source_text.encode("utf-8")).hexdigest()

    def label(self, name: str) -> Label:
        return self._by_name[name]

    def has_label(self, name: str) -> bool:
        return name in self._by_name

    def relation(self, name: str) -> RelationType:
        for rel in self.relations:
            if rel.name == name:
                return rel
        raise KeyError(name)

    def has_relation(self, name: str) -> bool:
        return any(rel.name == name for rel in self.relations)

    def attributes_of(self, label: str) -> tuple[Attribute, ...]:
        return tuple(a for a in self.attributes if a.label == label)

    @property
    def offered_labels(self) -> tuple[Label, ...]:
        """The labels offered for new spans: all but the hidden ones."""
        return tuple(label for label in self.labels if not label.hidden)

    def label_for_key(self, key: str) -> Label | None:
        """The label a key gives (hidden labels are not given by any key)."""
        for label in self.offered_labels:
            if key in label.keys:
                return label
        return None

    def check_attributes(self, label: str, attributes: Mapping[str, Any]) -> str | None:
        """Return a message when ``attributes`` do not fit ``label``'s attributes, else None."""
        known = {a.name: a for a in self.attributes_of(label)}
        for key, value in attributes.items():
            attr = known.get(key)
            if attr is None:
                return f"label {label!r} has no attribute {key!r}"
            if value not in attr.values:
                return f"attribute {key!r} of {label!r} must be one of {list(attr.values)}, not {value!r}"
        return None


def with_labels(schema: Schema, names: list[str]) -> Schema:
    """The schema with the labels ``names`` added (no keys, clitics kept, colors from
    EXTRA_COLORS) as its next version: how an import brings in a corpus's own labels."""
    new = [name for name in dict.fromkeys(names) if not schema.has_label(name)]
    if not new:
        return schema
    lines = [schema.source_text.rstrip("\n"), ""]
    for n, name in enumerate(new, start=len(schema.labels)):
        lines += ["[[labels]]", f"name = {name!r}".replace("'", '"'), f'ar = "{name}"',
                  f'en = "{name}"', f'color = "{EXTRA_COLORS[n % len(EXTRA_COLORS)]}"',
                  'clitics = "keep"', "added_on_import = true", ""]
    text = "\n".join(lines)
    text = re.sub(r"(?m)^version = \d+$", f"version = {schema.version + 1}", text, count=1)
    return parse_schema(text, path="<schema with imported labels>")


def load_schema(path: Path) -> Schema:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read schema: {exc}", path=str(path)) from exc
    return parse_schema(text, path=str(path))


def parse_schema(text: str, *, path: str = "<schema>") -> Schema:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"not valid TOML: {exc}", path=path) from exc
    check = _Checker(path)
    name = check.string(data, "name")
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise ValidationError("must be a positive integer", path=path, field="version")
    labels = tuple(check.label(item, i) for i, item in enumerate(check.table_list(data, "labels")))
    if not labels:
        raise ValidationError("at least one label is needed", path=path, field="labels")
    check.unique([lb.name for lb in labels], "labels", "name")
    check.unique([k for lb in labels for k in lb.keys], "labels", "keys")
    label_names = {lb.name for lb in labels}
    relations = tuple(
        check.relation(item, i, label_names)
        for i, item in enumerate(check.table_list(data, "relations", required=False))
    )
    check.unique([r.name for r in relations], "relations", "name")
    attributes = tuple(
        check.attribute(item, i, label_names)
        for i, item in enumerate(check.table_list(data, "attributes", required=False))
    )
    check.unique([f"{a.label}.{a.name}" for a in attributes], "attributes", "name")
    return Schema(name=name, version=version, labels=labels, relations=relations,
                  attributes=attributes, source_text=text)


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str, field: str) -> ValidationError:
        return ValidationError(message, path=self.path, field=field)

    def string(self, data: Mapping[str, Any], key: str, where: str = "", *, default: str | None = None) -> str:
        field = f"{where}{key}"
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail("must be a non-empty string", field)
        return value

    def strings(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.fail("must be a non-empty list of strings", f"{where}{key}")
        return tuple(value)

    def table_list(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> list[dict[str, Any]]:
        value = data.get(key, None if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"must be a list of tables ([[{key}]])", key)
        return value

    def name(self, data: Mapping[str, Any], where: str) -> str:
        value = self.string(data, "name", where)
        if not _NAME.match(value):
            raise self.fail("must be ASCII letters, digits, _ . and inner hyphens, starting with a "
                            "letter", f"{where}name")
        return value

    def label(self, item: Mapping[str, Any], i: int) -> Label:
        where = f"labels[{i}]."
        color = self.string(item, "color", where)
        if not _COLOR.match(color):
            raise self.fail(f"must be a color like #4285f4, not {color!r}", f"{where}color")
        keys = self.strings(item, "keys", where) if item.get("keys") else ()
        for key in keys:
            if len(key) != 1:
                raise self.fail(f"each key must be one character, not {key!r}", f"{where}keys")
        clitics = self.string(item, "clitics", where, default="keep")
        if clitics not in CLITIC_RULES:
            raise self.fail(f"must be one of {list(CLITIC_RULES)}, not {clitics!r}", f"{where}clitics")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise self.fail("must be a string", f"{where}description")
        hidden = item.get("hidden", False)
        if not isinstance(hidden, bool):
            raise self.fail("must be true or false", f"{where}hidden")
        return Label(name=self.name(item, where), ar=self.string(item, "ar", where),
                     en=self.string(item, "en", where), color=color.lower(), keys=keys,
                     clitics=clitics, description=description, hidden=hidden)

    def relation(self, item: Mapping[str, Any], i: int, labels: set[str]) -> RelationType:
        where = f"relations[{i}]."
        head, tail = self.string(item, "head", where), self.string(item, "tail", where)
        for end, value in (("head", head), ("tail", tail)):
            if value not in labels:
                raise self.fail(f"unknown label {value!r}", f"{where}{end}")
        key = self.string(item, "key", where)
        if len(key) != 1:
            raise self.fail(f"must be one character, not {key!r}", f"{where}key")
        return RelationType(name=self.name(item, where), ar=self.string(item, "ar", where),
                            en=self.string(item, "en", where), head=head, tail=tail, key=key)

    def attribute(self, item: Mapping[str, Any], i: int, labels: set[str]) -> Attribute:
        where = f"attributes[{i}]."
        label = self.string(item, "label", where)
        if label not in labels:
            raise self.fail(f"unknown label {label!r}", f"{where}label")
        values = self.strings(item, "values", where)
        values_ar = self.strings(item, "values_ar", where) if "values_ar" in item else values
        keys = self.strings(item, "keys", where) if "keys" in item else ()
        for extra, name in ((values_ar, "values_ar"), (keys, "keys")):
            if extra and len(extra) != len(values):
                raise self.fail(f"needs one entry per value ({len(values)})", f"{where}{name}")
        return Attribute(label=label, name=self.name(item, where), ar=self.string(item, "ar", where),
                         en=self.string(item, "en", where), values=values, values_ar=values_ar,
                         keys=keys)

    def unique(self, values: list[str], table: str, field: str) -> None:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise self.fail(f"{value!r} appears twice", f"{table}.{field}")
            seen.add(value)
