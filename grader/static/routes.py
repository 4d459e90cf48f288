"""Endpoints (`@app.get("/notes")`, on a router included in the app) and the dependencies that
guard them (`Depends(...)` in a parameter or in `Annotated[...]`, `dependencies=[...]` on a
route, a router or the app), with whether each reaches the app uvicorn serves and, when it does
not, why, in a beginner's words.

`Source.routes`, `Source.expect_route`, `Source.dependencies` and `Source.expect_dependency` are
the way in.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import libcst as cst

from grader.static.functions import Dependency, Function, Param, Where, dependency_of, function_of
from grader.static.hooks import ROUTER_CLASSES, Hook, hooks_in
from grader.static.parsed import APP_CLASSES, HTTP_METHODS, AppBinding, ParsedFile, Value
from grader.static.placement import Placement
from grader.static.registrations import RegistrationFinder
from grader.static.wrong_place import expect_served_app
from grader.verdict.checks import Failure

ROUTE_METHODS = HTTP_METHODS | {"api_route"}


@dataclass(frozen=True)
class Route:
    """An endpoint declared with a decorator such as `@app.get("/notes", status_code=201)`."""

    method: str  # upper case, e.g. "GET" (the first of `methods` for @app.api_route)
    path: str  # as requested: with the prefixes of the router it is on, e.g. "/notes/{note_id}"
    target: str | None  # the name the decorator was called on, e.g. "app" or "router"
    function: Function  # the endpoint function: `.name`, `.parameters`, `.param(name)`...
    line: int  # the decorator's line
    methods: tuple[str, ...] = ()
    keywords: Mapping[str, Value] = field(default_factory=dict, compare=False)  # status_code=, response_model=...
    dependencies: tuple[Dependency, ...] = ()  # what applies to it: app-, router- and route-wide, and its parameters'
    placement: Placement = field(default_factory=lambda: Placement(True))
    on_served_app: bool = False  # the app uvicorn serves answers this route
    before_app: bool = False
    router_included: bool | None = None  # on a router: whether the served app includes it (before the route is added)
    decorator: str = ""  # as shown in messages: '@app.get("/notes")'
    written_path: str = ""  # the path as the decorator writes it, without prefixes

    def keyword(self, name: str) -> Value | None:
        """What the decorator passes for `name` (`status_code`, `response_model`, `tags`...), or None."""
        return self.keywords.get(name)

    @property
    def params(self) -> tuple[Param, ...]:
        return self.function.parameters

    def param(self, name: str) -> Param | None:
        return self.function.param(name)


@dataclass(frozen=True)
class _Inclusion:
    """`app.include_router(router, prefix=..., dependencies=[...])`, as it reaches the served app."""

    router: str
    prefix: str
    on_served_app: bool
    position: tuple[int, int]
    line: int
    dependencies: tuple[Dependency, ...]


def routes_in(source: ParsedFile) -> list[Route]:
    """Every endpoint in the file, running or not, in source order; worked out once per file."""
    if routes_in not in source.memo:
        source.memo[routes_in] = _Finder(source).routes()
    return list(source.memo[routes_in])


def dependencies_in(source: ParsedFile) -> list[Dependency]:
    """Every dependency declared in the file: on the app, routers, routes and their parameters,
    and in the parameters of other functions (a dependency's own), in source order."""
    if dependencies_in not in source.memo:
        source.memo[dependencies_in] = _Finder(source).dependencies()
    return list(source.memo[dependencies_in])


class _Finder:
    def __init__(self, source: ParsedFile) -> None:
        self.source = source
        self.binding = source.served_app()
        self.registrations = RegistrationFinder(source)

    def routes(self) -> list[Route]:
        inclusions = self._inclusions()
        app_wide = self._app_dependencies()
        found = []
        for hook in hooks_in(self.source):
            if hook.method not in ROUTE_METHODS or hook.call is None:
                continue
            found.append(self._route(hook, inclusions, app_wide))
        return found

    def dependencies(self) -> list[Dependency]:
        found: dict[tuple[int, str, str | None], Dependency] = {}
        for dependency in self._all_app_dependencies():
            found.setdefault((dependency.line, dependency.code, None), dependency)
        routes = routes_in(self.source)
        endpoints = {id(route.function.node) for route in routes}
        for route in routes:
            for dependency in route.dependencies:
                if dependency.where in {"route", "parameter", "annotated"}:
                    found.setdefault((dependency.line, dependency.code, dependency.route), dependency)
        for node, place in self.source.layout.defs:
            if id(node) in endpoints:
                continue  # listed with its route above
            for dependency in function_of(self.source, node).dependencies:
                found.setdefault((dependency.line, dependency.code, None), replace(dependency, placement=place))
        for _, router_dependencies in self._routers().items():
            for dependency in router_dependencies:
                found.setdefault((dependency.line, dependency.code, None), dependency)
        return sorted(found.values(), key=lambda d: (d.line, d.code))

    # -- routes ---------------------------------------------------------------------

    def _route(self, hook: Hook, inclusions: list[_Inclusion], app_wide: tuple[Dependency, ...]) -> Route:
        source, call = self.source, hook.call
        assert call is not None
        keywords = {a.keyword.value: source.value_of(a.value) for a in call.args if a.keyword is not None}
        written = hook.argument.literal if hook.argument is not None and isinstance(hook.argument.literal, str) else ""
        if "path" in keywords and isinstance(keywords["path"].literal, str):
            written = keywords["path"].literal
        methods: tuple[str, ...] = (hook.method.upper(),)
        if hook.method == "api_route":
            listed = keywords["methods"].strings() if "methods" in keywords else None
            methods = tuple(m.upper() for m in listed) if listed else ("GET",)
        routers = self._routers()
        router_prefix = ""
        router_dependencies: tuple[Dependency, ...] = ()
        included: bool | None = None
        on_app, prefix = hook.on_served_app, ""
        extra: tuple[Dependency, ...] = ()
        if hook.target is not None and hook.target in routers and hook.placement.runs:
            router_prefix = self._router_prefix(hook.target)
            router_dependencies = routers[hook.target]
            reach = [i for i in inclusions if i.router == hook.target and i.on_served_app and i.position > hook.position]
            included = bool(reach)
            on_app = included
            if reach:
                prefix, extra = reach[0].prefix, reach[0].dependencies
        label = f"{methods[0]} {prefix}{router_prefix}{written}"
        own = tuple(self._list_dependencies(call, "route", hook.function.name, label))
        params = tuple(replace(d, route=label) for d in hook.function.dependencies)
        applied = (app_wide if on_app else ()) + tuple(router_dependencies) + extra + own + params
        applied = tuple(
            replace(d, on_served_app=on_app and d.placement.runs if d.where != "app" else d.on_served_app,
                    placement=hook.placement if d.where != "app" else d.placement, before_app=hook.before_app)
            if d.where != "app" else d
            for d in applied
        )
        return Route(
            method=methods[0],
            path=f"{prefix}{router_prefix}{written}",
            target=hook.target,
            function=hook.function,
            line=hook.line,
            methods=methods,
            keywords=keywords,
            dependencies=applied,
            placement=hook.placement,
            on_served_app=on_app,
            before_app=hook.before_app,
            router_included=included,
            decorator=f"@{hook.target or '...'}.{hook.method}({source.code_of(call)[len(source.code_of(call.func)) + 1 : -1]})",
            written_path=written,
        )

    def _list_dependencies(self, call: cst.Call, where: Where, owner: str, route: str | None) -> list[Dependency]:
        listed = next((a.value for a in call.args if a.keyword and a.keyword.value == "dependencies"), None)
        if isinstance(listed, cst.Name):
            listed = self.source.constant_expression(listed.value, self.source.line_of(call)) or listed
        if not isinstance(listed, cst.List | cst.Tuple):
            return []
        found = []
        for element in listed.elements:
            dependency = dependency_of(self.source, element.value, where, owner)
            if dependency is not None:
                found.append(replace(dependency, route=route))
        return found

    # -- app, routers and inclusions --------------------------------------------------

    def _app_calls(self) -> list[tuple[cst.Call, Placement, str]]:
        """Every FastAPI(...) call, with the name it is bound to (for messages)."""
        named = {id(value): target for target, value, _, _ in self.source.layout.assignments}
        return [
            (call, place, named.get(id(call), "the app"))
            for call, place in self.source.layout.calls
            if self.source.qualified_names(call.func) & APP_CLASSES
        ]

    def _all_app_dependencies(self) -> list[Dependency]:
        found = []
        binding = self.binding
        for call, place, name in self._app_calls():
            served = binding is not None and binding.call is call and place.runs
            for dependency in self._list_dependencies(call, "app", name, None):
                found.append(replace(dependency, placement=place, on_served_app=served))
        return found

    def _app_dependencies(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self._all_app_dependencies() if d.on_served_app)

    def _routers(self) -> dict[str, tuple[Dependency, ...]]:
        """Each module-level router's name, with the dependencies its APIRouter(...) declares."""
        found = {}
        for target, value, place, _ in self.source.layout.assignments:
            if place.function is None and isinstance(value, cst.Call) and self.source.qualified_names(value.func) & ROUTER_CLASSES:
                found[target] = tuple(
                    replace(d, placement=place) for d in self._list_dependencies(value, "router", target, None)
                )
        return found

    def _router_prefix(self, router: str) -> str:
        for target, value, place, _ in self.source.layout.assignments:
            if target == router and isinstance(value, cst.Call) and place.function is None:
                given = next((a.value for a in value.args if a.keyword and a.keyword.value == "prefix"), None)
                literal = self.source.value_of(given).literal if given is not None else ""
                return literal if isinstance(literal, str) else ""
        return ""

    def _inclusions(self) -> list[_Inclusion]:
        found = []
        for call, place in self.source.layout.calls:
            func = call.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "include_router" and call.args):
                continue
            router = call.args[0].value
            if not isinstance(router, cst.Name):
                continue
            target = func.value.value if isinstance(func.value, cst.Name) else None
            on_app, _ = self.registrations.reaches(target, place, self.source.position_of(call), self.binding)
            given = next((a.value for a in call.args if a.keyword and a.keyword.value == "prefix"), None)
            prefix = self.source.value_of(given).literal if given is not None else ""
            found.append(
                _Inclusion(
                    router=router.value,
                    prefix=prefix if isinstance(prefix, str) else "",
                    on_served_app=on_app,
                    position=self.source.position_of(call),
                    line=self.source.line_of(call),
                    dependencies=tuple(
                        replace(d, placement=place) for d in self._list_dependencies(call, "router", router.value, None)
                    ),
                )
            )
        return found


