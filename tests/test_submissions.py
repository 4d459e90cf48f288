"""Every sample submission under tests/submissions/<lesson>/ gets the verdict its header declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.author.expectations import read_expectation
from tests.conftest import SUBMISSIONS, processes_mentioning, run_grade

CASES = sorted(p for p in SUBMISSIONS.glob("*/**/*.py"))


def _case_id(path: Path) -> str:
    return str(path.relative_to(SUBMISSIONS))


@pytest.mark.parametrize("path", CASES, ids=_case_id)
def test_submission_gets_declared_verdict(path: Path) -> None:
    lesson = path.relative_to(SUBMISSIONS).parts[0]
    expected = read_expectation(path)
    assert expected is not None, f"{path} has no '# expect:' header"
    timeout = expected.timeout or 10
    run = run_grade(path, "--lesson", lesson, "--json", "--timeout", str(timeout))
    assert "Traceback" not in run.stderr, run.stderr
    report = run.json
    statuses = {step["id"]: step["status"] for step in report["steps"]}
    if expected.passes:
        assert report["status"] == "pass", _explain(report)
        assert run.code == 0
    else:
        assert report["status"] == "fail", _explain(report)
        assert run.code == 1
        first = next(step for step in report["steps"] if step["status"] == "fail")
        assert first["id"] == expected.fails_at, _explain(report)
        if expected.message:
            assert expected.message.lower() in first["message"].lower(), _explain(report)
    for step_id, status in expected.steps.items():
        assert statuses[step_id] == status, _explain(report)
    assert processes_mentioning(str(path)) == []


def _explain(report: dict) -> str:
    return "\n".join(f"{s['id']}: {s['status']}: {s['message']}" for s in report["steps"])
