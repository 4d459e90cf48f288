"""The `grade` command: grade a learner's file and show what to fix, step by step."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

# Only what parsing the command needs is imported here, so that `main` can start the app's
# sandboxed process before the rest (the course, the engine, libcst, rich): their imports
# then overlap with the child's. Each function imports what it uses.
from grader.run import cold_start, timeline

if TYPE_CHECKING:
    from grader.course.course import Course
    from grader.course.lesson import Lesson
    from grader.run.cold_start import ColdChild, EarlyWorker
    from grader.run.sandbox import Sandbox
    from grader.verdict.results import Report
    from grader.views.view import View

DEFAULT_IMPORT_TIMEOUT = cold_start.DEFAULT_IMPORT_TIMEOUT

EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
ALL_SUBMISSIONS = "(all submissions)"  # the --json line that voids a batch whose grader was tampered with


class GradeCommand(click.Command):
    """`grade`, whose arguments may come from a shell's `*`: the shell expands it before
    grade starts, so a file a learner named `--no-sandbox` would arrive as that option. A
    name that starts with "-" and names a file or folder here is therefore refused (before
    `--`, and `--` itself when a file has that name), never read as an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            if arg.startswith("-") and arg != "-" and os.path.lexists(arg):
                _usage_error(_option_like_file(arg))
            if arg == "--":
                break
        return super().parse_args(ctx, args)


def _option_like_file(name: str) -> str:
    from grader.read.text_safety import one_line

    shown = one_line(name, 100)
    return (
        f"'{shown}' is the name of a file here, and it also reads as an option, so grade stops rather than "
        f"guess which it is (with `grade *`, the shell puts every file name on the command line). To grade "
        f"that file, write it as ./{shown}; to grade a whole folder, name the folder (grade . --lesson SLUG) "
        "or write ./* instead of *."
    )


@click.command(cls=GradeCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--lesson", "slug", metavar="SLUG", help="Grade against this lesson (default: your current one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the text view (one object per grade).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "gradescope"]),
    default="text",
    help="text, json (like --json), or gradescope (Gradescope's results.json, for one submission).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Submissions graded at once (default: 4 per CPU core).")
