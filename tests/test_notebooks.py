"""Notebooks in a real Jupyter kernel: a demo opened as a notebook, and a small notebook of our own.

Each is executed with nbclient and ipykernel, as Jupyter runs it; the tests read the
outputs the kernel sent: the SVG of every drawing, the walkthrough's page as HTML.
"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs nbformat (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="needs nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="needs ipykernel (the test extra)")

ROOT = Path(__file__).resolve().parents[1]


def cells_of(script: str) -> list:
    """A ``# %%`` script as notebook cells, as VS Code and jupytext read it: ``# %% [markdown]`` is prose."""
    cells = []
    for chunk in re.split(r"^# %%", script, flags=re.MULTILINE)[1:]:
        header, _, body = chunk.partition("\n")
        if "[markdown]" in header:
            text = "\n".join(line.removeprefix("# ").removeprefix("#") for line in body.strip().splitlines())
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cells.append(nbformat.v4.new_code_cell(body.strip()))
    return cells


def execute(cells, folder: Path):
    """Run the cells in a fresh kernel started in `folder`; return the executed notebook."""
    notebook = nbformat.v4.new_notebook(cells=cells)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def outputs(notebook, kind: str) -> list[str]:
    """Every output of type `kind` (a MIME type) the kernel sent, as text."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if kind in data:
                value = data[kind]
                found.append(value if isinstance(value, str) else "".join(value))
    return found


def printed(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def test_a_small_notebook_shows_drawings_walkthroughs_and_frames(tmp_path):
    code = [
        "from autograd import Value, draw, walkthrough\n"
        "x, w = Value(2.0, label='x'), Value(-3.0, label='w')\n"
        "o = (x * w).tanh(); o.label = 'o'\n"
        "walk = walkthrough(o, quiz=True)",
        "draw(o)",
        "walk",
        "walk[1]",
    ]
    notebook = execute([nbformat.v4.new_code_cell(source) for source in code], tmp_path)
    svgs = outputs(notebook, "image/svg+xml")
    assert len(svgs) == 1 and "<svg" in svgs[0]  # the drawing
    page, frame = outputs(notebook, "text/html")
    assert (
        page.startswith("<iframe srcdoc=") and "walkthrough-data" in page and "&quot;quiz&quot;:true" in page
    )
    assert "<svg" in frame and "<h4>Backward step 1 of 4: o</h4>" in frame


@pytest.mark.slow
def test_the_walkthrough_demo_as_a_notebook_shows_every_drawing_and_writes_to_out():
    # The kernel starts in demos/, as opening demos/walkthrough.py in Jupyter does.
    script = (ROOT / "demos" / "walkthrough.py").read_text(encoding="utf-8")
    notebook = execute(cells_of(script), ROOT / "demos")
    svgs = outputs(notebook, "image/svg+xml")
    assert len(svgs) == 6  # steps 3 to 8, each shown once though saved as .svg and .png
    assert all("<svg" in svg for svg in svgs)
    pages = [html for html in outputs(notebook, "text/html") if html.startswith("<iframe srcdoc=")]
    assert len(pages) == 1 and "walkthrough-data" in pages[0]  # the walkthrough, interactive
    assert len(outputs(notebook, "image/png")) >= 1  # matplotlib's figure, inline as before
    out = ROOT / "out"
    text = printed(notebook)
    assert f"to {out}/" in text and f"  {out / 'walkthrough.html'}" in text  # the printout names out/
    assert (out / "walkthrough.html").is_file() and (out / "walkthrough_step6_layer3.svg").is_file()
    assert not (ROOT / "demos" / "out").exists()
