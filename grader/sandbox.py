"""Sandboxing code the grader did not write: which protection this machine offers.

Best: bubblewrap (Debian's `bubblewrap`): the file system read-only, a private /tmp, no
network, its own PID namespace. Next: util-linux `unshare` (no network, own PID namespace,
but the file system is not protected). Last: nothing beyond resource limits and process
groups; the grader says so once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

@dataclass(frozen=True)
class Sandbox:
    kind: str  # "bubblewrap", "unshare" or "none"
    note: str | None = None  # what is not protected, said once to the instructor

    def command(self, staging: Path) -> list[str]:
        """The command that wraps the warm worker. Inside bubblewrap every path looks the
        same as outside, all read-only, except a fresh tmpfs at `work_root(staging)`."""
        if self.kind == "bubblewrap":
            return [*_BWRAP, "--tmpfs", str(self.work_root(staging)), "--"]
        if self.kind == "unshare":
            return list(_UNSHARE)
        return []

    @staticmethod
    def work_root(staging: Path) -> Path:
        """Where each submission mounts the private tmpfs it runs from."""
        return staging / "work"


_BWRAP = (
    "bwrap",
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent",
)
_UNSHARE = ("unshare", "--net", "--pid", "--fork", "--kill-child")
_KINDS = ("bubblewrap", "unshare", "none")
SANDBOX_ENV = "GRADER_SANDBOX"


@lru_cache(maxsize=1)
def find_sandbox() -> Sandbox:
    """The strongest sandbox that works here (probed once per process). $GRADER_SANDBOX
    (bubblewrap, unshare or none) caps how strong a one to try."""
    cap = os.environ.get(SANDBOX_ENV, "")
    allowed = _KINDS[_KINDS.index(cap) :] if cap in _KINDS else _KINDS
    if "bubblewrap" in allowed and shutil.which("bwrap") and _works([*_BWRAP, "--"]):
        return Sandbox("bubblewrap")
    if "unshare" in allowed and shutil.which("unshare") and _works(list(_UNSHARE)):
        return Sandbox(
            "unshare",
            note="bubblewrap is not installed, so submissions run without network and in their "
            "own PID namespace, but can read and write files as you. Install it for full "
            "isolation: apt-get install bubblewrap.",
        )
    return Sandbox(
        "none",
        note="No sandbox is available here (neither bubblewrap nor unshare works), so submissions "
        "run with resource limits only: they can use the network and your files. Grade untrusted "
        "code in a container, or install bubblewrap (apt-get install bubblewrap).",
    )


def _works(prefix: list[str]) -> bool:
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
