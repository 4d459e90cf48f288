"""Checks for the CORS-for-production lesson: one per step in lesson.toml."""

from __future__ import annotations

import re

from _shared.browser_cors import origin_problems, preflight_problems
from _shared.cors_origins import admitted_by, settings_for
from _shared.cors_probes import LESSON_ENDPOINTS, endpoint_list, in_file_order, page_calls, send, unknown_id
from _shared.cors_runtime import effective_registration
from _shared.cors_static import CORS_MIDDLEWARE, list_setting_problem, origin_near_miss, two_layers_first
from _shared.live_reports import fail_on_crash, try_it

from grader import Failure, LiveApp, Source, Value, check
from grader.live.traffic import bearer_token
from grader.static.origins import Probe, attacker_probes, regex_example, regex_matches, regex_strings

FRONTEND = "https://notes.example.com"
PREFLIGHT_HEADERS = ["authorization", "content-type"]


@check("allow-origin")
def only_the_frontend_is_allowed(source: Source) -> str:
    with two_layers_first(source):
        return _only_the_frontend(source)


def _only_the_frontend(source: Source) -> str:
    registration, note = effective_registration(source, uses=("allow_origins", "allow_origin_regex"))
    source.expect_before_server_start(registration)
    value = registration.argument("allow_origins")
    regex = registration.argument("allow_origin_regex")
    if value is not None and isinstance(value.literal, str):
        raise _text_origins(value)
    if value is None and regex is not None:
        return _regex_alone(regex) + note
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
    if FRONTEND not in items and not (regex is not None and _only_frontend(regex.literal)):
        raise Failure(
            _near_miss(items, value.line)
            or f"Line {value.line}: allow_origins is {value.code}, which does not include {FRONTEND}.",
            line=value.line,
            hint=f'Write the origin exactly as browsers send it: allow_origins=["{FRONTEND}"]',
        )
    if "null" in items:
        raise Failure(
            f'Line {value.line}: allow_origins also lists "null". Browsers send `Origin: null` from '
            "sandboxed iframes and local files, and any site can put its page in a sandboxed iframe, "
            "so every site could read your users' notes with their cookies.",
            line=value.line,
            hint=f'Remove "null": allow_origins=["{FRONTEND}"]',
        )
    extra = _regex_problem(regex) if regex is not None else None
    if isinstance(extra, Failure):
        raise extra
    others = [item for item in items if item != FRONTEND] + list(extra or ())
    also = f" It also allows {', '.join(others)}: fine while developing, but remove what production does not need." if others else ""
    return f"Line {value.line} allows {FRONTEND}.{also}{note}"


def _text_origins(value: Value) -> Failure:
    """allow_origins as text, not a list: Starlette tests `origin in text`, a substring test."""
    text = value.literal
    fix = f'allow_origins=["{FRONTEND}"]'
    if text == "*":
        return Failure(
            f'Line {value.line}: allow_origins is still "*" (as text), so every site on the web may call '
            f"your API. Replace it with a list holding the frontend's origin: {fix}.",
            line=value.line,
            hint=f"A setting that holds origins is always a list, even for one origin: {fix}",
        )
    assert isinstance(text, str)
    let_in = next((p for p in attacker_probes([FRONTEND]) if p.origin in text and p.origin != FRONTEND), None)
    danger = (
        f" so a page on {let_in.origin} ({let_in.why}) would be let in too, with the user's cookies"
        if let_in is not None
        else ""
    )
    return Failure(
        f'Line {value.line}: allow_origins is the text "{text}", not a list. CORSMiddleware asks '
        f"`origin in allow_origins`, and on text `in` finds any piece of the text,{danger}. "
        f"Make it a list: {fix}.",
        line=value.line,
        hint=f"A setting that holds origins is always a list, even for one origin: {fix}",
    )


def _only_frontend(pattern: object) -> bool:
    return isinstance(pattern, str) and regex_strings(pattern) == (FRONTEND,)


def _regex_alone(regex: Value) -> str:
    """allow_origin_regex without allow_origins: as safe as the list when it matches the
    frontend and nothing else (an escaped pattern), so it passes with a note."""
    if _only_frontend(regex.literal):
        return (
            f"Line {regex.line}: allow_origin_regex={regex.code} matches {FRONTEND} and nothing else, "
            f'which is as safe as the list. allow_origins=["{FRONTEND}"] says the same more simply.'
        )
    problem = _regex_problem(regex)
    if isinstance(problem, Failure):
        raise problem
    raise Failure(
        f"Line {regex.line}: allow_origin_regex={regex.code} does not match {FRONTEND}, so your frontend "
        "is refused.",
        line=regex.line,
        hint=f'Use the plain list instead: allow_origins=["{FRONTEND}"]',
    )


