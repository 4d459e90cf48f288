"""lesson.toml as a schema: every field a lesson may set, its type, and where a mistake sits.

Unknown fields are errors (with the likely one meant), so a typo never passes silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    kind: type  # str, int, bool, list or dict
    required: bool = False
    items: type | None = None  # for a list or dict: the type of each item (or value)

    def describe(self) -> str:
        if self.kind is list:
            return f"a list of {_NAMES[self.items]}" if self.items else "a list"
        if self.kind is dict:
            return f"a table of {_NAMES[self.items]}" if self.items else "a table"
        return _NAMES[self.kind]

    def accepts(self, value: object) -> bool:
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            return False
        if self.items is None:
            return True
        if isinstance(value, list):
            return all(isinstance(item, self.items) for item in value)
        if isinstance(value, dict):
            return all(isinstance(item, self.items) for item in value.values())
        return True


_NAMES: dict[type | None, str] = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    dict: "tables",
    list: "lists",
    None: "values",
}


LESSON_FIELDS: Mapping[str, Field] = {
    "title": Field(str, required=True),
    "order": Field(int, required=True),
    "exercise": Field(str),
    "app": Field(str),
    "text": Field(str),
    "starter_fails_at": Field(list, items=str),
    "success": Field(str),
    "browser": Field(str),
    "request_headers": Field(dict, items=str),
    "requires": Field(list, items=str),
    "page": Field(dict),  # what the lesson page (`grade --open`) offers to call; checked where it is read
    "steps": Field(list, required=True, items=dict),
}
STEP_FIELDS: Mapping[str, Field] = {
    "id": Field(str, required=True),
    "title": Field(str, required=True),
    "hints": Field(list, items=str),
    "browser": Field(bool),
}

_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_STEPS_HEADER = re.compile(r"^\s*\[\[\s*steps\s*\]\]")
_OTHER_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]*)")


def key_line(text: str, key: str, step: int | None = None) -> int | None:
    """The line where `key` is set: at the top level, or in the `step`-th [[steps]] table."""
    table: int | None = None  # None: top level; n: the n-th [[steps]]; -1: another table
    seen_steps = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if _STEPS_HEADER.match(line):
            seen_steps += 1
            table = seen_steps
            continue
        header = _OTHER_HEADER.match(line)
        if header:
            if step is None and header.group(1) == key:
                return number  # `[request_headers]` written as its own table
            table = -1
            continue
        match = _KEY.match(line)
        if match and table == step and next(g for g in match.groups() if g is not None) == key:
            return number
    return None


def did_you_mean(key: str, known: Mapping[str, Field]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; the fields are: {', '.join(known)}"
