"""`grade --open`'s proxy: the port that stands in for a site and passes the page's calls to
the learner's app. It runs on the learner's own machine while they browse the web, so it
answers only the page it serves: each test below is an attack that once got through."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from grader.live.browser import Browser
from tests.conftest import ROOT
from tests.test_browser import needs_chromium
from tests.test_page import OpenGrade

PRODUCTION = ROOT / "solution/cors-production/main.py"
FRONTEND = "https://notes.example.com"  # the origin cors-production's page stands in for
MiB = 1024 * 1024


@pytest.fixture
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="gx-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Proxy:
    """Where the page sends one site's calls, as the page itself learns it (its event stream)."""

    page_origin: str  # http://127.0.0.1:PAGE
    port: int
    base: str  # the path every call's path follows (the run's key), "" if none

    def target(self, path: str) -> str:
        return self.base + path


def first_proxy(grade: OpenGrade) -> Proxy:
    """The first site's proxy, read from the page's event stream once the learner's app runs."""
    with httpx.stream("GET", grade.url + "events", timeout=60) as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "app":
                state = json.loads(line[6:])
                if state["state"] == "running":
                    address = urlsplit(state["sites"][0]["proxy"])
                    assert address.hostname == "127.0.0.1" and address.port
                    return Proxy(grade.url.rstrip("/"), address.port, address.path.rstrip("/"))
    raise AssertionError("the page never said the learner's app runs")


def raw(port: int, target: str, headers: dict[str, str], body: bytes = b"", method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request written byte for byte (httpx would clean the target up), to
    127.0.0.1:port; the answer's status, headers (lower-case names) and body."""
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items()), "Connection: close"]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return _answer(sock)


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:  # after the answer: the proxy closed on a body it did not read
        if not data:
            raise
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def ours(proxy: Proxy, **more: str) -> dict[str, str]:
    """The headers of a call the page itself makes."""
    return {"Host": f"127.0.0.1:{proxy.port}", "Origin": proxy.page_origin, **more}


def note_one_is_there(proxy: Proxy) -> bool:
    status, _, body = raw(proxy.port, proxy.target("/notes"), ours(proxy))
    assert status == 200, body
    return any(note.get("id") == 1 for note in json.loads(body))


@pytest.fixture
def production(scratch: Path) -> Iterator[tuple[OpenGrade, Proxy]]:
    """cors-production's solution under `grade --open`: its frontend's site is proxied, with cookies."""
    learner = scratch / "main.py"
    shutil.copy(PRODUCTION, learner)
    grade = OpenGrade(scratch, learner, lesson="cors-production")
    try:
        yield grade, first_proxy(grade)
    finally:
        grade.stop()


def test_proxy_refuses_calls_from_any_other_origin(production: tuple[OpenGrade, Proxy]) -> None:
    """Another website's script, run in the learner's browser, must not read or change the
    learner's app through the proxy: it once read /notes with cookies and deleted a note."""
    _, proxy = production
    stranger = {"Host": f"127.0.0.1:{proxy.port}", "Origin": "https://attacker.example", "Cookie": "session=abc"}
    status, headers, _ = raw(proxy.port, proxy.target("/notes"), stranger)
    assert status == 403
    assert "access-control-allow-origin" not in headers
    preflight = {**stranger, "Access-Control-Request-Method": "DELETE"}
    status, headers, _ = raw(proxy.port, proxy.target("/notes/1"), preflight, method="OPTIONS")
    assert status == 403 and "access-control-allow-origin" not in headers
    status, _, _ = raw(proxy.port, proxy.target("/notes/1"), stranger, method="DELETE")
    assert status == 403
    # No Origin at all (a script outside any browser, or a navigation): not the page either.
    status, _, body = raw(proxy.port, proxy.target("/notes"), {"Host": f"127.0.0.1:{proxy.port}"})
    assert status == 403 and b"lesson page" in body
    assert note_one_is_there(proxy)


def test_proxy_answers_only_its_own_host_names(production: tuple[OpenGrade, Proxy]) -> None:
    """DNS rebinding: a site that points its own name at 127.0.0.1 sends its name as Host."""
    _, proxy = production
    for host in ("attacker.example", f"attacker.example:{proxy.port}", f"127.0.0.1:{proxy.port + 1}", "127.0.0.1"):
        status, headers, _ = raw(proxy.port, proxy.target("/notes"), ours(proxy, Host=host))
        assert status == 400, host
        assert "access-control-allow-origin" not in headers
    status, _, _ = raw(proxy.port, proxy.target("/notes"), ours(proxy, Host=f"localhost:{proxy.port}"))
    assert status == 200


