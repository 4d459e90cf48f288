"""The terminal view of a report: the lesson, each step with its verdict, and what to do next."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.text import Text

from grader.results import Outcome, Report, Status, StepResult

BADGES = {
    Status.PASS: ("PASS", "bold green"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.SKIP: ("SKIP", "yellow"),
}
INDENT = "       "


def render_text(
    report: Report,
    shown_file: str,
    console: Console,
    next_title: str | None = None,
    hints_revealed: Mapping[str, int] | None = None,
    watching: bool = False,
) -> None:
    """Print the report. `hints_revealed` says how many hints each step has shown so far."""
    console.print(Text(report.lesson_title, style="bold"))
    console.print(Text(f"Grading {shown_file}", style="dim"))
    console.print()
    if report.error is not None:
        console.print(Text("The grader could not judge this lesson:", style="bold red"))
        console.print(Text(report.error))
        console.print(Text("This is a problem in the lesson itself, not in your code: tell your instructor.", style="dim"))
        return
    for number, step in enumerate(report.steps, start=1):
        offer_more = step is report.first_failure
        _step(console, number, step, shown_file, (hints_revealed or {}).get(step.id, 1), offer_more)
    console.print()
    _summary(console, report, next_title, watching)


def _step(
    console: Console, number: int, step: StepResult, shown_file: str, revealed: int, offer_more: bool
) -> None:
    label, style = BADGES[step.status]
    heading = Text.assemble((f" {label} ", style), f" {number}. ", (step.title, "bold"))
    console.print(heading)
    console.print(Text(INDENT) + Text(step.message))
    for detail in step.details:
        console.print(Text(INDENT + "  ") + Text(detail, style="cyan"), soft_wrap=True)
    if step.line is not None:
        console.print(Text(INDENT) + Text(f"at {shown_file}:{step.line}", style="dim"))
    if step.status is not Status.FAIL:
        return
    hints = [h for h in (step.hint, *step.more_hints[: max(revealed - 1, 0)]) if h]
    for index, hint in enumerate(hints, start=1):
        label = "Hint: " if len(hints) == 1 else f"Hint {index}: "
        console.print(Text(INDENT) + Text.assemble((label, "bold yellow"), hint))
    if offer_more and len(step.more_hints) > len(hints) - 1:
        console.print(Text(INDENT) + Text("Stuck? grade --hint shows another hint.", style="dim"))


def _summary(console: Console, report: Report, next_title: str | None, watching: bool) -> None:
    passed = sum(step.status is Status.PASS for step in report.steps)
    total = len(report.steps)
    if report.outcome is Outcome.PASS:
        console.print(Text(f"All {total} steps pass.", style="bold green"))
        if report.success_text:
            console.print(Text(report.success_text.strip()))
        if next_title:
            console.print(Text.assemble("Next lesson: ", (next_title, "bold"), "."))
        return
    failing = report.first_failure
    console.print(Text(f"{passed} of {total} steps pass.", style="bold"))
    if failing is not None:
        number = report.steps.index(failing) + 1
        again = "the grade runs again by itself" if watching else "run grade again"
        console.print(Text(f"Start with step {number} ({failing.title}): fix it, save, and {again}."))
