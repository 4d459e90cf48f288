"""LiveApp.expect with tests on header values, the lesson's default request headers, and
crashes reported with the app's own error: against a real app under uvicorn."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

import pytest

from grader import Failure, LiveApp, Source, a_number
from grader.run.server import AppProcess

APP = '''
import time

from fastapi import FastAPI, Request
from fastapi.middleware.trustedhost import TrustedHostMiddleware

app = FastAPI()
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["notes.example.com"])


@app.middleware("http")
async def add_process_time(request, call_next):
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = str(time.perf_counter() - start)
    response.headers["X-Words"] = "not a number"
    return response


@app.get("/")
def home() -> dict[str, str]:
    return {"message": "Hello"}


@app.post("/echo")
async def echo(request: Request) -> dict[str, str]:
    return {"got": (await request.body()).decode()}


@app.get("/boom")
def boom() -> dict[str, str]:
    return {"ratio": str(1 / 0)}
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    path = tmp_path_factory.mktemp("live") / "main.py"
    path.write_text(textwrap.dedent(APP))
    process = AppProcess.start(path, "main", "app")
    try:
        assert process.wait_ready(30) is None
        with LiveApp(Source(path, path.read_text()), process.port, process.output, headers=(("Host", "notes.example.com"),)) as live:
            yield live
    finally:
        process.stop()


def test_the_lesson_s_default_headers_go_with_every_request_and_curl(app: LiveApp) -> None:
    response = app.expect("GET", "/", status=200)
    assert response.request_headers == (("Host", "notes.example.com"),)
    assert "-H 'Host: notes.example.com'" in response.curl()


def test_a_check_s_own_header_replaces_the_default(app: LiveApp) -> None:
    response = app.request("GET", "/", {"host": "evil.example"})
    assert response.status == 400
    assert response.request_headers == (("host", "evil.example"),)


def test_none_leaves_a_default_header_out_of_one_request(app: LiveApp) -> None:
    response = app.request("GET", "/", {"Host": None})
    assert response.status == 400  # the app trusts only notes.example.com: the default was not sent
    assert response.request_headers == ()
    assert "notes.example.com" not in response.curl()
    assert app.request("GET", "/").status == 200  # and the next request carries it again


@pytest.mark.parametrize("body", [b'{"title": "caf\xc3\xa9"}', '{"title": "caf\u00e9"}'])
def test_a_body_goes_as_bytes_or_as_utf8_text(app: LiveApp, body: bytes | str) -> None:
    response = app.expect("POST", "/echo", {"Content-Type": "application/json"}, body=body, status=200)
    assert response.text == '{"got":"{\\"title\\": \\"caf\u00e9\\"}"}'


def test_header_values_are_tested_by_function_or_pattern(app: LiveApp) -> None:
    response = app.expect("GET", "/", status={200, 204}, matches={"X-Process-Time": a_number, "content-type": r"application/json.*"})
    assert float(response.header("X-Process-Time") or "x") >= 0


def test_a_value_that_fails_its_test_is_named_in_words(app: LiveApp) -> None:
    with pytest.raises(Failure) as caught:
        app.expect("GET", "/", matches={"X-Words": a_number, "X-Process-Time": re.compile(r"[a-z]+"), "X-Missing": a_number})
    words, timing, missing = caught.value.details[:3]
    assert words == "- X-Words is 'not a number', not a number"
    assert timing.startswith("- X-Process-Time is '") and timing.endswith("', not a value matching the pattern [a-z]+")
    assert missing == "- it has no X-Missing header"
    assert "-H 'Host: notes.example.com'" in caught.value.details[-1]


def test_a_crash_is_reported_with_the_app_s_own_error(app: LiveApp) -> None:
    with pytest.raises(Failure) as caught:
        app.expect("GET", "/boom", status=200)
    assert caught.value.message.startswith("Your app crashed while answering GET /boom (500 Internal Server Error)")
    assert any("ZeroDivisionError" in line for line in caught.value.details)
    assert any("1 / 0" in line for line in caught.value.details)
