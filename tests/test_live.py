"""The live probe API lesson checks use, against the real solution app under uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
import pytest

from grader.verdict.checks import Failure
from grader.live.live_app import LiveApp, start_command
from grader.run.server import AppProcess
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
