"""No process outlives a grade: not the app, not what it started, even outside its group."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import processes_mentioning, run_grade

ESCAPES = '''
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)  # {tag}-session"], start_new_session=True)
if os.fork() == 0:  # a daemon: fork, setsid, fork again, so it is nobody's child
    os.setsid()
    if os.fork() == 0:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)  # {tag}-daemon"])
        time_module = __import__("time")
        time_module.sleep(1000)
    os._exit(0)
while True:
    pass
'''


def test_processes_that_leave_the_group_are_killed_too(tmp_path: Path) -> None:
    tag = f"escape{time.monotonic_ns()}"
    file = tmp_path / "main.py"
    file.write_text(ESCAPES.format(tag=tag))
    run = run_grade(file, "--lesson", "cors-headers", "--json", "--timeout", "2")
    assert run.json["steps"][2]["status"] == "fail"
    assert "Line 11, at the top level of the file, starts a loop that never ends" in run.json["steps"][2]["message"]
    time.sleep(0.3)
    assert processes_mentioning(tag) == []
    assert processes_mentioning(str(file)) == []
