"""`lessons verify`: prove a lesson consistent before any learner sees it.

The solution passes every step; the starter fails at the steps lesson.toml declares; each
known-wrong sample in `lessons/<slug>/wrong/` fails where its header says; each mutant of
the solution fails at least one step; and every step is shown to fail by something, so no
check is dead. A check that raises on any of these files is a bug found before a learner.
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

from grader.author.expectations import read_expectation
from grader.author.mutants import Mutant, mutants_of
from grader.course.lesson import Lesson, LessonError, install_advice
from grader.engine import grade, lesson_checks
from grader.verdict.results import Outcome, Report, Status

WRONG_FOLDER = "wrong"
RIGHT_FOLDER = "right"  # other correct solutions: each must pass every step


@dataclass(frozen=True)
class Finding:
    ok: bool
    subject: str  # what was graded: "solution", "starter", "wrong/typo.py", "mutant: ..."
    detail: str
    broken: bool = False  # a check raised or returned nothing: the lesson has a bug
    printed: tuple[str, ...] = ()  # what the checks printed while grading this file
    failing: tuple[str, ...] = ()  # the steps this file failed
    # The steps whose own check raised Failure on this file (for a live step: with the app
    # running). Only these prove a step can fail: a mutant that stops the app from starting
    # fails every live step through the engine, whatever their checks would have said.
    proven: tuple[str, ...] = ()


def verify_lesson(lesson: Lesson, import_timeout: float = 10.0) -> list[Finding]:
    """Every finding for `lesson`; raises LessonError when it cannot even be graded."""
    lesson_checks(lesson)
    missing = lesson.missing_packages()
    if missing:
        raise LessonError(
            f"{lesson.folder / 'lesson.toml'}: requires {', '.join(r.package for r in missing)}, which "
            f"cannot be imported here ({', '.join(r.module for r in missing)}): install "
            f"{'them' if len(missing) > 1 else 'it'} with `{install_advice(missing)}`, or correct the name"
        )
    for needed in (lesson.exercise, lesson.solution):
        if not needed.is_file():
            raise LessonError(f"{needed}: missing (lesson '{lesson.slug}' needs it)")
    jobs: list[Callable[[], Finding]] = [
        partial(_solution, lesson, import_timeout),
        partial(_starter, lesson, import_timeout),
    ]
    for sample in sorted((lesson.folder / WRONG_FOLDER).glob("*.py")):
        jobs.append(partial(_wrong, lesson, sample, import_timeout))
    for sample in sorted((lesson.folder / RIGHT_FOLDER).glob("*.py")):
        jobs.append(partial(_right, lesson, sample, import_timeout))
    solution = lesson.solution.read_text(encoding="utf-8")
    for mutant in mutants_of(solution, starter=_starter_text(lesson)):
        jobs.append(partial(_mutant, lesson, mutant, import_timeout))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        findings = list(pool.map(lambda job: job(), jobs))
    return findings + _never_failed(lesson, findings)


def _never_failed(lesson: Lesson, findings: list[Finding]) -> list[Finding]:
    """A finding for each graded step whose check no wrong/ sample and no mutant makes fail
    (the starter, which lacks everything, proves little about a check). A live step counts
    only when its own check failed with the app running: a file that stops the app from
    starting fails every live step without its check ever being asked."""
    shown = {step for finding in findings if finding.subject not in {"solution", "starter"} for step in finding.proven}
    checks = {spec.step: spec for spec in lesson_checks(lesson)}
    return [
        Finding(
            False,
            f"step {step.id}",
            "is never shown to fail: no wrong/ sample and no mutant of the solution makes its check "
            + ("fail while the app runs (an app that cannot start fails every live step, whatever "
               "the check says)" if checks[step.id].live else "fail")
            + ", so nothing proves the check catches a mistake. Add a file to "
            f"lessons/{lesson.slug}/wrong/ that should fail it (with '# expect: fail at {step.id}'), "
            "or make the check test what the step asks for",
        )
        for step in lesson.graded_steps(False)
        if step.id not in shown
    ]


def _solution(lesson: Lesson, timeout: float) -> Finding:
    report = grade(lesson, lesson.solution, import_timeout=timeout)
    if _broken(report):
        return _bug("solution", report)
    failing = _failing(report)
    if report.outcome is Outcome.PASS:
        return _judged(report, True, "solution", f"passes all {len(report.steps)} steps")
    return _judged(report, False, "solution", f"fails at {', '.join(failing)}: {_first_message(report)}")


def _starter(lesson: Lesson, timeout: float) -> Finding:
    report = grade(lesson, lesson.exercise, import_timeout=timeout)
    if _broken(report):
        return _bug("starter", report)
    failing = _failing(report)
    expected = list(lesson.starter_fails_at)
    if report.outcome is Outcome.PASS:
        detail = "passes every step: a learner would have nothing to do" + _solved_here(lesson)
        return _judged(report, False, "starter", detail)
    if failing != expected:
        detail = f"fails at {failing}, but lesson.toml says starter_fails_at = {expected}"
        return _judged(report, False, "starter", detail)
    return _judged(report, True, "starter", f"fails at {', '.join(failing)}, as lesson.toml says")


def _wrong(lesson: Lesson, sample: Path, timeout: float) -> Finding:
    subject = f"{WRONG_FOLDER}/{sample.name}"
    try:
        expected = read_expectation(sample)
    except ValueError as error:
        return Finding(False, subject, str(error))
    if expected is None or expected.passes:
        return Finding(False, subject, "needs a header '# expect: fail at STEP' (samples here are known-wrong)")
    report = grade(lesson, sample, import_timeout=expected.timeout or timeout)
    if _broken(report):
        return _bug(subject, report)
    failing = _failing(report)
    message = _first_message(report)
    statuses = {step.id: step.status.value for step in report.steps}
    wrong_steps = {k: v for k, v in expected.steps.items() if statuses.get(k) != v}
    if not failing:
        detail = f"passes, but should fail at {expected.fails_at}"
    elif failing[0] != expected.fails_at:
        detail = f"first fails at {failing[0]}, but its header says {expected.fails_at}"
    elif expected.message and expected.message.lower() not in message.lower():
        detail = f"fails at {failing[0]} with {message!r}, which lacks {expected.message!r}"
    elif wrong_steps:
        got = ", ".join(f"{k}={statuses.get(k)}" for k in wrong_steps)
        detail = f"its header expects {wrong_steps}, but got {got}"
    else:
        return _judged(report, True, subject, f"fails at {failing[0]}, as declared")
    return _judged(report, False, subject, detail)


def _in_place_of_solution(lesson: Lesson, text: str, timeout: float) -> Report:
    """Grade `text` as the solution's file, beside the solution's other files."""
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as folder:
        copy = Path(folder) / "app"
        shutil.copytree(lesson.solution.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
        target = copy / lesson.solution.name
        target.write_text(text, encoding="utf-8")
        return grade(lesson, target, import_timeout=timeout)


def _right(lesson: Lesson, sample: Path, timeout: float) -> Finding:
    """Another correct solution: a step it fails has a check stricter than the lesson means."""
    subject = f"{RIGHT_FOLDER}/{sample.name}"
    report = _in_place_of_solution(lesson, sample.read_text(encoding="utf-8"), timeout)
    if _broken(report):
        return _bug(subject, report, " (a learner who solved it this way would meet it)")
    if report.outcome is Outcome.PASS:
        return _judged(report, True, subject, f"passes all {len(report.steps)} steps, as a correct solution should")
    failing = _failing(report)
    detail = (
        f"is a correct solution (it is in {RIGHT_FOLDER}/), but fails at {', '.join(failing)}: "
        f"{_first_message(report)}\nThe check is stricter than the lesson: make it accept this way too, "
        f"or move the file to {WRONG_FOLDER}/ with '# expect: fail at {failing[0] if failing else 'STEP'}'"
    )
    return _judged(report, False, subject, detail)


def _mutant(lesson: Lesson, mutant: Mutant, timeout: float) -> Finding:
    subject = f"mutant, {mutant.description}"
    report = _in_place_of_solution(lesson, mutant.text, timeout)
    if _broken(report):
        return _bug(subject, report, " (a learner whose file looks like this mutant would meet it)")
    failing = _failing(report)
    if failing:
        return _judged(report, True, subject, f"caught by {', '.join(failing)}")
    return _judged(report, False, subject, "passes every step: no check notices this change")


def _starter_text(lesson: Lesson) -> str:
    """The starter as the course committed it: a copy a learner solved in this checkout
    would leave the solution nothing of its own to mutate."""
    from grader.course.reset import ResetError, committed_starter

    try:
        return committed_starter(lesson.folder.parent.parent, lesson.exercise).decode("utf-8", "replace")
    except (ResetError, OSError, ValueError):
        return lesson.exercise.read_text(encoding="utf-8")


def _solved_here(lesson: Lesson) -> str:
    """A note when the starter differs from the committed one: a learner's solved copy."""
    from grader.course.reset import ResetError, committed_starter

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


def _broken(report: Report) -> bool:
    if report.error is not None:
        raise LessonError(report.error)  # checks that do not match lesson.toml: nothing can be graded
    return report.outcome is Outcome.ERROR


def _bug(subject: str, report: Report, note: str = "") -> Finding:
    return Finding(False, subject, f"a check has a bug{note}: {report.lesson_error}", broken=True)


def _judged(report: Report, ok: bool, subject: str, detail: str) -> Finding:
    """A finding, with what the checks printed and the steps that failed."""
    printed = tuple(
        f"{step.id} printed: {line}" for step in report.steps for line in step.output.splitlines() if line.strip()
    )
    proven = tuple(step.id for step in report.steps if step.status is Status.FAIL and step.by_check)
    return Finding(ok, subject, detail, printed=printed, failing=tuple(_failing(report)), proven=proven)
