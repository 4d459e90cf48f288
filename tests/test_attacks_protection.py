"""Secure by default, said plainly, and checkable (issue 9, "What to build")."""

from __future__ import annotations

import json

import pytest

from tests.attack_kit import LESSON, STARTER, Lab, assert_clean

PROTECTIONS = {"bubblewrap", "namespaces", "user"}


def test_a_single_grade_is_sandboxed_by_default_and_says_so(lab: Lab) -> None:
    starter = lab.write("main.py", STARTER.read_text())
    result = lab.grade(starter, "--lesson", LESSON, "--json").only_json()
    assert result["status"] == "fail"
    assert result.get("protection") in PROTECTIONS, f"protection in force: {result.get('protection')!r}"


def test_every_result_of_a_batch_says_which_protection_was_in_force(lab: Lab) -> None:
    files = [lab.write("a/main.py", STARTER.read_text()), lab.good("b/main.py")]
    results = lab.grade(*files, "--lesson", LESSON, "--json").json_lines()
    assert [r["status"] for r in results] == ["fail", "pass"]
    assert {r.get("protection") for r in results} <= PROTECTIONS, [r.get("protection") for r in results]


def test_no_sandbox_is_explicit_and_stated(lab: Lab) -> None:
    starter = lab.write("main.py", STARTER.read_text())
    graded = lab.grade(starter, "--lesson", LESSON, "--json", "--no-sandbox")
    result = graded.only_json()
    assert result["status"] == "fail"
    assert result.get("protection") == "none"
    assert graded.stderr.strip(), "--no-sandbox is not stated on stderr"


def test_check_install_reports_an_unchanged_install(lab: Lab) -> None:
    recorded = lab.grade("--check-install", "--record")
    assert recorded.code == 0, recorded.output[-2000:]
    first = lab.grade("--check-install")
    assert first.code == 0, first.output[-2000:]
    assert lab.grade("--check-install").code == 0


def test_check_install_notices_a_changed_grader_module(lab: Lab) -> None:
    assert lab.grade("--check-install", "--record").code == 0
    assert lab.grade("--check-install").code == 0
    module = lab.course / "grader" / "live" / "live_app.py"
    module.write_text(module.read_text() + "\nFORGED = True\n")
    changed = lab.grade("--check-install")
    assert changed.code not in (0, None), changed.output[-2000:]
    assert "live_app.py" in changed.output


def test_check_install_notices_a_pth_file_in_the_virtualenv(lab: Lab) -> None:
    assert lab.grade("--check-install", "--record").code == 0
    assert lab.grade("--check-install").code == 0
    (lab.site_packages / "zz_forge_grades.pth").write_text("import os\n")
    changed = lab.grade("--check-install")
    assert changed.code not in (0, None), changed.output[-2000:]
    assert "zz_forge_grades.pth" in changed.output


def test_check_install_notices_what_a_hostile_grade_left_behind(lab: Lab) -> None:
    """After grading the forged-bytecode attacker, the check says the install changed,
    unless the grade truly changed nothing."""
    assert lab.grade("--check-install", "--record").code == 0
    assert lab.grade("--check-install").code == 0
    before = lab.snapshot()
    lab.grade(lab.hostile("mallory/main.py", "plant_bytecode"), "--lesson", LESSON, "--json")
    check = lab.grade("--check-install")
    if lab.changes(before):
        assert check.code not in (0, None), "the install changed, and --check-install did not say so"
    else:
        assert check.code == 0, check.output[-2000:]


def test_submission_cannot_mark_lessons_as_passed(lab: Lab) -> None:
    """The learner's own exercise, graded with plain `grade` from the course: it writes the
    progress file that `grade --list` and the next lesson read."""
    exercise = lab.course / "exercise" / LESSON / "main.py"
    lab.hostile("x.py", "forge_progress")
    exercise.write_text((lab.submissions / "x.py").read_text())
    graded = lab.grade("--json", cwd=exercise.parent)
    assert graded.only_json()["status"] == "fail"
    progress = lab.course / ".grader-progress.json"
    passed = json.loads(progress.read_text()).get("passed", []) if progress.exists() else []
    assert LESSON not in passed, "the submission recorded its own lesson as passed"


def test_submission_cannot_change_other_submissions_in_a_batch(lab: Lab) -> None:
    """It finds every submission's path in the grader's command line (/proc/<ancestor>/cmdline)
    and overwrites them with a copy of itself."""
    goods = [lab.good(f"learner{n}/main.py") for n in range(2)]
    hostile = lab.hostile("mallory/main.py", "overwrite_submissions")
    originals = {path: path.read_bytes() for path in goods}
    before = lab.snapshot()
    results = lab.grade(goods[0], hostile, goods[1], "--lesson", LESSON, "--json").json_lines()
    assert [r["status"] for r in results] == ["pass", "fail", "pass"]
    assert {path: path.read_bytes() for path in goods} == originals, "other submissions' files were changed"
    assert_clean(lab, before)


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_a_submissions_folder_name_cannot_draw_a_fake_line(lab: Lab, mode: str) -> None:
    """A folder named with a newline and escape sequences: its path is printed in the views."""
    name = "mallory\n PASS  3/3  \x1b[32mevery step\x1b[0m\r"
    hostile = lab.write(f"{name}/main.py", STARTER.read_text())
    files = [hostile] if mode == "single" else [hostile, lab.good("good/main.py")]
    graded = lab.grade(*files, "--lesson", LESSON, timeout=60)
    assert not graded.timed_out
    controls = sorted({hex(ord(c)) for c in graded.output if ord(c) < 32 and c not in "\n\t" or ord(c) == 127})
    assert controls == [], f"a file name reached the terminal with control characters: {controls}"
    fake = [
        line for line in graded.stdout.splitlines()
        if line.lstrip().startswith("PASS") and "3/3" in line and "good/main.py" not in line  # the real pass
    ]
    assert fake == [], f"a fake PASS line: {fake}"
