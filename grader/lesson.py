"""Lessons as data: each `lessons/<slug>/` folder holds lesson.toml, the text and checks.py."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

LESSON_FILE = "lesson.toml"
CHECKS_FILE = "checks.py"


class LessonError(Exception):
    """A lesson is broken: the message names the file and what is wrong, for its author."""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    hints: tuple[str, ...]
    browser: bool = False  # runs in headless Chromium: only under `grade --browser`


@dataclass(frozen=True)
class PageCall:
    """One call the lesson page (`grade --open`) makes to the learner's app with fetch()."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class PageSite:
    """Where the page's calls come from: the page's own origin (one the app was never told
    about), or an `origin` the page stands in for, such as the lesson's frontend."""

    label: str
    origin: str | None = None
    credentials: bool = False  # fetch(..., {credentials: "include"}): sent with the user's cookies


@dataclass(frozen=True)
class PagePlan:
    """lesson.toml's [page] table: what "Call your API from this page" offers."""

    calls: tuple[PageCall, ...] = ()
    sites: tuple[PageSite, ...] = ()
    blocked: str | None = None  # shown under a call the browser blocked: what the learner's console says


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    order: int
    folder: Path  # lessons/<slug>
    exercise: Path  # exercise/<slug>/<file>: what the learner edits
    solution: Path  # solution/<slug>/<file>
    app_module: str
    app_attr: str
    steps: tuple[Step, ...]
    text_file: Path
    success: str | None
    starter_fails_at: tuple[str, ...]
    browser_always: bool = False  # lesson.toml: browser = "always"
    page: PagePlan = PagePlan()

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def graded_steps(self, browser: bool) -> tuple[Step, ...]:
        """The steps a grade runs: browser steps only when asked for, or always if the lesson says so."""
        if browser or self.browser_always:
            return self.steps
        return tuple(step for step in self.steps if not step.browser)

    @property
    def text(self) -> str:
        return self.text_file.read_text(encoding="utf-8")

    @cached_property
    def checks_module(self) -> ModuleType:
        return load_checks_module(self)


def load_lesson(folder: Path) -> Lesson:
    """Read `folder/lesson.toml` into a Lesson; a LessonError says what is wrong and where."""
    meta_path = folder / LESSON_FILE
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LessonError(f"{meta_path}: missing (every lesson folder needs one)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LessonError(f"{meta_path}: not valid TOML: {error}") from None
    slug = folder.name
    root = folder.parent.parent
    exercise_name = _field(meta, "exercise", str, meta_path, default="main.py")
    app = _field(meta, "app", str, meta_path, default="main:app")
    module, _, attr = app.partition(":")
    if not module or not attr:
        raise LessonError(f"{meta_path}: 'app' must look like \"main:app\" (module:attribute), not {app!r}")
    steps = tuple(_step(raw, meta_path, index) for index, raw in enumerate(_field(meta, "steps", list, meta_path)))
    if not steps:
        raise LessonError(f"{meta_path}: a lesson needs at least one [[steps]] entry")
    ids = [step.id for step in steps]
    if len(set(ids)) != len(ids):
        raise LessonError(f"{meta_path}: step ids must be unique, got {ids}")
    fails_at = tuple(_field(meta, "starter_fails_at", list, meta_path, default=[ids[0]]))
    unknown = [step_id for step_id in fails_at if step_id not in ids]
    if unknown:
        raise LessonError(f"{meta_path}: starter_fails_at names unknown steps {unknown}; steps are {ids}")
    text_file = folder / _field(meta, "text", str, meta_path, default="lesson.md")
    lesson = Lesson(
        slug=slug,
        title=_field(meta, "title", str, meta_path),
        order=_field(meta, "order", int, meta_path),
        folder=folder,
        exercise=root / "exercise" / slug / exercise_name,
        solution=root / "solution" / slug / exercise_name,
        app_module=module,
        app_attr=attr,
        steps=steps,
        text_file=text_file,
        success=_field(meta, "success", str, meta_path, default=None),
        starter_fails_at=fails_at,
        browser_always=_browser_setting(meta, meta_path),
        page=_page_plan(meta, meta_path),
    )
    for needed in (text_file, folder / CHECKS_FILE):
        if not needed.is_file():
            raise LessonError(f"{needed}: missing (lesson '{slug}' names it)")
    return lesson


def load_checks_module(lesson: Lesson) -> ModuleType:
    """Import `lessons/<slug>/checks.py`; lesson-side helpers in `lessons/` are importable."""
    path = lesson.folder / CHECKS_FILE
    lessons_dir = str(lesson.folder.parent)
    if lessons_dir not in sys.path:
        sys.path.insert(0, lessons_dir)
    name = "lesson_checks_" + lesson.slug.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LessonError(f"{path}: cannot be loaded as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise LessonError(f"{path}: raised while loading: {_where(error, path)}") from None
    return module


def _where(error: BaseException, path: Path) -> str:
    line = next(
        (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__)) if frame.filename == str(path)),
        getattr(error, "lineno", None),
    )
    summary = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    return f"line {line}: {summary}" if line else summary


