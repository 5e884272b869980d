"""The walkthrough page in a real browser: headless Chromium driven over the DevTools protocol.

Chromium's ``--remote-debugging-pipe`` reads protocol messages on fd 3 and writes
them on fd 4, each JSON text ended by a NUL byte: no websocket library needed.
"""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, walkthrough

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium)")


class Browser:
    """A headless Chromium with one page, and every protocol event it sent."""

    def __init__(self, profile: Path) -> None:
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        # The child must find its ends at fds 3 and 4: move them out of the way first.
        child_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_browser_read, from_browser_write):
            os.close(fd)

        def give_child_its_pipes() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "--window-size=1200,900",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            command,
            preexec_fn=give_child_its_pipes,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
        )
        os.close(child_read)
        os.close(child_write)
        self.writer, self.reader = to_browser_write, from_browser_read
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        os.close(self.writer)
        os.close(self.reader)

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result, keeping the events that arrive meanwhile."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._receive())

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def _receive(self, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.reader], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.reader, 1 << 16) if ready else b""
            if not chunk:
                raise TimeoutError("Chromium sent nothing (it may have failed to start)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and network requests other than files."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
                found.append(f"console {params['type']}: {params['args']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']['text']}")
            elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith("file:"):
                found.append(f"network request: {params['request']['url']}")
        return found

    def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                session=True,
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )

    def press(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                session=True,
                type=kind,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
            )

    def shown_frames(self) -> list[str]:
        shown: list[str] = self.evaluate(
            "[...document.querySelectorAll('section.frame')].filter(f => !f.hidden).map(f => f.dataset.index)"
        )
        return shown

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"])


@pytest.fixture
def browser(tmp_path):
    chromium = Browser(tmp_path / "profile")
    yield chromium
    chromium.close()


def test_walkthrough_page_steps_through_frames_without_errors(browser, tmp_path):
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + x).tanh()
    y.label = "y"
    page = walkthrough(y).save(tmp_path / "walk.html")

    browser.call("Page.navigate", session=True, url=page.resolve().as_uri())
    browser.wait_for("Page.loadEventFired")
    assert browser.shown_frames() == ["0"]
    assert browser.evaluate("document.querySelector('#frame-0 svg') !== null")
    assert "Forward pass" in browser.evaluate(
        "document.querySelector('section.frame:not([hidden]) h2').textContent"
    )

    browser.click("#next")
    assert browser.shown_frames() == ["1"]
    assert browser.evaluate("document.getElementById('counter').textContent") == "frame 1 of 6"
    browser.press("ArrowRight", 39)
    assert browser.shown_frames() == ["2"]
    browser.press("ArrowLeft", 37)
    browser.click("#prev")
    assert browser.shown_frames() == ["0"]
    assert browser.evaluate("document.getElementById('prev').disabled")
    browser.evaluate(
        "(() => { const s = document.getElementById('slider'); s.value = '6';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    assert browser.shown_frames() == ["6"]
    assert browser.screenshot().startswith(b"\x89PNG")
    assert browser.problems() == []


def test_page_opens_at_the_frame_its_address_names(browser, tmp_path):
    page = walkthrough(Value(3.0, label="a") * 2).save(tmp_path / "walk.html")
    browser.call("Page.navigate", session=True, url=page.resolve().as_uri() + "#2")
    browser.wait_for("Page.loadEventFired")
    assert browser.shown_frames() == ["2"]
    assert browser.problems() == []


def test_the_harness_sees_errors_and_network_requests(browser, tmp_path):
    # Without this, an empty problems() list could just mean the harness is deaf.
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">'
        '<script>console.error("boom"); undefinedFunction();</script>'
    )
    browser.call("Page.navigate", session=True, url=page.as_uri())
    browser.wait_for("Page.loadEventFired")
    found = "\n".join(browser.problems())
    assert "console error" in found
    assert "undefinedFunction" in found
    assert "network request: http://127.0.0.1:9/x.png" in found