# -- expectations -------------------------------------------------------------------


def expect_route(source: ParsedFile, method: str, path: str, example: str | None) -> Route:
    """The route `method path` the served app answers, or the Failure that best explains the attempt."""
    method = method.upper()
    app = source.app
    wanted = f"@{app}.{method.lower()}(\"{path}\")"
    shown = example or wanted
    binding = expect_served_app(source, app)
    routes = routes_in(source)
    same = [r for r in routes if method in r.methods and r.path == path]
    effective = [r for r in same if r.on_served_app]
    if effective:
        return effective[-1]
    for route in same:
        raise _misplaced_route(source, route, binding, shown)
    for route in routes:
        if route.path == path and route.on_served_app:
            raise Failure(
                f"Line {route.line} declares {route.method} {path}, but this step needs {method} {path}.",
                line=route.line,
                hint=f"Write {shown}.",
            )
    for route in routes:
        if method in route.methods and _close_path(route.path, path):
            why = "a path starts with /" if not route.path.startswith("/") else f"the path is {path}"
            raise Failure(
                f"Line {route.line} declares {method} {route.path or '(an empty path)'}, but {why}: "
                f"a request to {path} would get 404 Not Found.",
                line=route.line,
                hint=f"Write {shown}.",
            )
    for hook in hooks_in(source):
        if hook.method in ROUTE_METHODS and hook.call is None:
            raise Failure(
                f"Line {hook.line} writes `{hook.decorator}` without the path: the decorator is {wanted}.",
                line=hook.line,
                hint=f"Write {shown} above {hook.function.name}().",
            )
        if hook.method not in ROUTE_METHODS and difflib.SequenceMatcher(None, hook.method, method.lower()).ratio() >= 0.75:
            raise Failure(
                f"Line {hook.line} writes `{hook.decorator}`, but a FastAPI app has no method `{hook.method}`, "
                f"so Python stops with an AttributeError. The decorator is {wanted}.",
                line=hook.line,
                hint=f"Write {shown}.",
            )
    raise Failure(
        f"{source.name} does not declare {method} {path} on the app yet (the app is created on line {binding.line}).",
        line=binding.line,
    )