def _regex_problem(regex: Value) -> Failure | tuple[str, ...]:
    """A Failure when the regex lets in an origin an attacker can use; otherwise the few
    origins it allows besides the frontend."""
    pattern = regex.literal
    fix = f'Remove allow_origin_regex and list the frontend: allow_origins=["{FRONTEND}"].'
    if pattern is None:
        return ()
    if not isinstance(pattern, str):
        return Failure(
            f"Line {regex.line}: the grader cannot tell what allow_origin_regex={regex.code} matches, so "
            "it cannot tell which sites it lets in.",
            line=regex.line,
            hint=fix,
        )
    try:
        re.compile(pattern)
    except re.error as error:
        return Failure(
            f"Line {regex.line}: allow_origin_regex={regex.code} is not a valid regular expression "
            f"({error}), so CORSMiddleware fails when the app starts.",
            line=regex.line,
            hint=fix,
        )
    let_in = next(
        (p for p in (Probe("https://evil.example", "an unrelated site"), *attacker_probes([FRONTEND]))
         if regex_matches(pattern, p.origin)),
        None,
    )
    listed = regex_strings(pattern)
    if let_in is None and listed is None:
        example = regex_example(pattern, [FRONTEND])
        such_as = f", such as {example}" if example else ""
        return Failure(
            f"Line {regex.line}: allow_origin_regex={regex.code} matches many origins besides {FRONTEND}"
            f"{such_as} (anything `.`, `[...]`, `*` or `+` stands for), and every one of them could read "
            "your users' notes with their cookies.",
            line=regex.line,
            hint=fix + " A regex for one origin escapes every dot and matches nothing more: "
            r'allow_origin_regex=r"https://notes\.example\.com".',
        )
    if let_in is None and listed is not None and "null" not in listed:
        return tuple(origin for origin in listed if origin != FRONTEND)
    shown = let_in.origin if let_in is not None else "null"
    why = let_in.why if let_in is not None else "which any site can send from a sandboxed iframe"
    dots = " An unescaped `.` matches any character: write `\\.` for a dot." if _unescaped_dot(pattern) else ""
    return Failure(
        f"Line {regex.line}: allow_origin_regex={regex.code} also matches {shown} ({why}), so a page "
        f"there could read your users' notes with their cookies.{dots}",
        line=regex.line,
        hint=fix,
    )


def _unescaped_dot(pattern: str) -> bool:
    return re.search(r"(?<!\\)\.(?![*+?])", pattern) is not None


@check("credentials")
def credentials_are_allowed(source: Source) -> str:
    with two_layers_first(source):
        return _credentials(source)


def _credentials(source: Source) -> str:
    registration, _ = effective_registration(source, uses=("allow_credentials",))
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
    endpoints = app.endpoints(LESSON_ENDPOINTS)
    for answered in in_file_order(send(app, page_calls(FRONTEND, endpoints, credentials=True, token=bearer_token(app.rng)))):
        call, response = answered.call, answered.response
        if response.status >= 500 and unknown_id(call):
            continue  # an id that does not exist crashed the endpoint: not what this step judges
        fail_on_crash(response)
        if call.preflight:
            blocked = preflight_problems(response, FRONTEND, call.endpoint.method, PREFLIGHT_HEADERS, credentials=True)
            if blocked:
                raise Failure(
                    f"Your frontend on {FRONTEND}, sending {call.endpoint} with the user's cookies, would "
                    f"be blocked: its preflight (OPTIONS) got {response.status_line}, which does not allow it:",
                    details=(*(f"- {reason}" for reason in blocked), *try_it(response)),
                    hint=_settings_hint(app, blocked),
                )
            continue
        blocked = origin_problems(response, FRONTEND, credentials=True)
        if blocked:
            raise Failure(
                f"Your frontend on {FRONTEND} could not read {call.endpoint} sent with the user's cookies "
                f"({response.status_line}):",
                details=(*(f"- {reason}" for reason in blocked), *try_it(response)),
                hint=_settings_hint(app, blocked),
            )
    return (
        f"{FRONTEND} may call every endpoint of your API with cookies ({endpoint_list(endpoints)}): the "
        f"answers carry Access-Control-Allow-Origin: {FRONTEND} and Access-Control-Allow-Credentials: true."
    )


