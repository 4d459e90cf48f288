"""What a function declares and does: its parameters (annotations, defaults, dependencies),
its calls, awaits and returns; and the FastAPI dependencies and security schemes it uses.

Read from the learner's file with the shared parse; hooks, routes and registrations build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

import libcst as cst

from grader.static.parsed import ParsedFile, Value
from grader.static.placement import AT_MODULE_LEVEL, Placement
from grader.verdict.checks import Failure

DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})
SECURITY = frozenset({"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_SECURITY_MODULES = (
    "fastapi.security",
    "fastapi.security.api_key",
    "fastapi.security.http",
    "fastapi.security.oauth2",
    "fastapi.security.open_id_connect_url",
)
_SECURITY_NAMES = (
    "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "HTTPBearer", "HTTPBasic", "HTTPDigest",
    "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "OpenIdConnect",
)
# The security classes, under every module FastAPI exports them from.
SECURITY_CLASSES = frozenset(f"{module}.{name}" for module in _SECURITY_MODULES for name in _SECURITY_NAMES)
Where = Literal["parameter", "annotated", "route", "app", "router"]


@dataclass(frozen=True)
class SecurityScheme:
    """A security class instance, such as `api_key_header = APIKeyHeader(name="X-API-Key")`."""

    variable: str | None  # the module-level name it is bound to; None when made inline in Depends(...)
    cls: frozenset[str]  # qualified names of the class, e.g. fastapi.security.APIKeyHeader
    class_name: str  # as written: "APIKeyHeader"
    line: int
    code: str
    placement: Placement
    arguments: dict[str, Value] = field(default_factory=dict, compare=False)

    def argument(self, name: str) -> Value | None:
        """What the call passes for `name` (`name`, `auto_error`, `tokenUrl`...): by keyword, or
        the first positional argument (`name` for APIKey*, `tokenUrl` for OAuth2*)."""
        return self.arguments.get(name)

    def is_one_of(self, qualified: Iterable[str]) -> bool:
        return bool(self.cls & set(qualified))


@dataclass(frozen=True)
class Dependency:
    """One FastAPI dependency: `Depends(x)` or `Security(x)`, wherever it is declared."""

    kind: Literal["Depends", "Security"]
    code: str  # as written: "Depends(verify_key)"
    target: str | None  # what it depends on, as written: "verify_key"; for a bare Depends() the annotation's type
    line: int
    # "parameter" (a default, `x = Depends(f)`), "annotated" (`Annotated[T, Depends(f)]`),
    # "route" (`dependencies=[...]` on a route), "app" (on FastAPI(...)), "router" (on APIRouter(...)
    # or include_router(...))
    where: Where
    owner: str  # the function whose parameter it is, the route's function, or the app's or router's name
    param: str | None = None  # the parameter's name, for "parameter" and "annotated"
    called: bool = True  # False for `= Depends` written without parentheses
    function: Function | None = field(default=None, compare=False, repr=False)  # the module-level function it calls
    scheme: SecurityScheme | None = None  # the security scheme it calls directly
    # every name it reaches: its target as written and qualified, the scheme's class, and what the
    # dependency function depends on in turn (so a check can find APIKeyHeader behind verify_key)
    reaches: frozenset[str] = frozenset()
    result_called: bool = False  # `Depends(verify_key())`: the function's result, not the function
    placement: Placement = AT_MODULE_LEVEL
    on_served_app: bool = False  # it applies to requests the app uvicorn serves gets
    before_app: bool = False
    route: str | None = None  # the route it applies to ("GET /notes"); None for app- and router-wide ones

    def uses(self, *names: str) -> bool:
        """Whether it reaches one of `names`: a function name ("verify_key"), a class as written
        ("APIKeyHeader") or a qualified name, directly or through the functions it calls."""
        return bool(self.reaches & set(names))


@dataclass(frozen=True)
class Param:
    """One parameter of a function: `key: str = Depends(verify_key)`."""

    name: str
    line: int
    annotation: str | None  # as written: "str", "Annotated[str, Depends(verify_key)]"
    default: Value | None  # None when it has no default
    kind: Literal["positional", "keyword", "*args", "**kwargs"]
    dependency: Dependency | None = None  # its Depends(...)/Security(...), as default or in Annotated

    @property
    def type(self) -> str | None:
        """The annotation's type: "str" for both `str` and `Annotated[str, ...]`."""
        if self.annotation and self.annotation.startswith("Annotated[") and self.annotation.endswith("]"):
            return self.annotation[len("Annotated[") : -1].split(",", 1)[0].strip()
        return self.annotation


