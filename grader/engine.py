"""Grading one file against one lesson: run every step's check, collect the results."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.check_output import captured
from grader.course.lesson import Lesson, LessonError, Requirement, Step, install_advice
from grader.read.bounded import TooComplex, check_size, within
from grader.read.learner_file import FileProblem, LearnerFile, read_learner_file
from grader.read.text_safety import clean
from grader.run import timeline
from grader.run.cold_start import DEFAULT_IMPORT_TIMEOUT, ColdChild
from grader.run.sandbox import Sandbox, find_sandbox
from grader.run.running import RunningApp, start_app
from grader.run.server import StartProblem, WarmWorker
from grader.run.unprivileged import protect_course
from grader.verdict.checks import CheckSpec, Failure, Passed, Skip, checks_in
from grader.verdict.results import Report, Status, StepResult

if TYPE_CHECKING:
    from grader.live.browser import Browser
    from grader.run.served import ServedApp

# Why a static check's pass needs the running app's answers: (reason, line) pairs.
Unconfirmed = tuple[tuple[str, int | None], ...]
# How long one live request may take; never longer than the learner's import timeout.
REQUEST_TIMEOUT = 5.0


def grade(
    lesson: Lesson,
    path: Path,
    *,
    import_timeout: float = DEFAULT_IMPORT_TIMEOUT,
    worker: WarmWorker | None = None,
    browser: bool = False,
    sandbox: Sandbox | None = None,
    siblings: bool = False,
    chromium: Browser | None = None,
    cold: ColdChild | None = None,
    meanwhile: Callable[[], None] | None = None,
    shown: Callable[[Report], None] | None = None,
) -> Report:
    """Grade `path` for `lesson`. Every step is reported; no learner mistake raises.

    With a warm `worker`, the app is forked from it instead of a fresh interpreter (where
    the system cannot fork, always a fresh interpreter: see grader/run/portable.py). Steps
    marked `browser` run only with `browser=True` (or when the lesson always wants them).
    The app runs sandboxed: in the worker's sandbox, else `sandbox`, else the strongest one
    this machine offers; it gets the file's bytes as read here, never the path; only a
    folder submission (`siblings`) brings the files beside it as well.
    A `chromium` already running (watch mode keeps one) is used and left open. A `cold`
    child, started ahead in the same sandbox, runs the app (else it is stopped).
    `meanwhile` (the caller's own preparation, such as loading what shows the report) runs
    once, when the grade first waits for the app, so that it costs no time of its own.
    `shown` gets the report as soon as it is complete, before the app is stopped (so a
    watching learner sees it while the grade cleans up); the same report is returned."""
    sandbox = worker.sandbox if worker is not None else (sandbox or find_sandbox())

    def complete(graded: Report) -> Report:
        report = replace(graded, protection=sandbox.kind)
        if shown is not None:
            shown(report)
        return report

    try:
        return _grade(lesson, path, import_timeout, worker, browser, sandbox, siblings, chromium, cold, meanwhile, complete)
    finally:
        if cold is not None:
            cold.discard()  # not used: the file could not be read, or the grade failed first


def _grade(
    lesson: Lesson,
    path: Path,
    import_timeout: float,
    worker: WarmWorker | None,
    browser: bool,
    sandbox: Sandbox,
    siblings: bool,
    chromium: Browser | None,
    cold: ColdChild | None,
    meanwhile: Callable[[], None] | None,
    complete: Callable[[Report], Report],
) -> Report:
    steps = lesson.graded_steps(browser)
    loaded = read_learner_file(path)
    timeline.mark(timeline.ONE_PER_GRADE)
    if isinstance(loaded, FileProblem):
        return complete(_report(lesson, path, _file_problem_steps(steps, loaded), problem=loaded))
    missing = lesson.missing_packages()
    if missing:
        return complete(_report(lesson, path, _missing_packages_steps(steps, missing)))
    if sandbox.shares_files:
        if sandbox.own_user:
            protect_course(lesson.folder.parent.parent)
        load_ahead(lesson, browser)
        timeline.mark("grader modules imported before learner code (files shared)")
    # Start the app first: its imports overlap with the parse and the static checks.
    try:
        app = start_app(
            path.resolve(), lesson.app_module, lesson.app_attr, worker, sandbox, data=loaded.data, siblings=siblings, cold=cold
        )
    except OSError as error:  # the worker or the sandbox failed: the grader's trouble, not the learner's
        return complete(_report(lesson, path, (), error=f"The grader could not start your app: {error}"))
    timeline.mark("app's process started (sandbox spawned)")
    own_chromium = None
    try:
        if chromium is None and any(step.browser for step in steps):
            from grader.live.browser import Browser

            chromium = own_chromium = Browser.start()  # Chromium loads while the app does
        return complete(_grade_loaded(lesson, loaded, app, import_timeout, steps, chromium, _once(meanwhile)))
    finally:
        app.stop()
        if own_chromium is not None:
            own_chromium.close()


def _once(work: Callable[[], None] | None) -> Callable[[], None]:
    """`work`, run by the first call only (nothing, if None)."""
    pending = [work] if work is not None else []

    def run() -> None:
        if pending:
            pending.pop()()

    return run


def load_ahead(lesson: Lesson, browser: bool = False) -> None:
    """Import every module grading `lesson` needs, those the libraries import on first use
    too. Where the learner's code shares the file system, it could rewrite one (the
    grader's, a lesson's, the standard library's) before it is imported: each grade does
    this before that code starts. A batch and watch mode do it while their worker warms up,
    so that no grade waits on an import (libcst alone takes about 100 ms)."""
    import libcst

    import grader.live.diagnose
    import grader.live.live_app
    import grader.static.source
    import grader.views.render_gradescope
    import grader.views.render_json
    import grader.views.render_text  # noqa: F401  (imported for their effect: loaded now)

    libcst.parse_module("x = 1\n")  # its native parser is imported on the first parse
    "127.0.0.1".encode("idna")  # the codec a request's host goes through (encodings.idna)

    if browser:
        import grader.live.browser  # noqa: F401
    try:
        lesson_checks(lesson)
    except LessonError:
        pass  # reported where the checks are used


def _grade_loaded(
    lesson: Lesson,
    loaded: LearnerFile,
    app: RunningApp,
    import_timeout: float,
    steps: tuple[Step, ...],
    chromium: Browser | None,
    before_waiting: Callable[[], None],
) -> Report:
    from grader.static.source import Source  # libcst is heavy: import it while the app starts

    def served() -> ServedApp | None:
        before_waiting()
        return app.served_app(import_timeout)

    try:
        graded = {step.id for step in steps}
        specs = [spec for spec in lesson_checks(lesson) if spec.step in graded]
    except LessonError as error:
        return _report(lesson, loaded.path, (), error=str(error))

    def analyse() -> tuple[Source, dict[str, StepResult], dict[str, Unconfirmed]]:
        timeline.mark("libcst and the static checks imported")
        source = Source(loaded.path, loaded.text, app=lesson.app_attr)
        timeline.mark("file parsed")
        source.attach_served(served)
        results, pending = {}, {}
        for spec in specs:
            if not spec.live:
                results[spec.step] = _run(lesson, spec, source)
                unconfirmed = source.take_unconfirmed()
                if unconfirmed and results[spec.step].status is Status.PASS:
                    pending[spec.step] = unconfirmed
            timeline.mark(f"static step {spec.step}" if not spec.live else f"(live step {spec.step} later)")
        return source, results, pending

    try:
        check_size(loaded.text)
        # A check may wait for the app to load (runtime_app): that wait is within the bound.
        source, results, pending = within(2 * import_timeout, analyse)
    except LessonError as error:
        return _report(lesson, loaded.path, (), error=str(error))
    except (TooComplex, RecursionError, MemoryError) as error:
        why = str(error) if isinstance(error, TooComplex) else "too deeply nested"
        problem = _too_complex(loaded.path.name, why)
        return _report(lesson, loaded.path, _file_problem_steps(steps, problem), problem=problem)
    except Exception as error:  # libcst rejects a few things Python accepts
        problem = FileProblem(clean(f"The grader cannot read {loaded.path.name}: {error}".splitlines()[0], 500))
        return _report(lesson, loaded.path, _file_problem_steps(steps, problem), problem=problem)
    try:
        live = [spec for spec in specs if spec.live]
        if live:
            import grader.live.diagnose
            import grader.live.live_app  # noqa: F401  (imported while the app starts, not after)

            if chromium is not None:
                chromium.prepare()  # opens the page while the app finishes starting
            before_waiting()
            not_started = app.wait_ready(import_timeout)
            timeline.mark("server ready (seen taking a connection)" if not_started is None else "server did not start")
            for spec in live:
                results[spec.step] = _run_live(
                    lesson, spec, source, app, not_started, chromium, min(REQUEST_TIMEOUT, import_timeout)
                )
                timeline.mark(f"live step {spec.step}")
    except LessonError as error:
        return _report(lesson, loaded.path, (), error=str(error))
    wire = [results[spec.step] for spec in live if not spec.browser]
    for step_id, unconfirmed in pending.items():
        results[step_id] = _rest_on_wire(lesson, loaded.path.name, results[step_id], unconfirmed, wire)
    return _report(lesson, loaded.path, tuple(results[step.id] for step in steps))


def _rest_on_wire(
    lesson: Lesson, name: str, passed: StepResult, unconfirmed: Unconfirmed, wire: list[StepResult]
) -> StepResult:
    """A static pass the file alone could not confirm (the check said why, through
    `Source.rest_on_wire`): it stands when every live step passes, since what the running
    app reports about itself is its own claim, but its answers on the wire the grader saw."""
    why = "; ".join(reason for reason, _ in unconfirmed)
    numbers = {step.id: index for index, step in enumerate(lesson.steps, start=1)}
    failing = next((result for result in wire if result.status is not Status.PASS), None)
    if wire and failing is None:
        steps = " and ".join(f"step {numbers[result.id]}" for result in wire)
        return replace(
            passed,
            message=f"{passed.message} The grader could not confirm this from the file alone ({why}); "
            f"your app's answers in {steps} confirm it.",
        )
    line = next((line for _, line in unconfirmed if line is not None), passed.line)
    if failing is None:
        why_not = "and no step of this lesson calls your running app to confirm it"
    else:
        why_not = (
            f"so it rests on your running app's answers, and those fail in step {numbers[failing.id]} "
            f"({failing.title}): fix that step first"
        )
    step = lesson.step(passed.id)
    return StepResult(
        step.id,
        step.title,
        Status.FAIL,
        f"The grader cannot confirm this step from {name} alone ({why}), {why_not}.",
        line,
        "Write it plainly in the file (settings as lists of strings, in the call itself), where the "
        "grader can read it; or make the failing step pass.",
        (f"What the file shows: {passed.message}",),
        step.hints,
        passed.output,
    )


def lesson_checks(lesson: Lesson) -> list[CheckSpec]:
    """The lesson's checks, one per step, in step order; LessonError when they do not match."""
    specs = checks_in(lesson.checks_module)
    where = lesson.folder / "checks.py"
    by_step: dict[str, CheckSpec] = {}
    for spec in specs:
        if spec.step in by_step:
            raise LessonError(f"{where}: two checks for step '{spec.step}' ({by_step[spec.step].name}, {spec.name})")
        by_step[spec.step] = spec
    ids = [step.id for step in lesson.steps]
    unknown = [step for step in by_step if step not in ids]
    if unknown:
        raise LessonError(f"{where}: checks for steps lesson.toml does not list: {unknown} (steps: {ids})")
    missing = [step for step in ids if step not in by_step]
    if missing:
        raise LessonError(f"{where}: no check for steps {missing}; write one @check(...) per step")
    mismatched = [step.id for step in lesson.steps if by_step[step.id].browser != step.browser]
    if mismatched:
        raise LessonError(
            f"{where}: steps {mismatched}: a step is marked browser = true in lesson.toml exactly when "
            "its check is @check(..., browser=True)"
        )
    return [by_step[step] for step in ids]


def _run(lesson: Lesson, spec: CheckSpec, subject: object) -> StepResult:
    """Run one check, sandboxed from the view: what it prints is kept on the result (for
    `lessons verify`), and a check that raises or returns nothing errs its own step only."""
    step = lesson.step(spec.step)
    with captured() as printed:
        try:
            message = spec.func(subject)
        except Failure as failure:
            return replace(_failed(lesson, spec.step, failure), output="".join(printed), by_check=True)
        except Skip as skip:
            return StepResult(step.id, step.title, Status.SKIP, str(skip), output="".join(printed))
        except (RecursionError, MemoryError):  # the learner's file nests too deep for the analysis
            raise TooComplex("an expression nested too deeply") from None
        except Exception as error:
            return _check_error(lesson, spec, _raised(lesson, spec, error), "".join(printed))
    output = "".join(printed)
    if isinstance(message, Passed):
        return StepResult(step.id, step.title, Status.PASS, message.message, details=message.details, output=output)
    if not isinstance(message, str) or not message.strip():
        got = "nothing" if message is None else f"{type(message).__name__} {message!r}"[:200]
        problem = (
            f"{_where(spec)}: the check {spec.name}() for step '{spec.step}' returned {got}: a check passes "
            "by returning a short message (a str, or Passed(...)) and fails by raising Failure"
        )
        return _check_error(lesson, spec, problem, output)
    return StepResult(step.id, step.title, Status.PASS, message, output=output)


def _raised(lesson: Lesson, spec: CheckSpec, error: Exception) -> str:
    """Where the lesson's own code raised (its deepest frame in the lessons folder), and what."""
    frames = traceback.extract_tb(error.__traceback__)
    lessons = str(lesson.folder.parent.resolve())
    own = [frame for frame in frames if str(Path(frame.filename).resolve()).startswith(lessons)]
    frame = (own or frames)[-1]
    summary = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    return f"{frame.filename}, line {frame.lineno}: the check {spec.name}() for step '{spec.step}' raised {summary}"


def _where(spec: CheckSpec) -> str:
    code = spec.func.__code__
    return f"{code.co_filename}, line {code.co_firstlineno}"


def _check_error(lesson: Lesson, spec: CheckSpec, problem: str, output: str) -> StepResult:
    step = lesson.step(spec.step)
    return StepResult(
        step.id,
        step.title,
        Status.ERROR,
        "The grader's check for this step has a bug, so it cannot judge this step: the problem is "
        "not in your code. Tell your instructor (the other steps are graded as usual).",
        details=(problem,),
        output=output,
    )


def _run_live(
    lesson: Lesson,
    spec: CheckSpec,
    source: object,
    app: RunningApp,
    problem: StartProblem | None,
    chromium: Browser | None = None,
    request_timeout: float = 5.0,
) -> StepResult:
    from grader.live.diagnose import start_failure
    from grader.live.live_app import LiveApp
    from grader.static.source import Source

    assert isinstance(source, Source)
    if problem is not None:
        return _failed(lesson, spec.step, start_failure(problem, source, lesson.app_attr))
    if spec.browser:
        from grader.live.browser import BrowserApp

        assert chromium is not None
        return _run(lesson, spec, BrowserApp(source, app.port, chromium))
    live_app = LiveApp(
        source, app.port, app.output, timeout=request_timeout, served=app.served, headers=lesson.request_headers
    )
    try:
        return _run(lesson, spec, live_app)
    finally:
        live_app.close()  # the connections it kept open, as a browser does, between requests


def _failed(lesson: Lesson, step_id: str, failure: Failure) -> StepResult:
    step = lesson.step(step_id)
    hint = failure.hint or (step.hints[0] if step.hints else None)
    # A failure's own hint stands in for the step's first, generic one.
    more = step.hints[1:]
    return StepResult(step.id, step.title, Status.FAIL, failure.message, failure.line, hint, failure.details, more)


def _missing_packages_steps(steps: tuple[Step, ...], missing: tuple[Requirement, ...]) -> tuple[StepResult, ...]:
    """A lesson whose app needs packages this Python lacks: say which and how to install them,
    instead of the ImportError the learner's file would meet."""
    names = ", ".join(r.package for r in missing)
    first, *rest = steps
    failed = StepResult(
        first.id,
        first.title,
        Status.FAIL,
        f"This lesson needs the package{'s' if len(missing) > 1 else ''} {names}, which {'are' if len(missing) > 1 else 'is'} "
        "not installed where the grader runs, so your app could not even start. Your code is not graded yet.",
        hint=f"Install {'them' if len(missing) > 1 else 'it'} (with your virtual environment active): {install_advice(missing)}",
    )
    skipped = tuple(
        StepResult(step.id, step.title, Status.SKIP, f"Not checked yet: install {names} first (step 1 says how).") for step in rest
    )
    return (failed, *skipped)


def _too_complex(name: str, why: str) -> FileProblem:
    return FileProblem(
        f"{name} is too large or too intricate for the grader to analyse ({why}); an exercise file "
        "is a few dozen lines.",
        hint="Keep only the exercise's code in the file (move experiments to another file), then grade again.",
    )


def _file_problem_steps(steps: tuple[Step, ...], problem: FileProblem) -> tuple[StepResult, ...]:
    first, *rest = steps
    failed = StepResult(first.id, first.title, Status.FAIL, problem.message, problem.line, problem.hint, problem.details)
    skipped = tuple(
        StepResult(step.id, step.title, Status.SKIP, "Not checked yet: Python cannot read the file (step 1 says why).")
        for step in rest
    )
    return (failed, *skipped)


def _report(
    lesson: Lesson,
    path: Path,
    steps: tuple[StepResult, ...],
    error: str | None = None,
    problem: FileProblem | None = None,
) -> Report:
    return Report(
        lesson=lesson.slug,
        lesson_title=lesson.title,
        file=path,
        steps=steps,
        error=error,
        success_text=lesson.success,
        problem=problem,
    )
