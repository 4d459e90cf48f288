"""Live probes: real HTTP requests to the learner's running app, for live checks."""

from __future__ import annotations

import http.client
import random
import re
import shlex
import shutil
import socket
import sys
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader.run import timeline
from grader.live.reports import fail_on_crash
from grader.live.response import MAX_BODY, Response, decoded_body
from grader.live.routes import Endpoint, declared_endpoints
from grader.live.traffic import BrowserProfile, browser_request, has_origin, new_rng, plain_request, session_cookie
from grader.read.text_safety import clean, one_line
from grader.run.served import ServedApp
from grader.run.server import OutputBuffer
from grader.static.origins import random_origin
from grader.static.source import Source
from grader.verdict.checks import Failure


def start_command(file: Path, app: str = "app") -> str:
    """The command that serves `file`'s app on port 8000, runnable from the current folder."""
    uvicorn = "uvicorn" if shutil.which("uvicorn") else _shown(Path(sys.executable).with_name("uvicorn"))
    folder = _shown(file.resolve().parent)
    app_dir = "" if folder == "." else f" --app-dir {shlex.quote(folder)}"
    return one_line(f"{uvicorn} {file.stem}:{app}{app_dir}")  # a folder's name may hold control characters


def with_defaults(
    defaults: Sequence[tuple[str, str]], given: Mapping[str, str | None]
) -> tuple[tuple[str, str], ...]:
    """The lesson's default headers, then the check's own; a check's header replaces a
    default of the same name (header names are case-insensitive), and `None` drops it for
    this request (a request without the API key every other request carries)."""
    mine = {name.lower() for name in given}
    kept = ((name, value) for name, value in defaults if name.lower() not in mine)
    return (*kept, *((name, value) for name, value in given.items() if value is not None))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Call:
    """One request a check means to send (see `LiveApp.send_all`)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    credentials: bool = False


class _Retry(Exception):
    """A kept-alive connection was closed by the server before it answered: send again."""


def _cut(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    expired.set()
    if connection.sock is not None:
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
# A test of a header's value: a regular expression the whole value matches, or a function
# of the value returning True; its docstring's first line ("a number") names it in messages.
HeaderTest = str | re.Pattern[str] | Callable[[str], bool]


def a_number(value: str) -> bool:
    """a number"""
    try:
        float(value)
    except ValueError:
        return False
    return True


def _passes(test: HeaderTest, value: str) -> bool:
    if isinstance(test, str | re.Pattern):
        return re.fullmatch(test, value) is not None
    return bool(test(value))


def _describe(test: HeaderTest) -> str:
    if isinstance(test, str | re.Pattern):
        pattern = test if isinstance(test, str) else test.pattern
        return f"a value matching the pattern {pattern}"
    doc = (test.__doc__ or "").strip().splitlines()
    return doc[0] if doc else f"a value {getattr(test, '__name__', 'the test')}() accepts"


def _wanted(status: int | Collection[int], got: int) -> bool:
    return got == status if isinstance(status, int) else got in status


def _codes(status: int | Collection[int]) -> str:
    if isinstance(status, int):
        return str(status)
    if isinstance(status, range) and status.step == 1:
        return f"{status.start}-{status.stop - 1}"
    return " or ".join(str(code) for code in sorted(status))


class LiveApp:
    """The learner's app, serving on 127.0.0.1. Live checks send it requests.

    A request with an `Origin` goes out as a real browser's page sends it (grader/live/traffic.py),
    and every value a check leaves to the grader (origins, the user's cookie, path
    parameters, the order of endpoints) comes from `rng`, drawn afresh for each grade."""

    def __init__(
        self,
        source: Source,
        port: int,
        output: OutputBuffer,
        timeout: float = 5.0,
        served: ServedApp | None = None,
        headers: Sequence[tuple[str, str]] = (),
        rng: random.Random | None = None,
    ) -> None:
        self.source = source
        self.served = served  # what the running app really holds (see Source.served_app)
        self.default_headers = tuple(headers)  # lesson.toml's request_headers, sent every time
        self.start_command = start_command(source.path, source.app)
        self.port = port
        self.timeout = timeout
        self.rng = rng if rng is not None else new_rng()
        self.cookie = session_cookie(self.rng)  # one logged-in user's, sent with credentials=True
        self._output = output
        self._profiles: dict[str, BrowserProfile] = {}
        # Browsers keep a connection open per page origin and send its next request on it.
        self._connections: dict[str | None, http.client.HTTPConnection] = {}

    def origin(self, *, secure: bool | None = None) -> str:
        """A random origin shaped like a real site's, different in every grade."""
        return random_origin(self.rng, secure=secure)

    def endpoints(self, also: Sequence[tuple[str, str]] = (), *, fills: int = 1) -> tuple[Endpoint, ...]:
        """Every route the learner's file declares and the (method, path template) pairs in
        `also`, path parameters filled with plausible values (`fills` sets of them), in random
        order."""
        return declared_endpoints(self.source, self.rng, tuple(also), fills)

    def send_all(self, calls: Sequence[Call]) -> list[Response]:
        """Send every call, in an order drawn at random, and return the answers in the order
        of `calls`: an app cannot learn which request a check cares about from when it comes."""
        order = list(range(len(calls)))
        self.rng.shuffle(order)
        answers: dict[int, Response] = {}
        for index in order:
            call = calls[index]
            answers[index] = self.request(call.method, call.path, dict(call.headers), call.body, credentials=call.credentials)
        return [answers[index] for index in range(len(calls))]

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str | None] | None = None,
        body: bytes | str | None = None,
        *,
        credentials: bool = False,
    ) -> Response:
        """Send one request; a hang or a dropped connection fails the step with a clear message.
        A header given as `None` leaves out lesson.toml's default of that name; a `str` body
        goes as UTF-8.
        With an `Origin` header it is sent as a browser page's request; `credentials` adds the
        user's cookie (`self.cookie`), as `fetch(..., {credentials: "include"})` does."""
        given = with_defaults(self.default_headers, headers or {})
        body = body.encode() if isinstance(body, str) else body
        host = f"127.0.0.1:{self.port}"
        length = len(body) if body is not None else (0 if method in {"POST", "PUT", "PATCH"} else None)
        origin = next((value for name, value in given if name.lower() == "origin"), None)
        if credentials and not any(name.lower() == "cookie" for name, _ in given):
            given = (*given, ("Cookie", self.cookie))
        if has_origin(given) and origin is not None:
            profile = self._profiles.setdefault(origin, BrowserProfile.draw(self.rng))
            sent = browser_request(profile, host, method, given, credentials=credentials, content_length=length)
        else:
            sent = plain_request(host, given, length)
        mark = self._output.total
        try:
            result = self._exchange(origin, method, path, sent, body)
        except _Retry:  # the server closed a kept-alive connection first: a browser tries again
            result = self._exchange(origin, method, path, sent, body)
        timeline.mark(f"request {method} {path[:60]} answered {result.status}")
        if result.status >= 500:
            self._output.wait_quiet(mark)  # the app's traceback may still be on its way
        return replace(
            result,
            request_headers=given,
            wire_headers=sent,
            server_output=self._output.since(mark),
            start_command=self.start_command,
        )

    def __enter__(self) -> LiveApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections kept open between requests."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _exchange(
        self, origin: str | None, method: str, path: str, sent: tuple[tuple[str, str], ...], body: bytes | None
    ) -> Response:
        reused = origin in self._connections
        connection = self._connections.pop(origin, None) or http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout
        )
        mark = self._output.total
        # The socket timeout bounds each read; this bounds the whole exchange, so an app that
        # trickles its answer a byte at a time cannot stretch it.
        expired = threading.Event()
        cutoff = threading.Timer(self.timeout, _cut, args=(connection, expired))
        cutoff.start()
        keep = False
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent:
                connection.putheader(name, value)
            connection.endheaders(body)
            answer = connection.getresponse()
            data = answer.read(MAX_BODY)
            if expired.is_set():
                raise TimeoutError
            keep = answer.isclosed() and not answer.will_close
            headers = tuple((clean(key, 200), clean(value, 8192)) for key, value in answer.getheaders()[:200])
            return Response(
                method, path, sent, answer.status, clean(answer.reason, 200), headers, decoded_body(data, headers)
            )
        except (OSError, http.client.HTTPException) as error:  # TimeoutError is an OSError
            if isinstance(error, TimeoutError) or expired.is_set():
                raise Failure(
                    f"Your app did not answer {method} {path} within {self.timeout:g} seconds.",
                    hint="Look for code in that endpoint that waits forever (a loop, a sleep, "
                    "or a call that never returns).",
                ) from None
            if reused and isinstance(error, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError):
                raise _Retry from None
            raise Failure(
                f"Your app closed the connection instead of answering {method} {path} ({clean(str(error), 300)}).",
                details=self._output_tail(mark),
            ) from None
        finally:
            cutoff.cancel()
            if keep and not expired.is_set():
                self._connections[origin] = connection
            else:
                connection.close()

    def expect(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str | None] | None = None,
        *,
        status: int | Collection[int] | None = None,
        present: Sequence[str] = (),
        equals: Mapping[str, str] | None = None,
        absent: Sequence[str] = (),
        matches: Mapping[str, HeaderTest] | None = None,
        body: bytes | str | None = None,
        credentials: bool = False,
    ) -> Response:
        """Send a request and check its answer: the `status` (a code, or a range or set of
        codes), headers that must be `present`, headers whose value `equals` one given,
        headers that must be `absent`, and headers whose value `matches` a test: a regular
        expression (the whole value must match) or a function of the value that returns
        True (its docstring, e.g. "a number", names it in messages). Fails with a message
        that lists each difference and a curl to try."""
        response = self.request(method, path, headers, body, credentials=credentials)
        if response.status >= 500 and (status is None or not _wanted(status, response.status)):
            fail_on_crash(response)  # a crash is the learner's bug whatever the step checks: say so
        problems: list[str] = []
        if status is not None and not _wanted(status, response.status):
            problems.append(f"its status is {response.status_line}, not {_codes(status)}")
        problems += [f"it has no {name} header" for name in present if response.header(name) is None]
        for name, value in (equals or {}).items():
            got = response.header(name)
            if got != value:
                problems.append(f"{name} is {got!r}, not {value!r}" if got is not None else f"it has no {name} header")
        problems += [f"it has {name}: {response.header(name)}, and should not" for name in absent if response.header(name) is not None]
        for name, test in (matches or {}).items():
            got = response.header(name)
            if got is None:
                problems.append(f"it has no {name} header")
            elif not _passes(test, got):
                problems.append(f"{name} is {got!r}, not {_describe(test)}")
        if problems:
            raise Failure(
                f"{method} {path} answered {response.status_line}, which is not what this step needs:",
                details=(
                    *(f"- {problem}" for problem in problems),
                    "See it yourself: start your app with",
                    f"  {self.start_command}",
                    "then, in another terminal, run:",
                    f"  {response.curl()}",
                ),
            )
        return response

    def _output_tail(self, mark: int) -> tuple[str, ...]:
        lines = self._output.since(mark).strip().splitlines()
        return tuple(lines[-12:])
