"""Resetting an exercise: the starter as the course repository committed it."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ResetError(Exception):
    """The starter cannot be recovered; the message says why and what to do instead."""


def committed_starter(root: Path, exercise: Path) -> bytes:
    """The exercise file's content at the course repository's HEAD commit, or, for a lesson
    not committed yet (an instructor's draft), as staged with `git add`."""
    relative = exercise.resolve().relative_to(root.resolve()).as_posix()
    committed = _git(root, "show", f"HEAD:{relative}")
    if committed.returncode == 0:
        return committed.stdout
    staged = _git(root, "show", f":{relative}")
    if staged.returncode == 0:
        return staged.stdout
    if _git(root, "rev-parse", "--git-dir").returncode == 0:
        raise ResetError(
            f"{relative} is not in git yet (a lesson still being written?), so there is no saved "
            f"starter to go back to. Save this one with `git add {relative}` (or commit the lesson), "
            "and --reset will put that version back."
        )
    raise ResetError(
        f"cannot recover the starter of {relative} from git: "
        f"{committed.stderr.decode(errors='replace').strip() or 'not a git checkout'}. "
        "Download the course again to get a fresh copy."
    )


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=15, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ResetError(f"cannot run git to recover the starter ({error}).") from None
