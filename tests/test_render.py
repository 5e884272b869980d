"""autograd.render: which program renders, and what happens when it fails."""

import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from autograd import RenderError
from autograd.render import find_renderer, render
from tests.processes import ends_soon

SCRIPTS = sysconfig.get_path("scripts")
SYSTEM_DOT = shutil.which("dot")
RENDERERS = [
    pytest.param(SYSTEM_DOT, id="dot", marks=pytest.mark.skipif(SYSTEM_DOT is None, reason="no system dot")),
    pytest.param(shutil.which("graphviz-pure", path=SCRIPTS), id="graphviz-pure"),
]


def fake_renderer(folder: Path, name: str, body: str) -> Path:
    """An executable Python program called `name` in `folder` running `body` (sys is imported)."""
    program = folder / name
    program.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    program.chmod(0o755)
    return program


@pytest.fixture
def no_dot_on_path(monkeypatch, tmp_path):
    """A machine without Graphviz: PATH holds nothing, GRADWALK_DOT is unset."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("GRADWALK_DOT", raising=False)
    return empty


def test_without_system_dot_graphviz_pure_is_found_in_the_scripts_folder(no_dot_on_path):
    assert Path(find_renderer()) == Path(SCRIPTS) / "graphviz-pure"
    assert render("digraph { a -> b }", "svg").startswith(b"<?xml")


def test_system_dot_on_path_comes_first(no_dot_on_path):
    dot = fake_renderer(no_dot_on_path, "dot", "sys.stdout.write('<svg>from dot</svg>')")
    assert find_renderer() == str(dot)
    assert render("digraph { a }") == b"<svg>from dot</svg>"


def test_gradwalk_dot_names_the_program(no_dot_on_path, monkeypatch, tmp_path):
    fake_renderer(no_dot_on_path, "dot", "sys.stdout.write('<svg>from dot</svg>')")
    mine = fake_renderer(tmp_path, "my-dot", "sys.stdout.write('<svg>from mine ' + ' '.join(sys.argv[1:]))")
    monkeypatch.setenv("GRADWALK_DOT", str(mine))
    assert render("digraph { a }", "svg") == b"<svg>from mine -Tsvg"
    monkeypatch.setenv("GRADWALK_DOT", "graphviz-pure")  # a bare name is also looked up in the scripts folder
    assert Path(find_renderer()) == Path(SCRIPTS) / "graphviz-pure"


def test_gradwalk_dot_naming_nothing_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(
        RenderError, match=r"GRADWALK_DOT is set to '.*no-such-dot', which is not an executable"
    ):
        find_renderer()


def test_no_renderer_at_all_says_how_to_get_one(no_dot_on_path, monkeypatch):
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(no_dot_on_path))
    with pytest.raises(RenderError) as missing:
        render("digraph { a }")
    message = str(missing.value)
    assert isinstance(missing.value, RuntimeError)
    for advice in ("pip install graphviz-pure", "apt install graphviz", "GRADWALK_DOT", ".dot"):
        assert advice in message


def test_a_failing_renderer_raises_with_its_message(monkeypatch, tmp_path):
    # Real renderers print partial output and exit 1 on a bad label: the exit code decides.
    program = fake_renderer(
        tmp_path, "bad-dot", "print('<svg partial'); sys.stderr.write('Error: bad label'); sys.exit(1)"
    )
    monkeypatch.setenv("GRADWALK_DOT", str(program))
    with pytest.raises(RenderError, match=r"failed \(exit code 1\) rendering SVG: Error: bad label"):
        render("digraph { a }")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_real_renderers_report_a_syntax_error(renderer, monkeypatch):
    monkeypatch.setenv("GRADWALK_DOT", renderer)
    with pytest.raises(RenderError, match="syntax error"):
        render("digraph { a -> }")


def test_warnings_on_stderr_are_not_failures(monkeypatch, tmp_path):
    program = fake_renderer(
        tmp_path, "chatty-dot", "sys.stderr.write('Warning: no font metrics'); print('<svg/>')"
    )
    monkeypatch.setenv("GRADWALK_DOT", str(program))
    assert render("digraph { a }") == b"<svg/>\n"


def test_a_renderer_that_hangs_is_stopped(monkeypatch, tmp_path):
    program = fake_renderer(tmp_path, "slow-dot", "time.sleep(30)")
    monkeypatch.setenv("GRADWALK_DOT", str(program))
    with pytest.raises(RenderError, match=r"did not finish rendering SVG within 0.5 s"):
        render("digraph { a }", timeout=0.5)


@pytest.mark.slow
def test_a_hanging_wrapper_script_is_killed_with_its_children(monkeypatch, tmp_path):
    child_pid = tmp_path / "child.pid"
    wrapper = tmp_path / "wrapper-dot"
    wrapper.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {child_pid}\nwait\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("GRADWALK_DOT", str(wrapper))
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"did not finish rendering SVG within 1 s"):
        render("digraph { a }", timeout=1.0)
    assert time.monotonic() - started < 10  # the child kept the pipe open: without the group kill, a hang
    assert ends_soon(int(child_pid.read_text()))


@pytest.mark.parametrize(
    ("body", "image_format", "shown"),
    [
        ("sys.stdin.read()", "svg", "nothing"),
        ("print('all fine')", "svg", r"b'all fine\\n'"),
        ("sys.stdout.write('<svg/>')", "png", r"b'<svg/>'"),
    ],
)
def test_a_renderer_exiting_0_without_an_image_is_an_error(monkeypatch, tmp_path, body, image_format, shown):
    program = fake_renderer(tmp_path, "quiet-dot", body)
    monkeypatch.setenv("GRADWALK_DOT", str(program))
    with pytest.raises(
        RenderError, match=f"exited 0 but wrote no {image_format.upper()} image \\(its output: {shown}\\)"
    ):
        render("digraph { a }", image_format)


def test_unknown_formats_are_refused():
    with pytest.raises(ValueError, match=r"unknown image format 'jpg'; expected one of svg, png, pdf"):
        render("digraph { a }", "jpg")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_png_size_is_capped(renderer, monkeypatch):
    monkeypatch.setenv("GRADWALK_DOT", renderer)
    wide = "digraph { rankdir=LR; " + " -> ".join(f"n{i}" for i in range(300)) + " }"
    png = render(wide, "png")
    width, height = struct.unpack(">II", png[16:24])
    assert png.startswith(b"\x89PNG") and width <= 3840 and height <= 3840


def test_an_unactivated_virtualenv_without_dot_renders(tmp_path):
    # As `.venv/bin/python demo.py` on a machine without Graphviz: PATH has neither dot nor the venv.
    env = {key: value for key, value in os.environ.items() if key != "GRADWALK_DOT"}
    env["PATH"] = str(tmp_path)
    program = (
        "from autograd import Value, draw; from autograd.render import find_renderer; "
        "x = Value(2.0, label='x'); print(find_renderer()); draw(x * x).save('graph.svg')"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert Path(done.stdout.strip()) == Path(SCRIPTS) / "graphviz-pure"
    assert b"<svg" in (tmp_path / "graph.svg").read_bytes()
