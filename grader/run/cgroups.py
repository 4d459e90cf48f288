"""Per-submission control groups: memory and process limits that forking cannot multiply,
and a CPU weight.

Resource limits (rlimits) apply to one process each, so a submission that forks 200 times
gets 200 times the memory. A control group caps the whole family. The grader can create
them where it may write the cgroup file system (as root, with cgroup v1 controllers, as
here and in most CI containers); elsewhere the sandbox's rlimits are the limit, and the
grader says so in the protection note. The child joins by writing to a `cgroup.procs` file
the grader opened for it, so it never needs to see the cgroup tree.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup")
MEMORY_BYTES = 1024 * 1024 * 1024
PROCESSES = 64
# CPU weight (cgroup v1 cpu.shares; the grader's own group has the default 1024): in a batch,
# the submissions' code yields to the grader, whose work every verdict waits for.
CPU_SHARES = 256
REMOVE_TRIES = 500
REMOVE_PAUSE = 0.001
_NAMES = itertools.count()


@dataclass
class SubmissionGroup:
    """One submission's control groups; `fds` go to the child, `remove` after it ended."""

    folders: list[Path]
    fds: list[int] = field(default_factory=list)

    def close_fds(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds.clear()

    def remove(self) -> None:
        self.close_fds()
        for folder in self.folders:
            # The kernel frees the group a moment after its last process is gone (usually a
            # millisecond or two): look often, for half a second at most.
            for _ in range(REMOVE_TRIES):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    _kill_members(folder)
                    time.sleep(REMOVE_PAUSE)


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether this process may create memory and pids groups (tried once). Groups left by
    graders that were killed outright (SIGKILL) are removed on the way."""
    _remove_stale()
    group = create()
    if group is None:
        return False
    group.remove()
    return True


# Each controller's settings for a submission; the memory and pids limits are required
# (without them, no group at all), the CPU weight only where the controller is there.
LIMITS = {
    "memory": {"memory.limit_in_bytes": MEMORY_BYTES},
    "pids": {"pids.max": PROCESSES},
    "cpu": {"cpu.shares": CPU_SHARES},
}
OPTIONAL = frozenset({"cpu"})


def create() -> SubmissionGroup | None:
    """New memory, pids (and cpu) groups with the submission limits, or None where not allowed."""
    name = f"grader-{os.getpid()}-{next(_NAMES)}"
    group = SubmissionGroup([])
    try:
        for controller, settings in LIMITS.items():
            base = V1_ROOT / controller
            if not (base / "cgroup.procs").exists() or not os.access(base, os.W_OK):
                if controller in OPTIONAL:
                    continue
                group.remove()
                return None
            folder = base / name
            folder.mkdir()
            group.folders.append(folder)
            for setting, value in settings.items():
                (folder / setting).write_text(str(value))
            group.fds.append(os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
    except OSError:
        group.remove()
        return None
    return group


def _remove_stale() -> None:
    for controller in LIMITS:
        for folder in (V1_ROOT / controller).glob("grader-*-*"):
            owner = folder.name.split("-")[1]
            if owner.isdigit() and not _alive(int(owner)):
                try:
                    folder.rmdir()
                except OSError:
                    pass  # still in use, or not ours to remove


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_members(folder: Path) -> None:
    try:
        pids = (folder / "cgroup.procs").read_text().split()
    except OSError:
        return
    for pid in pids:
        try:
            os.kill(int(pid), 9)
        except (ProcessLookupError, PermissionError, ValueError):
            pass
