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
    from grader.source import Source

_HOMES = {
    "BrowserApp": "grader.browser",
    "Failure": "grader.checks",
    "Fetched": "grader.browser",
    "Passed": "grader.checks",
    "check": "grader.checks",
    "LiveApp": "grader.live",
    "Response": "grader.live",
    "Source": "grader.source",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
