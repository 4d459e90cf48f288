"""The terminal view of a report: the lesson, each step with its verdict, and what to do next.

Lines wrap at the terminal's width under their own indent; commands (curl, uvicorn) are
never broken inside a word: a long one continues on the next line after a ` \\`, the way a
shell reads it. Piped output (`soft_wrap`) keeps every line whole. Only the grader's own lines start at the
left edge: every line of a message, detail or hint (which may quote the learner) is
indented under its step, and passed through `printable`, whatever line breaks it holds.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from functools import partial

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from grader.read.text_safety import one_line, printable
from grader.verdict.results import Outcome, Report, Status, StepResult

BADGES = {
    Status.PASS: ("PASS", "bold green"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.SKIP: ("SKIP", "yellow"),
    Status.ERROR: ("ERROR", "bold magenta"),
}
INDENT = 7
# The programs a detail line may start with: such a line is a command to copy, never re-flowed.
COMMANDS = ("curl", "uvicorn", "python", "python3", "pip", "grade")
# Code quoted from the learner's file ("33 | code") and the caret under it keep their columns.
CODE_LINE = re.compile(r"^\s*(\d+ \| |\^+\s*$)")
FLAGS = frozenset({"-i", "-v", "-s", "-I", "-L", "--reload"})  # options that take no value
SHELL_WORD = re.compile(r"""(?:'[^']*'|"[^"]*"|\S)+""")


def render_text(
    report: Report,
    shown_file: str,
    console: Console,
    next_title: str | None = None,
    hints_revealed: Mapping[str, int] | None = None,
    watching: bool = False,
    height: int | None = None,
) -> None:
    """Print the report. `hints_revealed` says how many hints each step has shown so far.
    With `height` (watch mode on a terminal), the report fits in that many lines: the step
    to fix first in full, every other step on one line."""
    # On a screen that must fit, the title lines never wrap: what is cut is only a long path.
    fit = {"no_wrap": True, "overflow": "ellipsis"} if height is not None else {}
    console.print(Text(printable(report.lesson_title), style="bold"), **fit)  # type: ignore[arg-type]
    console.print(Text(f"Grading {one_line(shown_file)}", style="dim"), **fit)  # type: ignore[arg-type]
    console.print()
    if report.error is not None:
        console.print(Text("The grader could not judge this lesson:", style="bold red"))
        _para(console, Text(printable(report.error)), 2)
        console.print(Text("This is a problem in the lesson itself, not in your code: tell your instructor.", style="dim"))
        return
    if report.problem is not None:
        _file_problem(console, report, shown_file)
        for number, step in enumerate(report.steps, start=1):
            console.print(_heading(number, step, status=Status.SKIP))
        console.print()
        _summary(console, report, next_title, watching)
        return
    focus = report.first_failure
    for number, step in enumerate(report.steps, start=1):
        if height is not None and step is not focus:
            console.print(_heading(number, step))
            continue
        revealed = (hints_revealed or {}).get(step.id, 1)
        draw = partial(_step, number=number, step=step, shown_file=shown_file, revealed=revealed, offer_more=step is focus)
        if height is None:
            draw(console)
            continue
        summary = _render(console, partial(_summary, report=report, next_title=next_title, watching=watching))
        room = height - 3 - (len(report.steps) - 1) - 1 - len(summary)
        for line in _fitted(console, step, draw, room):
            console.print(line, soft_wrap=True)
    console.print()
    _summary(console, report, next_title, watching)


def _fitted(console: Console, step: StepResult, draw: Callable[..., None], room: int) -> list[Text]:
    """The step's block in at most `room` lines: its details go first (the message, the
    line and the hint are what to act on), then whatever still does not fit."""
    block: list[Text] = []
    for keep in range(len(step.details), -1, -1):
        if 0 < keep < len(step.details) and step.details[keep - 1].rstrip().endswith(":"):
            continue  # never end on a line that introduces what was cut ("then, ... run:")
        block = _render(console, partial(draw, details=step.details[:keep]))
        hidden = len(step.details) - keep
        if len(block) + (1 if hidden else 0) <= room:
            if hidden:
                block.append(_dim(f"{' ' * INDENT}(and {hidden} more lines: run grade in another terminal to see them)"))
            return block
    cut = max(room - 1, 1)
    return [*block[:cut], _dim(f"{' ' * INDENT}(more below: run grade in another terminal to see it all)")]


def _render(console: Console, draw: Callable[[Console], None]) -> list[Text]:
    """What `draw` prints, as lines, so a block can be measured and cut. It prints to a
    console of its own: rich's capture() would take the caller's capture with it."""
    scratch = Console(
        file=io.StringIO(),
        width=console.width,
        force_terminal=console.is_terminal,
        color_system=console.color_system,  # type: ignore[arg-type]
        no_color=console.no_color,
        soft_wrap=console.soft_wrap,
        highlight=False,
    )
    draw(scratch)
    output = scratch.file.getvalue()  # type: ignore[attr-defined]
    return [Text.from_ansi(line) for line in output.splitlines()]


def _dim(text: str) -> Text:
    return Text(text, style="dim")


def _heading(number: int, step: StepResult, status: Status | None = None) -> Text:
    label, style = BADGES[status or step.status]
    return Text.assemble((f" {label} ", style), f" {number}. ", (one_line(step.title), "bold"))


