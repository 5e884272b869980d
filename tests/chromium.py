"""Where the browser tests (and docs/walkthrough_pictures.py) find Chromium, and how they start it.

The system Chromium (Debian's package), never a browser a test tool downloads; the flags keep it
from reaching for the network, which this machine does not have.
"""

import shutil

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
