"""What a class's reports add up to: how many pass, each step's passes, the commonest mistakes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from grader.verdict.results import Report, Status, StepResult


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
        if report.problem is not None:  # no step was judged: the file itself is the mistake
            failures[f"The file itself: {_general(report.problem.message.splitlines()[0])}"] += 1
        elif failing is not None:
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
    # Live probes draw origins and path parameters at random for each grade.
    first = re.sub(r"\bhttps?://[\w.-]+(:\d+)?", "<origin>", first)
    first = re.sub(r"(?<=\w)/\d+\b", "/N", first)
    first = re.sub(r"\b([Ll])ines? \d+", r"\1ine N", first)
    first = re.sub(r"\b[\w-]+\.py\b", "<file>", first)
    return first[:240]
