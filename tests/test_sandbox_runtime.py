"""The sandbox hides the host's /tmp, but not a Python installation that lives there (a
course checked out under /tmp, as CI may do): its packages stay importable, read-only."""

from __future__ import annotations

import pytest

from tests.attack_kit import SOLUTION, Lab, grade_in

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
