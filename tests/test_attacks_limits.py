"""Limits a submission cannot stretch, and learner text that cannot fool a view (issue 9).

The bounds here are generous caps on a whole grade (a subprocess timeout), never a timing
that a slow machine could miss: today's grader runs far past them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.attack_kit import LESSON, STARTER, Graded, Lab, assert_clean, ends_on_sigterm, watch_once


def _hostile_verdict(graded: Graded, mode: str) -> dict:
    assert not graded.timed_out, "the grade did not end"
    lines = graded.json_lines()
    assert lines, f"no verdict (exit {graded.code}): {graded.stderr[-2000:]}"
    if mode == "batch":
        assert len(lines) == 2 and lines[1]["status"] == "pass", "a correct solution beside the attacker did not pass"
    assert lines[0]["status"] == "fail", f"the untouched starter got {lines[0]['status']}"
    return lines[0]


def _grade(lab: Lab, mode: str, hostile: Path, *extra: str, timeout: float = 60) -> Graded:
    if mode == "watch-save":  # a save in watch mode: the child forked ahead, in its groups already
        assert not extra
        return watch_once(lab, hostile, timeout, after_a_save=True)
    files = [hostile] if mode == "single" else [hostile, lab.good("good/main.py")]
    return lab.grade(*files, "--lesson", LESSON, "--json", *extra, timeout=timeout)


# -- deadlines -------------------------------------------------------------------------


def test_resent_started_events_cannot_extend_the_load_deadline(lab: Lab) -> None:
    """`--timeout 3`, and the submission re-sends "started" every second, forever."""
    hostile = lab.hostile("main.py", "resend_started")
    graded = lab.grade(hostile, "--lesson", LESSON, "--json", "--timeout", "3", timeout=30)
    _hostile_verdict(graded, "single")
    assert lab.leftovers() == []


def test_resent_started_events_cannot_extend_the_load_deadline_in_a_batch(lab: Lab) -> None:
    hostile = lab.hostile("mallory/main.py", "resend_started")
    graded = _grade(lab, "batch", hostile, "--timeout", "3", timeout=30)
    _hostile_verdict(graded, "batch")
    assert lab.leftovers() == []


def test_trickled_response_cannot_outlast_the_request_deadline(lab: Lab) -> None:
    """Every answer's body comes one byte every 4 s: only a total deadline per request ends it."""
    hostile = lab.hostile("main.py", "trickle_response")
    graded = lab.grade(hostile, "--lesson", LESSON, "--json", timeout=45)
    _hostile_verdict(graded, "single")
    assert lab.leftovers() == []


def _pathological(lab: Lab, name: str, functions: int) -> Path:
    """The starter plus thousands of small functions: cheap for Python, very slow to analyse."""
    extra = "".join(f"def f{i}(x):\n    return g{i}(x)\n\n\n" for i in range(functions))
    return lab.write(name, STARTER.read_text() + "\n\n" + extra)


def test_static_analysis_of_a_pathological_file_ends_in_bounded_time(lab: Lab) -> None:
    """A ~160 KiB file of small functions (the analysis took minutes): a verdict in bounded
    time, that says the file is too complex, not a grader error."""
    slow = _pathological(lab, "main.py", 5000)
    graded = lab.grade(slow, "--lesson", LESSON, "--json", "--timeout", "5", timeout=40)
    result = _hostile_verdict(graded, "single")
    assert graded.code == 1
    assert "Traceback" not in graded.output
    assert result["steps"][0]["status"] == "fail"
    assert lab.leftovers() == []


def test_sigterm_ends_a_grade_stuck_in_static_analysis(lab: Lab) -> None:
    slow = _pathological(lab, "main.py", 7500)
    ended = ends_on_sigterm(lab, [str(slow), "--lesson", LESSON, "--json"], after=4, within=10)
    assert ended, "SIGTERM did not end the grade"


