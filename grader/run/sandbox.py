"""Sandboxing code the grader did not write: which protection this machine offers.

Two layers. The outer one wraps the process that runs learner code (the warm worker, or a
cold child) in bubblewrap, started from an empty root into which only the Python runtime,
the installed packages and the grader's three runner scripts are bound, read-only: the
course (solutions, lessons, the grader's source), /home, /root, /run, the host's /tmp and
its Unix sockets are simply not there. The inner one is per submission (runner_child.py):
its own user, mount, PID, network, IPC and UTS namespaces, fresh /proc, size-limited /tmp
and /dev/shm, and its own copy of the files, so submissions cannot see or signal each other.

Where bubblewrap is missing, the inner layer alone still runs ("namespaces"), and the file
system is then visible. Where neither works but the grader is root (a Docker container with
the default seccomp profile, as on Gradescope), each submission runs as an unprivileged user
of its own ("user", unprivileged.py). Only where none of these works (not root, no
namespaces: a learner's own laptop) is there nothing but resource limits ("none"). The
grader says so once, and every machine-readable result names the protection in force.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader.run import probe_memory, unprivileged
from grader.run.host import LEARNER_MACHINE_NOTE, host

SANDBOX_ENV = probe_memory.SANDBOX_ENV
KINDS = ("bubblewrap", "namespaces", "user", "none")
RUNNER_DIR = Path(__file__).resolve().parent  # grader/run: the scripts the sandbox sees
COURSE_HOME = RUNNER_DIR.parent.parent  # the folder that holds the grader package
# The only grader files the sandbox sees: the runner scripts, loaded by path.
RUNNER_SCRIPTS = ("warm_worker.py", "serve_child.py", "runner_child.py", "process_tree.py")
RUNNER_DIR_INSIDE = "/grader"
UNPRIVILEGED_ID = 65534
# System folders a Python runtime needs; each is bound read-only if it exists.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = (
    "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/localtime",
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ssl", "/etc/mime.types",
)


@dataclass(frozen=True)
class Sandbox:
    kind: str  # "bubblewrap", "namespaces", "user" or "none"
    note: str | None = None  # what is not protected, said once
    # Whether bwrap may mount a /proc of its own: some containers cover parts of theirs, and
    # then the kernel refuses a new one to a user namespace. The worker (grader code) then
    # sees the host's, and each submission covers it with an empty one (runner_child.py).
    proc: bool = True
    # Namespaces entered by root: each submission first becomes a user of its own.
    as_user: bool = False

    @property
    def own_user(self) -> bool:
        """Whether each submission runs as an unprivileged user of its own (unprivileged.py)."""
        return self.kind == "user" or self.as_user

    @property
    def private(self) -> bool:
        """Whether each submission runs from its own copy (in namespaces, or as its own user)."""
        return self.kind != "none"

    @property
    def namespaced(self) -> bool:
        """Whether each submission runs in namespaces of its own."""
        return self.kind in ("bubblewrap", "namespaces")

    @property
    def shares_files(self) -> bool:
        """Whether the submission sees the machine's file system (the grader's files among
        them, guarded by permissions at best)."""
        return self.kind in ("namespaces", "user", "none")

    def wrap(self) -> list[str]:
        """The prefix that starts a process inside the outer sandbox (none without bwrap)."""
        return list(_bwrap_prefix(self.proc)) if self.kind == "bubblewrap" else []


    def script(self, name: str) -> str:
        """Where the runner script `name` is, as the wrapped process sees it."""
        if self.kind == "bubblewrap":
            return f"{RUNNER_DIR_INSIDE}/{name}"
        return str(RUNNER_DIR / name)


NO_SANDBOX_NOTE = (
    "Sandbox off (--no-sandbox): your code runs with your own permissions, and can read and "
    "change your files and use the network. That is fine for your own exercise; never grade "
    "someone else's code this way."
)


def no_sandbox() -> Sandbox:
    return Sandbox("none", NO_SANDBOX_NOTE)


@lru_cache(maxsize=1)
def find_sandbox() -> Sandbox:
    """The strongest sandbox that works here (probed once per process). $GRADER_SANDBOX
    (bubblewrap, namespaces, user or none) caps how strong a one to try; as root, `none`
    means "no namespaces" (as where they are refused), so it gives `user`."""
    if not host().sandbox:  # macOS, Windows: none exists; said calmly, for a learner's own file
        return Sandbox("none", note=LEARNER_MACHINE_NOTE)
    cap = os.environ.get(SANDBOX_ENV, "")
    cap = "namespaces" if cap == "unshare" else cap  # the older name
    cap = "user" if cap == "none" else cap
    allowed = KINDS[KINDS.index(cap) :] if cap in KINDS else KINDS
    # One probe when bubblewrap works (the usual case): it also makes the inner namespaces.
    # Its finding is remembered until the next boot (probe_memory.py).
    if "bubblewrap" in allowed and shutil.which("bwrap"):
        remembered = _remembered()
        if remembered is not None:
            return remembered
        for bubblewrap in (Sandbox("bubblewrap"), Sandbox("bubblewrap", proc=False)):
            if _works(bubblewrap):
                _remember(bubblewrap)
                return bubblewrap
    if "namespaces" in allowed and _namespaces_work():
        why = "bubblewrap is not installed" if not shutil.which("bwrap") else "bubblewrap does not work here"
        if unprivileged.available() and _namespaces_work(unprivileged.FIRST_ID) and unprivileged.reaches_runtime(
            unprivileged.FIRST_ID, _runtime_for_others()
        ):
            return Sandbox(
                "namespaces",
                as_user=True,
                note=f"{why}, so each submission runs as an unprivileged user of its own, in namespaces of "
                "its own (no network, no view of each other): it cannot change the grader, the lessons or "
                "the virtualenv, nor read the solutions or the lessons, but it can read what every user may "
                "read. Install it for full isolation: apt-get install bubblewrap.",
            )
        return Sandbox(
            "namespaces",
            note=f"{why}, so submissions run in namespaces of their own (no network, no view of each "
            "other) but can read your files, and write those your user may write. Install it for full "
            "isolation: apt-get install bubblewrap.",
        )
    why = f"${SANDBOX_ENV}={os.environ[SANDBOX_ENV]}" if cap == "user" else "this machine allows no user namespaces"
    if not unprivileged.available():
        return Sandbox(
            "none",
            note=f"No sandbox ({why}), so submissions run with resource limits only: they can use the "
            "network and your files. Grade untrusted code where user namespaces are allowed, with "
            "bubblewrap installed.",
        )
    runtime = _runtime_for_others()
    if not unprivileged.reaches_runtime(unprivileged.FIRST_ID, runtime):
        return Sandbox(
            "none",
            note=f"No sandbox ({why}), and submissions cannot run as a user of their own either: another "
            f"user cannot read this Python or its packages ({', '.join(runtime)}, or a folder on the way). "
            "So submissions run as root with resource limits only: they can change the grader and read "
            "everything. Install Python and the virtualenv where every user may read them (not under "
            "/root), or grade where user namespaces are allowed.",
        )
    return Sandbox(
        "user",
        note=f"No namespaces ({why}), so each submission runs as an unprivileged user of its own: it "
        "cannot change the grader, the lessons or the virtualenv, nor read the solutions or the lessons, "
        "but it can use the network and read what every user may read. Grade untrusted code where user "
        "namespaces are allowed, with bubblewrap installed.",
    )


def _runtime_for_others() -> list[str]:
    """The folders a submission's process imports from: the standard library and the packages."""
    paths = sysconfig.get_paths()
    found = {paths.get(key, "") for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    found.update(entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages")))
    return sorted(folder for folder in found if folder and os.path.isdir(folder))


@lru_cache(maxsize=2)
def _bwrap_prefix(proc: bool) -> tuple[str, ...]:
    """bwrap's arguments: an empty root, the runtime read-only, nothing else of the host."""
    args = [
        "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
        "--dev", "/dev", *(("--proc", "/proc") if proc else ("--bind", "/proc", "/proc")), "--tmpfs", "/tmp", "--dir", "/var/tmp",
    ]
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for file in SYSTEM_FILES:
        args += ["--ro-bind-try", file, file]
    if os.geteuid() == 0:
        # As root, bwrap would keep root's powers: give it a user namespace with no
        # capabilities and an id other than root's inside, which each submission's own
        # namespace can then map without any capability.
        args += ["--unshare-user", "--uid", str(UNPRIVILEGED_ID), "--gid", str(UNPRIVILEGED_ID), "--cap-drop", "ALL"]
    for folder in _python_dirs():
        args += ["--ro-bind", folder, folder]
    for name in RUNNER_SCRIPTS:
        args += ["--ro-bind", str(RUNNER_DIR / name), f"{RUNNER_DIR_INSIDE}/{name}"]
    # Everything bwrap built is read-only; each submission mounts its own small /tmp and /dev/shm.
    return (*args, "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--")


def _python_dirs() -> list[str]:
    """The interpreter and its packages: the base installation, the virtualenv, and any
    package folder on the path, but never the folder that holds the grader's source."""
    candidates = {
        sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
        *(sysconfig.get_paths().get(key, "") for key in ("purelib", "platlib", "stdlib", "platstdlib")),
        *(entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages"))),
    }
    system = tuple(f"{folder}/" for folder in SYSTEM_DIRS)
    # A course checkout (an editable install) must stay out; a grader pip installed into the
    # virtualenv's site-packages brings nothing of the course with it.
    grader_home = str(COURSE_HOME) if _is_course(COURSE_HOME) else "\0"
    found: list[str] = []
    for folder in sorted(filter(None, (os.path.realpath(c) for c in candidates if c))):
        if not os.path.isdir(folder) or folder.startswith(system) or folder in SYSTEM_DIRS:
            continue
        if folder == grader_home or grader_home.startswith(folder + "/"):
            continue  # binding it would show the course; its packages come in one by one
        if any(folder.startswith(kept + "/") for kept in found):
            continue
        found.append(folder)
    return found


def _is_course(folder: Path) -> bool:
    """Whether `folder` (the one that holds the grader package) holds course files too."""
    return any((folder / name).exists() for name in ("lessons", "solution", "exercise", "pyproject.toml"))


NESTED_PROBE = ("unshare", "--user", "--map-current-user", "--mount", "--pid", "--net", "--fork", "true")


def _namespaces_work(uid: int | None = None) -> bool:
    """Whether this process (or a process of `uid`) may make a user namespace (the inner
    layer needs one)."""
    return shutil.which("unshare") is not None and _run_ok(list(NESTED_PROBE), uid)


def _works(sandbox: Sandbox) -> bool:
    """Whether bwrap starts with every folder it binds, and a user namespace can be made
    inside it (each submission makes its own there)."""
    return _run_ok([*sandbox.wrap(), *NESTED_PROBE])


def _run_ok(command: list[str], uid: int | None = None) -> bool:
    as_user: dict[str, object] = {} if uid is None else {"user": uid, "group": uid, "extra_groups": [], "cwd": "/"}
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL, **as_user)  # type: ignore[call-overload]
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _remembered() -> Sandbox | None:
    """The bubblewrap a probe found working this boot (probe_memory.py), if bwrap would
    get the same arguments now."""
    found = probe_memory.recall()
    if found is None or found.wrap != _bwrap_prefix(found.proc):
        return None
    return Sandbox("bubblewrap", proc=found.proc)


def _remember(sandbox: Sandbox) -> None:
    probe_memory.store(sandbox.proc, _bwrap_prefix(sandbox.proc))


def forget_probe() -> None:
    """Forget the probe's finding (a remembered sandbox failed to start): the next grade probes."""
    find_sandbox.cache_clear()
    probe_memory.forget()
