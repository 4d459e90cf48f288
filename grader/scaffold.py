"""`lessons new`: a lesson folder, starter and solution, from a template that already verifies."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from string import Template

from grader.course import Course
from grader.lesson import Lesson

TEMPLATE = Path(__file__).with_name("templates") / "lesson"
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
LESSON_FILES = ("lesson.toml", "lesson.md", "checks.py", "wrong/wrong_path.py")


class ScaffoldError(Exception):
    """The lesson cannot be created as asked; the message says why."""


def create_lesson(root: Path, course: Course | None, slug: str, title: str | None, base: Lesson | None) -> list[Path]:
    """Write the new lesson's files and return them. `base`'s solution becomes the starter."""
    if not SLUG.fullmatch(slug):
        raise ScaffoldError(f"'{slug}' is not a valid slug: use lower-case words joined by hyphens, like rate-limits")
    targets = [root / "lessons" / slug, root / "exercise" / slug, root / "solution" / slug]
    taken = [str(t) for t in targets if t.exists()]
    if taken:
        raise ScaffoldError(f"already exists: {', '.join(taken)}")
    title = title or slug.replace("-", " ").capitalize()
    order = max((lesson.order for lesson in course.lessons), default=0) + 1 if course else 1
    values = {"slug": slug, "title": title, "title_toml": json.dumps(title), "order": str(order)}
    written = []
    for name in LESSON_FILES:
        written.append(_render(TEMPLATE / name, targets[0] / name, values))
    starter = base.solution.read_text(encoding="utf-8") if base else Template((TEMPLATE / "starter.py").read_text()).substitute(values)
    addition = Template((TEMPLATE / "solution_addition.py").read_text()).substitute(values)
    written.append(_write(targets[1] / "main.py", starter))
    written.append(_write(targets[2] / "main.py", starter.rstrip("\n") + "\n" + addition))
    if base is not None:
        for extra in base.solution.parent.iterdir():
            if extra.is_file() and extra.name != base.solution.name and extra.suffix == ".py":
                for folder in targets[1:]:
                    shutil.copy(extra, folder / extra.name)
    return written


def _render(template: Path, target: Path, values: dict[str, str]) -> Path:
    return _write(target, Template(template.read_text(encoding="utf-8")).substitute(values))


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
