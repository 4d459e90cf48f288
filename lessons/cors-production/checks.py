"""Checks for the CORS-for-production lesson: one per step in lesson.toml."""

from __future__ import annotations

import re

from _shared.browser_cors import origin_problems, preflight_problems, surprise_origin
from _shared.cors_static import cors_registration, list_setting_problem
from _shared.live_reports import fail_on_crash, try_it

from grader import Failure, LiveApp, Response, Source, check

FRONTEND = "https://notes.example.com"
PREFLIGHT_PATH = "/notes/1"
SIMPLE_PATH = "/notes"
PREFLIGHT_HEADERS = ["authorization", "content-type"]
SESSION_COOKIE = "session=grader-test"


@check("allow-origin")
def only_the_frontend_is_allowed(source: Source) -> str:
    registration = cors_registration(source)
    value = registration.argument("allow_origins")
    items = value.strings() if value else None
    if value is None or items is None:
        problem = list_setting_problem(registration, "allow_origins", wanted=FRONTEND)
        raise Failure(f"Line {registration.line}: {problem}.", line=registration.line)
    if "*" in items:
        raise Failure(
            f'Line {value.line}: allow_origins still holds "*", so every site on the web may call '
            f"your API. Replace it with the frontend's origin, {FRONTEND}.",
            line=value.line,
        )
    if FRONTEND not in items:
        raise Failure(
            _near_miss(items, value.line)
            or f"Line {value.line}: allow_origins is {value.code}, which does not include {FRONTEND}.",
            line=value.line,
            hint=f'Write the origin exactly as browsers send it: allow_origins=["{FRONTEND}"]',
        )
    regex = registration.argument("allow_origin_regex")
    if regex is not None and not _regex_refuses_strangers(regex.literal):
        raise Failure(
            f"Line {regex.line}: allow_origin_regex={regex.code} lets other origins in besides {FRONTEND}.",
            line=regex.line,
            hint="Remove allow_origin_regex: allow_origins alone names the frontend.",
        )
    others = [item for item in items if item != FRONTEND]
    also = f" It also allows {', '.join(others)}: fine while developing, but remove what production does not need." if others else ""
    return f"Line {value.line} allows {FRONTEND}.{also}"


@check("credentials")
def credentials_are_allowed(source: Source) -> str:
    registration = cors_registration(source)
    value = registration.argument("allow_credentials")
    if value is None:
        raise Failure(
            f"Line {registration.line} adds CORSMiddleware without allow_credentials, so browsers refuse "
            "the answers to requests that carry the user's cookies.",
            line=registration.line,
        )
    if value.literal is not True:
        raise Failure(
            f"Line {value.line}: allow_credentials is {value.code}; set it to True so the frontend may "
            f"send the user's cookies.{_spelling_note(value.code, value.literal)}",
            line=value.line,
            hint="Write allow_credentials=True: capital T, no quotes.",
        )
    return f"Line {value.line} sets allow_credentials=True."


@check("live-frontend", live=True)
def frontend_calls_are_allowed(app: LiveApp) -> str:
    preflight = _preflight(app, FRONTEND)
    blocked = preflight_problems(preflight, FRONTEND, "DELETE", PREFLIGHT_HEADERS, credentials=True)
    if blocked:
        raise Failure(
            f"Your frontend on {FRONTEND}, sending DELETE {PREFLIGHT_PATH} with the user's cookies, would "
            f"be blocked: its preflight (OPTIONS) got {preflight.status_line}, which does not allow it:",
            details=(*(f"- {reason}" for reason in blocked), *try_it(preflight)),
        )
    simple = _get(app, FRONTEND)
    blocked = origin_problems(simple, FRONTEND, credentials=True)
    if blocked:
        raise Failure(
            f"Your frontend on {FRONTEND} could not read GET {SIMPLE_PATH} sent with the user's cookies "
            f"({simple.status_line}):",
            details=(*(f"- {reason}" for reason in blocked), *try_it(simple)),
        )
    return (
        f"{FRONTEND} may call your API with cookies: both answers carry Access-Control-Allow-Origin: "
        f"{simple.header('Access-Control-Allow-Origin')} and Access-Control-Allow-Credentials: true."
    )


@check("live-stranger", live=True)
def other_sites_are_refused(app: LiveApp) -> str:
    stranger = surprise_origin()
    simple = _get(app, stranger)
    if not origin_problems(simple, stranger):
        with_cookies = "" if origin_problems(simple, stranger, credentials=True) else ", even with the user's cookies"
        raise Failure(
            f"A page on {stranger}, a site you never listed, can read GET {SIMPLE_PATH}{with_cookies}: the "
            f"answer carries Access-Control-Allow-Origin: {simple.header('Access-Control-Allow-Origin')}.",
            details=try_it(simple),
        )
    preflight = _preflight(app, stranger)
    if not preflight_problems(preflight, stranger, "DELETE", PREFLIGHT_HEADERS):
        raise Failure(
            f"A page on {stranger} would be allowed to send DELETE {PREFLIGHT_PATH}: the preflight answer "
            f"({preflight.status_line}) says yes to an origin you never listed.",
            details=try_it(preflight),
        )
    return f"A page on {stranger} gets no Access-Control-Allow-Origin, so the browser keeps your answers from it."


def _preflight(app: LiveApp, origin: str) -> Response:
    response = app.request(
        "OPTIONS",
        PREFLIGHT_PATH,
        {
            "Origin": origin,
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": ", ".join(PREFLIGHT_HEADERS),
        },
    )
    fail_on_crash(response)
    return response


def _get(app: LiveApp, origin: str) -> Response:
    response = app.request("GET", SIMPLE_PATH, {"Origin": origin, "Cookie": SESSION_COOKIE})
    fail_on_crash(response)
    return response


def _spelling_note(code: str, literal: object) -> str:
    if isinstance(literal, str):
        return " With quotes it is a piece of text, not the value True: write True without quotes."
    if code == "true":
        return " Python writes it with a capital T: `true` is an unknown name (a NameError)."
    return ""


def _near_miss(items: tuple[str, ...], line: int) -> str | None:
    for item in items:
        if item.rstrip("/") == FRONTEND and item != FRONTEND:
            return (
                f'Line {line}: "{item}" ends with a slash. An origin has no path, so browsers send '
                f'"{FRONTEND}" and it never matches. Remove the slash.'
            )
        if item.lower() == FRONTEND.replace("https://", "http://"):
            return f'Line {line}: "{item}" uses http, but the frontend is served over https: {FRONTEND}.'
        if item.lower() == FRONTEND and item != FRONTEND:
            return f'Line {line}: write the origin in lower case, exactly as browsers send it: "{FRONTEND}".'
    return None


def _regex_refuses_strangers(pattern: object) -> bool:
    if not isinstance(pattern, str):
        return pattern is None
    try:
        return re.fullmatch(pattern, "https://evil.example") is None
    except re.error:
        return False
