"""The child process: load the learner's module, then serve its app on a socket it inherited.

Runs as a script (`python serve_child.py ...`) with only the standard library and
uvicorn, and tells the grader how far it got through a status pipe, one JSON line a stage.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import json
import os
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
GRADER_DIR = Path(__file__).resolve().parent
# Limits on the learner's process: enough for any FastAPI exercise, small enough that a
# runaway loop, a memory bomb or a disk filler stops early instead of hurting the machine.
CPU_SECONDS = 60
MEMORY_BYTES = 2 * 1024**3
FILE_BYTES = 16 * 1024**2
# Per user namespace: each sandboxed submission has one of its own, so it counts alone.
PROCESSES = 256
OPEN_FILES = 1024
# A child started ahead: how long it waits for its submission, and how many descriptors
# come with it (the bundle and the control groups).
WAIT_LIMIT = 60.0
MAX_FDS = 8


def main(argv: list[str]) -> int:
    """`STATUS_FD SOCK_FD FILE MODULE ATTR`, or with FILE `-` (or `-UID`, `-UID:FOLDER`) and
    then `BUNDLE_FD [CGROUP_FD...]`: run in a sandbox of its own (entered as that user, or
    that user alone) from the submission's bundle (see runner_child.isolate).
    `--wait CONTROL_FD STATUS_FD SOCK_FD`: the same, once the grader sends the rest
    (cold_start.py)."""
    if argv[0] == "--wait":
        return wait_for_submission(*(int(fd) for fd in argv[1:4]))
    status_fd, sock_fd, file, module_name, attr = int(argv[0]), int(argv[1]), argv[2], argv[3], argv[4]
    if file.startswith("-"):
        runner_child = _runner_child()
        bundle_fd, *cgroup_fds = (int(fd) for fd in argv[5:])
        try:
            file = str(runner_child.isolate(file[1:] or None, bundle_fd, cgroup_fds, [status_fd, sock_fd]))
        except Exception as error:
            report_sandbox_error(status_fd, error)
            return 1
        os.chdir(Path(file).parent)
    return serve(status_fd, sock_fd, file, module_name, attr, private=argv[2].startswith("-"))


def wait_for_submission(control_fd: int, status_fd: int, sock_fd: int) -> int:
    """Started before the grader knew what it grades: import the libraries an exercise
    needs, then take the submission (FILE, MODULE, ATTR and the bundle's descriptors) from
    the control socket, which only the grader holds. No learner code runs before."""
    _die_with_parent()
    arrival = _Arrival(control_fd)  # joins the control groups as soon as they come, while this imports
    # The collector would walk the libraries' objects again and again as they import (a
    # tenth of their time, for no garbage): off until they are in, then every object they
    # made goes to the oldest generation at once, and the collector is on again, as usual,
    # long before any learner code runs.
    gc.disable()
    import uvicorn  # noqa: F401  (the libraries' time is not the learner's)

    try:
        import fastapi  # noqa: F401  (what an exercise imports first; a Starlette-only course has none)
    except ImportError:
        pass
    gc.freeze()
    gc.unfreeze()
    gc.enable()
    arrival.join()
    if arrival.error is not None:
        report_sandbox_error(status_fd, arrival.error)
        return 1
    if arrival.request is None:
        return 0  # nothing came: the grade did not need this child after all
    where, module_name, attr = (str(arrival.request[key]) for key in ("where", "module", "attr"))
    if not where.startswith("-"):
        raise ValueError("a child started ahead runs only from a bundle")
    return main([str(status_fd), str(sock_fd), where, module_name, attr, *map(str, arrival.fds)])


class _Arrival(threading.Thread):
    """Waits for the submission on the control socket and moves this process into its
    control groups the moment they come: the kernel makes that move wait (10 to 30 ms),
    and the libraries import meanwhile. Keeps the bundle's descriptor for the rest."""

    def __init__(self, control_fd: int) -> None:
        super().__init__(daemon=True)
        self.control = socket.socket(fileno=control_fd)
        self.request: dict[str, Any] | None = None
        self.fds: list[int] = []
        self.error: Exception | None = None  # the groups could not be joined
        self.start()

    def run(self) -> None:
        self.control.settimeout(WAIT_LIMIT)
        try:
            message, fds, _, _ = socket.recv_fds(self.control, 65536, MAX_FDS)
        except OSError:
            return  # the grader is gone, or never sent it: as if nothing came
        finally:
            self.control.close()
        if not message or not fds:
            return
        bundle_fd, *cgroup_fds = fds
        try:
            _runner_child().join_groups(cgroup_fds)
        except Exception as error:
            self.error = error
            return
        self.request, self.fds = json.loads(message), [bundle_fd]


def report_sandbox_error(status_fd: int, error: Exception) -> None:
    """Tell the grader the sandbox could not be made (before any learner code ran)."""
    line = json.dumps({"event": "sandbox", "reason": f"{type(error).__name__}: {error}"[:500]}) + "\n"
    os.write(status_fd, line.encode())


_loaded: dict[str, Any] = {}


def _runner_child() -> Any:
    # Loaded by path, like this script: the grader's folder never joins sys.path. Once.
    if "runner_child" not in _loaded:
        spec = importlib.util.spec_from_file_location("_grader_runner_child", Path(__file__).with_name("runner_child.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded["runner_child"] = module
    return _loaded["runner_child"]


def serve(status_fd: int, sock_fd: int, file: str, module_name: str, attr: str, private: bool = False) -> int:
    """Load the learner's module and serve `attr` from it, reporting each stage."""
    status = os.fdopen(status_fd, "w", buffering=1, encoding="utf-8")
    _die_with_parent()

    def tell(event: str, **data: Any) -> None:
        status.write(json.dumps({"event": event, **data}) + "\n")

    import uvicorn  # imported before the learner's code, so its time is not theirs

    _limit_resources(private)
    path = Path(file).resolve()
    sys.path.insert(0, ".")  # uvicorn's --app-dir, as it puts it (the working folder is the app's)
    uvicorn.run = _refuse_to_run
    _look_like_uvicorn(module_name, attr)
    tell("started")
    try:
        module = _load(path, module_name)
    except ServerStartedWhileLoading as error:
        tell("server-call", frames=_frames(error, path.parent))
        return 0
    except SystemExit as error:
        tell("exit", code=_exit_code(error.code), frames=_frames(error, path.parent))
        return 0
    except BaseException as error:  # the learner's code may raise anything at all
        tell("crash", exception=_exception_line(error), frames=_frames(error, path.parent))
        return 0
    missing = object()
    app = getattr(module, attr, missing)
    if app is missing:
        names = [name for name, value in vars(module).items() if _looks_like_app(value)]
        tell("no-app", attr=attr, candidates=names)
        return 0
    if not callable(app):
        tell("not-app", attr=attr, type=type(app).__name__, value=repr(app)[:80])
        return 0
    tell("imported", app=_describe_app(app, attr))
    # No "ready" message: the grader sees the app is ready by connecting to it (server.py).
    sock = socket.socket(fileno=sock_fd)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


# What the environment holds only because the grader started this process (set in
# cold_start.py's child_env for the interpreter's start-up, where they have done their work).
GRADER_ENV = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING")
# The console script pip writes for uvicorn: what `__main__` holds under `uvicorn main:app`.
UVICORN_SCRIPT = "import re\nimport sys\nfrom uvicorn.main import main\n"


def _look_like_uvicorn(module_name: str, attr: str) -> None:
    """Make this process, as the learner's code can see it, the one `uvicorn main:app` runs:
    its sys.argv, __main__ and sys.path, no module of the grader's in sys.modules and no name
    of the grader's in the environment, so an app cannot behave one way only when graded."""
    import builtins
    import importlib.machinery
    import types

    script = str(Path(sys.executable).with_name("uvicorn"))
    sys.argv = [script, f"{module_name}:{attr}"]
    sys.orig_argv = [_interpreter_of(script), *sys.argv]
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", script)
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    main.__cached__ = None  # type: ignore[attr-defined]
    main.__annotations__ = {}
    exec(UVICORN_SCRIPT, vars(main))
    sys.modules["__main__"] = main
    for name in [name for name in sys.modules if name.startswith("_grader_")]:
        del sys.modules[name]  # still running, through the references this code holds
    sys.path[1:1] = [str(Path(script).parent)]  # a console script's own folder comes first
    for key in GRADER_ENV:
        os.environ.pop(key, None)
    # The bytecode of the grader's own imports was never written (see __main__ below, and
    # the warm worker's); the learner's modules get theirs, as under uvicorn.
    sys.dont_write_bytecode = bool(sys.flags.dont_write_bytecode)
    _show_as(sys.orig_argv, [f"{key}={value}" for key, value in os.environ.items()])


def _interpreter_of(script: str) -> str:
    """The interpreter a console script names on its #! line: what the kernel runs for it."""
    try:
        with open(script, "rb") as file:
            first = file.readline(4096)
    except OSError:
        return sys.executable
    return first[2:].decode(errors="replace").strip() if first.startswith(b"#!") and first.strip()[2:] else sys.executable


PR_SET_NAME = 15
PR_SET_MM = 35
PR_SET_MM_MAP = 14
STAT_FIELDS = {"start_code": 26, "end_code": 27, "start_stack": 28, "start_data": 45, "end_data": 46, "start_brk": 47}


class _MemoryMap(ctypes.Structure):
    """struct prctl_mm_map (linux/prctl.h)."""

    _fields_ = [
        *((name, ctypes.c_uint64) for name in (
            "start_code", "end_code", "start_data", "end_data", "start_brk", "brk", "start_stack",
            "arg_start", "arg_end", "env_start", "env_end", "auxv",
        )),
        ("auxv_size", ctypes.c_uint32),
        ("exe_fd", ctypes.c_uint32),
    ]


def _show_as(argv: list[str], environ: list[str]) -> None:
    """What /proc/self/cmdline, /proc/self/environ and /proc/self/comm say: `argv` and
    `environ`, as the kernel shows them for `uvicorn main:app` (the grader's own command line
    and start-up variables otherwise show there). Best effort: kernels without
    checkpoint/restore keep the real ones."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.malloc.restype = libc.sbrk.restype = ctypes.c_void_p
        libc.prctl(PR_SET_NAME, Path(argv[1] if len(argv) > 1 else argv[0]).name.encode()[:15], 0, 0, 0)
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        fields = {name: int(stat[number - 3]) for name, number in STAT_FIELDS.items()}

        def block(items: list[str]) -> tuple[int, int]:
            raw = b"".join(item.encode(errors="surrogateescape") + b"\0" for item in items)
            address = libc.malloc(len(raw))  # never freed: the kernel reads it for as long as this runs
            ctypes.memmove(address, raw, len(raw))
            return address, address + len(raw)

        (arg_start, arg_end), (env_start, env_end) = block(argv), block(environ or ["_=" + argv[0]])
        memory = _MemoryMap(
            brk=libc.sbrk(0), arg_start=arg_start, arg_end=arg_end, env_start=env_start, env_end=env_end,
            auxv=0, auxv_size=0, exe_fd=0xFFFFFFFF, **fields,
        )
        libc.prctl(PR_SET_MM, PR_SET_MM_MAP, ctypes.byref(memory), ctypes.sizeof(memory), 0)
    except (OSError, ValueError, IndexError, AttributeError):
        pass


class ServerStartedWhileLoading(Exception):
    """The learner's module called uvicorn.run() while it was being imported."""


def _refuse_to_run(*args: Any, **kwargs: Any) -> None:
    # Under `uvicorn main:app`, a top-level uvicorn.run() starts a second server inside the
    # import and never returns. Saying so at once beats waiting for a timeout.
    raise ServerStartedWhileLoading


def _load(path: Path, module_name: str) -> Any:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _frames(error: BaseException, app_dir: Path) -> list[dict[str, Any]]:
    """The traceback's frames in the learner's own files: theirs to read, not ours."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        file = Path(frame.filename)
        if file.is_absolute() and app_dir in file.parents and GRADER_DIR not in (file.parent, *file.parents):
            frames.append({"file": file.name, "line": frame.lineno or 0, "code": (frame.line or "")[:300], "function": frame.name})
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        frames.append({"file": Path(error.filename).name, "line": error.lineno, "code": (error.text or "").strip(), "function": ""})
    return frames[-6:]


def _exception_line(error: BaseException) -> str:
    try:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
    except Exception:  # a message whose str() raises
        text = type(error).__name__
    lines = text.splitlines() or [type(error).__name__]
    last = lines[-1]
    return last if len(last) <= 2000 else last[:2000] + f" [... {len(last) - 2000} more characters]"


def _exit_code(code: object) -> int | str | None:
    return code if isinstance(code, int | str) or code is None else str(code)


def _describe_app(app: Any, attr: str) -> dict[str, Any]:
    """The served app as plain data: its type and the middleware it really registered.
    The grader checks this shape again; it is the learner's process that says it."""
    middleware = []
    try:
        for entry in list(getattr(app, "user_middleware", None) or ())[:64]:
            cls = getattr(entry, "cls", None)
            if cls is None:
                continue
            options = _named_options(cls, tuple(getattr(entry, "args", ())), dict(getattr(entry, "kwargs", {})))
            name = f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', repr(cls))}"
            middleware.append({"cls": name, "options": {key: _plain(value, 0) for key, value in options.items()}})
    except Exception:  # a strange app object: report what was read so far
        pass
    return {"attr": attr, "type": type(app).__name__, "middleware": middleware}


def _named_options(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional arguments under their parameter names (after `app`), then the keywords."""
    if args:
        import inspect

        try:
            names = [name for name in inspect.signature(cls).parameters][1:]
        except (TypeError, ValueError):
            names = []
        for index, value in enumerate(args):
            kwargs.setdefault(names[index] if index < len(names) else f"arg{index}", value)
    return {str(key): value for key, value in kwargs.items()}


def _plain(value: Any, depth: int) -> Any:
    """A JSON-safe description of an option's value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:2000]
    if isinstance(value, list | tuple | set | frozenset) and depth < 3:
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_plain(item, depth + 1) for item in list(items)[:64]]
    if isinstance(value, dict) and depth < 3:
        return {str(key)[:200]: _plain(item, depth + 1) for key, item in list(value.items())[:64]}
    pattern = getattr(value, "pattern", None)
    if isinstance(pattern, str) and hasattr(value, "fullmatch"):
        return {"pattern": pattern[:2000]}
    if callable(value):
        code = getattr(value, "__code__", None)
        return {"callable": str(getattr(value, "__qualname__", type(value).__name__))[:200],
                "line": getattr(code, "co_firstlineno", None)}
    return {"repr": repr(value)[:200], "type": type(value).__name__}


def _looks_like_app(value: object) -> bool:
    return type(value).__name__ in {"FastAPI", "Starlette"}


def _limit_resources(private: bool) -> None:
    """Per-process limits; the process count only for a submission with a user (namespace)
    of its own, where it counts this submission alone (otherwise, every process of the user).
    Soft and hard limits alike: the learner's code cannot raise a soft limit back up."""
    import resource

    for kind, value in (
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_AS, MEMORY_BYTES),
        (resource.RLIMIT_FSIZE, FILE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        *([(resource.RLIMIT_NPROC, PROCESSES)] if private else []),
    ):
        soft, hard = resource.getrlimit(kind)
        wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(kind, (wanted, wanted))
        except (ValueError, OSError):
            pass
    # Past the file limit, a write should fail with an error, not kill the process unseen.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _die_with_parent() -> None:
    """If the grader is killed outright, take this process down with it; and adopt the
    orphans of anything this process starts, so they stay in its tree for the kill."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    del sys.path[0]  # this script's folder: the grader's modules never shadow the learner's
    sys.dont_write_bytecode = True  # no bytecode of the grader's imports anywhere
    sys.exit(main(sys.argv[1:]))
