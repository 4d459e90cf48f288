"""What the learner sees: a report as text or JSON, the lesson text, and watch-mode redraws."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course import Course
from grader.lesson import Lesson
from grader.text_safety import one_line
from grader.results import Outcome, Report, Status

if TYPE_CHECKING:
    from rich.console import Console

STATUS_MARKS = {Status.PASS: ("PASS", "green"), Status.FAIL: ("FAIL", "red"), Status.SKIP: ("SKIP", "yellow")}


@dataclass
class View:
    course: Course
    lesson: Lesson
    path: Path
    as_json: bool
    chosen: bool  # the learner named the file or lesson, so no "current lesson" banner
    watching: bool = False

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=not sys.stdout.isatty())

    @property
    def shown_file(self) -> str:
        """The file's name as shown, cleaned: a name may carry control characters."""
        try:
            return one_line(str(self.path.resolve().relative_to(Path.cwd().resolve())))
        except ValueError:
            return one_line(str(self.path))

    @property
    def interactive(self) -> bool:
        return not self.as_json and sys.stdout.isatty()

    @contextmanager
    def working(self, message: str) -> Iterator[None]:
        """A spinner while the grade runs: on a terminal only, never in JSON."""
        with self.console.status(message) if self.interactive else nullcontext():
            yield

    def report(self, report: Report) -> None:
        if self.as_json:
            from grader.render_json import render_json

            print(render_json(report, self.shown_file), flush=True)
            return
        from grader.render_text import render_text

        if not self.chosen:
            number = self.course.lessons.index(self.lesson) + 1
            done = self.course.passed() >= {lesson.slug for lesson in self.course.lessons}
            which = "every lesson passed: this is the last one" if done else "your current lesson"
            self.console.print(f"Lesson {number} of {len(self.course.lessons)} ({which})", style="dim", markup=False)
        revealed = {step.id: self.course.hints_revealed(self.lesson, step.id) for step in self.lesson.steps}
        render_text(report, self.shown_file, self.console, self._next_title(), revealed, self.watching)

    def _next_title(self) -> str | None:
        following = self.course.after(self.lesson)
        if following is None:
            return None
        if following.slug in self.course.passed():
            return f"{following.title} (passed already)"
        return f"{following.title}: run grade to start it"

    def watched(self, report: Report | None) -> None:
        """One grade in watch mode: redraw the screen, or one more JSON line."""
        if report is None:
            if self.as_json:
                return
            self.console.clear()
            self.console.print(f"{self.shown_file} is gone; waiting for it to be saved again.", markup=False)
            return
        if self.interactive:
            self.console.clear()
        self.report(report)
        if not self.as_json:
            self.console.print(
                f"Watching {self.path.parent.name}/ for saves. Enter grades again, Ctrl-C stops.",
                style="dim",
                markup=False,
            )
        if report.outcome is Outcome.PASS and self.path.resolve() == self.lesson.exercise.resolve():
            self.course.record_pass(self.lesson)

    def lesson_text(self, report: Report) -> None:
        """The lesson rendered for the terminal, with each step's current status."""
        from rich.console import Console
        from rich.markdown import Markdown
        from rich.text import Text

        # Prose wraps at the terminal's width (80 columns when piped), unlike report lines.
        Console(highlight=False).print(Markdown(self.lesson.text, code_theme="monokai"))
        self.console.print()
        self.console.print(Text("Your steps", style="bold"))
        for number, step in enumerate(report.steps, start=1):
            label, style = STATUS_MARKS[step.status]
            self.console.print(Text.assemble((f" {label} ", f"bold {style}"), f" {number}. {step.title}"))

    def hint_revealed(self, step_number: int, shown: int, available: int) -> None:
        if self.as_json:
            return
        if shown >= available and available > 0:
            note = f"Step {step_number}: hint {shown} of {available} (that is every hint for this step)."
        else:
            note = f"Step {step_number}: hint {shown} of {available}."
        self.console.print(note, style="dim", markup=False)
