"""Running the learner's app: a child process group serving on a socket the grader bound.

The grader binds 127.0.0.1 on a free port and hands the listening socket to the child, so
ports never race. The child's output is drained into a bounded buffer so it can never block,
and the whole process group is killed on every way out.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.child_events import ENDINGS, MAX_LINE, Event, Violation, parse_event
from grader.process_tree import kill_tree
from grader.sandbox import Sandbox
from grader.served import ServedApp, served_app_from
from grader.text_safety import clean

CHILD_SCRIPT = Path(__file__).with_name("serve_child.py")
WORKER_SCRIPT = Path(__file__).with_name("warm_worker.py")
# Environment the child keeps; everything else (tokens, secrets) stays with the grader.
# How long the libraries may take to import before the learner's code starts (a cold disk).
LOAD_TIMEOUT = 30.0
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")


class OutputBuffer:
    """The child's combined output: the first and last few kilobytes, and a byte count."""

    HEAD = 4096
    TAIL = 16384

    def __init__(self) -> None:
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()

    def feed(self, chunk: bytes) -> None:
        with self._lock:
            self.total += len(chunk)
            room = self.HEAD - len(self._head)
            if room > 0:
                self._head += chunk[:room]
                chunk = chunk[room:]
            self._tail += chunk
            if len(self._tail) > self.TAIL:
                del self._tail[: len(self._tail) - self.TAIL]

    def text(self) -> str:
        return self.since(0)

    def wait_quiet(self, mark: int, quiet: float = 0.03, limit: float = 0.5) -> None:
        """Wait until output written after byte `mark` stops growing (a traceback being
        logged), or `limit` seconds pass."""
        deadline = time.monotonic() + limit
        seen, since_change = self.total, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.005)
            if self.total != seen:
                seen, since_change = self.total, time.monotonic()
            elif seen > mark and time.monotonic() - since_change >= quiet:
                return

    def since(self, mark: int) -> str:
        """Output written after byte `mark`, as far as the head and tail still hold it."""
        with self._lock:
            head_end = len(self._head)
            tail_start = self.total - len(self._tail)
            parts = [bytes(self._head[mark:])] if mark < head_end else []
            start = max(mark, tail_start, head_end)
            if start > max(mark, head_end):
                parts.append(f"\n[... {start - max(mark, head_end)} bytes of output skipped ...]\n".encode())
            parts.append(bytes(self._tail[start - tail_start :]))
            return clean(b"".join(parts).decode("utf-8", "replace"), self.HEAD + self.TAIL + 100)


@dataclass(frozen=True)
class StartProblem:
    """Why the learner's app never started serving."""

    kind: str  # "crash", "exit", "no-app", "not-app", "server-call", "died", "timeout", "protocol"
    data: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    output_bytes: int = 0


