"""A step-by-step grader for FastAPI lessons.

Lesson authors import the check API from here, and only from here: every name below is
documented in lessons/README.md (a test holds the two together); the rest of the package
is the engine's own. The names load lazily, so the `grade` command can start the learner's
app before libcst is imported.
"""

from __future__ import annotations

from importlib import import_module

# Not `from typing import TYPE_CHECKING`: `grade` imports this package before it starts the
# app's process (launch.py), and typing's import would delay that. Type checkers know the name.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from grader.live.browser import BrowserApp, BrowserRequest, Fetched
    from grader.live.live_app import LiveApp, a_number
    from grader.live.reports import fail_on_crash, try_it
    from grader.live.response import Response
    from grader.run.served import ServedApp, ServedMiddleware
    from grader.static.functions import CallSite, Function, ReturnSite
    from grader.static.hooks import Hook
    from grader.static.functions import Dependency, Param, SecurityScheme
    from grader.static.parsed import AppBinding, ImportFound, NameImport, Value
    from grader.static.registrations import Registration
    from grader.static.routes import Route
    from grader.static.placement import Placement
    from grader.static.source import Source
    from grader.verdict.checks import Failure, Passed, Skip, check

_HOMES = {
    "AppBinding": "grader.static.parsed",
    "BrowserApp": "grader.live.browser",
    "BrowserRequest": "grader.live.browser",
    "CallSite": "grader.static.functions",
    "Failure": "grader.verdict.checks",
    "Fetched": "grader.live.browser",
    "Function": "grader.static.functions",
    "Hook": "grader.static.hooks",
    "ImportFound": "grader.static.parsed",
    "LiveApp": "grader.live.live_app",
    "NameImport": "grader.static.parsed",
    "Passed": "grader.verdict.checks",
    "Placement": "grader.static.placement",
    "Registration": "grader.static.registrations",
    "Response": "grader.live.response",
    "ReturnSite": "grader.static.functions",
    "Route": "grader.static.routes",
    "Param": "grader.static.functions",
    "Dependency": "grader.static.functions",
    "SecurityScheme": "grader.static.functions",
    "ServedApp": "grader.run.served",
    "ServedMiddleware": "grader.run.served",
    "Skip": "grader.verdict.checks",
    "Source": "grader.static.source",
    "Value": "grader.static.parsed",
    "a_number": "grader.live.live_app",
    "check": "grader.verdict.checks",
    "fail_on_crash": "grader.live.reports",
    "try_it": "grader.live.reports",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
