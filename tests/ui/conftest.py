"""Every UI test starts from the application as the app configures it: its fonts (widget sizes
follow the application font) and the English interface. Without this a test got whatever fonts
and language an earlier test had left, and passed or failed with the order the tests ran in."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _app_as_configured(request: pytest.FixtureRequest) -> None:
    if not {"qapp", "qtbot"} & set(request.fixturenames):
        return   # a view-model test: no Qt application needed
    from annotator.ui.app import configure_app

    configure_app(request.getfixturevalue("qapp"), "en")
