"""Running the window: a screenshot writes nothing to the store (no set, no event, no lead);
without a display the hint names --user; Ctrl-C while the window runs closes it cleanly and says
that everything is saved, with the number of actions; the settings file keeps the language and
the layouts and shrugs off bad values."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from annotator.core.errors import UserError
from annotator.db.models import AnnotationSetRow, AnnotatorRow, EventRow, SpanRow
from annotator.services.project import open_project
from annotator.services.team import ensure_first_lead
from annotator.settings import Settings, load_settings, save_settings, settings_path
from annotator.ui import app as app_module
from annotator.ui.app import GuiOptions, build_window, run_gui
from tests.ui.helpers import EMOJI_ID, FRANCE, import_documents, team_store


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    import_documents(store, tmp_path)
    ensure_first_lead(store, "lina")
    store.close()
    return url


def counts(url: str) -> dict[str, int]:
    store = open_project(url)
    try:
        with store.engine.connect() as conn:
            return {table.__tablename__: conn.execute(
                select(func.count()).select_from(table)).scalar_one()
                for table in (AnnotationSetRow, AnnotatorRow, EventRow, SpanRow)}
    finally:
        store.close()


@pytest.mark.parametrize("review", [False, True])
def test_a_screenshot_writes_nothing_to_the_store(qapp: QApplication, url: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  review: bool) -> None:
    if review:                                          # gold and the annotators' sets exist
        url = team_store(tmp_path)
    before = counts(url)
    assert before["event"] > 0
    png = tmp_path / "shot.png"
    user = "rana" if review else "mona"
    options = GuiOptions(db_url=url, user=user, screenshot=png, open_document=EMOJI_ID,
                         size=(900, 600), review=review)
    assert run_gui(options) == 0
    assert capsys.readouterr().out.startswith(f"screenshot: {png} (")
    assert counts(url) == before
    image = QImage(str(png))
    assert (image.width(), image.height()) == (900, 600)
    assert not settings_path().exists()                # nor the settings


def test_the_first_change_after_opening_without_a_set_creates_it(qapp: QApplication, url: str,
                                                                 tmp_path: Path) -> None:
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID,
                                     screenshot=tmp_path / "x.png"),
                          Settings(suggest_on_open=False), "mona")
    assert window.vm.set_id is None and counts(url)["annotation_set"] == 0
    window.vm.label_selection(*FRANCE, "location")
    assert window.vm.set_id is not None
    assert counts(url)["annotation_set"] == 1 and counts(url)["span"] == 1
    window.close()


def test_without_a_display_the_hint_names_the_user(monkeypatch: pytest.MonkeyPatch,
                                                   url: str) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(UserError) as caught:
        run_gui(GuiOptions(db_url=url))
    assert str(caught.value) == (
        "no display to open the window on (DISPLAY is not set); on a machine without a "
        "screen, QT_QPA_PLATFORM=offscreen annotator --user NAME gui --screenshot shot.png "
        "renders it to a PNG")


def test_ctrl_c_while_the_window_runs_closes_it_and_says_what_was_saved(url: str) -> None:
    """The window's process gets SIGINT while Qt's loop runs: it closes the window, says that
    every change is saved, and exits 130 (a real process: Ctrl-C in a terminal)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", url.removeprefix("sqlite:///"), "--user",
         "mona", "gui", "--open", EMOJI_ID], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while counts(url)["annotation_set"] == 0:      # the window opened mona's set
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == (
        "interrupted; every change up to now is saved (0 actions this session)")
    assert load_settings().user == "mona"


def test_the_interruption_closes_the_windows_and_counts_the_actions(
        qtbot: QtBot, qapp: QApplication, url: str) -> None:
    """The handler itself, in this process (without entering Qt's loop): the windows close
    (their time is written), and every action counts: two labels, an undo, a redo."""
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID),
                          Settings(suggest_on_open=False), "mona")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.vm.label_selection(*FRANCE, "location")
    window.vm.set_attribute("kind", "direct")           # refused: not a quote, not an action
    window.vm.label_selection(*FRANCE, "actor")
    window.vm.undo()
    window.vm.redo()
    previous = signal.getsignal(signal.SIGINT)
    interruption = app_module.Interruption(qapp)
    try:
        os.kill(os.getpid(), signal.SIGINT)              # Python runs the handler now
        qtbot.waitUntil(lambda: not window.isVisible())
    finally:
        interruption.restore()
    assert interruption.requested
    assert signal.getsignal(signal.SIGINT) is previous   # the handler is put back
    assert app_module.Interruption.report(app_module.session_actions([window])) == (
        "interrupted; every change up to now is saved (4 actions this session)")
    assert counts(url)["span"] == 2


def test_the_report_of_one_action() -> None:
    assert app_module.Interruption.report(1) == (
        "interrupted; every change up to now is saved (1 action this session)")


def test_language_and_layouts_are_kept_and_bad_values_give_the_defaults() -> None:
    settings = Settings(user="سارة", language="ar", window_states={"annotate-rtl": "AAA="},
                        splitter_states={"annotate-rtl": "BBB="})
    save_settings(settings)
    assert load_settings() == settings
    path = settings_path()
    path.write_text('{"language": "fr", "window_states": ["x"], "splitter_states": {"a": 1},'
                    ' "user": 5, "font_family": []}', encoding="utf-8")
    assert load_settings() == Settings()
