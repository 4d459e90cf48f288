"""Grading a class: many submissions at once, isolated, in order, with LMS output."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest

from grader.author.expectations import read_expectation
from tests.conftest import ROOT, SUBMISSIONS, processes_mentioning, run_grade

SAMPLES = SUBMISSIONS / "cors-headers"
SOLUTION = ROOT / "solution/cors-headers/main.py"
HOSTILE = '''
import socket, subprocess, sys, threading, time
from pathlib import Path
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

here = Path(__file__).resolve().parent
for victim in here.parent.rglob("*"):
    try:
        if victim.is_file():
            victim.unlink()
    except OSError:
        pass
try:
    import grader  # not even visible inside the sandbox
    targets = [Path(grader.__file__).parent / "pwned.txt"]
except ImportError:
    targets = []
for target in (*targets, Path("{outside}") / "pwned.txt"):
    try:
        target.write_text("pwned")
    except OSError:
        pass
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)  # hostile-child"], start_new_session=True)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
threading.Thread(target=time.sleep, args=(1000,), daemon=False).start()
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
'''


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _samples(count_per_folder: int) -> list[Path]:
    chosen = []
    for folder in ("pass", "fail", "malformed"):
        files = sorted((SAMPLES / folder).glob("*.py"))
        quick = [f for f in files if (read_expectation(f) or read_expectation(SOLUTION)).timeout is None]
        chosen += quick[:count_per_folder]
    return chosen


def test_batch_reports_each_submission_in_input_order(no_leftovers: list[str]) -> None:
    files = _samples(4)
    no_leftovers.extend(str(f) for f in files)
    run = run_grade(*files, "--lesson", "cors-headers", "--json")
    results = _lines(run.stdout)
    assert [r["file"] for r in results] == [str(f) for f in files]
    for path, result in zip(files, results):
        expected = read_expectation(path)
        assert expected is not None
        assert result["status"] == ("pass" if expected.passes else "fail"), (path, result)
        if not expected.passes:
            first = next(s for s in result["steps"] if s["status"] == "fail")
            assert first["id"] == expected.fails_at, (path, first)
    assert run.code == 1  # some submissions fail
    assert "Traceback" not in run.stderr


def test_batch_of_a_folder_prints_a_summary(tmp_path: Path) -> None:
    for name, source in (("alice.py", SOLUTION), ("bob.py", ROOT / "exercise/cors-headers/main.py")):
        shutil.copy(source, tmp_path / name)
    (tmp_path / "carol").mkdir()
    shutil.copy(SOLUTION, tmp_path / "carol" / "main.py")
    run = run_grade(tmp_path, "--lesson", "cors-headers", env={"NO_COLOR": "1"})
    assert run.code == 1
    for name in ("alice.py", "bob.py", "carol/main.py"):
        assert name in run.stdout
    assert "2 of 3 submissions pass every step" in run.stdout
    assert "Import CORSMiddleware: 2 of 3" in run.stdout
    assert "Most common first failures" in run.stdout
    assert "does not import CORSMiddleware yet" in run.stdout
    assert run.stdout.startswith("Lesson cors-headers: ")  # which lesson the class was graded against
    assert "--lesson" not in run.stderr


def test_a_class_graded_without_lesson_says_which_lesson_was_chosen(tmp_path: Path) -> None:
    """Without --lesson, the lesson comes from the grader's own progress: an instructor must see it."""
    shutil.copy(SOLUTION, tmp_path / "alice.py")
    shutil.copy(SOLUTION, tmp_path / "bob.py")
    run = run_grade(tmp_path, "--json")
    lesson = json.loads(run.stdout.splitlines()[0])["lesson"]
    assert f"grading against lesson '{lesson}'" in run.stderr and "--lesson SLUG" in run.stderr, run.stderr


def test_a_file_python_cannot_read_is_summed_up_as_the_file_not_a_step(tmp_path: Path) -> None:
    (tmp_path / "dave.py").write_text(SOLUTION.read_text().replace("app = FastAPI(title=\"Notes API\")", "app = FastAPI(title=\"Notes API\"", 1))
    shutil.copy(SOLUTION, tmp_path / "erin.py")
    run = run_grade(tmp_path, "--lesson", "cors-headers", env={"NO_COLOR": "1"})
    common = run.stdout.split("Most common first failures", 1)[-1]
    assert "The file itself: Python cannot" in common, run.stdout
    assert "Import CORSMiddleware: Python cannot" not in run.stdout, run.stdout
    assert "Line N" not in common.replace("The file itself: Line N", ""), common


