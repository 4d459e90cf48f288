"""The package's stages, read from its imports: no circle, and no stage importing a later one.

Every import counts, including those inside functions and under TYPE_CHECKING: a late import
hides a circle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"

# Stages in order: a module may import its own stage and earlier ones, never a later one.
STAGES = (
    ("read",),
    ("verdict",),
    ("run",),
    ("static",),
    ("live",),
    ("course",),
    ("views",),
    ("", "engine", "batch", "watch"),  # "" is grader/__init__.py, the lesson authors' API
    ("author",),
    ("cli", "lessons_cli", "launch", "__main__"),
)
# Run inside the sandbox by path, with the standard library only.
RUNNER_SCRIPTS = ("run.warm_worker", "run.serve_child", "run.runner_child", "run.process_tree")
MAX_TOP_MODULES = 12


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if "templates" in parts:
            continue  # lesson templates, not the engine's code
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that `name` imports, as names relative to the package."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [part for part in package if part]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module == "grader" or node.module.startswith("grader.")):
                module = node.module.removeprefix("grader").lstrip(".")
            else:
                continue
            targets = [module, *(f"{module}.{alias.name}".strip(".") for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [
                alias.name.removeprefix("grader").lstrip(".")
                for alias in node.names
                if alias.name == "grader" or alias.name.startswith("grader.")
            ]
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _stage(module: str) -> int:
    first = module.split(".")[0]
    for rank, names in enumerate(STAGES):
        if first in names:
            return rank
    raise AssertionError(f"grader/{module.replace('.', '/')}: in no stage of this test's STAGES; add it")


def test_every_module_belongs_to_a_stage() -> None:
    for module in _graph():
        _stage(module)


def test_no_stage_imports_a_later_one() -> None:
    def stage_name(module: str) -> str:
        return STAGES[_stage(module)][0] or "grader"

    wrong = [
        f"{module} (stage {stage_name(module)}) imports {target} (stage {stage_name(target)})"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if _stage(target) > _stage(module)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_circles() -> None:
    graph = _graph()
    state: dict[str, str] = {}
    circles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append([*trail[trail.index(target) :], target] if target in trail else [module, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(" -> ".join(circle) for circle in circles)


def test_runner_scripts_import_nothing_of_the_grader() -> None:
    graph = _graph()
    for script in RUNNER_SCRIPTS:
        assert graph[script] == set(), f"{script} runs in the sandbox and imports {graph[script]}"


def test_the_top_level_stays_small_and_each_stage_says_what_it_is() -> None:
    top = [path.name for path in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_MODULES, sorted(top)
    stages = [path for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    assert len(stages) >= 4
    for folder in stages:
        docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert docstring and len(docstring) > 60, f"grader/{folder.name}/__init__.py needs a docstring"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from grader.run.server import X\n", {"run.server"}),
        ("from . import hub\n", {"views.page.hub"}),
        ("def f():\n    import grader.read.bounded\n", {"read.bounded"}),
        ("from grader.run import cgroups\n", {"run", "run.cgroups"}),
        ("import os\nfrom graders import x\n", set()),
    ],
)
def test_the_import_reader_sees_every_form(tmp_path: Path, source: str, expected: set[str]) -> None:
    path = tmp_path / "module.py"
    path.write_text(source)
    known = {"run.server", "views.page.hub", "read.bounded", "run", "run.cgroups"}
    assert _imports("views.page.module", path, known) == expected
