"""The course: every lesson under `lessons/`, in order, and the learner's progress."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course.lesson import LESSON_FILE, Lesson, LessonError, load_lesson

PROGRESS_FILE = ".grader-progress.json"
COURSE_ENV = "GRADER_COURSE"


@dataclass(frozen=True)
class BrokenLesson:
    """A lesson that did not load: its folder's name, its place when lesson.toml still says it,
    and what is wrong, for its author."""

    slug: str
    order: int | None
    error: str


@dataclass(frozen=True)
class Course:
    root: Path
    lessons: tuple[Lesson, ...]
    broken: tuple[str, ...] = ()  # what is wrong with lessons that did not load (lenient loads)
    broken_lessons: tuple[BrokenLesson, ...] = ()  # the same, lesson by lesson

    def next_up(self) -> Lesson | BrokenLesson:
        """The learner's current lesson, counting the broken ones in their places: a broken
        lesson the learner has reached must not be skipped silently."""
        current = self.current()
        passed = self.passed()
        all_passed = all(lesson.slug in passed for lesson in self.lessons)
        for broken in sorted(self.broken_lessons, key=lambda b: (b.order is None, b.order or 0)):
            if broken.slug in passed or broken.order is None:
                continue
            if broken.order < current.order or (all_passed and broken.order > current.order):
                return broken
        return current

    def find(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def lesson_for_file(self, path: Path) -> Lesson | None:
        """The lesson whose exercise or solution folder holds `path`, if any."""
        resolved = path.resolve()
        for lesson in self.lessons:
            if resolved.parent in {lesson.exercise.parent.resolve(), lesson.solution.parent.resolve()}:
                return lesson
        return None

    def lesson_for_folder(self, folder: Path) -> Lesson | None:
        """The lesson whose exercise folder is `folder` (grade run from inside it)."""
        resolved = folder.resolve()
        return next((lesson for lesson in self.lessons if lesson.exercise.parent.resolve() == resolved), None)

    def after(self, lesson: Lesson) -> Lesson | None:
        index = self.lessons.index(lesson)
        return self.lessons[index + 1] if index + 1 < len(self.lessons) else None

    # -- progress ---------------------------------------------------------------

    @property
    def progress_path(self) -> Path:
        return self.root / PROGRESS_FILE

    def passed(self) -> set[str]:
        return {slug for slug in self._progress().get("passed", []) if isinstance(slug, str)}

    def record_pass(self, lesson: Lesson) -> None:
        self._update(passed=sorted(self.passed() | {lesson.slug}))

    def forget_pass(self, lesson: Lesson) -> None:
        self._update(passed=sorted(self.passed() - {lesson.slug}))

    def hints_revealed(self, lesson: Lesson, step_id: str) -> int:
        """How many of the step's hints the learner has seen (the first is always shown)."""
        count = self._progress().get("hints", {}).get(lesson.slug, {}).get(step_id, 1)
        return count if isinstance(count, int) and count >= 1 else 1

    def reveal_hint(self, lesson: Lesson, step_id: str, available: int) -> int:
        """Show one more hint for the step (up to `available`); returns how many are shown."""
        count = min(self.hints_revealed(lesson, step_id) + 1, max(available, 1))
        hints = self._progress().get("hints", {})
        hints = hints if isinstance(hints, dict) else {}
        hints.setdefault(lesson.slug, {})[step_id] = count
        self._update(hints=hints)
        return count

    def _progress(self) -> dict[str, Any]:
        try:
            data = json.loads(self.progress_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _update(self, **changes: Any) -> None:
        data = {**self._progress(), **changes}
        try:
            self.progress_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        except OSError:
            pass  # progress is a convenience; a read-only checkout still grades

    def current(self) -> Lesson:
        """The first lesson in course order the learner has not passed yet (else the last)."""
        passed = self.passed()
        return next((lesson for lesson in self.lessons if lesson.slug not in passed), self.lessons[-1])


def find_course_root(start: Path | None = None, *, installed: bool = True) -> Path | None:
    """$GRADER_COURSE, else the nearest folder at or above `start` that has lessons/, else
    (with `installed`) the course the grader was installed from."""
    if os.environ.get(COURSE_ENV):
        return Path(os.environ[COURSE_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "lessons").is_dir() and any((folder / "lessons").glob(f"*/{LESSON_FILE}")):
            return folder
    if not installed:
        return None
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / "lessons").is_dir():
        return package_root
    return None


def load_course(root: Path, *, lenient: bool = False) -> Course:
    """Every lesson of the course. A broken lesson raises LessonError, or with `lenient`
    (learners grading other lessons while an instructor drafts one) is left out and noted."""
    folders = sorted(p.parent for p in (root / "lessons").glob(f"*/{LESSON_FILE}"))
    lessons: list[Lesson] = []
    broken: list[str] = []
    broken_lessons: list[BrokenLesson] = []
    for folder in folders:
        try:
            lessons.append(load_lesson(folder))
        except LessonError as error:
            if not lenient:
                raise
            broken.append(str(error))
            broken_lessons.append(BrokenLesson(folder.name, _order_written(folder / LESSON_FILE), str(error)))
    lessons.sort(key=lambda lesson: (lesson.order, lesson.slug))
    clashing = [later for earlier, later in zip(lessons, lessons[1:]) if later.order == earlier.order]
    for later in clashing:
        earlier = next(lesson for lesson in lessons if lesson.order == later.order)
        if not lenient:
            raise LessonError(_same_order(earlier, later))
        broken.append(_same_order(earlier, later))  # the first keeps its place; the others wait
        broken_lessons.append(BrokenLesson(later.slug, None, _same_order(earlier, later)))
    lessons = [lesson for lesson in lessons if lesson not in clashing]
    if not lessons:
        raise LessonError(broken[0] if broken else f"{root / 'lessons'}: no lesson folders (each needs a {LESSON_FILE})")
    return Course(root=root, lessons=tuple(lessons), broken=tuple(broken), broken_lessons=tuple(broken_lessons))


def _order_written(meta: Path) -> int | None:
    """`order = N` as lesson.toml writes it, read even when the rest of the file is broken."""
    try:
        found = re.search(r"^order\s*=\s*(\d+)\s*(?:#.*)?$", meta.read_text(encoding="utf-8"), re.MULTILINE)
    except (OSError, UnicodeDecodeError):
        return None
    return int(found.group(1)) if found else None


def _same_order(earlier: Lesson, later: Lesson) -> str:
    from grader.course.lesson_schema import key_line

    meta = later.folder / LESSON_FILE
    line = key_line(meta.read_text(encoding="utf-8"), "order")
    where = f"{meta}, line {line}" if line else str(meta)
    return (
        f"{where}: order = {later.order} is also the order of lesson '{earlier.slug}' "
        f"({earlier.folder / LESSON_FILE}); give each lesson its own place in the course"
    )
