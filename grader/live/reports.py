"""Failure reports any live check can use: a crashed request told apart, and a curl to try."""

from __future__ import annotations

from collections.abc import Sequence

from grader.live.response import Response
from grader.verdict.checks import Failure


def fail_on_crash(response: Response, *, note: str = "", settings: Sequence[str] = ()) -> None:
    """Fail the step when `response` is a 5xx: that is the app's bug, whatever the step checks,
    so say so with the app's own error. `note` is a sentence on what an ordinary crash means
    for this step ("The middleware never ran: ..."); `settings` names the middleware's settings,
    shown when the app crashed because a middleware got one it does not accept."""
    if response.status < 500:
        return
    output = response.error_lines
    crashed = f"Your app crashed while answering {response.method} {response.path} ({response.status_line})"
    extra = f" {note}" if note else ""
    if "build_middleware_stack" in response.server_output:
        unknown_setting = "unexpected keyword argument" in response.server_output
        why = (
            "a middleware was given a setting it does not accept"
            if unknown_setting
            else "one of the middlewares added to it could not be built"
        )
        named = f" and the setting names in the lesson ({', '.join(settings)})." if unknown_setting and settings else "."
        raise Failure(
            f"{crashed}, while setting up its middleware: {why}, so no request can be answered.",
            details=("Your app's error:", *output),
            hint="The last line of the error says what went wrong; check each app.add_middleware(...) call" + named,
        )
    raise Failure(
        f"{crashed}.{extra} Fix the crash first.",
        details=("Your app's error:", *output) if output else try_it(response),
        hint="The last line of the error names the problem, and the lines above it point into your file.",
    )


def try_it(response: Response) -> tuple[str, ...]:
    """Lines that show the learner how to send the same request to their own server."""
    # Each command on a line of its own, so it is copied whole (and wrapped only between words).
    return (
        "See it yourself: start your app with",
        f"  {response.start_command}",
        "then, in another terminal, run:",
        f"  {response.curl()}",
    )
