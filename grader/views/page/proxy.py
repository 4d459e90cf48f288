"""The door between the learner's browser and the learner's app: one port per site, in the
grade process, on the learner's own machine while they browse the web.

It answers the lesson page and nothing else. Any page the learner visits can send requests
to 127.0.0.1, so each call must name this port by its own Host (no rebound domain name),
come from the page's own origin, and carry this run's key in its path (only the page is told
it); it reaches the learner's app and only that app, with bodies capped both ways.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from grader.course.lesson import PageSite

MAX_BODY = 1024 * 1024  # the page's calls send and read a few hundred bytes
MAX_BODY_TEXT = "1 MiB"
APP_TIMEOUT = 5.0
# Methods that only read: any other may change the app's data, so the app starts afresh after.
READ_ONLY = {"GET", "HEAD", "OPTIONS"}
# Headers that describe one connection, not the message: never passed on by a proxy.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
    "host", "content-length",
}

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


class Refused(Exception):
    """A call the proxy does not pass on: its status and the words for whoever sent it."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def host_is_ours(scope: dict[str, Any], port: int) -> bool:
    """Whether the request names this very port by one of the loopback names the page uses.
    A site that rebinds its own domain name to 127.0.0.1 sends its own name here."""
    hosts = [value for name, value in scope["headers"] if name == b"host"]
    return len(hosts) == 1 and hosts[0].lower() in {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}


def page_origins(port: int) -> frozenset[str]:
    """The origins the page itself is served from (it answers to both names)."""
    return frozenset({f"http://127.0.0.1:{port}", f"http://localhost:{port}"})


class SiteProxy:
    """An ASGI app on a port of its own that passes the page's calls to the learner's app as
    if they came from `site.origin` (or, for a site with none, from the page's own origin):
    the request's Origin is replaced by it, and an answer that allows exactly that origin is
    passed back allowing the page's real one. Everything else goes through untouched, so the
    browser judges the app's own headers."""

    def __init__(
        self,
        site: PageSite,
        port: int,
        origins: Collection[str],
        key: str,
        app_url: Callable[[], str | None],
        after_change: Callable[[], Awaitable[None]],
        lock: asyncio.Lock,
    ) -> None:
        self.origin = site.origin
        self.port = port
        self.origins = origins
        self.prefix = f"/{key}".encode()
        self.app_url = app_url
        self.after_change = after_change
        self.lock = lock  # one call at a time across every site: a call never meets a restart

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        text = [(b"content-type", b"text/plain; charset=utf-8")]
        try:
            path = self._admit(scope)
        except Refused as refused:
            await _answer(send, refused.status, text, refused.text.encode())
            return
        try:
            body = await _read_body(scope, receive)
            async with self.lock:
                status, headers, answer = await self._forward(scope, path, body)
        except Refused as refused:
            # The page's own call, stopped here: the page may read why (the grader's words, not your app's).
            readable = [(b"access-control-allow-origin", (_header(scope, b"origin") or "").encode())]
            await _answer(send, refused.status, [*text, *readable], refused.text.encode())
            return
        await _answer(send, status, headers, answer)

    def _admit(self, scope: dict[str, Any]) -> bytes:
        """The app's path and query for an admitted call; Refused for anything else."""
        if not host_is_ours(scope, self.port):
            raise Refused(400, "This port serves the lesson page of grade --open only, at 127.0.0.1.")
        origin = _header(scope, b"origin")
        if origin not in self.origins:
            raise Refused(403, "This port only passes on the lesson page's own calls; open the lesson page to call your app.")
        target = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string") or b""
        head, rest = target[: len(self.prefix)], target[len(self.prefix) :]
        if not hmac.compare_digest(head, self.prefix) or not rest.startswith(b"/") or rest.startswith(b"//"):
            raise Refused(403, "This call does not carry this run's key: only the lesson page's own calls do.")
        if any(byte <= 0x20 or byte >= 0x7F or byte in b"\\#" for byte in rest + query):
            raise Refused(400, "This call's path is not one of your app's paths.")
        return rest + (b"?" + query if query else b"")

    async def _forward(self, scope: dict[str, Any], path: bytes, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        import httpx

        base = await asyncio.to_thread(self.app_url)  # waits while the app is restarting
        if base is None:
            raise Refused(502, "Your app is not running.")
        url = httpx.URL(base).copy_with(raw_path=path)
        real_origin = _header(scope, b"origin")
        headers = [
            (name, self.origin.encode() if self.origin and name == b"origin" else value)
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        method = scope["method"]
        try:
            async with httpx.AsyncClient(timeout=APP_TIMEOUT) as client:
                request = client.build_request(method, url, headers=headers, content=body)
                response = await client.send(request, stream=True)
                try:
                    answer = await _read_answer(response)
                finally:
                    await response.aclose()
        except httpx.HTTPError:
            raise Refused(502, "Your app did not answer.") from None
        finally:
            if method not in READ_ONLY:
                await self.after_change()  # the call may have reached the app: start it afresh
        passed = []
        for name, value in response.headers.multi_items():
            if name.lower() in HOP_BY_HOP or name.lower() == "content-encoding":
                continue
            if name.lower() == "access-control-allow-origin" and self.origin and value == self.origin and real_origin:
                value = real_origin
            passed.append((name.encode("latin-1"), value.encode("latin-1")))
        return response.status_code, passed, answer


def _header(scope: dict[str, Any], wanted: bytes) -> str | None:
    values = [value for name, value in scope["headers"] if name == wanted]
    return values[0].decode("latin-1") if len(values) == 1 else None


async def _read_body(scope: dict[str, Any], receive: Receive) -> bytes:
    """The request's body, refused unread when it says it is too long, and cut off as soon as
    it turns out to be."""
    too_long = Refused(413, f"The lesson page's calls send at most {MAX_BODY_TEXT}; this body is longer.")
    declared = _header(scope, b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise too_long
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "The call ended before its body did.")
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            raise too_long
        if not message.get("more_body", False):
            return bytes(body)


async def _read_answer(response: Any) -> bytes:
    too_long = Refused(502, f"Your app's answer is longer than {MAX_BODY_TEXT}, more than the lesson page reads.")
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise too_long
    answer = bytearray()
    async for chunk in response.aiter_bytes():
        answer += chunk
        if len(answer) > MAX_BODY:
            raise too_long
    return bytes(answer)


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
