"""The Playground page in real headless Chromium, driven by Playwright through window.playground."""

import json
import os
import time
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, MISSING, launched

pytest.importorskip("starlette", reason="needs the playground extra: pip install 'gradwalk[playground]'")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python (the test extra)")

from tests.playground.server import Server
from tests.playground.test_lessons import TF_DEFAULT_LINK

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=MISSING)
# The README's picture is remade only when asked (GRADWALK_README_PICTURES=1): a test run leaves the
# repository as it found it.
README_SCREENSHOT = Path(__file__).parents[2] / "docs" / "gallery" / "playground.png"


@pytest.fixture(scope="module")
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with launched() as chromium:
        yield chromium


class Tab:
    """One page of the Playground, with every console message and error it produced."""

    def __init__(self, browser, url: str, before: str = "") -> None:
        self.browser = browser
        self.page = browser.new_page(viewport={"width": 1300, "height": 1000})
        if before:  # a script run before the page's own
            self.page.add_init_script(before)
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: m.type in ("error", "warning") and self.problems.append(f"{m.type}: {m.text}"),
        )
        self.page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on("request", self._check_request)
        self.host = url.split("/")[2]
        self.page.goto(url)
        self.page.wait_for_function(
            "() => window.playground && window.playground.state().config !== undefined"
        )
        self.page.wait_for_function(
            "() => document.querySelector('#heatmap') && window.playground.state().points.length"
        )

    def _check_request(self, request) -> None:
        if request.url.split("/")[2] != self.host and not request.url.startswith("data:"):
            self.problems.append(f"network request: {request.url}")

    def call(self, expression: str):
        return self.page.evaluate(expression)

    def state(self):
        return self.call("window.playground.state()")

    def close(self) -> None:
        self.page.close()
        assert self.problems == []


@pytest.fixture
def tab(browser, server):
    opened = Tab(browser, server.url + "#" + TF_DEFAULT_LINK.partition("#")[2])
    yield opened
    opened.call("window.playground.pause()")
    opened.close()


def test_a_tensorflow_playground_link_opens_that_lesson(browser, server):
    tab = Tab(
        browser, server.url + "#activation=relu&networkShape=3,3,2&dataset=xor&learningRate=0.1&colour=red"
    )
    state = tab.state()
    assert state["config"]["activation"] == "relu" and state["config"]["networkShape"] == [3, 3, 2]
    assert state["config"]["learningRate"] == 0.1 and state["data"] == "xor" and state["epoch"] == 0
    assert state["notes"] == ["unknown key 'colour' ignored"]
    assert "unknown key 'colour' ignored" in tab.page.inner_text("#notes")
    assert tab.page.input_value("#activation") == "relu"
    assert tab.page.locator(".node.neuron").count() == 3 + 3 + 2 + 1
    assert "colour" not in tab.page.evaluate("location.hash")
    tab.close()


# Every address the page gives itself, in order: what a user would have seen in the address bar.
RECORD_HASHES = """
window.hashesShown = [];
const replace = history.replaceState.bind(history);
history.replaceState = (data, unused, url) => {
  window.hashesShown.push(String(url));
  replace(data, unused, url);
};
"""


def test_a_link_opened_while_another_tab_trains_shows_only_its_own_lesson(browser, server, tab):
    # The training tab's broadcasts of its old lesson cross the new tab's opening reply on the wire.
    for attempt in range(5):
        tab.call("window.playground.play()")
        tab.page.wait_for_function("() => window.playground.state().playing")
        link = Tab(browser, server.url + f"#activation=relu&networkShape=3,{attempt + 2}", RECORD_HASHES)
        link.call("window.playground.play()")
        link.page.wait_for_function("() => window.playground.state().epoch >= 3", timeout=30_000)
        link.call("window.playground.pause()")
        shown = link.call("window.hashesShown")
        assert shown and all("activation=relu" in h and f"networkShape=3,{attempt + 2}&" in h for h in shown)
        assert link.state()["config"]["networkShape"] == [3, attempt + 2]
        link.close()


def test_a_tab_joining_a_paused_session_draws_its_network_and_data(browser, server, tab):
    paused = tab.call("window.playground.pause()")
    joined = Tab(browser, server.url)
    joined.page.wait_for_function("() => document.querySelectorAll('.node.neuron').length === 4 + 2 + 1")
    state = joined.state()
    assert state["epoch"] == paused["epoch"] and len(state["points"]) == 500
    assert joined.page.locator("#links path").count() == 2 * 4 + 4 * 2 + 2 * 1
    joined.close()


