"""Running the app's pages through AppTest, and reading what they show."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_app(page: str | None = None, *, check: bool = True, **params: str):
    """The app (through ``app.py``) run once on ``page`` with these query parameters."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if page:
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if check:
        assert_no_exception(at)
    return at


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def show_filters(at):
    """« Carte » shows its filters once the map reports it is drawn (AppTest has no browser):
    its « Afficher les filtres » button brings them, with their messages."""
    buttons = [b for b in at.sidebar.button if b.label == "Afficher les filtres"]
    if buttons:
        buttons[0].click().run()
        assert_no_exception(at)
    return at
