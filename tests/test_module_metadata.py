"""The grader's metadata wrapper skips libcst's idle walks and must find exactly what libcst finds."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import ExpressionContextProvider, MetadataWrapper, PositionProvider, ScopeProvider

from grader.static import module_metadata
from grader.static.module_metadata import ModuleMetadataWrapper

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(
    path
    for pattern in ("tests/submissions/**/*.py", "solution/**/*.py", "exercise/**/*.py", "lessons/**/*.py")
    for path in ROOT.glob(pattern)
)


def _facts(wrapper_class: type[MetadataWrapper], text: str) -> list[tuple[object, ...]]:
    """For every node: its kind, its scope's kind, the qualified names of a name, attribute
    or call there, its expression context, and where it starts."""
    module = cst.parse_module(text)
    metadata = wrapper_class(module, unsafe_skip_copy=True).resolve_many(
        [PositionProvider, ScopeProvider, ExpressionContextProvider]
    )
    scopes, positions, contexts = metadata[ScopeProvider], metadata[PositionProvider], metadata[ExpressionContextProvider]
    found: list[tuple[object, ...]] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            scope = scopes.get(node)
            names = None
            if scope is not None and isinstance(node, cst.Name | cst.Attribute | cst.Call):
                names = sorted((name.name, name.source.name) for name in scope.get_qualified_names_for(node))
            start = positions[node].start
            found.append((type(node).__name__, type(scope).__name__, names, contexts.get(node), start.line, start.column))
            return True

    module.visit(Collect())
    return found


def _parses(path: Path) -> bool:
    try:
        cst.parse_module(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, cst.ParserSyntaxError):
        return False
    return True


@pytest.mark.parametrize("path", [path for path in SAMPLES if _parses(path)], ids=lambda path: str(path.relative_to(ROOT)))
def test_scopes_positions_and_contexts_match_libcsts_own(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _facts(ModuleMetadataWrapper, text) == _facts(MetadataWrapper, text)


def test_the_providers_the_grader_uses_take_the_short_way() -> None:
    """Else the wrapper saves nothing (say, a libcst release that gives them more visitor methods)."""
    ModuleMetadataWrapper(cst.parse_module("import fastapi\napp = fastapi.FastAPI()\n")).resolve(ScopeProvider)
    assert module_metadata._MODULE_ONLY[ExpressionContextProvider] is True
    assert module_metadata._MODULE_ONLY[ScopeProvider] is True
