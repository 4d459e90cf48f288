"""As root where namespaces are refused (Gradescope's Docker, many CI containers): each
submission runs as an unprivileged user of its own, and nothing that decides a verdict is
within its reach (issue 15, "Where namespaces are refused").

Every test grades as root with GRADER_SANDBOX=none, which is how the grader sees a machine
that refuses user namespaces (see `user_lab` in attack_kit.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.attack_kit import (
    LESSON,
    STARTER,
    Lab,
    assert_clean,
    assert_true_verdicts,
    grade_in,
    reported,
    run_bounded,
)

MODES = ["single", "gradescope", "batch"]
MEMORY_CAP = 2 * 1024**3
FILE_CAP = 16 * 1024**2


def protection_of(graded_stdout: str, mode: str) -> set[str]:
    if mode == "gradescope":
        return {json.loads(graded_stdout)["extra_data"]["protection"]}
    return {json.loads(line)["protection"] for line in graded_stdout.splitlines() if line.strip()}


@pytest.mark.parametrize("mode", MODES)
def test_the_protection_is_an_unprivileged_user_and_is_said(user_lab: Lab, mode: str) -> None:
    graded = grade_in(user_lab, mode, user_lab.write("mallory/main.py", STARTER.read_text()))
    assert_true_verdicts(graded, mode)
    assert protection_of(graded.stdout, mode) == {"user"}
    assert graded.stderr.count("unprivileged user of its own") == 1, graded.stderr


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_learner_code_runs_as_a_user_of_its_own_with_no_capability(user_lab: Lab, mode: str) -> None:
    graded = grade_in(user_lab, mode, user_lab.hostile("mallory/main.py", "whoami"))
    found = reported(graded, user_lab.marker)
    uid = found["uid"][0]
    assert uid != 0 and found["uid"] == [uid] * 3, found
    assert found["gid"] == [uid] * 3 and found["groups"] == [], found  # a group of its own, and no other
    assert [int(value, 16) for value in found["caps"]] == [0], found


@pytest.mark.parametrize("mode", MODES)
def test_tampering_with_the_lessons_checks_or_their_bytecode_fails(user_lab: Lab, mode: str) -> None:
    """Found: appending a forgery to lessons/<slug>/checks.py, or planting its bytecode
    stamped with the untouched source's mtime and size, made the next grade of the starter
    PASS, with `git status` clean and `--check-install` green."""
    checks = user_lab.course / "lessons" / LESSON / "checks.py"
    before = user_lab.snapshot()
    hostile = user_lab.hostile("mallory/main.py", "tamper_lesson_checks", CHECKS=checks)
    assert_true_verdicts(grade_in(user_lab, mode, hostile), mode)
    assert_clean(user_lab, before)
    again = user_lab.grade(user_lab.write("next/main.py", STARTER.read_text()), "--lesson", LESSON, "--json")
    assert again.only_json()["status"] == "fail", "the next grade of the starter passed"


def test_nothing_that_decides_a_verdict_is_writable_and_nothing_private_is_readable(user_lab: Lab) -> None:
    """The grader, the lessons, the virtualenv, the base Python (with its bytecode), the
    manifest: none writable. The solutions and the lessons' checks and helpers: none readable."""
    assert user_lab.grade("--check-install", "--record").code == 0
    course = user_lab.course
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    other_python = Path(_stdlib_of(user_lab))
    manifests = list((user_lab.home / ".local" / "state" / "grade").glob("install-*.json"))
    assert manifests, "no manifest recorded where expected"
    writable = [
        course / "grader" / "engine.py", course / "grader" / "__pycache__", course / "grader" / "run",
        course / "lessons" / LESSON / "checks.py", course / "lessons" / LESSON, course / "lessons" / "_shared",
        course / "lessons" / "_shared" / "__pycache__", course / "solution" / LESSON / "main.py",
        user_lab.site_packages, user_lab.site_packages / "_course.pth", user_lab.venv / "bin",
        other_python / "encodings" / "idna.py", other_python / "encodings" / "__pycache__", other_python,
        stdlib / "encodings" / "idna.py", manifests[0], manifests[0].parent,
    ]
    readable = [
        course / "solution" / LESSON / "main.py", course / "lessons" / LESSON / "checks.py",
        *sorted((course / "lessons" / "_shared").glob("*.py"))[:3],
    ]
    reports = user_lab.root / "reports"
    reports.mkdir(mode=0o777)
    reports.chmod(0o777)
    for mode in MODES:
        report = reports / f"{mode}.json"
        hostile = user_lab.hostile(
            f"{mode}/main.py", "probe_access", REPORT=report,
            WRITABLE=json.dumps([str(p) for p in writable]), READABLE=json.dumps([str(p) for p in readable]),
        )
        assert_true_verdicts(grade_in(user_lab, mode, hostile), mode)
        found = json.loads(report.read_text())
        assert found == {"writable": [], "readable": []}, f"{mode}: {found}"
    assert user_lab.grade("--check-install").code == 0


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_raising_the_soft_limits_back_to_the_hard_ones_gives_nothing(user_lab: Lab, mode: str) -> None:
    """Found: the hard limits were left as they were, so the submission raised its soft
    limits back up: 2.5 GiB held and a 40 MiB file written (caps: 2 GiB, 16 MiB)."""
    graded = grade_in(user_lab, mode, user_lab.hostile("mallory/main.py", "raise_limits"))
    got = reported(graded, user_lab.marker)
    assert 0 < got["RLIMIT_AS"] <= MEMORY_CAP, got
    assert 0 < got["RLIMIT_FSIZE"] <= FILE_CAP, got