@dataclass
class AppProcess:
    """One run of the learner's app. Use `start`, then `wait_ready`, and always `stop`."""

    pid: int  # also the process group: the child leads a session of its own
    process: subprocess.Popen[bytes] | None  # None when a warm worker forked it
    worker: WarmWorker | None
    sock: socket.socket
    status_fd: int
    output: OutputBuffer
    drain: threading.Thread
    created: float = field(default_factory=time.monotonic)
    served: ServedApp | None = None
    problem: StartProblem | None = None
    _seen: dict[str, float] = field(default_factory=dict)  # event name -> when it came
    _pending: bytes = b""

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @classmethod
    def start(
        cls, file: Path, module: str, attr: str, worker: WarmWorker | None = None, private: bool = False
    ) -> AppProcess:
        """Start serving `module:attr` from `file`: a fresh interpreter, or a fork of `worker`.
        `private` (with a worker) runs it from a copy that only that child can see."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        status_r, status_w = os.pipe()
        out_r, out_w = os.pipe()
        process = None
        try:
            if worker is not None:
                pid = worker.fork(file, module, attr, (status_w, sock.fileno(), out_w), private)
            else:
                process = _spawn(file, module, attr, status_w, sock.fileno(), out_w)
                pid = process.pid
        except BaseException:
            sock.close()
            os.close(status_r)
            os.close(out_r)
            raise
        finally:
            os.close(status_w)
            os.close(out_w)
        output = OutputBuffer()
        drain = threading.Thread(target=_drain, args=(out_r, output), daemon=True)
        drain.start()
        return cls(pid, process, worker, sock, status_r, output, drain)

    def wait_ready(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> StartProblem | None:
        """Wait until the app serves. `import_timeout` bounds the learner's own code (module
        and startup together), from the moment it starts running; `load_timeout` bounds the
        libraries' import before it (a cold disk can be slow). Both are fixed instants the
        child's messages cannot move."""
        return self._wait_for("ready", import_timeout, load_timeout)

    def served_app(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> ServedApp | None:
        """What the loaded app really holds (None when it did not load): waits for the module."""
        self._wait_for("imported", import_timeout, load_timeout)
        return self.served

    def _wait_for(self, wanted: str, import_timeout: float, load_timeout: float) -> StartProblem | None:
        while self.problem is None and wanted not in self._seen:
            deadline = self.created + load_timeout
            if "started" in self._seen:
                deadline = min(deadline, self._seen["started"] + import_timeout)
            event = self._next_event(deadline)
            if event is None:
                limit = import_timeout if "started" in self._seen else load_timeout
                self.problem = self._problem("timeout", stage=self._stage(), timeout=limit)
            elif isinstance(event, Violation):
                self.problem = self._problem("protocol", reason=event.reason)
            elif event.name == "eof":
                self.problem = self._problem("died", stage=self._stage(), code=self._exit_code())
            else:
                self._seen[event.name] = time.monotonic()
                if event.name == "imported":
                    self.served = served_app_from(event.data.get("app"))
                elif event.name in ENDINGS:
                    self.problem = self._problem(event.name, **event.data)
        return self.problem

    def _stage(self) -> str:
        if "imported" in self._seen:
            return "startup"
        return "import" if "started" in self._seen else "libraries"

    def _next_event(self, deadline: float) -> Event | Violation | None:
        """The next event before `deadline` (an `eof` event when the pipe closed), or None."""
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.status_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.status_fd, 65536)
            if not chunk:
                return Event("eof")
            self._pending += chunk
            if len(self._pending) > MAX_LINE and b"\n" not in self._pending:
                return Violation("a status line longer than the grader reads")
        line, _, self._pending = self._pending.partition(b"\n")
        previous = next(reversed(self._seen), None)
        return parse_event(line, previous)

    def _exit_code(self) -> int | None:
        if self.process is None:
            return None  # the warm worker reaps its own children
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def _problem(self, kind: str, **data: Any) -> StartProblem:
        if kind == "timeout":
            self.output.wait_quiet(0, quiet=0.05, limit=0.3)
        else:
            self.drain.join(timeout=0.5)  # the child is exiting: read its last words
        return StartProblem(kind, data, self.output.text(), self.output.total)

    def stop(self) -> None:
        """Kill the whole process group at once: a graceful shutdown only costs time here."""
        if self.worker is not None:
            self.worker.kill(self.pid)  # its pid may live in the sandbox's PID namespace
        else:
            kill_tree(self.pid)
        if self.process is not None:
            try:
                self.process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
        self.sock.close()
        try:
            os.close(self.status_fd)
        except OSError:
            pass
        self.drain.join(timeout=1.0)


class WarmWorker:
    """A process that imported FastAPI and uvicorn once and forks a child per grade.

    With a `sandbox`, the worker (and so every child) runs inside it."""

    def __init__(self, sandbox: Sandbox | None = None, staging: Path | None = None) -> None:
        """`staging` holds the submissions a sandboxed worker may read (read-only inside)."""
        self.sandbox = sandbox
        self.staging = staging
        prefix = sandbox.command(staging) if sandbox and staging else []
        if sandbox and staging:
            sandbox.work_root(staging).mkdir(parents=True, exist_ok=True)
        # SEQPACKET keeps each request a message of its own, file descriptors included.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [*prefix, sys.executable, "-P", str(WORKER_SCRIPT), str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                env=_child_env(),
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.control = ours
        self._lock = threading.Lock()

    def wait_warm(self, timeout: float = 30.0) -> bool:
        """Wait until the worker has imported its libraries."""
        self.control.settimeout(timeout)
        try:
            return b"warm" in self.control.recv(4096)
        except (TimeoutError, OSError):
            return False
        finally:
            self.control.settimeout(None)

    def fork(self, file: Path, module: str, attr: str, fds: tuple[int, int, int], private: bool = False) -> int:
        request: dict[str, Any] = {"file": str(file), "module": module, "attr": attr}
        if private and self.sandbox and self.staging:
            request.update(copy=True, work_root=str(self.sandbox.work_root(self.staging)))
        with self._lock:
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            reply = self.control.recv(4096)
        if not reply:
            raise OSError("the warm worker stopped")
        return int(json.loads(reply)["pid"])

    def kill(self, pid: int) -> None:
        """Kill a forked child's process group, through the worker that knows its pid."""
        try:
            with self._lock:
                self.control.sendall(json.dumps({"kill": pid}).encode() + b"\n")
        except OSError:
            pass  # the worker is gone, and its children with it

    def close(self) -> None:
        kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
        self.control.close()


def _spawn(file: Path, module: str, attr: str, status_w: int, sock_fd: int, out_w: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-P", str(CHILD_SCRIPT), str(status_w), str(sock_fd), str(file), module, attr]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=out_w,
        stderr=out_w,
        pass_fds=(status_w, sock_fd),
        cwd=file.parent,
        env=_child_env(),
        start_new_session=True,
    )


def _drain(fd: int, output: OutputBuffer) -> None:
    try:
        while chunk := os.read(fd, 65536):
            output.feed(chunk)
    except OSError:
        pass
    finally:
        os.close(fd)


def _child_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    return env
