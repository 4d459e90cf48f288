"""Messages that must blame the right thing, step by step (issue: right verdict, right words)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SUBMISSIONS, run_grade

CORS_HEADERS = SUBMISSIONS / "cors-headers"


def test_a_missing_import_is_fixed_in_step_1_not_blamed_again_in_step_2() -> None:
    run = run_grade(CORS_HEADERS / "fail/class_misspelled_in_import_and_call.py", "--lesson", "cors-headers", "--json")
    assert run.step("import")["status"] == "fail"
    step2 = run.step("add-middleware")
    assert "fix the import first" in step2["message"]
    assert "which is not the CORSMiddleware class" not in step2["message"]


def test_a_misspelling_only_in_the_call_gets_the_case_sensitivity_message(tmp_path: Path) -> None:
    text = (CORS_HEADERS / "fail/class_misspelled_in_import_and_call.py").read_text()
    submission = tmp_path / "main.py"
    submission.write_text(text.replace("import CorsMiddleware", "import CORSMiddleware"))
    run = run_grade(submission, "--lesson", "cors-headers", "--json")
    assert run.step("import")["status"] == "pass"
    step2 = run.step("add-middleware")
    assert step2["status"] == "fail" and "case-sensitive" in step2["message"], step2


def test_a_missing_local_module_is_told_from_a_missing_package(tmp_path: Path) -> None:
    (tmp_path / "notes_storage.py").write_text("NOTES = []\n")
    submission = tmp_path / "main.py"
    text = (CORS_HEADERS / "fail/third_party_package_missing.py").read_text()
    submission.write_text(text.replace("import requests", "import notes_store"))
    run = run_grade(submission, "--lesson", "cors-headers", "--json")
    step = run.step("live-headers")
    assert "there is no notes_store.py next to main.py: there is notes_storage.py" in step["message"], step
    assert "pip install" not in (step["hint"] or "")


def test_every_failing_live_check_names_the_setting_to_change() -> None:
    wrong = SUBMISSIONS.parent.parent / "lessons/cors-production/wrong/methods_left_out.py"
    run = run_grade(wrong, "--lesson", "cors-production", "--json")
    step = run.step("live-frontend")
    assert step["status"] == "fail" and "allow_methods" in (step["hint"] or ""), step


def test_any_origin_with_credentials_passes_lesson_1_with_a_warning(tmp_path: Path) -> None:
    submission = tmp_path / "main.py"
    submission.write_text((CORS_HEADERS / "pass/any_origin_with_credentials.py").read_text())
    run = run_grade(submission, "--lesson", "cors-headers", "--json")
    step = run.step("add-middleware")
    assert step["status"] == "pass", step
    assert "Careful: line 7 also sets allow_credentials=True" in step["message"], step
    assert "your users' cookies" in step["message"]


def test_a_misspelled_module_of_an_installed_package_is_not_a_pip_install(tmp_path: Path) -> None:
    submission = tmp_path / "main.py"  # a copy: test_submissions grades the original at the same time
    submission.write_text((CORS_HEADERS / "fail/import_dotted_module_in_capitals.py").read_text())
    run = run_grade(submission, "--lesson", "cors-headers", "--json")
    step = run.step("live-headers")
    assert "fastapi is installed, but it has no module by that name" in step["message"], step
    assert "pip install" not in (step["hint"] or "") + step["message"]


def test_an_error_while_loading_is_said_once(tmp_path: Path) -> None:
    submission = tmp_path / "main.py"
    solution = SUBMISSIONS.parent.parent / "solution/cors-production/main.py"
    submission.write_text(solution.read_text().replace("allow_credentials=True", "allow_credentials=true"))
    run = run_grade(submission, "--lesson", "cors-production", "--json")
    step = run.step("live-frontend")
    shown = "\n".join([step["message"], *(step.get("details") or [])])
    assert shown.count("name 'true' is not defined") == 1, shown


def test_without_a_sandbox_ones_own_exercise_gets_one_calm_line(course_copy: Path) -> None:
    exercise = course_copy / "exercise/cors-headers/main.py"
    env = {"GRADER_COURSE": str(course_copy), "GRADER_SANDBOX": "none"}
    own = run_grade("--lesson", "cors-headers", cwd=course_copy / "exercise/cors-headers", env=env)
    said = [line for line in own.stderr.splitlines() if "sandbox" in line.lower()]
    assert len(said) == 1 and "fine for your own exercise" in said[0], own.stderr
    assert "untrusted" not in own.stderr and "network" not in own.stderr
    # Someone else's file, graded the same way, still gets the full warning.
    other = course_copy / "submission.py"
    other.write_text(exercise.read_text())
    theirs = run_grade(other, "--lesson", "cors-headers", cwd=course_copy, env=env)
    assert "fine for your own exercise" not in theirs.stderr, theirs.stderr
    assert any(words in theirs.stderr for words in ("untrusted", "network", "read everything")), theirs.stderr


def test_lesson_texts_say_what_the_installed_starlette_does() -> None:
    import inspect

    from starlette.middleware import cors

    production = (SUBMISSIONS.parent.parent / "lessons/cors-production/lesson.md").read_text()
    assert f"`{', '.join(sorted(cors.ALL_METHODS))}`" in " ".join(production.split())
    # The text says the regex must match the whole origin: so does Starlette.
    assert "allow_origin_regex.fullmatch" in inspect.getsource(cors) and "re.fullmatch" in production
    assert "without its end lets in" not in production
    headers = (SUBMISSIONS.parent.parent / "lessons/cors-headers/lesson.md").read_text()
    assert "always sends them" not in headers and "SameSite" in headers


def test_another_lessons_file_saved_later_is_named(course_copy: Path) -> None:
    import os
    import time

    env = {"GRADER_COURSE": str(course_copy)}
    second = course_copy / "exercise/cors-production/main.py"
    second.write_text(second.read_text() + "\n# edited\n")
    later = time.time() + 60
    os.utime(second, (later, later))
    run = run_grade(cwd=course_copy, env=env)
    assert "exercise/cors-headers/main.py" in run.stderr and "grade --lesson cors-production" in run.stderr, run.stderr


def test_a_pass_outside_the_exercise_does_not_announce_the_next_lesson(course_copy: Path) -> None:
    outside = course_copy / "main.py"
    outside.write_text((course_copy / "solution/cors-headers/main.py").read_text())
    run = run_grade(outside, "--lesson", "cors-headers", cwd=course_copy, env={"GRADER_COURSE": str(course_copy)})
    assert run.code == 0, run.stdout
    flat = " ".join(run.stdout.split())
    assert "run grade to start it" not in flat and "no progress is recorded" in flat, run.stdout


def test_a_passed_lessons_file_saved_later_is_not_named(course_copy: Path) -> None:
    """Moved on to the next lesson, a learner who touches the last one's file is not told
    they are editing the wrong file: that lesson is done."""
    import os
    import time

    from grader.course.course import load_course

    env = {"GRADER_COURSE": str(course_copy)}
    first = load_course(course_copy).lessons[0]
    first.exercise.write_text(first.solution.read_text())
    passed = run_grade(cwd=course_copy, env=env)
    assert passed.code == 0, passed.stdout
    later = time.time() + 60
    os.utime(first.exercise, (later, later))
    run = run_grade("--hint", cwd=course_copy, env=env)
    assert "saved more recently" not in run.stderr, run.stderr


def test_a_process_gone_before_loading_the_file_is_not_blamed_on_it() -> None:
    """Before the child says it loads the learner's file, none of it has run: a sandbox that
    could not start is the grader's trouble, never "look for sys.exit() in your file"."""
    from grader.live.diagnose import start_failure
    from grader.run.server import StartProblem

    output = "bwrap: execvp /tmp/v/bin/python3: No such file or directory"
    failure = start_failure(StartProblem("died", {"stage": "libraries", "code": 1}, output, len(output)), None, "app")
    assert "not a mistake in your file" in failure.message
    assert "sys.exit" not in (failure.hint or "")
    assert any("bwrap: execvp" in line for line in failure.details)
    loading = start_failure(StartProblem("died", {"stage": "import", "code": 1}, "", 0), None, "app")
    assert "not a mistake" not in loading.message  # once the file started loading, it may well be
