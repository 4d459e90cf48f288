"""Hostile submissions that try to write their own verdict (issue 9, "Forged passes").

Each submission is the lesson's untouched starter with an attack appended, so its true
verdict is FAIL; each test asserts that verdict, and that nothing outside the submission's
copy changed. Every grade runs in a throwaway course and venv (tests/attack_kit.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.attack_kit import (
    LESSON,
    ROOT,
    STARTER,
    Lab,
    assert_clean,
    assert_true_verdicts,
    copy_course,
    grade_in,
    make_venv,
    run_bounded,
)


def _assert_true_fail(result: dict) -> None:
    assert result["status"] == "fail", f"the untouched starter got {result['status']}: {json.dumps(result)[:1500]}"
    first = result["steps"][0]
    assert (first["id"], first["status"]) == ("import", "fail"), first


def test_submission_cannot_rewrite_a_grader_module(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "rewrite_grader_module", THEN="stay")
    before = lab.snapshot()
    graded = lab.grade(hostile, "--lesson", LESSON, "--json")
    _assert_true_fail(graded.only_json())
    assert_clean(lab, before)


def test_submission_cannot_rewrite_a_grader_module_under_gradescope(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "rewrite_grader_module", THEN="stay")
    before = lab.snapshot()
    graded = lab.grade(hostile, "--lesson", LESSON, "--format", "gradescope")
    results = json.loads(graded.stdout)
    assert results["score"] == 0, f"the untouched starter scored {results['score']}"
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["batch", "watch"])
def test_submission_cannot_rewrite_a_grader_module_in_other_modes(lab: Lab, mode: str) -> None:
    hostile = lab.hostile("main.py", "rewrite_grader_module", THEN="stay")
    before = lab.snapshot()
    graded = grade_in(lab, mode, hostile)
    assert_true_verdicts(graded, mode)
    assert_clean(lab, before)


def test_a_grader_module_rewritten_by_one_grade_cannot_poison_the_next(lab: Lab) -> None:
    """A submission that rewrites grader modules and exits before they are imported leaves
    them behind; later grades (a sandboxed batch included) of the plain starter stay FAIL."""
    hostile = lab.hostile("mallory/main.py", "rewrite_grader_module", THEN="exit")
    before = lab.snapshot()
    lab.grade(hostile, "--lesson", LESSON, "--json")
    left_behind = lab.changes(before)
    starter = lab.write("alice/main.py", STARTER.read_text())
    batch = lab.grade(starter, lab.good("bob/main.py"), "--lesson", LESSON, "--json")
    _assert_true_fail(batch.json_lines()[0])
    assert batch.json_lines()[1]["status"] == "pass"
    _assert_true_fail(lab.grade(starter, "--lesson", LESSON, "--json").only_json())
    assert left_behind == [], "the submission changed the grader's files"
    assert_clean(lab, before)


def test_submission_cannot_plant_bytecode_in_the_graders_package(lab: Lab) -> None:
    """Forged .pyc files whose headers match the untouched sources: the source tree (and
    `git status`) shows nothing, yet every later import runs the forgery."""
    hostile = lab.hostile("mallory/main.py", "plant_bytecode")
    before = lab.snapshot()
    _assert_true_fail(lab.grade(hostile, "--lesson", LESSON, "--json").only_json())
    starter = lab.write("alice/main.py", STARTER.read_text())
    _assert_true_fail(lab.grade(starter, "--lesson", LESSON, "--json").only_json())
    batch = lab.grade(starter, lab.good("bob/main.py"), "--lesson", LESSON, "--json")
    _assert_true_fail(batch.json_lines()[0])
    assert_clean(lab, before)


def test_submission_cannot_install_a_pth_file_into_the_graders_virtualenv(lab: Lab) -> None:
    hostile = lab.hostile("mallory/main.py", "install_pth")
    before = lab.snapshot()
    lab.grade(hostile, "--lesson", LESSON, "--json")
    venv_changes = lab.changes(before)
    # Every later grade on this install, of the plain starter, must still be FAIL.
    starter = lab.write("alice/main.py", STARTER.read_text())
    _assert_true_fail(lab.grade(starter, "--lesson", LESSON, "--json").only_json())
    batch = lab.grade(starter, lab.good("bob/main.py"), "--lesson", LESSON, "--json")
    _assert_true_fail(batch.json_lines()[0])
    assert venv_changes == [], "the submission changed the grader's install"
    assert_clean(lab, before)


def test_submission_cannot_forge_a_line_in_the_graders_output(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "write_to_grader_stdout")
    before = lab.snapshot()
    graded = lab.grade(hostile, "--lesson", LESSON, "--json")
    _assert_true_fail(graded.only_json())  # exactly one object on stdout: the grader's own
    assert lab.marker not in graded.stderr, "the submission wrote into the grader's stderr"
    assert_clean(lab, before)


def test_submission_cannot_forge_the_text_view(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "write_to_grader_stdout")
    graded = lab.grade(hostile, "--lesson", LESSON)
    assert graded.code == 1
    assert lab.marker not in graded.output, "the submission wrote into the grader's own output"


def test_submission_cannot_read_the_graders_environment(lab: Lab) -> None:
    hostile = lab.hostile("main.py", "read_grader_environment")
    graded = lab.grade(hostile, "--lesson", LESSON, "--json")
    assert lab.secret not in graded.output, "the grader's environment came back in the learner's message"
    _assert_true_fail(graded.only_json())


def _documented_run_autograder() -> str:
    """The `run_autograder` script exactly as docs/grading-a-class.md gives it."""
    docs = (ROOT / "docs" / "grading-a-class.md").read_text()
    after = docs.split("`run_autograder`", 1)[1]
    return after.split("```bash\n", 1)[1].split("```", 1)[0]


def _autograder_box(base: Path) -> list[str]:
    """bubblewrap arguments that show `base` as /autograder over a read-only host (the
    real checkout and venv cannot be touched), with a private /tmp."""
    # The host's /proc is bound (not a new one), so that a grader may make its own
    # sandbox inside this one (a fresh proc mount needs a fully visible one above it).
    args = ["bwrap", "--die-with-parent", "--dev", "/dev", "--bind", "/proc", "/proc", "--tmpfs", "/tmp"]
    for entry in sorted(Path("/").iterdir()):
        if entry.name in {"proc", "dev", "tmp", "autograder", "sys"}:
            continue
        if entry.is_symlink():
            args += ["--symlink", os.readlink(entry), str(entry)]
        elif entry.is_dir():
            args += ["--ro-bind", str(entry), str(entry)]
    return [*args, "--ro-bind", "/sys", "/sys", "--bind", str(base), "/autograder", "--chdir", "/autograder"]


def _tree(root: Path) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in root.rglob("*") if path.is_file()}


GRADESCOPE_ATTACKS = {
    "results-replaced": ("replace_results_file", {}),
    "grader-rewritten": ("rewrite_grader_module", {"THEN": "stay"}),
    "bytecode-planted": ("plant_bytecode", {}),
    "output-forged": ("write_to_grader_stdout", {}),
}


@pytest.mark.parametrize("attack", list(GRADESCOPE_ATTACKS))
def test_gradescope_results_file_holds_the_true_score(tmp_path: Path, attack: str) -> None:
    """The documented run_autograder, verbatim, in a simulated /autograder: whatever the
    submission does, results.json holds the true score and the course is unchanged."""
    if shutil.which("bwrap") is None:
        pytest.skip("needs bubblewrap (bwrap) to show a folder as /autograder")
    base = tmp_path / "autograder"
    copy_course(base / "source", "SECRET" + "0" * 16)
    make_venv(
        base / "source" / ".venv", base / "source", seen_as=Path("/autograder/source"),
        venv_seen_as=Path("/autograder/source/.venv"),
    )
    (base / "results").mkdir()
    marker = "atk" + os.urandom(6).hex()
    name, values = GRADESCOPE_ATTACKS[attack]
    text = (ROOT / "tests/attacks/_prelude.py").read_text() + (ROOT / f"tests/attacks/{name}.py").read_text()
    for key, value in {"MARKER": marker, **values}.items():
        text = text.replace(f"__{key}__", value)
    submission = base / "submission" / "main.py"
    submission.parent.mkdir()
    submission.write_text(STARTER.read_text() + "\n" + text)
    (base / "run_autograder").write_text(_documented_run_autograder())
    box = _autograder_box(base)
    if subprocess.run([*box, "true"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("bubblewrap cannot make namespaces here")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    # What installing the grader does (setup.sh); a grader that needs no such step may refuse it.
    run_bounded([*box, "/autograder/source/.venv/bin/grade", "--check-install", "--record"], cwd=tmp_path, env=env, timeout=60)
    course = _tree(base / "source")
    ran = run_bounded([*box, "bash", "/autograder/run_autograder"], cwd=tmp_path, env=env, timeout=90)
    assert not ran.timed_out
    results = json.loads((base / "results" / "results.json").read_text())
    assert results["score"] == 0, f"the untouched starter scored {results['score']}: {json.dumps(results)[:800]}"
    assert all(test["status"] == "failed" for test in results["tests"]), results["tests"]
    assert marker not in json.dumps(results)
    assert list((base / "results").iterdir()) == [base / "results" / "results.json"]
    after = _tree(base / "source")
    changed = sorted(path for path in course.keys() | after.keys() if course.get(path) != after.get(path))
    assert changed == [], f"the course changed: {changed[:5]}"