@dataclass(frozen=True)
class CallSite:
    """One call in a function's body, e.g. `response = await call_next(request)`."""

    line: int
    code: str  # the call as written: "call_next(request)"
    callee: str  # what is called, as written: "call_next", "time.perf_counter"
    awaited: bool
    assigned_to: str | None  # the name the result is stored in, if any


@dataclass(frozen=True)
class ReturnSite:
    """One `return` in a function's body."""

    line: int
    code: str  # the returned expression as written ("" for a bare `return`)
    name: str | None  # the returned name, when a plain name is returned
    call: CallSite | None = None  # the call returned directly (`return await call_next(request)`)


@dataclass(frozen=True)
class Function:
    """A function definition and what its body does (nested functions not included)."""

    name: str
    line: int  # the `def` line
    is_async: bool
    params: tuple[str, ...]
    calls: tuple[CallSite, ...]
    returns: tuple[ReturnSite, ...]
    code: str = field(repr=False)  # the whole definition as written
    node: cst.FunctionDef = field(repr=False, compare=False)
    parameters: tuple[Param, ...] = ()  # every parameter, with its annotation, default and dependency

    def param(self, name: str) -> Param | None:
        """The parameter `name`, or None."""
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def dependencies(self) -> tuple[Dependency, ...]:
        """What its parameters depend on: `= Depends(x)` defaults and `Annotated[..., Depends(x)]`."""
        return tuple(p.dependency for p in self.parameters if p.dependency is not None)

    def calls_to(self, callee: str) -> tuple[CallSite, ...]:
        """Calls whose callee is written `callee` ("call_next", "time.perf_counter")."""
        return tuple(call for call in self.calls if call.callee == callee)

    def returns_result_of(self, call: CallSite) -> ReturnSite | None:
        """The `return` that hands back what `call` produced, if any."""
        for returned in self.returns:
            if returned.call == call or (call.assigned_to is not None and returned.name == call.assigned_to):
                return returned
        return None

    def expect_await(self, callee: str) -> CallSite:
        """The first call to `callee` in the body, awaited; otherwise a Failure saying so."""
        calls = self.calls_to(callee)
        if not calls:
            raise Failure(
                f"{self.name}() (line {self.line}) never calls {callee}(...).",
                line=self.line,
            )
        for call in calls:
            if not call.awaited:
                raise Failure(
                    f"Line {call.line} calls {call.code} without `await`: that only creates a coroutine, "
                    f"which never runs, so {self.name}() gets no result from it.",
                    line=call.line,
                    hint=f"Write `await {call.code}`" + ("" if self.is_async else f", and make {self.name}() `async def`") + ".",
                )
        return calls[0]

    def expect_returns(self, call: CallSite) -> ReturnSite:
        """The `return` of what `call` produced; otherwise a Failure saying what is returned."""
        returned = self.returns_result_of(call)
        if returned is not None:
            return returned
        what = call.assigned_to or f"the result of {call.code}"
        if not self.returns:
            raise Failure(
                f"{self.name}() (line {self.line}) has no `return`, so it returns None instead of {what}.",
                line=self.line,
                hint=f"End {self.name}() with `return {call.assigned_to or '...'}`.",
            )
        other = self.returns[-1]
        shown = f"returns {other.code}" if other.code else "returns nothing"
        raise Failure(
            f"Line {other.line} {shown}, not {what} from line {call.line}.",
            line=other.line,
            hint=f"Return {what}: `return {call.assigned_to or call.code}`.",
        )


