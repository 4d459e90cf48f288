"""Live probes: real HTTP requests to the learner's running app, for live checks."""

from __future__ import annotations

import http.client
import socket
import threading
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader.checks import Failure
from grader.served import ServedApp
from grader.text_safety import clean, one_line
from grader.server import OutputBuffer
from grader.source import Source

# The address learners use when they run `uvicorn main:app` themselves: curl commands
# in messages point there so they can be pasted as they are.
LEARNER_BASE_URL = "http://127.0.0.1:8000"
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Response:
    """One answer from the learner's app, as the grader saw it on the wire."""

    method: str
    path: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    server_output: str = ""
    start_command: str = "uvicorn main:app"  # how the learner starts this app themselves

    def header(self, name: str) -> str | None:
        """A header's value (repeated headers joined with ", "), or None when absent."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def header_list(self, name: str) -> list[str]:
        """A comma-separated header's items, stripped; empty when absent."""
        value = self.header(name)
        return [item.strip() for item in value.split(",") if item.strip()] if value else []

    @property
    def error_lines(self) -> tuple[str, ...]:
        """The app's own traceback for this request, trimmed for a learner: the frames in
        their code (not in installed libraries) and the exception line."""
        lines = [line for line in self.server_output.splitlines() if line.strip()]
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
        if not starts:
            return tuple(lines[-6:])
        block = lines[starts[-1] :]
        kept: list[str] = []
        for index, line in enumerate(block):
            if line.lstrip().startswith('File "') and not _library_frame(line):
                kept.append(line.strip())
                following = block[index + 1] if index + 1 < len(block) else ""
                if following.startswith("    ") and not following.lstrip().startswith('File "'):
                    kept.append("    " + following.strip())
        exception = next((line for line in reversed(block) if not line.startswith(" ")), "")
        return (*kept, exception) if exception else tuple(kept)

    @property
    def text(self) -> str:
        return clean(self.body.decode("utf-8", "replace"), MAX_BODY)

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()

    def curl(self, base_url: str = LEARNER_BASE_URL) -> str:
        """A curl command that sends this request again, to the learner's own server."""
        parts = ["curl", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(base_url + self.path)
        for key, value in self.request_headers:
            parts += ["-H", f"{key}: {value}"]
        return " ".join(shlex.quote(part) for part in parts)


def start_command(file: Path, app: str = "app") -> str:
    """The command that serves `file`'s app on port 8000, runnable from the current folder."""
    uvicorn = "uvicorn" if shutil.which("uvicorn") else _shown(Path(sys.executable).with_name("uvicorn"))
    folder = _shown(file.resolve().parent)
    app_dir = "" if folder == "." else f" --app-dir {shlex.quote(folder)}"
    return one_line(f"{uvicorn} {file.stem}:{app}{app_dir}")  # a folder's name may hold control characters


def with_defaults(defaults: Sequence[tuple[str, str]], given: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The lesson's default headers, then the check's own; a check's header replaces a
    default of the same name (header names are case-insensitive)."""
    mine = {name.lower() for name in given}
    return (*((name, value) for name, value in defaults if name.lower() not in mine), *given.items())


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def _library_frame(line: str) -> bool:
    return any(marker in line for marker in ("site-packages", "dist-packages", "/lib/python", "<frozen"))


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
    """The learner's app, serving on 127.0.0.1. Live checks send it requests."""

    def __init__(
        self,
        source: Source,
        port: int,
        output: OutputBuffer,
        timeout: float = 5.0,
        served: ServedApp | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.source = source
        self.served = served  # what the running app really holds (see Source.served_app)
        self.default_headers = tuple(headers)  # lesson.toml's request_headers, sent every time
        self.start_command = start_command(source.path, source.app)
        self.port = port
        self.timeout = timeout
        self._output = output

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        """Send one request; a hang or a dropped connection fails the step with a clear message."""
        sent = with_defaults(self.default_headers, headers or {})
        mark = self._output.total
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        # The socket timeout bounds each read; this bounds the whole exchange, so an app that
        # trickles its answer a byte at a time cannot stretch it.
        expired = threading.Event()
        cutoff = threading.Timer(self.timeout, _cut, args=(connection, expired))
        cutoff.start()
        try:
            connection.request(method, path, body=body, headers=dict(sent))
            answer = connection.getresponse()
            data = answer.read(MAX_BODY)
            if expired.is_set():
                raise TimeoutError
            result = Response(
                method, path, sent, answer.status, clean(answer.reason, 200),
                tuple((clean(key, 200), clean(value, 8192)) for key, value in answer.getheaders()[:200]), data,
            )
        except (OSError, http.client.HTTPException) as error:  # TimeoutError is an OSError
            if isinstance(error, TimeoutError) or expired.is_set():
                raise Failure(
                    f"Your app did not answer {method} {path} within {self.timeout:g} seconds.",
                    hint="Look for code in that endpoint that waits forever (a loop, a sleep, "
                    "or a call that never returns).",
                ) from None
            raise Failure(
                f"Your app closed the connection instead of answering {method} {path} ({clean(str(error), 300)}).",
                details=self._output_tail(mark),
            ) from None
        finally:
            cutoff.cancel()
            connection.close()
        if result.status >= 500:
            self._output.wait_quiet(mark)  # the app's traceback may still be on its way
        return replace(result, server_output=self._output.since(mark), start_command=self.start_command)

    def expect(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        *,
        status: int | Collection[int] | None = None,
        present: Sequence[str] = (),
        equals: Mapping[str, str] | None = None,
        absent: Sequence[str] = (),
        matches: Mapping[str, HeaderTest] | None = None,
        body: bytes | None = None,
    ) -> Response:
        """Send a request and check its answer: the `status` (a code, or a range or set of
        codes), headers that must be `present`, headers whose value `equals` one given,
        headers that must be `absent`, and headers whose value `matches` a test: a regular
        expression (the whole value must match) or a function of the value that returns
        True (its docstring, e.g. "a number", names it in messages). Fails with a message
        that lists each difference and a curl to try."""
        response = self.request(method, path, headers, body)
        if response.status >= 500 and (status is None or not _wanted(status, response.status)):
            from grader.live_reports import fail_on_crash

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
