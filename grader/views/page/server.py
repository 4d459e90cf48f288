"""The page's own web server: Starlette on uvicorn, in a thread of the `grade` process,
listening on 127.0.0.1 only. It serves the page, its files and the event stream."""

from __future__ import annotations

import asyncio
import os
import secrets
import shlex
import socket
import sys
import threading
import time
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from grader.course.course import Course
from grader.course.lesson import Lesson, PageSite
from grader.read.text_safety import one_line
from grader.verdict.results import Report
from grader.views.page.content import calls_state, highlight_css, lesson_html, report_state
from grader.views.page.hub import Hub
from grader.views.page.proxy import SiteProxy, host_is_ours, page_origins
from grader.views.page.tryout import TryOut

STATIC = files("grader.views.page") / "static"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
RESET_TIMEOUT = 10.0  # beyond the import timeout: a start afresh after a call that changed data
# Where the page's calls come from when the lesson names no site.
OWN_SITE = PageSite(label="This page, on another origin than your app's")


class LessonPage:
    """The live lesson page. `start` it, pass each report to `show`, always `close` it."""

    def __init__(self, course: Course, lesson: Lesson, path: Path, shown_file: str) -> None:
        self.course = course
        self.lesson = lesson
        self.path = path
        self.shown_file = shown_file
        self.hub = Hub()
        self.sites = (lesson.page.sites or (OWN_SITE,)) if lesson.page.calls else ()
        self._report: Report | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._tryout: TryOut | None = None
        self._socket = _listen()
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/"
        # Each site's calls reach the learner's app through a proxy on a port of its own, which
        # passes on only the calls that carry this key (only the page is told it).
        self._proxies = {index: _listen() for index, _ in enumerate(self.sites)}
        self._key = secrets.token_urlsafe(24)

    @classmethod
    def start(cls, course: Course, lesson: Lesson, path: Path, shown_file: str, import_timeout: float) -> LessonPage:
        page = cls(course, lesson, path, shown_file)
        try:
            page._serve()
            if page.sites:
                page._tryout = TryOut(lesson, path, import_timeout, page._app_changed)
                page._app_changed({"state": "starting", "url": None, "generation": 0, "reason": None})
        except BaseException:
            page.close()
            raise
        return page

    def show(self, report: Report | None) -> None:
        """Send a grade to every open page (None: the learner's file is gone)."""
        self._report = report
        if report is None:
            self.hub.publish("report", {"file": self.shown_file, "gone": True})
            return
        revealed = {step.id: self.course.hints_revealed(self.lesson, step.id) for step in self.lesson.steps}
        self.hub.publish("report", report_state(report, self.shown_file, revealed, self._following()))

    def _following(self) -> dict[str, Any] | None:
        """The next lesson, as the page's link on to it names it."""
        following = self.course.after(self.lesson)
        if following is None:
            return None
        lessons = self.course.lessons
        return {"number": lessons.index(following) + 1, "of": len(lessons), "title": following.title}

    def _after_grade(self, report: Report | None) -> None:
        if self._tryout is not None:
            self._tryout.restart()  # in its own thread: the next grade never waits for it

    def _app_url(self) -> str | None:
        """Blocking: the proxies call it in a thread of their own."""
        if self._tryout is None:
            return None
        return self._tryout.running_url(self._tryout.import_timeout + RESET_TIMEOUT)

    async def _start_afresh(self) -> None:
        """After a call that may have changed the app's data: the app starts again from the
        file, so every call (and every reload of the page) finds it as the file starts it."""
        if self._tryout is not None:
            await asyncio.to_thread(self._tryout.reset, self._tryout.import_timeout + RESET_TIMEOUT)

    def _app_changed(self, app: dict[str, Any]) -> None:
        proxies = {
            index: f"http://127.0.0.1:{sock.getsockname()[1]}/{self._key}" for index, sock in self._proxies.items()
        }
        self.hub.publish("app", {**app, **calls_state(self.lesson.page, self.sites, proxies)})

    def beside(self, show: Callable[[Report | None], None]) -> Callable[[Report | None], None]:
        """A watch callback that updates the page first (it only queues), then runs `show`."""

        def both(report: Report | None) -> None:
            self.show(report)
            show(report)
            self._after_grade(report)

        return both

    def reveal_hint(self, step_id: str) -> None:
        """Reveal one more hint for a step, remembered as `grade --hint` does, on every page."""
        report = self._report
        step = next((s for s in report.steps if s.id == step_id), None) if report else None
        if report is None or step is None:
            return
        self.course.reveal_hint(self.lesson, step_id, len([h for h in (step.hint, *step.more_hints) if h]))
        self.show(report)

    def open_in_browser(self) -> bool:
        """Open the page in the learner's default browser; False when there is none to open.
        Without a desktop, Python would pick a text browser and take over the terminal."""
        import webbrowser

        desktop = sys.platform in {"darwin", "win32"} or any(
            os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
        )
        if not desktop:
            return False
        try:
            return webbrowser.open(self.url)
        except webbrowser.Error:
            return False

    def close(self) -> None:
        """Stop the learner's app and the server, and end every page's stream. Idempotent."""
        if self._tryout is not None:
            self._tryout.close()
            self._tryout = None
        self.hub.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            self._thread = None
        self._socket.close()
        for sock in self._proxies.values():
            sock.close()

    def _serve(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self._app(), log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket, *self._proxies.values()]},
            name="lesson-page",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the lesson page's server did not start")
            time.sleep(0.01)

    def _app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
        from starlette.routing import Mount, Route
        from starlette.staticfiles import StaticFiles

        index = Template((STATIC / "index.html").read_text(encoding="utf-8"))
        next_page = Template((STATIC / "next.html").read_text(encoding="utf-8"))

        async def home(request: Request) -> Response:
            from html import escape

            text = index.substitute(
                title=escape(self.lesson.title),
                file=escape(self.shown_file),
                lesson=lesson_html(self.lesson.text),  # read anew: an author's edit shows on reload
            )
            return HTMLResponse(text, headers={"Cache-Control": "no-store"})

        async def next_lesson(request: Request) -> Response:
            from html import escape

            following = self.course.after(self.lesson)
            if following is None:
                return HTMLResponse("There is no lesson after this one.", status_code=404)
            file = _shown(following.exercise)
            text = next_page.substitute(
                title=escape(following.title),
                previous=escape(self.lesson.title),
                number=self.course.lessons.index(following) + 1,
                of=len(self.course.lessons),
                file=escape(file),
                command=escape(f"grade --open {shlex.quote(file)}"),
                lesson=lesson_html(following.text),
            )
            return HTMLResponse(text, headers={"Cache-Control": "no-store"})

        async def events(request: Request) -> Response:
            return StreamingResponse(
                self.hub.stream(),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )

        async def hint(request: Request) -> Response:
            # JSON only: a form on another site cannot post here without a preflight we never allow.
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return JSONResponse({"error": "send JSON"}, status_code=415)
            try:
                step_id = (await request.json())["step"]
            except (ValueError, KeyError, TypeError):
                return JSONResponse({"error": 'send {"step": ID}'}, status_code=400)
            self.reveal_hint(str(step_id))
            return JSONResponse({"ok": True})

        async def css(request: Request) -> Response:
            return Response(highlight_css(), media_type="text/css")

        page = Starlette(
            routes=[
                Route("/", home),
                Route("/next", next_lesson),
                Route("/events", events),
                Route("/api/hint", hint, methods=["POST"]),
                Route("/highlight.css", css),
                Mount("/static", StaticFiles(directory=Path(str(STATIC)))),
            ],
        )
        page_port = self._socket.getsockname()[1]
        origins = page_origins(page_port)
        lock = asyncio.Lock()
        proxies = {
            sock.getsockname()[1]: SiteProxy(
                self.sites[index], sock.getsockname()[1], origins, self._key, self._app_url, self._start_afresh, lock
            )
            for index, sock in self._proxies.items()
        }

        async def by_port(scope: dict[str, Any], receive: Any, send: Any) -> None:
            # One server, several sockets: the page's port serves the page, each other a proxy.
            port = (scope.get("server") or ("", 0))[1]
            proxy = proxies.get(port)
            if proxy is not None:
                await proxy(scope, receive, send)
            elif scope["type"] != "http" or host_is_ours(scope, page_port):
                await page(scope, receive, send)
            else:
                # A page elsewhere that rebinds its own domain name to 127.0.0.1 gets this, not the lesson.
                await Response("Open the lesson page at 127.0.0.1.", status_code=400)(scope, receive, send)

        return by_port


def _shown(path: Path) -> str:
    """A file's name as the learner types it: from the folder grade runs in, if it is below."""
    try:
        return one_line(str(path.resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return one_line(str(path))


def _listen() -> socket.socket:
    """A listening socket on 127.0.0.1 at a free port: bound here, so no other program can
    take the port between choosing it and serving on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock
