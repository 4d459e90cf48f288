"""The child process on the portable path: load the learner's module in a fresh interpreter,
then serve its app with uvicorn on the listening socket the grader bound.

Runs as a script (`python -P portable_child.py FILE MODULE ATTR SOCKET`) with the standard
library and uvicorn only, on any system: no fork, no Unix sockets, no process groups. SOCKET
is `fd:N` (a descriptor it inherited, POSIX) or `share` (the socket's `share()` bytes on
stdin, Windows). Its stages go to the grader as JSON lines on the stdout it was started
with; the learner's own prints go to stderr. When the grader's end of stdin closes (the
grader exited, however it died), this process exits too.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

# The share() blob is a few hundred bytes; anything larger is not the grader's.
MAX_SHARE = 65536


def _serve_child() -> Any:
    # The Linux child's helpers (loading, describing the app, tracebacks), loaded by path:
    # the grader's folder never joins sys.path, so its module names cannot shadow the learner's.
    spec = importlib.util.spec_from_file_location("_grader_serve_child", Path(__file__).with_name("serve_child.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    file, module_name, attr, how = argv[0], argv[1], argv[2], argv[3]
    # The status channel is the stdout the grader reads; from here on, fd 1 is stderr's pipe.
    status = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sock = _listening_socket(how)
    threading.Thread(target=_exit_with_grader, args=(sys.stdin.buffer,), daemon=True).start()
    # The learner's input() meets an empty stdin, as under `uvicorn main:app </dev/null`.
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    helpers = _serve_child()

    def tell(event: str, **data: Any) -> None:
        import json

        status.write(json.dumps({"event": event, **data}) + "\n")

    import uvicorn  # imported before the learner's code, so its time is not theirs

    _limit_resources(helpers)
    path = Path(file).resolve()
    sys.path.insert(0, str(path.parent))
    sys.argv = [str(path)]
    uvicorn.run = helpers._refuse_to_run
    tell("started")
    try:
        module = helpers._load(path, module_name)
    except helpers.ServerStartedWhileLoading as error:
        tell("server-call", frames=helpers._frames(error, path.parent))
        return 0
    except SystemExit as error:
        tell("exit", code=helpers._exit_code(error.code), frames=helpers._frames(error, path.parent))
        return 0
    except BaseException as error:  # the learner's code may raise anything at all
        tell("crash", exception=helpers._exception_line(error), frames=helpers._frames(error, path.parent))
        return 0
    missing = object()
    app = getattr(module, attr, missing)
    if app is missing:
        tell("no-app", attr=attr, candidates=[n for n, v in vars(module).items() if helpers._looks_like_app(v)])
        return 0
    if not callable(app):
        tell("not-app", attr=attr, type=type(app).__name__, value=repr(app)[:80])
        return 0
    tell("imported", app=helpers._describe_app(app, attr))
    # No "ready" event: the grader sees for itself when this socket answers HTTP.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _listening_socket(how: str) -> socket.socket:
    if how.startswith("fd:"):
        return socket.socket(fileno=int(how[3:]))
    size = struct.unpack("!I", _read_exactly(4))[0]
    if size > MAX_SHARE:
        raise SystemExit("grader: a malformed socket hand-over")
    return socket.fromshare(_read_exactly(size))  # type: ignore[attr-defined,unused-ignore]  # Windows only


def _read_exactly(size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sys.stdin.buffer.read(size - len(data))
        if not chunk:
            raise SystemExit("grader: the grader went away before handing over the socket")
        data += chunk
    return data


def _exit_with_grader(grader: Any) -> None:
    """Where no parent-death signal exists: the grader holds our stdin open while it lives."""
    try:
        while grader.read(4096):
            pass
    except (OSError, ValueError):
        pass
    os._exit(1)


def _limit_resources(helpers: Any) -> None:
    """The same per-process limits as on Linux where the system has them (macOS); Windows has none."""
    try:
        import resource  # noqa: F401
    except ImportError:
        return
    helpers._limit_resources(False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
