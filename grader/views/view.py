"""What the learner sees: a report as text or JSON, the lesson text, and watch-mode redraws."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.course import Course
from grader.course.lesson import Lesson
from grader.read.text_safety import one_line
from grader.verdict.results import Outcome, Report, Status

if TYPE_CHECKING:
    from rich.console import Console

STATUS_MARKS = {
    Status.PASS: ("PASS", "green"),
    Status.FAIL: ("FAIL", "red"),
    Status.SKIP: ("SKIP", "yellow"),
    Status.ERROR: ("ERROR", "magenta"),
}
# Redrawing in place: home, each line clearing what is left of the old one, then the rest.
CURSOR_HOME = "\x1b[H"
CLEAR_LINE_END = "\x1b[K"
CLEAR_BELOW = "\x1b[J"


@dataclass
class View:
    course: Course
    lesson: Lesson
    path: Path
    as_json: bool
    chosen: bool  # the learner named the file or lesson, so no "current lesson" banner
    watching: bool = False
    page_url: str | None = None  # grade --open: the lesson page's address, repeated under each grade

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

    def prepare(self) -> None:
        """Load what showing a report takes (a grade runs this while it waits for the app)."""
        if self.as_json:
            import grader.views.render_json  # noqa: F401  (imported for later)
        else:
            import grader.views.render_text  # noqa: F401  (imported for later)

            _ = self.console

    def report(self, report: Report) -> None:
        if self.as_json:
            from grader.views.render_json import render_json

            print(render_json(report, self.shown_file), flush=True)
            return
        from grader.views.render_text import render_text

        if not self.chosen:
            self.console.print(self._banner(report), style="dim", markup=False)
        revealed = {step.id: self.course.hints_revealed(self.lesson, step.id) for step in self.lesson.steps}
        # In watch mode on a terminal the report fits the screen (less the banner and watch line).
        banner = 0 if self.chosen else 1
        height = self.console.height - banner - 1 if self.watching and self.interactive else None
        render_text(report, self.shown_file, self.console, self._next_title(), revealed, self.watching, height)

    def _banner(self, report: Report) -> str:
        """Which lesson this is, counting the grade just made (it may have just passed)."""
        lessons = self.course.lessons
        passed = self.course.passed()
        if report.outcome is Outcome.PASS and self.path.resolve() == self.lesson.exercise.resolve():
            passed = passed | {self.lesson.slug}
        where = f"Lesson {lessons.index(self.lesson) + 1} of {len(lessons)}"
        if self.lesson.slug not in passed:
            return f"{where} (your current lesson)"
        waiting = next((lesson for lesson in lessons if lesson.slug not in passed), None)
        if waiting is None:
            return f"{where} (passed; every lesson is passed)"
        return f"{where} (passed; your current lesson is {lessons.index(waiting) + 1})"

    def _next_title(self) -> str | None:
        following = self.course.after(self.lesson)
        if following is None:
            return None
        if self.path.resolve() != self.lesson.exercise.resolve():
            # Progress is recorded only for the lesson's own exercise file.
            exercise = View(self.course, self.lesson, self.lesson.exercise, False, True).shown_file
            return f"{following.title}, once {exercise} passes (this file is not it, so no progress is recorded)"
        if following.slug in self.course.passed():
            return f"{following.title} (passed already)"
        if self.watching:  # `grade` would start it, but this one keeps watching this file
            return f"{following.title}: press Ctrl-C, then run grade --watch to start it"
        return f"{following.title}: run grade to start it"

    def watched(self, report: Report | None) -> None:
        """One grade in watch mode: redraw the screen, or one more JSON line."""
        if report is None:
            if not self.as_json:
                gone = f"{self.shown_file} is gone; waiting for it to be saved again."
                self._frame(lambda: self.console.print(gone, markup=False))
            return
        if self.as_json:
            self.report(report)
        else:
            self._frame(lambda: self._report_and_watch_line(report))
        self._record(report)

    def brief(self, report: Report | None) -> None:
        """One grade under `grade --open` without --watch: the page shows it; this is one line."""
        if self.as_json:
            self.watched(report)
            return
        stamp = time.strftime("%H:%M:%S")
        if report is None:
            print(f"{stamp}  {self.shown_file} is gone; waiting for it to be saved again.", flush=True)
            return
        passed = sum(step.status is Status.PASS for step in report.steps)
        failing = report.first_failure
        if report.outcome is Outcome.ERROR:
            said = "the grader could not judge this lesson (see the page)"
        elif report.problem is not None:
            said = f"Python cannot read {report.file.name} yet" + (f" (line {report.problem.line})" if report.problem.line else "")
        elif failing is None:
            said = f"all {len(report.steps)} steps pass"
        else:
            number = report.steps.index(failing) + 1
            said = f"{passed} of {len(report.steps)} steps pass; next: step {number} ({failing.title})"
        print(f"{stamp}  {said}", flush=True)
        self._record(report)

    def page_started(self, url: str, opened: bool) -> None:
        """Say where the lesson page is: on stderr under --json, so stdout stays JSON."""
        self.page_url = url
        how = "Opened the lesson page in your browser" if opened else "Open the lesson page in your browser"
        lines = (f"{how}: {url}", "It updates on every save. Ctrl-C stops the page and the grading.")
        for line in lines:
            print(line, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def _record(self, report: Report) -> None:
        if report.outcome is Outcome.PASS and self.path.resolve() == self.lesson.exercise.resolve():
            self.course.record_pass(self.lesson)

    def _report_and_watch_line(self, report: Report) -> None:
        self.report(report)
        # One line, always: the screen's budget counts it as one.
        self.console.print(self._watch_line(), style="dim", markup=False, no_wrap=True, overflow="ellipsis")

    def _watch_line(self) -> str:
        page = f" The lesson page: {self.page_url}" if self.page_url else ""
        return f"Watching {self.path.parent.name}/ for saves. Enter grades again, Ctrl-C stops.{page}"

    def _frame(self, draw: Callable[[], object]) -> None:
        """Print what `draw` prints; on a terminal, as one redraw of the whole screen in a
        single write, each line clearing the rest of the old one, so nothing flashes blank."""
        if not self.interactive:
            draw()
            return
        with self.console.capture() as captured:
            draw()
        lines = captured.get().rstrip("\n").split("\n")
        self.console.file.write(CURSOR_HOME + "".join(line + CLEAR_LINE_END + "\n" for line in lines) + CLEAR_BELOW)
        self.console.file.flush()

    def lesson_text(self, report: Report) -> None:
        """The lesson rendered for the terminal, with each step's current status; long text
        goes through a pager on a terminal."""
        from rich.console import Console
        from rich.text import Text

        from grader.course.lesson_text import print_lesson_text
        from grader.views.pager import LearnerPager, pager_command

        # Prose wraps at the terminal's width (80 columns when piped), unlike report lines.
        console = Console(highlight=False)
        long = self.interactive and self.lesson.text.count("\n") + 10 > console.height
        pager = LearnerPager(pager_command()) if long else None
        colour = pager is not None and pager.command is not None and pager.command.colour
        with console.pager(pager, styles=colour) if pager is not None else nullcontext():
            print_lesson_text(self.lesson.text, console)
            console.print()
            console.print(Text("Your steps", style="bold"))
            for number, step in enumerate(report.steps, start=1):
                label, style = STATUS_MARKS[step.status]
                console.print(Text.assemble((f" {label} ", f"bold {style}"), f" {number}. {step.title}"))

    def hint_revealed(self, step_number: int, shown: int, available: int) -> None:
        if self.as_json:
            return
        if shown >= available and available > 0:
            note = f"Step {step_number}: hint {shown} of {available} (that is every hint for this step)."
        else:
            note = f"Step {step_number}: hint {shown} of {available}."
        self.console.print(note, style="dim", markup=False)
