"""Grading many submissions at once, in parallel, each isolated from the others.

A warm worker (sandboxed) forks one child per submission; each child enters a sandbox of
its own and runs from the submission's bytes, which the grader read and handed over.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.course.lesson import Lesson
from grader.engine import grade, load_ahead
from grader.read.submission import NotRegularFile, read_regular
from grader.run.cold_start import EarlyWorker
from grader.run.sandbox import Sandbox, find_sandbox, no_sandbox
from grader.run.running import warm_worker
from grader.verdict.results import Report

# Folders that hold no submissions, whatever they contain.
SKIPPED_FOLDERS = {"__pycache__", ".git", ".venv", "venv", "node_modules"}


@dataclass(frozen=True)
class Submission:
    """One learner's work: `file`, and with `with_folder` the other files of its folder
    (a submission handed in as a folder of its own)."""

    file: Path
    with_folder: bool = False


def submissions_in(paths: Sequence[Path], exercise_name: str) -> list[Submission]:
    """What to grade: each file named, alone; in each folder named, every .py file directly
    inside, alone (a `main.py` there too: the folder is the class's, not its own), and each
    subfolder's `exercise_name` with its subfolder. Links are listed too, so that each
    gets its own "not a regular file" verdict."""
    found: list[Submission] = []
    for path in paths:
        if not path.is_dir():
            found.append(Submission(path))
            continue
        for entry in sorted(path.iterdir()):
            if entry.name in SKIPPED_FOLDERS:
                continue
            if entry.suffix == ".py" and (entry.is_symlink() or entry.is_file()):
                found.append(Submission(entry))
            elif entry.is_dir() and (entry / exercise_name).exists():  # a linked folder too: refused when graded
                found.append(Submission(entry / exercise_name, with_folder=True))
    return found


# Grades at once per CPU core: a grade spends most of its time waiting (for the app to load,
# for a hanging submission to time out), so more grades than cores keep the cores busy.
JOBS_PER_CORE = 4


@dataclass(frozen=True)
class BatchSettings:
    jobs: int = JOBS_PER_CORE * (os.cpu_count() or 2)
    import_timeout: float = 5.0
    sandboxed: bool = True


def grade_batch(
    lesson: Lesson,
    submissions: Sequence[Submission],
    settings: BatchSettings,
    on_sandbox: Callable[[Sandbox], None] = lambda sandbox: None,
    before_grading: Callable[[], None] = lambda: None,
    early: EarlyWorker | None = None,
) -> Generator[Report, None, None]:
    """Reports for `submissions`, in their order, graded `settings.jobs` at a time, each in a
    sandbox of its own (unless `settings.sandboxed` is off). `before_grading` runs once the
    warm worker is starting, before any submission's code does: work of the caller's own
    (the install's fingerprint) that then overlaps the worker's imports. `early`: the worker
    launch.py started (see running.warm_worker)."""
    sandbox = find_sandbox() if settings.sandboxed else no_sandbox()
    on_sandbox(sandbox)
    # None where the system cannot fork: each grade starts afresh. One child forked ahead
    # per job, so that each grade finds one ready.
    worker = warm_worker(sandbox, ahead=max(1, settings.jobs), early=early)
    try:
        before_grading()
        load_ahead(lesson)
        if worker is not None:
            worker.wait_warm()  # children are forked ahead from the first grade on

        def one(submission: Submission) -> Report:
            # A file reached through a linked folder is refused when read (learner_file.py).
            return grade(
                lesson,
                submission.file,
                import_timeout=settings.import_timeout,
                worker=worker,
                siblings=submission.with_folder,
            )

        pool = ThreadPoolExecutor(max_workers=max(1, settings.jobs))
        try:
            # Likely-slow submissions start first, so their timeouts overlap the quick ones
            # instead of trailing at the end; results still come out in input order.
            files = [submission.file for submission in submissions]
            futures = {index: pool.submit(one, submissions[index]) for index in _slow_first(files)}
            for index in range(len(submissions)):
                yield futures[index].result()
        finally:
            # Done, or interrupted (Ctrl-C): no waiting submission starts any more, and the
            # worker's end takes every running app with it, so those grades end at once.
            pool.shutdown(wait=False, cancel_futures=True)
            if worker is not None:
                worker.close()
            pool.shutdown(wait=True)
    finally:
        if worker is not None:
            worker.close()


SLOW_SIGNS = (b"sleep(", b"while True", b"while 1", b"input(", b".join(", b"Event().wait")


def _slow_first(files: Sequence[Path]) -> list[int]:
    """Indexes of `files`, those whose text hints at waiting or looping first."""

    def looks_slow(index: int) -> bool:
        try:
            data = read_regular(files[index], 256 * 1024)
        except (OSError, NotRegularFile):
            return False
        return any(sign in data for sign in SLOW_SIGNS)

    return sorted(range(len(files)), key=lambda index: not looks_slow(index))
