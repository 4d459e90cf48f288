"""What a real browser did with a page's cross-origin calls, told the way a learner reads it.

A lesson-side helper for browser steps: Chromium's own console words, quoted as they are,
and the requests it sent (the preflight, then the call) with the CORS headers that decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus

from grader import BrowserRequest, Fetched

# The answers' headers that decide a cross-origin call, in the order a learner checks them.
PREFLIGHT_ANSWER = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
)
CALL_ANSWER = ("Access-Control-Allow-Origin",)
OPTIONAL_ANSWER = ("Access-Control-Allow-Credentials",)  # shown only when the app sends it
CORS_BLOCKED = "blocked by CORS policy"


def allowed(fetched: Fetched) -> bool:
    """The page's code got the answer: fetch() resolved instead of rejecting."""
    return fetched.status is not None


def console_quotes(fetched: Fetched) -> list[str]:
    """Chromium's console errors for this call, verbatim: its CORS verdict when there is one."""
    cors = [m.text for m in fetched.console if CORS_BLOCKED in m.text]
    if cors:
        return cors
    return [
        m.text
        for m in fetched.console
        if m.level == "error" and "Failed to load resource" not in m.text
    ]


def wire_lines(fetched: Fetched) -> list[str]:
    """The requests the browser made for one fetch(), each with the answer's deciding headers."""
    verdict = "allowed" if allowed(fetched) else "blocked"
    lines = [f"{fetched.method} {fetched.path}, {verdict}:"]
    preflight, call = fetched.preflight, fetched.request
    if preflight is not None:
        asked = _asked(preflight)
        lines.append(f"  OPTIONS {preflight.path}  (preflight{asked})  ->  {_answer(preflight)}")
        lines += _headers(preflight, PREFLIGHT_ANSWER)
    if call is None or not call.sent:
        lines.append(
            f"  {fetched.method} {fetched.path}  ->  not sent: the preflight did not allow it"
        )
    else:
        answer = _answer(call)
        if call.status is not None and not allowed(fetched):
            answer += ", but the page may not read it"
        lines.append(f"  {fetched.method} {fetched.path}  ->  {answer}")
        lines += _headers(call, CALL_ANSWER)
    return lines


def blocked_summary(blocked: Sequence[Fetched]) -> str:
    """'DELETE /notes/1' or 'DELETE /notes/1 and GET /notes'."""
    return " and ".join(f"{f.method} {f.path}" for f in blocked)


def _asked(preflight: BrowserRequest) -> str:
    method = preflight.request_header("Access-Control-Request-Method")
    headers = preflight.request_header("Access-Control-Request-Headers")
    if not method:
        return ""
    return f": may it send {method}" + (f" with {headers.replace(',', ', ')}?" if headers else "?")


def _answer(request: BrowserRequest) -> str:
    if request.status is None:
        return f"no answer ({request.failure or 'the connection failed'})"
    try:
        phrase = HTTPStatus(request.status).phrase
    except ValueError:
        phrase = ""
    return f"{request.status} {phrase}".strip()


def _headers(request: BrowserRequest, names: Sequence[str]) -> list[str]:
    if request.status is None:
        return []
    lines = [f"      {name}: {request.header(name) or '(none)'}" for name in names]
    lines += [
        f"      {name}: {request.header(name)}" for name in OPTIONAL_ANSWER if request.header(name)
    ]
    return lines
