"""Every sample submission under tests/submissions/<lesson>/ gets the verdict its header declares."""

from __future__ import annotations

import json
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


def _batches() -> list[tuple[str, float, list[Path]]]:
    """Each lesson's samples in classes of the same time limit (their `# timeout:` header, or 10 s)."""
    classes: dict[tuple[str, float], list[Path]] = {}
    for path in CASES:
        expected = read_expectation(path)
        limit = expected.timeout if expected is not None and expected.timeout else 10.0
        classes.setdefault((path.relative_to(SUBMISSIONS).parts[0], limit), []).append(path)
    return [(lesson, limit, paths) for (lesson, limit), paths in sorted(classes.items())]


@pytest.mark.parametrize(("lesson", "limit", "paths"), _batches(), ids=lambda value: str(value)[:20] if not isinstance(value, list) else "")
def test_a_class_of_the_samples_gets_the_same_verdicts_in_a_batch(
    lesson: str, limit: float, paths: list[Path], tmp_path: Path
) -> None:
    """A batch grades from children forked by a warm worker, many at once: each sample still
    gets the verdict, failing step and message its header declares, as when graded alone.
    (Copies: the other tests grade the same samples meanwhile.)"""
    copies = []
    for path in paths:
        copy = tmp_path / path.parent.name / path.name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    run = run_grade(*copies, "--lesson", lesson, "--json", "--timeout", str(limit), timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert [report["file"] for report in reports] == [str(copy) for copy in copies]
    wrong = []
    for path, report in zip(paths, reports):
        expected = read_expectation(path)
        assert expected is not None
        failing = next((step for step in report["steps"] if step["status"] == "fail"), None)
        got = ("pass", None) if failing is None and report["status"] == "pass" else ("fail", failing and failing["id"])
        if got != (("pass", None) if expected.passes else ("fail", expected.fails_at)):
            wrong.append(f"{_case_id(path)}: {got}\n{_explain(report)}")
        elif failing is not None and expected.message and expected.message.lower() not in failing["message"].lower():
            wrong.append(f"{_case_id(path)}: message without {expected.message!r}\n{_explain(report)}")
    assert not wrong, "\n\n".join(wrong)
    assert processes_mentioning(str(tmp_path)) == []