@click.option(
    "--sandbox/--no-sandbox",
    default=True,
    help="Run the code being graded in a sandbox (default: on; --no-sandbox only for code you trust).",
)
@click.option("--watch", is_flag=True, help="Grade again every time you save (Ctrl-C stops).")
@click.option(
    "--open", "open_page", is_flag=True, help="Open the lesson as a live page in your browser (updates on every save)."
)
@click.option("--no-open", "no_open", is_flag=True, help="Like --open, but only print the page's address.")
@click.option("--poll", is_flag=True, help="With --watch: check for saves by polling (for network drives).")
@click.option("--show", is_flag=True, help="Show the lesson text, with your progress on each step.")
@click.option("--hint", is_flag=True, help="Reveal the next hint for the first failing step.")
@click.option("--list", "show_list", is_flag=True, help="List the lessons and your progress.")
@click.option("--reset", is_flag=True, help="Put the lesson's exercise back as it was committed (asks first).")
@click.option("--yes", "-y", is_flag=True, help="With --reset: do not ask for confirmation.")
@click.option("--browser", is_flag=True, help="Also run the browser steps, in headless Chromium ($GRADER_CHROMIUM).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.5, max=120),
    default=DEFAULT_IMPORT_TIMEOUT,
    show_default=True,
    help="Seconds your file may take to load before the grader gives up (5 in a batch).",
)
@click.option(
    "--check-install",
    is_flag=True,
    help="Check that the grader and its virtualenv are unchanged since recorded (see docs/grading-a-class.md).",
)
@click.option("--record", is_flag=True, help="With --check-install: record them as they are now.")
@click.pass_obj
def grade_command(
    started: ColdChild | EarlyWorker | None,
    files: tuple[Path, ...],
    slug: str | None,
    as_json: bool,
    output_format: str,
    jobs: int | None,
    sandbox: bool,
    watch: bool,
    open_page: bool,
    no_open: bool,
    poll: bool,
    show: bool,
    hint: bool,
    show_list: bool,
    reset: bool,
    yes: bool,
    timeout: float,
    browser: bool,
    check_install: bool,
    record: bool,
) -> None:
    """Grade FILE (default: your current lesson's exercise) and say, step by step, what to fix.

    Several FILEs, or a folder, grade a whole class in parallel (see docs/grading-a-class.md).
    A FILE is never read as an option: if a name that starts with "-" is also a file or folder
    here (`grade *` where someone saved a file named --no-sandbox), grade stops with an error;
    write such a file as ./NAME, or name the folder instead of using *.

    Exit status: 0 when every step passes, 1 when a step fails, 2 for usage errors.
    """
    from grader.course.course import find_course_root
    from grader.engine import grade
    from grader.verdict.results import Outcome
    from grader.views.view import View

    if check_install or record:
        from grader.run.integrity import check_install_command

        sys.exit(check_install_command(record, find_course_root()))
    output_format = "json" if as_json else output_format
    # What launch.py started ahead, from its guess at these arguments: used only where it fits.
    cold = started if isinstance(started, cold_start.ColdChild) else None
    early = started if isinstance(started, cold_start.EarlyWorker) else None
    timeline.mark("CLI imported, options parsed")
    course = _course()
    timeline.mark("course and its lessons loaded")
    for given in files:
        if not given.exists():
            _usage_error(f"no such file: {given}")
    if len(files) > 1 or any(given.is_dir() for given in files):
        if output_format == "gradescope":
            _usage_error("--format gradescope grades one submission (Gradescope runs one per container).")
        one_file_only = {
            "--watch": watch, "--open": open_page, "--no-open": no_open, "--poll": poll, "--show": show,
            "--hint": hint, "--list": show_list, "--reset": reset, "--browser": browser,
        }
        for option, given_option in one_file_only.items():
            if given_option:
                _usage_error(f"{option} works on one file; a folder or several files are graded once, as a class.")
        lesson = _choose_lesson(course, slug, files[0])
        if slug is None:  # an instructor's own progress is no reason to grade a class against a lesson
            click.echo(
                f"grade: grading against lesson '{lesson.slug}' ({lesson.title}), chosen without --lesson; "
                "name the lesson with --lesson SLUG.",
                err=True,
            )
        _grade_batch(course, lesson, files, output_format, jobs, sandbox, timeout, early)
        return
    file = files[0] if files else None
    if show_list:
        _print_list(course)
        return
    lesson = _choose_lesson(course, slug, file)
    timeline.mark("lesson chosen")
    if reset:
        _reset(course, lesson, yes)
        return
    path = file if file is not None else lesson.exercise
    if not path.exists():
        _usage_error(f"no such file: {path}")
    if not path.is_file():
        _usage_error(f"not a file: {path}")
    view = View(course, lesson, path, output_format == "json", chosen=slug is not None or file is not None, watching=watch)
    if file is None and output_format == "text":
        _say_other_file_changed(course, lesson)
    own = path.resolve() == lesson.exercise.resolve() and output_format != "gradescope"
    chosen_sandbox = _sandbox(sandbox, own=own)
    timeline.mark("sandbox probed")
    if watch or open_page or no_open:
        _watch(view, timeout, poll, browser, chosen_sandbox, page=open_page or no_open, launch=not no_open, early=early)
        return
    if output_format == "gradescope":
        # Loaded before any learner code runs, so a rewritten file cannot render the verdict.
        from grader.run.integrity import InstallGuard, describe
        from grader.views.render_gradescope import render_gradescope

        _protect(course, chosen_sandbox)
        guard = InstallGuard(course.root)
        graded = grade(lesson, path, import_timeout=timeout, browser=browser, sandbox=chosen_sandbox, cold=cold)
        report = guard.confirm([graded])[0]
        if guard.found:
            click.echo(f"grade: the grader's own files changed during this grade; it does not count:\n{describe(guard.found)}", err=True)
        click.echo(render_gradescope(report))
        sys.exit({Outcome.PASS: 0, Outcome.FAIL: EXIT_FAIL, Outcome.ERROR: EXIT_USAGE}[report.outcome])
    with view.working("Starting your app and sending it requests..."):
        report = grade(
            lesson, path, import_timeout=timeout, browser=browser, sandbox=chosen_sandbox, cold=cold, meanwhile=view.prepare
        )
    timeline.mark("grade done")
    revealed = _reveal_hint(view, report) if hint else None
    if show:
        view.lesson_text(report)
    else:
        view.report(report)
    timeline.mark("verdict rendered")
    if revealed is not None:
        view.hint_revealed(*revealed)
    if browser and not any(step.browser for step in lesson.steps):
        click.echo(f"grade: lesson '{lesson.slug}' has no browser step, so --browser adds nothing to it.", err=True)
    elif browser:
        _exit_without_chromium()
    if report.outcome is Outcome.PASS and path.resolve() == lesson.exercise.resolve():
        course.record_pass(lesson)
    sys.exit({Outcome.PASS: 0, Outcome.FAIL: EXIT_FAIL, Outcome.ERROR: EXIT_USAGE}[report.outcome])


