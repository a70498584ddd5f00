"""The view-models without a display: over a real AnnotationService on SQLite (and PostgreSQL).

This module must not import PySide6 (test_view_models_load_no_qt checks it in a subprocess).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import annotator.ui.viewmodels
from annotator.core.model import SetStatus
from annotator.core.schema import Schema
from annotator.db.store import Store
from annotator.services.annotate import AnnotationService
from annotator.services.project import project_schema
from annotator.ui.viewmodels.annotation import AnnotationViewModel, Hit
from annotator.ui.viewmodels.keys import Command, command_for_key, latin_key
from annotator.ui.viewmodels.queue import QueueViewModel
from annotator.ui.viewmodels.timer import ActiveTimer
from tests.ui.helpers import (
    ACTOR,
    CUE,
    EMOJI_ID,
    EMOJI_TEXT,
    FRANCE,
    MOSCOW,
    QUOTE,
    RAW_ACTOR,
    RAW_QUOTE,
    SEED_ID,
    dump,
    import_documents,
)

VIEWMODELS = Path(annotator.ui.viewmodels.__file__).resolve().parent


class Clock:
    """A clock the test moves by hand (frozen unless told)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Env:
    def __init__(self, store: Store, tmp_path: Path) -> None:
        self.store = store
        self.docs = import_documents(store, tmp_path)
        self.schema: Schema = project_schema(store)
        self.service = AnnotationService(store, self.schema, annotator="mona")
        self.clock = Clock()
        self.vm = AnnotationViewModel(self.service, self.schema, clock=self.clock)
        self.messages: list[str] = []
        self.vm.message.connect(self.messages.append)

    def open(self, external_id: str) -> None:
        self.vm.open(self.docs[external_id])
        assert self.vm.document is not None and self.vm.set_id is not None

    def set_row(self) -> tuple[str, float]:
        (row,) = [r for r in dump(self.store)["annotation_set"] if r[0] == self.vm.set_id]
        return row[4], row[5]   # status, active_seconds

    def assert_mirrors_store(self) -> None:
        """What the view-model shows is what the store holds for the open set."""
        rows = dump(self.store)
        spans = sorted((r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows["span"]
                       if r[1] == self.vm.set_id)
        shown = sorted((s.id, s.start, s.end, s.label, dict(s.attributes), s.note)
                       for s in self.vm.spans.all())
        assert shown == spans
        for span in self.vm.spans.all():
            assert self.vm.text[span.start:span.end] == span.text
        relations = sorted((r[0], r[2], r[3], r[4]) for r in rows["relation"]
                           if r[1] == self.vm.set_id)
        assert sorted((r.id, r.type, r.head, r.tail) for r in self.vm.relations.values()) \
            == relations
        assert self.set_row()[0] == str(self.vm.status)


@pytest.fixture
def env(store: Store, tmp_path: Path) -> Env:
    return Env(store, tmp_path)


def test_offsets_of_the_emoji_document_are_right() -> None:
    assert EMOJI_TEXT[slice(*RAW_ACTOR)] == "والرئيس الروسي"
    assert EMOJI_TEXT[slice(*ACTOR)] == "الرئيس الروسي"
    assert EMOJI_TEXT[slice(*RAW_QUOTE)] == "“التعاون مع فرنسا ضروري جدا”"
    assert EMOJI_TEXT[slice(*QUOTE)] == "التعاون مع فرنسا ضروري جدا"
    assert EMOJI_TEXT[slice(*FRANCE)] == "فرنسا"
    assert EMOJI_TEXT[slice(*CUE)] == "قالَ"
    assert [EMOJI_TEXT[s:e] for s, e in MOSCOW] == ["موسكو"] * 3
    assert EMOJI_TEXT[MOSCOW[2][0] - 1] == "ب"
    # the emoji before the targets are outside the BMP: UTF-16 positions differ from code points
    assert len(EMOJI_TEXT[:ACTOR[0]].encode("utf-16-le")) // 2 == ACTOR[0] + 2


# -- every action, its undo and its redo give back exactly the stored state ---------------------------


class History:
    """The store dump at each point of the undo history."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.points = [dump(env.store)]

    def step(self) -> None:
        """An action that changes the store has just been done: one more history point."""
        now = dump(self.env.store)
        assert now != self.points[-1], "the action changed nothing in the store"
        self.points.append(now)
        assert self.env.vm.history.can_undo
        self.env.assert_mirrors_store()

    def unchanged(self) -> None:
        assert dump(self.env.store) == self.points[-1]


def _span(env: Env, start: int, end: int, label: str) -> Any:
    (span,) = [s for s in env.vm.spans.all() if (s.start, s.end, s.label) == (start, end, label)]
    return span


def test_each_action_undo_and_redo_restore_exactly_the_stored_state(env: Env) -> None:
    env.open(EMOJI_ID)
    vm = env.vm
    history = History(env)
    assert vm.status == SetStatus.TODO

    # label: a drag over والرئيس الروسي snaps to الرئيس الروسي for actor (the و is left out)
    actor = vm.label_selection(*RAW_ACTOR, "actor")
    assert (actor.start, actor.end, actor.text) == (*ACTOR, "الرئيس الروسي")
    assert vm.selected == actor.id and vm.status == SetStatus.IN_PROGRESS
    history.step()
    # the quotation marks are left out of a quote
    quote = vm.label_selection(*RAW_QUOTE, "quote")
    assert (quote.start, quote.end) == QUOTE
    history.step()
    # attribute keys: d sets kind=direct, d again clears it, i sets indirect
    vm.set_attribute("kind", "direct")
    assert vm.span(quote.id).attributes == {"kind": "direct"}
    history.step()
    vm.set_attribute("kind", "direct")
    assert vm.span(quote.id).attributes == {}
    history.step()
    vm.set_attribute("kind", "indirect")
    history.step()
    vm.set_note("مهم")
    assert vm.span(quote.id).note == "مهم"
    history.step()
    vm.set_note("مهم")   # the same note: no step
    history.unchanged()
    # a location nested in the quote, from a drag that starts and ends inside the word
    location = vm.label_selection(FRANCE[0] + 2, FRANCE[1] - 1, "location")
    assert (location.start, location.end, location.text) == (*FRANCE, "فرنسا")
    history.step()
    # relabel by key: location -> actor
    vm.press_label("actor", None)
    assert vm.span(location.id).label == "actor"
    history.step()
    # relabeling the quote to cue drops its kind; relabeling back does not bring it back ...
    vm.select_span(quote.id)
    vm.press_label("cue", None)
    assert (vm.span(quote.id).label, vm.span(quote.id).attributes) == ("cue", {})
    history.step()
    vm.press_label("quote", None)
    assert (vm.span(quote.id).label, vm.span(quote.id).attributes, vm.span(quote.id).note) \
        == ("quote", {}, "مهم")
    history.step()
    # ... but undo does (checked below, when the history is walked back)
    vm.set_attribute("kind", "direct")
    history.step()

    # resize the actor: grow the end by a word, shrink the start by a word, the end by a letter
    vm.select_span(actor.id)
    vm.resize_selected(edge="end", grow=True, by_word=True)
    assert vm.span(actor.id).text == "الرئيس الروسي فلاديمير"
    history.step()
    vm.resize_selected(edge="start", grow=False, by_word=True)
    assert (vm.span(actor.id).start, vm.span(actor.id).end) == (53, 68)
    assert vm.span(actor.id).text == "الروسي فلاديمير"
    history.step()
    vm.resize_selected(edge="end", grow=False, by_word=False)
    assert vm.span(actor.id).text == "الروسي فلاديمي"
    history.step()
    vm.resize_selected(edge="end", grow=True, by_word=False)
    assert vm.span(actor.id).text == "الروسي فلاديمير"
    history.step()
    # growing by a word takes the whole next word, clitic included (the annotator's own fix)
    vm.resize_selected(edge="start", grow=True, by_word=True)
    assert (vm.span(actor.id).start, vm.span(actor.id).end) == (45, 68)
    history.step()
    vm.resize_selected(edge="start", grow=False, by_word=False)
    assert vm.span(actor.id).text == "الرئيس الروسي فلاديمير"
    history.step()

    # relation said_by: start from the quote, complete with a click on the actor
    vm.select_span(quote.id)
    vm.start_relation("said_by")
    assert vm.pending_relation == "said_by"
    history.unchanged()
    vm.click(FRANCE[0] + 1)                # the nested actor فرنسا is an actor too ...
    (said_by,) = vm.relations.values()
    assert (said_by.type, said_by.head, said_by.tail) == ("said_by", quote.id, location.id)
    assert vm.pending_relation is None
    history.step()
    vm.undo()                              # ... not the one meant: undo, and click the other
    assert vm.relations == {}
    history.points.pop()
    assert dump(env.store) == history.points[-1]
    vm.start_relation("said_by")
    vm.click(ACTOR[0] + 3)
    (said_by,) = vm.relations.values()
    assert (said_by.head, said_by.tail) == (quote.id, actor.id)
    history.step()
    # Esc cancels a pending relation; a click on a span of the wrong label does not complete it
    vm.start_relation("cue")
    vm.click(ACTOR[0] + 3)
    assert vm.pending_relation == "cue" and env.messages[-1] == (
        "Click a span labeled Speech cue to complete Cue (Esc cancels)")
    vm.cancel()
    assert vm.pending_relation is None and vm.selected == quote.id
    history.unchanged()
    # a relation starts only from a quote
    vm.select_span(actor.id)
    vm.start_relation("said_by")
    assert vm.pending_relation is None and env.messages[-1] == (
        "Said by starts from a span labeled Quote; select one first")
    # cue: label قالَ, then link it from the quote by choosing it in the span list
    cue = vm.label_selection(*CUE, "cue")
    assert (cue.start, cue.end, cue.text) == (*CUE, "قالَ")
    history.step()
    vm.select_span(quote.id)
    vm.start_relation("cue")
    vm.pick(cue.id)
    assert sorted(r.type for r in vm.relations.values()) == ["cue", "said_by"]
    history.step()

    # search ignoring hamza and harakat; label every hit in one step
    hits = vm.search("الاجتماع")
    assert hits == [Hit(130, 138, "الاجتماع"), Hit(194, 202, "الإجتماع")]
    hits = vm.search("موسكو")
    assert [(h.start, h.end) for h in hits] == list(MOSCOW)
    assert vm.hit_index == 0 and vm.next_hit().start == MOSCOW[1][0]
    added = vm.label_all_hits("location")
    assert [(s.start, s.end, s.label) for s in added] == [(*m, "location") for m in MOSCOW]
    history.step()
    assert vm.label_all_hits("location") == []     # every hit is labeled already: no step
    history.unchanged()
    vm.clear_search()

    # delete a location, then the actor with its said_by relation
    vm.select_span(_span(env, *MOSCOW[1], "location").id)
    vm.delete_selected()
    assert len(vm.spans) == 6
    history.step()
    vm.select_span(actor.id)
    vm.delete_selected()
    assert [r.type for r in vm.relations.values()] == ["cue"] and vm.selected is None
    history.step()
    # done
    vm.mark_done()
    assert vm.status == SetStatus.DONE
    history.step()

    steps = len(history.points) - 1
    assert steps == 24
    # walk the whole history back, then forward again: the store is the same at each point
    for point in reversed(history.points[:-1]):
        vm.undo()
        assert dump(env.store) == point
        env.assert_mirrors_store()
    assert not vm.history.can_undo and vm.status == SetStatus.TODO
    assert env.set_row()[0] == "todo"
    vm.undo()
    assert env.messages[-1] == "Nothing to undo"
    for point in history.points[1:]:
        vm.redo()
        assert dump(env.store) == point
        env.assert_mirrors_store()
    assert not vm.history.can_redo
    # a new action after undos drops what was undone
    vm.undo()
    vm.undo()
    assert dump(env.store) == history.points[-3]
    vm.label_selection(*MOSCOW[1], "location")
    assert not vm.history.can_redo
    vm.undo()
    assert dump(env.store) == history.points[-3]


def test_undo_of_a_relabel_gives_back_the_attributes_it_dropped(env: Env) -> None:
    env.open(EMOJI_ID)
    vm = env.vm
    quote = vm.label_selection(*QUOTE, "quote")
    vm.set_attribute("kind", "partial")
    before = dump(env.store)
    vm.relabel_selected("cue")
    assert vm.span(quote.id).attributes == {}
    vm.undo()
    assert vm.span(quote.id).attributes == {"kind": "partial"}
    assert dump(env.store) == before


def test_choosing_an_attribute_in_the_details_sets_or_clears_it(env: Env) -> None:
    env.open(EMOJI_ID)
    vm = env.vm
    quote = vm.label_selection(*QUOTE, "quote")
    vm.choose_attribute("kind", "direct")
    vm.choose_attribute("kind", "direct")      # choosing it again keeps it (no toggle)
    assert vm.span(quote.id).attributes == {"kind": "direct"}
    vm.choose_attribute("kind", None)
    assert vm.span(quote.id).attributes == {}
    vm.undo()
    assert vm.span(quote.id).attributes == {"kind": "direct"}
    vm.undo()
    assert vm.span(quote.id).attributes == {}


def test_labeling_needs_a_selection_or_a_selected_span(env: Env) -> None:
    env.open(SEED_ID)
    before = dump(env.store)
    env.vm.press_label("actor", None)
    assert env.messages[-1] == "Select words first, or click a span"
    env.vm.press_label("actor", (0, 0))
    env.vm.label_selection(45, 47, "actor")    # "\n\n" only
    assert env.messages[-1] == "Empty selection: only spaces or punctuation"
    assert dump(env.store) == before and not env.vm.history.can_undo


def test_labeling_the_same_words_again_selects_the_span_and_adds_nothing(env: Env) -> None:
    env.open(EMOJI_ID)
    first = env.vm.label_selection(*RAW_ACTOR, "actor")
    env.vm.select_span(None)
    before = dump(env.store)
    again = env.vm.label_selection(*ACTOR, "actor")
    assert again == first and env.vm.selected == first.id
    assert dump(env.store) == before
    assert env.messages[-1] == "Already labeled Actor"


def test_describe_at_names_every_label_at_a_point_outermost_first(env: Env) -> None:
    env.open(EMOJI_ID)
    env.vm.label_selection(*QUOTE, "quote")
    env.vm.label_selection(*FRANCE, "location")
    assert env.vm.describe_at(FRANCE[0] + 1) == (
        "Quote: التعاون مع فرنسا ضروري جدا\nLocation: فرنسا")
    assert env.vm.describe_at(QUOTE[0]) == "Quote: التعاون مع فرنسا ضروري جدا"
    assert env.vm.describe_at(0) == ""


def test_reopening_shows_what_the_store_holds(env: Env) -> None:
    env.open(EMOJI_ID)
    quote = env.vm.label_selection(*QUOTE, "quote")
    env.vm.set_attribute("kind", "direct")
    actor = env.vm.label_selection(*ACTOR, "actor")
    env.vm.select_span(quote.id)
    env.vm.start_relation("said_by")
    env.vm.click(ACTOR[0])
    shown = (env.vm.spans.all(), dict(env.vm.relations), env.vm.status)
    other = AnnotationViewModel(AnnotationService(env.store, env.schema, annotator="mona"),
                                env.schema)
    other.open(env.docs[EMOJI_ID])
    assert (other.spans.all(), dict(other.relations), other.status) == shown
    assert actor.id in other.spans


# -- status, active time --------------------------------------------------------------------------


def test_mark_done_is_undoable_and_writes_the_status(env: Env) -> None:
    env.open(SEED_ID)
    before = dump(env.store)
    env.vm.mark_done()
    assert env.set_row()[0] == "done" and env.vm.status == SetStatus.DONE
    env.vm.mark_done()                       # done already: no second step
    env.vm.undo()
    assert dump(env.store) == before and env.vm.status == SetStatus.TODO
    env.vm.redo()
    assert env.set_row()[0] == "done"


def test_active_time_leaves_out_pauses_over_a_minute() -> None:
    timer = ActiveTimer()
    for now in (0.0, 10.0, 100.0, 130.0, 190.0, 250.5):
        timer.activity(now)
    # 10 + (90: a pause) + 30 + 60 (a minute counts) + (60.5: a pause)
    assert timer.take() == 100.0
    assert timer.take() == 0.0
    timer.activity(260.0)
    assert timer.take() == 9.5
    timer.reset()
    timer.activity(1000.0)
    assert timer.take() == 0.0


def test_flush_time_writes_the_active_seconds_to_the_store(env: Env) -> None:
    env.open(EMOJI_ID)
    vm = env.vm
    vm.label_selection(*ACTOR, "actor")      # t = 1000
    env.clock.now += 20
    vm.search("موسكو")                      # t = 1020: searching is activity too
    env.clock.now += 300                     # a pause: not counted
    vm.next_hit()
    env.clock.now += 15
    vm.click(ACTOR[0])
    assert env.set_row()[1] == 0.0           # nothing written before a flush
    assert vm.flush_time() == 35.0
    assert env.set_row()[1] == 35.0
    assert vm.flush_time() == 0.0
    env.clock.now += 5
    vm.mark_done()                           # marking done flushes first
    assert env.set_row() == ("done", 40.0)
    env.clock.now += 7
    vm.undo()
    vm.open(env.docs[SEED_ID])               # opening another document flushes the open one
    assert [r[5] for r in dump(env.store)["annotation_set"]
            if r[1] == env.docs[EMOJI_ID]] == [47.0]


# -- queue ----------------------------------------------------------------------------------------


@pytest.fixture
def queue(env: Env) -> QueueViewModel:
    model = QueueViewModel(env.service)
    model.refresh()
    return model


def test_queue_lists_every_document_with_status_and_span_count(env: Env,
                                                               queue: QueueViewModel) -> None:
    assert [(i.external_id, i.status, i.spans) for i in queue.items] == [
        (SEED_ID, SetStatus.TODO, 0), (EMOJI_ID, SetStatus.TODO, 0)]
    env.open(EMOJI_ID)
    env.vm.label_selection(*ACTOR, "actor")
    env.vm.label_selection(*QUOTE, "quote")
    queue.refresh()
    assert [(i.status, i.spans) for i in queue.items] == [
        (SetStatus.TODO, 0), (SetStatus.IN_PROGRESS, 2)]
    assert queue.progress() == (0, 2)


@pytest.mark.parametrize(("typed", "expected"), [
    ("", [SEED_ID, EMOJI_ID]),
    ("اكد الرئيس", [EMOJI_ID]),          # hamza and shadda ignored (أكّد)
    ("الرَّئيس", [EMOJI_ID]),              # harakat in the filter ignored
    ("تنظيم الدوله", [SEED_ID]),          # ة/ه
    ("  روسيا ", [SEED_ID]),
    ("EMOJI-0", [EMOJI_ID]),              # the external id, any case
    ("لا يوجد", []),
])
def test_queue_filter_ignores_hamza_harakat_and_spelling(queue: QueueViewModel, typed: str,
                                                         expected: list[str]) -> None:
    changes: list[None] = []
    queue.changed.connect(lambda: changes.append(None))
    queue.set_filter(text=typed)
    assert [i.external_id for i in queue.visible()] == expected
    assert changes == [None]


def test_queue_status_filter_progress_and_next(env: Env, queue: QueueViewModel) -> None:
    seed, emoji = env.docs[SEED_ID], env.docs[EMOJI_ID]
    assert queue.first_open() == seed
    assert queue.next_after(seed) == emoji and queue.next_after(emoji) == seed
    env.open(SEED_ID)
    env.vm.mark_done()
    queue.update(seed, status=env.vm.status, spans=0)
    assert queue.progress() == (1, 2)
    assert queue.first_open() == emoji
    assert queue.next_after(emoji) is None and queue.next_after(seed) == emoji
    queue.set_filter(status="done")
    assert [i.external_id for i in queue.visible()] == [SEED_ID]
    queue.set_filter(text="روسيا")            # the status filter stays
    assert [i.external_id for i in queue.visible()] == [SEED_ID]
    queue.set_filter(text="", status=None)
    assert len(queue.visible()) == 2
    queue.refresh()                          # the store agrees with the mirrored update
    assert [(i.status, i.spans) for i in queue.items] == [(SetStatus.DONE, 0), (SetStatus.TODO, 0)]
    # the done count follows every mirrored change (kept, not counted again each time)
    queue.update(seed, status=SetStatus.IN_PROGRESS)
    assert queue.progress() == (0, 2) and queue.item(seed).status == SetStatus.IN_PROGRESS
    queue.update(emoji, status=SetStatus.DONE, spans=3)
    queue.update(seed, status=SetStatus.DONE)
    assert queue.progress() == (2, 2) and queue.item(emoji).spans == 3
    queue.update(10**9, status=SetStatus.TODO)   # not in the queue: nothing happens
    assert queue.progress() == (2, 2) and queue.position(10**9) is None


# -- keys -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> Schema:
    from annotator.config import schema_path
    from annotator.core.schema import load_schema

    return load_schema(schema_path())


@pytest.mark.parametrize(("text", "key", "mods", "selected", "expected"), [
    ("q", "", "", None, Command("label", ("quote",))),
    ("1", "", "", None, Command("label", ("quote",))),
    ("ض", "", "", None, Command("label", ("quote",))),      # Arabic layout: ض is on q
    ("١", "", "", None, Command("label", ("quote",))),      # Arabic-Indic digit one
    ("ش", "", "", None, Command("label", ("actor",))),      # a
    ("A", "", "", None, Command("label", ("actor",))),      # Shift does not matter
    ("م", "", "", None, Command("label", ("location",))),   # l
    ("3", "", "", None, Command("label", ("location",))),
    ("ؤ", "", "", None, Command("label", ("cue",))),        # c
    ("۴", "", "", None, Command("label", ("cue",))),        # Eastern Arabic-Indic four
    ("s", "", "", "quote", Command("relation", ("said_by",))),
    ("س", "", "", "quote", Command("relation", ("said_by",))),
    ("v", "", "", "quote", Command("relation", ("cue",))),
    ("ر", "", "", None, Command("relation", ("cue",))),
    ("d", "", "", "quote", Command("attribute", ("kind", "direct"))),
    ("ي", "", "", "quote", Command("attribute", ("kind", "direct"))),
    ("i", "", "", "quote", Command("attribute", ("kind", "indirect"))),
    ("ه", "", "", "quote", Command("attribute", ("kind", "indirect"))),
    ("p", "", "", "quote", Command("attribute", ("kind", "partial"))),
    ("ح", "", "", "quote", Command("attribute", ("kind", "partial"))),
    ("d", "", "", "actor", None),               # actors have no kind
    ("d", "", "", None, None),
    ("x", "", "", "quote", Command("reject_suggestion")),   # issue 10: x rejects a suggestion
    ("q", "", "ctrl", None, None),              # Ctrl+Q is the window's, not a label
    ("q", "", "alt", None, None),
    ("", "Delete", "", "actor", Command("delete")),
    ("", "Backspace", "", "actor", Command("delete")),
    ("", "Delete", "ctrl", "actor", None),
    ("", "Escape", "", None, Command("cancel")),
    ("", "Right", "alt", "actor", Command("resize", ("start", True, True))),
    ("", "Left", "alt", "actor", Command("resize", ("end", True, True))),
    ("", "Right", "alt+shift", "actor", Command("resize", ("start", False, True))),
    ("", "Left", "alt+shift", "actor", Command("resize", ("end", False, True))),
    ("", "Right", "alt+ctrl", "actor", Command("resize", ("start", True, False))),
    ("", "Left", "alt+ctrl", "actor", Command("resize", ("end", True, False))),
    ("", "Right", "alt+shift+ctrl", "actor", Command("resize", ("start", False, False))),
    ("", "Left", "alt+shift+ctrl", "actor", Command("resize", ("end", False, False))),
    ("", "Right", "shift", None, None),         # Shift+arrows select text: Qt's own
    ("", "Left", "", None, None),
])
def test_command_for_key(schema: Schema, text: str, key: str, mods: str, selected: str | None,
                         expected: Command | None) -> None:
    flags = set(mods.split("+")) if mods else set()
    assert command_for_key(schema, text=text, key=key, alt="alt" in flags, ctrl="ctrl" in flags,
                           shift="shift" in flags, selected_label=selected) == expected


@pytest.mark.parametrize(("text", "key", "mods", "expected"), [
    ("", "Return", "", Command("accept")),
    ("", "Enter", "", Command("accept")),                  # the keypad's
    ("", "Return", "shift", Command("accept_to_fix")),
    ("", "Enter", "shift", Command("accept_to_fix")),
    ("", "Return", "ctrl", None),                          # the window's: mark reviewed
    ("", "Return", "alt", None),
    ("", "Tab", "", Command("next", (1,))),
    ("", "Backtab", "shift", Command("next", (-1,))),
    ("x", "", "", Command("reject")),
    ("ء", "", "", Command("reject")),                      # x on the Arabic layout
    ("2", "", "", Command("version", (2,))),
    ("٢", "", "", Command("version", (2,))),
    ("0", "", "", None),
    ("u", "", "", Command("unanimous")),
    ("q", "", "", Command("label", ("quote",))),
    ("", "Left", "alt+shift", Command("resize", ("end", False, True))),
])
def test_review_command_for_key(schema: Schema, text: str, key: str, mods: str,
                                expected: Command | None) -> None:
    from annotator.ui.viewmodels.keys import review_command_for_key

    flags = set(mods.split("+")) if mods else set()
    assert review_command_for_key(schema, text=text, key=key, alt="alt" in flags,
                                  ctrl="ctrl" in flags, shift="shift" in flags) == expected


def test_latin_key_maps_the_whole_arabic_row() -> None:
    assert "".join(latin_key(c) for c in "ضصثقفغعهخحشسيبلاتنمئءؤرىة") \
        == "qwertyuiopasdfghjklzxcvnm"
    assert latin_key("لا") == "لا"          # the two-letter key b types lam-alef: no command


# -- purity ----------------------------------------------------------------------------------------


def _viewmodel_modules() -> list[str]:
    return sorted(f"annotator.ui.viewmodels.{p.stem}" for p in VIEWMODELS.glob("*.py")
                  if p.stem != "__init__")


def test_view_models_load_no_qt() -> None:
    modules = _viewmodel_modules()
    assert "annotator.ui.viewmodels.annotation" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r} + ['tests.ui.helpers']:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    loaded = set(json.loads(out.stdout))
    assert set(modules) <= loaded
    leaked = sorted(m for m in loaded if m.partition(".")[0] in ("PySide6", "shiboken6"))
    assert not leaked, f"importing the view-models loaded {leaked}"


def test_this_test_module_imports_no_qt() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith(("PySide6", "shiboken6", "pytestqt"))]


@pytest.mark.parametrize("path", sorted(VIEWMODELS.glob("*.py")), ids=lambda p: p.name)
def test_view_models_hold_no_sql(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    bad = [n for n in names if n.startswith(("sqlalchemy", "annotator.db", "PySide6"))]
    assert not bad, f"{path.name} imports {bad}"


def test_the_windows_command_tables_name_view_model_methods() -> None:
    """Review's and suggestions' keys are carried out by the view-model method their table
    names (a misspelt name would fail only when its key is pressed)."""
    from annotator.ui.review_window import REVIEW_COMMANDS
    from annotator.ui.suggestion_window import SUGGESTION_COMMANDS
    from annotator.ui.viewmodels.annotation import AnnotationViewModel
    from annotator.ui.viewmodels.keys import Command, carry_out
    from annotator.ui.viewmodels.review import ReviewViewModel

    for table, vm_class in ((REVIEW_COMMANDS, ReviewViewModel),
                            (SUGGESTION_COMMANDS, AnnotationViewModel)):
        for name, (method, _) in table.items():
            assert callable(getattr(vm_class, method, None)), (name, method)

    class Called:
        def __init__(self) -> None:
            self.calls: list[tuple[str, tuple[object, ...]]] = []

        def __getattr__(self, method: str) -> object:
            return lambda *args: self.calls.append((method, args))

    vm = Called()
    assert carry_out(vm, Command("version", (2,)), REVIEW_COMMANDS)
    assert carry_out(vm, Command("accept"), REVIEW_COMMANDS)
    assert carry_out(vm, Command("accept_to_fix"), REVIEW_COMMANDS)
    assert not carry_out(vm, Command("label", ("actor",)), REVIEW_COMMANDS)
    assert vm.calls == [("take_version", (2,)), ("accept_current", ()), ("accept_to_fix", ())]
