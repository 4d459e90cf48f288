"""Unit tests for grader.read.learner_file: reading, decoding and compiling a learner's file."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import pytest

from grader.read.learner_file import MAX_BYTES, FileProblem, LearnerFile, read_learner_file

FIX_HINT = (
    "Fix the line Python points at (or the line just above it: an unclosed bracket "
    "or quote is often reported one line late), save, and grade again."
)
ENCODING_HINT = (
    "Save the file as UTF-8 in your editor (most have an 'encoding' setting) "
    "and retype the character on that line."
)


def read(tmp_path: Path, data: bytes | str, name: str = "main.py") -> LearnerFile | FileProblem:
    if isinstance(data, str):
        data = textwrap.dedent(data).encode("utf-8")
    path = tmp_path / name
    path.write_bytes(data)
    return read_learner_file(path)


def problem(tmp_path: Path, data: bytes | str, name: str = "main.py") -> FileProblem:
    result = read(tmp_path, data, name)
    assert isinstance(result, FileProblem), result
    return result


def python_lineno(text: str) -> int | None:
    try:
        compile(text, "main.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error.lineno
    raise AssertionError("expected a SyntaxError")


# -- reading and decoding -----------------------------------------------------------


def test_plain_utf8_file_is_read_as_text(tmp_path: Path) -> None:
    result = read(tmp_path, "x = 'café'\n")
    assert result == LearnerFile(path=tmp_path / "main.py", text="x = 'café'\n", data="x = 'café'\n".encode())


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    result = read(tmp_path, b"\xef\xbb\xbfx = 1\n")
    assert isinstance(result, LearnerFile)
    assert result.text == "x = 1\n"


def test_bom_only_file_is_empty(tmp_path: Path) -> None:
    result = problem(tmp_path, b"\xef\xbb\xbf")
    assert result.message == "main.py is empty."


def test_latin1_coding_cookie(tmp_path: Path) -> None:
    data = "# -*- coding: latin-1 -*-\nx = 'café'\n".encode("latin-1")
    result = read(tmp_path, data)
    assert isinstance(result, LearnerFile)
    assert result.text == "# -*- coding: latin-1 -*-\nx = 'café'\n"


def test_bom_with_conflicting_cookie_is_reported(tmp_path: Path) -> None:
    result = problem(tmp_path, b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    assert result.message == "Python cannot read main.py: encoding problem: utf-8."
    assert result.line is None


def test_unknown_coding_cookie_is_reported(tmp_path: Path) -> None:
    result = problem(tmp_path, b"# coding: nonsense\nx = 1\n")
    assert result.message == "Python cannot read main.py: unknown encoding: nonsense."


def test_non_utf8_byte_reports_line(tmp_path: Path) -> None:
    result = problem(tmp_path, b"x = 1\ny = 2\n# caf\xe9\n")
    assert result.message == (
        "main.py is not valid UTF-8 text: line 3 holds the byte 0xe9, which Python cannot read."
    )
    assert result.line == 3
    assert result.hint == ENCODING_HINT


def test_non_utf8_byte_on_first_line_reports_line(tmp_path: Path) -> None:
    result = problem(tmp_path, "# Exercice : café\nx = 1\n".encode("latin-1"))
    assert result.line == 1
    assert result.message == (
        "main.py is not valid UTF-8 text: line 1 holds the byte 0xe9, which Python cannot read."
    )


def test_byte_invalid_in_declared_encoding_names_that_encoding(tmp_path: Path) -> None:
    result = problem(tmp_path, b'# coding: ascii\nx = "\xe9"\n')
    assert result.message == (
        "main.py is not valid ASCII text: line 2 holds the byte 0xe9, which Python cannot read."
    )
    assert result.line == 2


def test_nul_byte_reports_its_line(tmp_path: Path) -> None:
    result = problem(tmp_path, b"x = 1\ny = 2\nz\x00 = 3\n")
    assert result.message.startswith("main.py contains NUL bytes, so it is not a Python text file")
    assert result.line == 3


def test_utf16_file_is_reported_as_utf16(tmp_path: Path) -> None:
    for data in ("x = 1\n".encode("utf-16"), "x = 1\ny = 2\n".encode("utf-16-le")):
        result = problem(tmp_path, data)
        assert "saved as UTF-16" in result.message and "UTF-8" in result.message


def test_empty_file(tmp_path: Path) -> None:
    result = problem(tmp_path, b"")
    assert result.message == "main.py is empty."
    assert result.hint == "Did you save the file? Your editor may still hold your code unsaved."


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    assert problem(tmp_path, b"  \n\t\n\n").message == "main.py is empty."


def test_comment_only_file_is_not_empty(tmp_path: Path) -> None:
    assert isinstance(read(tmp_path, b"# TODO\n"), LearnerFile)


def test_file_name_is_used_in_messages(tmp_path: Path) -> None:
    assert problem(tmp_path, b"", name="app.py").message == "app.py is empty."


def test_too_large_file(tmp_path: Path) -> None:
    result = problem(tmp_path, b"#" * (300 * 1024))
    assert result.message == (
        "main.py is 300 KB; an exercise file is a few kilobytes, and the grader reads files "
        "of up to 256 KB."
    )
    assert result.hint == "Did you paste something large by mistake? Remove it and grade again."


def test_too_large_file_in_megabytes(tmp_path: Path) -> None:
    result = problem(tmp_path, b"#" * (3 * 1024 * 1024))
    assert result.message.startswith("main.py is 3.0 MB;")


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    result = read(tmp_path, b"#" * (MAX_BYTES - 1) + b"\n")
    assert isinstance(result, LearnerFile)


def test_size_is_checked_before_nul_bytes(tmp_path: Path) -> None:
    result = problem(tmp_path, b"\x00" * (MAX_BYTES + 1))
    assert "the grader reads files of up to 256 KB" in result.message


# -- compiling ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\napp.add_middleware(CORSMiddleware, allow_origins=['*']\n",
        "x = 1\ny = (1,\nz = 2\n",
        "def f():\nreturn 1\n",
        "x = 1\nif x\n    pass\n",
        'x = "abc\n',
        "x = 1\n\ny = [1 2]\n",
        "x = 1\r\ny = (]\r\n",
    ],
    ids=[
        "unclosed-call",
        "unclosed-tuple",
        "missing-indent",
        "missing-colon",
        "unterminated-string",
        "missing-comma",
        "crlf",
    ],
)
def test_syntax_error_line_matches_python(tmp_path: Path, text: str) -> None:
    result = problem(tmp_path, text.encode())
    assert result.line == python_lineno(text)
    assert result.line is not None


def test_syntax_error_message_and_details(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = 1\ny = (]\n")
    assert result.message == (
        "Python cannot run main.py: syntax error on line 2: "
        "closing parenthesis ']' does not match opening parenthesis '('."
    )
    assert result.line == 2
    # the caret sits under the offending `]` (column 6), after the "2 | " prefix
    assert result.details == ("2 | y = (]", "         ^")
    assert result.hint == FIX_HINT


def test_unclosed_bracket_is_reported_on_its_opening_line(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = (1,\ny = 2\n")
    assert (
        result.message == "Python cannot run main.py: syntax error on line 1: '(' was never closed."
    )
    assert result.details == ("1 | x = (1,", "        ^")


def test_caret_counts_characters_not_bytes(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = 'café'; y = (]\n")
    assert result.details == ("1 | x = 'café'; y = (]", " " * 21 + "^")


def test_crlf_line_endings_do_not_leak_into_details(tmp_path: Path) -> None:
    result = problem(tmp_path, b"x = 1\r\ny = (]\r\n")
    assert result.details == ("2 | y = (]", "         ^")


def test_lone_cr_line_endings_count_as_lines(tmp_path: Path) -> None:
    result = problem(tmp_path, b"x = 1\ry = (]\r")
    assert result.line == 2
    assert result.details[0] == "2 | y = (]"


def test_syntax_error_details_show_python_line_after_form_feed(tmp_path: Path) -> None:
    result = problem(tmp_path, b"x = 1\n\x0c\ny = (]\n")
    assert result.line == 3
    assert result.details[0] == "3 | y = (]"


def test_syntax_error_details_after_line_separator_in_string(tmp_path: Path) -> None:
    result = problem(tmp_path, "s = 'a\u2028b'\ny = (]\n")
    assert result.line == 2
    assert result.details[0] == "2 | y = (]"


def test_syntax_error_message_does_not_double_punctuation(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = [1 2]\n")
    assert result.message == (
        "Python cannot run main.py: syntax error on line 1: "
        "invalid syntax. Perhaps you forgot a comma?"
    )


def test_tab_error(tmp_path: Path) -> None:
    result = problem(tmp_path, b"if True:\n        x = 1\n\ty = 2\n")
    assert result.message == (
        "Python cannot run main.py: indentation error on line 3: "
        "inconsistent use of tabs and spaces in indentation."
    )
    assert result.line == 3
    # tabs are shown as four spaces, and the carets mark the indentation, tab included
    assert result.details == ("3 |     y = 2", "    ^^^^")
    assert result.hint is not None and "mixes tabs and spaces" in result.hint


def test_indentation_error_expected_block(tmp_path: Path) -> None:
    result = problem(tmp_path, "def f():\nreturn 1\n")
    assert result.message == (
        "Python cannot run main.py: indentation error on line 2: "
        "expected an indented block after function definition on line 1."
    )
    assert result.line == 2
    assert result.details == ("2 | return 1", "    ^")
    assert result.hint is not None and "ends with `:`" in result.hint


def test_unexpected_indent(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = 1\n    y = 2\n")
    assert (
        result.message
        == "Python cannot run main.py: indentation error on line 2: unexpected indent."
    )
    # the carets sit under the indentation, which is what is wrong
    assert result.details == ("2 |     y = 2", "    ^^^^")
    assert result.hint is not None and "Remove the spaces at its start" in result.hint


def test_caret_counts_wide_characters_as_two_columns(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = '日本'; y = (]\n")
    code, caret = result.details
    assert code == "1 | x = '日本'; y = (]"
    # '日本' takes four columns on screen, so the caret moves two to the right of its index
    assert caret == " " * (4 + 17) + "^"


def test_compile_time_error_outside_the_parser(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = 1\nreturn x\n")
    assert (
        result.message
        == "Python cannot run main.py: syntax error on line 2: 'return' outside function."
    )
    assert result.line == 2


def test_too_many_parentheses_is_a_syntax_error(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = " + "(" * 300 + ")" * 300 + "\n")
    assert (
        result.message
        == "Python cannot run main.py: syntax error on line 1: too many nested parentheses."
    )


def test_deep_nesting_is_reported_without_crashing(tmp_path: Path) -> None:
    result = problem(tmp_path, "x = " + "-" * 100_000 + "1\n")
    assert result.message == "main.py nests expressions too deeply for Python to compile."
    assert result.hint == "Split the deeply nested expression into smaller steps."
    assert result.line is None


def test_syntax_warning_is_not_a_problem_even_when_warnings_are_errors(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = read(tmp_path, "x = 1\nassert (x, 'always true')\n")
    assert isinstance(result, LearnerFile)


def test_grader_future_imports_do_not_leak_into_learner_code(tmp_path: Path) -> None:
    # learner_file.py uses `from __future__ import annotations`; under it this line is a
    # SyntaxError, but plain Python (as uvicorn runs the file) accepts it
    result = read(tmp_path, "def f():\n    x: (yield) = 1\n")
    assert isinstance(result, LearnerFile)
