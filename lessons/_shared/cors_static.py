"""Static checks the CORS lessons share: finding CORSMiddleware and reading its settings."""

from __future__ import annotations

import difflib

import libcst as cst

from grader import Failure, Source
from grader.source import AppBinding, ImportFound, Registration, Value

CORS_MIDDLEWARE = (
    "fastapi.middleware.cors.CORSMiddleware",
    "starlette.middleware.cors.CORSMiddleware",
)
IMPORT_LINE = "from fastapi.middleware.cors import CORSMiddleware"
# CORSMiddleware's parameters after the wrapped app, in order, to read positional arguments.
PARAMETERS = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "allow_origin_regex",
    "allow_private_network",
    "expose_headers",
    "max_age",
)
WHAT_IT_ALLOWS = {"allow_origins": "origin", "allow_methods": "method", "allow_headers": "request header"}
WHEN_MISSING = {
    "allow_origins": "so no origin is allowed at all (the default is an empty list)",
    "allow_methods": "so only GET is allowed (the default), and a browser's DELETE or PUT is refused",
    "allow_headers": "so only the few headers every browser allows get through, and a frontend that "
    "sends an Authorization token or a custom header is refused",
}
APP_NAME = "app"
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})


def expect_cors_import(source: Source) -> ImportFound:
    """The import of CORSMiddleware that runs when the file loads, or the best Failure."""
    try:
        return source.expect_import(*CORS_MIDDLEWARE, statement=IMPORT_LINE)
    except Failure as failure:
        if failure.line is not None:  # a precise finding: a dead, misspelled or misplaced import
            raise
        raise _no_import(source) or failure from None


def _no_import(source: Source) -> Failure | None:
    """No import at all: say more when the file uses the class anyway, or sets CORS
    headers by hand."""
    used = [r for r in source.middleware_registrations(PARAMETERS) if "CORSMiddleware" in r.middleware_code]
    if used and "." in used[0].middleware_code:
        return Failure(
            f"Line {used[0].line} reaches the class as `{used[0].middleware_code}`, but {source.name} never "
            "imports the module fastapi.middleware.cors itself, and importing the package alone does not "
            "load it, so Python stops with an AttributeError.",
            line=used[0].line,
            hint=f"Import the class directly: {IMPORT_LINE}",
        )
    if used:
        return Failure(
            f"Line {used[0].line} uses CORSMiddleware, but {source.name} never imports it, so Python "
            "stops with a NameError when it reaches that line.",
            line=used[0].line,
            hint=f"Add `{IMPORT_LINE}` at the top of the file.",
        )
    if "access-control-allow-origin" in source.text.lower():
        return Failure(
            f"{source.name} does not import CORSMiddleware: it seems to set the CORS headers by hand. "
            "Browsers accept hand-written headers when they are complete, but this lesson uses "
            "CORSMiddleware, which also answers preflights correctly for every route.",
            hint=f"Add `{IMPORT_LINE}` and register it (step 2) in place of the hand-written headers.",
        )
    return None


def cors_registration(source: Source) -> Registration:
    """The CORSMiddleware registration that takes effect on the served app, or a Failure."""
    binding = source.served_app(APP_NAME)
    if binding is None:
        raise Failure(
            f"{source.name} has no `{APP_NAME} = FastAPI()` at the top level, so there is no app "
            "for uvicorn to serve and nothing to add the middleware to.",
            hint=f"Keep the line `{APP_NAME} = FastAPI(...)` from the starter at the top level of the file.",
        )
    if not binding.is_app:
        _check_binding(binding)
    registrations = source.middleware_registrations(PARAMETERS, app=APP_NAME)
    cors = [r for r in registrations if r.is_one_of(CORS_MIDDLEWARE)]
    effective = [r for r in cors if r.on_served_app]
    if effective:
        return effective[-1]
    if cors:
        raise _misplaced(sorted(cors, key=lambda r: not r.placement.runs)[0], binding.name, binding.line)
    raise _not_registered(source, registrations, binding.line)


def _check_binding(binding: AppBinding) -> None:
    """Fail when what `app` ends up holding is clearly not a FastAPI app."""
    name, line, code = binding.name, binding.line, binding.code
    if binding.made_by & set(CORS_MIDDLEWARE):
        raise Failure(
            f"Line {line} wraps the app by hand: `{name} = {code}`. That does send CORS headers, but "
            f"this step registers the middleware the FastAPI way, with {name}.add_middleware(...), so "
            f"`{name}` stays a FastAPI app (with its routes, docs and settings).",
            line=line,
            hint=f"Keep `{name} = FastAPI(...)` and add: {name}.add_middleware(CORSMiddleware, allow_origins=[\"*\"], ...)",
        )
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