def function_of(source: ParsedFile, node: cst.FunctionDef, _seen: frozenset[str] = frozenset()) -> Function:
    """What `node` declares and does; `_seen` stops dependencies that depend on each other."""
    collector = _Body(node)
    node.body.visit(collector)
    awaited = {id(a.expression) for a in collector.awaits}
    assigned = {id(value): name for name, value in collector.assignments}
    sites: dict[int, CallSite] = {}
    for call in collector.calls:
        holder = next((a for a in collector.awaits if a.expression is call), None)
        sites[id(call)] = CallSite(
            line=source.line_of(call),
            code=source.code_of(call),
            callee=source.code_of(call.func),
            awaited=id(call) in awaited,
            assigned_to=assigned.get(id(call)) or (assigned.get(id(holder)) if holder is not None else None),
        )
    returns = []
    for returned in collector.returns:
        value = returned.value
        inner = value.expression if isinstance(value, cst.Await) else value
        returns.append(
            ReturnSite(
                line=source.line_of(returned),
                code=source.code_of(value) if value is not None else "",
                name=value.value if isinstance(value, cst.Name) else None,
                call=sites.get(id(inner)) if inner is not None else None,
            )
        )
    return Function(
        name=node.name.value,
        line=source.line_of(node.name),
        is_async=node.asynchronous is not None,
        params=tuple(p.name.value for p in (*node.params.posonly_params, *node.params.params)),
        calls=tuple(sites[id(call)] for call in collector.calls),
        returns=tuple(returns),
        code=source.code_of(node),
        node=node,
        parameters=tuple(_parameters(source, node, _seen)),
    )


