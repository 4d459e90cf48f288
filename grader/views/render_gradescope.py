"""Gradescope's results.json: one test per lesson step, one point each.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (tests with name,
score, max_score, status, output and visibility; a top-level score and output).
"""

from __future__ import annotations

from typing import Any

from grader.read.text_safety import json_text
from grader.verdict.results import Outcome, Report, Status


def report_as_gradescope(report: Report, execution_time: float | None = None) -> dict[str, Any]:
    tests = [
        {
            "name": f"{number}. {step.title}",
            "number": str(number),
            "score": 1.0 if step.status is Status.PASS else 0.0,
            "max_score": 1.0,
            "status": "passed" if step.status is Status.PASS else "failed",
            "output": _output(step.message, step.details, step.line, step.hint),
            "visibility": "visible",
        }
        for number, step in enumerate(report.steps, start=1)
    ]
    passed = sum(1.0 for step in report.steps if step.status is Status.PASS)
    result: dict[str, Any] = {
        "score": passed,
        "output": _summary(report, int(passed)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"protection": report.protection},
    }
    if execution_time is not None:
        result["execution_time"] = round(execution_time, 2)
    return result


def render_gradescope(report: Report, execution_time: float | None = None) -> str:
    # Valid UTF-8 whatever the learner's bytes: Gradescope's reader is strict.
    return json_text(report_as_gradescope(report, execution_time), indent=2)


def _output(message: str, details: tuple[str, ...], line: int | None, hint: str | None) -> str:
    parts = [message, *details]
    if line is not None:
        parts.append(f"(line {line})")
    if hint:
        parts.append(f"Hint: {hint}")
    return "\n".join(parts)


def _summary(report: Report, passed: int) -> str:
    if report.outcome is Outcome.ERROR:
        return f"The grader could not judge this lesson: {report.error}"
    return f"{report.lesson_title}: {passed} of {len(report.steps)} steps pass."
