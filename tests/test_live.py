"""The live probe API lesson checks use, against the real solution app under uvicorn."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from grader.live.live_app import Call, LiveApp, start_command
from grader.live.response import Response
from grader.run.server import AppProcess, OutputBuffer
from grader.verdict.checks import Failure
from grader.static.source import Source
from tests.conftest import ROOT

SOLUTION = ROOT / "solution/cors-headers/main.py"


@pytest.fixture(scope="module")
def app() -> Iterator[LiveApp]:
    process = AppProcess.start(SOLUTION, "main", "app")
    try:
        assert process.wait_ready(30) is None
        with LiveApp(Source(SOLUTION, SOLUTION.read_text()), process.port, process.output) as live:
            yield live
    finally:
        process.stop()


def test_expect_returns_the_response_when_everything_matches(app: LiveApp) -> None:
    response = app.expect(
        "GET", "/notes", {"Origin": "https://a.example"}, status=200,
        present=["access-control-allow-origin"], equals={"Access-Control-Allow-Origin": "*"},
        absent=["Access-Control-Allow-Credentials"],
    )
    assert response.status == 200 and response.header("content-type") == "application/json"


def test_expect_lists_every_difference_with_a_curl(app: LiveApp) -> None:
    with pytest.raises(Failure) as caught:
        app.expect("GET", "/missing", status=range(200, 300), present=["X-Nope"], absent=["content-type"])
    failure = caught.value
    assert failure.message == "GET /missing answered 404 Not Found, which is not what this step needs:"
    assert failure.details[:3] == (
        "- its status is 404 Not Found, not 200-299",
        "- it has no X-Nope header",
        "- it has content-type: application/json, and should not",
    )
    assert failure.details[-1].strip().startswith("curl -i http://127.0.0.1:8000/missing")


def test_start_command_names_the_learners_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert start_command(SOLUTION).endswith(" main:app --app-dir solution/cors-headers")
    monkeypatch.chdir(SOLUTION.parent)
    assert start_command(SOLUTION).endswith(" main:app")
    other = SOLUTION.parent / "draft.py"
    assert start_command(other).endswith(" draft:app")


ECHO = '''
import json

from fastapi import FastAPI, Request, Response

app = FastAPI()
count = [0]


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"])
async def echo(request: Request, path: str) -> Response:
    count[0] += 1
    seen = {
        "count": count[0],
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.headers.raw],
        "version": request.scope["http_version"],
        "port": request.client.port if request.client else None,
        "method": request.method,
        "path": request.url.path,
    }
    return Response(json.dumps(seen), media_type="application/json")
'''

ROUTES = '''
from typing import Annotated
from uuid import UUID

from fastapi import FastAPI, Path

app = FastAPI()


@app.get("/notes")
def notes(): ...


@app.get("/notes/{note_id}")
def note(note_id: int): ...


@app.post("/notes")
def create(): ...


@app.delete("/notes/{note_id}")
def delete(note_id: Annotated[int, Path(gt=0)]): ...


@app.get("/users/{name}/files/{file:path}")
def file(name: str, file: str): ...


@app.put("/tokens/{token}")
def token(token: UUID): ...
'''


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Source, int, AppProcess]]:
    path = tmp_path_factory.mktemp("echo") / "main.py"
    path.write_text(ECHO)
    process = AppProcess.start(path, "main", "app")
    try:
        assert process.wait_ready(30) is None
        yield Source(path, ECHO), process.port, process
    finally:
        process.stop()


def seen(response: Response) -> dict:
    return json.loads(response.body)


def test_a_request_with_an_origin_goes_out_as_chrome_sends_it(echo: tuple[Source, int, AppProcess]) -> None:
    source, port, process = echo
    with LiveApp(source, port, process.output) as app:
        origin = app.origin()
        got = seen(app.request("GET", "/notes", {"Origin": origin}, credentials=True))
        preflight = seen(app.request("OPTIONS", "/notes/3", {
            "Origin": origin, "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization",
        }))
    assert got["version"] == "1.1"
    names = [name for name, _ in got["headers"]]
    # Chrome's order (recorded from Chromium 156 over HTTP/1.1), not http.client's.
    assert names == [
        "host", "connection", "sec-ch-ua-platform", "user-agent", "sec-ch-ua", "sec-ch-ua-mobile", "accept", "origin",
        "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-storage-access", "referer",
        "accept-encoding", "accept-language", "cookie",
    ]
    headers = dict(got["headers"])
    assert headers["host"] == f"127.0.0.1:{port}"
    assert headers["user-agent"].startswith("Mozilla/5.0 (") and "Headless" not in headers["user-agent"]
    assert (headers["sec-fetch-site"], headers["sec-fetch-mode"], headers["sec-fetch-dest"]) == ("cross-site", "cors", "empty")
    assert headers["origin"] == origin and headers["referer"] == origin + "/"
    assert headers["cookie"] == app.cookie
    assert [name for name, _ in preflight["headers"]] == [
        "host", "connection", "accept", "access-control-request-method", "access-control-request-headers", "origin",
        "user-agent", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "referer", "accept-encoding", "accept-language",
    ]
    # One user, one browser: the page's requests share the connection and the User-Agent.
    assert got["port"] == preflight["port"]
    assert dict(preflight["headers"])["user-agent"] == headers["user-agent"]


def test_no_value_marks_a_request_as_the_graders(echo: tuple[Source, int, AppProcess]) -> None:
    source, port, process = echo
    origins, cookies, agents = set(), set(), set()
    for _ in range(40):
        with LiveApp(source, port, process.output) as app:
            origin = app.origin()
            headers = dict(seen(app.request("GET", "/notes", {"Origin": origin}, credentials=True))["headers"])
            origins.add(origin)
            cookies.add(headers["cookie"])
            agents.add(headers["user-agent"])
    assert len(origins) == 40 and len(cookies) == 40 and len(agents) > 3
    words = {"example", "grader", "test", "evil", "probe", "localhost", "127.0.0.1"}
    assert not [o for o in origins if any(word in o for word in words)]
    # No piece of text is common to them all but the scheme's.
    assert not any(all(o[i:i + 4] in other for other in origins) for o in origins for i in range(8, len(o) - 3))


def test_a_curl_shows_what_the_check_sent_and_reproduces_it(echo: tuple[Source, int, AppProcess]) -> None:
    source, port, process = echo
    with LiveApp(source, port, process.output, rng=random.Random(7)) as app:
        origin = app.origin()
        response = app.request("GET", "/notes", {"Origin": origin}, credentials=True)
    assert response.curl() == f"curl -i http://127.0.0.1:8000/notes -H 'Origin: {origin}' -H 'Cookie: {app.cookie}'"
    assert len(response.wire_headers) > 10  # the browser's own headers were sent all the same


def test_endpoints_are_every_declared_route_with_plausible_values(tmp_path: Path) -> None:
    path = tmp_path / "main.py"
    path.write_text(ROUTES)
    source = Source(path, ROUTES)
    orders = set()
    for seed in range(20):
        app = LiveApp(source, 1, OutputBuffer(), rng=random.Random(seed))
        found = app.endpoints((("GET", "/notes"), ("PATCH", "/extra/{id}")), fills=2)
        orders.add(tuple((e.method, e.template) for e in found))
        templates = sorted({(e.method, e.template) for e in found})
        assert templates == [
            ("DELETE", "/notes/{note_id}"), ("GET", "/notes"), ("GET", "/notes/{note_id}"),
            ("GET", "/users/{name}/files/{file:path}"), ("PATCH", "/extra/{id}"), ("POST", "/notes"),
            ("PUT", "/tokens/{token}"),
        ]
        by = {}
        for endpoint in found:
            by.setdefault((endpoint.method, endpoint.template), []).append(endpoint.path)
        for method, template in [("GET", "/notes/{note_id}"), ("DELETE", "/notes/{note_id}")]:
            ids = [p.rsplit("/", 1)[1] for p in by[(method, template)]]
            assert len(set(ids)) == 2 and all(i.isdigit() and int(i) > 0 for i in ids), ids
        (token,) = by[("PUT", "/tokens/{token}")][0].rsplit("/", 1)[1:]
        assert str(UUID(token)) == token
        assert re.fullmatch(r"/users/[a-z0-9]+/files/[a-z0-9]+/[a-z0-9]+", by[("GET", "/users/{name}/files/{file:path}")][0])
    assert len(orders) > 5  # an app cannot know which endpoint comes first


def test_send_all_answers_in_the_order_asked_whatever_order_it_sent(echo: tuple[Source, int, AppProcess]) -> None:
    source, port, process = echo
    calls = [Call("GET", f"/n/{i}", (("Origin", "https://a.b"),)) for i in range(12)]
    orders = set()
    for seed in range(4):
        with LiveApp(source, port, process.output, rng=random.Random(seed)) as app:
            answers = app.send_all(calls)
        assert [seen(a)["path"] for a in answers] == [c.path for c in calls]
        counts = [seen(a)["count"] for a in answers]
        orders.add(tuple(sorted(range(len(counts)), key=counts.__getitem__)))
    assert len(orders) > 1 and tuple(range(12)) not in orders
