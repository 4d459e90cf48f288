"""Finding middleware registrations in a learner's file: `x.add_middleware(...)` and
`FastAPI(middleware=[Middleware(...)])`, with their arguments read by name, and whether each
reaches the app uvicorn serves (directly, through a factory, or through a helper function).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import libcst as cst

from grader.static.functions import Function, function_of
from grader.static.parsed import (
    APP_CLASSES,
    MIDDLEWARE_WRAPPERS,
    AppBinding,
    ParsedFile,
    Value,
    argument_for,
)
from grader.static.placement import Placement


@dataclass(frozen=True)
class Registration:
    """One middleware registration: `x.add_middleware(...)` or `FastAPI(middleware=[...])`."""

    kind: Literal["add_middleware", "middleware_list"]
    middleware: frozenset[str]  # qualified names of the middleware class argument
    middleware_code: str
    target: str | None  # the name add_middleware was called on
    line: int
    placement: Placement
    on_served_app: bool
    before_app: bool
    arguments: Mapping[str, Value]
    opaque: bool  # a `**mapping` the grader could not read: arguments may be incomplete
    # in a helper function: what its callers pass for `target`, e.g. ("api",) for setup(api)
    passed_names: tuple[str, ...] = ()
    target_made_by: frozenset[str] = frozenset()  # what made the target, e.g. fastapi.APIRouter
    # the function that handles each request: `dispatch=f` given to BaseHTTPMiddleware, or the
    # `dispatch` method of a BaseHTTPMiddleware subclass defined in the file
    dispatch: Function | None = field(default=None, compare=False, repr=False)
    # for a class defined in the file: the qualified names of the classes it inherits from
    # (directly or not), so `expect_registration(BaseHTTPMiddleware)` finds `add_middleware(Timing)`
    bases: frozenset[str] = frozenset()

    def argument(self, name: str) -> Value | None:
        return self.arguments.get(name)

    def is_one_of(self, qualified: Collection[str]) -> bool:
        """Whether the class passed is one of `qualified`, or a class of the file inheriting from one."""
        return bool((self.middleware | self.bases) & set(qualified))


def registrations_in(source: ParsedFile, params: Sequence[str], app: str) -> list[Registration]:
    """Every middleware registration in the file, running or not, in source order; worked
    out once per file and question, since several checks ask."""
    key = (RegistrationFinder, tuple(params), app)
    if key not in source.memo:
        finder = RegistrationFinder(source)
        source.memo[key] = [finder.with_dispatch(r) for r in finder.find(tuple(params), app)]
    return list(source.memo[key])


class RegistrationFinder:
    """Works over one parsed file; `registrations_in` is the way in."""

    def __init__(self, source: ParsedFile) -> None:
        self.source = source

    def find(self, params: tuple[str, ...], app: str) -> list[Registration]:
        binding = self.source.served_app(app)
        found: list[Registration] = []
        for call, place in self.source.layout.calls:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "add_middleware":
                registration = self._add_middleware(call, place, params, binding)
                if registration is not None:
                    found.append(registration)
            elif self.source.qualified_names(func) & APP_CLASSES:
                found.extend(self._middleware_list(call, place, params, binding))
        return sorted(found, key=lambda r: r.line)

    def _add_middleware(
        self,
        call: cst.Call,
        place: Placement,
        params: Sequence[str],
        binding: AppBinding | None,
    ) -> Registration | None:
        assert isinstance(call.func, cst.Attribute)
        target = call.func.value.value if isinstance(call.func.value, cst.Name) else None
        split = _split(call, class_keyword="middleware_class")
        if split is None:
            return None
        middleware, positional, keywords = split
        arguments, opaque = self._bind(call, positional, keywords, params)
        line = self.source.line_of(call)
        on_app, before_app = self.reaches(target, place, self.source.position_of(call), binding)
        made = self.source.served_app(target) if target and place.function is None else None
        return Registration(
            target_made_by=made.made_by if made else frozenset(),
            passed_names=self._passed_names(target, place),
            kind="add_middleware",
            middleware=self._middleware_names(middleware),
            middleware_code=self.source.code_of(middleware),
            target=target,
            line=line,
            placement=place,
            on_served_app=on_app,
            before_app=before_app,
            arguments=arguments,
            opaque=opaque,
        )

    def with_dispatch(self, registration: Registration) -> Registration:
        """`registration` with the function that handles requests and the classes it inherits from."""
        dispatch = None
        given = registration.argument("dispatch")
        if given is not None and given.code in self.source.layout.functions:
            dispatch = function_of(self.source, self.source.layout.functions[given.code])
        classes = self._classes()
        name = registration.middleware_code
        bases: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in classes and current not in bases:
                bases.add(current)
                for base in classes[current].bases:
                    todo.append(self.source.code_of(base.value))
                    bases |= self.source.qualified_names(base.value)
        bases.discard(name)
        own = classes.get(name)
        if dispatch is None and own is not None:
            method = next(
                (s for s in own.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "dispatch"), None
            )
            dispatch = function_of(self.source, method) if method is not None else None
        return replace(registration, dispatch=dispatch, bases=frozenset(bases))

    def _classes(self) -> dict[str, cst.ClassDef]:
        return {
            statement.name.value: statement
            for statement in self.source.module.body
            if isinstance(statement, cst.ClassDef)
        }

    def reaches(
        self, target: str | None, place: Placement, position: tuple[int, int], binding: AppBinding | None
    ) -> tuple[bool, bool]:
        """Whether code at `position` calling a method on `target` acts on the served app, and
        whether it refers to that app's name before the app exists (so it misses it)."""
        anchor = self._anchor(position, place)
        on_app = self._targets_app(target, place, binding, anchor)
        before_app = (
            not on_app
            and binding is not None
            and binding.factory is None
            and anchor < binding.position
            and self._refers_to_app(target, place, binding)
        )
        return on_app, before_app

    def _middleware_list(
        self,
        app_call: cst.Call,
        place: Placement,
        params: Sequence[str],
        binding: AppBinding | None,
    ) -> list[Registration]:
        listed = next((a.value for a in app_call.args if a.keyword and a.keyword.value == "middleware"), None)
        if listed is None:
            return []
        if isinstance(listed, cst.Name):
            listed = self.source.constant_expression(listed.value, self.source.line_of(app_call)) or listed
        if not isinstance(listed, cst.List | cst.Tuple):
            return []
        on_app = binding is not None and binding.call is app_call
        found = []
        for element in listed.elements:
            item = element.value
            if not (isinstance(item, cst.Call) and self.source.qualified_names(item.func) & MIDDLEWARE_WRAPPERS):
                continue
            split = _split(item, class_keyword="cls")
            if split is None:
                continue
            middleware, positional, keywords = split
            arguments, opaque = self._bind(item, positional, keywords, params)
            found.append(
                Registration(
                    kind="middleware_list",
                    middleware=self._middleware_names(middleware),
                    middleware_code=self.source.code_of(middleware),
                    target=binding.name if on_app and binding else None,
                    line=self.source.line_of(item),
                    placement=place,
                    on_served_app=on_app and place.runs,
                    before_app=False,
                    arguments=arguments,
                    opaque=opaque,
                )
            )
        return found

    def _bind(
        self,
        call: cst.Call,
        positional: Sequence[cst.BaseExpression],
        keywords: Mapping[str, cst.BaseExpression],
        params: Sequence[str],
    ) -> tuple[dict[str, Value], bool]:
        line = self.source.line_of(call)
        arguments = {name: self.source.value_of(node) for name, node in zip(params, positional)}
        arguments.update({name: self.source.value_of(node) for name, node in keywords.items()})
        opaque = False
        for arg in call.args:
            if arg.star == "**":
                mapping = self.source.value_of(arg.value)
                if isinstance(mapping.literal, dict):
                    for key, item in mapping.literal.items():
                        if isinstance(key, str):
                            arguments.setdefault(key, Value(repr(item), line, item, via=mapping.via))
                else:
                    opaque = True
            elif arg.star == "*":
                opaque = True
        return arguments, opaque

    def _middleware_names(self, node: cst.BaseExpression) -> frozenset[str]:
        # `SomeMiddleware(...)` is an object already built, not the class add_middleware wants.
        return frozenset() if isinstance(node, cst.Call) else self.source.qualified_names(node)

    def _anchor(self, position: tuple[int, int], place: Placement, seen: frozenset[str] = frozenset()) -> tuple[int, int]:
        """Where code takes effect: its own position, or for a called function, its first
        call from module level (through other called functions if need be)."""
        if place.function is None or place.function in seen:
            return position
        sites = [
            self._anchor(self.source.position_of(call), site, seen | {place.function})
            for call, site in self._call_sites(place.function)
        ]
        return min(sites, default=position)

    def _call_sites(self, function: str) -> list[tuple[cst.Call, Placement]]:
        return [
            (call, site)
            for call, site in self.source.layout.calls
            if site.runs and isinstance(call.func, cst.Name) and call.func.value == function
        ]

    def _passed_names(self, target: str | None, place: Placement) -> tuple[str, ...]:
        function = self.source.layout.functions.get(place.function or "")
        if target is None or function is None:
            return ()
        params = [p.name.value for p in function.params.params]
        if target not in params:
            return ()
        index = params.index(target)
        given = [argument_for(call, index, target) for call, _ in self._call_sites(function.name.value)]
        return tuple(dict.fromkeys(self.source.code_of(g) for g in given if g is not None))

    def _refers_to_app(self, target: str | None, place: Placement, binding: AppBinding) -> bool:
        """Whether `target` names the served app's variable, wherever it is called from."""
        if target is None or not place.runs:
            return False
        if place.function is None:
            return binding.named(target)
        function = self.source.layout.functions.get(place.function)
        if function is None:
            return False
        params = [p.name.value for p in function.params.params]
        if target not in params:
            return binding.named(target)
        index = params.index(target)
        return any(
            isinstance(given := argument_for(call, index, target), cst.Name) and binding.named(given.value)
            for call, _ in self._call_sites(place.function)
        )

    def _targets_app(
        self, target: str | None, place: Placement, binding: AppBinding | None, anchor: tuple[int, int]
    ) -> bool:
        if target is None or binding is None or not place.runs:
            return False
        if place.function is None:
            return binding.named(target) and anchor > binding.position
        if place.function == binding.factory and binding.local is not None:
            return target == binding.local
        function = self.source.layout.functions.get(place.function)
        if function is None:
            return False
        params = [p.name.value for p in function.params.params]
        local_names = {t for t, _, p, _ in self.source.layout.assignments if p.function == place.function}
        if binding.named(target) and target not in params and target not in local_names:
            return anchor > binding.position
        if target not in params:
            return False
        index = params.index(target)
        for call, site in self._call_sites(place.function):
            given = argument_for(call, index, target)
            if not isinstance(given, cst.Name):
                continue
            if site.function is None and binding.named(given.value):
                if self._anchor(self.source.position_of(call), site) > binding.position:
                    return True
            elif site.function is not None and site.function == binding.factory and given.value == binding.local:
                return True
        return False


def _split(
    call: cst.Call, class_keyword: str
) -> tuple[cst.BaseExpression, list[cst.BaseExpression], dict[str, cst.BaseExpression]] | None:
    """The middleware class a call names (first positional, or `class_keyword=`), then its
    other positional and keyword arguments; None when it names no class."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    middleware = keywords.pop(class_keyword, None)
    if middleware is None and positional:
        middleware, positional = positional[0], positional[1:]
    return None if middleware is None else (middleware, positional, keywords)