def _close_path(written: str, wanted: str) -> bool:
    if written.strip("/").lower() == wanted.strip("/").lower():
        return True
    return difflib.SequenceMatcher(None, written, wanted).ratio() >= 0.8


def _misplaced_route(source: ParsedFile, route: Route, binding: AppBinding, shown: str) -> Failure:
    line, name, app = route.line, route.function.name, binding.name
    move = f"Put {shown} and {name}() at the top level of the file, below line {binding.line}."
    label = f"{route.method} {route.path}"
    if not route.placement.runs:
        return Failure(f"Line {line} declares {label} {route.placement.reason}, so it never takes effect.", line=line, hint=move)
    if route.router_included is False:
        return Failure(
            f"Line {line} declares {label} on `{route.target}`, a router the app never includes after this line, "
            "so the app answers 404 Not Found there.",
            line=line,
            hint=f"Below your routes, add `{app}.include_router({route.target})`.",
        )
    if route.before_app:
        return Failure(
            f"Line {line} declares {label} before line {binding.line} creates the app uvicorn serves, so that app "
            "never gets it (or Python stops with a NameError).",
            line=line,
            hint=move,
        )
    if route.target == app and route.placement.function:
        return Failure(
            f"Line {line} declares {label} on an `{app}` that belongs to the function {route.placement.function}(): "
            f"a different app from the one uvicorn serves (line {binding.line}).",
            line=line,
            hint=move,
        )
    return Failure(
        f"Line {line} declares {label} on `{route.target or 'another object'}`, but uvicorn serves `{app}` "
        f"({source.path.stem}:{app}), so that app answers 404 Not Found there.",
        line=line,
        hint=move,
    )


