"""Mutants of a reference solution, to prove every lesson check can fail.

Each top-level call statement the lesson adds (`app.add_middleware(...)`: in the solution,
not in the starter) is removed once, and each of its keyword arguments is removed once and
changed once. A mutant that passes every step means a check that does not look at what it
claims to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

MUTANT_TEXT = "mutant.example"


@dataclass(frozen=True)
class Mutant:
    description: str
    line: int
    text: str


def mutants_of(text: str, starter: str = "") -> list[Mutant]:
    """Mutants of the solution `text`, sparing statements the `starter` already has."""
    given = {_normal(statement) for statement in cst.parse_module(starter).body} if starter else set()
    wrapper = MetadataWrapper(cst.parse_module(text))
    module = wrapper.module
    positions = wrapper.resolve(PositionProvider)
    found: list[Mutant] = []
    for index, statement in enumerate(module.body):
        call = _call_statement(statement)
        if call is None or _normal(statement) in given:
            continue
        line = positions[statement].start.line
        code = module.code_for_node(call).strip().splitlines()[0]
        without = [s for i, s in enumerate(module.body) if i != index]
        found.append(Mutant(f"line {line} removed ({code} ...)", line, module.with_changes(body=without).code))
        for arg_index, arg in enumerate(call.args):
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            for label, new_call in _argument_mutations(call, arg_index, name):
                mutated = _replace_call(module, index, statement, call, new_call)
                found.append(Mutant(f"line {line}: {label}", line, mutated.code))
    return found


def _normal(statement: cst.CSTNode) -> str:
    return " ".join(cst.Module(body=[]).code_for_node(statement).split())


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
        shown = cst.Module(body=[]).code_for_node(changed)
        yield f"{name}={shown}", call.with_changes(args=args)


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


def _replace_call(
    module: cst.Module, index: int, statement: cst.BaseStatement, call: cst.Call, new_call: cst.Call
) -> cst.Module:
    assert isinstance(statement, cst.SimpleStatementLine)
    expr = statement.body[0]
    assert isinstance(expr, cst.Expr)
    new_statement = statement.with_changes(body=[expr.with_changes(value=new_call)])
    body = list(module.body)
    body[index] = new_statement
    return module.with_changes(body=body)
