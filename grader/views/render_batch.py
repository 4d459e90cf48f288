"""The text view of a batch: one line per submission, then what the class got right and wrong.

Every line holds one submission's or one step's facts, whatever their text holds: names
and messages are put on one line (`one_line`) before they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from grader.read.text_safety import one_line
from grader.verdict.results import Outcome, Report
from grader.verdict.summary import Summary, first_reason

VERDICT_STYLES = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.ERROR: "magenta"}


def render_batch_text(reports: Sequence[tuple[str, Report]], summary: Summary, console: Console) -> None:
    for shown, report in reports:
        passed = sum(step.status.value == "pass" for step in report.steps)
        verdict = report.outcome.value.upper()
        console.print(
            Text.assemble(
                (f" {verdict:<5}", f"bold {VERDICT_STYLES[report.outcome]}"), f" {passed}/{len(report.steps)}  ", one_line(shown)
            )
        )
        failing = report.first_failure
        problem = report.error or (
            f"The file itself: {report.problem.message.splitlines()[0]}"
            if report.problem is not None
            else f"{failing.title}: {first_reason(failing)}" if failing else ""
        )
        if problem:
            console.print(Text("              " + _flat(problem), style="dim"))
    console.print()
    console.print(
        Text(f"{summary.passed} of {summary.total} submissions pass every step.", style="bold"), markup=False
    )
    console.print(Text("Submissions passing each step:", style="bold"))
    for title, count in summary.step_passes.items():
        console.print(Text(f"  {_flat(title)}: {count} of {summary.total}"))
    if summary.common_failures:
        console.print(Text("Most common first failures:", style="bold"))
        for message, count in summary.common_failures:
            console.print(Text(f"  {count} x {_flat(message)}"))


def _flat(text: str) -> str:
    """`text` on one line, its line breaks as spaces (a message may hold several lines)."""
    return one_line(" ".join(text.split("\n")), 1000)
