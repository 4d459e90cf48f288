"""A cold grade's app process, started first: the sandboxed child imports its libraries
while the grader imports its own, loads the course and reads the file.

The child is started from the `grade` command's first lines (launch.py), before click or
anything else of the grader is imported, when the arguments look like one file graded
once in a sandbox of its own, and bubblewrap's arguments are remembered from this boot's
probe (probe_memory.py); without a record it is started once the sandbox is probed. It runs
no learner code until the grader sends it the submission (server.AppProcess.start), over a
socket only the grader holds, and only if the grader, fully loaded, would start it with the
very same command; a child the grade does not use is killed. Standard library only, and
little of it: every import here is paid before the child starts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from grader.run import probe_memory, timeline

TYPE_CHECKING = False  # as in grader/__init__.py: typing is not imported before the child starts
if TYPE_CHECKING:
    from grader.run.sandbox import Sandbox

# How long the learner's file may take to load (module and startup), unless --timeout says.
DEFAULT_IMPORT_TIMEOUT = 10.0
# How long a child started ahead waits for its submission before it exits on its own.
WAIT_LIMIT = 60.0
# Environment the child keeps; everything else (tokens, secrets) stays with the grader.
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")
# Options after which `grade` does not grade one file once, in a sandbox: no child ahead.
NOT_ONE_COLD_GRADE = frozenset(
    {"--no-sandbox", "--watch", "--open", "--no-open", "--list", "--reset", "--check-install", "--record", "-h", "--help", "--"}
)
# Options that take a value (the next argument, unless written --option=value).
WITH_VALUE = frozenset({"--lesson", "--format", "--jobs", "--timeout"})
CHILD_SCRIPT = "serve_child.py"


class ColdChild:
    """A sandboxed child that has started importing and waits for its submission."""

    def __init__(
        self,
        launch: tuple[str, ...],
        process: subprocess.Popen[bytes],
        control: socket.socket,
        sock: socket.socket,
        status_r: int,
        out_r: int,
    ) -> None:
        self.launch = launch  # the command that started it, before its own arguments
        self.process = process
        self.control = control  # the grader's end: the submission goes through it
        self.sock = sock  # listening on 127.0.0.1, the app's from the start
        self.status_r = status_r
        self.out_r = out_r
        self.taken = False

    @classmethod
    def start(cls, launch: tuple[str, ...], private: bool) -> ColdChild:
        """Start `launch` (see launch_command) waiting for a submission; `private`: the
        submission will run from its own copy, in namespaces (see Sandbox.private)."""
        sock = app_listener()
        status_r, status_w = os.pipe()
        out_r, out_w = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        fds = (theirs.fileno(), status_w, sock.fileno())
        try:
            process = subprocess.Popen(
                [*launch, "--wait", *map(str, fds)],
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                cwd="/",
                env=child_env(private),
                pass_fds=fds,
                start_new_session=True,
            )
        except BaseException:
            for fd in (status_r, out_r):
                os.close(fd)
            sock.close()
            ours.close()
            raise
        finally:
            theirs.close()
            os.close(status_w)
            os.close(out_w)
        timeline.mark("app's process started ahead (sandbox spawned)")
        timeline.watch_child(process.pid, status_r)
        return cls(launch, process, ours, sock, status_r, out_r)

    def send(self, where: str, module: str, attr: str, fds: list[int]) -> None:
        """Hand the child its submission: `where` as serve_child.py reads it ("-" or
        "-UID:FOLDER"), and the bundle's and control groups' descriptors. OSError when the
        child is gone (the caller starts another)."""
        request = json.dumps({"where": where, "module": module, "attr": attr}).encode()
        self.control.settimeout(5.0)
        try:
            socket.send_fds(self.control, [request], fds)
        finally:
            self.control.close()
        self.taken = True

    def discard(self) -> None:
        """Stop a child nothing was sent to (the grade went another way, or failed first)."""
        if self.taken:
            return
        self.taken = True
        from grader.run.process_tree import kill_tree

        self.control.close()  # a child still waiting sees the end and exits
        kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
        self.sock.close()
        for fd in (self.status_r, self.out_r):
            try:
                os.close(fd)
            except OSError:
                pass


def for_arguments(args: list[str]) -> ColdChild | None:
    """A child started ahead for `grade ARGS`, when they grade one file once in a sandbox
    of its own (a guess from the words alone: a wrong guess costs one child, killed)."""
    from grader.run.host import host

    if not host().sandbox or not _one_cold_grade(args):
        return None
    remembered = probe_memory.recall()
    if remembered is not None:
        timeline.mark("sandbox probed (bubblewrap, remembered)")
        launch = (*remembered.wrap, sys.executable, _inside(remembered.wrap, CHILD_SCRIPT))
        private = True
    else:
        from grader.run.sandbox import find_sandbox

        sandbox = find_sandbox()
        timeline.mark(f"sandbox probed ({sandbox.kind})")
        if not sandbox.private or sandbox.own_user:  # see AppProcess.start: these start as before
            return None
        launch, private = launch_command(sandbox), sandbox.private
    try:
        return ColdChild.start(launch, private)
    except OSError:
        return None  # the grade starts its child itself, and says what went wrong


def launch_command(sandbox: Sandbox) -> tuple[str, ...]:
    """The command that starts a child in `sandbox`, before the child's own arguments: a
    child started ahead serves a grade only if it was started with exactly this."""
    return (*sandbox.wrap(), sys.executable, sandbox.script(CHILD_SCRIPT))


def _inside(wrap: tuple[str, ...], script: str) -> str:
    """Where bubblewrap's arguments put the runner `script` inside the sandbox (the last
    argument of the bind that mounts it); a wrong guess only makes a child never used."""
    for index, arg in enumerate(wrap[:-2]):
        if arg == "--ro-bind" and wrap[index + 2].endswith("/" + script):
            return wrap[index + 2]
    return script


def _one_cold_grade(args: list[str]) -> bool:
    files = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in NOT_ONE_COLD_GRADE:
            return False
        if arg.startswith("-") and arg != "-":
            skip = name in WITH_VALUE and "=" not in arg
            continue
        files.append(arg)
    return len(files) <= 1 and not any(os.path.isdir(file) for file in files)


def app_listener() -> socket.socket:
    """The socket the learner's app will serve on: bound by the grader on a free port of
    127.0.0.1 (so ports never race) and set up as uvicorn sets up its own (on Windows that
    option would let another program take the port: left off there)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def child_env(private: bool) -> dict[str, str]:
    """The environment a child starts with: the few variables it needs, none of the grader's.
    `private`: the submission runs from its own copy, in namespaces (Sandbox.private)."""
    env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    # Set where the grader's own environment has it (as uvicorn, started there, would see it),
    # and where the learner's code runs as the grader's user: its imports write no bytecode.
    if not private or os.environ.get("PYTHONDONTWRITEBYTECODE"):
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if private:  # the host's home is not there (TMPDIR: runner_child.enter sets it)
        env["HOME"] = "/tmp"
    return env
