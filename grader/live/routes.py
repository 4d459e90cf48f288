"""The endpoints a learner's file declares, as requests to send: each method and path from
the parsed source, path parameters filled with values a real page could ask for."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass

from grader.live.traffic import plausible_word
from grader.static.routes import Route
from grader.static.source import Source

# `{name}` or `{name:converter}` in a Starlette path.
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?\}")


@dataclass(frozen=True)
class Endpoint:
    """One declared route, ready to call: `path` has its parameters filled in."""

    method: str
    template: str  # as declared, "/notes/{note_id}"
    path: str  # as sent, "/notes/7"
    line: int

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def declared_endpoints(
    source: Source, rng: random.Random, also: tuple[tuple[str, str], ...] = (), fills: int = 1
) -> tuple[Endpoint, ...]:
    """Every route the file declares (`@app.get(...)`, `@router.post(...)`...) and the
    `also` pairs (method, path template) a check always wants, once per method and path, in
    a random order: an app cannot guess which comes first. A path with parameters comes
    `fills` times, each with other values."""
    seen: dict[tuple[str, str], list[Endpoint]] = {}
    declared = [
        (method, route.path, _annotated(route), route.line)
        for route in source.routes()
        for method in (route.methods or (route.method,))
    ]
    for method, template, types, line in [*declared, *((m, t, {}, 0) for m, t in also)]:
        if method in {"OPTIONS", "HEAD"} or (method, template) in seen:
            continue
        wanted = fills if "{" in template else 1
        paths: dict[str, None] = {}
        for _ in range(8 * wanted):  # distinct values, so that no one value decides alone
            paths[_filled(template, types, rng)] = None
            if len(paths) == wanted:
                break
        seen[(method, template)] = [Endpoint(method, template, path, line) for path in paths]
    found = [endpoint for group in seen.values() for endpoint in group]
    rng.shuffle(found)
    return tuple(found)


def _filled(template: str, annotations: dict[str, str], rng: random.Random) -> str:
    return _PARAMETER.sub(lambda m: _value(m.group(2), annotations.get(m.group(1)), rng), template)


def _annotated(route: Route) -> dict[str, str]:
    return {param.name: param.annotation for param in route.function.parameters if param.annotation}


def _value(converter: str | None, annotation: str | None, rng: random.Random) -> str:
    # `int`, `uuid.UUID`, `Annotated[int, Path(gt=0)]`: the first type name the grader knows.
    words = re.findall(r"[A-Za-z_]+", annotation or "")
    kind = converter or next((word for word in words if word in {"int", "float", "UUID", "str"}), "str")
    if kind == "int":
        return str(rng.randint(1, 40))
    if kind == "float":
        return f"{rng.randint(1, 40)}.{rng.randint(0, 9)}"
    if kind in {"uuid", "UUID"}:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if kind == "path":
        return f"{plausible_word(rng)}/{plausible_word(rng)}"
    return plausible_word(rng)

