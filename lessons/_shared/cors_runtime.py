"""The registration step judged on what the grader itself can see: the file's CORSMiddleware
registration, checked against the middleware the running app reports (Source.runtime_app()).

The running app's report is written by the learner's own process, so it is a claim: it may
veto a pass (a registration the file shows but the app lacks never took effect: `False and
app.add_middleware(...)`, `if 1 == 2:`, `app.user_middleware.clear()`; settings the app got
that the file does not pass), or explain a failure (computed settings that hold the wrong
values), but never grant one. The middleware's identity comes from the file. Where only the
report could confirm a pass (a registration the grader cannot follow, settings the file
computes), the pass rests on the wire: it stands only when the live steps pass.
"""

from __future__ import annotations

import re
from dataclasses import replace

from grader import Failure, Registration, ServedMiddleware, Source, Value

from _shared.cors_static import CORS_MIDDLEWARE, PARAMETERS, cors_registration

# Later code that can undo a registration: emptying the list, or putting another app in place.
UNDOING = re.compile(r"user_middleware|middleware_stack|globals\(\)|setattr\(")
# The report cuts long values (served.py): longer ones are not compared.
MAX_COMPARED = 1000


def effective_registration(source: Source, uses: tuple[str, ...] | None = None) -> tuple[Registration, str]:
    """The CORSMiddleware registration that takes effect, and a note for the pass message
    ("" when the file alone says it all). Fails when the file and the running app disagree.
    `uses` names the settings the calling check judges (default: all): only those, when the
    file computes them, make its pass rest on the wire."""
    try:
        registration = cors_registration(source)
    except Failure as failure:
        return _unfollowed(source, failure, uses)
    served_app = source.runtime_app()
    if served_app is None:  # no running app to ask (a mutant in `lessons verify`): the file decides
        return registration, ""
    found = served_app.middleware_of(*CORS_MIDDLEWARE)
    if not found:
        raise _never_took_effect(source, registration, served_app.middleware)
    return _with_runtime_values(source, registration, _agreeing(registration, found), uses)


def _unfollowed(source: Source, failure: Failure, uses: tuple[str, ...] | None) -> tuple[Registration, str]:
    """A registration of the real CORSMiddleware that the file shows on the served app's name
    but the grader could not follow there (a helper that sets a global app, say): it counts
    only if the running app does not deny it, and then rests on the app's answers. Without
    such a line in the file, the failure stands, whatever the running app says of itself."""
    named = [
        r for r in source.middleware_registrations(PARAMETERS)
        if r.is_one_of(CORS_MIDDLEWARE) and r.placement.runs and r.kind == "add_middleware"
        and (r.on_served_app or r.target == source.app or source.app in r.passed_names)
    ]
    served_app = source.runtime_app()
    found = served_app.middleware_of(*CORS_MIDDLEWARE) if served_app else ()
    if not named or not found:
        raise failure
    registration = named[-1]
    source.rest_on_wire(
        f"it cannot follow line {registration.line}'s registration to the app uvicorn serves", registration.line
    )
    registration = replace(registration, on_served_app=True)
    return _with_runtime_values(source, registration, _agreeing(registration, found), uses)


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


def _with_runtime_values(
    source: Source, registration: Registration, served: ServedMiddleware, uses: tuple[str, ...] | None
) -> tuple[Registration, str]:
    """Settings the file computes, read as the running app reports them: enough to explain a
    wrong value, and a pass on them rests on the wire. A setting the app got but the file
    does not pass, or passes with another value, vetoes the pass: later code changed it."""
    filled: dict[str, Value] = dict(registration.arguments)
    read: dict[str, str] = {}
    for name, value in registration.arguments.items():
        if value.known or name not in served.options:
            continue
        literal = _literal(served.options[name])
        if literal is None:
            continue
        filled[name] = Value(code=value.code, line=value.line, literal=literal, via=value.via)
        read[name] = f"{name} held {literal!r}"
    if registration.opaque:
        for name, option in served.options.items():
            literal = _literal(option)
            if name not in filled and literal is not None:
                filled[name] = Value(code=repr(literal), line=registration.line, literal=literal)
                read[name] = f"{name} held {literal!r}"
    judged = [name for name in read if uses is None or name in uses]
    if not judged:
        return replace(registration, arguments=filled, opaque=False), ""
    lines = sorted({filled[name].line for name in judged})
    where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
    source.rest_on_wire(f"it cannot read {', '.join(judged)} from {where}", lines[0])
    changed = replace(registration, arguments=filled, opaque=False)
    return changed, f" (Your running app says it got: {', '.join(read[name] for name in judged)}.)"


def _agreeing(registration: Registration, found: tuple[ServedMiddleware, ...]) -> ServedMiddleware:
    """The running app's CORSMiddleware that agrees with the file's registration (an app may
    hold several); when none does, the veto for the outermost one (the last added)."""
    for served in found:
        if _conflict(registration, served) is None:
            return served
    raise _conflict(registration, found[0]) or AssertionError("a conflict that went away")


def _conflict(registration: Registration, served: ServedMiddleware) -> Failure | None:
    """A Failure when the running app's CORSMiddleware got a setting the file does not give it,
    or a value other than the one the file writes: code after the registration changed it."""
    line = registration.line
    for name, option in served.options.items():
        value = registration.argument(name)
        if value is None and registration.opaque:
            continue
        got = _literal(option)
        if value is None:
            return Failure(
                f"Line {line} adds CORSMiddleware without {name}, but your running app's CORSMiddleware "
                f"got {name}={got if got is not None else option!r}: code after line {line} changed its "
                "settings, so the file no longer says what your app does.",
                line=line,
                hint=f"Pass every setting in the call on line {line}, and remove the code that changes them afterwards.",
            )
        comparable = value.known and _plain(value.literal) and _plain(got) and len(repr(value.literal)) < MAX_COMPARED
        if comparable and _comparable(value.literal) != _comparable(got):
            return Failure(
                f"Line {value.line} passes {name}={value.code}, but your running app's CORSMiddleware got "
                f"{name}={got!r}: code after line {line} changed it, so the file no longer says what your "
                "app does.",
                line=value.line,
                hint=f"Keep the setting as line {value.line} writes it, and remove the code that changes it afterwards.",
            )
    return None


def _plain(value: object) -> bool:
    """Text, numbers and containers of them: what the report carries as it is (anything else
    it describes by a tag, which says nothing to compare)."""
    if isinstance(value, list | tuple | set | frozenset):
        return all(_plain(item) for item in value)
    return value is None or isinstance(value, str | int | float)


def _comparable(value: object) -> object:
    """The same items in any container compare equal (the report sends sets as sorted lists)."""
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_comparable(item) for item in value), key=repr)
    return value


def _literal(option: object) -> object | None:
    """An option as the app got it, when it is plain data (text, numbers, lists of them)."""
    if isinstance(option, dict):
        pattern = option.get("pattern")
        return pattern if isinstance(pattern, str) else None
    return option