def _misplaced(registration: Registration, app: str, app_line: int) -> Failure:
    line = registration.line
    move = f"Call `{app}.add_middleware(CORSMiddleware, ...)` at the top level of the file, below line {app_line}."
    if not registration.placement.runs:
        return Failure(
            f"Line {line} adds CORSMiddleware {registration.placement.reason}, so it never takes effect.",
            line=line,
            hint=move,
        )
    if registration.before_app:
        return Failure(
            f"Line {line} adds CORSMiddleware before line {app_line} creates the app uvicorn serves, so "
            "that app never gets it (or Python stops with a NameError).",
            line=line,
            hint=move,
        )
    if registration.kind == "middleware_list":
        return Failure(
            f"Line {line} lists CORSMiddleware for a FastAPI app that is not `{app}`, the one uvicorn serves.",
            line=line,
            hint=move,
        )
    target = registration.target or "another object"
    if target == app and registration.placement.function:
        return Failure(
            f"Line {line} adds CORSMiddleware to an `{app}` that belongs to the function "
            f"{registration.placement.function}(): a different app from the one uvicorn serves "
            f"(line {app_line}), so the middleware never sees a request.",
            line=line,
            hint=move,
        )
    if registration.target_made_by & ROUTER_CLASSES:
        return Failure(
            f"Line {line} calls add_middleware on `{target}`, an APIRouter. Routers have no middleware of "
            f"their own (Python stops with an AttributeError): the middleware goes on the app.",
            line=line,
            hint=move,
        )
    if registration.passed_names and app not in registration.passed_names:
        given = ", ".join(f"`{name}`" for name in registration.passed_names)
        return Failure(
            f"Line {line} adds CORSMiddleware to `{target}`, and the function is called with {given}, "
            f"but uvicorn serves `{app}` (main:{app}), so the middleware never sees a request.",
            line=line,
            hint=f"Call the function with `{app}`, the app uvicorn serves.",
        )
    return Failure(
        f"Line {line} adds CORSMiddleware to `{target}`, but uvicorn serves `{app}` (main:{app}), "
        "so the middleware never sees a request.",
        line=line,
        hint=move,
    )


def _not_registered(source: Source, registrations: list[Registration], app_line: int) -> Failure:
    for registration in registrations:
        code = registration.middleware_code
        if "cors" not in code.lower():
            continue
        if code.startswith(("'", '"')):
            return Failure(
                f"Line {registration.line} passes the text {code}; add_middleware needs the class itself.",
                line=registration.line,
                hint="Remove the quotes: app.add_middleware(CORSMiddleware, ...).",
            )
        if "(" in code:
            return Failure(
                f"Line {registration.line} passes {code}, an object already built; add_middleware "
                "wants the class, with the settings as its own arguments.",
                line=registration.line,
                hint='Write app.add_middleware(CORSMiddleware, allow_origins=["*"], ...).',
            )
        later = [f for f in source.imports_of(*CORS_MIDDLEWARE) if f.bound_as == code and f.line > registration.line]
        if later:
            return Failure(
                f"Line {registration.line} uses CORSMiddleware before line {later[0].line} imports it, so "
                "Python stops there with a NameError.",
                line=registration.line,
                hint="Move the import to the top of the file.",
            )
        return Failure(
            f"Line {registration.line} passes `{code}`, which is not the CORSMiddleware class imported "
            "from fastapi.middleware.cors.",
            line=registration.line,
            hint=f"Import it with `{IMPORT_LINE}` and pass CORSMiddleware.",
        )
    return _near_registration(source, app_line) or Failure(
        f"{source.name} does not add CORSMiddleware to the app yet (the app is created on line {app_line}).",
        line=app_line,
    )


def _near_registration(source: Source, app_line: int) -> Failure | None:
    """Attempts that are not registrations: a misspelled method, the class in a middleware
    list without Middleware(...), or the settings handed to FastAPI() itself."""
    for call, place in source.layout.calls:
        if not (place.runs and isinstance(call.func, cst.Attribute) and call.args):
            continue
        method = call.func.attr.value
        if "CORSMiddleware" in source.code_of(call.args[0].value) and method != "add_middleware":
            line = source.line_of(call)
            return Failure(
                f"Line {line} calls `{source.code_of(call.func)}(...)`, but a FastAPI app has no method "
                f"`{method}`, so Python stops with an AttributeError. The method is add_middleware.",
                line=line,
                hint="Write app.add_middleware(CORSMiddleware, ...).",
            )
    binding = source.served_app(APP_NAME)
    call = binding.call if binding else None
    for arg in call.args if call else ():
        keyword = arg.keyword.value if arg.keyword else None
        line = source.line_of(arg)
        if keyword == "middleware" and "CORSMiddleware" in source.code_of(arg.value):
            return Failure(
                f"Line {line} lists CORSMiddleware in FastAPI(middleware=[...]) without wrapping it: each "
                "entry must be Middleware(CORSMiddleware, allow_origins=[...], ...), with Middleware "
                "imported from fastapi.middleware.",
                line=line,
                hint="Or, simpler: keep app = FastAPI() and call app.add_middleware(CORSMiddleware, ...) below it.",
            )
        if keyword in PARAMETERS:
            return Failure(
                f"Line {line} gives {keyword} to FastAPI() itself, which quietly ignores it: the CORS settings "
                "belong to the middleware.",
                line=line,
                hint=f"Move them into app.add_middleware(CORSMiddleware, {keyword}=[...], ...).",
            )
    return None


