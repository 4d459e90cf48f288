"""Lessons as data: each `lessons/<slug>/` folder holds lesson.toml, the text and checks.py."""

from __future__ import annotations

import difflib
import importlib.util
import re
import sys
import tomllib
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.course.check_output import captured
from grader.course.lesson_schema import LESSON_FIELDS, STEP_FIELDS, Field, did_you_mean, key_line

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
class Requirement:
    """A package a lesson needs: `"itsdangerous"`, or `"python-jose:jose"` when the name to
    install and the module to import differ."""

    package: str  # what `pip install` takes
    module: str  # what `import` takes

    def importable(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False


def install_advice(missing: tuple[Requirement, ...]) -> str:
    """The command that installs `missing` into the Python the grader runs with."""
    return f"{Path(sys.executable).name} -m pip install {' '.join(r.package for r in missing)}"


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
    # lesson.toml's request_headers: sent with every live request, shown in every curl line
    request_headers: tuple[tuple[str, str], ...] = ()
    requires: tuple[Requirement, ...] = ()  # lesson.toml's requires: packages the lesson's app needs

    def missing_packages(self) -> tuple[Requirement, ...]:
        """The required packages this Python cannot import (looked up, never imported)."""
        return tuple(r for r in self.requires if not r.importable())

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
        raw_text = meta_path.read_text(encoding="utf-8")
        meta = tomllib.loads(raw_text)
    except FileNotFoundError:
        raise LessonError(f"{meta_path}: missing (every lesson folder needs one)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LessonError(f"{meta_path}: not valid TOML: {error}") from None
    table = _Table(meta_path, raw_text, meta, LESSON_FIELDS, None)
    raw_steps = table.get("steps")
    steps = tuple(
        _step(_Table(meta_path, raw_text, raw, STEP_FIELDS, index)) for index, raw in enumerate(raw_steps)
    )
    if not steps:
        raise LessonError(f"{meta_path}: a lesson needs at least one [[steps]] entry")
    ids = [step.id for step in steps]
    for index, step_id in enumerate(ids):
        if step_id in ids[:index]:
            problem = f"id '{step_id}' is already the id of step {ids.index(step_id) + 1}: step ids must be unique"
            raise table.error("id", problem, step=index, bare=True)
    slug = folder.name
    root = folder.parent.parent
    exercise_name = table.get("exercise", "main.py")
    app = table.get("app", "main:app")
    module, _, attr = app.partition(":")
    if not module or not attr:
        raise table.error("app", f'must look like "main:app" (module:attribute), not {app!r}')
    fails_at = tuple(table.get("starter_fails_at", [ids[0]]))
    unknown = [step_id for step_id in fails_at if step_id not in ids]
    if unknown:
        raise table.error("starter_fails_at", f"names unknown steps {unknown}{_closest(unknown[0], ids)}; the steps are {ids}")
    headers: dict[str, str] = table.get("request_headers", {})
    text_file = folder / table.get("text", "lesson.md")
    lesson = Lesson(
        slug=slug,
        title=table.get("title"),
        order=table.get("order"),
        folder=folder,
        exercise=root / "exercise" / slug / exercise_name,
        solution=root / "solution" / slug / exercise_name,
        app_module=module,
        app_attr=attr,
        steps=steps,
        text_file=text_file,
        success=table.get("success", None),
        starter_fails_at=fails_at,
        browser_always=_browser_setting(table),
        page=_page_plan(meta, meta_path),
        request_headers=tuple(headers.items()),
        requires=tuple(_requirement(table, item) for item in table.get("requires", [])),
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
    # Registered like any imported module: @dataclass (with `from __future__ import
    # annotations`), pickling and typing.get_type_hints look the module up by name.
    sys.modules[name] = module
    try:
        with captured():  # a print() while loading must not reach `grade --json`'s output
            spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise LessonError(f"{path}: raised while loading: {_where(error, path)}") from None
    return module


def _where(error: BaseException, path: Path) -> str:
    line = next(
        (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__)) if frame.filename == str(path)),
        getattr(error, "lineno", None),
    )
    summary = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    return f"line {line}: {summary}" if line else summary


class _Table:
    """One table of lesson.toml (the top level, or one [[steps]] entry), checked against its
    schema: unknown fields and wrong types are errors naming the file, line and field."""

    def __init__(self, path: Path, text: str, raw: Any, fields: Mapping[str, Field], step: int | None) -> None:
        self.path, self.text, self.fields, self.step = path, text, fields, step
        if not isinstance(raw, dict):
            raise LessonError(f"{path}: steps[{step}] must be a table ([[steps]]) with id, title and hints")
        self.raw: dict[str, Any] = raw
        for key, value in raw.items():
            field = fields.get(key)
            if field is None:
                raise self.error(key, f"is not a field of {self._what()}{did_you_mean(key, fields)}")
            if not field.accepts(value):
                raise self.error(key, f"must be {field.describe()}, not {_shown_type(value)}")
        for key, field in fields.items():
            if field.required and key not in raw:
                raise self.error(key, f"missing '{key}' ({field.describe()}, required)", bare=True)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def error(self, key: str, problem: str, *, step: int | None = None, bare: bool = False) -> LessonError:
        step = self.step if step is None else step
        line = key_line(self.text, key, step)
        if line is None and step is not None:
            line = key_line(self.text, "id", step)
        where = f"{self.path}, line {line}" if line else str(self.path)
        if step is not None:
            where += f" (step {step + 1}{self._id(step)})"
        return LessonError(f"{where}: {problem}" if bare else f"{where}: '{key}' {problem}")

    def _what(self) -> str:
        return "a step" if self.step is not None else "a lesson"

    def _id(self, step: int) -> str:
        step_id = self.raw.get("id") if step == self.step else None
        return f", id '{step_id}'" if isinstance(step_id, str) else ""


def _step(table: _Table) -> Step:
    return Step(
        id=table.get("id"),
        title=table.get("title"),
        hints=tuple(table.get("hints", [])),
        browser=table.get("browser", False),
    )


_PACKAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _requirement(table: _Table, item: str) -> Requirement:
    package, _, module = item.partition(":")
    module = module or package.replace("-", "_").lower()
    if not _PACKAGE.fullmatch(package) or not _MODULE.fullmatch(module):
        raise table.error(
            "requires",
            f'items are package names, such as "itsdangerous", or "package:module" when the module '
            f'imported has another name, such as "python-jose:jose"; not {item!r}',
        )
    return Requirement(package, module)


def _browser_setting(table: _Table) -> bool:
    setting: str = table.get("browser", "optional")
    if setting not in {"always", "optional"}:
        raise table.error(
            "browser",
            'must be "always" (browser steps run in every grade) or "optional" (only with grade --browser), '
            f"not {setting!r}",
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
    """`table[key]` checked to be a `kind`, for tables the schema leaves to their reader."""
    if key not in table:
        if default is _MISSING:
            raise LessonError(f"{where}: missing '{key}'")
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise LessonError(f"{where}: '{key}' must be {kind.__name__}, not {type(value).__name__}")
    return value


def _closest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _shown_type(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true or false)"
    if isinstance(value, list):
        return f"the list {value!r}" if len(repr(value)) < 60 else "a list of something else"
    if isinstance(value, dict):
        return "a table holding other things"
    return f"{value!r} ({type(value).__name__})"
