"""The Playground's web server: Starlette on uvicorn, one `Session`, every tab on one WebSocket each.

The page sends commands (``{"id": 3, "op": "set", "key": "activation", "value": "relu"}``)
and gets a reply to each, with the new state or the message of a refusal; about ten
times a second, while anything changes, every tab gets a snapshot (weights, losses,
heatmaps). Training runs in a thread of its own. The server answers only requests
addressed to it by name (Host) and, for anything that could change the session,
coming from its own page (Origin): no other web page can drive it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    from starlette.websockets import WebSocket, WebSocketDisconnect
except ImportError as missing:  # the playground extra is not installed
    raise ImportError(
        f"the gradwalk playground needs Starlette and uvicorn ({missing.name} is missing): "
        "pip install 'gradwalk[playground]'"
    ) from None

from autograd.render import RenderError, render
from nn.playground.datasets import FEATURE_NAMES
from nn.playground.lessons import MENUS
from nn.playground.session import Session

__all__ = ["DEFAULT_PORT", "create_app", "main", "serve"]

DEFAULT_PORT = 8765
STATIC = Path(__file__).with_name("static")
REFRESH_SECONDS = 0.1  # at most ten snapshots a second
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # an upload's limit is 1 MB; larger messages close the socket
_SAFE_METHODS = ("GET", "HEAD")
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


class OwnPagesOnly:
    """ASGI middleware: 403 for a Host that is not the server's own, and for a WebSocket handshake
    or a request other than GET/HEAD whose Origin is missing or another site's."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.origins = frozenset(f"http://{host}" for host in hosts)

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {
                name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
            }
            needs_origin = scope["type"] == "websocket" or scope["method"] not in _SAFE_METHODS
            refused = headers.get("host") not in self.hosts or (
                needs_origin and headers.get("origin") not in self.origins
            )
            if refused:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})  # uvicorn answers the handshake 403
                else:
                    await PlainTextResponse("403: not this server's own page", status_code=403)(
                        scope, receive, send
                    )
                return
        await self.app(scope, receive, send)


class _Hub:
    """The session, its training thread, and the open tabs it sends snapshots to."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sockets: dict[WebSocket, int] = {}  # each tab, and the data version it last got
        self.stop = threading.Event()
        self.poke = asyncio.Event()

    async def broadcast_forever(self) -> None:
        sent = -1
        while not self.stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.poke.wait(), REFRESH_SECONDS)
            self.poke.clear()
            if not self.sockets or self.session.version == sent:
                continue
            sent = self.session.version
            snapshot = await asyncio.to_thread(self.session.snapshot)
            await self.send_all(snapshot)

    async def send_all(self, snapshot: dict[str, Any]) -> None:
        text = json.dumps({"type": "snapshot", "state": snapshot})
        for websocket, data_version in list(self.sockets.items()):
            message = text
            if data_version != snapshot["dataVersion"]:
                points = await asyncio.to_thread(self.session.points)
                message = json.dumps({"type": "snapshot", "state": {**snapshot, "points": points}})
                self.sockets[websocket] = snapshot["dataVersion"]
            try:
                await websocket.send_text(message)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.sockets.pop(websocket, None)

    def command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Run one command of the page (in a worker thread); a refusal comes back as its message."""
        session, op = self.session, message.get("op")
        actions: dict[str, Callable[[], Any]] = {
            "join": session.snapshot,
            "lesson": lambda: self.open_lesson(str(message.get("hash", ""))),
            "play": session.play,
            "pause": session.pause,
            "step": session.step_epoch,
            "reset": session.reset,
            "restoreBest": session.restore_best,
            "set": lambda: session.set(str(message.get("key")), message.get("value")),
            "upload": lambda: session.upload(message.get("text")),  # type: ignore[arg-type]
            "addPoint": lambda: session.add_point(message.get("x1"), message.get("x2"), message.get("label")),
            "setWeight": lambda: session.set_weight(
                message.get("layer"), message.get("neuron"), message.get("source"), message.get("value")
            ),
            "dismiss": lambda: session.dismiss(message.get("note")),
            "trace": lambda: self.trace(message.get("index")),
            "optimizerTable": session.optimizer_table,
        }
        if op not in actions:
            return {"ok": False, "error": f"unknown command {op!r}; expected one of {', '.join(actions)}"}
        try:
            return {"ok": True, "result": actions[op]()}
        except (ValueError, RenderError) as error:
            text = str(error)
            if op in ("set", "upload", "addPoint", "setWeight", "lesson"):
                session.note(text)
            return {"ok": False, "error": text}

    def open_lesson(self, text: str) -> dict[str, Any]:
        # A tab's opening reply is a whole snapshot, so the tab draws from it without waiting for a
        # broadcast (none comes while the session is paused).
        self.session.apply_lesson(text)
        return self.session.snapshot()

    def trace(self, index: object) -> dict[str, Any]:
        traced = self.session.trace(index)
        svg = render(traced.pop("source"), "svg").decode()
        return {**traced, "svg": svg[svg.index("<svg") :]}


