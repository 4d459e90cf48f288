"""Static analysis within limits: a file built to be slow to analyse gets a verdict in time.

libcst's scope analysis grows much faster than the file on some shapes (thousands of tiny
functions), so the parse and the static checks run on a thread the grade stops waiting
for at the same deadline the learner's app has; a file far larger than any exercise is
refused before it is parsed at all.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from typing import TypeVar

# Syntax-tree nodes: an exercise has a few hundred; past this, analysis is refused outright.
MAX_NODES = 20_000

Result = TypeVar("Result")


class TooComplex(Exception):
    """The file is too large or too intricate to analyse within the limits."""


def check_size(text: str) -> None:
    """Refuse, cheaply, a file whose syntax tree is far beyond any exercise's."""
    try:
        nodes = sum(1 for _ in ast.walk(ast.parse(text)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise TooComplex("too deeply nested") from None
    if nodes > MAX_NODES:
        raise TooComplex(f"{nodes} syntax elements, where an exercise has a few hundred")


def within(seconds: float, work: Callable[[], Result]) -> Result:
    """`work()`'s result, or TooComplex when it has not finished after `seconds`. (Python
    cannot stop a thread: a late one runs on, in the background, and is dropped.)"""
    outcome: list[Result] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller as it is
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name="static-analysis", daemon=True).start()
    if not done.wait(seconds):
        raise TooComplex(f"the analysis took longer than {seconds:g} seconds")
    if failure:
        raise failure[0]
    return outcome[0]