class _Secret(http.server.BaseHTTPRequestHandler):
    """Another local service on the learner's machine, with something only it should say."""

    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b"another service's secret"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_service() -> Iterator[tuple[int, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Secret)
    _Secret.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Secret.seen
    finally:
        server.shutdown()
        server.server_close()


def test_proxy_forwards_only_paths_of_the_learners_app(production: tuple[OpenGrade, Proxy], other_service: tuple[int, list[str]]) -> None:
    """A request target that is not a path (`@host:port/...` once became the userinfo of the
    upstream address) must never reach anything but the learner's app."""
    _, proxy = production
    port, seen = other_service
    targets = [
        f"@127.0.0.1:{port}/secret",
        proxy.base + f"@127.0.0.1:{port}/secret",
        f"http://127.0.0.1:{port}/secret",
        f"//127.0.0.1:{port}/secret",
        proxy.base + f"//127.0.0.1:{port}/secret",
        "*",
    ]
    for target in targets:
        status, _, body = raw(proxy.port, target, ours(proxy))
        assert b"another service" not in body, target
        assert status in {400, 403, 404}, (target, status, body)
    assert seen == []
    assert note_one_is_there(proxy)


def test_state_changing_calls_carry_this_runs_key(production: tuple[OpenGrade, Proxy]) -> None:
    """A call that can change data needs the run's key, which only the page was told."""
    _, proxy = production
    assert len(proxy.base) > 16  # the key: long and random
    for method in ("DELETE", "POST", "PUT", "PATCH"):
        status, _, body = raw(proxy.port, "/notes/1", ours(proxy), method=method, body=b"{}")
        assert status == 403, (method, status, body)
        assert b"key" in body
    wrong = "/" + "x" * (len(proxy.base) - 1)
    status, _, _ = raw(proxy.port, wrong + "/notes/1", ours(proxy), method="DELETE")
    assert status == 403
    assert note_one_is_there(proxy)
    status, _, _ = raw(proxy.port, proxy.target("/notes/1"), ours(proxy), method="DELETE")
    assert status == 204  # the page's own call, with the key, goes through


def test_proxy_caps_request_bodies(production: tuple[OpenGrade, Proxy]) -> None:
    """A 600 MiB body once drove the grade process to 2.3 GB: it is refused, unread."""
    _, proxy = production
    head = "\r\n".join(
        [f"POST {proxy.target('/notes')} HTTP/1.1", *(f"{k}: {v}" for k, v in ours(proxy).items()),
         "Content-Type: application/json", f"Content-Length: {600 * MiB}", "Connection: close"]
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + b"x" * 1000)  # the rest never comes
        status, _, body = _answer(sock)
    assert status == 413
    assert b"1 MiB" in body
    # No length given: the body is counted as it comes, and cut off at the cap.
    head = "\r\n".join(
        [f"POST {proxy.target('/notes')} HTTP/1.1", *(f"{k}: {v}" for k, v in ours(proxy).items()),
         "Content-Type: application/json", "Transfer-Encoding: chunked", "Connection: close"]
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
        # The answer is read while the body is still being sent: the proxy answers and closes
        # as soon as the cap is passed, and what was sent beyond it resets the connection.
        answer: list[tuple[int, dict[str, str], bytes]] = []
        reader = threading.Thread(target=lambda: answer.append(_answer(sock)))
        sock.sendall(head.encode() + b"\r\n\r\n")
        reader.start()
        chunk = b"x" * 65536
        try:
            for _ in range(MiB // len(chunk) + 2):  # past the cap, and no end: the proxy must not wait for it
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass
        reader.join(timeout=40)
    assert answer, "the proxy never answered"
    status, _, body = answer[0]
    assert status == 413
    assert b"1 MiB" in body
    assert note_one_is_there(proxy)


BIG_ANSWER = PRODUCTION.read_text() + '''

from fastapi.responses import PlainTextResponse


@app.get("/big")
def big() -> PlainTextResponse:
    return PlainTextResponse("x" * (8 * 1024 * 1024))
'''


def test_proxy_caps_the_apps_answers(scratch: Path) -> None:
    learner = scratch / "main.py"
    learner.write_text(BIG_ANSWER)
    grade = OpenGrade(scratch, learner, lesson="cors-production")
    try:
        proxy = first_proxy(grade)
        status, headers, body = raw(proxy.port, proxy.target("/big"), ours(proxy))
        assert status == 502
        assert b"1 MiB" in body and len(body) < 4096
        assert headers["access-control-allow-origin"] == proxy.page_origin  # the page can show why
        assert note_one_is_there(proxy)  # the proxy still serves
    finally:
        grade.stop()


ATTACKER_PAGE = """<!doctype html><meta charset="utf-8"><title>a game</title><script>
window.tried = (async () => {
  const proxy = new URLSearchParams(location.search).get("proxy");
  const out = {};
  try { const r = await fetch(proxy + "/notes", {credentials: "include"}); out.read = await r.text(); }
  catch (error) { out.read = "blocked"; }
  try { const r = await fetch(proxy + "/notes/1", {method: "DELETE", credentials: "include",
          headers: {"Content-Type": "application/json"}}); out.deleted = r.status; }
  catch (error) { out.deleted = "blocked"; }
  return out;
})();
</script>"""


class _Attacker(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = ATTACKER_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@needs_chromium
def test_another_website_in_the_same_browser_gets_nothing(production: tuple[OpenGrade, Proxy]) -> None:
    """As seen in Chromium: a page of another origin (here, another port of 127.0.0.1), even
    one that knows the proxy's full address, can neither read the notes nor delete one."""
    _, proxy = production
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page_url = f"http://127.0.0.1:{server.server_address[1]}/?proxy=http://127.0.0.1:{proxy.port}{proxy.base}"
        with Browser.start() as chromium, chromium.page(url=page_url) as page:
            tried = page.run("() => window.tried", timeout=60).result
        assert tried == {"read": "blocked", "deleted": "blocked"}
        assert note_one_is_there(proxy)
    finally:
        server.shutdown()
        server.server_close()
