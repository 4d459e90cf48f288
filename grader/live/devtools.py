"""The DevTools protocol on Chromium's pipe, and what its events say the page did.

`--remote-debugging-pipe` gives Chromium fd 3 to read commands from and fd 4 to answer on:
JSON messages, each ended by a NUL byte. The recorder turns one page's Network, Log and
Runtime events (which arrive in any order) into requests and console lines.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class ProtocolError(Exception):
    """Chromium refused a command: a mistake in the grader's use of the protocol."""


@dataclass(frozen=True)
class ConsoleMessage:
    """One line of the page's console, verbatim: the browser's own errors and the script's logs."""

    level: str  # "error", "warning", "info", "log", ...
    text: str
    source: str  # "javascript", "network", "console-api", "exception", ...
    url: str = ""


@dataclass(frozen=True)
class BrowserRequest:
    """One request the browser made (or meant to make) while the script ran."""

    method: str
    url: str
    preflight: bool  # a preflight the browser sent by itself, before the request it guards
    request_headers: tuple[tuple[str, str], ...]
    status: int | None  # None when no answer came back (or the request was never sent)
    headers: tuple[tuple[str, str], ...]  # the response headers, as they came over the wire
    sent: bool  # False when the browser stopped it before it left (a failed preflight)
    failure: str | None = None  # Chromium's error, "net::ERR_FAILED"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        """A response header's value (repeated headers joined with ", "), or None when absent."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def request_header(self, name: str) -> str | None:
        values = [value for key, value in self.request_headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None


class DevToolsPipe:
    """The DevTools protocol over Chromium's pipe: JSON messages, each ended by a NUL byte."""

    def __init__(self, read_fd: int, write_fd: int, stopped: Callable[[], Exception]) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._stopped = stopped  # builds the exception to raise when Chromium goes away
        self._buffer = b""
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._unwanted: set[int] = set()
        self.events: list[dict[str, Any]] = []
        self.closed = False

    def send(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        session: str | None = None,
        reply: bool = True,
    ) -> int:
        self._next_id += 1
        if not reply:
            self._unwanted.add(self._next_id)
        message: dict[str, Any] = {
            "id": self._next_id,
            "method": method,
            "params": dict(params or {}),
        }
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._write_fd, data) :]
        except OSError:
            self.close()
            raise self._stopped() from None
        return self._next_id

    def reply(self, call_id: int, deadline: float, what: str = "Chromium") -> dict[str, Any]:
        """The answer to call `call_id`; TimeoutError("... did not answer") past `deadline`."""
        while call_id not in self._replies:
            if not self.pump(deadline):
                raise TimeoutError(f"{what} did not answer")
        message = self._replies.pop(call_id)
        if "error" in message:
            raise ProtocolError(f"Chromium refused a command: {message['error'].get('message')}")
        result: dict[str, Any] = message.get("result", {})
        return result

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        session: str | None = None,
        deadline: float,
        what: str = "Chromium",
    ) -> dict[str, Any]:
        return self.reply(self.send(method, params, session=session), deadline, what)

    def wait_for(self, method: str, session: str, deadline: float) -> dict[str, Any]:
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            if not self.pump(deadline):
                raise TimeoutError("the page did not load")

    def pump(self, deadline: float) -> bool:
        """Read one message into replies or events; False when none came before `deadline`."""
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.closed:
                return False
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if not ready:
                return False
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                self.close()
                raise self._stopped()
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message = json.loads(raw)
        if "id" in message:
            if message["id"] in self._unwanted:
                self._unwanted.discard(message["id"])
            else:
                self._replies[message["id"]] = message
        else:
            self.events.append(message)
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for fd in (self._read_fd, self._write_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass


@dataclass
class _Seen:
    """What the protocol has said so far about one request; events come in any order."""

    order: int
    method: str = ""
    url: str = ""
    preflight_for: str | None = None
    request_headers: dict[str, str] | None = None
    wire_request_headers: dict[str, str] | None = None
    status: int | None = None
    headers: dict[str, str] | None = None
    wire_headers: dict[str, str] | None = None
    done: bool = False
    failure: str | None = None


class Recorder:
    """Turns one session's Network, Log and Runtime events into requests and console lines."""

    def __init__(self, session: str) -> None:
        self._session = session
        self._seen: dict[str, _Seen] = {}
        self._console: list[ConsoleMessage] = []

    def feed(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event.get("sessionId") == self._session:
                self._take(event["method"], event.get("params", {}))
        events.clear()

    def settled(self) -> bool:
        # Events about requests from before the script (the page's own load) may trail in: ignore them.
        return all(seen.done for seen in self._seen.values() if seen.url)

    def _take(self, method: str, params: dict[str, Any]) -> None:
        if method == "Log.entryAdded":
            entry = params["entry"]
            self._console.append(
                ConsoleMessage(entry["level"], entry["text"], entry["source"], entry.get("url", ""))
            )
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(_remote_text(arg) for arg in params.get("args", []))
            self._console.append(ConsoleMessage(params["type"], text, "console-api"))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self._console.append(ConsoleMessage("error", text, "exception", details.get("url", "")))
        elif method.startswith("Network.") and "requestId" in params:
            self._network(method, params)

    def _network(self, method: str, params: dict[str, Any]) -> None:
        seen = self._seen.setdefault(params["requestId"], _Seen(order=len(self._seen)))
        if method == "Network.requestWillBeSent":
            request = params["request"]
            seen.method, seen.url = request["method"], request["url"]
            seen.request_headers = request.get("headers", {})
            initiator = params.get("initiator", {})
            if initiator.get("type") == "preflight":
                seen.preflight_for = initiator.get("requestId", "")
        elif method == "Network.requestWillBeSentExtraInfo":
            seen.wire_request_headers = params.get("headers", {})
        elif method == "Network.responseReceived":
            response = params["response"]
            seen.status = response.get("status", seen.status)
            seen.headers = response.get("headers", {})
        elif method == "Network.responseReceivedExtraInfo":
            seen.status = params.get("statusCode", seen.status)
            seen.wire_headers = params.get("headers", {})
        elif method == "Network.loadingFinished":
            seen.done = True
        elif method == "Network.loadingFailed":
            seen.done = True
            seen.failure = params.get("errorText") or "failed"

    def requests(self) -> tuple[BrowserRequest, ...]:
        known = {rid: seen for rid, seen in self._seen.items() if seen.url}

        def place(item: tuple[str, _Seen]) -> tuple[int, int]:
            _, seen = item
            guarded = known.get(seen.preflight_for or "")
            return (guarded.order, 0) if guarded else (seen.order, 1)

        return tuple(_request(seen) for _, seen in sorted(known.items(), key=place))

    def console(self) -> tuple[ConsoleMessage, ...]:
        return tuple(self._console)


def _request(seen: _Seen) -> BrowserRequest:
    headers = seen.wire_headers if seen.wire_headers is not None else (seen.headers or {})
    sent = seen.wire_request_headers is not None or seen.status is not None
    return BrowserRequest(
        method=seen.method,
        url=seen.url,
        preflight=seen.preflight_for is not None,
        request_headers=_pairs(seen.wire_request_headers or seen.request_headers or {}),
        status=seen.status,
        headers=_pairs(headers),
        sent=sent,
        failure=seen.failure,
    )


def _pairs(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    # The protocol joins repeated headers with newlines; keep each one as the wire had it.
    return tuple(
        (name, value) for name, joined in headers.items() for value in str(joined).split("\n")
    )


def _remote_text(arg: dict[str, Any]) -> str:
    if "value" in arg:
        value = arg["value"]
        return value if isinstance(value, str) else json.dumps(value)
    return str(arg.get("description", arg.get("type", "")))
