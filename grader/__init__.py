"""A step-by-step grader for FastAPI lessons.

Lesson authors import the check API from here, and only from here: every name below is
documented in lessons/README.md (a test holds the two together); the rest of the package
is the engine's own. The names load lazily, so the `grade` command can start the learner's
app before libcst is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.browser import BrowserApp, BrowserRequest, Fetched
    from grader.checks import Failure, Passed, Skip, check
    from grader.hooks import CallSite, Function, Hook, ReturnSite
    from grader.live import LiveApp, Response, a_number
    from grader.live_reports import fail_on_crash, try_it
    from grader.placement import Placement
    from grader.served import ServedApp, ServedMiddleware
    from grader.source import AppBinding, ImportFound, NameImport, Registration, Route, Source, Value

_HOMES = {
    "AppBinding": "grader.source",
    "BrowserApp": "grader.browser",
    "BrowserRequest": "grader.browser",
    "CallSite": "grader.hooks",
    "Failure": "grader.checks",
    "Fetched": "grader.browser",
    "Function": "grader.hooks",
    "Hook": "grader.hooks",
    "ImportFound": "grader.source",
    "LiveApp": "grader.live",
    "NameImport": "grader.source",
    "Passed": "grader.checks",
    "Placement": "grader.placement",
    "Registration": "grader.source",
    "Response": "grader.live",
    "ReturnSite": "grader.hooks",
    "Route": "grader.source",
    "ServedApp": "grader.served",
    "ServedMiddleware": "grader.served",
    "Skip": "grader.checks",
    "Source": "grader.source",
    "Value": "grader.source",
    "a_number": "grader.live",
    "check": "grader.checks",
    "fail_on_crash": "grader.live_reports",
    "try_it": "grader.live_reports",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
