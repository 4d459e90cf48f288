# Helpers every hostile submission carries: how a real attacker finds its way around.
import fcntl as _fcntl
import os as _os
import sys as _sys
from pathlib import Path as _Path

MARKER = "__MARKER__"
# Where the course is, as an attacker who knows the deployment knows it (Gradescope's is
# always /autograder/source): its processes may hide their folders, the layout is public.
KNOWN_COURSE = "__COURSE__"


def ancestors():
    """The PIDs above this process, nearest first."""
    found, pid = [], _os.getpid()
    while pid > 1:
        try:
            pid = int(_Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid <= 0:
            break
        found.append(pid)
    return found


def cmdline(pid):
    try:
        return _Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def grader_ancestors():
    """Ancestors up to and including the first that runs the grader (never further: the
    test runner above it, whose folder is the real checkout, is not a target)."""
    chain = []
    for pid in ancestors():
        chain.append(pid)
        if "grader" in cmdline(pid) or "grade " in cmdline(pid):
            break
    return chain


def grader_dir():
    """The grader's package folder, found the ways an attacker would."""
    candidates = []
    for module in list(_sys.modules.values()):
        file = getattr(module, "__file__", None) or ""
        if file.endswith(("serve_child.py", "warm_worker.py", "process_tree.py")):
            candidates.append(_Path(file).resolve().parent)
    for arg in getattr(_sys, "orig_argv", []):
        if arg.endswith(".py"):
            candidates.append(_Path(arg).resolve().parent)
    for pid in grader_ancestors():
        for arg in cmdline(pid).split():
            if arg.endswith(".py") or "/grader" in arg:
                candidates.append(_Path(arg).resolve().parent)
                candidates.append(_Path(arg).resolve())
        try:
            cwd = _Path(_os.readlink(f"/proc/{pid}/cwd"))
            candidates.append(cwd / "grader")
            candidates.append(_Path(f"/proc/{pid}/cwd/grader"))
        except OSError:
            pass
    for folder in _Path(__file__).resolve().parents:
        candidates.append(folder / "grader")
    candidates.append(_Path(KNOWN_COURSE) / "grader")
    for candidate in candidates:
        try:
            if (candidate / "engine.py").is_file():
                return candidate
        except OSError:
            pass
    return None


def course_root():
    """The course folder: the grader's parent, or any ancestor's working folder with lessons/."""
    grader = grader_dir()
    if grader is not None and (grader.parent / "lessons").is_dir():
        return grader.parent
    for pid in grader_ancestors():
        try:
            cwd = _Path(_os.readlink(f"/proc/{pid}/cwd"))
            if (cwd / "lessons").is_dir():
                return cwd
        except OSError:
            pass
    return None


def status_pipes():
    """This process's writable pipes other than stdout and stderr: the grader's status pipe."""
    found = []
    for name in _os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd <= 2:
            continue
        try:
            if not _os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                continue
            mode = _fcntl.fcntl(fd, _fcntl.F_GETFL) & _os.O_ACCMODE
        except OSError:
            continue
        if mode in (_os.O_WRONLY, _os.O_RDWR):
            found.append(fd)
    return found
