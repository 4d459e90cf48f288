"""The learner's file parsed once, the facts read from it, and what its expressions hold.

One libcst parse and one metadata pass per grade; every matcher reads the shared tree.
Names are compared as qualified names, so aliases and dotted imports match too. The finders
(registrations, hooks, wrong places) build on this; `Source` gathers them for lessons.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider, Scope, ScopeProvider

from grader.run.served import ServedApp
from grader.static.module_metadata import ModuleMetadataWrapper
from grader.static.placement import Placement, lay_out
from grader.verdict.checks import Failure

APP_CLASSES = frozenset(
    {"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette"}
)
MIDDLEWARE_WRAPPERS = frozenset(
    {"starlette.middleware.Middleware", "fastapi.middleware.Middleware"}
)

HTTP_METHODS = frozenset({"get", "post", "put", "delete", "patch", "options", "head"})

_UNKNOWN = object()


@dataclass(frozen=True)
class ImportFound:
    """One import statement that makes a wanted name available."""

    qualified: str  # the wanted name it provides, e.g. "fastapi.middleware.gzip.GZipMiddleware"
    module: str  # the module the statement imports from
    bound_as: str  # how the file refers to the name afterwards, e.g. "GZ" or "gzip.GZipMiddleware"
    line: int
    placement: Placement
    code: str


@dataclass(frozen=True)
class NameImport:
    """`from MODULE import NAME` for a name, whatever the module."""

    module: str
    name: str
    line: int
    placement: Placement


@dataclass(frozen=True)
class Value:
    """An expression in the learner's code, with what can be known of it statically."""

    code: str
    line: int
    literal: object = field(default=_UNKNOWN, repr=False)
    via: str | None = None  # the constant's name, when the value came through one
    defined_after: int | None = None  # the constant's line, when it is assigned only after this use

    @property
    def known(self) -> bool:
        return self.literal is not _UNKNOWN

    def strings(self) -> tuple[str, ...] | None:
        """The items when the value is a list, tuple or set of strings, else None."""
        if isinstance(self.literal, list | tuple | set | frozenset) and all(
            isinstance(item, str) for item in self.literal
        ):
            items = self.literal
            return tuple(sorted(items) if isinstance(items, set | frozenset) else items)
        return None


@dataclass(frozen=True)
class AppBinding:
    """The module-level name uvicorn serves, and how it was made."""

    name: str
    line: int
    is_app: bool  # made by FastAPI(...) (or Starlette(...)), directly or by a factory
    position: tuple[int, int] = (0, 0)
    code: str = ""  # the assigned expression, as written
    # what was assigned when it is not an app: "class" (`FastAPI` without parentheses),
    # "literal" (None, a number, a string...), "call" (a call the grader cannot follow)
    kind: str = "app"
    made_by: frozenset[str] = frozenset()  # qualified names of the called thing, for calls
    aliases: frozenset[str] = frozenset()  # every module-level name for the same app object

    def named(self, target: str) -> bool:
        return target == self.name or target in self.aliases
    call: cst.Call | None = field(default=None, repr=False, compare=False)
    factory: str | None = None  # `app = create_app()`: the factory's name
    local: str | None = None  # the factory's local name for the app it returns


