"""The sandbox hides the host's /tmp, but not a Python installation that lives there (a
course checked out under /tmp, as CI may do): its packages stay importable, read-only."""

from __future__ import annotations

import shutil
import site

import pytest

from tests.attack_kit import LESSON, SOLUTION, Lab, grade_in, make_venv, run_bounded

HELPER = '''
ORIGINS = ["*"]
'''

USES_HELPER = SOLUTION.read_text().replace('allow_origins=["*"]', "allow_origins=tmp_helper.ORIGINS")


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_packages_installed_under_tmp_stay_importable(lab: Lab, mode: str) -> None:
    assert str(lab.site_packages).startswith("/tmp/"), "the lab's virtualenv should live under /tmp"
    (lab.site_packages / "tmp_helper.py").write_text(HELPER)
    submission = lab.write("learner/main.py", "import tmp_helper\n" + USES_HELPER)
    graded = grade_in(lab, mode, submission)
    results = graded.json_lines()
    assert results and results[0]["status"] == "pass", graded.output[-2000:]
    assert results[0]["protection"] != "none"


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_a_grader_pip_installed_into_a_virtualenv_under_tmp_grades(lab: Lab, mode: str) -> None:
    """Found: `python3 -m venv /tmp/v && /tmp/v/bin/pip install COURSE`, then `/tmp/v/bin/grade`
    from the course: "bwrap: execvp /tmp/v/bin/python3: No such file or directory". The
    grader's package lay in the virtualenv, so the sandbox left the whole virtualenv out
    (as it leaves a course checkout out). The course's own files must still stay out."""
    if shutil.which("bwrap") is None:
        pytest.skip("needs bubblewrap")
    installed = lab.root / "installed"
    make_venv(installed, lab.course)  # its `grade` script imports the copy below, as pip's would
    packages = next((installed / "lib").glob("python3*/site-packages"))
    (packages / "_course.pth").write_text("\n".join(site.getsitepackages()) + "\n")  # the dependencies only
    shutil.copytree(lab.course / "grader", packages / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    assert str(packages).startswith("/tmp/"), "the virtualenv should live under /tmp"
    steal = f"import pathlib\nSTOLEN = [p for p in {[str(SOLUTION.relative_to(SOLUTION.parents[2]))]!r} if pathlib.Path({str(lab.course)!r}, p).exists()]\n"
    submission = lab.write("learner/main.py", steal + SOLUTION.read_text() + "\nassert not STOLEN, STOLEN\n")
    files = [submission, lab.good("good/main.py")] if mode == "batch" else [submission]
    graded = run_bounded(
        [str(installed / "bin" / "grade"), *map(str, files), "--lesson", LESSON, "--json"],
        cwd=lab.course, env=lab.env, timeout=90, lab=lab,
    )
    results = graded.json_lines()
    assert results and all(result["status"] == "pass" for result in results), graded.output[-2000:]
    assert "STOLEN" not in graded.output
    assert {result["protection"] for result in results} == {"bubblewrap"}, graded.stderr[-2000:]
