"""Which statements of a module run when it is imported, and why the others do not.

uvicorn imports the learner's module; code under `if __name__ == "__main__":`, under a
constant-false test, or in a function nobody calls at import never runs, so it never counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

MAIN_GUARD_REASON = (
    'inside `if __name__ == "__main__":`, which runs only when you start the file with '
    "`python`, never when uvicorn imports it"
)


@dataclass(frozen=True)
class Placement:
    """Where a piece of code sits, and whether importing the module runs it."""

    runs: bool
    reason: str | None = None  # why it never runs, in words for the learner
    function: str | None = None  # the enclosing module-level function, if any
    in_class: bool = False  # in a class body: runs at import, but its names are the class's


AT_MODULE_LEVEL = Placement(runs=True)


@dataclass
class ModuleLayout:
    """The interesting nodes of a module, each with its placement."""

    calls: list[tuple[cst.Call, Placement]] = field(default_factory=list)
    imports: list[tuple[cst.Import | cst.ImportFrom, Placement]] = field(default_factory=list)
    assignments: list[tuple[str, cst.BaseExpression, Placement, cst.CSTNode]] = field(
        default_factory=list
    )
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    defs: list[tuple[cst.FunctionDef, Placement]] = field(default_factory=list)  # every def, anywhere
    augmented: set[str] = field(default_factory=set)  # names changed with +=, -=, ...
    returns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    called: set[str] = field(default_factory=set)


def lay_out(module: cst.Module) -> ModuleLayout:
    """Walk the module until the set of functions called at import stops growing."""
    called: set[str] = set()
    constants = _module_constants(module)
    for _ in range(8):
        layout = _Walker(called, constants).walk(module)
        newly = {name for call, place in layout.calls if place.runs for name in [_called(call, layout)] if name}
        if newly <= called:
            return layout
        called |= newly
    return layout


def _called(call: cst.Call, layout: ModuleLayout) -> str | None:
    """The module-level function a call runs: `setup()`, or `asyncio.run(setup())` for a
    coroutine function (calling one directly only creates a coroutine, which never runs)."""
    func = call.func
    if isinstance(func, cst.Name) and func.value in layout.functions:
        return func.value if layout.functions[func.value].asynchronous is None else None
    is_asyncio_run = (
        isinstance(func, cst.Attribute) and func.attr.value == "run"
        and isinstance(func.value, cst.Name) and func.value.value == "asyncio"
    )
    if is_asyncio_run and call.args and isinstance(call.args[0].value, cst.Call):
        inner = call.args[0].value.func
        if isinstance(inner, cst.Name) and inner.value in layout.functions:
            return inner.value
    return None


class _Collector(cst.CSTVisitor):
    """Collects calls, imports and assignments inside one simple statement line."""

    def __init__(self, layout: ModuleLayout, place: Placement) -> None:
        self.layout = layout
        self.place = place

    def visit_Call(self, node: cst.Call) -> None:
        self.layout.calls.append((node, self.place))

    def visit_Import(self, node: cst.Import) -> None:
        self.layout.imports.append((node, self.place))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.layout.imports.append((node, self.place))

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.place.in_class:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.layout.assignments.append((target.target.value, node.value, self.place, node))
            elif isinstance(target.target, cst.Tuple | cst.List) and isinstance(node.value, cst.Tuple | cst.List):
                # `app, admin = FastAPI(), FastAPI()`: pair the names with the values
                names, values = target.target.elements, node.value.elements
                if len(names) == len(values):
                    for name, value in zip(names, values, strict=True):
                        if isinstance(name.value, cst.Name):
                            self.layout.assignments.append((name.value.value, value.value, self.place, node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and not self.place.in_class:
            self.layout.augmented.add(node.target.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name) and not self.place.in_class:
            self.layout.assignments.append((node.target.value, node.value, self.place, node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.place.in_class:
            return
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.layout.assignments.append((node.target.value, node.value, self.place, node))

    def visit_Return(self, node: cst.Return) -> None:
        if self.place.function and node.value is not None:
            self.layout.returns.setdefault(self.place.function, []).append(node.value)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False  # a lambda's body runs only when the lambda is called


class _Walker:
    def __init__(self, called: set[str], constants: dict[str, object]) -> None:
        self.called = called
        self.constants = constants
        self.layout = ModuleLayout(called=set(called))

    def walk(self, module: cst.Module) -> ModuleLayout:
        self._suite(module.body, AT_MODULE_LEVEL)
        return self.layout

    def _suite(self, body: Sequence[cst.BaseStatement | cst.BaseSmallStatement], place: Placement) -> None:
        for statement in body:
            self._statement(statement, place)
            ended = _ends_the_block(statement)
            if ended:
                place = _never(place, f"after `{ended}`, which leaves the block before this line")

    def _statement(self, node: cst.CSTNode, place: Placement) -> None:
        if isinstance(node, cst.SimpleStatementLine | cst.BaseSmallStatement):
            node.visit(_Collector(self.layout, place))
        elif isinstance(node, cst.If):
            self._if(node, place)
        elif isinstance(node, cst.FunctionDef):
            self._function(node, place)
        elif isinstance(node, cst.ClassDef):
            self._suite(_body(node.body), Placement(place.runs, place.reason, place.function, in_class=True))
        elif isinstance(node, cst.While) and _constant_truth(node.test, self.constants) is False:
            self._suite(_body(node.body), _never(place, f"inside `while {_code(node.test)}:`, which never runs"))
            if node.orelse is not None:
                self._suite(_body(node.orelse.body), place)
        else:
            self._headers(node, place)
            for suite in _suites(node):
                self._suite(_body(suite), place)

    def _if(self, node: cst.If, place: Placement) -> None:
        node.test.visit(_Collector(self.layout, place))
        truth = _constant_truth(node.test, self.constants)
        if _is_main_guard(node.test):
            body_place = _never(place, MAIN_GUARD_REASON)
        elif truth is False:
            body_place = _never(place, f"inside `if {_code(node.test)}:`, which never runs")
        else:
            body_place = place
        self._suite(_body(node.body), body_place)
        if node.orelse is not None:
            else_place = (
                _never(place, f"in the `else` of `if {_code(node.test)}:`, which never runs")
                if truth is True
                else place
            )
            if isinstance(node.orelse, cst.If):
                self._if(node.orelse, else_place)
            else:
                self._suite(_body(node.orelse.body), else_place)

    def _function(self, node: cst.FunctionDef, place: Placement) -> None:
        name = node.name.value
        self.layout.defs.append((node, place))
        if place.function is None and place.runs and not place.in_class:
            self.layout.functions[name] = node
        for decorator in node.decorators:
            decorator.visit(_Collector(self.layout, place))
        if place.runs and place.function is None and name in self.called:
            inner = Placement(runs=True, function=name)
        elif place.runs:
            reason = f"inside the function `{name}()`, which nothing calls when the file loads"
            inner = Placement(runs=False, reason=reason, function=name)
        else:
            inner = Placement(runs=False, reason=place.reason, function=name)
        self._suite(_body(node.body), inner)

    def _headers(self, node: cst.CSTNode, place: Placement) -> None:
        for attr in ("test", "iter", "items"):
            value = getattr(node, attr, None)
            if isinstance(value, cst.CSTNode):
                value.visit(_Collector(self.layout, place))
            elif isinstance(value, Sequence):
                for item in value:
                    item.visit(_Collector(self.layout, place))


def _ends_the_block(statement: cst.CSTNode) -> str | None:
    """`return`, `raise`, `break` or `continue` when the statement is one of them."""
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            for kind, word in ((cst.Return, "return"), (cst.Raise, "raise"), (cst.Break, "break"), (cst.Continue, "continue")):
                if isinstance(small, kind):
                    return word
    return None


def _suites(node: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    for attr in ("body", "orelse", "finalbody"):
        value = getattr(node, attr, None)
        if isinstance(value, cst.BaseSuite):
            yield value
        elif isinstance(value, cst.Else | cst.Finally):
            yield value.body
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _body(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement | cst.BaseSmallStatement]:
    return suite.body


def _never(place: Placement, reason: str) -> Placement:
    if not place.runs:
        return place
    return Placement(runs=False, reason=reason, function=place.function)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _module_constants(module: cst.Module) -> dict[str, object]:
    """Names assigned exactly once at the top of the module, to a plain literal
    (`DEBUG = False`), so `if DEBUG:` can be read as the constant test it is."""
    values: dict[str, object] = {}
    counts: dict[str, int] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign | cst.AnnAssign | cst.AugAssign):
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                for target in targets:
                    if isinstance(target.target, cst.Name):
                        name = target.target.value
                        counts[name] = counts.get(name, 0) + 1
                        truth = _constant_truth(small.value) if isinstance(small, cst.Assign) else None
                        if truth is not None:
                            values[name] = truth
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def _constant_truth(test: cst.BaseExpression | None, constants: dict[str, object] | None = None) -> bool | None:
    if test is None:
        return None
    if isinstance(test, cst.Name) and test.value in {"True", "False", "None"}:
        return test.value == "True"
    if isinstance(test, cst.Name) and constants and test.value in constants:
        return bool(constants[test.value])
    if (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"
    ):
        return False  # true only for type checkers, never when the app runs
    if isinstance(test, cst.Integer):
        return test.evaluated_value != 0
    if isinstance(test, cst.SimpleString):
        return bool(test.evaluated_value)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _constant_truth(test.expression, constants)
        return None if inner is None else not inner
    return None


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _is_main_guard(test.left) or _is_main_guard(test.right)
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = [test.left, target.comparator]
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [s for s in sides if isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1