def expect_dependency(source: ParsedFile, names: tuple[str, ...], route: str | None, example: str | None) -> Dependency:
    """The dependency reaching one of `names` that applies to the served app (to `route`, "GET
    /notes", when given), or the Failure that best explains the attempt."""
    binding = expect_served_app(source, source.app)
    shown = example or f"Depends({names[0].rpartition('.')[2]})"
    where = f" for {route}" if route else ""
    applied = [d for r in routes_in(source) if route is None or f"{r.method} {r.path}" == route for d in r.dependencies]
    if route is None:
        applied += [d for d in dependencies_in(source) if d.where == "app"]
    everywhere = dependencies_in(source)
    matching = [d for d in applied if d.uses(*names)]
    good = [d for d in matching if d.on_served_app and d.called and not d.result_called]
    if good:
        return good[0]
    for dependency in [*matching, *(d for d in everywhere if d.uses(*names))]:
        line = dependency.line
        if dependency.result_called:
            return _raise(
                f"Line {line} writes `{dependency.code}`: that calls {dependency.target}() once, when the file "
                f"loads, and hands FastAPI its result. Depends wants the function itself, which FastAPI calls "
                "for every request.",
                line,
                f"Write Depends({dependency.target}), without the parentheses after {dependency.target}.",
            )
        if not dependency.placement.runs:
            return _raise(f"Line {line} declares `{dependency.code}` {dependency.placement.reason}, so it never takes effect.", line, f"Use {shown} at the top level of the file.")
        if dependency.where in {"parameter", "annotated", "route"} and dependency.route is None:
            continue  # a dependency's own parameter: reached through the function that uses it
        if not dependency.on_served_app and dependency.where == "app":
            return _raise(
                f"Line {line} adds `{dependency.code}` to a FastAPI app that is not `{binding.name}`, the one uvicorn serves.",
                line,
                f"Give it to the served app: `{binding.name} = FastAPI(dependencies=[{shown}])`.",
            )
        if not dependency.on_served_app:
            return _raise(
                f"Line {line} declares `{dependency.code}` on {dependency.route or 'a route'}, which the app uvicorn "
                f"serves never answers (see the step that declares the route), so it guards nothing.",
                line,
                f"Declare it on a route of `{binding.name}`.",
            )
    for dependency in everywhere:
        if not dependency.called:
            return _raise(
                f"Line {dependency.line} writes `{dependency.code}` without parentheses: FastAPI's marker is a call, "
                f"{shown}, naming what to call for each request.",
                dependency.line,
                f"Write {shown}.",
            )
    # What the learner may have written instead: the names asked for, and the file's own
    # functions that reach them (verify_key, when the check asks for APIKeyHeader behind it).
    short = {name.rpartition(".")[2] for name in names} | _functions_reaching(source, names)
    for call in _calls_anywhere(source.module):
        written = source.code_of(call.func)
        if isinstance(call.func, cst.Name) and written in {"Depends", "Security"} and not source.qualified_names(call.func):
            line = source.line_of(call)
            return _raise(
                f"Line {line} uses {written}, but {source.name} never imports it, so Python stops with a NameError.",
                line,
                f"Add `from fastapi import {written.rpartition('.')[2]}` at the top of the file.",
            )
    elsewhere = [
        d for r in routes_in(source) if route is not None and f"{r.method} {r.path}" != route and r.on_served_app
        for d in r.dependencies if d.where != "app" and d.uses(*names) and d.called and not d.result_called
    ]
    if elsewhere:
        other = elsewhere[0]
        return _raise(
            f"Line {other.line} puts `{other.code}` on {other.route}, not on {route}: {route} still answers "
            "every request.",
            other.line,
            f"Give {route} the dependency too: add dependencies=[{shown}] to its decorator.",
        )
    for route_found in routes_in(source):
        for param in route_found.params:
            default = param.default.code if param.default is not None else None
            if default is not None and default.split("(")[0] in short:
                return _raise(
                    f"Line {param.line} gives `{default}` as the default of `{param.name}`, so FastAPI never calls "
                    f"it: a dependency is written {shown}.",
                    param.line,
                    f"Write `{param.name}{': ' + param.annotation if param.annotation else ''} = {shown}`.",
                )
        listed = route_found.keyword("dependencies")
        if listed is not None and not _is_sequence(listed) and any(name in listed.code for name in short):
            return _raise(
                f"Line {listed.line} sets dependencies={listed.code}: it must be a list of Depends(...), such as "
                f"dependencies=[{shown}].",
                listed.line,
                f"Write dependencies=[{shown}].",
            )
    app_listed = source.app_argument("dependencies")
    if app_listed is not None and not _is_sequence(app_listed) and any(name in app_listed.code for name in short):
        return _raise(
            f"Line {app_listed.line} sets dependencies={app_listed.code}: it must be a list of Depends(...), such as "
            f"dependencies=[{shown}].",
            app_listed.line,
            f"Write dependencies=[{shown}].",
        )
    wanted = ", ".join(sorted(name.rpartition(".")[2] for name in names))
    return _raise(f"{source.name} declares no dependency on {wanted}{where} yet.", binding.line, None)


def _is_sequence(value: Value) -> bool:
    return value.code.lstrip().startswith(("[", "("))


def _functions_reaching(source: ParsedFile, names: tuple[str, ...]) -> set[str]:
    """The module-level functions whose own dependencies reach one of `names`."""
    return {
        name
        for name, node in source.layout.functions.items()
        if any(d.uses(*names) for d in function_of(source, node).dependencies)
    }


def _raise(message: str, line: int, hint: str | None) -> Dependency:
    raise Failure(message, line=line, hint=hint)


def _calls_anywhere(module: cst.Module) -> list[cst.Call]:
    """Every call in the file, parameter defaults and annotations included."""
    found: list[cst.Call] = []

    class Collect(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    module.visit(Collect())
    return found
