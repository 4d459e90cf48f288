"""The grader notices when its own files change: `grade --check-install`, and the check after
a batch and a Gradescope grade. Every test runs a throwaway copy of the install."""

from __future__ import annotations

import importlib.util
import json
import marshal
import sysconfig
from pathlib import Path

import pytest

from tests.install_copy import Install, make_install

LESSON = "cors-headers"


@pytest.fixture
def install(tmp_path: Path) -> Install:
    return make_install(tmp_path)


def solution_with(install: Install, hostile: str) -> str:
    """The lesson's reference solution (every step passes) with `hostile` run first at import."""
    return hostile + "\n" + (install.course / "solution" / LESSON / "main.py").read_text()


def test_check_install_passes_untouched_then_names_a_changed_grader_module(install: Install) -> None:
    recorded = install.run("--check-install", "--record")
    assert recorded.code == 0, recorded.stderr
    assert str(install.manifest) in recorded.stdout
    assert install.manifest.is_file()

    unchanged = install.run("--check-install")
    assert unchanged.code == 0, unchanged.stderr
    assert "unchanged" in unchanged.stdout

    module = install.course / "grader" / "views" / "render_text.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    changed = install.run("--check-install")
    assert changed.code == 1
    assert f"changed: {module}" in changed.stderr
    assert "reinstall the grader" in changed.stderr


def test_check_install_names_a_path_file_added_to_the_virtualenv(install: Install) -> None:
    assert install.run("--check-install", "--record").code == 0
    added = install.site_packages / "zz-extra.pth"
    added.write_text("import sys\n")
    changed = install.run("--check-install")
    assert changed.code == 1
    assert f"added: {added}" in changed.stderr


def test_check_install_without_a_manifest_is_an_error_not_a_fresh_start(install: Install) -> None:
    """Found: deleting the manifest (its path is in the grader's environment) made the next
    --check-install record the tampered install and exit 0."""
    assert install.run("--check-install", "--record").code == 0
    module = install.course / "grader" / "live" / "live_app.py"
    module.write_text(module.read_text() + "\nFORGED = True\n")
    install.manifest.unlink()
    missing = install.run("--check-install")
    assert missing.code == 2, missing.stdout + missing.stderr
    assert f"no manifest at {install.manifest}" in missing.stderr
    assert "grade --check-install --record" in missing.stderr
    assert not install.manifest.exists(), "a missing manifest was recorded afresh"
    assert install.run("--check-install").code == 2