def _watch(
    view: View,
    timeout: float,
    poll: bool,
    browser: bool,
    sandbox: Sandbox,
    *,
    page: bool,
    launch: bool,
    early: EarlyWorker | None,
) -> None:
    """Grade on every save, in the terminal (--watch), on the lesson page (--open), or both."""
    from grader.watch import watch as watch_file

    show: Callable[[Report | None], None] = view.watched if view.watching else view.brief
    lesson_page = None
    try:
        if page:
            from grader.views.page import LessonPage

            lesson_page = LessonPage.start(view.course, view.lesson, view.path, view.shown_file, timeout)
            show = lesson_page.beside(show)
            view.page_started(lesson_page.url, launch and lesson_page.open_in_browser())
        watch_file(
            view.lesson,
            view.path,
            show,
            import_timeout=timeout,
            force_polling=poll,
            browser=browser,
            sandbox=sandbox,
            early=early,
        )
    except KeyboardInterrupt:  # Ctrl-C is how watching ends: not an error
        click.echo("Stopped watching.", err=True)
    finally:
        if lesson_page is not None:
            lesson_page.close()


def _protect(course: Course, sandbox: Sandbox) -> None:
    """As its own user, a submission must find the course's private folders closed, and the
    grader's output (Gradescope's results.json) not writable: done before any fingerprint."""
    if sandbox.own_user:
        from grader.run.unprivileged import protect_course, protect_output

        protect_course(course.root)
        protect_output()


def _sandbox(wanted: bool, *, own: bool = False) -> Sandbox:
    """The sandbox for this run: the strongest available unless --no-sandbox; a weaker one
    is said once, on stderr (the JSON and Gradescope results carry it too). For the learner's
    own exercise file the warning for graders of untrusted code would only alarm: one calm line."""
    from grader.run.sandbox import find_sandbox, no_sandbox

    chosen = find_sandbox() if wanted else no_sandbox()
    if own and chosen.note:
        protection = "only part of the sandbox" if chosen.kind == "namespaces" else "no sandbox"
        click.echo(
            f"grade: {protection} on this machine; fine for your own exercise, which runs as it would "
            "under uvicorn (the sandbox matters when grading other people's code).",
            err=True,
        )
        return chosen
    _say_sandbox(chosen)
    return chosen


