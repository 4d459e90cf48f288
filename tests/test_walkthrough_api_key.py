"""lessons/README.md's dependency lesson (an API key, with Depends and APIKeyHeader), written
into a course of its own from the page's code blocks alone, under a slug the page never uses:
it verifies, its starter fails and its solution passes, and verify refuses the same lesson
with a live check that proves nothing."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, run_command, run_grade

README = ROOT / "lessons/README.md"
BLOCK = re.compile(r"```(?:python|toml)\n# (\S+)\n(.*?)```", re.DOTALL)
WALKED = "api-key"  # the slug the page writes
SLUG = "guarded-notes"  # the slug this test builds it under: nothing may depend on the page's


def readme_files() -> dict[str, str]:
    """The walkthrough's files, by path relative to the course, moved to SLUG."""
    found = {
        path.replace(f"/{WALKED}/", f"/{SLUG}/"): text
        for path, text in BLOCK.findall(README.read_text())
        if f"/{WALKED}/" in path
    }
    assert {
        f"lessons/{SLUG}/lesson.toml",
        f"lessons/{SLUG}/checks.py",
        f"exercise/{SLUG}/main.py",
        f"solution/{SLUG}/main.py",
    } <= set(found), sorted(found)
    assert any("/wrong/" in path for path in found) and any("/right/" in path for path in found)
    return found


def build(root: Path) -> None:
    """`lessons new`, then the page's files in place of the scaffold's, as the page says."""
    created = run_command("lessons", "new", SLUG, "--title", "Protect the notes with an API key", cwd=root)
    assert created.code == 0, created.stdout + created.stderr
    meta = root / "lessons" / SLUG / "lesson.toml"
    order = re.search(r"^order = \d+$", meta.read_text(), re.MULTILINE)
    assert order is not None
    (root / "lessons" / SLUG / "wrong/wrong_path.py").unlink()
    (root / "lessons" / SLUG / "right/async_endpoint.py").unlink()
    for path, text in readme_files().items():
        if path.endswith("lesson.toml"):
            text = re.sub(r"^order = \d+$", order.group(0), text, flags=re.MULTILINE)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_the_api_key_lesson_verifies_from_the_readme_alone(tmp_path: Path) -> None:
    build(tmp_path)
    verified = run_command("lessons", "verify", SLUG, cwd=tmp_path)
    assert verified.code == 0, verified.stdout + verified.stderr
    for line in (
        "solution: passes all 2 steps",
        "starter: fails at dependency, live-key, as lesson.toml says",
        "wrong/key_never_compared.py: fails at live-key, as declared",
        "right/annotated_security.py: passes all 2 steps, as a correct solution should",
        "the function verify_key() removed: caught by dependency, live-key",
        "the parameter `key: str = Depends(api_key_header)` removed from verify_key(): caught by",
        '`raise HTTPException(status_code=401, detail="Missing or wrong API key")` removed from verify_key(): caught by live-key',
        "`key != API_KEY` turned into `key == API_KEY` in verify_key(): caught by live-key",
        'in `api_key_header = ...`: name="mutant.example": caught by dependency, live-key',
        # The starter's own route, changed by the lesson: what the lesson adds to it is mutated.
        "in @app.get(...): dependencies= removed: caught by dependency, live-key",
    ):
        assert line in verified.stdout, verified.stdout
    # As many mutants as the page says, and none of the starter's lines (API_KEY, home, NOTES).
    assert verified.stdout.count("mutant, ") == 9, verified.stdout
    assert "API_KEY` set to" not in verified.stdout and "home()" not in verified.stdout

    starter = run_grade("--json", cwd=tmp_path)
    assert starter.code == 1, starter.stdout + starter.stderr
    assert starter.step("dependency")["message"] == "main.py declares no dependency on APIKeyHeader for GET /notes yet."
    assert starter.step("live-key")["message"].startswith("GET /notes without a key answered 200 OK: anyone can read the notes.")
    solved = run_grade(f"solution/{SLUG}/main.py", "--lesson", SLUG, "--json", cwd=tmp_path)
    assert solved.code == 0, solved.stdout + solved.stderr
    assert solved.json["status"] == "pass"
    assert solved.step("live-key")["message"].startswith("GET /notes answers 200 OK with the key, and 401 Unauthorized without a key")


def replace_in_checks(root: Path, old: str, new: str) -> None:
    checks = root / "lessons" / SLUG / "checks.py"
    text = checks.read_text()
    assert old in text
    checks.write_text(text.replace(old, new, 1))


def test_verify_refuses_the_lesson_with_a_live_check_that_never_fails(tmp_path: Path) -> None:
    build(tmp_path)
    replace_in_checks(tmp_path, "    refused = []\n", "    return 'vacuous'\n    refused = []\n")
    # Keep the starter's verdict out of the way: only the proof of the live step is at stake.
    meta = tmp_path / "lessons" / SLUG / "lesson.toml"
    meta.write_text(meta.read_text().replace('starter_fails_at = ["dependency", "live-key"]', 'starter_fails_at = ["dependency"]'))
    (tmp_path / "lessons" / SLUG / "wrong/key_never_compared.py").unlink()
    verified = run_command("lessons", "verify", SLUG, cwd=tmp_path)
    assert verified.code == 1, verified.stdout + verified.stderr
    assert "step live-key: is never shown to fail" in verified.stdout
    # The mutants without an import did fail it, but only because the app could not start.
    assert "`from fastapi.security import APIKeyHeader` removed: caught by dependency, live-key" in verified.stdout


def test_verify_refuses_a_live_check_that_never_tries_a_wrong_key(tmp_path: Path) -> None:
    build(tmp_path)
    replace_in_checks(tmp_path, '({HEADER: "not-the-key"}, "with a wrong key", "any key opens them"),\n', "")
    verified = run_command("lessons", "verify", SLUG, cwd=tmp_path)
    assert verified.code == 1, verified.stdout + verified.stderr
    assert "wrong/key_never_compared.py: passes, but should fail at live-key" in verified.stdout
    assert "removed from verify_key(): passes every step: no check notices this change" in verified.stdout
