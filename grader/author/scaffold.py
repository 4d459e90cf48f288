"""`lessons new`: a lesson folder, starter and solution, from a template that already verifies."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from grader.course.course import Course
from grader.course.lesson import Lesson

if TYPE_CHECKING:
    from grader.author.verify import Finding

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
    values = {
        "slug": slug,
        "title": title,
        "title_toml": json.dumps(title),
        "order": str(order),
        "request_headers": _headers_line(base),
        "exercise": base.solution.name if base else "main.py",
        "app": f"{base.app_module}:{base.app_attr}" if base else "main:app",
        "app_attr": base.app_attr if base else "app",
        **_topic(slug, base),
    }
    written = []
    for name in LESSON_FILES:
        written.append(_render(TEMPLATE / name, targets[0] / name, values))
    starter = base.solution.read_text(encoding="utf-8") if base else Template((TEMPLATE / "starter.py").read_text()).substitute(values)
    addition = Template((TEMPLATE / "solution_addition.py").read_text()).substitute(values)
    exercise = values["exercise"]
    written.append(_write(targets[1] / exercise, starter))
    written.append(_write(targets[2] / exercise, starter.rstrip("\n") + "\n" + addition))
    other_way = Template((TEMPLATE / "right_addition.py").read_text()).substitute(values)
    written.append(_write(targets[0] / "right" / "async_endpoint.py", starter.rstrip("\n") + "\n" + other_way))
    if base is not None:
        for extra in base.solution.parent.iterdir():
            if extra.is_file() and extra.name != base.solution.name and extra.suffix == ".py":
                for folder in targets[1:]:
                    shutil.copy(extra, folder / extra.name)
    return written


def _topic(slug: str, base: Lesson | None) -> dict[str, str]:
    """The scaffold's endpoint: GET /health, or one of its own when the starter has that already."""
    if base is None or '"/health"' not in base.solution.read_text(encoding="utf-8"):
        return {"path": "/health", "function": "health"}
    return {"path": f"/{slug}/health", "function": f"{slug.replace('-', '_')}_health"}


def _headers_line(base: Lesson | None) -> str:
    """The base lesson's request_headers, carried over: its solution (this starter) may refuse
    requests without them (a Host it trusts, an API key)."""
    if base is None or not base.request_headers:
        return ""
    table = ", ".join(f"{json.dumps(name)} = {json.dumps(value)}" for name, value in base.request_headers)
    return f"request_headers = {{ {table} }}   # sent with every live request, as in {base.slug}\n"


def in_the_way(slug: str, base: Lesson | None, problems: Sequence[Finding]) -> str:
    """What to do when a freshly scaffolded lesson does not verify."""
    if base is None:
        return f"The new lesson does not verify: see above, then run `lessons verify {slug}` again."
    return (
        f"The new lesson does not verify yet. Its starter and solution are {base.slug}'s solution, and "
        "the scaffold's checks fail on them (above). If that solution refuses some requests (it "
        "trusts only some hosts, or wants an API key), give every request what it needs with "
        f"request_headers in lessons/{slug}/lesson.toml; or make the scaffold's endpoint fit that "
        f"solution; or start from another lesson: delete lessons/{slug}, exercise/{slug} and "
        f"solution/{slug}, then run `lessons new {slug} --from OTHER-LESSON`."
    )


def _render(template: Path, target: Path, values: dict[str, str]) -> Path:
    return _write(target, Template(template.read_text(encoding="utf-8")).substitute(values))


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
