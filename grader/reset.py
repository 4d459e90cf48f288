"""Resetting an exercise: the starter as the course repository committed it."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ResetError(Exception):
    """The starter cannot be recovered; the message says why and what to do instead."""


def committed_starter(root: Path, exercise: Path) -> bytes:
    """The exercise file's content at the course repository's HEAD commit."""
    relative = exercise.resolve().relative_to(root.resolve()).as_posix()
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "show", f"HEAD:{relative}"],
            capture_output=True,
            timeout=15,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ResetError(f"cannot run git to recover the starter ({error}).") from None
    if done.returncode != 0:
        raise ResetError(
            f"cannot recover the starter of {relative} from git: "
            f"{done.stderr.decode(errors='replace').strip() or 'not a git checkout'}. "
            "Download the course again to get a fresh copy."
        )
    return done.stdout
