"""Static checks the CORS lessons share: finding CORSMiddleware and reading its settings."""

from __future__ import annotations

from grader import Failure, Source
from grader.source import Registration, Value

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
    "allow_headers": "so only the few headers browsers always allow get through, and a JSON body's "
    "Content-Type is refused",
}
APP_NAME = "app"


def import_problem(source: Source) -> Failure:
    """Why the file does not (effectively) import CORSMiddleware, as a Failure."""
    for found in source.imports_of(*CORS_MIDDLEWARE):
        if not found.placement.runs:
            return Failure(
                f"Line {found.line} imports CORSMiddleware {found.placement.reason}.",
                line=found.line,
                hint=f"Put `{IMPORT_LINE}` at the top of the file, with the other imports, outside any "
                "`if` or function.",
            )
    for near in source.imports_named("CORSMiddleware"):
        if near.name != "CORSMiddleware":
            return Failure(
                f"Line {near.line} imports `{near.name}`, but the class is spelled `CORSMiddleware` "
                "(Python names are case-sensitive).",
                line=near.line,
                hint=f"Change the line to: {IMPORT_LINE}",
            )
        return Failure(
            f"Line {near.line} imports CORSMiddleware from `{near.module or '.'}`, but it lives in "
            "`fastapi.middleware.cors`, so Python stops with an ImportError.",
            line=near.line,
            hint=f"Change the line to: {IMPORT_LINE}",
        )
    used = [r for r in source.middleware_registrations(PARAMETERS) if "CORSMiddleware" in r.middleware_code]
    if used:
        return Failure(
            f"Line {used[0].line} uses CORSMiddleware, but {source.name} never imports it, so Python "
            "stops with a NameError when it reaches that line.",
            line=used[0].line,
            hint=f"Add `{IMPORT_LINE}` at the top of the file.",
        )
    return Failure(f"{source.name} does not import CORSMiddleware yet.")


def cors_registration(source: Source) -> Registration:
    """The CORSMiddleware registration that takes effect on the served app, or a Failure."""
    binding = source.served_app(APP_NAME)
    if binding is None:
        raise Failure(
            f"{source.name} has no `{APP_NAME} = FastAPI()` at the top level, so there is no app "
            "for uvicorn to serve and nothing to add the middleware to.",
            hint=f"Keep the line `{APP_NAME} = FastAPI(...)` from the starter at the top level of the file.",
        )
    registrations = source.middleware_registrations(PARAMETERS, app=APP_NAME)
    cors = [r for r in registrations if r.is_one_of(CORS_MIDDLEWARE)]
    effective = [r for r in cors if r.on_served_app]
    if effective:
        return effective[-1]
    if cors:
        raise _misplaced(sorted(cors, key=lambda r: not r.placement.runs)[0], binding.name, binding.line)
    raise _not_registered(source, registrations, binding.line)


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
        return Failure(
            f"Line {registration.line} passes `{code}`, which is not the CORSMiddleware class imported "
            "from fastapi.middleware.cors.",
            line=registration.line,
            hint=f"Import it with `{IMPORT_LINE}` and pass CORSMiddleware.",
        )
    return Failure(
        f"{source.name} does not add CORSMiddleware to the app yet (the app is created on line {app_line}).",
        line=app_line,
    )


def list_setting_problem(registration: Registration, setting: str, *, wanted: str) -> str | None:
    """Why `setting` is not a list holding `wanted`, in a sentence; None when it is."""
    value = registration.argument(setting)
    fix = f'{setting}=["{wanted}"]'
    if value is None:
        if registration.opaque:
            return (
                f"the grader cannot see {setting}: it comes through arguments it cannot read; "
                f"write it out as {fix}"
            )
        return f"{setting} is missing, {WHEN_MISSING.get(setting, 'so it keeps its default')}: add {fix}"
    items = value.strings()
    if items is None:
        return _not_a_list(setting, value, fix)
    if wanted in items:
        return None
    shown = ", ".join(items) if items else "nothing"
    noun = WHAT_IT_ALLOWS.get(setting, "value")
    if wanted == "*":
        return f"{setting} allows only {shown} (line {value.line}), not every {noun}: use {fix}"
    return f"{setting} allows {shown} (line {value.line}), but not {wanted}: use {fix}"


def _not_a_list(setting: str, value: Value, fix: str) -> str:
    named = f" (through {value.via})" if value.via else ""
    if isinstance(value.literal, str):
        return f'{setting} is the text "{value.literal}"{named}, but CORSMiddleware expects a list: {fix}'
    if value.known:
        return f"{setting} is {value.literal!r}{named}, but CORSMiddleware expects a list of strings: {fix}"
    return (
        f"the grader cannot tell what {setting} holds ({value.code}, line {value.line}); for this step "
        f"write the list out: {fix}"
    )