def test_check_install_names_a_changed_lesson_check_and_planted_bytecode(install: Install) -> None:
    """Found: a forgery appended to lessons/<slug>/checks.py, or its bytecode planted with the
    source's mtime and size, left --check-install green."""
    assert install.run("--check-install", "--record").code == 0
    checks = install.course / "lessons" / LESSON / "checks.py"
    cached = Path(importlib.util.cache_from_source(str(checks)))
    assert cached.is_file(), "the lessons' bytecode is recorded with them"
    info = checks.stat()
    header = importlib.util.MAGIC_NUMBER + (0).to_bytes(4, "little")
    header += (int(info.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") + (info.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    cached.write_bytes(header + marshal.dumps(compile(checks.read_text() + "\nFORGED = 1\n", str(checks), "exec")))
    planted = install.run("--check-install")
    assert planted.code == 1, planted.stdout
    assert f"changed: {cached}" in planted.stderr
    shared = install.course / "lessons" / "_shared" / "cors_static.py"
    shared.write_text(shared.read_text() + "\n# edited\n")
    assert f"changed: {shared}" in install.run("--check-install").stderr


def test_the_manifest_covers_the_standard_library_and_its_bytecode(install: Install) -> None:
    """Found: an import hook appended to encodings/idna.py (base Python) left --check-install
    green. (This test only reads the manifest: it never touches the machine's Python.)"""
    assert install.run("--check-install", "--record").code == 0
    files = json.loads(install.manifest.read_text())["files"]
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert str(stdlib / "encodings" / "idna.py") in files
    assert any(name.startswith(str(stdlib / "encodings" / "__pycache__" / "idna.")) for name in files)
    assert str(install.course / "lessons" / LESSON / "checks.py") in files
    assert oct(install.manifest.stat().st_mode & 0o777) == oct(0o644)


def test_check_install_with_an_unreadable_manifest_says_to_record_again(install: Install) -> None:
    install.manifest.write_text("{not json")
    broken = install.run("--check-install")
    assert broken.code == 2
    assert f"the manifest at {install.manifest} cannot be read" in broken.stderr
    assert "record it again" in broken.stderr


def test_an_honest_gradescope_grade_is_not_voided(install: Install, tmp_path: Path) -> None:
    # The copy has no bytecode yet: compiling it during the grade must not count as a change.
    submission = tmp_path / "main.py"
    submission.write_text(solution_with(install, ""))
    run = install.run(submission, "--lesson", LESSON, "--format", "gradescope")
    results = json.loads(run.stdout)
    assert run.code == 0, run.stderr
    assert results["score"] == len(results["tests"]) > 0


def test_a_gradescope_grade_is_void_when_the_submission_adds_a_path_file(install: Install, tmp_path: Path) -> None:
    planted = install.site_packages / "zz-planted.pth"
    submission = tmp_path / "main.py"
    submission.write_text(solution_with(install, f"import pathlib\npathlib.Path({str(planted)!r}).write_text('')\n"))
    run = install.run(submission, "--lesson", LESSON, "--format", "gradescope", "--no-sandbox")
    assert planted.exists()  # unsandboxed, the write itself succeeds: the check must catch it
    results = json.loads(run.stdout)
    assert run.code == 2
    assert results["score"] == 0
    assert all(test["score"] == 0 for test in results["tests"])
    assert "grader's own files changed" in results["output"]
    assert f"added: {planted}" in results["output"]
    assert f"added: {planted}" in run.stderr


def test_a_batch_is_void_when_a_submission_rewrites_a_grader_module_and_restores_it(
    install: Install, tmp_path: Path
) -> None:
    module = install.course / "grader" / "views" / "render_batch.py"
    # Rewritten and put back byte for byte: only the file's change time tells.
    hostile = f"import pathlib\n_m = pathlib.Path({str(module)!r})\n_t = _m.read_bytes()\n_m.write_bytes(b'#')\n_m.write_bytes(_t)\n"
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "honest.py").write_text(solution_with(install, ""))
    (folder / "hostile.py").write_text(solution_with(install, hostile))
    before = module.read_bytes()

    as_json = install.run(folder, "--lesson", LESSON, "--json", "--no-sandbox")
    assert module.read_bytes() == before
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert as_json.code == 2
    # Found: each submission's own line still said pass or fail before the voiding one.
    assert [line["status"] for line in lines] == ["error"] * 3, [line["status"] for line in lines]
    assert all(step["status"] == "skip" for line in lines for step in line["steps"])
    assert lines[-1]["file"] == "(all submissions)"
    assert lines[-1]["status"] == "error"
    assert f"changed: {module}" in lines[-1]["error"]
    assert f"changed: {module}" in as_json.stderr

    as_text = install.run(folder, "--lesson", LESSON, "--no-sandbox")
    assert as_text.code == 2
    assert "PASS" not in as_text.stdout
    assert as_text.stdout.count("ERROR") == 2
    assert "0 of 2 submissions pass" in as_text.stdout


def test_an_honest_batch_is_not_voided(install: Install, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.py").write_text(solution_with(install, ""))
    (folder / "b.py").write_text(solution_with(install, ""))
    run = install.run(folder, "--lesson", LESSON, "--json")
    assert run.code == 0, run.stderr
    assert [json.loads(line)["status"] for line in run.stdout.splitlines()] == ["pass", "pass"]


def test_bytecode_written_again_with_the_same_bytes_does_not_void_a_grade(install: Install, tmp_path: Path) -> None:
    # What a second grade starting at the same moment does: compile a stale module again.
    cache = install.course / "grader" / "__pycache__"
    rewrite = (
        "import os, pathlib, shutil\n"
        f"for _pyc in pathlib.Path({str(cache)!r}).glob('*.pyc'):\n"
        "    shutil.copyfile(_pyc, str(_pyc) + '.new')\n"
        "    os.replace(str(_pyc) + '.new', _pyc)\n"
    )
    submission = tmp_path / "main.py"
    submission.write_text(solution_with(install, rewrite))
    run = install.run(submission, "--lesson", LESSON, "--format", "gradescope", "--no-sandbox")
    results = json.loads(run.stdout)
    assert run.code == 0, run.stderr
    assert results["score"] == len(results["tests"]) > 0