class ParsedFile:
    """A learner's Python file, parsed once, with the facts read from it."""

    def __init__(self, path: Path, text: str, app: str = "app") -> None:
        self.path = path
        self.text = text
        self.app = app  # the attribute uvicorn serves (lesson.toml's `app = "main:app"`)
        self.wrapper = ModuleMetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        self.module = self.wrapper.module
        # Scopes, not libcst's QualifiedNameProvider: that one visits every node again to
        # attach a lookup to it (a quarter of the whole parse); qualified_names() makes the
        # same lookup for the few nodes the finders ask about.
        metadata = self.wrapper.resolve_many([PositionProvider, ScopeProvider])
        self._positions: Mapping[cst.CSTNode, CodeRange] = metadata[PositionProvider]  # type: ignore[assignment]
        self._scopes: Mapping[cst.CSTNode, Scope | None] = metadata[ScopeProvider]  # type: ignore[assignment]
        self._qualified: dict[cst.CSTNode, frozenset[str]] = {}
        self.layout = lay_out(self.module)
        # Answers the finders work out once per file (several checks ask), keyed by finder.
        self.memo: dict[object, Any] = {}
        self._served: Callable[[], ServedApp | None] | None = None
        self.unconfirmed: list[tuple[str, int | None]] = []  # see rest_on_wire

    def attach_served(self, provider: Callable[[], ServedApp | None]) -> None:
        """Where `runtime_app()` asks: the engine's running app, once per grade."""
        self._served = provider

    def runtime_app(self) -> ServedApp | None:
        """What the learner's running app says it holds, read from the loaded app object (waits
        until the module has loaded). None when it did not load, or when no app runs with this
        check (for instance while `lessons verify` tries mutants).

        The learner's own process writes this report, so it is a claim: use it to explain a
        failure or to veto a pass (a registration the file shows but the app lacks never took
        effect), never to grant one. A pass that only this report could confirm calls
        `rest_on_wire`, and then stands only if the app's answers on the wire bear it out."""
        return self._served() if self._served is not None else None

    def rest_on_wire(self, why: str, line: int | None = None) -> None:
        """Say that the check now running cannot confirm its pass from the file alone (`why`,
        in words for the learner, e.g. "the grader cannot read allow_origins from line 9").
        The engine then keeps that pass only when every live step passes: the verdict rests
        on the running app's answers, which the grader observes itself."""
        self.unconfirmed.append((why, line))

    def take_unconfirmed(self) -> tuple[tuple[str, int | None], ...]:
        """What the checks asked to rest on the wire since the last call (the engine's side)."""
        taken = tuple(dict.fromkeys(self.unconfirmed))
        self.unconfirmed.clear()
        return taken

    @property
    def name(self) -> str:
        return self.path.name

    # -- small helpers -------------------------------------------------------

    def line_of(self, node: cst.CSTNode) -> int:
        return self._positions[node].start.line

    def last_line_of(self, node: cst.CSTNode) -> int:
        return self._positions[node].end.line

    def position_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """(line, column): orders two statements that share a line (`a = 1; b = 2`)."""
        start = self._positions[node].start
        return start.line, start.column

    def code_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node).strip()

    def qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        found = self._qualified.get(node)
        if found is None:
            scope = self._scopes.get(node)  # as QualifiedNameProvider looks them up
            found = self._qualified[node] = frozenset(q.name for q in scope.get_qualified_names_for(node)) if scope else frozenset()
        if not found and isinstance(node, cst.Name):
            # libcst cannot see through `from m import *`; assume the name came from there.
            found = frozenset(f"{module}.{node.value}" for module in self._star_modules)
        return found

    @cached_property
    def _star_modules(self) -> tuple[str, ...]:
        return tuple(
            _dotted(node.module)
            for node, place in self.layout.imports
            if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar)
            and node.module is not None and not node.relative and place.runs
        )

    # -- imports ---------------------------------------------------------------

    def imports_of(self, *qualified: str) -> list[ImportFound]:
        """Every import (running or not) that makes one of `qualified` available."""
        found: list[ImportFound] = []
        for node, place in self.layout.imports:
            for provided, module, bound in _provided_names(node):
                for wanted in qualified:
                    match = _import_match(wanted, provided, bound)
                    if match is not None:
                        found.append(
                            ImportFound(wanted, module, match, self.line_of(node), place, self.code_of(node))
                        )
        return found

    def expect_import(self, *qualified: str, statement: str) -> ImportFound:
        """The import that makes one of `qualified` available when the file loads; otherwise
        a Failure for the usual mistakes, each with its line and the fix (`statement`):
        an import that never runs, a misspelled name, the name from the wrong module. With
        no import at all, the Failure has no line and no hint (the step's own hint shows)."""
        found = self.imports_of(*qualified)
        running = [f for f in found if f.placement.runs]
        module, _, name = qualified[0].rpartition(".")
        modules = {q.rpartition(".")[0] for q in qualified}
        for wrong in self.imports_named(name):
            if wrong.placement.runs and wrong.name == name and wrong.module not in modules and running:
                raise Failure(
                    f"Line {wrong.line} imports {name} from `{wrong.module or '.'}`, where it does not exist, "
                    "so Python stops there with an ImportError, even though another line imports it correctly.",
                    line=wrong.line,
                    hint=f"Remove {name} from line {wrong.line}; keep `{statement}`.",
                )
        if running:
            usable = next((f for f in running if f.bound_as in {name, "*"}), None)
            unbound = None if usable else self._unbound_use(name)
            if unbound is not None:
                raise _bound_otherwise(running[0], unbound, name, statement)
            return usable or running[0]
        for dead in found:
            raise Failure(
                f"Line {dead.line} imports {name} {dead.placement.reason}.",
                line=dead.line,
                hint=f"Put `{statement}` at the top of the file, with the other imports, outside any `if` or function.",
            )
        misnamed = self._misnamed_import(qualified, statement)
        if misnamed is not None:
            raise misnamed
        for near in self.imports_named(name, close=True):
            if near.name != name:
                raise Failure(
                    f"Line {near.line} imports `{near.name}`, but the name is spelled `{name}` "
                    "(Python names are case-sensitive).",
                    line=near.line,
                    hint=f"Change the line to: {statement}",
                )
            case = next(
                (" (module names are case-sensitive)" for m in modules if near.module.lower() == m.lower()), ""
            )
            raise Failure(
                f"Line {near.line} imports {name} from `{near.module or '.'}`, but it lives in `{module}`{case}, "
                "so Python stops with an ImportError.",
                line=near.line,
                hint=f"Change the line to: {statement}",
            )
        used = self._uses_of(name)
        if used is not None:
            line, code = used
            if "." in code:
                raise Failure(
                    f"Line {line} reaches {name} as `{code}`, but {self.name} never imports the module "
                    f"{module} itself, and importing the package alone does not load it, so Python stops "
                    "with an AttributeError.",
                    line=line,
                    hint=f"Import it directly: {statement}",
                )
            raise Failure(
                f"Line {line} uses {name}, but {self.name} never imports it, so Python stops with a "
                "NameError when it reaches that line.",
                line=line,
                hint=f"Add `{statement}` at the top of the file.",
            )
        raise Failure(f"{self.name} does not import {name} yet.")

    def _unbound_use(self, name: str) -> int | None:
        """The first running line that writes `name` alone where nothing defines it: the
        import made it available only under another name (`module.Name`, `as N`)."""
        finder = _NameUses(name)
        for call, place in self.layout.calls:
            if place.runs:
                call.visit(finder)
        lines = [
            self.line_of(node) for node in finder.found
            if isinstance(node, cst.Name) and not self.qualified_names(node)
        ]
        return min(lines, default=None)

    def _misnamed_import(self, qualified: tuple[str, ...], statement: str) -> Failure | None:
        """An import that reaches for the wanted class but names it wrongly: another name from
        its module (`from m import Short`), the module in the wrong case (`m.NAME`), or the
        class imported as if it were a module (`import Name`)."""
        name = qualified[0].rpartition(".")[2]
        modules = {q.rpartition(".")[0] for q in qualified}
        for node, place in self.layout.imports:
            if not place.runs:
                continue
            line = self.line_of(node)
            for path, module, imported in _import_paths(node):
                if path.lower() in {m.lower() for m in modules} and path not in modules:
                    right = next(m for m in modules if m.lower() == path.lower())
                    lower = ", all lower case" if right == right.lower() else ""
                    return Failure(
                        f"Line {line} (`{self.code_of(node)}`) asks for `{path}`, which does not exist: "
                        f"module names are case-sensitive, and this one is written `{right}`{lower}. "
                        f"{name} is the class inside it.",
                        line=line,
                        hint=f"Change the line to: {statement}",
                    )
                if module in modules and imported not in (name, "*") and imported.lower() != name.lower():
                    return Failure(
                        f"Line {line} imports `{imported}` from {module}, but the class this step needs "
                        f"is called {name}: the full name, with this exact case.",
                        line=line,
                        hint=f"Change the line to: {statement}",
                    )
                if not module and path.rpartition(".")[2].lower() == name.lower():
                    return Failure(
                        f"Line {line} `{self.code_of(node)}` asks Python for a module named `{path}`, and there "
                        f"is none: {name} is a class inside the module `{qualified[0].rpartition('.')[0]}`, and "
                        "a class is imported with `from MODULE import CLASS`.",
                        line=line,
                        hint=f"Change the line to: {statement}",
                    )
        return None

    def _uses_of(self, name: str) -> tuple[int, str] | None:
        """The first running line that refers to `name` (`Name` or `pkg.mod.Name`), and how."""
        finder = _NameUses(name)
        for call, place in self.layout.calls:
            if place.runs:
                call.visit(finder)
        found = [(self.line_of(node), self.code_of(node)) for node in finder.found]
        return min(found, default=None)

    def imports_named(self, name: str, *, close: bool = False) -> list[NameImport]:
        """Every `from M import X` where X is `name` (case-insensitively), from any module.
        With `close`, names spelled nearly the same count too (`GZipMidleware`)."""
        found = []
        for node, place in self.layout.imports:
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                module = "." * len(node.relative) + (_dotted(node.module) if node.module else "")
                for alias in node.names:
                    imported = _dotted(alias.name)
                    if imported.lower() == name.lower() or (close and _looks_like(imported, name)):
                        found.append(NameImport(module, imported, self.line_of(node), place))
        return found

    # -- the served app --------------------------------------------------------

    def served_app(self, name: str | None = None, _seen: frozenset[str] = frozenset()) -> AppBinding | None:
        """The last assignment to `name` (default: the served app's name) that runs at import,
        as uvicorn would see it. `app = application` and `app = api = FastAPI()` make aliases
        of one app."""
        name = name or self.app
        bindings = [
            (value, stmt)
            for target, value, place, stmt in self.layout.assignments
            if target == name and place.runs and place.function is None
        ]
        if not bindings:
            return None
        value, stmt = bindings[-1]
        together = frozenset(
            t.target.value for t in getattr(stmt, "targets", ()) if isinstance(t.target, cst.Name)
        )
        if isinstance(value, cst.Name) and value.value not in _seen | {name}:
            original = self.served_app(value.value, _seen | {name})
            if original is not None and original.is_app:
                aliases = original.aliases | together | {value.value, name}
                return replace(original, name=name, aliases=self._later_aliases(aliases))
        binding = self._binding(name, value, stmt)
        return replace(binding, aliases=self._later_aliases(together | {name}) if binding.is_app else together | {name})

    def _later_aliases(self, aliases: frozenset[str]) -> frozenset[str]:
        """`aliases` and the names later bound to them (`api = app`), when that binding is the
        name's last at module level: every name that ends up holding the same app."""
        last: dict[str, cst.BaseExpression] = {}
        for target, value, place, _ in self.layout.assignments:
            if place.runs and place.function is None:
                last[target] = value
        grown = set(aliases)
        changed = True
        while changed:
            changed = False
            for target, value in last.items():
                if target not in grown and isinstance(value, cst.Name) and value.value in grown:
                    grown.add(target)
                    changed = True
        return frozenset(grown)

    def _binding(self, name: str, value: cst.BaseExpression, stmt: cst.CSTNode) -> AppBinding:
        line, position, code = self.line_of(stmt), self.position_of(stmt), self.code_of(value)
        made_by = self.qualified_names(value.func) if isinstance(value, cst.Call) else frozenset()
        if isinstance(value, cst.Call) and self._is_app_call(value):
            return AppBinding(name, line, True, position, code, call=value, made_by=made_by)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
            made = self._factory_app(value.func.value, value)
            if made is not None:
                local, call = made
                return AppBinding(
                    name, line, True, position, code, call=call, factory=value.func.value, local=local, made_by=made_by
                )
        if isinstance(value, cst.Tuple):
            kind = "tuple"  # `app = FastAPI(),`: a trailing comma
        elif self.qualified_names(value) & APP_CLASSES:
            kind = "class"
        elif self.value_of(value).known:
            kind = "literal"
        else:
            kind = "call" if isinstance(value, cst.Call) else "other"
        return AppBinding(name, line, False, position, code, kind=kind, made_by=made_by)

    def _is_app_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and bool(self.qualified_names(node.func) & APP_CLASSES)

    def _factory_app(self, factory: str, site: cst.Call) -> tuple[str | None, cst.Call] | None:
        """What a called function returns when it builds (or is handed) the app:
        `app = FastAPI(); return app`, `return FastAPI()`, or `def f(a): ...; return a`
        called as `f(FastAPI())`. Gives the function's local name for the app and the call."""
        function = self.layout.functions.get(factory)
        if factory not in self.layout.called or function is None:
            return None
        params = [p.name.value for p in function.params.params]
        for returned in self.layout.returns.get(factory, []):
            if self._is_app_call(returned):
                assert isinstance(returned, cst.Call)
                return None, returned
            if not isinstance(returned, cst.Name):
                continue
            for target, value, place, _ in self.layout.assignments:
                if place.function == factory and target == returned.value and self._is_app_call(value):
                    assert isinstance(value, cst.Call)
                    return returned.value, value
            if returned.value in params:
                given = argument_for(site, params.index(returned.value), returned.value)
                if given is not None and self._is_app_call(given):
                    assert isinstance(given, cst.Call)
                    return returned.value, given
        return None

    # -- calls -----------------------------------------------------------------

    def calls_to(self, *qualified: str) -> list[tuple[int, Placement]]:
        """Lines of the calls to any of `qualified` (e.g. "uvicorn.run"), with placements."""
        wanted = set(qualified)
        return [
            (self.line_of(call), place)
            for call, place in self.layout.calls
            if self.qualified_names(call.func) & wanted
        ]

    def app_argument(self, name: str) -> Value | None:
        """What the served app's `FastAPI(...)` call passes for `name` (`lifespan`, `debug`,
        `dependencies`...), or None. `source.function(value.code)` then reads a function passed."""
        binding = self.served_app()
        call = binding.call if binding else None
        given = next((a.value for a in call.args if a.keyword and a.keyword.value == name), None) if call else None
        return self.value_of(given) if given is not None else None

    # -- values ------------------------------------------------------------------

    def value_of(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        """What `node` holds, following module-level constants (`ORIGINS = ["*"]`)."""
        line = self.line_of(node)
        code = self.code_of(node)
        if isinstance(node, cst.Name) and node.value in self._mutated_names:
            return Value(code, line, via=node.value)  # changed after its assignment: cannot tell
        if isinstance(node, cst.Name) and node.value not in {"True", "False", "None"} and depth < 5:
            constant = self.constant_expression(node.value, line)
            if constant is not None:
                inner = self.value_of(constant, depth + 1)
                later = self.line_of(constant) if self.line_of(constant) > line else None
                return Value(code, line, inner.literal, via=node.value, defined_after=later)
            return Value(code, line)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict" and depth < 5:
            return self._dict_call(node, code, line, depth)
        try:
            return Value(code, line, ast.literal_eval(_as_expression(code)))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if isinstance(node, cst.List | cst.Tuple | cst.Set) and depth < 5:
            # `[ANY]` with ANY = "*": read each item on its own
            items = [self.value_of(element.value, depth + 1) for element in node.elements if isinstance(element, cst.Element)]
            if len(items) == len(node.elements) and all(item.known for item in items):
                kind = {cst.List: list, cst.Tuple: tuple, cst.Set: set}[type(node)]
                return Value(code, line, kind(item.literal for item in items))
        return Value(code, line)

    @cached_property
    def _mutated_names(self) -> frozenset[str]:
        """Module-level names changed in place (`ORIGINS.append(...)`, `ORIGINS += [...]`)."""
        changed = {
            call.func.value.value
            for call, _ in self.layout.calls
            if isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and call.func.attr.value in {"append", "extend", "insert", "remove", "clear", "pop", "add", "update", "discard"}
        }
        return frozenset(changed | self.layout.augmented)

    def _dict_call(self, node: cst.Call, code: str, line: int, depth: int) -> Value:
        """`dict(allow_origins=[...], ...)`: readable when every argument is a known keyword."""
        items: dict[str, object] = {}
        for arg in node.args:
            if arg.keyword is None:
                return Value(code, line)
            value = self.value_of(arg.value, depth + 1)
            if not value.known:
                return Value(code, line)
            items[arg.keyword.value] = value.literal
        return Value(code, line, items)

    def constant_expression(self, name: str, before_line: int) -> cst.BaseExpression | None:
        candidates = [
            (self.line_of(stmt), value)
            for target, value, place, stmt in self.layout.assignments
            if target == name and place.runs and place.function is None
        ]
        earlier = [value for line, value in candidates if line < before_line]
        if earlier:
            return earlier[-1]
        return candidates[-1][1] if candidates else None


class _NameUses(cst.CSTVisitor):
    """Collects `name` and `anything.name` expressions (the dotted form as one node)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[cst.BaseExpression] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value == self.name:
            self.found.append(node)
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(node)


def _provided_names(node: cst.Import | cst.ImportFrom) -> list[tuple[str, str, str]]:
    """(qualified name provided, module, name bound in the file) for each imported alias."""
    provided = []
    if isinstance(node, cst.Import):
        for alias in node.names:
            module = _dotted(alias.name)
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else module
            provided.append((module, module, bound))
        return provided
    if node.module is None or node.relative:
        return provided
    module = _dotted(node.module)
    if isinstance(node.names, cst.ImportStar):
        return [(f"{module}.*", module, "*")]
    for alias in node.names:
        name = _dotted(alias.name)
        bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
        provided.append((f"{module}.{name}", module, bound))
    return provided


def _import_paths(node: cst.Import | cst.ImportFrom) -> list[tuple[str, str, str]]:
    """(full dotted path, module imported from or "" for `import`, name imported) per alias."""
    if isinstance(node, cst.Import):
        return [(_dotted(alias.name), "", _dotted(alias.name)) for alias in node.names]
    if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
        return []
    module = _dotted(node.module)
    return [(f"{module}.{_dotted(alias.name)}", module, _dotted(alias.name)) for alias in node.names]


def _bound_otherwise(found: ImportFound, use: int, name: str, statement: str) -> Failure:
    """The import worked, but under another name than the one the file then writes."""
    if "." in found.bound_as:
        module = found.bound_as.rpartition(".")[0]
        full = found.qualified.rpartition(".")[0]
        alias = f" (as `{module}`)" if module != full else ""
        how = (
            f"Line {found.line} imports the module {full}{alias}, not the class: after it, the class "
            f"is written `{found.bound_as}`."
        )
    else:
        how = f"Line {found.line} imports {name} under another name, `{found.bound_as}`."
    return Failure(
        f"{how} Line {use} writes `{name}` alone, a name this file never defines, so Python stops "
        "there with a NameError.",
        line=found.line,
        hint=f"Import the class itself: {statement} (or write `{found.bound_as}` on line {use}).",
    )


def _import_match(wanted: str, provided: str, bound: str) -> str | None:
    """How the file refers to `wanted` after importing `provided` as `bound`, if at all."""
    if provided == wanted:
        return bound
    if provided.endswith(".*") and wanted.rpartition(".")[0] == provided[:-2]:
        return wanted.rpartition(".")[2]
    if wanted.rpartition(".")[0] == provided:
        # `import a.b.c` or `from a.b import c`: the module itself, so `c.Name` works.
        # `import a` alone would not load the submodule, so it does not count.
        return bound + wanted[len(provided) :]
    return None


def _looks_like(written: str, meant: str) -> bool:
    return difflib.SequenceMatcher(None, written.lower(), meant.lower()).ratio() >= 0.85


def argument_for(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """The expression a call passes for the parameter at `index` named `name`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[index] if index < len(positional) else None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _as_expression(code: str) -> str:
    # Multi-line literals keep their newlines; parentheses make them one expression.
    return f"(\n{code}\n)"
