"""What the sandbox probe found, remembered until the next boot.

Probing bubblewrap runs `bwrap`, `unshare` and `true` (about 20 ms); its finding holds until
something it depends on changes, so it is kept in a folder only this user (or root) may
enter, on a file system the kernel empties at boot: root's /run, else the user's own
runtime folder; nowhere else. The record holds bubblewrap's arguments as the probe ran
them, so that `grade` can start the app's sandboxed process from its first lines
(cold_start.py) before it has imported what would compute them; the grader computes them
again before it hands that process anything, and a process started from a record that
differs is killed unused.

Only a working bubblewrap is ever remembered: a record forged by anyone who could write it
(the grader's own user, nobody else: the folder is checked) could claim the strongest
sandbox, whose start then fails loudly and is forgotten, never a weaker one.

Standard library only, and little of it: `grade` reads this before anything else.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import zlib

SANDBOX_ENV = "GRADER_SANDBOX"
FOLDER = "fastapi-grader"
FILE = "sandbox-probe-{key:08x}.json"  # one per set of conditions (each virtualenv has its own)
MAX_RECORD = 16384
# Kernel switches that decide whether an unprivileged process may make a user namespace.
USERNS_SWITCHES = (
    "/proc/sys/user/max_user_namespaces",
    "/proc/sys/kernel/unprivileged_userns_clone",
    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
)
# The programs the probe runs: where they are and which file they are is part of the finding.
PROBED_TOOLS = ("bwrap", "unshare")


class Remembered:
    """A bubblewrap that worked: whether it mounts its own /proc, and its arguments then."""

    __slots__ = ("proc", "wrap")

    def __init__(self, proc: bool, wrap: tuple[str, ...]) -> None:
        self.proc = proc
        self.wrap = wrap


def recall() -> Remembered | None:
    """The finding of a probe made this boot, with these tools, as this user, with this
    Python and the same cap in $GRADER_SANDBOX; None if there is none (or it is not ours)."""
    folder = probe_folder(create=False)
    if folder is None:
        return None
    now = conditions()
    try:
        fd = os.open(os.path.join(folder, _file_name(now)), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077 or info.st_size > MAX_RECORD:
            return None
        record = json.loads(os.read(fd, MAX_RECORD))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    if not isinstance(record, dict) or record.get("conditions") != now:
        return None
    proc, wrap = record.get("proc"), record.get("wrap")
    if not isinstance(proc, bool) or not isinstance(wrap, list) or not wrap or not all(isinstance(arg, str) for arg in wrap):
        return None
    return Remembered(proc, tuple(wrap))


def store(proc: bool, wrap: tuple[str, ...]) -> None:
    """Remember that bubblewrap works here, with these arguments."""
    folder = probe_folder(create=True)
    if folder is None:
        return
    import tempfile

    now = conditions()
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".probe-")  # mode 0600
        with os.fdopen(fd, "w") as out:
            json.dump({"conditions": now, "proc": proc, "wrap": list(wrap)}, out)
        os.replace(name, os.path.join(folder, _file_name(now)))
    except OSError:
        pass


def forget() -> None:
    """Forget the finding (a remembered sandbox failed to start): the next grade probes."""
    folder = probe_folder(create=False)
    if folder is not None:
        try:
            os.unlink(os.path.join(folder, _file_name(conditions())))
        except OSError:
            pass


def probe_folder(*, create: bool) -> str | None:
    """The folder for the probe's finding, when it is this user's alone (else None: no
    record is read or written)."""
    top = parent()
    if top is None:
        return None
    folder = os.path.join(top, FOLDER)
    try:
        info = os.stat(top)
        if info.st_uid not in (0, os.geteuid()) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None  # a folder others may write: they could replace ours
        if create:
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:
                pass
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        return None
    return folder


def parent() -> str | None:
    """Root's /run, else the user's own runtime folder (both emptied at boot), else none."""
    if os.geteuid() == 0:
        return "/run"
    folder = os.environ.get("XDG_RUNTIME_DIR", "")
    return folder if folder.startswith("/") else None


def conditions() -> list[object]:
    """Everything the probe's outcome depends on, but bubblewrap's arguments (the record
    holds those): the boot, the tools (path and file), the user, the cap in
    $GRADER_SANDBOX, the kernel's user-namespace switches and this Python."""
    parts: list[object] = [os.geteuid(), os.getegid(), os.environ.get(SANDBOX_ENV, ""), sys.executable]
    for path in ("/proc/sys/kernel/random/boot_id", *USERNS_SWITCHES):
        try:
            with open(path) as switch:
                parts.append(switch.read().strip())
        except OSError:
            parts.append(None)
    for tool in PROBED_TOOLS:
        found = _which(tool)
        try:
            info = os.stat(found) if found else None
        except OSError:
            info = None
        parts.append([found, info and [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]])
    return parts


def _file_name(now: list[object]) -> str:
    return FILE.format(key=zlib.crc32(json.dumps(now).encode()))


def _which(name: str) -> str | None:
    """Where `name` is on $PATH, as shutil.which finds it on Linux (shutil is not imported
    here: this runs before anything else)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None
