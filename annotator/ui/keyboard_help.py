"""The keys of the window, as the help page (F1) shows them, in the interface language."""

from __future__ import annotations

import html

from annotator.ui.common import translate


def keyboard_help(review: bool) -> str:
    """The keys, as an HTML table (F1), in the interface language."""
    def table(title: str, rows: list[tuple[str, str]]) -> str:
        body = "".join(f"<tr><td dir='ltr'>{html.escape(keys)}</td><td>{html.escape(what)}</td>"
                       "</tr>" for keys, what in rows)
        return f"<h3>{html.escape(title)}</h3><table cellpadding=3>{body}</table>"

    def note(text: str) -> str:
        return f"<p>{html.escape(text)}</p>"

    annotation = table(translate("Help", "Keyboard"), [
        ("q a l c / 1 2 3 4",
         translate("Help", "label the selection, or relabel the selected span")),
        ("Shift + ← →", translate("Help", "select words (dragging and double-clicking too; "
                                          "snapped to whole words)")),
        ("", translate("Help", "a click on a span selects it (in the span list too: the label "
                               "and other keys then act on it)")),
        ("Delete", translate("Help", "remove the selected span")),
        ("Alt + → / ←",
         translate("Help", "grow the span by a word at its start (right) / end (left)")),
        ("Alt + Shift + → / ←", translate("Help", "shrink the span by a word from that side")),
        ("Ctrl + Alt + …", translate("Help", "the same by one character")),
        ("s / v",
         translate("Help", "with a quote selected: link it to its speaker / cue; then click")),
        ("d i p", translate("Help", "quote kind: direct / indirect / partial")),
        ("Esc", translate("Help", "cancel a relation, close search, deselect")),
        ("Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y", translate("Help", "undo, redo")),
        ("Ctrl+F, Enter",
         translate("Help", "search (hamza, harakat, ى/ي, ة/ه ignored), next hit")),
        ("Ctrl+Enter", translate("Help", "mark the document done and open the next one")),
        ("Ctrl + / Ctrl -", translate("Help", "zoom")),
        ("F6", translate("Help", "move between the article, the queue, the span list and the "
                                 "details")),
        ("Tab / Shift+Tab", translate("Help", "next / previous suggestion (dotted underline; "
                                              "the current one wavy)")),
        ("Enter",
         translate("Help", "accept the suggestion (with its relations to spans you have)")),
        ("x", translate("Help", "reject the suggestion (hidden for you, remembered)")),
        ("Shift+Enter",
         translate("Help", "accept every suggestion of the document (one undo step)")),
    ]) + note(translate("Help", "Letter keys work with the Arabic keyboard layout too "
                                "(ض = q …)."))
    if not review:
        return annotation
    decisions = table(translate("Help", "Review"), [
        ("Tab / Shift+Tab", translate("Help", "next / previous disagreement")),
        ("Enter", translate("Help", "accept the candidate into gold, on to the next one")),
        ("Shift+Enter", translate("Help", "accept it and select the gold span, to fix it with "
                                          "the keys below (Tab moves on)")),
        ("x", translate("Help", "reject it")),
        ("1 … 9", translate("Help", "take that annotator's version of the region")),
        ("u", translate("Help", "accept every unanimous candidate of the document")),
        ("Alt + ← →, q a l c, s / v", translate("Help", "fix a gold span's boundaries, label, "
                                                        "link (as in annotation)")),
        ("Ctrl+Enter", translate("Help", "mark the document reviewed, open the next one")),
        ("Ctrl+Z, Ctrl+Shift+Z", translate("Help", "undo, redo any decision")),
    ]) + note(translate("Help", "Underlines: solid = every annotator, dashed = a majority, "
                                "dotted = a minority."))
    return decisions + annotation