def test_play_lowers_the_test_loss_on_the_circle(tab):
    first = tab.state()
    assert first["config"]["dataset"] == "circle" and first["epoch"] == 0 and first["data"] == "circle"
    assert len(first["points"]) == 500 and first["points"][0][3] == "train"
    tab.page.click("#play")
    tab.page.wait_for_function("() => window.playground.state().epoch >= 30", timeout=30_000)
    state = tab.call("window.playground.pause()")
    assert not state["playing"] and state["testLoss"] < first["testLoss"] / 2
    assert int(tab.page.inner_text("#epoch")) == state["epoch"]
    stepped = tab.call("window.playground.step()")
    assert stepped["epoch"] == state["epoch"] + 1


def test_changing_the_activation_resets_and_follows_in_the_hash(tab):
    tab.page.select_option("#activation", "sigmoid")
    tab.page.wait_for_function("() => window.playground.state().config.activation === 'sigmoid'")
    assert "activation=sigmoid" in tab.page.evaluate("location.hash")
    state = tab.call("window.playground.set('activation', 'relu')")
    assert state["config"]["activation"] == "relu" and state["epoch"] == 0
    tab.page.wait_for_function("() => location.hash.includes('activation=relu')")
    assert tab.page.input_value("#activation") == "relu"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("learningRate", "abc", "learningRate='abc' is refused; expected one of 1e-05"),
        ("learningRate", -1, "learningRate='-1' is refused"),
        ("learningRate", 1e9, "learningRate='1000000000' is refused"),
        ("networkShape", ",".join(["4"] * 100), "expected 0 to 6 hidden layers"),
    ],
)
def test_a_bad_value_resolves_with_its_message_and_keeps_the_setting(tab, key, value, message):
    before = tab.state()["config"]
    reply = tab.call(f"window.playground.set({json.dumps(key)}, {json.dumps(value)})")
    assert isinstance(reply, str) and message in reply
    tab.page.wait_for_function(
        f"() => document.getElementById('notes').innerText.includes({json.dumps(message)})"
    )
    assert tab.state()["config"] == before


def test_upload_a_csv_and_a_bad_one(tab):
    rows = "".join(f"{(k % 9) - 4},{(k % 7) - 3},{k % 3}\n" for k in range(60))
    state = tab.call(f"window.playground.upload({json.dumps('x1,x2,label' + chr(10) + rows)})")
    assert state["data"] == "upload" and state["classes"] == 3 and len(state["points"]) == 60
    tab.page.wait_for_function("() => document.getElementById('dataName').innerText === 'upload'")
    assert "abc" in tab.call("window.playground.upload('x1,x2,label\\n1,abc,0\\n')")
    big = tab.call("window.playground.upload('0,0,0\\n'.repeat(1700000))")
    assert big.startswith("the upload is 10.2 MB; at most 1 MB")
    assert "50 different labels" in tab.call(
        "window.playground.upload([...Array(50).keys()].map(k => `${k % 5},${k % 7},${k}`).join('\\n'))"
    )
    assert tab.state()["data"] == "upload" and len(tab.state()["points"]) == 60
    assert any("10.2 MB" in note for note in tab.state()["notes"])


def test_clicking_a_point_traces_it_and_shows_its_graph(tab):
    tab.call("window.playground.reset()")
    point = tab.state()["points"][7]
    box = tab.page.locator("#heatmap").bounding_box()
    x = box["x"] + (point[0] + 6) / 12 * box["width"]
    y = box["y"] + (6 - point[1]) / 12 * box["height"]
    tab.page.mouse.click(x, y)
    tab.page.wait_for_selector("#traceGraph svg")
    info = tab.page.inner_text("#traceInfo")
    assert "51 values" in info and "training point" in info
    assert tab.page.locator("#traceGraph svg text", has_text="loss").count() >= 1
    assert tab.call("window.playground.trace(3)") == 51
    href = tab.page.get_attribute("#walkLink", "href")
    assert href == "/walkthrough/3"
    walk = tab.browser.new_page()
    walk.goto(tab.page.url.split("#")[0].rstrip("/") + href)
    assert walk.locator("#counter").inner_text().endswith(" of 52")  # 51 values' frames and two more
    walk.close()
    assert "refused" in tab.call("window.playground.trace(100000)")


