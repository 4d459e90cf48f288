"""lesson.toml is a schema: unknown fields, wrong types and clashes are errors naming the
file, the line and the field, with the field probably meant."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.course.course import load_course
from grader.course.lesson import LessonError, load_lesson

GOOD = """\
title = "Timing"
order = 1
request_headers = { Host = "notes.example.com", "X-Api-Key" = "k" }

[[steps]]
id = "middleware"
title = "Add the middleware"
hints = ["first", "second"]
"""


def lesson_folder(root: Path, toml: str, slug: str = "timing") -> Path:
    folder = root / "lessons" / slug
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(textwrap.dedent(toml))
    (folder / "lesson.md").write_text("# Timing\n")
    (folder / "checks.py").write_text("")
    return folder


def error_for(tmp_path: Path, toml: str) -> str:
    with pytest.raises(LessonError) as raised:
        load_lesson(lesson_folder(tmp_path, toml))
    return str(raised.value)


def test_a_good_lesson_gets_its_documented_defaults(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_folder(tmp_path, GOOD))
    assert lesson.request_headers == (("Host", "notes.example.com"), ("X-Api-Key", "k"))
    assert lesson.exercise == tmp_path / "exercise/timing/main.py"
    assert (lesson.app_module, lesson.app_attr) == ("main", "app")
    assert lesson.text_file.name == "lesson.md"
    assert lesson.starter_fails_at == ("middleware",)
    assert lesson.success is None and lesson.browser_always is False
    assert lesson.steps[0].browser is False


def test_misspelled_step_field_names_line_step_and_the_field_meant(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("hints = ", "hint = "))
    assert message.endswith("lesson.toml, line 8 (step 1, id 'middleware'): 'hint' is not a field of a step; did you mean 'hints'?")


def test_unknown_top_level_field_is_an_error(tmp_path: Path) -> None:
    message = error_for(tmp_path, "colour = 'blue'\n" + GOOD)
    assert "lesson.toml, line 1: 'colour' is not a field of a lesson; the fields are: title, order" in message


def test_misspelled_starter_fails_at(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("order = 1", "order = 1\nstarter_fail_at = ['middleware']"))
    assert "line 3: 'starter_fail_at' is not a field of a lesson; did you mean 'starter_fails_at'?" in message


def test_starter_fails_at_naming_an_unknown_step(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("order = 1", "order = 1\nstarter_fails_at = ['midleware']"))
    assert "line 3: 'starter_fails_at' names unknown steps ['midleware'] (did you mean 'middleware'?)" in message


def test_wrong_type_names_line_and_what_it_must_be(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("order = 1", 'order = "1"'))
    assert "line 2: 'order' must be a whole number, not '1' (str)" in message
    message = error_for(tmp_path / "b", GOOD.replace('"k" }', "3 }"))
    assert "line 3: 'request_headers' must be a table of text" in message


def test_missing_required_field(tmp_path: Path) -> None:
    assert "lesson.toml: missing 'title' (text, required)" in error_for(tmp_path, GOOD.replace('title = "Timing"\n', ""))


def test_repeated_step_id(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD + '\n[[steps]]\nid = "middleware"\ntitle = "Again"\n')
    assert "line 11 (step 2): id 'middleware' is already the id of step 1" in message


def test_two_lessons_with_the_same_order(tmp_path: Path) -> None:
    lesson_folder(tmp_path, GOOD, slug="first")
    lesson_folder(tmp_path, GOOD, slug="second")
    with pytest.raises(LessonError) as raised:
        load_course(tmp_path)
    assert "second/lesson.toml, line 2: order = 1 is also the order of lesson 'first'" in str(raised.value)
    lenient = load_course(tmp_path, lenient=True)
    assert [lesson.slug for lesson in lenient.lessons] == ["first"]
    assert "is also the order of lesson 'first'" in lenient.broken[0]
