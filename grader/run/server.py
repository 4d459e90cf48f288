"""Running the learner's app: a child process group serving on a socket the grader bound.

The grader binds 127.0.0.1 on a free port and hands the listening socket to the child, so
ports never race. The child's output is drained into a bounded buffer so it can never block,
and the whole process group is killed on every way out.
"""

from __future__ import annotations

import collections
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.read.submission import bundle, read_regular
from grader.read.text_safety import clean
from grader.run import cgroups, timeline, unprivileged
from grader.run.child_events import ENDINGS, Violation
from grader.run.process_tree import kill_tree
from grader.run.cold_start import ColdChild, EarlyWorker, app_listener, child_env, launch_command, start_worker, worker_command
from grader.run.sandbox import Sandbox, find_sandbox, forget_probe
from grader.run.status_pipe import StatusPipe
from grader.run.served import ServedApp, served_app_from

# How long the libraries may take to import before the learner's code starts (a cold disk).
LOAD_TIMEOUT = 30.0
# How long the grader asks the warm worker how a child that died ended, and how often.
EXIT_CODE_WAIT = 0.5
EXIT_CODE_POLL = 0.005
# How long the warm worker may take to answer a fork request before it is replaced.
FORK_REPLY_TIMEOUT = 10.0
# The largest submission file the grader hands to a child (the learner-file reader's limit).
MAX_BUNDLE = 256 * 1024
# The timeline's word for a worker started by launch.py and used (tests look for it).
TAKEN_OVER = "warm worker started ahead taken over"
# How often the grader looks whether the app's server has taken its connection yet.
READY_POLL = 0.001  # a millisecond late at most; a wake-up costs microseconds
# struct tcp_info (linux/tcp.h): its size up to tcpi_sacked, and where tcpi_unacked sits.
TCP_INFO_SIZE = 32
TCPI_UNACKED = 24


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

    def wait_quiet(self, mark: int, quiet: float = 0.015, limit: float = 0.5, *, coming: bool = True) -> None:
        """Wait until output written after byte `mark` stops growing (a traceback being
        logged: it comes through a local pipe, in a few writes), or `limit` seconds pass.
        `coming`: output is on its way (an error answered), so none yet is no quiet; else
        (a process that stopped answering) `quiet` seconds without any is enough."""
        deadline = time.monotonic() + limit
        seen, since_change = self.total, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.002)
            if self.total != seen:
                seen, since_change = self.total, time.monotonic()
            elif (seen > mark or not coming) and time.monotonic() - since_change >= quiet:
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
    status: StatusPipe
    output: OutputBuffer
    drain: threading.Thread
    group: cgroups.SubmissionGroup | None = None
    user: RunAs | None = None  # the submission's own user, in the `user` protection
    created: float = field(default_factory=time.monotonic)
    served: ServedApp | None = None
    problem: StartProblem | None = None
    _seen: dict[str, float] = field(default_factory=dict)  # event name -> when it came

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @classmethod
    def start(
        cls,
        file: Path,
        module: str,
        attr: str,
        worker: WarmWorker | None = None,
        sandbox: Sandbox | None = None,
        data: bytes | None = None,
        siblings: bool = False,
        cold: ColdChild | None = None,
    ) -> AppProcess:
        """Start serving `module:attr` from `file`: a fresh interpreter, or a fork of `worker`.

        Sandboxed by default (the worker's sandbox, else `sandbox`, else the strongest one
        this machine has): the child then runs from a bundle of `data` (the file's bytes as
        the grader read them) and, with `siblings`, the regular files beside it. A `cold`
        child started ahead with the very command this would use gets the submission instead
        of a new one."""
        sandbox = worker.sandbox if worker is not None else (sandbox or find_sandbox())
        if cold is not None and (worker is not None or cold.launch != launch_command(sandbox) or not sandbox.namespaced or sandbox.own_user):
            cold.discard()
            cold = None
        if cold is not None:
            try:
                return cls._hand_over(cold, file, module, attr, data, siblings)
            except OSError:  # it died waiting (a sandbox that stopped working): start afresh
                cold.discard()
                forget_probe()
        sock = app_listener()
        status_r, status_w = os.pipe()
        out_r, out_w = os.pipe()
        extra: list[int] = []
        group = None
        process = None
        user = None
        try:
            if sandbox.own_user:
                user = RunAs.make(folder=not sandbox.namespaced)
            if sandbox.private:
                extra.append(bundle(file, data if data is not None else read_regular(file, MAX_BUNDLE), siblings))
            pid = None
            if worker is not None and sandbox.private:
                pid, group = worker.use_prepared(module, attr, (status_w, sock.fileno(), out_w, *extra), user)
            if pid is None:
                if sandbox.private:
                    group = cgroups.create() if cgroups.available() else None
                    extra += group.fds if group else []
                fds = (status_w, sock.fileno(), out_w, *extra)
                if worker is not None:
                    pid = worker.fork(file, module, attr, fds, user)
                else:
                    process = _spawn(sandbox, file, module, attr, fds, user)
                    pid = process.pid
        except BaseException:
            sock.close()
            os.close(status_r)
            os.close(out_r)
            if group is not None:
                group.remove()
            if user is not None:
                user.release()
            raise
        finally:
            for fd in (status_w, out_w, *extra):
                os.close(fd)
            if group is not None:
                group.fds.clear()  # closed just above
        if process is not None:
            timeline.watch_child(process.pid)
        return cls._running(pid, process, worker, sock, status_r, out_r, group, user)

    @classmethod
    def _hand_over(
        cls, cold: ColdChild, file: Path, module: str, attr: str, data: bytes | None, siblings: bool
    ) -> AppProcess:
        """Send the submission to the child started ahead (namespaced sandboxes only)."""
        extra = [bundle(file, data if data is not None else read_regular(file, MAX_BUNDLE), siblings)]
        group = None
        try:
            group = cgroups.create() if cgroups.available() else None
            extra += group.fds if group else []
            cold.send("-", module, attr, extra)
        except BaseException:
            if group is not None:
                group.remove()
            raise
        finally:
            for fd in extra:
                os.close(fd)
            if group is not None:
                group.fds.clear()  # closed just above
        timeline.mark("submission handed to the child started ahead")
        return cls._running(cold.process.pid, cold.process, None, cold.sock, cold.status_r, cold.out_r, group, None)

    @classmethod
    def _running(
        cls,
        pid: int,
        process: subprocess.Popen[bytes] | None,
        worker: WarmWorker | None,
        sock: socket.socket,
        status_r: int,
        out_r: int,
        group: cgroups.SubmissionGroup | None,
        user: RunAs | None,
    ) -> AppProcess:
        output = OutputBuffer()
        drain = threading.Thread(target=_drain, args=(out_r, output), daemon=True)
        drain.start()
        return cls(pid, process, worker, sock, StatusPipe(status_r), output, drain, group=group, user=user)

    def wait_ready(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> StartProblem | None:
        """Wait until the app serves: the grader connects and sees the app's server take the
        connection (no message from the child can say so: learner code writes to that pipe
        too). `import_timeout` bounds the learner's own code (module and startup together),
        from the moment it starts running; `load_timeout` bounds the libraries' import
        before it (a cold disk can be slow). Both are fixed instants the child's messages
        cannot move."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=FORK_REPLY_TIMEOUT):
            # The connection waits in the listening socket's queue until the server accepts it.
            return self._wait_for(self._queue_taken, import_timeout, load_timeout, poll=READY_POLL)

    def served_app(self, import_timeout: float, load_timeout: float = LOAD_TIMEOUT) -> ServedApp | None:
        """What the loaded app says it holds (None when it did not load): waits for the module.
        The learner's process writes this report: a claim, to explain or veto, never to pass."""
        self._wait_for(lambda: "imported" in self._seen, import_timeout, load_timeout)
        return self.served

    def _queue_taken(self) -> bool:
        """Whether every connection made to the app so far was accepted: the listening socket's
        accept queue is empty (Linux reports its length as tcpi_unacked)."""
        info = self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_SIZE)
        return struct.unpack_from("I", info, TCPI_UNACKED)[0] == 0

    def _wait_for(
        self, done: Callable[[], bool], import_timeout: float, load_timeout: float, poll: float | None = None
    ) -> StartProblem | None:
        """Read the child's events until `done()` (checked every `poll` seconds, else after each
        event), a failed start, or the deadline."""
        while self.problem is None and not done():
            deadline = self.created + load_timeout
            if "started" in self._seen:
                deadline = min(deadline, self._seen["started"] + import_timeout)
            now = time.monotonic()
            arrival = self.status.next_event(deadline if poll is None else min(deadline, now + poll))
            if arrival is None:
                if time.monotonic() < deadline:
                    continue  # a poll's tick: look at `done()` again
                limit = import_timeout if "started" in self._seen else load_timeout
                self.problem = self._problem("timeout", stage=self._stage(), timeout=limit)
                continue
            arrived, event = arrival
            if isinstance(event, Violation):
                self.problem = self._problem("protocol", reason=event.reason)
            elif event.name == "eof":
                self.problem = self._problem("died", stage=self._stage(), code=self._exit_code())
            else:
                self._seen[event.name] = arrived
                timeline.mark(f"child's '{event.name}' read by the grader")
                if event.name == "imported":
                    self.served = served_app_from(event.data.get("app"))
                elif event.name in ENDINGS:
                    self.problem = self._problem(event.name, **event.data)
        return self.problem

    def _stage(self) -> str:
        if "imported" in self._seen:
            return "startup"
        return "import" if "started" in self._seen else "libraries"

    def _exit_code(self) -> int | None:
        if self.process is None:  # the warm worker reaps its own children: it knows
            return self.worker.exit_code(self.pid) if self.worker is not None else None
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def _problem(self, kind: str, **data: Any) -> StartProblem:
        if kind == "timeout":  # still running: what it wrote so far is in, or on its way
            self.output.wait_quiet(0, quiet=0.05, limit=0.3, coming=False)
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
        self.status.close()
        self.drain.join(timeout=1.0)
        if self.group is not None:
            self.group.remove()
        if self.user is not None:
            self.user.release()


