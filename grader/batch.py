"""Grading many submissions at once, in parallel, each isolated from the others.

Submissions are staged into a private folder, a warm worker (sandboxed where the machine
allows) forks one child per submission, and each child runs from a copy only it can see.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from grader.engine import grade
from grader.lesson import Lesson
from grader.results import Report, Status, StepResult
from grader.sandbox import Sandbox, find_sandbox
from grader.server import WarmWorker

# Folders that hold no submissions, whatever they contain.
SKIPPED_FOLDERS = {"__pycache__", ".git", ".venv", "venv", "node_modules"}


def submissions_in(paths: Sequence[Path], exercise_name: str) -> list[Path]:
    """Files to grade: each file named, and in each folder named, every .py file directly
    inside plus each subfolder's `exercise_name` (a submission handed in as a folder)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        for entry in sorted(path.iterdir()):
            if entry.is_file() and entry.suffix == ".py":
                found.append(entry)
            elif entry.is_dir() and entry.name not in SKIPPED_FOLDERS and (entry / exercise_name).is_file():
                found.append(entry / exercise_name)
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
    files: Sequence[Path],
    settings: BatchSettings,
    on_sandbox: Callable[[Sandbox], None] = lambda sandbox: None,
) -> Iterator[Report]:
    """Reports for `files`, in their order, graded `settings.jobs` at a time."""
    staging = Path(tempfile.mkdtemp(prefix="grader-batch-"))
    sandbox = find_sandbox() if settings.sandboxed else None
    if sandbox is not None:
        on_sandbox(sandbox)
    worker = None
    try:
        staged = [_stage(file, staging / str(index)) for index, file in enumerate(files)]
        worker = WarmWorker(sandbox, staging)
        worker.wait_warm()

        def one(pair: tuple[Path, Path]) -> Report:
            original, copy = pair
            report = grade(
                lesson, copy, import_timeout=settings.import_timeout, worker=worker, private=sandbox is not None
            )
            return replace(report, file=original)

        pairs = list(zip(files, staged))
        with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
            # Likely-slow submissions start first, so their timeouts overlap the quick ones
            # instead of trailing at the end; results still come out in input order.
            futures = {index: pool.submit(one, pairs[index]) for index in _slow_first(staged)}
            for index in range(len(pairs)):
                yield futures[index].result()
    finally:
        if worker is not None:
            worker.close()
        shutil.rmtree(staging, ignore_errors=True)


SLOW_SIGNS = (b"sleep(", b"while True", b"while 1", b"input(", b".join(", b"Event().wait")


def _slow_first(files: Sequence[Path]) -> list[int]:
    """Indexes of `files`, those whose text hints at waiting or looping first."""

    def looks_slow(index: int) -> bool:
        try:
            data = files[index].read_bytes()
        except OSError:
            return False
        return any(sign in data for sign in SLOW_SIGNS)

    return sorted(range(len(files)), key=lambda index: not looks_slow(index))


def _stage(file: Path, folder: Path) -> Path:
    """Copy a submission (its file, and the .py files beside it when it came as a folder)."""
    folder.mkdir(parents=True)
    shutil.copy2(file, folder / file.name)
    return folder / file.name


@dataclass(frozen=True)
class Summary:
    total: int
    passed: int
    step_passes: dict[str, int]  # step title -> submissions passing it
    common_failures: list[tuple[str, int]]  # (message, count), most common first


def summarize(reports: Sequence[Report], top: int = 5) -> Summary:
    steps: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for report in reports:
        for step in report.steps:
            steps[step.title] += step.status is Status.PASS
        failing = report.first_failure
        if failing is not None:
            failures[f"{failing.title}: {_general(first_reason(failing))}"] += 1
    titles = list(dict.fromkeys(step.title for report in reports for step in report.steps))
    return Summary(
        total=len(reports),
        passed=sum(report.outcome.value == "pass" for report in reports),
        step_passes={title: steps[title] for title in titles},
        common_failures=failures.most_common(top),
    )


def first_reason(step: StepResult) -> str:
    """The message's first line, with its first detail when the line only introduces a list."""
    first = step.message.splitlines()[0]
    if first.endswith(":") and step.details:
        return f"{first} {step.details[0].lstrip('- ')}"
    return first


def _general(message: str) -> str:
    """A failure message with the parts that differ between submissions blurred, so the
    same mistake counts once: line numbers, file names, random origins."""
    first = re.sub(r"\s+", " ", message)
    first = re.sub(r"https://[\w.-]+\.example", "https://<origin>", first)
    first = re.sub(r"\b[Ll]ines? \d+", "Line N", first)
    first = re.sub(r"\b[\w-]+\.py\b", "<file>", first)
    return first[:240]
