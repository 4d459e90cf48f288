"""Static checks the CORS lessons share: finding CORSMiddleware and reading its settings."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager

from grader import Failure, ImportFound, Registration, Source, Value

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
# What CORSMiddleware does with each setting given as text instead of a list (read in
# starlette/middleware/cors.py): `in` finds any piece of a text, and join() and set() take
# a text letter by letter.
TEXT_TRAP = {
    "allow_origins": "CORSMiddleware asks `origin in allow_origins`, and on text that finds any "
    'piece of the text, so allow_origins="https://notes.example.com" would also let in '
    "https://notes.example.co",
    "allow_methods": "CORSMiddleware writes the Access-Control-Allow-Methods header by joining the "
    'items of the list, and the items of a text are its letters: allow_methods="DELETE" sends '
    "`Access-Control-Allow-Methods: D, E, L, E, T, E`, which no browser reads as DELETE",
    "allow_headers": "CORSMiddleware makes a set of the items, and the items of a text are its "
    'letters: allow_headers="Authorization" allows the headers "A", "u", "t"... and refuses '
    "Authorization itself",
    "expose_headers": "CORSMiddleware joins the items into a header, and the items of a text are its "
    'letters: expose_headers="X-Total" sends `Access-Control-Expose-Headers: X, -, T, o, t, a, l`',
}
EXAMPLE = 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])'


def expect_cors_import(source: Source) -> ImportFound:
    """The import of CORSMiddleware that runs when the file loads, or the best Failure."""
    try:
        return source.expect_import(*CORS_MIDDLEWARE, statement=IMPORT_LINE)
    except Failure as failure:
        if failure.line is not None:  # a precise finding: a dead, misspelled or misplaced import
            raise
        raise _no_import(source) or failure from None


def _no_import(source: Source) -> Failure | None:
    """No import at all, and the file sets CORS headers by hand: say why the lesson wants the class."""
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
    return source.expect_registration(*CORS_MIDDLEWARE, params=PARAMETERS, example=EXAMPLE)


# What two CORSMiddleware layers do (starlette/middleware/cors.py): the outer one answers a
# preflight by itself, and on other requests both write their headers, the outer one last.
TWO_LAYERS = (
    "The one added last answers every preflight (OPTIONS) alone, so the other one's settings never "
    "count for a DELETE, a PUT or a JSON POST."
)


@contextmanager
def two_layers_first(source: Source) -> Iterator[None]:
    """A step's Failure, when the running app holds two CORSMiddleware layers, becomes the
    one that names the second registration: fixing a setting in one layer changes nothing
    while the other answers. (Two layers that still pass the step are left alone.)"""
    try:
        yield
    except Failure as found:
        served = source.runtime_app()
        if served is not None and len(served.middleware_of(*CORS_MIDDLEWARE)) < 2:
            raise
        try:
            source.expect_registered_once(*CORS_MIDDLEWARE, params=PARAMETERS, why=TWO_LAYERS)
        except Failure as layers:
            raise Failure(
                layers.message,
                line=layers.line,
                hint=layers.hint,
                details=(
                    "What this step found in the one added last:",
                    f"  {found.message}",
                    *(f"  {detail}" for detail in found.details),
                ),
            ) from None
        raise


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
    lower = [item for item in items if item != item.upper()] if setting == "allow_methods" else []
    # A method a browser preflights makes the better example: GET and POST often go without.
    lower.sort(key=lambda method: method.upper() in {"GET", "HEAD", "POST"})
    if lower:
        fix = f"{fix}" if wanted == "*" else f'{fix}, or write each method in capitals ("{lower[0].upper()}")'
        caps = (
            f'; and "{lower[0]}" is in lower case, which never matches: CORSMiddleware compares method '
            f'names exactly, and browsers send them in capitals ("{lower[0].upper()}")'
        )
    else:
        caps = ""
    if wanted == "*":
        return f"{setting} allows only {shown} (line {value.line}), not every {noun}{caps}: use {fix}"
    return f"{setting} allows {shown} (line {value.line}), but not {wanted}{caps}: use {fix}"


def _not_a_list(setting: str, value: Value, fix: str) -> str:
    named = f" (through {value.via})" if value.via else ""
    if isinstance(value.literal, str) and value.code.startswith("("):
        return f'{setting} is {value.code}: parentheses alone do not make a tuple, a one-item tuple needs a comma. Use {fix}'
    if isinstance(value.literal, str) and value.literal == "*":
        return (
            f'{setting} is the text "*"{named}, not a list. It happens to work, because CORSMiddleware '
            f'only asks whether "*" is in it; any other text goes wrong: '
            f'{TEXT_TRAP.get(setting, TEXT_TRAP["allow_origins"])}. '
            f"This course writes every such setting as a list: {fix}"
        )
    if isinstance(value.literal, str):
        return (
            f'{setting} is the text "{value.literal}"{named}, not a list: '
            f"{TEXT_TRAP.get(setting, TEXT_TRAP['allow_origins'])}. Write a list: {fix}"
        )
    if value.known:
        return f"{setting} is {value.literal!r}{named}, but CORSMiddleware expects a list of strings: {fix}"
    return (
        f"the grader cannot tell what {setting} holds ({value.code}, line {value.line}); for this step "
        f"write the list out: {fix}"
    )


def any_origin_with_cookies(registration: Registration) -> str | None:
    """A warning for a registration that passes lesson 1 but lets any site act as the user:
    with allow_credentials=True, CORSMiddleware answers "*" by echoing each origin back."""
    credentials = registration.argument("allow_credentials")
    origins = registration.argument("allow_origins")
    items = origins.strings() if origins is not None else None
    if credentials is None or credentials.literal is not True or not items or "*" not in items:
        return None
    return (
        f"Careful: line {credentials.line} also sets allow_credentials=True. With allow_origins=[\"*\"], "
        "CORSMiddleware then answers every site with its own origin and Access-Control-Allow-Credentials: "
        "true, so any page on the web can call your API with your users' cookies and read the answers. "
        "An open API does not need cookies: remove allow_credentials=True (lesson 2 allows them for one "
        "named frontend)."
    )


def origin_near_miss(item: str, wanted: str) -> str | None:
    """Why `item`, written in allow_origins, never equals the origin browsers send (`wanted`),
    when it is nearly `wanted`: CORSMiddleware compares whole strings (`origin in allow_origins`)."""
    scheme, _, host = wanted.partition("://")
    default_port = {"https": ":443", "http": ":80"}.get(scheme, "")
    if item.strip() != item:
        shown = item.replace(" ", "·").replace("\t", "→").replace("\n", "↵")
        return (
            f'"{item}" has a space you cannot see (shown here as ·: "{shown}"). Browsers send '
            f'"{wanted}" with no space, and CORSMiddleware compares whole strings, so it never matches. '
            "Delete the space inside the quotes."
        )
    if item.strip("'\"") != item and item.strip("'\"") in {wanted, wanted + "/"}:
        return (
            f"the string holds its own quote marks: {item!r}. The outer quotes only make the string; "
            f"quotes inside become part of it, and no browser sends them. Write one pair: \"{wanted}\"."
        )
    if "*" in item:
        return (
            f'"{item}" is not a pattern: a "*" inside an entry is just a character, because '
            'CORSMiddleware compares whole strings (only an entry that is exactly "*" means any '
            f'origin). No browser sends "{item}", so it matches nothing. List the exact origin: "{wanted}" '
            "(allow_origin_regex is the setting for patterns, and this step needs none)."
        )
    if default_port and item.lower() == f"{wanted}{default_port}":
        return (
            f'"{item}" names the default port. Browsers leave {default_port} out of the origin of an '
            f'{scheme} page, so they send "{wanted}", and the entry never matches. Remove "{default_port}".'
        )
    lowered = item.lower()
    if lowered.startswith(wanted.lower() + "/"):
        return (
            f'"{item}" has a path. An origin is scheme, host and port only; browsers never send a path in '
            f'Origin (a page at {wanted}/app/ still sends "{wanted}"), so it never matches. '
            f'Remove everything after "{host}".'
        )
    if lowered == wanted.lower():
        return (
            f'"{item}" has capital letters. Browsers send the host in lower case ("{wanted}"), and '
            "CORSMiddleware compares whole strings, so it never matches. Write it in lower case."
        )
    if lowered in {host.lower(), f"//{host.lower()}"}:
        return (
            f'"{item}" has no scheme. An origin starts with it: browsers send "{wanted}", so the entry '
            f'never matches. Write "{wanted}".'
        )
    other_scheme = {"https": "http", "http": "https"}.get(scheme)
    if other_scheme and lowered.rstrip("/") == f"{other_scheme}://{host.lower()}":
        return (
            f'"{item}" uses {other_scheme}, but the frontend is served over {scheme}, and the scheme is '
            f'part of the origin: write "{wanted}".'
        )
    return None
