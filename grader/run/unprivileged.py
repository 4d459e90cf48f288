"""The `user` protection: where namespaces are refused but the grader is root (Gradescope's
Docker containers, many CI runners), each submission runs as a user of its own.

The grader picks a user id no account and no running process has, makes the submission a
private folder owned by it, and the child switches to it (runner_child.py) before any
learner code runs. Everything of the grader's stays root's: the course folders a
submission must not read lose their permissions for "others", and what must not be
written is root's already (as pip, git and apt leave it). When the submission ends, every
process of its user is killed and every file it left in the shared temporary folders goes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Ids used by no distribution's accounts (below systemd's dynamic range, 61184-65519) and
# inside the 65,536 ids a container with a remapped root may use.
FIRST_ID = 52000
ID_COUNT = 8000
# Folders every user may write: what a submission leaves there is removed after it.
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
# Course folders a submission must not read: the reference solutions, and the lessons (their
# checks, and the helpers they share).
PRIVATE_COURSE_FOLDERS = ("solution", "lessons")
OTHERS = stat.S_IRWXO

_lock = threading.Lock()
_taken: set[int] = set()  # ids handed out by this process and not yet released
_next = itertools.count(os.getpid() * 7)


def available() -> bool:
    """Whether this process may switch a child to another user: root, with the capability."""
    return os.geteuid() == 0


def pick_id() -> int:
    """An id no account, no process and no other grade of this process has."""
    with _lock:
        busy = _taken | _accounts() | _process_ids()
        for _ in range(ID_COUNT):
            candidate = FIRST_ID + next(_next) % ID_COUNT
            if candidate not in busy:
                _taken.add(candidate)
                return candidate
    raise OSError("no free user id for a submission")


def private_folder(uid: int) -> Path:
    """A folder in /tmp that only `uid` may enter (the submission's copy goes there)."""
    folder = Path(tempfile.mkdtemp(prefix="grade-", dir="/tmp"))
    os.chown(folder, uid, uid)
    return folder


def release(uid: int, folder: Path | None) -> None:
    """Kill whatever still runs as `uid`, remove its folder and what it left in the shared
    folders; the id may then be handed out again."""
    for _ in range(3):  # a process forking while being killed may leave one child behind
        if not _kill_user(uid):
            break
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    for top in SHARED_FOLDERS:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)  # never follows a link
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
    with _lock:
        _taken.discard(uid)


def protect_course(root: Path) -> None:
    """Take every permission of "others" from the course folders a submission must not read.
    Idempotent, and a no-op where they already have none (so the install's change time
    stays put)."""
    for name in PRIVATE_COURSE_FOLDERS:
        _take_others(root / name)


def protect_output() -> None:
    """The grader's stdout, when it is a file (Gradescope's results.json): no other user may
    write it, or replace it in its folder."""
    try:
        info = os.fstat(1)
    except OSError:
        return
    if not stat.S_ISREG(info.st_mode):
        return
    if info.st_mode & stat.S_IWOTH:
        os.fchmod(1, stat.S_IMODE(info.st_mode) & ~stat.S_IWOTH)
    try:
        folder = Path(os.readlink("/proc/self/fd/1")).parent
        mode = os.stat(folder).st_mode
    except OSError:
        return
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        os.chmod(folder, stat.S_IMODE(mode) & ~stat.S_IWOTH)


def reaches_runtime(uid: int, folders: list[str]) -> bool:
    """Whether a process of `uid` can start this Python and read each of `folders`."""
    check = "import os, sys; sys.exit(not all(os.access(f, os.R_OK | os.X_OK) for f in sys.argv[1:]))"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", check, *folders],
            user=uid, group=uid, extra_groups=[], cwd="/", env={}, capture_output=True, timeout=10,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _take_others(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    if stat.S_ISDIR(mode) and mode & OTHERS:
        os.chmod(path, stat.S_IMODE(mode) & ~OTHERS)


def _accounts() -> set[int]:
    found: set[int] = set()
    for table in ("/etc/passwd", "/etc/group"):
        try:
            lines = Path(table).read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.split(":")
            if len(fields) > 2 and fields[2].isdigit():
                found.add(int(fields[2]))
    return found


def _process_ids() -> set[int]:
    """The user ids of every running process."""
    return set(_processes().values())


def _kill_user(uid: int) -> bool:
    """SIGKILL every process running as `uid`; whether there was any."""
    killed = False
    for pid, owner in _processes().items():
        if owner == uid:
            try:
                os.kill(pid, signal.SIGKILL)
                killed = True
            except OSError:
                pass
    return killed


def _processes() -> dict[int, int]:
    """Every running process's real user id, read from its status (its /proc folder's owner
    is root's when the process made itself not dumpable)."""
    found: dict[int, int] = {}
    for entry in _proc_entries():
        try:
            with open(os.path.join(entry.path, "status")) as status:
                for line in status:
                    if line.startswith("Uid:"):
                        found[int(entry.name)] = int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue
    return found


def _proc_entries() -> list[os.DirEntry[str]]:
    try:
        return [entry for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return []
