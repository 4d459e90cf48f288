"""The sandboxed process a grade waits for, started first: it imports its libraries while
the grader imports its own, loads the course and reads the file.

For one file graded once in a sandbox of its own, that is the app's child (ColdChild); for
a class, or watch mode, the warm worker that forks a child per grade (EarlyWorker). Either
is started from the `grade` command's first lines (launch.py), before click or anything
else of the grader is imported, with bubblewrap's arguments as remembered from this boot's
probe (probe_memory.py); without a record, a cold child is started once the sandbox is
probed, and a worker when the grader starts it. Neither runs learner code until the grader
sends it a submission (server.AppProcess.start, server.WarmWorker), over a socket only the
grader holds, and only if the grader, fully loaded, would start it with the very same
command; one the grade does not use is killed. Standard library only, and little of it:
every import here is paid before the process starts.
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
# Options after which `grade` uses no warm worker of its own: none started ahead.
NO_WORKER_OF_ITS_OWN = NOT_ONE_COLD_GRADE - {"--watch"}
CHILD_SCRIPT = "serve_child.py"
WORKER_SCRIPT = "warm_worker.py"


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
        timeline.watch_child(process.pid)
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


def start_worker(launch: tuple[str, ...], private: bool) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start the warm worker `launch` (see WarmWorker); it and the grader's end of its
    control channel (SEQPACKET: each request a message of its own, descriptors included)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        process = subprocess.Popen(
            [*launch, str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=child_env(private),
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return process, ours


class EarlyWorker:
    """A warm worker started by launch.py, importing its libraries; the grader's WarmWorker
    takes it over only if it would have started it with the very same command."""

    def __init__(self, launch: tuple[str, ...], private: bool, process: subprocess.Popen[bytes], control: socket.socket) -> None:
        self.launch = launch  # the command that started it, before its own argument
        self.private = private
        self.process = process
        self.control = control
        self.taken = False

    @classmethod
    def start(cls, launch: tuple[str, ...], private: bool) -> EarlyWorker:
        process, control = start_worker(launch, private)
        timeline.mark("warm worker started ahead (sandbox spawned)")
        return cls(launch, private, process, control)

    def take(self, launch: tuple[str, ...], private: bool) -> tuple[subprocess.Popen[bytes], socket.socket] | None:
        """The worker and its channel, if it was started as `launch` would start it; else
        (or when taken already) None, and a worker started otherwise is killed unused."""
        if self.taken:
            return None
        if (self.launch, self.private) != (launch, private):
            self.discard()
            return None
        self.taken = True
        return self.process, self.control

    def discard(self) -> None:
        """Stop a worker nothing was sent to."""
        if self.taken:
            return
        self.taken = True
        from grader.run.process_tree import kill_tree

        self.control.close()
        kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass


def for_arguments(args: list[str]) -> ColdChild | EarlyWorker | None:
    """What to start ahead for `grade ARGS` (a guess from the words alone: a wrong guess costs
    one process, killed unused): a cold child when they grade one file once in a sandbox of
    its own, the warm worker when they grade a class or watch a file, else nothing."""
    from grader.run.host import host

    if not host().sandbox:
        return None
    if not _one_cold_grade(args):
        return _early_worker(args)
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


def _early_worker(args: list[str]) -> EarlyWorker | None:
    """The warm worker of a batch or of watch mode, when bubblewrap's arguments are remembered."""
    if _words(args)[1] & NO_WORKER_OF_ITS_OWN:
        return None
    remembered = probe_memory.recall()
    if remembered is None:
        return None
    try:
        return EarlyWorker.start((*remembered.wrap, sys.executable, _inside(remembered.wrap, WORKER_SCRIPT)), True)
    except OSError:
        return None  # the grader starts its worker itself


def launch_command(sandbox: Sandbox) -> tuple[str, ...]:
    """The command that starts a child in `sandbox`, before the child's own arguments: a
    child started ahead serves a grade only if it was started with exactly this."""
    return (*sandbox.wrap(), sys.executable, sandbox.script(CHILD_SCRIPT))


def worker_command(sandbox: Sandbox) -> tuple[str, ...]:
    """The command that starts the warm worker in `sandbox`, before its own argument."""
    return (*sandbox.wrap(), sys.executable, sandbox.script(WORKER_SCRIPT))


def _inside(wrap: tuple[str, ...], script: str) -> str:
    """Where bubblewrap's arguments put the runner `script` inside the sandbox (the last
    argument of the bind that mounts it); a wrong guess only makes a child never used."""
    for index, arg in enumerate(wrap[:-2]):
        if arg == "--ro-bind" and wrap[index + 2].endswith("/" + script):
            return wrap[index + 2]
    return script


def _one_cold_grade(args: list[str]) -> bool:
    files, options = _words(args)
    return not options & NOT_ONE_COLD_GRADE and len(files) <= 1 and not any(os.path.isdir(file) for file in files)


def _words(args: list[str]) -> tuple[list[str], set[str]]:
    """The file arguments and the option names in `args`, as far as the words tell."""
    files: list[str] = []
    options: set[str] = set()
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and arg != "-":
            options.add(name)
            if name == "--":
                break
            skip = name in WITH_VALUE and "=" not in arg
            continue
        files.append(arg)
    return files, options


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
