"""Making text that learner code produced safe to print: no control sequences, bounded size.

A submission's output, exception messages and headers reach terminals, Gradescope pages and
JSON; an escape sequence could redraw the screen (a fake PASS line) and a huge message could
flood it. Everything learner-originated passes through `clean` before any view sees it.
"""

from __future__ import annotations

import re

# C0 and C1 control characters except tab and newline; DEL; and the bidirectional controls
# that can make printed text read differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
DEFAULT_LIMIT = 16 * 1024


def clean(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` with control characters shown as `?`, cut to `limit` characters."""
    if len(text) > limit:
        text = text[:limit] + f" [... {len(text) - limit} more characters]"
    return _UNSAFE.sub("?", text.replace("\r\n", "\n"))


def one_line(text: str, limit: int = 500) -> str:
    """`clean`, and on one line: for names (a file or folder name may hold a line break)."""
    return clean(text, limit).replace("\n", "?").replace("\t", " ")
