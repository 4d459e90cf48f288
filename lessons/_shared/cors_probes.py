"""The cross-origin calls the CORS lessons' live steps make: for each endpoint the learner's
file declares, the preflight a page's `fetch()` triggers and, for the methods a page may
send without asking (GET, POST), the call itself, all sent in a random order.

A check that tries only `GET /notes` and `DELETE /notes/1` misses an app that lets strangers
read `GET /notes/2` or post to `POST /notes`: every declared route is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.live.live_app import Call
from grader.live.routes import Endpoint

from grader import LiveApp, Response

# The lesson's own API, asked even when the grader cannot read a route from the file.
LESSON_ENDPOINTS = (("GET", "/notes"), ("DELETE", "/notes/{note_id}"))
# What a frontend sends with a JSON body and a login token; Chrome lists them this way.
PAGE_HEADERS = ("authorization", "content-type")
SIMPLE_METHODS = frozenset({"GET", "POST"})  # a page sends these without a preflight
# A form-like body any page may post without a preflight: what a forged request carries.
SIMPLE_POST_BODY = b"title=hello&body=from+another+site"


@dataclass(frozen=True)
class CorsCall:
    """One request of a page on `origin` to `endpoint`: its preflight, or the call itself."""

    origin: str
    endpoint: Endpoint
    preflight: bool
    call: Call

    @property
    def what(self) -> str:
        """'the preflight for DELETE /notes/7' or 'GET /notes'."""
        return f"the preflight for {self.endpoint}" if self.preflight else str(self.endpoint)


@dataclass(frozen=True)
class Answered:
    call: CorsCall
    response: Response


def page_calls(
    origin: str,
    endpoints: Sequence[Endpoint],
    *,
    credentials: bool,
    simple_only: bool = False,
    token: str | None = None,
) -> list[CorsCall]:
    """A page on `origin` calling each endpoint: the preflight its `fetch()` with the page's
    headers triggers, then the call itself: with a `token`, as the frontend sends it once the
    preflight allowed it (Authorization, a JSON body); with `simple_only`, only what a page
    may send without asking (GET, a form-like POST). With `credentials` the calls carry the
    user's cookie."""
    calls = []
    for endpoint in endpoints:
        asked = (
            ("Origin", origin),
            ("Access-Control-Request-Method", endpoint.method),
            ("Access-Control-Request-Headers", ",".join(PAGE_HEADERS)),
        )
        calls.append(CorsCall(origin, endpoint, True, Call("OPTIONS", endpoint.path, asked)))
        if token is not None and not simple_only:
            sent: tuple[tuple[str, str], ...] = (("Origin", origin), ("Authorization", token))
            json_body = b'{"title": "Groceries", "body": "milk, eggs"}' if endpoint.method in {"POST", "PUT", "PATCH"} else None
            if json_body is not None:
                sent += (("Content-Type", "application/json"),)
            calls.append(CorsCall(origin, endpoint, False, Call(endpoint.method, endpoint.path, sent, json_body, credentials)))
        elif endpoint.method == "GET" or (simple_only and endpoint.method in SIMPLE_METHODS):
            headers: tuple[tuple[str, str], ...] = (("Origin", origin),)
            body = None
            if endpoint.method == "POST":
                headers += (("Content-Type", "application/x-www-form-urlencoded"),)
                body = SIMPLE_POST_BODY
            calls.append(CorsCall(origin, endpoint, False, Call(endpoint.method, endpoint.path, headers, body, credentials)))
    return calls


def send(app: LiveApp, calls: Sequence[CorsCall]) -> list[Answered]:
    """Send every call in a random order; the answers come back in the order of `calls`."""
    responses = app.send_all([call.call for call in calls])
    return [Answered(call, response) for call, response in zip(calls, responses, strict=True)]


def in_file_order(answers: Sequence[Answered]) -> list[Answered]:
    """The answers by the endpoint's line in the file (the lesson's own ones first), each
    preflight before its call: the order a learner reads, whatever order they went in."""
    return sorted(answers, key=lambda a: (a.call.endpoint.line, a.call.endpoint.template, a.call.endpoint.method, not a.call.preflight))


def endpoint_list(endpoints: Sequence[Endpoint]) -> str:
    ordered = sorted(endpoints, key=lambda e: (e.line, e.template, e.method))
    return ", ".join(str(endpoint) for endpoint in ordered)


def unknown_id(call: CorsCall) -> bool:
    """A call the learner's own endpoint code answers, with a path parameter the grader made
    up: a crash there (a note that does not exist) is a bug, but not one a CORS step judges."""
    return not call.preflight and call.endpoint.line > 0 and "{" in call.endpoint.template
