"""Killing a process with everything it started, even what left its process group.

Standard library only: the warm worker loads this file by path, outside the package.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path


def kill_tree(pid: int) -> None:
    """SIGKILL `pid`'s process group and every descendant of `pid` (a child that called
    setsid() has left the group, but is still a descendant)."""
    family = descendants(pid)
    for target in (pid, *family):
        try:
            os.killpg(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        except AttributeError:  # no process groups here: portable.kill_tree is the one to use
            pass
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def descendants(pid: int) -> list[int]:
    if not _proc_is_ours():
        return []  # its numbers are another PID namespace's: the process group must do
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.append(child)
                pending.append(child)
    return found


def _proc_is_ours() -> bool:
    """Whether /proc numbers processes as this process's PID namespace does."""
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False
