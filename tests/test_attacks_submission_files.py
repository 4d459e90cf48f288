"""A submission is its own files (issue 15): a file graded alone brings only itself, a
folder submission only its folder, and no folder on the way to a submission is a link.

Each scenario plants text (BESIDE... or the lab's SECRET) where the submission must not
reach it and grades an attacker that reads everything that came along with it.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.attack_kit import LESSON, SOLUTION, Graded, Lab, grade_in

# A main.py with no app of its own: it serves whichever classmate's app came along with it.
BORROWED_APP = """\
from fastapi.middleware.cors import CORSMiddleware
from alice import app

if app is None:
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
"""


def _planted(lab: Lab, name: str) -> str:
    """A secret written to submissions/`name` (a classmate's file, an instructor's notes)."""
    secret = "BESIDE" + secrets.token_hex(6)
    path = lab.submissions / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = SOLUTION.read_text() if name.endswith(".py") else ""
    path.write_text(text + f"\n# {secret}\n")
    return secret


def _by_name(lab: Lab, lines: list[dict]) -> dict[str, dict]:
    return {str(Path(line["file"]).resolve().relative_to(lab.submissions.resolve())): line for line in lines}


# -- a loose main.py -------------------------------------------------------------------


def test_a_loose_main_py_in_a_class_folder_gets_no_classmates_files(lab: Lab) -> None:
    """A flat class folder: alice.py, an instructor's notes, and a main.py that reads every
    file beside it. main.py is one learner's file, graded alone."""
    alice = _planted(lab, "class/alice.py")
    notes = _planted(lab, "class/notes.txt")
    lab.hostile("class/main.py", "read_beside")
    graded = lab.grade(lab.submissions / "class", "--lesson", LESSON, "--json")
    assert not graded.timed_out
    results = _by_name(lab, graded.json_lines())
    assert alice not in graded.output and notes not in graded.output, "a loose main.py read the files beside it"
    assert results["class/main.py"]["status"] == "fail"
    assert results["class/alice.py"]["status"] == "pass"


def test_a_loose_main_py_cannot_serve_a_classmates_app(lab: Lab) -> None:
    """main.py imports alice's app: alone, it has no app to serve, so it cannot pass."""
    _planted(lab, "class/alice.py")
    lab.write("class/main.py", BORROWED_APP)
    graded = lab.grade(lab.submissions / "class", "--lesson", LESSON, "--json")
    results = _by_name(lab, graded.json_lines())
    assert results["class/alice.py"]["status"] == "pass"
    assert results["class/main.py"]["status"] != "pass", "a main.py with no app of its own passed on a classmate's"


def test_a_folder_submission_brings_its_own_folder_and_nothing_above(lab: Lab) -> None:
    """bob/ holds main.py and the module it imports: bob's folder comes along (and passes);
    the class folder above it, with a classmate's file, does not."""
    classmate = _planted(lab, "class/alice.py")
    lab.write("class/bob/helpers.py", "TITLE = 'Notes API'\n")
    lab.write("class/bob/main.py", "from helpers import TITLE\n" + SOLUTION.read_text().replace('"Notes API"', "TITLE"))
    lab.hostile("class/mallory/main.py", "read_beside")
    graded = lab.grade(lab.submissions / "class", "--lesson", LESSON, "--json")
    results = _by_name(lab, graded.json_lines())
    assert results["class/bob/main.py"]["status"] == "pass", json.dumps(results["class/bob/main.py"])[:2000]
    assert results["class/mallory/main.py"]["status"] == "fail"
    assert classmate not in graded.output, "a folder submission read the class folder above it"


# -- a file graded alone ---------------------------------------------------------------


@pytest.mark.parametrize("mode", ["single", "gradescope", "watch"])
@pytest.mark.parametrize("name", ["x.py", "main.py"])
def test_a_file_graded_alone_brings_only_itself(lab: Lab, mode: str, name: str) -> None:
    """`grade FOLDER/x.py`: the other files of FOLDER stay behind, whatever the file's name."""
    notes = _planted(lab, "class/notes.txt")
    classmate = _planted(lab, "class/alice.py")
    hostile = lab.hostile(f"class/{name}", "read_beside")
    graded = grade_in(lab, mode, hostile)
    assert not graded.timed_out
    assert notes not in graded.output and classmate not in graded.output, "a file graded alone read its folder"


# -- linked folders --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["single", "gradescope", "watch"])
def test_a_file_reached_through_a_linked_folder_is_refused(lab: Lab, mode: str) -> None:
    """`grade linked/main.py`, where linked/ is a link to the reference solution's folder."""
    linked = lab.submissions / "linked"
    linked.symlink_to(lab.course / "solution" / LESSON, target_is_directory=True)
    graded = grade_in(lab, mode, linked / "main.py")
    assert not graded.timed_out
    _assert_refused(graded, mode, lab)


@pytest.mark.parametrize("mode", ["single", "gradescope"])
def test_a_link_further_up_the_path_is_refused_too(lab: Lab, mode: str) -> None:
    """`grade up/cors-headers/main.py`, where up/ is a link to the course's solution/."""
    (lab.submissions / "up").symlink_to(lab.course / "solution", target_is_directory=True)
    graded = grade_in(lab, mode, lab.submissions / "up" / LESSON / "main.py")
    _assert_refused(graded, mode, lab)


def test_the_lessons_own_exercise_folder_as_a_link_is_refused(lab: Lab) -> None:
    """A learner's repository where exercise/<lesson> is a link to solution/<lesson>: the
    plain `grade --lesson ...` that CI runs must not pass on the reference solution."""
    exercise = lab.course / "exercise" / LESSON
    for child in exercise.iterdir():
        child.unlink()
    exercise.rmdir()
    exercise.symlink_to(Path("..") / "solution" / LESSON, target_is_directory=True)
    graded = lab.grade("--lesson", LESSON, "--json")
    _assert_refused(graded, "single", lab)


def test_a_class_folder_given_as_a_link_is_refused(lab: Lab) -> None:
    """`grade linked-class/` where the folder named is itself a link to the solutions'."""
    (lab.submissions / "linked-class").symlink_to(lab.course / "solution", target_is_directory=True)
    graded = lab.grade(lab.submissions / "linked-class", "--lesson", LESSON, "--json")
    assert graded.code != 0
    lines = graded.json_lines()
    assert lines, "the linked folder's submissions got no verdict at all"
    for line in lines:
        assert line["status"] != "pass", "a submission in a linked class folder passed"
        assert "symbolic link" in json.dumps(line)
    assert lab.secret not in graded.output


def _assert_refused(graded: Graded, mode: str, lab: Lab) -> None:
    assert lab.secret not in graded.output, "the reference solution was read through a linked folder"
    if mode == "gradescope":
        results = json.loads(graded.stdout)
        assert results["score"] == 0, "a submission reached through a linked folder scored"
        text = json.dumps(results)
    else:
        result = graded.json_lines()[0]
        assert result["status"] != "pass", "a submission reached through a linked folder passed"
        text = json.dumps(result)
    assert "symbolic link" in text, f"the verdict does not say a folder is a link: {text[:1500]}"