def create_app(session: Session, hosts: Sequence[str]) -> Starlette:
    """The Playground's ASGI app for `session`, answering requests addressed to `hosts` ("host:port").

    >>> app = create_app(Session(), ["127.0.0.1:8765", "localhost:8765"])
    >>> [route.path for route in app.routes]
    ['/', '/model.json', '/walkthrough/{index}', '/ws', '/static']
    """
    hub = _Hub(session)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        trainer = threading.Thread(
            target=session.run, args=(hub.stop,), name="playground-training", daemon=True
        )
        trainer.start()
        broadcaster = asyncio.create_task(hub.broadcast_forever())
        try:
            yield
        finally:
            hub.stop.set()
            broadcaster.cancel()
            with session.lock:
                session.wake.notify_all()

    async def page(request: Request) -> Response:
        websocket = f"ws://{request.headers['host']}"  # 'self' need not cover ws: in every browser
        policy = _HEADERS["Content-Security-Policy"].replace(
            "connect-src 'self'", f"connect-src 'self' {websocket}"
        )
        return FileResponse(STATIC / "index.html", headers={**_HEADERS, "Content-Security-Policy": policy})

    async def model(request: Request) -> Response:
        text = await asyncio.to_thread(session.model_json)
        disposition = {"Content-Disposition": 'attachment; filename="playground-model.json"'}
        return Response(text, media_type="application/json", headers={**_HEADERS, **disposition})

    async def walkthrough(request: Request) -> Response:
        try:
            index = int(request.path_params["index"])
            page_text = await asyncio.to_thread(_walkthrough_page, session, index)
        except (ValueError, RenderError) as error:
            return PlainTextResponse(f"no walkthrough: {error}", status_code=400, headers=_HEADERS)
        return HTMLResponse(page_text, headers={"Cache-Control": "no-store"})

    async def channel(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(json.dumps({"type": "hello", "menus": MENUS, "features": FEATURE_NAMES}))
        hub.sockets[websocket] = -1
        hub.poke.set()
        try:
            while True:
                text = await websocket.receive_text()
                try:
                    message = json.loads(text)
                    if not isinstance(message, dict):
                        raise ValueError
                except ValueError:
                    await websocket.send_text(json.dumps({"type": "reply", "ok": False, "error": "not JSON"}))
                    continue
                reply = await asyncio.to_thread(hub.command, message)
                result = reply.get("result")
                known = hub.sockets.get(websocket)
                if isinstance(result, dict) and result.get("dataVersion", known) != known:
                    # new data: the reply carries the points, so the promise resolves with them
                    result["points"] = await asyncio.to_thread(session.points)
                    hub.sockets[websocket] = result["dataVersion"]
                await websocket.send_text(json.dumps({"type": "reply", "id": message.get("id"), **reply}))
                hub.poke.set()
        except WebSocketDisconnect:
            pass
        finally:
            hub.sockets.pop(websocket, None)

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/model.json", model),
            Route("/walkthrough/{index}", walkthrough),
            WebSocketRoute("/ws", channel),
            Mount("/static", StaticFiles(directory=STATIC)),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(OwnPagesOnly, hosts=hosts)
    return app


def _walkthrough_page(session: Session, index: int) -> str:
    walk = session.walkthrough(index)
    with tempfile.TemporaryDirectory() as folder:
        return walk.save(Path(folder) / "walkthrough.html").read_text(encoding="utf-8")


def _own_hosts(host: str, port: int) -> list[str]:
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}"]
    if host not in ("127.0.0.1", "localhost", "0.0.0.0", "::", ""):  # an address named on purpose
        hosts.append(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    return hosts


def serve(
    port: int = DEFAULT_PORT, host: str = "127.0.0.1", open_browser: bool = True, lesson: str = ""
) -> None:
    """Run the Playground until Ctrl-C: print its URL, open it in the browser, serve every tab.

    `port` 0 picks a free port. `lesson` is a TensorFlow Playground link, ``#k=v&...`` or
    ``k=v&...``, applied before the first tab opens. Returns None when stopped.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 0 to 65535, got {port!r}")
    session = Session(lesson)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise OSError(
            f"cannot listen on {host}:{port}: {error.strerror}; try --port 0 for a free port"
        ) from None
    listener.listen(64)
    port = listener.getsockname()[1]
    url = (
        f"http://127.0.0.1:{port}/"
        if host in ("127.0.0.1", "0.0.0.0", "")
        else f"http://{_own_hosts(host, port)[-1]}/"
    )
    config = uvicorn.Config(
        create_app(session, _own_hosts(host, port)),
        log_level="warning",
        timeout_graceful_shutdown=1,
        ws_max_size=MAX_MESSAGE_BYTES,
        ws="websockets-sansio",
    )
    print(url, flush=True)
    print("Ctrl-C stops the playground.", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises the SIGINT again once it has stopped
        uvicorn.Server(config).run(sockets=[listener])


def main(argv: Sequence[str] | None = None) -> int:
    """``gradwalk playground [--port N] [--host H] [--no-browser] [URL-STATE]``; the exit code.

    >>> main(["--port", "70000", "--no-browser"])  # the message goes to stderr
    1
    """
    parser = argparse.ArgumentParser(
        prog="gradwalk playground",
        description="A live page like TensorFlow Playground, trained by gradwalk: click a point to trace it.",
        epilog='example: gradwalk playground "#activation=relu&networkShape=4,4&dataset=xor"',
    )
    parser.add_argument(
        "lesson", nargs="?", default="", metavar="URL-STATE", help="a Playground link or #k=v&..."
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one"
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    options = parser.parse_args(argv)
    try:
        serve(options.port, options.host, not options.no_browser, options.lesson)
    except (OSError, ValueError) as error:
        print(f"gradwalk playground: error: {error}", file=sys.stderr)
        return 1
    return 0
