"""`lessons verify`: prove a lesson consistent before any learner sees it.

The solution passes every step; the starter fails at the steps lesson.toml declares; each
known-wrong sample in `lessons/<slug>/wrong/` fails where its header says; and each mutant
of the solution fails at least one step, so no check is dead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader.engine import grade, lesson_checks
from grader.expectations import read_expectation
from grader.lesson import Lesson, LessonError
from grader.mutants import Mutant, mutants_of
from grader.results import Outcome, Report, Status

WRONG_FOLDER = "wrong"


@dataclass(frozen=True)
class Finding:
    ok: bool
    subject: str  # what was graded: "solution", "starter", "wrong/typo.py", "mutant: ..."
    detail: str


def verify_lesson(lesson: Lesson, import_timeout: float = 10.0) -> list[Finding]:
    """Every finding for `lesson`; raises LessonError when it cannot even be graded."""
    lesson_checks(lesson)
    for needed in (lesson.exercise, lesson.solution):
        if not needed.is_file():
            raise LessonError(f"{needed}: missing (lesson '{lesson.slug}' needs it)")
    jobs: list[Callable[[], Finding]] = [
        partial(_solution, lesson, import_timeout),
        partial(_starter, lesson, import_timeout),
    ]
    for sample in sorted((lesson.folder / WRONG_FOLDER).glob("*.py")):
        jobs.append(partial(_wrong, lesson, sample, import_timeout))
    solution = lesson.solution.read_text(encoding="utf-8")
    for mutant in mutants_of(solution, starter=lesson.exercise.read_text(encoding="utf-8")):
        jobs.append(partial(_mutant, lesson, mutant, import_timeout))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda job: job(), jobs))


def _solution(lesson: Lesson, timeout: float) -> Finding:
    report = grade(lesson, lesson.solution, import_timeout=timeout)
    _raise_if_broken(report)
    failing = _failing(report)
    if report.outcome is Outcome.PASS:
        return Finding(True, "solution", f"passes all {len(report.steps)} steps")
    return Finding(False, "solution", f"fails at {', '.join(failing)}: {_first_message(report)}")


def _starter(lesson: Lesson, timeout: float) -> Finding:
    report = grade(lesson, lesson.exercise, import_timeout=timeout)
    _raise_if_broken(report)
    failing = _failing(report)
    expected = list(lesson.starter_fails_at)
    if report.outcome is Outcome.PASS:
        return Finding(False, "starter", "passes every step: a learner would have nothing to do" + _solved_here(lesson))
    if failing != expected:
        return Finding(False, "starter", f"fails at {failing}, but lesson.toml says starter_fails_at = {expected}")
    return Finding(True, "starter", f"fails at {', '.join(failing)}, as lesson.toml says")


def _wrong(lesson: Lesson, sample: Path, timeout: float) -> Finding:
    subject = f"{WRONG_FOLDER}/{sample.name}"
    try:
        expected = read_expectation(sample)
    except ValueError as error:
        return Finding(False, subject, str(error))
    if expected is None or expected.passes:
        return Finding(False, subject, "needs a header '# expect: fail at STEP' (samples here are known-wrong)")
    report = grade(lesson, sample, import_timeout=expected.timeout or timeout)
    _raise_if_broken(report)
    failing = _failing(report)
    if not failing:
        return Finding(False, subject, f"passes, but should fail at {expected.fails_at}")
    if failing[0] != expected.fails_at:
        return Finding(False, subject, f"first fails at {failing[0]}, but its header says {expected.fails_at}")
    message = _first_message(report)
    if expected.message and expected.message.lower() not in message.lower():
        return Finding(False, subject, f"fails at {failing[0]} with {message!r}, which lacks {expected.message!r}")
    statuses = {step.id: step.status.value for step in report.steps}
    wrong_steps = {k: v for k, v in expected.steps.items() if statuses.get(k) != v}
    if wrong_steps:
        got = ", ".join(f"{k}={statuses.get(k)}" for k in wrong_steps)
        return Finding(False, subject, f"its header expects {wrong_steps}, but got {got}")
    return Finding(True, subject, f"fails at {failing[0]}, as declared")


def _mutant(lesson: Lesson, mutant: Mutant, timeout: float) -> Finding:
    subject = f"mutant, {mutant.description}"
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as folder:
        copy = Path(folder) / "app"
        shutil.copytree(lesson.solution.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
        target = copy / lesson.solution.name
        target.write_text(mutant.text, encoding="utf-8")
        report = grade(lesson, target, import_timeout=timeout)
    _raise_if_broken(report)
    failing = _failing(report)
    if failing:
        return Finding(True, subject, f"caught by {', '.join(failing)}")
    return Finding(False, subject, "passes every step: no check notices this change")


def _solved_here(lesson: Lesson) -> str:
    """A note when the starter differs from the committed one: a learner's solved copy."""
    from grader.reset import ResetError, committed_starter

    root = lesson.folder.parent.parent
    try:
        committed = committed_starter(root, lesson.exercise)
    except ResetError:
        return ""
    if committed == lesson.exercise.read_bytes():
        return ""
    return (
        f" ({lesson.exercise.relative_to(root)} differs from the committed starter: was it solved in "
        f"this checkout? `grade --reset --lesson {lesson.slug}` puts the starter back)"
    )


def _failing(report: Report) -> list[str]:
    return [step.id for step in report.steps if step.status is Status.FAIL]


def _first_message(report: Report) -> str:
    failure = report.first_failure
    return "\n".join((failure.message, *failure.details)) if failure else ""


def _raise_if_broken(report: Report) -> None:
    if report.error is not None:
        raise LessonError(report.error)
