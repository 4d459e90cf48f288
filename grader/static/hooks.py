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

from grader.static.functions import Function, function_of
from grader.static.parsed import ParsedFile, Value
from grader.static.placement import Placement
from grader.static.registrations import RegistrationFinder
from grader.static.wrong_place import expect_served_app
from grader.verdict.checks import Failure

ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})


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
    # `app.middleware("http")(f)` or `app.add_exception_handler(404, f)`: registered by a call
    # instead of a decorator (the line is the call's)
    direct: bool = False
    position: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)
    call: cst.Call | None = field(default=None, repr=False, compare=False)  # the decorator's call

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

    def hook(
        attribute: cst.Attribute, call: cst.Call | None, first: cst.BaseExpression | None,
        node: cst.FunctionDef, at: cst.CSTNode, place: Placement, direct: bool,
    ) -> Hook:
        target = attribute.value.value if isinstance(attribute.value, cst.Name) else None
        on_app, before_app = finder.reaches(target, place, source.position_of(at), binding)
        made = source.served_app(target) if target and place.function is None else None
        return Hook(
            method=attribute.attr.value,
            target=target,
            argument=source.value_of(first) if first is not None else None,
            called=call is not None,
            line=source.line_of(at),
            function=function_of(source, node),
            placement=place,
            on_served_app=on_app and call is not None,
            before_app=before_app,
            target_made_by=made.made_by if made else frozenset(),
            direct=direct,
            position=source.position_of(at),
            call=call,
        )

    for node, place in source.layout.defs:
        for decorator in node.decorators:
            expression = decorator.decorator
            call = expression if isinstance(expression, cst.Call) else None
            attribute = call.func if call else expression
            if isinstance(attribute, cst.Attribute):
                first = next((a.value for a in call.args if a.keyword is None), None) if call else None
                found.append(hook(attribute, call, first, node, decorator, place, False))
    for call, place in source.layout.calls:
        direct = _direct_registration(source, call)
        if direct is not None:
            attribute, inner, first, node = direct
            found.append(hook(attribute, inner, first, node, call, place, True))
    return sorted(found, key=lambda hook: hook.position)


def _direct_registration(
    source: ParsedFile, call: cst.Call
) -> tuple[cst.Attribute, cst.Call, cst.BaseExpression | None, cst.FunctionDef] | None:
    """`app.middleware("http")(f)` (a decorator called by hand) or `app.add_exception_handler(404, f)`,
    for a module-level function `f`: the method, the call holding its argument, that argument, f."""
    func = call.func
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and len(positional) == 1:
        named = positional[0]
        first = next((a.value for a in func.args if a.keyword is None), None)
        attribute, holder = func.func, func
    elif isinstance(func, cst.Attribute) and func.attr.value == "add_exception_handler" and len(positional) == 2:
        named, first = positional[1], positional[0]
        attribute, holder = func.with_changes(attr=cst.Name("exception_handler")), call
    else:
        return None
    node = source.layout.functions.get(named.value) if isinstance(named, cst.Name) else None
    return (attribute, holder, first, node) if node is not None else None


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
