"""Which origins a CORSMiddleware registration lets in, judged the way Starlette judges them.

Starlette allows an origin when `"*" in allow_origins`, when `allow_origin_regex` matches
all of it, or when `origin in allow_origins`. On text, `in` finds any piece of the text,
so each allowed origin and regex is tried against attacker probes (grader.static.origins).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.static.origins import Probe, regex_matches
from grader import Registration, Value

# The one rule both lessons state: settings that hold several values are lists, even "*".
TEXT_RULE = (
    "CORSMiddleware asks `origin in allow_origins`, and on text `in` finds any piece of the text: "
    '"*" as text happens to work only because it is one character, but '
    'allow_origins="https://notes.example.com" would also let in https://notes.example.co'
)


@dataclass(frozen=True)
class Admitted:
    """An attacker origin the settings let in, the setting to blame and its line."""

    probe: Probe
    setting: str
    line: int
    why: str


def admits(origins: object, regex: object, origin: str) -> bool:
    """Starlette's CORSMiddleware.is_allowed_origin, on the values as written."""
    try:
        if isinstance(origins, str | list | tuple | set | frozenset) and "*" in origins:
            return True
        if isinstance(regex, str) and regex_matches(regex, origin):
            return True
        return isinstance(origins, str | list | tuple | set | frozenset) and origin in origins
    except TypeError:
        return False


def admitted_by(registration: Registration, probe: Probe) -> Admitted | None:
    """Whether this registration lets `probe` in, and through which setting."""
    blame = _blame(registration.argument("allow_origins"), registration.argument("allow_origin_regex"), probe.origin)
    if blame is None:
        return None
    setting, line, why = blame
    return Admitted(probe, setting, line, why)


def _blame(origins: Value | None, regex: Value | None, origin: str) -> tuple[str, int, str] | None:
    if origins is not None and origins.known:
        literal = origins.literal
        if isinstance(literal, str) and literal != "*" and admits(literal, None, origin):
            return "allow_origins", origins.line, f'allow_origins is the text "{literal}", not a list'
        if admits(literal, None, origin) and isinstance(literal, list | tuple | set | frozenset):
            if "*" in literal:
                return "allow_origins", origins.line, 'allow_origins holds "*"'
            return "allow_origins", origins.line, f'allow_origins lists "{origin}"'
    if regex is not None and isinstance(regex.literal, str) and regex_matches(regex.literal, origin):
        return "allow_origin_regex", regex.line, f"allow_origin_regex={regex.code} matches it"
    return None


def settings_for(problems: list[str]) -> list[str]:
    """The CORSMiddleware settings that decide each of a browser's reasons to block."""
    named: list[str] = []
    for problem in problems:
        if "Allow-Methods" in problem:
            named.append("allow_methods")
        elif "Allow-Headers" in problem:
            named.append("allow_headers")
        elif "Credentials" in problem or "credentials" in problem:
            named.append("allow_credentials")
        elif "Allow-Origin" in problem:
            named.append("allow_origins")
    return list(dict.fromkeys(named))