class _Body(cst.CSTVisitor):
    """Calls, awaits, assignments and returns of one function body, not of nested functions."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self.function = function
        self.calls: list[cst.Call] = []
        self.awaits: list[cst.Await] = []
        self.assignments: list[tuple[str, cst.BaseExpression]] = []
        self.returns: list[cst.Return] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)

    def visit_Await(self, node: cst.Await) -> None:
        self.awaits.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assignments.append((target.target.value, node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.assignments.append((node.target.value, node.value))

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)


def _parameters(source: ParsedFile, node: cst.FunctionDef, seen: frozenset[str]) -> list[Param]:
    params = node.params
    Kind = Literal["positional", "keyword", "*args", "**kwargs"]
    star: list[tuple[Kind, cst.Param]] = [("*args", params.star_arg)] if isinstance(params.star_arg, cst.Param) else []
    double: list[tuple[Kind, cst.Param]] = [("**kwargs", params.star_kwarg)] if params.star_kwarg is not None else []
    groups: list[tuple[Kind, cst.Param]] = [
        *(("positional", p) for p in (*params.posonly_params, *params.params)),
        *star,
        *(("keyword", p) for p in params.kwonly_params),
        *double,
    ]
    found = []
    owner = node.name.value
    for kind, param in groups:
        annotation = param.annotation.annotation if param.annotation else None
        name = param.name.value
        dependency = None
        if param.default is not None:
            dependency = dependency_of(source, param.default, "parameter", owner, name, seen | {owner})
        for item in _annotated_items(source, annotation) if dependency is None else ():
            dependency = dependency_of(source, item, "annotated", owner, name, seen | {owner})
            if dependency is not None:
                break
        if dependency is not None and dependency.target is None and annotation is not None:
            # `Depends()` alone: FastAPI calls the annotated type (a class used as a dependency)
            typed = _annotated_type(source, annotation)
            dependency = replace(dependency, target=typed, reaches=dependency.reaches | {typed or ""} - {""})
        found.append(
            Param(
                name=name,
                line=source.line_of(param),
                annotation=source.code_of(annotation) if annotation is not None else None,
                default=source.value_of(param.default) if param.default is not None else None,
                kind=kind,
                dependency=dependency,
            )
        )
    return found


def _annotated_items(source: ParsedFile, annotation: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    """The metadata of `Annotated[T, x, y]`: [x, y]."""
    if not (isinstance(annotation, cst.Subscript) and source.qualified_names(annotation.value) & ANNOTATED):
        return []
    return [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)][1:]


def _annotated_type(source: ParsedFile, annotation: cst.BaseExpression) -> str | None:
    if isinstance(annotation, cst.Subscript) and source.qualified_names(annotation.value) & ANNOTATED:
        first = annotation.slice[0].slice if annotation.slice else None
        return source.code_of(first.value) if isinstance(first, cst.Index) else None
    return source.code_of(annotation)


def dependency_of(
    source: ParsedFile,
    node: cst.BaseExpression,
    where: Where,
    owner: str,
    param: str | None = None,
    seen: frozenset[str] = frozenset(),
) -> Dependency | None:
    """The Dependency `node` declares (`Depends(f)`, `Security(s)`, or a bare `Depends`), or None."""
    call = node if isinstance(node, cst.Call) else None
    names = source.qualified_names(call.func if call else node)
    kind: Literal["Depends", "Security"] | None = "Depends" if names & DEPENDS else "Security" if names & SECURITY else None
    if kind is None:
        return None
    given = None
    if call is not None:
        given = next((a.value for a in call.args if a.keyword is None or a.keyword.value == "dependency"), None)
    makes_scheme = isinstance(given, cst.Call) and bool(source.qualified_names(given.func) & SECURITY_CLASSES)
    result_called = isinstance(given, cst.Call) and not makes_scheme
    inner = given.func if isinstance(given, cst.Call) and result_called else given
    target = source.code_of(inner) if inner is not None else None
    reaches: set[str] = set()
    function = None
    scheme = None
    if inner is not None:
        reaches |= {target or ""} | source.qualified_names(inner)
        if isinstance(given, cst.Call) and makes_scheme:
            scheme = _scheme(source, None, given, AT_MODULE_LEVEL)
        elif isinstance(inner, cst.Name):
            scheme = next((s for s in schemes_in(source) if s.variable == inner.value and s.placement.runs), None)
            defined = source.layout.functions.get(inner.value)
            if defined is not None and inner.value not in seen:
                function = function_of(source, defined, seen | {inner.value})
                for dependency in function.dependencies:
                    reaches |= dependency.reaches
        if scheme is not None:
            reaches |= scheme.cls | {scheme.class_name}
    return Dependency(
        kind=kind,
        code=source.code_of(node),
        target=target,
        line=source.line_of(node),
        where=where,
        owner=owner,
        param=param,
        called=call is not None,
        function=function,
        scheme=scheme,
        reaches=frozenset(reaches - {""}),
        result_called=result_called,
    )


def schemes_in(source: ParsedFile) -> list[SecurityScheme]:
    """Every security scheme assigned to a name in the file, running or not; found once per file."""
    if schemes_in not in source.memo:
        found = [
            _scheme(source, target, value, place, stmt)
            for target, value, place, stmt in source.layout.assignments
            if isinstance(value, cst.Call) and source.qualified_names(value.func) & SECURITY_CLASSES
        ]
        source.memo[schemes_in] = sorted(found, key=lambda s: s.line)
    return list(source.memo[schemes_in])


def _scheme(
    source: ParsedFile, variable: str | None, call: cst.Call, place: Placement, at: cst.CSTNode | None = None
) -> SecurityScheme:
    written = source.code_of(call.func)
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    arguments = {a.keyword.value: source.value_of(a.value) for a in call.args if a.keyword is not None}
    first = "tokenUrl" if "OAuth2" in written else "name" if "APIKey" in written else "scheme_name"
    if positional and first not in arguments:
        arguments[first] = source.value_of(positional[0])
    return SecurityScheme(
        variable=variable,
        cls=source.qualified_names(call.func) & SECURITY_CLASSES,
        class_name=written.rpartition(".")[2],
        line=source.line_of(at if at is not None else call),
        code=source.code_of(call),
        placement=place,
        arguments=arguments,
    )
