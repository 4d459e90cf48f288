"""Reading a learner's file: bytes to text, and the problems that stop any grading of it."""

from __future__ import annotations

import io
import os
import re
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

from grader.read.submission import NotRegularFile, linked_folder, read_regular
from grader.read.text_safety import one_line

# Exercise files are a few kilobytes; past this, parsing and metadata take seconds.
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileProblem:
    """Why a file cannot be graded at all, in the learner's words."""

    message: str
    line: int | None = None
    details: tuple[str, ...] = ()
    hint: str | None = None


@dataclass(frozen=True)
class LearnerFile:
    path: Path
    text: str
    data: bytes  # the bytes the grader read: the sandboxed app runs from these, not the path


def read_learner_file(path: Path) -> LearnerFile | FileProblem:
    """Read and decode `path` the way Python would, then make sure Python can compile it."""
    name = path.name
    linked = linked_folder(path)
    if linked is not None:
        shown = one_line(str(linked), 200)
        return FileProblem(
            f"{name} is reached through {shown}, a folder that is a symbolic link (to somewhere else): "
            "the grader only grades files in folders of their own.",
            hint="Grade the file where it really is, or put your files in a real folder instead of a link to one.",
        )
    try:
        data = read_regular(path, MAX_BYTES)
    except NotRegularFile as refused:
        return FileProblem(
            f"{name} is {refused.kind}, not a file of your own: the grader only grades a regular file.",
            hint=f"Replace {name} with a real file holding your code (copy the code in, do not link to it).",
        )
    if len(data) > MAX_BYTES:  # only the first MAX_BYTES + 1 were read: the size says the rest
        return FileProblem(
            f"{name} is {_size(os.stat(path, follow_symlinks=False).st_size)}; an exercise file is a few kilobytes, and the grader "
            f"reads files of up to {_size(MAX_BYTES)}.",
            hint="Did you paste something large by mistake? Remove it and grade again.",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and (data[1::2].count(0) > len(data) // 4)):
        return FileProblem(
            f"{name} is saved as UTF-16 text (some editors call it 'Unicode'), which Python does not "
            "read as source code: it must be saved as UTF-8.",
            hint="Save it again as UTF-8 (in your editor's encoding setting, or in Notepad: "
            "Save As, Encoding: UTF-8), then grade again.",
        )
    if b"\x00" in data:
        return FileProblem(
            f"{name} contains NUL bytes, so it is not a Python text file "
            "(was it saved in a binary format, or overwritten by another program?).",
            line=data[: data.index(b"\x00")].count(b"\n") + 1,
            hint="Restore your code into it as plain text and grade again.",
        )
    decoded = _decode(data, name)
    if isinstance(decoded, FileProblem):
        return decoded
    if not decoded.strip():
        return FileProblem(
            f"{name} is empty.",
            hint="Did you save the file? Your editor may still hold your code unsaved.",
        )
    problem = _compile_problem(decoded, name)
    return problem or LearnerFile(path=path, text=decoded, data=data)


def _decode(data: bytes, name: str) -> str | FileProblem:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "coding" not in data[:200].decode("ascii", "replace"):
            encoding = "utf-8"  # a bad byte on line 1 or 2: say which, like any other line
        else:
            return FileProblem(f"Python cannot read {name}: {error.msg}.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        return FileProblem(
            f"{name} is not valid {encoding.upper()} text: line {line} holds the byte 0x{bad}, "
            "which Python cannot read.",
            line=line,
            hint="Save the file as UTF-8 in your editor (most have an 'encoding' setting) "
            "and retype the character on that line.",
        )
    return text.removeprefix("\ufeff")


def _compile_problem(text: str, name: str) -> FileProblem | None:
    """Python's own verdict on the syntax; its line numbers are the ones learners trust."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as error:
        return _syntax_problem(error, text, name)
    except (RecursionError, MemoryError):
        return FileProblem(
            f"{name} nests expressions too deeply for Python to compile.",
            hint="Split the deeply nested expression into smaller steps.",
        )
    except ValueError as error:
        return FileProblem(f"Python cannot compile {name}: {error}.")
    return None


def _syntax_problem(error: SyntaxError, text: str, name: str) -> FileProblem:
    indentation = isinstance(error, IndentationError)
    kind = "indentation" if indentation else "syntax"
    line = error.lineno
    details: list[str] = []
    lines = re.split(r"\r\n|\r|\n", text)  # Python's own line breaks, not str.splitlines()'s
    if line is not None and 1 <= line <= len(lines):
        raw = lines[line - 1]
        code = raw.expandtabs(4)
        details.append(f"{line} | {code}")
        caret = _caret(raw, error.offset, indentation)
        if caret:
            details.append(" " * (len(str(line)) + 3) + caret)
    where = f" on line {line}" if line else ""
    ending = "" if error.msg.endswith((".", "?", "!")) else "."
    return FileProblem(
        f"Python cannot run {name}: {kind} error{where}: {error.msg}{ending}",
        line=line,
        details=tuple(details),
        hint=_indentation_hint(error, line) if indentation else "Fix the line Python points at (or the line "
        "just above it: an unclosed bracket or quote is often reported one line late), save, and grade again.",
    )


def _caret(raw: str, offset: int | None, indentation: bool) -> str:
    """Marks under the columns Python blames, counted in screen cells (tabs as 4, wide
    characters as 2); for an indentation error, under the indentation itself."""
    from rich.cells import cell_len

    if indentation:
        indent = raw[: len(raw) - len(raw.lstrip(" \t"))].expandtabs(4)
        return "^" * len(indent) if indent else "^"
    if not offset or offset <= 0:
        return ""
    return " " * cell_len(raw[: offset - 1].expandtabs(4)) + "^"


def _indentation_hint(error: SyntaxError, line: int | None) -> str:
    """Python groups lines by their indentation: say which way this line is off."""
    where = f"line {line}" if line else "the line"
    if isinstance(error, TabError):
        return (
            f"{where} mixes tabs and spaces at its start. Indent with spaces only (4 per level): most "
            "editors can convert tabs to spaces for the whole file."
        )
    if "unexpected indent" in error.msg:
        return (
            f"{where} starts further right than the line above, but that line does not end with `:`. "
            "Remove the spaces at its start so it lines up with the code around it (top-level code "
            "starts at the left edge). Code copied from the lesson keeps the indentation it had there."
        )
    if "expected an indented block" in error.msg:
        return (
            f"The line above {where} ends with `:`, so the lines that belong to it must be indented "
            "(4 spaces more). Indent them, or remove the `:` line if it is left over."
        )
    return (
        f"{where} is indented by an amount no line above it uses. Indent it exactly like the other "
        "lines of its block (count the spaces), or like the `def`/`if` line it ends."
    )


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.1f} KB".replace(".0 KB", " KB")
