"""The learner's app, run for the page's "Call your API from this page" panel.

It is started from the learner's file exactly as the live step starts it (forked from a warm
worker, or a fresh interpreter where the system cannot fork), restarted after every grade and
after every call that may have changed its data, and stopped when the page closes. The page's
calls reach it through `SiteProxy`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.course.lesson import Lesson
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
    come while the app starts are folded into one restart. `generation` counts starts from a
    saved file; `resets` counts starts afresh from the same file, after a call changed data."""

    def __init__(self, lesson: Lesson, path: Path, import_timeout: float, publish: Callable[[dict[str, Any]], None]) -> None:
        self.lesson = lesson
        self.path = path
        self.import_timeout = import_timeout
        self._publish = publish
        self._wanted = threading.Condition()
        self._pending: str | None = None  # "save" or "reset": what the next start is for
        self._closing = False
        self._starts = 0  # finished starts, whatever their outcome: what `reset` waits for
        self._starting = False  # a start is under way (the app is stopped meanwhile)
        self._app: RunningApp | None = None
        self._worker: WarmWorker | None = None
        self.generation = 0
        self.resets = 0
        self.url: str | None = None
        self._thread = threading.Thread(target=self._run, name="learner-app", daemon=True)
        self._thread.start()

    def restart(self) -> None:
        """Start the app anew from the file as it is now (after a save)."""
        with self._wanted:
            self._pending = "save"
            self._wanted.notify()

    def reset(self, timeout: float) -> None:
        """Start the app afresh from the same file, so the next call finds the data the file
        starts with; return once it runs (or could not start, or `timeout` passed)."""
        with self._wanted:
            if self._closing:
                return
            self._pending = self._pending or "reset"
            wanted = self._starts + 1
            self._wanted.notify_all()
            self._wanted.wait_for(lambda: self._starts >= wanted or self._closing, timeout)

    def running_url(self, timeout: float) -> str | None:
        """The app's address; while a start is due or under way (after a save or a call),
        wait up to `timeout` for it to finish, so a call made meanwhile is not refused."""
        with self._wanted:
            self._wanted.wait_for(
                lambda: self.url is not None or self._closing or not (self._pending or self._starting), timeout
            )
            return self.url

    def close(self) -> None:
        """Stop the app and the warm worker; wait for the restart thread to finish."""
        with self._wanted:
            self._closing = True
            self._wanted.notify_all()
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
                fresh_file, self._pending = self._pending == "save", None
                self._starting = True
            try:
                self._start_app(fresh_file)
            finally:
                with self._wanted:
                    self._starting = False
                    self._starts += 1
                    self._wanted.notify_all()

    def _start_app(self, fresh_file: bool) -> None:
        """Start the app; `fresh_file`: from a saved file (a new generation, and the page
        shows it starting), else afresh after a call (the page just sees the new address)."""
        self._stop_app()
        if not self.path.is_file():
            self._tell("down", reason=f"{self.path.name} is gone; save it again.")
            return
        if isinstance(read_learner_file(self.path), FileProblem):
            self._tell("down", reason="Python cannot read your file yet. Step 1 says why.")
            return
        if fresh_file:
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
        if fresh_file:
            self.generation += 1
        else:
            self.resets += 1
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
        self._publish(
            {"state": state, "url": self.url, "generation": self.generation, "resets": self.resets, "reason": reason}
        )
