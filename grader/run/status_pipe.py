"""The child's status pipe, read by a thread of its own as its lines arrive.

Each event keeps the instant it arrived, on the grader's clock. The learner's time limit
runs from the moment the child said its code starts, not from the moment a busy grader (a
batch grades eight submissions at once) got round to reading the pipe: read late, a
submission that never finishes loading would hold its place that much longer. The events
themselves are parsed and checked in child_events.py, exactly as before. Only the thread
closes the pipe, so its descriptor is never read again once another file has taken it.
"""

from __future__ import annotations

import os
import queue
import select
import threading
import time

from grader.run import timeline
from grader.run.child_events import MAX_LINE, Event, Violation, parse_event

# How soon the reading thread notices that the grader is done with the pipe.
CLOSING_POLL = 0.02

Arrival = tuple[float, Event | Violation]  # when it came (time.monotonic()), and what


class StatusPipe:
    """The events the child sends, in order, each with its arrival; the pipe ends with an
    `eof` event, or after the first Violation (then the grader reads no more)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._events: queue.SimpleQueue[Arrival] = queue.SimpleQueue()
        self._held: Arrival | None = None  # taken from the queue, but it came after a deadline
        self._closing = threading.Event()
        threading.Thread(target=self._read, daemon=True, name="status-pipe").start()

    def next_event(self, deadline: float) -> Arrival | None:
        """The next event that arrived by `deadline` (waiting until then), else None."""
        if self._held is None:
            try:
                remaining = deadline - time.monotonic()
                self._held = self._events.get(timeout=remaining) if remaining > 0 else self._events.get_nowait()
            except queue.Empty:
                return None
        if self._held[0] > deadline:
            return None
        arrival, self._held = self._held, None
        return arrival

    def close(self) -> None:
        """Done with it: the thread stops reading and closes the pipe (within CLOSING_POLL)."""
        self._closing.set()

    def _read(self) -> None:
        pending = b""
        previous: str | None = None
        try:
            while not self._closing.is_set():
                ready, _, _ = select.select([self._fd], [], [], CLOSING_POLL)
                if not ready:
                    continue
                chunk = os.read(self._fd, 65536)
                arrived = time.monotonic()
                if not chunk:
                    self._events.put((arrived, Event("eof")))
                    return
                pending += chunk
                while b"\n" in pending:
                    line, _, pending = pending.partition(b"\n")
                    event = parse_event(line, previous)
                    self._events.put((arrived, event))
                    if isinstance(event, Violation):
                        return
                    previous = event.name
                    timeline.mark(f"child's '{event.name}' arrived")
                if len(pending) > MAX_LINE:
                    self._events.put((arrived, Violation("a status line longer than the grader reads")))
                    return
        except OSError:
            self._events.put((time.monotonic(), Event("eof")))
        finally:
            os.close(self._fd)
