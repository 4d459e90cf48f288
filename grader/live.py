"""Live probes: real HTTP requests to the learner's running app, for live checks."""

from __future__ import annotations

import http.client
import shlex
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from grader.checks import Failure
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

    def header(self, name: str) -> str | None:
        """A header's value (repeated headers joined with ", "), or None when absent."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def header_list(self, name: str) -> list[str]:
        """A comma-separated header's items, stripped; empty when absent."""
        value = self.header(name)
        return [item.strip() for item in value.split(",") if item.strip()] if value else []

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

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


class LiveApp:
    """The learner's app, serving on 127.0.0.1. Live checks send it requests."""

    def __init__(self, source: Source, port: int, output: OutputBuffer, timeout: float = 5.0) -> None:
        self.source = source
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
        sent = tuple((headers or {}).items())
        mark = self._output.total
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=dict(sent))
            answer = connection.getresponse()
            data = answer.read(MAX_BODY)
            result = Response(
                method, path, sent, answer.status, answer.reason, tuple(answer.getheaders()), data
            )
        except (TimeoutError, socket.timeout):
            raise Failure(
                f"Your app did not answer {method} {path} within {self.timeout:g} seconds.",
                hint="Look for code in that endpoint that waits forever (a loop, a sleep, "
                "or a call that never returns).",
            ) from None
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            raise Failure(
                f"Your app closed the connection instead of answering {method} {path} ({error}).",
                details=self._output_tail(mark),
            ) from None
        finally:
            connection.close()
        if result.status >= 500:
            time.sleep(0.05)  # the traceback is logged just before the 500 goes out
        return replace(result, server_output=self._output.since(mark))

    def _output_tail(self, mark: int) -> tuple[str, ...]:
        lines = self._output.since(mark).strip().splitlines()
        return tuple(lines[-12:])
