"""libcst's metadata wrapper, without the walks over the tree that do nothing.

libcst resolves batchable providers (expression contexts, then scopes) in a batched walk
over every node of the tree, one walk per level of dependencies. Both providers the grader
uses do all their work in `visit_Module`, with a visitor of their own: the batched walk
after it calls nothing, yet visits every node, and finding the providers' methods costs an
`inspect.getmembers` per provider. Here such providers get `visit_Module` alone, with their
dependencies resolved exactly as libcst resolves them; any other provider takes libcst's walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack

import libcst as cst
from libcst import BatchableCSTVisitor, MetadataWrapper

VisitorMethod = Callable[[cst.CSTNode], None]  # visit_batched's hooks, as libcst types them

# Per provider class: whether `visit_Module` is its only visitor method (checked once).
_MODULE_ONLY: dict[type, bool] = {}


def _module_only(visitor: BatchableCSTVisitor) -> bool:
    kind = type(visitor)
    if kind not in _MODULE_ONLY:
        _MODULE_ONLY[kind] = set(visitor.get_visitors()) == {"visit_Module"}
    return _MODULE_ONLY[kind]


class ModuleMetadataWrapper(MetadataWrapper):
    """A `MetadataWrapper` whose providers that only visit the module skip the empty walk."""

    def visit_batched(
        self,
        visitors: Iterable[BatchableCSTVisitor],
        before_visit: VisitorMethod | None = None,
        after_leave: VisitorMethod | None = None,
    ) -> cst.CSTNode:
        visitors = list(visitors)
        if before_visit is not None or after_leave is not None or not all(map(_module_only, visitors)):
            return super().visit_batched(visitors, before_visit, after_leave)
        with ExitStack() as stack:
            for visitor in visitors:  # as libcst does: each visitor's dependencies resolved first
                stack.enter_context(visitor.resolve(self))
            for visitor in visitors:
                visitor.visit_Module(self.module)
        return self.module