def _grade_batch(
    course: Course,
    lesson: Lesson,
    given: tuple[Path, ...],
    output_format: str,
    jobs: int | None,
    sandboxed: bool,
    timeout: float,
    early: EarlyWorker | None,
) -> None:
    from grader.batch import BatchSettings, grade_batch, submissions_in
    from grader.run.integrity import InstallGuard, describe
    from grader.run.sandbox import find_sandbox, no_sandbox
    from grader.verdict.summary import summarize
    from grader.verdict.results import Outcome, Report
    from grader.views.render_batch import render_batch_text
    from grader.views.render_json import render_json

    files = submissions_in(given, lesson.exercise.name)
    if not files:
        _usage_error(f"no submissions found in {', '.join(map(str, given))} (looked for .py files)")
    settings = BatchSettings(
        jobs=jobs or BatchSettings.jobs,
        import_timeout=timeout if timeout != DEFAULT_IMPORT_TIMEOUT else BatchSettings.import_timeout,
        sandboxed=sandboxed,
    )
    shown_reports = []
    _protect(course, find_sandbox() if sandboxed else no_sandbox())
    guards: list[InstallGuard] = []  # taken while the worker starts, before any submission runs
    reports = grade_batch(
        lesson,
        files,
        settings,
        on_sandbox=_say_sandbox,
        before_grading=lambda: guards.append(InstallGuard(course.root)),
        early=early,
    )
    try:
        graded = _all_graded(reports, len(files), show_progress=output_format != "json")
    finally:
        reports.close()  # interrupted: the grades still running stop now (see grade_batch)
    guard = guards[0]
    if output_format == "json":
        # Held until the install is confirmed unchanged: a verdict printed is a verdict read.
        whole = Report(lesson.slug, lesson.title, Path(ALL_SUBMISSIONS), ())
        *kept, last = guard.confirm([*graded, whole])
        for report in kept:
            click.echo(render_json(report, str(report.file)))
            shown_reports.append((str(report.file), report))
        if last is not whole:  # voided: a last line says so for the batch as a whole
            click.echo(render_json(last, ALL_SUBMISSIONS))
            shown_reports.append((ALL_SUBMISSIONS, last))
    else:
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
        shown_reports = [(_relative(report.file), report) for report in guard.confirm(graded)]
        # A Text, not a str: a str would import rich's emoji codes now, after learner code ran.
        console.print(Text(f"Lesson {lesson.slug}: {lesson.title}", style="bold"))
        render_batch_text(shown_reports, summarize([r for _, r in shown_reports]), console)
    if guard.found:
        click.echo(f"grade: the grader's own files changed during this batch; no verdict counts:\n{describe(guard.found)}", err=True)
    outcomes = {report.outcome for _, report in shown_reports}
    sys.exit(EXIT_USAGE if Outcome.ERROR in outcomes else EXIT_FAIL if Outcome.FAIL in outcomes else 0)


def _all_graded(reports: Iterator[Report], count: int, *, show_progress: bool) -> list[Report]:
    """Every report of a batch, with a progress bar on a terminal's stderr (text output)."""
    if not show_progress:
        return list(reports)
    from rich.console import Console
    from rich.progress import Progress

    graded = []
    with Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("Grading", total=count)
        for report in reports:
            graded.append(report)
            progress.advance(task)
    return graded


