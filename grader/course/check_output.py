"""What a lesson check prints is kept apart from the grade's own output.

A `print()` in a check must never reach `grade --json`'s stdout or the learner's view, and
`lessons verify` grades in several threads at once, so the capture is per thread: sys.stdout
and sys.stderr become thin proxies that send a capturing thread's text to its buffer and
everything else to the real stream.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_local = threading.local()
_install = threading.Lock()


class _ThreadAwareStream:
    def __init__(self, real: TextIO) -> None:
        self._real = real

    def write(self, text: str) -> int:
        buffer: list[str] | None = getattr(_local, "buffer", None)
        if buffer is None:
            return self._real.write(text)
        buffer.append(text)
        return len(text)

    def flush(self) -> None:
        if getattr(_local, "buffer", None) is None:
            self._real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def captured() -> Iterator[list[str]]:
    """Collect what this thread writes to stdout and stderr while the block runs."""
    with _install:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not isinstance(stream, _ThreadAwareStream):
                setattr(sys, name, _ThreadAwareStream(stream))
    outer = getattr(_local, "buffer", None)
    buffer: list[str] = []
    _local.buffer = buffer
    try:
        yield buffer
    finally:
        _local.buffer = outer
