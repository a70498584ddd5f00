"""Which command a key press in the article means: plain Python, so it is tested without Qt.

Label, relation and attribute keys come from the schema. They work whatever keyboard layout is on:
a letter typed with the Arabic (101) layout counts as the Latin letter on the same key (ض is q),
and Arabic-Indic digits count as digits. Edge keys follow the page: in right-to-left text the
start of a span is its right edge, so Alt+Right grows the span at its start, Alt+Left at its end;
with Shift they shrink it from that side; with Ctrl they move by one character instead of a word.

Suggestions (annotation mode): Tab / Shift+Tab next / previous suggestion, Enter accepts it,
``x`` rejects it (unless the schema gives x to a label, relation or attribute), Shift+Enter
accepts every suggestion offered. Review mode has its own Tab, Enter and x, and no suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.schema import Schema

# Arabic (101) keyboard: the Arabic letter on each Latin letter's key.
ARABIC_LAYOUT = dict(zip("ضصثقفغعهخحشسيبلاتنمئءؤرىة",
                         "qwertyuiopasdfghjklzxcvnm"))
ARABIC_LAYOUT.update({d: str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")})
ARABIC_LAYOUT.update({d: str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")})


#: The commands of the suggestion keys (annotation mode only).
SUGGESTION_COMMANDS = frozenset({"suggestion", "accept_suggestion", "reject_suggestion",
                                 "accept_all_suggestions"})


@dataclass(frozen=True, slots=True)
class Command:
    name: str                      # label, relation, attribute, delete, cancel, resize, ...
    args: tuple[object, ...] = ()


#: a window's commands carried out by one view-model method each: command name -> (the
#: method's name, whether the command's first argument, a whole number, goes to it)
CommandTable = dict[str, tuple[str, bool]]


def carry_out(vm: object, command: Command, table: CommandTable) -> bool:
    """Carry out ``command`` by the view-model method ``table`` names for it; False when the
    table has none."""
    found = table.get(command.name)
    if found is None:
        return False
    method, with_number = found
    arguments = (int(command.args[0]),) if with_number else ()  # type: ignore[call-overload]
    getattr(vm, method)(*arguments)
    return True


def latin_key(text: str) -> str:
    """The Latin key a typed character stands for (ض -> q, ٢ -> 2), else the character."""
    if len(text) != 1:
        return text
    return ARABIC_LAYOUT.get(text, text).lower()


def command_for_key(schema: Schema, *, text: str, key: str, alt: bool = False, ctrl: bool = False,
                    shift: bool = False, selected_label: str | None = None) -> Command | None:
    """``key`` is the key's name (Right, Left, Delete, Backspace, Escape) or "" for a character key;
    ``text`` is the character it typed."""
    if key in ("Right", "Left") and alt:
        grow = not shift
        edge = "start" if key == "Right" else "end"
        return Command("resize", (edge, grow, not ctrl))
    if key in ("Delete", "Backspace") and not (alt or ctrl):
        return Command("delete")
    if key == "Escape":
        return Command("cancel")
    if key in ("Tab", "Backtab") and not (alt or ctrl):
        return Command("suggestion", (-1 if key == "Backtab" or shift else 1,))
    if key in ("Return", "Enter") and not (alt or ctrl):
        return Command("accept_all_suggestions" if shift else "accept_suggestion")
    if alt or ctrl or not text:
        return None
    letter = latin_key(text)
    label = schema.label_for_key(letter)
    if label is not None:
        return Command("label", (label.name,))
    for relation in schema.relations:
        if relation.key == letter:
            return Command("relation", (relation.name,))
    if selected_label is not None:
        for attribute in schema.attributes_of(selected_label):
            if letter in attribute.keys:
                return Command("attribute", (attribute.name, attribute.values[attribute.keys.index(letter)]))
    if letter == "x" and not any("x" in a.keys for a in schema.attributes):
        return Command("reject_suggestion")
    return None


def review_command_for_key(schema: Schema, *, text: str, key: str, alt: bool = False,
                           ctrl: bool = False, shift: bool = False,
                           selected_label: str | None = None) -> Command | None:
    """Review mode: Tab / Shift+Tab next / previous disagreement, Enter accept (and move on),
    Shift+Enter accept and select the gold span (staying on it, to fix it), x reject, 1-9 take
    that annotator's version of the region, u accept every unanimous candidate; the other keys
    as in annotation (letters label and relabel gold spans; digits are versions)."""
    if key in ("Tab", "Backtab") and not (alt or ctrl):
        return Command("next", (-1 if key == "Backtab" or shift else 1,))
    if key in ("Return", "Enter") and not (alt or ctrl):
        return Command("accept_to_fix" if shift else "accept")
    if text and not (alt or ctrl):
        letter = latin_key(text)
        if letter.isdigit():
            return Command("version", (int(letter),)) if letter != "0" else None
        if letter == "x":
            return Command("reject")
        if letter == "u":
            return Command("unanimous")
    command = command_for_key(schema, text=text, key=key, alt=alt, ctrl=ctrl, shift=shift,
                              selected_label=selected_label)
    return None if command is not None and command.name in SUGGESTION_COMMANDS else command
