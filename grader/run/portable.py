"""Running the learner's app where Linux's process facilities are missing (Windows, or any
system without fork, Unix sockets or process groups): a fresh interpreter per grade.

The grader binds 127.0.0.1 on a free port and hands the listening socket over (inherited on
POSIX, `socket.share` on Windows), so ports never race. The child's stdout carries its
stages, its stderr the learner's output; threads read both, since select() cannot wait on
Windows pipes. Readiness is observed, not told: the grader connects and asks. The child and
everything it started are stopped without process groups (psutil walks the tree).
"""

from __future__ import annotations

import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from grader.run.child_events import ENDINGS, MAX_LINE, Event, Violation, parse_event
from grader.run.served import ServedApp, served_app_from
from grader.run.cold_start import KEPT_ENV, app_listener
from grader.run.server import LOAD_TIMEOUT, OutputBuffer, StartProblem

CHILD = Path(__file__).resolve().with_name("portable_child.py")
# Windows keeps a few more variables a Python process needs (sockets and temp files fail without them).
WINDOWS_ENV = ("SYSTEMDRIVE", "WINDIR", "TEMP", "TMP", "USERPROFILE", "LOCALAPPDATA", "APPDATA", "COMSPEC", "PATHEXT")
# A request no route sees: uvicorn itself answers it (400), which proves it is serving.
PROBE = b"PROBE\r\n\r\n"
# How often the wait looks at the child's stages and its socket while it starts.
TICK = 0.02
CREATE_NEW_PROCESS_GROUP = 0x00000200  # Windows: Ctrl-C in the learner's console stays with the grader


