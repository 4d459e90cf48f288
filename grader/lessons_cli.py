"""The `lessons` command, for instructors: list the course, scaffold a lesson, verify lessons."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from grader.course.course import Course, find_course_root, load_course
from grader.course.lesson import LessonError

if TYPE_CHECKING:
    from grader.author.verify import Finding

EXIT_FAILED = 1
EXIT_BROKEN = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def lessons() -> None:
    """Work on the course's lessons: list them, scaffold a new one, verify them."""


@lessons.command("list")
def list_lessons() -> None:
    """The course in order, with each lesson's steps."""
    course = _course()
    for number, lesson in enumerate(course.lessons, start=1):
        click.echo(f"{number}. {lesson.slug}: {lesson.title}")
        for step in lesson.steps:
            click.echo(f"     {step.id:<18} {step.title}")


@lessons.command("new")
@click.argument("slug")
@click.option("--title", help="The lesson's title (default: made from the slug).")
@click.option("--from", "base_slug", metavar="SLUG", help="Start from this lesson's solution (default: the last lesson's).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds each app may take to load.")
def new_lesson(slug: str, title: str | None, base_slug: str | None, timeout: float) -> None:
    """Scaffold lesson SLUG: text, metadata, checks, starter and solution, then verify them.

    The starter is the previous lesson's solution (or --from SLUG's), so the course builds
    on itself. Exit 0 when the new lesson verifies, 1 when it was written but does not."""
    from grader.author.scaffold import ScaffoldError, create_lesson, in_the_way
    from grader.author.verify import verify_lesson
    from grader.course.lesson import load_lesson

    root = find_course_root(installed=False) or Path.cwd()
    course = None
    if (root / "lessons").is_dir() and any((root / "lessons").glob("*/lesson.toml")):
        try:
            course = load_course(root, lenient=True)
        except LessonError as error:
            _broken(str(error))
    base = None
    if course is not None:
        base = course.find(base_slug) if base_slug else course.lessons[-1]
        if base is None:
            _broken(f"no lesson named '{base_slug}' to start from; lessons are: {', '.join(l.slug for l in course.lessons)}")
    try:
        written = create_lesson(root, course, slug, title, base)
    except ScaffoldError as error:
        _broken(str(error))
    click.echo(f"Created lesson '{slug}'" + (f", starting from {base.slug}'s solution:" if base else ":"))
    for path in written:
        click.echo(f"  {path.relative_to(root)}")
    click.echo("Verifying it...")
    try:
        findings = verify_lesson(load_lesson(root / "lessons" / slug), import_timeout=timeout)
    except LessonError as error:
        _broken(f"the new lesson is broken: {error}")
    problems = [finding for finding in findings if not finding.ok]
    if problems:
        _show(problems)
        click.echo(in_the_way(slug, base, problems))
        sys.exit(EXIT_FAILED)
    click.echo(f"It verifies. Next: edit lessons/{slug}/lesson.md, lesson.toml and checks.py, then run: lessons verify {slug}")


@lessons.command("verify")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds each app may take to load.")
def verify(slugs: tuple[str, ...], timeout: float) -> None:
    """Prove lessons consistent: solution passes, starter and known-wrong samples fail where
    declared, and every mutant of the solution fails a check. Exit 0 only when all holds."""
    from grader.author.verify import verify_lesson

    course = _course()
    chosen = [course.find(slug) for slug in slugs] if slugs else list(course.lessons)
    unknown = [slug for slug, lesson in zip(slugs, chosen) if lesson is None]
    if unknown:
        _broken(f"no lesson named {', '.join(unknown)}; lessons are: {', '.join(l.slug for l in course.lessons)}")
    failed = broken = 0
    for lesson in chosen:
        assert lesson is not None
        click.echo(click.style(f"{lesson.slug}: {lesson.title}", bold=True))
        try:
            findings = verify_lesson(lesson, import_timeout=timeout)
        except LessonError as error:
            _broken(f"lesson '{lesson.slug}' is broken: {error}")
        _show(findings)
        failed += sum(not finding.ok for finding in findings)
        for finding in findings:
            if finding.broken:
                broken += 1
                click.echo(f"lessons: lesson '{lesson.slug}' is broken: {finding.subject}: {finding.detail}", err=True)
    if broken:
        click.echo(click.style(f"{broken} check bug(s) found: fix the lesson's checks first.", fg="red", bold=True))
        sys.exit(EXIT_BROKEN)
    if failed:
        click.echo(click.style(f"{failed} problem(s) found.", fg="red", bold=True))
        sys.exit(EXIT_FAILED)
    named = ", ".join(f"'{slug}'" for slug in slugs)
    verified = "Every lesson verifies." if not slugs else f"Lesson {named} verifies." if len(slugs) == 1 else f"Lessons {named} verify."
    click.echo(click.style(verified, fg="green", bold=True))


def _show(findings: list[Finding]) -> None:
    for finding in findings:
        mark = click.style("ok  ", fg="green") if finding.ok else click.style("FAIL", fg="red", bold=True)
        first, *rest = f"{finding.subject}: {finding.detail}".splitlines() or [""]
        click.echo(f"  {mark} {first}")
        for line in (*rest, *finding.printed):
            click.echo(f"         {line}")


def _course() -> Course:
    root = find_course_root()
    if root is None:
        _broken("no course found: run this from the course folder (the one that holds lessons/)")
    try:
        return load_course(root)
    except LessonError as error:
        _broken(str(error))


def _broken(message: str) -> NoReturn:
    click.echo(f"lessons: {message}", err=True)
    sys.exit(EXIT_BROKEN)


def main() -> None:
    lessons(prog_name="lessons")