@check("live-stranger", live=True)
def other_sites_are_refused(app: LiveApp) -> str:
    # One random stranger misses the holes that matter: try what an attacker would, on every
    # endpoint, with the user's cookies, in a random order.
    probes = (
        Probe(app.origin(secure=True), "a site you never listed"),
        Probe(app.origin(secure=False), "a site you never listed"),
        *attacker_probes([FRONTEND], app.rng),
        *_regex_probes(app.source),
    )
    endpoints = app.endpoints(LESSON_ENDPOINTS, fills=2)
    by_probe = {probe.origin: probe for probe in probes}
    calls = [call for probe in probes for call in page_calls(probe.origin, endpoints, credentials=True, simple_only=True)]
    answers = send(app, calls)
    # Report in a fixed order, the reads first: the probes' order, then the file's.
    rank = {origin: index for index, origin in enumerate(by_probe)}
    for answered in sorted(in_file_order(answers), key=lambda a: (a.call.preflight, rank[a.call.origin])):
        call, response = answered.call, answered.response
        probe = by_probe[call.origin]
        if not unknown_id(call):
            fail_on_crash(response)
        if not call.preflight and not origin_problems(response, probe.origin):
            with_cookies = "" if origin_problems(response, probe.origin, credentials=True) else ", with the user's cookies"
            verb = "can read" if call.endpoint.method == "GET" else "can send and read the answer of"
            raise Failure(
                f"{_page_on(probe)} {verb} {call.endpoint}{with_cookies}: the answer carries "
                f"Access-Control-Allow-Origin: {response.header('Access-Control-Allow-Origin')}.",
                details=try_it(response),
                hint=_stranger_hint(app.source, probe),
            )
        if call.preflight and not preflight_problems(response, probe.origin, call.endpoint.method, PREFLIGHT_HEADERS):
            raise Failure(
                f"{_page_on(probe)} would be allowed to send {call.endpoint}: the preflight answer "
                f"({response.status_line}) says yes to an origin you never listed.",
                details=try_it(response),
                hint=_stranger_hint(app.source, probe),
            )
    tried = ", ".join(probe.origin for probe in probes[:3])
    return (
        f"Pages on {len(probes)} other origins ({tried}, null, and look-alikes of {FRONTEND}) get no "
        f"Access-Control-Allow-Origin on any endpoint ({endpoint_list(endpoints)}), so the browser keeps "
        "your answers from them."
    )


def _regex_probes(source: Source) -> tuple[Probe, ...]:
    """An origin the learner's own allow_origin_regex lets in, when the file shows one."""
    try:
        regex = effective_registration(source)[0].argument("allow_origin_regex")
    except Failure:
        return ()
    if regex is None or not isinstance(regex.literal, str):
        return ()
    example = regex_example(regex.literal, [FRONTEND])
    return (Probe(example, f"an origin your allow_origin_regex={regex.code} matches"),) if example else ()


FIXES = {
    "allow_origins": f'allow_origins=["{FRONTEND}"]',
    "allow_methods": 'allow_methods=["*"] (or a list that includes "DELETE")',
    "allow_headers": 'allow_headers=["*"] (or a list with "Authorization" and "Content-Type")',
    "allow_credentials": "allow_credentials=True",
}


def _settings_hint(app: LiveApp, problems: list[str]) -> str | None:
    """The settings of app.add_middleware(CORSMiddleware, ...) that decide these problems."""
    if app.served is not None and not app.served.middleware_of(*CORS_MIDDLEWARE):
        return "Your running app has no CORSMiddleware: add it to the app uvicorn serves (app.add_middleware(...))."
    named = settings_for(problems)
    if not named:
        return None
    return "In app.add_middleware(CORSMiddleware, ...), set " + " and ".join(FIXES[name] for name in named) + "."


def _page_on(probe: Probe) -> str:
    if probe.origin == "null":
        return f"A page whose origin is `null` ({probe.why})"
    return f"A page on {probe.origin} ({probe.why})"


def _stranger_hint(source: Source, probe: Probe) -> str:
    """The setting that lets this origin in, when the static view can tell."""
    try:
        registration, _ = effective_registration(source)
    except Failure:
        return (
            f"Something in your app answers {probe.origin} with Access-Control-Allow-Origin: only "
            f'CORSMiddleware with allow_origins=["{FRONTEND}"] should set that header.'
        )
    found = admitted_by(registration, probe)
    if found is not None:
        return f"Change {found.setting} on line {found.line}: {found.why}. Use allow_origins=[\"{FRONTEND}\"] alone."
    return (
        f"Check every setting of CORSMiddleware (line {registration.line}) and any code that sets "
        f'Access-Control-Allow-Origin itself: only allow_origins=["{FRONTEND}"] should decide who gets it.'
    )


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
        reason = origin_near_miss(item, FRONTEND)
        if reason is not None:
            return f"Line {line}: {reason}"
    return None
