"""A file name is never read as an option (issue 15): `grade *` in a folder where a
learner uploaded a file named `--no-sandbox` must not turn the sandbox off.

The shell expands `*` before the grader starts, so the grader cannot tell a typed option
from a file name; a name that starts with "-" and names a file or folder here is refused
(exit 2, nothing graded). After `--`, or written as ./NAME, it is a file like any other.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.attack_kit import LESSON, Lab

# Each would change what the grade does if read as an option.
OPTION_NAMES = [
    "--no-sandbox",  # the sandbox off for every submission
    "--format=gradescope",  # another output format
    "--check-install",  # no grade at all: exit 0
    "--timeout=120",  # a hanging submission holds the batch two minutes
    "-h",  # help instead of a grade: exit 0
    "--",  # every later name a file: hides an option typed after it
]


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_grade_star_with_a_file_named_like_an_option_is_refused(lab: Lab, name: str) -> None:
    """`grade * --lesson ... --json` in a class folder holding alice.py and `name`."""
    folder = lab.submissions / "class"
    lab.good("class/alice.py")
    lab.hostile(f"class/{name}", "read_other_files")
    names = sorted(path.name for path in folder.iterdir())  # what the shell's * gives
    graded = lab.grade(*names, "--lesson", LESSON, "--json", cwd=folder)
    assert graded.code == 2, f"a file named {name} was read as an option (exit {graded.code}): {graded.output[-1500:]}"
    assert graded.stdout == "", "something was graded"
    assert name in graded.stderr and "./" in graded.stderr, "the error does not say which name, and how to grade it"


def test_a_file_named_like_an_option_after_a_double_dash_is_graded_as_a_file(lab: Lab) -> None:
    folder = lab.submissions / "class"
    lab.hostile("class/--no-sandbox", "read_other_files")
    for args in (["--", "--no-sandbox"], ["./--no-sandbox"]):
        graded = lab.grade("--lesson", LESSON, "--json", *args, cwd=folder)
        result = graded.only_json()
        assert result["protection"] != "none", "the sandbox went off"
        assert result["status"] == "fail"
        assert lab.secret not in graded.output


def test_the_learners_work_is_not_reset_by_file_names(lab: Lab) -> None:
    """In the learner's exercise folder, files named `--reset` and `-y` beside main.py:
    `grade *` must not put main.py back to the starter."""
    exercise = lab.course / "exercise" / LESSON
    main = exercise / "main.py"
    git = ["git", "-C", str(lab.course), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(lab.course)], check=True, timeout=30)
    subprocess.run([*git, "add", "exercise"], check=True, timeout=30)
    subprocess.run([*git, "commit", "-qm", "course"], check=True, timeout=30)
    main.write_text(main.read_text() + "\n# my own work\n")
    (exercise / "--reset").write_text("")
    (exercise / "-y").write_text("")
    graded = lab.grade(*sorted(path.name for path in exercise.iterdir()), cwd=exercise)
    assert "# my own work" in main.read_text(), "file names reset the learner's exercise"
    assert graded.code == 2
