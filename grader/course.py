"""The course: every lesson under `lessons/`, in order, and the learner's progress."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.lesson import LESSON_FILE, Lesson, LessonError, load_lesson

PROGRESS_FILE = ".grader-progress.json"
COURSE_ENV = "GRADER_COURSE"


@dataclass(frozen=True)
class Course:
    root: Path
    lessons: tuple[Lesson, ...]

    def find(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def lesson_for_file(self, path: Path) -> Lesson | None:
        """The lesson whose exercise or solution folder holds `path`, if any."""
        resolved = path.resolve()
        for lesson in self.lessons:
            if resolved.parent in {lesson.exercise.parent.resolve(), lesson.solution.parent.resolve()}:
                return lesson
        return None

    def after(self, lesson: Lesson) -> Lesson | None:
        index = self.lessons.index(lesson)
        return self.lessons[index + 1] if index + 1 < len(self.lessons) else None

    # -- progress ---------------------------------------------------------------

    @property
    def progress_path(self) -> Path:
        return self.root / PROGRESS_FILE

    def passed(self) -> set[str]:
        try:
            data = json.loads(self.progress_path.read_text(encoding="utf-8"))
            return {slug for slug in data.get("passed", []) if isinstance(slug, str)}
        except (OSError, ValueError, AttributeError):
            return set()

    def record_pass(self, lesson: Lesson) -> None:
        self._save(self.passed() | {lesson.slug})

    def forget_pass(self, lesson: Lesson) -> None:
        self._save(self.passed() - {lesson.slug})

    def _save(self, passed: set[str]) -> None:
        try:
            self.progress_path.write_text(json.dumps({"passed": sorted(passed)}, indent=2) + "\n", encoding="utf-8")
        except OSError:
            pass  # progress is a convenience; a read-only checkout still grades

    def current(self) -> Lesson:
        """The first lesson in course order the learner has not passed yet (else the last)."""
        passed = self.passed()
        return next((lesson for lesson in self.lessons if lesson.slug not in passed), self.lessons[-1])


def find_course_root(start: Path | None = None) -> Path | None:
    """$GRADER_COURSE, else the nearest folder at or above `start` that has lessons/."""
    if os.environ.get(COURSE_ENV):
        return Path(os.environ[COURSE_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "lessons").is_dir() and any((folder / "lessons").glob(f"*/{LESSON_FILE}")):
            return folder
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / "lessons").is_dir():
        return package_root
    return None


def load_course(root: Path) -> Course:
    folders = sorted(p.parent for p in (root / "lessons").glob(f"*/{LESSON_FILE}"))
    if not folders:
        raise LessonError(f"{root / 'lessons'}: no lesson folders (each needs a {LESSON_FILE})")
    lessons = sorted((load_lesson(folder) for folder in folders), key=lambda lesson: (lesson.order, lesson.slug))
    return Course(root=root, lessons=tuple(lessons))
