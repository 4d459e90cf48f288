"""As root where bubblewrap is missing but user namespaces are allowed (the `namespaces`
protection): the machine's file system is visible to the submission, so it must enter its
namespaces as an unprivileged user of its own, never with root's id outside them, and see
every mount read-only (issue 15, "No weaker protection than an unprivileged user").

Every test grades as root with GRADER_SANDBOX=namespaces (see `namespaces_lab` in attack_kit.py).
"""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest

from tests.attack_kit import LESSON, STARTER, Lab, assert_clean, assert_true_verdicts, grade_in, reported
from tests.test_attacks_unprivileged import _stdlib_of, protection_of

MODES = ["single", "gradescope", "batch"]


@pytest.mark.parametrize("mode", MODES)
def test_the_protection_is_namespaces_entered_as_a_user_of_its_own(namespaces_lab: Lab, mode: str) -> None:
    graded = grade_in(namespaces_lab, mode, namespaces_lab.write("mallory/main.py", STARTER.read_text()))
    assert_true_verdicts(graded, mode)
    assert protection_of(graded.stdout, mode) == {"namespaces"}
    assert graded.stderr.count("unprivileged user of its own") == 1, graded.stderr


def test_nothing_of_roots_is_writable_and_nothing_private_is_readable(namespaces_lab: Lab) -> None:
    """Found: with root's id outside its namespaces, the submission could write every file of
    root's it saw (the lessons' checks, the grader, the virtualenv, the base Python, the
    manifest) and read the solutions and the lessons' checks."""
    lab = namespaces_lab
    assert lab.grade("--check-install", "--record").code == 0
    course = lab.course
    manifests = list((lab.home / ".local" / "state" / "grade").glob("install-*.json"))
    assert manifests, "no manifest recorded where expected"
    stdlib = Path(_stdlib_of(lab))
    writable = [
        course / "lessons" / LESSON / "checks.py", course / "lessons" / LESSON, course / "grader" / "engine.py",
        course / "grader" / "__pycache__", lab.site_packages, lab.site_packages / "_course.pth", lab.venv / "bin",
        stdlib / "encodings" / "idna.py", stdlib / "encodings", Path(sysconfig.get_paths()["stdlib"]) / "encodings",
        manifests[0], manifests[0].parent, lab.submissions, lab.root,
    ]
    readable = [course / "solution" / LESSON / "main.py", course / "lessons" / LESSON / "checks.py"]
    for mode in ("single", "batch"):
        hostile = lab.hostile(
            f"{mode}/main.py", "access_report",
            WRITABLE=json.dumps([str(p) for p in writable]), READABLE=json.dumps([str(p) for p in readable]),
        )
        found = reported(grade_in(lab, mode, hostile), lab.marker)
        assert found == {"writable": [], "readable": []}, (
            f"{mode}: writable {[str(writable[i]) for i in found['writable']]}, "
            f"readable {[str(readable[i]) for i in found['readable']]}"
        )
    assert lab.grade("--check-install").code == 0


ATTACKS: dict[str, dict[str, object]] = {
    "tamper_lesson_checks": {},  # CHECKS filled in below
    "rewrite_grader_module": {"THEN": "stay"},
    "plant_bytecode": {},
    "install_pth": {},
    "write_everywhere": {},
    "forge_progress": {},
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_attack_on_the_install_changes_nothing_and_the_next_grade_is_true(namespaces_lab: Lab, attack: str) -> None:
    """Found: appending a forgery to lessons/<slug>/checks.py, rewriting a grader module or
    dropping a .pth file into the virtualenv worked, and the next grade of the starter PASSed."""
    lab = namespaces_lab
    values = {"CHECKS": lab.course / "lessons" / LESSON / "checks.py", **ATTACKS[attack]}
    hostile = lab.hostile(f"{attack}/main.py", attack, **values)
    before = lab.snapshot()
    assert_true_verdicts(grade_in(lab, "single", hostile), "single")
    assert_clean(lab, before)
    again = lab.grade(lab.write("next/main.py", STARTER.read_text()), "--lesson", LESSON, "--json")
    assert again.only_json()["status"] == "fail", "the next grade of the starter passed"
