"""What a browser decides about a cross-origin call, from the answers the API gave.

A lesson-side helper shared by the CORS lessons. It follows the Fetch standard's
CORS check and CORS-preflight rules, not any one server's header layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader import Response

SAFELISTED_METHODS = {"GET", "HEAD", "POST"}
# Authorization is never covered by a "*" in Access-Control-Allow-Headers.
NON_WILDCARD_HEADERS = {"authorization"}


def origin_problems(response: Response, origin: str, *, credentials: bool = False) -> list[str]:
    """Why the browser would refuse to hand this response to a page on `origin`."""
    allowed = response.header("Access-Control-Allow-Origin")
    if allowed is None:
        return ["it has no Access-Control-Allow-Origin header"]
    allowed = allowed.strip()
    if "," in allowed:
        return [f"Access-Control-Allow-Origin holds several values ({allowed}); a browser accepts exactly one"]
    if allowed == "*" and credentials:
        return ["Access-Control-Allow-Origin is *, which browsers refuse for requests that send credentials"]
    if allowed not in {"*", origin}:
        return [f"Access-Control-Allow-Origin is {allowed}, which is not {origin}"]
    if credentials and response.header("Access-Control-Allow-Credentials") != "true":
        return ["it has no Access-Control-Allow-Credentials: true, which requests with credentials need"]
    return []


def preflight_problems(
    response: Response,
    origin: str,
    method: str,
    request_headers: Sequence[str],
    *,
    credentials: bool = False,
) -> list[str]:
    """Why the browser would not send the real request after this preflight answer."""
    methods = response.header_list("Access-Control-Allow-Methods")
    problems = []
    if not 200 <= response.status < 300:
        said = response.text.strip()
        answered = f" (your app answered: {said})" if said and len(said) <= 120 and "\n" not in said else ""
        problems.append(f"its status is {response.status_line}, and a preflight needs a 2xx status{answered}")
        if methods and method not in methods and "*" not in methods and method in SAFELISTED_METHODS:
            # Browsers never need GET, HEAD or POST listed, but CORSMiddleware refuses a
            # preflight that asks for a method its allow_methods leaves out.
            problems.append(
                f"Access-Control-Allow-Methods is {', '.join(methods)}: your app refused the preflight "
                f"because {method} is not among the methods it allows"
            )
    problems += origin_problems(response, origin, credentials=credentials)
    wildcard_methods = "*" in methods and not credentials
    if method not in SAFELISTED_METHODS and method not in methods and not wildcard_methods:
        if not methods:
            problems.append(f"it has no Access-Control-Allow-Methods header, so {method} is not allowed")
        else:
            problems.append(f"Access-Control-Allow-Methods is {', '.join(methods)}, which does not include {method}")
    allowed_headers = {h.lower() for h in response.header_list("Access-Control-Allow-Headers")}
    wildcard_headers = "*" in allowed_headers and not credentials
    missing = [
        h
        for h in request_headers
        if h.lower() not in allowed_headers and (h.lower() in NON_WILDCARD_HEADERS or not wildcard_headers)
    ]
    if missing:
        if not allowed_headers:
            named = f"the {missing[0]} header is" if len(missing) == 1 else f"the {', '.join(missing)} headers are"
            problems.append(f"it has no Access-Control-Allow-Headers header, so {named} not allowed")
        else:
            problems.append(
                f"Access-Control-Allow-Headers is {response.header('Access-Control-Allow-Headers')}, "
                f"which does not include {', '.join(missing)}"
            )
    return problems
