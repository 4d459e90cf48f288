"""What a grade produced: one result per lesson step, and the report that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from grader.read.learner_file import FileProblem


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"  # the lesson's check itself failed: a bug in the lesson, not the learner's


class Outcome(StrEnum):
    """The verdict on the whole file. ERROR means the grader could not judge."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True)
class StepResult:
    id: str
    title: str
    status: Status
    message: str
    line: int | None = None
    hint: str | None = None
    details: tuple[str, ...] = ()
    more_hints: tuple[str, ...] = ()  # the step's further hints, revealed one by one on request
    output: str = ""  # what the check printed: for the lesson's author, never in a learner's view
    # The step's own check raised this Failure on a file it could judge (not the engine's
    # verdict on an app that never started or a file Python cannot read): only such a
    # failure proves, under `lessons verify`, that the check can catch a mistake.
    by_check: bool = False


@dataclass(frozen=True)
class Report:
    lesson: str
    lesson_title: str
    file: Path
    steps: tuple[StepResult, ...]
    error: str | None = None
    success_text: str | None = None
    protection: str = "none"  # the sandbox the app ran in: "bubblewrap", "namespaces", "user" or "none"
    # Python cannot read the file: its own finding, shown above the steps (the first step
    # also carries it, for --json and batch summaries that read steps only).
    problem: FileProblem | None = None

    @property
    def outcome(self) -> Outcome:
        if self.error is not None or any(step.status is Status.ERROR for step in self.steps):
            return Outcome.ERROR
        if self.steps and all(step.status is Status.PASS for step in self.steps):
            return Outcome.PASS
        return Outcome.FAIL

    @property
    def lesson_error(self) -> str | None:
        """What is wrong in the lesson, when a check could not judge: for its author."""
        if self.error is not None:
            return self.error
        broken = next((step for step in self.steps if step.status is Status.ERROR), None)
        return "\n".join(broken.details) if broken else None

    @property
    def first_failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.status is Status.FAIL), None)