def test_hostile_submission_changes_nothing_outside_its_copy(tmp_path: Path, no_leftovers: list[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "hostile.py").write_text(HOSTILE.format(outside=outside))
    shutil.copy(SOLUTION, submissions / "good.py")
    before = _fingerprint(tmp_path)
    package = _fingerprint(ROOT / "grader")
    no_leftovers.extend([str(submissions), "hostile-child"])
    run = run_grade(submissions / "hostile.py", submissions / "good.py", "--lesson", "cors-headers", "--json")
    assert [r["status"] for r in _lines(run.stdout)] == ["pass", "pass"]
    assert _fingerprint(tmp_path) == before
    assert _fingerprint(ROOT / "grader") == package
    assert processes_mentioning("hostile-child") == []


def test_gradescope_results_follow_the_documented_format(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
    for source, score in ((SOLUTION, 3.0), (ROOT / "exercise/cors-headers/main.py", 0.0)):
        run = run_grade(source, "--lesson", "cors-headers", "--format", "gradescope")
        results = json.loads(run.stdout)
        jsonschema.validate(results, schema)
        assert results["score"] == score
        assert [t["status"] for t in results["tests"]] == (["passed"] * 3 if score else ["failed"] * 3)
    starter = json.loads(run.stdout)
    assert "does not import CORSMiddleware yet" in starter["tests"][0]["output"]


def test_gradescope_takes_one_submission() -> None:
    run = run_grade(SOLUTION, SOLUTION, "--lesson", "cors-headers", "--format", "gradescope")
    assert run.code == 2
    assert "one submission" in run.stderr


def test_without_a_sandbox_the_grader_says_so_once(tmp_path: Path) -> None:
    shutil.copy(SOLUTION, tmp_path / "a.py")
    shutil.copy(SOLUTION, tmp_path / "b.py")
    run = run_grade(tmp_path, "--lesson", "cors-headers", "--json", env={"GRADER_SANDBOX": "none"})
    # As root, and where other users can run this Python, the `user` protection stands in.
    assert run.stderr.count("No sandbox") + run.stderr.count("No namespaces") == 1, run.stderr
    assert [r["status"] for r in _lines(run.stdout)] == ["pass", "pass"]


def test_bounded_fuzz_gets_a_verdict_for_every_mutation(tmp_path: Path, no_leftovers: list[str]) -> None:
    """Random edits of the solution (fixed seed): every one gets a verdict, nothing crashes."""
    rng = random.Random(20261126)
    text = SOLUTION.read_text()
    for index in range(24):
        (tmp_path / f"mutant_{index:02}.py").write_bytes(_mutate(text, rng))
    no_leftovers.append(str(tmp_path))
    run = run_grade(tmp_path, "--lesson", "cors-headers", "--json", "--timeout", "3", timeout=300)
    results = _lines(run.stdout)
    assert len(results) == 24
    assert all(r["status"] in {"pass", "fail"} for r in results)
    assert all(len(r["steps"]) == 3 for r in results)
    assert "Traceback" not in run.stderr + run.stdout


def _mutate(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.3 and lines:
            del lines[rng.randrange(len(lines))]
        elif choice < 0.5 and len(lines) > 1:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
        elif choice < 0.8:
            flat = "".join(lines)
            at = rng.randrange(len(flat))
            flat = flat[:at] + flat[at + 1 :] if rng.random() < 0.5 else flat[:at] + rng.choice("()[]:,'\"x ") + flat[at:]
            lines = flat.splitlines(keepends=True)
        elif choice < 0.9:
            lines.insert(rng.randrange(len(lines) + 1), "x = " + "(" * 50 + "1" + ")" * 50 + "\n")
        else:
            lines.insert(rng.randrange(len(lines) + 1), "# " + "y" * 5000 + "\n")
    data = "".join(lines).encode()
    if rng.random() < 0.1:
        data += bytes(rng.randrange(256) for _ in range(16))
    return data


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("option", ["--watch", "--open", "--show", "--hint", "--browser"])
def test_an_option_for_one_file_is_refused_for_a_class(tmp_path: Path, option: str) -> None:
    """Not silently ignored: `grade CLASS --watch` would grade once and leave."""
    shutil.copy(SOLUTION, tmp_path / "alice.py")
    run = run_grade(tmp_path, "--lesson", "cors-headers", option)
    assert run.code == 2, run.stdout + run.stderr
    assert f"{option} works on one file" in run.stderr
    assert run.stdout == ""
