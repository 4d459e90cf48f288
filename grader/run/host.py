"""What this machine's process API offers, and so which of the two ways to run the learner's
app the grader takes: the Linux path (a warm worker that forks, Unix sockets carrying file
descriptors, process groups, the sandbox) or the portable one (a fresh interpreter per grade,
TCP on 127.0.0.1, pipes read by threads, a process tree stopped without process groups).

Read from the running interpreter each time, never from the platform's name: a machine lacks
exactly what its `os` and `socket` modules lack (the tests remove those to play Windows).
"""

from __future__ import annotations

import os
import socket
import sys

# Said once, on stderr, where no sandbox exists: a learner grading their own file has
# nothing to fear from it, and class grading has its own place.
LEARNER_MACHINE_NOTE = (
    "Your app runs as you, without a sandbox (this system has none for it): fine for your own "
    "exercise; grade other people's code on Linux or Gradescope (see docs/grading-a-class.md)."
)


class Host:
    """What the interpreter offers. A plain class: `grade` reads it before it imports
    anything it can do without (launch.py), dataclasses among them."""

    __slots__ = ("fork", "unix_sockets", "process_groups", "linux")

    def __init__(self, *, fork: bool, unix_sockets: bool, process_groups: bool, linux: bool) -> None:
        self.fork = fork  # os.fork: a warm worker can fork a child per grade
        self.unix_sockets = unix_sockets  # AF_UNIX with descriptor passing: the warm worker's control channel
        self.process_groups = process_groups  # setsid, killpg, getpgid: a child's whole group stopped at once
        self.linux = linux  # namespaces and bubblewrap exist only there

    @property
    def warm_worker(self) -> bool:
        """Whether grades may fork from a warm worker (else each starts a fresh interpreter)."""
        return self.fork and self.unix_sockets and self.process_groups

    @property
    def sandbox(self) -> bool:
        """Whether a sandbox may be looked for at all (bubblewrap or namespaces)."""
        return self.warm_worker and self.linux


def host() -> Host:
    """The facts of the interpreter running now."""
    return Host(
        fork=hasattr(os, "fork"),
        unix_sockets=hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds") and hasattr(socket, "recv_fds"),
        process_groups=all(hasattr(os, name) for name in ("setsid", "killpg", "getpgid")),
        linux=sys.platform.startswith("linux"),
    )
