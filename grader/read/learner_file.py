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
    lines = re.split(r"\r\n|\r|\n", text)  # Python's own line breaks, not str.splitlines()'s
    said = _common_slip(error, text, lines) if not indentation else None
    if said is not None:
        return said.problem(name, lines)
    line = error.lineno
    details: list[str] = []
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


# Characters word processors and web pages put where Python wants a straight quote.
CURLY_QUOTES = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\uff02": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u2032": "'", "\uff07": "'", "\u00b4": "'", "`": "'",
}
CLOSERS = {")": "(", "]": "[", "}": "{"}
OPENERS = {opener: closer for closer, opener in CLOSERS.items()}
BARE_STAR = re.compile(r"(\[\s*\*\s*[\],])|(=\s*\*\s*[,)])|(,\s*\*\s*\])")


@dataclass(frozen=True)
class _Slip:
    """A syntax error a beginner makes often, said in words, with the line to look at."""

    line: int
    column: int  # 1-based, for the caret
    said: str
    hint: str

    def problem(self, name: str, lines: list[str]) -> FileProblem:
        raw = lines[self.line - 1] if 1 <= self.line <= len(lines) else ""
        details = (f"{self.line} | {raw.expandtabs(4)}", " " * (len(str(self.line)) + 3) + _caret(raw, self.column, False))
        return FileProblem(
            f"Python cannot run {name}: syntax error on line {self.line}: {self.said}",
            line=self.line,
            details=details if raw else (),
            hint=self.hint,
        )


def _common_slip(error: SyntaxError, text: str, lines: list[str]) -> _Slip | None:
    """Curly quotes, an unquoted star, a bracket never closed: what Python's own message
    leaves a beginner to work out."""
    line, offset, message = error.lineno or 0, error.offset or 0, error.msg
    raw = lines[line - 1] if 1 <= line <= len(lines) else ""
    curly = re.match(r"invalid character '(.)' \((U\+[0-9A-F]+)\)", message)
    if curly and curly.group(1) in CURLY_QUOTES:
        mark, code = curly.group(1), curly.group(2)
        straight = CURLY_QUOTES[mark]
        others = sorted({n for n, text_line in enumerate(lines, start=1) if any(c in text_line for c in CURLY_QUOTES if c != "`")} - {line})
        also = f" Lines {', '.join(map(str, others))} have them too." if others else ""
        return _Slip(
            line, offset,
            f"{mark} ({code}) is a curly quote, the kind a word processor, a chat or a web page puts in "
            f"when text is pasted. Python only reads straight quotes: {straight}.{also}",
            f"Retype each quote on line {line} as a straight {straight}. In the program you copied from, "
            "turning off 'smart quotes' stops it happening again.",
        )
    star = BARE_STAR.search(raw)
    if star is not None and "invalid syntax" in message:
        column = raw.index("*", star.start()) + 1
        return _Slip(
            line, column,
            'the star has no quotes around it. Written bare, * is multiplication (or unpacking) to '
            'Python; the setting wants the text "*", which means "any": quote the star.',
            f'Quote the star on line {line}: ["*"].',
        )
    mismatch = re.match(r"closing parenthesis '(.)' does not match opening parenthesis '(.)' on line (\d+)", message)
    if mismatch is not None:
        closer, opener, opened = mismatch.group(1), mismatch.group(2), int(mismatch.group(3))
        still_open = _open_brackets(text, line) or []
        unclosed = next((b for b in reversed(still_open) if b[0] == opener and b[1] == opened), None)
        # The closer matches a bracket opened further out: the inner one was left open.
        deeper = still_open[: still_open.index(unclosed)] if unclosed else []
        if unclosed is not None and any(b[0] == CLOSERS[closer] for b in deeper):
            return _Slip(
                opened, unclosed[2] + 1,
                f"the {opener} opened here is never closed. Python only noticed on line {line}, where "
                f"{closer} closes something opened before it.",
                f"Add the missing {OPENERS[opener]} where what the {opener} on line {opened} holds ends "
                f"(before the {closer} on line {line} at the latest).",
            )
        return _Slip(
            line, offset,
            f"this {closer} has nothing to close: the last bracket still open is the {opener} on line "
            f"{opened}. There is one {closer} too many here, or its {CLOSERS[closer]} is missing.",
            f"Remove the extra {closer} on line {line}, or add the {CLOSERS[closer]} it was meant to close.",
        )
    never = re.match(r"'(.)' was never closed", message)
    if never is not None:
        opener = never.group(1)
        return _Slip(
            line, offset,
            f"{message}.",  # Python's words, on the right line already
            f"Add the missing {OPENERS[opener]} where what the {opener} on line {line} holds ends: Python "
            "read on to the end of the file looking for it.",
        )
    if message.startswith("unterminated string literal"):
        return _Slip(
            line, offset,
            "a string starts here and is not closed on this line: quotes come in pairs, and the closing "
            "one is missing (or it is a different kind of quote from the opening one).",
            f"Add the closing quote on line {line}, the same kind as the opening one.",
        )
    return None


def _open_brackets(text: str, line: int) -> list[tuple[str, int, int]] | None:
    """The brackets still open just before `line` (char, line, 0-based column), read with
    Python's tokenizer (strings and comments do not count); None when it cannot tell."""
    stack: list[tuple[str, int, int]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] >= line:
                return stack
            if token.type == tokenize.OP and token.string in OPENERS:
                stack.append((token.string, *token.start))
            elif token.type == tokenize.OP and token.string in CLOSERS:
                if not stack or stack[-1][0] != CLOSERS[token.string]:
                    return None
                stack.pop()
    except (tokenize.TokenError, SyntaxError):
        return None
    return stack


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
