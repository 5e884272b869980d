"""The server over plain HTTP: its own Host and Origin only, its files, Ctrl-C, and its command line."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("starlette", reason="needs the playground extra: pip install 'gradwalk[playground]'")
pytest.importorskip("uvicorn", reason="needs the playground extra: pip install 'gradwalk[playground]'")

import nn
from autograd.cli import main
from tests.playground.server import Server


@pytest.fixture(scope="module")
def server():
    running = Server()
    yield running
    running.stop()


def test_it_prints_its_url_and_serves_the_page_and_its_files(server):
    assert server.url == f"http://127.0.0.1:{server.port}/"
    status, page = server.get("/")
    assert status == 200 and b'<script src="/static/playground.js">' in page
    assert b"http" not in page.replace(b"http-equiv", b"")  # nothing from the network
    for name in ("playground.js", "playground.css"):
        status, body = server.get(f"/static/{name}")
        assert status == 200 and b"http://" not in body and b"https://" not in body
    assert server.get("/", headers={"Host": f"localhost:{server.port}"})[0] == 200
    assert server.get("/", method="HEAD")[0] == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1", "127.0.0.1:1", "localhost.evil.example:{port}"]
)
def test_a_request_for_another_host_is_refused(server, host):
    assert server.get("/", headers={"Host": host.format(port=server.port)})[0] == 403
    assert server.get("/model.json", headers={"Host": host.format(port=server.port)})[0] == 403


def test_a_request_without_a_host_is_refused_by_the_http_layer(server):
    assert server.get("/", headers={"Host": None})[0] == 400  # HTTP/1.1 requires Host: h11 refuses it


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_post_without_its_own_origin_is_refused(server, origin):
    assert server.get("/", method="POST", headers={"Origin": origin})[0] == 403


def test_a_post_from_its_own_page_passes_the_origin_check(server):
    # The page itself never posts; the app answers "method not allowed", not 403.
    assert server.get("/", method="POST", headers={"Origin": f"http://127.0.0.1:{server.port}"})[0] == 405


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://localhost:1"])
def test_a_websocket_without_its_own_origin_is_refused(server, origin):
    status, connection = server.websocket(origin)
    connection.close()
    assert status == 403


def test_a_websocket_from_its_own_page_is_accepted(server):
    for origin in (f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"):
        status, connection = server.websocket(origin)
        connection.close()
        assert status == 101
    status, connection = server.websocket(f"http://127.0.0.1:{server.port}", host="evil.example")
    connection.close()
    assert status == 403


def test_the_model_export_reads_with_nn_load_and_the_walkthrough_is_a_page(server, tmp_path):
    status, body = server.get("/model.json")
    assert status == 200
    (tmp_path / "model.json").write_bytes(body)
    state = nn.load(tmp_path / "model.json")
    assert len(state) == 4 * 3 + 2 * 5 + 3 and next(iter(state)) == "layers.0.neurons.0.w.0"
    status, page = server.get("/walkthrough/0")
    # one frame per value and two more (the forward values, all the gradients): 51 + 2
    assert status == 200 and b"backward pass of loss" in page and b"frame 0 of 52" in page
    status, body = server.get("/walkthrough/9999")
    assert status == 400 and b"trace(9999) is refused" in body


def test_ctrl_c_exits_0_within_2_seconds_with_live_connections_open():
    running = Server("#networkShape=8,8,8&activation=relu")
    status, websocket = running.websocket(f"http://127.0.0.1:{running.port}")
    assert status == 101
    idle = socket.create_connection(("127.0.0.1", running.port))  # a keep-alive connection, mid-nothing
    websocket.sendall(_frame(json.dumps({"id": 1, "op": "play"})))
    code, seconds = running.stop()
    websocket.close()
    idle.close()
    assert code == 0 and seconds < 2.0


def _frame(text: str) -> bytes:
    """One masked WebSocket text frame (clients must mask), for a payload under 126 bytes."""
    payload, mask = text.encode(), b"\x01\x02\x03\x04"
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_a_port_in_use_is_an_error_naming_it(capsys):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        assert main(["playground", "--port", str(port), "--no-browser"]) == 1
    finally:
        taken.close()
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_command_line_help_names_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["playground", "--help"])
    text = capsys.readouterr().out
    assert all(option in text for option in ("--port", "--host", "--no-browser", "URL-STATE"))


def test_serve_from_python_opens_the_browser_prints_the_url_and_returns_none_on_ctrl_c(tmp_path):
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with the URL for %s: here a script that writes it down.
    write_down = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    browser = f'{sys.executable} -c "{write_down}" {opened} %s'
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import nn; print('returned', nn.playground.serve(port=0, lesson='#activation=relu'))",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "BROWSER": browser, "PYTHONUNBUFFERED": "1"},
    )
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    deadline = time.monotonic() + 10
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened.read_text() == url
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=10)
    assert process.returncode == 0 and rest.splitlines()[-1] == "returned None"
