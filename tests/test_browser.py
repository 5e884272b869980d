"""The walkthrough page in a real browser: headless Chromium driven by Playwright.

Playwright runs the system Chromium (never a browser of its own: no ``playwright
install``). Every test fails on a console error, an uncaught exception or a request
that leaves the page's own file.
"""

import random
import re
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value, topological_order, walkthrough
from tests.chromium import CHROMIUM, MISSING, launched

pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python (the test extra)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=MISSING)


class Page:
    """One browser tab, with every problem it reported."""

    def __init__(self, tab):
        self.tab = tab
        self.problems = []
        tab.on(
            "console",
            lambda m: m.type in ("error", "warning") and self.problems.append(f"{m.type}: {m.text}"),
        )
        tab.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))
        tab.on(
            "request",
            lambda r: r.url.startswith("file:") or self.problems.append(f"network request: {r.url}"),
        )

    def open(self, path: Path, hash_: str = "") -> None:
        self.tab.goto(path.resolve().as_uri() + hash_)

    def js(self, expression, argument=None):
        return self.tab.evaluate(expression, argument)

    def frame(self):
        return self.js("walkthrough.frame()")

    def counter(self):
        return self.tab.text_content("#counter")

    def hash(self):
        return self.js("location.hash")

    def grad_text(self, node):
        """The grad line the drawing shows for node `node` (its DOT id, e.g. "n0")."""
        return self.line(node, 1)

    def data_text(self, node):
        """The data line the drawing shows for node `node` (the line above its grad)."""
        return self.line(node, 2)

    def line(self, node, from_end):
        """The text line `from_end` lines from the bottom of node `node` (1: the last)."""
        return self.js(
            """([id, k]) => {
                 const g = [...document.querySelectorAll('#canvas g.node')]
                   .find(g => g.querySelector('title').textContent === id);
                 const texts = g.querySelectorAll('text');
                 return texts[texts.length - k].textContent;
               }""",
            [node, from_end],
        )

    def box(self, selector):
        return self.tab.locator(selector).first.bounding_box()


@pytest.fixture(scope="module")
def chromium():
    with launched() as browser:
        yield browser


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    tab = Page(context.new_page())
    yield tab
    assert tab.problems == []
    context.close()


def neuron():
    """y = tanh(x*w + x) at x = 2, w = -3: 5 values, 7 frames. By hand: y = tanh(-4)."""
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + x).tanh()
    y.label = "y"
    return y


def test_the_page_steps_through_frames_and_the_counters_agree(page, tmp_path):
    path = walkthrough(neuron()).save(tmp_path / "walk.html")
    page.open(path)
    assert page.frame() == 0 and page.js("document.querySelectorAll('svg').length") == 1
    assert "Forward pass" in page.tab.text_content("#frame-title")
    page.tab.click("#next")
    assert (page.frame(), page.counter(), page.hash()) == (1, "frame 1 of 6", "#1")
    assert page.tab.text_content("#frame-title") == "Backward step 1 of 5: y"
    page.tab.keyboard.press("ArrowRight")
    assert (page.frame(), page.hash()) == (2, "#2")
    page.tab.keyboard.press("ArrowLeft")
    page.tab.click("#prev")
    assert page.frame() == 0 and page.js("document.getElementById('prev').disabled")
    page.tab.keyboard.press("End")
    assert (page.frame(), page.counter(), page.hash()) == (6, "frame 6 of 6", "#6")
    page.tab.keyboard.press("Home")
    assert page.frame() == 0
    page.js(
        "s => { s.value = '4'; s.dispatchEvent(new Event('input')); }", page.tab.query_selector("#slider")
    )
    assert (page.frame(), page.js("document.getElementById('slider').value")) == (4, "4")


