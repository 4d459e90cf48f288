"""A batch survives its worst submission (issue 9, "Interference inside a batch").

Each batch holds one attacker (the untouched starter plus an attack, so FAIL) among correct
solutions (so PASS): every verdict must be right, one per submission, in bounded time.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.attack_kit import LESSON, Graded, Lab, assert_clean, ends_on_sigterm


def _batch(
    lab: Lab, attack: str, goods: int = 3, timeout: float = 60, jobs: int | None = None, **values: object
) -> tuple[Graded, list]:
    """Grade the attacker first, then `goods` correct solutions, as one --json batch."""
    files = [lab.hostile("mallory/main.py", attack, **values)]
    files += [lab.good(f"learner{n}/main.py") for n in range(goods)]
    extra = ["--jobs", str(jobs)] if jobs else []
    graded = lab.grade(*files, "--lesson", LESSON, "--json", *extra, timeout=timeout)
    return graded, files


def _assert_every_verdict(graded: Graded, files: list) -> None:
    assert not graded.timed_out, "the batch never ended"
    assert "Traceback" not in graded.stderr, graded.stderr[-3000:]
    results = graded.json_lines()
    assert [r["file"] for r in results] == [str(f) for f in files], "not one result per submission, in order"
    assert results[0]["status"] in {"fail", "error"}, f"the attacker got {results[0]['status']}"
    wrong = [(r["file"], r["status"]) for r in results[1:] if r["status"] != "pass"]
    assert wrong == [], "correct solutions beside the attacker did not pass"


def test_one_submission_cannot_kill_the_others_apps(lab: Lab) -> None:
    """It kills every process it can see, for several seconds, while the others are graded."""
    before = lab.snapshot()
    graded, files = _batch(lab, "kill_everything_visible", goods=4, LAB=lab.root, SECONDS=8)
    _assert_every_verdict(graded, files)
    assert_clean(lab, before)


MALFORMED_EVENTS = {
    "a list": b"[1, 2]\n",
    "a string": b'"started"\n',
    "frames of the wrong type": b'{"event": "crash", "exception": 7, "frames": "nonsense"}\n',
    "frames with missing fields": b'{"event": "crash", "exception": "E", "frames": [{"x": 1}]}\n',
    "an exit code of the wrong type": b'{"event": "exit", "code": [1], "frames": [{}]}\n',
    "an unknown event with odd fields": b'{"event": {"nested": true}, "stage": 5}\n',
    "deeply nested JSON": b"[" * 200_000 + b"]" * 200_000 + b"\n",
    "a line of 8 MB": b'{"event": "crash", "exception": "' + b"x" * 8_000_000 + b'", "frames": []}\n',
}


@pytest.mark.parametrize("event", list(MALFORMED_EVENTS), ids=lambda name: name.replace(" ", "-"))
def test_malformed_event_is_only_that_submissions_verdict(lab: Lab, event: str) -> None:
    graded, files = _batch(lab, "bad_event", goods=2, EVENT_HEX=MALFORMED_EVENTS[event].hex())
    _assert_every_verdict(graded, files)
    assert lab.leftovers() == []


def test_malformed_event_still_gives_gradescope_a_results_file(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "bad_event", EVENT_HEX=MALFORMED_EVENTS["frames with missing fields"].hex())
    graded = lab.grade(hostile, "--lesson", LESSON, "--format", "gradescope")
    assert "Traceback" not in graded.stderr, graded.stderr[-3000:]
    results = json.loads(graded.stdout)
    assert results["score"] == 0 and results["tests"], results


@pytest.mark.parametrize("how", ["SIGKILL", "SIGSTOP"])
def test_batch_survives_its_worker_being_killed_or_stopped(lab: Lab, how: str) -> None:
    """The attacker kills or stops its parent (the warm worker that forks every grade).
    One grade at a time, so the others are started after it did."""
    before = lab.snapshot()
    graded, files = _batch(lab, "signal_parent", goods=3, timeout=60, jobs=1, SIGNAL=how, DELAY="0")
    _assert_every_verdict(graded, files)
    # Sandboxed, the signal cannot reach the worker (each submission has a PID namespace of its
    # own), so nothing goes wrong to report; a worker killed or stopped from outside must be
    # replaced and said on stderr: tests/test_worker_recovery.py.
    assert_clean(lab, before)


def test_sigterm_ends_a_batch_whose_worker_was_stopped(lab: Lab) -> None:
    files = [lab.hostile("mallory/main.py", "signal_parent", SIGNAL="SIGSTOP", DELAY="0")]
    files += [lab.good(f"learner{n}/main.py") for n in range(2)]
    ended = ends_on_sigterm(lab, [*map(str, files), "--lesson", LESSON, "--json", "--jobs", "1"], after=6, within=15)
    assert ended, "SIGTERM did not end the batch"


def test_one_submission_cannot_forge_the_others_events(lab: Lab) -> None:
    """It writes a fake "crash" event into every pipe of the other submissions' processes
    (/proc/<pid>/fd/<n>), while they are graded."""
    before = lab.snapshot()
    graded, files = _batch(lab, "forge_others_events", goods=4, LAB=lab.root, SECONDS=8)
    _assert_every_verdict(graded, files)
    assert "forged" not in graded.stdout
    assert_clean(lab, before)


def test_a_fifo_among_the_submissions_gets_a_verdict(lab: Lab) -> None:
    """A FIFO named like a submission (opening it for reading would wait forever)."""
    good = lab.good("alice/main.py")
    fifo = lab.submissions / "mallory.py"
    os.mkfifo(fifo)
    (lab.submissions / "eve").mkdir()
    os.mkfifo(lab.submissions / "eve" / "main.py")
    graded = lab.grade(good, fifo, lab.submissions / "eve" / "main.py", "--lesson", LESSON, "--json", timeout=45)
    assert not graded.timed_out, "the batch never ended"
    assert "Traceback" not in graded.stderr, graded.stderr[-3000:]
    results = graded.json_lines()
    assert [r["file"] for r in results] == [str(good), str(fifo), str(lab.submissions / "eve" / "main.py")]
    assert results[0]["status"] == "pass"
    assert all(r["status"] != "pass" for r in results[1:]), "a FIFO was graded as a submission"


def test_a_submission_cannot_reach_the_children_forked_ahead_for_others(lab: Lab) -> None:
    """The worker forks children ahead, each waiting for its submission on a socket of its
    own; a submission graded in one of them must hold no way to another's (a forged
    submission sent there would run unsandboxed, in place of a classmate's)."""
    goods = [lab.good(f"learner{n}/main.py") for n in range(10)]
    hostile = lab.hostile("mallory/main.py", "reach_children_forked_ahead")
    files = [*goods[:5], hostile, *goods[5:]]
    graded = lab.grade(*files, "--lesson", LESSON, "--json", "--jobs", "4", timeout=90)
    assert not graded.timed_out, "the batch never ended"
    results = graded.json_lines()
    assert [r["file"] for r in results] == [str(f) for f in files]
    assert "FOUND 0 sockets" in json.dumps(results[5]), json.dumps(results[5])[-2000:]
    assert [r["status"] for r in results if r["file"] != str(hostile)] == ["pass"] * len(goods)