def test_add_point_mode_adds_a_point_where_clicked(tab):
    before = tab.state()["points"]
    after = tab.call("window.playground.addPoint(1.5, -2, 1)")["points"]
    assert [p for p in after if p not in before] == [[1.5, -2, 1, "train"]]
    tab.page.check("#addMode")
    box = tab.page.locator("#heatmap").bounding_box()
    tab.page.mouse.click(box["x"] + box["width"] / 4, box["y"] + box["height"] / 4)  # at (-3, 3)
    tab.page.wait_for_function(f"() => window.playground.state().points.length === {len(after) + 1}")
    [(x1, x2, label, split)] = [p for p in tab.state()["points"] if p not in after]
    assert (round(x1), round(x2), label, split) == (-3, 3, 0, "train")
    tab.page.uncheck("#addMode")


def test_a_neuron_shows_its_formula_and_a_link_its_weight(tab):
    tab.call("window.playground.reset()")
    tab.page.wait_for_function("() => window.playground.state().epoch === 0")
    tab.page.hover('.node.neuron[data-layer="0"][data-neuron="0"]')
    formula = tab.page.inner_text("#tooltip")
    assert formula.startswith("h1.1 = tanh(") and "·x1" in formula and "·x2" in formula
    title = tab.page.locator("#links path title").first.text_content()
    assert title.startswith("weight ")


def test_a_click_on_a_link_edits_its_weight_and_exports_are_pngs(tab):
    tab.call("window.playground.reset()")
    tab.page.wait_for_function("() => window.playground.state().epoch === 0")
    link = tab.page.locator('#links path[data-layer="1"][data-neuron="0"][data-source="2"]')
    link.dispatch_event("click")  # the drawn curve is thin; its click handler is what a user hits
    tab.page.fill("#weightValue", "-1.25")
    tab.page.press("#weightValue", "Enter")
    tab.page.wait_for_function(
        '() => document.querySelector(\'#links path[data-layer="1"]'
        '[data-neuron="0"][data-source="2"] title\').textContent.startsWith(\'weight -1.25\')'
    )
    tab.page.hover('.node.neuron[data-layer="1"][data-neuron="0"]')
    assert "\u2212 1.3·h1.3" in tab.page.inner_text("#tooltip")  # -1.25 to 2 digits
    for link_id in ("exportHeatmap", "exportCurve"):
        tab.page.evaluate(f"document.getElementById('{link_id}').dispatchEvent(new MouseEvent('click'))")
        assert tab.page.get_attribute(f"#{link_id}", "href").startswith("data:image/png;base64,")


def test_a_diverged_run_says_so_and_pauses(tab):
    tab.call("window.playground.set('problem', 'regression')")
    tab.call("window.playground.set('activation', 'linear')")
    tab.call("window.playground.set('networkShape', '8,8')")
    tab.call("window.playground.set('learningRate', 10)")
    tab.call("window.playground.play()")
    tab.page.wait_for_function("() => window.playground.state().diverged", timeout=20_000)
    state = tab.state()
    assert not state["playing"] and "loss is nan (diverged): lower the learning rate" in state["notes"]
    assert "loss is nan (diverged)" in tab.page.inner_text("#notes")
    assert "diverged" in tab.call("window.playground.play()")


def test_a_tab_without_a_hash_joins_and_one_with_a_hash_starts_over(browser, server, tab):
    tab.call("window.playground.step()")
    joined = Tab(browser, server.url)
    assert joined.state()["epoch"] == tab.state()["epoch"] >= 1
    assert joined.state()["config"] == tab.state()["config"]
    assert joined.page.evaluate("location.hash") == "#" + tab.page.evaluate("location.hash")[1:]
    joined.close()
    fresh = Tab(browser, server.url + "#dataset=gauss&classes=3")
    tab.page.wait_for_function("() => window.playground.state().config.classes === 3")
    assert tab.state()["epoch"] == 0 and tab.state()["data"] == "gauss"
    assert tab.page.is_disabled("#loss")  # 3 classes train on softmax cross-entropy
    fresh.close()


def test_screenshot_for_the_readme(tab, tmp_path):
    tab.page.click("#play")
    tab.page.wait_for_function("() => window.playground.state().epoch >= 40", timeout=30_000)
    tab.call("window.playground.pause()")
    tab.call("window.playground.trace(5)")
    tab.page.wait_for_timeout(300)
    image = tab.page.screenshot(full_page=True)
    assert image.startswith(b"\x89PNG")
    target = README_SCREENSHOT if os.environ.get("GRADWALK_README_PICTURES") else tmp_path / "playground.png"
    target.write_bytes(image)


def test_ctrl_c_exits_0_within_2_seconds_with_a_tab_open(browser):
    running = Server()
    tab = Tab(browser, running.url)
    tab.call("window.playground.play()")
    time.sleep(0.5)
    code, seconds = running.stop()
    assert code == 0 and seconds < 2.0
    tab.page.close()
