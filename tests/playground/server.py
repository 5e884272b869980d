"""Starting a real Playground server for a test: ``gradwalk playground --port 0 --no-browser``."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time


class Server:
    """A `gradwalk playground` process on a free port; `stop` sends it Ctrl-C (SIGINT)."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograd", "playground", "--port", "0", "--no-browser", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.process.kill()
            raise RuntimeError(f"the server printed {self.url!r}; stderr: {self.process.stderr.read()}")
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def get(
        self, path: str = "/", method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest(method, path, skip_host=True)
        for name, value in {"Host": f"127.0.0.1:{self.port}", **(headers or {})}.items():
            if value is not None:
                connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def websocket(self, origin: str | None, host: str | None = None) -> tuple[int, socket.socket]:
        """A WebSocket handshake on /ws: the HTTP status and the open socket."""
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        lines = [
            "GET /ws HTTP/1.1",
            f"Host: {host or f'127.0.0.1:{self.port}'}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
        ]
        if origin is not None:
            lines.append(f"Origin: {origin}")
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return int(connection.recv(4096).split()[1]), connection

    def stop(self) -> tuple[int, float]:
        """Send Ctrl-C; the exit code and the seconds it took to exit."""
        start = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, time.monotonic() - start
