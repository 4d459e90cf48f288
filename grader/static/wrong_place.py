"""Why a middleware registration does not reach the app uvicorn serves, in a beginner's words.

`Source.expect_registration` is the way in: it returns the registration that takes effect,
or raises the Failure that best explains the attempt (worded from the class's own name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from grader.static.parsed import AppBinding, ParsedFile
from grader.static.registrations import Registration
from grader.static.placement import MAIN_GUARD_REASON
from grader.static.registrations import registrations_in
from grader.verdict.checks import Failure

ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
# FastAPI()'s own keywords: never "a middleware setting given to the app by mistake".
APP_KEYWORDS = frozenset(
    {"debug", "title", "summary", "description", "version", "middleware", "lifespan", "routes", "root_path"}
)
# Calls that start a server and return only when it stops.
SERVER_STARTS = ("uvicorn.run", "uvicorn.main.run")


@dataclass(frozen=True)
class Wanted:
    """The middleware a step asks for, and how messages show it."""

    qualified: tuple[str, ...]  # e.g. ("fastapi.middleware.gzip.GZipMiddleware", "starlette...")
    params: tuple[str, ...]
    app: str
    example: str  # a registration to copy, shown in hints

    @property
    def name(self) -> str:
        return self.qualified[0].rpartition(".")[2]

    @property
    def module(self) -> str:
        return self.qualified[0].rpartition(".")[0]

    @property
    def short(self) -> str:
        return f"{self.app}.add_middleware({self.name}, ...)"


def expect_served_app(source: ParsedFile, app: str) -> AppBinding:
    """The app uvicorn serves, or a Failure when the file has none or `app` holds something else."""
    binding = source.served_app(app)
    if binding is None:
        other = _app_named_otherwise(source, app)
        if other is not None:
            other_name, other_line = other
            raise Failure(
                f"Line {other_line} creates the app as `{other_name}`, but uvicorn serves the variable "
                f"named `{app}` ({source.path.stem}:{app}), so it finds no app.",
                line=other_line,
                hint=f"Rename `{other_name}` to `{app}` on line {other_line} and everywhere after it "
                f"(`@{app}.get`, `{app}.add_middleware`).",
            )
        raise Failure(
            f"{source.name} has no `{app} = FastAPI()` at the top level, so there is no app "
            "for uvicorn to serve and nothing to add the middleware to.",
            hint=f"Keep the line `{app} = FastAPI(...)` from the starter at the top level of the file.",
        )
    name, line, code = binding.name, binding.line, binding.code
    if binding.is_app:
        return binding
    if binding.kind == "tuple":
        raise Failure(
            f"Line {line} ends with a comma: `{name} = {code}` makes `{name}` a tuple holding the app, "
            "not the app itself.",
            line=line,
            hint="Remove the comma at the end of the line.",
        )
    if binding.kind == "class":
        raise Failure(
            f"Line {line} sets `{name} = {code}`: that is the FastAPI class itself, not an app. "
            "Add parentheses to create one.",
            line=line,
            hint=f"Write `{name} = FastAPI()`.",
        )
    if binding.kind == "literal":
        raise Failure(
            f"Line {line} sets `{name} = {code}`, so when the file finishes loading `{name}` holds {code} "
            "instead of your FastAPI app, and uvicorn has nothing to serve.",
            line=line,
            hint=f"Remove line {line}: create the app once with `{name} = FastAPI(...)`.",
        )
    return binding  # made by a call the grader cannot follow: give it the benefit of the doubt


def expect_registration(source: ParsedFile, wanted: Wanted) -> Registration:
    """The registration of `wanted` that takes effect on the served app, or the best Failure."""
    binding = source.served_app(wanted.app)
    if binding is not None and not binding.is_app and binding.made_by & set(wanted.qualified):
        raise Failure(
            f"Line {binding.line} wraps the app by hand: `{binding.name} = {binding.code}`. That does add "
            f"{wanted.name}, but this step registers the middleware the FastAPI way, with "
            f"{binding.name}.add_middleware(...), so `{binding.name}` stays a FastAPI app (with its routes, "
            "docs and settings).",
            line=binding.line,
            hint=f"Keep `{binding.name} = FastAPI(...)` and add: {wanted.example}",
        )
    binding = expect_served_app(source, wanted.app)
    registrations = registrations_in(source, wanted.params, wanted.app)
    matching = [r for r in registrations if r.is_one_of(wanted.qualified)]
    effective = [r for r in matching if r.on_served_app]
    if effective:
        return effective[-1]
    if matching:
        raise _misplaced(sorted(matching, key=lambda r: not r.placement.runs)[0], binding, wanted, source)
    raise _not_registered(source, registrations, binding, wanted)


def _misplaced(registration: Registration, binding: AppBinding, wanted: Wanted, source: ParsedFile) -> Failure:
    line, app, app_line, name = registration.line, binding.name, binding.line, wanted.name
    served = f"{source.path.stem}:{app}"
    move = f"Call `{wanted.short}` at the top level of the file, below line {app_line}."
    if not registration.placement.runs:
        return Failure(
            f"Line {line} adds {name} {registration.placement.reason}, so it never takes effect.",
            line=line,
            hint=move,
        )
    replaced = _replaced_app(source, app, line, app_line) if registration.before_app else None
    if replaced is not None:
        return Failure(
            f"Line {app_line} creates a second app, which replaces the one from line {replaced} that "
            f"line {line} added {name} to: uvicorn serves the new one, without the middleware (and "
            "without the routes defined before it).",
            line=app_line,
            hint=f"Delete line {app_line}: create the app once.",
        )
    if registration.before_app:
        return Failure(
            f"Line {line} adds {name} before line {app_line} creates the app uvicorn serves, so "
            "that app never gets it (or Python stops with a NameError).",
            line=line,
            hint=move,
        )
    if registration.kind == "middleware_list":
        return Failure(
            f"Line {line} lists {name} for a FastAPI app that is not `{app}`, the one uvicorn serves.",
            line=line,
            hint=move,
        )
    target = registration.target or "another object"
    if target == app and registration.placement.function:
        return Failure(
            f"Line {line} adds {name} to an `{app}` that belongs to the function "
            f"{registration.placement.function}(): a different app from the one uvicorn serves "
            f"(line {app_line}), so the middleware never sees a request.",
            line=line,
            hint=move,
        )
    if registration.target_made_by & ROUTER_CLASSES:
        return Failure(
            f"Line {line} calls add_middleware on `{target}`, an APIRouter. Routers have no middleware of "
            "their own (Python stops with an AttributeError): the middleware goes on the app.",
            line=line,
            hint=move,
        )
    if registration.passed_names and app not in registration.passed_names:
        given = ", ".join(f"`{passed}`" for passed in registration.passed_names)
        return Failure(
            f"Line {line} adds {name} to `{target}`, and the function is called with {given}, "
            f"but uvicorn serves `{app}` ({served}), so the middleware never sees a request.",
            line=line,
            hint=f"Call the function with `{app}`, the app uvicorn serves.",
        )
    return Failure(
        f"Line {line} adds {name} to `{target}`, but uvicorn serves `{app}` ({served}), "
        "so the middleware never sees a request.",
        line=line,
        hint=move,
    )


def expect_registered_once(source: ParsedFile, wanted: Wanted, why: str = "") -> None:
    """Fails when `wanted` is registered on the served app more than once: each registration
    is one more layer around the app, and their settings are never merged. `why` says what
    two layers of this middleware do."""
    found = [
        r for r in registrations_in(source, wanted.params, wanted.app)
        if r.is_one_of(wanted.qualified) and r.on_served_app
    ]
    if len(found) < 2:
        return
    first, last = found[0], found[-1]
    merged: dict[str, str] = {}
    disagree: list[str] = []
    for registration in found:
        for name, value in registration.arguments.items():
            if merged.setdefault(name, value.code) != value.code and name not in disagree:
                disagree.append(name)
    together = ", ".join([wanted.name, *(f"{name}={code}" for name, code in merged.items())])
    hint = f"Keep one registration with every setting in it, and delete the other: {wanted.app}.add_middleware({together})"
    if disagree:
        hint = (
            f"Keep one {wanted.short} with every setting it needs, and delete the other. The two "
            f"disagree on {', '.join(disagree)}: keep the value this step asks for."
        )
    raise Failure(
        f"Line {last.line} adds {wanted.name} a second time (line {first.line} added it already): each "
        "registration is one more layer around the app, with only its own settings; the two are "
        f"never merged.{' ' + why if why else ''}",
        line=last.line,
        hint=hint,
    )


def expect_before_server_start(source: ParsedFile, registration: Registration, name: str) -> None:
    """Fails when a `uvicorn.run(...)` under the main guard sits above the registration: under
    `python main.py` it serves the app before the registration runs (uvicorn main:app works)."""
    blocks = [
        (source.line_of(statement), source.last_line_of(statement))
        for statement in source.module.body
        if isinstance(statement, cst.If)
    ]
    runs = [
        source.line_of(call)
        for call, place in source.layout.calls
        if place.reason == MAIN_GUARD_REASON and source.qualified_names(call.func) & set(SERVER_STARTS)
        # below the whole `if` (a registration in its `else:` is a choice, not an oversight)
        and any(start <= source.line_of(call) <= end < registration.line for start, end in blocks)
        # uvicorn.run("main:app") imports the module afresh, and that import runs the whole file
        and not (call.args and isinstance(call.args[0].value, cst.SimpleString | cst.ConcatenatedString))
    ]
    if not runs:
        return
    started, line = runs[0], registration.line
    raise Failure(
        f"Line {line} adds {name} below the `if __name__ == \"__main__\":` block, whose "
        f"uvicorn.run(...) on line {started} starts the server. Started with `python {source.name}`, "
        f"Python runs the file from the top: the server starts on line {started} with the app as it is "
        f"then, without {name}, and line {line} runs only once the server has stopped. (Started "
        f"with `uvicorn {source.path.stem}:{source.app}`, as the grader does, it happens to work.)",
        line=line,
        hint="Move the `if __name__ == \"__main__\":` block to the very end of the file, below every "
        "add_middleware and route.",
    )


def _app_named_otherwise(source: ParsedFile, app: str) -> tuple[str, int] | None:
    """A top-level `other = FastAPI()` when nothing is named `app`: the learner renamed it."""
    for target, value, place, stmt in source.layout.assignments:
        if target != app and place.runs and place.function is None and source._is_app_call(value):
            return target, source.line_of(stmt)
    return None


def _replaced_app(source: ParsedFile, app: str, line: int, app_line: int) -> int | None:
    """The line of an earlier `app = FastAPI()` that a later one (on `app_line`) replaced,
    when the registration on `line` went to the earlier one."""
    earlier = [
        source.line_of(stmt)
        for target, value, place, stmt in source.layout.assignments
        if target == app and place.runs and place.function is None and source._is_app_call(value)
    ]
    return next((found for found in earlier if found < line < app_line), None)


def _not_registered(
    source: ParsedFile, registrations: Sequence[Registration], binding: AppBinding, wanted: Wanted
) -> Failure:
    name = wanted.name
    stem = name.lower().removesuffix("middleware") or name.lower()
    for registration in registrations:
        code, line = registration.middleware_code, registration.line
        if stem not in code.lower():
            continue
        if code.startswith(("'", '"')):
            return Failure(
                f"Line {line} passes the text {code}; add_middleware needs the class itself.",
                line=line,
                hint=f"Remove the quotes: {wanted.short}.",
            )
        if "(" in code:
            return Failure(
                f"Line {line} passes {code}, an object already built; add_middleware "
                "wants the class, with the settings as its own arguments.",
                line=line,
                hint=f"Write {wanted.example}.",
            )
        later = [f for f in source.imports_of(*wanted.qualified) if f.bound_as == code and f.line > line]
        if later:
            return Failure(
                f"Line {line} uses {name} before line {later[0].line} imports it, so "
                "Python stops there with a NameError.",
                line=line,
                hint="Move the import to the top of the file.",
            )
        imported = [f for f in source.imports_of(*wanted.qualified) if f.placement.runs]
        if code.rpartition(".")[2].lower() == name.lower() and not imported:
            return Failure(
                f"Line {line} passes `{code}`, but {source.name} does not import {name} yet: fix the "
                "import first (the step before this one); this step is checked once it passes.",
                line=line,
                hint=f"Add `from {wanted.module} import {name}` at the top of the file.",
            )
        if code.lower() == name.lower() and code != name:
            return Failure(
                f"Line {line} passes `{code}`, but the class is spelled `{name}` (Python names are "
                f"case-sensitive), so Python stops with a NameError.",
                line=line,
                hint=f"Write {wanted.short}.",
            )
        return Failure(
            f"Line {line} passes `{code}`, which is not the {name} class imported from {wanted.module}.",
            line=line,
            hint=f"Import it with `from {wanted.module} import {name}` and pass {name}.",
        )
    return _near_registration(source, binding, wanted) or Failure(
        f"{source.name} does not add {name} to the app yet (the app is created on line {binding.line}).",
        line=binding.line,
    )


def _near_registration(source: ParsedFile, binding: AppBinding, wanted: Wanted) -> Failure | None:
    """Attempts that are not registrations: a misspelled method, the class in a middleware
    list without Middleware(...), or the middleware's settings handed to FastAPI() itself."""
    name = wanted.name
    for call, place in source.layout.calls:
        if not (place.runs and isinstance(call.func, cst.Attribute) and call.args):
            continue
        method = call.func.attr.value
        if name in source.code_of(call.args[0].value) and method == "middleware":
            line = source.line_of(call)
            return Failure(
                f"Line {line} calls `{source.code_of(call.func)}(...)`: FastAPI's `middleware` is the "
                'decorator for middleware functions (`@app.middleware("http")`), which takes only the kind '
                "of request; given a class and settings, Python stops with a TypeError. A middleware class "
                "is added with add_middleware.",
                line=line,
                hint=f"Write {wanted.short}.",
            )
        if name in source.code_of(call.args[0].value) and method != "add_middleware":
            line = source.line_of(call)
            return Failure(
                f"Line {line} calls `{source.code_of(call.func)}(...)`, but a FastAPI app has no method "
                f"`{method}`, so Python stops with an AttributeError. The method is add_middleware.",
                line=line,
                hint=f"Write {wanted.short}.",
            )
    for arg in binding.call.args if binding.call else ():
        keyword = arg.keyword.value if arg.keyword else None
        line = source.line_of(arg)
        if keyword == "middleware" and name in source.code_of(arg.value):
            return Failure(
                f"Line {line} lists {name} in FastAPI(middleware=[...]) without wrapping it: each "
                f"entry must be Middleware({name}, ...), with Middleware imported from fastapi.middleware.",
                line=line,
                hint=f"Or, simpler: keep {binding.name} = FastAPI() and call {wanted.short} below it.",
            )
        if keyword in wanted.params and keyword not in APP_KEYWORDS:
            return Failure(
                f"Line {line} gives {keyword} to FastAPI() itself, which quietly ignores it: {keyword} is "
                f"a setting of {name}, so it belongs in the middleware's registration.",
                line=line,
                hint=f"Move it into {binding.name}.add_middleware({name}, {keyword}=..., ...).",
            )
    return None
