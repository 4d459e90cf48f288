"""Checks for the CORS headers lesson: one per step in lesson.toml."""

from __future__ import annotations

import libcst as cst

from _shared.browser_cors import origin_problems, preflight_problems
from _shared.browser_proof import allowed, blocked_summary, console_quotes, wire_lines
from _shared.cors_origins import settings_for
from _shared.cors_probes import LESSON_ENDPOINTS, endpoint_list, in_file_order, page_calls, send, unknown_id
from _shared.cors_runtime import effective_registration
from _shared.live_reports import fail_on_crash, try_it
from _shared.cors_static import (
    CORS_MIDDLEWARE,
    any_origin_with_cookies,
    two_layers_first,
    IMPORT_LINE,
    PARAMETERS,
    expect_cors_import,
    list_setting_problem,
    unknown_settings,
)

from grader.live.traffic import bearer_token, new_rng

from grader import BrowserApp, Failure, LiveApp, Passed, Source, check

ALLOW_ALL = ("allow_origins", "allow_methods", "allow_headers")
PREFLIGHT_PATH = "/notes/1"  # what the browser step's page calls
SIMPLE_PATH = "/notes"
# What a frontend sends with a JSON body and a login token. Servers often allow
# Content-Type anyway, so Authorization is what shows whether allow_headers works.
PREFLIGHT_HEADERS = ["authorization", "content-type"]
FRONTEND_CONTENT_TYPE = "application/json"


@check("import")
def cors_middleware_is_imported(source: Source) -> str:
    first = expect_cors_import(source)
    uses = [
        r for r in source.middleware_registrations(PARAMETERS)
        if r.is_one_of(CORS_MIDDLEWARE) and r.placement.runs and r.placement.function is None
    ]
    if uses and all(use.line < first.line for use in uses):
        raise Failure(
            f"Line {uses[0].line} uses CORSMiddleware, but line {first.line} imports it only later. Python "
            f"runs the file from top to bottom, so it stops with a NameError at line {uses[0].line}.",
            line=first.line,
            hint="Move the import to the top of the file, with the other imports.",
        )
    note = ""
    if first.module.startswith("starlette"):
        note = " (Starlette's original; FastAPI's fastapi.middleware.cors re-exports the same class)"
    return f"Line {first.line} imports CORSMiddleware{note}."


@check("add-middleware")
def cors_middleware_allows_everything(source: Source) -> str:
    with two_layers_first(source):
        return _allows_everything(source)


def _allows_everything(source: Source) -> str:
    registration, note = effective_registration(source)
    source.expect_before_server_start(registration)
    wrong = [
        (setting, problem)
        for setting in ALLOW_ALL
        if (problem := list_setting_problem(registration, setting, wanted="*")) is not None
    ]
    problems = unknown_settings(registration) + [problem for _, problem in wrong]
    if problems:
        # Point at the first setting written wrong, where there is one to point at.
        given = [registration.argument(setting) for setting, _ in wrong]
        line = next((value.line for value in given if value is not None), registration.line)
        raise Failure(
            f"Line {registration.line} adds CORSMiddleware, but not with every setting this step asks for:",
            line=line,
            details=tuple(f"- {problem}" for problem in problems),
            hint='Use all three settings, each a list holding "*": '
            'allow_origins=["*"], allow_methods=["*"], allow_headers=["*"].',
        )
    how = (
        " through FastAPI(middleware=[...]), which works the same as app.add_middleware(...)"
        if registration.kind == "middleware_list"
        else ""
    )
    said = f"Line {registration.line} adds CORSMiddleware to the app{how}, allowing any origin, method and header.{note}"
    warning = any_origin_with_cookies(registration)
    return f"{said} {warning}" if warning else said


@check("live-headers", live=True)
def browser_on_another_origin_is_allowed(app: LiveApp) -> str:
    origin = app.origin()
    endpoints = app.endpoints(LESSON_ENDPOINTS)
    for answered in in_file_order(send(app, page_calls(origin, endpoints, credentials=False, token=bearer_token(app.rng)))):
        call, response = answered.call, answered.response
        if response.status >= 500 and unknown_id(call):
            continue  # an id that does not exist crashed the endpoint: not what this step judges
        fail_on_crash(response)
        if call.preflight:
            method = call.endpoint.method
            blocked = preflight_problems(response, origin, method, PREFLIGHT_HEADERS)
            if blocked:
                raise Failure(
                    f"A page on {origin} calling {call.endpoint} would be blocked by the browser: "
                    f"its preflight request (OPTIONS) got {response.status_line}, which does not allow the call:",
                    details=(*(f"- {reason}" for reason in blocked), *try_it(response)),
                    hint=_live_hint(app, blocked),
                )
            continue
        blocked = origin_problems(response, origin)
        if blocked:
            raise Failure(
                f"A page on {origin} calling {call.endpoint} would get an error instead of the answer: "
                f"the answer ({response.status_line}) may not be read across origins:",
                details=(*(f"- {reason}" for reason in blocked), *try_it(response)),
                hint=_live_hint(app, blocked),
            )
    return (
        f"A browser page on {origin} may call every endpoint of your API ({endpoint_list(endpoints)}): "
        "each preflight allows the call, and each answer carries Access-Control-Allow-Origin."
    )