# -- limits across processes -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_memory_limit_holds_across_forked_processes(lab: Lab, mode: str) -> None:
    """Sixteen processes of 256 MiB each (each far under a per-process limit): 4 GiB in all.
    (--timeout 60: touching that much memory takes a while on a small machine.)"""
    hostile = lab.hostile("mallory/main.py", "hog_memory", PROCESSES=16, MIB_EACH=256)
    before = lab.snapshot()
    graded = _grade(lab, mode, hostile, "--timeout", "60", timeout=100)
    _hostile_verdict(graded, mode)
    held = re.findall(r"HELD (\d+) MiB", graded.stdout)
    assert held or "HELD" not in graded.stdout
    assert not held or int(held[0]) < 4 * 1024, f"the submission held {held[0]} MiB across its processes"
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "batch", "watch-save"])
def test_process_limit_holds_across_forked_processes(lab: Lab, mode: str) -> None:
    hostile = lab.hostile("mallory/main.py", "fork_many", WANTED=200)
    before = lab.snapshot()
    graded = _grade(lab, mode, hostile, timeout=90)
    _hostile_verdict(graded, mode)
    forked = re.findall(r"FORKED (\d+) processes", graded.stdout)
    assert not forked or int(forked[0]) < 200, f"the submission started {forked[0]} processes"
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_in_memory_folders_are_private_and_size_limited(lab: Lab, mode: str) -> None:
    """It writes 640 MiB into /dev/shm and into /tmp (RAM on many machines)."""
    hostile = lab.hostile("mallory/main.py", "fill_shared_memory", MIB=640, FOLDERS="/dev/shm,/tmp,/dev")
    before = lab.snapshot()
    graded = _grade(lab, mode, hostile, timeout=90)
    _hostile_verdict(graded, mode)
    filled = dict(re.findall(r"(/dev/shm|/tmp|/dev)=(\d+)", graded.stdout))
    too_much = {folder: mib for folder, mib in filled.items() if int(mib) >= 640}
    assert too_much == {}, f"the submission wrote this many MiB: {too_much}"
    assert_clean(lab, before)  # and nothing of it is left in the host's /dev/shm or /tmp


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_submission_cannot_fill_the_disk_from_its_own_folder(lab: Lab, mode: str) -> None:
    """It writes 640 MiB beside itself, in files under any per-file limit: its own copy is
    size-limited, and the folder it was handed in from is left as it was."""
    hostile = lab.hostile("mallory/main.py", "fill_shared_memory", MIB=640, FOLDERS="HERE")
    graded = _grade(lab, mode, hostile, timeout=90)
    _hostile_verdict(graded, mode)
    filled = re.findall(r"HERE=(\d+)", graded.stdout)
    assert not filled or int(filled[0]) < 640, f"the submission wrote {filled[0]} MiB beside itself"
    assert sorted(p.name for p in hostile.parent.iterdir()) == ["main.py"], "files were added to the submission's folder"


# -- learner text ----------------------------------------------------------------------

# Erase the line, go back to its start and draw a PASS for the attacker (ANSI/VT100).
FAKE_PASS = "\x1b[2K\r\x1b[1A\x1b[2K PASS  3/3  mallory/main.py\x1b[0m\x07\x08"


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_escape_sequences_cannot_draw_a_fake_pass_line(lab: Lab, mode: str) -> None:
    hostile = lab.hostile("mallory/main.py", "raise_message", MESSAGE_HEX=FAKE_PASS.encode().hex(), REPEAT=1)
    files = [hostile] if mode == "single" else [hostile, lab.good("good/main.py")]
    graded = lab.grade(*files, "--lesson", LESSON, timeout=60)
    assert not graded.timed_out
    controls = sorted({hex(ord(c)) for c in graded.output if ord(c) < 32 and c not in "\n\t" or ord(c) == 127})
    assert controls == [], f"learner text reached the terminal with control characters: {controls}"


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_huge_exception_message_is_capped(lab: Lab, mode: str) -> None:
    """A 20 MB exception message at import (it came back as 40 MB of output). --timeout 60
    leaves the grader all the time it needs to read it."""
    hostile = lab.hostile("mallory/main.py", "raise_message", MESSAGE_HEX=b"spam ".hex(), REPEAT=4_000_000)
    files = [hostile] if mode == "single" else [hostile, lab.good("good/main.py")]
    for extra in ([], ["--json"]):
        graded = lab.grade(*files, "--lesson", LESSON, "--timeout", "60", *extra, timeout=90)
        assert not graded.timed_out
        assert len(graded.output) < 1_000_000, f"{len(graded.output)} characters of output"
        if extra:
            _hostile_verdict(graded, mode)


@pytest.mark.parametrize(
    "body",
    [
        "def f():\n    return f()\n\n\nf()\n",
        "import sys\nsys.setrecursionlimit(50)\n\n\ndef f(n):\n    return f(n + 1)\n\n\nf(0)\n",
        "x = " + "not " * 2000 + "1\n",
        "x = " + "f(" * 190 + "1" + ")" * 190 + "\n",
    ],
    ids=["runtime", "low-limit", "deep-not", "deep-calls"],
)
def test_recursion_in_the_learners_file_is_the_learners_failure(lab: Lab, body: str) -> None:
    """Deep recursion, in the learner's code or in reading it, is a FAIL of the learner's
    file with a message, never a broken lesson (exit 2) or a grader traceback."""
    file = lab.write("main.py", STARTER.read_text() + "\n\n" + body)
    graded = lab.grade(file, "--lesson", LESSON, "--json", timeout=60)
    result = _hostile_verdict(graded, "single")
    assert graded.code == 1, f"exit {graded.code}: {json.dumps(result)[:1000]}"
    assert "error" not in result
    assert "Traceback" not in graded.stderr


def test_recursion_in_the_learners_registration_is_the_learners_failure(lab: Lab) -> None:
    """The CORS settings built from a very long expression (the analysis recurses into it)."""
    solution = (lab.course / "solution" / LESSON / "main.py").read_text()
    chain = " + ".join(['["*"]'] * 900)
    file = lab.write("main.py", solution.replace('allow_origins=["*"]', f"allow_origins={chain}"))
    graded = lab.grade(file, "--lesson", LESSON, "--json", timeout=60)
    assert not graded.timed_out
    result = graded.only_json()
    assert graded.code in (0, 1) and "error" not in result, json.dumps(result)[:1000]
    assert "maximum recursion depth" not in json.dumps(result), "the grader's own RecursionError reached the learner"
