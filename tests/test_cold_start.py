"""A cold grade starts the app's sandboxed process first (grader/launch.py,
grader/run/cold_start.py) and remembers the sandbox probe until the next boot
(grader/run/probe_memory.py): the child started ahead is used or stopped, and the
remembered probe can be neither forged nor reached by a submission. No timings here:
speed lives in bench/."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.run import probe_memory
from grader.run import sandbox as sandbox_module
from grader.run.sandbox import Sandbox, find_sandbox
from grader.run.server import TAKEN_OVER
from tests.conftest import GRADE, ROOT, processes_mentioning, run_grade


def _record(folder: Path) -> Path:
    return folder / probe_memory._file_name(probe_memory.conditions())


SOLUTION = ROOT / "solution/cors-headers/main.py"
HANDED_OVER = "submission handed to the child started ahead"


def _processes_with_env(marker: str) -> list[str]:
    """Live processes whose environment holds `marker` (the cold child keeps TMPDIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "zombie" not in status:
                    found.append(entry.name + ": " + (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def _no_process_left(marker: str) -> list[str]:
    deadline = time.monotonic() + 5
    while (left := _processes_with_env(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.skipif(not find_sandbox().namespaced, reason="a child is started ahead only in namespaces")
def test_a_cold_grade_runs_in_the_child_started_ahead(tmp_path: Path) -> None:
    marker = str(tmp_path / "cold-child-marker")
    run = run_grade(SOLUTION, "--json", env={"GRADER_TIMELINE": "1", "TMPDIR": marker})
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["status"] == "pass"
    assert HANDED_OVER in run.stderr, run.stderr
    assert _no_process_left(marker) == []


@pytest.mark.skipif(not find_sandbox().namespaced, reason="a child is started ahead only in namespaces")
@pytest.mark.parametrize(
    "args",
    [["missing.py"], [str(SOLUTION), "--lesson", "no-such-lesson"], [str(SOLUTION), "--format", "nonsense"]],
    ids=["no such file", "no such lesson", "bad option value"],
)
def test_a_child_started_ahead_is_stopped_when_the_grade_goes_another_way(tmp_path: Path, args: list[str]) -> None:
    marker = str(tmp_path / "cold-child-marker")
    run = run_grade(*args, env={"GRADER_TIMELINE": "1", "TMPDIR": marker})
    assert run.code == 2, run.stderr
    assert "app's process started ahead" in run.stderr, run.stderr  # the guess was made...
    assert HANDED_OVER not in run.stderr
    assert _no_process_left(marker) == []  # ...and its child is gone


@pytest.mark.parametrize("args", [["--no-sandbox"], ["--watch"], ["--list"], ["a.py", "b.py"], ["."]])
def test_no_child_is_started_ahead_where_the_grade_would_not_use_it(args: list[str]) -> None:
    from grader.run.cold_start import _one_cold_grade

    assert not _one_cold_grade(args)
    assert _one_cold_grade(["main.py", "--lesson", "x", "--json"])


@pytest.fixture
def probe_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The probe's record kept under `tmp_path` instead of /run or $XDG_RUNTIME_DIR."""
    parent = tmp_path / "runtime"
    parent.mkdir(mode=0o700)
    monkeypatch.setattr(probe_memory, "parent", lambda: str(parent))
    return parent / probe_memory.FOLDER


def test_the_probe_is_remembered_in_a_folder_only_this_user_may_enter(probe_folder: Path) -> None:
    sandbox_module._remember(Sandbox("bubblewrap", proc=False))
    assert oct(probe_folder.stat().st_mode & 0o777) == "0o700"
    assert oct(_record(probe_folder).stat().st_mode & 0o777) == "0o600"
    assert sandbox_module._remembered() == Sandbox("bubblewrap", proc=False)


@pytest.mark.parametrize("loosen", ["folder", "file", "parent", "link"])
def test_a_record_others_could_have_written_is_ignored(probe_folder: Path, loosen: str) -> None:
    sandbox_module._remember(Sandbox("bubblewrap"))
    record = _record(probe_folder)
    if loosen == "folder":
        probe_folder.chmod(0o777)
    elif loosen == "file":
        record.chmod(0o666)
    elif loosen == "parent":
        probe_folder.parent.chmod(0o777)
    else:
        moved = probe_folder.with_name("elsewhere")
        probe_folder.rename(moved)
        probe_folder.symlink_to(moved)
    assert sandbox_module._remembered() is None


def test_a_forged_record_cannot_ask_for_a_weaker_sandbox(probe_folder: Path) -> None:
    """The record says only whether bubblewrap mounts its own /proc, with the arguments it
    got: a forged one can claim bubblewrap, never `none`; a record made under other
    conditions (another cap in $GRADER_SANDBOX, another bwrap, another boot) does not count,
    and neither do arguments other than those bwrap would get now (the folders it binds)."""
    sandbox_module._remember(Sandbox("bubblewrap"))
    record = _record(probe_folder)
    saved = json.loads(record.read_text())
    record.write_text(json.dumps({**saved, "kind": "none", "note": "forged"}))
    assert sandbox_module._remembered() == Sandbox("bubblewrap")
    record.write_text(json.dumps({**saved, "proc": "none"}))
    assert sandbox_module._remembered() is None
    record.write_text(json.dumps({**saved, "conditions": [0] * 8}))
    assert sandbox_module._remembered() is None
    record.write_text(json.dumps({**saved, "wrap": [*saved["wrap"][:-1], "--bind", str(ROOT), str(ROOT), "--"]}))
    assert probe_memory.recall() is not None  # what launch.py would start from...
    assert sandbox_module._remembered() is None  # ...and what the grader then refuses to use


def test_the_record_depends_on_the_cap_and_is_forgotten_on_request(
    probe_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_module._remember(Sandbox("bubblewrap"))
    monkeypatch.setenv("GRADER_SANDBOX", "bubblewrap")
    assert sandbox_module._remembered() is None
    monkeypatch.delenv("GRADER_SANDBOX")
    assert sandbox_module._remembered() is not None
    sandbox_module.forget_probe()
    assert not _record(probe_folder).exists()


PROBE_WRITER = '''
import os
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
for folder in ("/run/fastapi-grader", os.environ.get("XDG_RUNTIME_DIR", "/nonexistent") + "/fastapi-grader"):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(folder + "/sandbox-probe.json", "w") as record:
            record.write('{"key": "forged", "proc": true}')
    except OSError:
        pass
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"])
'''


@pytest.mark.skipif(find_sandbox().kind != "bubblewrap", reason="bubblewrap hides the record's folder")
def test_a_submission_cannot_reach_the_remembered_probe(tmp_path: Path) -> None:
    run_grade(SOLUTION, "--json")  # the probe is remembered
    folder = Path(probe_memory.parent() or "/nonexistent") / probe_memory.FOLDER
    (tmp_path / "main.py").write_text(PROBE_WRITER)
    run_grade(tmp_path / "main.py", "--lesson", "cors-headers", "--json")
    records = list(folder.glob("*")) + list(Path("/run/fastapi-grader").glob("*"))
    assert not [record for record in records if b"forged" in record.read_bytes()]


FORGED_BIND = "/forged-bind"


@pytest.mark.skipif(find_sandbox().kind != "bubblewrap", reason="only bubblewrap's arguments are remembered")
def test_a_process_started_from_a_record_the_grader_would_not_write_is_never_used(tmp_path: Path) -> None:
    """launch.py starts the app's child (one file) or the warm worker (a class) from the
    remembered arguments before the grader can compute them; a record that binds one folder
    more (written by whoever could write it) starts a process that is then killed unused,
    and the grade runs in a sandbox of its own, which does not show that folder. (Under a
    cap of its own in $GRADER_SANDBOX, the forged record is one no other test's grade reads.)"""
    own = {"GRADER_SANDBOX": "bubblewrap"}
    run_grade(SOLUTION, "--json", env=own)  # the record exists
    interpreter = GRADE.read_text().splitlines()[0][2:].strip()  # as `grade` runs: the same conditions
    shown = tmp_path / "shown"
    shown.mkdir()
    forge = (
        "from grader.run import probe_memory\n"
        "found = probe_memory.recall()\n"
        "assert found is not None\n"
        f"probe_memory.store(found.proc, (found.wrap[0], '--ro-bind', {str(shown)!r}, {FORGED_BIND!r}, *found.wrap[1:]))\n"
    )
    try:
        (tmp_path / "class").mkdir()
        submission = tmp_path / "class" / "main.py"
        submission.write_text(SOLUTION.read_text() + f"\nimport os\nassert not os.path.exists({FORGED_BIND!r}), 'FORGED'\n")
        marker = str(tmp_path / "started-ahead-marker")
        env = {**own, "GRADER_TIMELINE": "1", "TMPDIR": marker}
        # Forged before each grade: a grade that refuses the record remembers a true one.
        subprocess.run([interpreter, "-c", forge], check=True, cwd=ROOT, env={**os.environ, **own})
        one = run_grade(submission, "--lesson", "cors-headers", "--json", env=env)
        assert "sandbox probed (bubblewrap, remembered)" in one.stderr, one.stderr  # started from the record...
        assert HANDED_OVER not in one.stderr, one.stderr  # ...and never used
        subprocess.run([interpreter, "-c", forge], check=True, cwd=ROOT, env={**os.environ, **own})
        whole_class = run_grade(submission.parent, "--lesson", "cors-headers", "--json", env=env)
        assert STARTED_WORKER in whole_class.stderr and TAKEN_OVER not in whole_class.stderr, whole_class.stderr
        for run in (one, whole_class):
            assert json.loads(run.stdout.splitlines()[0])["status"] == "pass", run.stdout
        assert _no_process_left(marker) == []
    finally:
        forget = "from grader.run import probe_memory; probe_memory.forget()"
        subprocess.run([interpreter, "-c", forget], cwd=ROOT, env={**os.environ, **own})


STARTED_WORKER = "warm worker started ahead (sandbox spawned)"


@pytest.mark.skipif(find_sandbox().kind != "bubblewrap", reason="only bubblewrap's arguments are remembered")
@pytest.mark.parametrize("how", ["folder", "files"])
def test_a_class_is_graded_by_the_worker_started_ahead(tmp_path: Path, how: str) -> None:
    run_grade(SOLUTION, "--json")  # this boot's record exists
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(SOLUTION.read_text())
    graded = [tmp_path] if how == "folder" else [tmp_path / "a.py", tmp_path / "b.py"]
    marker = str(tmp_path / "worker-marker")
    run = run_grade(*graded, "--lesson", "cors-headers", "--json", env={"GRADER_TIMELINE": "1", "TMPDIR": marker})
    assert run.code == 0, run.stderr
    assert [json.loads(line)["status"] for line in run.stdout.splitlines()] == ["pass", "pass"]
    assert STARTED_WORKER in run.stderr and TAKEN_OVER in run.stderr, run.stderr
    assert _no_process_left(marker) == []


@pytest.mark.skipif(find_sandbox().kind != "bubblewrap", reason="only bubblewrap's arguments are remembered")
@pytest.mark.parametrize(
    "args",
    [["--format", "gradescope"], ["--lesson", "no-such-lesson"], ["--jobs", "0"]],
    ids=["gradescope refuses a class", "no such lesson", "bad option value"],
)
def test_a_worker_started_ahead_is_stopped_when_the_grade_goes_another_way(tmp_path: Path, args: list[str]) -> None:
    run_grade(SOLUTION, "--json")  # this boot's record exists
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(SOLUTION.read_text())
    marker = str(tmp_path / "worker-marker")
    run = run_grade(tmp_path, *args, env={"GRADER_TIMELINE": "1", "TMPDIR": marker})
    assert run.code == 2, run.stderr
    assert STARTED_WORKER in run.stderr, run.stderr  # the guess was made...
    assert TAKEN_OVER not in run.stderr
    assert _no_process_left(marker) == []  # ...and its worker is gone


def test_grade_starts_the_child_before_importing_anything_heavy() -> None:
    """What `grade` imports before it starts the app's process (grader/launch.py): the
    standard library's lighter half only, so the child starts a few milliseconds in."""
    heavy = ("click", "rich", "libcst", "fastapi", "pydantic", "dataclasses", "typing", "inspect", "shutil", "hashlib")
    probe = f"import sys, grader.launch; print([m for m in sys.modules if m.split('.')[0] in {heavy!r}])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_ctrl_c_in_grades_first_milliseconds_is_a_calm_word() -> None:
    """SIGINT swept across a grade's first 60 ms (its imports, the child started ahead):
    never a traceback through the grader's code, never a process left. (An interrupt in
    Python's own start-up, or in the console script pip wrote, lands before any of the
    grader runs: Python reports those.)"""
    for delay in [0.010 + 0.002 * step for step in range(26)]:
        process = subprocess.Popen(
            [str(GRADE), str(SOLUTION), "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        frames = [line for line in stderr.splitlines() if line.strip().startswith('File "')]
        if "Traceback" in stderr and not any("/grader/" in frame for frame in frames):
            continue  # Python's start-up or pip's console script: no grader code had run
        assert "Traceback" not in stderr, f"after {delay * 1000:.0f} ms:\n{stderr}"
        assert process.returncode in (0, 130), f"after {delay * 1000:.0f} ms: exit {process.returncode}\n{stderr}"
    assert processes_mentioning(str(SOLUTION)) == []