@check("browser", browser=True)
def real_browser_may_call_the_api(browser: BrowserApp) -> Passed:
    with browser.page() as page:  # one page making both calls, as a frontend would
        calls = (
            # A login token of this grade's own: no fixed value an app could let through alone.
            page.fetch("DELETE", PREFLIGHT_PATH, headers={"Content-Type": FRONTEND_CONTENT_TYPE, "Authorization": bearer_token(new_rng())}),
            page.fetch("GET", SIMPLE_PATH),
        )
    shown = [line for call in calls for line in wire_lines(call)]
    blocked = [call for call in calls if not allowed(call)]
    if not blocked:
        return Passed(
            f"Chromium let a page on {browser.page_origin} call your API on {browser.url}. "
            "What the browser sent, and the headers your app answered with:",
            tuple(shown),
        )
    quotes = [quote for call in blocked for quote in console_quotes(call)]
    said = "Its console says:" if quotes else "Its console says nothing more; the page's fetch() failed."
    raise Failure(
        f"Chromium blocked {blocked_summary(blocked)} from a page on {browser.page_origin}. {said}",
        details=(
            *(f"  {quote}" for quote in quotes),
            "What the browser sent, and the headers your app answered with:",
            *shown,
        ),
        hint=_browser_hint(browser),
    )



def _browser_hint(browser: BrowserApp) -> str:
    if not [f for f in browser.source.imports_of(*CORS_MIDDLEWARE) if f.placement.runs]:
        return (
            "This is the error your own frontend would show in the browser's console (F12). "
            f"Steps 1 and 2 fix it: {IMPORT_LINE}, then app.add_middleware(CORSMiddleware, ...)."
        )
    return (
        "This is the error your own frontend would show in the browser's console (F12). "
        "Compare the headers above with what the browser asked for; step 2's settings decide them."
    )


def _live_hint(app: LiveApp, blocked: list[str]) -> str:
    if not [f for f in app.source.imports_of(*CORS_MIDDLEWARE) if f.placement.runs]:
        return f"Start with steps 1 and 2: {IMPORT_LINE}, then app.add_middleware(CORSMiddleware, ...)."
    later = _middleware_after_cors(app.source)
    if later is not None:
        name, line = later
        return (
            f"The middleware added last runs first: {name} (line {line}) sees each request before "
            "CORSMiddleware and answered it itself. Add CORSMiddleware after the other middlewares."
        )
    served = app.served
    if served is not None and not served.middleware_of(*CORS_MIDDLEWARE):
        return "Your running app has no CORSMiddleware: check step 2, it must be added to the app uvicorn serves."
    named = settings_for(blocked)
    if named:
        settings = " and ".join(f'{name}=["*"]' for name in named if name != "allow_credentials")
        if settings:
            return f"In app.add_middleware(CORSMiddleware, ...), set {settings}: the answers above show what is missing."
    return "Check step 2: the middleware must be added to the app uvicorn serves, with all three settings."


def _middleware_after_cors(source: Source) -> tuple[str, int] | None:
    """A middleware registered after CORSMiddleware (so it runs before it), if any:
    `app.add_middleware(Other)` or an `@app.middleware("http")` function further down."""
    on_app = [r for r in source.middleware_registrations(PARAMETERS) if r.on_served_app]
    cors = [r.line for r in on_app if r.is_one_of(CORS_MIDDLEWARE)]
    if not cors:
        return None
    later = [(r.middleware_code, r.line) for r in on_app if r.line > cors[-1] and not r.is_one_of(CORS_MIDDLEWARE)]
    for function in source.layout.functions.values():
        for decorator in function.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "middleware":
                line = source.line_of(decorator)
                if line > cors[-1]:
                    later.append((f"{function.name.value}()", line))
    return max(later, key=lambda found: found[1], default=None)
