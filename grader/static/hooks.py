"""Functions the app calls back: `@app.middleware("http")`, `@app.exception_handler(...)`,
`@app.on_event(...)`, routes, and any other `@target.method(...)` decorator, with where each
sits, whether it reaches the app uvicorn serves, and what its body does (calls, awaits, returns).

`Source.hooks`, `Source.expect_hook` and `Source.function` are the way in.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

import libcst as cst

from grader.static.parsed import ParsedFile, Value
from grader.static.placement import Placement
from grader.static.registrations import RegistrationFinder
from grader.static.wrong_place import expect_served_app
from grader.verdict.checks import Failure

ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})


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


@dataclass(frozen=True)
class Hook:
    """A function registered with a decorator such as `@app.middleware("http")`."""

    method: str  # the decorator's method: "middleware", "exception_handler", "on_event", "get"...
    target: str | None  # the name it is called on: "app", "router"
    argument: Value | None  # the decorator's first argument: "http", 404, "startup", "/notes"
    called: bool  # False for `@app.middleware` written without parentheses
    line: int  # the decorator's line
    function: Function
    placement: Placement
    on_served_app: bool
    before_app: bool
    target_made_by: frozenset[str] = frozenset()  # e.g. fastapi.APIRouter

    @property
    def decorator(self) -> str:
        argument = f"({self.argument.code})" if self.argument else "()" if self.called else ""
        return f"@{self.target or '...'}.{self.method}{argument}"


def hooks_in(source: ParsedFile, method: str | None = None) -> list[Hook]:
    """Every decorated function, running or not, in source order (with `method`, only those);
    found once per file."""
    if find_hooks not in source.memo:
        source.memo[find_hooks] = find_hooks(source)
    return [hook for hook in source.memo[find_hooks] if method is None or hook.method == method]


def find_hooks(source: ParsedFile) -> list[Hook]:
    binding = source.served_app()
    finder = RegistrationFinder(source)
    found = []
    for node, place in source.layout.defs:
        for decorator in node.decorators:
            expression = decorator.decorator
            call = expression if isinstance(expression, cst.Call) else None
            attribute = call.func if call else expression
            if not isinstance(attribute, cst.Attribute):
                continue
            target = attribute.value.value if isinstance(attribute.value, cst.Name) else None
            on_app, before_app = finder.reaches(target, place, source.position_of(decorator), binding)
            first = next((a.value for a in call.args if a.keyword is None), None) if call else None
            made = source.served_app(target) if target and place.function is None else None
            found.append(
                Hook(
                    method=attribute.attr.value,
                    target=target,
                    argument=source.value_of(first) if first is not None else None,
                    called=call is not None,
                    line=source.line_of(decorator),
                    function=function_of(source, node),
                    placement=place,
                    on_served_app=on_app and call is not None,
                    before_app=before_app,
                    target_made_by=made.made_by if made else frozenset(),
                )
            )
    return sorted(found, key=lambda hook: hook.line)


def function_of(source: ParsedFile, node: cst.FunctionDef) -> Function:
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


def expect_hook(
    source: ParsedFile, method: str, argument: object, asynchronous: bool | None, example: str | None
) -> Hook:
    app = source.app
    wanted = f"@{app}.{method}({json.dumps(argument) if argument is not None else '...'})"
    shown = example or wanted
    hooks = hooks_in(source)
    same = [h for h in hooks if h.method == method]
    matching = [h for h in same if argument is None or (h.argument is not None and h.argument.literal == argument)]
    effective = [h for h in matching if h.on_served_app]
    binding = expect_served_app(source, source.app)
    if effective:
        hook = effective[-1]
        if asynchronous and not hook.function.is_async:
            raise Failure(
                f"Line {hook.function.line} defines {hook.function.name}() with `def`, but FastAPI awaits the "
                f"function it gets from {hook.decorator}, so it must be `async def`.",
                line=hook.function.line,
                hint=f"Write `async def {hook.function.name}(...)`.",
            )
        return hook
    for hook in matching:
        if hook.called:
            raise _misplaced(source, hook, binding.name, binding.line, shown)
    for hook in same:
        if not hook.called:
            raise Failure(
                f"Line {hook.line} writes `{hook.decorator}` without parentheses: the decorator is "
                f"{wanted}, which FastAPI calls with the function below it.",
                line=hook.line,
                hint=f"Write {wanted} above {hook.function.name}().",
            )
        if hook.argument is not None:
            raise Failure(
                f"Line {hook.line} writes `{hook.decorator}`, but this step needs {wanted}.",
                line=hook.line,
                hint=f"Write {wanted}.",
            )
    for hook in hooks:
        if hook.method != method and difflib.SequenceMatcher(None, hook.method, method).ratio() >= 0.8:
            raise Failure(
                f"Line {hook.line} writes `{hook.decorator}`, but a FastAPI app has no method `{hook.method}`, "
                f"so Python stops with an AttributeError. The decorator is {wanted}.",
                line=hook.line,
                hint=f"Write {wanted}.",
            )
    # No attempt at all: no hint of its own, so the step's first hint (the lesson's words) shows.
    raise Failure(
        f"{source.name} has no function decorated with {wanted} yet (the app is created on line {binding.line}).",
        line=binding.line,
    )


def _misplaced(source: ParsedFile, hook: Hook, app: str, app_line: int, shown: str) -> Failure:
    line, name = hook.line, hook.function.name
    move = f"Put {shown} and {name}() at the top level of the file, below line {app_line}."
    if not hook.placement.runs:
        return Failure(
            f"Line {line} registers {name}() {hook.placement.reason}, so it never takes effect.",
            line=line,
            hint=move,
        )
    if hook.before_app:
        return Failure(
            f"Line {line} registers {name}() before line {app_line} creates the app uvicorn serves, so that "
            "app never gets it (or Python stops with a NameError).",
            line=line,
            hint=move,
        )
    target = hook.target or "another object"
    if hook.target_made_by & ROUTER_CLASSES:
        return Failure(
            f"Line {line} writes `{hook.decorator}` on `{target}`, an APIRouter. A router has no "
            f"`{hook.method}` of its own (Python stops with an AttributeError): it goes on the app.",
            line=line,
            hint=move,
        )
    if target == app and hook.placement.function:
        return Failure(
            f"Line {line} registers {name}() on an `{app}` that belongs to the function "
            f"{hook.placement.function}(): a different app from the one uvicorn serves (line {app_line}).",
            line=line,
            hint=move,
        )
    return Failure(
        f"Line {line} registers {name}() on `{target}`, but uvicorn serves `{app}` "
        f"({source.path.stem}:{app}), so it never sees a request.",
        line=line,
        hint=move,
    )