def unknown_settings(registration: Registration) -> list[str]:
    """A sentence for each keyword CORSMiddleware does not take, with the likely one meant."""
    problems = []
    for name in registration.arguments:
        if name in PARAMETERS:
            continue
        meant = difflib.get_close_matches(name, PARAMETERS, n=1, cutoff=0.6)
        guess = f" (did you mean {meant[0]}?)" if meant else ""
        problems.append(
            f"{name} is not a setting of CORSMiddleware{guess}; the middleware will fail with a "
            "TypeError on the first request"
        )
    return problems


def list_setting_problem(registration: Registration, setting: str, *, wanted: str) -> str | None:
    """Why `setting` is not a list holding `wanted`, in a sentence; None when it is."""
    value = registration.argument(setting)
    fix = f'{setting}=["{wanted}"]'
    if value is None:
        if setting == "allow_origins" and registration.argument("allow_origin_regex") is not None:
            return (
                "allow_origins is missing: allow_origin_regex can allow origins too, but this step "
                f"asks for the plain list: {fix}"
            )
        if registration.opaque:
            return (
                f"the grader cannot see {setting}: it comes through arguments it cannot read; "
                f"write it out as {fix}"
            )
        return f"{setting} is missing, {WHEN_MISSING.get(setting, 'so it keeps its default')}: add {fix}"
    if value.defined_after is not None:
        return (
            f"{setting} uses `{value.via}` on line {value.line}, but `{value.via}` is only assigned on "
            f"line {value.defined_after}, further down, so Python stops with a NameError: move that "
            f"assignment above line {value.line}"
        )
    items = value.strings()
    if items is None:
        return _not_a_list(setting, value, fix)
    if wanted in items:
        return None
    noun = WHAT_IT_ALLOWS.get(setting, "value")
    if not items:
        return f"{setting} is an empty list (line {value.line}), so no {noun} is allowed: use {fix}"
    shown = ", ".join(f'"{item}"' for item in items)
    if any(item.strip() == wanted and item != wanted for item in items):
        return f'{setting} holds {shown} (line {value.line}): the spaces around it make it a different text from "{wanted}": use {fix}'
    if any("," in item for item in items):
        return (
            f"{setting} holds {shown} (line {value.line}): one text with commas in it, not a list of "
            f"several. Each item needs its own quotes, and this step asks for {fix}"
        )
    if wanted == "*":
        return f"{setting} allows only {shown} (line {value.line}), not every {noun}: use {fix}"
    return f"{setting} allows {shown} (line {value.line}), but not {wanted}: use {fix}"


def _not_a_list(setting: str, value: Value, fix: str) -> str:
    named = f" (through {value.via})" if value.via else ""
    if isinstance(value.literal, str) and value.code.startswith("("):
        return f'{setting} is {value.code}: parentheses alone do not make a tuple, a one-item tuple needs a comma. Use {fix}'
    if isinstance(value.literal, str) and value.literal == "*":
        return (
            f'{setting} is the text "*"{named}, not a list. It happens to work, because CORSMiddleware '
            'only asks whether "*" is in it; but on text that test finds any piece of the text, so '
            f'{setting}="https://notes.example.com" would also let in https://notes.example.co. '
            f"This course writes every such setting as a list: {fix}"
        )
    if isinstance(value.literal, str):
        return (
            f'{setting} is the text "{value.literal}"{named}, not a list: CORSMiddleware asks whether a '
            "value is in it, and on text that finds any piece of the text. Write a list: "
            f"{fix}"
        )
    if value.known:
        return f"{setting} is {value.literal!r}{named}, but CORSMiddleware expects a list of strings: {fix}"
    return (
        f"the grader cannot tell what {setting} holds ({value.code}, line {value.line}); for this step "
        f"write the list out: {fix}"
    )
