"""Checks for the ${slug} lesson: one @check per step id in lesson.toml."""

from __future__ import annotations

from grader import Failure, LiveApp, Source, check

PATH = "${path}"


@check("route")
def health_route_is_declared(source: Source) -> str:
    for route in source.routes():
        if route.method == "GET" and route.path == PATH and route.target == source.app:
            return f"Line {route.line} declares GET {PATH}."
    raise Failure(f"{source.name} does not declare GET {PATH} on the app yet.")


@check("live-health", live=True)
def health_answers_ok(app: LiveApp) -> str:
    response = app.expect("GET", PATH, status=200, equals={"content-type": "application/json"})
    if response.text.replace(" ", "") != '{"status":"ok"}':
        raise Failure(f'GET {PATH} answered {response.text[:200]}, not {{"status": "ok"}}.')
    return f'GET {PATH} answers 200 OK with {response.text}.'
