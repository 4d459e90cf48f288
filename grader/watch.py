"""Watch mode: grade, then grade again on every save, from a warm worker so it is quick.

Watches the exercise's folder rather than the file, so editors that save by writing a new
file and renaming it over the old one (vim, JetBrains) are seen too.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from grader.course.lesson import Lesson
from grader.engine import grade, load_ahead
from grader.run.cold_start import EarlyWorker
from grader.run.sandbox import Sandbox
from grader.run.running import warm_worker
from grader.run.server import WarmWorker
from grader.verdict.results import Report

# How long watchfiles waits for more changes after the first: short, so a save is graded
# at once, long enough to see an editor's write-then-rename (microseconds apart) as one change.
STEP_MS = 3
# How often the loop wakes without file events, to notice Enter in manual mode.
WAKE_MS = 200
# A file replaced by rename may be missing for an instant: wait this long for it.
REAPPEAR_SECONDS = 1.0


def watch(
    lesson: Lesson,
    path: Path,
    show: Callable[[Report | None], None],
    *,
    import_timeout: float,
    force_polling: bool = False,
    browser: bool = False,
    sandbox: Sandbox | None = None,
    early: EarlyWorker | None = None,
) -> None:
    """Grade `path` now and after every change, calling `show` with each report (None when
    the file is gone). Returns only through KeyboardInterrupt (Ctrl-C). With `browser`,
    one Chromium stays open for every grade. `early`: the worker launch.py started (see
    running.warm_worker)."""
    import watchfiles

    enter = _enter_presses()
    # A warm worker where the system can fork one; else each grade starts a fresh interpreter.
    worker = warm_worker(sandbox, early=early)
    chromium = None
    try:
        load_ahead(lesson, browser)  # while the worker imports its libraries
        if worker is not None:
            worker.wait_warm()
        if browser:
            from grader.live.browser import Browser

            chromium = Browser.start()
        grade_now = partial(grade, lesson, path, import_timeout=import_timeout, browser=browser, chromium=chromium)
        graded = _signature(path)
        worker = _grade_and_show(grade_now, path, show, worker)
        for changes in watchfiles.watch(
            path.parent,
            watch_filter=lambda change, name: name.endswith(".py") and "__pycache__" not in name,
            step=STEP_MS,
            rust_timeout=WAKE_MS,
            yield_on_timeout=True,
            force_polling=force_polling or None,
            poll_delay_ms=50,
        ):
            # The signature check also catches a save made before the watcher was running.
            if changes or _take(enter) or _signature(path) != graded:
                graded = _signature(path)
                worker = _grade_and_show(grade_now, path, show, worker)
    finally:
        if worker is not None:
            worker.close()
        if chromium is not None:
            chromium.close()


def _grade_and_show(
    grade_now: Callable[..., Report], path: Path, show: Callable[[Report | None], None], worker: WarmWorker | None
) -> WarmWorker | None:
    deadline = time.monotonic() + REAPPEAR_SECONDS
    while not path.is_file() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not path.is_file():
        show(None)
        return worker
    grade_now(worker=worker, shown=show)  # shown before the app stops; a dead worker is replaced by the next fork
    return worker


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _enter_presses() -> threading.Event:
    """An event set each time a line arrives on stdin: manual re-grading, for file systems
    that never report changes."""
    pressed = threading.Event()

    def read() -> None:
        try:
            for _ in sys.stdin:
                pressed.set()
        except (OSError, ValueError):
            pass

    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=read, daemon=True).start()
    return pressed


def _take(event: threading.Event) -> bool:
    if event.is_set():
        event.clear()
        return True
    return False
