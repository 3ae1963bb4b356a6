"""Real-browser tests: Playwright driving Debian's chromium (``apt-get install chromium``).

Never ``playwright install``: it downloads a browser of its own. Without /usr/bin/chromium
or the ``playwright`` package these tests skip and say why; CI (``.ci/run``) installs both.
"""

import contextlib
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    # pyproject.toml is not ours to edit; --strict-markers needs the marker declared.
    config.addinivalue_line(
        "markers", "browser: drives a real headless Chromium through Playwright"
    )


@pytest.fixture
def chromium():
    """Skip unless the browser and Playwright are here; then a launcher for ``with`` blocks.

    The browser starts inside the test, after its data is written: while Playwright's
    sync API runs, the thread counts as async and Django refuses ORM calls in it.
    """
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI does)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed (dev extras)"
    )

    @contextlib.contextmanager
    def launch():
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()

    return launch
