"""The learner's app while it runs, whichever path started it: the one place that chooses
between the Linux path (server.AppProcess, a fork of a warm worker or a sandboxed child) and
the portable one (portable.PortableProcess, a fresh interpreter)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from grader.run.cold_start import ColdChild, EarlyWorker
from grader.run.host import host
from grader.run.portable import PortableProcess
from grader.run.sandbox import Sandbox
from grader.run.served import ServedApp
from grader.run.server import AppProcess, OutputBuffer, StartProblem, WarmWorker


class RunningApp(Protocol):
    """What a grade asks of the learner's running app."""

    @property
    def port(self) -> int: ...

    @property
    def output(self) -> OutputBuffer: ...

    @property
    def served(self) -> ServedApp | None: ...

    def wait_ready(self, import_timeout: float) -> StartProblem | None: ...

    def served_app(self, import_timeout: float) -> ServedApp | None: ...

    def stop(self) -> None: ...


def start_app(
    file: Path,
    module: str,
    attr: str,
    worker: WarmWorker | None = None,
    sandbox: Sandbox | None = None,
    data: bytes | None = None,
    siblings: bool = False,
    cold: ColdChild | None = None,
) -> RunningApp:
    """Start serving `module:attr` from `file` the way this machine allows (see AppProcess.start)."""
    if worker is None and not host().warm_worker:
        return PortableProcess.start(file, module, attr)
    return AppProcess.start(file, module, attr, worker, sandbox, data=data, siblings=siblings, cold=cold)


def warm_worker(sandbox: Sandbox | None = None, ahead: int = 1, early: EarlyWorker | None = None) -> WarmWorker | None:
    """A warm worker where this machine can fork one, else None (each grade starts fresh);
    it keeps `ahead` children forked ahead of their submissions (see WarmWorker.prepare_soon).
    `early`: the worker launch.py started, taken over if it was started as this one would be
    (launch.py starts one only where a worker can run; one left unused, the CLI stops)."""
    return WarmWorker(sandbox, ahead, early) if host().warm_worker else None
