"""The per-submission sandbox, entered by the process that is about to run learner code.

Standard library only: runs inside the outer sandbox, loaded by path. The process joins
its control groups, makes its own user, mount, PID, network, IPC and UTS namespaces, and
becomes PID 1 of them (so killing it ends everything it started). It mounts a fresh /proc
(only its own processes), size-limited /tmp and /dev/shm, unpacks the submission's files
into /tmp/submission, then makes one more user namespace so it cannot undo those mounts.

Started by root, the process first becomes an unprivileged user of its own (no capabilities,
no way to regain any): with root's id outside its namespaces it could still write every
file of root's it sees (the course, the virtualenv, Python) and read every one. Where
namespaces are refused, `enter_as_user` is the whole of it, and the submission is unpacked
into a folder only that user may enter.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import re
import signal
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
LAST_CAPABILITY = 63
WORK = Path("/tmp/submission")
TMP_SIZE = "64m"
SHM_SIZE = "16m"
BUNDLE_LIMIT = 8 * 1024 * 1024


class SandboxError(Exception):
    """The kernel refused a step; the grader reports the run as not started."""


def isolate(user: str | None, bundle_fd: int, cgroup_fds: list[int], close_fds: list[int]) -> Path:
    """The sandbox the grader asked for: `user` None (namespaces), "UID" (namespaces, entered
    as that user: the grader is root) or "UID:FOLDER" (that user alone, see enter_as_user)."""
    if user is not None and ":" in user:
        uid, folder = user.split(":", 1)
        return enter_as_user(bundle_fd, cgroup_fds, int(uid), Path(folder))
    return enter(bundle_fd, cgroup_fds, close_fds, int(user) if user else None)


def enter(bundle_fd: int, cgroup_fds: list[int], close_fds: list[int], as_user: int | None = None) -> Path:
    """Isolate this process (as `as_user` first, when given) and return the path of the
    submission's main file, inside.

    The caller continues as PID 1 of the new namespaces; the process that called this
    stays outside only to wait for it and exit with its status."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the worker gone, this submission goes too
    join_groups(cgroup_fds)
    bundle = _read_bundle(bundle_fd)
    if as_user is not None:
        _drop_privileges(as_user)
    uid, gid = os.getuid(), os.getgid()
    _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
    _map_ids(uid, gid)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    pid = os.fork()  # the new PID namespace holds this process's children, not itself
    if pid:
        _wait_and_exit(pid, close_fds)
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _read_only_everywhere()
    runtime_in_tmp = _open_runtime_under("/tmp")
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={TMP_SIZE},mode=1777")
    _bind_back(runtime_in_tmp)  # through /proc/self/fd: before /proc is replaced
    _mount_own_proc()
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={SHM_SIZE},mode=1777")
    main = _unpack(bundle, WORK)
    # Mounts made by a more privileged user namespace are locked in a new one: the code
    # that runs next cannot unmount /proc or /tmp to look at what lies beneath. Its ids
    # stay unmapped (shown as 65534): it needs none to use the files it was given.
    _unshare(CLONE_NEWUSER | CLONE_NEWNS)
    os.environ["TMPDIR"] = "/tmp"
    return main


def enter_as_user(bundle_fd: int, cgroup_fds: list[int], uid: int, folder: Path) -> Path:
    """Become `uid` (a user no account has; root started this process) and return the path
    of the submission's main file, unpacked into `folder`, which only `uid` may enter."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    join_groups(cgroup_fds)
    bundle = _read_bundle(bundle_fd)
    _drop_privileges(uid)
    main = _unpack(bundle, folder / "submission")
    for name in ("HOME", "TMPDIR"):
        os.environ[name] = str(folder)
    return main


def _drop_privileges(uid: int) -> None:
    """Switch every id to `uid` (no supplementary groups), keep no capability, and forbid
    regaining any (a set-user-id program run later gives none)."""
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)):
        raise SandboxError(f"no_new_privs failed: {os.strerror(ctypes.get_errno())}")
    for capability in range(LAST_CAPABILITY + 1):  # the bounding set: none left to gain
        if libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(capability), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)):
            break  # past the kernel's last capability
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    # Changing ids made the process undumpable (its /proc files root's); it is its own user's.
    libc.prctl(PR_SET_DUMPABLE, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
        raise SandboxError("the switch to an unprivileged user did not hold")
    held = [line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("Cap")]
    if any(line.split()[0] in ("CapInh:", "CapPrm:", "CapEff:", "CapAmb:") and int(line.split()[1], 16) for line in held):
        raise SandboxError("capabilities remain after the switch to an unprivileged user")
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the switch cleared it


def join_groups(cgroup_fds: list[int]) -> None:
    """Move this process into the submission's control groups (the grader opened each
    group's cgroup.procs). The kernel makes the move wait for readers of the group tree
    (10 to 30 ms): callers do it ahead of the submission where they can."""
    for fd in cgroup_fds:
        try:
            os.write(fd, b"0")  # "0" is the writer itself; the grader opened the file
        finally:
            os.close(fd)


def _runtime_folders() -> list[str]:
    """The interpreter's and the packages' folders: what learner code may still import."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, *(p for p in sys.path if os.path.isdir(p))}
    return sorted({os.path.realpath(folder) for folder in found if folder})


