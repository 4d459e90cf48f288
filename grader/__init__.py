"""A step-by-step grader for FastAPI lessons.

Lesson authors import the check API from here (see lessons/README.md). The names load
lazily, so the `grade` command can start the learner's app before libcst is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.browser import BrowserApp, Fetched
    from grader.checks import Failure, Passed, check
    from grader.live import LiveApp, Response
    from grader.live_reports import fail_on_crash, try_it
    from grader.placement import Placement
    from grader.source import AppBinding, ImportFound, NameImport, Registration, Route, Source, Value

_HOMES = {
    "AppBinding": "grader.source",
    "BrowserApp": "grader.browser",
    "Failure": "grader.checks",
    "Fetched": "grader.browser",
    "ImportFound": "grader.source",
    "LiveApp": "grader.live",
    "NameImport": "grader.source",
    "Passed": "grader.checks",
    "Placement": "grader.placement",
    "Registration": "grader.source",
    "Response": "grader.live",
    "Route": "grader.source",
    "Source": "grader.source",
    "Value": "grader.source",
    "check": "grader.checks",
    "fail_on_crash": "grader.live_reports",
    "try_it": "grader.live_reports",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