def test_each_frame_changes_the_numbers_and_highlights_the_edges_used(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    assert page.grad_text("n4") == "grad"  # y, before backward starts
    page.js("walkthrough.go(1)")  # y sends to #3 through tanh: d tanh/d#3 = 1 - tanh(-4)² = 0.001341
    assert page.grad_text("n4") == "grad 1" and page.grad_text("n3") == "grad 0.001341"
    used = page.js(
        "[...document.querySelectorAll('#canvas g.edge.used title')].map(t => t.textContent).sort()"
    )
    assert used == ["n3->op4", "op4->n4"]
    assert "d tanh(#3)/d#3 = 1 − y² = 1 − (-0.9993)² ≈ 0.001341" in page.tab.text_content("#steps")
    page.js("walkthrough.go(0)")
    assert page.grad_text("n3") == "grad"  # back to blank: frames are states, not steps applied once


def test_the_address_names_the_frame_and_follows_it(page, tmp_path):
    path = walkthrough(Value(3.0, label="a") * 2).save(tmp_path / "walk.html")
    page.open(path, "#2")
    assert page.frame() == 2
    page.js("location.hash = '#1'")
    page.tab.wait_for_function("() => walkthrough.frame() === 1")
    page.js("walkthrough.go(3)")
    assert page.hash() == "#3"


def test_wheel_zooms_drag_pans_and_the_buttons_fit_and_reset(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    scale = lambda: page.js("new DOMMatrix(getComputedStyle(document.getElementById('canvas')).transform).a")  # noqa: E731
    shift = lambda: page.js("new DOMMatrix(getComputedStyle(document.getElementById('canvas')).transform).e")  # noqa: E731
    page.tab.click("#actual")
    assert scale() == pytest.approx(1.0)
    view = page.box("#viewport")
    page.tab.mouse.move(view["x"] + 300, view["y"] + 200)
    page.tab.mouse.wheel(0, -400)
    page.tab.wait_for_function(
        "() => new DOMMatrix(getComputedStyle(document.getElementById('canvas')).transform).a > 1.5"
    )
    before = shift()
    page.tab.mouse.move(view["x"] + 300, view["y"] + 400)
    page.tab.mouse.down()
    page.tab.mouse.move(view["x"] + 150, view["y"] + 400, steps=5)
    page.tab.mouse.up()
    assert shift() == pytest.approx(before - 150, abs=1)
    page.tab.click("#fit")
    graph, view = page.box("#canvas svg"), page.box("#viewport")
    assert graph["x"] >= view["x"] - 1 and graph["x"] + graph["width"] <= view["x"] + view["width"] + 1
    page.tab.click("#zoom-in")
    assert scale() > 0


def test_at_any_zoom_the_current_node_is_brought_into_view(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    for _ in range(6):
        page.tab.click("#zoom-in")  # about 3.8×: most of the graph is out of view
    view = page.box("#viewport")
    for k in range(1, 6):  # each backward frame's node, from y (right) to x (left)
        page.js(f"walkthrough.go({k})")
        node = page.box("#canvas g.node.current")
        assert view["x"] <= node["x"] and node["x"] + node["width"] <= view["x"] + view["width"], k
        assert view["y"] <= node["y"] and node["y"] + node["height"] <= view["y"] + view["height"], k


def test_clicking_a_node_jumps_to_the_frame_where_its_gradient_is_final(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    page.tab.click("#fit")
    x = page.box("#canvas g.node:has(> title:text-is('n0'))")
    page.tab.mouse.click(x["x"] + x["width"] / 2, x["y"] + x["height"] / 2)
    assert page.frame() == 5 and page.tab.text_content("#frame-title") == "Backward step 5 of 5: x"


def test_play_steps_on_by_itself_at_the_chosen_speed_and_pauses(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    page.tab.select_option("#speed", "4")
    page.tab.click("#play")
    page.tab.wait_for_function("() => walkthrough.frame() >= 2", timeout=5000)
    page.tab.click("#play")  # pause
    stopped = page.frame()
    page.tab.wait_for_timeout(700)
    assert page.frame() == stopped
    page.tab.click("#play")
    page.tab.wait_for_function("() => walkthrough.frame() === 6", timeout=5000)  # plays to the end and stops
    assert "play" in page.tab.text_content("#play")


def test_quiz_asks_before_showing_and_grades_right_wrong_and_revealed(page, tmp_path):
    # Asked in backward order: #3 = 1 - tanh(-4)² = 0.001341, #2 = #3.grad, w = x·#2.grad,
    # x = (w + 1)·#3.grad.
    path = walkthrough(neuron(), quiz=True).save(tmp_path / "quiz.html")
    page.open(path)
    assert page.js("walkthrough.asking()") is None  # frame 0: nothing asked
    assert page.js("walkthrough.go(6)") == 2  # stops at the first open question
    assert page.js("walkthrough.asking()") == {"frame": 2, "label": "#3"}
    assert page.grad_text("n3") == "grad ?" and "#3.grad = ?" in page.tab.text_content("#steps")
    assert page.js("document.getElementById('next').disabled")
    assert page.js("walkthrough.answer('0.00134')") == "right"  # within 0.5% of 0.0013409
    assert page.js("walkthrough.asking()") is None and page.grad_text("n3") == "grad 0.001341"
    page.js("walkthrough.go(3)")
    assert page.js("walkthrough.asking()") == {"frame": 3, "label": "#2"}
    assert page.js("walkthrough.answer('1')") == "wrong"  # d(#3)/d(#2) alone: #3.grad left out
    assert "upstream gradient is missing" in page.tab.text_content("#feedback")
    assert page.js("walkthrough.answer('2')") == "revealed"
    assert page.tab.text_content("#feedback") == "#2.grad = 0.001341"
    page.js("walkthrough.go(4)")
    page.tab.fill("#answer", "0.002682")  # w: x · #2.grad = 2 × 0.001341, typed into the form
    page.tab.press("#answer", "Enter")
    assert page.js("walkthrough.score()") == {"right": 2, "asked": 4}
    page.js("walkthrough.go(5)")
    used = page.js(
        "[...document.querySelectorAll('#canvas g.edge.used title')].map(t => t.textContent).sort()"
    )
    assert used == ["n0->op2", "n0->op3"]  # x's two uses, while its question is open
    assert page.js("walkthrough.answer('-0.004023')") == "wrong"  # w × #2.grad alone: a use is left out
    assert "a use is left out" in page.tab.text_content("#feedback")
    assert page.js("walkthrough.answer('-0.002682')") == "right"  # (w + 1)·#3.grad = -2 × 0.001341
    assert page.js("walkthrough.go(6)") == 6
    assert page.tab.text_content("#score") == "Score: 3/4"
    assert page.js("walkthrough.answer('1')") is None  # no question open


def test_a_page_without_the_quiz_has_no_questions(page, tmp_path):
    page.open(walkthrough(neuron()).save(tmp_path / "walk.html"))
    assert page.js("walkthrough.asking()") is None and page.js("walkthrough.go(6)") == 6
    assert page.js("document.getElementById('quiz').hidden")


def test_the_notebook_form_works_inside_its_sandboxed_iframe(page, tmp_path):
    # What Jupyter shows: the page in an <iframe srcdoc> that may run scripts and nothing else.
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        f"<!DOCTYPE html><html><body>{walkthrough(neuron(), quiz=True)._repr_html_()}</body></html>"
    )
    page.open(notebook)
    inner = page.tab.frames[1]
    inner.wait_for_function("() => window.walkthrough !== undefined")
    assert inner.evaluate("walkthrough.go(6)") == 2  # the quiz stops at the first question
    assert inner.evaluate("walkthrough.answer('0.001341')") == "right"
    inner.locator("#next").click()
    assert inner.evaluate("walkthrough.frame()") == 3


def test_the_harness_sees_errors_and_network_requests(chromium, tmp_path):
    # Without this, an empty problems list could just mean the harness is deaf.
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">'
        '<script>console.error("boom"); undefinedFunction();</script>'
    )
    context = chromium.new_context()
    tab = Page(context.new_page())
    tab.open(broken)
    tab.tab.wait_for_timeout(300)
    found = "\n".join(tab.problems)
    context.close()
    assert "error: boom" in found
    assert "undefinedFunction" in found
    assert "network request: http://127.0.0.1:9/x.png" in found


def test_forward_frames_reveal_each_value_as_it_is_computed(page, tmp_path):
    # x = 2, w = -3 given; then x*w = -6, + x = -4, tanh(-4) = -0.9993, one forward step each.
    page.open(walkthrough(neuron(), forward=True).save(tmp_path / "walk.html"))

    def data():
        return [page.data_text(f"n{i}") for i in range(5)]

    assert data() == ["data 2", "data -3", "data", "data", "data"]
    page.tab.click("#next")
    assert data() == ["data 2", "data -3", "data -6", "data", "data"]
    page.js("walkthrough.go(3)")
    assert data() == ["data 2", "data -3", "data -6", "data -4", "data -0.9993"]
    page.js("walkthrough.go(4)")  # backward: every value
    assert page.tab.text_content("#frame-title") == "Backward step 1 of 5: y" and data()[2:] == [
        "data -6",
        "data -4",
        "data -0.9993",
    ]
    page.js("walkthrough.go(1)")  # back again: blank again
    assert data() == ["data 2", "data -3", "data -6", "data", "data"]


def test_a_collapsed_page_highlights_a_modules_node_and_steps_without_errors(page, tmp_path):
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation=None, rng=random.Random(0))
    loss = autograd.sum([(model(x) - 0.5) ** 2 for x in ([0.0, 0.0], [0.1, -0.2])])
    order = topological_order(loss)
    walk = walkthrough(loss, collapse="neurons")
    page.open(walk.save(tmp_path / "walk.html"))
    current = "() => document.querySelector('#canvas g.node.current > title').textContent"
    for k in range(len(walk)):  # every frame, backward and forward through the fixture's error check
        assert page.js(f"walkthrough.go({k})") == k
    neuron = next(i for i, node in enumerate(order) if node.op == "tanh")  # layers.0.neurons.0's output
    frame = next(k for k, f in enumerate(walk) if f.kind == "backward" and f.current == neuron)
    page.js(f"walkthrough.go({frame})")
    module = page.js(current)
    fill = page.js("() => document.querySelector('#canvas g.node.current > polygon').getAttribute('fill')")
    assert module.startswith("m") and fill == "#fdba74"  # this step's colour, on the module's node
    texts = page.js(
        "id => [...[...document.querySelectorAll('#canvas g.node')].find(g => g.querySelector('title')"
        ".textContent === id).querySelectorAll('text')].map(t => t.textContent)",
        module,
    )
    assert texts[0] == "layers.0.neurons.0"
    shown = walk[frame].grads[neuron]
    assert re.fullmatch(rf"data {order[neuron].data:.4g}\s+grad {shown:.4g}", texts[1])
    page.js("walkthrough.go(0)")
    page.tab.click("#fit")
    box = page.box(f"#canvas g.node:has(> title:text-is('{module}'))")
    page.tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.frame() == frame  # where its output's gradient is final


def test_a_collapsed_quiz_asks_every_value_and_scores_them(page, tmp_path):
    model = nn.MLP(2, [2, 1], activation="tanh", output_activation=None, rng=random.Random(0))
    loss = (model([0.5, -1.0]) - 0.5) ** 2
    walk = walkthrough(loss, collapse="neurons", quiz=True)
    loss.backward()  # the engine's gradients: the answers
    order = topological_order(loss)
    page.open(walk.save(tmp_path / "quiz.html"))
    for question in walk.questions:
        k = page.js("walkthrough.go(1e9)")  # stops at the open question
        assert page.js("walkthrough.asking()") == {"frame": k, "label": question.name}
        assert page.js(f"walkthrough.answer('{order[question.node].grad!r}')") == "right"
    assert page.js("walkthrough.go(1e9)") == len(walk) - 1
    asked = len(walk.questions)
    assert asked == len(order) - 1 and page.tab.text_content("#score") == f"Score: {asked}/{asked}"