@dataclass
class PortableProcess:
    """One run of the learner's app, as AppProcess offers it: `start`, `wait_ready`, always `stop`."""

    process: subprocess.Popen[bytes]
    sock: socket.socket
    output: OutputBuffer
    readers: tuple[threading.Thread, ...]
    events: queue.Queue[bytes | None]
    created: float = field(default_factory=time.monotonic)
    served: ServedApp | None = None
    problem: StartProblem | None = None
    ready: bool = False
    _seen: dict[str, float] = field(default_factory=dict)
    _probe: socket.socket | None = None

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    def start(cls, file: Path, module: str, attr: str) -> PortableProcess:
        """Start a fresh interpreter serving `module:attr` from `file` (unsandboxed: see host.py)."""
        sock = app_listener()
        try:
            process = _spawn(file, module, attr, sock)
        except BaseException:
            sock.close()
            raise
        assert process.stdout is not None and process.stderr is not None
        output = OutputBuffer()
        events: queue.Queue[bytes | None] = queue.Queue()
        readers = (
            threading.Thread(target=_read_lines, args=(process.stdout, events), daemon=True),
            threading.Thread(target=_read_output, args=(process.stderr, output), daemon=True),
        )
        for reader in readers:
            reader.start()
        return cls(process, sock, output, readers, events)

    def wait_ready(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> StartProblem | None:
        """Wait until the app answers HTTP on its socket; deadlines as AppProcess's."""
        while self.problem is None and not self.ready:
            self._step(import_timeout, load_timeout, probing="imported" in self._seen)
        return self.problem

    def served_app(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> ServedApp | None:
        """What the loaded app reports it holds (None when it did not load): waits for the module."""
        while self.problem is None and "imported" not in self._seen:
            self._step(import_timeout, load_timeout, probing=False)
        return self.served

    def _step(self, import_timeout: float, load_timeout: float, probing: bool) -> None:
        """Take the child's next stage, or look once at its socket; set `problem` at the deadline."""
        deadline = self.created + load_timeout
        if "started" in self._seen:
            deadline = min(deadline, self._seen["started"] + import_timeout)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            limit = import_timeout if "started" in self._seen else load_timeout
            self.problem = self._problem("timeout", stage=self._stage(), timeout=limit)
            return
        try:
            line = self.events.get(timeout=min(TICK, remaining)) if not probing else self.events.get_nowait()
        except queue.Empty:
            if probing:
                self.ready = self._answers(min(TICK, remaining))
            return
        if line is None:
            self.problem = self._problem("died", stage=self._stage(), code=self._exit_code())
            return
        event = _event(line, next(reversed(self._seen), None))
        if isinstance(event, Violation):
            self.problem = self._problem("protocol", reason=event.reason)
            return
        self._seen[event.name] = time.monotonic()
        if event.name == "imported":
            self.served = served_app_from(event.data.get("app"))
        elif event.name in ENDINGS:
            self.problem = self._problem(event.name, **event.data)

    def _answers(self, wait: float) -> bool:
        """Whether uvicorn answered the probe (sent once; the kernel queues it until it accepts)."""
        try:
            if self._probe is None:
                self._probe = socket.create_connection(("127.0.0.1", self.port), timeout=wait)
                self._probe.sendall(PROBE)
            self._probe.settimeout(wait)
            answer = self._probe.recv(16)
        except TimeoutError:
            return False
        except OSError:  # refused or reset: ask again on a new connection
            self._close_probe()
            time.sleep(wait)
            return False
        if answer.startswith(b"HTTP/"):
            self._close_probe()
            return True
        self._close_probe()  # closed without an answer (shutting down?): ask again
        return False

    def _close_probe(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _stage(self) -> str:
        if "imported" in self._seen:
            return "startup"
        return "import" if "started" in self._seen else "libraries"

    def _exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def _problem(self, kind: str, **data: Any) -> StartProblem:
        if kind == "timeout":  # still running: what it wrote so far is in, or on its way
            self.output.wait_quiet(0, quiet=0.05, limit=0.3, coming=False)
        else:
            self.readers[1].join(timeout=0.5)  # the child is exiting: read its last words
        return StartProblem(kind, data, self.output.text(), self.output.total)

    def stop(self) -> None:
        """Kill the child and everything it started, close the pipes and the socket."""
        kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
        self._close_probe()
        self.sock.close()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        for reader in self.readers:
            reader.join(timeout=1.0)


def kill_tree(pid: int) -> None:
    """Kill `pid` and every process it started, without process groups: the tree is read
    first (a child gone before its own children would orphan them out of it)."""
    import psutil

    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for member in family:
        try:
            member.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(family, timeout=5.0)


def _spawn(file: Path, module: str, attr: str, sock: socket.socket) -> subprocess.Popen[bytes]:
    windows = os.name == "nt"
    how = "share" if windows else f"fd:{sock.fileno()}"
    process = subprocess.Popen(
        [sys.executable, "-P", str(CHILD), str(file), module, attr, how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=file.parent,
        env=_child_env(),
        pass_fds=() if windows else (sock.fileno(),),
        creationflags=CREATE_NEW_PROCESS_GROUP if windows else 0,
    )
    if windows:
        try:
            blob = sock.share(process.pid)  # type: ignore[attr-defined,unused-ignore]  # Windows only
            assert process.stdin is not None
            process.stdin.write(struct.pack("!I", len(blob)) + blob)
            process.stdin.flush()
        except BaseException:
            kill_tree(process.pid)
            raise
    return process


def _child_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in (*KEPT_ENV, *WINDOWS_ENV) if key in os.environ}
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    return env


def _read_lines(stream: BinaryIO, events: queue.Queue[bytes | None]) -> None:
    """The child's stages, one line each; a line longer than the grader reads ends them."""
    try:
        while line := stream.readline(MAX_LINE + 1):
            events.put(line)
            if not line.endswith(b"\n"):
                break
    except (OSError, ValueError):
        pass
    events.put(None)


def _read_output(stream: BinaryIO, output: OutputBuffer) -> None:
    try:
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            output.feed(chunk)
    except (OSError, ValueError):
        pass


def _event(line: bytes, previous: str | None) -> Event | Violation:
    if not line.endswith(b"\n"):
        return Violation("a status line longer than the grader reads")
    return parse_event(line.rstrip(b"\r\n"), previous)
