"""Hostile submissions that try to write their own verdict (issue 9, "Forged passes").

Each submission is the lesson's untouched starter with an attack appended, so its true
verdict is FAIL; each test asserts that verdict, and that nothing outside the submission's
copy changed. Every grade runs in a throwaway course and venv (tests/attack_kit.py).
"""

from __future__ import annotations

import json

import pytest

from tests.attack_kit import (
    LESSON,
    STARTER,
    Lab,
    assert_clean,
    assert_true_verdicts,
    grade_in,
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


@pytest.mark.parametrize("mode", ["batch", "watch", "watch-save"])
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


# The documented run_autograder under a pretend /autograder: tests/test_gradescope_autograder.py.
