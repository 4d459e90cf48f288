"""Where one grade's time goes: stages marked from the process start, printed to stderr.

GRADER_TIMELINE=1 turns it on (zero: the process start as the kernel recorded it, to 10 ms);
GRADER_TIMELINE=<a time.monotonic() value> takes that instant as zero instead, so a bench
that starts `grade` can count the interpreter's own start-up exactly. Off, `mark` costs one
lookup. Standard library only: the CLI imports it before anything else.
"""

from __future__ import annotations

import os
import sys
import threading
import time

ENV = "GRADER_TIMELINE"
# The stage every grade marks once (engine.py): seen twice, several grades ran.
ONE_PER_GRADE = "learner file read"
# How often the watcher looks at the child (only with the timeline on).
WATCH_POLL = 0.0005
WATCH_LIMIT = 30.0

# One timeline per process: the stages of one grade, from wherever they happen. Only ever
# appended to, and only read to print it.
_marks: list[tuple[float, str]] = []
_lock = threading.Lock()


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def mark(stage: str) -> None:
    """Record that `stage` ended now."""
    if enabled():
        with _lock:
            _marks.append((time.monotonic(), stage))


def _origin() -> float:
    """Zero of the timeline, as a time.monotonic() value."""
    given = os.environ.get(ENV, "")
    try:
        value = float(given)
        if value > 1:
            return value
    except ValueError:
        pass
    try:  # the process start, in clock ticks since boot (field 22 of /proc/self/stat)
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        started = ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - (time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return _marks[0][0] if _marks else time.monotonic()


def report() -> None:
    """Print the timeline on stderr: each stage's end, and how long since the one before."""
    if not enabled():
        return
    with _lock:
        marks = sorted(_marks)
    zero = _origin()
    previous = zero
    lines = ["grade timeline (ms from the process start, +ms since the line before):"]
    if sum(stage == ONE_PER_GRADE for _, stage in marks) > 1:  # a batch, or watch mode
        lines.append("  (several grades ran in this process: their stages interleave, unlabelled;"
                     " the timeline is meant for one grade)")
    for instant, stage in marks:
        lines.append(f"  {(instant - zero) * 1000:7.1f}  +{(instant - previous) * 1000:6.1f}  {stage}")
        previous = instant
    sys.stderr.write("\n".join(lines) + "\n")


def watch_child(pid: int) -> None:
    """Mark when the child's interpreter starts (a python process appears under `pid`). Its
    status lines are marked as they arrive (status_pipe.py)."""
    if not enabled():
        return

    def run() -> None:
        deadline = time.monotonic() + WATCH_LIMIT
        while time.monotonic() < deadline:
            if _python_under(pid):
                mark("child: python interpreter exec'd in the sandbox")
                return
            time.sleep(WATCH_POLL)

    threading.Thread(target=run, daemon=True).start()


def _python_under(pid: int) -> bool:
    """Whether `pid` or a descendant runs a python interpreter (bwrap execs it in a child)."""
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/comm") as comm:
                if comm.read().startswith("python"):
                    return True
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return False