@dataclass(frozen=True)
class RunAs:
    """The unprivileged user a submission runs as, and its private folder (see unprivileged.py)."""

    uid: int
    folder: Path | None  # None in namespaces: the submission's copy is in its private /tmp

    @classmethod
    def make(cls, folder: bool = True) -> RunAs:
        uid = unprivileged.pick_id()
        try:
            return cls(uid, unprivileged.private_folder(uid) if folder else None)
        except BaseException:
            unprivileged.release(uid, None)
            raise

    def release(self) -> None:
        unprivileged.release(self.uid, self.folder)

    def argument(self) -> str:
        """How the child is told (runner_child.isolate): `UID:FOLDER`, or `UID` in namespaces."""
        return f"{self.uid}:{self.folder}" if self.folder is not None else str(self.uid)


class WorkerGone(OSError):
    """The warm worker stopped answering, and a fresh one did not answer either."""


class WarmWorker:
    """A process that imported FastAPI and uvicorn once and forks a child per grade.

    It runs inside the sandbox (by default the strongest this machine has) and every child
    enters its own. Where each child gets control groups of its own, `ahead` children are
    forked before they are needed, and wait in their groups (see prepare_soon). A worker
    that dies or stops answering is replaced at once."""

    def __init__(self, sandbox: Sandbox | None = None, ahead: int = 1, early: EarlyWorker | None = None) -> None:
        self.sandbox = sandbox or find_sandbox()
        self.ahead = ahead  # children kept forked ahead (see prepare_soon)
        self._lock = threading.Lock()
        self._prepared: collections.deque[tuple[int, cgroups.SubmissionGroup]] = collections.deque()
        self._preparing = False
        self._closed = False
        self._launch(early)

    def _launch(self, early: EarlyWorker | None = None) -> None:
        """Start the worker; or take over `early` (started by launch.py), if this sandbox
        would have started it with the very same command (else it is killed unused)."""
        launch, private = worker_command(self.sandbox), self.sandbox.private
        taken = early.take(launch, private) if early is not None else None
        if taken is not None:
            timeline.mark(TAKEN_OVER)
        self.process, self.control = taken or start_worker(launch, private)
        self._warm = False

    def wait_warm(self, timeout: float = LOAD_TIMEOUT) -> bool:
        """Wait until the worker has imported its libraries."""
        if self._warm:
            return True
        self.control.settimeout(timeout)
        try:
            self._warm = self.control.recv(4096) == b'{"event": "warm"}\n'
        except OSError:
            self._warm = False
        finally:
            self.control.settimeout(None)
        return self._warm

    def fork(self, file: Path, module: str, attr: str, fds: tuple[int, ...], user: RunAs | None = None) -> int:
        """Have the worker fork a child serving `module:attr`; its pid, as the worker sees it."""
        request = self._request(module, attr, user)
        if not self.sandbox.private:
            request["file"] = str(file)
        with self._lock:
            for attempt in range(2):
                try:
                    return self._pid(self._exchange(request, fds))
                except (OSError, ValueError):
                    if attempt:
                        raise WorkerGone("the grader's worker process stopped answering") from None
                    self._replace()
        raise AssertionError("unreachable")

    def use_prepared(
        self, module: str, attr: str, fds: tuple[int, ...], user: RunAs | None = None
    ) -> tuple[int, cgroups.SubmissionGroup] | tuple[None, None]:
        """Hand a sandboxed submission to a child forked ahead, already in control groups of
        its own (returned with its pid, to remove when it stops), and prepare the next one;
        (None, None) when none was ready, or it was gone (then `fork` makes one)."""
        with self._lock:
            taken = self._prepared.popleft() if self._prepared else None
            reply: dict[str, Any] = {}
            if taken is not None:
                try:
                    reply = self._exchange({**self._request(module, attr, user), "child": taken[0]}, fds)
                except (OSError, ValueError):
                    self._replace()  # it stopped answering: its replies could come late, out of turn
        self.prepare_soon()
        if taken is None:
            return None, None
        if reply.get("pid") != taken[0]:
            taken[1].remove()
            return None, None
        return taken

    def prepare_soon(self) -> None:
        """Fork children ahead, up to `ahead`, in the background: each joins control groups of
        its own at once, a move the kernel makes wait (10 to 30 ms), so that a grade finds its
        child there already. Only where each child gets groups of its own."""
        if not self.sandbox.private or self.ahead < 1 or not cgroups.available():
            return
        with self._lock:
            if self._preparing or self._closed or len(self._prepared) >= self.ahead:
                return
            self._preparing = True
        threading.Thread(target=self._prepare_up_to_ahead, daemon=True).start()

    def _prepare_up_to_ahead(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closed or len(self._prepared) >= self.ahead:
                        return
                    group = cgroups.create()
                    if group is None:
                        return
                    try:
                        pid = self._pid(self._exchange({"prepare": True}, tuple(group.fds)))
                    except (OSError, ValueError):
                        group.remove()
                        self._replace()  # it stopped answering: its replies could come late, out of turn
                        return
                    finally:
                        group.close_fds()
                    self._prepared.append((pid, group))
        finally:
            self._preparing = False

    def _request(self, module: str, attr: str, user: RunAs | None) -> dict[str, Any]:
        request: dict[str, Any] = {"module": module, "attr": attr, "private": self.sandbox.private}
        if user is not None:
            request["user"] = user.argument()
        return request

    def _exchange(self, request: dict[str, Any], fds: tuple[int, ...]) -> dict[str, Any]:
        """Send `request` with `fds` and read the worker's reply (the caller holds the lock)."""
        if not self.wait_warm():
            raise OSError("the worker did not start")
        self.control.settimeout(FORK_REPLY_TIMEOUT)
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            reply = json.loads(self.control.recv(4096))
        finally:
            self.control.settimeout(None)
        if not isinstance(reply, dict):
            raise ValueError("a malformed reply from the worker")
        return reply

    @staticmethod
    def _pid(reply: dict[str, Any]) -> int:
        if not isinstance(reply.get("pid"), int) or reply["pid"] <= 0:
            raise ValueError("a malformed reply from the worker")
        return int(reply["pid"])

    def _replace(self) -> None:
        """Kill this worker (stopped, dead or confused) with everything it started; launch another.
        Once closed (a batch interrupted), it stays closed: the grades still running fail."""
        if self._closed:
            raise WorkerGone("the grader's worker was closed")
        sys.stderr.write("grade: the grader's worker process stopped answering; starting a new one.\n")
        self._stop_process()
        self._launch()

    def exit_code(self, pid: int, wait: float = EXIT_CODE_WAIT) -> int | None:
        """How the child `pid` ended, once the worker has reaped it (waiting `wait` seconds at
        most); None when it is still running, was reaped too long ago, or the worker is gone."""
        deadline = time.monotonic() + wait
        while True:
            try:
                with self._lock:
                    code = self._exchange({"exit": pid}, ()).get("code")
            except (OSError, ValueError):
                return None  # no worker to ask: the message says less, nothing else changes
            if isinstance(code, int) or time.monotonic() >= deadline:
                return code if isinstance(code, int) else None
            time.sleep(EXIT_CODE_POLL)

    def kill(self, pid: int) -> None:
        """Kill a forked child's process group, through the worker that knows its pid."""
        try:
            with self._lock:
                self.control.settimeout(FORK_REPLY_TIMEOUT)
                self.control.sendall(json.dumps({"kill": pid}).encode() + b"\n")
        except OSError:
            pass  # the worker is gone, and its children with it
        finally:
            self.control.settimeout(None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop_process()

    def _stop_process(self) -> None:
        kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
        self.control.close()
        while self._prepared:  # they were the worker's children: gone with it
            self._prepared.popleft()[1].remove()


def _spawn(
    sandbox: Sandbox, file: Path, module: str, attr: str, fds: tuple[int, ...], user: RunAs | None
) -> subprocess.Popen[bytes]:
    status_w, sock_fd, out_w, *extra = fds
    # "-": its own copy, in namespaces; "-UID:FOLDER": its own copy, as that user.
    where = f"-{user.argument()}" if user is not None else "-" if sandbox.private else str(file)
    command = [
        *sandbox.wrap(), sys.executable, sandbox.script("serve_child.py"),
        str(status_w), str(sock_fd), where, module, attr, *map(str, extra),
    ]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=out_w,
        stderr=out_w,
        cwd="/" if sandbox.private else file.parent,
        env=child_env(sandbox.private),
        pass_fds=(status_w, sock_fd, *extra),
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
