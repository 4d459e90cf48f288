"""What a submission can reach: nothing outside its own copy (issue 9).

Sandboxed by default in every mode, so each scenario runs in the modes a verdict is relied
on: one file (text/JSON), Gradescope, a batch, and watch where it applies.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.attack_kit import LESSON, SOLUTION, STARTER, Lab, assert_clean, assert_true_verdicts, grade_in


class Listener:
    """A listening socket (Unix or TCP on 127.0.0.1) that records every connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(1024) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def unix_listeners(tmp_path: Path) -> Iterator[list[tuple[str, Listener]]]:
    """Host Unix sockets, in a folder under /tmp and in /run, as a multiplexer or an agent has,
    and an abstract one (no file: "@name"; X11 and D-Bus use them)."""
    paths = [
        str(tmp_path / "agent.sock"),
        f"/run/grader-test-{secrets.token_hex(6)}.sock",
        f"@grader-test-{secrets.token_hex(6)}",
    ]
    made = []
    for path in paths:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind("\0" + path[1:] if path.startswith("@") else path)
        except OSError:
            sock.close()
            continue
        made.append((path, Listener(sock)))
    yield made
    for path, listener in made:
        listener.close()
        if not path.startswith("@"):
            Path(path).unlink(missing_ok=True)


@pytest.fixture
def tcp_listener() -> Iterator[Listener]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    listener = Listener(sock)
    yield listener
    listener.close()


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_submission_cannot_connect_to_host_unix_sockets(lab: Lab, unix_listeners: list, mode: str) -> None:
    assert unix_listeners, "could not create a Unix socket to attack"
    hostile = lab.hostile("main.py", "connect_unix_sockets", SOCKETS=",".join(path for path, _ in unix_listeners))
    before = lab.snapshot()
    graded = grade_in(lab, mode, hostile)
    time.sleep(0.3)
    reached = {path: listener.received for path, listener in unix_listeners if listener.received}
    assert reached == {}, "the submission connected to a host Unix socket"
    assert_true_verdicts(graded, mode)
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "gradescope", "batch", "watch", "watch-save"])
def test_submission_cannot_reach_the_network(lab: Lab, tcp_listener: Listener, mode: str) -> None:
    hostile = lab.hostile("main.py", "connect_tcp", PORT=tcp_listener.sock.getsockname()[1])
    before = lab.snapshot()
    graded = grade_in(lab, mode, hostile)
    time.sleep(0.3)
    assert tcp_listener.received == [], "the submission reached a listener on the host's 127.0.0.1"
    assert_true_verdicts(graded, mode)
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "gradescope", "batch", "watch", "watch-save"])
def test_submission_cannot_read_the_reference_solution(lab: Lab, mode: str) -> None:
    """It looks for the course (walking up, /proc/<ancestor>/cwd, the grader's modules) and
    hands what it finds back through its own failure message."""
    hostile = lab.hostile("main.py", "read_other_files")
    before = lab.snapshot()
    graded = grade_in(lab, mode, hostile)
    assert lab.secret not in graded.output, "the reference solution came back in the learner's message"
    assert_true_verdicts(graded, mode)
    assert_clean(lab, before)


def test_submission_cannot_read_another_submission_in_a_batch(lab: Lab) -> None:
    others = [f"OTHER{secrets.token_hex(6)}" for _ in range(3)]
    # Each learner's token is in their file and in their folder's name (the grader's command
    # line, or a listing of the batch, would give it away).
    good = [lab.write(f"{token}/main.py", SOLUTION.read_text() + f"\n# {token}\n") for token in others]
    hostile = lab.hostile("mallory/main.py", "read_other_files")
    graded = lab.grade(good[0], hostile, *good[1:], "--lesson", LESSON, "--json")
    results = graded.json_lines()
    assert [r["status"] for r in results] == ["pass", "fail", "pass", "pass"]
    mallory = json.dumps(results[1])
    leaked = [token for token in others if token in mallory]
    assert leaked == [], "other learners' files came back in the attacker's own message"
    assert lab.secret not in graded.output


def test_submission_cannot_write_outside_its_copy(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "write_everywhere")
    exercise = lab.course / "exercise" / LESSON / "main.py"
    before = lab.snapshot()
    single = lab.grade(hostile, "--lesson", LESSON, "--json")
    assert_true_verdicts(single, "single")
    assert "overwritten by" not in exercise.read_text()
    assert_clean(lab, before)


def test_submission_cannot_write_outside_its_copy_in_a_batch(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "write_everywhere")
    before = lab.snapshot()
    assert_true_verdicts(grade_in(lab, "batch", hostile), "batch")
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "batch", "watch", "watch-save"])
def test_submission_cannot_leave_a_process_behind(lab: Lab, mode: str) -> None:
    hostile = lab.hostile("main.py", "leave_a_daemon")
    graded = grade_in(lab, mode, hostile)
    assert lab.leftovers() == [], "a process of the submission outlived the grade"
    assert_true_verdicts(graded, mode)


