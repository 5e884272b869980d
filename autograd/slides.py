"""Walkthrough frames as slides of an exact size: the title, the graph fitted in, the step's text under it.

`Walkthrough.save_frames(folder, "png", size=(1920, 1080))` comes here. PNG slides
are composed with Pillow (the ``demo`` and ``test`` extras install it); SVG slides
are plain text: the graph's own SVG nested in a page of exactly that size.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd.render import render

if TYPE_CHECKING:
    from autograd.walkthrough import Frame

__all__ = ["check_size", "slide"]

_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
_MAX_UPSCALE = 2.0  # a small graph is enlarged at most this much: more would blur it


def check_size(size: object, image_format: str) -> tuple[int, int]:
    """`size` as (width, height) in pixels, each at least 320 × 180, or a `ValueError` saying what is wrong.

    >>> check_size((1920, 1080), "png")
    (1920, 1080)
    >>> check_size((1920, 1080), "pdf")
    Traceback (most recent call last):
    ...
    ValueError: slides (size=...) are written as svg or png, not 'pdf'
    """
    if image_format not in ("svg", "png"):
        raise ValueError(f"slides (size=...) are written as svg or png, not {image_format!r}")
    if (
        not isinstance(size, tuple)
        or len(size) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in size)
        or size[0] < 320
        or size[1] < 180
    ):
        raise ValueError(f"size must be (width, height) in whole pixels, at least (320, 180), got {size!r}")
    return size[0], size[1]


class _Layout:
    """Where a slide's parts go: title band, graph area, text band, in pixels."""

    def __init__(self, size: tuple[int, int], steps: int) -> None:
        self.width, self.height = size
        self.margin = round(self.height * 0.03)
        self.title_size = round(self.height / 24)
        self.text_size = round(self.height / 36)
        self.line = round(self.text_size * 1.35)
        self.title_bottom = self.margin + round(self.title_size * 1.4)
        self.max_lines = max(1, int(self.height * 0.3) // self.line)
        self.lines = min(steps, self.max_lines)
        self.text_top = self.height - self.margin - self.lines * self.line
        self.graph_box = (
            self.margin,
            self.title_bottom,
            self.width - 2 * self.margin,
            self.text_top - self.title_bottom - self.margin // 2,
        )

    def wrap(self, steps: tuple[str, ...], fits: Any) -> list[str]:
        """The steps as lines that fit (`fits(text)`), at most `max_lines`: the last says what is left out."""
        lines: list[str] = []
        for step in steps:
            words = step.split(" ")
            current = ""
            for word in words:
                candidate = f"{current} {word}" if current else word
                if current and not fits(candidate):
                    lines.append(current)
                    current = "    " + word
                else:
                    current = candidate
            lines.append(current)
        if len(lines) > self.max_lines:
            left_out = len(lines) - self.max_lines + 1
            lines = [
                *lines[: self.max_lines - 1],
                f"… and {left_out} more lines (see the page or print(walk[i]))",
            ]
        return lines


def slide(frame: Frame, size: tuple[int, int], image_format: str, *, timeout: float) -> bytes:
    """`frame` as one slide of exactly `size` pixels, in ``"png"`` or ``"svg"``."""
    if image_format == "svg":
        return _svg_slide(frame, size, timeout)
    return _png_slide(frame, size, timeout)


def _png_slide(frame: Frame, size: tuple[int, int], timeout: float) -> bytes:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "PNG slides (save_frames(..., 'png', size=...)) need Pillow: pip install 'gradwalk[demo]' "
            "(or pip install pillow), or write SVG slides with save_frames(..., 'svg', size=...)"
        ) from None

    def font(pixels: int) -> Any:
        for path in _FONT_FILES:
            if Path(path).is_file():
                return ImageFont.truetype(path, pixels)
        return ImageFont.load_default(size=pixels)

    probe = _Layout(size, 1)
    text_font = font(probe.text_size)
    width = probe.width - 2 * probe.margin
    lines = probe.wrap(frame.steps, lambda text: text_font.getlength(text) <= width)
    layout = _Layout(size, len(lines))
    canvas = Image.new("RGB", size, "white")
    pen = ImageDraw.Draw(canvas)
    pen.text((layout.margin, layout.margin), frame.title, fill="#111827", font=font(layout.title_size))
    graph = Image.open(io.BytesIO(render(frame.drawing.source, "png", timeout=timeout))).convert("RGB")
    left, top, box_width, box_height = layout.graph_box
    scale = min(box_width / graph.width, box_height / graph.height, _MAX_UPSCALE)
    fitted = graph.resize(
        (max(1, round(graph.width * scale)), max(1, round(graph.height * scale))), Image.Resampling.LANCZOS
    )
    canvas.paste(fitted, (left + (box_width - fitted.width) // 2, top + (box_height - fitted.height) // 2))
    for k, line in enumerate(lines):
        pen.text((layout.margin, layout.text_top + k * layout.line), line, fill="#111827", font=text_font)
    output = io.BytesIO()
    canvas.save(output, "PNG")
    return output.getvalue()


def _svg_slide(frame: Frame, size: tuple[int, int], timeout: float) -> bytes:
    probe = _Layout(size, 1)
    characters = int(
        (probe.width - 2 * probe.margin) / (probe.text_size * 0.55)
    )  # a sans-serif's average width
    lines = probe.wrap(frame.steps, lambda text: len(text) <= characters)
    layout = _Layout(size, len(lines))
    left, top, box_width, box_height = layout.graph_box
    graph = render(frame.drawing.source, "svg", timeout=timeout).decode()
    graph = graph[graph.index("<svg") :]
    # The graph's own <svg> becomes a nested one filling the graph area; its viewBox keeps the aspect.
    graph = re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        f'<svg x="{left}" y="{top}" width="{box_width}" height="{box_height}"',
        graph,
        count=1,
    )
    texts = [
        f'<text x="{layout.margin}" y="{layout.text_top + (k + 0.8) * layout.line:.0f}" '
        f'font-size="{layout.text_size}">{html.escape(line)}</text>'
        for k, line in enumerate(lines)
    ]
    width, height = size
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" fill="#111827">\n'
        f'<rect width="{width}" height="{height}" fill="white"/>\n'
        f'<text x="{layout.margin}" y="{layout.margin + layout.title_size}" font-size="{layout.title_size}">'
        f"{html.escape(frame.title)}</text>\n{graph}\n" + "\n".join(texts) + "\n</svg>\n"
    )
    return document.encode()
