"""Failure details the live CORS checks share: crashes told apart, and a curl to try."""

from __future__ import annotations

from grader import Failure, Response


def fail_on_crash(response: Response) -> None:
    """A 5xx is the app's bug, not missing CORS: say so, with the app's own error."""
    if response.status < 500:
        return
    output = response.error_lines
    if "build_middleware_stack" in response.server_output:
        unknown_setting = "unexpected keyword argument" in response.server_output
        why = (
            "a middleware was given a setting it does not accept"
            if unknown_setting
            else "one of the middlewares added to it could not be built"
        )
        raise Failure(
            f"Your app crashed while answering {response.method} {response.path} "
            f"({response.status_line}), while setting up its middleware: {why}, so no request can be "
            "answered, and no CORS header is sent.",
            details=("Your app's error:", *output),
            hint="The last line of the error says what went wrong; check each app.add_middleware(...) call"
            + (" and the setting names in the lesson (allow_origins, allow_methods, allow_headers)." if unknown_setting else "."),
        )
    raise Failure(
        f"Your app crashed while answering {response.method} {response.path} "
        f"({response.status_line}). That is not a CORS problem: a crashed request is answered "
        "outside the middleware, so it never carries CORS headers. Fix the crash first.",
        details=("Your app's error:", *output) if output else try_it(response),
        hint="The last line of the error names the problem, and the lines above it point into your file.",
    )


def try_it(response: Response) -> tuple[str, ...]:
    """Lines that show the learner how to send the same request to their own server."""
    return (
        f"See it yourself: start your app with `{response.start_command}`, then in another terminal run:",
        f"  {response.curl()}",
    )
