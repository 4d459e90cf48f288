"""Making text that learner code produced safe to print: no control sequences, bounded size.

A submission's output, exception messages, headers and file names reach terminals,
Gradescope pages and JSON; an escape sequence could redraw the screen (a fake PASS line), a
line separator start a line of its own for some reader, a lone surrogate make the output
invalid UTF-8, and a huge message flood it. Everything learner-originated passes through
`clean` before any view sees it, and every view passes what it prints through `printable`
(or `json_text`) again, since the views cannot tell the learner's words from the grader's.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 control characters except tab and newline, and DEL: shown as "?".
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Line and paragraph separators, and the format characters (Unicode category Cf: the
# bidirectional controls that make text read differently from what it is, zero-width
# spaces and joiners, the soft hyphen, invisible tags): shown as their escape, \u2028.
_INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_SURROGATES = "\ud800-\udfff"  # only ever alone in a str: never valid UTF-8
_UNSAFE = re.compile(f"[{_CONTROLS}{_INVISIBLE}{_SURROGATES}]")
DEFAULT_LIMIT = 16 * 1024


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code <= 0x9F:
        return "?"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with nothing that could move the cursor, start a line or hide itself: control
    characters as `?`, separators and invisible characters as their escape (`\\u2028`), a
    lone surrogate as U+FFFD. Newlines and tabs stay (views indent each line)."""
    return _UNSAFE.sub(_shown, text.replace("\r\n", "\n"))


def clean(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`printable(text)`, cut to `limit` characters."""
    if len(text) > limit:
        text = text[:limit] + f" [... {len(text) - limit} more characters]"
    return printable(text)


def one_line(text: str, limit: int = 500) -> str:
    """`clean`, and on one line: for names (a file or folder name may hold a line break)."""
    return clean(text, limit).replace("\n", "?").replace("\t", " ")


def json_text(data: Any, indent: int | None = None) -> str:
    """`data` as JSON that any reader takes whole: ASCII only (so valid UTF-8 whatever the
    terminal's encoding, and no raw line separator for a line-based reader to split on),
    a lone surrogate (which a strict reader rejects even escaped) replaced by U+FFFD."""
    return json.dumps(_no_surrogates(data), ensure_ascii=True, indent=indent)


def _no_surrogates(data: Any) -> Any:
    if isinstance(data, str):
        return re.sub(f"[{_SURROGATES}]", "\ufffd", data)
    if isinstance(data, dict):
        return {_no_surrogates(key): _no_surrogates(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_no_surrogates(item) for item in data]
    return data
