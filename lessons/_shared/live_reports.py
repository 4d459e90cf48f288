"""What a crash means for the CORS lessons, on top of the engine's generic crash report."""

from __future__ import annotations

from grader import Response, fail_on_crash as fail_on_any_crash, try_it

from _shared.cors_static import PARAMETERS

__all__ = ["fail_on_crash", "try_it"]

CRASH_NOTE = (
    "That is not a CORS problem: a crashed request is answered outside the middleware, so it never "
    "carries CORS headers."
)


def fail_on_crash(response: Response) -> None:
    """A 5xx is the app's bug, not missing CORS: say so, with the app's own error."""
    fail_on_any_crash(response, note=CRASH_NOTE, settings=PARAMETERS[:3])
