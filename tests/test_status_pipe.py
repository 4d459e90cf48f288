"""The child's status pipe, read as its lines arrive (grader/run/status_pipe.py): each event
keeps when it came, one that came after a deadline is not taken by it, a line that breaks
the protocol ends the reading, and the reader alone closes the pipe."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

from grader.run.child_events import Event, Violation
from grader.run.status_pipe import CLOSING_POLL, StatusPipe


def _line(name: str, **data: object) -> bytes:
    return json.dumps({"event": name, **data}).encode() + b"\n"


@pytest.fixture
def pipe() -> Iterator[tuple[StatusPipe, int]]:
    """A status pipe being read, and the end the child would write to."""
    read_end, write_end = os.pipe()
    status = StatusPipe(read_end)
    yield status, write_end
    status.close()
    os.close(write_end)


def test_an_event_keeps_the_instant_it_arrived_however_late_it_is_read(pipe: tuple[StatusPipe, int]) -> None:
    """A batch's grader may get round to the pipe late: the learner's time limit still
    counts from when the child said its code started."""
    status, child = pipe
    before = time.monotonic()
    os.write(child, _line("started"))
    time.sleep(0.5)  # the grader busy elsewhere
    arrival = status.next_event(time.monotonic() + 5)
    assert arrival is not None and arrival[1] == Event("started")
    assert before <= arrival[0] < before + 0.4  # when it came, not when it was read


def test_an_event_that_came_after_the_deadline_waits_for_a_later_one(pipe: tuple[StatusPipe, int]) -> None:
    status, child = pipe
    deadline = time.monotonic()
    os.write(child, _line("started"))
    time.sleep(0.1)
    assert status.next_event(deadline) is None  # it came too late for that deadline...
    arrival = status.next_event(time.monotonic() + 5)
    assert arrival is not None and arrival[1] == Event("started")  # ...not lost


def test_a_line_out_of_order_is_a_violation_and_the_last_thing_read(pipe: tuple[StatusPipe, int]) -> None:
    status, child = pipe
    os.write(child, _line("started") + _line("started") + _line("imported", app=None))
    events = [status.next_event(time.monotonic() + 5) for _ in range(2)]
    assert [arrival[1] for arrival in events if arrival] == [Event("started"), Violation("the event 'started' after started")]
    assert status.next_event(time.monotonic() + 0.2) is None


def test_the_end_of_the_pipe_is_an_eof_event() -> None:
    read_end, write_end = os.pipe()
    pipe = StatusPipe(read_end)
    os.write(write_end, _line("started"))
    os.close(write_end)  # the child died
    first, second = (pipe.next_event(time.monotonic() + 5) for _ in range(2))
    assert first is not None and first[1] == Event("started")
    assert second is not None and second[1] == Event("eof")


def test_the_reader_closes_the_pipe_once_told_and_reads_it_no_more() -> None:
    """Only the reading thread closes the descriptor: closed by the grader while the thread
    reads, its number could be another file's by the next read."""
    read_end, write_end = os.pipe()
    inode = os.fstat(read_end).st_ino
    pipe = StatusPipe(read_end)
    pipe.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _open_pipe(inode):
        time.sleep(CLOSING_POLL)
    assert not _open_pipe(inode)
    os.close(write_end)


def _open_pipe(inode: int) -> bool:
    """Whether this process still holds the read end of the pipe `inode` (the write end aside)."""
    held = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.stat(f"/proc/self/fd/{fd}").st_ino == inode:
                held += 1
        except OSError:
            continue
    return held > 1
