"""Mutants of a reference solution, to prove every lesson check can fail.

Only what the lesson adds (in the solution, not in the starter) is mutated:

- a top-level import is removed;
- a top-level call (`app.add_middleware(...)`) is removed, and each of its keyword
  arguments is removed once and changed once;
- a function the solution adds (a decorator middleware, a route, an exception handler) is
  removed, and so is each of its decorators;
- a function of the starter that the lesson changes loses each decorator the lesson adds, and
  each keyword the lesson adds to a decorator (`dependencies=[...]` on the starter's route) is
  removed and changed; a parameter the lesson adds that declares a dependency
  (`key: str = Depends(f)`) is removed, in an added or a changed function;
- a top-level assignment the lesson adds gets another value (`API_KEY = "secret"`), or, for a
  call (`scheme = APIKeyHeader(name=...)`, `app = FastAPI(dependencies=[...])`), each keyword
  argument removed and changed; so do the keywords of an added function's decorators
  (`status_code=`, `dependencies=[...]`);
- inside an added or changed function, each added statement that does something is removed:
  a call, an `await`, an assignment to an item (`response.headers["X"] = ...`), a `return`, a
  `raise`; an item assignment's value is changed, a returned constant is changed, each `await`
  is dropped (the coroutine is then never run), each comparison is flipped (`==` to `!=`, `<`
  to `>=`, `in` to `not in`) and each `and`/`or` swapped, in statements and in `if`/`while`
  tests. Docstrings and comments are never mutated.

A mutant that passes every step means a check that does not look at what it claims to. A
line the checks rightly ignore (a log call) can be spared with a `# lessons: no-mutant` comment.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

MUTANT_TEXT = "mutant.example"
SPARE = "lessons: no-mutant"


@dataclass(frozen=True)
class Mutant:
    description: str
    line: int
    text: str


def mutants_of(text: str, starter: str = "") -> list[Mutant]:
    """Mutants of the solution `text`, sparing statements the `starter` already has."""
    return list(_Mutator(text, starter).mutants())


class _Mutator:
    def __init__(self, text: str, starter: str) -> None:
        starter_module = cst.parse_module(starter) if starter else None
        self.given = {_normal(s) for s in starter_module.body} if starter_module else set()
        self.starter_functions = {
            s.name.value: s for s in (starter_module.body if starter_module else ()) if isinstance(s, cst.FunctionDef)
        }
        wrapper = MetadataWrapper(cst.parse_module(text))
        self.module = wrapper.module
        self.positions = wrapper.resolve(PositionProvider)
        self.lines = text.splitlines()

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def spared(self, node: cst.CSTNode) -> bool:
        start, end = self.positions[node].start.line, self.positions[node].end.line
        return any(SPARE in line for line in self.lines[start - 1 : end])

    def mutant(self, description: str, node: cst.CSTNode, changed: cst.Module) -> Mutant:
        return Mutant(f"line {self.line(node)}: {description}", self.line(node), changed.code)

    def mutants(self) -> Iterator[Mutant]:
        for index, statement in enumerate(self.module.body):
            if _normal(statement) in self.given or self.spared(statement):
                continue
            call = _call_statement(statement)
            if call is not None:
                yield from self._top_level_call(index, statement, call)
            elif isinstance(statement, cst.FunctionDef):
                yield from self._function(statement)
            elif _is_import(statement):
                shown = _code(statement)
                yield self.mutant(f"`{shown}` removed", statement, self._removed(statement))
            elif isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
                yield from self._assignment(statement, statement.body[0])

    def _assignment(self, statement: cst.SimpleStatementLine, assign: cst.Assign) -> Iterator[Mutant]:
        """`API_KEY = "secret"` gets another value; `scheme = APIKeyHeader(name=...)` and
        `app = FastAPI(dependencies=[...])` get each keyword argument removed and changed."""
        name = _code(assign.targets[0].target)
        value = assign.value
        if isinstance(value, cst.Call):
            yield from self._keywords(statement, value, f"in `{name} = ...`: ")
            return
        changed = _changed_value(value)
        if changed is not None:
            yield self.mutant(f"`{name}` set to {_code(changed)} instead", statement, self._replaced(value, changed))

    def _keywords(
        self, at: cst.CSTNode, call: cst.Call, prefix: str = "", kept: Collection[str] = ()
    ) -> Iterator[Mutant]:
        """Each keyword argument of `call` removed and changed, but those in `kept` (as the
        starter already wrote them)."""
        for arg_index, arg in enumerate(call.args):
            if arg.keyword is None or _keyword_as_written(arg) in kept:
                continue
            for label, new_call in _argument_mutations(call, arg_index, arg.keyword.value):
                yield self.mutant(prefix + label, at, self._replaced(call, new_call))

    def _top_level_call(self, index: int, statement: cst.BaseStatement, call: cst.Call) -> Iterator[Mutant]:
        code = self.module.code_for_node(call).strip().splitlines()[0]
        without = [s for i, s in enumerate(self.module.body) if i != index]
        yield self.mutant(f"removed ({code} ...)", statement, self.module.with_changes(body=without))
        yield from self._keywords(statement, call)

    def _function(self, function: cst.FunctionDef) -> Iterator[Mutant]:
        name = function.name.value
        original = self.starter_functions.get(name)
        if original is None:
            yield self.mutant(f"the function {name}() removed", function, self._removed(function))
            for decorator in function.decorators:
                shown = _code(decorator.decorator)
                yield self.mutant(
                    f"@{shown} removed from {name}()", decorator, self._replaced(decorator, cst.RemoveFromParent())
                )
                if isinstance(decorator.decorator, cst.Call) and not self.spared(decorator):
                    # status_code=, dependencies=[...], response_model=...
                    yield from self._keywords(decorator, decorator.decorator, f"in @{shown.split('(')[0]}(...): ")
        else:
            yield from self._changed_decorators(function, original)
        yield from self._dependency_params(function, original)
        before = {_normal(s) for s in _simple_statements(original)} if original else set()
        for statement in _simple_statements(function):
            if _normal(statement) not in before and not self.spared(statement):
                yield from self._inner(statement, name)
        tests_before = {_normal(t) for t in _tests(original)} if original else set()
        for test in _tests(function):
            if _normal(test) not in tests_before and not self.spared(test):
                yield from self._logic(test, name)

    def _dependency_params(self, function: cst.FunctionDef, original: cst.FunctionDef | None) -> Iterator[Mutant]:
        """Each parameter the lesson adds that declares a dependency (`key: str = Depends(f)`,
        `Annotated[str, Security(s)]`) is removed: the function then runs unguarded."""
        given = {_normal(p) for p in _all_params(original)} if original else set()
        for param in _all_params(function):
            if _normal(param) in given or self.spared(param) or not _declares_dependency(param):
                continue
            yield self.mutant(
                f"the parameter `{_code(param).rstrip(',')}` removed from {function.name.value}()",
                param,
                self._replaced(param, cst.RemoveFromParent()),
            )

    def _changed_decorators(self, function: cst.FunctionDef, original: cst.FunctionDef) -> Iterator[Mutant]:
        """A starter's function the lesson changes: a decorator it adds is removed, and each
        keyword the lesson adds to a decorator (`dependencies=[...]` on the starter's route)
        is removed and changed, as for a function the lesson adds."""
        name = function.name.value
        before = {_normal(d) for d in original.decorators}
        for decorator in function.decorators:
            if _normal(decorator) in before or self.spared(decorator):
                continue
            shown = _code(decorator.decorator)
            # The starter's own decorator, given more keywords: same callee, same positional arguments.
            same = next((d.decorator for d in original.decorators if _same_call(d.decorator, decorator.decorator)), None)
            if same is None:
                yield self.mutant(
                    f"@{shown} removed from {name}()", decorator, self._replaced(decorator, cst.RemoveFromParent())
                )
            if isinstance(decorator.decorator, cst.Call):
                kept = {_keyword_as_written(arg) for arg in same.args} if isinstance(same, cst.Call) else set()
                yield from self._keywords(decorator, decorator.decorator, f"in @{shown.split('(')[0]}(...): ", kept)

    def _logic(self, node: cst.CSTNode, function: str) -> Iterator[Mutant]:
        """Each comparison flipped (`==` to `!=`, `<` to `>=`...) and each `and`/`or` swapped."""
        for comparison in _all(node, cst.Comparison):
            for index, target in enumerate(comparison.comparisons):
                flipped = _FLIPS.get(type(target.operator))
                if flipped is None:
                    continue
                targets = list(comparison.comparisons)
                targets[index] = target.with_changes(operator=flipped())
                new = comparison.with_changes(comparisons=targets)
                yield self.mutant(
                    f"`{_code(comparison)}` turned into `{_code(new)}` in {function}()", comparison, self._replaced(comparison, new)
                )
        for operation in _all(node, cst.BooleanOperation):
            other = cst.Or() if isinstance(operation.operator, cst.And) else cst.And()
            new_op = operation.with_changes(operator=other)
            yield self.mutant(
                f"`{_code(operation)}` turned into `{_code(new_op)}` in {function}()", operation, self._replaced(operation, new_op)
            )

    def _inner(self, statement: cst.SimpleStatementLine, function: str) -> Iterator[Mutant]:
        small = statement.body[0] if len(statement.body) == 1 else None
        shown = _code(statement).splitlines()[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString):
            return  # a docstring: no behaviour to change
        does_something = isinstance(small, cst.Expr | cst.Return | cst.Raise) or (
            isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Subscript) for t in small.targets)
        )
        if does_something:
            yield self.mutant(f"`{shown}` removed from {function}()", statement, self._removed(statement))
        if isinstance(small, cst.Return) and small.value is not None:
            constant = _changed_value(small.value)
            if constant is not None:
                yield self.mutant(
                    f"`{shown}` returns {_code(constant)} instead", statement, self._replaced(small.value, constant)
                )
        if small is not None:
            yield from self._logic(small, function)
        if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Subscript) for t in small.targets):
            changed = _changed_value(small.value) or cst.SimpleString(f'"{MUTANT_TEXT}"')
            new = small.with_changes(value=changed)
            yield self.mutant(f"`{shown}` set to {_code(changed)} instead", statement, self._replaced(small, new))
        for awaited in _awaits(statement):
            yield self.mutant(
                f"`await` dropped from `{_code(awaited)}` in {function}()",
                statement,
                self._replaced(awaited, awaited.expression),
            )

    def _removed(self, node: cst.CSTNode) -> cst.Module:
        return self.module.deep_remove(node)  # type: ignore[return-value]

    def _replaced(self, node: cst.CSTNode, new: cst.CSTNode | cst.RemovalSentinel) -> cst.Module:
        return self.module.deep_replace(node, new)  # type: ignore[arg-type]


def _simple_statements(node: cst.CSTNode | None) -> list[cst.SimpleStatementLine]:
    """Every simple statement line inside `node`, at any depth (but not in nested functions)."""
    found: list[cst.SimpleStatementLine] = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, line: cst.SimpleStatementLine) -> bool:
            found.append(line)
            return False

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is node

    if node is not None:
        node.visit(Collect())
    return found


_FLIPS: dict[type, type] = {
    cst.Equal: cst.NotEqual,
    cst.NotEqual: cst.Equal,
    cst.LessThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.LessThan,
    cst.GreaterThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.GreaterThan,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
}


def _tests(node: cst.CSTNode | None) -> list[cst.BaseExpression]:
    """The tests of every `if`, `elif` and `while` inside `node` (not in nested functions)."""
    found: list[cst.BaseExpression] = []

    class Collect(cst.CSTVisitor):
        def visit_If(self, branch: cst.If) -> None:
            found.append(branch.test)

        def visit_While(self, loop: cst.While) -> None:
            found.append(loop.test)

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is node

    if node is not None:
        node.visit(Collect())
    return found


def _all(node: cst.CSTNode, kind: type[cst.CSTNodeT]) -> list[cst.CSTNodeT]:
    found: list[cst.CSTNodeT] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, inner: cst.CSTNode) -> bool:
            if isinstance(inner, kind):
                found.append(inner)
            return not isinstance(inner, cst.Lambda)

    node.visit(Collect())
    return found


def _awaits(node: cst.CSTNode) -> list[cst.Await]:
    found: list[cst.Await] = []

    class Collect(cst.CSTVisitor):
        def visit_Await(self, awaited: cst.Await) -> None:
            found.append(awaited)

    node.visit(Collect())
    return found


def _normal(statement: cst.CSTNode) -> str:
    return " ".join(_code(statement).split())


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node).strip()


def _all_params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _declares_dependency(param: cst.Param) -> bool:
    """Whether its default or annotation calls Depends or Security (by name: mutants are made
    before any import is resolved, and a false positive only makes one more mutant)."""
    found = False

    class Find(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            nonlocal found
            callee = _code(call.func).rpartition(".")[2]
            found = found or callee in {"Depends", "Security"}

    for part in (param.default, param.annotation):
        if part is not None:
            part.visit(Find())
    return found


def _same_call(one: cst.BaseExpression, other: cst.BaseExpression) -> bool:
    """Two calls of the same callee with the same positional arguments (`@app.get("/notes", ...)`)."""
    if not (isinstance(one, cst.Call) and isinstance(other, cst.Call)):
        return False
    return _normal(one.func) == _normal(other.func) and _positional(one) == _positional(other)


def _positional(call: cst.Call) -> list[str]:
    return [_normal(arg.value) for arg in call.args if arg.keyword is None]


def _keyword_as_written(arg: cst.Arg) -> str:
    """`name=value`, spaces and a trailing comma aside."""
    return f"{arg.keyword.value if arg.keyword else ''}={_normal(arg.value)}"


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _call_statement(statement: cst.CSTNode) -> cst.Call | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        expr = statement.body[0]
        if isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call):
            return expr.value
    return None


def _argument_mutations(call: cst.Call, arg_index: int, name: str) -> Iterator[tuple[str, cst.Call]]:
    args = list(call.args)
    removed = args[:arg_index] + args[arg_index + 1 :]
    if removed:
        removed[-1] = removed[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    yield f"{name}= removed", call.with_changes(args=removed)
    changed = _changed_value(args[arg_index].value)
    if changed is not None:
        args[arg_index] = args[arg_index].with_changes(value=changed)
        yield f"{name}={_code(changed)}", call.with_changes(args=args)


def _changed_value(value: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(value, cst.Name) and value.value in {"True", "False"}:
        return cst.Name("False" if value.value == "True" else "True")
    if isinstance(value, cst.List | cst.Tuple | cst.Set):
        strings = [e for e in value.elements if isinstance(e.value, cst.SimpleString)]
        if value.elements and not strings:
            return None  # items the grader cannot rewrite (names, calls): no honest change
        mutant = cst.SimpleString(f'"{MUTANT_TEXT}"')
        elements = [
            e.with_changes(value=mutant) if isinstance(e.value, cst.SimpleString) else e for e in value.elements
        ]
        return value.with_changes(elements=elements or [cst.Element(mutant)])
    if isinstance(value, cst.SimpleString):
        return cst.SimpleString(f'"{MUTANT_TEXT}"')
    if isinstance(value, cst.Integer):
        return cst.Integer(str(int(value.evaluated_value) + 1))
    return None
