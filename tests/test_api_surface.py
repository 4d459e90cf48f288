"""The check API is what lessons/README.md documents: every documented name imports from
`grader`, and `grader` exports no public name the page does not document."""

from __future__ import annotations

import re

import grader
from tests.conftest import ROOT

README = ROOT / "lessons/README.md"


def documented() -> set[str]:
    block = README.read_text().split("<!-- api:", 1)[1].split("<!-- /api -->", 1)[0]
    return set(re.findall(r"`(\w+)`", block))


def test_every_documented_name_imports_from_grader() -> None:
    names = documented()
    assert names, "the API list in lessons/README.md is missing"
    namespace: dict[str, object] = {}
    exec(f"from grader import {', '.join(sorted(names))}", namespace)
    assert all(namespace[name] is not None for name in names)


def test_grader_exports_nothing_undocumented() -> None:
    public = {name for name in dir(grader) if not name.startswith("_")} - {"annotations", "import_module", "TYPE_CHECKING", "Any"}
    assert set(grader.__all__) == documented()
    assert public <= documented(), f"public but not in lessons/README.md: {sorted(public - documented())}"


def test_every_exported_name_is_explained_in_the_page() -> None:
    text = README.read_text().split("<!-- api:", 1)[0]
    unexplained = [name for name in grader.__all__ if not re.search(rf"\b{name}\b", text)]
    assert unexplained == [], f"listed but never explained above the list: {unexplained}"
