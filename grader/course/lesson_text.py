"""A lesson's text for the terminal: prose as Markdown, code blocks flush-left.

Rich indents code blocks (more so inside a numbered list), and code copied from an
indented block pastes into a file with an IndentationError. So each fenced block is
printed on its own, from column 0, highlighted but not padded.
"""

from __future__ import annotations

import re
import textwrap

from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax

# A fenced block, possibly indented under a list item: its indent, language and body.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
THEME = "monokai"


def print_lesson_text(text: str, console: Console) -> None:
    """Print `text` (Markdown) with every fenced code block flush-left."""
    start = 0
    for block in FENCE.finditer(text):
        _prose(text[start : block.start()], console)
        code = textwrap.dedent(block.group("body")).rstrip("\n")
        lexer = block.group("lang") or "text"
        highlighted = Syntax(code, lexer, theme=THEME, background_color="default").highlight(code)
        highlighted.rstrip()
        console.print()
        console.print(highlighted, soft_wrap=True)
        start = block.end()
    _prose(text[start:], console)


def _prose(part: str, console: Console) -> None:
    if part.strip():
        console.print(Markdown(part, code_theme=THEME))
