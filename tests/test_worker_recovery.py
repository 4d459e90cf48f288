"""A batch survives the loss of its warm worker: killed or stopped from outside (as by an
escaped submission, or the out-of-memory killer), it is replaced, and every submission still
gets exactly one result."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from grader.run.process_tree import descendants, kill_tree
from tests.conftest import GRADE, ROOT

SOLUTION = ROOT / "solution/cors-headers/main.py"
SLOW_START = "import time\ntime.sleep(4)\n"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _worker_of(grade_pid: int, deadline: float) -> int | None:
    """The warm worker among the grade's descendants, once it runs (its forks come later)."""
    while time.monotonic() < deadline:
        for pid in descendants(grade_pid):
            command = _cmdline(pid)  # bwrap's own command line names the script too
            if b"warm_worker.py" in command and not command.startswith(b"bwrap"):
                return pid
        time.sleep(0.02)
    return None


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSTOP])
def test_a_batch_replaces_a_worker_that_was_killed_or_stopped(tmp_path: Path, how: signal.Signals) -> None:
    slow = tmp_path / "a_slow.py"
    slow.write_text(SLOW_START + SOLUTION.read_text())
    goods = []
    for name in ("b.py", "c.py", "d.py"):
        shutil.copy(SOLUTION, tmp_path / name)
        goods.append(tmp_path / name)
    process = subprocess.Popen(
        [str(GRADE), str(slow), *map(str, goods), "--lesson", "cors-headers", "--json", "--jobs", "1"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        worker = _worker_of(process.pid, time.monotonic() + 60)
        assert worker is not None, "no warm worker found"
        os.kill(worker, how)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        kill_tree(process.pid)
        process.wait(timeout=10)
    results = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert [r["file"] for r in results] == [str(f) for f in (slow, *goods)], "not one result per submission"
    assert [r["status"] for r in results[1:]] == ["pass"] * len(goods), stderr
    assert results[0]["status"] == "pass"
    assert "worker" in stderr, "nothing says the worker was replaced"
    assert "Traceback" not in stderr