# Per-mount flags a remount must keep (a user namespace may not drop a locked one).
KEPT_FLAGS = {
    "nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024, "nodiratime": 2048,
    "relatime": 1 << 21, "strictatime": 1 << 24,
}


def _read_only_everywhere() -> None:
    """Make every mount this process sees read-only (in its own mount namespace): where
    bubblewrap is missing the machine's file system is visible, and nothing of it may be
    written (its own /tmp and /dev/shm, mounted next, are the only places it writes).
    Best effort per mount: the switch to a user of its own is the other guard."""
    try:
        table = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    for line in table:
        fields = line.split()
        if len(fields) < 6:
            continue
        target = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        flags = sum(KEPT_FLAGS.get(option, 0) for option in fields[5].split(","))
        try:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except SandboxError:
            pass


def _open_runtime_under(top: str) -> list[tuple[str, int]]:
    """Runtime folders inside `top` (a virtualenv in a checkout under /tmp), held open: the
    private /tmp mounted next would hide them."""
    inside = [f for f in _runtime_folders() if f.startswith(top + "/")]
    outermost = [f for f in inside if not any(f.startswith(other + "/") for other in inside)]
    return [(folder, os.open(folder, os.O_PATH | os.O_DIRECTORY)) for folder in outermost]


def _bind_back(folders: list[tuple[str, int]]) -> None:
    """Show those folders again at their places, read-only, on top of the private /tmp."""
    for folder, fd in folders:
        os.makedirs(folder, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", folder, None, MS_BIND | MS_REC)
        try:
            _mount(None, folder, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        except SandboxError:
            pass  # already read-only where it came from (bwrap binds it so)
        os.close(fd)


def _mount_own_proc() -> None:
    """A /proc that shows this namespace's processes only. The kernel refuses it where the
    outer /proc has covered parts it cannot vouch for (bwrap started by root); then an
    empty, read-only /proc: nothing of the other submissions shows through."""
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except SandboxError:
        _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=555")


def _read_bundle(fd: int) -> dict[str, object]:
    chunks, total = [], 0
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 65536):
        total += len(chunk)
        if total > BUNDLE_LIMIT:
            raise SandboxError("the submission is too large")
        chunks.append(chunk)
    os.close(fd)
    bundle = json.loads(b"".join(chunks))
    if not isinstance(bundle, dict):
        raise SandboxError("malformed bundle")
    return bundle


def _unpack(bundle: dict[str, object], work: Path) -> Path:
    files, main = bundle.get("files"), bundle.get("main")
    if not isinstance(files, dict) or not isinstance(main, str) or main not in files:
        raise SandboxError("malformed bundle")
    work.mkdir(mode=0o700)
    for name, data in files.items():
        if not isinstance(name, str) or "/" in name or name.startswith(".") or not isinstance(data, str):
            raise SandboxError("malformed bundle")
        (work / name).write_bytes(base64.b64decode(data))
    return work / main


def _wait_and_exit(pid: int, close_fds: list[int]) -> None:
    """The outside half: hold nothing open, wait for PID 1, leave with its status."""
    os.closerange(0, 3)
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _map_ids(uid: int, gid: int) -> None:
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _unshare(flags: int) -> None:
    if _libc().unshare(flags) != 0:
        raise SandboxError(f"unshare failed: {os.strerror(ctypes.get_errno())}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    def encode(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    if _libc().mount(encode(source), target.encode(), encode(kind), flags, encode(data)) != 0:
        raise SandboxError(f"mount {target} failed: {os.strerror(ctypes.get_errno())}")


_LIBC: list[ctypes.CDLL] = []


def _libc() -> ctypes.CDLL:
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]