def _say_other_file_changed(course: Course, lesson: Lesson) -> None:
    """`grade` alone grades the current lesson's file: when another unfinished lesson's
    exercise was saved more recently, the learner may be editing the wrong one. Say which
    file counts."""
    from grader.views.view import View

    def saved(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    mine = saved(lesson.exercise)
    passed = course.passed()  # a lesson passed and left behind is not the one being worked on
    newer = [
        other
        for other in course.lessons
        if other is not lesson and other.slug not in passed and saved(other.exercise) > mine + 1
    ]
    if not newer:
        return
    other = max(newer, key=lambda candidate: saved(candidate.exercise))
    shown = View(course, lesson, lesson.exercise, False, True).shown_file
    theirs = View(course, other, other.exercise, False, True).shown_file
    click.echo(
        f"grade: this grades {shown} (lesson '{lesson.slug}'), but {theirs} was saved more recently. "
        f"If that is the file you are working on, run: grade --lesson {other.slug}",
        err=True,
    )


def _say_sandbox(sandbox: Sandbox) -> None:
    if sandbox.note:
        click.echo(f"grade: {sandbox.note}", err=True)


def _relative(path: Path) -> str:
    """A submission's name as shown: relative where it can be, and cleaned of control
    characters (a file name is the submitter's text too)."""
    from grader.read.text_safety import one_line

    try:
        return one_line(str(path.resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return one_line(str(path))


def _reveal_hint(view: View, report: Report) -> tuple[int, int, int] | None:
    """Reveal one more hint for the first failing step: (step number, shown, available)."""
    failing = report.first_failure
    if failing is None:
        return None
    available = len([h for h in (failing.hint, *failing.more_hints) if h])
    shown = view.course.reveal_hint(view.lesson, failing.id, available)
    return report.steps.index(failing) + 1, shown, available


def _course() -> Course:
    from grader.course.course import find_course_root, load_course
    from grader.course.lesson import LessonError

    root = find_course_root()
    if root is None:
        _usage_error("no course found: run grade from the course folder (the one that holds lessons/).")
    try:
        return load_course(root, lenient=True)
    except LessonError as error:
        _usage_error(f"a lesson is broken: {error}")


def _choose_lesson(course: Course, slug: str | None, file: Path | None) -> Lesson:
    from grader.course.lesson import Lesson

    if slug is not None:
        lesson = course.find(slug)
        broken = [problem for problem in course.broken if f"/lessons/{slug}/" in problem]
        if lesson is None and broken:
            _usage_error(f"lesson '{slug}' is broken: {broken[0]}")
        if lesson is None:
            width = max(len(lesson.slug) for lesson in course.lessons)
            names = "\n".join(f"  {lesson.slug:<{width}}  {lesson.title}" for lesson in course.lessons)
            _usage_error(f"no lesson named '{slug}'. The lessons are:\n{names}")
        return lesson
    chosen = course.lesson_for_file(file) if file is not None else course.lesson_for_folder(Path.cwd())
    if chosen is not None:
        return chosen
    current = course.next_up()
    if not isinstance(current, Lesson):  # the learner has reached it: never skip it silently
        _usage_error(f"lesson '{current.slug}', your current one, is broken: {current.error}")
    for left_out in course.broken_lessons:
        click.echo(f"grade: lesson '{left_out.slug}' is broken and left out until it is fixed: {left_out.error}", err=True)
    return current


def _reset(course: Course, lesson: Lesson, yes: bool) -> None:
    from grader.course.reset import ResetError, committed_starter
    from grader.views.view import View

    shown = View(course, lesson, lesson.exercise, False, True).shown_file
    try:
        starter = committed_starter(course.root, lesson.exercise)
    except ResetError as error:
        _usage_error(str(error))
    if lesson.exercise.is_file() and lesson.exercise.read_bytes() == starter:
        click.echo(f"{shown} is already the starter; nothing to reset.")
        return
    question = f"Replace {shown} with the starter? Your changes to it will be lost"
    try:
        confirmed = yes or click.confirm(question, default=False)
    except click.exceptions.Abort:  # no answer (stdin closed): keep the learner's work
        confirmed = False
        click.echo()
    if not confirmed:
        click.echo("Nothing changed." + ("" if sys.stdin.isatty() else " (Use --yes to reset without the question.)"))
        return
    lesson.exercise.write_bytes(starter)
    course.forget_pass(lesson)
    click.echo(f"{shown} is the starter again.")


def _print_list(course: Course) -> None:
    passed = course.passed()
    current = course.current()
    for number, lesson in enumerate(course.lessons, start=1):
        mark = "done" if lesson.slug in passed else ("current" if lesson is current else "")
        click.echo(f"{number}. {lesson.slug:<22} {lesson.title}" + (f"  [{mark}]" if mark else ""))
        for step in lesson.steps:
            click.echo(f"     - {step.id}: {step.title}" + ("  (with --browser)" if step.browser else ""))
    for broken in course.broken_lessons:
        click.echo(f"-. {broken.slug:<22} (broken: ask your instructor)")
        click.echo(f"     {broken.error}")


def _exit_without_chromium() -> None:
    """`grade --browser` without a Chromium: the grade is shown, then this says how to get one."""
    from grader.live.browser import BrowserUnavailable, find_chromium

    try:
        find_chromium()
    except BrowserUnavailable as problem:
        _usage_error(str(problem))


def _usage_error(message: str) -> NoReturn:
    click.echo(f"grade: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through every `finally`, which stops the learner's app


def main(started: ColdChild | EarlyWorker | None = None) -> None:
    """`grade`, with what launch.py started ahead: the app's process of a cold grade, or the
    warm worker of a batch or of watch mode (or None)."""
    # Ctrl-C must always stop the grade cleanly, even when started from a shell that
    # ignores SIGINT for background jobs.
    timeline.mark("grader.cli imported (click)")
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if hasattr(signal, "SIGBREAK"):  # Windows: Ctrl-Break, and how a tool stops a console program
        signal.signal(signal.SIGBREAK, _exit_on_sigterm)
    try:
        grade_command.main(standalone_mode=False, prog_name="grade", obj=started)
    except KeyboardInterrupt:
        click.echo("grade: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:  # click's wrapping of Ctrl-C
        click.echo("grade: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit:
        raise
    except BrokenPipeError:
        os._exit(EXIT_FAIL)
    finally:
        if started is not None:
            started.discard()  # unless the grade took it
        timeline.report()
