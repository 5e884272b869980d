"""Turning DOT text into images with a Graphviz-compatible program.

The program is, in order: the one the ``GRADWALK_DOT`` environment variable
names (a path, or a name looked up on ``PATH`` and in the scripts folder);
Graphviz's ``dot`` on ``PATH``; the ``graphviz-pure`` program that pip installs
with gradwalk, looked up in the running Python's scripts folder (which need not
be on ``PATH``: a virtual environment used without activating it), then on
``PATH``. This module only runs that program; it never reads a graph.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sysconfig

__all__ = ["FORMATS", "RenderError", "find_renderer", "render"]

FORMATS = ("svg", "png", "pdf")
TIMEOUT_SECONDS = 60.0
# Neither renderer caps a bitmap: a 5,000-node PNG can take minutes and gigabytes.
# At most 40 inches at 96 dpi, 3,840 pixels a side; larger drawings are scaled down.
PNG_CAP = ("-Gdpi=96", "-Gsize=40,40")

# How each format's output begins: a renderer exiting 0 without this wrote no image.
_IMAGE_STARTS = {
    "svg": (b"<?xml", b"<svg", b"<!DOCTYPE svg"),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF",),
}

HOW_TO_GET_A_RENDERER = (
    "To render, gradwalk needs Graphviz's `dot` or `graphviz-pure`: "
    "`pip install graphviz-pure` (no system package needed), "
    "or install Graphviz (`apt install graphviz`, `brew install graphviz`, `conda install graphviz`), "
    "or set GRADWALK_DOT to the path of a dot-compatible program. "
    "Without one, Drawing.save('graph.dot') still writes the DOT source."
)


class RenderError(RuntimeError):
    """The renderer is missing, failed or timed out; the message says what it printed and what to do."""


def find_renderer() -> str:
    """The path of the program that renders DOT, or `RenderError` if there is none.

    >>> import os
    >>> os.path.isfile(find_renderer())
    True
    """
    scripts = sysconfig.get_path("scripts")
    named = os.environ.get("GRADWALK_DOT")
    if named:
        path = shutil.which(named) or shutil.which(named, path=scripts)
        if path is None:
            raise RenderError(
                f"GRADWALK_DOT is set to {named!r}, which is not an executable program: set it to "
                f"one (e.g. /usr/bin/dot), or unset it to let gradwalk find one. {HOW_TO_GET_A_RENDERER}"
            )
        return path
    path = shutil.which("dot") or shutil.which("graphviz-pure", path=scripts) or shutil.which("graphviz-pure")
    if path is None:
        raise RenderError(f"No renderer found. {HOW_TO_GET_A_RENDERER}")
    return path


def render(
    source: str,
    image_format: str = "svg",
    *,
    timeout: float | None = None,
    size: tuple[int, int] | None = None,
) -> bytes:
    """The DOT `source` rendered as `image_format`: ``"svg"``, ``"png"`` or ``"pdf"``.

    PNG size is capped (see ``PNG_CAP``). `size` ``(width, height)`` in pixels instead
    scales the picture, aspect kept, to fill at most that box (an SVG's pixels at
    96 per inch, as browsers count them). PDF needs Graphviz's ``dot``: graphviz-pure
    writes no PDF. `timeout` defaults to ``TIMEOUT_SECONDS``; a renderer that takes
    longer is killed with every process it started. Output that is not an image of
    that format (nothing at all, say) is a `RenderError`, even on exit code 0.

    >>> render("digraph { a -> b }").startswith(b"<?xml")
    True
    """
    if image_format not in FORMATS:
        raise ValueError(f"unknown image format {image_format!r}; expected one of {', '.join(FORMATS)}")
    program = find_renderer()
    if image_format == "pdf" and _is_graphviz_pure(program):
        raise ValueError(
            f"PDF needs Graphviz's dot, but the renderer is graphviz-pure ({program}), which writes "
            "SVG and PNG only. Install Graphviz (`apt install graphviz`, `brew install graphviz`) "
            "or save as .svg or .png."
        )
    if size is not None:  # "!": scaled up as well as down; a hair under, so that rounding stays inside
        fit = f"-Gsize={(size[0] - 0.5) / 96:.4f},{(size[1] - 0.5) / 96:.4f}!"
        options: tuple[str, ...] = ("-Gdpi=96", fit) if image_format == "png" else (fit,)
    else:
        options = PNG_CAP if image_format == "png" else ()
    command = [program, f"-T{image_format}", *options]
    seconds = TIMEOUT_SECONDS if timeout is None else timeout
    try:
        done = _run(command, source.encode(), seconds)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{program} did not finish rendering {image_format.upper()} within {seconds:g} s. "
            "Draw a smaller graph (see max_nodes), or save it as .dot and render it yourself. "
            "To use another renderer, set GRADWALK_DOT to a dot-compatible program."
        ) from None
    except OSError as error:
        raise RenderError(f"could not run {program}: {error}. {HOW_TO_GET_A_RENDERER}") from None
    # A renderer that fails still prints partial output, so the exit code decides;
    # stderr alone (e.g. font metric warnings) is not a failure.
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or "(no message)"
        raise RenderError(
            f"{program} failed (exit code {done.returncode}) rendering {image_format.upper()}: {message}\n"
            f"If this renderer is broken, use another. {HOW_TO_GET_A_RENDERER}"
        )
    image = done.stdout
    if not image.lstrip().startswith(_IMAGE_STARTS[image_format]):
        shown = repr(image[:40]) + ("..." if len(image) > 40 else "") if image else "nothing"
        raise RenderError(
            f"{program} exited 0 but wrote no {image_format.upper()} image (its output: {shown}). "
            f"If this renderer is broken, use another. {HOW_TO_GET_A_RENDERER}"
        )
    return image


def _run(command: list[str], stdin: bytes, seconds: float) -> subprocess.CompletedProcess[bytes]:
    """Run `command` in a session of its own, so that on a timeout the whole process group is
    killed (a wrapper script's children too, which would otherwise keep the pipes open)."""
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(stdin, timeout=seconds)
        except BaseException:  # a timeout, or Ctrl-C: its own session gets no SIGINT, so end it here
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _is_graphviz_pure(program: str) -> bool:
    """Whether `program` is graphviz-pure, by what it says its version is (dot prints it on stderr)."""
    try:
        done = _run([program, "-V"], b"", TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"graphviz-pure" in done.stdout + done.stderr
