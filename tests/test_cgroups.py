"""Per-submission control groups: a grader killed outright leaves its groups behind; the
next grade removes them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_grade

PIDS = Path("/sys/fs/cgroup/pids")


def _dead_pid() -> int:
    pid = 999_999
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_groups_left_by_a_killed_grader_are_removed(tmp_path: Path) -> None:
    if not os.access(PIDS, os.W_OK):
        pytest.skip("needs a writable cgroup v1 pids hierarchy (root)")
    stale = PIDS / f"grader-{_dead_pid()}-7"
    stale.mkdir()
    try:
        run = run_grade(ROOT / "solution/cors-headers/main.py", "--lesson", "cors-headers", "--json")
        assert run.json["status"] == "pass"
        assert not stale.exists(), "a stale group of a grader that is gone was left"
    finally:
        if stale.exists():
            stale.rmdir()
