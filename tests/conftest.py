"""Shared helpers: run the real `grade` command and look for processes it left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
GRADE = Path(sys.executable).with_name("grade")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def step(self, step_id: str) -> dict[str, Any]:
        return next(s for s in self.json["steps"] if s["id"] == step_id)


def run_grade(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 90) -> Run:
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [str(GRADE), *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text` (a submission's path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = next((l for l in (entry / "status").read_text().splitlines() if l.startswith("State:")), "")
        except OSError:
            continue
        if text in cmdline and "zombie" not in state:
            found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture
def no_leftovers():
    """Yields a list to put submission paths in; fails the test if any process still runs them."""
    paths: list[str] = []
    yield paths
    for path in paths:
        assert processes_mentioning(path) == [], f"processes left running for {path}"


def run_command(
    name: str, *args: str | Path, cwd: Path = ROOT, timeout: float = 180, env: dict[str, str] | None = None
) -> Run:
    """Run another console script of the package (e.g. `lessons`) as a user would."""
    done = subprocess.run(
        [str(GRADE.with_name(name)), *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def commit_all(root: Path) -> None:
    """Make `root` a git repository with everything committed (starters can then be reset)."""
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    commands = (["add", "-A"], ["commit", "-qm", "course"])
    if not (root / ".git").exists():
        commands = (["init", "-q"], *commands)
    for command in commands:
        subprocess.run(["git", *command], cwd=root, env=git_env, check=True, capture_output=True)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A private copy of the course, committed to its own git repository, to change freely."""
    import shutil

    root = tmp_path / "course"
    for folder in ("lessons", "exercise", "solution"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    commit_all(root)
    return root


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    """A course of one lesson, `health`, made by `lessons new` in an empty folder and
    committed: a known shape, whatever the shipped course holds."""
    root = tmp_path / "scaffolded"
    root.mkdir()
    created = run_command("lessons", "new", "health", cwd=root)
    assert created.code == 0, created.stdout + created.stderr
    commit_all(root)
    return root


from tests.attack_kit import lab, namespaces_lab, user_lab  # noqa: E402, F401  (throwaway courses hostile submissions are graded in)