def _step(raw: Any, meta_path: Path, index: int) -> Step:
    if not isinstance(raw, dict):
        raise LessonError(f"{meta_path}: steps[{index}] must be a table with id, title and hints")
    where = f"{meta_path} (steps[{index}])"
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        raise LessonError(f"{where}: 'hints' must be a list of strings")
    return Step(
        id=_field(raw, "id", str, where),
        title=_field(raw, "title", str, where),
        hints=tuple(hints),
        browser=_field(raw, "browser", bool, where, default=False),
    )


def _browser_setting(meta: dict[str, Any], meta_path: Path) -> bool:
    setting: str = _field(meta, "browser", str, meta_path, default="optional")
    if setting not in {"always", "optional"}:
        raise LessonError(
            f'{meta_path}: \'browser\' must be "always" (browser steps run in every grade) or '
            f'"optional" (only with grade --browser), not {setting!r}'
        )
    return setting == "always"


PAGE_KEYS = {"calls", "sites", "blocked"}
CALL_KEYS = {"method", "path", "headers", "body"}
SITE_KEYS = {"label", "origin", "credentials"}


def _page_plan(meta: dict[str, Any], meta_path: Path) -> PagePlan:
    table = _field(meta, "page", dict, meta_path, default={})
    _known_keys(table, PAGE_KEYS, f"{meta_path} [page]")
    calls = tuple(
        _page_call(raw, f"{meta_path} (page.calls[{index}])")
        for index, raw in enumerate(_field(table, "calls", list, f"{meta_path} [page]", default=[]))
    )
    sites = tuple(
        _page_site(raw, f"{meta_path} (page.sites[{index}])")
        for index, raw in enumerate(_field(table, "sites", list, f"{meta_path} [page]", default=[]))
    )
    if sites and not calls:
        raise LessonError(f"{meta_path} [page]: 'sites' needs 'calls' too: the calls each site's page makes")
    return PagePlan(calls, sites, _field(table, "blocked", str, f"{meta_path} [page]", default=None))


def _page_call(raw: Any, where: str) -> PageCall:
    if not isinstance(raw, dict):
        raise LessonError(f'{where}: must be a table such as {{ method = "GET", path = "/notes" }}')
    _known_keys(raw, CALL_KEYS, where)
    method = _field(raw, "method", str, where)
    if not method.isalpha() or not method.isupper():
        raise LessonError(f"{where}: 'method' must be an HTTP method in capitals, such as \"DELETE\", not {method!r}")
    path = _field(raw, "path", str, where)
    if not path.startswith("/"):
        raise LessonError(f"{where}: 'path' must start with /, such as \"/notes/1\", not {path!r}")
    headers = _field(raw, "headers", dict, where, default={})
    if not all(isinstance(value, str) for value in headers.values()):
        raise LessonError(f"{where}: 'headers' must map header names to text, such as {{ Authorization = \"Bearer x\" }}")
    return PageCall(method, path, tuple(headers.items()), _field(raw, "body", str, where, default=None))


def _page_site(raw: Any, where: str) -> PageSite:
    from urllib.parse import urlsplit

    if not isinstance(raw, dict):
        raise LessonError(f'{where}: must be a table such as {{ label = "Your frontend", origin = "https://app.example" }}')
    _known_keys(raw, SITE_KEYS, where)
    origin = _field(raw, "origin", str, where, default=None)
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query or parts.fragment:
            raise LessonError(
                f"{where}: 'origin' must be a scheme and host (and port), with no path or slash at the end, "
                f"such as \"https://notes.example.com\", not {origin!r}"
            )
    return PageSite(
        label=_field(raw, "label", str, where),
        origin=origin,
        credentials=_field(raw, "credentials", bool, where, default=False),
    )


def _known_keys(table: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise LessonError(f"{where}: unknown keys {unknown}; the keys are {sorted(known)}")


_MISSING = object()


def _field(table: dict[str, Any], key: str, kind: type, where: object, default: Any = _MISSING) -> Any:
    if key not in table:
        if default is _MISSING:
            raise LessonError(f"{where}: missing '{key}'")
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise LessonError(f"{where}: '{key}' must be {kind.__name__}, not {type(value).__name__}")
    return value
