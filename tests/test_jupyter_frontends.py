"""The walkthrough inline in real Jupyter front ends: JupyterLab, the Notebook and the classic Notebook.

Each test starts the front end's own server on a free local port, opens a notebook in it,
runs its cell in a real kernel and works the quiz in the page the output shows, as a
student would (VS Code's notebook view is not here to test).
"""

import contextlib
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, MISSING, launched
from tests.processes import ends_soon

nbformat = pytest.importorskip("nbformat", reason="needs nbformat (the test extra)")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python (the test extra)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=MISSING)

CELL = """\
import autograd
from autograd import Value
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
out = (a * b + a).tanh()
out.label = "out"
autograd.walkthrough(out, quiz=True)
"""
# The first value the quiz asks for is #3 = a*b + a = -4, whose gradient is tanh'(-4).
FIRST_GRADIENT = 1 - math.tanh(-4.0) ** 2

# What each front end needs: the module to run, the notebook's address, its options, a test for
# "the notebook is open and its kernel ready" (no kernel to choose by hand), a script that runs
# its cells, and where the cell's output shows the page.
LAB_READY = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = widget && widget.sessionContext && widget.sessionContext.session?.kernel;
    return kernel && kernel.status === "idle" && !document.querySelector(".jp-Dialog");
}"""
# Not awaited: the command's promise settles only when the kernel has run the cell.
LAB_RUN = "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
FRONT_ENDS = {
    "JupyterLab 4": (
        "jupyterlab",
        "lab/tree/quiz.ipynb",
        ("--LabApp.expose_app_in_browser=True",),
        LAB_READY,
        LAB_RUN,
        ".jp-OutputArea-output iframe",
    ),
    "Notebook 7": (
        "notebook",
        "notebooks/quiz.ipynb",
        ("--JupyterNotebookApp.expose_app_in_browser=True",),
        LAB_READY,
        LAB_RUN,
        ".jp-OutputArea-output iframe",
    ),
    "classic Notebook": (
        "nbclassic",
        "nbclassic/notebooks/quiz.ipynb",
        (),
        "() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
        " && Jupyter.notebook.kernel.is_connected() && !document.querySelector('.modal.in')",
        "() => { Jupyter.notebook.execute_all_cells(); }",
        ".output_area iframe",
    ),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(module: str, options: tuple[str, ...], folder: Path) -> Iterator[str]:
    """The front end's server for `folder`, on a free port with no token; yields its address."""
    pytest.importorskip(module, reason=f"needs {module} (the test extra)")
    port = free_port()
    home = folder / "home"  # settings, workspaces and runtime files stay in the test's folder
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config")}
    env |= {"JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings")}
    env |= {"JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    command = [sys.executable, "-m", module, "--no-browser", "--ip=127.0.0.1", f"--port={port}", *options]
    command += ["--IdentityProvider.token=", "--ServerApp.root_dir=" + str(folder), "--allow-root"]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(address + "api/status", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{module} did not start:\n{(folder / 'server.log').read_text()}")
                time.sleep(0.5)
        yield address
    finally:
        process.terminate()
        assert ends_soon(process.pid, 20)
        process.wait()
        log.close()


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_the_quiz_runs_inline_in_the_front_end(front_end, tmp_path):
    module, path, options, ready, run, output = FRONT_ENDS[front_end]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "quiz.ipynb")
    with server(module, options, tmp_path) as address, launched() as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(address + path, wait_until="domcontentloaded")
        tab.wait_for_function(ready, timeout=90_000)
        tab.evaluate(run)
        iframe = tab.wait_for_selector(output, timeout=90_000)
        box = iframe.bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 400  # shown at a usable size
        page = iframe.content_frame()
        assert page is not None
        page.wait_for_function("window.walkthrough && window.walkthrough.frame() === 0")
        asked = page.evaluate(
            """() => { const w = window.walkthrough;
                for (let k = 0; k < 50 && w.asking() === null; k++) w.go(k);
                return w.asking(); }"""
        )
        assert asked["label"] == "#3"
        assert page.evaluate("text => window.walkthrough.answer(text)", f"{FIRST_GRADIENT:.4g}") == "right"
        second = page.evaluate(
            """() => { const w = window.walkthrough;
                for (let k = w.frame(); k < 50 && w.asking() === null; k++) w.go(k);
                return w.asking(); }"""
        )
        assert second is not None and second["frame"] > asked["frame"]
        answers = [page.evaluate("() => window.walkthrough.answer('12345')") for _ in range(2)]
        assert answers == ["wrong", "revealed"]
        assert page.evaluate("() => window.walkthrough.score()") == {"right": 1, "asked": 4}