@pytest.mark.parametrize("how", ["SIGKILL", "SIGSTOP"])
@pytest.mark.parametrize("mode", ["single", "gradescope", "watch"])
def test_submission_cannot_stop_the_grader(lab: Lab, how: str, mode: str) -> None:
    """It signals its parent (in an unsandboxed single grade: the grader itself)."""
    hostile = lab.hostile("main.py", "signal_parent", SIGNAL=how, DELAY="0")
    graded = grade_in(lab, mode, hostile, timeout=30)
    assert not graded.timed_out, "the grade never ended"
    assert_true_verdicts(graded, mode)


# -- symlinks ------------------------------------------------------------------------


def test_symlinked_submission_file_is_refused(lab: Lab) -> None:
    """A main.py that is a link to the reference solution gets no marks for it."""
    link = lab.submissions / "main.py"
    link.symlink_to(lab.course / "solution" / LESSON / "main.py")
    graded = lab.grade(link, "--lesson", LESSON, "--json")
    result = graded.only_json()
    assert result["status"] != "pass", "a link to the reference solution passed"
    assert lab.secret not in graded.output
    assert "link" in graded.output.lower(), "the verdict does not say the file is a link"


def test_symlinked_submissions_in_a_batch_are_refused(lab: Lab) -> None:
    """In a class folder: one main.py links to the solution, one to another learner's file,
    one to an instructor's file, and one whole folder is a link to the solution's folder."""
    instructor = lab.root / "instructor" / "grades.py"
    instructor.parent.mkdir()
    instructor.write_text(f"# private: {lab.marker}\nGRADES = {{}}\n")
    bob = lab.write("class/bob/main.py", STARTER.read_text() + "\n# bob's own work\n")
    links = {
        "mallory": lab.course / "solution" / LESSON / "main.py",
        "eve": bob,
        "oscar": instructor,
    }
    for name, target in links.items():
        (lab.submissions / "class" / name).mkdir()
        (lab.submissions / "class" / name / "main.py").symlink_to(target)
    (lab.submissions / "class" / "trudy").symlink_to(lab.course / "solution" / LESSON, target_is_directory=True)
    graded = lab.grade(lab.submissions / "class", "--lesson", LESSON, "--json")
    assert not graded.timed_out
    results = {Path(r["file"]).parent.name: r for r in graded.json_lines()}
    assert results["bob"]["status"] == "fail"
    assert {"mallory", "eve", "oscar", "trudy"} <= set(results), "a linked submission got no verdict at all"
    for name in ("mallory", "eve", "oscar", "trudy"):
        assert results[name]["status"] != "pass", f"{name}'s link was graded as their own work"
        assert "link" in json.dumps(results[name]).lower(), f"{name}'s verdict does not say it is a link"
    assert lab.marker not in graded.output, "an instructor's file was quoted back"
    assert lab.secret not in graded.output


@pytest.mark.parametrize("mode", ["single", "gradescope", "batch"])
def test_submission_cannot_read_the_graders_home(lab: Lab, mode: str) -> None:
    """Credentials in the home folder of whoever runs the grader (~/.netrc, ~/.pypirc)."""
    token = "SECRET" + secrets.token_hex(8)
    (lab.home / ".netrc").write_text(f"machine example.org login teacher password {token}\n")
    (lab.home / ".pypirc").write_text(f"[pypi]\npassword = {token}\n")
    hostile = lab.hostile("main.py", "read_home")
    graded = grade_in(lab, mode, hostile)
    assert token not in graded.output, "the grader's home folder came back in the learner's message"
    assert_true_verdicts(graded, mode)


def test_symlink_beside_the_submission_is_not_followed(lab: Lab) -> None:
    """A submission folder with a regular main.py and, beside it, notes.py: a link to the
    reference solution that main.py reads."""
    hostile = lab.hostile("mallory/main.py", "import_sibling")
    (hostile.parent / "notes.py").symlink_to(lab.course / "solution" / LESSON / "main.py")
    for graded in (lab.grade(hostile, "--lesson", LESSON, "--json"), lab.grade(hostile.parent.parent, "--lesson", LESSON, "--json")):
        assert lab.secret not in graded.output, "a linked file beside the submission was followed"
        assert all(result["status"] != "pass" for result in graded.json_lines())


@pytest.mark.parametrize("mode", ["single", "gradescope", "batch"])
def test_submission_cannot_outrun_the_kill_by_hopping_processes(lab: Lab, mode: str) -> None:
    """A process that forks a fresh copy of itself every few milliseconds, each in a new
    session, for 6 s, then sits still for a minute: nothing of it may outlive the grade.
    (It is looked for once it sits still: while it hops, a scan of /proc can miss it too.)"""
    started = time.monotonic()
    hostile = lab.hostile("main.py", "hop_away", SECONDS=6)
    graded = grade_in(lab, mode, hostile)
    time.sleep(max(0.0, started + 12 - time.monotonic()))
    assert lab.leftovers(wait=3) == [], "a process of the submission outlived the grade"
    assert_true_verdicts(graded, mode)
