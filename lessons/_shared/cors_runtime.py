"""The registration step judged on what really runs: the file's CORSMiddleware registration
compared with the middleware the loaded app holds (Source.runtime_app()).

The two must agree. A registration the file shows but the app lacks never took effect
(`False and app.add_middleware(...)`, `if 1 == 2:`, `app.user_middleware.clear()`, a local
class named CORSMiddleware); a registration the grader cannot follow in the file but the
app has (a helper called in a loop, both branches of an if) passes, with a note; settings
the file computes (`os.environ.get(...).split(",")`) are judged on the values the app got.
"""

from __future__ import annotations

import re
from dataclasses import replace

from grader import Failure, Registration, ServedMiddleware, Source, Value
from grader.static.placement import AT_MODULE_LEVEL

from _shared.cors_static import CORS_MIDDLEWARE, cors_registration

# Later code that can undo a registration: emptying the list, or putting another app in place.
UNDOING = re.compile(r"user_middleware|middleware_stack|globals\(\)|setattr\(")


def effective_registration(source: Source) -> tuple[Registration, str]:
    """The CORSMiddleware registration that takes effect, and a note for the pass message
    ("" when the file alone says it all). Fails when the file and the running app disagree."""
    try:
        registration = cors_registration(source)
    except Failure:
        served = _served_cors(source)
        if served is None:
            raise
        line = _likely_line(source)
        note = (
            f" The grader could not follow this registration in {source.name}, but your running app "
            f"has CORSMiddleware, so it counts."
        )
        return _from_runtime(served, line), note
    served_app = source.runtime_app()
    if served_app is None:  # no running app to ask (a mutant in `lessons verify`): the file decides
        return registration, ""
    found = served_app.middleware_of(*CORS_MIDDLEWARE)
    if not found:
        raise _never_took_effect(source, registration, served_app.middleware)
    return _with_runtime_values(registration, found[-1])


def _served_cors(source: Source) -> ServedMiddleware | None:
    served_app = source.runtime_app()
    found = served_app.middleware_of(*CORS_MIDDLEWARE) if served_app else ()
    return found[-1] if found else None


def _never_took_effect(source: Source, registration: Registration, others: tuple[ServedMiddleware, ...]) -> Failure:
    line = registration.line
    shadow = [m for m in others if m.name == "CORSMiddleware"]
    if shadow:
        return Failure(
            f"Line {line} adds a CORSMiddleware, but not FastAPI's: the class your app really uses is "
            f"`{shadow[0].cls}`, defined in your own code, which hides the one imported from "
            "fastapi.middleware.cors.",
            line=line,
            hint="Remove or rename your own class named CORSMiddleware, and pass the imported one.",
        )
    later = [
        number
        for number, text in enumerate(source.text.splitlines(), start=1)
        if number > line and UNDOING.search(text) and not text.lstrip().startswith("#")
    ]
    if later:
        why = f"line {later[0]} undoes it afterwards (`{source.text.splitlines()[later[0] - 1].strip()}`)"
        hint = f"Remove line {later[0]}: the middleware added on line {line} should stay on the app."
        where = later[0]
    else:
        code = source.text.splitlines()[line - 1].strip() if line <= len(source.text.splitlines()) else ""
        why = (
            "Python never runs it: it sits behind a condition that is false, in a loop over nothing, "
            f"or in an expression that skips the call (`{code}`)"
        )
        hint = "Write the call on a line of its own, at the top level of the file: `app.add_middleware(CORSMiddleware, ...)`."
        where = line
    return Failure(
        f"Line {line} adds CORSMiddleware, but the app uvicorn serves has no CORSMiddleware once "
        f"{source.name} has loaded, so that line never took effect: {why}.",
        line=where,
        hint=hint,
    )


def _with_runtime_values(registration: Registration, served: ServedMiddleware) -> tuple[Registration, str]:
    """Settings the file computes are judged on the values the running app received."""
    filled: dict[str, Value] = dict(registration.arguments)
    read: list[str] = []
    for name, value in registration.arguments.items():
        if value.known or name not in served.options:
            continue
        literal = _literal(served.options[name])
        if literal is None:
            continue
        filled[name] = Value(code=value.code, line=value.line, literal=literal, via=value.via)
        read.append(f"{name} held {literal!r}")
    if registration.opaque:
        for name, option in served.options.items():
            literal = _literal(option)
            if name not in filled and literal is not None:
                filled[name] = Value(code=repr(literal), line=registration.line, literal=literal)
                read.append(f"{name} held {literal!r}")
    if not read:
        return registration, ""
    changed = replace(registration, arguments=filled, opaque=False)
    return changed, f" (The grader read what your running app got: {', '.join(read)}.)"


def _literal(option: object) -> object | None:
    """An option as the app got it, when it is plain data (text, numbers, lists of them)."""
    if isinstance(option, dict):
        pattern = option.get("pattern")
        return pattern if isinstance(pattern, str) else None
    return option


def _from_runtime(served: ServedMiddleware, line: int) -> Registration:
    arguments = {
        name: Value(code=repr(literal), line=line, literal=literal)
        for name, option in served.options.items()
        if (literal := _literal(option)) is not None
    }
    return Registration(
        kind="add_middleware",
        middleware=frozenset(CORS_MIDDLEWARE),
        middleware_code="CORSMiddleware",
        target=None,
        line=line,
        placement=AT_MODULE_LEVEL,
        on_served_app=True,
        before_app=False,
        arguments=arguments,
        opaque=False,
    )


def _likely_line(source: Source) -> int:
    """The line that names CORSMiddleware in a call, for `at FILE:LINE`."""
    for number, text in enumerate(source.text.splitlines(), start=1):
        if "CORSMiddleware" in text and "import" not in text and not text.lstrip().startswith("#"):
            return number
    return 1
