"""Where the browser tests (and docs/walkthrough_pictures.py) find Chromium, and how they start it.

The system Chromium (Debian's package), never a browser a test tool downloads; the flags keep it
from reaching for the network, which this machine does not have.
"""

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = "needs Chromium (Debian package chromium)"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def launched() -> Iterator[Any]:
    """The system Chromium, headless, driven by Playwright for Python; closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
