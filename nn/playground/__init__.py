"""The Playground: TensorFlow Playground's live page, trained by gradwalk, that traces any point.

``gradwalk playground`` (or `serve`) starts a local server; the page shows and drives
one training `Session` (``nn.playground.session``) whose settings are TensorFlow
Playground's URL state (``nn.playground.lessons``). The server needs the
``playground`` extra (Starlette and uvicorn): ``pip install 'gradwalk[playground]'``.

>>> from nn.playground import Session
>>> Session("#activation=relu&networkShape=3").state()["config"]["networkShape"]
[3]
"""

from __future__ import annotations

from nn.playground.lessons import DEFAULTS, lesson_hash, parse_lesson
from nn.playground.session import Session

__all__ = ["DEFAULTS", "Session", "lesson_hash", "parse_lesson", "serve"]


def serve(port: int = 8765, host: str = "127.0.0.1", open_browser: bool = True, lesson: str = "") -> None:
    """Run the Playground until Ctrl-C (see `nn.playground.server.serve`); returns None.

    Prints ``http://127.0.0.1:PORT/`` and opens it with `webbrowser` unless
    ``open_browser`` is False; `port` 0 picks a free port; `lesson` is a TensorFlow
    Playground link, ``#k=v&...`` or ``k=v&...``.
    """
    from nn.playground import server  # Starlette and uvicorn load only when a server starts

    server.serve(port=port, host=host, open_browser=open_browser, lesson=lesson)
