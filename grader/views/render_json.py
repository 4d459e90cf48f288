"""The --json view: one JSON object per grade, in a documented, versioned shape.

Each object is one line of ASCII (json_text), whatever the learner's text holds.
"""

from __future__ import annotations

from typing import Any

from grader.read.text_safety import json_text
from grader.verdict.results import Report

SCHEMA_VERSION = 1


def report_as_dict(report: Report, shown_file: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "lesson": report.lesson,
        "file": shown_file,
        "status": report.outcome.value,
        "protection": report.protection,
        "steps": [
            {
                "id": step.id,
                "title": step.title,
                "status": step.status.value,
                "message": "\n".join((step.message, *step.details)),
                "line": step.line,
                "hint": step.hint,
            }
            for step in report.steps
        ],
    }
    if report.lesson_error is not None:
        data["error"] = report.lesson_error
    if report.problem is not None:  # Python cannot read the file: steps wait for it
        data["problem"] = {"message": report.problem.message, "line": report.problem.line, "hint": report.problem.hint}
    return data


def render_json(report: Report, shown_file: str) -> str:
    return json_text(report_as_dict(report, shown_file))
