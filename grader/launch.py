"""The `grade` command's first lines and its last: start the sandboxed process the grade
waits for, load the CLI, and leave without tearing the interpreter down.

A grade's longest wait is a sandboxed process importing FastAPI and uvicorn: the app's
child of a cold grade, or the warm worker of a batch or of watch mode. Started here, before
click, rich or libcst are imported, it does that while the grader loads (cold_start.py).
Nothing but the standard library is imported before it starts.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    started = None
    try:  # Ctrl-C from the very first imports on gets a calm word, not a traceback
        from grader.run import cold_start, timeline

        timeline.mark("grader.launch and cold_start imported")
        # The arguments are only guessed at here (click parses them later): a wrong guess
        # costs one process, which the CLI kills unused.
        started = cold_start.for_arguments(sys.argv[1:])
        from grader.cli import main as cli_main
    except KeyboardInterrupt:
        if started is not None:
            started.discard()
        sys.stderr.write("grade: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    try:
        cli_main(started)
    except SystemExit as done:
        _leave(done)
    except KeyboardInterrupt:  # before the CLI's own handling begins
        if started is not None:
            started.discard()
        sys.stderr.write("grade: interrupted\n")
        _leave(SystemExit(EXIT_INTERRUPTED))


def _leave(done: SystemExit) -> None:
    """Exit with `done`'s status, skipping the interpreter's teardown of every module (about
    30 ms once libcst and rich are loaded, paid after the verdict is on screen): by now
    every process the grade started is stopped and its files removed (each path does so
    in its own `finally`). Exit handlers still run. Where another thread still works, or
    the status is a message to print, Python exits as usual."""
    import atexit
    import os
    import threading

    others = [thread for thread in threading.enumerate() if thread is not threading.current_thread() and not thread.daemon]
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if not (done.code is None or isinstance(done.code, int)) or others or run_exit_handlers is None:
        raise done
    run_exit_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (grade | head): nothing more can be said
        os._exit(done.code or 1)
    os._exit(done.code or 0)