def test_soft_limits_cannot_be_raised_in_the_default_sandbox_either(lab: Lab) -> None:
    graded = grade_in(lab, "single", lab.hostile("mallory/main.py", "raise_limits"))
    got = reported(graded, lab.marker)
    assert 0 < got["RLIMIT_AS"] <= MEMORY_CAP, got
    assert 0 < got["RLIMIT_FSIZE"] <= FILE_CAP, got


def test_a_results_file_in_a_folder_open_to_all_keeps_the_true_score(user_lab: Lab) -> None:
    """Gradescope's results.json, in a folder anyone may write: the submission knows its path."""
    folder = user_lab.root / "results"
    folder.mkdir()
    folder.chmod(0o777)
    results = folder / "results.json"
    hostile = user_lab.hostile("mallory/main.py", "replace_named_results", RESULTS=results)
    with open(results, "w") as output:
        subprocess.run(
            [str(user_lab.python), "-m", "grader", str(hostile), "--lesson", LESSON, "--format", "gradescope"],
            cwd=user_lab.course, env=user_lab.env, stdout=output, stderr=subprocess.PIPE, timeout=120,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    score = json.loads(results.read_text())
    assert score["score"] < len(score["tests"]), "the submission's full score stood in results.json"


LATE_IMPORTS = '''
import json, sys
late, started = [], []


def hook(event, args):
    if not started:
        command = " ".join(map(str, args[1] or ())) if event == "subprocess.Popen" else ""
        if "serve_child.py" in command or event == "socket.sendmsg":
            started.append(event)  # a child that runs learner code is on its way
    elif event == "import":
        late.append(args[0])


sys.addaudithook(hook)
import atexit

atexit.register(lambda: sys.stderr.write("LATE-IMPORTS:" + json.dumps(late) + "\\n"))
sys.argv = ["grade", *sys.argv[1:]]
from grader.launch import main

main()
'''


@pytest.mark.parametrize("args", [["--json"], ["--format", "gradescope"], ["--json", "BATCH"], ["BATCH"]])
def test_every_module_a_grade_needs_is_imported_before_learner_code_runs(user_lab: Lab, args: list[str]) -> None:
    """Found: an import hook appended to a standard library module the grader first imported
    after learner code ran (encodings.idna) forged the starter's 3/3. Whatever the learner's
    code could have rewritten is never imported after it started."""
    harness = user_lab.root / "late_imports.py"
    harness.write_text(LATE_IMPORTS)
    files = [user_lab.write("a/main.py", STARTER.read_text())]
    if "BATCH" in args:
        files.append(user_lab.good("b/main.py"))
    shown = [arg for arg in args if arg != "BATCH"]
    graded = run_bounded(
        [str(user_lab.python), str(harness), *map(str, files), "--lesson", LESSON, *shown],
        cwd=user_lab.course, env=user_lab.env, timeout=90, lab=user_lab,
    )
    line = next((line for line in graded.stderr.splitlines() if line.startswith("LATE-IMPORTS:")), None)
    assert line is not None, graded.output[-3000:]
    assert json.loads(line.split(":", 1)[1]) == [], "imported after learner code started"


def _stdlib_of(lab: Lab) -> str:
    done = subprocess.run(
        [str(lab.python), "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
        capture_output=True, text=True, timeout=30, check=True,
    )
    return done.stdout.strip() or sys.prefix


CLASS_ATTACKS: dict[str, dict[str, object]] = {
    "rewrite_grader_module": {"THEN": "stay"},
    "plant_bytecode": {},
    "install_pth": {},
    "tamper_lesson_checks": {},  # CHECKS filled in below
    "write_everywhere": {},
    "overwrite_submissions": {},
    "forge_progress": {},
    "write_to_grader_stdout": {},
    "read_grader_environment": {},
    "replace_results_file": {},
    "leave_a_daemon": {},
    "raise_limits": {},
    "kill_everything_visible": {"SECONDS": 3},  # LAB filled in below
}


def test_a_hostile_class_gets_every_verdict_right_and_leaves_the_install_byte_identical(user_lab: Lab) -> None:
    """Done when: a hostile class graded as root with namespaces refused gets every verdict
    right and leaves the grader, the lessons, the virtualenv and Python as they were."""
    assert user_lab.grade("--check-install", "--record").code == 0
    values = {"CHECKS": user_lab.course / "lessons" / LESSON / "checks.py", "LAB": user_lab.root}
    files = [user_lab.hostile(f"{attack}/main.py", attack, **{**values, **extra}) for attack, extra in CLASS_ATTACKS.items()]
    files.append(user_lab.good("honest/main.py"))
    before = user_lab.snapshot()
    graded = user_lab.grade(user_lab.submissions, "--lesson", LESSON, "--json", timeout=240)
    assert not graded.timed_out
    verdicts = {Path(line["file"]).parent.name: line["status"] for line in graded.json_lines()}
    assert verdicts == {**dict.fromkeys(CLASS_ATTACKS, "fail"), "honest": "pass"}, verdicts
    assert_clean(user_lab, before)
    assert user_lab.grade("--check-install").code == 0
    again = user_lab.grade(user_lab.write("next/main.py", STARTER.read_text()), "--lesson", LESSON, "--json")
    assert again.only_json()["status"] == "fail"
