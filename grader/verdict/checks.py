"""The check API: lesson checks are decorated functions that pass or raise Failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

CheckFunc = TypeVar("CheckFunc", bound=Callable[..., Any])

_MARK = "__grader_check__"


class Failure(Exception):
    """Raised by a check to fail its step with a message for the learner.

    `line` points at the learner's file; `hint` replaces the step's stored hint;
    `details` are extra lines shown under the message (a command to try, a traceback).
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        hint: str | None = None,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint
        self.details = tuple(details)


class Skip(Exception):
    """Raised when a check cannot judge on this machine (a tool it needs is missing): the
    step is skipped with this message, which says how to get the tool."""


@dataclass(frozen=True)
class Passed:
    """What a check may return instead of a plain message: the message and lines shown under it."""

    message: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckSpec:
    step: str
    live: bool
    func: Callable[..., object]
    browser: bool = False

    @property
    def name(self) -> str:
        return self.func.__name__


def check(step: str, *, live: bool = False, browser: bool = False) -> Callable[[CheckFunc], CheckFunc]:
    """Mark a function as the check of lesson step `step`.

    A static check receives the learner's `Source`; a live check (`live=True`)
    receives a `LiveApp` already serving the learner's app; a browser check
    (`browser=True`, for a step marked `browser = true` in lesson.toml) receives a
    `BrowserApp` that runs fetches from a headless Chromium page on another origin.
    Return a short message (or a `Passed`) to pass; raise `Failure` to fail. A check that
    returns nothing, or raises anything else, is a bug in the lesson: its step is reported
    as an error, naming the check's file and line, and the other steps are still graded.
    """

    def mark(func: CheckFunc) -> CheckFunc:
        setattr(func, _MARK, CheckSpec(step=step, live=live or browser, func=func, browser=browser))
        return func

    return mark


def checks_in(module: ModuleType) -> list[CheckSpec]:
    """The checks a lesson's checks module defines, in source order."""
    specs = [getattr(value, _MARK) for value in vars(module).values() if hasattr(value, _MARK)]
    return [spec for spec in specs if isinstance(spec, CheckSpec)]