def _step(
    console: Console,
    number: int,
    step: StepResult,
    shown_file: str,
    revealed: int,
    offer_more: bool,
    details: tuple[str, ...] | None = None,
) -> None:
    console.print(_heading(number, step))
    # Where, then what: an editor's problem matcher reads the message on the line after `at`.
    if step.line is not None:
        console.print(Text(" " * INDENT) + _dim(f"at {one_line(shown_file)}:{step.line}"), overflow="fold")
    _para(console, Text(printable(step.message)), INDENT)
    for detail in step.details if details is None else details:
        _detail(console, detail, INDENT + 2)
    if step.status is not Status.FAIL:
        return
    hints = [h for h in (step.hint, *step.more_hints[: max(revealed - 1, 0)]) if h]
    for index, hint in enumerate(hints, start=1):
        label = "Hint: " if len(hints) == 1 else f"Hint {index}: "
        _para(console, Text.assemble((label, "bold yellow"), printable(hint)), INDENT)
    if offer_more and len(step.more_hints) > len(hints) - 1:
        console.print(Text(" " * INDENT) + _dim("Stuck? grade --hint shows another hint."))


def _file_problem(console: Console, report: Report, shown_file: str) -> None:
    """A file Python cannot read: its own finding, above the steps, which wait for it."""
    problem = report.problem
    assert problem is not None
    name = one_line(report.file.name)
    console.print(Text.assemble((" STOP ", "bold red"), " ", (f"Python cannot read {name} yet", "bold")))
    if problem.line is not None:
        console.print(Text(" " * INDENT) + _dim(f"at {one_line(shown_file)}:{problem.line}"), overflow="fold")
    _para(console, Text(printable(problem.message)), INDENT)
    for detail in problem.details:
        _detail(console, detail, INDENT + 2)
    if problem.hint:
        _para(console, Text.assemble(("Hint: ", "bold yellow"), printable(problem.hint)), INDENT)
    console.print()
    console.print(_dim("No step is checked until Python can read the file:"))


def _para(console: Console, text: Text, indent: int) -> None:
    """A paragraph that wraps under its own indent (hanging under a leading "- ")."""
    if console.soft_wrap:
        for line in text.split("\n", allow_blank=True):  # a multi-line hint keeps its own indent
            console.print(Text(" " * indent) + line)
        return
    hang = 2 if text.plain.startswith("- ") else 0
    for index, line in enumerate(text.wrap(console, max(console.width - indent - hang, 20))):
        line.rstrip()
        pad = indent if index == 0 else indent + hang
        console.print(Text(" " * pad) + line, soft_wrap=True)


def _detail(console: Console, detail: str, indent: int) -> None:
    detail = printable(detail)
    if "\n" in detail:  # each line on its own, under the same indent (a code line, a command)
        for line in detail.split("\n"):
            _detail(console, line, indent)
        return
    stripped = detail.lstrip(" ")
    indent += len(detail) - len(stripped)
    if CODE_LINE.match(detail):
        console.print(Text(" " * indent + stripped, style="cyan"), soft_wrap=True)
        return
    if stripped.split(" ", 1)[0].rsplit("/", 1)[-1] in COMMANDS:
        for line in command_lines(stripped, console.width - indent, whole=console.soft_wrap):
            console.print(Text(" " * indent + line, style="cyan"), soft_wrap=True)
        return
    _para(console, Text(stripped, style="cyan"), indent)


def command_lines(command: str, width: int, *, whole: bool = False) -> list[str]:
    """A shell command cut at word boundaries to fit `width` columns, each line but the last
    ending in ` \\` so it still pastes as one command; a word longer than a line stays whole."""
    if whole or cell_len(command) <= width:
        return [command]
    lines: list[str] = []
    current = ""
    for word in _shell_units(command):
        prefix = "  " if lines else ""
        candidate = f"{current} {word}" if current else prefix + word
        if current and cell_len(candidate) + 2 > width:
            lines.append(current + " \\")
            current = "  " + word
        else:
            current = candidate
    lines.append(current)
    return lines


def _shell_units(command: str) -> list[str]:
    """The command's words, an option kept together with its value (`-H 'Origin: x'`)."""
    units: list[str] = []
    for word in SHELL_WORD.findall(command):
        if units and units[-1].startswith("-") and " " not in units[-1] and units[-1] not in FLAGS and not word.startswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    return units


def _summary(console: Console, report: Report, next_title: str | None, watching: bool) -> None:
    passed = sum(step.status is Status.PASS for step in report.steps)
    total = len(report.steps)
    again = "the grade runs again by itself" if watching else "run grade again"
    if report.problem is not None:
        name = one_line(report.file.name)
        where = f"line {report.problem.line} of {name}" if report.problem.line else name
        console.print(Text(f"0 of {total} steps checked.", style="bold"))
        _para(console, Text(f"Fix {where} (above), save, and {again}."), 0)
        return
    if report.outcome is Outcome.PASS:
        console.print(Text(f"All {total} steps pass.", style="bold green"))
        if report.success_text:
            console.print(Text(printable(report.success_text.strip())))
        if next_title:
            console.print(Text.assemble("Next lesson: ", (one_line(next_title), "bold"), "."))
        return
    failing = report.first_failure
    console.print(Text(f"{passed} of {total} steps pass.", style="bold"))
    if failing is not None:
        number = report.steps.index(failing) + 1
        _para(console, Text(f"Start with step {number} ({one_line(failing.title)}): fix it, save, and {again}."), 0)
