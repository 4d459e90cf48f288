"""What the learner's running app says it holds, as reported by the child that loaded it.

The child reads the app object after the learner's module ran and sends plain data. Learner
code runs in that process and can forge all of it (a class's name, the middleware list, the
whole event), so the grader trusts it only as data, dropping anything not of the expected
shape, and only as a claim: it may explain a failure or veto a pass, never grant one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A value the child describes: text, numbers, lists of them, or a small tagged object
# ({"callable": name, "line": n}, {"pattern": text}, {"repr": text, "type": name}).
MAX_ITEMS = 64
MAX_TEXT = 2000
MAX_DEPTH = 4


@dataclass(frozen=True)
class ServedMiddleware:
    """One middleware of the served app, in the order the app lists it (outermost last)."""

    cls: str  # the class's qualified name as loaded, e.g. "starlette.middleware.gzip.GZipMiddleware"
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cls.rsplit(".", 1)[-1]

    def is_one_of(self, *qualified: str) -> bool:
        """Whether this is one of the classes named by `qualified` (re-exports count: FastAPI's
        `fastapi.middleware.gzip.GZipMiddleware` is Starlette's class)."""
        return any(self.name == q.rsplit(".", 1)[-1] and _same_family(self.cls, q) for q in qualified)


@dataclass(frozen=True)
class ServedApp:
    """The app object uvicorn serves: its attribute, type name and middleware."""

    attr: str
    type: str
    middleware: tuple[ServedMiddleware, ...] = ()

    def middleware_of(self, *qualified: str) -> tuple[ServedMiddleware, ...]:
        return tuple(m for m in self.middleware if m.is_one_of(*qualified))


def served_app_from(data: object) -> ServedApp | None:
    """A ServedApp from the child's report, or None when it is not of the expected shape."""
    if not isinstance(data, dict):
        return None
    attr, kind, middleware = data.get("attr"), data.get("type"), data.get("middleware")
    if not isinstance(attr, str) or not isinstance(kind, str) or not isinstance(middleware, list):
        return None
    found = []
    for item in middleware[:MAX_ITEMS]:
        if not isinstance(item, dict) or not isinstance(item.get("cls"), str):
            return None
        options = item.get("options", {})
        if not isinstance(options, dict) or not all(isinstance(key, str) for key in options):
            return None
        if not all(_plain(value, 0) for value in options.values()):
            return None
        found.append(ServedMiddleware(item["cls"][:MAX_TEXT], dict(list(options.items())[:MAX_ITEMS])))
    return ServedApp(attr[:MAX_TEXT], kind[:MAX_TEXT], tuple(found))


def _plain(value: object, depth: int) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return len(value) <= MAX_ITEMS and all(_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return len(value) <= MAX_ITEMS and all(
            isinstance(key, str) and _plain(item, depth + 1) for key, item in value.items()
        )
    return False


def _same_family(loaded: str, asked: str) -> bool:
    # FastAPI re-exports Starlette's middleware classes under fastapi.middleware.*.
    def family(name: str) -> str:
        return name.split(".", 1)[0].replace("fastapi", "starlette")

    return loaded == asked or family(loaded) == family(asked)
