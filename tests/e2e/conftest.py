"""One headless Chromium and one running app (demo data, 127.0.0.1) for every browser test."""

from __future__ import annotations

import pytest
from e2e_harness import CHROMIUM_ARGS, ROOT, chromium_path, running_app


@pytest.fixture(scope="session")
def browser(ci):
    """Skips without a browser on a developer's machine; fails in CI (``CI=true``)."""
    path = chromium_path()
    if path is None:
        message = "Aucun Chromium : installez `chromium` ou `playwright install chromium`."
        if ci:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, geodata_ready):
    with running_app(tmp_path_factory.mktemp("e2e-data"), app=ROOT / "app.py") as url:
        yield url
