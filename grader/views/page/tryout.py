"""The learner's app, run for the page's "Call your API from this page" panel.

It is started from the learner's file exactly as the live step starts it (forked from a warm
worker, or a fresh interpreter where the system cannot fork), restarted after every grade, and stopped when the page closes. A site
that stands in for another origin (the lesson's frontend) reaches it through `OriginProxy`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.course.lesson import Lesson, PageSite
from grader.read.learner_file import FileProblem, read_learner_file
from grader.run.host import host
from grader.run.running import RunningApp, start_app
from grader.run.server import StartProblem, WarmWorker

# What a beginner is told when their app does not start; the steps say exactly why.
WHY_NOT_STARTED = {
    "crash": "it raised an error while loading. The steps say where.",
    "exit": "it stopped while loading. The steps say why.",
    "died": "it stopped while starting. The steps say why.",
    "no-app": "your file has no app for uvicorn to serve. The steps say what is missing.",
    "not-app": "what your file calls app is not a FastAPI app. The steps say more.",
    "timeout": "it did not finish loading in time. The steps say which line blocks.",
}


class TryOut:
    """Runs the learner's app for the page and tells the page (`publish`) where it is.

    Restarts happen in a thread of their own, so a grade is never slowed by one; saves that
    come while the app starts are folded into one restart."""

    def __init__(self, lesson: Lesson, path: Path, import_timeout: float, publish: Callable[[dict[str, Any]], None]) -> None:
        self.lesson = lesson
        self.path = path
        self.import_timeout = import_timeout
        self._publish = publish
        self._wanted = threading.Condition()
        self._pending = False
        self._closing = False
        self._app: RunningApp | None = None
        self._worker: WarmWorker | None = None
        self.generation = 0
        self.url: str | None = None
        self._thread = threading.Thread(target=self._run, name="learner-app", daemon=True)
        self._thread.start()

    def restart(self) -> None:
        """Start the app anew from the file as it is now (after a save)."""
        with self._wanted:
            self._pending = True
            self._wanted.notify()

    def close(self) -> None:
        """Stop the app and the warm worker; wait for the restart thread to finish."""
        with self._wanted:
            self._closing = True
            self._wanted.notify()
        self._thread.join(timeout=15)
        self._stop_app()
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _run(self) -> None:
        while True:
            with self._wanted:
                while not self._pending and not self._closing:
                    self._wanted.wait()
                if self._closing:
                    return
                self._pending = False
            self._start_app()

    def _start_app(self) -> None:
        self._stop_app()
        if not self.path.is_file():
            self._tell("down", reason=f"{self.path.name} is gone; save it again.")
            return
        if isinstance(read_learner_file(self.path), FileProblem):
            self._tell("down", reason="Python cannot read your file yet. Step 1 says why.")
            return
        self._tell("starting")
        try:
            app = self._fork()
        except OSError as error:
            self._tell("down", reason=f"the grader could not start it ({error}).")
            return
        self._app = app
        problem: StartProblem | None = app.wait_ready(self.import_timeout)
        if problem is not None:
            self._stop_app()
            self._tell("down", reason=WHY_NOT_STARTED.get(problem.kind, "it did not start. The steps say why."))
            return
        self.generation += 1
        self.url = f"http://127.0.0.1:{app.port}"
        self._tell("running")

    def _fork(self) -> RunningApp:
        if not host().warm_worker:  # a fresh interpreter each time (grader/run/portable.py)
            return start_app(self.path.resolve(), self.lesson.app_module, self.lesson.app_attr)
        if self._worker is None:
            self._worker = WarmWorker()
            self._worker.wait_warm()
        try:
            return start_app(self.path.resolve(), self.lesson.app_module, self.lesson.app_attr, self._worker)
        except OSError:  # the worker died (killed, out of memory): start another once
            self._worker.close()
            self._worker = WarmWorker()
            self._worker.wait_warm()
            return start_app(self.path.resolve(), self.lesson.app_module, self.lesson.app_attr, self._worker)

    def _stop_app(self) -> None:
        app, self._app, self.url = self._app, None, None
        if app is not None:
            app.stop()

    def _tell(self, state: str, reason: str | None = None) -> None:
        self._publish({"state": state, "url": self.url, "generation": self.generation, "reason": reason})


# Headers that describe one connection, not the message: never passed on by a proxy.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
    "host", "content-length",
}


class OriginProxy:
    """An ASGI app on a port of its own that passes the page's calls to the learner's app as
    if they came from `site.origin`: the request's Origin is replaced by it, and an answer
    that allows exactly that origin is passed back allowing the page's real one. Everything
    else goes through untouched, so the browser judges the app's own headers."""

    def __init__(self, site: PageSite, app_url: Callable[[], str | None]) -> None:
        assert site.origin is not None
        self.origin = site.origin
        self.app_url = app_url

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        import httpx
        from starlette.requests import Request

        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        target = self.app_url()
        if target is None:
            await _answer(send, 502, [(b"content-type", b"text/plain")], b"Your app is not running.")
            return
        real_origin = request.headers.get("origin")
        headers = [
            (name, self.origin if name.lower() == "origin" else value)
            for name, value in request.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        url = target + scope["path"] + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.request(request.method, url, headers=headers, content=await request.body())
        except httpx.HTTPError:
            await _answer(send, 502, [(b"content-type", b"text/plain")], b"Your app did not answer.")
            return
        passed = []
        for name, value in response.headers.multi_items():
            if name.lower() in HOP_BY_HOP or name.lower() == "content-encoding":
                continue
            if name.lower() == "access-control-allow-origin" and value == self.origin and real_origin:
                value = real_origin
            passed.append((name.encode("latin-1"), value.encode("latin-1")))
        await _answer(send, response.status_code, passed, response.content)


async def _answer(send: Callable[..., Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
