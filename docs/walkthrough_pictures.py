"""The README's walkthrough pictures, taken by headless Chromium from real pages.

Run after ``make demo`` (which writes out/walkthrough.html), where Playwright for Python
and Chromium are installed: ``.venv/bin/python docs/walkthrough_pictures.py``. Writes
docs/gallery/walkthrough_page.png (the demo's page at a sigmoid unit's step: its rule
with the numbers) and docs/gallery/walkthrough_quiz.png (a quiz question at a fork,
after a wrong answer).
"""

import json
import re
import sys
from pathlib import Path

from autograd import Value, Walkthrough, walkthrough

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "gallery"
sys.path.insert(0, str(ROOT))  # run as a script from docs/: the browser settings live with the tests
from tests.chromium import CHROMIUM, MISSING, launched  # noqa: E402


def quiz() -> Walkthrough:
    """out = x*w + x at x = 2, w = -3: x is used twice, so its gradient is w + 1 = -2."""
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = x * w + x
    out.label = "out"
    return walkthrough(out, quiz=True)


def frame_titled(page: Path, ending: str) -> int:
    """The index of the first frame of a saved page whose title ends with `ending`."""
    blob = re.search(
        r'<script type="application/json" id="walkthrough-data">(.*?)</script>', page.read_text(), re.S
    )
    assert blob is not None
    titles = [frame["title"] for frame in json.loads(blob[1])["frames"]]
    return next(k for k, title in enumerate(titles) if title.endswith(ending))


def main() -> None:
    demo_page = ROOT / "out" / "walkthrough.html"
    if not demo_page.is_file():
        raise SystemExit(f"{demo_page} is missing: run `make demo` first")
    if CHROMIUM is None:
        raise SystemExit(MISSING)
    with launched() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 860})
        tab.goto(demo_page.as_uri())
        tab.click("#actual")  # 100%: readable numbers; the current node is brought into view
        tab.evaluate(f"walkthrough.go({frame_titled(demo_page, ': h3[0]')})")
        tab.screenshot(path=str(GALLERY / "walkthrough_page.png"))
        walk = quiz()
        tab.goto(walk.save(ROOT / "out" / "quiz.html").as_uri())
        for question in walk.questions:
            tab.evaluate("walkthrough.go(99)")  # stops at the first open question
            if question.name == "x":
                break
            tab.evaluate(f"walkthrough.answer({question.shown!r})")
        tab.fill("#answer", "-3")  # the use through x*w only: the hint says a use is left out
        tab.press("#answer", "Enter")
        tab.screenshot(path=str(GALLERY / "walkthrough_quiz.png"))
    print(f"wrote {GALLERY / 'walkthrough_page.png'} and {GALLERY / 'walkthrough_quiz.png'}")


if __name__ == "__main__":
    main()
